/* test_assess_score.c - the scoring rules of self-assessment campaigns
 * (scale codes, values, guided scoring, gaps that propose actions, the
 * aggregation over a référentiel tree) and the SVG charts of results
 * (escaping, accessibility, vertices, gaps, label shortening in UTF-8,
 * right-to-left, bars). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "assess/assess_score.h"
#include "core/core.h"

/* --- helpers ------------------------------------------------------------- */

static int occurrences(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

/* The points attribute of the first polygon of class cls, copied into out;
 * false when there is none. */
static bool polygon_points(const char *svg, const char *cls, char *out, size_t outlen)
{
    char head[80];
    snprintf(head, sizeof head, "<polygon class=\"%s\" points=\"", cls);
    const char *p = strstr(svg, head);
    if (!p)
        return false;
    p += strlen(head);
    const char *e = strchr(p, '"');
    assert_non_null(e);
    assert_true((size_t)(e - p) < outlen);
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return true;
}

static int vertices(const char *points)
{
    if (!*points)
        return 0;
    return occurrences(points, " ") + 1;
}

/* Every structural promise of a chart: an SVG root with role, title, desc,
 * viewBox, fluid width, nothing executable or external, no style attribute,
 * valid UTF-8, closed at the end. */
static void assert_chart_shape(const buf_t *b)
{
    assert_true(strncmp(b->data, "<svg ", 5) == 0);
    assert_true(b->len > 6 && strcmp(b->data + b->len - 6, "</svg>") == 0);
    assert_int_equal(occurrences(b->data, "<svg"), 1);
    assert_int_equal(occurrences(b->data, "</svg>"), 1);
    assert_non_null(strstr(b->data, " role=\"img\""));
    assert_non_null(strstr(b->data, " viewBox=\"0 0 "));
    assert_non_null(strstr(b->data, " width=\"100%\""));
    assert_int_equal(occurrences(b->data, "<title>"), 1);
    assert_int_equal(occurrences(b->data, "<desc>"), 1);
    assert_null(strstr(b->data, "<script"));
    assert_null(strstr(b->data, "style="));
    assert_null(strstr(b->data, "href"));
    assert_null(strstr(b->data, "url("));
    assert_true(utf8_valid(b->data, b->len));
    /* every element opened is closed: as many '<' as '>' */
    assert_int_equal(occurrences(b->data, "<"), occurrences(b->data, ">"));
    assert_int_equal(occurrences(b->data, "<text"), occurrences(b->data, "</text>"));
    assert_int_equal(occurrences(b->data, "<tspan"), occurrences(b->data, "</tspan>"));
}

/* --- scale codes ------------------------------------------------------------ */

static void test_parse_and_code_round_trip(void **state)
{
    (void)state;
    static const char *const has4[] = {"1", "2", "3", "4", "star", "nc", "ri"};
    static const score_t has4_s[] = {SCORE_1, SCORE_2, SCORE_3, SCORE_4, SCORE_STAR, SCORE_NC, SCORE_RI};
    for (size_t i = 0; i < ARRAY_LEN(has4); i++) {
        assert_int_equal(assess_score_parse("has4", has4[i]), has4_s[i]);
        assert_string_equal(assess_score_code(has4_s[i]), has4[i]);
    }
    static const char *const conf[] = {"conforme", "partiel", "non_conforme", "nc"};
    static const score_t conf_s[] = {SCORE_CONFORME, SCORE_PARTIEL, SCORE_NON_CONFORME, SCORE_NC};
    for (size_t i = 0; i < ARRAY_LEN(conf); i++) {
        assert_int_equal(assess_score_parse("conformity", conf[i]), conf_s[i]);
        assert_string_equal(assess_score_code(conf_s[i]), conf[i]);
    }
    assert_null(assess_score_code(SCORE_NONE));
    assert_null(assess_score_code((score_t)11));
    assert_null(assess_score_code((score_t)-1));
}

static void test_parse_refuses_codes_outside_the_scale(void **state)
{
    (void)state;
    assert_int_equal(assess_score_parse("has4", "5"), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", "0"), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", ""), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", NULL), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", " 4"), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", "4 "), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", "Star"), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", "conforme"), SCORE_NONE);
    assert_int_equal(assess_score_parse("has4", "partiel"), SCORE_NONE);
    assert_int_equal(assess_score_parse("conformity", "star"), SCORE_NONE);
    assert_int_equal(assess_score_parse("conformity", "ri"), SCORE_NONE);
    assert_int_equal(assess_score_parse("conformity", "4"), SCORE_NONE);
    assert_int_equal(assess_score_parse("conformity", ""), SCORE_NONE);
    assert_int_equal(assess_score_parse("conformity", NULL), SCORE_NONE);
    assert_int_equal(assess_score_parse(NULL, "4"), SCORE_NONE);
    assert_int_equal(assess_score_parse("", "4"), SCORE_NONE);
    assert_int_equal(assess_score_parse("HAS4", "4"), SCORE_NONE);
}

