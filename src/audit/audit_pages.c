/* audit_pages.c - reading the audit log: the admin page /admin/audit and
 * GET /api/v1/audit, both filtered by the reader's scope before paging (rows
 * without a node are shown to platform administrators only). The page reads
 * as words: each module's entities (app_entity_t) name the things concerned
 * in the reader's language, label their fields and say how to show values;
 * the API keeps the codes. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_MAX_ACTORS 50
#define AUDIT_MAX_PARAMS (48 + AUDIT_MAX_ACTORS)

/* Labels of the actions written so far, listed once so that the catalogues
 * carry them (a module adding an action adds its "audit_action.<code>"). */
static const char *const audit_action_msgids[] __attribute__((unused)) = {
    N_("audit_action.read"), N_("audit_action.create"), N_("audit_action.update"),
    N_("audit_action.disable"), N_("audit_action.enable"), N_("audit_action.grant"),
    N_("audit_action.revoke"), N_("audit_action.login"), N_("audit_action.login_failed"),
    N_("audit_action.logout"), N_("audit_action.password_change"),
    N_("audit_action.password_reset"), N_("audit_action.upload"), N_("audit_action.token_create"),
};

/* The languages as their speakers write them (FIELD_LANG). */
static const char *language_name(const char *code)
{
    return str_eq(code, "fr") ? "Français" : str_eq(code, "ar") ? "العربية" : str_eq(code, "en") ? "English" : code;
}

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
    const char *v = req_query(r, key);
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
        if (ra->role == ROLE_ADMIN && ra->node_kind == NODE_ROOT && authz_role_live(ra, now))
            return true;
    }
    return false;
}

/* FROM + WHERE shared by the count and the page of rows. */
static void audit_where(req_t *r, const audit_filter_t *f, buf_t *sql, db_param_t *p, int *np)
{
    buf_puts(sql, " FROM audit_log a WHERE (");
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
        /* the people whose name matches, as the users module finds them */
        int64_t ids[AUDIT_MAX_ACTORS];
        size_t n = app_entity_find(r, "user", f->actor, ids, AUDIT_MAX_ACTORS);
        buf_puts(sql, n ? " AND a.actor_id IN (" : " AND 1=0");
        for (size_t i = 0; i < n; i++) {
            buf_puts(sql, i ? ", ?" : "?");
            p[(*np)++] = P_INT(ids[i]);
        }
        if (n)
            buf_puts(sql, ")");
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
               "SELECT a.id, a.at, a.actor_id, a.action, a.entity, a.entity_id, a.node_id, "
               "a.changes, a.ip%s "
               "ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?",
               where.data);
    p[np++] = P_INT(f->limit);
    p[np++] = P_INT(f->offset);
    json_t *rows = *total < 0 ? NULL : db_query_json(r->db, sql.data, p, np);
    buf_free(&sql);
    buf_free(&where);
    if (!rows)
        return NULL;
    /* changes are stored as JSON text: give them back as JSON; the actor
     * and the node by their names */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *txt = json_string_value(json_object_get(row, "changes"));
        json_t *ch = txt ? json_loads(txt, 0, NULL) : NULL;
        json_object_set_new(row, "changes", ch ? ch : json_null());
        json_object_set_new(row, "actor_name",
                            json_str_or_null(app_entity_name(
                                r, "user", json_integer_value(json_object_get(row, "actor_id")), NULL)));
        json_object_set_new(row, "node_name",
                            json_str_or_null(app_entity_name(
                                r, "node", json_integer_value(json_object_get(row, "node_id")), NULL)));
    }
    return rows;
}

/* How a field of an entity is shown: its declaration, or text under its
 * own name when the entity does not declare it. */
static const app_field_t *field_of(const app_entity_t *e, const char *key)
{
    for (const app_field_t *f = e ? e->fields : NULL; f && f->name; f++)
        if (strcmp(f->name, key) == 0)
            return f;
    return NULL;
}

/* A value as words: codes through the catalogue, references by name with
 * a link, times as local dates, yes/no, numbers for the language. */
