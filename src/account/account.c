/* account.c - signing in (email or username, throttled, audited; a second
 * step asking a code when two-step verification is on), signing out, my
 * profile (password, language, my API tokens), GET /api/v1/me and the
 * caller's API tokens (list, revoke). */
#include "account_internal.h"

#include <stdio.h>
#include <string.h>

/* Verified when the login matches nobody, so that an unknown login takes as
 * long as a wrong password (no user enumeration by timing). */
static const char dummy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$kpIo8wCfWLUivkzEI4cHeQ$Y8maiw3wQnyPUw8gd5X0NLQ6eJ8SSlFqI+mEDpn9r2E";

static const char *const lang_labels[] = {"Français", "العربية", "English"};

static void url_encode(buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/')
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

static json_t *language_list(req_t *r, const char *selected, const char *next)
{
    json_t *a = json_array();
    for (int i = 0; users_languages[i]; i++) {
        buf_t href;
        buf_init(&href);
        buf_printf(&href, "%s?lang=%s", r->path, users_languages[i]);
        if (next && strcmp(next, "/") != 0) {
            buf_puts(&href, "&next=");
            url_encode(&href, next);
        }
        json_array_append_new(a, json_pack("{ss ss ss sb}", "code", users_languages[i], "label",
                                           lang_labels[i], "href", href.data, "selected",
                                           str_eq(selected, users_languages[i])));
        buf_free(&href);
    }
    return a;
}

/* ---------------------------------------------------------------- login -- */

static void render_login(req_t *r, int status, const char *login, const char *next,
                         const char *error_text, json_t *errors)
{
    json_t *model = json_pack("{ss ss ss ss? so}", "title", T(r, "Sign in"), "login",
                              login ? login : "", "next", next, "error", error_text,
                              "lang_links", language_list(r, r->lang, next));
    if (errors && json_object_size(errors) > 0)
        model_form_errors(r, model, errors);
    /* whatever the form held, only the login goes back into it */
    json_object_set_new(model, "values", json_pack("{ss}", "login", login ? login : ""));
    page_render(r, status, "account/login", model);
}

/* A session for uid: what every successful sign-in does. */
static void sign_in(req_t *r, const throttle_who_t *who, int64_t uid, const char *next)
{
    const char *ip = req_ip(r);
    account_signed_in(r, who, uid);
    char tok[64], shash[80];
    if (session_create(r->db, uid, ip, r->session_hash, tok, sizeof tok, shash, sizeof shash) != 0)
        return app_fail(r, RES_ERROR, NULL, NULL);
    http_set_cookie(r->http, SESSION_COOKIE, tok, -1, true);
    users_touch_login(r->db, uid);
    audit_write(r->db, uid, "login", "user", uid, users_home_of(r->db, uid), NULL, ip);
    http_redirect(r->http, next);
}

/* The second step's page: the challenge goes back into the form, never
 * what was typed. */
static void render_code(req_t *r, int status, const char *challenge, const char *error_text,
                        json_t *errors)
{
    json_t *model = json_pack("{ss ss ss? si si}", "title", T(r, "Two-step verification"),
                              "challenge", challenge, "error", error_text, "digits", TOTP_DIGITS,
                              "minutes", TOTP_CHALLENGE_SECONDS / 60);
    if (errors && json_object_size(errors) > 0)
        model_form_errors(r, model, errors);
    json_object_set_new(model, "values", json_object());
    page_render(r, status, "account/login_code", model);
}

void account_page_login(req_t *r)
{
    const char *next = users_safe_next(req_query(r, "next"));
    if (r->user)
        return http_redirect(r->http, next);
    render_login(r, 200, "", next, NULL, NULL);
}

static const char *clean_login(req_t *r, const char *login)
{
    if (!login || strlen(login) > USERS_EMAIL_MAX || !utf8_valid(login, strlen(login)) ||
        str_has_control(login))
        return NULL;
    return str_trim(arena_strdup(r->arena, login));
}

void account_login(req_t *r)
{
    const char *raw_login = req_form(r, "login");
    const char *password = req_form(r, "password");
    const char *next = users_safe_next(req_form(r, "next"));
    const char *login = clean_login(r, raw_login);
    const char *shown = login ? login : "";
    const char *token = req_form(r, CSRF_FIELD);

    if (!r->csrf_secret || !token || !csrf_check(r->csrf_secret, token))
        return render_login(r, 403, shown, next,
                            T(r, "This form has expired or your browser blocks cookies. Please sign "
                                 "in again."),
                            NULL);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    if (raw_login && !login)
        json_object_set_new(errors, "login", json_string(N_("The text contains characters that are not allowed.")));
    else if (str_empty(login))
        json_object_set_new(errors, "login", json_string(N_("Enter your email or username.")));
    if (!password || !*password)
        json_object_set_new(errors, "password", json_string(N_("Enter your password.")));
    if (json_object_size(errors) > 0)
        return render_login(r, 422, shown, next, NULL, errors);

    const char *ip = req_ip(r);
    char *typed = users_login_key(r->arena, login);
    int64_t uid = 0;
    char hash[256];
    bool found = users_find_login(r->db, typed, &uid, hash, sizeof hash) == 0;
    /* unknown logins are counted under the typed text, known ones under
     * their account, whichever of email and username was typed */
    const char *key = users_throttle_key(r->arena, typed, found ? uid : 0);
    throttle_who_t who;
    char device[DEVICE_ID_CHARS + 1];
    account_throttle_who(r, key, found ? uid : 0, &who, device, sizeof device);
    /* An attempt made too early checks no password and writes no audit row:
     * unauthenticated requests must not grow the log without bound (the
     * failures that set the delay were recorded as login_failed). */
    int64_t wait = throttle_wait(r->db, &who);
    if (wait > 0)
        return render_login(r, 429, shown, next, account_too_early(r, wait), NULL);

    /* the same length rule as when the password was set (characters) */
    bool sane = users_password_fits(password);
    bool ok = password_verify(found ? hash : dummy_hash, sane ? password : "-") && found && sane;
    if (!ok) {
        int64_t home = found ? users_home_of(r->db, uid) : 0;
        audit_write(r->db, 0, "login_failed", "user", found ? uid : 0, home, NULL, ip);
        account_failed(r, &who, found ? uid : 0);
        return render_login(r, 401, shown, next, T(r, "Email/username or password is incorrect."),
                            NULL);
    }

    /* With two-step verification on, the password alone opens nothing: its
     * failures are kept (a success clears them only once the code is right) */
    if (account_totp_enrolled(r->db, uid)) {
        char challenge[TOKEN_CHARS + 1];
        if (totp_challenge_create(r->db, uid, next, challenge, sizeof challenge) != 0)
            return app_fail(r, RES_ERROR, NULL, NULL);
        return render_code(r, 200, challenge, NULL, NULL);
    }
    sign_in(r, &who, uid, next);
}

/* The second step of signing in: the code of the app or a recovery code,
 * with the challenge the first step gave (its token is the secret of the
 * form; the pre-session CSRF token is checked as for the password). At most
 * TOTP_CHALLENGE_ATTEMPTS wrong codes per challenge, each counted by the
 * throttle of the account as a wrong password is; then, or once it has
 * expired, the password is asked again. */
void account_login_code(req_t *r)
{
    const char *token = req_form(r, CSRF_FIELD);
    const char *challenge = req_form(r, "challenge");
    if (!r->csrf_secret || !token || !csrf_check(r->csrf_secret, token))
        return render_login(r, 403, "", "/",
                            T(r, "This form has expired or your browser blocks cookies. Please sign "
                                 "in again."),
                            NULL);
    int64_t uid = 0, attempts = 0;
    const char *next = "/";
    int rc = challenge ? totp_challenge_get(r->db, r->arena, challenge, &uid, &next, &attempts) : -1;
    if (rc == -2)
        return render_login(r, 401, "", next,
                            T(r, "The time to enter the code has run out. Please sign in again."),
                            NULL);
    if (rc != 0 || !users_is_active(r->db, uid) || attempts >= TOTP_CHALLENGE_ATTEMPTS)
        return render_login(r, 401, "", next,
                            T(r, "This sign-in is no longer valid. Please sign in again."), NULL);

    throttle_who_t who;
    char device[DEVICE_ID_CHARS + 1];
    account_throttle_who(r, users_throttle_key(r->arena, NULL, uid), uid, &who, device,
                         sizeof device);
    int64_t wait = throttle_wait(r->db, &who);
    if (wait > 0)
        return render_code(r, 429, challenge, account_too_early(r, wait), NULL);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    /* the app's code, or else a recovery code (a field of its own: phones
     * show digits only for the first) */
    const char *field = "code";
    const char *code = account_typed_code(r, "code");
    if (str_empty(code)) {
        field = "recovery_code";
        code = account_typed_code(r, field);
    }
    if (str_empty(code)) {
        json_object_set_new(errors, "code",
                            json_string(N_("Enter the 6-digit code shown by your app, or one of "
                                           "your recovery codes.")));
        return render_code(r, 422, challenge, NULL, errors);
    }
    totp_check_t st = totp_check(r->db, r->arena, uid, code, true, req_ip(r));
    if (st == TOTP_CHECK_ERROR)
        return app_fail(r, RES_ERROR, NULL, NULL);
    if (st == TOTP_CHECK_OK || st == TOTP_CHECK_RECOVERY) {
        totp_challenge_delete(r->db, challenge);
        return sign_in(r, &who, uid, next);
    }
    audit_write(r->db, 0, "login_totp_failed", "user", uid, users_home_of(r->db, uid), NULL,
                req_ip(r));
    account_failed(r, &who, uid);
    int64_t made = totp_challenge_failed(r->db, challenge);
    if (made < 0 || made >= TOTP_CHALLENGE_ATTEMPTS) {
        totp_challenge_delete(r->db, challenge);
        return render_login(r, 401, "", next,
                            T(r, "Too many wrong codes. Please sign in again."), NULL);
    }
    const char *why =
        st == TOTP_CHECK_REPLAY
            ? N_("This code has been used already. Wait for the next code in your app.")
        : str_eq(field, "code")
            ? N_("This code is not correct. Check the time of your phone, or use a recovery code.")
            : N_("This recovery code is not correct, or it has been used already.");
    json_object_set_new(errors, field, json_string(why));
    return render_code(r, 422, challenge, NULL, errors);
}

/* GET /login/code (a language link of the second step): back to the start. */
void account_login_code_get(req_t *r)
{
    if (r->user)
        return http_redirect(r->http, "/");
    http_redirect(r->http, "/login");
}

void account_logout(req_t *r)
{
    if (r->session_hash)
        session_delete(r->db, r->session_hash);
    http_set_cookie(r->http, SESSION_COOKIE, "", 0, true);
    if (r->user) {
        audit_write(r->db, r->user->id, "logout", "user", r->user->id,
                    users_home_of(r->db, r->user->id), NULL, req_ip(r));
    }
    http_redirect(r->http, "/login");
}

/* -------------------------------------------------------------- profile -- */

/* The signed-in user's live API tokens as the profile shows them: label,
 * dates in local time, newest first. */
static json_t *profile_tokens(req_t *r)
{
    json_t *out = json_array();
    json_t *rows = api_token_list(r->db, r->user->id, true);
    size_t i;
    json_t *t;
    json_array_foreach(rows, i, t)
    {
        char created[32] = "", expires[32] = "", used[64] = "";
        format_local_date(json_integer_value(json_object_get(t, "created_at")), created, sizeof created);
        format_local_date(json_integer_value(json_object_get(t, "expires_at")), expires, sizeof expires);
        int64_t last = json_integer_value(json_object_get(t, "last_used_at"));
        if (last > 0)
            format_local_datetime(last, used, sizeof used);
        const char *label = json_string_value(json_object_get(t, "label"));
        json_array_append_new(out, json_pack("{sI ss ss ss ss}", "id",
                                             json_integer_value(json_object_get(t, "id")), "label",
                                             label ? label : "", "created", created, "expires",
                                             expires, "last_used", used));
    }
    json_decref(rows);
    return out;
}

static void render_profile(req_t *r, int status, json_t *errors, const char *open)
{
    static const char *const order[] = {"current_password", "new_password", "confirm_password",
                                        "language", NULL};
    if (errors)
        v_errors_order(errors, order);
    json_t *u = users_json(r, r->user->id);
    if (!u)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    arena_defer(r->arena, (void (*)(void *))json_decref, u);
    json_t *roles = json_array();
    json_t *live = users_roles_json(r, r->user->id, true, false);
    size_t i;
    json_t *ro;
    json_array_foreach(live, i, ro)
    {
        char date[32] = "";
        int64_t exp = json_integer_value(json_object_get(ro, "expires_at"));
        if (exp > 0)
            format_local_date(exp, date, sizeof date);
        const char *node = nodes_label(r->db, r->arena, r->lang,
                                            json_integer_value(json_object_get(ro, "node_id")));
        json_array_append_new(
            roles, json_pack("{ss ss ss}", "msgid",
                             users_role_msgid(role_from_code(json_string_value(json_object_get(ro, "role")))),
                             "node", node, "expires", date));
    }
    json_decref(live);
    const char *email = json_string_value(json_object_get(u, "email"));
    const char *username = json_string_value(json_object_get(u, "username"));
    const char *lang = json_string_value(json_object_get(u, "language"));
    json_t *model = json_pack(
        "{ss s{ss ss ss} so so si sb sb}", "title", T(r, "My profile"), "account", "name",
        json_string_value(json_object_get(u, "name")), "email", email ? email : "", "username",
        username ? username : "", "roles", roles, "language_options",
        language_list(r, lang, NULL), "password_min", PASSWORD_MIN, "open_password",
        str_eq(open, "password"), "open_language", str_eq(open, "language"));
    json_object_set_new(model, "tokens", profile_tokens(r));
    json_object_set_new(model, "totp_on", json_boolean(account_totp_enrolled(r->db, r->user->id)));
    json_object_set_new(model, "totp_expected", json_boolean(account_totp_expected(r)));
    json_object_set_new(model, "totp_href", json_string(ACCOUNT_TOTP_PAGE));
    if (errors && json_object_size(errors) > 0)
        model_form_errors(r, model, errors);
    json_object_set_new(model, "values", json_object()); /* passwords never go back */
    page_render(r, status, "account/profile", model);
}

void account_page_profile(req_t *r)
{
    render_profile(r, 200, NULL, NULL);
}

static bool bad_text(const char *s)
{
    return s && (!utf8_valid(s, strlen(s)) || str_has_control(s));
}

void account_password(req_t *r)
{
    int64_t uid = r->user->id;
    const char *ip = req_ip(r);
    const char *current = req_form(r, "current_password");
    const char *fresh = req_form(r, "new_password");
    const char *confirm = req_form(r, "confirm_password");
    /* the same rules as the sign-in of this account */
    const char *key = users_throttle_key(r->arena, NULL, uid);
    throttle_who_t who;
    char device[DEVICE_ID_CHARS + 1];
    account_throttle_who(r, key, uid, &who, device, sizeof device);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);

    int64_t wait = throttle_wait(r->db, &who);
    if (wait > 0) {
        json_object_set_new(errors, "current_password", json_string(account_too_early(r, wait)));
        return render_profile(r, 429, errors, "password");
    }
    if (str_empty(current))
        json_object_set_new(errors, "current_password", json_string(N_("Enter your current password.")));
    const char *why = bad_text(fresh) ? N_("The password contains characters that are not allowed.")
                                      : password_problem(fresh ? fresh : "");
    if (!why && !users_password_fits(fresh))
        why = N_("The password must be at most 128 characters long.");
    if (why)
        json_object_set_new(errors, "new_password", json_string(why));
    else if (!str_eq(fresh, confirm))
        json_object_set_new(errors, "confirm_password", json_string(N_("The two passwords are different.")));
    if (!json_object_get(errors, "current_password") && !users_check_password(r->db, uid, current)) {
        account_failed(r, &who, uid);
        json_object_set_new(errors, "current_password",
                            json_string(N_("Your current password is not correct.")));
    }
    if (json_object_size(errors) > 0)
        return render_profile(r, 422, errors, "password");
    if (users_set_password(r->db, uid, uid, fresh, "password_change", ip) != RES_OK)
        return app_fail(r, RES_ERROR, NULL, NULL);
    throttle_record_success(r->db, &who);
    if (r->auth == AUTH_SESSION) {
        char tok[64], shash[80];
        if (session_create(r->db, uid, ip, NULL, tok, sizeof tok, shash, sizeof shash) == 0)
            http_set_cookie(r->http, SESSION_COOKIE, tok, -1, true);
    }
    page_redirect_flash(r, "/profile", N_("Your password was changed. Your other sessions were signed out."));
}

