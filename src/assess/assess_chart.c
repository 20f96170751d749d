/* assess_chart.c - the SVG charts of campaign results, drawn on the server:
 * a radar of averages by theme (0-4, optionally with the previous campaign),
 * horizontal bars when a radar would not read, and vertical bars of counts.
 * Accessible (role="img", <title>, <desc>), scalable (viewBox, width 100%),
 * no script, no style attribute, every text XML-escaped, right-to-left aware.
 * The radar is also drawn on the chart model (chart.h, assess_radar_chart)
 * with the same geometry and labels, for PDF reports.
 *
 * Numbers are printed with "%.1f": the program never calls setlocale for
 * LC_NUMERIC, so the decimal separator is always the C locale's '.'. */
#include "assess_score.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define COLOR_CURRENT "#1d4ed8"
#define COLOR_PREVIOUS "#6b7280"
#define COLOR_RING "#d1d5db"
#define COLOR_AXIS "#9ca3af"
#define COLOR_TEXT "#374151"
#define LINE_HEIGHT 13.0
#define LABEL_MAX_CHARS 22 /* per line of an axis label */
#define LABEL_MAX_LINES 2
#define RADAR_MAX_AXES 24

static const double pi = 3.14159265358979323846;

/* --- text ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t seq_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n || !utf8_valid(s, len))
        return 0;
    return len;
}

/* The code point of a valid sequence of len bytes. */
static uint32_t seq_cp(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    switch (len) {
    case 1:
        return s[0];
    case 2:
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    case 3:
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    default:
        return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
               (s[3] & 0x3F);
    }
}

/* Marks written over the preceding letter (Latin accents, Arabic harakat,
 * joiners): they take no room and stay with their letter when cutting. */
static bool is_mark(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x0610 && cp <= 0x061A) || (cp >= 0x064B && cp <= 0x065F) ||
           cp == 0x0670 || (cp >= 0x06D6 && cp <= 0x06DC) || (cp >= 0x06DF && cp <= 0x06E4) ||
           (cp >= 0x06E7 && cp <= 0x06E8) || (cp >= 0x06EA && cp <= 0x06ED) || cp == 0x200C || cp == 0x200D;
}

/* s as valid UTF-8 on one line: invalid bytes become U+FFFD, controls and
 * runs of spaces one space, no space at either end. */
static void clean_text(buf_t *b, const char *s)
{
    buf_reset(b);
    if (!s)
        return;
    size_t n = strlen(s);
    bool space = false;
    for (size_t i = 0; i < n;) {
        size_t len = seq_len(s + i, n - i);
        unsigned char c = (unsigned char)s[i];
        if (len == 1 && (c <= 0x20 || c == 0x7F)) {
            space = true;
            i++;
            continue;
        }
        if (space && b->len > 0)
            buf_putc(b, ' ');
        space = false;
        if (len == 0) {
            buf_puts(b, "\xEF\xBF\xBD");
            i++;
        } else {
            buf_append(b, s + i, len);
            i += len;
        }
    }
}

/* s[0..n) XML-escaped (s is valid UTF-8). */
static void put_escaped(buf_t *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_putc(out, s[i]);
        }
    }
}

static void put_text(buf_t *out, const char *s)
{
    buf_t b;
    buf_init(&b);
    clean_text(&b, s);
    put_escaped(out, b.data, b.len);
    buf_free(&b);
}

typedef struct {
    const char *p;
    size_t n;
    bool ellipsis;
} line_t;

/* The end of the character at s[i] with the marks that follow it. */
static size_t next_char(const char *s, size_t i)
{
    size_t len = seq_len(s + i, strnlen(s + i, 4));
    i += len ? len : 1;
    for (;;) {
        len = seq_len(s + i, strnlen(s + i, 4));
        if (len == 0 || !is_mark(seq_cp(s + i, len)))
            return i;
        i += len;
    }
}

/* Splits clean text (see clean_text) into at most max_lines lines of at most
 * max characters, at spaces when possible; the last line is shortened with an
 * ellipsis when text remains. Returns the number of lines. */
