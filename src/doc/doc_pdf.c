/* doc_pdf.c - pass 2 of a rendering and the entry points: the pages drawn
 * by cairo into a PDF written to memory (cover, table of contents with
 * dotted leaders and links, body pages with their running header and
 * footer "page / pages"), the items placed by doc_layout.c drawn at their
 * places, mirrored for right-to-left documents. The PDF carries its title
 * and an outline of the headings; fonts are embedded (subsets). */
#include "doc_internal.h"

#include <cairo-pdf.h>
#include <stdio.h>
#include <string.h>

#define C_TEXT 0x1F2937u
#define C_HEADING 0x1E3A8Au
#define C_HEADING_LOW 0x111827u
#define C_NOTE 0x6B7280u
#define C_QUIET 0x6B7280u
#define C_LINE 0xD1D5DBu
#define C_RULE 0x9CA3AFu
#define C_FILL 0xF3F4F6u
#define C_ACCENT 0x1D4ED8u
#define HF_SIZE 8.0
#define NUM_W 130.0 /* the footer's page number */

static void colour(cairo_t *cr, uint32_t c)
{
    cairo_set_source_rgb(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0, (c & 0xFF) / 255.0);
}

static void hline(cairo_t *cr, double x0, double x1, double y, double width, uint32_t c)
{
    colour(cr, c);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
}

static void fill_rect(cairo_t *cr, double x, double y, double w, double h, uint32_t c)
{
    colour(cr, c);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

/* A one-off line of text laid out and drawn with its top at (x, y). */
static double draw_line_text(render_t *r, cairo_t *cr, const char *s, double size, bool bold, align_t al,
                             bool ellipsize, double x, double y, double w, uint32_t c)
{
    tbox_t tb;
    rtext_t t = rt_plain(r->a, s, CLEAN_LINE);
    tstyle_t st = {FONT_BODY, size, bold, false, al, ellipsize};
    tbox_make(&tb, r->a, r->d->rtl, &t, &st, w);
    colour(cr, c);
    tbox_draw(cr, &tb, 0, tb.n, x, y);
    double h = tb.height;
    tbox_free(&tb);
    return h;
}

/* --- page furniture ----------------------------------------------------------------- */

static void header_footer(render_t *r, cairo_t *cr, int page)
{
    const doc_t *d = r->d;
    bool rtl = d->rtl;
    if (d->header && *d->header) {
        draw_line_text(r, cr, d->header, HF_SIZE, false, AL_START, true, MARGIN_X, HEADER_TOP, CONTENT_W, C_QUIET);
        hline(cr, MARGIN_X, MARGIN_X + CONTENT_W, HEADER_RULE, 0.4, C_RULE);
    }
    if (d->footer && *d->footer)
        draw_line_text(r, cr, d->footer, HF_SIZE, false, AL_START, true, rtl ? MARGIN_X + NUM_W : MARGIN_X,
                       FOOTER_TOP, CONTENT_W - NUM_W, C_QUIET);
    int nums[2] = {page, d->pages};
    char *num = doc_fill_numbers(d->page_fmt, nums, 2);
    draw_line_text(r, cr, num, HF_SIZE, false, AL_END, true, rtl ? MARGIN_X : MARGIN_X + CONTENT_W - NUM_W + 10,
                   FOOTER_TOP, NUM_W - 10, C_QUIET);
    free(num);
}

static void draw_cover(render_t *r, cairo_t *cr)
{
    const doc_t *d = r->d;
    double y = PAGE_H * 0.30;
    fill_rect(cr, 0, 0, PAGE_W, 12 * MM, C_HEADING);
    y += draw_line_text(r, cr, d->title, 26, true, AL_CENTER, false, MARGIN_X, y, CONTENT_W, C_HEADING) + 16;
    hline(cr, PAGE_W / 2 - 25 * MM, PAGE_W / 2 + 25 * MM, y, 2, C_ACCENT);
    y += 18;
    if (d->subtitle && *d->subtitle)
        y += draw_line_text(r, cr, d->subtitle, 14, false, AL_CENTER, false, MARGIN_X, y, CONTENT_W, C_TEXT) + 12;
    if (d->cover_note && *d->cover_note)
        draw_line_text(r, cr, d->cover_note, BODY_SIZE, false, AL_CENTER, false, MARGIN_X, y, CONTENT_W, C_QUIET);
}

/* --- table of contents --------------------------------------------------------------- */

static void toc_entry(render_t *r, cairo_t *cr, const toc_entry_t *e)
{
    bool rtl = r->d->rtl;
    const tbox_t *tb = &e->box;
    double bx = doc_box_x(rtl, e->level == 1 ? 0 : TOC_INDENT, tb->width);
    char link[32];
    snprintf(link, sizeof link, "page=%d", e->page);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, link);
    colour(cr, e->level == 1 ? C_HEADING_LOW : C_TEXT);
    tbox_draw(cr, tb, 0, tb->n, bx, e->y);
    /* the number on the last line's baseline, a dotted leader up to it */
    int last = tb->n - 1;
    double base = e->y + tb->base[last] - tb->top[0];
    char num[16];
    snprintf(num, sizeof num, "%d", e->page);
    tbox_t nb;
    rtext_t nt = rt_plain(r->a, num, CLEAN_LINE);
    tstyle_t st = {FONT_BODY, 10, e->level == 1, false, AL_END, false};
    tbox_make(&nb, r->a, rtl, &nt, &st, TOC_NUM_W);
    double nx = rtl ? MARGIN_X : MARGIN_X + CONTENT_W - TOC_NUM_W;
    tbox_draw(cr, &nb, 0, 1, nx, base - (nb.base[0] - nb.top[0]));
    double text0 = bx + tb->x[last], text1 = text0 + tb->w[last];
    double num0 = nx + nb.x[0], num1 = num0 + nb.w[0];
    double l0 = rtl ? num1 + 5 : text1 + 5, l1 = rtl ? text0 - 5 : num0 - 5;
    tbox_free(&nb);
    cairo_tag_end(cr, CAIRO_TAG_LINK);
    if (l1 - l0 > 6) {
        cairo_save(cr);
        double dash[2] = {0, 3.2};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        hline(cr, l0, l1, base - 0.5, 0.9, C_RULE);
        cairo_restore(cr);
    }
}

