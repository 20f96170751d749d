/* doc_layout.c - pass 1 of a rendering: every text of the document laid
 * out once by pango (the same layouts are drawn in pass 2), then the blocks
 * placed on pages: paragraphs split between lines (no lone first or last
 * line when it can be helped), headings kept with what follows them and a
 * level-1 heading moved to a new page only when less than a quarter of the
 * page remains, table rows kept whole (the head repeated on each page; a row
 * taller than a page is cut between lines), charts kept whole. The table of
 * contents is laid out too: its number of pages is known before drawing. */
#include "doc_internal.h"

#include <string.h>

static const double heading_size[4] = {17, 13.5, 11.5, 10.5};
static const double heading_before[4] = {14, 11, 8, 6};
#define NOTE_SIZE 9.0
#define CODE_SIZE 8.5
#define CELL_SIZE 9.5
#define MARK_W (LIST_INDENT - 5)

double doc_box_x(bool rtl, double indent, double w)
{
    return rtl ? MARGIN_X + CONTENT_W - indent - w : MARGIN_X + indent;
}

/* --- laying out texts ------------------------------------------------------------ */

static void lay_table(render_t *r, const blk_t *b, blay_t *L)
{
    const table_t *t = b->table;
    int rows = t->nrows + t->has_head;
    double width = CONTENT_W - b->indent;
    L->col_w = arena_alloc(r->a, (size_t)t->ncols * sizeof *L->col_w);
    L->row_h = arena_alloc(r->a, (size_t)rows * sizeof *L->row_h);
    L->cells = arena_alloc(r->a, (size_t)rows * (size_t)t->ncols * sizeof *L->cells);
    for (int c = 0; c < t->ncols; c++)
        L->col_w[c] = t->share[c] * width;
    for (int row = 0; row < rows; row++) {
        double h = 0;
        for (int c = 0; c < t->ncols; c++) {
            const cell_t *ce = &t->cells[row * t->ncols + c];
            tstyle_t st = {FONT_BODY, CELL_SIZE, t->has_head && row == 0, false, ce->align, false};
            tbox_t *tb = &L->cells[row * t->ncols + c];
            tbox_make(tb, r->a, r->d->rtl, &ce->t, &st, L->col_w[c] - 2 * CELL_PAD_X);
            if (tb->height > h)
                h = tb->height;
        }
        L->row_h[row] = h + 2 * CELL_PAD_Y;
    }
}

static void lay_block(render_t *r, size_t i)
{
    const blk_t *b = &r->d->blocks.v[i];
    blay_t *L = &r->bl[i];
    bool rtl = r->d->rtl;
    double w = CONTENT_W - b->indent;
    tstyle_t st = {FONT_BODY, BODY_SIZE, false, false, AL_START, false};
    L->page = -1;
    switch (b->kind) {
    case BK_HEADING:
        st.size = heading_size[b->level - 1];
        st.bold = true;
        break;
    case BK_NOTE:
        st.size = NOTE_SIZE;
        break;
    case BK_CODE:
        st.font = FONT_MONO;
        st.size = CODE_SIZE;
        st.code = true;
        L->pad = CODE_PAD;
        w -= 2 * CODE_PAD;
        break;
    case BK_PARA:
        break;
    case BK_TABLE:
        lay_table(r, b, L);
        return;
    case BK_CHART:
        L->chart_scale = b->chart_w / chart_width(b->chart);
        L->chart_h = chart_height(b->chart) * L->chart_scale;
        if (L->chart_h > BODY_H - 20) {
            L->chart_scale = (BODY_H - 20) / chart_height(b->chart);
            L->chart_h = BODY_H - 20;
        }
        return;
    default:
        return;
    }
    tbox_make(&L->text, r->a, rtl, &b->t, &st, w);
    if (b->mark == MARK_TEXT) {
        rtext_t m = rt_plain(r->a, b->mark_text, CLEAN_LINE);
        tstyle_t ms = st;
        ms.align = AL_END;
        ms.code = false;
        ms.font = FONT_BODY;
        tbox_make(&L->mark, r->a, rtl, &m, &ms, MARK_W);
    }
}

