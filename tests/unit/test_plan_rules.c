/* test_plan_rules.c - the pure rules of improvement actions: the codes of
 * statuses and origins, the whole transition graph (exactly the edges the
 * header states, none other; who may take each), what each transition
 * needs, the impact x effort priority for every cell and out-of-range
 * inputs, progress after a transition, the delay; and the days of the core
 * the plan relies on (valid days, day numbers both ways over two centuries,
 * the local day). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "plan/plan_rules.h"

/* --- codes ------------------------------------------------------------------ */

static void test_status_codes_round_trip(void **state)
{
    (void)state;
    static const char *const want[] = {"proposed", "planned", "in_progress", "done", "effective",
                                       "not_effective", "closed", "cancelled"};
    for (int s = 0; s < ACT__COUNT; s++) {
        assert_string_equal(act_status_code((act_status_t)s), want[s]);
        assert_int_equal(act_status_from_code(want[s]), s);
    }
    assert_null(act_status_codes[ACT__COUNT]);
    assert_int_equal(act_status_from_code("fini"), -1);
    assert_int_equal(act_status_from_code("Planned"), -1);
    assert_int_equal(act_status_from_code(""), -1);
    assert_int_equal(act_status_from_code(NULL), -1);
    assert_string_equal(act_status_code((act_status_t)42), "proposed");
}

static void test_origin_codes(void **state)
{
    (void)state;
    static const char *const want[] = {"self_assessment", "incident", "complaint", "survey",
                                       "inspection", "project", "other"};
    for (int o = 0; o < ORIGIN__COUNT; o++) {
        assert_string_equal(act_origin_codes[o], want[o]);
        assert_int_equal(act_origin_from_code(want[o]), o);
    }
    assert_null(act_origin_codes[ORIGIN__COUNT]);
    assert_int_equal(act_origin_from_code("rumour"), -1);
    assert_int_equal(act_origin_from_code(NULL), -1);
    assert_string_equal(act_priority_codes[0], "high");
    assert_string_equal(act_priority_codes[1], "medium");
    assert_string_equal(act_priority_codes[2], "low");
    assert_null(act_priority_codes[3]);
}

static void test_open_statuses(void **state)
{
    (void)state;
    for (int s = 0; s < ACT__COUNT; s++)
        assert_int_equal(act_status_open((act_status_t)s),
                         s == ACT_PROPOSED || s == ACT_PLANNED || s == ACT_IN_PROGRESS);
}

/* --- the graph ----------------------------------------------------------------- */

