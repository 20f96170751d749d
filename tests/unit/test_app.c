/* test_app.c - the application layer without a server or a database: input
 * validation (forms and JSON), form errors kept for display and in the
 * form's order, texts filled with numbers, numbers written for a language,
 * translation of errors, the one mapping of model results to HTTP, scope
 * filters (ranges of paths) and menus from role assignments. The request
 * pipeline on a database: test_app_pipeline.c. */
#include "testutil.h"

#include "app/app_internal.h"

/* The msgid of an error, plain or with numbers. */
static const char *emsg(json_t *errors, const char *field)
{
    json_t *v = json_object_get(errors, field);
    if (json_is_object(v))
        return json_string_value(json_object_get(v, "msgid"));
    return json_string_value(v);
}

static long long err_num(json_t *errors, const char *field, const char *key)
{
    return (long long)json_integer_value(json_object_get(json_object_get(errors, field), key));
}

#define REQUIRED "This field is required."
#define NOT_TEXT "This field must be text."
#define BAD_CHARS "This text contains invalid characters."
#define TOO_LONG "This text is too long (at most %d characters)."
#define WHOLE "Enter a whole number."
#define BETWEEN "Enter a number between %d and %d."
#define IN_LIST "Choose a value from the list."
#define EMAIL_SHAPE "Enter an email address like name@example.org."
#define UNKNOWN "This field is not known."

/* --- input_str / v_text ---------------------------------------------------- */

static void test_input_str(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/admin/nodes");
    test_req_form(r, "name=Dar+Amal&empty=");
    bool bad = true;
    assert_string_equal(input_str(r, "name", &bad), "Dar Amal");
    assert_false(bad);
    assert_string_equal(input_str(r, "empty", &bad), "");
    assert_null(input_str(r, "absent", &bad));
    assert_false(bad);
    assert_string_equal(input_str(r, "name", NULL), "Dar Amal");
    test_req_free(r);

    r = test_req("POST", "/api/v1/nodes");
    test_req_json(r, "{\"s\":\"texte\",\"i\":-12,\"b\":true,\"o\":{},\"a\":[1],\"z\":null}");
    assert_string_equal(input_str(r, "s", &bad), "texte");
    assert_false(bad);
    assert_string_equal(input_str(r, "i", &bad), "-12"); /* integers are formatted */
    assert_false(bad);
    assert_null(input_str(r, "b", &bad));
    assert_true(bad);
    assert_null(input_str(r, "o", &bad));
    assert_true(bad);
    assert_null(input_str(r, "a", &bad));
    assert_true(bad);
    assert_null(input_str(r, "z", &bad)); /* null is absent */
    assert_false(bad);
    assert_null(input_str(r, "absent", &bad));
    assert_false(bad);
    assert_null(input_str(r, "o", NULL));
    test_req_free(r);

    /* a JSON body that is not an object has no fields */
    r = test_req("POST", "/api/v1/nodes");
    test_req_json(r, "[\"name\"]");
    assert_null(input_str(r, "name", &bad));
    assert_false(bad);
    test_req_free(r);
}