/* --- values ------------------------------------------------------------------ */

static void test_values_and_what_counts(void **state)
{
    (void)state;
    static const struct {
        score_t s;
        double v;
        bool counts;
    } cases[] = {
        {SCORE_1, 1, true},        {SCORE_2, 2, true},        {SCORE_3, 3, true},
        {SCORE_4, 4, true},        {SCORE_STAR, 4, true},     {SCORE_CONFORME, 4, true},
        {SCORE_PARTIEL, 2, true},  {SCORE_NON_CONFORME, 1, true},
        {SCORE_NC, 0, false},      {SCORE_RI, 0, false},      {SCORE_NONE, 0, false},
        {(score_t)42, 0, false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        bool counts = !cases[i].counts; /* the function must set it either way */
        assert_true(assess_score_value(cases[i].s, &counts) == cases[i].v);
        assert_int_equal(counts, cases[i].counts);
    }
    assert_true(assess_score_value(SCORE_STAR, NULL) == 4);
}

/* --- guided scoring ------------------------------------------------------------ */

static void test_check_nc_refused_on_imperative_and_needs_a_reason(void **state)
{
    (void)state;
    const char *imp = "An imperative criterion cannot be marked not concerned.";
    const char *why = "Say why this criterion does not concern the establishment.";
    assert_string_equal(assess_score_check(SCORE_NC, "No kitchen on site", 0, true), imp);
    assert_string_equal(assess_score_check(SCORE_NC, NULL, 0, true), imp);
    assert_string_equal(assess_score_check(SCORE_NC, NULL, 0, false), why);
    assert_string_equal(assess_score_check(SCORE_NC, "", 3, false), why);
    assert_string_equal(assess_score_check(SCORE_NC, "  \t\n ", 1, false), why);
    assert_null(assess_score_check(SCORE_NC, "No kitchen on site", 0, false));
}

static void test_check_top_scores_need_comment_and_evidence(void **state)
{
    (void)state;
    const char *four = "A score of 4 needs a comment and at least one piece of evidence.";
    const char *star = "An optimised score needs a comment and at least one piece of evidence.";
    const char *conf = "A conforming score needs a comment and at least one piece of evidence.";
    static const score_t top[] = {SCORE_4, SCORE_STAR, SCORE_CONFORME};
    const char *msg[] = {four, star, conf};
    for (size_t i = 0; i < ARRAY_LEN(top); i++) {
        for (int imperative = 0; imperative < 2; imperative++) {
            assert_string_equal(assess_score_check(top[i], NULL, 0, imperative), msg[i]);
            assert_string_equal(assess_score_check(top[i], "Weekly meetings", 0, imperative), msg[i]);
            assert_string_equal(assess_score_check(top[i], NULL, 1, imperative), msg[i]);
            assert_string_equal(assess_score_check(top[i], "   ", 1, imperative), msg[i]);
            assert_string_equal(assess_score_check(top[i], "Weekly meetings", -1, imperative), msg[i]);
            assert_null(assess_score_check(top[i], "Weekly meetings", 1, imperative));
            assert_null(assess_score_check(top[i], "Weekly meetings", 5, imperative));
        }
    }
    assert_string_not_equal(four, star);
    assert_string_not_equal(four, conf);
}

static void test_check_low_scores_need_what_is_missing(void **state)
{
    (void)state;
    const char *missing = "Say what is missing for a better score.";
    static const score_t low[] = {SCORE_1, SCORE_2, SCORE_PARTIEL, SCORE_NON_CONFORME};
    for (size_t i = 0; i < ARRAY_LEN(low); i++) {
        assert_string_equal(assess_score_check(low[i], NULL, 0, false), missing);
        assert_string_equal(assess_score_check(low[i], "", 2, false), missing);
        assert_string_equal(assess_score_check(low[i], " \r\n", 2, true), missing);
        assert_null(assess_score_check(low[i], "No written procedure yet", 0, false));
        assert_null(assess_score_check(low[i], "No written procedure yet", 0, true));
    }
}

static void test_check_three_and_ri_need_nothing_and_none_is_refused(void **state)
{
    (void)state;
    assert_null(assess_score_check(SCORE_3, NULL, 0, false));
    assert_null(assess_score_check(SCORE_3, NULL, 0, true));
    assert_null(assess_score_check(SCORE_RI, NULL, 0, false));
    assert_null(assess_score_check(SCORE_RI, "", 0, true));
    assert_string_equal(assess_score_check(SCORE_NONE, "text", 1, false), "Choose a score from the scale.");
    assert_string_equal(assess_score_check((score_t)99, "text", 1, false), "Choose a score from the scale.");
}

/* --- gaps ------------------------------------------------------------------------ */

static void test_gap_rules(void **state)
{
    (void)state;
    assert_true(assess_score_gap(SCORE_1, false));
    assert_true(assess_score_gap(SCORE_2, false));
    assert_false(assess_score_gap(SCORE_3, false));
    assert_true(assess_score_gap(SCORE_3, true));
    assert_false(assess_score_gap(SCORE_4, false));
    assert_false(assess_score_gap(SCORE_4, true));
    assert_false(assess_score_gap(SCORE_STAR, true));
    assert_false(assess_score_gap(SCORE_STAR, false));
    assert_false(assess_score_gap(SCORE_NC, true));
    assert_false(assess_score_gap(SCORE_NC, false));
    assert_false(assess_score_gap(SCORE_RI, true));
    assert_false(assess_score_gap(SCORE_NONE, true));
    assert_true(assess_score_gap(SCORE_PARTIEL, false));
    assert_true(assess_score_gap(SCORE_NON_CONFORME, false));
    assert_true(assess_score_gap(SCORE_NON_CONFORME, true));
    assert_false(assess_score_gap(SCORE_CONFORME, false));
    assert_false(assess_score_gap(SCORE_CONFORME, true));
    assert_true(assess_gap_dismissable(false));
    assert_false(assess_gap_dismissable(true));
}

/* --- aggregation ------------------------------------------------------------------ */

#define EPS 1e-9

static void assert_agg(const assess_agg_t *a, double sum, int scored, int nc, int ri, int unrated, double average)
{
    assert_true(fabs(a->sum - sum) < EPS);
    assert_int_equal(a->scored, scored);
    assert_int_equal(a->nc, nc);
    assert_int_equal(a->ri, ri);
    assert_int_equal(a->unrated, unrated);
    if (average < 0)
        assert_true(a->average == -1);
    else
        assert_true(fabs(a->average - average) < EPS);
}

static void test_aggregate_three_levels_mixed(void **state)
{
    (void)state;
    /*  0 chapter A
     *    1 theme A1: 3, 2, 3, nc           -> 8/3
     *    6 theme A2: star, ri, unrated     -> 4
     * 10 chapter B
     *   11 theme B1: nc, ri                -> none
     *   14 criterion directly under B: 1
     * 15 chapter C, empty                  -> none */
    const assess_node_t t[] = {
        {-1, false, false, SCORE_NONE},   /* 0 */
        {0, false, false, SCORE_NONE},    /* 1 */
        {1, true, false, SCORE_3},        /* 2 */
        {1, true, true, SCORE_2},         /* 3 */
        {1, true, false, SCORE_3},        /* 4 */
        {1, true, false, SCORE_NC},       /* 5 */
        {0, false, false, SCORE_NONE},    /* 6 */
        {6, true, false, SCORE_STAR},     /* 7 */
        {6, true, false, SCORE_RI},       /* 8 */
        {6, true, false, SCORE_NONE},     /* 9 */
        {-1, false, false, SCORE_NONE},   /* 10 */
        {10, false, false, SCORE_NONE},   /* 11 */
        {11, true, false, SCORE_NC},      /* 12 */
        {11, true, false, SCORE_RI},      /* 13 */
        {10, true, true, SCORE_1},        /* 14 */
        {-1, false, false, SCORE_NONE},   /* 15 */
    };
    size_t n = ARRAY_LEN(t);
    assess_agg_t out[ARRAY_LEN(t)], all;
    memset(out, 0x5a, sizeof out); /* garbage: the function must set everything */
    memset(&all, 0x5a, sizeof all);
    assess_aggregate(t, n, out, &all);

    assert_agg(&out[1], 8, 3, 1, 0, 0, 8.0 / 3.0);
    assert_true(fabs(out[1].average - 2.6666666666666665) < EPS);
    assert_agg(&out[6], 4, 1, 0, 1, 1, 4);
    assert_agg(&out[0], 12, 4, 1, 1, 1, 3);
    assert_agg(&out[11], 0, 0, 1, 1, 0, -1);
    assert_agg(&out[10], 1, 1, 1, 1, 0, 1);
    assert_agg(&out[15], 0, 0, 0, 0, 0, -1);
    /* leaves: themselves */
    assert_agg(&out[3], 2, 1, 0, 0, 0, 2);
    assert_agg(&out[7], 4, 1, 0, 0, 0, 4);
    assert_agg(&out[5], 0, 0, 1, 0, 0, -1);
    assert_agg(&out[9], 0, 0, 0, 0, 1, -1);
    assert_int_equal(out[9].dist[SCORE_NONE], 1);
    /* the plain mean of the criteria, not the mean of the themes' means */
    assert_agg(&all, 13, 5, 2, 2, 1, 13.0 / 5.0);

    /* distributions */
    assert_int_equal(out[1].dist[SCORE_3], 2);
    assert_int_equal(out[1].dist[SCORE_2], 1);
    assert_int_equal(out[1].dist[SCORE_NC], 1);
    assert_int_equal(out[1].dist[SCORE_4], 0);
    assert_int_equal(out[0].dist[SCORE_STAR], 1);
    assert_int_equal(out[0].dist[SCORE_RI], 1);
    assert_int_equal(out[0].dist[SCORE_NONE], 1);
    assert_int_equal(out[0].dist[SCORE_4], 0);
    static const int all_dist[11] = {[SCORE_NONE] = 1, [SCORE_1] = 1, [SCORE_2] = 1, [SCORE_3] = 2,
                                     [SCORE_STAR] = 1, [SCORE_NC] = 2, [SCORE_RI] = 2};
    for (int k = 0; k < 11; k++)
        assert_int_equal(all.dist[k], all_dist[k]);
}

static void test_aggregate_conformity_and_empty(void **state)
{
    (void)state;
    const assess_node_t t[] = {
        {-1, false, false, SCORE_NONE},
        {0, true, false, SCORE_CONFORME},
        {0, true, false, SCORE_PARTIEL},
        {0, true, true, SCORE_NON_CONFORME},
        {0, true, false, SCORE_NC},
    };
    assess_agg_t out[5], all;
    assess_aggregate(t, 5, out, &all);
    assert_agg(&out[0], 7, 3, 1, 0, 0, 7.0 / 3.0);
    assert_agg(&all, 7, 3, 1, 0, 0, 7.0 / 3.0);

    memset(&all, 0x5a, sizeof all);
    assess_aggregate(t, 0, out, &all);
    assert_agg(&all, 0, 0, 0, 0, 0, -1);
    for (int k = 0; k < 11; k++)
        assert_int_equal(all.dist[k], 0);
    assess_aggregate(t, 5, out, NULL); /* overall is optional */
    assert_agg(&out[0], 7, 3, 1, 0, 0, 7.0 / 3.0);
}

/* --- radar ------------------------------------------------------------------------ */

static const char *const five_labels[] = {"<b> &", "Accueil", "Projet", "Droits", "Sécurité"};

static void test_radar_shape_escaping_and_vertices(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3, 4, 2.5};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "Résultats <2026> \"A\" 'B'", "Moyennes & thèmes", five_labels, v, NULL, 5, "Actuelle",
                     "Précédente", false);
    assert_chart_shape(&b);
    assert_non_null(strstr(b.data, "<title>Résultats &lt;2026&gt; &quot;A&quot; &#39;B&#39;</title>"));
    assert_non_null(strstr(b.data, "<desc>Moyennes &amp; thèmes</desc>"));
    assert_non_null(strstr(b.data, "&lt;b&gt; &amp;"));
    assert_null(strstr(b.data, "<b>"));
    assert_null(strstr(b.data, "chart-previous"));
    assert_null(strstr(b.data, "Actuelle")); /* no legend with one series */
    /* rings at 1..4 labelled, an axis per value */
    assert_int_equal(occurrences(b.data, "<polygon class=\"chart-ring\""), 4);
    assert_int_equal(occurrences(b.data, "<line class=\"chart-axis\""), 5);
    static const char *const rings[] = {">1</tspan>", ">2</tspan>", ">3</tspan>", ">4</tspan>"};
    for (size_t k = 0; k < ARRAY_LEN(rings); k++)
        assert_int_equal(occurrences(b.data, rings[k]), 1);
    char pts[512];
    assert_true(polygon_points(b.data, "chart-current", pts, sizeof pts));
    assert_int_equal(vertices(pts), 5);
    /* first axis at the top, then clockwise; 30 units per point of score */
    assert_string_equal(pts, "280.0,150.0 337.1,161.5 332.9,252.8 209.5,277.1 208.7,156.8");
    assert_int_equal(occurrences(b.data, "<circle class=\"chart-dot\""), 5);
    assert_null(strstr(b.data, "direction=\"rtl\""));
    buf_free(&b);
}