static size_t wrap(const char *s, size_t max, size_t max_lines, line_t *lines)
{
    size_t nl = 0, pos = 0;
    while (s[pos] && nl < max_lines) {
        while (s[pos] == ' ')
            pos++;
        if (!s[pos])
            break;
        /* last_space: the last space among max characters; short_space:
         * among max - 1, in the second half (room for the ellipsis) */
        size_t i = pos, count = 0, last_space = 0, short_space = 0, before_last = pos;
        while (s[i] && count < max) {
            if (s[i] == ' ') {
                last_space = i;
                if (count + 1 < max && 2 * count >= max)
                    short_space = i;
            }
            i = next_char(s, i);
            if (++count == max - 1)
                before_last = i;
        }
        line_t *l = &lines[nl++];
        l->p = s + pos;
        l->ellipsis = false;
        if (!s[i]) {
            l->n = i - pos;
            pos = i;
        } else if (nl == max_lines) {
            size_t end = short_space ? short_space : max > 1 ? before_last : pos;
            while (end > pos && s[end - 1] == ' ')
                end--;
            l->n = end - pos;
            l->ellipsis = true;
            pos = i;
        } else if (s[i] == ' ') {
            l->n = i - pos;
            pos = i;
        } else if (last_space > pos) {
            l->n = last_space - pos;
            pos = last_space;
        } else {
            l->n = i - pos;
            pos = i;
        }
    }
    return nl;
}

/* --- SVG pieces ---------------------------------------------------------------- */

/* A number of an attribute: one decimal, never "-0.0". */
static void num(buf_t *out, double v)
{
    if (fabs(v) < 0.05 || !isfinite(v))
        v = 0;
    buf_printf(out, "%.1f", v);
}

static void attr_num(buf_t *out, const char *name, double v)
{
    buf_printf(out, " %s=\"", name);
    num(out, v);
    buf_putc(out, '"');
}

/* text-anchor for text running rightwards (dir > 0), leftwards (dir < 0)
 * or centred (0) from its point: with direction="rtl" a text starts on
 * its right, so start and end swap. */
static const char *anchor(int dir, bool rtl)
{
    if (dir == 0)
        return "middle";
    return (dir > 0) != rtl ? "start" : "end";
}

static void svg_open(buf_t *out, const char *kind, double w, double h, const char *title, const char *desc)
{
    buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\" viewBox=\"0 0 ", kind);
    num(out, w);
    buf_putc(out, ' ');
    num(out, h);
    buf_puts(out, "\" width=\"100%\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\"><title>");
    put_text(out, title);
    buf_puts(out, "</title><desc>");
    put_text(out, desc);
    buf_puts(out, "</desc>");
}

/* A text of one or more lines; y is the baseline of the first line. */
static void text_lines(buf_t *out, const char *cls, double x, double y, int dir, bool rtl, const line_t *lines,
                       size_t nl)
{
    buf_printf(out, "<text class=\"%s\"", cls);
    attr_num(out, "x", x);
    attr_num(out, "y", y);
    buf_printf(out, " text-anchor=\"%s\" fill=\"%s\"%s>", anchor(dir, rtl), COLOR_TEXT, rtl ? " direction=\"rtl\"" : "");
    for (size_t k = 0; k < nl; k++) {
        buf_puts(out, "<tspan");
        attr_num(out, "x", x);
        attr_num(out, "y", y + LINE_HEIGHT * (double)k);
        buf_putc(out, '>');
        put_escaped(out, lines[k].p, lines[k].n);
        if (lines[k].ellipsis)
            buf_puts(out, "\xE2\x80\xA6");
        buf_puts(out, "</tspan>");
    }
    buf_puts(out, "</text>");
}

/* A label wrapped to max characters a line; baseline of its first line
 * placed by valign: -1 the last line ends at y, 0 centred on y, 1 the first
 * line hangs below y. */
