/* test_roadmap.c - the roadmap module: its pure rules (the current step is
 * the first one not done; a step is done when people recorded it done or
 * when a fact proves it; codes both ways) and, on a database of every module
 * (SQLite, and PostgreSQL when JOUDA_TEST_PG_URL is set): road_open writes
 * the nine steps once (the first in progress, one audit row), a fact (a
 * quality referent named) marks its step done without any stored change and
 * a stored status comes back when the fact goes, a stale rev is refused, and
 * the view of an association counts each establishment at its current step. */
#include "testutil.h"

#include "cli/cli.h"
#include "roadmap/road_internal.h"

/* --- pure rules ------------------------------------------------------------ */

static void test_merge(void **state)
{
    (void)state;
    road_status_t stored[ROAD_NSTEPS] = {0};
    bool proved[ROAD_NSTEPS] = {0};
    bool done[ROAD_NSTEPS];
    int n = -1;
    /* nothing recorded, nothing proved: the first step */
    assert_int_equal(road_merge(stored, proved, done, &n), 0);
    assert_int_equal(n, 0);
    /* in progress is not done */
    stored[0] = ROAD_IN_PROGRESS;
    assert_int_equal(road_merge(stored, proved, done, &n), 0);
    assert_false(done[0]);
    /* recorded done, then a fact proves the next: the third is current */
    stored[0] = ROAD_DONE;
    proved[1] = true;
    assert_int_equal(road_merge(stored, proved, done, &n), 2);
    assert_int_equal(n, 2);
    assert_true(done[1]);
    /* a later step done does not move the current one back or forth */
    proved[5] = true;
    stored[7] = ROAD_DONE;
    assert_int_equal(road_merge(stored, proved, done, &n), 2);
    assert_int_equal(n, 4);
    /* a fact wins over a recorded "to do" or "in progress" */
    stored[2] = ROAD_TODO;
    proved[2] = true;
    stored[3] = ROAD_IN_PROGRESS;
    proved[3] = true;
    assert_int_equal(road_merge(stored, proved, done, &n), 4);
    /* the fact gone, the recorded status is what counts again */
    proved[3] = false;
    assert_int_equal(road_merge(stored, proved, done, &n), 3);
    /* everything done: complete */
    for (int i = 0; i < ROAD_NSTEPS; i++)
        stored[i] = ROAD_DONE;
    memset(proved, 0, sizeof proved);
    assert_int_equal(road_merge(stored, proved, done, &n), ROAD_COMPLETE);
    assert_int_equal(n, ROAD_NSTEPS);
    /* no stored rows at all (NULL), only facts */
    bool all[ROAD_NSTEPS];
    for (int i = 0; i < ROAD_NSTEPS; i++)
        all[i] = i != 6;
    assert_int_equal(road_merge(NULL, all, done, NULL), 6);
    assert_int_equal(road_merge(NULL, NULL, done, &n), 0);
    assert_int_equal(n, 0);
}

static void test_codes(void **state)
{
    (void)state;
    static const char *const order[ROAD_NSTEPS] = {"commitment", "referent_named", "team_trained",
                                                   "self_assessment", "plan_adopted", "project_validated",
                                                   "indicators_followed", "capitalisation", "kit_shared"};
    for (int i = 0; i < ROAD_NSTEPS; i++) {
        assert_string_equal(road_steps[i].code, order[i]);
        assert_int_equal(road_step_index(order[i]), i);
        assert_int_equal(road_current_parse(order[i]), i);
        assert_string_equal(road_current_code(i), order[i]);
        assert_non_null(strstr(road_steps[i].label, road_steps[i].code)); /* "road_step.<code>" */
        assert_non_null(road_steps[i].hint);
    }
    assert_string_equal(road_current_code(ROAD_COMPLETE), "complete");
    assert_int_equal(road_current_parse("complete"), ROAD_COMPLETE);
    assert_int_equal(road_step_index("complete"), -1);
    assert_int_equal(road_step_index("Commitment"), -1);
    assert_int_equal(road_step_index(""), -1);
    assert_int_equal(road_step_index(NULL), -1);
    assert_int_equal(road_current_parse("nope"), -1);
    assert_int_equal(road_status_parse("todo"), ROAD_TODO);
    assert_int_equal(road_status_parse("in_progress"), ROAD_IN_PROGRESS);
    assert_int_equal(road_status_parse("done"), ROAD_DONE);
    assert_int_equal(road_status_parse("DONE"), -1);
    assert_int_equal(road_status_parse("doing"), -1);
    assert_int_equal(road_status_parse(NULL), -1);
    assert_string_equal(road_status_code(ROAD_IN_PROGRESS), "in_progress");
    /* the facts named by the steps */
    assert_string_equal(road_steps[1].fact, "quality_referent_named");
    assert_string_equal(road_steps[3].fact, "campaign_validated");
    assert_string_equal(road_steps[4].fact, "plan_adopted");
    assert_string_equal(road_steps[5].fact, "project_validated");
    assert_null(road_steps[0].fact);
    assert_null(road_steps[2].fact);
    assert_null(road_steps[8].fact);
}