static void draw_toc_page(render_t *r, cairo_t *cr, int toc_page)
{
    if (toc_page == 0) {
        colour(cr, C_HEADING);
        tbox_draw(cr, &r->toc_title, 0, r->toc_title.n, MARGIN_X, BODY_TOP);
    }
    for (size_t i = 0; i < r->toc.n; i++)
        if (r->toc.v[i].toc_page == toc_page)
            toc_entry(r, cr, &r->toc.v[i]);
}

/* --- body items -------------------------------------------------------------------------- */

static uint32_t text_colour(const blk_t *b)
{
    switch (b->kind) {
    case BK_HEADING:
        return b->level <= 2 ? C_HEADING : C_HEADING_LOW;
    case BK_NOTE:
        return C_NOTE;
    default:
        return C_TEXT;
    }
}

static void draw_marker(render_t *r, cairo_t *cr, const blk_t *b, const blay_t *L, double baseline)
{
    bool rtl = r->d->rtl;
    double edge = rtl ? MARGIN_X + CONTENT_W - b->indent : MARGIN_X + b->indent; /* the text's start side */
    if (b->mark == MARK_TEXT) {
        double x = rtl ? edge + 5 : edge - LIST_INDENT;
        tbox_draw(cr, &L->mark, 0, 1, x, baseline - (L->mark.base[0] - L->mark.top[0]));
        return;
    }
    double cx = rtl ? edge + 9 : edge - 9, cy = baseline - BODY_SIZE * 0.32;
    cairo_new_path(cr);
    if (b->mark == MARK_SQUARE) {
        cairo_rectangle(cr, cx - 1.8, cy - 1.8, 3.6, 3.6);
        cairo_fill(cr);
    } else {
        cairo_arc(cr, cx, cy, b->mark == MARK_DISC ? 2.1 : 1.9, 0, 2 * G_PI);
        if (b->mark == MARK_DISC) {
            cairo_fill(cr);
        } else {
            cairo_set_line_width(cr, 0.7);
            cairo_stroke(cr);
        }
    }
}

static void draw_text_item(render_t *r, cairo_t *cr, const item_t *it)
{
    const blk_t *b = &r->d->blocks.v[it->blk];
    const blay_t *L = &r->bl[it->blk];
    bool rtl = r->d->rtl;
    double w = CONTENT_W - b->indent, x = doc_box_x(rtl, b->indent, w);
    for (int k = 0; k < b->n_rules; k++) {
        double rx = rtl ? MARGIN_X + CONTENT_W - b->rules[k] : MARGIN_X + b->rules[k];
        colour(cr, C_LINE);
        cairo_set_line_width(cr, 2);
        cairo_move_to(cr, rx, it->y);
        cairo_line_to(cr, rx, it->y + it->h + it->rule_ext);
        cairo_stroke(cr);
    }
    double top = it->y + (it->first ? L->pad : 0);
    if (b->kind == BK_CODE)
        fill_rect(cr, x, it->y, w, it->h, C_FILL);
    colour(cr, text_colour(b));
    tbox_draw(cr, &L->text, it->from, it->to, x + L->pad, top);
    if (it->first && b->mark != MARK_NONE && L->text.n > 0)
        draw_marker(r, cr, b, L, top + L->text.base[0] - L->text.top[0]);
    if (b->kind == BK_HEADING && b->level == 1 && it->last)
        hline(cr, x, x + w, it->y + it->h + 2.5, 0.6, 0xBFDBFEu);
}