static void label(buf_t *out, const char *cls, const char *s, size_t max, size_t max_lines, double x, double y,
                  int dir, int valign, bool rtl)
{
    buf_t b;
    buf_init(&b);
    clean_text(&b, s);
    line_t lines[LABEL_MAX_LINES];
    if (max_lines > LABEL_MAX_LINES)
        max_lines = LABEL_MAX_LINES;
    size_t nl = wrap(b.data, max, max_lines, lines);
    if (nl > 0) {
        double extra = LINE_HEIGHT * (double)(nl - 1);
        double y0 = valign < 0 ? y - extra : valign == 0 ? y + 4 - extra / 2 : y + 10;
        text_lines(out, cls, x, y0, dir, rtl, lines, nl);
    }
    buf_free(&b);
}

/* A plain one-line text (numbers). */
static void small_text(buf_t *out, const char *cls, double x, double y, int dir, bool rtl, const char *s)
{
    line_t l = {s, strlen(s), false};
    text_lines(out, cls, x, y, dir, rtl, &l, 1);
}

/* A value to draw: < 0 or NaN is none (-1), above 4 is drawn at 4. */
static double value_at(const double *v, size_t i)
{
    if (!v || isnan(v[i]) || v[i] < 0)
        return -1;
    return v[i] > 4 ? 4 : v[i];
}

/* The legend naming both series, its swatches at y; the current series
 * starts at the reading side. */
static void legend(buf_t *out, double w, double y, const char *current_label, const char *previous_label, bool rtl)
{
    const char *names[2] = {current_label, previous_label};
    for (int k = 0; k < 2; k++) {
        double x0 = k == 0 ? 24 : w / 2 + 8; /* left end of the swatch, left to right */
        double sx0 = rtl ? w - x0 - 24 : x0, sx1 = sx0 + 24;
        buf_printf(out, "<line class=\"%s\"", k == 0 ? "chart-current" : "chart-previous");
        attr_num(out, "x1", sx0);
        attr_num(out, "y1", y);
        attr_num(out, "x2", sx1);
        attr_num(out, "y2", y);
        if (k == 0)
            buf_printf(out, " stroke=\"%s\" stroke-width=\"2\"/>", COLOR_CURRENT);
        else
            buf_printf(out, " stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>", COLOR_PREVIOUS);
        double tx = rtl ? sx0 - 6 : sx1 + 6;
        label(out, "chart-label chart-legend", names[k], 34, 1, tx, y, rtl ? -1 : 1, 0, rtl);
    }
}

/* A gap marker: a small dashed hollow circle, for an axis without value. */
static void gap_marker(buf_t *out, double x, double y)
{
    buf_puts(out, "<circle class=\"chart-gap\"");
    attr_num(out, "cx", x);
    attr_num(out, "cy", y);
    buf_printf(out, " r=\"4\" fill=\"#ffffff\" stroke=\"%s\" stroke-dasharray=\"2 2\"/>", COLOR_AXIS);
}

/* --- horizontal bars (radar with too few or too many axes) ------------------- */

static void hbars_svg(buf_t *out, const char *title, const char *desc, const char *const *labels,
                      const double *values, const double *previous, size_t n, const char *current_label,
                      const char *previous_label, bool rtl)
{
    const double w = 560, top = 12, row = 40, unit = 85, label_x = 176, bar0 = 188;
    double scale_y = top + row * (double)n + 4;
    double h = scale_y + 20 + (previous ? 28 : 0);
    /* x of a value v (0-4) */
#define HX(v) (rtl ? w - bar0 - (v) * unit : bar0 + (v) * unit)
    svg_open(out, "hbars", w, h, title, desc);
    for (int k = 0; k <= 4; k++) {
        buf_printf(out, "<line class=\"chart-ring\"");
        attr_num(out, "x1", HX(k));
        attr_num(out, "y1", top);
        attr_num(out, "x2", HX(k));
        attr_num(out, "y2", scale_y);
        buf_printf(out, " stroke=\"%s\"/>", k == 0 ? COLOR_AXIS : COLOR_RING);
        char t[2] = {(char)('0' + k), 0};
        small_text(out, "chart-label chart-scale", HX(k), scale_y + 14, 0, rtl, t);
    }
    for (size_t i = 0; i < n; i++) {
        double y = top + row * (double)i;
        label(out, "chart-label", labels ? labels[i] : NULL, LABEL_MAX_CHARS, LABEL_MAX_LINES,
              rtl ? w - label_x : label_x, y + 15, rtl ? 1 : -1, 0, rtl);
        double v = value_at(values, i);
        if (v < 0) {
            gap_marker(out, HX(0.1), y + 15);
        } else {
            buf_puts(out, "<rect class=\"chart-current\"");
            attr_num(out, "x", rtl ? HX(v) : HX(0));
            attr_num(out, "y", y + 8);
            attr_num(out, "width", v * unit);
            buf_printf(out, " height=\"14\" fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\" stroke-width=\"2\"/>",
                       COLOR_CURRENT, COLOR_CURRENT);
        }
        double p = value_at(previous, i);
        if (p >= 0) {
            buf_puts(out, "<rect class=\"chart-previous\"");
            attr_num(out, "x", rtl ? HX(p) : HX(0));
            attr_num(out, "y", y + 25);
            attr_num(out, "width", p * unit);
            buf_printf(out, " height=\"7\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>",
                       COLOR_PREVIOUS);
        }
    }
#undef HX
    if (previous)
        legend(out, w, h - 14, current_label, previous_label, rtl);
    buf_puts(out, "</svg>");
}

