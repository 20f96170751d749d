/* notify.c - in-app notifications: storing them, counting the unread ones
 * for the header badge, the page /notifications and its JSON twin. A
 * notification holds a msgid and up to two arguments, so it is shown in the
 * reader's language at display time, not in the writer's. */
#include "notify.h"
#include "../audit/audit.h"
#include "../app/app.h"
#include "../org/org.h"

#include <string.h>

#define NOTIFY_PAGE 50

static bool notify_link_ok(const char *link)
{
    /* a local path only: never another site, never a scheme */
    return link && link[0] == '/' && link[1] != '/' && link[1] != '\\' && !str_has_control(link) &&
           strlen(link) <= 500;
}

int notify_user(db_t *db, int64_t user_id, const char *kind, const char *msgid, const char *arg1,
                const char *arg2, const char *link)
{
    if (!db || user_id <= 0 || !kind || !msgid)
        return DB_ERR;
    if (link && !notify_link_ok(link)) {
        log_error("notify: refused link for user %lld", (long long)user_id);
        link = NULL;
    }
    return db_exec(db,
                   "INSERT INTO notifications(user_id, kind, msgid, arg1, arg2, link, created_at) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?)",
                   PARAMS(P_INT(user_id), P_TEXT(kind), P_TEXT(msgid), P_TEXT(arg1), P_TEXT(arg2),
                          P_TEXT(link), P_INT(now_utc())));
}

int64_t notify_unread_count(db_t *db, int64_t user_id)
{
    if (!db || user_id <= 0)
        return 0;
    return db_query_int(db, "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                        PARAMS(P_INT(user_id)), 0);
}

/* Arguments that are codes ("role.director", "category.children") are
 * translated; anything else (names) is shown as written. */
static const char *notify_arg(req_t *r, const char *arg)
{
    if (!arg)
        return "";
    if (strncmp(arg, "role.", 5) == 0 || strncmp(arg, "category.", 9) == 0 ||
        strncmp(arg, "unit_kind.", 10) == 0)
        return T(r, arg);
    return arg;
}

/* The translated text with %s replaced by the arguments in order. The
 * catalogue text is never used as a printf format. */
static const char *notify_text(req_t *r, const char *msgid, const char *arg1, const char *arg2)
{
    const char *fmt = T(r, msgid);
    const char *args[2] = {notify_arg(r, arg1), notify_arg(r, arg2)};
    int used = 0;
    buf_t b;
    buf_init(&b);
    for (const char *c = fmt; *c; c++) {
        if (c[0] == '%' && c[1] == 's') {
            buf_puts(&b, used < 2 ? args[used] : "");
            used++;
            c++;
        } else if (c[0] == '%' && c[1] == '%') {
            buf_putc(&b, '%');
            c++;
        } else {
            buf_putc(&b, *c);
        }
    }
    const char *s = arena_strdup(r->arena, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

/* The user's notifications, newest first, as given by the API. */
static json_t *notify_fetch(req_t *r, int64_t limit, int64_t offset)
{
    json_t *rows = db_query_json(r->db,
                                 "SELECT id, kind, msgid, arg1, arg2, link, created_at, read_at "
                                 "FROM notifications WHERE user_id = ? "
                                 "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                                 PARAMS(P_INT(r->user->id), P_INT(limit), P_INT(offset)));
    if (!rows)
        return NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_object_set_new(
            row, "text",
            json_string(notify_text(r, json_string_value(json_object_get(row, "msgid")),
                                    json_string_value(json_object_get(row, "arg1")),
                                    json_string_value(json_object_get(row, "arg2")))));
    }
    return rows;
}

static int64_t notify_total(req_t *r)
{
    return db_query_int(r->db, "SELECT count(*) FROM notifications WHERE user_id = ?",
                        PARAMS(P_INT(r->user->id)), 0);
}

/* Resolver: a notification belongs to a user, not to a node. The owner sees
 * it (the root node is everyone's "node" for PERM_AUTHENTICATED); anybody
 * else is told it does not exist. */
static int64_t notify_resolve(req_t *r, int64_t id)
{
    if (!r->user)
        return 0;
    int64_t owner = db_query_int(r->db, "SELECT user_id FROM notifications WHERE id = ?",
                                 PARAMS(P_INT(id)), 0);
    if (owner == 0 || owner != r->user->id)
        return 0;
    return org_root_id(r->db);
}

static void notify_page_list(req_t *r)
{
    json_t *errors = json_object();
    int64_t limit = NOTIFY_PAGE, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors) > 0) {
        limit = NOTIFY_PAGE;
        offset = 0;
    }
    json_decref(errors);
    json_t *rows = notify_fetch(r, limit, offset);
    if (!rows) {
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    int64_t total = notify_total(r);
    int64_t unread = notify_unread_count(r->db, r->user->id);
    json_t *items = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char when[64];
        format_local_datetime(json_integer_value(json_object_get(row, "created_at")), when,
                              sizeof when);
        const char *link = json_string_value(json_object_get(row, "link"));
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:o, s:b}", "id",
                             json_integer_value(json_object_get(row, "id")), "text",
                             json_string_value(json_object_get(row, "text")), "when", when, "link",
                             notify_link_ok(link) ? json_string(link) : json_null(), "unread",
                             json_is_null(json_object_get(row, "read_at"))));
    }
    json_decref(rows);
    int64_t shown = offset + (int64_t)json_array_size(items);
    json_t *pager = json_null();
    if (offset > 0 || shown < total)
        pager = json_pack(
            "{s:o, s:o}", "prev",
            offset > 0 ? json_string(arena_printf(r->arena, "/notifications?offset=%lld",
                                                  (long long)(offset > limit ? offset - limit : 0)))
                       : json_null(),
            "next",
            shown < total ? json_string(arena_printf(r->arena, "/notifications?offset=%lld",
                                                     (long long)shown))
                          : json_null());
    json_t *model = json_pack("{s:s, s:o, s:I, s:I, s:o}", "title", T(r, N_("Notifications")),
                              "items", items, "total", (json_int_t)total, "unread_count",
                              (json_int_t)unread, "pager", pager);
    page_render(r, 200, "notify/list", model);
}

