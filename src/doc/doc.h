/* doc.h - documents built in memory and drawn as PDF: a small model of
 * blocks (the JSON blocks of md.h: headings, paragraphs made of runs, lists,
 * quotes, code, tables, rules) plus charts (chart.h), laid out on A4 pages
 * by pango (Arabic shaped, right-to-left where the text is) and drawn by
 * cairo. Pages carry a running header and footer with the page number; an
 * optional cover and table of contents (levels 1 and 2 with their pages).
 *
 * User text is always given to pango as plain text with attributes, never
 * as markup. Fonts are named explicitly ("Noto Sans", "Noto Sans Arabic",
 * then "Noto Naskh Arabic", from fonts-noto-core) so Arabic joins and
 * pdftotext reads it back in logical order (Naskh's lam-alef comes back cut
 * onto other lines). Thread safe: documents are drawn one at a time under
 * one lock (pango's font map is shared). */
#ifndef JOUDA_DOC_H
#define JOUDA_DOC_H

#include "../core/core.h"
#include "chart.h"
#include <jansson.h>

typedef struct doc doc_t;

typedef struct {
    const char *lang;      /* "fr" | "ar" | "en": base direction (ar: right to left) */
    const char *title;     /* cover title and PDF metadata title */
    const char *subtitle;  /* cover: under the title (establishment, period); may be NULL */
    const char *cover_note;/* cover: a smaller line (status, version, date); may be NULL */
    const char *header;    /* running header on every page after the cover; may be NULL */
    const char *footer;    /* running footer text beside the page number; may be NULL */
    const char *page_fmt;  /* page number, "%d / %d" style (page, pages); NULL: "%d / %d" */
    const char *toc_title; /* title of the table of contents; NULL: no table of contents */
    bool cover;            /* a cover page first */
} doc_opts_t;

/* A new empty document (strings are copied). */
doc_t *doc_new(const doc_opts_t *o);
void doc_free(doc_t *d);

/* Content, in order. Headings of level 1 and 2 go in the table of contents.
 * level: 1..4 (others clamped). */
void doc_heading(doc_t *d, int level, const char *text);
/* A paragraph of plain text (newlines break lines). */
void doc_paragraph(doc_t *d, const char *text);
/* A smaller grey paragraph (notes, dates). */
void doc_note(doc_t *d, const char *text);
/* Blocks in the JSON form of md.h (md_blocks), headings shifted down by
 * heading_shift (a section's own title is a level-1 heading: its text's
 * "# x" becomes level 1 + shift). Unknown or malformed blocks are skipped,
 * never fatal. */
void doc_blocks(doc_t *d, const json_t *blocks, int heading_shift);
/* A table: head (may be NULL) and rows are arrays of arrays of strings
 * (plain text, may be empty; a JSON number is printed as is). widths: the
 * share of each column (sum 1), NULL for equal columns. Rows split across
 * pages with the head repeated. */
void doc_table(doc_t *d, const json_t *head, const json_t *rows, const double *widths);
/* A chart (drawn with cairo paths and pango text, not copied: it must live
 * until doc_render), width in mm of the page (height from the chart's
 * aspect ratio), centred. */
void doc_chart(doc_t *d, const chart_t *c, double width_mm);
void doc_page_break(doc_t *d);

/* Lay out and draw: the whole PDF appended to out. 0, or -1 (cairo error). */
int doc_render_pdf(doc_t *d, buf_t *out);
/* Pages of the last doc_render_pdf (0 before). */
int doc_page_count(const doc_t *d);

/* Makes the shared font map and lays out and draws a little Latin and
 * Arabic text, so that the first request does not pay fontconfig's start
 * and the fonts' loading. Called once by the server at start; optional. */
void doc_warm_up(void);
/* Releases the font map and the caches of cairo and fontconfig (leak
 * checkers see no memory left); the next document makes them again.
 * Registered with atexit when the font map is first made; call it only
 * when no other thread uses cairo or fontconfig outside this engine. */
void doc_shutdown(void);

#endif
