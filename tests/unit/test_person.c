/* test_person.c - the persons module: its pure helpers (age on a day, late
 * plans, plan status codes, the name shown in each language) and
 * person_retention (`jouda retention`): a person who left more than the
 * period ago is anonymised (names, notes and free text gone, the
 * pseudonymous code and the counts kept, referents, siblings, grants and
 * access log deleted, one audit row saying so and nothing else), one who
 * left recently and one still in care are not, the day of the period's end
 * is not yet past, a dry run changes nothing, a second run finds nobody; on
 * SQLite the names are not left in the database file.
 * Database tests run on a temporary SQLite file and, when JOUDA_TEST_PG_URL
 * is set, on PostgreSQL in a private schema (skipped otherwise). */
#include "testutil.h"

#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/seal.h"
#include "cli/cli.h"
#include "core/fold.h"
#include "nodes/nodes.h"
#include "notify/notify.h"
#include "person/person_internal.h"
#include "users/users.h"

static const unsigned char test_key[SEAL_KEY_BYTES] = {
    7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5, 2, 3, 5, 3, 6, 0, 2, 8, 7, 4, 7, 1, 3, 5, 2, 6, 6};

/* --- pure helpers ------------------------------------------------------------ */

static void test_age(void **state)
{
    (void)state;
    assert_int_equal(pers_age("2010-03-04", "2026-03-03"), 15);
    assert_int_equal(pers_age("2010-03-04", "2026-03-04"), 16); /* on the birthday */
    assert_int_equal(pers_age("2010-03-04", "2026-12-31"), 16);
    assert_int_equal(pers_age("2010-03-04", "04/03/2026"), 16); /* dd/mm/yyyy too */
    assert_int_equal(pers_age("04/03/2010", "2026-03-03"), 15);
    assert_int_equal(pers_age("2026-05-01", "2026-05-01"), 0);
    /* born on 29 February: a year older from 1 March in other years */
    assert_int_equal(pers_age("2012-02-29", "2026-02-28"), 13);
    assert_int_equal(pers_age("2012-02-29", "2026-03-01"), 14);
    assert_int_equal(pers_age("2012-02-29", "2028-02-29"), 16);
    /* unknown */
    assert_int_equal(pers_age(NULL, "2026-01-01"), -1);
    assert_int_equal(pers_age("2010-03-04", NULL), -1);
    assert_int_equal(pers_age("", "2026-01-01"), -1);
    assert_int_equal(pers_age("2026-02-30", "2026-03-01"), -1);
    assert_int_equal(pers_age("2010-13-01", "2026-03-01"), -1);
    assert_int_equal(pers_age("1899-12-31", "2026-03-01"), -1);
    assert_int_equal(pers_age("hier", "2026-03-01"), -1);
    assert_int_equal(pers_age("2010-03-04 x", "2026-03-01"), -1);
    /* born after the day */
    assert_int_equal(pers_age("2027-01-01", "2026-12-31"), -1);
}

static void test_status_codes(void **state)
{
    (void)state;
    static const char *const want[] = {"draft", "agreed", "in_review", "closed"};
    for (int s = PERS_DRAFT; s <= PERS_CLOSED; s++) {
        assert_string_equal(pers_status_code((pers_status_t)s), want[s]);
        assert_int_equal(pers_status_from_code(want[s]), s);
        assert_string_equal(pers_plan_status_codes[s], want[s]);
    }
    assert_null(pers_plan_status_codes[4]);
    assert_int_equal(pers_status_from_code("Agreed"), -1);
    assert_int_equal(pers_status_from_code("review"), -1);
    assert_int_equal(pers_status_from_code(""), -1);
    assert_int_equal(pers_status_from_code(NULL), -1);
    assert_string_equal(pers_status_code((pers_status_t)9), "draft");
    /* the other code lists are closed by NULL and lower case */
    const char *const *lists[] = {pers_sex_codes,  pers_origin_codes,    pers_legal_codes,
                                  pers_exit_codes, pers_agreement_codes, pers_sign_how_codes};
    for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
        size_t n = 0;
        for (; lists[l][n]; n++)
            for (const char *c = lists[l][n]; *c; c++)
                assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
        assert_true(n >= 2 && n < 10);
    }
    arena_t *a = arena_new();
    assert_string_equal(pers_code_msgid(a, "origin", "judicial"), "person.origin.judicial");
    assert_null(pers_code_msgid(a, "origin", NULL));
    arena_free(a);
}