void account_language(req_t *r)
{
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    const char *lang = v_code(r, errors, "language", true, users_languages);
    if (!lang)
        return render_profile(r, 422, errors, "language");
    if (users_set_language(r->db, r->user->id, lang, req_ip(r)) != RES_OK)
        return app_fail(r, RES_ERROR, NULL, NULL);
    /* ?lang= makes the next page (and the language cookie) follow at once */
    page_redirect_flash(r, arena_printf(r->arena, "/profile?lang=%s", lang),
                        N_("Your language was saved."));
}

/* ----------------------------------------------------------- API tokens -- */

int64_t account_resolve_token(req_t *r, int64_t token_id)
{
    if (!r->user)
        return 0;
    int64_t owner = api_token_owner(r->db, token_id, true);
    if (owner == 0 || owner != r->user->id)
        return 0;
    return r->user->home_node_id > 0 ? r->user->home_node_id : 1;
}

res_t account_token_revoke(db_t *db, int64_t actor, int64_t token_id, int64_t owner,
                           const char *ip)
{
    json_t *t = api_token_get(db, token_id);
    if (!t)
        return RES_NOT_FOUND;
    int64_t uid = json_integer_value(json_object_get(t, "user_id"));
    bool revoked = json_integer_value(json_object_get(t, "revoked")) != 0;
    if (owner > 0 && uid != owner) {
        json_decref(t);
        return RES_NOT_FOUND;
    }
    if (revoked) {
        json_decref(t);
        return RES_CONFLICT;
    }
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        json_decref(t);
        return RES_ERROR;
    }
    res_t st = RES_OK;
    if (api_token_revoke(db, token_id, uid) != 0) {
        /* revoked meanwhile by someone else (nothing to do, nothing to
         * audit), or a failure */
        json_t *now = api_token_get(db, token_id);
        st = now && json_integer_value(json_object_get(now, "revoked")) ? RES_CONFLICT : RES_ERROR;
        json_decref(now);
    }
    if (st == RES_OK) {
        json_t *ch = json_pack("{sI sO s{sbsb}}", "user_id", (json_int_t)uid, "label",
                               json_object_get(t, "label"), "revoked", "from", 0, "to", 1);
        if (audit_write(db, actor, "token_revoke", "token", token_id, users_home_of(db, uid), ch,
                        ip) != DB_OK)
            st = RES_ERROR;
        json_decref(ch);
    }
    json_decref(t);
    if (app_tx_end(db, mine, st == RES_OK) != DB_OK && st == RES_OK)
        st = RES_ERROR;
    return st;
}

