/* test_nodes.c - the organisation tree (the nodes module): pure helpers
 * (paths, kinds, code lists, natural order, JSON view), its migration (root
 * node), ancestry from nodes.path (also as the framework's hook), and the
 * audited writes (create, update with version check, disable refused with
 * active children; each audit row keeps its node's path) on SQLite and,
 * when JOUDA_TEST_PG_URL is set, on PostgreSQL. */
#include "testutil.h"

#include "audit/audit.h"
#include "cli/cli.h"
#include "nodes/nodes_internal.h"

/* --- Pure helpers -------------------------------------------------------- */

static void test_path_parse(void **state)
{
    (void)state;
    int64_t ids[NODES_PATH_MAX + 2];
    assert_int_equal(nodes_path_parse("/1/", ids, NODES_PATH_MAX), 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(nodes_path_parse("/1/4/9/", ids, NODES_PATH_MAX), 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 9);
    /* ids are read as everywhere else (id_parse): at most 18 digits */
    assert_int_equal(nodes_path_parse("/1/999999999999999999/", ids, NODES_PATH_MAX), 2);
    assert_true(ids[1] == INT64_C(999999999999999999));

    const char *bad[] = {NULL, "", "/", "1/2/", "/1/2", "//", "/1//2/", "/a/", "/0/", "/01/",
                         "/-1/", "/+1/", "/1/ 2/", "/9223372036854775808/",
                         "/9223372036854775807/", "/1000000000000000000/", /* 19 digits */
                         "/1/2/x", "/1/2/ "};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (nodes_path_parse(bad[i], ids, NODES_PATH_MAX) != -1)
            fail_msg("parsed \"%s\"", bad[i] ? bad[i] : "(null)");
    /* depth limit: max ids at most */
    char deep[256] = "/";
    for (int i = 1; i <= NODES_PATH_MAX; i++)
        snprintf(deep + strlen(deep), sizeof deep - strlen(deep), "%d/", i);
    assert_int_equal(nodes_path_parse(deep, ids, NODES_PATH_MAX), NODES_PATH_MAX);
    assert_int_equal(ids[NODES_PATH_MAX - 1], NODES_PATH_MAX);
    strcat(deep, "99/");
    assert_int_equal(nodes_path_parse(deep, ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse(deep, ids, NODES_PATH_MAX + 1), NODES_PATH_MAX + 1);
    assert_int_equal(nodes_path_parse("/1/4/9/", ids, 2), -1);
    assert_int_equal(nodes_path_parse("/1/4/", ids, 2), 2);
    assert_int_equal(nodes_path_parse("/1/", ids, 0), -1);
}

static void test_path_child_and_within(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(nodes_path_child(a, "/1/", 2), "/1/2/");
    assert_string_equal(nodes_path_child(a, "/1/2/3/", 40), "/1/2/3/40/");
    assert_null(nodes_path_child(a, "/1/", 0));
    assert_null(nodes_path_child(a, "/1/", -5));
    assert_null(nodes_path_child(a, "", 3));
    assert_null(nodes_path_child(a, "/1", 3));
    assert_null(nodes_path_child(a, NULL, 3));
    assert_null(nodes_path_child(a, "/1/0/", 3)); /* a malformed parent */
    assert_null(nodes_path_child(a, "/1/x/", 3));
    /* nothing deeper than NODES_PATH_MAX */
    char deep[256] = "/";
    for (int i = 1; i < NODES_PATH_MAX; i++)
        snprintf(deep + strlen(deep), sizeof deep - strlen(deep), "%d/", i);
    const char *last = nodes_path_child(a, deep, 77);
    assert_non_null(last);
    int64_t ids[NODES_PATH_MAX];
    assert_int_equal(nodes_path_parse(last, ids, NODES_PATH_MAX), NODES_PATH_MAX);
    assert_int_equal(ids[NODES_PATH_MAX - 1], 77);
    assert_null(nodes_path_child(a, last, 78));

    assert_true(nodes_path_within("/1/2/3/", "/1/2/"));
    assert_true(nodes_path_within("/1/2/", "/1/2/"));
    assert_false(nodes_path_within("/1/2/", "/1/2/3/"));
    assert_false(nodes_path_within("/1/23/", "/1/2/")); /* segment, not digit prefix */
    assert_false(nodes_path_within("/1/2/", ""));
    assert_false(nodes_path_within(NULL, "/1/"));
    arena_free(a);
}

static void test_kinds(void **state)
{
    (void)state;
    assert_int_equal(nodes_child_kind(NODE_ROOT), NODE_ASSOCIATION);
    assert_int_equal(nodes_child_kind(NODE_ASSOCIATION), NODE_EPS);
    assert_int_equal(nodes_child_kind(NODE_EPS), NODE_UNIT);
    assert_int_equal(nodes_child_kind(NODE_UNIT), -1);

    assert_true(nodes_kind_parent_ok(NODE_ASSOCIATION, NODE_ROOT));
    assert_true(nodes_kind_parent_ok(NODE_EPS, NODE_ASSOCIATION));
    assert_true(nodes_kind_parent_ok(NODE_UNIT, NODE_EPS));
    assert_false(nodes_kind_parent_ok(NODE_UNIT, NODE_ASSOCIATION));
    assert_false(nodes_kind_parent_ok(NODE_EPS, NODE_ROOT));
    assert_false(nodes_kind_parent_ok(NODE_EPS, NODE_EPS));
    assert_false(nodes_kind_parent_ok(NODE_UNIT, NODE_UNIT));
    assert_false(nodes_kind_parent_ok(NODE_ROOT, NODE_ROOT));

    assert_true(nodes_field_applies(NODE_UNIT, "name"));
    assert_true(nodes_field_applies(NODE_ASSOCIATION, "name_ar"));
    assert_true(nodes_field_applies(NODE_EPS, "category"));
    assert_true(nodes_field_applies(NODE_EPS, "capacity"));
    assert_true(nodes_field_applies(NODE_EPS, "authorisation_no"));
    assert_false(nodes_field_applies(NODE_EPS, "unit_kind"));
    assert_true(nodes_field_applies(NODE_UNIT, "unit_kind"));
    assert_false(nodes_field_applies(NODE_UNIT, "category"));
    assert_false(nodes_field_applies(NODE_ASSOCIATION, "region"));
    assert_false(nodes_field_applies(NODE_EPS, "path"));
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;
    while (l[n])
        n++;
    return n;
}

static void test_code_lists(void **state)
{
    (void)state;
    assert_int_equal(list_len(nodes_categories), 7);
    assert_int_equal(list_len(nodes_unit_kinds), 5);
    assert_int_equal(list_len(nodes_regions), 12);
    assert_true(str_in(nodes_categories, "children"));
    assert_true(str_in(nodes_categories, "homeless"));
    assert_false(str_in(nodes_categories, "Children"));
    assert_false(str_in(nodes_categories, ""));
    assert_false(str_in(nodes_categories, NULL));
    assert_true(str_in(nodes_unit_kinds, "mother_child"));
    assert_false(str_in(nodes_unit_kinds, "children"));
    assert_true(str_in(nodes_regions, "casablanca_settat"));
    assert_true(str_in(nodes_regions, "dakhla_oued_eddahab"));
    assert_false(str_in(nodes_regions, "casablanca"));
    assert_false(str_in(NULL, "x"));

    arena_t *a = arena_new();
    assert_string_equal(nodes_code_msgid(a, "region", "fes_meknes"), "region.fes_meknes");
    assert_null(nodes_code_msgid(a, "region", NULL));
    assert_null(nodes_code_msgid(a, "region", ""));
    arena_free(a);
}

static void test_natural_order(void **state)
{
    (void)state;
    assert_true(str_natural_cmp("Maison 2", "Maison 10") < 0);
    assert_true(str_natural_cmp("Maison 10", "Maison 2") > 0);
    assert_true(str_natural_cmp("Maison 1", "Maison 1") == 0);
    assert_true(str_natural_cmp("maison 3", "Maison 4") < 0); /* case folded */
    assert_true(str_natural_cmp("Maison 007", "Maison 7") == 0);
    assert_true(str_natural_cmp("Foyer", "Maison 1") < 0);
    assert_true(str_natural_cmp("Maison", "Maison 1") < 0);
    assert_true(str_natural_cmp("Maison A", "Maison B") < 0);
    assert_true(str_natural_cmp(NULL, "a") < 0);
    assert_true(str_natural_cmp("a", NULL) > 0);
}

static void test_iso8601_and_json(void **state)
{
    (void)state;
    char buf[32];
    format_iso_utc(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    format_iso_utc(1798761600, buf, sizeof buf);
    assert_string_equal(buf, "2027-01-01T00:00:00Z");

    node_t n;
    memset(&n, 0, sizeof n);
    n.id = 7;
    n.parent_id = 1;
    n.kind = NODE_ASSOCIATION;
    n.name = "Association Amal";
    n.capacity = -1;
    n.active = true;
    n.version = 3;
    json_t *o = nodes_json(&n);
    assert_true(json_is_null(json_object_get(o, "parent_id"))); /* associations have none */
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "association");
    assert_true(json_is_null(json_object_get(o, "capacity")));
    assert_true(json_is_null(json_object_get(o, "name_ar")));
    assert_true(json_is_true(json_object_get(o, "active")));
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 3);
    assert_string_equal(json_string_value(json_object_get(o, "created_at")), "1970-01-01T00:00:00Z");
    json_decref(o);

    n.kind = NODE_EPS;
    n.parent_id = 7;
    n.capacity = 0;
    n.category = "children";
    n.active = false;
    o = nodes_json(&n);
    assert_int_equal(json_integer_value(json_object_get(o, "parent_id")), 7);
    assert_int_equal(json_integer_value(json_object_get(o, "capacity")), 0);
    assert_string_equal(json_string_value(json_object_get(o, "category")), "children");
    assert_true(json_is_false(json_object_get(o, "active")));
    json_decref(o);
}

/* --- Database: migration, ancestry, writes ------------------------------- */

/* The tables of the nodes module and the audit log; the modules are in use
 * (jouda_use_modules in main), so that audit rows get their node's path
 * through the ancestry hook. */
static int setup_sqlite(void **state)
{
    return test_db_setup(state, false, "nodes", TEST_MIG_OF(nodes_module), TEST_MIG_OF(audit_module));
}

static int setup_pg(void **state)
{
    return test_db_setup(state, true, "nodes", TEST_MIG_OF(nodes_module), TEST_MIG_OF(audit_module));
}

/* The writes as the command line makes them: no user (actor 0). */
#define IP "192.0.2.1"

/* The node path the audit row of (action, node) recorded, "" when none. */
static const char *audit_path(db_t *db, arena_t *a, const char *action, int64_t node)
{
    json_t *row = db_query_row_json(db,
                                    "SELECT node_path, ip FROM audit_log WHERE entity = 'node' AND "
                                    "action = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
                                    PARAMS(P_TEXT(action), P_INT(node)));
    if (!row)
        return "";
    assert_string_equal(json_string_value(json_object_get(row, "ip")), IP);
    const char *p = arena_strdup(a, json_string_value(json_object_get(row, "node_path")));
    json_decref(row);
    return p ? p : "";
}

static node_input_t input_named(const char *name)
{
    node_input_t in;
    memset(&in, 0, sizeof in);
    in.capacity = -1;
    in.has_name = true;
    in.name = name;
    return in;
}

static void test_tree_writes(void **state)
{
    db_t *db = test_db_or_skip(*state);
    arena_t *a = arena_new();

    /* The migration made the root: id 1, path /1/. */
    int64_t root = nodes_root_id(db);
    assert_int_equal(root, 1);
    node_t rn;
    assert_int_equal(nodes_load(db, a, root, &rn), 0);
    assert_int_equal(rn.kind, NODE_ROOT);
    assert_string_equal(rn.path, "/1/");
    assert_string_equal(rn.name, "Jouda");
    assert_int_equal(rn.parent_id, 0);
    int64_t *path;
    int n;
    node_kind_t kind;
    assert_int_equal(nodes_ancestry(db, a, root, &path, &n, &kind), 0);
    assert_int_equal(n, 1);
    assert_int_equal(kind, NODE_ROOT);
    assert_int_equal(nodes_ancestry(db, a, 999, &path, &n, &kind), -1);
    /* the same through the framework */
    char *stored = app_node_path(db, root);
    assert_string_equal(stored, "/1/");
    free(stored);
    assert_null(app_node_path(db, 999));
    assert_string_equal(nodes_path_of(db, a, root), "/1/");
    assert_string_equal(nodes_path_of(db, a, 999), "");

    /* association -> EPS -> unit, each path computed from its parent. */
    int64_t assoc = 0, eps = 0, unit = 0;
    const char *conflict = NULL;
    node_input_t in = input_named("Association Amal");
    in.has_name_ar = true;
    in.name_ar = "جمعية أمل";
    assert_int_equal(nodes_insert(db, a, 0, IP, &rn, NODE_ASSOCIATION, &in, &assoc, &conflict), RES_OK);
    node_t an;
    assert_int_equal(nodes_load(db, a, assoc, &an), 0);
    assert_string_equal(an.path, arena_printf(a, "/1/%lld/", (long long)assoc));
    assert_string_equal(an.name_ar, "جمعية أمل");
    assert_int_equal(an.version, 1);
    assert_true(an.active);

    in = input_named("Village Tanger");
    in.has_category = in.has_region = in.has_capacity = true;
    in.category = "children";
    in.region = "tanger_tetouan_alhoceima";
    in.capacity = 110;
    assert_int_equal(nodes_insert(db, a, 0, IP, &an, NODE_EPS, &in, &eps, &conflict), RES_OK);
    node_t en;
    assert_int_equal(nodes_load(db, a, eps, &en), 0);
    assert_int_equal(en.parent_id, assoc);
    assert_int_equal(en.capacity, 110);
    assert_string_equal(en.region, "tanger_tetouan_alhoceima");

    in = input_named("Maison 1");
    in.has_unit_kind = true;
    in.unit_kind = "family_house";
    assert_int_equal(nodes_insert(db, a, 0, IP, &en, NODE_UNIT, &in, &unit, &conflict), RES_OK);
    assert_int_equal(nodes_ancestry(db, a, unit, &path, &n, &kind), 0);
    assert_int_equal(n, 4);
    assert_int_equal(kind, NODE_UNIT);
    assert_int_equal(path[0], root);
    assert_int_equal(path[1], assoc);
    assert_int_equal(path[2], eps);
    assert_int_equal(path[3], unit);
    const char *unit_path = arena_printf(a, "/1/%lld/%lld/%lld/", (long long)assoc, (long long)eps,
                                         (long long)unit);
    stored = app_node_path(db, unit);
    assert_string_equal(stored, unit_path);
    free(stored);

    /* Each creation is audited with the node as its own scope. */
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'node' AND action = "
                               "'create' AND entity_id = ? AND node_id = entity_id",
                           unit),
                     1);
    assert_string_equal(audit_path(db, a, "create", unit), unit_path);
    assert_string_equal(audit_path(db, a, "create", assoc), an.path);

    /* Update with the right version: applied, version + 1, audited diff. */
    node_t un;
    assert_int_equal(nodes_load(db, a, unit, &un), 0);
    in = input_named("Maison 1 bis");
    assert_int_equal(nodes_write(db, a, 0, IP, &un, &in, un.version, &conflict), RES_OK);
    node_t un2;
    assert_int_equal(nodes_load(db, a, unit, &un2), 0);
    assert_string_equal(un2.name, "Maison 1 bis");
    assert_int_equal(un2.version, un.version + 1);
    assert_string_equal(un2.unit_kind, "family_house"); /* not given: unchanged */
    json_t *row = db_query_row_json(db,
                                    "SELECT changes FROM audit_log WHERE entity = 'node' AND action"
                                    " = 'update' AND entity_id = ? ORDER BY id DESC LIMIT 1",
                                    PARAMS(P_INT(unit)));
    assert_non_null(row);
    const char *changes = json_string_value(json_object_get(row, "changes"));
    assert_non_null(changes);
    assert_non_null(strstr(changes, "Maison 1 bis"));
    json_decref(row);
    assert_string_equal(audit_path(db, a, "update", unit), unit_path);

    /* A stale version changes nothing. */
    in = input_named("Lost update");
    conflict = NULL;
    assert_int_equal(nodes_write(db, a, 0, IP, &un, &in, un.version, &conflict), RES_CONFLICT);
    assert_non_null(conflict);
    assert_int_equal(nodes_load(db, a, unit, &un2), 0);
    assert_string_equal(un2.name, "Maison 1 bis");

    /* Nothing to change: no new version, no audit row. */
    int64_t audits = test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ?", unit);
    in = input_named("Maison 1 bis");
    assert_int_equal(nodes_write(db, a, 0, IP, &un2, &in, un2.version, &conflict), RES_OK);
    node_t un3;
    assert_int_equal(nodes_load(db, a, unit, &un3), 0);
    assert_int_equal(un3.version, un2.version);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ?", unit), audits);

    /* Disabling an EPS with an active unit is refused; after the unit, it works. */
    node_input_t off;
    memset(&off, 0, sizeof off);
    off.capacity = -1;
    off.has_active = true;
    off.active = false;
    assert_int_equal(nodes_load(db, a, eps, &en), 0);
    conflict = NULL;
    assert_int_equal(nodes_write(db, a, 0, IP, &en, &off, en.version, &conflict), RES_CONFLICT);
    assert_string_equal(conflict, nodes_msg_active_children(NODE_EPS));
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", eps), 1);
    assert_int_equal(nodes_write(db, a, 0, IP, &un3, &off, un3.version, &conflict), RES_OK);
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", unit), 0);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'disable' AND "
                               "entity_id = ?",
                           unit),
                     1);
    assert_int_equal(nodes_write(db, a, 0, IP, &en, &off, en.version, &conflict), RES_OK);
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", eps), 0);

    /* Nothing is added under a disabled node, and a unit is not enabled
     * again while its EPS is disabled. */
    assert_int_equal(nodes_load(db, a, eps, &en), 0);
    int64_t other = 0;
    in = input_named("Maison 2");
    conflict = NULL;
    assert_int_equal(nodes_insert(db, a, 0, IP, &en, NODE_UNIT, &in, &other, &conflict), RES_CONFLICT);
    assert_non_null(conflict);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ?", eps), 1);
    node_input_t on = off;
    on.active = true;
    assert_int_equal(nodes_load(db, a, unit, &un3), 0);
    conflict = NULL;
    assert_int_equal(nodes_write(db, a, 0, IP, &un3, &on, un3.version, &conflict), RES_CONFLICT);
    assert_non_null(conflict);
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", unit), 0);

    /* A malformed stored path is not an ancestry. */
    assert_int_equal(db_exec(db, "UPDATE nodes SET path = '/1/x/' WHERE id = ?", PARAMS(P_INT(unit))),
                     DB_OK);
    assert_int_equal(nodes_ancestry(db, a, unit, &path, &n, &kind), -1);
    arena_free(a);
}

int main(void)
{
    jouda_use_modules();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_parse),
        cmocka_unit_test(test_path_child_and_within),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_code_lists),
        cmocka_unit_test(test_natural_order),
        cmocka_unit_test(test_iso8601_and_json),
        {"tree writes on SQLite", test_tree_writes, setup_sqlite, test_db_teardown, NULL},
        {"tree writes on PostgreSQL", test_tree_writes, setup_pg, test_db_teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
