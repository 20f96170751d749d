/* notify.h - in-app notifications: a table, a page, a badge in the header.
 * Later modules use them for alerts and reminders. The text is a msgid with up
 * to two arguments (node names...), translated when shown. */
#ifndef JOUDA_NOTIFY_H
#define JOUDA_NOTIFY_H

#include "../db/db.h"
#include "../http/http.h"

/* msgid may contain up to two %s, filled with arg1/arg2 at display time.
 * link: a local path ("/admin/users/12") or NULL. Returns DB_OK or a code. */
int notify_user(db_t *db, int64_t user_id, const char *kind, const char *msgid, const char *arg1,
                const char *arg2, const char *link);
int64_t notify_unread_count(db_t *db, int64_t user_id);

extern const route_t notify_routes[];
extern const size_t notify_routes_count;
extern const db_migration_t notify_migrations[];
extern const size_t notify_migrations_count;

#endif