static void test_plan_late(void **state)
{
    (void)state;
    pers_plan_t pl = {.status = PERS_AGREED, .next_review = "2026-06-15"};
    assert_false(pers_plan_late(&pl, "2026-06-14"));
    assert_false(pers_plan_late(&pl, "2026-06-15")); /* due today: not late yet */
    assert_true(pers_plan_late(&pl, "2026-06-16"));
    assert_true(pers_plan_late(&pl, "2027-01-01"));
    pl.status = PERS_IN_REVIEW;
    assert_true(pers_plan_late(&pl, "2026-06-16"));
    pl.status = PERS_DRAFT;
    assert_false(pers_plan_late(&pl, "2026-06-16"));
    pl.status = PERS_CLOSED;
    assert_false(pers_plan_late(&pl, "2026-06-16"));
    pl.status = PERS_AGREED;
    pl.next_review = NULL;
    assert_false(pers_plan_late(&pl, "2026-06-16"));
    pl.next_review = "2026-06-15";
    assert_false(pers_plan_late(&pl, NULL));
    assert_false(pers_plan_late(NULL, "2026-06-16"));
}

static void test_display_name(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    person_t p = {.code = "PABCD2345",
                  .first_name = "Yasmine",
                  .last_name = "Benali",
                  .first_name_ar = "ياسمين",
                  .last_name_ar = "بنعلي"};
    assert_string_equal(pers_display_name(a, &p, "fr"), "Yasmine Benali");
    assert_string_equal(pers_display_name(a, &p, "en"), "Yasmine Benali");
    assert_string_equal(pers_display_name(a, &p, "ar"), "ياسمين بنعلي");
    assert_string_equal(pers_display_name(a, &p, NULL), "Yasmine Benali");
    /* one script only: that one, whatever the language */
    person_t ar_only = {.code = "PABCD2345", .first_name_ar = "ياسمين", .last_name_ar = "بنعلي"};
    assert_string_equal(pers_display_name(a, &ar_only, "fr"), "ياسمين بنعلي");
    assert_string_equal(pers_display_name(a, &ar_only, "ar"), "ياسمين بنعلي");
    person_t fr_only = {.code = "PABCD2345", .first_name = "Yasmine", .last_name = "Benali"};
    assert_string_equal(pers_display_name(a, &fr_only, "ar"), "Yasmine Benali");
    /* a first name alone */
    person_t first = {.code = "PABCD2345", .first_name = "Yasmine"};
    assert_string_equal(pers_display_name(a, &first, "fr"), "Yasmine");
    /* no name (anonymised): the pseudonymous code */
    person_t none = {.code = "PABCD2345"};
    assert_string_equal(pers_display_name(a, &none, "fr"), "PABCD2345");
    assert_string_equal(pers_display_name(a, &none, "ar"), "PABCD2345");
    arena_free(a);
}

/* --- person_retention ---------------------------------------------------------- */

typedef struct {
    test_db_t *t;
    db_t *db;
    int64_t eps, unit, user, user2;
} fx_t;

static int setup(void **state, bool pg)
{
    fx_t *fx = xcalloc(1, sizeof *fx);
    *state = fx;
    fx->t = test_db_open(pg, "person");
    if (!fx->t)
        return -1;
    fx->db = fx->t->db;
    if (!fx->db)
        return 0; /* the test skips itself */
    if (test_db_migrate(fx->db, TEST_MIG_OF(nodes_module), TEST_MIG_OF(users_module),
                        TEST_MIG(auth), TEST_MIG_OF(audit_module), TEST_MIG_OF(notify_module),
                        TEST_MIG_OF(person_module)) != 0)
        return -1;
    int64_t root = nodes_root_id(fx->db);
    int64_t assoc = test_add_node(fx->db, root, "association", "Association Amal");
    fx->eps = test_add_node(fx->db, assoc, "eps", "Village d'enfants");
    fx->unit = test_add_node(fx->db, fx->eps, "unit", "Maison 1");
    role_t role = ROLE_STAFF;
    int64_t expiry = 0;
    user_new_t u = {.username = "mere.test",
                    .name = "Fatima Zahra Bennani",
                    .language = "fr",
                    .password_hash = TEST_FAKE_HASH,
                    .roles = &role,
                    .role_nodes = &fx->unit,
                    .role_expiry = &expiry,
                    .n_roles = 1};
    const char *why = NULL;
    if (users_insert(fx->db, 0, &u, NULL, &fx->user, &why, NULL) != RES_OK)
        return -1;
    u.username = "educ.test";
    u.role_nodes = &fx->eps;
    if (users_insert(fx->db, 0, &u, NULL, &fx->user2, &why, NULL) != RES_OK)
        return -1;
    seal_key_set(test_key);
    return fx->unit > 0 ? 0 : -1;
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
    test_db_close(fx->t);
    free(fx);
    return 0;
}