static void test_radar_previous_series_and_legend(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3, 4, 2.5};
    const double prev[] = {2, 2, 2, -1, 2};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "t", "d", five_labels, v, prev, 5, "Campagne 2026", "Campagne <2025>", false);
    assert_chart_shape(&b);
    char pts[512];
    assert_true(polygon_points(b.data, "chart-previous", pts, sizeof pts));
    assert_string_equal(pts, "280.0,120.0 337.1,161.5 315.3,228.5 222.9,161.5");
    const char *prev_poly = strstr(b.data, "<polygon class=\"chart-previous\"");
    const char *end = strchr(prev_poly, '>');
    const char *dash = strstr(prev_poly, "stroke-dasharray=");
    assert_true(dash && dash < end);
    /* drawn below the current series */
    assert_true(prev_poly < strstr(b.data, "<polygon class=\"chart-current\""));
    assert_non_null(strstr(b.data, ">Campagne 2026</tspan>"));
    assert_non_null(strstr(b.data, ">Campagne &lt;2025&gt;</tspan>"));
    assert_non_null(strstr(b.data, "<line class=\"chart-previous\""));
    assert_non_null(strstr(b.data, "<line class=\"chart-current\""));
    /* a missing previous value is no gap of the current series */
    assert_null(strstr(b.data, "chart-gap"));
    buf_free(&b);
}

