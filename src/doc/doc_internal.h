/* doc_internal.h - what the files of the document engine share: the one
 * lock and font map (doc_text.c), cleaned rich text (valid UTF-8 with styled
 * byte ranges), the flat model of a document's blocks (doc_model.c), laid
 * out text boxes and the placed items of pages (doc_layout.c), drawn by
 * doc_pdf.c. Not for other modules. */
#ifndef JOUDA_DOC_INTERNAL_H
#define JOUDA_DOC_INTERNAL_H

#include "doc.h"

#include <pango/pangocairo.h>

/* --- page geometry, in PDF points (1/72 inch) ------------------------------ */

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define MARGIN_X (20 * MM)
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)
#define HEADER_TOP (11 * MM)   /* top of the running header's line */
#define HEADER_RULE (16.5 * MM) /* the thin rule under it */
#define BODY_TOP (22 * MM)
#define BODY_BOTTOM (PAGE_H - 20 * MM)
#define BODY_H (BODY_BOTTOM - BODY_TOP)
#define FOOTER_TOP (PAGE_H - 14 * MM)

#define LIST_INDENT 18.0  /* one level of list */
#define QUOTE_INDENT 14.0 /* one level of quote; its rule 3 pt in */
#define DOC_MAX_RULES 8   /* quote rules drawn beside one block */
#define DOC_MAX_INDENT (CONTENT_W / 2)
#define CELL_PAD_X 5.0    /* table cells */
#define CELL_PAD_Y 3.5
#define CODE_PAD 6.0      /* code blocks */
#define RULE_H 14.0       /* a horizontal rule with its space */
#define TOC_NUM_W 36.0    /* the column of page numbers */
#define TOC_INDENT 16.0   /* level 2 entries */
#define BODY_SIZE 10.5

/* --- the lock, the font map, fonts ------------------------------------------- */

/* One recursive lock around all pango and cairo work (chart_cairo takes it
 * too, also when called from inside doc_render_pdf). */
void doc_lock(void);
void doc_unlock(void);
/* The shared context whose base direction is the document's (lock held). */
PangoContext *doc_context(bool rtl);

typedef enum { FONT_BODY, FONT_MONO } font_kind_t;
/* A font description (free it) of the given size in points; the body
 * family list puts the Arabic font first in right-to-left documents. */
PangoFontDescription *doc_font(bool rtl, font_kind_t kind, double size, bool bold);

/* --- text ------------------------------------------------------------------------ */

enum { ST_B = 1, ST_I = 2, ST_CODE = 4, ST_DEL = 8, ST_LINK = 16 };
typedef struct {
    unsigned start, end, style; /* byte range of the text and its ST_ bits */
} span_t;
/* Rich text: valid UTF-8 (line breaks inside a paragraph are U+2028) with
 * styled byte ranges, in the document's arena. */
typedef struct {
    const char *s;
    unsigned len;
    const span_t *spans;
    unsigned n_spans;
} rtext_t;

/* How raw text is cleaned: every mode makes it valid UTF-8 (bad bytes
 * become U+FFFD) and drops control characters; they differ in line breaks. */
typedef enum {
    CLEAN_LINE,  /* one line: line breaks and tabs become spaces */
    CLEAN_PARA,  /* line breaks become U+2028 (one paragraph, several lines) */
    CLEAN_CODE,  /* line breaks and tabs kept */
} clean_mode_t;
void doc_clean_append(buf_t *b, const char *s, size_t n, clean_mode_t mode);
/* s cleaned (NULL: ""), malloc'd. */
char *doc_clean(const char *s, clean_mode_t mode);

/* Builds rich text from pieces. */
typedef struct {
    buf_t b;
    span_t *spans;
    unsigned n, cap;
} rt_builder_t;
void rt_init(rt_builder_t *rb);
void rt_add(rt_builder_t *rb, const char *s, size_t n, unsigned style, clean_mode_t mode);
/* The text in arena a; the builder is emptied. */
rtext_t rt_finish(rt_builder_t *rb, arena_t *a);
rtext_t rt_plain(arena_t *a, const char *s, clean_mode_t mode);

/* Direction of the first strong character: 1 right to left, -1 left to
 * right, 0 none (digits, punctuation). s is valid UTF-8 of n bytes. */
int doc_text_dir(const char *s, size_t n);

typedef enum { AL_START, AL_CENTER, AL_END } align_t;

/* A laid-out text: its pango layout and, for each line, its extents in
 * points relative to the layout's top-left corner. */
