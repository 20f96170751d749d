/* audit_pages.c - reading the audit log: the admin page /admin/audit and
 * GET /api/v1/audit, both filtered by the reader's scope before paging (rows
 * without a node are shown to platform administrators only). */
#include "../app/app.h"
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_MAX_PARAMS 48

/* Codes offered in the filter lists (other codes still filter when typed in
 * the URL: later modules add their own). */
static const char *const audit_entities[] = {"node", "user", "role", "attachment",
                                             "session", "token", "notification", NULL};
static const char *const audit_actions[] = {
    "create", "update", "disable", "enable", "grant", "revoke", "login", "login_failed",
    "logout", "password_change", "password_reset", "upload", "token_create", "read", NULL};

/* The msgids behind the codes, listed so that the catalogues carry them. */
static const char *const audit_msgids[] __attribute__((unused)) = {
    N_("audit_entity.node"), N_("audit_entity.user"), N_("audit_entity.role"),
    N_("audit_entity.attachment"), N_("audit_entity.session"), N_("audit_entity.token"),
    N_("audit_entity.notification"), N_("audit_action.read"),
    N_("audit_action.create"), N_("audit_action.update"), N_("audit_action.disable"),
    N_("audit_action.enable"), N_("audit_action.grant"), N_("audit_action.revoke"),
    N_("audit_action.login"), N_("audit_action.login_failed"), N_("audit_action.logout"),
    N_("audit_action.password_change"), N_("audit_action.password_reset"),
    N_("audit_action.upload"), N_("audit_action.token_create"),
};

typedef struct {
    const char *entity, *action, *actor, *from, *to;
    int64_t from_t, to_t; /* 0 when not given */
    int64_t limit, offset;
} audit_filter_t;

/* Label of a code: the catalogue's text for "<prefix>.<code>", or the code
 * itself when the catalogue has none (codes added by later modules). */
static const char *audit_label(req_t *r, const char *prefix, const char *code)
{
    if (!code)
        return "";
    const char *key = arena_printf(r->arena, "%s.%s", prefix, code);
    const char *t = T(r, key);
    return t == key || strcmp(t, key) == 0 ? code : t;
}

/* "31/12/2026" (or "2026-12-31" from a date picker) -> UTC seconds of that
 * day's local midnight (Africa/Casablanca). */
static bool audit_parse_date(const char *s, int64_t *out)
{
    return parse_local_date(s, out, NULL) == 0;
}

static const char *audit_query_text(req_t *r, json_t *errors, const char *key, size_t max)
{
    const char *v = http_query(r, key);
    if (!v)
        return NULL;
    char *t = str_trim(arena_strdup(r->arena, v));
    if (!*t)
        return NULL;
    if (!utf8_valid(t, strlen(t)) || str_has_control(t) || utf8_count(t) > max) {
        json_object_set_new(errors, key, json_string(N_("This value is not valid.")));
        return NULL;
    }
    return t;
}

static void audit_filter_read(req_t *r, audit_filter_t *f, json_t *errors)
{
    memset(f, 0, sizeof *f);
    f->entity = audit_query_text(r, errors, "entity", 40);
    f->action = audit_query_text(r, errors, "action", 40);
    f->actor = audit_query_text(r, errors, "actor", 100);
    f->from = audit_query_text(r, errors, "from", 10);
    f->to = audit_query_text(r, errors, "to", 10);
    if (f->from && !audit_parse_date(f->from, &f->from_t))
        json_object_set_new(errors, "from", json_string(N_("Enter a date as dd/mm/yyyy.")));
    if (f->to && !audit_parse_date(f->to, &f->to_t))
        json_object_set_new(errors, "to", json_string(N_("Enter a date as dd/mm/yyyy.")));
    if (f->to_t)
        f->to_t += 86400; /* the whole last day */
    v_paging(r, errors, &f->limit, &f->offset);
}