static void test_radar_missing_values_have_no_vertex_at_centre(void **state)
{
    (void)state;
    const char *const labels[] = {"A", "B", "C", "D"};
    const double v[] = {2, -1, 3, NAN};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "t", "d", labels, v, NULL, 4, NULL, NULL, false);
    assert_chart_shape(&b);
    char pts[512];
    assert_true(polygon_points(b.data, "chart-current", pts, sizeof pts));
    assert_string_equal(pts, "280.0,120.0 280.0,270.0");
    assert_null(strstr(b.data, "280.0,180.0"));
    assert_int_equal(occurrences(b.data, "<circle class=\"chart-gap\""), 2);
    assert_int_equal(occurrences(b.data, "<circle class=\"chart-dot\""), 2);

    /* a real 0 is a vertex at the centre: the check above can see one */
    const double z[] = {2, 0, 3, 1};
    buf_reset(&b);
    assess_radar_svg(&b, "t", "d", labels, z, NULL, 4, NULL, NULL, false);
    assert_true(polygon_points(b.data, "chart-current", pts, sizeof pts));
    assert_string_equal(pts, "280.0,120.0 280.0,180.0 280.0,270.0 250.0,180.0");
    assert_null(strstr(b.data, "chart-gap"));
    buf_free(&b);
}