/* --- radar ------------------------------------------------------------------------ */

void assess_radar_svg(buf_t *out, const char *title, const char *desc, const char *const *labels, const double *values,
                      const double *previous, size_t n, const char *current_label, const char *previous_label,
                      bool rtl)
{
    if (n < 3 || n > RADAR_MAX_AXES) {
        hbars_svg(out, title, desc, labels, values, previous, n, current_label, previous_label, rtl);
        return;
    }
    /* room for labels of 22 characters on either side and 2 lines above and below */
    const double w = 560, cx = 280, cy = 180, r = 120, unit = r / 4;
    const double h = previous ? 390 : 354;
    double ux[RADAR_MAX_AXES], uy[RADAR_MAX_AXES]; /* unit vector of each axis */
    for (size_t i = 0; i < n; i++) {
        double a = -pi / 2 + 2 * pi * (double)i / (double)n;
        ux[i] = (rtl ? -1 : 1) * cos(a);
        uy[i] = sin(a);
        if (fabs(ux[i]) < 1e-9)
            ux[i] = 0;
        if (fabs(uy[i]) < 1e-9)
            uy[i] = 0;
    }
    svg_open(out, "radar", w, h, title, desc);

    /* rings at 1, 2, 3, 4 */
    for (int k = 1; k <= 4; k++) {
        buf_puts(out, "<polygon class=\"chart-ring\" points=\"");
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_putc(out, ' ');
            num(out, cx + ux[i] * unit * k);
            buf_putc(out, ',');
            num(out, cy + uy[i] * unit * k);
        }
        buf_printf(out, "\" fill=\"none\" stroke=\"%s\"/>", k == 4 ? COLOR_AXIS : COLOR_RING);
    }
    /* axes, their labels, gap markers */
    for (size_t i = 0; i < n; i++) {
        bool gap = value_at(values, i) < 0;
        buf_puts(out, "<line class=\"chart-axis\"");
        attr_num(out, "x1", cx);
        attr_num(out, "y1", cy);
        attr_num(out, "x2", cx + ux[i] * r);
        attr_num(out, "y2", cy + uy[i] * r);
        buf_printf(out, " stroke=\"%s\"%s/>", COLOR_AXIS, gap ? " stroke-dasharray=\"3 3\"" : "");
        if (gap)
            gap_marker(out, cx + ux[i] * (r + 5), cy + uy[i] * (r + 5));
        int dir = ux[i] > 0.15 ? 1 : ux[i] < -0.15 ? -1 : 0;
        int valign = uy[i] < -0.15 ? -1 : uy[i] > 0.15 ? 1 : 0;
        label(out, "chart-label", labels ? labels[i] : NULL, LABEL_MAX_CHARS, LABEL_MAX_LINES,
              cx + ux[i] * (r + 14), cy + uy[i] * (r + 14), dir, valign, rtl);
    }
    /* ring values, beside the first axis (at the top) */
    for (int k = 1; k <= 4; k++) {
        char t[2] = {(char)('0' + k), 0};
        small_text(out, "chart-label chart-scale", rtl ? cx - 4 : cx + 4, cy - unit * k + 11, rtl ? -1 : 1, rtl, t);
    }
    /* the series: previous below current; a missing value has no vertex */
    for (int s = previous ? 0 : 1; s < 2; s++) {
        const double *v = s == 0 ? previous : values;
        size_t present = 0;
        for (size_t i = 0; i < n; i++)
            present += value_at(v, i) >= 0;
        if (present >= 2) {
            buf_printf(out, "<polygon class=\"%s\" points=\"", s == 0 ? "chart-previous" : "chart-current");
            bool first = true;
            for (size_t i = 0; i < n; i++) {
                double x = value_at(v, i);
                if (x < 0)
                    continue;
                if (!first)
                    buf_putc(out, ' ');
                first = false;
                num(out, cx + ux[i] * unit * x);
                buf_putc(out, ',');
                num(out, cy + uy[i] * unit * x);
            }
            if (s == 0)
                buf_printf(out, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>",
                           COLOR_PREVIOUS);
            else
                buf_printf(out,
                           "\" fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\" stroke-width=\"2\" "
                           "stroke-linejoin=\"round\"/>",
                           COLOR_CURRENT, COLOR_CURRENT);
        }
        if (s == 1) {
            for (size_t i = 0; i < n; i++) {
                double x = value_at(v, i);
                if (x < 0)
                    continue;
                buf_puts(out, "<circle class=\"chart-dot\"");
                attr_num(out, "cx", cx + ux[i] * unit * x);
                attr_num(out, "cy", cy + uy[i] * unit * x);
                buf_printf(out, " r=\"3\" fill=\"%s\"/>", COLOR_CURRENT);
            }
        }
    }
    if (previous)
        legend(out, w, h - 16, current_label, previous_label, rtl);
    buf_puts(out, "</svg>");
}

