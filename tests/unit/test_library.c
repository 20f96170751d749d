/* test_library.c - the document library: its pure helpers (codes, depth of
 * a path, the status moves, a review date passed) and its model on a
 * database: a document created with criteria, versions added (a stale rev
 * refused), approved, a newer version waiting for approval, read
 * acknowledgements counted once per version, and its kit part: exported from
 * one database and imported into another (created, then the same), a newer
 * version imported as an update, other contents of a known version kept
 * (skip), a bad document or a file that does not match refused (invalid).
 * Runs on a temporary SQLite file and, when JOUDA_TEST_PG_URL is set, on
 * PostgreSQL in private schemas (skipped otherwise). */
#include "testutil.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "library/library_internal.h"
#include "nodes/nodes.h"
#include "notify/notify.h"
#include "search/search.h"
#include "users/users.h"

/* --- pure helpers ------------------------------------------------------------ */

static void test_codes_and_paths(void **state)
{
    (void)state;
    assert_true(lib_code_valid("doc-ab12cd34"));
    assert_true(lib_code_valid("proc.visites_2"));
    assert_false(lib_code_valid("Doc-ab12cd34"));
    assert_false(lib_code_valid("-doc"));
    assert_false(lib_code_valid(""));
    assert_false(lib_code_valid(NULL));
    assert_false(lib_code_valid("doc ab"));
    char long_code[62];
    memset(long_code, 'a', 61);
    long_code[61] = '\0';
    assert_false(lib_code_valid(long_code));
    long_code[60] = '\0';
    assert_true(lib_code_valid(long_code));
    assert_int_equal(lib_path_depth("/1/"), 1);
    assert_int_equal(lib_path_depth("/1/4/"), 2);
    assert_int_equal(lib_path_depth("/1/4/9/"), 3);
    assert_int_equal(lib_path_depth("/1/4/9/12/"), 4);
    assert_int_equal(lib_status_from_code("approved"), LIB_APPROVED);
    assert_int_equal(lib_status_from_code("published"), -1);
    assert_string_equal(lib_status_code(LIB_ARCHIVED), "archived");
}

static size_t moves(lib_status_t s, int64_t version, int64_t approved, const char **out)
{
    lib_doc_t d;
    memset(&d, 0, sizeof d);
    d.status = s;
    d.version = version;
    d.approved_version = approved;
    return lib_transitions(&d, out);
}

static void test_transitions(void **state)
{
    (void)state;
    const char *m[3];
    assert_int_equal(moves(LIB_DRAFT, 0, 0, m), 1); /* nothing to approve without a file */
    assert_string_equal(m[0], "archived");
    assert_int_equal(moves(LIB_DRAFT, 1, 0, m), 2);
    assert_string_equal(m[0], "approved");
    assert_int_equal(moves(LIB_APPROVED, 2, 2, m), 1);
    assert_string_equal(m[0], "archived");
    assert_int_equal(moves(LIB_APPROVED, 3, 2, m), 2); /* a newer version waits */
    assert_string_equal(m[0], "approved");
    assert_int_equal(moves(LIB_ARCHIVED, 3, 2, m), 1);
    assert_string_equal(m[0], "draft");

    lib_doc_t d;
    memset(&d, 0, sizeof d);
    d.status = LIB_APPROVED;
    d.review_on = "2026-05-01";
    assert_false(lib_overdue(&d, "2026-05-01")); /* the day itself is not past */
    assert_true(lib_overdue(&d, "2026-05-02"));
    d.status = LIB_DRAFT;
    assert_false(lib_overdue(&d, "2027-01-01"));
    d.status = LIB_APPROVED;
    d.review_on = NULL;
    assert_false(lib_overdue(&d, "2027-01-01"));
}

/* --- the model and the kit on two databases ------------------------------------- */

typedef struct {
    test_db_t *t, *t2;
    db_t *db, *db2;
    int64_t eps, user, root2;
    const char *eps_path, *root2_path;
    arena_t *a;
} fx_t;

