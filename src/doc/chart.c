/* chart.c - one drawing model for charts: lines, polygons, polylines,
 * rectangles, circles and texts kept in an array, then written as SVG text
 * (accessible: role="img" labelled by its <title>; viewBox, width 100%;
 * every text cleaned and XML-escaped; numbers "%.2f" in the C locale, the
 * program never calls setlocale) or drawn with cairo paths and pango text
 * in the documents' fonts. Text anchors are visual in both: CHART_START is
 * the left end of the text whatever its direction. */
#include "chart.h"
#include "doc_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DASH_ON 5.0
#define DASH_OFF 4.0
#define SVG_FONTS "Noto Sans, Noto Sans Arabic, sans-serif"

typedef enum { P_LINE, P_POLY, P_RECT, P_CIRCLE, P_TEXT } prim_kind_t;

typedef struct {
    prim_kind_t kind;
    uint32_t stroke, fill;
    double stroke_width, opacity;
    bool dashed, closed, bold;
    chart_anchor_t anchor;
    double x, y, w, h; /* line: x2 y2 in w h; circle: radius in w; text: size in w */
    double *pts;       /* polygon: n points */
    int n;
    char *text;
} prim_t;

struct chart {
    double w, h;
    prim_t *p;
    size_t n, cap;
};

chart_t *chart_new(double width, double height)
{
    chart_t *c = xcalloc(1, sizeof *c);
    c->w = width > 0 && isfinite(width) ? width : 1;
    c->h = height > 0 && isfinite(height) ? height : 1;
    return c;
}

void chart_free(chart_t *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->p[i].pts);
        free(c->p[i].text);
    }
    free(c->p);
    free(c);
}

double chart_width(const chart_t *c)
{
    return c ? c->w : 0;
}

double chart_height(const chart_t *c)
{
    return c ? c->h : 0;
}

static prim_t *push(chart_t *c, prim_kind_t kind, uint32_t stroke, double stroke_width)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->p = xrealloc(c->p, c->cap * sizeof *c->p);
    }
    prim_t *p = &c->p[c->n++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->stroke = stroke;
    p->stroke_width = stroke_width > 0 && isfinite(stroke_width) ? stroke_width : 1;
    p->fill = CHART_NONE;
    p->opacity = 1;
    return p;
}

static double opacity(double o)
{
    return o >= 0 && o <= 1 ? o : o > 1 ? 1 : 0; /* NaN: 0 */
}

void chart_line(chart_t *c, double x1, double y1, double x2, double y2, uint32_t stroke, double stroke_width,
                bool dashed)
{
    if (!c)
        return;
    prim_t *p = push(c, P_LINE, stroke, stroke_width);
    p->x = x1, p->y = y1, p->w = x2, p->h = y2;
    p->dashed = dashed;
}

static void add_poly(chart_t *c, const double *xy, int n, bool closed, uint32_t stroke, double stroke_width,
                     uint32_t fill, double fill_opacity, bool dashed)
{
    if (!c || !xy || n < 2)
        return;
    prim_t *p = push(c, P_POLY, stroke, stroke_width);
    p->pts = xmalloc((size_t)n * 2 * sizeof *p->pts);
    memcpy(p->pts, xy, (size_t)n * 2 * sizeof *p->pts);
    p->n = n;
    p->closed = closed;
    p->fill = fill;
    p->opacity = opacity(fill_opacity);
    p->dashed = dashed;
}

void chart_polygon(chart_t *c, const double *xy, int n, uint32_t stroke, double stroke_width, uint32_t fill,
                   double fill_opacity)
{
    add_poly(c, xy, n, true, stroke, stroke_width, fill, fill_opacity, false);
}

void chart_polyline(chart_t *c, const double *xy, int n, bool closed, uint32_t stroke, double stroke_width,
                    bool dashed)
{
    add_poly(c, xy, n, closed, stroke, stroke_width, CHART_NONE, 1, dashed);
}

void chart_rect(chart_t *c, double x, double y, double w, double h, uint32_t stroke, double stroke_width,
                uint32_t fill, double fill_opacity)
{
    if (!c)
        return;
    prim_t *p = push(c, P_RECT, stroke, stroke_width);
    p->x = w < 0 ? x + w : x, p->y = h < 0 ? y + h : y, p->w = fabs(w), p->h = fabs(h);
    p->fill = fill;
    p->opacity = opacity(fill_opacity);
}

void chart_circle(chart_t *c, double cx, double cy, double r, uint32_t stroke, double stroke_width, uint32_t fill)
{
    if (!c)
        return;
    prim_t *p = push(c, P_CIRCLE, stroke, stroke_width);
    p->x = cx, p->y = cy, p->w = fabs(r);
    p->fill = fill;
}

