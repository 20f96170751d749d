/* assess_score.c - the scoring rules of self-assessment campaigns: scale
 * codes, values, guided scoring, gaps that propose improvement actions and
 * the aggregation of results over a référentiel tree. Pure functions. */
#include "assess_score.h"

#include <string.h>

typedef struct {
    score_t score;
    const char *code;
} score_code_t;

static const score_code_t has4_scale[] = {
    {SCORE_1, "1"}, {SCORE_2, "2"}, {SCORE_3, "3"},   {SCORE_4, "4"},
    {SCORE_STAR, "star"}, {SCORE_NC, "nc"}, {SCORE_RI, "ri"},
};

static const score_code_t conformity_scale[] = {
    {SCORE_CONFORME, "conforme"},
    {SCORE_PARTIEL, "partiel"},
    {SCORE_NON_CONFORME, "non_conforme"},
    {SCORE_NC, "nc"},
};

/* Indexed by score_t. */
static const char *const score_codes[SCORE_COUNT] = {
    [SCORE_NONE] = NULL,         [SCORE_1] = "1",          [SCORE_2] = "2",
    [SCORE_3] = "3",             [SCORE_4] = "4",          [SCORE_STAR] = "star",
    [SCORE_NC] = "nc",           [SCORE_RI] = "ri",        [SCORE_CONFORME] = "conforme",
    [SCORE_PARTIEL] = "partiel", [SCORE_NON_CONFORME] = "non_conforme",
};

/* The value each score counts for; 0 for those left out of averages. */
static const double score_values[SCORE_COUNT] = {
    [SCORE_1] = 1, [SCORE_2] = 2, [SCORE_3] = 3, [SCORE_4] = 4, [SCORE_STAR] = 4,
    [SCORE_CONFORME] = 4, [SCORE_PARTIEL] = 2, [SCORE_NON_CONFORME] = 1,
};

static bool score_known(score_t s)
{
    return (int)s > (int)SCORE_NONE && (int)s < SCORE_COUNT;
}

score_t assess_score_parse(const char *scale, const char *code)
{
    if (!scale || !code)
        return SCORE_NONE;
    const score_code_t *list;
    size_t n;
    if (strcmp(scale, "has4") == 0) {
        list = has4_scale;
        n = ARRAY_LEN(has4_scale);
    } else if (strcmp(scale, "conformity") == 0) {
        list = conformity_scale;
        n = ARRAY_LEN(conformity_scale);
    } else {
        return SCORE_NONE;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].code, code) == 0)
            return list[i].score;
    return SCORE_NONE;
}

const char *assess_score_code(score_t s)
{
    return score_known(s) ? score_codes[s] : NULL;
}

double assess_score_value(score_t s, bool *counts)
{
    bool c = score_known(s) && score_values[s] > 0;
    if (counts)
        *counts = c;
    return c ? score_values[s] : 0;
}

const char *assess_score_check(score_t s, const char *comment, int n_evidence, bool imperative)
{
    bool has_comment = !str_empty(comment);
    bool has_evidence = n_evidence > 0;
    switch (s) {
    case SCORE_NC:
        if (imperative)
            return ASSESS_MSG_NC_IMPERATIVE;
        return has_comment ? NULL : ASSESS_MSG_NC_WHY;
    case SCORE_4:
        return has_comment && has_evidence ? NULL : ASSESS_MSG_4_PROOF;
    case SCORE_STAR:
        return has_comment && has_evidence ? NULL : ASSESS_MSG_STAR_PROOF;
    case SCORE_CONFORME:
        return has_comment && has_evidence ? NULL : ASSESS_MSG_CONFORME_PROOF;
    case SCORE_1:
    case SCORE_2:
    case SCORE_PARTIEL:
    case SCORE_NON_CONFORME:
        return has_comment ? NULL : ASSESS_MSG_MISSING;
    case SCORE_3:
    case SCORE_RI:
        return NULL;
    case SCORE_NONE:
    default:
        return ASSESS_MSG_NO_SCORE;
    }
}

bool assess_score_gap(score_t s, bool imperative)
{
    bool counts;
    double v = assess_score_value(s, &counts);
    if (!counts)
        return false;
    return v < 3 || (imperative && v < 4);
}

bool assess_gap_dismissable(bool imperative)
{
    return !imperative;
}

/* Adds the counts of b into a (not the average). */
static void agg_add(assess_agg_t *a, const assess_agg_t *b)
{
    a->sum += b->sum;
    a->scored += b->scored;
    a->nc += b->nc;
    a->ri += b->ri;
    a->unrated += b->unrated;
    for (int k = 0; k < SCORE_COUNT; k++)
        a->dist[k] += b->dist[k];
}

/* One criterion's own contribution. */
static void agg_leaf(assess_agg_t *a, score_t s)
{
    if (!score_known(s))
        s = SCORE_NONE;
    a->dist[s]++;
    bool counts;
    double v = assess_score_value(s, &counts);
    if (counts) {
        a->sum += v;
        a->scored++;
    } else if (s == SCORE_NC) {
        a->nc++;
    } else if (s == SCORE_RI) {
        a->ri++;
    } else {
        a->unrated++;
    }
}

static void agg_finish(assess_agg_t *a)
{
    a->average = a->scored > 0 ? a->sum / a->scored : -1;
}

void assess_aggregate(const assess_node_t *nodes, size_t n, assess_agg_t *out, assess_agg_t *overall)
{
    assess_agg_t all;
    memset(&all, 0, sizeof all);
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        if (nodes[i].leaf) {
            agg_leaf(&out[i], nodes[i].score);
            agg_leaf(&all, nodes[i].score);
        }
    }
    /* Every descendant of a node comes after it: walking backwards, a node
     * has received all of its subtree when it is added to its parent. */
    for (size_t i = n; i-- > 0;) {
        int p = nodes[i].parent;
        if (p >= 0 && (size_t)p < i)
            agg_add(&out[p], &out[i]);
        agg_finish(&out[i]);
    }
    agg_finish(&all);
    if (overall)
        *overall = all;
}