/* A person with everything the module holds about one: sealed notes, a
 * need, a plan with a goal, an action and a review, a referent, a grant, a
 * read of the file. exit: NULL when still in care. Its id. */
static int64_t add_person(fx_t *fx, const char *code, const char *first, const char *last,
                          const char *first_ar, const char *last_ar, const char *exit)
{
    db_t *db = fx->db;
    arena_t *a = arena_new();
    const char *fields[] = {first, last, first_ar, last_ar, code};
    char *key = text_fold_key(fields, 5);
    int64_t path_node = fx->unit;
    const char *path = nodes_path_of(db, a, path_node);
    int64_t id = db_query_int(
        db,
        "INSERT INTO persons (code, eps_id, node_id, path, first_name, last_name, first_name_ar,"
        " last_name_ar, search_key, birth_date, sex, admission_date, origin, origin_ref,"
        " legal_status, disability, disability_kind, exit_date, exit_destination, health_notes,"
        " family_notes, judicial_notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " '2001-05-17', 'f', '2008-09-01', 'judicial', ?, 'judicial_placement', 1, 'Surdité', ?,"
        " ?, ?, ?, ?, 1, 1) RETURNING id",
        PARAMS(P_TEXT(code), P_INT(fx->eps), P_INT(fx->unit), P_TEXT(path), P_TEXT(first),
               P_TEXT(last), P_TEXT(first_ar), P_TEXT(last_ar), P_TEXT(key),
               P_TEXT(seal_text(a, "Ordonnance 2008/1457")), P_TEXT(exit),
               P_TEXT(exit ? "autonomy" : NULL), P_TEXT(seal_text(a, "Asthme sévère")),
               P_TEXT(seal_text(a, "Mère en vie, visites mensuelles")),
               P_TEXT(seal_text(a, "Placement renouvelé"))),
        0);
    free(key);
    assert_true(id > 0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO person_needs (person_id, domain, level, situation,"
                             " strengths, needs, own_words, assessed_on, updated_at) VALUES (?,"
                             " 'health', 3, ?, ?, ?, ?, '2009-01-10', 1)",
                             PARAMS(P_INT(id), P_TEXT(seal_text(a, "Asthme")),
                                    P_TEXT(seal_text(a, "Courageuse")),
                                    P_TEXT(seal_text(a, "Suivi pneumologique")),
                                    P_TEXT(seal_text(a, "Je veux courir")))),
                     DB_OK);
    int64_t plan = db_query_int(
        db,
        "INSERT INTO person_plans (person_id, version, status, participation, agreement,"
        " child_signed_name, child_signed_on, child_signed_how, guardian_name, guardian_signed_on,"
        " guardian_signed_how, agreed_on, next_review, created_at, updated_at) VALUES (?, 1,"
        " 'agreed', ?, 'agrees', ?, '2009-02-01', 'signature', 'Samira El Idrissi', '2009-02-01',"
        " 'signature', '2009-02-01', '2009-08-01', 1, 1) RETURNING id",
        PARAMS(P_INT(id), P_TEXT(seal_text(a, "A choisi ses objectifs")), P_TEXT(first)), 0);
    assert_true(plan > 0);
    int64_t goal = db_query_int(db,
                                "INSERT INTO person_goals (plan_id, position, domain, text) VALUES"
                                " (?, 1, 'health', ?) RETURNING id",
                                PARAMS(P_INT(plan), P_TEXT(seal_text(a, "Gérer son asthme"))), 0);
    assert_true(goal > 0);
    assert_int_equal(db_exec(db,
                             "INSERT INTO person_actions (goal_id, position, text, who, due, done)"
                             " VALUES (?, 1, ?, 'Tante Khadija', '2009-05-01', 1)",
                             PARAMS(P_INT(goal), P_TEXT(seal_text(a, "Rendez-vous")))),
                     DB_OK);
    assert_int_equal(db_exec(db,
                             "INSERT INTO person_reviews (plan_id, reviewed_on, due_on, changes,"
                             " next_review, created_at) VALUES (?, '2009-07-20', '2009-08-01', ?,"
                             " '2010-01-20', 1)",
                             PARAMS(P_INT(plan), P_TEXT(seal_text(a, "Progrès nets")))),
                     DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO person_referents (person_id, user_id) VALUES (?, ?)",
                             PARAMS(P_INT(id), P_INT(fx->user))),
                     DB_OK);
    assert_int_equal(db_exec(db,
                             "INSERT INTO person_grants (person_id, user_id, granted_by, until_day,"
                             " reason, created_at) VALUES (?, ?, ?, '2030-01-01', 'Transfert', 1)",
                             PARAMS(P_INT(id), P_INT(fx->user2), P_INT(fx->user))),
                     DB_OK);
    assert_int_equal(db_exec(db,
                             "INSERT INTO person_reads (person_id, user_id, at, what) VALUES (?, ?,"
                             " 5, 'identity')",
                             PARAMS(P_INT(id), P_INT(fx->user))),
                     DB_OK);
    arena_free(a);
    return id;
}

