/* app_internal.h - private to the framework. */
#ifndef JOUDA_APP_INTERNAL_H
#define JOUDA_APP_INTERNAL_H

#include "app.h"

#define APP_MAX_MODULES 32

/* The modules in use: the framework's own first (health, home). */
extern const module_t app_core_module;

/* The hooks taken from the modules at app_use_modules. */
typedef struct {
    app_user_t *(*load_user)(db_t *db, arena_t *a, int64_t user_id);
    int (*ancestry)(db_t *db, arena_t *a, int64_t node_id, int64_t **path, int *n,
                    node_kind_t *kind);
} app_hooks_t;
extern app_hooks_t g_hooks;

/* Find the route of method + path among every module's routes. */
typedef enum { MATCH_OK, MATCH_NOT_FOUND, MATCH_BAD_METHOD } match_t;
match_t app_route_match(const char *method, const char *path, const route_t **out, int64_t ids[2]);
/* The methods the routes of path accept, for the Allow header of a 405:
 * "GET, HEAD, POST" (HEAD wherever GET is), in the order of the routes. */
const char *app_route_allow(arena_t *a, const char *path);

/* page.c */
#define LANG_COOKIE "jouda_lang"
#define FLASH_COOKIE "jouda_flash"
/* Translate an errors object (field -> msgid or {msgid, n, m}) in place into
 * a new object field -> text. */
json_t *app_errors_translate(req_t *r, json_t *errors);

#endif
