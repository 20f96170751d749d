/* account_routes.c - the routes of signing in and out, my profile and
 * GET /api/v1/me, in one table. The sign-in form is posted before a session
 * exists: its handler checks the pre-session CSRF token itself. */
#include "account.h"

/* Handlers, in account.c. */
void account_page_login(req_t *r);
void account_login(req_t *r);
void account_logout(req_t *r);
void account_page_profile(req_t *r);
void account_password(req_t *r);
void account_language(req_t *r);
void account_api_me(req_t *r);

const route_t account_routes[] = {
    {"GET", "/login", PERM_PUBLIC, NULL, account_page_login, 0},
    {"POST", "/login", PERM_PUBLIC, NULL, account_login, ROUTE_FORM | ROUTE_SLOW | ROUTE_NO_CSRF},
    {"POST", "/logout", PERM_AUTHENTICATED, NULL, account_logout, ROUTE_FORM},
    {"GET", "/profile", PERM_AUTHENTICATED, NULL, account_page_profile, 0},
    {"POST", "/profile/password", PERM_AUTHENTICATED, NULL, account_password, ROUTE_FORM | ROUTE_SLOW},
    {"POST", "/profile/language", PERM_AUTHENTICATED, NULL, account_language, ROUTE_FORM},
    {"GET", "/api/v1/me", PERM_AUTHENTICATED, NULL, account_api_me, 0},
};
const size_t account_routes_count = ARRAY_LEN(account_routes);
