/* account.h - signing in and out, my profile (password, language), and
 * GET /api/v1/me. Uses auth (sessions, passwords, throttling) and org (users). */
#ifndef JOUDA_ACCOUNT_H
#define JOUDA_ACCOUNT_H

#include "../http/http.h"

extern const route_t account_routes[];
extern const size_t account_routes_count;

#endif
