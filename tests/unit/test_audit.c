/* test_audit.c - the audit log: what audit_diff records (and never records:
 * secrets), what audit_write stores, and that the table refuses UPDATE and
 * DELETE on SQLite and, when JOUDA_TEST_PG_URL is set, on PostgreSQL (in a
 * schema of its own, dropped afterwards). */
#include "testutil.h"

#include "audit/audit.h"
#include "cli/cli.h"
#include "nodes/nodes.h"

/* --- audit_diff ----------------------------------------------------------- */

static void test_diff_changed_fields_only(void **state)
{
    (void)state;
    json_t *before = json_pack("{s:s, s:i, s:s}", "name", "Maison 1", "capacity", 10, "region", "oriental");
    json_t *after = json_pack("{s:s, s:i, s:s}", "name", "Maison 2", "capacity", 10, "region", "oriental");
    json_t *d = audit_diff(before, after);
    assert_int_equal(json_object_size(d), 1);
    json_t *name = json_object_get(d, "name");
    assert_non_null(name);
    assert_string_equal(json_string_value(json_object_get(name, "from")), "Maison 1");
    assert_string_equal(json_string_value(json_object_get(name, "to")), "Maison 2");
    assert_null(json_object_get(d, "capacity"));
    json_decref(d);
    json_decref(before);
    json_decref(after);
}

static void test_diff_new_and_removed_values(void **state)
{
    (void)state;
    json_t *before = json_pack("{s:s, s:o}", "province", "Fès", "name_ar", json_null());
    json_t *after = json_pack("{s:o, s:s, s:i}", "province", json_null(), "name_ar", "بيت",
                              "capacity", 40);
    json_t *d = audit_diff(before, after);
    assert_int_equal(json_object_size(d), 3);
    assert_true(json_is_null(json_object_get(json_object_get(d, "province"), "to")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "province"), "from")), "Fès");
    assert_true(json_is_null(json_object_get(json_object_get(d, "name_ar"), "from")));
    /* a key absent before counts as null before */
    assert_true(json_is_null(json_object_get(json_object_get(d, "capacity"), "from")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "capacity"), "to")), 40);
    json_decref(d);
    json_decref(before);
    json_decref(after);
}

static void test_diff_secrets_never_recorded(void **state)
{
    (void)state;
    json_t *before = json_pack("{s:s, s:s, s:s, s:s}", "password", "old-secret-1", "password_hash",
                               "$argon2id$old", "secret", "s1", "token", "t1");
    json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:s}", "password", "new-secret-2",
                              "password_hash", "$argon2id$new", "secret", "s2", "token", "t2",
                              "api_token", "t3");
    json_t *d = audit_diff(before, after);
    const char *k;
    json_t *v;
    assert_int_equal(json_object_size(d), 5);
    json_object_foreach(d, k, v) {
        assert_true(json_is_string(v));
        assert_string_equal(json_string_value(v), "changed");
    }
    char *dump = json_dumps(d, 0);
    assert_null(strstr(dump, "secret-"));
    assert_null(strstr(dump, "argon2"));
    free(dump);
    json_decref(d);
    /* unchanged secrets are not mentioned at all */
    d = audit_diff(before, before);
    assert_int_equal(json_object_size(d), 0);
    json_decref(d);
    json_decref(before);
    json_decref(after);
}

static void test_diff_without_before_or_after(void **state)
{
    (void)state;
    json_t *after = json_pack("{s:s}", "name", "Foyer");
    json_t *d = audit_diff(NULL, after);
    assert_int_equal(json_object_size(d), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "name"), "to")), "Foyer");
    json_decref(d);
    d = audit_diff(after, NULL);
    assert_true(json_is_object(d));
    assert_int_equal(json_object_size(d), 0);
    json_decref(d);
    json_decref(after);
}

/* --- audit_write and the append-only table --------------------------------- */

static int setup_sqlite(void **state)
{
    return test_db_setup(state, false, "audit", TEST_MIG_OF(nodes_module), TEST_MIG_OF(audit_module));
}

static int setup_pg(void **state)
{
    return test_db_setup(state, true, "audit", TEST_MIG_OF(nodes_module), TEST_MIG_OF(audit_module));
}