static void test_v_text_form(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/admin/nodes");
    test_req_form(r, "name=++Maison+Amal++&empty=&spaces=+++&bad=%FF&bad2=a%C3%28b&overlong=%C0%AF"
                "&surr=%ED%A0%80&ctl=a%01b&esc=%1B%5B31m&del=x%7F&multi=ligne1%0D%0Aligne2"
                "&emoji=%F0%9F%98%80%F0%9F%98%80&mixed=%D8%AF%D8%A7%D8%B1+Amal");
    json_t *e = json_object();
    assert_string_equal(v_text(r, e, "name", true, 50), "Maison Amal");
    assert_string_equal(v_text(r, e, "name", true, 11), "Maison Amal"); /* trimmed, then counted */
    assert_int_equal(json_object_size(e), 0);

    assert_null(v_text(r, e, "absent", false, 10));
    assert_null(v_text(r, e, "empty", false, 10));
    assert_null(v_text(r, e, "spaces", false, 10));
    assert_int_equal(json_object_size(e), 0); /* optional and empty: no error */

    assert_null(v_text(r, e, "absent", true, 10));
    assert_null(v_text(r, e, "empty", true, 10));
    assert_null(v_text(r, e, "spaces", true, 10));
    assert_string_equal(emsg(e, "absent"), REQUIRED);
    assert_string_equal(emsg(e, "empty"), REQUIRED);
    assert_string_equal(emsg(e, "spaces"), REQUIRED);

    /* invalid UTF-8 and control characters, even when optional */
    static const char *const bad[] = {"bad", "bad2", "overlong", "surr", "ctl", "esc", "del"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_null(v_text(r, e, bad[i], false, 100));
        assert_non_null(emsg(e, bad[i]));
        assert_string_equal(emsg(e, bad[i]), BAD_CHARS);
    }
    /* one-line fields: line breaks are refused too */
    assert_null(v_text(r, e, "multi", false, 100));
    assert_string_equal(emsg(e, "multi"), BAD_CHARS);

    /* counted in characters, not bytes */
    assert_string_equal(v_text(r, e, "emoji", true, 2), "\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
    assert_null(v_text(r, e, "emoji", true, 1));
    assert_string_equal(emsg(e, "emoji"), TOO_LONG);
    assert_int_equal(err_num(e, "emoji", "n"), 1);
    assert_string_equal(v_text(r, e, "mixed", true, 8), "دار Amal");
    assert_null(v_text(r, e, "mixed", true, 7));
    assert_int_equal(err_num(e, "mixed", "n"), 7);

    /* the first error of a field stays */
    json_object_set_new(e, "name", json_string("First error."));
    assert_null(v_text(r, e, "name", true, 3));
    assert_string_equal(emsg(e, "name"), "First error.");
    json_decref(e);
    test_req_free(r);
}

static void test_v_text_arabic_length(void **state)
{
    (void)state;
    char body[400] = "name=";
    for (int i = 0; i < 20; i++)
        strcat(body, "%D8%A8"); /* ب: 20 characters, 40 bytes */
    req_t *r = test_req("POST", "/admin/nodes");
    test_req_form(r, body);
    json_t *e = json_object();
    const char *v = v_text(r, e, "name", true, 20);
    assert_non_null(v);
    assert_int_equal(strlen(v), 40);
    assert_int_equal(json_object_size(e), 0);
    assert_null(v_text(r, e, "name", true, 19));
    assert_string_equal(emsg(e, "name"), TOO_LONG);
    assert_int_equal(err_num(e, "name", "n"), 19);
    assert_int_equal(err_num(e, "name", "m"), 0);
    json_t *tr = app_errors_translate(r, e);
    assert_string_equal(json_string_value(json_object_get(tr, "name")),
                        "This text is too long (at most 19 characters).");
    json_decref(tr);
    json_decref(e);
    test_req_free(r);
}

static void test_v_text_json(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/api/v1/nodes");
    test_req_json(r, "{\"name\":\"  Dar Amal \",\"num\":12,\"real\":1.5,\"flag\":true,\"obj\":{\"a\":1},"
                "\"arr\":[\"x\"],\"nul\":null,\"ctl\":\"a\\u0001b\",\"blank\":\" \","
                "\"ar\":\"\\u0645\\u0624\\u0633\\u0633\\u0629\"}");
    json_t *e = json_object();
    assert_string_equal(v_text(r, e, "name", true, 20), "Dar Amal");
    assert_string_equal(v_text(r, e, "ar", true, 5), "مؤسسة");
    assert_int_equal(json_object_size(e), 0);
    static const char *const wrong[] = {"num", "real", "flag", "obj", "arr"};
    for (size_t i = 0; i < ARRAY_LEN(wrong); i++) {
        assert_null(v_text(r, e, wrong[i], false, 20));
        assert_non_null(emsg(e, wrong[i]));
        assert_string_equal(emsg(e, wrong[i]), NOT_TEXT);
    }
    assert_null(v_text(r, e, "nul", false, 20));
    assert_null(json_object_get(e, "nul"));
    assert_null(v_text(r, e, "nul", true, 20));
    assert_string_equal(emsg(e, "nul"), REQUIRED);
    assert_null(v_text(r, e, "blank", true, 20));
    assert_string_equal(emsg(e, "blank"), REQUIRED);
    assert_null(v_text(r, e, "ctl", true, 20));
    assert_string_equal(emsg(e, "ctl"), BAD_CHARS);
    assert_null(v_text(r, e, "ar", true, 4));
    assert_int_equal(err_num(e, "ar", "n"), 4);
    json_decref(e);
    test_req_free(r);
}

/* --- v_int ------------------------------------------------------------------ */

static void test_v_int_form(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/admin/nodes");
    test_req_form(r, "n=5&sp=+%2B7+&neg=-3&big=99999999999999999999&dec=5.5&txt=abc&empty=&zero=0"
                "&ar=%D9%A3&max=9223372036854775807&hex=0x10");
    json_t *e = json_object();
    assert_int_equal(v_int(r, e, "n", true, 1, 10, -1), 5);
    assert_int_equal(v_int(r, e, "sp", true, 1, 10, -1), 7);
    assert_int_equal(v_int(r, e, "neg", true, -5, 5, 99), -3);
    assert_int_equal(v_int(r, e, "zero", true, 0, 0, 99), 0);           /* bounds are inclusive */
    assert_true(v_int(r, e, "max", true, 0, INT64_MAX, 1) == INT64_MAX);
    assert_int_equal(v_int(r, e, "absent", false, 1, 10, 50), 50);      /* default, no error */
    assert_int_equal(v_int(r, e, "empty", false, 1, 10, 50), 50);
    assert_int_equal(json_object_size(e), 0);

    assert_int_equal(v_int(r, e, "absent", true, 1, 10, 50), 50);
    assert_string_equal(emsg(e, "absent"), REQUIRED);
    static const char *const notnum[] = {"big", "dec", "txt", "ar", "hex"};
    for (size_t i = 0; i < ARRAY_LEN(notnum); i++) {
        assert_int_equal(v_int(r, e, notnum[i], false, 0, 100, 42), 42);
        assert_string_equal(emsg(e, notnum[i]), WHOLE);
    }
    /* out of bounds: the message carries min and max */
    assert_int_equal(v_int(r, e, "neg", false, 0, 10, 4), 4);
    assert_string_equal(emsg(e, "neg"), BETWEEN);
    assert_int_equal(err_num(e, "neg", "n"), 0);
    assert_int_equal(err_num(e, "neg", "m"), 10);
    assert_int_equal(v_int(r, e, "n", false, 6, 500, 6), 6);
    assert_int_equal(err_num(e, "n", "n"), 6);
    assert_int_equal(err_num(e, "n", "m"), 500);
    json_t *tr = app_errors_translate(r, e);
    assert_string_equal(json_string_value(json_object_get(tr, "neg")), "Enter a number between 0 and 10.");
    assert_string_equal(json_string_value(json_object_get(tr, "n")), "Enter a number between 6 and 500.");
    json_decref(tr);
    json_decref(e);
    test_req_free(r);
}

static void test_v_int_json(void **state)
{
    (void)state;
    req_t *r = test_req("PATCH", "/api/v1/nodes/3");
    test_req_json(r, "{\"a\":5,\"s\":\"12\",\"r\":2.0,\"b\":true,\"n\":null,\"o\":{},"
                "\"big\":9223372036854775807,\"neg\":-1}");
    json_t *e = json_object();
    assert_int_equal(v_int(r, e, "a", true, 1, 10, 0), 5);
    assert_true(v_int(r, e, "big", true, 0, INT64_MAX, 0) == INT64_MAX);
    assert_int_equal(v_int(r, e, "n", false, 1, 10, 3), 3); /* null: absent */
    assert_int_equal(v_int(r, e, "absent", false, 1, 10, 3), 3);
    assert_int_equal(json_object_size(e), 0);
    /* in JSON a number must be a JSON integer: "12" is refused */
    static const char *const wrong[] = {"s", "r", "b", "o"};
    for (size_t i = 0; i < ARRAY_LEN(wrong); i++) {
        assert_int_equal(v_int(r, e, wrong[i], false, 0, 100, 9), 9);
        assert_string_equal(emsg(e, wrong[i]), WHOLE);
    }
    assert_int_equal(v_int(r, e, "n", true, 1, 10, 3), 3);
    assert_string_equal(emsg(e, "n"), REQUIRED);
    assert_int_equal(v_int(r, e, "absent", true, 1, 10, 3), 3);
    assert_string_equal(emsg(e, "absent"), REQUIRED);
    assert_int_equal(v_int(r, e, "neg", false, 0, 1000, 1), 1);
    assert_string_equal(emsg(e, "neg"), BETWEEN);
    assert_int_equal(err_num(e, "neg", "n"), 0);
    assert_int_equal(err_num(e, "neg", "m"), 1000);
    json_decref(e);
    test_req_free(r);
}

/* --- v_code / v_email -------------------------------------------------------- */

static void test_v_code(void **state)
{
    (void)state;
    static const char *const list[] = {"children", "students", "women", NULL};
    req_t *r = test_req("POST", "/admin/nodes");
    test_req_form(r, "a=+women+&b=Women&c=&d=womenx&long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    json_t *e = json_object();
    assert_ptr_equal(v_code(r, e, "a", true, list), list[2]); /* the list's own string */
    assert_null(v_code(r, e, "c", false, list));
    assert_null(v_code(r, e, "absent", false, list));
    assert_int_equal(json_object_size(e), 0);
    assert_null(v_code(r, e, "b", true, list)); /* case matters */
    assert_string_equal(emsg(e, "b"), IN_LIST);
    assert_null(v_code(r, e, "d", true, list));
    assert_string_equal(emsg(e, "d"), IN_LIST);
    assert_null(v_code(r, e, "c", true, list));
    assert_string_equal(emsg(e, "c"), REQUIRED);
    assert_null(v_code(r, e, "long", true, list)); /* 65 characters */
    assert_string_equal(emsg(e, "long"), TOO_LONG);
    assert_int_equal(err_num(e, "long", "n"), 64);
    json_decref(e);
    test_req_free(r);

    r = test_req("POST", "/api/v1/nodes");
    test_req_json(r, "{\"category\":\"students\",\"kind\":3}");
    e = json_object();
    assert_ptr_equal(v_code(r, e, "category", true, list), list[1]);
    assert_null(v_code(r, e, "kind", true, list));
    assert_string_equal(emsg(e, "kind"), NOT_TEXT);
    json_decref(e);
    test_req_free(r);
}

static void test_v_email(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/admin/users");
    json_t *e = json_object();
    test_req_form(r, "a=Fatima.Zahra%40Amal.MA&b=+directrice%40amal.ma+&c=a%40b.co&d=x.y-z_1%2Btag%40sub.amal.org.ma");
    assert_string_equal(v_email(r, e, "a", true), "fatima.zahra@amal.ma");
    assert_string_equal(v_email(r, e, "b", true), "directrice@amal.ma");
    assert_string_equal(v_email(r, e, "c", true), "a@b.co");
    assert_string_equal(v_email(r, e, "d", true), "x.y-z_1+tag@sub.amal.org.ma");
    assert_null(v_email(r, e, "absent", false));
    assert_int_equal(json_object_size(e), 0);
    assert_null(v_email(r, e, "absent", true));
    assert_string_equal(emsg(e, "absent"), REQUIRED);
    test_req_free(r);

    static const char *const bad[] = {
        "no-at.ma", "%40amal.ma", "a%40", "a%40b", "a%40b.", "a%40%40b.ma", "a%40b%40c.ma",
        "a%40.ma", "a+b%40c.ma", "a%3Cb%3E%40c.ma", "%22a%22%40c.ma", "a%40b.ma%3B", "a%2Cb%40c.ma",
        "a%40b%5B1%5D.ma", "a%5C%40b.ma", "a%40b.ma%28x%29", "a%3Ab%40c.ma",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char body[128];
        snprintf(body, sizeof body, "email=%s", bad[i]);
        r = test_req("POST", "/admin/users");
        test_req_form(r, body);
        json_object_clear(e);
        if (v_email(r, e, "email", true) != NULL)
            fail_msg("accepted %s", bad[i]);
        if (!emsg(e, "email") || strcmp(emsg(e, "email"), EMAIL_SHAPE) != 0)
            fail_msg("%s: %s", bad[i], emsg(e, "email") ? emsg(e, "email") : "(no error)");
        test_req_free(r);
    }

    /* at most 254 characters */
    char body[400] = "email=";
    for (int i = 0; i < 246; i++)
        strcat(body, "a");
    strcat(body, "%40amal.ma"); /* 246 + 8 = 254 */
    r = test_req("POST", "/admin/users");
    test_req_form(r, body);
    json_object_clear(e);
    const char *ok = v_email(r, e, "email", true);
    assert_non_null(ok);
    assert_int_equal(strlen(ok), 254);
    test_req_free(r);
    memmove(body + 6, body + 5, strlen(body + 5) + 1);
    body[6] = 'a'; /* 255 characters */
    r = test_req("POST", "/admin/users");
    test_req_form(r, body);
    assert_null(v_email(r, e, "email", true));
    assert_string_equal(emsg(e, "email"), TOO_LONG);
    assert_int_equal(err_num(e, "email", "n"), 254);
    test_req_free(r);

    /* control characters and bad bytes are refused before the shape */
    r = test_req("POST", "/admin/users");
    test_req_form(r, "a=x%01y%40amal.ma&b=x%FF%40amal.ma");
    json_object_clear(e);
    assert_null(v_email(r, e, "a", true));
    assert_null(v_email(r, e, "b", true));
    assert_string_equal(emsg(e, "a"), BAD_CHARS);
    assert_string_equal(emsg(e, "b"), BAD_CHARS);
    test_req_free(r);
    json_decref(e);
}

/* --- v_paging / v_unknown_fields -------------------------------------------- */

static void paging(const char *qs, int64_t want_limit, int64_t want_offset, const char *bad1,
                   const char *bad2)
{
    req_t *r = test_req("GET", "/api/v1/nodes");
    if (qs)
        test_req_query(r, qs);
    json_t *e = json_object();
    int64_t limit = -7, offset = -7;
    v_paging(r, e, &limit, &offset);
    if (limit != want_limit || offset != want_offset)
        fail_msg("%s: limit %lld offset %lld", qs ? qs : "(none)", (long long)limit, (long long)offset);
    size_t nerr = (bad1 ? 1 : 0) + (bad2 ? 1 : 0);
    if (json_object_size(e) != nerr)
        fail_msg("%s: %zu errors", qs ? qs : "(none)", json_object_size(e));
    if (bad1)
        assert_string_equal(emsg(e, bad1), BETWEEN);
    if (bad2)
        assert_string_equal(emsg(e, bad2), BETWEEN);
    json_decref(e);
    test_req_free(r);
}

static void test_v_paging(void **state)
{
    (void)state;
    paging(NULL, 50, 0, NULL, NULL);
    paging("q=amal", 50, 0, NULL, NULL);
    paging("limit=20&offset=40", 20, 40, NULL, NULL);
    paging("limit=1&offset=0", 1, 0, NULL, NULL);
    paging("limit=200&offset=2147483647", 200, 2147483647, NULL, NULL);
    paging("limit=&offset=", 50, 0, NULL, NULL);
    paging("limit=0", 50, 0, "limit", NULL);
    paging("limit=201", 50, 0, "limit", NULL);
    paging("limit=-5", 50, 0, "limit", NULL);
    paging("limit=1.5", 50, 0, "limit", NULL);
    paging("limit=abc&offset=-1", 50, 0, "limit", "offset");
    paging("offset=2147483648", 50, 0, "offset", NULL);
    paging("limit=10&offset=99999999999999999999", 10, 0, "offset", NULL);

    /* the numbers in the messages */
    req_t *r = test_req("GET", "/api/v1/nodes");
    test_req_query(r, "limit=500&offset=-2");
    json_t *e = json_object();
    int64_t limit, offset;
    v_paging(r, e, &limit, &offset);
    assert_int_equal(err_num(e, "limit", "n"), 1);
    assert_int_equal(err_num(e, "limit", "m"), 200);
    assert_int_equal(err_num(e, "offset", "n"), 0);
    assert_int_equal(err_num(e, "offset", "m"), 2147483647);
    json_t *tr = app_errors_translate(r, e);
    assert_string_equal(json_string_value(json_object_get(tr, "limit")), "Enter a number between 1 and 200.");
    json_decref(tr);
    json_decref(e);
    test_req_free(r);
}

static void test_v_unknown_fields(void **state)
{
    (void)state;
    static const char *const known[] = {"name", "parent_id", NULL};
    req_t *r = test_req("POST", "/api/v1/nodes");
    test_req_json(r, "{\"name\":\"x\",\"evil\":1,\"parent_id\":2,\"is_admin\":true,\"Name\":\"y\"}");
    json_t *e = json_object();
    json_object_set_new(e, "is_admin", json_string("Earlier error."));
    v_unknown_fields(r, e, known);
    assert_int_equal(json_object_size(e), 3);
    assert_string_equal(emsg(e, "evil"), UNKNOWN);
    assert_string_equal(emsg(e, "Name"), UNKNOWN); /* names are exact */
    assert_string_equal(emsg(e, "is_admin"), "Earlier error.");
    assert_null(json_object_get(e, "name"));
    test_req_free(r);

    /* forms carry extra fields (_csrf, buttons): not checked */
    r = test_req("POST", "/admin/nodes");
    test_req_form(r, "name=x&evil=1&_csrf=t");
    json_object_clear(e);
    v_unknown_fields(r, e, known);
    assert_int_equal(json_object_size(e), 0);
    test_req_free(r);
    r = test_req("POST", "/api/v1/nodes");
    test_req_json(r, "[1,2]");
    v_unknown_fields(r, e, known);
    assert_int_equal(json_object_size(e), 0);
    test_req_free(r);
    json_decref(e);
}

/* --- model_form_errors ------------------------------------------------------ */

static void test_model_form_errors(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/admin/users");
    test_req_form(r, "name=Amal&password=secret123456&new_password=n&confirm_password=c&_csrf=tok"
                "&email=%FFa%C3%A9&name=second&%FFkey=v&note=%E2%82&surr=%ED%A0%80x&capacity=12"
                "&ar=%D8%AF%D8%A7%D8%B1");
    json_t *e = json_object();
    json_object_set_new(e, "name", json_string(REQUIRED));
    json_object_set_new(e, "capacity", json_pack("{s:s, s:I, s:I}", "msgid", BETWEEN, "n",
                                                 (json_int_t)1, "m", (json_int_t)500));
    json_t *model = json_object();
    model_form_errors(r, model, e);
    /* errors are not taken */
    assert_int_equal(json_object_size(e), 2);
    assert_string_equal(emsg(e, "capacity"), BETWEEN);
    json_decref(e);

    json_t *errs = json_object_get(model, "errors");
    assert_int_equal(json_object_size(errs), 2);
    assert_string_equal(json_string_value(json_object_get(errs, "name")), REQUIRED);
    assert_string_equal(json_string_value(json_object_get(errs, "capacity")),
                        "Enter a number between 1 and 500.");
    json_t *sum = json_object_get(model, "error_summary");
    assert_int_equal(json_array_size(sum), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 0), "field")), "name");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 0), "message")), REQUIRED);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 1), "field")), "capacity");
    assert_string_equal(json_string_value(json_object_get(json_array_get(sum, 1), "message")),
                        "Enter a number between 1 and 500.");

    json_t *vals = json_object_get(model, "values");
    assert_string_equal(json_string_value(json_object_get(vals, "name")), "Amal"); /* the first */
    assert_string_equal(json_string_value(json_object_get(vals, "capacity")), "12");
    assert_string_equal(json_string_value(json_object_get(vals, "ar")), "دار");
    assert_null(json_object_get(vals, "password"));
    assert_null(json_object_get(vals, "new_password"));
    assert_null(json_object_get(vals, "confirm_password"));
    assert_null(json_object_get(vals, "_csrf"));
    assert_null(json_object_get(vals, "\xFFkey")); /* a name that is not UTF-8 is dropped */
    /* bad bytes shown as U+FFFD, one per byte */
    assert_string_equal(json_string_value(json_object_get(vals, "email")), "\xEF\xBF\xBD" "a\xC3\xA9");
    assert_string_equal(json_string_value(json_object_get(vals, "note")),
                        "\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(json_string_value(json_object_get(vals, "surr")),
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "x");
    assert_int_equal(json_object_size(vals), 6);
    json_decref(model);

    /* values the handler already put in the model stay as they are */
    model = json_pack("{s:{s:s}}", "values", "name", "kept");
    e = json_pack("{s:s}", "name", REQUIRED);
    model_form_errors(r, model, e);
    json_decref(e);
    vals = json_object_get(model, "values");
    assert_int_equal(json_object_size(vals), 1);
    assert_string_equal(json_string_value(json_object_get(vals, "name")), "kept");
    json_decref(model);
    test_req_free(r);

    /* JSON: strings kept, secrets and other types not */
    r = test_req("POST", "/api/v1/users");
    test_req_json(r, "{\"name\":\"x\",\"password\":\"p\",\"old_password\":\"o\",\"_csrf\":\"t\",\"count\":3}");
    model = json_object();
    e = json_object();
    model_form_errors(r, model, e);
    json_decref(e);
    vals = json_object_get(model, "values");
    assert_int_equal(json_object_size(vals), 1);
    assert_string_equal(json_string_value(json_object_get(vals, "name")), "x");
    assert_int_equal(json_array_size(json_object_get(model, "error_summary")), 0);
    assert_int_equal(json_object_size(json_object_get(model, "errors")), 0);
    json_decref(model);
    test_req_free(r);
}

