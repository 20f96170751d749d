/* account_module.c - the routes of signing in and out, my profile,
 * GET /api/v1/me, my API tokens and two-step verification, in one table,
 * what the audit log says of sessions and tokens, and the account's tables
 * (two-step verification, versions 60-69). The sign-in form and its second
 * step are posted before a session exists: their handlers check the
 * pre-session CSRF token themselves. A token belongs to a person: its
 * resolver answers 404 for anybody else's. */
#include "account_internal.h"

static const route_t account_routes[] = {
    {"GET", "/login", PERM_PUBLIC, NULL, account_page_login, 0},
    {"POST", "/login", PERM_PUBLIC, NULL, account_login, ROUTE_FORM | ROUTE_SLOW | ROUTE_NO_CSRF},
    {"GET", "/login/code", PERM_PUBLIC, NULL, account_login_code_get, 0},
    {"POST", "/login/code", PERM_PUBLIC, NULL, account_login_code, ROUTE_FORM | ROUTE_NO_CSRF},
    {"POST", "/logout", PERM_AUTHENTICATED, NULL, account_logout, ROUTE_FORM},
    {"GET", "/profile", PERM_AUTHENTICATED, NULL, account_page_profile, 0},
    {"POST", "/profile/password", PERM_AUTHENTICATED, NULL, account_password, ROUTE_FORM | ROUTE_SLOW},
    {"POST", "/profile/language", PERM_AUTHENTICATED, NULL, account_language, ROUTE_FORM},
    {"POST", "/profile/tokens/{id}/revoke", PERM_AUTHENTICATED, account_resolve_token,
     account_token_revoke_page, ROUTE_FORM},
    {"GET", "/profile/totp", PERM_AUTHENTICATED, NULL, account_page_totp, 0},
    {"POST", "/profile/totp", PERM_AUTHENTICATED, NULL, account_totp_start_page, ROUTE_FORM},
    {"GET", "/profile/totp/qr.svg", PERM_AUTHENTICATED, NULL, account_totp_qr, 0},
    {"POST", "/profile/totp/confirm", PERM_AUTHENTICATED, NULL, account_totp_confirm_page, ROUTE_FORM},
    {"POST", "/profile/totp/recovery", PERM_AUTHENTICATED, NULL, account_totp_recovery_page,
     ROUTE_FORM},
    {"POST", "/profile/totp/off", PERM_AUTHENTICATED, NULL, account_totp_off_page, ROUTE_FORM},
    {"GET", "/api/v1/me", PERM_AUTHENTICATED, NULL, account_api_me, 0},
    {"POST", "/api/v1/me/totp", PERM_AUTHENTICATED, NULL, account_api_totp_start, ROUTE_JSON},
    {"POST", "/api/v1/me/totp/confirm", PERM_AUTHENTICATED, NULL, account_api_totp_confirm,
     ROUTE_JSON},
    {"GET", "/api/v1/me/tokens", PERM_AUTHENTICATED, NULL, account_api_tokens, 0},
    {"DELETE", "/api/v1/me/tokens/{id}", PERM_AUTHENTICATED, account_resolve_token,
     account_api_token_revoke, 0},
};

static const app_field_t token_fields[] = {
    {"user_id", N_("Person"), FIELD_REF, "user"},
    {"label", N_("Label"), FIELD_TEXT, NULL},
    {"expires_at", N_("Expires"), FIELD_TIME, NULL},
    {"revoked", N_("Revoked"), FIELD_BOOL, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t account_entities[] = {
    {"token", N_("audit_entity.token"), NULL, token_fields, NULL},
    {"session", N_("audit_entity.session"), NULL, NULL, NULL},
};

static const char *const account_audit_actions[] = {
    "login", "login_failed", "logout", "token_create", "token_revoke", "login_throttled",
    "totp_start", "totp_enable", "totp_disable", "totp_recovery_renew", "totp_recovery_used",
    "login_totp_failed", NULL};
/* the labels of the actions the audit module does not list itself */
static const char *const account_action_msgids[] __attribute__((unused)) = {
    N_("audit_action.login_throttled"),     N_("audit_action.totp_start"),
    N_("audit_action.totp_enable"),         N_("audit_action.totp_disable"),
    N_("audit_action.totp_recovery_renew"), N_("audit_action.totp_recovery_used"),
    N_("audit_action.login_totp_failed"),
};

/* 60: two-step verification. user_totp: one enrolment per person, its secret
 * sealed at rest (seal.h: never in clear), confirmed_at 0 while pending,
 * last_step the last 30-second step accepted (-1: none; a code is accepted
 * once). user_totp_recovery: single-use recovery codes as keyed hashes
 * (token_keyed_hash), used_at 0 while unused. login_challenges: the second
 * step of a sign-in, found by the keyed hash of its random token. */
static const db_migration_t account_migrations[] = {
    {60, "account: two-step verification",
     "CREATE TABLE user_totp (\n"
     "  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,\n"
     "  secret TEXT NOT NULL,\n"
     "  confirmed_at BIGINT NOT NULL DEFAULT 0,\n"
     "  last_step BIGINT NOT NULL DEFAULT -1,\n"
     "  created_at BIGINT NOT NULL\n"
     ");\n"
     "CREATE TABLE user_totp_recovery (\n"
     "  id ID_PK,\n"
     "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
     "  code_hash TEXT NOT NULL,\n"
     "  used_at BIGINT NOT NULL DEFAULT 0,\n"
     "  created_at BIGINT NOT NULL\n"
     ");\n"
     "CREATE INDEX user_totp_recovery_user ON user_totp_recovery (user_id, code_hash);\n"
     "CREATE TABLE login_challenges (\n"
     "  token_hash TEXT PRIMARY KEY,\n"
     "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
     "  next TEXT NOT NULL,\n"
     "  expires_at BIGINT NOT NULL,\n"
     "  attempts INTEGER NOT NULL DEFAULT 0,\n"
     "  created_at BIGINT NOT NULL\n"
     ");\n"
     "CREATE INDEX login_challenges_expires ON login_challenges (expires_at);\n"
     "CREATE INDEX login_challenges_user ON login_challenges (user_id)",
     NULL},
};

/* Rotated by `jouda key rotate`. */
static const app_sealed_t account_sealed[] = {
    {"user_totp", "user_id", "secret"},
};

const module_t account_module = {
    .name = "account",
    .migrations = account_migrations,
    .n_migrations = ARRAY_LEN(account_migrations),
    .routes = account_routes,
    .n_routes = ARRAY_LEN(account_routes),
    .entities = account_entities,
    .n_entities = ARRAY_LEN(account_entities),
    .audit_actions = account_audit_actions,
    .home = account_home,
    .sealed = account_sealed,
    .n_sealed = ARRAY_LEN(account_sealed),
};