/* POST /profile/tokens/{id}/revoke: asks first (a page without JavaScript,
 * the form's data-confirm with it), then revokes. */
void account_token_revoke_page(req_t *r)
{
    int64_t id = r->ids[0];
    if (page_needs_confirm(r)) {
        json_t *t = api_token_get(r->db, id);
        if (!t)
            return app_fail(r, RES_NOT_FOUND, NULL, NULL);
        const char *label = json_string_value(json_object_get(t, "label"));
        char expires[32] = "";
        format_local_date(json_integer_value(json_object_get(t, "expires_at")), expires,
                          sizeof expires);
        const char *subject =
            arena_printf(r->arena, "%s · %s %s", label && *label ? label : "—", T(r, "until"), expires);
        json_decref(t);
        return page_confirm(r, N_("Revoke the token"),
                            N_("Revoke this token? The programs using it lose access at once; this "
                               "cannot be undone."),
                            subject, arena_printf(r->arena, "/profile/tokens/%lld/revoke", (long long)id),
                            NULL, N_("Yes, revoke the token"), "/profile");
    }
    res_t st = account_token_revoke(r->db, r->user->id, id, r->user->id, req_ip(r));
    if (st != RES_OK)
        return app_fail(r, st == RES_CONFLICT ? RES_NOT_FOUND : st, NULL, NULL);
    page_redirect_flash(r, "/profile", N_("The token was revoked."));
}