static int migrate(db_t *db)
{
    return test_db_migrate(db, TEST_MIG_OF(nodes_module), TEST_MIG_OF(users_module),
                           TEST_MIG(auth), TEST_MIG_OF(audit_module), TEST_MIG_OF(notify_module),
                           TEST_MIG_OF(attach_module), TEST_MIG_OF(search_module),
                           TEST_MIG_OF(library_module));
}

static int setup(void **state, bool pg)
{
    fx_t *fx = calloc(1, sizeof *fx);
    *state = fx;
    fx->a = arena_new();
    fx->t = test_db_open(pg, "library");
    fx->t2 = test_db_open(pg, "library2");
    if (!fx->t || !fx->t2)
        return -1;
    fx->db = fx->t->db;
    fx->db2 = fx->t2->db;
    if (!fx->db || !fx->db2)
        return 0; /* the test skips itself */
    if (migrate(fx->db) != 0 || migrate(fx->db2) != 0)
        return -1;
    int64_t root = nodes_root_id(fx->db);
    int64_t assoc = test_add_node(fx->db, root, "association", "Association Amal");
    fx->eps = test_add_node(fx->db, assoc, "eps", "Village d'enfants Tanger");
    fx->eps_path = nodes_path_of(fx->db, fx->a, fx->eps);
    role_t role = ROLE_DIRECTOR;
    int64_t expiry = 0;
    user_new_t u = {.email = "directeur@test.ma", .name = "Youssef Alami", .language = "fr",
                    .password_hash = TEST_FAKE_HASH, .roles = &role, .role_nodes = &fx->eps,
                    .role_expiry = &expiry, .n_roles = 1};
    const char *why = NULL;
    if (users_insert(fx->db, 0, &u, NULL, &fx->user, &why, NULL) != RES_OK)
        return -1;
    fx->root2 = nodes_root_id(fx->db2);
    fx->root2_path = nodes_path_of(fx->db2, fx->a, fx->root2);
    return 0;
}

static int setup_sqlite(void **state)
{
    return setup(state, false);
}

static int setup_pg(void **state)
{
    return setup(state, true);
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    if (fx) {
        test_db_close(fx->t);
        test_db_close(fx->t2);
        arena_free(fx->a);
        free(fx);
    }
    return 0;
}

/* A small valid PDF saying text. */
static http_file_t pdf_file(arena_t *a, const char *name, const char *text)
{
    http_file_t f;
    memset(&f, 0, sizeof f);
    f.field = "file";
    f.filename = name;
    f.data = arena_printf(a,
                          "%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                          "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%% %s\ntrailer<</Root 1 0 R>>\n"
                          "%%%%EOF\n",
                          text);
    f.len = strlen(f.data);
    return f;
}

static void load(db_t *db, arena_t *a, int64_t id, lib_doc_t *d)
{
    assert_int_equal(lib_load(db, a, id, d), 0);
}

static app_kit_verdict_t import_one(db_t *db, arena_t *a, int64_t node, const char *path,
                                    const app_kit_item_t *it, bool apply)
{
    app_kit_ctx_t ctx = {.db = db, .a = a, .actor = 0, .ip = NULL, .node_id = node,
                         .node_path = path, .apply = apply};
    app_kit_verdict_t v;
    bool mine = !db_in_tx(db);
    if (mine)
        assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(lib_kit_parts[0].import(&ctx, it, &v), DB_OK);
    if (mine)
        assert_int_equal(db_commit(db), DB_OK);
    return v;
}

