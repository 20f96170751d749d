/* plan_rules.h - the rules of an improvement action, pure (no I/O; tested
 * in tests/unit/test_plan_rules.c): its statuses and the transitions between
 * them, who may make each, the priority of the impact x effort grid, and
 * what a transition needs. */
#ifndef JOUDA_PLAN_RULES_H
#define JOUDA_PLAN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    ACT_PROPOSED = 0,
    ACT_PLANNED,
    ACT_IN_PROGRESS,
    ACT_DONE,
    ACT_EFFECTIVE,
    ACT_NOT_EFFECTIVE,
    ACT_CLOSED,
    ACT_CANCELLED,
    ACT__COUNT
} act_status_t;

typedef enum {
    ORIGIN_SELF_ASSESSMENT = 0,
    ORIGIN_INCIDENT,
    ORIGIN_COMPLAINT,
    ORIGIN_SURVEY,
    ORIGIN_INSPECTION,
    ORIGIN_PROJECT,
    ORIGIN_OTHER,
    ORIGIN__COUNT
} act_origin_t;

extern const char *const act_status_codes[];  /* NULL-terminated, in act_status_t order */
extern const char *const act_origin_codes[];
extern const char *const act_priority_codes[]; /* "high", "medium", "low" */

const char *act_status_code(act_status_t s);
int act_status_from_code(const char *code);    /* -1 when unknown */
int act_origin_from_code(const char *code);    /* -1 when unknown */

/* Is the action still to be done (its due date can pass)? proposed, planned, in progress. */
bool act_status_open(act_status_t s);

/* The transitions:
 *   proposed -> planned | cancelled
 *   planned -> in_progress | cancelled
 *   in_progress -> done | planned | cancelled
 *   done -> effective | not_effective | in_progress
 *   effective -> closed
 *   not_effective -> in_progress | closed (with a follow-up action)
 * closed and cancelled are final. Staff who own or contribute to an action
 * move it along the work (planned, in progress, done); the effectiveness
 * check, closing and cancelling are the managers' (director, quality
 * referent), as is planning a proposal. */
bool act_transition_exists(act_status_t from, act_status_t to);
bool act_transition_allowed(act_status_t from, act_status_t to, bool manager);
/* The statuses reachable from `from` (for the 409 and the buttons), in
 * act_status_t order: their number, written to out (ACT__COUNT slots). */
size_t act_transitions(act_status_t from, bool manager, act_status_t *out);

/* What a transition needs (besides being allowed):
 * ACT_NEEDS_REASON cancelling; ACT_NEEDS_CHECK effective / not effective
 * (the check's comment, required when not effective); ACT_NEEDS_FOLLOW_UP
 * closing a not effective action (the follow-up action's title);
 * ACT_NEEDS_OWNER_DUE planning (an owner and a due date). */
enum {
    ACT_NEEDS_REASON = 1u << 0,
    ACT_NEEDS_CHECK = 1u << 1,
    ACT_NEEDS_CHECK_COMMENT = 1u << 2,
    ACT_NEEDS_FOLLOW_UP = 1u << 3,
    ACT_NEEDS_OWNER_DUE = 1u << 4,
};
unsigned act_transition_needs(act_status_t from, act_status_t to);

/* Impact and effort are 1 (low) to 3 (high). Priority: 0 high, 1 medium, 2 low
 * (score impact*3 - effort: 6 and above high, 4-5 medium, below low): a
 * high impact is high priority whatever the effort; a low impact with some
 * effort is low. */
int act_priority(int impact, int effort);

/* Progress in percent after a transition: done and after 100; otherwise
 * the progress given (clamped to 0-99 while in progress, 0 before). */
int act_progress_after(act_status_t to, int progress);

/* Days late when done: done_day - due_day (negative: early). */
int64_t act_delay_days(int64_t due_day, int64_t done_day);

#endif
