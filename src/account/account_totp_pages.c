/* account_totp_pages.c - two-step verification as people see it: the page
 * /profile/totp (not set up; pending: the QR code, the secret for typing by
 * hand and the first code; on: new recovery codes, turning it off, both
 * asking a current code), the QR code itself (an SVG answered by its own
 * route, as charts are: templates print nothing raw), the API of the
 * caller's enrolment, who must have it (a live director or administrator
 * role) and the home section asking them to set it up. */
#include "account_internal.h"

#include "../auth/seal.h"

#include <string.h>

bool account_totp_expected(req_t *r)
{
    if (!r->user)
        return false;
    int64_t now = now_utc();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (authz_role_live(a, now) && (a->role == ROLE_DIRECTOR || a->role == ROLE_ADMIN))
            return true;
    }
    return false;
}

const char *account_typed_code(req_t *r, const char *field)
{
    const char *raw = req_form(r, field);
    if (!raw)
        return NULL;
    char *s = str_trim(arena_strdup(r->arena, raw));
    char *t = arena_alloc(r->arena, strlen(s) + 1);
    size_t k = 0;
    for (const char *p = s; *p; p++)
        if (*p != ' ')
            t[k++] = *p;
    t[k] = '\0';
    return totp_code_well_formed(t) ? t : s;
}

/* The name an authenticator app shows beside the code: the email, else the
 * username. */
static const char *login_of(req_t *r)
{
    if (r->user->email && *r->user->email)
        return r->user->email;
    return r->user->username ? r->user->username : "";
}

/* "ABCD EFGH IJKL ..." for typing by hand. */
static const char *in_groups(arena_t *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + n / 4 + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && i % 4 == 0)
            out[k++] = ' ';
        out[k++] = s[i];
    }
    out[k] = '\0';
    return out;
}

static json_t *codes_json(const char *const *codes)
{
    json_t *a = json_array();
    for (int i = 0; codes && i < TOTP_RECOVERY_COUNT; i++)
        json_array_append_new(a, json_string(codes[i]));
    return a;
}

/* The page in its current state. errors: field -> msgid (may be NULL);
 * codes: recovery codes to show once (NULL: none); notice, error_text:
 * translated texts (may be NULL). */
static void render_totp(req_t *r, int status, json_t *errors, const char *const *codes,
                        const char *notice, const char *error_text)
{
    int64_t uid = r->user->id, since = 0;
    totp_state_t st = totp_state(r->db, uid, &since);
    char date[32] = "";
    if (since > 0)
        format_local_date(since, date, sizeof date);
    json_t *model = json_pack("{ss sb sb sb sb ss ss? ss? si}", "title",
                              T(r, "Two-step verification"), "state_none", st == TOTP_NONE,
                              "state_pending", st == TOTP_PENDING, "state_on", st == TOTP_ON,
                              "expected", account_totp_expected(r), "since", date, "notice", notice,
                              "error", error_text, "digits", TOTP_DIGITS);
    if (st == TOTP_PENDING) {
        const char *secret = totp_secret_of(r->db, r->arena, uid);
        json_object_set_new(model, "secret_groups",
                            json_string(secret ? in_groups(r->arena, secret) : ""));
        json_object_set_new(model, "qr_src", json_string(ACCOUNT_TOTP_PAGE "/qr.svg"));
        json_object_set_new(model, "issuer", json_string(TOTP_ISSUER));
        json_object_set_new(model, "login", json_string(login_of(r)));
    }
    if (st == TOTP_ON) {
        json_object_set_new(model, "recovery_left",
                            json_integer((json_int_t)totp_recovery_left(r->db, uid)));
        const char *dates[1] = {date};
        json_object_set_new(model, "on_since",
                            json_string(text_fill_strings(r->arena, T(r, "On since %s"), dates, 1)));
    }
    json_object_set_new(model, "codes", codes_json(codes));
    json_object_set_new(model, "has_codes", json_boolean(codes != NULL));
    if (errors && json_object_size(errors) > 0)
        model_form_errors(r, model, errors);
    json_object_set_new(model, "values", json_object()); /* codes never go back */
    page_render(r, status, "account/totp", model);
}

void account_page_totp(req_t *r)
{
    render_totp(r, 200, NULL, NULL, NULL, NULL);
}

static bool key_missing(req_t *r)
{
    if (seal_ready())
        return false;
    respond_error(r, 503, "unavailable",
                  N_("Two-step verification cannot be set up on this server yet: it has no key "
                     "file. Tell your administrator."),
                  NULL);
    return true;
}

