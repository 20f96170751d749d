/* test_users.c - users and role assignments: the pure checks shared by the
 * pages, the API and the command line (usernames, emails, names, dates,
 * "next" targets, node paths), then account creation, sign-in lookup,
 * loading of the signed-in user and disabling, on SQLite and PostgreSQL. */
#include "testutil.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "notify/notify.h"
#include "org/org_users_model.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* --- Pure checks ----------------------------------------------------------- */

static void test_username(void **state)
{
    (void)state;
    assert_null(users_check_username("mere.fatima"));
    assert_null(users_check_username("abc"));
    assert_null(users_check_username("a_b-c.9"));
    assert_null(users_check_username("0123456789012345678901234567890123456789")); /* 40 */
    assert_non_null(users_check_username("01234567890123456789012345678901234567890")); /* 41 */
    assert_non_null(users_check_username("ab"));
    assert_non_null(users_check_username(""));
    assert_non_null(users_check_username(NULL));
    assert_non_null(users_check_username("Mere.Fatima")); /* callers lower-case first */
    assert_non_null(users_check_username("mère.fatima"));
    assert_non_null(users_check_username("mere fatima"));
    assert_non_null(users_check_username("a/b"));
    /* an email in the username field gets its own explanation */
    const char *why = users_check_username("x@y.ma");
    assert_non_null(why);
    assert_non_null(strstr(why, "@"));
}

static void test_email(void **state)
{
    (void)state;
    assert_null(users_check_email("directrice.casa@amal.ma"));
    assert_null(users_check_email("a@b.co"));
    assert_non_null(users_check_email("no-at.ma"));
    assert_non_null(users_check_email("@amal.ma"));
    assert_non_null(users_check_email("a@"));
    assert_non_null(users_check_email("a@b"));
    assert_non_null(users_check_email("a@b."));
    assert_non_null(users_check_email("a@@b.ma"));
    assert_non_null(users_check_email("a b@c.ma"));
    assert_non_null(users_check_email("a<b>@c.ma"));
    assert_non_null(users_check_email("a@b.ma\n"));
    assert_non_null(users_check_email(""));
    char longmail[300];
    memset(longmail, 'a', sizeof longmail);
    memcpy(longmail + 250, "@x.ma", 6); /* 255 characters */
    assert_non_null(users_check_email(longmail));
}

static void test_name(void **state)
{
    (void)state;
    assert_null(users_check_name("Fatima Zahra Bennani"));
    assert_null(users_check_name("فاطمة الزهراء بناني"));
    assert_non_null(users_check_name(""));
    assert_non_null(users_check_name("   "));
    assert_non_null(users_check_name(NULL));
    assert_non_null(users_check_name("a\x01" "b"));
    assert_non_null(users_check_name("line\nbreak"));
    assert_non_null(users_check_name("bad \xC3\x28 utf8"));
    char n[400] = "";
    for (int i = 0; i < 120; i++)
        strcat(n, "ب"); /* 120 characters, 240 bytes: accepted */
    assert_null(users_check_name(n));
    strcat(n, "ب");
    assert_non_null(users_check_name(n));
}

static void test_language_and_lower(void **state)
{
    (void)state;
    assert_true(users_language_ok("fr"));
    assert_true(users_language_ok("ar"));
    assert_true(users_language_ok("en"));
    assert_false(users_language_ok("de"));
    assert_false(users_language_ok("FR"));
    assert_false(users_language_ok(""));
    assert_false(users_language_ok(NULL));
    char s[] = "Mere.FATIMA@Amal.MA";
    users_lower(s);
    assert_string_equal(s, "mere.fatima@amal.ma");
    arena_t *a = arena_new();
    assert_string_equal(users_login_key(a, "  Educateur.Casa "), "educateur.casa");
    assert_string_equal(users_login_key(a, NULL), "");
    arena_free(a);
}