/* The text of the tspans of the label that begins with first (NULL-separated
 * lines joined with '|'). */
static void label_lines(const char *svg, const char *first, char *out, size_t outlen)
{
    const char *p = strstr(svg, first);
    assert_non_null(p);
    const char *text = p;
    while (text > svg && strncmp(text, "<text", 5) != 0)
        text--;
    const char *end = strstr(text, "</text>");
    assert_non_null(end);
    out[0] = '\0';
    size_t len = 0;
    for (const char *t = strstr(text, "<tspan"); t && t < end; t = strstr(t + 1, "<tspan")) {
        const char *s = strchr(t, '>') + 1;
        const char *e = strstr(s, "</tspan>");
        assert_true(len + (size_t)(e - s) + 2 < outlen);
        if (len)
            out[len++] = '|';
        memcpy(out + len, s, (size_t)(e - s));
        len += (size_t)(e - s);
        out[len] = '\0';
    }
}

static void test_radar_long_labels_wrapped_and_shortened_in_utf8(void **state)
{
    (void)state;
    buf_t ain, ba, sentence;
    buf_init(&ain);
    buf_init(&ba);
    buf_init(&sentence);
    for (int i = 0; i < 60; i++)
        buf_puts(&ain, "ع"); /* 60 letters, no space */
    for (int i = 0; i < 30; i++)
        buf_puts(&ba, "بَ"); /* a letter and its fatha, 30 times */
    const char *arabic = "تقييم جودة الخدمات المقدمة للأطفال والأسر في مؤسسات الرعاية الاجتماعية";
    const char *const labels[] = {"Droits et libertés des personnes accueillies", ain.data, ba.data, arabic,
                                  "Court"};
    const double v[] = {1, 2, 3, 4, 2};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "t", "d", labels, v, NULL, 5, NULL, NULL, true);
    assert_chart_shape(&b);
    char lines[1024];
    /* Latin: broken at the space after 22 characters, nothing lost */
    label_lines(b.data, ">Droits", lines, sizeof lines);
    assert_string_equal(lines, "Droits et libertés des|personnes accueillies");
    /* no space: 22 letters, then 21 and the ellipsis */
    label_lines(b.data, ">عع", lines, sizeof lines);
    buf_t want;
    buf_init(&want);
    for (int i = 0; i < 22; i++)
        buf_puts(&want, "ع");
    buf_putc(&want, '|');
    for (int i = 0; i < 21; i++)
        buf_puts(&want, "ع");
    buf_puts(&want, "…");
    assert_string_equal(lines, want.data);
    /* marks stay with their letter and take no room */
    label_lines(b.data, ">بَ", lines, sizeof lines);
    buf_reset(&want);
    for (int i = 0; i < 22; i++)
        buf_puts(&want, "بَ");
    buf_putc(&want, '|');
    for (int i = 0; i < 8; i++)
        buf_puts(&want, "بَ");
    assert_string_equal(lines, want.data);
    /* words: two lines, the second shortened */
    label_lines(b.data, ">تقييم", lines, sizeof lines);
    assert_string_equal(lines, "تقييم جودة الخدمات|المقدمة للأطفال…");
    assert_null(strstr(b.data, arabic));
    assert_true(utf8_valid(b.data, b.len));
    /* right to left */
    assert_int_equal(occurrences(b.data, "<text "), occurrences(b.data, "direction=\"rtl\""));
    buf_free(&want);
    buf_free(&b);
    buf_free(&ain);
    buf_free(&ba);
    buf_free(&sentence);
}