/* --- placing ------------------------------------------------------------------------- */

static void new_page(render_t *r)
{
    r->page++;
    r->y = BODY_TOP;
    r->at_top = true;
}

static item_t *push_item(render_t *r, item_kind_t kind, size_t blk, double h)
{
    item_t *it = VEC_PUSH(r->a, &r->items);
    it->kind = kind;
    it->page = r->page;
    it->blk = (int)blk;
    it->y = r->y;
    it->h = h;
    if (r->bl[blk].page < 0)
        r->bl[blk].page = r->page;
    r->y += h;
    r->at_top = false;
    return it;
}

/* Room a block needs at the bottom of a page not to be cut off from the
 * heading before it: a heading and what follows it, two lines of text, a
 * table's head and first row, a whole chart. */
static double lead(const render_t *r, size_t i, int depth)
{
    if (i >= r->d->blocks.n || depth > 3)
        return 0;
    const blk_t *b = &r->d->blocks.v[i];
    const blay_t *L = &r->bl[i];
    switch (b->kind) {
    case BK_HEADING:
        return heading_before[b->level - 1] + L->text.height + b->space_after + lead(r, i + 1, depth + 1);
    case BK_PARA:
    case BK_NOTE:
    case BK_CODE: {
        int n = L->text.n < 2 ? L->text.n : 2;
        return n ? L->text.bot[n - 1] - L->text.top[0] + L->pad : 0;
    }
    case BK_TABLE: {
        double h = L->row_h[0] + (b->table->has_head && b->table->nrows ? L->row_h[1] : 0);
        return h < BODY_H / 2 ? h : BODY_H / 2;
    }
    case BK_CHART:
        return L->chart_h;
    case BK_RULE:
        return RULE_H;
    default:
        return 0;
    }
}

/* How many lines from line i fit in room (the last line brings the bottom
 * padding), then adjusted against lone lines. */
static int lines_that_fit(const tbox_t *tb, int i, double room, double pad)
{
    int n = tb->n, k = 0;
    while (i + k < n) {
        double h = tb->bot[i + k] - tb->top[i] + (i + k + 1 == n ? pad : 0);
        if (h > room)
            break;
        k++;
    }
    if (k < n - i && n > 2) {
        if (i == 0 && k == 1)
            k = 0; /* a lone first line at the bottom of a page */
        else if (n - i - k == 1 && k - 1 >= (i == 0 ? 2 : 1))
            k--; /* a lone last line at the top of the next */
    }
    return k;
}

static void place_text(render_t *r, size_t b)
{
    const tbox_t *tb = &r->bl[b].text;
    double pad = r->bl[b].pad;
    int i = 0;
    while (i < tb->n) {
        double top_pad = i == 0 ? pad : 0;
        int k = lines_that_fit(tb, i, BODY_BOTTOM - r->y - top_pad, pad);
        if (k == 0 && !r->at_top) {
            new_page(r);
            continue;
        }
        if (k == 0)
            k = 1; /* a line taller than a page */
        bool last = i + k == tb->n;
        double h = tb->bot[i + k - 1] - tb->top[i] + top_pad + (last ? pad : 0);
        item_t *it = push_item(r, IT_TEXT, b, h);
        it->from = i;
        it->to = i + k;
        it->first = i == 0;
        it->last = last;
        i += k;
        if (!last)
            new_page(r);
    }
}

static void place_heading(render_t *r, size_t b)
{
    const blk_t *bk = &r->d->blocks.v[b];
    if (!r->at_top) {
        r->y += heading_before[bk->level - 1];
        double room = BODY_BOTTOM - r->y;
        double need = r->bl[b].text.height + bk->space_after + lead(r, b + 1, 1);
        if ((bk->level == 1 && room < BODY_H / 4) || need > room)
            new_page(r);
    }
    place_text(r, b);
}

static void place_row(render_t *r, size_t b, int row, double h)
{
    push_item(r, IT_ROW, b, h)->row = row;
}

/* The head repeated on each page of a table; 0 when there is none or when
 * it is taller than a third of a page (it is then an ordinary first row). */