static void test_safe_next(void **state)
{
    (void)state;
    assert_string_equal(users_safe_next("/admin/users?q=a"), "/admin/users?q=a");
    assert_string_equal(users_safe_next("/"), "/");
    assert_string_equal(users_safe_next(NULL), "/");
    assert_string_equal(users_safe_next(""), "/");
    assert_string_equal(users_safe_next("//evil.example"), "/");
    assert_string_equal(users_safe_next("/\\evil.example"), "/");
    assert_string_equal(users_safe_next("https://evil.example/"), "/");
    assert_string_equal(users_safe_next("javascript:alert(1)"), "/");
    assert_string_equal(users_safe_next("/a\\b"), "/");
    assert_string_equal(users_safe_next("/a\r\nSet-Cookie: x=1"), "/");
    assert_string_equal(users_safe_next("/a\tb"), "/");
    char longp[600];
    memset(longp, 'a', sizeof longp);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    assert_string_equal(users_safe_next(longp), "/");
}

static void test_parse_date(void **state)
{
    (void)state;
    int64_t t = 0, u = 0;
    /* 31/12/2026 ends at 2026-12-31 23:59:59 in Casablanca (UTC+1) */
    assert_int_equal(users_parse_date("31/12/2026", &t), 0);
    assert_int_equal(t, 1798757999);
    assert_int_equal(users_parse_date("2026-12-31", &u), 0);
    assert_int_equal(u, t);
    assert_int_equal(users_parse_date(" 1/2/2027 ", &t), 0);
    assert_int_equal(users_parse_date("2027-02-01", &u), 0);
    assert_int_equal(t, u);
    char day[32];
    format_local_date(t, day, sizeof day);
    assert_string_equal(day, "01/02/2027");
    assert_int_equal(users_parse_date("29/02/2028", &t), 0); /* leap year */
    assert_int_equal(users_parse_date("29/02/2027", &t), -1);
    assert_int_equal(users_parse_date("31/04/2027", &t), -1);
    assert_int_equal(users_parse_date("32/01/2027", &t), -1);
    assert_int_equal(users_parse_date("00/01/2027", &t), -1);
    assert_int_equal(users_parse_date("01/13/2027", &t), -1);
    assert_int_equal(users_parse_date("2027-1-1x", &t), -1);
    assert_int_equal(users_parse_date("31-12-2026", &t), -1);
    assert_int_equal(users_parse_date("12/2026", &t), -1);
    assert_int_equal(users_parse_date("", &t), -1);
    assert_int_equal(users_parse_date(NULL, &t), -1);
    assert_int_equal(users_parse_date("01/01/1969", &t), -1);
}