static bool audit_is_root_admin(req_t *r)
{
    if (!r->user)
        return false;
    int64_t now = now_utc();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (ra->role == ROLE_ADMIN && ra->node_kind == NODE_ROOT &&
            (ra->expires_at == 0 || ra->expires_at > now))
            return true;
    }
    return false;
}

/* FROM + WHERE shared by the count and the page of rows. */
static void audit_where(req_t *r, const audit_filter_t *f, buf_t *sql, db_param_t *p, int *np)
{
    buf_puts(sql, " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id"
                  " LEFT JOIN nodes n ON n.id = a.node_id WHERE (");
    app_scope_sql(r, PERM_AUDIT_READ, "a.node_path", sql, p, np, AUDIT_MAX_PARAMS - 8);
    if (audit_is_root_admin(r))
        buf_puts(sql, " OR a.node_path = ''");
    buf_puts(sql, ")");
    if (f->entity) {
        buf_puts(sql, " AND a.entity = ?");
        p[(*np)++] = P_TEXT(f->entity);
    }
    if (f->action) {
        buf_puts(sql, " AND a.action = ?");
        p[(*np)++] = P_TEXT(f->action);
    }
    if (f->actor) {
        char *low = arena_strdup(r->arena, f->actor);
        for (char *c = low; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        char *esc = db_like_escape(low);
        buf_puts(sql, " AND lower(u.name) LIKE ? ESCAPE '\\'");
        p[(*np)++] = P_TEXT(arena_printf(r->arena, "%%%s%%", esc));
        free(esc);
    }
    if (f->from_t) {
        buf_puts(sql, " AND a.at >= ?");
        p[(*np)++] = P_INT(f->from_t);
    }
    if (f->to_t) {
        buf_puts(sql, " AND a.at < ?");
        p[(*np)++] = P_INT(f->to_t);
    }
}

/* Rows of the current page as JSON (raw values, as the API gives them), and
 * the total. NULL on a database error. */
static json_t *audit_fetch(req_t *r, const audit_filter_t *f, int64_t *total)
{
    db_param_t p[AUDIT_MAX_PARAMS];
    int np = 0;
    buf_t where;
    buf_init(&where);
    audit_where(r, f, &where, p, &np);

    buf_t sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT count(*)%s", where.data);
    *total = db_query_int(r->db, sql.data, p, np, -1);
    buf_reset(&sql);
    buf_printf(&sql,
               "SELECT a.id, a.at, a.actor_id, u.name AS actor_name, a.action, a.entity, "
               "a.entity_id, a.node_id, n.name AS node_name, a.changes, a.ip%s "
               "ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?",
               where.data);
    p[np++] = P_INT(f->limit);
    p[np++] = P_INT(f->offset);
    json_t *rows = *total < 0 ? NULL : db_query_json(r->db, sql.data, p, np);
    buf_free(&sql);
    buf_free(&where);
    if (!rows)
        return NULL;
    /* changes are stored as JSON text: give them back as JSON */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *txt = json_string_value(json_object_get(row, "changes"));
        json_t *ch = txt ? json_loads(txt, 0, NULL) : NULL;
        json_object_set_new(row, "changes", ch ? ch : json_null());
    }
    return rows;
}

/* A JSON value as short text for the page; times (fields named *_at) as dates. */
static const char *audit_value_text(req_t *r, const char *key, json_t *v)
{
    if (!v || json_is_null(v))
        return "—";
    size_t kl = strlen(key);
    if (json_is_integer(v) && kl > 3 && strcmp(key + kl - 3, "_at") == 0) {
        char when[64];
        format_local_datetime(json_integer_value(v), when, sizeof when);
        return arena_strdup(r->arena, when);
    }
    if (json_is_string(v))
        return arena_strdup(r->arena, json_string_value(v));
    if (json_is_true(v))
        return T(r, N_("yes"));
    if (json_is_false(v))
        return T(r, N_("no"));
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *out = arena_strdup(r->arena, s ? s : "");
    free(s);
    return out;
}