static void test_ids(void **state)
{
    (void)state;
    const int64_t ids[] = {2, 3, 9, 40, 41, 1000};
    for (size_t i = 0; i < ARRAY_LEN(ids); i++)
        assert_true(road_ids_has(ids, ARRAY_LEN(ids), ids[i]));
    assert_false(road_ids_has(ids, ARRAY_LEN(ids), 1));
    assert_false(road_ids_has(ids, ARRAY_LEN(ids), 10));
    assert_false(road_ids_has(ids, ARRAY_LEN(ids), 1001));
    assert_false(road_ids_has(NULL, 0, 3));
}

/* --- on a database of every module ------------------------------------------ */

typedef struct {
    test_db_t *t;
    db_t *db;
    int64_t assoc, eps1, eps2;
    const char *path1;
} fx_t;

static int setup(void **state, bool pg)
{
    fx_t *fx = calloc(1, sizeof *fx);
    *state = fx;
    fx->t = test_db_open(pg, "roadmap");
    if (!fx->t)
        return -1;
    if (!fx->t->db)
        return 0;
    db_close(fx->t->db);
    char err[512] = "";
    fx->db = fx->t->db = app_open_db(fx->t->url, err, sizeof err);
    if (!fx->db) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int64_t root = db_query_int(fx->db, "SELECT id FROM nodes WHERE kind = 'root'", NOPARAMS, 0);
    fx->assoc = test_add_node(fx->db, root, "association", "Association");
    fx->eps1 = test_add_node(fx->db, fx->assoc, "eps", "EPS un");
    fx->eps2 = test_add_node(fx->db, fx->assoc, "eps", "EPS deux");
    return fx->assoc > 0 && fx->eps1 > 0 && fx->eps2 > 0 ? 0 : -1;
}
static int setup_sqlite(void **state) { return setup(state, false); }
static int setup_pg(void **state) { return setup(state, true); }

static int teardown(void **state)
{
    fx_t *fx = *state;
    if (fx)
        test_db_close(fx->t);
    free(fx);
    return 0;
}

/* A quality referent at eps (an account of its own): the role's id. */
static int64_t add_referent(db_t *db, int64_t eps, const char *path)
{
    int64_t now = now_utc();
    int64_t u = db_query_int(db,
                             "INSERT INTO users (node_id, username, name, password_hash, created_at, updated_at,"
                             " home_path) VALUES (?, 'ref', 'Référente', '" TEST_FAKE_HASH "', ?, ?, ?) RETURNING id",
                             PARAMS(P_INT(eps), P_INT(now), P_INT(now), P_TEXT(path)), 0);
    return db_query_int(db,
                        "INSERT INTO user_roles (user_id, role, node_id, created_at, node_path, node_kind)"
                        " VALUES (?, 'quality_referent', ?, ?, ?, 'eps') RETURNING id",
                        PARAMS(P_INT(u), P_INT(eps), P_INT(now), P_TEXT(path)), 0);
}

