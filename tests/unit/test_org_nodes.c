/* test_org_nodes.c - the organisation tree: pure helpers (paths, kinds, code
 * lists, natural order, JSON view), the org migration (root node), ancestry
 * from nodes.path, and the audited writes (create, update with version
 * check, disable refused with active children) on SQLite and, when
 * JOUDA_TEST_PG_URL is set, on PostgreSQL. */
#include "testutil.h"

#include "audit/audit.h"
#include "org/org_nodes.h"

/* --- Pure helpers -------------------------------------------------------- */

static void test_path_parse(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    int64_t *ids;
    int n;
    assert_int_equal(org_path_parse(a, "/1/", &ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(org_path_parse(a, "/1/4/9/", &ids, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 9);
    assert_int_equal(org_path_parse(a, "/1/9223372036854775807/", &ids, &n), 0);
    assert_int_equal(ids[1], INT64_MAX);

    const char *bad[] = {NULL, "", "/", "1/2/", "/1/2", "//", "/1//2/", "/a/", "/0/", "/01/",
                         "/-1/", "/1/ 2/", "/9223372036854775808/", "/1/2/x"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(org_path_parse(a, bad[i], &ids, &n), -1);
        assert_int_equal(n, 0);
    }
    /* depth limit */
    char deep[256] = "/";
    for (int i = 1; i <= NODES_PATH_MAX; i++)
        snprintf(deep + strlen(deep), sizeof deep - strlen(deep), "%d/", i);
    assert_int_equal(org_path_parse(a, deep, &ids, &n), 0);
    assert_int_equal(n, NODES_PATH_MAX);
    strcat(deep, "99/");
    assert_int_equal(org_path_parse(a, deep, &ids, &n), -1);
    arena_free(a);
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

static int setup_sqlite(void **state)
{
    return test_db_setup(state, false, "org_nodes", TEST_MIG(org), TEST_MIG(audit));
}

static int setup_pg(void **state)
{
    return test_db_setup(state, true, "org_nodes", TEST_MIG(org), TEST_MIG(audit));
}

/* A request as the command line would make it: no user (actor 0). */
static req_t *fake_req(db_t *db)
{
    req_t *r = test_req(NULL, NULL);
    r->db = db;
    r->client_ip = "192.0.2.1";
    return r;
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
    req_t *r = fake_req(db);

    /* The migration made the root: id 1, path /1/. */
    int64_t root = nodes_root_id(db);
    assert_int_equal(root, 1);
    node_t rn;
    assert_int_equal(nodes_load(db, r->arena, root, &rn), 0);
    assert_int_equal(rn.kind, NODE_ROOT);
    assert_string_equal(rn.path, "/1/");
    assert_string_equal(rn.name, "Jouda");
    assert_int_equal(rn.parent_id, 0);
    int64_t *path;
    int n;
    node_kind_t kind;
    assert_int_equal(nodes_ancestry(db, r->arena, root, &path, &n, &kind), 0);
    assert_int_equal(n, 1);
    assert_int_equal(kind, NODE_ROOT);
    assert_int_equal(nodes_ancestry(db, r->arena, 999, &path, &n, &kind), -1);

    /* association -> EPS -> unit, each path computed from its parent. */
    int64_t assoc = 0, eps = 0, unit = 0;
    const char *conflict = NULL;
    node_input_t in = input_named("Association Amal");
    in.has_name_ar = true;
    in.name_ar = "جمعية أمل";
    assert_int_equal(nodes_insert(r, &rn, NODE_ASSOCIATION, &in, &assoc, &conflict), ORG_W_OK);
    node_t an;
    assert_int_equal(nodes_load(db, r->arena, assoc, &an), 0);
    assert_string_equal(an.path, arena_printf(r->arena, "/1/%lld/", (long long)assoc));
    assert_string_equal(an.name_ar, "جمعية أمل");
    assert_int_equal(an.version, 1);
    assert_true(an.active);

    in = input_named("Village Tanger");
    in.has_category = in.has_region = in.has_capacity = true;
    in.category = "children";
    in.region = "tanger_tetouan_alhoceima";
    in.capacity = 110;
    assert_int_equal(nodes_insert(r, &an, NODE_EPS, &in, &eps, &conflict), ORG_W_OK);
    node_t en;
    assert_int_equal(nodes_load(db, r->arena, eps, &en), 0);
    assert_int_equal(en.parent_id, assoc);
    assert_int_equal(en.capacity, 110);
    assert_string_equal(en.region, "tanger_tetouan_alhoceima");

    in = input_named("Maison 1");
    in.has_unit_kind = true;
    in.unit_kind = "family_house";
    assert_int_equal(nodes_insert(r, &en, NODE_UNIT, &in, &unit, &conflict), ORG_W_OK);
    assert_int_equal(nodes_ancestry(db, r->arena, unit, &path, &n, &kind), 0);
    assert_int_equal(n, 4);
    assert_int_equal(kind, NODE_UNIT);
    assert_int_equal(path[0], root);
    assert_int_equal(path[1], assoc);
    assert_int_equal(path[2], eps);
    assert_int_equal(path[3], unit);

    /* Each creation is audited with the node as its own scope. */
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'node' AND action = "
                               "'create' AND entity_id = ? AND node_id = entity_id",
                           unit),
                     1);

    /* Update with the right version: applied, version + 1, audited diff. */
    node_t un;
    assert_int_equal(nodes_load(db, r->arena, unit, &un), 0);
    in = input_named("Maison 1 bis");
    assert_int_equal(nodes_write(r, &un, &in, un.version, &conflict), ORG_W_OK);
    node_t un2;
    assert_int_equal(nodes_load(db, r->arena, unit, &un2), 0);
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

    /* A stale version changes nothing. */
    in = input_named("Lost update");
    conflict = NULL;
    assert_int_equal(nodes_write(r, &un, &in, un.version, &conflict), ORG_W_CONFLICT);
    assert_non_null(conflict);
    assert_int_equal(nodes_load(db, r->arena, unit, &un2), 0);
    assert_string_equal(un2.name, "Maison 1 bis");

    /* Nothing to change: no new version, no audit row. */
    int64_t audits = test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ?", unit);
    in = input_named("Maison 1 bis");
    assert_int_equal(nodes_write(r, &un2, &in, un2.version, &conflict), ORG_W_OK);
    node_t un3;
    assert_int_equal(nodes_load(db, r->arena, unit, &un3), 0);
    assert_int_equal(un3.version, un2.version);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ?", unit), audits);

    /* Disabling an EPS with an active unit is refused; after the unit, it works. */
    node_input_t off;
    memset(&off, 0, sizeof off);
    off.capacity = -1;
    off.has_active = true;
    off.active = false;
    assert_int_equal(nodes_load(db, r->arena, eps, &en), 0);
    conflict = NULL;
    assert_int_equal(nodes_write(r, &en, &off, en.version, &conflict), ORG_W_CONFLICT);
    assert_string_equal(conflict, nodes_msg_active_children(NODE_EPS));
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", eps), 1);
    assert_int_equal(nodes_write(r, &un3, &off, un3.version, &conflict), ORG_W_OK);
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", unit), 0);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'disable' AND "
                               "entity_id = ?",
                           unit),
                     1);
    assert_int_equal(nodes_write(r, &en, &off, en.version, &conflict), ORG_W_OK);
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", eps), 0);

    /* Nothing is added under a disabled node, and a unit is not enabled
     * again while its EPS is disabled. */
    assert_int_equal(nodes_load(db, r->arena, eps, &en), 0);
    int64_t other = 0;
    in = input_named("Maison 2");
    conflict = NULL;
    assert_int_equal(nodes_insert(r, &en, NODE_UNIT, &in, &other, &conflict), ORG_W_CONFLICT);
    assert_non_null(conflict);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM nodes WHERE parent_id = ?", eps), 1);
    node_input_t on = off;
    on.active = true;
    assert_int_equal(nodes_load(db, r->arena, unit, &un3), 0);
    conflict = NULL;
    assert_int_equal(nodes_write(r, &un3, &on, un3.version, &conflict), ORG_W_CONFLICT);
    assert_non_null(conflict);
    assert_int_equal(test_int(db, "SELECT active FROM nodes WHERE id = ?", unit), 0);

    /* A malformed stored path is not an ancestry. */
    assert_int_equal(db_exec(db, "UPDATE nodes SET path = '/1/x/' WHERE id = ?", PARAMS(P_INT(unit))),
                     DB_OK);
    assert_int_equal(nodes_ancestry(db, r->arena, unit, &path, &n, &kind), -1);
    test_req_free(r);
}

int main(void)
{
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