/* [{field, from, to, changed_only}] for the template (escaped there). */
static json_t *audit_changes_view(req_t *r, json_t *changes)
{
    json_t *out = json_array();
    if (!json_is_object(changes))
        return out;
    const char *key;
    json_t *v;
    json_object_foreach(changes, key, v) {
        json_t *from = json_object_get(v, "from"), *to = json_object_get(v, "to");
        bool pair = json_is_object(v) && (from || to);
        /* a creation has no "from": only the new value is shown */
        bool has_from = pair && from && !json_is_null(from);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b}", "field", key, "from",
                                             has_from ? audit_value_text(r, key, from) : "", "to",
                                             pair ? audit_value_text(r, key, to)
                                                  : audit_value_text(r, key, v),
                                             "changed_only", json_is_string(v) &&
                                                 strcmp(json_string_value(v), "changed") == 0));
    }
    return out;
}

static const char *audit_entity_link(req_t *r, const char *entity, int64_t id)
{
    if (id <= 0 || !entity)
        return NULL;
    if (strcmp(entity, "node") == 0)
        return arena_printf(r->arena, "/admin/nodes/%lld", (long long)id);
    if (strcmp(entity, "user") == 0)
        return arena_printf(r->arena, "/admin/users/%lld", (long long)id);
    return NULL;
}

static void audit_qs_add(buf_t *b, const char *key, const char *val)
{
    if (!val)
        return;
    buf_putc(b, b->len ? '&' : '?');
    buf_puts(b, key);
    buf_putc(b, '=');
    for (const unsigned char *c = (const unsigned char *)val; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.')
            buf_putc(b, (char)*c);
        else
            buf_printf(b, "%%%02X", *c);
    }
}

static const char *audit_page_url(req_t *r, const audit_filter_t *f, int64_t offset)
{
    buf_t b;
    buf_init(&b);
    audit_qs_add(&b, "entity", f->entity);
    audit_qs_add(&b, "action", f->action);
    audit_qs_add(&b, "actor", f->actor);
    audit_qs_add(&b, "from", f->from);
    audit_qs_add(&b, "to", f->to);
    if (offset > 0)
        buf_printf(&b, "%coffset=%lld", b.len ? '&' : '?', (long long)offset);
    const char *url = arena_printf(r->arena, "/admin/audit%s", b.data ? b.data : "");
    buf_free(&b);
    return url;
}

/* "%s–%s of %s" with three numbers, without printf on catalogue text. */
static const char *audit_range_label(req_t *r, int64_t a, int64_t b, int64_t total)
{
    const char *fmt = T(r, N_("%s–%s of %s"));
    long long v[3] = {a, b, total};
    buf_t out;
    buf_init(&out);
    int used = 0;
    for (const char *c = fmt; *c; c++) {
        if (c[0] == '%' && c[1] == 's' && used < 3) {
            buf_printf(&out, "%lld", v[used++]);
            c++;
        } else {
            buf_putc(&out, *c);
        }
    }
    const char *s = arena_strdup(r->arena, out.data ? out.data : "");
    buf_free(&out);
    return s;
}

static json_t *audit_options(req_t *r, const char *prefix, const char *const *codes,
                             const char *current)
{
    json_t *a = json_array();
    bool found = false;
    for (size_t i = 0; codes[i]; i++) {
        bool sel = str_eq(current, codes[i]);
        found |= sel;
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                                           audit_label(r, prefix, codes[i]), "selected", sel));
    }
    if (current && !found)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", current, "label",
                                           audit_label(r, prefix, current), "selected", 1));
    return a;
}

