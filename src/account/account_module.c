/* account_module.c - the routes of signing in and out, my profile,
 * GET /api/v1/me and my API tokens, in one table, and what the audit log says
 * of sessions and tokens. The sign-in form is posted before a session
 * exists: its handler checks the pre-session CSRF token itself. A token
 * belongs to a person: its resolver answers 404 for anybody else's. */
#include "account_internal.h"

static const route_t account_routes[] = {
    {"GET", "/login", PERM_PUBLIC, NULL, account_page_login, 0},
    {"POST", "/login", PERM_PUBLIC, NULL, account_login, ROUTE_FORM | ROUTE_SLOW | ROUTE_NO_CSRF},
    {"POST", "/logout", PERM_AUTHENTICATED, NULL, account_logout, ROUTE_FORM},
    {"GET", "/profile", PERM_AUTHENTICATED, NULL, account_page_profile, 0},
    {"POST", "/profile/password", PERM_AUTHENTICATED, NULL, account_password, ROUTE_FORM | ROUTE_SLOW},
    {"POST", "/profile/language", PERM_AUTHENTICATED, NULL, account_language, ROUTE_FORM},
    {"POST", "/profile/tokens/{id}/revoke", PERM_AUTHENTICATED, account_resolve_token,
     account_token_revoke_page, ROUTE_FORM},
    {"GET", "/api/v1/me", PERM_AUTHENTICATED, NULL, account_api_me, 0},
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

static const char *const account_audit_actions[] = {"login", "login_failed", "logout",
                                                    "token_create", "token_revoke",
                                                    "login_throttled", NULL};
/* the labels of the actions the audit module does not list itself */
static const char *const account_action_msgids[] __attribute__((unused)) = {
    N_("audit_action.login_throttled"),
};

const module_t account_module = {
    .name = "account",
    .routes = account_routes,
    .n_routes = ARRAY_LEN(account_routes),
    .entities = account_entities,
    .n_entities = ARRAY_LEN(account_entities),
    .audit_actions = account_audit_actions,
};