/* POST /profile/totp: a new secret (again while pending), then the page. */
void account_totp_start_page(req_t *r)
{
    if (key_missing(r))
        return;
    const char *secret = NULL;
    res_t st = totp_start(r->db, r->arena, r->user->id, req_ip(r), &secret);
    if (st == RES_CONFLICT)
        return render_totp(r, 409, NULL, NULL, NULL,
                           T(r, "Two-step verification is already on for your account."));
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    http_redirect(r->http, ACCOUNT_TOTP_PAGE);
}

/* GET /profile/totp/qr.svg: the pending enrolment's QR code (404 once it is
 * confirmed: the secret is never shown again). */
void account_totp_qr(req_t *r)
{
    if (totp_state(r->db, r->user->id, NULL) != TOTP_PENDING)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    const char *secret = totp_secret_of(r->db, r->arena, r->user->id);
    if (!secret)
        return app_fail(r, RES_ERROR, NULL, NULL);
    const char *svg =
        totp_qr_svg(r->arena, totp_uri(r->arena, login_of(r), secret),
                    T(r, "QR code of two-step verification, to scan with your authenticator app"));
    if (!svg)
        return app_fail(r, RES_ERROR, NULL, NULL);
    http_respond(r->http, 200, "image/svg+xml; charset=utf-8", svg, strlen(svg));
}

/* POST /profile/totp/confirm: the first code turns it on; the recovery codes
 * are shown once, on this answer. */
void account_totp_confirm_page(req_t *r)
{
    totp_state_t now = totp_state(r->db, r->user->id, NULL);
    if (now != TOTP_PENDING)
        return render_totp(r, 409, NULL, NULL, NULL,
                           now == TOTP_ON
                               ? T(r, "Two-step verification is already on for your account.")
                               : T(r, "There is nothing to confirm: start the setup again."));
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    const char *code = account_typed_code(r, "code");
    if (!totp_code_well_formed(code)) {
        json_object_set_new(errors, "code", json_string(N_("Enter the 6 digits shown by your app.")));
        return render_totp(r, 422, errors, NULL, NULL, NULL);
    }
    const char *codes[TOTP_RECOVERY_COUNT];
    res_t st = totp_confirm(r->db, r->arena, r->user->id, code, req_ip(r), codes);
    if (st == RES_INVALID) {
        json_object_set_new(errors, "code",
                            json_string(N_("This code is not correct. Check that the time of your "
                                           "phone is right, and enter the code shown now.")));
        return render_totp(r, 422, errors, NULL, NULL, NULL);
    }
    if (st == RES_CONFLICT)
        return render_totp(r, 409, NULL, NULL, NULL,
                           T(r, "There is nothing to confirm: start the setup again."));
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    render_totp(r, 200, NULL, codes, T(r, "Two-step verification is on."), NULL);
}

/* A current code (of the app, or a recovery code) typed in field, for a
 * change of a confirmed enrolment; throttled as a password is. False with
 * the page answered (422, 429, 500). */
static bool current_code_ok(req_t *r, const char *field)
{
    int64_t uid = r->user->id;
    throttle_who_t who;
    char device[DEVICE_ID_CHARS + 1];
    account_throttle_who(r, users_throttle_key(r->arena, NULL, uid), uid, &who, device,
                         sizeof device);
    json_t *errors = json_object();
    arena_defer(r->arena, (void (*)(void *))json_decref, errors);
    int64_t wait = throttle_wait(r->db, &who);
    if (wait > 0) {
        json_object_set_new(errors, field, json_string(account_too_early(r, wait)));
        render_totp(r, 429, errors, NULL, NULL, NULL);
        return false;
    }
    const char *code = account_typed_code(r, field);
    if (str_empty(code)) {
        json_object_set_new(errors, field,
                            json_string(N_("Enter the 6-digit code shown by your app, or one of "
                                           "your recovery codes.")));
        render_totp(r, 422, errors, NULL, NULL, NULL);
        return false;
    }
    totp_check_t st = totp_check(r->db, r->arena, uid, code, true, req_ip(r));
    if (st == TOTP_CHECK_ERROR) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return false;
    }
    if (st == TOTP_CHECK_WRONG || st == TOTP_CHECK_REPLAY) {
        account_failed(r, &who, uid);
        json_object_set_new(errors, field,
                            json_string(st == TOTP_CHECK_REPLAY
                                            ? N_("This code has been used already. Wait for the "
                                                 "next code in your app.")
                                            : N_("This code is not correct. Check the time of "
                                                 "your phone, or use a recovery code.")));
        render_totp(r, 422, errors, NULL, NULL, NULL);
        return false;
    }
    throttle_record_success(r->db, &who);
    return true;
}