static const char *value_text(req_t *r, const app_field_t *f, const char *key, json_t *v,
                              const char **href)
{
    *href = NULL;
    if (!v || json_is_null(v))
        return "—";
    field_kind_t kind = f ? f->kind : FIELD_TEXT;
    size_t kl = strlen(key);
    if (!f && json_is_integer(v) && kl > 3 && strcmp(key + kl - 3, "_at") == 0)
        kind = FIELD_TIME;
    switch (kind) {
    case FIELD_CODE:
        if (json_is_string(v)) {
            const char *msgid = arena_printf(r->arena, "%s.%s", f->arg, json_string_value(v));
            const char *t = T(r, msgid);
            return strcmp(t, msgid) == 0 ? json_string_value(v) : t;
        }
        break;
    case FIELD_REF:
        if (json_is_integer(v)) {
            const char *name = app_entity_name(r, f->arg, json_integer_value(v), href);
            return name ? name : arena_printf(r->arena, "#%lld", (long long)json_integer_value(v));
        }
        break;
    case FIELD_TIME:
        if (json_is_integer(v)) {
            char when[64];
            format_local_datetime(json_integer_value(v), when, sizeof when);
            return arena_strdup(r->arena, when);
        }
        break;
    case FIELD_NUMBER:
        if (json_is_integer(v))
            return app_number(r, json_integer_value(v));
        break;
    case FIELD_LANG:
        if (json_is_string(v))
            return language_name(json_string_value(v));
        break;
    case FIELD_BOOL:
    case FIELD_TEXT:
    case FIELD_SECRET:
        break;
    }
    if (json_is_true(v))
        return T(r, N_("yes"));
    if (json_is_false(v))
        return T(r, N_("no"));
    if (json_is_string(v))
        return arena_strdup(r->arena, json_string_value(v));
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *out = arena_strdup(r->arena, s ? s : "");
    free(s);
    return out;
}

/* One changed field as the template shows it. */
static json_t *change_view(req_t *r, const app_entity_t *e, const char *key, json_t *v)
{
    {
        const app_field_t *f = field_of(e, key);
        json_t *from = json_object_get(v, "from"), *to = json_object_get(v, "to");
        bool pair = json_is_object(v) && (from || to);
        /* a creation has no "from": only the new value is shown */
        bool has_from = pair && from && !json_is_null(from);
        bool changed_only = (f && f->kind == FIELD_SECRET) ||
                            (json_is_string(v) && (strcmp(json_string_value(v), "changed") == 0 ||
                                                   strcmp(json_string_value(v), "set") == 0));
        const char *fh = NULL, *th = NULL;
        const char *ft = has_from ? value_text(r, f, key, from, &fh) : "";
        const char *tt = value_text(r, f, key, pair ? to : v, &th);
        return json_pack("{s:s, s:s, s:o, s:s, s:o, s:b, s:b}", "field", f ? T(r, f->label) : key,
                         "from", ft, "from_href", json_str_or_null(fh), "to", tt, "to_href",
                         json_str_or_null(th), "has_from", has_from, "changed_only", changed_only);
    }
}

/* [{field, from, from_href, to, to_href, has_from, changed_only}] for the
 * template (escaped there): the entity's fields in their declared order,
 * then any other. */
static json_t *audit_changes_view(req_t *r, const app_entity_t *e, json_t *changes)
{
    json_t *out = json_array();
    if (!json_is_object(changes))
        return out;
    for (const app_field_t *f = e ? e->fields : NULL; f && f->name; f++) {
        json_t *v = json_object_get(changes, f->name);
        if (v)
            json_array_append_new(out, change_view(r, e, f->name, v));
    }
    const char *key;
    json_t *v;
    json_object_foreach(changes, key, v)
        if (!field_of(e, key))
            json_array_append_new(out, change_view(r, e, key, v));
    return out;
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
    const char *v[3] = {app_number(r, a), app_number(r, b), app_number(r, total)};
    return text_fill_strings(r->arena, T(r, N_("%s–%s of %s")), v, 3);
}

static void add_option(req_t *r, json_t *a, const char *code, const char *label, const char *current)
{
    size_t i;
    json_t *o;
    json_array_foreach(a, i, o)
        if (str_eq(json_string_value(json_object_get(o, "code")), code))
            return;
    json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", code, "label", label, "selected",
                                       str_eq(current, code)));
}

/* The kinds of things every module records, and the actions they write
 * (a code typed in the URL that none declares is offered as it is). */
static json_t *entity_options(req_t *r, const char *current)
{
    json_t *a = json_array();
    for (size_t m = 0; m < app_module_count(); m++) {
        const module_t *mod = app_module(m);
        for (size_t i = 0; i < mod->n_entities; i++)
            add_option(r, a, mod->entities[i].code, T(r, mod->entities[i].label), current);
    }
    if (current)
        add_option(r, a, current, audit_label(r, "audit_entity", current), current);
    return a;
}