/* GET /api/v1/me/tokens: the caller's live tokens, newest first. */
void account_api_tokens(req_t *r)
{
    json_t *errors = json_object();
    int64_t limit = 50, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors) > 0)
        return respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
    json_decref(errors);
    json_t *rows = api_token_list(r->db, r->user->id, true);
    if (!rows)
        return app_fail(r, RES_ERROR, NULL, NULL);
    json_t *items = json_array();
    size_t total = json_array_size(rows);
    for (size_t i = (size_t)offset; i < total && (int64_t)(i - (size_t)offset) < limit; i++) {
        json_t *t = json_array_get(rows, i);
        json_array_append_new(items, json_pack("{sO sO sO sO sO}", "id", json_object_get(t, "id"),
                                               "label", json_object_get(t, "label"), "created_at",
                                               json_object_get(t, "created_at"), "expires_at",
                                               json_object_get(t, "expires_at"), "last_used_at",
                                               json_object_get(t, "last_used_at")));
    }
    json_decref(rows);
    static const char *const times[] = {"created_at", "expires_at", "last_used_at", NULL};
    api_times_iso(items, times);
    api_send(r, 200, json_pack("{so sI}", "items", items, "total", (json_int_t)total));
}

/* DELETE /api/v1/me/tokens/{id}: 204; the resolver answered 404 for a token
 * that is not a live one of the caller. */
