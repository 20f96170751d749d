/* assess_score.h - the pure rules of self-assessment scoring: the two scales
 * and their codes, the value a score counts for, guided scoring against
 * inflation, which scores propose an improvement action, the aggregation of
 * results over a référentiel tree, and the accessible SVG charts of results
 * (assess_chart.c). No database, no i18n, no state. */
#ifndef JOUDA_ASSESS_SCORE_H
#define JOUDA_ASSESS_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include "../core/core.h"
#include "../doc/chart.h"

/* Scales: "has4" (1-4, star, nc, ri) and "conformity" (conforme, partiel, non_conforme, nc). */
typedef enum { SCORE_NONE = 0, SCORE_1, SCORE_2, SCORE_3, SCORE_4, SCORE_STAR, SCORE_NC, SCORE_RI,
               SCORE_CONFORME, SCORE_PARTIEL, SCORE_NON_CONFORME } score_t;
#define SCORE_COUNT 11 /* number of score_t values, SCORE_NONE included */

score_t assess_score_parse(const char *scale, const char *code); /* SCORE_NONE when the code is not one of that scale's: has4 "1","2","3","4","star","nc","ri"; conformity "conforme","partiel","non_conforme","nc" */
const char *assess_score_code(score_t s);                        /* "1".."4","star","nc","ri","conforme","partiel","non_conforme"; NULL for SCORE_NONE */
/* The value a score counts for in averages: 1-4, star 4, conforme 4, partiel 2, non_conforme 1; nc and ri (and NONE) do not count: *counts=false, returns 0. counts may be NULL. */
double assess_score_value(score_t s, bool *counts);

/* The msgids assess_score_check answers (English; translated by the caller). */
#define ASSESS_MSG_NO_SCORE "Choose a score from the scale."
#define ASSESS_MSG_NC_IMPERATIVE "An imperative criterion cannot be marked not concerned."
#define ASSESS_MSG_NC_WHY "Say why this criterion does not concern the establishment."
#define ASSESS_MSG_4_PROOF "A score of 4 needs a comment and at least one piece of evidence."
#define ASSESS_MSG_STAR_PROOF "An optimised score needs a comment and at least one piece of evidence."
#define ASSESS_MSG_CONFORME_PROOF "A conforming score needs a comment and at least one piece of evidence."
#define ASSESS_MSG_MISSING "Say what is missing for a better score."

/* Guided scoring against inflation; returns NULL when acceptable, else an English msgid naming the problem:
 *  - nc on an imperative criterion: refused ("An imperative criterion cannot be marked not concerned.")
 *  - nc needs a justification in the comment ("Say why this criterion does not concern the establishment.")
 *  - 4, star or conforme need a comment AND at least one evidence item (one message per score:
 *    ASSESS_MSG_4_PROOF, ASSESS_MSG_STAR_PROOF, ASSESS_MSG_CONFORME_PROOF)
 *  - 2, 1, partiel, non_conforme need a comment saying what is missing ("Say what is missing for a better score.")
 *  - 3 and ri need nothing. A comment made only of spaces is no comment (str_empty).
 *  - SCORE_NONE (or a value outside score_t) is no score: ASSESS_MSG_NO_SCORE. */
const char *assess_score_check(score_t s, const char *comment, int n_evidence, bool imperative);
/* Does this score propose an improvement action? Every counted score below 3, and every counted score below 4 on an imperative criterion (star counts 4; conformity: partiel and non_conforme propose; conforme does not). nc, ri, NONE never. */
bool assess_score_gap(score_t s, bool imperative);
/* Can a proposal made from this criterion be dismissed? Not when imperative. */
bool assess_gap_dismissable(bool imperative);

/* Results over a référentiel tree given in tree order (a parent before its children; parent = index or -1). */
typedef struct { int parent; bool leaf; bool imperative; score_t score; } assess_node_t;
typedef struct {
    double sum; int scored;   /* counted scores under this node (a leaf: itself) */
    int nc, ri, unrated;      /* criteria under it by state */
    int dist[11];             /* count of each score_t under it */
    double average;           /* sum/scored, or -1 when scored == 0 (not rounded) */
} assess_agg_t;
/* out has n entries (one per node: for a non-leaf, over every criterion below it, at any depth; each the plain mean of the scored criteria under it); overall over every leaf. Linear time.
 * A parent index that does not come before its child (parent >= own index, or < -1) is taken as -1. overall may be NULL. */
void assess_aggregate(const assess_node_t *nodes, size_t n, assess_agg_t *out, assess_agg_t *overall);

/* --- SVG charts (assess_chart.c), drawn on the server, accessible ---
 * Every text is XML-escaped (& < > " '), the SVG has role="img", a <title> and a <desc> (given), viewBox set and no fixed width (width 100%, it scales on a 360 px phone), no script, no external reference, no inline style attribute needing 'unsafe-inline' CSS (use presentation attributes like fill= stroke= or class= only). rtl: labels anchored for right-to-left reading (text-anchor mirrored, direction="rtl" on text). */
/* Radar of n axes (3..24; with fewer than 3 axes draw a horizontal bar chart instead) on a 0-4 scale with rings at 1,2,3,4 labelled; values[i] < 0 means no value on that axis (draw a gap marker, never a 0). previous may be NULL: when given, a second dashed polygon (the previous campaign) with a legend line naming both series (labels given: current_label, previous_label). Axis labels are wrapped/shortened to fit (max ~22 chars per line, 2 lines, ellipsis "…" at a UTF-8 boundary — never cut inside a multibyte character).
 * Also drawn as horizontal bars: more than 24 axes (a radar would be unreadable). NaN counts as no value, values above 4 are drawn at 4. In rtl the axes follow each other counter-clockwise from the top. */
void assess_radar_svg(buf_t *out, const char *title, const char *desc, const char *const *labels, const double *values, const double *previous, size_t n, const char *current_label, const char *previous_label, bool rtl);
/* Vertical bars: counts per category (e.g. the score distribution 1,2,3,4,star,nc,ri), with the count written above each bar and the label below. Negative counts are drawn as 0. In rtl the first category is on the right. */
void assess_bars_svg(buf_t *out, const char *title, const char *desc, const char *const *labels, const int *counts, size_t n, bool rtl);
/* The same radar (or horizontal bars) as assess_radar_svg, drawn on the chart model (chart.h) for PDF reports: same geometry, labels wrapped the same way, anchors visual. The caller frees it with chart_free. */
chart_t *assess_radar_chart(const char *const *labels, const double *values, const double *previous, size_t n,
                            const char *current_label, const char *previous_label, bool rtl);

#endif