/* --- numbers and translation ------------------------------------------------ */

static void test_format_numbers(void **state)
{
    (void)state;
    req_t *r = test_req("GET", "/");
    /* TF: the translation (here the msgid: no catalogue) with its numbers */
    assert_string_equal(TF(r, "Between %d and %d.", 1, 10), "Between 1 and 10.");
    assert_string_equal(TF(r, "%d%d%d", 1, 2), "12"); /* two at most; a third prints nothing */
    assert_string_equal(TF(r, "At most %d.", 7, 9), "At most 7.");
    assert_string_equal(TF(r, "no numbers", 1, 2), "no numbers");
    assert_string_equal(TF(r, "", 1, 2), "");
    assert_string_equal(TF(r, "%d..%d", -5, 9223372036854775807LL), "-5..9223372036854775807");
    assert_string_equal(TF(r, "100%", 1, 2), "100%");
    assert_string_equal(TF(r, "%d%% full", 40, 2), "40% full");
    assert_string_equal(TF(r, "%s %x %d", 7, 8), "%s %x 7"); /* no printf */
    assert_string_equal(TF(r, "أدخل عددًا بين %d و%d.", 1, 500), "أدخل عددًا بين 1 و500.");

    /* app_number: Western digits, grouped from 10 000 */
    assert_string_equal(app_number(r, 0), "0");
    assert_string_equal(app_number(r, 7), "7");
    assert_string_equal(app_number(r, 9999), "9999");
    assert_string_equal(app_number(r, -9999), "-9999");
    assert_string_equal(app_number(r, 10000), "10\u202f000");
    assert_string_equal(app_number(r, 1234567), "1\u202f234\u202f567");
    assert_string_equal(app_number(r, -120000), "-120\u202f000");
    test_req_free(r);
}

