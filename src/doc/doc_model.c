/* doc_model.c - a document's content as a flat list of blocks: headings,
 * paragraphs, notes, code, rules, tables, charts and page breaks. Lists and
 * quotes of the JSON blocks (md.h) are flattened into indented paragraphs
 * carrying their marker and their quote rules, so that pagination only ever
 * sees a sequence of boxes. Every text is cleaned on the way in (valid
 * UTF-8, no control characters); unknown or malformed blocks are skipped. */
#include "doc_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64  /* JSON nesting followed; deeper content is dropped */
#define MAX_COLS 24   /* columns of a table kept */
#define SPACE_PARA 7.0
#define SPACE_ITEM 4.0

static const char *opt_copy(arena_t *a, const char *s)
{
    if (!s)
        return NULL;
    char *c = doc_clean(s, CLEAN_LINE);
    const char *r = arena_strdup(a, c);
    free(c);
    return r;
}

doc_t *doc_new(const doc_opts_t *o)
{
    doc_t *d = xcalloc(1, sizeof *d);
    d->a = arena_new();
    doc_opts_t none = {0};
    if (!o)
        o = &none;
    d->lang = arena_strdup(d->a, o->lang ? o->lang : "fr");
    d->rtl = str_eq(d->lang, "ar");
    d->title = opt_copy(d->a, o->title ? o->title : "");
    d->subtitle = opt_copy(d->a, o->subtitle);
    d->cover_note = opt_copy(d->a, o->cover_note);
    d->header = opt_copy(d->a, o->header);
    d->footer = opt_copy(d->a, o->footer);
    d->page_fmt = opt_copy(d->a, o->page_fmt ? o->page_fmt : "%d / %d");
    d->toc_title = opt_copy(d->a, o->toc_title);
    d->cover = o->cover;
    return d;
}

void doc_free(doc_t *d)
{
    if (!d)
        return;
    arena_free(d->a);
    free(d);
}

int doc_page_count(const doc_t *d)
{
    return d ? d->pages : 0;
}

blk_t *doc_push(doc_t *d, bkind_t kind)
{
    blk_t *b = VEC_PUSH(d->a, &d->blocks);
    b->kind = kind;
    b->space_after = SPACE_PARA;
    return b;
}

char *doc_fill_numbers(const char *fmt, const int *nums, size_t n)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "");
    size_t k = 0;
    for (const char *p = fmt ? fmt : ""; *p; p++) {
        if (p[0] == '%' && p[1] == 'd') {
            if (k < n)
                buf_printf(&b, "%d", nums[k]);
            k++;
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            buf_putc(&b, '%');
            p++;
        } else {
            buf_putc(&b, *p);
        }
    }
    char *raw = buf_detach(&b);
    char *s = doc_clean(raw, CLEAN_LINE);
    free(raw);
    return s;
}

/* --- simple content ------------------------------------------------------------ */

void doc_heading(doc_t *d, int level, const char *text)
{
    blk_t *b = doc_push(d, BK_HEADING);
    b->level = level < 1 ? 1 : level > 4 ? 4 : level;
    b->t = rt_plain(d->a, text, CLEAN_LINE);
}

void doc_paragraph(doc_t *d, const char *text)
{
    doc_push(d, BK_PARA)->t = rt_plain(d->a, text, CLEAN_PARA);
}

void doc_note(doc_t *d, const char *text)
{
    blk_t *b = doc_push(d, BK_NOTE);
    b->t = rt_plain(d->a, text, CLEAN_PARA);
    b->space_after = 6;
}

void doc_page_break(doc_t *d)
{
    doc_push(d, BK_BREAK)->space_after = 0;
}

void doc_chart(doc_t *d, const chart_t *c, double width_mm)
{
    if (!c || chart_width(c) <= 0 || chart_height(c) <= 0)
        return;
    blk_t *b = doc_push(d, BK_CHART);
    b->chart = c;
    double w = width_mm * MM;
    b->chart_w = !(w > 0) || w > CONTENT_W ? CONTENT_W : w;
    b->space_after = 10;
}