static double repeated_head(const render_t *r, size_t b)
{
    const table_t *t = r->d->blocks.v[b].table;
    double h = t->has_head ? r->bl[b].row_h[0] : 0;
    return h <= BODY_H / 3 ? h : 0;
}

static void table_page(render_t *r, size_t b, double head)
{
    new_page(r);
    if (head > 0)
        place_row(r, b, 0, head);
}

/* A row taller than a page: cut between the lines of its cells. */
static void place_tall_row(render_t *r, size_t b, int row, double head)
{
    const table_t *t = r->d->blocks.v[b].table;
    const tbox_t *cells = &r->bl[b].cells[row * t->ncols];
    int *next = arena_alloc(r->a, (size_t)t->ncols * sizeof *next);
    const item_t *last = r->items.n ? &r->items.v[r->items.n - 1] : NULL;
    /* nothing but the head above: a line must go here */
    bool fresh = r->at_top || (head > 0 && last && last->kind == IT_ROW && last->blk == (int)b && last->row == 0 &&
                               last->page == r->page);
    for (;;) {
        double room = BODY_BOTTOM - r->y - 2 * CELL_PAD_Y, h = 0;
        int *from = arena_alloc(r->a, (size_t)t->ncols * sizeof *from);
        int *to = arena_alloc(r->a, (size_t)t->ncols * sizeof *to);
        bool more = false, moved = false;
        for (int c = 0; c < t->ncols; c++) {
            const tbox_t *tb = &cells[c];
            int k = next[c];
            while (k < tb->n && tb->bot[k] - tb->top[next[c]] <= room)
                k++;
            if (k == next[c] && k < tb->n && fresh)
                k++; /* one line taller than a page */
            from[c] = next[c];
            to[c] = k;
            if (k > next[c] && tb->bot[k - 1] - tb->top[next[c]] > h)
                h = tb->bot[k - 1] - tb->top[next[c]];
            moved |= k > next[c];
            next[c] = k;
            more |= k < tb->n;
        }
        if (moved || fresh) {
            item_t *it = push_item(r, IT_ROW, b, h + 2 * CELL_PAD_Y);
            it->row = row;
            it->cfrom = from;
            it->cto = to;
        }
        if (!more)
            return;
        table_page(r, b, head);
        fresh = true;
    }
}

static void place_table(render_t *r, size_t b)
{
    const table_t *t = r->d->blocks.v[b].table;
    const blay_t *L = &r->bl[b];
    double head = repeated_head(r, b);
    if (!r->at_top && lead(r, b, 1) > BODY_BOTTOM - r->y)
        new_page(r);
    if (head > 0)
        place_row(r, b, 0, head);
    for (int row = head > 0 ? 1 : 0; row < t->nrows + t->has_head; row++) {
        double h = L->row_h[row];
        if (h <= BODY_BOTTOM - r->y) {
            place_row(r, b, row, h);
        } else if (h <= BODY_H - head) {
            table_page(r, b, head);
            place_row(r, b, row, h);
        } else {
            if (BODY_BOTTOM - r->y < 4 * BODY_SIZE && !r->at_top)
                table_page(r, b, head);
            place_tall_row(r, b, row, head);
        }
    }
}

static void place_block(render_t *r, size_t b)
{
    const blk_t *bk = &r->d->blocks.v[b];
    switch (bk->kind) {
    case BK_HEADING:
        place_heading(r, b);
        break;
    case BK_PARA:
    case BK_NOTE:
    case BK_CODE:
        place_text(r, b);
        break;
    case BK_TABLE:
        place_table(r, b);
        break;
    case BK_CHART:
        if (!r->at_top && r->bl[b].chart_h > BODY_BOTTOM - r->y)
            new_page(r);
        push_item(r, IT_CHART, b, r->bl[b].chart_h);
        break;
    case BK_RULE:
        if (!r->at_top && RULE_H > BODY_BOTTOM - r->y)
            new_page(r);
        push_item(r, IT_RULE, b, RULE_H);
        break;
    case BK_BREAK:
        if (!r->at_top)
            new_page(r);
        return;
    }
    r->y += bk->space_after;
}

