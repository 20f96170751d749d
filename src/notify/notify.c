/* notify.c - in-app notifications: storing them, counting the unread ones
 * for the header badge, the page /notifications and its JSON twin. A
 * notification holds a msgid and its parameters, so it is shown in the
 * reader's language at display time, not in the writer's. */
#include "notify.h"
#include "../audit/audit.h"

#include <stdlib.h>

#include <string.h>

#define NOTIFY_PAGE 50

static bool notify_link_ok(const char *link)
{
    /* a local path only: never another site, never a scheme */
    return link && link[0] == '/' && link[1] != '/' && link[1] != '\\' && !str_has_control(link) &&
           strlen(link) <= 500;
}

int notify_user(db_t *db, int64_t user_id, const char *kind, const char *msgid, const char *link,
                const notify_arg_t *args, int nargs)
{
    if (!db || user_id <= 0 || !kind || !msgid || nargs < 0 || nargs > NOTIFY_MAX_ARGS)
        return DB_ERR;
    if (link && !notify_link_ok(link)) {
        log_error("notify: refused link for user %lld", (long long)user_id);
        link = NULL;
    }
    json_t *params = json_array();
    for (int i = 0; i < nargs; i++) {
        const notify_arg_t *a = &args[i];
        if (a->kind == NOTIFY_ARG_REF)
            json_array_append_new(params, json_pack("{s:s, s:s, s:I}", "t", "ref", "e", a->s ? a->s : "",
                                                    "id", (json_int_t)a->id));
        else
            json_array_append_new(params, json_pack("{s:s, s:s}", "t",
                                                    a->kind == NOTIFY_ARG_CODE ? "code" : "text", "v",
                                                    a->s ? a->s : ""));
    }
    char *p = json_dumps(params, JSON_COMPACT);
    json_decref(params);
    const char *p_p = p;
    int rc = db_exec(db,
                     "INSERT INTO notifications(user_id, kind, msgid, params, link, created_at) "
                     "VALUES(?, ?, ?, ?, ?, ?)",
                     PARAMS(P_INT(user_id), P_TEXT(kind), P_TEXT(msgid), P_TEXT(p_p), P_TEXT(link),
                            P_INT(now_utc())));
    free(p);
    return rc;
}

int64_t notify_unread_count(db_t *db, int64_t user_id)
{
    if (!db || user_id <= 0)
        return 0;
    return db_query_int(db, "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
                        PARAMS(P_INT(user_id)), 0);
}

/* One parameter as the reader reads it, isolated (FSI ... PDI) so that a
 * Latin name inside Arabic text (or the reverse) keeps its own direction. */
static const char *notify_param(req_t *r, json_t *p)
{
    const char *t = json_string_value(json_object_get(p, "t"));
    const char *v = json_string_value(json_object_get(p, "v"));
    const char *shown = "";
    if (str_eq(t, "code"))
        shown = v ? T(r, v) : "";
    else if (str_eq(t, "ref"))
        shown = app_entity_name(r, json_string_value(json_object_get(p, "e")),
                                json_integer_value(json_object_get(p, "id")), NULL);
    else
        shown = v;
    return arena_printf(r->arena, "\u2068%s\u2069", shown ? shown : "—");
}

/* Rows stored before parameters existed: arg1/arg2 as written then (codes
 * such as "role.director" are translated). */
static const char *notify_old_arg(req_t *r, const char *arg)
{
    if (!arg)
        return "";
    if (strncmp(arg, "role.", 5) == 0 || strncmp(arg, "category.", 9) == 0 ||
        strncmp(arg, "unit_kind.", 10) == 0)
        return T(r, arg);
    return arg;
}

/* The translated text with its %s filled by the parameters in order. The
 * catalogue text is never used as a printf format. */