/* --- tables ------------------------------------------------------------------------ */

/* A cell's JSON value as text: strings as they are, numbers printed. */
static rtext_t cell_text(arena_t *a, const json_t *v)
{
    char num[64] = "";
    const char *s = "";
    if (json_is_string(v))
        s = json_string_value(v);
    else if (json_is_integer(v))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)), s = num;
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.15g", json_real_value(v)), s = num;
    return rt_plain(a, s, CLEAN_PARA);
}

static table_t *table_new(arena_t *a, int ncols, int nrows, bool has_head)
{
    table_t *t = arena_alloc(a, sizeof *t);
    t->ncols = ncols;
    t->nrows = nrows;
    t->has_head = has_head;
    t->share = arena_alloc(a, (size_t)ncols * sizeof *t->share);
    t->cells = arena_alloc(a, (size_t)(nrows + has_head) * (size_t)ncols * sizeof *t->cells);
    return t;
}

/* Shares of the columns from weights (non-positive or missing: equal). */
static void set_shares(table_t *t, const double *w)
{
    double sum = 0;
    for (int i = 0; i < t->ncols; i++)
        sum += w && w[i] > 0 && isfinite(w[i]) ? w[i] : 0;
    for (int i = 0; i < t->ncols; i++) {
        bool ok = sum > 0 && w && w[i] > 0 && isfinite(w[i]);
        t->share[i] = ok ? w[i] / sum : 1.0 / t->ncols;
    }
    if (sum > 0) { /* a column without a valid weight got an equal share: normalise */
        double total = 0;
        for (int i = 0; i < t->ncols; i++)
            total += t->share[i];
        for (int i = 0; i < t->ncols; i++)
            t->share[i] /= total;
    }
}

void doc_table(doc_t *d, const json_t *head, const json_t *rows, const double *widths)
{
    size_t ncols = json_is_array(head) ? json_array_size(head) : 0;
    size_t nrows = json_is_array(rows) ? json_array_size(rows) : 0;
    for (size_t i = 0; i < nrows; i++) {
        const json_t *r = json_array_get(rows, i);
        if (json_is_array(r) && json_array_size(r) > ncols)
            ncols = json_array_size(r);
    }
    if (ncols == 0)
        return;
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    bool has_head = json_is_array(head) && json_array_size(head) > 0;
    table_t *t = table_new(d->a, (int)ncols, (int)nrows, has_head);
    for (size_t r = 0; r < nrows + has_head; r++) {
        const json_t *row = has_head && r == 0 ? head : json_array_get(rows, r - has_head);
        for (size_t c = 0; c < ncols; c++)
            t->cells[r * ncols + c].t = cell_text(d->a, json_is_array(row) ? json_array_get(row, c) : NULL);
    }
    set_shares(t, widths);
    blk_t *b = doc_push(d, BK_TABLE);
    b->table = t;
    b->space_after = 10;
}

/* --- JSON blocks ------------------------------------------------------------------- */

typedef struct {
    int shift, depth;
    double indent;
    int n_rules;
    double rules[DOC_MAX_RULES];
    bool in_list;
    mark_t mark;            /* the marker the next text block takes */
    const char *mark_text;
} bctx_t;