static void siblings(fx_t *fx, int64_t a, int64_t b)
{
    assert_int_equal(db_exec(fx->db,
                             "INSERT INTO person_siblings (person_id, sibling_id) VALUES (?, ?),"
                             " (?, ?)",
                             PARAMS(P_INT(a), P_INT(b), P_INT(b), P_INT(a))),
                     DB_OK);
}

static int64_t count_of(fx_t *fx, const char *sql, int64_t id)
{
    return test_int(fx->db, sql, id);
}

static int64_t retention_rows(fx_t *fx)
{
    return db_query_int(fx->db,
                        "SELECT COUNT(*) FROM audit_log WHERE action = 'retention' AND entity ="
                        " 'person'",
                        NOPARAMS, -1);
}

/* Everything the module holds about a person who is not anonymised. */
static void assert_whole(fx_t *fx, int64_t id, const char *first)
{
    arena_t *a = arena_new();
    person_t p;
    assert_int_equal(pers_load(fx->db, a, id, &p), 0);
    assert_string_equal(p.first_name, first);
    assert_non_null(p.last_name);
    assert_non_null(p.first_name_ar);
    assert_string_equal(p.birth_date, "2001-05-17");
    assert_true(p.unsealed);
    assert_string_equal(p.health_notes, "Asthme sévère");
    assert_string_equal(p.family_notes, "Mère en vie, visites mensuelles");
    assert_string_equal(p.judicial_notes, "Placement renouvelé");
    assert_string_equal(p.origin_ref, "Ordonnance 2008/1457");
    assert_string_equal(p.disability_kind, "Surdité");
    assert_int_equal(p.anonymised_at, 0);
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_needs WHERE person_id = ? AND"
                              " situation IS NOT NULL AND own_words IS NOT NULL",
                              id),
                     1);
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_plans WHERE person_id = ? AND"
                              " participation IS NOT NULL AND child_signed_name IS NOT NULL"
                              " AND guardian_name IS NOT NULL",
                              id),
                     1);
    assert_int_equal(count_of(fx, "SELECT COUNT(*) FROM person_referents WHERE person_id = ?", id),
                     1);
    assert_int_equal(count_of(fx, "SELECT COUNT(*) FROM person_grants WHERE person_id = ?", id), 1);
    assert_int_equal(count_of(fx, "SELECT COUNT(*) FROM person_reads WHERE person_id = ?", id), 1);
    arena_free(a);
}