void account_api_token_revoke(req_t *r)
{
    res_t st = account_token_revoke(r->db, r->user->id, r->ids[0], r->user->id, req_ip(r));
    if (st != RES_OK)
        return app_fail(r, st == RES_CONFLICT ? RES_NOT_FOUND : st, NULL, NULL);
    http_respond(r->http, 204, NULL, NULL, 0);
}

/* ------------------------------------------------------------------ API -- */

void account_api_me(req_t *r)
{
    json_t *u = users_json(r, r->user->id);
    if (!u)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    json_t *roles = users_roles_json(r, r->user->id, true, false);
    size_t i;
    json_t *ro;
    json_array_foreach(roles, i, ro)
        json_object_del(ro, "id");
    static const char *const role_times[] = {"expires_at", NULL};
    api_times_iso(roles, role_times);
    json_t *me = json_pack("{sO sO? sO? sO sO so}", "id", json_object_get(u, "id"), "name",
                           json_object_get(u, "name"), "email", json_object_get(u, "email"),
                           "username", json_object_get(u, "username"), "language",
                           json_object_get(u, "language"), "roles", roles);
    json_object_set_new(me, "totp", json_boolean(account_totp_enrolled(r->db, r->user->id)));
    json_decref(u);
    api_send(r, 200, me);
}