/* --- vertical bars ------------------------------------------------------------------ */

void assess_bars_svg(buf_t *out, const char *title, const char *desc, const char *const *labels, const int *counts,
                     size_t n, bool rtl)
{
    const double slot = 64, bar_w = 36, base = 180, max_h = 140;
    double w = 32 + slot * (double)n;
    if (w < 320)
        w = 320;
    const double h = 236, left = (w - slot * (double)n) / 2;
    int max = 0;
    for (size_t i = 0; i < n; i++)
        if (counts && counts[i] > max)
            max = counts[i];
    svg_open(out, "bars", w, h, title, desc);
    buf_puts(out, "<line class=\"chart-axis\"");
    attr_num(out, "x1", 16);
    attr_num(out, "y1", base);
    attr_num(out, "x2", w - 16);
    attr_num(out, "y2", base);
    buf_printf(out, " stroke=\"%s\"/>", COLOR_AXIS);
    for (size_t i = 0; i < n; i++) {
        int c = counts && counts[i] > 0 ? counts[i] : 0;
        size_t slot_i = rtl ? n - 1 - i : i;
        double mid = left + slot * ((double)slot_i + 0.5);
        double bh = max > 0 ? max_h * c / max : 0;
        buf_puts(out, "<rect class=\"chart-bar\"");
        attr_num(out, "x", mid - bar_w / 2);
        attr_num(out, "y", base - bh);
        attr_num(out, "width", bar_w);
        attr_num(out, "height", bh);
        buf_printf(out, " fill=\"%s\"/>", COLOR_CURRENT);
        char t[16];
        snprintf(t, sizeof t, "%d", c);
        small_text(out, "chart-value", mid, base - bh - 5, 0, rtl, t);
        label(out, "chart-label", labels ? labels[i] : NULL, 10, LABEL_MAX_LINES, mid, base + 6, 0, 1, rtl);
    }
    buf_puts(out, "</svg>");
}

/* --- the same charts on the drawing model (chart.h), for PDF reports ---------------------- */

#define RGB_CURRENT 0x1d4ed8u
#define RGB_PREVIOUS 0x6b7280u
#define RGB_RING 0xd1d5dbu
#define RGB_AXIS 0x9ca3afu
#define RGB_TEXT 0x374151u
#define RGB_WHITE 0xffffffu
#define TEXT_SIZE 11.0