static void audit_page_list(req_t *r)
{
    json_t *errors = json_object();
    audit_filter_t f;
    audit_filter_read(r, &f, errors);
    int status = 200;
    if (json_object_size(errors) > 0) {
        /* show the page with the messages and without the faulty filters */
        status = 422;
        if (json_object_get(errors, "from"))
            f.from_t = 0;
        if (json_object_get(errors, "to"))
            f.to_t = 0;
    }
    int64_t total = 0;
    json_t *rows = audit_fetch(r, &f, &total);
    if (!rows) {
        json_decref(errors);
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    json_t *items = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char when[64];
        format_local_datetime(json_integer_value(json_object_get(row, "at")), when, sizeof when);
        const char *actor = json_string_value(json_object_get(row, "actor_name"));
        int64_t actor_id = json_integer_value(json_object_get(row, "actor_id"));
        const char *entity = json_string_value(json_object_get(row, "entity"));
        int64_t entity_id = json_integer_value(json_object_get(row, "entity_id"));
        const char *node = json_string_value(json_object_get(row, "node_name"));
        const char *link = audit_entity_link(r, entity, entity_id);
        json_t *item = json_pack(
            "{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
            json_integer_value(json_object_get(row, "id")), "when", when, "who",
            actor ? actor : (actor_id ? T(r, N_("Deleted user")) : T(r, N_("System"))), "action",
            audit_label(r, "audit_action", json_string_value(json_object_get(row, "action"))),
            "entity", audit_label(r, "audit_entity", entity), "entity_id",
            entity_id > 0 ? json_integer(entity_id) : json_null(), "link",
            link ? json_string(link) : json_null(), "node", node ? json_string(node) : json_null(),
            "changes", audit_changes_view(r, json_object_get(row, "changes")));
        json_array_append_new(items, item);
    }
    json_decref(rows);

    json_t *pager = json_null();
    if (total > 0) {
        int64_t last = f.offset + (int64_t)json_array_size(items);
        pager = json_pack("{s:s, s:o, s:o}", "label",
                          audit_range_label(r, json_array_size(items) ? f.offset + 1 : 0, last, total),
                          "prev",
                          f.offset > 0 ? json_string(audit_page_url(
                                             r, &f, f.offset > f.limit ? f.offset - f.limit : 0))
                                       : json_null(),
                          "next",
                          last < total ? json_string(audit_page_url(r, &f, last)) : json_null());
    }
    bool filtered = f.entity || f.action || f.actor || f.from || f.to;
    json_t *model = json_pack(
        "{s:s, s:o, s:o, s:o, s:I, s:o, s:b}", "title", T(r, N_("Audit log")), "filters",
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "entity", f.entity ? f.entity : "", "action",
                  f.action ? f.action : "", "actor", f.actor ? f.actor : "", "from",
                  f.from ? f.from : "", "to", f.to ? f.to : ""),
        "entity_options", audit_options(r, "audit_entity", audit_entities, f.entity),
        "action_options", audit_options(r, "audit_action", audit_actions, f.action), "total",
        (json_int_t)total, "items", items, "filtered", filtered);
    json_object_set_new(model, "pager", pager);
    model_form_errors(r, model, errors);
    json_decref(errors);
    page_render(r, status, "audit/list", model);
}

static void audit_api_list(req_t *r)
{
    json_t *errors = json_object();
    audit_filter_t f;
    audit_filter_read(r, &f, errors);
    if (json_object_size(errors) > 0) {
        respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
        return;
    }
    json_decref(errors);
    int64_t total = 0;
    json_t *rows = audit_fetch(r, &f, &total);
    if (!rows) {
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    static const char *const times[] = {"at", NULL};
    api_times_iso(rows, times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", rows, "total", (json_int_t)total));
}

const route_t audit_routes[] = {
    {"GET", "/admin/audit", PERM_AUDIT_READ, NULL, audit_page_list, 0},
    {"GET", "/api/v1/audit", PERM_AUDIT_READ, NULL, audit_api_list, 0},
};
const size_t audit_routes_count = ARRAY_LEN(audit_routes);
