/* test_capit.c - capitalisation sheets: the pure rules (statuses and who
 * moves a sheet between them, themes, codes made once, documents' codes,
 * file names in kits) and the model on a database: a sheet written,
 * submitted and published, its next version opened (one at a time) and
 * published, the first one superseded; the fact "a published sheet
 * exists"; the kit part exporting the latest published version without
 * accounts or ids and importing it elsewhere (created, then the same, a
 * changed copy kept as it is, an invalid document refused), exported again
 * the same. SQLite always, PostgreSQL when JOUDA_TEST_PG_URL is set. */
#include "testutil.h"

#include <string.h>
#include <time.h>

#include "attach/attach.h"
#include "cli/cli.h"
#include "audit/audit.h"
#include "capit/capit_internal.h"
#include "nodes/nodes.h"
#include "notify/notify.h"
#include "search/search.h"
#include "users/users.h"

/* --- pure rules ------------------------------------------------------------ */

static void test_status_codes(void **state)
{
    (void)state;
    for (int s = CAP_DRAFT; s <= CAP_SUPERSEDED; s++)
        assert_int_equal(cap_status_from_code(cap_status_code((cap_status_t)s)), s);
    assert_int_equal(cap_status_from_code("archived"), -1);
    assert_int_equal(cap_status_from_code(NULL), -1);
    assert_true(cap_is_public(CAP_PUBLISHED));
    assert_true(cap_is_public(CAP_SUPERSEDED));
    assert_false(cap_is_public(CAP_REVIEW));
    assert_true(cap_theme_valid("participation_enfant"));
    assert_false(cap_theme_valid("Participation_enfant"));
    assert_false(cap_theme_valid(NULL));
    assert_int_equal(cap_text_index("lessons"), CAP_T_LESSONS);
    assert_int_equal(cap_text_index("title"), -1);
}

static void test_transitions(void **state)
{
    (void)state;
    /* writers submit and take back; publishers publish */
    assert_int_equal(cap_transition(CAP_DRAFT, CAP_REVIEW, true, false), RES_OK);
    assert_int_equal(cap_transition(CAP_REVIEW, CAP_DRAFT, true, false), RES_OK);
    assert_int_equal(cap_transition(CAP_REVIEW, CAP_PUBLISHED, true, false), RES_FORBIDDEN);
    assert_int_equal(cap_transition(CAP_DRAFT, CAP_PUBLISHED, true, false), RES_FORBIDDEN);
    assert_int_equal(cap_transition(CAP_REVIEW, CAP_PUBLISHED, true, true), RES_OK);
    assert_int_equal(cap_transition(CAP_DRAFT, CAP_PUBLISHED, false, true), RES_OK);
    assert_int_equal(cap_transition(CAP_DRAFT, CAP_REVIEW, false, false), RES_FORBIDDEN);
    /* impossible moves, whoever asks */
    assert_int_equal(cap_transition(CAP_PUBLISHED, CAP_REVIEW, true, true), RES_CONFLICT);
    assert_int_equal(cap_transition(CAP_PUBLISHED, CAP_DRAFT, true, true), RES_CONFLICT);
    assert_int_equal(cap_transition(CAP_SUPERSEDED, CAP_PUBLISHED, true, true), RES_CONFLICT);
    assert_int_equal(cap_transition(CAP_DRAFT, CAP_DRAFT, true, true), RES_CONFLICT);
    assert_int_equal(cap_transition(CAP_REVIEW, CAP_SUPERSEDED, true, true), RES_CONFLICT);
    cap_status_t out[4];
    assert_int_equal(cap_allowed(CAP_DRAFT, true, false, out), 1);
    assert_int_equal(out[0], CAP_REVIEW);
    assert_int_equal(cap_allowed(CAP_REVIEW, true, true, out), 2);
    assert_int_equal(cap_allowed(CAP_PUBLISHED, true, true, out), 0);
    assert_int_equal(cap_allowed(CAP_DRAFT, false, false, out), 0);
}

static void test_codes(void **state)
{
    (void)state;
    unsigned char rnd[8] = {0, 1, 31, 32, 255, 7, 100, 200};
    char code[13];
    cap_code_make(rnd, code);
    assert_int_equal(strlen(code), 12);
    assert_memory_equal(code, "cap-", 4);
    assert_true(cap_code_valid(code));
    assert_string_equal(code, "cap-ab9a9hei"); /* 0->a 1->b 31->9 32->a 255->9 7->h 100->e 200->i */
    assert_true(cap_code_valid("cap-abcdefgh"));
    assert_true(cap_code_valid("a.b_c-1"));
    assert_false(cap_code_valid("Cap-abc"));
    assert_false(cap_code_valid("-cap"));
    assert_false(cap_code_valid(""));
    assert_false(cap_code_valid("cap abc"));
    assert_false(cap_code_valid("../x"));
    char big[80];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_false(cap_code_valid(big));
    char d1[] = "Proc-Conseil.V2";
    assert_true(cap_doc_code_valid(d1));
    assert_string_equal(d1, "proc-conseil.v2");
    char d2[] = "bad code";
    assert_false(cap_doc_code_valid(d2));
    char d3[] = ".hidden";
    assert_false(cap_doc_code_valid(d3));
}