static bool flag(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

/* The runs of md.h as rich text; br: a line break (else a space). */
static rtext_t runs_text(arena_t *a, const json_t *runs, bool br)
{
    rt_builder_t rb;
    rt_init(&rb);
    size_t i;
    const json_t *run;
    json_array_foreach(runs, i, run) {
        if (!json_is_object(run))
            continue;
        if (flag(run, "br")) {
            rt_add(&rb, "\n", 1, 0, br ? CLEAN_PARA : CLEAN_LINE);
            continue;
        }
        const json_t *tx = json_object_get(run, "text");
        if (!json_is_string(tx))
            continue;
        unsigned st = (flag(run, "b") ? ST_B : 0) | (flag(run, "i") ? ST_I : 0) | (flag(run, "code") ? ST_CODE : 0) |
                      (flag(run, "del") ? ST_DEL : 0) | (json_is_string(json_object_get(run, "href")) ? ST_LINK : 0);
        rt_add(&rb, json_string_value(tx), json_string_length(tx), st, CLEAN_LINE);
    }
    return rt_finish(&rb, a);
}

static blk_t *push_in(doc_t *d, bkind_t kind, bctx_t *c)
{
    blk_t *b = doc_push(d, kind);
    b->indent = c->indent;
    b->n_rules = c->n_rules;
    memcpy(b->rules, c->rules, sizeof b->rules);
    if (kind == BK_PARA || kind == BK_HEADING || kind == BK_CODE) {
        b->mark = c->mark;
        b->mark_text = c->mark_text;
        c->mark = MARK_NONE;
        c->mark_text = NULL;
        if (c->in_list)
            b->space_after = SPACE_ITEM;
    }
    return b;
}

static void add_blocks(doc_t *d, const json_t *blocks, bctx_t *c);

static double column_weight(const table_t *t, int col)
{
    double w = 3;
    for (int r = 0; r < t->nrows + t->has_head; r++) {
        const rtext_t *x = &t->cells[r * t->ncols + col].t;
        double n = (double)utf8_count(x->s);
        if (n > w)
            w = n;
    }
    return w > 40 ? 40 : w;
}

static align_t cell_align(const json_t *cell)
{
    const char *al = json_string_value(json_object_get(cell, "align"));
    return str_eq(al, "center") ? AL_CENTER : str_eq(al, "end") ? AL_END : AL_START;
}

static void add_table(doc_t *d, const json_t *b, bctx_t *c)
{
    const json_t *head = json_object_get(b, "head"), *rows = json_object_get(b, "rows");
    size_t ncols = json_is_array(head) ? json_array_size(head) : 0;
    size_t nrows = json_is_array(rows) ? json_array_size(rows) : 0;
    for (size_t i = 0; i < nrows; i++) {
        const json_t *cells = json_object_get(json_array_get(rows, i), "cells");
        if (json_is_array(cells) && json_array_size(cells) > ncols)
            ncols = json_array_size(cells);
    }
    if (ncols == 0)
        return;
    if (ncols > MAX_COLS)
        ncols = MAX_COLS;
    bool has_head = json_is_array(head) && json_array_size(head) > 0;
    table_t *t = table_new(d->a, (int)ncols, (int)nrows, has_head);
    for (size_t r = 0; r < nrows + has_head; r++) {
        const json_t *cells = has_head && r == 0 ? head : json_object_get(json_array_get(rows, r - has_head), "cells");
        for (size_t k = 0; k < ncols; k++) {
            const json_t *cell = json_array_get(cells, k); /* NULL when not an array or short */
            cell_t *ce = &t->cells[r * ncols + k];
            ce->t = runs_text(d->a, json_object_get(cell, "runs"), true);
            ce->align = cell_align(cell);
        }
    }
    double w[MAX_COLS];
    for (size_t k = 0; k < ncols; k++)
        w[k] = column_weight(t, (int)k);
    set_shares(t, w);
    blk_t *bk = push_in(d, BK_TABLE, c);
    bk->table = t;
    bk->space_after = 10;
}

static const mark_t bullets[] = {MARK_DISC, MARK_CIRCLE, MARK_SQUARE};

static bool starts_with_text(const json_t *blocks)
{
    const char *t = json_string_value(json_object_get(json_array_get(blocks, 0), "type"));
    return str_eq(t, "paragraph") || str_eq(t, "heading") || str_eq(t, "code");
}

static void add_list(doc_t *d, const json_t *b, bctx_t *c)
{
    const json_t *items = json_object_get(b, "items");
    if (!json_is_array(items))
        return;
    bool ordered = flag(b, "ordered");
    json_int_t start = json_is_integer(json_object_get(b, "start")) ? json_integer_value(json_object_get(b, "start")) : 1;
    if (start < 0 || start > 999999999)
        start = 1;
    int level = 0; /* lists around this one: the bullet's shape */
    for (double x = c->indent; x >= LIST_INDENT; x -= LIST_INDENT)
        level++;
    size_t first_block = d->blocks.n;
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item) {
        bctx_t ic = *c;
        ic.depth++;
        ic.in_list = true;
        if (ic.indent + LIST_INDENT <= DOC_MAX_INDENT)
            ic.indent += LIST_INDENT;
        ic.mark = ordered ? MARK_TEXT : bullets[level % 3];
        ic.mark_text = ordered ? arena_printf(d->a, "%lld.", (long long)start + (long long)i) : NULL;
        const json_t *blocks = json_object_get(item, "blocks");
        if (!starts_with_text(blocks))
            push_in(d, BK_PARA, &ic)->t = rt_plain(d->a, "", CLEAN_LINE);
        add_blocks(d, blocks, &ic);
    }
    if (d->blocks.n > first_block)
        d->blocks.v[d->blocks.n - 1].space_after = c->in_list ? SPACE_ITEM : SPACE_PARA;
}