static void test_model_and_kit(void **state)
{
    fx_t *fx = *state;
    if (!fx->db) {
        skip();
        return;
    }
    db_t *db = fx->db;
    arena_t *a = fx->a;
    lib_crit_t crit[] = {{"JOUDA-EPS-ENFANCE", "7.2"}, {"Q4C", "5"}};
    lib_input_t in;
    memset(&in, 0, sizeof in);
    in.kind = "procedure";
    in.title_fr = "Procédure de signalement";
    in.title_ar = "مسطرة التبليغ";
    in.summary = "Ce que fait tout professionnel.";
    in.owner_id = fx->user;
    in.criteria = crit;
    in.n_criteria = 2;
    int64_t id = 0;
    assert_int_equal(lib_create(db, a, fx->user, NULL, fx->eps, fx->eps_path, &in, &id), RES_OK);
    lib_doc_t d;
    load(db, a, id, &d);
    assert_true(lib_code_valid(d.code));
    assert_int_equal(strlen(d.code), 12);
    assert_int_equal(d.status, LIB_DRAFT);
    assert_int_equal(d.version, 0);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM document_criteria WHERE document_id = ?", id), 2);

    /* versions: 1 and 2; a stale rev is refused and writes nothing */
    http_file_t f1 = pdf_file(a, "procedure-v1.pdf", "un"), f2 = pdf_file(a, "procedure-v2.pdf", "deux");
    int64_t n = 0;
    assert_int_equal(lib_add_version(db, a, fx->user, NULL, &d, &f1, "Première", 0, false, d.rev, &n, NULL), RES_OK);
    assert_int_equal(n, 1);
    assert_int_equal(lib_add_version(db, a, fx->user, NULL, &d, &f2, "Stale", 0, false, d.rev, &n, NULL), RES_CONFLICT);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM document_versions WHERE document_id = ?", id), 1);
    load(db, a, id, &d);
    assert_int_equal(lib_add_version(db, a, fx->user, NULL, &d, &f2, "Relue", 0, false, 0, &n, NULL), RES_OK);
    assert_int_equal(n, 2);
    /* a file of a refused kind: nothing written */
    http_file_t bad = {.field = "file", .filename = "x.exe", .data = "MZ\x90", .len = 3};
    const char *why = NULL;
    load(db, a, id, &d);
    assert_int_equal(lib_add_version(db, a, fx->user, NULL, &d, &bad, "", 0, false, 0, &n, &why), RES_INVALID);
    assert_non_null(why);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM document_versions WHERE document_id = ?", id), 2);

    /* approved: version 2; a third version waits */
    load(db, a, id, &d);
    assert_int_equal(lib_set_status(db, a, fx->user, NULL, &d, LIB_DRAFT, 0), RES_CONFLICT);
    assert_int_equal(lib_set_status(db, a, fx->user, NULL, &d, LIB_APPROVED, 0), RES_OK);
    load(db, a, id, &d);
    assert_int_equal(d.approved_version, 2);
    bool created = false;
    assert_int_equal(lib_acknowledge(db, fx->user, NULL, &d, &created), RES_OK);
    assert_true(created);
    assert_int_equal(lib_acknowledge(db, fx->user, NULL, &d, &created), RES_OK);
    assert_false(created);
    http_file_t f3 = pdf_file(a, "procedure-v3.pdf", "trois");
    assert_int_equal(lib_add_version(db, a, fx->user, NULL, &d, &f3, "", 0, false, 0, &n, NULL), RES_OK);
    load(db, a, id, &d);
    assert_int_equal(d.version, 3);
    assert_int_equal(d.approved_version, 2);
    assert_int_equal(lib_acked_at(db, id, 2, fx->user) > 0, 1);
    assert_int_equal(lib_acked_at(db, id, 3, fx->user), 0);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'document' AND entity_id = ?", id), 6);

    /* the kit carries the approved version, never the owner */
    app_kit_items_t items = {0};
    const char *root1 = nodes_path_of(db, a, nodes_root_id(db)); /* the whole instance */
    assert_int_equal(lib_kit_parts[0].export(db, a, root1, &items), DB_OK);
    assert_int_equal(items.n, 1);
    app_kit_item_t *it = &items.v[0];
    assert_string_equal(it->code, d.code);
    assert_int_equal(it->version, 2);
    assert_string_equal(it->lang, "");
    assert_int_equal(it->n_files, 1);
    assert_int_equal(it->files[0].len, f2.len);
    assert_memory_equal(it->files[0].data, f2.data, f2.len);
    char *text = json_dumps(it->doc, JSON_SORT_KEYS);
    assert_null(strstr(text, "owner"));
    assert_null(strstr(text, "directeur@test.ma"));
    assert_non_null(strstr(text, "\"ref\": \"Q4C\""));
    free(text);

    /* into another database: created (dry run first), then the same */
    db_t *db2 = fx->db2;
    app_kit_verdict_t v = import_one(db2, a, fx->root2, fx->root2_path, it, false);
    assert_int_equal(v.action, KIT_CREATE);
    assert_int_equal(test_int(db2, "SELECT COUNT(*) FROM documents WHERE id > ?", 0), 0);
    v = import_one(db2, a, fx->root2, fx->root2_path, it, true);
    assert_int_equal(v.action, KIT_CREATE);
    assert_true(v.id > 0);
    lib_doc_t d2;
    load(db2, a, v.id, &d2);
    assert_string_equal(d2.code, d.code);
    assert_int_equal(d2.status, LIB_APPROVED);
    assert_int_equal(d2.approved_version, 2);
    assert_int_equal(d2.owner_id, 0);
    assert_string_equal(d2.node_path, fx->root2_path);
    v = import_one(db2, a, fx->root2, fx->root2_path, it, true);
    assert_int_equal(v.action, KIT_SAME);
    /* exported again from there: the same item */
    app_kit_items_t back = {0};
    assert_int_equal(lib_kit_parts[0].export(db2, a, fx->root2_path, &back), DB_OK);
    assert_int_equal(back.n, 1);
    assert_true(json_equal(back.v[0].doc, it->doc));
    assert_memory_equal(back.v[0].files[0].data, it->files[0].data, it->files[0].len);

    /* the newer version approved here is an update there */
    load(db, a, id, &d);
    assert_int_equal(lib_set_status(db, a, fx->user, NULL, &d, LIB_APPROVED, 0), RES_OK);
    app_kit_items_t items3 = {0};
    assert_int_equal(lib_kit_parts[0].export(db, a, root1, &items3), DB_OK);
    assert_int_equal(items3.v[0].version, 3);
    v = import_one(db2, a, fx->root2, fx->root2_path, &items3.v[0], true);
    assert_int_equal(v.action, KIT_UPDATE);
    load(db2, a, d2.id, &d2);
    assert_int_equal(d2.approved_version, 3);
    /* the older version is still known there, the same */
    v = import_one(db2, a, fx->root2, fx->root2_path, it, false);
    assert_int_equal(v.action, KIT_SAME);

    /* other contents for a known version: kept; a bad document or file: invalid */
    app_kit_item_t other = items3.v[0];
    other.doc = json_deep_copy(items3.v[0].doc);
    json_object_set_new(other.doc, "title_fr", json_string("Un autre titre"));
    v = import_one(db2, a, fx->root2, fx->root2_path, &other, true);
    assert_int_equal(v.action, KIT_SKIP);
    json_object_set_new(other.doc, "kind", json_string("memo"));
    v = import_one(db2, a, fx->root2, fx->root2_path, &other, true);
    assert_int_equal(v.action, KIT_INVALID);
    json_decref(other.doc);
    other.doc = json_deep_copy(items3.v[0].doc);
    app_kit_file_t tampered = other.files[0];
    tampered.data = (const unsigned char *)f1.data;
    tampered.len = f1.len;
    other.files = &tampered;
    v = import_one(db2, a, fx->root2, fx->root2_path, &other, true);
    assert_int_equal(v.action, KIT_INVALID);
    json_decref(other.doc);
    assert_int_equal(test_int(db2, "SELECT COUNT(*) FROM document_versions WHERE document_id = ?", d2.id), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_and_paths),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test_setup_teardown(test_model_and_kit, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_model_and_kit, setup_pg, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