static void test_errors_translate_fallback(void **state)
{
    (void)state;
    req_t *r = test_req("GET", "/");
    json_t *e = json_pack("{s:s, s:{s:s, s:I, s:I}, s:{s:I}, s:I, s:s}", "a", REQUIRED, "b",
                          "msgid", BETWEEN, "n", (json_int_t)2, "m", (json_int_t)8, "c", "n",
                          (json_int_t)1, "d", (json_int_t)5, "e", "Not in any catalogue.");
    json_t *tr = app_errors_translate(r, e);
    assert_ptr_not_equal(tr, e);
    assert_int_equal(json_object_size(tr), 5);
    assert_string_equal(json_string_value(json_object_get(tr, "a")), REQUIRED);
    assert_string_equal(json_string_value(json_object_get(tr, "b")), "Enter a number between 2 and 8.");
    assert_string_equal(json_string_value(json_object_get(tr, "c")), "");
    assert_string_equal(json_string_value(json_object_get(tr, "d")), "");
    assert_string_equal(json_string_value(json_object_get(tr, "e")), "Not in any catalogue.");
    assert_true(json_is_object(json_object_get(e, "b"))); /* the input is untouched */
    json_decref(tr);
    json_decref(e);
    test_req_free(r);
}

static void test_errors_translated(void **state)
{
    (void)state;
    char dir[] = "/tmp/jouda-test-app-XXXXXX";
    assert_non_null(mkdtemp(dir));
    test_write_mo(dir, "fr", "nplurals=2; plural=(n > 1);",
                  "msgid \"" REQUIRED "\"\nmsgstr \"Ce champ est obligatoire.\"\n\n"
                  "msgid \"" BETWEEN "\"\nmsgstr \"Saisissez un nombre entre %d et %d.\"\n\n"
                  "msgid \"" TOO_LONG "\"\nmsgstr \"Ce texte est trop long (%d caractères au plus).\"\n",
                  "--check");
    test_write_mo(dir, "ar", TEST_AR_PLURAL,
                  "msgid \"" REQUIRED "\"\nmsgstr \"هذا الحقل إلزامي.\"\n\n"
                  "msgid \"" BETWEEN "\"\nmsgstr \"أدخل عددًا بين %d و%d.\"\n",
                  "--check");
    test_write_mo(dir, "en", "nplurals=2; plural=(n != 1);", "", "--check");
    char err[256] = "";
    assert_int_equal(i18n_load(dir, err, sizeof err), 0);

    req_t *r = test_req("POST", "/admin/nodes");
    test_req_form(r, "capacity=0&name=");
    json_t *e = json_object();
    v_text(r, e, "name", true, 10);
    v_int(r, e, "capacity", true, 1, 500, 0);
    json_t *model = json_object();
    model_form_errors(r, model, e);
    json_t *errs = json_object_get(model, "errors");
    assert_string_equal(json_string_value(json_object_get(errs, "name")), "Ce champ est obligatoire.");
    assert_string_equal(json_string_value(json_object_get(errs, "capacity")),
                        "Saisissez un nombre entre 1 et 500.");
    json_decref(model);

    r->lang = "ar";
    json_t *tr = app_errors_translate(r, e);
    assert_string_equal(json_string_value(json_object_get(tr, "name")), "هذا الحقل إلزامي.");
    assert_string_equal(json_string_value(json_object_get(tr, "capacity")), "أدخل عددًا بين 1 و500.");
    json_decref(tr);
    r->lang = "en"; /* English: the msgids themselves */
    tr = app_errors_translate(r, e);
    assert_string_equal(json_string_value(json_object_get(tr, "capacity")),
                        "Enter a number between 1 and 500.");
    json_decref(tr);

    /* the API error object carries the translated fields */
    r->lang = "fr";
    r->is_api = true;
    respond_error(r, 422, "invalid", NULL, e); /* steals e */
    assert_int_equal(r->http->status, 422);
    json_t *body = json_loads(r->http->resp_body.data, 0, NULL);
    assert_non_null(body);
    json_t *err_o = json_object_get(body, "error");
    assert_string_equal(json_string_value(json_object_get(err_o, "code")), "invalid");
    assert_string_equal(json_string_value(json_object_get(json_object_get(err_o, "fields"), "capacity")),
                        "Saisissez un nombre entre 1 et 500.");
    json_decref(body);
    test_req_free(r);

    i18n_unload();
    static const char *const langs[] = {"fr", "ar", "en"};
    for (size_t i = 0; i < ARRAY_LEN(langs); i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%s.po", dir, langs[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s/%s.mo", dir, langs[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* --- results and statuses ---------------------------------------------------- */

/* The error object of an API answer: {"error": {code, message, fields}}. */
static json_t *api_error(req_t *r)
{
    json_t *body = json_loads(r->http->resp_body.data ? r->http->resp_body.data : "", 0, NULL);
    assert_non_null(body);
    json_t *e = json_incref(json_object_get(body, "error"));
    json_decref(body);
    assert_non_null(e);
    return e;
}

static void test_results_to_http(void **state)
{
    (void)state;
    static const struct {
        res_t res;
        int status;
        const char *code;
        const char *message; /* the standard message, NULL when none */
    } map[] = {
        {RES_NOT_FOUND, 404, "not_found", "Not found."},
        {RES_FORBIDDEN, 403, "forbidden", "You are not allowed to do this."},
        {RES_INVALID, 422, "invalid", NULL},
        {RES_CONFLICT, 409, "conflict", NULL},
        {RES_LIMITED, 429, "too_many", NULL},
        {RES_ERROR, 500, "internal", "Something went wrong; try again."},
        {RES_OK, 500, "internal", "Something went wrong; try again."}, /* a programming error */
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++) {
        assert_int_equal(app_status_of(map[i].res), map[i].status);
        req_t *r = test_req("GET", "/api/v1/nodes/3");
        app_fail(r, map[i].res, NULL, NULL);
        assert_int_equal(r->http->status, map[i].status);
        json_t *e = api_error(r);
        assert_string_equal(json_string_value(json_object_get(e, "code")), map[i].code);
        if (map[i].message)
            assert_string_equal(json_string_value(json_object_get(e, "message")), map[i].message);
        assert_null(json_object_get(e, "fields"));
        json_decref(e);
        test_req_free(r);
    }

    /* a message of the handler's own and field errors, translated */
    req_t *r = test_req("PATCH", "/api/v1/nodes/3");
    json_t *fields = json_object();
    v_error(fields, "capacity", REQUIRED);
    app_fail(r, RES_CONFLICT, "This establishment changed meanwhile.", fields); /* steals fields */
    assert_int_equal(r->http->status, 409);
    json_t *e = api_error(r);
    assert_string_equal(json_string_value(json_object_get(e, "code")), "conflict");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "This establishment changed meanwhile.");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "fields"), "capacity")),
                        REQUIRED);
    json_decref(e);
    test_req_free(r);
}