static void test_radar_invalid_utf8_and_controls_in_labels(void **state)
{
    (void)state;
    const char *const labels[] = {"A\xC3", "B\x01\nC", "\xE2\x82", "D"};
    const double v[] = {1, 1, 1, 1};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "T\xFF", "d\x02", labels, v, NULL, 4, NULL, NULL, false);
    assert_chart_shape(&b);
    assert_non_null(strstr(b.data, "<title>T\xEF\xBF\xBD</title>"));
    assert_non_null(strstr(b.data, "<desc>d</desc>"));
    assert_non_null(strstr(b.data, ">A\xEF\xBF\xBD</tspan>"));
    assert_non_null(strstr(b.data, ">B C</tspan>"));
    buf_free(&b);
}

static void test_radar_rtl_mirrors_axes_and_anchors(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3, 4, 2.5};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "t", "d", five_labels, v, v, 5, "Now", "Before", true);
    assert_chart_shape(&b);
    char pts[512];
    assert_true(polygon_points(b.data, "chart-current", pts, sizeof pts));
    assert_string_equal(pts, "280.0,150.0 222.9,161.5 227.1,252.8 350.5,277.1 351.3,156.8");
    /* "Accueil" (axis 1) is on the left, running leftwards: with
     * direction="rtl" that is text-anchor="start"; in ltr, on the right,
     * running rightwards, also "start"; "Droits" (axis 3) "end" in both */
    const char *acc = strstr(b.data, ">Accueil<");
    const char *t = acc;
    while (strncmp(t, "<text", 5) != 0)
        t--;
    assert_true(strncmp(strstr(t, "text-anchor=\""), "text-anchor=\"start\"", 19) == 0);
    assert_true(strstr(t, "direction=\"rtl\"") < acc);
    const char *dr = strstr(b.data, ">Droits<");
    t = dr;
    while (strncmp(t, "<text", 5) != 0)
        t--;
    assert_true(strncmp(strstr(t, "text-anchor=\""), "text-anchor=\"end\"", 17) == 0);
    /* the label of axis 1 sits left of the centre */
    t = acc;
    while (strncmp(t, "<text", 5) != 0)
        t--;
    const char *x = strstr(t, " x=\"");
    double lx = 0;
    assert_int_equal(sscanf(x, " x=\"%lf\"", &lx), 1);
    assert_true(lx < 280);
    /* legend: the current series starts on the right */
    const char *cur = strstr(b.data, "<line class=\"chart-current\" x1=\"");
    assert_non_null(cur);
    double x1 = 0;
    assert_int_equal(sscanf(cur, "<line class=\"chart-current\" x1=\"%lf\"", &x1), 1);
    assert_true(x1 > 280);
    buf_free(&b);

    buf_init(&b);
    assess_radar_svg(&b, "t", "d", five_labels, v, NULL, 5, NULL, NULL, false);
    acc = strstr(b.data, ">Accueil<");
    t = acc;
    while (strncmp(t, "<text", 5) != 0)
        t--;
    assert_true(strncmp(strstr(t, "text-anchor=\""), "text-anchor=\"start\"", 19) == 0);
    assert_int_equal(sscanf(strstr(t, " x=\""), " x=\"%lf\"", &lx), 1);
    assert_true(lx > 280);
    dr = strstr(b.data, ">Droits<");
    t = dr;
    while (strncmp(t, "<text", 5) != 0)
        t--;
    assert_true(strncmp(strstr(t, "text-anchor=\""), "text-anchor=\"end\"", 17) == 0);
    buf_free(&b);
}