static void test_path_parse(void **state)
{
    (void)state;
    int64_t ids[USERS_PATH_MAX];
    assert_int_equal(users_path_parse("/1/4/9/", ids, USERS_PATH_MAX), 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 9);
    assert_int_equal(users_path_parse("/1/", ids, USERS_PATH_MAX), 1);
    assert_int_equal(users_path_parse("/", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse(NULL, ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("1/4/", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("/1//4/", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("/1/4", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("/1/x/", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("/0/", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("/99999999999999999999/", ids, USERS_PATH_MAX), -1);
    assert_int_equal(users_path_parse("/1/2/3/", ids, 2), -1);
}

static void test_small_helpers(void **state)
{
    (void)state;
    assert_int_equal(users_minutes_ceil(1), 1);
    assert_int_equal(users_minutes_ceil(60), 1);
    assert_int_equal(users_minutes_ceil(61), 2);
    assert_int_equal(users_minutes_ceil(900), 15);
    assert_int_equal(users_minutes_ceil(0), 1);
    assert_string_equal(users_role_msgid(ROLE_DIRECTOR), "role.director");
    assert_string_equal(users_role_msgid(ROLE_QUALITY_REFERENT), "role.quality_referent");
    assert_string_equal(users_role_msgid(ROLE_NONE), "");
    for (int i = 0; users_role_codes[i]; i++) {
        role_t r = role_from_code(users_role_codes[i]);
        assert_int_not_equal(r, ROLE_NONE);
        char want[64];
        snprintf(want, sizeof want, "role.%s", users_role_codes[i]);
        assert_string_equal(users_role_msgid(r), want);
    }
    arena_t *a = arena_new();
    const char *s = users_fill_count(a, "%d to %d of %d", 1);
    s = users_fill_count(a, s, 50);
    s = users_fill_count(a, s, 163);
    assert_string_equal(s, "1 to 50 of 163");
    /* a translation is never used as a printf format */
    assert_string_equal(users_fill_count(a, "%s %n %d%%", 7), "%s %n 7%%");
    arena_free(a);
}

/* --- Database: creation, lookup, context, disabling ----------------------- */

typedef struct {
    db_t *db;
    char path[256];
    char schema[64];
    bool pg;
    int64_t root, assoc, eps, unit, eps2;
} fx_t;

static int migrate(db_t *db)
{
    char err[256] = "";
    if (db_migrate(db, org_migrations, org_migrations_count, err, sizeof err) != DB_OK ||
        db_migrate(db, auth_migrations, auth_migrations_count, err, sizeof err) != DB_OK ||
        db_migrate(db, audit_migrations, audit_migrations_count, err, sizeof err) != DB_OK ||
        db_migrate(db, notify_migrations, notify_migrations_count, err, sizeof err) != DB_OK ||
        auth_load_server_key(db) != 0) {
        fprintf(stderr, "migrate: %s\n", err);
        return -1;
    }
    return 0;
}

static int64_t add_node(db_t *db, int64_t parent, const char *kind, const char *name)
{
    json_t *row = db_query_row_json(db, "SELECT path FROM nodes WHERE id = ?", PARAMS(P_INT(parent)));
    if (!row)
        return 0;
    int64_t now = now_utc();
    int64_t id = db_query_int(db,
                              "INSERT INTO nodes (parent_id, kind, name, path, created_at, updated_at) "
                              "VALUES (?, ?, ?, '', ?, ?) RETURNING id",
                              PARAMS(P_INT(parent), P_TEXT(kind), P_TEXT(name), P_INT(now), P_INT(now)), 0);
    char *path = xasprintf("%s%lld/", json_string_value(json_object_get(row, "path")), (long long)id);
    const char *path_p = path;
    db_exec(db, "UPDATE nodes SET path = ? WHERE id = ?", PARAMS(P_TEXT(path_p), P_INT(id)));
    free(path);
    json_decref(row);
    return id;
}

static int build_tree(fx_t *fx)
{
    fx->root = org_root_id(fx->db);
    fx->assoc = add_node(fx->db, fx->root, "association", "Association Amal");
    fx->eps = add_node(fx->db, fx->assoc, "eps", "Village d'enfants");
    fx->unit = add_node(fx->db, fx->eps, "unit", "Maison 1");
    fx->eps2 = add_node(fx->db, fx->assoc, "eps", "Village d'enfants 2");
    return fx->root > 0 && fx->unit > 0 && fx->eps2 > 0 ? 0 : -1;
}

static int setup_sqlite(void **state)
{
    fx_t *fx = xcalloc(1, sizeof *fx);
    *state = fx;
    snprintf(fx->path, sizeof fx->path, "/tmp/jouda-test-users-%d.db", (int)getpid());
    unlink(fx->path);
    char err[256];
    fx->db = db_open(fx->path, err, sizeof err);
    if (!fx->db || migrate(fx->db) != 0 || build_tree(fx) != 0)
        return -1;
    return 0;
}

static int setup_pg(void **state)
{
    fx_t *fx = xcalloc(1, sizeof *fx);
    fx->pg = true;
    *state = fx;
    const char *url = test_pg_url();
    if (!url)
        return 0; /* the test skips itself */
    char err[256];
    fx->db = db_open(url, err, sizeof err);
    if (!fx->db) {
        fprintf(stderr, "pg: %s\n", err);
        return -1;
    }
    snprintf(fx->schema, sizeof fx->schema, "test_users_%d", (int)getpid());
    char sql[400];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; SET search_path TO %s",
             fx->schema, fx->schema, fx->schema);
    if (db_exec_script(fx->db, sql) != DB_OK || migrate(fx->db) != 0 || build_tree(fx) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    if (fx->db && fx->pg && fx->schema[0]) {
        char sql[200];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", fx->schema);
        db_exec_script(fx->db, sql);
    }
    if (fx->db)
        db_close(fx->db);
    if (!fx->pg) {
        char side[300];
        unlink(fx->path);
        snprintf(side, sizeof side, "%s-wal", fx->path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", fx->path);
        unlink(side);
    }
    free(fx);
    return 0;
}

static const char fake_hash[] = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

static int64_t create(fx_t *fx, const char *email, const char *username, role_t role, int64_t node,
                      int64_t expiry, const char **why)
{
    org_user_new_t u = {.email = email, .username = username, .name = "Fatima Zahra Bennani",
                        .language = "ar", .password_hash = fake_hash, .roles = &role,
                        .role_nodes = &node, .role_expiry = &expiry, .n_roles = 1};
    int64_t id = 0;
    *why = NULL;
    return org_user_create(fx->db, 7, &u, &id, why) == 0 ? id : -1;
}

static void test_create_and_login(void **state)
{
    fx_t *fx = *state;
    if (fx->pg && !fx->db)
        skip();
    const char *why;
    int64_t staff = create(fx, NULL, "Mere.Fatima", ROLE_STAFF, fx->unit, 0, &why);
    assert_true(staff > 0);
    /* a unit lifts to its EPS as the home node; the username is lower-cased */
    json_t *u = users_json(fx->db, NULL, staff);
    assert_non_null(u);
    assert_int_equal(json_integer_value(json_object_get(u, "node_id")), fx->eps);
    assert_string_equal(json_string_value(json_object_get(u, "username")), "mere.fatima");
    assert_true(json_is_null(json_object_get(u, "email")));
    assert_null(json_object_get(u, "password_hash"));
    assert_true(json_is_true(json_object_get(u, "active")));
    json_t *roles = json_object_get(u, "roles");
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")), "staff");
    json_decref(u);

    int64_t dir = create(fx, "Directrice@Amal.MA", NULL, ROLE_DIRECTOR, fx->eps, 0, &why);
    assert_true(dir > 0);

    /* sign-in lookup: email or username, any case, trimmed */
    int64_t id = 0;
    char hash[256];
    assert_int_equal(org_user_find_login(fx->db, "MERE.fatima", &id, hash, sizeof hash), 0);
    assert_int_equal(id, staff);
    assert_string_equal(hash, fake_hash);
    assert_int_equal(org_user_find_login(fx->db, " directrice@amal.ma ", &id, hash, sizeof hash), 0);
    assert_int_equal(id, dir);
    assert_int_equal(org_user_find_login(fx->db, "nobody", &id, hash, sizeof hash), -1);
    assert_int_equal(org_user_find_login(fx->db, "", &id, hash, sizeof hash), -1);
    /* an email is never matched against usernames and the other way round */
    assert_int_equal(org_user_find_login(fx->db, "directrice", &id, hash, sizeof hash), -1);

    /* duplicates, whatever the case */
    assert_int_equal(create(fx, NULL, "mere.FATIMA", ROLE_STAFF, fx->unit, 0, &why), -1);
    assert_string_equal(why, "This username is already used.");
    assert_int_equal(create(fx, "directrice@amal.ma", NULL, ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_string_equal(why, "This email is already used.");
    /* invalid input and roles that do not fit the node */
    assert_int_equal(create(fx, NULL, NULL, ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_non_null(why);
    assert_int_equal(create(fx, NULL, "x@y", ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_int_equal(create(fx, "not-an-email", NULL, ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_int_equal(create(fx, NULL, "directeur.unite", ROLE_DIRECTOR, fx->unit, 0, &why), -1);
    assert_string_equal(why, "This role cannot be given at this kind of place.");
    assert_int_equal(create(fx, NULL, "nowhere", ROLE_STAFF, 999999, 0, &why), -1);

    /* every creation was audited, with no password value */
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = 'create' "
                                          "AND entity = 'user'", NOPARAMS, -1), 2);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE changes LIKE ?",
                                  PARAMS(P_TEXT("%argon2%")), -1), 0);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = 'grant'",
                                  NOPARAMS, -1), 2);
}

static void test_context_and_disable(void **state)
{
    fx_t *fx = *state;
    if (fx->pg && !fx->db)
        skip();
    const char *why;
    int64_t now = now_utc();
    int64_t insp = create(fx, "inspecteur@entraide.ma", NULL, ROLE_INSPECTOR, fx->eps, now + 86400, &why);
    assert_true(insp > 0);
    /* a second, expired assignment counts for nothing */
    assert_int_equal(db_exec(fx->db,
                             "INSERT INTO user_roles (user_id, role, node_id, expires_at, created_at) "
                             "VALUES (?, 'inspector', ?, ?, ?)",
                             PARAMS(P_INT(insp), P_INT(fx->eps2), P_INT(now - 10), P_INT(now))),
                     DB_OK);
    arena_t *a = arena_new();
    user_ctx_t *u = org_user_ctx_load(fx->db, a, insp);
    assert_non_null(u);
    assert_int_equal(u->id, insp);
    assert_string_equal(u->email, "inspecteur@entraide.ma");
    assert_null(u->username);
    assert_string_equal(u->language, "ar");
    assert_int_equal(u->n_roles, 1);
    assert_int_equal(u->roles[0].role, ROLE_INSPECTOR);
    assert_int_equal(u->roles[0].node_id, fx->eps);
    assert_int_equal(u->roles[0].node_kind, NODE_EPS);
    assert_int_equal(u->roles[0].expires_at, now + 86400);
    json_t *live = users_roles_json(fx->db, NULL, insp, true);
    assert_int_equal(json_array_size(live), 1);
    json_decref(live);
    json_t *all = users_roles_json(fx->db, NULL, insp, false);
    assert_int_equal(json_array_size(all), 2);
    json_decref(all);

    /* disabling: no more sign-in, no more context, sessions gone, audited once */
    char tok[64], sh[80];
    assert_int_equal(session_create(fx->db, insp, "127.0.0.1", NULL, tok, sizeof tok, sh, sizeof sh), 0);
    assert_int_equal(org_user_set_active(fx->db, 7, insp, false), 0);
    assert_int_equal(org_user_set_active(fx->db, 7, insp, false), 0); /* already: no second row */
    assert_null(org_user_ctx_load(fx->db, a, insp));
    int64_t id;
    char hash[256];
    assert_int_equal(org_user_find_login(fx->db, "inspecteur@entraide.ma", &id, hash, sizeof hash), -1);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?",
                                  PARAMS(P_INT(insp)), -1), 0);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = 'disable' "
                                          "AND entity_id = ?", PARAMS(P_INT(insp)), -1), 1);
    assert_int_equal(org_user_set_active(fx->db, 7, insp, true), 0);
    assert_non_null(org_user_ctx_load(fx->db, a, insp));
    assert_int_equal(org_user_set_active(fx->db, 7, 999999, true), -1);
    arena_free(a);

    /* resolvers of routes taking a user id */
    assert_int_equal(users_home_of(fx->db, insp), fx->eps);
    assert_int_equal(users_home_of(fx->db, 999999), 0);
}

int main(void)
{
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_language_and_lower),
        cmocka_unit_test(test_safe_next),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_path_parse),
        cmocka_unit_test(test_small_helpers),
        {"create and login on SQLite", test_create_and_login, setup_sqlite, teardown, NULL},
        {"create and login on PostgreSQL", test_create_and_login, setup_pg, teardown, NULL},
        {"context and disable on SQLite", test_context_and_disable, setup_sqlite, teardown, NULL},
        {"context and disable on PostgreSQL", test_context_and_disable, setup_pg, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