/* --- small input helpers ------------------------------------------------------ */

static void test_input_helpers(void **state)
{
    (void)state;
    req_t *r = test_req("POST", "/admin/nodes/3");
    test_req_form(r, "name=Dar&empty=&confirm=1");
    test_req_query(r, "tab=docs&page=2");
    /* the protocol side through the request */
    assert_string_equal(req_form(r, "name"), "Dar");
    assert_null(req_form(r, "tab"));
    assert_string_equal(req_query(r, "tab"), "docs");
    assert_null(req_query(r, "name"));
    assert_string_equal(req_ip(r), "127.0.0.1");
    /* present, even empty */
    assert_true(input_present(r, "name"));
    assert_true(input_present(r, "empty"));
    assert_false(input_present(r, "absent"));
    assert_false(input_present(r, "tab")); /* the query string is not the body */
    /* confirm=1 posted: no confirmation page needed */
    assert_false(page_needs_confirm(r));
    test_req_free(r);

    r = test_req("POST", "/admin/nodes/3/disable");
    test_req_form(r, "confirm=0");
    assert_true(page_needs_confirm(r));
    test_req_free(r);
    r = test_req("POST", "/admin/nodes/3/disable");
    assert_true(page_needs_confirm(r));
    test_req_free(r);

    r = test_req("PATCH", "/api/v1/nodes/3");
    test_req_json(r, "{\"name\":\"x\",\"name_ar\":null,\"confirm\":\"1\"}");
    assert_true(input_present(r, "name"));
    assert_true(input_present(r, "name_ar")); /* JSON null is present: it clears */
    assert_false(input_present(r, "capacity"));
    assert_false(page_needs_confirm(r)); /* the API never asks */
    test_req_free(r);
    r = test_req("PATCH", "/api/v1/nodes/3");
    test_req_json(r, "[\"name\"]");
    assert_false(input_present(r, "name"));
    test_req_free(r);

    /* v_error keeps the first error of a field */
    json_t *e = json_object();
    v_error(e, "name", REQUIRED);
    v_error(e, "name", TOO_LONG);
    assert_string_equal(emsg(e, "name"), REQUIRED);
    /* v_errors_order: the form's order, anything not listed after it */
    v_error(e, "zeta", IN_LIST);
    v_error(e, "email", EMAIL_SHAPE);
    v_error(e, "capacity", WHOLE);
    static const char *const order[] = {"email", "name", "capacity", "absent", NULL};
    v_errors_order(e, order);
    assert_int_equal(json_object_size(e), 4);
    static const char *const want[] = {"email", "name", "capacity", "zeta"};
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach(e, key, val) {
        assert_true(k < ARRAY_LEN(want));
        assert_string_equal(key, want[k]);
        k++;
    }
    assert_string_equal(emsg(e, "capacity"), WHOLE);
    assert_string_equal(emsg(e, "zeta"), IN_LIST);
    json_decref(e);

    json_t *j = json_str_or_null("texte");
    assert_string_equal(json_string_value(j), "texte");
    json_decref(j);
    j = json_str_or_null(NULL);
    assert_true(json_is_null(j));
    json_decref(j);
}