static void draw_row(render_t *r, cairo_t *cr, const item_t *it)
{
    const blk_t *b = &r->d->blocks.v[it->blk];
    const blay_t *L = &r->bl[it->blk];
    const table_t *t = b->table;
    bool rtl = r->d->rtl;
    double w = CONTENT_W - b->indent, x0 = doc_box_x(rtl, b->indent, w);
    int row = it->row < 0 ? 0 : it->row;
    bool head = t->has_head && row == 0;
    if (head)
        fill_rect(cr, x0, it->y, w, it->h, C_FILL);
    double pos = 0; /* start-side offset of the column */
    for (int c = 0; c < t->ncols; c++) {
        double cw = L->col_w[c], cx = rtl ? x0 + w - pos - cw : x0 + pos;
        pos += cw;
        colour(cr, C_LINE);
        cairo_set_line_width(cr, 0.6);
        cairo_rectangle(cr, cx, it->y, cw, it->h);
        cairo_stroke(cr);
        const tbox_t *tb = &L->cells[row * t->ncols + c];
        int from = it->cfrom ? it->cfrom[c] : 0, to = it->cto ? it->cto[c] : tb->n;
        colour(cr, head ? C_HEADING_LOW : C_TEXT);
        if (from < to)
            tbox_draw(cr, tb, from, to, cx + CELL_PAD_X, it->y + CELL_PAD_Y);
    }
}

static void draw_item(render_t *r, cairo_t *cr, const item_t *it)
{
    const blk_t *b = &r->d->blocks.v[it->blk];
    const blay_t *L = &r->bl[it->blk];
    double w = CONTENT_W - b->indent, x = doc_box_x(r->d->rtl, b->indent, w);
    switch (it->kind) {
    case IT_TEXT:
        draw_text_item(r, cr, it);
        break;
    case IT_ROW:
        draw_row(r, cr, it);
        break;
    case IT_RULE:
        hline(cr, x, x + w, it->y + it->h / 2, 0.6, C_LINE);
        break;
    case IT_CHART: {
        double cw = chart_width(b->chart) * L->chart_scale;
        cairo_save(cr);
        chart_cairo(b->chart, cr, MARGIN_X + (CONTENT_W - cw) / 2, it->y, L->chart_scale);
        cairo_restore(cr);
        break;
    }
    }
}

/* --- the whole PDF ---------------------------------------------------------------------- */

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
    buf_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

static void outline(render_t *r, cairo_surface_t *s)
{
    int parent = CAIRO_PDF_OUTLINE_ROOT;
    for (size_t i = 0; i < r->toc.n; i++) {
        const toc_entry_t *e = &r->toc.v[i];
        char link[32];
        snprintf(link, sizeof link, "page=%d", e->page);
        const char *text = r->d->blocks.v[e->blk].t.s;
        int id = cairo_pdf_surface_add_outline(s, e->level == 1 ? CAIRO_PDF_OUTLINE_ROOT : parent, text, link, 0);
        if (e->level == 1)
            parent = id;
    }
}

static int draw_all(render_t *r, buf_t *out)
{
    const doc_t *d = r->d;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_out, out, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Jouda");
    outline(r, s);
    cairo_t *cr = cairo_create(s);
    int page = 1;
    if (d->cover) {
        draw_cover(r, cr);
        cairo_show_page(cr);
        page++;
    }
    for (int p = 0; p < r->toc_pages; p++, page++) {
        header_footer(r, cr, page);
        draw_toc_page(r, cr, p);
        cairo_show_page(cr);
    }
    size_t k = 0;
    for (int p = 0; p < r->body_pages; p++, page++) {
        header_footer(r, cr, page);
        for (; k < r->items.n && r->items.v[k].page == p; k++)
            draw_item(r, cr, &r->items.v[k]);
        cairo_show_page(cr);
    }
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS ? 0 : -1;
}

int doc_render_pdf(doc_t *d, buf_t *out)
{
    if (!d || !out)
        return -1;
    size_t start = out->len;
    doc_lock();
    render_t r = {0};
    r.d = d;
    r.a = arena_new();
    doc_layout(&r);
    int rc = draw_all(&r, out);
    doc_layout_free(&r);
    arena_free(r.a);
    doc_unlock();
    if (rc != 0) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        d->pages = 0;
    }
    return rc;
}

/* A small document in both directions: fontconfig's start, the fonts and
 * cairo's font faces are paid here rather than by the first request. */
void doc_warm_up(void)
{
    static const char *const langs[] = {"fr", "ar"};
    doc_lock();
    for (size_t i = 0; i < ARRAY_LEN(langs); i++) {
        doc_opts_t o = {.lang = langs[i], .title = "Jouda", .header = "Jouda", .footer = "Jouda"};
        doc_t *d = doc_new(&o);
        doc_heading(d, 1, "Projet d'établissement — مشروع المؤسسة");
        json_t *blocks = json_pack("[{s:s, s:[{s:s}, {s:s, s:b}, {s:s, s:b}, {s:s, s:b}]}]", "type", "paragraph",
                                   "runs", "text", "Évaluation interne ", "text", "gras ", "b", 1, "text",
                                   "italique ", "i", 1, "text", "code() التقييم الذاتي 2026", "code", 1);
        doc_blocks(d, blocks, 0);
        json_decref(blocks);
        doc_note(d, "1 / 2");
        buf_t b;
        buf_init(&b);
        doc_render_pdf(d, &b);
        buf_free(&b);
        doc_free(d);
    }
    doc_unlock();
}