/* The edges the header states: 1 anyone working on the action, 2 managers. */
static int edge(int from, int to)
{
    static const struct { int from, to, who; } edges[] = {
        {ACT_PROPOSED, ACT_PLANNED, 2},       {ACT_PROPOSED, ACT_CANCELLED, 2},
        {ACT_PLANNED, ACT_IN_PROGRESS, 1},    {ACT_PLANNED, ACT_CANCELLED, 2},
        {ACT_IN_PROGRESS, ACT_DONE, 1},       {ACT_IN_PROGRESS, ACT_PLANNED, 1},
        {ACT_IN_PROGRESS, ACT_CANCELLED, 2},  {ACT_DONE, ACT_EFFECTIVE, 2},
        {ACT_DONE, ACT_NOT_EFFECTIVE, 2},     {ACT_DONE, ACT_IN_PROGRESS, 1},
        {ACT_EFFECTIVE, ACT_CLOSED, 2},       {ACT_NOT_EFFECTIVE, ACT_IN_PROGRESS, 2},
        {ACT_NOT_EFFECTIVE, ACT_CLOSED, 2},
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        if (edges[i].from == from && edges[i].to == to)
            return edges[i].who;
    return 0;
}

static void test_every_pair_of_statuses(void **state)
{
    (void)state;
    int n = 0;
    for (int f = 0; f < ACT__COUNT; f++)
        for (int t = 0; t < ACT__COUNT; t++) {
            int who = edge(f, t);
            assert_int_equal(act_transition_exists((act_status_t)f, (act_status_t)t), who != 0);
            assert_int_equal(act_transition_allowed((act_status_t)f, (act_status_t)t, true), who != 0);
            assert_int_equal(act_transition_allowed((act_status_t)f, (act_status_t)t, false), who == 1);
            n += who != 0;
        }
    assert_int_equal(n, 13);
    /* no status follows itself; closed and cancelled are final */
    for (int s = 0; s < ACT__COUNT; s++) {
        assert_false(act_transition_exists((act_status_t)s, (act_status_t)s));
        assert_false(act_transition_exists(ACT_CLOSED, (act_status_t)s));
        assert_false(act_transition_exists(ACT_CANCELLED, (act_status_t)s));
    }
    /* out of range */
    assert_false(act_transition_exists((act_status_t)-1, ACT_PLANNED));
    assert_false(act_transition_exists(ACT_PLANNED, (act_status_t)ACT__COUNT));
    assert_false(act_transition_allowed((act_status_t)99, ACT_DONE, true));
}

static void test_transition_lists(void **state)
{
    (void)state;
    act_status_t out[ACT__COUNT];
    size_t n = act_transitions(ACT_PROPOSED, true, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], ACT_PLANNED);
    assert_int_equal(out[1], ACT_CANCELLED);
    assert_int_equal(act_transitions(ACT_PROPOSED, false, out), 0);
    n = act_transitions(ACT_IN_PROGRESS, true, out);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], ACT_PLANNED);
    assert_int_equal(out[1], ACT_DONE);
    assert_int_equal(out[2], ACT_CANCELLED);
    n = act_transitions(ACT_IN_PROGRESS, false, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], ACT_PLANNED);
    assert_int_equal(out[1], ACT_DONE);
    n = act_transitions(ACT_DONE, false, out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], ACT_IN_PROGRESS);
    n = act_transitions(ACT_DONE, true, out);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], ACT_IN_PROGRESS);
    assert_int_equal(out[1], ACT_EFFECTIVE);
    assert_int_equal(out[2], ACT_NOT_EFFECTIVE);
    n = act_transitions(ACT_NOT_EFFECTIVE, true, out);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], ACT_IN_PROGRESS);
    assert_int_equal(out[1], ACT_CLOSED);
    assert_int_equal(act_transitions(ACT_NOT_EFFECTIVE, false, out), 0);
    assert_int_equal(act_transitions(ACT_CLOSED, true, out), 0);
    assert_int_equal(act_transitions(ACT_CANCELLED, true, out), 0);
    /* the lists agree with the graph for every status */
    for (int f = 0; f < ACT__COUNT; f++)
        for (int m = 0; m < 2; m++) {
            n = act_transitions((act_status_t)f, m, out);
            size_t want = 0;
            for (int t = 0; t < ACT__COUNT; t++)
                want += act_transition_allowed((act_status_t)f, (act_status_t)t, m);
            assert_int_equal(n, want);
            for (size_t k = 1; k < n; k++)
                assert_true(out[k - 1] < out[k]);
        }
}

static void test_what_transitions_need(void **state)
{
    (void)state;
    assert_int_equal(act_transition_needs(ACT_PROPOSED, ACT_CANCELLED), ACT_NEEDS_REASON);
    assert_int_equal(act_transition_needs(ACT_PLANNED, ACT_CANCELLED), ACT_NEEDS_REASON);
    assert_int_equal(act_transition_needs(ACT_IN_PROGRESS, ACT_CANCELLED), ACT_NEEDS_REASON);
    assert_int_equal(act_transition_needs(ACT_DONE, ACT_EFFECTIVE), ACT_NEEDS_CHECK);
    assert_int_equal(act_transition_needs(ACT_DONE, ACT_NOT_EFFECTIVE),
                     ACT_NEEDS_CHECK | ACT_NEEDS_CHECK_COMMENT);
    assert_int_equal(act_transition_needs(ACT_NOT_EFFECTIVE, ACT_CLOSED), ACT_NEEDS_FOLLOW_UP);
    assert_int_equal(act_transition_needs(ACT_EFFECTIVE, ACT_CLOSED), 0);
    assert_int_equal(act_transition_needs(ACT_PROPOSED, ACT_PLANNED), ACT_NEEDS_OWNER_DUE);
    assert_int_equal(act_transition_needs(ACT_IN_PROGRESS, ACT_PLANNED), 0);
    assert_int_equal(act_transition_needs(ACT_PLANNED, ACT_IN_PROGRESS), 0);
    assert_int_equal(act_transition_needs(ACT_IN_PROGRESS, ACT_DONE), 0);
    assert_int_equal(act_transition_needs(ACT_DONE, ACT_IN_PROGRESS), 0);
    assert_int_equal(act_transition_needs(ACT_NOT_EFFECTIVE, ACT_IN_PROGRESS), 0);
    /* not an edge: nothing */
    assert_int_equal(act_transition_needs(ACT_CLOSED, ACT_CANCELLED), 0);
    assert_int_equal(act_transition_needs(ACT_PROPOSED, ACT_DONE), 0);
}