/* --- scope filters and menus ------------------------------------------------ */

/* One range of paths per live assignment that grants the permission. */
#define RANGE "(n.path >= ? AND n.path < ?)"

static void scope(req_t *r, perm_t perm, const char *want_sql, const char *const *want_params)
{
    buf_t sql;
    buf_init(&sql);
    db_param_t params[8];
    int n = 0;
    app_scope_sql(r, perm, "n.path", &sql, params, &n, 8);
    assert_string_equal(sql.data, want_sql);
    int want_n = 0;
    while (want_params[want_n])
        want_n++;
    assert_int_equal(n, want_n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(params[i].type, DBP_TEXT);
        assert_string_equal(params[i].s, want_params[i]);
    }
    buf_free(&sql);
}

#define ROLE(r, id, kind, exp, p) \
    {.role = (r), .node_id = (id), .node_kind = (kind), .expires_at = (exp), .node_path = (p)}

static void test_path_upper(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(app_path_upper(a, "/1/4/"), "/1/40");
    assert_string_equal(app_path_upper(a, "/1/"), "/10");
    assert_string_equal(app_path_upper(a, "/1/4/9/"), "/1/4/90");
    assert_string_equal(app_path_upper(a, "/1/4"), ""); /* not a stored path */
    assert_string_equal(app_path_upper(a, ""), "");
    assert_string_equal(app_path_upper(a, NULL), "");
    /* the range holds the subtree and nothing else, in the bytes' order */
    const char *lo = "/1/4/", *hi = app_path_upper(a, lo);
    static const char *const in[] = {"/1/4/", "/1/4/9/", "/1/4/99999/", "/1/4/10/12/"};
    static const char *const out[] = {"/1/", "/1/3/", "/1/40/", "/1/41/", "/1/5/", "/1/4", "/2/4/",
                                      "/1/39/", "/1/400/"};
    for (size_t i = 0; i < ARRAY_LEN(in); i++)
        if (!(strcmp(in[i], lo) >= 0 && strcmp(in[i], hi) < 0))
            fail_msg("%s is not in [%s, %s)", in[i], lo, hi);
    for (size_t i = 0; i < ARRAY_LEN(out); i++)
        if (strcmp(out[i], lo) >= 0 && strcmp(out[i], hi) < 0)
            fail_msg("%s is in [%s, %s)", out[i], lo, hi);
    arena_free(a);
}