/* Mark one notification of the user as read (id > 0) or all of them (0),
 * with its audit row when anything changed. */
static int notify_set_read(req_t *r, int64_t id)
{
    int rc = db_begin(r->db);
    if (rc == DB_OK)
        rc = id > 0 ? db_exec(r->db,
                              "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? "
                              "AND read_at IS NULL",
                              PARAMS(P_INT(now_utc()), P_INT(id), P_INT(r->user->id)))
                    : db_exec(r->db,
                              "UPDATE notifications SET read_at = ? WHERE user_id = ? "
                              "AND read_at IS NULL",
                              PARAMS(P_INT(now_utc()), P_INT(r->user->id)));
    if (rc == DB_OK && db_changes(r->db) > 0) {
        json_t *ch = json_pack("{s:I}", "marked_read", (json_int_t)db_changes(r->db));
        rc = audit_write(r->db, r->user->id, "read", "notification", id > 0 ? id : 0, 0, ch,
                         req_ip(r));
        json_decref(ch);
    }
    if (rc == DB_OK)
        rc = db_commit(r->db);
    else if (db_in_tx(r->db))
        db_rollback(r->db);
    return rc;
}

/* Marks one as read; with open=1 (the notification's own button) goes on to
 * its link. */
static void notify_mark_read(req_t *r)
{
    int64_t id = r->ids[0];
    const char *link = NULL;
    db_res_t *res = db_query(r->db, "SELECT link FROM notifications WHERE id = ? AND user_id = ?",
                             PARAMS(P_INT(id), P_INT(r->user->id)));
    if (res) {
        if (db_next(res) && db_text(res, 0))
            link = arena_strdup(r->arena, db_text(res, 0));
        db_res_free(res);
    }
    if (notify_set_read(r, id) != DB_OK) {
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    if (r->is_api) {
        api_send(r, 200, json_pack("{s:I, s:I}", "id", (json_int_t)id, "unread",
                                   (json_int_t)notify_unread_count(r->db, r->user->id)));
        return;
    }
    const char *open = http_form(r, "open");
    if (open && strcmp(open, "1") == 0 && notify_link_ok(link)) {
        http_redirect(r, link);
        return;
    }
    page_redirect_flash(r, "/notifications", N_("The notification was marked as read."));
}

static void notify_mark_all(req_t *r)
{
    if (notify_set_read(r, 0) != DB_OK) {
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    if (r->is_api) {
        api_send(r, 200, json_pack("{s:I}", "unread", (json_int_t)0));
        return;
    }
    page_redirect_flash(r, "/notifications", N_("All notifications were marked as read."));
}

static void notify_api_list(req_t *r)
{
    json_t *errors = json_object();
    int64_t limit = NOTIFY_PAGE, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors) > 0) {
        respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
        return;
    }
    json_decref(errors);
    json_t *rows = notify_fetch(r, limit, offset);
    if (!rows) {
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    static const char *const times[] = {"created_at", "read_at", NULL};
    api_times_iso(rows, times);
    api_send(r, 200, json_pack("{s:o, s:I, s:I}", "items", rows, "total",
                               (json_int_t)notify_total(r), "unread",
                               (json_int_t)notify_unread_count(r->db, r->user->id)));
}

const route_t notify_routes[] = {
    {"GET", "/notifications", PERM_AUTHENTICATED, NULL, notify_page_list, 0},
    {"POST", "/notifications/read-all", PERM_AUTHENTICATED, NULL, notify_mark_all, ROUTE_FORM},
    {"POST", "/notifications/{id}/read", PERM_AUTHENTICATED, notify_resolve, notify_mark_read,
     ROUTE_FORM},
    {"GET", "/api/v1/notifications", PERM_AUTHENTICATED, NULL, notify_api_list, 0},
    {"POST", "/api/v1/notifications/read-all", PERM_AUTHENTICATED, NULL, notify_mark_all, ROUTE_JSON},
    {"POST", "/api/v1/notifications/{id}/read", PERM_AUTHENTICATED, notify_resolve,
     notify_mark_read, ROUTE_JSON},
};
const size_t notify_routes_count = ARRAY_LEN(notify_routes);

/* Version 50. */
static const char notify_sql[] =
    "CREATE TABLE notifications(\n"
    "  id ID_PK,\n"
    "  user_id BIGINT NOT NULL REFERENCES users(id),\n"
    "  kind TEXT NOT NULL,\n"
    "  msgid TEXT NOT NULL,\n"
    "  arg1 TEXT,\n"
    "  arg2 TEXT,\n"
    "  link TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  read_at BIGINT\n"
    ");\n"
    "CREATE INDEX notifications_user ON notifications(user_id, read_at);\n"
    "CREATE INDEX notifications_user_created ON notifications(user_id, created_at);\n";

const db_migration_t notify_migrations[] = {
    {50, "notifications", notify_sql, NULL},
};
const size_t notify_migrations_count = ARRAY_LEN(notify_migrations);
