/* app_internal.h - private to the app layer. */
#ifndef JOUDA_APP_INTERNAL_H
#define JOUDA_APP_INTERNAL_H

#include "app.h"

#define APP_MAX_MODULES 32

typedef struct {
    const db_migration_t *list;
    size_t n;
} app_migration_list_t;

typedef struct {
    route_table_t tables[APP_MAX_MODULES];
    size_t ntables;
    app_migration_list_t migrations[APP_MAX_MODULES];
    size_t nmigrations;
} app_modules_t;

void app_modules_collect(app_modules_t *m);
extern app_modules_t g_modules;

/* health.c */
extern const route_t app_routes[];
extern const size_t app_routes_count;

/* page.c */
#define LANG_COOKIE "jouda_lang"
#define FLASH_COOKIE "jouda_flash"
/* Translate an errors object (field -> msgid or {msgid, n, m}) in place into
 * a new object field -> text. */
json_t *app_errors_translate(req_t *r, json_t *errors);
/* Replace the first "%d" of text by n and the next by m (no printf on
 * catalogue strings). */
const char *app_format_numbers(req_t *r, const char *text, long long n, long long m);

#endif
