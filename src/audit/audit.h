/* audit.h - the append-only audit log: every write records who, when, which
 * entity, and what changed. Sensitive fields record that they changed, never
 * their value. Table audit_log (UPDATE and DELETE refused by triggers). */
#ifndef JOUDA_AUDIT_H
#define JOUDA_AUDIT_H

#include "../app/app.h"
#include <jansson.h>

/* Write one audit row, inside the caller's transaction (same db).
 * actor: user id, 0 for the system/command line. action: "create", "update",
 * "disable", "enable", "grant", "revoke", "login", "login_failed", "logout",
 * "password_change", "password_reset", "upload", "token_create"...
 * entity: "node", "user", "role", "attachment", "session", "token"...
 * node_id: the node the entity belongs to (for scoped reading), 0 if none.
 * changes: {"field": {"from": x, "to": y}} or {"password": "changed"}, may be
 * NULL; borrowed (not stolen). ip may be NULL. Returns DB_OK or a code. */
int audit_write(db_t *db, int64_t actor, const char *action, const char *entity, int64_t entity_id,
                int64_t node_id, json_t *changes, const char *ip);

/* The history of one thing (entity, id) as the audit page shows rows, newest
 * first, at most limit: [{when, who, action, changes: [{field, from, to}]}].
 * The caller has checked that the reader may see the thing. */
json_t *audit_history(req_t *r, const char *entity, int64_t id, int64_t limit);

/* Build {"f": {"from": old, "to": new}} entries for each key of `after`
 * whose value differs from `before` (both objects). Returns a new object. */
json_t *audit_diff(json_t *before, json_t *after);

#define AUDIT_N_MIGRATIONS 3
extern const db_migration_t audit_migrations[AUDIT_N_MIGRATIONS]; /* versions 30-39 */
extern const module_t audit_module;

#endif