typedef struct {
    PangoLayout *lay;
    int n;
    PangoLayoutLine **line;
    double *top, *bot, *base, *x, *w;
    double width, height;
} tbox_t;

typedef struct {
    font_kind_t font;
    double size;
    bool bold;
    bool code;       /* left to right whatever the document: code blocks */
    align_t align;   /* logical: start is the document's reading side */
    bool ellipsize;  /* one line, cut with an ellipsis (header, footer) */
} tstyle_t;

/* Lays out t in width points (lock held); lines measured into arena a. */
void tbox_make(tbox_t *tb, arena_t *a, bool rtl, const rtext_t *t, const tstyle_t *st, double width);
/* Draws lines [from, to) with the top of line `from` at (x, y). */
void tbox_draw(cairo_t *cr, const tbox_t *tb, int from, int to, double x, double y);
void tbox_free(tbox_t *tb);

/* --- the model -------------------------------------------------------------------- */

typedef enum { BK_HEADING, BK_PARA, BK_NOTE, BK_CODE, BK_RULE, BK_TABLE, BK_CHART, BK_BREAK } bkind_t;
typedef enum { MARK_NONE, MARK_TEXT, MARK_DISC, MARK_CIRCLE, MARK_SQUARE } mark_t;

typedef struct {
    rtext_t t;
    align_t align;
} cell_t;

typedef struct {
    int ncols, nrows;    /* nrows: body rows */
    bool has_head;
    double *share;       /* ncols widths, sum 1 */
    cell_t *cells;       /* (has_head + nrows) * ncols, the head first */
} table_t;

typedef struct {
    bkind_t kind;
    int level;                    /* heading: 1..4 */
    rtext_t t;                    /* heading, paragraph, note, code */
    mark_t mark;                  /* list marker of a paragraph */
    const char *mark_text;        /* MARK_TEXT: "3." */
    double indent;                /* start-side offset of the block */
    int n_rules;                  /* quote rules beside it */
    double rules[DOC_MAX_RULES];  /* their start-side offsets */
    double space_after;
    table_t *table;
    const chart_t *chart;
    double chart_w;               /* points */
} blk_t;

struct doc {
    arena_t *a;
    bool rtl;
    const char *lang, *title, *subtitle, *cover_note, *header, *footer, *page_fmt, *toc_title;
    bool cover;
    VEC(blk_t) blocks;
    int pages;
};

blk_t *doc_push(doc_t *d, bkind_t kind);
/* "%d" placeholders filled in order from nums (never used as a printf
 * format: it comes from translations), "%%" a percent sign; cleaned text. */
char *doc_fill_numbers(const char *fmt, const int *nums, size_t n);

/* --- layout ----------------------------------------------------------------------- */

typedef enum { IT_TEXT, IT_RULE, IT_CHART, IT_ROW } item_kind_t;

typedef struct {
    item_kind_t kind;
    int page;            /* body page, 0-based */
    int blk;
    double y, h;
    int from, to;        /* IT_TEXT: lines */
    bool first, last;    /* IT_TEXT: holds the first (marker, top padding) / last line */
    double rule_ext;     /* quote rules drawn that far below the item */
    int row;             /* IT_ROW: -1 the head */
    int *cfrom, *cto;    /* IT_ROW of a row split across pages: lines of each cell; NULL: all */
} item_t;

typedef struct {
    tbox_t text, mark;
    tbox_t *cells;       /* tables: one per cell */
    double *row_h;       /* tables: (has_head + nrows) heights */
    double *col_w;       /* tables: widths in points */
    double chart_scale, chart_h;
    double pad;          /* code blocks: inner padding */
    int page;            /* body page of its first item, -1 none */
} blay_t;

typedef struct {
    int blk, level;
    tbox_t box;
    int page, toc_page;  /* physical page of the heading (1-based); TOC page (0-based) */
    double y;            /* on its TOC page */
} toc_entry_t;

typedef struct {
    doc_t *d;
    arena_t *a;          /* this rendering's memory */
    blay_t *bl;          /* one per block */
    VEC(item_t) items;
    VEC(toc_entry_t) toc;
    tbox_t toc_title;
    int toc_pages, body_pages, first_body; /* first_body: physical number of the first body page */
    int page;            /* cursor while paginating */
    double y;
    bool at_top;
} render_t;

/* Pass 1: every text laid out, the body and table of contents paginated. */
void doc_layout(render_t *r);
void doc_layout_free(render_t *r);
/* Box x of a block indented by indent (start side) and width w. */
double doc_box_x(bool rtl, double indent, double w);

#endif