void chart_text(chart_t *c, double x, double y, const char *text, double size, uint32_t colour,
                chart_anchor_t anchor, bool bold)
{
    if (!c)
        return;
    char *t = doc_clean(text, CLEAN_LINE);
    if (!*t) {
        free(t);
        return;
    }
    prim_t *p = push(c, P_TEXT, CHART_NONE, 1);
    p->x = x, p->y = y;
    p->w = size > 0 && isfinite(size) ? size : 11;
    p->fill = colour;
    p->anchor = anchor == CHART_MIDDLE || anchor == CHART_END ? anchor : CHART_START;
    p->bold = bold;
    p->text = t;
}

/* --- SVG -------------------------------------------------------------------------------- */

static void num(buf_t *out, double v)
{
    if (!isfinite(v) || fabs(v) < 0.005)
        v = 0;
    buf_printf(out, "%.2f", v);
}

static void attr(buf_t *out, const char *name, double v)
{
    buf_printf(out, " %s=\"", name);
    num(out, v);
    buf_putc(out, '"');
}

static void colour_attr(buf_t *out, const char *name, uint32_t c)
{
    if (c == CHART_NONE)
        buf_printf(out, " %s=\"none\"", name);
    else
        buf_printf(out, " %s=\"#%06x\"", name, (unsigned)(c & 0xFFFFFFu));
}

/* Clean text XML-escaped; U+FFFE and U+FFFF (not XML) become U+FFFD. */
static void escaped(buf_t *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default:
            if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBF && ((unsigned char)s[2] & 0xFE) == 0xBE) {
                buf_puts(out, "\xEF\xBF\xBD");
                s += 2;
            } else {
                buf_putc(out, *s);
            }
        }
    }
}

static void paint(buf_t *out, const prim_t *p, bool filled)
{
    if (filled) {
        colour_attr(out, "fill", p->fill);
        if (p->fill != CHART_NONE && p->opacity < 1)
            attr(out, "fill-opacity", p->opacity);
    }
    if (p->stroke != CHART_NONE) {
        colour_attr(out, "stroke", p->stroke);
        attr(out, "stroke-width", p->stroke_width);
        if (p->dashed)
            buf_printf(out, " stroke-dasharray=\"%.0f %.0f\"", DASH_ON, DASH_OFF);
    }
}

static void svg_text(buf_t *out, const prim_t *p, bool rtl)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    int dir = doc_text_dir(p->text, strlen(p->text));
    bool text_rtl = dir > 0 || (dir == 0 && rtl);
    /* with direction="rtl" a text starts at its right end: swap to stay visual */
    chart_anchor_t a = text_rtl && p->anchor != CHART_MIDDLE ? (p->anchor == CHART_START ? CHART_END : CHART_START)
                                                              : p->anchor;
    buf_puts(out, "<text");
    attr(out, "x", p->x);
    attr(out, "y", p->y);
    attr(out, "font-size", p->w);
    buf_printf(out, " text-anchor=\"%s\"", anchors[a]);
    colour_attr(out, "fill", p->fill);
    if (p->bold)
        buf_puts(out, " font-weight=\"bold\"");
    if (text_rtl)
        buf_puts(out, " direction=\"rtl\"");
    buf_putc(out, '>');
    escaped(out, p->text);
    buf_puts(out, "</text>");
}

static void svg_prim(buf_t *out, const prim_t *p, bool rtl)
{
    switch (p->kind) {
    case P_LINE:
        buf_puts(out, "<line");
        attr(out, "x1", p->x);
        attr(out, "y1", p->y);
        attr(out, "x2", p->w);
        attr(out, "y2", p->h);
        paint(out, p, false);
        buf_puts(out, "/>");
        break;
    case P_POLY:
        buf_printf(out, "<%s points=\"", p->closed ? "polygon" : "polyline");
        for (int i = 0; i < p->n; i++) {
            if (i)
                buf_putc(out, ' ');
            num(out, p->pts[2 * i]);
            buf_putc(out, ',');
            num(out, p->pts[2 * i + 1]);
        }
        buf_putc(out, '"');
        paint(out, p, true);
        buf_puts(out, " stroke-linejoin=\"round\"/>");
        break;
    case P_RECT:
        buf_puts(out, "<rect");
        attr(out, "x", p->x);
        attr(out, "y", p->y);
        attr(out, "width", p->w);
        attr(out, "height", p->h);
        paint(out, p, true);
        buf_puts(out, "/>");
        break;
    case P_CIRCLE:
        buf_puts(out, "<circle");
        attr(out, "cx", p->x);
        attr(out, "cy", p->y);
        attr(out, "r", p->w);
        paint(out, p, true);
        buf_puts(out, "/>");
        break;
    case P_TEXT:
        svg_text(out, p, rtl);
        break;
    }
}