static void test_retention(void **state)
{
    fx_t *fx = *state;
    db_t *db = test_db_or_skip(fx->t);
    const char *today = "2026-12-06";
    /* left eleven years ago, two years ago, still in care (a sister of the
     * first), and exactly ten years ago today */
    int64_t old =
        add_person(fx, "POLD23456", "Yasmine", "Zerhouni", "ياسمين", "الزرهوني", "2015-12-06");
    int64_t recent = add_person(fx, "PNEW23456", "Salma", "Benali", "سلمى", "بنعلي", "2024-12-06");
    int64_t sister = add_person(fx, "PSIS23456", "Hiba", "Zerhouni", "هبة", "الزرهوني", NULL);
    int64_t edge = add_person(fx, "PEDG23456", "Imane", "Tahiri", "إيمان", "الطاهري", "2016-12-06");
    siblings(fx, old, sister);

    /* a dry run counts and changes nothing */
    assert_int_equal(person_retention(db, 10, today, true), 1);
    assert_whole(fx, old, "Yasmine");
    assert_int_equal(retention_rows(fx), 0);
    assert_int_equal(person_retention(db, 12, today, true), 0);
    assert_int_equal(person_retention(db, 1, today, true), 3);

    /* refused arguments */
    assert_int_equal(person_retention(db, 10, "06/12/2026", false), -1);
    assert_int_equal(person_retention(db, 10, NULL, false), -1);
    assert_int_equal(person_retention(db, -1, today, false), -1);
    assert_int_equal(retention_rows(fx), 0);

    assert_int_equal(person_retention(db, 10, today, false), 1);

    /* the one who left eleven years ago: anonymised */
    arena_t *a = arena_new();
    person_t p;
    assert_int_equal(pers_load(db, a, old, &p), 0);
    assert_string_equal(p.code, "POLD23456");
    assert_null(p.first_name);
    assert_null(p.last_name);
    assert_null(p.first_name_ar);
    assert_null(p.last_name_ar);
    assert_string_equal(p.birth_date, "2001-01-01");
    assert_null(p.health_notes);
    assert_null(p.family_notes);
    assert_null(p.judicial_notes);
    assert_null(p.origin_ref);
    assert_null(p.disability_kind);
    assert_true(p.unsealed);
    assert_true(p.anonymised_at > 0);
    /* what the statistics count stays */
    assert_string_equal(p.exit_date, "2015-12-06");
    assert_string_equal(p.exit_destination, "autonomy");
    assert_string_equal(p.admission_date, "2008-09-01");
    assert_string_equal(p.sex, "f");
    assert_string_equal(p.origin, "judicial");
    assert_string_equal(p.legal_status, "judicial_placement");
    assert_true(p.disability);
    assert_int_equal(p.node_id, fx->unit);
    assert_string_equal(pers_display_name(a, &p, "fr"), "POLD23456");
    assert_string_equal(pers_display_name(a, &p, "ar"), "POLD23456");
    /* found by its code, no more by its name */
    const char *key =
        pers_query_text(db, a, "SELECT search_key FROM persons WHERE id = ?", PARAMS(P_INT(old)));
    assert_non_null(key);
    assert_true(text_fold_match(key, "pold23456"));
    assert_false(text_fold_match(key, "yasmine"));
    assert_false(text_fold_match(key, "zerhouni"));
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_needs WHERE person_id = ? AND"
                              " situation IS NULL AND strengths IS NULL AND needs IS NULL AND"
                              " own_words IS NULL AND level = 3 AND domain = 'health'",
                              old),
                     1);
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_plans WHERE person_id = ? AND"
                              " participation IS NULL AND child_signed_name IS NULL AND"
                              " guardian_name IS NULL AND status = 'agreed' AND"
                              " agreement = 'agrees' AND child_signed_on = '2009-02-01'",
                              old),
                     1);
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_goals g JOIN person_plans pl ON"
                              " pl.id = g.plan_id WHERE pl.person_id = ? AND g.text IS NULL"
                              " AND g.domain = 'health'",
                              old),
                     1);
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_actions x JOIN person_goals g ON"
                              " g.id = x.goal_id JOIN person_plans pl ON pl.id = g.plan_id"
                              " WHERE pl.person_id = ? AND x.text IS NULL AND x.who = ''"
                              " AND x.done = 1",
                              old),
                     1);
    assert_int_equal(count_of(fx,
                              "SELECT COUNT(*) FROM person_reviews r JOIN person_plans pl ON"
                              " pl.id = r.plan_id WHERE pl.person_id = ? AND r.changes IS NULL"
                              " AND r.reviewed_on = '2009-07-20'",
                              old),
                     1);
    assert_int_equal(count_of(fx, "SELECT COUNT(*) FROM person_referents WHERE person_id = ?", old),
                     0);
    assert_int_equal(db_query_int(db,
                                  "SELECT COUNT(*) FROM person_siblings WHERE person_id = ? OR"
                                  " sibling_id = ?",
                                  PARAMS(P_INT(old), P_INT(old)), -1),
                     0);
    assert_int_equal(count_of(fx, "SELECT COUNT(*) FROM person_grants WHERE person_id = ?", old),
                     0);
    assert_int_equal(count_of(fx, "SELECT COUNT(*) FROM person_reads WHERE person_id = ?", old), 0);

    /* one audit row, by the system, that says so and holds no value */
    assert_int_equal(retention_rows(fx), 1);
    json_t *row = db_query_row_json(db,
                                    "SELECT actor_id, entity_id, changes FROM audit_log WHERE"
                                    " action = 'retention'",
                                    NOPARAMS);
    assert_non_null(row);
    assert_int_equal(json_integer_value(json_object_get(row, "actor_id")), 0);
    assert_int_equal(json_integer_value(json_object_get(row, "entity_id")), old);
    const char *changes = json_string_value(json_object_get(row, "changes"));
    assert_non_null(changes);
    assert_non_null(strstr(changes, "anonymised"));
    assert_null(strstr(changes, "Yasmine"));
    assert_null(strstr(changes, "2001-05-17"));
    json_decref(row);

    /* the others are whole; the sister lost only her link to the first */
    assert_whole(fx, recent, "Salma");
    assert_whole(fx, sister, "Hiba");
    assert_whole(fx, edge, "Imane"); /* exactly ten years ago: not yet */
    assert_int_equal(
        count_of(fx, "SELECT COUNT(*) FROM person_siblings WHERE person_id = ?", sister), 0);

    /* again: nobody new */
    assert_int_equal(person_retention(db, 10, today, false), 0);
    assert_int_equal(person_retention(db, 10, today, true), 0);
    assert_int_equal(retention_rows(fx), 1);
    /* the next day, the edge has passed */
    assert_int_equal(person_retention(db, 10, "2026-12-07", false), 1);
    assert_int_equal(retention_rows(fx), 2);
    assert_whole(fx, recent, "Salma");
    arena_free(a);

    /* SQLite: nothing of the names is left in the files */
    if (!fx->t->pg) {
        static const char *const suffix[] = {"", "-wal"};
        for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
            char *path = xasprintf("%s%s", fx->t->url, suffix[i]);
            char *data = NULL;
            size_t len = 0;
            if (file_read_all(path, 64 * 1024 * 1024, &data, &len) == 0) {
                /* (her sister still in care keeps the family name) */
                static const char *const gone[] = {"Yasmine", "yasmine", "ياسمين", "Imane",
                                                   "imane",   "Tahiri",  "tahiri", "الطاهري"};
                for (size_t g = 0; g < ARRAY_LEN(gone); g++)
                    if (memmem(data, len, gone[g], strlen(gone[g])))
                        fail_msg("%s still holds \"%s\"", path, gone[g]);
                /* the others are still there */
                assert_true(i == 1 || memmem(data, len, "Salma", 5) != NULL);
            }
            free(data);
            free(path);
        }
    }
}