/* Anchors on the model are visual: text running rightwards starts at its point. */
static chart_anchor_t visual_anchor(int dir)
{
    return dir > 0 ? CHART_START : dir < 0 ? CHART_END : CHART_MIDDLE;
}

/* label() on the model: wrapped the same way, placed the same way. */
static void model_label(chart_t *c, const char *s, size_t max, size_t max_lines, double x, double y, int dir,
                        int valign)
{
    buf_t b, line;
    buf_init(&b);
    buf_init(&line);
    clean_text(&b, s);
    line_t lines[LABEL_MAX_LINES];
    if (max_lines > LABEL_MAX_LINES)
        max_lines = LABEL_MAX_LINES;
    size_t nl = b.data ? wrap(b.data, max, max_lines, lines) : 0;
    double extra = nl ? LINE_HEIGHT * (double)(nl - 1) : 0;
    double y0 = valign < 0 ? y - extra : valign == 0 ? y + 4 - extra / 2 : y + 10;
    for (size_t k = 0; k < nl; k++) {
        buf_reset(&line);
        buf_append(&line, lines[k].p, lines[k].n);
        if (lines[k].ellipsis)
            buf_puts(&line, "\xE2\x80\xA6");
        chart_text(c, x, y0 + LINE_HEIGHT * (double)k, line.data, TEXT_SIZE, RGB_TEXT, visual_anchor(dir), false);
    }
    buf_free(&line);
    buf_free(&b);
}

static void model_legend(chart_t *c, double w, double y, const char *current_label, const char *previous_label,
                         bool rtl)
{
    const char *names[2] = {current_label, previous_label};
    for (int k = 0; k < 2; k++) {
        double x0 = k == 0 ? 24 : w / 2 + 8;
        double sx0 = rtl ? w - x0 - 24 : x0, sx1 = sx0 + 24;
        if (k == 0)
            chart_line(c, sx0, y, sx1, y, RGB_CURRENT, 2, false);
        else
            chart_line(c, sx0, y, sx1, y, RGB_PREVIOUS, 1.5, true);
        model_label(c, names[k], 34, 1, rtl ? sx0 - 6 : sx1 + 6, y, rtl ? -1 : 1, 0);
    }
}

static void model_gap(chart_t *c, double x, double y)
{
    chart_circle(c, x, y, 4, RGB_AXIS, 1, RGB_WHITE);
}

static chart_t *hbars_chart(const char *const *labels, const double *values, const double *previous, size_t n,
                            const char *current_label, const char *previous_label, bool rtl)
{
    const double w = 560, top = 12, row = 40, unit = 85, label_x = 176, bar0 = 188;
    double scale_y = top + row * (double)n + 4;
    double h = scale_y + 20 + (previous ? 28 : 0);
#define HX(v) (rtl ? w - bar0 - (v) * unit : bar0 + (v) * unit)
    chart_t *c = chart_new(w, h);
    for (int k = 0; k <= 4; k++) {
        chart_line(c, HX(k), top, HX(k), scale_y, k == 0 ? RGB_AXIS : RGB_RING, 1, false);
        char t[2] = {(char)('0' + k), 0};
        chart_text(c, HX(k), scale_y + 14, t, TEXT_SIZE, RGB_TEXT, CHART_MIDDLE, false);
    }
    for (size_t i = 0; i < n; i++) {
        double y = top + row * (double)i;
        model_label(c, labels ? labels[i] : NULL, LABEL_MAX_CHARS, LABEL_MAX_LINES, rtl ? w - label_x : label_x,
                    y + 15, rtl ? 1 : -1, 0);
        double v = value_at(values, i);
        if (v < 0)
            model_gap(c, HX(0.1), y + 15);
        else
            chart_rect(c, rtl ? HX(v) : HX(0), y + 8, v * unit, 14, RGB_CURRENT, 2, RGB_CURRENT, 0.25);
        double p = value_at(previous, i);
        if (p >= 0) {
            double x0 = rtl ? HX(p) : HX(0), x1 = x0 + p * unit;
            double pts[8] = {x0, y + 25, x1, y + 25, x1, y + 32, x0, y + 32};
            chart_polyline(c, pts, 4, true, RGB_PREVIOUS, 1.5, true);
        }
    }
#undef HX
    if (previous)
        model_legend(c, w, h - 14, current_label, previous_label, rtl);
    return c;
}