static void test_radar_with_two_axes_draws_horizontal_bars(void **state)
{
    (void)state;
    const char *const labels[] = {"Accueil", "Projet"};
    const double v[] = {3, -1};
    const double prev[] = {2, 1};
    buf_t b;
    buf_init(&b);
    assess_radar_svg(&b, "t", "d", labels, v, prev, 2, "Now", "Before", false);
    assert_chart_shape(&b);
    assert_non_null(strstr(b.data, "class=\"chart chart-hbars\""));
    assert_null(strstr(b.data, "<polygon"));
    assert_int_equal(occurrences(b.data, "<rect class=\"chart-current\""), 1);
    assert_non_null(strstr(b.data, "<rect class=\"chart-current\" x=\"188.0\" y=\"20.0\" width=\"255.0\""));
    assert_int_equal(occurrences(b.data, "<rect class=\"chart-previous\""), 2);
    assert_int_equal(occurrences(b.data, "<circle class=\"chart-gap\""), 1);
    assert_non_null(strstr(b.data, ">Accueil</tspan>"));
    assert_non_null(strstr(b.data, ">Before</tspan>"));
    buf_free(&b);

    buf_init(&b);
    assess_radar_svg(&b, "t", "d", labels, v, NULL, 2, NULL, NULL, true);
    assert_chart_shape(&b);
    /* right to left: the bar grows leftwards from x = 560 - 188 */
    assert_non_null(strstr(b.data, "<rect class=\"chart-current\" x=\"117.0\" y=\"20.0\" width=\"255.0\""));
    buf_free(&b);

    buf_init(&b);
    assess_radar_svg(&b, "t", "d", NULL, NULL, NULL, 0, NULL, NULL, false);
    assert_chart_shape(&b);
    assert_null(strstr(b.data, "chart-current"));
    buf_free(&b);
}