/* POST /profile/totp/recovery: new recovery codes, shown once. */
void account_totp_recovery_page(req_t *r)
{
    if (totp_state(r->db, r->user->id, NULL) != TOTP_ON)
        return render_totp(r, 409, NULL, NULL, NULL,
                           T(r, "Two-step verification is not on for your account."));
    if (!current_code_ok(r, "renew_code"))
        return;
    const char *codes[TOTP_RECOVERY_COUNT];
    res_t st = totp_recovery_renew(r->db, r->arena, r->user->id, req_ip(r), codes);
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    render_totp(r, 200, NULL, codes,
                T(r, "Here are your new recovery codes. The previous ones no longer work."), NULL);
}

/* POST /profile/totp/off: refused (409) to those whose role requires it. */
void account_totp_off_page(req_t *r)
{
    if (totp_state(r->db, r->user->id, NULL) != TOTP_ON)
        return render_totp(r, 409, NULL, NULL, NULL,
                           T(r, "Two-step verification is not on for your account."));
    if (account_totp_expected(r))
        return render_totp(r, 409, NULL, NULL, NULL,
                           T(r, "Your role requires two-step verification: it cannot be turned "
                                "off."));
    if (!current_code_ok(r, "off_code"))
        return;
    res_t st = totp_disable(r->db, r->user->id, req_ip(r));
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    page_redirect_flash(r, ACCOUNT_TOTP_PAGE, N_("Two-step verification is off."));
}

/* --------------------------------------------------------------- API -- */

/* POST /api/v1/me/totp: 201 {secret, uri}; 409 once confirmed. */
void account_api_totp_start(req_t *r)
{
    static const char *const known[] = {NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    if (json_object_size(errors) > 0)
        return respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
    json_decref(errors);
    if (key_missing(r))
        return;
    const char *secret = NULL;
    res_t st = totp_start(r->db, r->arena, r->user->id, req_ip(r), &secret);
    if (st == RES_CONFLICT)
        return respond_error(r, 409, "conflict",
                             N_("Two-step verification is already on for your account."), NULL);
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    api_send(r, 201, json_pack("{ss ss}", "secret", secret, "uri",
                               totp_uri(r->arena, login_of(r), secret)));
}

/* POST /api/v1/me/totp/confirm {"code"}: 200 {recovery_codes}; 422 for a
 * wrong or malformed code; 409 when nothing is pending. */
void account_api_totp_confirm(req_t *r)
{
    static const char *const known[] = {"code", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    totp_state_t now = totp_state(r->db, r->user->id, NULL);
    if (now != TOTP_PENDING) {
        json_decref(errors);
        return respond_error(r, 409, "conflict",
                             now == TOTP_ON
                                 ? N_("Two-step verification is already on for your account.")
                                 : N_("There is nothing to confirm: start the setup again."),
                             NULL);
    }
    bool bad = false;
    const char *code = input_str(r, "code", &bad);
    if (bad || !r->json || !json_is_string(json_object_get(r->json, "code")) ||
        !totp_code_well_formed(code))
        v_error(errors, "code", N_("Enter the 6 digits shown by your app."));
    if (json_object_size(errors) > 0)
        return respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
    const char *codes[TOTP_RECOVERY_COUNT];
    res_t st = totp_confirm(r->db, r->arena, r->user->id, code, req_ip(r), codes);
    if (st == RES_INVALID) {
        v_error(errors, "code",
                N_("This code is not correct. Check that the time of your phone is right, and "
                   "enter the code shown now."));
        return respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
    }
    json_decref(errors);
    if (st == RES_CONFLICT)
        return respond_error(r, 409, "conflict",
                             N_("There is nothing to confirm: start the setup again."), NULL);
    if (st != RES_OK)
        return app_fail(r, st, NULL, NULL);
    api_send(r, 200, json_pack("{so}", "recovery_codes", codes_json(codes)));
}

/* --------------------------------------------------------------- home -- */

void account_home(req_t *r, json_t *sections)
{
    if (!r->user || !account_totp_expected(r) || account_totp_enrolled(r->db, r->user->id))
        return;
    json_array_append_new(sections, json_pack("{s:s, s:i, s:s}", "partial", "account/home_totp",
                                              "order", 1, "href", ACCOUNT_TOTP_PAGE));
}