static void test_db(void **state)
{
    fx_t *fx = *state;
    db_t *db = test_db_or_skip(fx->t);
    arena_t *a = arena_new();
    node_t eps;
    assert_int_equal(nodes_load(db, a, fx->eps1, &eps), 0);
    /* road_open: nine steps, the first in progress, one audit row; again: nothing */
    assert_int_equal(road_open(db, fx->eps1, 0, "192.0.2.1"), DB_OK);
    assert_int_equal(road_open(db, fx->eps1, 0, "192.0.2.1"), DB_OK);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM road_steps WHERE eps_id = ?", fx->eps1), ROAD_NSTEPS);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM road_steps WHERE eps_id = ? AND status = 'in_progress'"
                                  " AND step = 'commitment'", fx->eps1), 1);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'roadmap' AND entity_id = ?",
                              fx->eps1), 1);
    /* not an establishment */
    assert_int_not_equal(road_open(db, fx->assoc, 0, NULL), DB_OK);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM road_steps WHERE eps_id = ?", fx->assoc), 0);

    road_eps_t rm;
    assert_int_equal(road_load(db, a, eps.id, eps.path, &rm), 0);
    assert_int_equal(rm.current, 0);
    assert_int_equal(rm.n_done, 0);
    assert_int_equal(rm.rows[0].status, ROAD_IN_PROGRESS);

    /* recorded done: the next step (no referent yet) is current */
    road_input_t in = {.status = ROAD_DONE, .day = "2026-01-15", .evidence = "Note d'engagement", .link = ""};
    assert_int_equal(road_write(db, 7, "192.0.2.1", &eps, 0, &in, rm.rows[0].rev), RES_OK);
    assert_int_equal(road_load(db, a, eps.id, eps.path, &rm), 0);
    assert_int_equal(rm.current, 1);
    assert_int_equal(rm.rows[0].rev, 2);
    assert_string_equal(rm.rows[0].day, "2026-01-15");
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'road_step' AND action = 'update'"
                                  " AND node_id = ?", fx->eps1), 1);
    /* a stale rev is refused and changes nothing */
    in.evidence = "Autre texte";
    assert_int_equal(road_write(db, 7, NULL, &eps, 0, &in, 1), RES_CONFLICT);
    assert_int_equal(road_load(db, a, eps.id, eps.path, &rm), 0);
    assert_string_equal(rm.rows[0].evidence, "Note d'engagement");
    /* the same values again: no new audit row */
    in.evidence = "Note d'engagement";
    assert_int_equal(road_write(db, 7, NULL, &eps, 0, &in, 0), RES_OK);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'road_step' AND node_id = ?",
                              fx->eps1), 1);

    /* recorded "in progress" for the referent, then a referent named: proved */
    road_input_t doing = {.status = ROAD_IN_PROGRESS, .day = "", .evidence = "Appel à candidatures", .link = ""};
    assert_int_equal(road_write(db, 7, NULL, &eps, 1, &doing, 0), RES_OK);
    int64_t role = add_referent(db, eps.id, eps.path);
    assert_true(role > 0);
    assert_int_equal(road_load(db, a, eps.id, eps.path, &rm), 0);
    assert_true(rm.done[1]);
    assert_string_equal(rm.proof[1], "quality_referent_named");
    assert_int_equal(rm.rows[1].status, ROAD_IN_PROGRESS); /* stored as it was */
    assert_int_equal(rm.current, 2);
    /* the role ends: the recorded status counts again */
    assert_int_equal(db_exec(db, "UPDATE user_roles SET expires_at = ? WHERE id = ?",
                             PARAMS(P_INT(now_utc() - 60), P_INT(role))), DB_OK);
    assert_int_equal(road_load(db, a, eps.id, eps.path, &rm), 0);
    assert_false(rm.done[1]);
    assert_null(rm.proof[1]);
    assert_int_equal(rm.current, 1);

    /* an establishment with no stored step: every step to do */
    node_t eps2;
    assert_int_equal(nodes_load(db, a, fx->eps2, &eps2), 0);
    assert_int_equal(road_load(db, a, eps2.id, eps2.path, &rm), 0);
    assert_int_equal(rm.current, 0);
    assert_int_equal(rm.rows[0].id, 0);

    /* the association's view: each establishment counted once, at its step */
    const char *apath = nodes_path_of(db, a, fx->assoc);
    road_board_t b;
    assert_int_equal(road_board(db, a, apath, &b), 0);
    assert_int_equal(b.n, 2);
    int64_t by_step[ROAD_NSTEPS + 1];
    road_board_counts(b.lines, b.n, by_step);
    assert_int_equal(by_step[0], 1); /* eps2 */
    assert_int_equal(by_step[1], 1); /* eps1 */
    int64_t sum = 0;
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        sum += by_step[i];
    assert_int_equal(sum, 2);
    /* the view of one establishment's path is that establishment only */
    assert_int_equal(road_board(db, a, eps.path, &b), 0);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.lines[0].eps->id, eps.id);
    assert_int_equal(b.lines[0].current, 1);
    arena_free(a);
}

int main(void)
{
    jouda_use_modules();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_ids),
        {"roadmap on SQLite", test_db, setup_sqlite, teardown, NULL},
        {"roadmap on PostgreSQL", test_db, setup_pg, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