static json_t *action_options(req_t *r, const char *current)
{
    json_t *a = json_array();
    for (size_t m = 0; m < app_module_count(); m++)
        for (const char *const *c = app_module(m)->audit_actions; c && *c; c++)
            add_option(r, a, *c, audit_label(r, "audit_action", *c), current);
    if (current)
        add_option(r, a, current, audit_label(r, "audit_action", current), current);
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
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *items = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char when[64];
        format_local_datetime(json_integer_value(json_object_get(row, "at")), when, sizeof when);
        int64_t actor_id = json_integer_value(json_object_get(row, "actor_id"));
        const char *who_href = NULL;
        const char *who = actor_id ? app_entity_name(r, "user", actor_id, &who_href) : NULL;
        const char *entity = json_string_value(json_object_get(row, "entity"));
        const app_entity_t *e = app_entity(entity);
        int64_t entity_id = json_integer_value(json_object_get(row, "entity_id"));
        const char *link = NULL;
        const char *name = entity_id > 0 ? app_entity_name(r, entity, entity_id, &link) : NULL;
        int64_t node_id = json_integer_value(json_object_get(row, "node_id"));
        const char *node_href = NULL;
        /* the place, unless it is the thing itself */
        const char *node = node_id > 0 && !(str_eq(entity, "node") && node_id == entity_id)
                               ? app_entity_name(r, "node", node_id, &node_href)
                               : NULL;
        json_t *item = json_pack(
            "{s:I, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id",
            json_integer_value(json_object_get(row, "id")), "when", when, "who",
            who ? who : (actor_id ? T(r, N_("Deleted user")) : T(r, N_("System"))), "who_href",
            json_str_or_null(who_href), "action",
            audit_label(r, "audit_action", json_string_value(json_object_get(row, "action"))),
            "entity", e ? T(r, e->label) : audit_label(r, "audit_entity", entity), "name",
            name ? json_string(name)
                 : entity_id > 0 ? json_string(arena_printf(r->arena, "#%lld", (long long)entity_id))
                                 : json_null(),
            "link", json_str_or_null(link), "node", json_str_or_null(node), "node_href",
            json_str_or_null(node_href), "changes",
            audit_changes_view(r, e, json_object_get(row, "changes")));
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
        "entity_options", entity_options(r, f.entity), "action_options",
        action_options(r, f.action), "total",
        (json_int_t)total, "items", items, "filtered", filtered);
    json_object_set_new(model, "pager", pager);
    model_form_errors(r, model, errors);
    json_decref(errors);
    page_render(r, status, "audit/list", model);
}

json_t *audit_history(req_t *r, const char *entity, int64_t id, int64_t limit)
{
    json_t *rows = db_query_json(r->db,
                                 "SELECT at, actor_id, action, changes FROM audit_log"
                                 " WHERE entity = ? AND entity_id = ? ORDER BY at DESC, id DESC"
                                 " LIMIT ?",
                                 PARAMS(P_TEXT(entity), P_INT(id), P_INT(limit)));
    json_t *items = json_array();
    const app_entity_t *e = app_entity(entity);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        char when[64];
        format_local_datetime(json_integer_value(json_object_get(row, "at")), when, sizeof when);
        int64_t actor_id = json_integer_value(json_object_get(row, "actor_id"));
        const char *who = actor_id ? app_entity_name(r, "user", actor_id, NULL) : NULL;
        const char *txt = json_string_value(json_object_get(row, "changes"));
        json_t *ch = txt ? json_loads(txt, 0, NULL) : NULL;
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:o}", "when", when, "who",
                             who ? who : (actor_id ? T(r, N_("Deleted user")) : T(r, N_("System"))),
                             "action",
                             audit_label(r, "audit_action",
                                         json_string_value(json_object_get(row, "action"))),
                             "changes", audit_changes_view(r, e, ch)));
        json_decref(ch);
    }
    json_decref(rows);
    return items;
}

static void audit_api_list(req_t *r)
{
    json_t *errors = json_object();
    audit_filter_t f;
    audit_filter_read(r, &f, errors);
    if (json_object_size(errors) > 0) {
        app_fail(r, RES_INVALID, N_("Some information is not valid."), errors);
        return;
    }
    json_decref(errors);
    int64_t total = 0;
    json_t *rows = audit_fetch(r, &f, &total);
    if (!rows) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    static const char *const times[] = {"at", NULL};
    api_times_iso(rows, times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", rows, "total", (json_int_t)total));
}

static const route_t audit_routes[] = {
    {"GET", "/admin/audit", PERM_AUDIT_READ, NULL, audit_page_list, 0},
    {"GET", "/api/v1/audit", PERM_AUDIT_READ, NULL, audit_api_list, 0},
};

static const app_menu_t audit_menu[] = {
    {N_("Audit log"), "/admin/audit", PERM_AUDIT_READ, 90},
};

const module_t audit_module = {
    .name = "audit",
    .migrations = audit_migrations,
    .n_migrations = AUDIT_N_MIGRATIONS,
    .routes = audit_routes,
    .n_routes = ARRAY_LEN(audit_routes),
    .menu = audit_menu,
    .n_menu = ARRAY_LEN(audit_menu),
};
