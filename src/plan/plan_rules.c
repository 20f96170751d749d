/* plan_rules.c - the pure rules of improvement actions (plan_rules.h). */
#include "plan_rules.h"

#include <string.h>

const char *const act_status_codes[] = {"proposed", "planned",      "in_progress", "done",
                                        "effective", "not_effective", "closed",     "cancelled",
                                        NULL};
const char *const act_origin_codes[] = {"self_assessment", "incident", "complaint", "survey",
                                        "inspection",      "project",  "other",     NULL};
const char *const act_priority_codes[] = {"high", "medium", "low", NULL};

const char *act_status_code(act_status_t s)
{
    return s >= 0 && s < ACT__COUNT ? act_status_codes[s] : "proposed";
}

static int index_of(const char *const *list, const char *code)
{
    for (int i = 0; code && list[i]; i++)
        if (strcmp(list[i], code) == 0)
            return i;
    return -1;
}

int act_status_from_code(const char *code) { return index_of(act_status_codes, code); }
int act_origin_from_code(const char *code) { return index_of(act_origin_codes, code); }

bool act_status_open(act_status_t s)
{
    return s == ACT_PROPOSED || s == ACT_PLANNED || s == ACT_IN_PROGRESS;
}

/* [from][to]: 1 anyone who may work on the action, 2 managers only */
static const unsigned char act_graph[ACT__COUNT][ACT__COUNT] = {
    [ACT_PROPOSED] = {[ACT_PLANNED] = 2, [ACT_CANCELLED] = 2},
    [ACT_PLANNED] = {[ACT_IN_PROGRESS] = 1, [ACT_CANCELLED] = 2},
    [ACT_IN_PROGRESS] = {[ACT_DONE] = 1, [ACT_PLANNED] = 1, [ACT_CANCELLED] = 2},
    [ACT_DONE] = {[ACT_EFFECTIVE] = 2, [ACT_NOT_EFFECTIVE] = 2, [ACT_IN_PROGRESS] = 1},
    [ACT_EFFECTIVE] = {[ACT_CLOSED] = 2},
    [ACT_NOT_EFFECTIVE] = {[ACT_IN_PROGRESS] = 2, [ACT_CLOSED] = 2},
};

static bool valid(act_status_t s) { return s >= 0 && s < ACT__COUNT; }

bool act_transition_exists(act_status_t from, act_status_t to)
{
    return valid(from) && valid(to) && act_graph[from][to] != 0;
}

bool act_transition_allowed(act_status_t from, act_status_t to, bool manager)
{
    if (!act_transition_exists(from, to))
        return false;
    return act_graph[from][to] == 1 || manager;
}

size_t act_transitions(act_status_t from, bool manager, act_status_t *out)
{
    size_t n = 0;
    for (int to = 0; to < ACT__COUNT; to++)
        if (act_transition_allowed(from, (act_status_t)to, manager))
            out[n++] = (act_status_t)to;
    return n;
}

unsigned act_transition_needs(act_status_t from, act_status_t to)
{
    if (!act_transition_exists(from, to))
        return 0;
    switch (to) {
    case ACT_CANCELLED: return ACT_NEEDS_REASON;
    case ACT_EFFECTIVE: return ACT_NEEDS_CHECK;
    case ACT_NOT_EFFECTIVE: return ACT_NEEDS_CHECK | ACT_NEEDS_CHECK_COMMENT;
    case ACT_CLOSED: return from == ACT_NOT_EFFECTIVE ? ACT_NEEDS_FOLLOW_UP : 0;
    case ACT_PLANNED: return from == ACT_PROPOSED ? ACT_NEEDS_OWNER_DUE : 0;
    default: return 0;
    }
}

int act_priority(int impact, int effort)
{
    if (impact < 1)
        impact = 1;
    if (impact > 3)
        impact = 3;
    if (effort < 1)
        effort = 1;
    if (effort > 3)
        effort = 3;
    int score = impact * 3 - effort;
    return score >= 6 ? 0 : score >= 4 ? 1 : 2;
}

int act_progress_after(act_status_t to, int progress)
{
    if (progress < 0)
        progress = 0;
    switch (to) {
    case ACT_DONE:
    case ACT_EFFECTIVE:
    case ACT_NOT_EFFECTIVE:
    case ACT_CLOSED: return 100;
    case ACT_IN_PROGRESS: return progress > 99 ? 99 : progress;
    case ACT_PROPOSED: return 0;
    default: return progress > 99 ? 99 : progress;
    }
}

int64_t act_delay_days(int64_t due_day, int64_t done_day) { return done_day - due_day; }
