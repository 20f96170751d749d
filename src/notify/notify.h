/* notify.h - in-app notifications: a table, a page, a badge in the header.
 * Later modules use them for alerts and reminders. A notification is stored
 * as a message key (a msgid with %s places) and its parameters - codes,
 * texts and references to things (a node, a person) - and rendered when it
 * is read: in the reader's language, naming places and people as the reader
 * knows them (name_ar when reading Arabic). */
#ifndef JOUDA_NOTIFY_H
#define JOUDA_NOTIFY_H

#include "../app/app.h"

typedef enum { NOTIFY_ARG_TEXT, NOTIFY_ARG_CODE, NOTIFY_ARG_REF } notify_arg_kind_t;
typedef struct {
    notify_arg_kind_t kind;
    const char *s;  /* TEXT: shown as written; CODE: a msgid ("role.director"); REF: the entity */
    int64_t id;     /* REF: the thing's id */
} notify_arg_t;
#define NOTIFY_TEXT(t) ((notify_arg_t){NOTIFY_ARG_TEXT, (t), 0})
#define NOTIFY_CODE(c) ((notify_arg_t){NOTIFY_ARG_CODE, (c), 0})
#define NOTIFY_REF(e, i) ((notify_arg_t){NOTIFY_ARG_REF, (e), (i)})

#define NOTIFY_MAX_ARGS 4

/* Store a notification for user_id: msgid with one %s per argument, link a
 * local path ("/admin/users/12") or NULL. Inside the caller's transaction
 * when one is open. DB_OK or a code. */
int notify_user(db_t *db, int64_t user_id, const char *kind, const char *msgid, const char *link,
                const notify_arg_t *args, int nargs);
int64_t notify_unread_count(db_t *db, int64_t user_id);

extern const module_t notify_module;

#endif
