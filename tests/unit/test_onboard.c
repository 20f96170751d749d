/* test_onboard.c - the onboarding wizard's pure parts and the one change it
 * made to the nodes module: the temporary passwords (four groups of four
 * letters and digits without look-alikes, long enough for the password rule,
 * never twice the same), the API's field names given back for the form's,
 * and nodes_insert inside a caller's transaction (the wizard's one
 * transaction: a rollback of the caller leaves no node and no audit row; a
 * disabled parent is refused without ending the caller's transaction; alone
 * it still commits its own). Database tests run on a temporary SQLite file
 * and, when JOUDA_TEST_PG_URL is set, on PostgreSQL in a private schema. */
#include "testutil.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "nodes/nodes.h"
#include "onboard/onboard_internal.h"

/* --- temporary passwords ------------------------------------------------------ */

static void test_password(void **state)
{
    (void)state;
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    char seen[200][ONB_PASSWORD_LEN + 1];
    for (int n = 0; n < 200; n++) {
        char *p = seen[n];
        onb_password(p, ONB_PASSWORD_LEN + 1);
        assert_int_equal(strlen(p), ONB_PASSWORD_LEN);
        for (int i = 0; i < ONB_PASSWORD_LEN; i++) {
            if (i % 5 == 4)
                assert_int_equal(p[i], '-');
            else
                assert_non_null(memchr(alphabet, p[i], sizeof alphabet - 1));
        }
        assert_null(password_problem(p)); /* the platform's own rule */
        for (int k = 0; k < n; k++)
            assert_string_not_equal(seen[k], p);
    }
    /* too small a buffer: an empty string, never an overflow */
    char small[8] = "xxxxxxx";
    onb_password(small, sizeof small);
    assert_string_equal(small, "");
}

static void test_api_fields(void **state)
{
    (void)state;
    json_t *e =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", "a", "unit_name_3", "b", "unit_kind_1",
                  "c", "director_email", "d", "referent_username", "e", "kit", "f");
    json_t *o = onb_api_fields(e);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "a");
    assert_string_equal(json_string_value(json_object_get(o, "units[2].name")), "b");
    assert_string_equal(json_string_value(json_object_get(o, "units[0].unit_kind")), "c");
    assert_string_equal(json_string_value(json_object_get(o, "director.email")), "d");
    assert_string_equal(json_string_value(json_object_get(o, "referent.username")), "e");
    assert_string_equal(json_string_value(json_object_get(o, "kit")), "f");
    assert_int_equal(json_object_size(o), 6);
    json_decref(o);
    json_decref(e);
}

/* --- nodes_insert in the caller's transaction ------------------------------- */

static int setup_sqlite(void **state)
{
    return test_db_setup(state, false, "onboard", TEST_MIG_OF(nodes_module),
                         TEST_MIG_OF(users_module), TEST_MIG_OF(audit_module));
}
static int setup_pg(void **state)
{
    return test_db_setup(state, true, "onboard", TEST_MIG_OF(nodes_module),
                         TEST_MIG_OF(users_module), TEST_MIG_OF(audit_module));
}

static int64_t count(db_t *db, const char *sql)
{
    return db_query_int(db, sql, NULL, 0, -1);
}

static void test_insert_in_tx(void **state)
{
    test_db_t *t = *state;
    db_t *db = test_db_or_skip(t);
    if (!db)
        return;
    arena_t *a = arena_new();
    int64_t assoc = test_add_node(db, nodes_root_id(db), "association", "Association");
    assert_true(assoc > 0);
    node_t parent;
    assert_int_equal(nodes_load(db, a, assoc, &parent), 0);
    node_input_t in = {.has_name = true,
                       .name = "Foyer",
                       .has_category = true,
                       .category = "children",
                       .capacity = -1};
    int64_t nodes0 = count(db, "SELECT COUNT(*) FROM nodes");
    int64_t audit0 = count(db, "SELECT COUNT(*) FROM audit_log");

    /* inside the caller's transaction, undone with it */
    assert_int_equal(db_begin(db), DB_OK);
    int64_t id = 0;
    const char *msg = NULL;
    assert_int_equal(nodes_insert(db, a, 1, "127.0.0.1", &parent, NODE_EPS, &in, &id, &msg),
                     RES_OK);
    assert_true(id > 0);
    assert_true(db_in_tx(db)); /* the caller's transaction is still open */
    node_t eps;
    assert_int_equal(nodes_load(db, a, id, &eps), 0);
    node_input_t unit = {.has_name = true, .name = "Maison", .capacity = -1};
    int64_t uid = 0;
    assert_int_equal(nodes_insert(db, a, 1, "127.0.0.1", &eps, NODE_UNIT, &unit, &uid, &msg),
                     RES_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM nodes"), nodes0 + 2);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM nodes"), nodes0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_log"), audit0);

    /* a disabled parent: refused, the caller's transaction left to it */
    assert_int_equal(db_exec(db, "UPDATE nodes SET active = 0 WHERE id = ?", PARAMS(P_INT(assoc))),
                     DB_OK);
    assert_int_equal(nodes_load(db, a, assoc, &parent), 0);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(nodes_insert(db, a, 1, "127.0.0.1", &parent, NODE_EPS, &in, &id, &msg),
                     RES_CONFLICT);
    assert_non_null(msg);
    assert_true(db_in_tx(db));
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(db_exec(db, "UPDATE nodes SET active = 1 WHERE id = ?", PARAMS(P_INT(assoc))),
                     DB_OK);

    /* alone, it commits its own transaction as before */
    assert_false(db_in_tx(db));
    assert_int_equal(nodes_insert(db, a, 1, "127.0.0.1", &parent, NODE_EPS, &in, &id, &msg),
                     RES_OK);
    assert_false(db_in_tx(db));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM nodes"), nodes0 + 1);
    assert_int_equal(
        test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'node' AND entity_id = ?", id),
        1);
    arena_free(a);
}

int main(void)
{
    jouda_use_modules(); /* the ancestry hook gives audit rows their paths */
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_api_fields),
        {"nodes_insert in a transaction on SQLite", test_insert_in_tx, setup_sqlite,
         test_db_teardown, NULL},
        {"nodes_insert in a transaction on PostgreSQL", test_insert_in_tx, setup_pg,
         test_db_teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