static void test_write_and_append_only(void **state)
{
    db_t *db = test_db_or_skip(*state);
    int64_t root = nodes_root_id(db);
    assert_true(root > 0);

    json_t *ch = json_pack("{s:{s:s, s:s}, s:s}", "name", "from", "A", "to", "B", "password",
                           "plain-text-secret");
    assert_int_equal(audit_write(db, 0, "update", "node", root, root, ch, "192.0.2.7"), DB_OK);
    json_decref(ch);
    assert_int_equal(audit_write(db, 42, "login", "session", 0, 0, NULL, NULL), DB_OK);

    json_t *rows = db_query_json(db,
                                 "SELECT actor_id, action, entity, entity_id, node_id, node_path, "
                                 "changes, ip, at FROM audit_log ORDER BY id",
                                 NOPARAMS);
    assert_non_null(rows);
    assert_int_equal(json_array_size(rows), 2);
    json_t *a = json_array_get(rows, 0), *b = json_array_get(rows, 1);
    assert_true(json_is_null(json_object_get(a, "actor_id"))); /* 0: the system */
    assert_string_equal(json_string_value(json_object_get(a, "action")), "update");
    json_t *root_row = db_query_row_json(db, "SELECT path FROM nodes WHERE id = ?", PARAMS(P_INT(root)));
    assert_non_null(root_row);
    assert_string_equal(json_string_value(json_object_get(a, "node_path")),
                        json_string_value(json_object_get(root_row, "path")));
    json_decref(root_row);
    const char *changes = json_string_value(json_object_get(a, "changes"));
    assert_non_null(changes);
    /* compact, sorted keys; the secret replaced */
    assert_string_equal(changes, "{\"name\":{\"from\":\"A\",\"to\":\"B\"},\"password\":\"changed\"}");
    assert_string_equal(json_string_value(json_object_get(a, "ip")), "192.0.2.7");
    assert_true(json_integer_value(json_object_get(a, "at")) > 1700000000);
    assert_int_equal(json_integer_value(json_object_get(b, "actor_id")), 42);
    assert_string_equal(json_string_value(json_object_get(b, "node_path")), "");
    assert_true(json_is_null(json_object_get(b, "changes")));
    json_decref(rows);

    /* append-only: the database itself refuses changes and deletions */
    assert_int_not_equal(db_exec(db, "UPDATE audit_log SET action = 'forged'", NOPARAMS), DB_OK);
    assert_non_null(strstr(db_errmsg(db), "append-only"));
    assert_int_not_equal(db_exec(db, "DELETE FROM audit_log", NOPARAMS), DB_OK);
    assert_non_null(strstr(db_errmsg(db), "append-only"));
    /* inside a transaction too, and the rows stay as written */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_not_equal(db_exec(db, "DELETE FROM audit_log WHERE actor_id = 42", NOPARAMS), DB_OK);
    db_rollback(db);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM audit_log", NOPARAMS, -1), 2);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'forged'",
                                  NOPARAMS, -1), 0);
    /* a write in a transaction that is rolled back leaves nothing */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(audit_write(db, 1, "create", "user", 5, root, NULL, NULL), DB_OK);
    db_rollback(db);
    assert_int_equal(db_query_int(db, "SELECT count(*) FROM audit_log", NOPARAMS, -1), 2);

    /* the path is the node's own, deep in the tree; none for a node that is not there */
    int64_t assoc = test_add_node(db, root, "association", "Association Amal");
    int64_t eps = test_add_node(db, assoc, "eps", "Dar Amal");
    assert_true(eps > 0);
    assert_int_equal(audit_write(db, 1, "update", "node", eps, eps, NULL, NULL), DB_OK);
    assert_int_equal(audit_write(db, 1, "update", "node", 999999, 999999, NULL, NULL), DB_OK);
    rows = db_query_json(db, "SELECT node_id, node_path FROM audit_log ORDER BY id", NOPARAMS);
    assert_int_equal(json_array_size(rows), 4);
    char want[64];
    snprintf(want, sizeof want, "/%lld/%lld/%lld/", (long long)root, (long long)assoc, (long long)eps);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 2), "node_path")), want);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 3), "node_id")), 999999);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 3), "node_path")), "");
    json_decref(rows);

    /* the migrations the module brings are the exported ones */
    assert_ptr_equal(audit_module.migrations, audit_migrations);
    assert_int_equal(audit_module.n_migrations, AUDIT_N_MIGRATIONS);
}

int main(void)
{
    /* the ancestry hook (nodes module) gives audit rows their node's path */
    jouda_use_modules();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_changed_fields_only),
        cmocka_unit_test(test_diff_new_and_removed_values),
        cmocka_unit_test(test_diff_secrets_never_recorded),
        cmocka_unit_test(test_diff_without_before_or_after),
        {"audit_write and append-only on SQLite", test_write_and_append_only, setup_sqlite,
         test_db_teardown, NULL},
        {"audit_write and append-only on PostgreSQL", test_write_and_append_only, setup_pg,
         test_db_teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