/* February 29th: the period ends on the 28th in a year without it. */
static void test_retention_leap(void **state)
{
    fx_t *fx = *state;
    db_t *db = test_db_or_skip(fx->t);
    add_person(fx, "PFEB23456", "Nour", "Kettani", "نور", "الكتاني", "2014-02-27");
    add_person(fx, "PMAR23456", "Aya", "Filali", "آية", "الفيلالي", "2014-02-28");
    /* 2024-02-29 minus 10 years: 2014-02-28 */
    assert_int_equal(person_retention(db, 10, "2024-02-29", true), 1);
    assert_int_equal(person_retention(db, 10, "2024-03-01", true), 2);
    assert_int_equal(person_retention(db, 10, "2024-02-30", true), -1);
}

int main(void)
{
    jouda_use_modules(); /* the ancestry hook gives audit rows their paths */
    setenv("TZ", "Africa/Casablanca", 1);
    tzset();
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_plan_late),
        cmocka_unit_test(test_display_name),
        {"retention on SQLite", test_retention, setup_sqlite, teardown, NULL},
        {"retention on PostgreSQL", test_retention, setup_pg, teardown, NULL},
        {"retention and 29 February on SQLite", test_retention_leap, setup_sqlite, teardown, NULL},
        {"retention and 29 February on PostgreSQL", test_retention_leap, setup_pg, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