/* Quote rules run on through the space under a block when the next block
 * is in the same quote. */
static void extend_rules(render_t *r)
{
    for (size_t i = 0; i + 1 < r->items.n; i++) {
        item_t *it = &r->items.v[i], *next = &r->items.v[i + 1];
        const blk_t *b = &r->d->blocks.v[it->blk], *nb = &r->d->blocks.v[next->blk];
        if (b->n_rules && next->page == it->page && nb->n_rules >= b->n_rules)
            it->rule_ext = next->y - (it->y + it->h);
    }
}

/* --- the table of contents ------------------------------------------------------------- */

static void lay_toc(render_t *r)
{
    const doc_t *d = r->d;
    if (!d->toc_title)
        return;
    for (size_t i = 0; i < d->blocks.n; i++) {
        const blk_t *b = &d->blocks.v[i];
        if (b->kind != BK_HEADING || b->level > 2)
            continue;
        toc_entry_t *e = VEC_PUSH(r->a, &r->toc);
        e->blk = (int)i;
        e->level = b->level;
        tstyle_t st = {FONT_BODY, b->level == 1 ? BODY_SIZE : 10, b->level == 1, false, AL_START, false};
        double indent = b->level == 1 ? 0 : TOC_INDENT;
        tbox_make(&e->box, r->a, d->rtl, &b->t, &st, CONTENT_W - indent - TOC_NUM_W - 10);
    }
    if (r->toc.n == 0)
        return;
    rtext_t title = rt_plain(r->a, d->toc_title, CLEAN_LINE);
    tstyle_t ts = {FONT_BODY, heading_size[0], true, false, AL_START, false};
    tbox_make(&r->toc_title, r->a, d->rtl, &title, &ts, CONTENT_W);
    int page = 0;
    double y = BODY_TOP + r->toc_title.height + 14;
    for (size_t i = 0; i < r->toc.n; i++) {
        toc_entry_t *e = &r->toc.v[i];
        double gap = e->level == 1 ? 6 : 2;
        if (y + gap + e->box.height > BODY_BOTTOM && y > BODY_TOP) {
            page++;
            y = BODY_TOP;
        } else if (i > 0) {
            y += gap;
        }
        e->toc_page = page;
        e->y = y;
        y += e->box.height;
    }
    r->toc_pages = page + 1;
}

void doc_layout(render_t *r)
{
    doc_t *d = r->d;
    r->bl = arena_alloc(r->a, (d->blocks.n + 1) * sizeof *r->bl);
    for (size_t i = 0; i < d->blocks.n; i++)
        lay_block(r, i);
    lay_toc(r);
    r->page = 0;
    r->y = BODY_TOP;
    r->at_top = true;
    for (size_t i = 0; i < d->blocks.n; i++)
        place_block(r, i);
    extend_rules(r);
    r->body_pages = r->items.n ? r->items.v[r->items.n - 1].page + 1 : 0;
    if (r->body_pages == 0 && !d->cover)
        r->body_pages = 1;
    r->first_body = 1 + (d->cover ? 1 : 0) + r->toc_pages;
    for (size_t i = 0; i < r->toc.n; i++) {
        toc_entry_t *e = &r->toc.v[i];
        int p = r->bl[e->blk].page;
        e->page = p < 0 ? 0 : r->first_body + p;
    }
    d->pages = (d->cover ? 1 : 0) + r->toc_pages + r->body_pages;
}

void doc_layout_free(render_t *r)
{
    if (!r->bl)
        return;
    for (size_t i = 0; i < r->d->blocks.n; i++) {
        blay_t *L = &r->bl[i];
        tbox_free(&L->text);
        tbox_free(&L->mark);
        const table_t *t = r->d->blocks.v[i].table;
        if (L->cells)
            for (int k = 0; k < (t->nrows + t->has_head) * t->ncols; k++)
                tbox_free(&L->cells[k]);
    }
    for (size_t i = 0; i < r->toc.n; i++)
        tbox_free(&r->toc.v[i].box);
    tbox_free(&r->toc_title);
}