static void test_kit_filenames(void **state)
{
    (void)state;
    char out[128];
    cap_kit_filename("outil conseil.pdf", 1, out, sizeof out);
    assert_string_equal(out, "1-outil_conseil.pdf");
    cap_kit_filename("Compte rendu été 2024.docx", 2, out, sizeof out);
    assert_string_equal(out, "2-Compte_rendu_t_2024.docx");
    cap_kit_filename("ميثاق.pdf", 3, out, sizeof out);
    assert_string_equal(out, "3-_.pdf");
    cap_kit_filename("../../etc/passwd", 4, out, sizeof out);
    assert_null(strchr(out, '/'));
    assert_string_equal(out, "4-.._.._etc_passwd");
    cap_kit_filename("", 5, out, sizeof out);
    assert_string_equal(out, "5-file");
    cap_kit_filename("...", 6, out, sizeof out);
    assert_string_equal(out, "6-file");
    char longname[400];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cap_kit_filename(longname, 7, out, sizeof out);
    assert_true(strlen(out) <= 100);
    assert_int_not_equal(out[0], '.');
}

/* --- the model on a database ------------------------------------------------- */

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
                           TEST_MIG_OF(capit_module));
}

static int setup(void **state, bool pg)
{
    fx_t *fx = calloc(1, sizeof *fx);
    *state = fx;
    fx->a = arena_new();
    fx->t = test_db_open(pg, "capit");
    fx->t2 = test_db_open(pg, "capit2");
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

static void input(cap_input_t *in, const char *title, const char *lessons)
{
    memset(in, 0, sizeof *in);
    in->title = title;
    in->theme = "famille";
    in->lang = "fr";
    in->contributors = "";
    for (int i = 0; i < CAP_NTEXT; i++)
        in->text[i] = "";
    in->text[CAP_T_CONTEXT] = "Les visites se passaient dans un bureau.";
    in->text[CAP_T_LESSONS] = lessons;
    in->has_indicators = in->has_criteria = in->has_documents = true;
    in->ind[0] = (cap_indicator_t){"Familles", "14", ""};
    in->n_ind = 1;
    in->crit[0] = (cap_crit_t){"JOUDA-EPS-ENFANCE", "4.1"};
    in->n_crit = 1;
    in->docs[0] = "proc-visites";
    in->n_docs = 1;
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
    cap_ctx_t c = {db, a, fx->user, "127.0.0.1"};
    cap_input_t in;
    input(&in, "Ateliers parents-enfants", "Faire ensemble plutôt que parler.");
    in.has_authors = true;
    in.authors[0] = fx->user;
    in.n_authors = 1;
    cap_place_t p = {.node_id = fx->eps, .node_path = fx->eps_path, .eps_id = fx->eps,
                     .eps_name = "Village d'enfants Tanger", .status = CAP_DRAFT};
    int64_t id1 = 0;
    assert_int_equal(cap_create(&c, &p, &in, &id1), RES_OK);
    sheet_t s;
    assert_int_equal(cap_load(db, a, id1, &s), 0);
    assert_true(cap_code_valid(s.code));
    assert_int_equal(s.version, 1);
    assert_int_equal(s.status, CAP_DRAFT);
    /* a stale rev is refused */
    assert_int_equal(cap_update(&c, &s, &in, s.rev + 1), RES_CONFLICT);
    assert_int_equal(cap_set_status(&c, &s, CAP_REVIEW, NULL, 0), RES_OK);
    assert_int_equal(cap_set_status(&c, &s, CAP_REVIEW, NULL, 0), RES_CONFLICT); /* from draft: stale */
    assert_int_equal(cap_load(db, a, id1, &s), 0);
    assert_int_equal(cap_set_status(&c, &s, CAP_PUBLISHED, NULL, 0), RES_OK);
    assert_int_equal(cap_load(db, a, id1, &s), 0);
    assert_int_equal(s.status, CAP_PUBLISHED);
    /* the author (who published it himself) is not notified; nobody else is */
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM notifications WHERE user_id = ?", fx->user), 0);

    /* the next version, one at a time */
    cap_input_t ch;
    memset(&ch, 0, sizeof ch);
    ch.text[CAP_T_LESSONS] = "Faire ensemble, et rembourser les transports.";
    int64_t id2 = 0, open = 0;
    assert_int_equal(cap_new_version(&c, &s, &ch, &id2, &open), RES_OK);
    assert_int_not_equal(id2, id1);
    int64_t id3 = 0;
    assert_int_equal(cap_new_version(&c, &s, NULL, &id3, &open), RES_CONFLICT);
    assert_int_equal(open, id2);
    sheet_t v2;
    assert_int_equal(cap_load(db, a, id2, &v2), 0);
    assert_string_equal(v2.code, s.code);
    assert_int_equal(v2.version, 2);
    assert_int_equal(v2.status, CAP_DRAFT);
    assert_string_equal(v2.text[CAP_T_LESSONS], "Faire ensemble, et rembourser les transports.");
    assert_string_equal(v2.text[CAP_T_CONTEXT], s.text[CAP_T_CONTEXT]);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM sheet_links WHERE sheet_id = ?", id2), 2);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM sheet_authors WHERE sheet_id = ?", id2), 1);
    /* published: the first is superseded */
    assert_int_equal(cap_set_status(&c, &v2, CAP_PUBLISHED, NULL, 0), RES_OK);
    assert_int_equal(cap_load(db, a, id1, &s), 0);
    assert_int_equal(s.status, CAP_SUPERSEDED);
    assert_int_equal(test_int(db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'sheet' AND"
                                  " entity_id = ? AND action = 'supersede'", id1), 1);

    /* the fact */
    app_ids_t ids = {0};
    assert_int_equal(cap_fact_eps(db, a, "/1/", &ids), DB_OK);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], fx->eps);

    /* the kit part: the latest published version, no account nor id */
    app_kit_items_t items = {0};
    assert_int_equal(cap_kit_export(db, a, nodes_path_of(db, a, nodes_root_id(db)), &items), DB_OK);
    assert_int_equal(items.n, 1);
    assert_string_equal(items.v[0].code, s.code);
    assert_int_equal(items.v[0].version, 2);
    char *text = json_dumps(items.v[0].doc, JSON_SORT_KEYS);
    assert_non_null(strstr(text, "Youssef Alami"));
    assert_null(strstr(text, "directeur@test.ma"));
    assert_null(strstr(text, "author_ids"));
    assert_non_null(strstr(text, "\"criterion\": \"4.1\""));
    free(text);

    /* imported elsewhere: created at the root, then the same, a changed copy kept, an invalid refused */
    app_kit_ctx_t k = {.db = fx->db2, .a = a, .actor = 0, .node_id = fx->root2,
                       .node_path = fx->root2_path, .apply = false};
    app_kit_verdict_t v;
    assert_int_equal(cap_kit_import(&k, &items.v[0], &v), DB_OK);
    assert_int_equal(v.action, KIT_CREATE);
    assert_int_equal(test_int(fx->db2, "SELECT COUNT(*) FROM sheets WHERE id > ?", 0), 0);
    k.apply = true;
    assert_int_equal(cap_kit_import(&k, &items.v[0], &v), DB_OK);
    assert_int_equal(v.action, KIT_CREATE);
    assert_true(v.id > 0);
    sheet_t imp;
    assert_int_equal(cap_load(fx->db2, a, v.id, &imp), 0);
    assert_int_equal(imp.status, CAP_PUBLISHED);
    assert_true(imp.imported);
    assert_int_equal(imp.eps_id, 0);
    assert_string_equal(imp.eps_name, "Village d'enfants Tanger");
    assert_string_equal(imp.authors_text, "Youssef Alami");
    assert_int_equal(cap_kit_import(&k, &items.v[0], &v), DB_OK);
    assert_int_equal(v.action, KIT_SAME);
    app_kit_item_t changed = items.v[0];
    changed.doc = json_deep_copy(items.v[0].doc);
    json_object_set_new(changed.doc, "title", json_string("Autre titre"));
    assert_int_equal(cap_kit_import(&k, &changed, &v), DB_OK);
    assert_int_equal(v.action, KIT_SKIP);
    json_object_set_new(changed.doc, "theme", json_string("cuisine"));
    changed.code = "cap-other000";
    json_object_set_new(changed.doc, "code", json_string("cap-other000"));
    assert_int_equal(cap_kit_import(&k, &changed, &v), DB_OK);
    assert_int_equal(v.action, KIT_INVALID);
    json_decref(changed.doc);
    /* exported again from there: the same document */
    app_kit_items_t again = {0};
    assert_int_equal(cap_kit_export(fx->db2, a, fx->root2_path, &again), DB_OK);
    assert_int_equal(again.n, 1);
    assert_true(json_equal(again.v[0].doc, items.v[0].doc));
    /* no EPS of that instance has a sheet of its own */
    app_ids_t none = {0};
    assert_int_equal(cap_fact_eps(fx->db2, a, fx->root2_path, &none), DB_OK);
    assert_int_equal(none.n, 0);
    /* the items' documents belong to the arena (app_kit_item_t.doc) */
}

int main(void)
{
    jouda_use_modules();
    setenv("TZ", "Africa/Casablanca", 1);
    tzset();
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_kit_filenames),
        {"sheets and their kit part on SQLite", test_model_and_kit, setup_sqlite, teardown, NULL},
        {"sheets and their kit part on PostgreSQL", test_model_and_kit, setup_pg, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