/* --- bars ----------------------------------------------------------------------------- */

static void test_bars_counts_written_and_scaled(void **state)
{
    (void)state;
    const char *const labels[] = {"1", "2", "3", "4", "star", "nc", "R&I"};
    const int counts[] = {3, 5, 7, 2, 1, 0, -4};
    buf_t b;
    buf_init(&b);
    assess_bars_svg(&b, "Distribution", "Scores & counts", labels, counts, 7, false);
    assert_chart_shape(&b);
    assert_int_equal(occurrences(b.data, "<rect class=\"chart-bar\""), 7);
    assert_int_equal(occurrences(b.data, "<text class=\"chart-value\""), 7);
    static const char *const written[] = {">3</tspan>", ">5</tspan>", ">7</tspan>", ">2</tspan>"};
    for (size_t i = 0; i < ARRAY_LEN(written); i++)
        assert_non_null(strstr(b.data, written[i]));
    assert_int_equal(occurrences(b.data, ">0</tspan>"), 2); /* 0 and a negative count */
    assert_null(strstr(b.data, "-4"));
    assert_non_null(strstr(b.data, ">star</tspan>"));
    assert_non_null(strstr(b.data, ">R&amp;I</tspan>"));
    assert_non_null(strstr(b.data, "<desc>Scores &amp; counts</desc>"));
    /* the tallest bar is 140 high; 3 of 7 is 60; the first slot on the left */
    assert_non_null(strstr(b.data, "<rect class=\"chart-bar\" x=\"30.0\" y=\"120.0\" width=\"36.0\" height=\"60.0\""));
    assert_non_null(strstr(b.data, "<rect class=\"chart-bar\" x=\"158.0\" y=\"40.0\" width=\"36.0\" height=\"140.0\""));
    /* the count sits above its bar */
    const char *v7 = strstr(b.data, ">7</tspan>");
    const char *t = v7;
    while (strncmp(t, "<text", 5) != 0)
        t--;
    assert_non_null(strstr(t, "x=\"176.0\" y=\"35.0\""));
    buf_free(&b);

    buf_init(&b);
    assess_bars_svg(&b, "Distribution", "d", labels, counts, 7, true);
    assert_chart_shape(&b);
    /* right to left: the first category on the right */
    assert_non_null(strstr(b.data, "<rect class=\"chart-bar\" x=\"414.0\" y=\"120.0\" width=\"36.0\" height=\"60.0\""));
    assert_int_equal(occurrences(b.data, "<text "), occurrences(b.data, "direction=\"rtl\""));
    buf_free(&b);

    const int zeros[] = {0, 0};
    buf_init(&b);
    assess_bars_svg(&b, "t", "d", labels, zeros, 2, false);
    assert_chart_shape(&b);
    assert_int_equal(occurrences(b.data, "height=\"0.0\""), 2);
    assert_int_equal(occurrences(b.data, ">0</tspan>"), 2);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_code_round_trip),
        cmocka_unit_test(test_parse_refuses_codes_outside_the_scale),
        cmocka_unit_test(test_values_and_what_counts),
        cmocka_unit_test(test_check_nc_refused_on_imperative_and_needs_a_reason),
        cmocka_unit_test(test_check_top_scores_need_comment_and_evidence),
        cmocka_unit_test(test_check_low_scores_need_what_is_missing),
        cmocka_unit_test(test_check_three_and_ri_need_nothing_and_none_is_refused),
        cmocka_unit_test(test_gap_rules),
        cmocka_unit_test(test_aggregate_three_levels_mixed),
        cmocka_unit_test(test_aggregate_conformity_and_empty),
        cmocka_unit_test(test_radar_shape_escaping_and_vertices),
        cmocka_unit_test(test_radar_previous_series_and_legend),
        cmocka_unit_test(test_radar_missing_values_have_no_vertex_at_centre),
        cmocka_unit_test(test_radar_long_labels_wrapped_and_shortened_in_utf8),
        cmocka_unit_test(test_radar_invalid_utf8_and_controls_in_labels),
        cmocka_unit_test(test_radar_rtl_mirrors_axes_and_anchors),
        cmocka_unit_test(test_radar_with_two_axes_draws_horizontal_bars),
        cmocka_unit_test(test_bars_counts_written_and_scaled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