static void test_scope_sql(void **state)
{
    (void)state;
    int64_t now = now_utc();
    role_assignment_t roles[] = {
        ROLE(ROLE_DIRECTOR, 4, NODE_EPS, 0, "/1/2/4/"),
        ROLE(ROLE_INSPECTOR, 9, NODE_EPS, now - 10, "/1/2/9/"),       /* expired */
        ROLE(ROLE_INSPECTOR, 12, NODE_UNIT, now + 3600, "/1/3/7/12/"), /* live */
        ROLE(ROLE_STAFF, 15, NODE_UNIT, 0, "/1/3/8/15/"),
        ROLE(ROLE_DIRECTOR, 20, NODE_UNIT, 0, "/1/3/8/20/"),           /* misplaced: gives nothing */
        ROLE(ROLE_ADMIN, 1, NODE_ROOT, 1, "/1/"),                       /* expired long ago */
        ROLE(ROLE_INSPECTOR, 30, NODE_EPS, now, "/1/3/30/"),           /* expires now: no longer live */
    };
    app_user_t u = {.id = 5, .name = "Fatima", .roles = roles, .n_roles = (int)ARRAY_LEN(roles)};
    req_t *r = test_req("GET", "/api/v1/nodes");
    r->user = &u;
    scope(r, PERM_ORG_READ, "(" RANGE " OR " RANGE " OR " RANGE ")",
          (const char *const[]){"/1/2/4/", "/1/2/40", "/1/3/7/12/", "/1/3/7/120", "/1/3/8/15/",
                                "/1/3/8/150", NULL});
    scope(r, PERM_USER_MANAGE, "(" RANGE ")", (const char *const[]){"/1/2/4/", "/1/2/40", NULL});
    scope(r, PERM_AUDIT_READ, "(" RANGE ")", (const char *const[]){"/1/2/4/", "/1/2/40", NULL});
    scope(r, PERM_QUALITY_WRITE, "(" RANGE " OR " RANGE ")",
          (const char *const[]){"/1/2/4/", "/1/2/40", "/1/3/8/15/", "/1/3/8/150", NULL});
    scope(r, PERM_QUALITY_READ, "(" RANGE " OR " RANGE " OR " RANGE ")",
          (const char *const[]){"/1/2/4/", "/1/2/40", "/1/3/7/12/", "/1/3/7/120", "/1/3/8/15/",
                                "/1/3/8/150", NULL});

    /* nothing granted: a filter that matches no row */
    role_assignment_t only_expired[] = {ROLE(ROLE_INSPECTOR, 9, NODE_EPS, now - 10, "/1/2/9/"),
                                        ROLE(ROLE_ADMIN, 1, NODE_ROOT, 1, "/1/")};
    app_user_t u2 = {.id = 6, .roles = only_expired, .n_roles = 2};
    r->user = &u2;
    scope(r, PERM_ORG_READ, "(1=0)", (const char *const[]){NULL});
    app_user_t u3 = {.id = 7, .roles = NULL, .n_roles = 0};
    r->user = &u3;
    scope(r, PERM_ORG_READ, "(1=0)", (const char *const[]){NULL});
    r->user = NULL;
    scope(r, PERM_ORG_READ, "(1=0)", (const char *const[]){NULL});
    r->user = &u;
    scope(r, PERM_USER_RESET_PASSWORD, "(" RANGE ")", (const char *const[]){"/1/2/4/", "/1/2/40", NULL});
    role_assignment_t staff_only[] = {ROLE(ROLE_STAFF, 15, NODE_UNIT, 0, "/1/3/8/15/")};
    app_user_t u4 = {.id = 8, .roles = staff_only, .n_roles = 1};
    r->user = &u4;
    scope(r, PERM_USER_READ, "(1=0)", (const char *const[]){NULL});
    /* a role without its node's path cannot be turned into a range: nothing */
    role_assignment_t no_path[] = {ROLE(ROLE_ADMIN, 1, NODE_ROOT, 0, NULL),
                                   ROLE(ROLE_DIRECTOR, 4, NODE_EPS, 0, "")};
    app_user_t u5 = {.id = 9, .roles = no_path, .n_roles = 2};
    r->user = &u5;
    scope(r, PERM_ORG_READ, "(1=0)", (const char *const[]){NULL});
    /* a live role at the root that grants the permission: the whole
     * platform, no range at all; one that does not grant it changes nothing */
    role_assignment_t national[] = {ROLE(ROLE_DIRECTOR, 4, NODE_EPS, 0, "/1/2/4/"),
                                    ROLE(ROLE_OBSERVER, 1, NODE_ROOT, 0, "/1/")};
    app_user_t un = {.id = 10, .roles = national, .n_roles = 2};
    r->user = &un;
    scope(r, PERM_ORG_READ, "(1=1)", (const char *const[]){NULL});
    scope(r, PERM_USER_MANAGE, "(" RANGE ")", (const char *const[]){"/1/2/4/", "/1/2/40", NULL});
    /* the root admin: the whole tree, without a filter */
    role_assignment_t root_admin[] = {ROLE(ROLE_ADMIN, 1, NODE_ROOT, 0, "/1/")};
    app_user_t u6 = {.id = 11, .roles = root_admin, .n_roles = 1};
    r->user = &u6;
    scope(r, PERM_AUDIT_READ, "(1=1)", (const char *const[]){NULL});

    /* appended to what is there, params after those already bound */
    r->user = &u;
    for (int maxp = 3; maxp <= 4; maxp++) {
        buf_t sql;
        buf_init(&sql);
        buf_puts(&sql, "SELECT id FROM nodes n WHERE n.active = ? AND ");
        db_param_t params[5] = {P_INT(1)};
        params[3] = P_INT(77);
        params[4] = P_INT(78);
        int n = 1;
        app_scope_sql(r, PERM_ORG_READ, "n.path", &sql, params, &n, maxp);
        /* room for one range only (two or three free places): never written
         * past maxparams, never half a range */
        assert_int_equal(n, 3);
        assert_string_equal(sql.data, "SELECT id FROM nodes n WHERE n.active = ? AND (" RANGE ")");
        assert_int_equal(params[0].type, DBP_INT);
        assert_int_equal(params[0].i, 1);
        assert_string_equal(params[1].s, "/1/2/4/");
        assert_string_equal(params[2].s, "/1/2/40");
        assert_int_equal(params[3].type, DBP_INT);
        assert_int_equal(params[3].i, 77);
        assert_int_equal(params[4].i, 78);
        buf_free(&sql);
    }
    test_req_free(r);
}

static void test_can_at_path(void **state)
{
    (void)state;
    int64_t now = now_utc();
    req_t *r = test_req("GET", "/admin/nodes");
    assert_false(app_can_at_path(r, PERM_ORG_READ, "/1/2/4/")); /* nobody signed in */
    role_assignment_t roles[] = {
        ROLE(ROLE_DIRECTOR, 4, NODE_EPS, 0, "/1/2/4/"),
        ROLE(ROLE_INSPECTOR, 9, NODE_EPS, now - 10, "/1/2/9/"), /* expired */
    };
    app_user_t u = {.id = 5, .roles = roles, .n_roles = 2};
    r->user = &u;
    assert_true(app_can_at_path(r, PERM_ORG_READ, "/1/2/4/"));
    assert_true(app_can_at_path(r, PERM_USER_MANAGE, "/1/2/4/12/"));
    assert_false(app_can_at_path(r, PERM_ORG_READ, "/1/2/")); /* above the role */
    assert_false(app_can_at_path(r, PERM_ORG_READ, "/1/2/9/"));
    assert_false(app_can_at_path(r, PERM_QUALITY_READ, "/1/2/9/"));
    assert_false(app_can_at_path(r, PERM_ORG_READ, "/1/2/40/")); /* a prefix of digits is not an ancestor */
    /* what is not a stored path is no place at all */
    static const char *const bad[] = {"", "/", "1/2/4/", "/1/2/4", "/1//4/", "/1/x/4/", "/1/2/04/",
                                      "/1/-2/4/", "/1/2/4/ "};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (app_can_at_path(r, PERM_ORG_READ, bad[i]))
            fail_msg("allowed at \"%s\"", bad[i]);
    assert_false(app_can_at_path(r, PERM_ORG_READ, NULL));
    test_req_free(r);
}