/* --- priority, progress, delay --------------------------------------------------- */

static void test_priority_grid(void **state)
{
    (void)state;
    /* [impact][effort]: 0 high, 1 medium, 2 low */
    static const int want[4][4] = {
        [1] = {0, 2, 2, 2},
        [2] = {0, 1, 1, 2},
        [3] = {0, 0, 0, 0},
    };
    for (int i = 1; i <= 3; i++)
        for (int e = 1; e <= 3; e++)
            assert_int_equal(act_priority(i, e), want[i][e]);
    /* out of range values are taken at the nearest end */
    assert_int_equal(act_priority(0, 1), act_priority(1, 1));
    assert_int_equal(act_priority(4, 3), act_priority(3, 3));
    assert_int_equal(act_priority(-5, -5), act_priority(1, 1));
    assert_int_equal(act_priority(2, 9), act_priority(2, 3));
}

static void test_progress_after(void **state)
{
    (void)state;
    assert_int_equal(act_progress_after(ACT_DONE, 10), 100);
    assert_int_equal(act_progress_after(ACT_EFFECTIVE, 0), 100);
    assert_int_equal(act_progress_after(ACT_NOT_EFFECTIVE, 50), 100);
    assert_int_equal(act_progress_after(ACT_CLOSED, 0), 100);
    assert_int_equal(act_progress_after(ACT_IN_PROGRESS, 100), 99);
    assert_int_equal(act_progress_after(ACT_IN_PROGRESS, 40), 40);
    assert_int_equal(act_progress_after(ACT_IN_PROGRESS, -3), 0);
    assert_int_equal(act_progress_after(ACT_PROPOSED, 70), 0);
    assert_int_equal(act_progress_after(ACT_PLANNED, 30), 30);
    assert_int_equal(act_delay_days(100, 103), 3);
    assert_int_equal(act_delay_days(100, 90), -10);
}

/* --- days --------------------------------------------------------------------- */

static void test_day_validity(void **state)
{
    (void)state;
    assert_true(iso_day_valid("2026-12-06"));
    assert_true(iso_day_valid("2024-02-29"));
    assert_true(iso_day_valid("2000-02-29"));
    assert_false(iso_day_valid("1900-02-29"));
    assert_false(iso_day_valid("2026-02-29"));
    assert_false(iso_day_valid("2026-02-30"));
    assert_false(iso_day_valid("2026-13-01"));
    assert_false(iso_day_valid("2026-00-10"));
    assert_false(iso_day_valid("2026-1-05"));
    assert_false(iso_day_valid("2026-01-05 "));
    assert_false(iso_day_valid("26-01-2026"));
    assert_false(iso_day_valid("31/12/2026"));
    assert_false(iso_day_valid("2026a01-05"));
    assert_false(iso_day_valid(""));
    assert_false(iso_day_valid(NULL));
}

static void test_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(iso_day_number("1970-01-01"), 0);
    assert_int_equal(iso_day_number("1970-01-02"), 1);
    assert_int_equal(iso_day_number("2000-03-01"), 11017);
    assert_int_equal(iso_day_number("2026-12-06"), 20793);
    assert_int_equal(iso_day_number("2026-02-30"), -1);
    assert_int_equal(iso_day_number(NULL), -1);
    char out[11];
    iso_day_format(20793, out);
    assert_string_equal(out, "2026-12-06");
    /* every day of two centuries, both ways */
    int64_t last = iso_day_number("2100-12-31");
    for (int64_t n = 0; n <= last; n++) {
        iso_day_format(n, out);
        assert_int_equal(strlen(out), 10);
        assert_true(iso_day_valid(out));
        assert_int_equal(iso_day_number(out), n);
    }
    char local[11];
    iso_day_local(0, local);
    assert_string_equal(local, "1970-01-01");
    iso_day_local(now_utc(), local);
    assert_true(iso_day_valid(local));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_codes_round_trip),
        cmocka_unit_test(test_origin_codes),
        cmocka_unit_test(test_open_statuses),
        cmocka_unit_test(test_every_pair_of_statuses),
        cmocka_unit_test(test_transition_lists),
        cmocka_unit_test(test_what_transitions_need),
        cmocka_unit_test(test_priority_grid),
        cmocka_unit_test(test_progress_after),
        cmocka_unit_test(test_day_validity),
        cmocka_unit_test(test_day_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
