/* test_users.c - users and role assignments (the users module): the pure
 * checks shared by the pages, the API and the command line (usernames,
 * emails, names, dates, "next" targets, node paths), then account creation,
 * sign-in lookup, loading of the signed-in user (roles with their node's
 * path and kind) and disabling, the rules of roles, all-or-nothing changes
 * and scoped lists, on SQLite and PostgreSQL. */
#include "testutil.h"
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "nodes/nodes.h"
#include "notify/notify.h"
#include "users/users_internal.h"

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

/* Times as the API writes them come back in: exact seconds, UTC. */
static void test_parse_iso(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(users_parse_iso("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(users_parse_iso("2030-12-31T23:59:59Z", &t), 0);
    assert_int_equal(t, INT64_C(1924991999));
    assert_int_equal(users_parse_iso("2028-02-29T12:00:00Z", &t), 0);
    assert_int_equal(t, INT64_C(1835438400));
    char iso[32];
    format_iso_utc(t, iso, sizeof iso);
    assert_string_equal(iso, "2028-02-29T12:00:00Z");
    assert_int_equal(users_parse_iso("9999-12-31T23:59:59Z", &t), 0);
    assert_int_equal(t, INT64_C(253402300799));
    static const char *const bad[] = {NULL, "", "2030-12-31", "2030-12-31T23:59:59", "2030-12-31T23:59:59+01",
                                      "2027-02-29T00:00:00Z", "2030-13-01T00:00:00Z", "2030-12-32T00:00:00Z",
                                      "2030-12-31T24:00:00Z", "2030-12-31T23:60:00Z", "1969-12-31T23:59:59Z",
                                      "2030-12-31T23:59:59ZZ", "2030-12-31 23:59:59Z", "2030-1-31T23:59:59Z"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (users_parse_iso(bad[i], &t) == 0)
            fail_msg("accepted %s", bad[i] ? bad[i] : "NULL");
}

static void test_path_parse(void **state)
{
    (void)state;
    int64_t ids[NODES_PATH_MAX];
    assert_int_equal(nodes_path_parse("/1/4/9/", ids, NODES_PATH_MAX), 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 9);
    assert_int_equal(nodes_path_parse("/1/", ids, NODES_PATH_MAX), 1);
    assert_int_equal(nodes_path_parse("/", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse(NULL, ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("1/4/", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("/1//4/", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("/1/4", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("/1/x/", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("/0/", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("/99999999999999999999/", ids, NODES_PATH_MAX), -1);
    assert_int_equal(nodes_path_parse("/1/2/3/", ids, 2), -1);
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
    /* the counts of a list's pages ("1 to 50 of 163") */
    arena_t *a = arena_new();
    const long long counts[] = {1, 50, 163};
    assert_string_equal(text_fill_numbers(a, "%d to %d of %d", counts, 3), "1 to 50 of 163");
    /* a translation is never used as a printf format ("%%" is a percent sign) */
    assert_string_equal(text_fill_numbers(a, "%s %n %d%%", (const long long[]){7}, 1), "%s %n 7%");
    arena_free(a);
}

/* End dates of roles: after now, never past 31/12/9999 (what pages print). */
static void test_expiry_bounds(void **state)
{
    (void)state;
    int64_t now = 1790000000;
    assert_null(users_check_expiry(now + 1, now));
    assert_null(users_check_expiry(now + 86400, now));
    assert_null(users_check_expiry(USERS_EXPIRES_MAX, now));
    assert_non_null(users_check_expiry(now, now));
    assert_non_null(users_check_expiry(0, now));
    assert_non_null(users_check_expiry(-1, now));
    assert_non_null(users_check_expiry(INT64_MIN, now));
    assert_non_null(users_check_expiry(USERS_EXPIRES_MAX + 1, now));
    assert_non_null(users_check_expiry(253402300799, now)); /* 9999-12-31 UTC is 01/01/10000 here */
    assert_non_null(users_check_expiry(INT64_MAX, now));
    assert_string_equal(users_check_expiry(INT64_MAX, now), "Enter an end date no later than 31/12/9999.");
    assert_string_equal(users_check_expiry(-5, now), "The end date must be in the future.");
    /* the latest date the form accepts is exactly the bound, and prints */
    int64_t t = 0;
    assert_int_equal(users_parse_date("31/12/9999", &t), 0);
    assert_int_equal(t, USERS_EXPIRES_MAX);
    char day[32];
    format_local_date(t, day, sizeof day);
    assert_string_equal(day, "31/12/9999");
}

/* One length rule for passwords, in characters: what can be set can be
 * used to sign in. */
static void test_password_rule(void **state)
{
    (void)state;
    char pw[1024];
    /* 66 Arabic letters: 132 bytes, 66 characters */
    pw[0] = '\0';
    for (int i = 0; i < 66; i++)
        strcat(pw, "ب");
    assert_int_equal(strlen(pw), 132);
    assert_null(password_problem(pw));
    assert_true(users_password_fits(pw));
    /* 128 characters of 4 bytes: the most there can be */
    pw[0] = '\0';
    for (int i = 0; i < PASSWORD_MAX; i++)
        strcat(pw, "\xF0\x9F\x98\x80");
    assert_int_equal(strlen(pw), USERS_PASSWORD_MAX_BYTES);
    assert_null(password_problem(pw));
    assert_true(users_password_fits(pw));
    strcat(pw, "a"); /* 129 characters */
    assert_non_null(password_problem(pw));
    assert_false(users_password_fits(pw));
    memset(pw, 'a', 128);
    pw[128] = '\0';
    assert_true(users_password_fits(pw));
    pw[128] = 'a';
    pw[129] = '\0';
    assert_false(users_password_fits(pw));
    assert_false(users_password_fits("bad \xC3\x28 utf8 password"));
    assert_false(users_password_fits(NULL));
    assert_true(users_password_fits(""));
}

static void test_throttle_key(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* a known login: the account, whatever was typed */
    assert_string_equal(users_throttle_key(a, "mere.fatima", 42), "user:42");
    assert_string_equal(users_throttle_key(a, "fatima@amal.ma", 42), "user:42");
    /* an unknown login: the typed text, never an account's key */
    assert_string_equal(users_throttle_key(a, "nobody@amal.ma", 0), "nobody@amal.ma");
    assert_string_not_equal(users_throttle_key(a, "user:42", 0), "user:42");
    assert_string_equal(users_throttle_key(a, NULL, 0), "");
    arena_free(a);
}

/* --- Database: creation, lookup, context, disabling ----------------------- */

typedef struct {
    test_db_t *t;
    db_t *db; /* t->db */
    int64_t root, assoc, eps, unit, eps2;
    res_t res;         /* of the last create() */
    const char *field; /* the field its error names */
} fx_t;

static int build_tree(fx_t *fx)
{
    fx->root = nodes_root_id(fx->db);
    fx->assoc = test_add_node(fx->db, fx->root, "association", "Association Amal");
    fx->eps = test_add_node(fx->db, fx->assoc, "eps", "Village d'enfants");
    fx->unit = test_add_node(fx->db, fx->eps, "unit", "Maison 1");
    fx->eps2 = test_add_node(fx->db, fx->assoc, "eps", "Village d'enfants 2");
    return fx->root > 0 && fx->unit > 0 && fx->eps2 > 0 ? 0 : -1;
}

static int setup(void **state, bool pg)
{
    fx_t *fx = xcalloc(1, sizeof *fx);
    *state = fx;
    fx->t = test_db_open(pg, "users");
    if (!fx->t)
        return -1;
    fx->db = fx->t->db;
    if (!fx->db)
        return 0; /* the test skips itself */
    if (test_db_migrate(fx->db, TEST_MIG_OF(nodes_module), TEST_MIG_OF(users_module), TEST_MIG(auth),
                        TEST_MIG_OF(audit_module), TEST_MIG_OF(notify_module)) != 0 ||
        auth_load_server_key(fx->db) != 0 || build_tree(fx) != 0)
        return -1;
    return 0;
}

static int setup_sqlite(void **state) { return setup(state, false); }
static int setup_pg(void **state) { return setup(state, true); }

static int teardown(void **state)
{
    fx_t *fx = *state;
    test_db_close(fx->t);
    free(fx);
    return 0;
}

static const char fake_hash[] = TEST_FAKE_HASH;

static int64_t create(fx_t *fx, const char *email, const char *username, role_t role, int64_t node,
                      int64_t expiry, const char **why)
{
    user_new_t u = {.email = email, .username = username, .name = "Fatima Zahra Bennani",
                        .language = "ar", .password_hash = fake_hash, .roles = &role,
                        .role_nodes = &node, .role_expiry = &expiry, .n_roles = 1};
    int64_t id = 0;
    *why = NULL;
    fx->field = NULL;
    fx->res = users_insert(fx->db, 7, &u, "192.0.2.1", &id, why, &fx->field);
    if (fx->res == RES_OK) {
        assert_true(id > 0);
        assert_null(*why);
        return id;
    }
    assert_non_null(*why);
    assert_non_null(fx->field);
    return -1;
}

/* A request as the router hands it to handlers: no one signed in. */
static req_t *plain_req(fx_t *fx)
{
    req_t *r = test_req(NULL, NULL);
    r->db = fx->db;
    r->http->client_ip = "192.0.2.1";
    return r;
}

/* The same, signed in as user_id. */
static req_t *fake_req(fx_t *fx, int64_t user_id)
{
    req_t *r = plain_req(fx);
    r->user = users_load_ctx(fx->db, r->arena, user_id);
    assert_non_null(r->user);
    return r;
}

static void test_create_and_login(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    const char *why;
    int64_t staff = create(fx, NULL, "Mere.Fatima", ROLE_STAFF, fx->unit, 0, &why);
    assert_true(staff > 0);
    /* a unit lifts to its EPS as the home node; the username is lower-cased */
    req_t *r = plain_req(fx);
    json_t *u = users_json(r, staff);
    assert_non_null(u);
    assert_int_equal(json_integer_value(json_object_get(u, "node_id")), fx->eps);
    assert_string_equal(json_string_value(json_object_get(u, "username")), "mere.fatima");
    assert_true(json_is_null(json_object_get(u, "email")));
    assert_null(json_object_get(u, "password_hash"));
    assert_true(json_is_true(json_object_get(u, "active")));
    /* roles are shown within the reader's scope: nobody signed in sees none */
    assert_int_equal(json_array_size(json_object_get(u, "roles")), 0);
    json_decref(u);
    assert_null(users_json(r, 999999));
    json_t *roles = users_roles_json(r, staff, false, false);
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")), "staff");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(roles, 0), "node_id")), fx->unit);
    assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "node_kind")), "unit");
    json_decref(roles);
    /* the account and its role keep their places' paths (scope filters read them) */
    const char *eps_path = nodes_path_of(fx->db, r->arena, fx->eps);
    const char *unit_path = nodes_path_of(fx->db, r->arena, fx->unit);
    user_t rec;
    assert_int_equal(users_load(fx->db, r->arena, staff, &rec), 0);
    assert_string_equal(rec.home_path, eps_path);
    assert_string_equal(rec.username, "mere.fatima");
    assert_int_equal(rec.node_id, fx->eps);
    assert_int_equal(users_load(fx->db, r->arena, 999999, &rec), -1);
    json_t *row = db_query_row_json(fx->db, "SELECT node_path, node_kind FROM user_roles WHERE user_id = ?",
                                    PARAMS(P_INT(staff)));
    assert_non_null(row);
    assert_string_equal(json_string_value(json_object_get(row, "node_path")), unit_path);
    assert_string_equal(json_string_value(json_object_get(row, "node_kind")), "unit");
    json_decref(row);
    test_req_free(r);

    int64_t dir = create(fx, "Directrice@Amal.MA", NULL, ROLE_DIRECTOR, fx->eps, 0, &why);
    assert_true(dir > 0);

    /* sign-in lookup: email or username, any case, trimmed */
    int64_t id = 0;
    char hash[256];
    assert_int_equal(users_find_login(fx->db, "MERE.fatima", &id, hash, sizeof hash), 0);
    assert_int_equal(id, staff);
    assert_string_equal(hash, fake_hash);
    assert_int_equal(users_find_login(fx->db, " directrice@amal.ma ", &id, hash, sizeof hash), 0);
    assert_int_equal(id, dir);
    assert_int_equal(users_find_login(fx->db, "nobody", &id, hash, sizeof hash), -1);
    assert_int_equal(users_find_login(fx->db, "", &id, hash, sizeof hash), -1);
    /* an email is never matched against usernames and the other way round */
    assert_int_equal(users_find_login(fx->db, "directrice", &id, hash, sizeof hash), -1);
    /* an account's id by login, active or not */
    assert_int_equal(users_find_id(fx->db, "MERE.fatima"), staff);
    assert_int_equal(users_find_id(fx->db, "directrice@amal.ma"), dir);
    assert_int_equal(users_find_id(fx->db, "nobody"), 0);
    assert_int_equal(users_find_id(fx->db, ""), 0);

    /* duplicates, whatever the case */
    assert_int_equal(create(fx, NULL, "mere.FATIMA", ROLE_STAFF, fx->unit, 0, &why), -1);
    assert_string_equal(why, "This username is already used.");
    assert_int_equal(fx->res, RES_CONFLICT);
    assert_string_equal(fx->field, "username");
    assert_int_equal(create(fx, "directrice@amal.ma", NULL, ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_string_equal(why, "This email is already used.");
    assert_int_equal(fx->res, RES_CONFLICT);
    assert_string_equal(fx->field, "email");
    /* invalid input and roles that do not fit the node */
    assert_int_equal(create(fx, NULL, NULL, ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_non_null(why);
    assert_int_equal(fx->res, RES_INVALID);
    assert_int_equal(create(fx, NULL, "x@y", ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_int_equal(fx->res, RES_INVALID);
    assert_string_equal(fx->field, "username");
    assert_int_equal(create(fx, "not-an-email", NULL, ROLE_STAFF, fx->eps, 0, &why), -1);
    assert_int_equal(fx->res, RES_INVALID);
    assert_string_equal(fx->field, "email");
    assert_int_equal(create(fx, NULL, "directeur.unite", ROLE_DIRECTOR, fx->unit, 0, &why), -1);
    assert_string_equal(why, "This role cannot be given at this kind of place.");
    assert_int_equal(fx->res, RES_INVALID);
    assert_string_equal(fx->field, "roles");
    assert_int_equal(create(fx, NULL, "nowhere", ROLE_STAFF, 999999, 0, &why), -1);
    assert_int_equal(fx->res, RES_INVALID);
    assert_string_equal(fx->field, "roles");
    assert_int_equal(test_int(fx->db, "SELECT COUNT(*) FROM users WHERE id > ?", 0), 2);

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
    test_db_or_skip(fx->t);
    const char *why;
    int64_t now = now_utc();
    int64_t insp = create(fx, "inspecteur@entraide.ma", NULL, ROLE_INSPECTOR, fx->eps, now + 86400, &why);
    assert_true(insp > 0);
    /* a second, expired assignment counts for nothing */
    arena_t *a = arena_new();
    const char *eps2_path = nodes_path_of(fx->db, a, fx->eps2);
    assert_int_equal(db_exec(fx->db,
                             "INSERT INTO user_roles (user_id, role, node_id, node_kind, node_path, "
                             "expires_at, created_at) VALUES (?, 'inspector', ?, 'eps', ?, ?, ?)",
                             PARAMS(P_INT(insp), P_INT(fx->eps2), P_TEXT(eps2_path), P_INT(now - 10),
                                    P_INT(now))),
                     DB_OK);
    app_user_t *u = users_load_ctx(fx->db, a, insp);
    assert_non_null(u);
    assert_int_equal(u->id, insp);
    assert_string_equal(u->name, "Fatima Zahra Bennani");
    assert_string_equal(u->email, "inspecteur@entraide.ma");
    assert_null(u->username);
    assert_string_equal(u->language, "ar");
    assert_int_equal(u->home_node_id, fx->eps);
    assert_int_equal(u->n_roles, 1);
    assert_true(u->roles[0].id > 0);
    assert_int_equal(u->roles[0].role, ROLE_INSPECTOR);
    assert_int_equal(u->roles[0].node_id, fx->eps);
    assert_int_equal(u->roles[0].node_kind, NODE_EPS);
    assert_int_equal(u->roles[0].expires_at, now + 86400);
    assert_string_equal(u->roles[0].node_path, nodes_path_of(fx->db, a, fx->eps));
    assert_true(authz_role_live(&u->roles[0], now));
    req_t *r = plain_req(fx);
    json_t *live = users_roles_json(r, insp, true, false);
    assert_int_equal(json_array_size(live), 1);
    json_decref(live);
    json_t *all = users_roles_json(r, insp, false, false);
    assert_int_equal(json_array_size(all), 2);
    json_decref(all);
    /* scoped to the reader: the inspector reads no users, so nothing */
    test_req_free(r);
    r = fake_req(fx, insp);
    all = users_roles_json(r, insp, false, true);
    assert_int_equal(json_array_size(all), 0);
    json_decref(all);
    test_req_free(r);

    /* disabling: no more sign-in, no more context, sessions gone, audited once */
    char tok[64], sh[80];
    assert_int_equal(session_create(fx->db, insp, "127.0.0.1", NULL, tok, sizeof tok, sh, sizeof sh), 0);
    assert_true(users_is_active(fx->db, insp));
    assert_int_equal(users_set_active(fx->db, 7, insp, false, "192.0.2.1"), RES_OK);
    assert_int_equal(users_set_active(fx->db, 7, insp, false, "192.0.2.1"), RES_OK); /* already: no second row */
    assert_false(users_is_active(fx->db, insp));
    assert_null(users_load_ctx(fx->db, a, insp));
    int64_t id;
    char hash[256];
    assert_int_equal(users_find_login(fx->db, "inspecteur@entraide.ma", &id, hash, sizeof hash), -1);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?",
                                  PARAMS(P_INT(insp)), -1), 0);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = 'disable' "
                                          "AND entity_id = ?", PARAMS(P_INT(insp)), -1), 1);
    assert_int_equal(users_set_active(fx->db, 7, insp, true, "192.0.2.1"), RES_OK);
    assert_non_null(users_load_ctx(fx->db, a, insp));
    assert_int_equal(users_set_active(fx->db, 7, 999999, true, "192.0.2.1"), RES_NOT_FOUND);
    assert_int_equal(users_set_active(fx->db, 7, 999999, false, "192.0.2.1"), RES_NOT_FOUND);
    arena_free(a);

    /* resolvers of routes taking a user id */
    assert_int_equal(users_home_of(fx->db, insp), fx->eps);
    assert_int_equal(users_home_of(fx->db, 999999), 0);
}

static int64_t role_id_of(fx_t *fx, int64_t user, const char *role, int64_t node)
{
    return db_query_int(fx->db, "SELECT id FROM user_roles WHERE user_id = ? AND role = ? AND node_id = ?",
                        PARAMS(P_INT(user), P_TEXT(role), P_INT(node)), 0);
}

static void give(fx_t *fx, int64_t user, role_t role, int64_t node, int64_t expires)
{
    assert_int_equal(users_role_insert(fx->db, 1, user, role, node, expires, NULL, false), DB_OK);
}

/* Who may change whose roles; the last platform administrator stays. */
static void test_role_rules(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    const char *why;
    int64_t now = now_utc();
    int64_t admin = create(fx, "admin@jouda.ma", NULL, ROLE_ADMIN, fx->root, 0, &why);
    int64_t dir = create(fx, "directrice@amal.ma", NULL, ROLE_DIRECTOR, fx->eps, 0, &why);
    int64_t insp = create(fx, "inspecteur@entraide.ma", NULL, ROLE_INSPECTOR, fx->eps, now + 86400, &why);
    int64_t staff = create(fx, NULL, "mere.fatima", ROLE_STAFF, fx->unit, 0, &why);
    assert_true(admin > 0 && dir > 0 && insp > 0 && staff > 0);

    /* a director changes the roles of her staff, not her own nor the inspector's */
    req_t *rd = fake_req(fx, dir);
    assert_int_equal(users_may_change_roles(rd, staff, &why), RES_OK);
    assert_int_equal(users_may_change_roles(rd, dir, &why), RES_FORBIDDEN);
    assert_string_equal(why, "You cannot change your own roles.");
    assert_int_equal(users_may_change_roles(rd, insp, &why), RES_FORBIDDEN);
    assert_int_equal(users_may_change_roles(rd, admin, &why), RES_FORBIDDEN);
    /* the root admin neither changes her own */
    req_t *ra = fake_req(fx, admin);
    assert_int_equal(users_may_change_roles(ra, admin, &why), RES_FORBIDDEN);
    assert_int_equal(users_may_change_roles(ra, insp, &why), RES_OK);

    /* end dates: bounded on both sides; an inspector needs one */
    json_t *errors = json_object();
    assert_int_equal(users_grant_check(rd, ROLE_STAFF, fx->eps, 0, errors, "role", "expires"), RES_OK);
    assert_int_equal(users_grant_check(rd, ROLE_STAFF, fx->eps, now + 86400, errors, "role", "expires"), RES_OK);
    assert_int_equal(json_object_size(errors), 0);
    assert_int_equal(users_grant_check(rd, ROLE_STAFF, fx->eps, INT64_MAX, errors, "role", "expires"), RES_INVALID);
    assert_string_equal(json_string_value(json_object_get(errors, "expires")),
                        "Enter an end date no later than 31/12/9999.");
    json_object_clear(errors);
    assert_int_equal(users_grant_check(rd, ROLE_STAFF, fx->eps, -1, errors, "role", "expires"), RES_INVALID);
    assert_non_null(json_object_get(errors, "expires"));
    json_object_clear(errors);
    assert_int_equal(users_grant_check(ra, ROLE_INSPECTOR, fx->eps, 0, errors, "role", "expires"), RES_INVALID);
    assert_string_equal(json_string_value(json_object_get(errors, "expires")), "An inspector needs an end date.");
    json_object_clear(errors);
    assert_int_equal(users_grant_check(ra, ROLE_INSPECTOR, fx->eps, USERS_EXPIRES_MAX, errors, "role", "expires"), RES_OK);
    /* outside the director's scope: as if absent; in it but above her rights: forbidden */
    assert_int_equal(users_grant_check(rd, ROLE_STAFF, fx->eps2, 0, errors, "role", "expires"), RES_NOT_FOUND);
    assert_int_equal(users_grant_check(rd, ROLE_STAFF, 999999, 0, errors, "role", "expires"), RES_NOT_FOUND);
    assert_int_equal(users_grant_check(rd, ROLE_DIRECTOR, fx->eps, 0, errors, "role", "expires"), RES_FORBIDDEN);
    /* a role she may never give is refused whatever the place; one she may
     * give, at a place it does not fit, is a mistake to correct */
    assert_int_equal(users_grant_check(rd, ROLE_DIRECTOR, fx->unit, 0, errors, "role", "expires"), RES_FORBIDDEN);
    assert_int_equal(users_grant_check(rd, ROLE_ADMIN, fx->eps, 0, errors, "role", "expires"), RES_FORBIDDEN);
    assert_int_equal(json_object_size(errors), 0);
    assert_int_equal(users_grant_check(rd, ROLE_QUALITY_REFERENT, fx->unit, 0, errors, "role", "expires"), RES_INVALID);
    assert_string_equal(json_string_value(json_object_get(errors, "role")),
                        "This role cannot be given at this kind of place.");
    json_decref(errors);
    /* the command line's way in refuses them too */
    role_t st = ROLE_STAFF;
    int64_t node = fx->eps, far = INT64_MAX, uid = 0;
    user_new_t nu = {.username = "loin", .name = "Loin", .language = "fr", .password_hash = fake_hash,
                         .roles = &st, .role_nodes = &node, .role_expiry = &far, .n_roles = 1};
    const char *field = NULL;
    assert_int_equal(users_insert(fx->db, 1, &nu, NULL, &uid, &why, &field), RES_INVALID);
    assert_string_equal(why, "Enter an end date no later than 31/12/9999.");
    assert_string_equal(field, "roles");
    assert_int_equal(uid, 0);

    /* the only platform admin can be neither disabled nor lose the role */
    assert_true(users_is_last_admin(fx->db, admin));
    assert_false(users_is_last_admin(fx->db, dir));
    assert_int_equal(users_set_active(fx->db, 1, admin, false, NULL), RES_CONFLICT);
    assert_int_equal(test_int(fx->db, "SELECT active FROM users WHERE id = ?", admin), 1);
    give(fx, admin, ROLE_OBSERVER, fx->root, 0); /* so that the last role is not the reason */
    int64_t admin_role = role_id_of(fx, admin, "admin", fx->root);
    assert_int_equal(users_role_revoke(fx->db, 1, admin, admin_role, NULL, &why), RES_CONFLICT);
    assert_non_null(strstr(why, "last active platform administrator"));
    assert_true(role_id_of(fx, admin, "admin", fx->root) > 0);
    /* an expired admin role or a disabled admin account is no other admin */
    int64_t old = create(fx, "ancien@jouda.ma", NULL, ROLE_ADMIN, fx->root, now + 86400, &why);
    assert_int_equal(db_exec(fx->db, "UPDATE user_roles SET expires_at = ? WHERE user_id = ?",
                             PARAMS(P_INT(now - 10), P_INT(old))), DB_OK);
    int64_t off = create(fx, "parti@jouda.ma", NULL, ROLE_ADMIN, fx->root, 0, &why);
    assert_int_equal(users_set_active(fx->db, 1, off, false, NULL), RES_OK);
    assert_true(users_is_last_admin(fx->db, admin));
    /* nor is an admin of an association */
    int64_t assoc_admin = create(fx, "admin@amal.ma", NULL, ROLE_ADMIN, fx->assoc, 0, &why);
    assert_true(users_is_last_admin(fx->db, admin));
    assert_false(users_is_last_admin(fx->db, assoc_admin));
    /* with a second live admin, either may go, but not both */
    int64_t second = create(fx, "second@jouda.ma", NULL, ROLE_ADMIN, fx->root, 0, &why);
    assert_false(users_is_last_admin(fx->db, admin));
    assert_int_equal(users_role_revoke(fx->db, 1, admin, admin_role, NULL, &why), RES_OK);
    assert_int_equal(role_id_of(fx, admin, "admin", fx->root), 0);
    assert_int_equal(users_set_active(fx->db, 1, second, false, NULL), RES_CONFLICT);
    assert_int_equal(test_int(fx->db, "SELECT active FROM users WHERE id = ?", second), 1);
    assert_int_equal(test_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = 'disable' AND entity_id = ?", second), 0);
    /* a role of somebody else, or the account's last role */
    assert_int_equal(users_role_revoke(fx->db, 1, dir, role_id_of(fx, staff, "staff", fx->unit), NULL, &why), RES_NOT_FOUND);
    assert_int_equal(users_role_revoke(fx->db, 1, staff, role_id_of(fx, staff, "staff", fx->unit), NULL, &why), RES_CONFLICT);
    assert_non_null(why);
    assert_int_equal(test_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE action = 'revoke' AND entity_id = ?", admin_role), 1);
    test_req_free(ra);
    test_req_free(rd);
}

/* Fields, active flag and password of one PATCH: all or nothing. */
static void test_apply_all_or_nothing(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    const char *why;
    int64_t admin = create(fx, "admin@jouda.ma", NULL, ROLE_ADMIN, fx->root, 0, &why);
    int64_t staff = create(fx, NULL, "mere.fatima", ROLE_STAFF, fx->unit, 0, &why);
    int64_t other = create(fx, "autre@amal.ma", NULL, ROLE_STAFF, fx->eps2, 0, &why);
    assert_true(admin > 0 && staff > 0 && other > 0);
    req_t *ra = fake_req(fx, admin);
    const char *new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaG5ld2hhc2huZXdoYXNo";

    /* the last admin cannot be disabled: the new name and hash stay out too */
    users_input_t in = {.name = "Nouveau nom", .has_name = true};
    json_t *errors = json_object();
    int64_t audits = test_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ?", admin);
    assert_int_equal(users_apply(ra, admin, &in, 0, 0, new_hash, errors, &why), RES_CONFLICT);
    assert_non_null(why);
    json_t *u = users_json(ra, admin);
    assert_string_equal(json_string_value(json_object_get(u, "name")), "Fatima Zahra Bennani");
    assert_true(json_is_true(json_object_get(u, "active")));
    assert_int_equal(json_integer_value(json_object_get(u, "version")), 1);
    json_decref(u);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM users WHERE password_hash = ?",
                                  PARAMS(P_TEXT(new_hash)), -1), 0);
    assert_int_equal(test_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ?", admin), audits);
    assert_false(db_in_tx(fx->db));

    /* an email used elsewhere: 409 naming nobody, and the rest undone */
    users_input_t dup = {.email = "autre@amal.ma", .has_email = true, .name = "X", .has_name = true};
    assert_int_equal(users_apply(ra, staff, &dup, 0, 0, new_hash, errors, &why), RES_CONFLICT);
    assert_string_equal(json_string_value(json_object_get(errors, "email")), "This email is already used.");
    assert_int_equal(json_object_size(errors), 1);
    assert_int_equal(test_int(fx->db, "SELECT active FROM users WHERE id = ?", staff), 1);
    json_object_clear(errors);
    /* a stale version: nothing either */
    assert_int_equal(users_apply(ra, staff, &in, 7, 0, NULL, errors, &why), RES_CONFLICT);
    assert_int_equal(json_object_size(errors), 0); /* stale: no field to blame */
    assert_int_equal(test_int(fx->db, "SELECT active FROM users WHERE id = ?", staff), 1);

    /* all three at once */
    char tok[64], sh[80];
    assert_int_equal(session_create(fx->db, staff, "127.0.0.1", NULL, tok, sizeof tok, sh, sizeof sh), 0);
    assert_int_equal(users_apply(ra, staff, &in, 1, 0, new_hash, errors, &why), RES_OK);
    assert_int_equal(json_object_size(errors), 0);
    u = users_json(ra, staff);
    assert_string_equal(json_string_value(json_object_get(u, "name")), "Nouveau nom");
    assert_true(json_is_false(json_object_get(u, "active")));
    json_decref(u);
    assert_int_equal(db_query_int(fx->db, "SELECT COUNT(*) FROM users WHERE id = ? AND password_hash = ?",
                                  PARAMS(P_INT(staff), P_TEXT(new_hash)), -1), 1);
    assert_int_equal(test_int(fx->db, "SELECT COUNT(*) FROM sessions WHERE user_id = ?", staff), 0);
    assert_int_equal(test_int(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity_id = ? AND entity = 'user' "
                               "AND action IN ('update', 'disable', 'password_reset')", staff), 3);
    assert_false(db_in_tx(fx->db));
    json_decref(errors);
    test_req_free(ra);
}

/* A password of 66 Arabic letters (132 bytes) set once can be used. */
static void test_long_password(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    const char *why;
    int64_t staff = create(fx, NULL, "mere.fatima", ROLE_STAFF, fx->unit, 0, &why);
    char pw[400] = "";
    for (int i = 0; i < 66; i++)
        strcat(pw, "ك");
    assert_int_equal(users_set_password(fx->db, 1, staff, pw, "password_reset", NULL), RES_OK);
    assert_true(users_check_password(fx->db, staff, pw));
    pw[strlen(pw) - 2] = '\0';
    assert_false(users_check_password(fx->db, staff, pw));
    /* too long to be set, never checked */
    char big[600] = "";
    for (int i = 0; i < PASSWORD_MAX + 1; i++)
        strcat(big, "ك");
    assert_int_equal(users_set_password(fx->db, 1, staff, big, "password_reset", NULL), RES_ERROR);
    assert_false(users_check_password(fx->db, staff, big));
}

static bool list_has(json_t *items, int64_t id)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (json_integer_value(json_object_get(it, "id")) == id) return true;
    return false;
}

/* The role and node filters of the list only see roles inside the viewer's
 * scope: a role held in another establishment does not show through. */
static void test_list_filters_in_scope(void **state)
{
    fx_t *fx = *state;
    test_db_or_skip(fx->t);
    const char *why;
    int64_t dir = create(fx, "directrice@amal.ma", NULL, ROLE_DIRECTOR, fx->eps, 0, &why);
    int64_t staff = create(fx, NULL, "mere.fatima", ROLE_STAFF, fx->unit, 0, &why);
    give(fx, staff, ROLE_DIRECTOR, fx->eps2, 0); /* elsewhere */
    req_t *rd = fake_req(fx, dir);
    int64_t total = -1;
    users_filter_t f = {.active = -1, .limit = 50, .role = "director"};
    json_t *items = users_list(rd, &f, &total);
    assert_true(list_has(items, dir));
    assert_false(list_has(items, staff));
    assert_int_equal(total, 1);
    json_decref(items);
    f.role = "staff";
    items = users_list(rd, &f, &total);
    assert_true(list_has(items, staff));
    assert_int_equal(total, 1);
    json_decref(items);
    /* the node filter on the other EPS finds nobody of hers */
    users_filter_t g = {.active = -1, .limit = 50, .node_id = fx->eps2};
    items = users_list(rd, &g, &total);
    assert_int_equal(json_array_size(items), 0);
    assert_int_equal(total, 0);
    json_decref(items);
    g.node_id = fx->unit;
    items = users_list(rd, &g, &total);
    assert_true(list_has(items, staff));
    assert_false(list_has(items, dir));
    json_decref(items);
    test_req_free(rd);
}

/* Writes to the tree, to accounts (not their sign-in times) and to roles
 * raise the data version that cached views depend on; a role's end is when
 * the accounts figures change by time alone. */
static void test_data_version(void **state)
{
    fx_t *fx = *state;
    db_t *db = test_db_or_skip(fx->t);
    int64_t v = app_data_version(db);
    assert_true(v >= 0);
#define RAISED()                                                                                    \
    do {                                                                                            \
        int64_t now_v = app_data_version(db);                                                       \
        assert_true(now_v > v);                                                                     \
        v = now_v;                                                                                  \
    } while (0)
    int64_t unit2 = test_add_node(db, fx->eps, "unit", "Maison 2");
    assert_true(unit2 > 0);
    RAISED();
    assert_int_equal(db_exec(db, "UPDATE nodes SET name = 'Maison deux' WHERE id = ?", PARAMS(P_INT(unit2))),
                     DB_OK);
    RAISED();
    const char *why;
    int64_t uid = create(fx, "maison2@amal.ma", NULL, ROLE_STAFF, unit2, 0, &why);
    assert_true(uid > 0);
    RAISED();
    /* a sign-in, a password, a preference: the same data for every view */
    assert_int_equal(db_exec(db, "UPDATE users SET last_login_at = 5, language = 'fr', password_hash = 'x'"
                                 " WHERE id = ?", PARAMS(P_INT(uid))),
                     DB_OK);
    assert_int_equal(app_data_version(db), v);
    assert_int_equal(db_exec(db, "UPDATE users SET active = 0 WHERE id = ?", PARAMS(P_INT(uid))), DB_OK);
    RAISED();
    assert_int_equal(db_exec(db, "UPDATE users SET name = 'Fatima B.' WHERE id = ?", PARAMS(P_INT(uid))), DB_OK);
    RAISED();
    /* roles: their ends are when the accounts figures change by themselves */
    int64_t now = now_utc();
    assert_int_equal(app_figures_until(db, now), now + APP_CACHE_MAX_S);
    assert_int_equal(db_exec(db, "UPDATE user_roles SET expires_at = ? WHERE user_id = ?",
                             PARAMS(P_INT(now + 100), P_INT(uid))),
                     DB_OK);
    RAISED();
    assert_int_equal(app_figures_until(db, now), now + 100);
    assert_int_equal(app_figures_until(db, now + 100), now + 100 + APP_CACHE_MAX_S);
    assert_int_equal(db_exec(db, "DELETE FROM user_roles WHERE user_id = ?", PARAMS(P_INT(uid))), DB_OK);
    RAISED();
    /* nothing written, nothing raised */
    assert_int_equal(db_exec(db, "UPDATE users SET active = 1 WHERE id = -1", NOPARAMS), DB_OK);
    assert_true(app_data_version(db) == v || app_data_version(db) == v + 1); /* PostgreSQL: once per statement */
#undef RAISED
}

int main(void)
{
    /* the framework's hooks (ancestry, loading users) come from the modules */
    jouda_use_modules();
    /* dates are typed and shown in Casablanca time, as the server does */
    setenv("TZ", "Africa/Casablanca", 1);
    tzset();
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_language_and_lower),
        cmocka_unit_test(test_safe_next),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_parse_iso),
        cmocka_unit_test(test_path_parse),
        cmocka_unit_test(test_small_helpers),
        cmocka_unit_test(test_expiry_bounds),
        cmocka_unit_test(test_password_rule),
        cmocka_unit_test(test_throttle_key),
        {"create and login on SQLite", test_create_and_login, setup_sqlite, teardown, NULL},
        {"create and login on PostgreSQL", test_create_and_login, setup_pg, teardown, NULL},
        {"context and disable on SQLite", test_context_and_disable, setup_sqlite, teardown, NULL},
        {"context and disable on PostgreSQL", test_context_and_disable, setup_pg, teardown, NULL},
        {"role rules on SQLite", test_role_rules, setup_sqlite, teardown, NULL},
        {"role rules on PostgreSQL", test_role_rules, setup_pg, teardown, NULL},
        {"one transaction per change on SQLite", test_apply_all_or_nothing, setup_sqlite, teardown, NULL},
        {"one transaction per change on PostgreSQL", test_apply_all_or_nothing, setup_pg, teardown, NULL},
        {"long password on SQLite", test_long_password, setup_sqlite, teardown, NULL},
        {"long password on PostgreSQL", test_long_password, setup_pg, teardown, NULL},
        {"list filters in scope on SQLite", test_list_filters_in_scope, setup_sqlite, teardown, NULL},
        {"list filters in scope on PostgreSQL", test_list_filters_in_scope, setup_pg, teardown, NULL},
        {"data version on SQLite", test_data_version, setup_sqlite, teardown, NULL},
        {"data version on PostgreSQL", test_data_version, setup_pg, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
