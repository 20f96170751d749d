/* modules.c - the list of modules: their route tables and migrations, in
 * one visible place. A new module adds one line to each list. */
#include "../account/account.h"
#include "../attach/attach.h"
#include "../audit/audit.h"
#include "../notify/notify.h"
#include "../org/org.h"
#include "app_internal.h"

void app_modules_collect(app_modules_t *m)
{
    size_t t = 0, g = 0;
    m->tables[t++] = (route_table_t){app_routes, app_routes_count};
    m->tables[t++] = (route_table_t){account_routes, account_routes_count};
    m->tables[t++] = (route_table_t){org_routes, org_routes_count};
    m->tables[t++] = (route_table_t){audit_routes, audit_routes_count};
    m->tables[t++] = (route_table_t){notify_routes, notify_routes_count};
    m->tables[t++] = (route_table_t){attach_routes, attach_routes_count};
    m->ntables = t;

    m->migrations[g++] = (app_migration_list_t){app_migrations, app_migrations_count};
    m->migrations[g++] = (app_migration_list_t){org_migrations, org_migrations_count};
    m->migrations[g++] = (app_migration_list_t){auth_migrations, auth_migrations_count};
    m->migrations[g++] = (app_migration_list_t){audit_migrations, audit_migrations_count};
    m->migrations[g++] = (app_migration_list_t){attach_migrations, attach_migrations_count};
    m->migrations[g++] = (app_migration_list_t){notify_migrations, notify_migrations_count};
    m->nmigrations = g;
}