/* An id for the title, the same for the same chart (several charts on a
 * page differ by their titles or contents). */
static uint32_t chart_id(const chart_t *c, const char *title)
{
    uint32_t h = 2166136261u;
    for (const char *s = title; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    h ^= (uint32_t)c->n * 2654435761u ^ (uint32_t)(c->w * 100) ^ (uint32_t)(c->h * 10000);
    return hash_mix32(h);
}

void chart_svg(const chart_t *c, const char *title, bool rtl, buf_t *out)
{
    if (!c || !out)
        return;
    char *t = doc_clean(title, CLEAN_LINE);
    uint32_t id = chart_id(c, t);
    buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ");
    num(out, c->w);
    buf_putc(out, ' ');
    num(out, c->h);
    buf_printf(out, "\" width=\"100%%\" role=\"img\" aria-labelledby=\"chart-%08x\" direction=\"ltr\""
                    " font-family=\"" SVG_FONTS "\"><title id=\"chart-%08x\">", (unsigned)id, (unsigned)id);
    escaped(out, t);
    buf_puts(out, "</title>");
    free(t);
    for (size_t i = 0; i < c->n; i++)
        svg_prim(out, &c->p[i], rtl);
    buf_puts(out, "</svg>");
}

/* --- cairo ----------------------------------------------------------------------------- */

static void set_colour(cairo_t *cr, uint32_t c, double alpha)
{
    cairo_set_source_rgba(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0, (c & 0xFF) / 255.0, alpha);
}

/* Fills then strokes the current path as the primitive says. */
static void fill_stroke(cairo_t *cr, const prim_t *p, bool filled)
{
    if (filled && p->fill != CHART_NONE) {
        set_colour(cr, p->fill, p->opacity);
        cairo_fill_preserve(cr);
    }
    if (p->stroke != CHART_NONE) {
        static const double dash[2] = {DASH_ON, DASH_OFF};
        set_colour(cr, p->stroke, 1);
        cairo_set_line_width(cr, p->stroke_width);
        cairo_set_dash(cr, dash, p->dashed ? 2 : 0, 0);
        cairo_stroke_preserve(cr);
    }
    cairo_new_path(cr);
}

static void cairo_text(cairo_t *cr, const prim_t *p)
{
    PangoLayout *lay = pango_layout_new(doc_context(false));
    PangoFontDescription *fd = doc_font(false, FONT_BODY, p->w, p->bold);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_auto_dir(lay, TRUE);
    pango_layout_set_text(lay, p->text, -1);
    PangoRectangle logical;
    pango_layout_get_extents(lay, NULL, &logical);
    double w = (double)logical.width / PANGO_SCALE, x0 = (double)logical.x / PANGO_SCALE;
    double base = (double)pango_layout_get_baseline(lay) / PANGO_SCALE;
    double x = p->x - x0 - (p->anchor == CHART_MIDDLE ? w / 2 : p->anchor == CHART_END ? w : 0);
    set_colour(cr, p->fill == CHART_NONE ? 0 : p->fill, 1);
    cairo_move_to(cr, x, p->y - base);
    pango_cairo_show_layout(cr, lay);
    g_object_unref(lay);
}

static void cairo_prim(cairo_t *cr, const prim_t *p)
{
    cairo_new_path(cr);
    switch (p->kind) {
    case P_LINE:
        cairo_move_to(cr, p->x, p->y);
        cairo_line_to(cr, p->w, p->h);
        fill_stroke(cr, p, false);
        break;
    case P_POLY:
        for (int i = 0; i < p->n; i++)
            cairo_line_to(cr, p->pts[2 * i], p->pts[2 * i + 1]);
        if (p->closed)
            cairo_close_path(cr);
        fill_stroke(cr, p, p->closed);
        break;
    case P_RECT:
        cairo_rectangle(cr, p->x, p->y, p->w, p->h);
        fill_stroke(cr, p, true);
        break;
    case P_CIRCLE:
        cairo_arc(cr, p->x, p->y, p->w, 0, 2 * G_PI);
        cairo_close_path(cr);
        fill_stroke(cr, p, true);
        break;
    case P_TEXT:
        cairo_text(cr, p);
        break;
    }
}

void chart_cairo(const chart_t *c, cairo_t *cr, double x, double y, double scale)
{
    if (!c || !cr || !(scale > 0) || !isfinite(scale))
        return;
    doc_lock();
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, scale, scale);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t i = 0; i < c->n; i++)
        cairo_prim(cr, &c->p[i]);
    cairo_restore(cr);
    doc_unlock();
}