static const char *notify_text(req_t *r, json_t *row)
{
    const char *vals[NOTIFY_MAX_ARGS] = {NULL};
    size_t n = 0;
    const char *params = json_string_value(json_object_get(row, "params"));
    json_t *arr = params ? json_loads(params, 0, NULL) : NULL;
    if (json_is_array(arr)) {
        size_t i;
        json_t *p;
        json_array_foreach(arr, i, p)
            if (n < NOTIFY_MAX_ARGS)
                vals[n++] = notify_param(r, p);
    } else {
        vals[n++] = notify_old_arg(r, json_string_value(json_object_get(row, "arg1")));
        vals[n++] = notify_old_arg(r, json_string_value(json_object_get(row, "arg2")));
    }
    json_decref(arr);
    return text_fill_strings(r->arena, T(r, json_string_value(json_object_get(row, "msgid"))), vals, n);
}

/* The user's notifications, newest first, as given by the API. */
static json_t *notify_fetch(req_t *r, int64_t limit, int64_t offset)
{
    json_t *rows = db_query_json(r->db,
                                 "SELECT id, kind, msgid, arg1, arg2, params, link, created_at, read_at "
                                 "FROM notifications WHERE user_id = ? "
                                 "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                                 PARAMS(P_INT(r->user->id), P_INT(limit), P_INT(offset)));
    if (!rows)
        return NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        json_object_set_new(row, "text", json_string(notify_text(r, row)));
        json_object_del(row, "arg1");
        json_object_del(row, "arg2");
        json_object_del(row, "params");
    }
    return rows;
}

static int64_t notify_total(req_t *r)
{
    return db_query_int(r->db, "SELECT count(*) FROM notifications WHERE user_id = ?",
                        PARAMS(P_INT(r->user->id)), 0);
}

/* Resolver: a notification belongs to a user, whose home node it answers
 * with (the route needs no permission at a node); anybody else is told it
 * does not exist. */
static int64_t notify_resolve(req_t *r, int64_t id)
{
    if (!r->user)
        return 0;
    int64_t owner = db_query_int(r->db, "SELECT user_id FROM notifications WHERE id = ?",
                                 PARAMS(P_INT(id)), 0);
    if (owner == 0 || owner != r->user->id)
        return 0;
    return r->user->home_node_id > 0 ? r->user->home_node_id : 1;
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
    const char *open = req_form(r, "open");
    if (open && strcmp(open, "1") == 0 && notify_link_ok(link)) {
        http_redirect(r->http, link);
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

static const route_t notify_routes[] = {
    {"GET", "/notifications", PERM_AUTHENTICATED, NULL, notify_page_list, 0},
    {"POST", "/notifications/read-all", PERM_AUTHENTICATED, NULL, notify_mark_all, ROUTE_FORM},
    {"POST", "/notifications/{id}/read", PERM_AUTHENTICATED, notify_resolve, notify_mark_read,
     ROUTE_FORM},
    {"GET", "/api/v1/notifications", PERM_AUTHENTICATED, NULL, notify_api_list, 0},
    {"POST", "/api/v1/notifications/read-all", PERM_AUTHENTICATED, NULL, notify_mark_all, ROUTE_JSON},
    {"POST", "/api/v1/notifications/{id}/read", PERM_AUTHENTICATED, notify_resolve,
     notify_mark_read, ROUTE_JSON},
};

/* Version 50; 51: parameters rendered when read (arg1/arg2 stay for the
 * rows written before). */
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

static const db_migration_t notify_migrations[] = {
    {50, "notifications", notify_sql, NULL},
    {51, "notifications: parameters", "ALTER TABLE notifications ADD COLUMN params TEXT;", NULL},
};

static int64_t notify_badge_count(req_t *r)
{
    return r->user ? notify_unread_count(r->db, r->user->id) : 0;
}

static const app_badge_t notify_badge = {"/notifications", N_("Notifications"), N_("Alerts"),
                                         "bell", notify_badge_count};

static const app_entity_t notify_entities[] = {
    {"notification", N_("audit_entity.notification"), NULL, NULL, NULL},
};

static const char *const notify_audit_actions[] = {"read", NULL};

const module_t notify_module = {
    .name = "notify",
    .migrations = notify_migrations,
    .n_migrations = ARRAY_LEN(notify_migrations),
    .routes = notify_routes,
    .n_routes = ARRAY_LEN(notify_routes),
    .badge = &notify_badge,
    .entities = notify_entities,
    .n_entities = ARRAY_LEN(notify_entities),
    .audit_actions = notify_audit_actions,
};