static void test_user_can_anywhere(void **state)
{
    (void)state;
    int64_t now = now_utc();
    req_t *r = test_req("GET", "/");
    assert_false(app_user_can_anywhere(r, PERM_ORG_READ));
    assert_false(app_user_can_anywhere(r, PERM_AUTHENTICATED)); /* nobody signed in */

    app_user_t none = {.id = 1, .roles = NULL, .n_roles = 0};
    r->user = &none;
    assert_true(app_user_can_anywhere(r, PERM_PUBLIC));
    assert_true(app_user_can_anywhere(r, PERM_AUTHENTICATED));
    assert_false(app_user_can_anywhere(r, PERM_ORG_READ));

    role_assignment_t staff[] = {ROLE(ROLE_STAFF, 15, NODE_UNIT, 0, "/1/3/8/15/")};
    app_user_t us = {.id = 2, .roles = staff, .n_roles = 1};
    r->user = &us;
    assert_true(app_user_can_anywhere(r, PERM_ORG_READ));
    assert_true(app_user_can_anywhere(r, PERM_PERSONAL_READ));
    assert_true(app_user_can_anywhere(r, PERM_ATTACH_WRITE)); /* staff keep their place's documents */
    assert_false(app_user_can_anywhere(r, PERM_USER_READ));
    assert_false(app_user_can_anywhere(r, PERM_AUDIT_READ));
    assert_false(app_user_can_anywhere(r, PERM_ORG_MANAGE));

    role_assignment_t insp[] = {ROLE(ROLE_INSPECTOR, 9, NODE_EPS, now - 1, "/1/2/9/"),
                                ROLE(ROLE_INSPECTOR, 12, NODE_EPS, now + 60, "/1/2/12/")};
    app_user_t ui = {.id = 3, .roles = insp, .n_roles = 2};
    r->user = &ui;
    assert_true(app_user_can_anywhere(r, PERM_QUALITY_READ));
    assert_false(app_user_can_anywhere(r, PERM_QUALITY_WRITE));
    assert_false(app_user_can_anywhere(r, PERM_PERSONAL_READ));
    ui.n_roles = 1; /* only the expired one */
    assert_false(app_user_can_anywhere(r, PERM_ORG_READ));
    assert_true(app_user_can_anywhere(r, PERM_AUTHENTICATED));

    role_assignment_t old_admin[] = {ROLE(ROLE_ADMIN, 1, NODE_ROOT, 1, "/1/")};
    app_user_t ua = {.id = 4, .roles = old_admin, .n_roles = 1};
    r->user = &ua;
    for (int p = PERM_ORG_READ; p < PERM__COUNT; p++)
        assert_false(app_user_can_anywhere(r, (perm_t)p));
    old_admin[0].expires_at = 0;
    for (int p = PERM_ORG_READ; p < PERM__COUNT; p++) /* all but the persons' files */
        assert_true(app_user_can_anywhere(r, (perm_t)p) ==
                    (p != PERM_PERSONAL_READ && p != PERM_PERSONAL_WRITE));

    role_assignment_t misplaced[] = {ROLE(ROLE_DIRECTOR, 20, NODE_UNIT, 0, "/1/3/8/20/")};
    app_user_t um = {.id = 5, .roles = misplaced, .n_roles = 1};
    r->user = &um;
    assert_false(app_user_can_anywhere(r, PERM_ORG_READ));
    test_req_free(r);
}

/* Cached views: served for the version and the time they were stored for,
 * as copies; the least recently used goes when the slots are full. */
static void test_cache(void **state)
{
    (void)state;
    app_cache_clear();
    int64_t now = now_utc();
    json_t *v = json_pack("{s:i, s:[i]}", "eps", 1100, "list", 7);
    assert_null(app_cache_get("k", 5));
    app_cache_put("k", 5, now + 60, v);
    json_object_set_new(v, "eps", json_integer(1)); /* the stored value is a copy */
    json_t *got = app_cache_get("k", 5);
    assert_non_null(got);
    assert_int_equal(json_integer_value(json_object_get(got, "eps")), 1100);
    json_object_set_new(got, "eps", json_integer(2)); /* and so is what comes out */
    json_decref(got);
    got = app_cache_get("k", 5);
    assert_int_equal(json_integer_value(json_object_get(got, "eps")), 1100);
    json_decref(got);
    /* another version of the data, another key: nothing */
    assert_null(app_cache_get("k", 6));
    assert_null(app_cache_get("k", 4));
    assert_null(app_cache_get("K", 5));
    assert_null(app_cache_get("k", -1));
    /* an older version never replaces a newer one */
    app_cache_put("k", 6, now + 60, v);
    app_cache_put("k", 5, now + 60, v);
    assert_null(app_cache_get("k", 5));
    got = app_cache_get("k", 6);
    assert_int_equal(json_integer_value(json_object_get(got, "eps")), 1);
    json_decref(got);
    /* past its end of validity: nothing; an end already past: not stored */
    app_cache_put("old", 6, now - 1, v);
    assert_null(app_cache_get("old", 6));
    app_cache_put("soon", 6, now + 1, v);
    assert_non_null(got = app_cache_get("soon", 6));
    json_decref(got);
    /* 64 slots: the least recently used goes first */
    app_cache_clear();
    char key[32];
    for (int i = 0; i < 64; i++) {
        snprintf(key, sizeof key, "slot%d", i);
        app_cache_put(key, 1, now + 60, v);
    }
    json_decref(app_cache_get("slot0", 1)); /* used: slot1 is now the oldest */
    app_cache_put("slot64", 1, now + 60, v);
    assert_non_null(got = app_cache_get("slot0", 1));
    json_decref(got);
    assert_null(app_cache_get("slot1", 1));
    assert_non_null(got = app_cache_get("slot64", 1));
    json_decref(got);
    app_cache_clear();
    assert_null(app_cache_get("slot64", 1));
    json_decref(v);
}

/* What a view shown to a reader depends on: the language and the live roles. */
static void test_reader_key(void **state)
{
    (void)state;
    int64_t now = now_utc();
    req_t *r = test_req("GET", "/");
    r->lang = "ar";
    assert_string_equal(app_reader_key(r, now), "ar|");
    role_assignment_t roles[] = {
        ROLE(ROLE_DIRECTOR, 4, NODE_EPS, 0, "/1/2/4/"),
        ROLE(ROLE_INSPECTOR, 9, NODE_EPS, now - 10, "/1/2/9/"), /* ended: no part of it */
        ROLE(ROLE_OBSERVER, 2, NODE_ASSOCIATION, now + 10, "/1/2/"),
    };
    app_user_t u = {.id = 5, .roles = roles, .n_roles = 3};
    r->user = &u;
    const char *k = app_reader_key(r, now);
    assert_non_null(strstr(k, "ar|"));
    assert_non_null(strstr(k, "@4;"));
    assert_non_null(strstr(k, "@2;"));
    assert_null(strstr(k, "@9;"));
    r->lang = "fr";
    assert_string_not_equal(app_reader_key(r, now), k);
    /* once the observer's role has ended, another reader */
    r->lang = "ar";
    assert_string_not_equal(app_reader_key(r, now + 11), k);
    test_req_free(r);
}

int main(void)
{
    if (auth_init() != 0)
        return 1;
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_input_str),
        cmocka_unit_test(test_v_text_form),
        cmocka_unit_test(test_v_text_arabic_length),
        cmocka_unit_test(test_v_text_json),
        cmocka_unit_test(test_v_int_form),
        cmocka_unit_test(test_v_int_json),
        cmocka_unit_test(test_v_code),
        cmocka_unit_test(test_v_email),
        cmocka_unit_test(test_v_paging),
        cmocka_unit_test(test_v_unknown_fields),
        cmocka_unit_test(test_model_form_errors),
        cmocka_unit_test(test_format_numbers),
        cmocka_unit_test(test_errors_translate_fallback),
        cmocka_unit_test(test_errors_translated),
        cmocka_unit_test(test_results_to_http),
        cmocka_unit_test(test_input_helpers),
        cmocka_unit_test(test_path_upper),
        cmocka_unit_test(test_scope_sql),
        cmocka_unit_test(test_can_at_path),
        cmocka_unit_test(test_user_can_anywhere),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_reader_key),
    };
    return cmocka_run_group_tests_name("app: input, errors, scope", pure, NULL, NULL);
}
