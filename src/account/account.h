/* account.h - signing in and out, my profile (password, language), and
 * GET /api/v1/me. Uses auth (sessions, passwords, throttling) and the users
 * module (accounts). */
#ifndef JOUDA_ACCOUNT_H
#define JOUDA_ACCOUNT_H

#include "../app/app.h"

extern const module_t account_module;

#endif