static void add_quote(doc_t *d, const json_t *b, bctx_t *c)
{
    bctx_t qc = *c;
    qc.depth++;
    if (qc.indent + QUOTE_INDENT <= DOC_MAX_INDENT) {
        if (qc.n_rules < DOC_MAX_RULES)
            qc.rules[qc.n_rules++] = qc.indent + 3;
        qc.indent += QUOTE_INDENT;
    }
    add_blocks(d, json_object_get(b, "blocks"), &qc);
}

static void add_block(doc_t *d, const json_t *b, bctx_t *c)
{
    const char *type = json_string_value(json_object_get(b, "type"));
    if (!type)
        return;
    if (str_eq(type, "heading")) {
        const json_t *lv = json_object_get(b, "level");
        json_int_t level = (json_is_integer(lv) ? json_integer_value(lv) : 1) + c->shift;
        blk_t *bk = push_in(d, BK_HEADING, c);
        bk->level = level < 1 ? 1 : level > 4 ? 4 : (int)level;
        bk->t = runs_text(d->a, json_object_get(b, "runs"), false);
        bk->space_after = 5;
    } else if (str_eq(type, "paragraph")) {
        push_in(d, BK_PARA, c)->t = runs_text(d->a, json_object_get(b, "runs"), true);
    } else if (str_eq(type, "code")) {
        const json_t *tx = json_object_get(b, "text");
        size_t n = json_string_length(tx);
        const char *s = json_string_value(tx);
        while (n > 0 && s && (s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        rt_builder_t rb;
        rt_init(&rb);
        rt_add(&rb, s, n, 0, CLEAN_CODE);
        blk_t *bk = push_in(d, BK_CODE, c);
        bk->t = rt_finish(&rb, d->a);
        bk->space_after = c->in_list ? SPACE_ITEM : 8;
    } else if (str_eq(type, "list")) {
        add_list(d, b, c);
    } else if (str_eq(type, "quote")) {
        add_quote(d, b, c);
    } else if (str_eq(type, "table")) {
        add_table(d, b, c);
    } else if (str_eq(type, "rule")) {
        push_in(d, BK_RULE, c)->space_after = 0;
    }
}

static void add_blocks(doc_t *d, const json_t *blocks, bctx_t *c)
{
    if (!json_is_array(blocks) || c->depth > MAX_DEPTH)
        return;
    size_t i;
    const json_t *b;
    json_array_foreach(blocks, i, b) {
        if (json_is_object(b))
            add_block(d, b, c);
    }
}

void doc_blocks(doc_t *d, const json_t *blocks, int heading_shift)
{
    bctx_t c = {0};
    c.shift = heading_shift < -8 ? -8 : heading_shift > 8 ? 8 : heading_shift;
    add_blocks(d, blocks, &c);
}