/* One series as a polygon of its present values (none with fewer than two). */
static void model_series(chart_t *c, const double *v, size_t n, const double *ux, const double *uy, double cx,
                         double cy, double unit, bool current)
{
    double pts[2 * RADAR_MAX_AXES];
    int present = 0;
    for (size_t i = 0; i < n; i++) {
        double x = value_at(v, i);
        if (x < 0)
            continue;
        pts[2 * present] = cx + ux[i] * unit * x;
        pts[2 * present + 1] = cy + uy[i] * unit * x;
        present++;
    }
    if (present >= 2) {
        if (current)
            chart_polygon(c, pts, present, RGB_CURRENT, 2, RGB_CURRENT, 0.25);
        else
            chart_polyline(c, pts, present, true, RGB_PREVIOUS, 1.5, true);
    }
    if (current)
        for (int i = 0; i < present; i++)
            chart_circle(c, pts[2 * i], pts[2 * i + 1], 3, CHART_NONE, 1, RGB_CURRENT);
}

chart_t *assess_radar_chart(const char *const *labels, const double *values, const double *previous, size_t n,
                            const char *current_label, const char *previous_label, bool rtl)
{
    if (n < 3 || n > RADAR_MAX_AXES)
        return hbars_chart(labels, values, previous, n, current_label, previous_label, rtl);
    const double w = 560, cx = 280, cy = 180, r = 120, unit = r / 4;
    const double h = previous ? 390 : 354;
    double ux[RADAR_MAX_AXES], uy[RADAR_MAX_AXES];
    for (size_t i = 0; i < n; i++) {
        double a = -pi / 2 + 2 * pi * (double)i / (double)n;
        ux[i] = (rtl ? -1 : 1) * cos(a);
        uy[i] = sin(a);
        if (fabs(ux[i]) < 1e-9)
            ux[i] = 0;
        if (fabs(uy[i]) < 1e-9)
            uy[i] = 0;
    }
    chart_t *c = chart_new(w, h);
    for (int k = 1; k <= 4; k++) {
        double pts[2 * RADAR_MAX_AXES];
        for (size_t i = 0; i < n; i++) {
            pts[2 * i] = cx + ux[i] * unit * k;
            pts[2 * i + 1] = cy + uy[i] * unit * k;
        }
        chart_polygon(c, pts, (int)n, k == 4 ? RGB_AXIS : RGB_RING, 1, CHART_NONE, 0);
    }
    for (size_t i = 0; i < n; i++) {
        bool gap = value_at(values, i) < 0;
        chart_line(c, cx, cy, cx + ux[i] * r, cy + uy[i] * r, RGB_AXIS, 1, gap);
        if (gap)
            model_gap(c, cx + ux[i] * (r + 5), cy + uy[i] * (r + 5));
        int dir = ux[i] > 0.15 ? 1 : ux[i] < -0.15 ? -1 : 0;
        int valign = uy[i] < -0.15 ? -1 : uy[i] > 0.15 ? 1 : 0;
        model_label(c, labels ? labels[i] : NULL, LABEL_MAX_CHARS, LABEL_MAX_LINES, cx + ux[i] * (r + 14),
                    cy + uy[i] * (r + 14), dir, valign);
    }
    for (int k = 1; k <= 4; k++) {
        char t[2] = {(char)('0' + k), 0};
        chart_text(c, rtl ? cx - 4 : cx + 4, cy - unit * k + 11, t, TEXT_SIZE, RGB_TEXT, rtl ? CHART_END : CHART_START,
                   false);
    }
    if (previous)
        model_series(c, previous, n, ux, uy, cx, cy, unit, false);
    model_series(c, values, n, ux, uy, cx, cy, unit, true);
    if (previous)
        model_legend(c, w, h - 16, current_label, previous_label, rtl);
    return c;
}
