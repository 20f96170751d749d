/* plan_pages.c - the improvement plan's pages about actions: the filterable
 * list (filters in the URL, exports of the same list), "my actions", a new
 * action, and one action: its details, where it came from, the status
 * changes the reader may make (each a small form asking what it needs), the
 * edit form, progress, comments, files and history. Every form works
 * without JavaScript. The board, timeline, matrix, summaries and the plan's
 * adoption are in plan_views.c. */
#include "plan_internal.h"

#include <string.h>

#define LIST_PAGE 50

json_t *plan_crumbs(req_t *r)
{
    return json_pack("[{s:s, s:s}]", "label", T(r, N_("Improvement plan")), "href", "/actions");
}

const char *plan_day_text(req_t *r, const char *iso)
{
    if (!iso || strlen(iso) != 10)
        return iso ? iso : "";
    return arena_printf(r->arena, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

const char *plan_status_label(req_t *r, act_status_t s)
{
    return T(r, arena_printf(r->arena, "act_status.%s", act_status_code(s)));
}

static const char *status_tone(act_status_t s)
{
    switch (s) {
    case ACT_EFFECTIVE:
    case ACT_CLOSED: return "ok";
    case ACT_DONE: return "info";
    case ACT_NOT_EFFECTIVE: return "warn";
    case ACT_CANCELLED: return "off";
    default: return "neutral";
    }
}

static const char *name_in(json_t *names, const char *kind, int64_t id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    const char *s = json_string_value(json_object_get(json_object_get(names, kind), key));
    return s ? s : "";
}

/* An action as lists, cards and the board show it. */
json_t *plan_card(req_t *r, const action_t *a, json_t *names, const char *today)
{
    bool overdue = act_status_open(a->status) && a->due_date && *a->due_date &&
                   strcmp(a->due_date, today) < 0;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "href", json_string(arena_printf(r->arena, "/actions/%lld", (long long)a->id)));
    json_object_set_new(o, "title", json_string(a->title));
    json_object_set_new(o, "status", json_string(act_status_code(a->status)));
    json_object_set_new(o, "status_label", json_string(plan_status_label(r, a->status)));
    json_object_set_new(o, "tone", json_string(status_tone(a->status)));
    json_object_set_new(o, "eps", json_string(name_in(names, "nodes", a->node_id)));
    json_object_set_new(o, "owner", json_string(a->owner_id > 0 ? name_in(names, "users", a->owner_id) : ""));
    json_object_set_new(o, "due", json_string(plan_day_text(r, a->due_date)));
    json_object_set_new(o, "has_due", json_boolean(a->due_date && *a->due_date));
    json_object_set_new(o, "overdue", json_boolean(overdue));
    json_object_set_new(o, "progress", json_integer(a->progress));
    json_object_set_new(o, "priority", json_string(act_priority_codes[a->priority % 3]));
    json_object_set_new(o, "priority_label",
                        json_string(T(r, arena_printf(r->arena, "priority.%s", act_priority_codes[a->priority % 3]))));
    json_object_set_new(o, "origin_label",
                        json_string(T(r, arena_printf(r->arena, "origin.%s", a->origin))));
    json_object_set_new(o, "theme", json_string(a->theme ? a->theme : ""));
    json_object_set_new(o, "rev", json_integer(a->rev));
    return o;
}

static json_t *options(req_t *r, const char *const *codes, const char *prefix, const char *current,
                       const char *all_label)
{
    json_t *a = json_array();
    if (all_label)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", "", "label", T(r, all_label),
                                           "selected", !current || !*current));
    for (int i = 0; codes[i]; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                         T(r, arena_printf(r->arena, "%s.%s", prefix, codes[i])), "selected",
                         str_eq(current, codes[i])));
    return a;
}

/* Establishments of the reader's reading scope, for the filters. */
static json_t *eps_filter_options(req_t *r, int64_t selected)
{
    json_t *all = nodes_options(r, PERM_QUALITY_READ, NODES_OPT_HOMES, selected, NULL, NULL);
    json_t *out = json_array();
    json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "id", "", "label",
                                         T(r, N_("All establishments")), "selected", selected <= 0));
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o)
    {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        if (str_eq(kind, "eps") || str_eq(kind, "association"))
            json_array_append(out, o);
    }
    json_decref(all);
    return out;
}

/* Distinct themes of the reader's actions, for the filter (at most 100). */
static json_t *theme_options(req_t *r, const char *current)
{
    buf_t sql;
    buf_init(&sql);
    db_param_t params[ACT_MAX_PARAMS];
    int np = 0;
    act_filter_t none;
    memset(&none, 0, sizeof none);
    none.due_within = -1;
    buf_puts(&sql, "SELECT DISTINCT a.theme");
    act_filter_sql(r, &none, &sql, params, &np, ACT_MAX_PARAMS);
    buf_puts(&sql, " AND a.theme <> '' ORDER BY a.theme LIMIT 100");
    json_t *rows = db_query_json(r->db, sql.data, params, np);
    buf_free(&sql);
    json_t *out = json_array();
    json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", "", "label", T(r, N_("All")),
                                         "selected", !current));
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        const char *t = json_string_value(json_object_get(o, "theme"));
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", t, "label", t, "selected",
                                             str_eq(t, current)));
    }
    json_decref(rows);
    return out;
}

static json_t *id_options(json_t *rows, const char *current, const char *none_label);

/* Is the reader someone who works in an EPS (and so may create actions)? */
static bool can_create_somewhere(req_t *r)
{
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (authz_role_live(a, now) && a->node_kind == NODE_EPS &&
            (a->role == ROLE_DIRECTOR || a->role == ROLE_QUALITY_REFERENT || a->role == ROLE_STAFF))
            return true;
    }
    return false;
}

/* The views' tabs, keeping the filters. */
json_t *plan_tabs(req_t *r, const act_filter_t *f, const char *current)
{
    const char *q = act_filter_query(r, f, NULL);
    static const struct { const char *code, *path, *label; } tabs[] = {
        {"list", "/actions", N_("List")},
        {"board", "/actions/board", N_("Board")},
        {"timeline", "/actions/timeline", N_("Timeline")},
        {"matrix", "/actions/matrix", N_("Priorities")},
        {"summary", "/actions/summary", N_("Summary")},
    };
    json_t *a = json_array();
    for (size_t i = 0; i < ARRAY_LEN(tabs); i++) {
        if (str_eq(tabs[i].code, "summary") && !app_user_can_anywhere(r, PERM_QUALITY_READ))
            continue;
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "label", T(r, tabs[i].label), "href",
                                           arena_printf(r->arena, "%s%s", tabs[i].path, q),
                                           "current", str_eq(current, tabs[i].code)));
    }
    return a;
}

/* The filters form's model. */
void plan_filters_model(req_t *r, json_t *m, const act_filter_t *f, const char *action)
{
    json_t *fl = json_object();
    json_object_set_new(fl, "action", json_string(action));
    json_object_set_new(fl, "eps_options", eps_filter_options(r, f->node_id));
    json_object_set_new(fl, "status_options", options(r, act_status_codes, "act_status", f->status, N_("All")));
    json_object_set_new(fl, "origin_options", options(r, act_origin_codes, "origin", f->origin, N_("All")));
    json_object_set_new(fl, "theme_options", theme_options(r, f->theme));
    json_object_set_new(fl, "overdue", json_boolean(f->overdue));
    json_object_set_new(fl, "mine", json_boolean(f->mine_id > 0));
    json_object_set_new(fl, "q", json_string(f->q ? f->q : ""));
    json_object_set_new(fl, "due_within",
                        json_string(f->due_within >= 0 ? arena_printf(r->arena, "%lld", (long long)f->due_within) : ""));
    json_object_set_new(fl, "owner_id",
                        json_string(f->owner_id > 0 ? arena_printf(r->arena, "%lld", (long long)f->owner_id) : ""));
    json_object_set_new(fl, "campaign_id",
                        json_string(f->campaign_id > 0 ? arena_printf(r->arena, "%lld", (long long)f->campaign_id) : ""));
    /* the owners to choose from, once an establishment is chosen */
    json_t *owners = json_array();
    node_t eps;
    if (f->node_id > 0 && nodes_load(r->db, r->arena, f->node_id, &eps) == 0 && eps.kind == NODE_EPS &&
        app_can_at_path(r, PERM_QUALITY_READ, eps.path)) {
        json_t *people = users_workers(r->db, eps.path);
        json_decref(owners);
        owners = id_options(people, json_string_value(json_object_get(fl, "owner_id")), T(r, N_("All")));
        json_decref(people);
    }
    json_object_set_new(fl, "has_owners", json_boolean(json_array_size(owners) > 0));
    json_object_set_new(fl, "open", json_boolean(f->node_id > 0 || f->status || f->origin || f->theme ||
                                                 f->q || f->overdue || f->due_within >= 0 ||
                                                 f->owner_id > 0 || f->campaign_id > 0));
    json_object_set_new(fl, "owner_options", owners);
    json_object_set_new(m, "filters", fl);
    json_object_set_new(m, "can_create", json_boolean(can_create_somewhere(r)));
}

/* --- The list ----------------------------------------------------------------- */

static void render_list(req_t *r, bool mine_page)
{
    json_t *errors = json_object();
    act_filter_t f;
    act_filter_read(r, errors, &f);
    if (mine_page && r->user)
        f.mine_id = r->user->id;
    int64_t limit = LIST_PAGE, offset = 0;
    v_paging(r, errors, &limit, &offset);
    int status = json_object_size(errors) ? 422 : 200;
    size_t n = 0;
    int64_t total = 0;
    action_t *rows = act_query(r, &f, limit, offset, &n, &total);
    if (!rows || total < 0) {
        json_decref(errors);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *names = act_names(r, rows, n);
    char today[11];
    iso_day_local(now_utc(), today);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, plan_card(r, &rows[i], names, today));
    json_decref(names);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, mine_page ? N_("My actions") : N_("Improvement plan"))));
    json_object_set_new(m, "mine_page", json_boolean(mine_page));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total", json_integer(total));
    const char *q = act_filter_query(r, &f, NULL);
    json_object_set_new(m, "csv_href", json_string(arena_printf(r->arena, "/api/v1/actions.csv%s", q)));
    json_object_set_new(m, "xlsx_href", json_string(arena_printf(r->arena, "/api/v1/actions.xlsx%s", q)));
    json_object_set_new(m, "tabs", plan_tabs(r, &f, mine_page ? "" : "list"));
    plan_filters_model(r, m, &f, mine_page ? "/actions/mine" : "/actions");
    /* paging keeps the filters */
    const char *base = arena_printf(r->arena, "%s%s%s", mine_page ? "/actions/mine" : "/actions", q,
                                    *q ? "&" : "?");
    int64_t last = offset + (int64_t)n;
    json_object_set_new(m, "pager",
                        total > limit ? json_pack("{s:s, s:o, s:o}", "label",
                                                  text_fill_numbers(r->arena, T(r, N_("%d–%d of %d")),
                                                                    (long long[]){n ? offset + 1 : 0, last, total}, 3),
                                                  "prev",
                                                  offset > 0 ? json_string(arena_printf(r->arena, "%soffset=%lld", base,
                                                                                        (long long)(offset > limit ? offset - limit : 0)))
                                                             : json_null(),
                                                  "next",
                                                  last < total ? json_string(arena_printf(r->arena, "%soffset=%lld", base, (long long)last))
                                                               : json_null())
                                      : json_null());
    model_form_errors_take(r, m, errors);
    page_render(r, status, "plan/list", m);
}

void plan_page_list(req_t *r) { render_list(r, false); }
void plan_page_mine(req_t *r) { render_list(r, true); }

/* --- The form of an action ------------------------------------------------------ */

/* The current value of a field: what was posted (after an error), else the
 * action's (editing), else nothing. */
static const char *field_value(req_t *r, json_t *rec, const char *key)
{
    if (r->http->form) {
        const char *v = req_form(r, key);
        return v ? v : "";
    }
    const char *v = json_string_value(json_object_get(rec, key));
    return v ? v : "";
}

static json_t *levels(req_t *r, const char *current)
{
    json_t *a = json_array();
    for (int v = 1; v <= 3; v++) {
        char code[2] = {(char)('0' + v), 0};
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", code, "label",
                                           T(r, arena_printf(r->arena, "level.%d", v)), "checked",
                                           str_eq(current, code)));
    }
    return a;
}

static json_t *id_options(json_t *rows, const char *current, const char *none_label)
{
    json_t *a = json_array();
    if (none_label)
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "id", "", "name", none_label,
                                           "selected", !current || !*current));
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        json_array_append_new(a, json_pack("{s:s, s:O, s:b}", "id", id, "name",
                                           json_object_get(o, "name"), "selected",
                                           str_eq(current, id)));
    }
    return a;
}

/* rec: the action as act_json gives it with ids as strings (editing), or an
 * empty object (a new one). */
static void form_model(req_t *r, json_t *m, const node_t *eps, json_t *rec, bool manager)
{
    json_t *people = users_workers(r->db, eps->path);
    json_object_set_new(m, "owner_options",
                        id_options(people, field_value(r, rec, "owner_id"), T(r, N_("Not chosen yet"))));
    /* contributors: checked from the form's repeated field, or the record */
    json_t *checks = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(people, i, o)
    {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(o, "id")));
        bool checked = false;
        if (r->http->form) {
            for (const http_kv_t *kv = r->http->form; kv; kv = kv->next)
                checked |= str_eq(kv->key, "contributors") && str_eq(kv->val, id);
        } else {
            json_t *c = json_object_get(rec, "contributors");
            size_t k;
            json_t *v;
            json_array_foreach(c, k, v) checked |= json_integer_value(v) == json_integer_value(json_object_get(o, "id"));
        }
        json_array_append_new(checks, json_pack("{s:s, s:O, s:b}", "id", id, "name",
                                                json_object_get(o, "name"), "checked", checked));
    }
    json_object_set_new(m, "people_checks", checks);
    json_object_set_new(m, "has_people", json_boolean(json_array_size(people) > 0));
    json_decref(people);
    json_t *units = act_units(r, eps->id);
    json_object_set_new(m, "has_units", json_boolean(json_array_size(units) > 0));
    json_object_set_new(m, "unit_options",
                        id_options(units, field_value(r, rec, "unit_id"), T(r, N_("The whole establishment"))));
    json_decref(units);
    json_object_set_new(m, "origin_options",
                        options(r, act_origin_codes, "origin", field_value(r, rec, "origin"), NULL));
    json_object_set_new(m, "impact_options", levels(r, field_value(r, rec, "impact")));
    json_object_set_new(m, "effort_options", levels(r, field_value(r, rec, "effort")));
    json_object_set_new(m, "manager", json_boolean(manager));
    json_object_set_new(m, "eps_id", json_integer(eps->id));
    json_object_set_new(m, "eps_name", json_string(nodes_display_name(r, eps->name, eps->name_ar)));
}

/* --- A new action ------------------------------------------------------------------ */

static void render_new(req_t *r, int status, const node_t *eps, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("New improvement action"))));
    json_object_set_new(m, "crumbs", plan_crumbs(r));
    json_t *eps_opts = plan_creatable_eps(r);
    json_object_set_new(m, "choose_eps", json_boolean(!eps));
    json_object_set_new(m, "eps_options", eps_opts);
    json_object_set_new(m, "form_action", json_string("/actions"));
    json_object_set_new(m, "is_new", json_true());
    if (eps) {
        bool manager = plan_is_manager(r, eps->path);
        json_t *rec = json_pack("{s:s, s:s, s:s}", "origin", "other", "impact", "2", "effort", "2");
        if (!r->http->form) {
            /* prefilled from a link: a campaign's criterion */
            const char *c = req_query(r, "campaign_id"), *crit = req_query(r, "criterion");
            if (c && crit) {
                json_object_set_new(rec, "origin", json_string("self_assessment"));
                json_object_set_new(m, "values", json_pack("{s:s, s:s}", "campaign_id", c, "criterion", crit));
            }
        }
        form_model(r, m, eps, rec, manager);
        json_decref(rec);
        json_object_set_new(m, "status_planned", json_boolean(str_eq(req_form(r, "status"), "planned")));
    }
    model_form_errors_take(r, m, errors);
    page_render(r, status, "plan/new", m);
}

static node_t *page_eps(req_t *r, const char *id_text)
{
    int64_t id;
    if (!id_text || !str_to_i64(id_text, &id) || id <= 0)
        return NULL;
    char *path = app_node_path(r->db, id);
    bool ok = path && plan_works_at(r, path);
    free(path);
    node_t *eps = arena_alloc(r->arena, sizeof *eps);
    if (!ok || nodes_load(r->db, r->arena, id, eps) != 0 || eps->kind != NODE_EPS)
        return NULL;
    return eps;
}

/* The new action's pages are for those who work in an establishment (403). */
static bool require_creator(req_t *r)
{
    if (can_create_somewhere(r))
        return true;
    app_fail(r, RES_FORBIDDEN,
             N_("Actions are created by the people of the establishment: its director, "
                "quality referent and staff."),
             NULL);
    return false;
}

void plan_page_new(req_t *r)
{
    if (!require_creator(r))
        return;
    node_t *eps = page_eps(r, req_query(r, "node_id"));
    if (!eps) {
        /* one establishment: no need to choose */
        json_t *opts = plan_creatable_eps(r);
        if (json_array_size(opts) == 1) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(json_array_get(opts, 0), "id")));
            eps = page_eps(r, id);
        }
        json_decref(opts);
    }
    render_new(r, 200, eps, NULL);
}

void plan_page_create(req_t *r)
{
    if (!require_creator(r))
        return;
    json_t *errors = json_object();
    node_t *eps = page_eps(r, req_form(r, "node_id"));
    if (!eps) {
        v_error(errors, "node_id", N_("Choose the establishment."));
        render_new(r, 422, NULL, errors);
        return;
    }
    if (str_eq(req_form(r, "step"), "choose")) {
        json_decref(errors);
        render_new(r, 200, eps, NULL);
        return;
    }
    act_input_t in;
    act_input_read(r, errors, &in, true);
    bool manager = plan_is_manager(r, eps->path);
    if (!manager) {
        in.status = NULL;
        if (in.owner_id <= 0)
            in.owner_id = r->user->id;
    }
    if (!json_object_size(errors) && in.campaign_id > 0) {
        if (db_query_int(r->db, "SELECT node_id FROM campaigns WHERE id = ?", PARAMS(P_INT(in.campaign_id)), 0) != eps->id)
            v_error(errors, "campaign_id", N_("Choose a self-assessment of this establishment."));
    }
    int64_t id = 0;
    res_t rc = json_object_size(errors) ? RES_INVALID
                                        : act_create(r->db, r->arena, r->user->id, req_ip(r), eps, &in,
                                                     manager, errors, &id);
    if (rc == RES_INVALID) {
        render_new(r, 422, eps, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/actions/%lld", (long long)id),
                        N_("The action is created."));
}

/* --- One action ------------------------------------------------------------------ */

static json_t *transitions_model(req_t *r, const action_t *a, act_access_t acc)
{
    act_status_t next[ACT__COUNT];
    size_t n = acc >= ACCESS_WORK ? act_transitions(a->status, acc == ACCESS_MANAGE, next) : 0;
    json_t *out = json_array();
    for (size_t k = 0; k < n; k++) {
        unsigned needs = act_transition_needs(a->status, next[k]);
        const char *label;
        switch (next[k]) {
        case ACT_PLANNED: label = a->status == ACT_PROPOSED ? N_("Plan it") : N_("Back to planned"); break;
        case ACT_IN_PROGRESS: label = a->status == ACT_PLANNED ? N_("Start") : N_("Resume the work"); break;
        case ACT_DONE: label = N_("Mark as done"); break;
        case ACT_EFFECTIVE: label = N_("Effective"); break;
        case ACT_NOT_EFFECTIVE: label = N_("Not effective"); break;
        case ACT_CLOSED: label = a->status == ACT_NOT_EFFECTIVE ? N_("Close with a follow-up action") : N_("Close"); break;
        case ACT_CANCELLED: label = N_("Cancel the action"); break;
        default: label = N_("Change"); break;
        }
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b}", "code", act_status_code(next[k]),
                           "label", T(r, label), "needs_reason", (needs & ACT_NEEDS_REASON) != 0,
                           "needs_check", (needs & ACT_NEEDS_CHECK) != 0, "needs_check_comment",
                           (needs & ACT_NEEDS_CHECK_COMMENT) != 0, "needs_follow_up",
                           (needs & ACT_NEEDS_FOLLOW_UP) != 0, "needs_owner_due",
                           (needs & ACT_NEEDS_OWNER_DUE) != 0 && (a->owner_id <= 0 || !a->due_date),
                           "secondary", next[k] == ACT_CANCELLED || next[k] == ACT_PLANNED ||
                                            next[k] == ACT_NOT_EFFECTIVE));
    }
    return out;
}

/* The action's record for the edit form: ids and levels as strings. */
static json_t *edit_record(req_t *r, const action_t *a)
{
    json_t *rec = json_object();
    char n[24];
#define SETS(k, v) json_object_set_new(rec, k, json_string((v) ? (v) : ""))
    SETS("title", a->title);
    SETS("description", a->description);
    SETS("origin", a->origin);
    SETS("origin_label", a->origin_label);
    SETS("theme", a->theme);
    SETS("start_date", a->start_date);
    SETS("due_date", a->due_date);
    SETS("expected_result", a->expected_result);
    SETS("check_method", a->check_method);
#undef SETS
    snprintf(n, sizeof n, "%d", a->impact);
    json_object_set_new(rec, "impact", json_string(n));
    snprintf(n, sizeof n, "%d", a->effort);
    json_object_set_new(rec, "effort", json_string(n));
    snprintf(n, sizeof n, "%d", a->progress);
    json_object_set_new(rec, "progress", json_string(n));
    snprintf(n, sizeof n, "%lld", (long long)a->owner_id);
    json_object_set_new(rec, "owner_id", json_string(a->owner_id > 0 ? n : ""));
    snprintf(n, sizeof n, "%lld", (long long)a->unit_id);
    json_object_set_new(rec, "unit_id", json_string(a->unit_id > 0 ? n : ""));
    size_t nc = 0;
    int64_t *ids = act_contributors(r->db, r->arena, a->id, &nc);
    json_t *c = json_array();
    for (size_t i = 0; i < nc; i++)
        json_array_append_new(c, json_integer(ids[i]));
    json_object_set_new(rec, "contributors", c);
    return rec;
}

static void render_show(req_t *r, int status, const action_t *a, json_t *errors, const char *form,
                        const char *action_error)
{
    act_access_t acc = act_access(r, a);
    bool manager = acc == ACCESS_MANAGE;
    char today[11];
    iso_day_local(now_utc(), today);
    json_t *names = act_names(r, a, 1);
    json_t *m = plan_card(r, a, names, today);
    json_decref(names);
    json_object_set_new(m, "crumbs", plan_crumbs(r));
    json_object_set_new(m, "eps_href", json_string(arena_printf(r->arena, "/plans/%lld", (long long)a->node_id)));
    const char *unit = a->unit_id > 0 ? app_entity_name(r, "node", a->unit_id, NULL) : NULL;
    json_object_set_new(m, "unit", json_str_or_null(unit));
    json_object_set_new(m, "description", json_str_or_null(a->description && *a->description ? a->description : NULL));
    json_object_set_new(m, "expected_result", json_str_or_null(a->expected_result && *a->expected_result ? a->expected_result : NULL));
    json_object_set_new(m, "check_method", json_str_or_null(a->check_method && *a->check_method ? a->check_method : NULL));
    json_object_set_new(m, "start", json_string(plan_day_text(r, a->start_date)));
    json_object_set_new(m, "has_start", json_boolean(a->start_date && *a->start_date));
    json_object_set_new(m, "done_on", json_str_or_null(a->done_date ? plan_day_text(r, a->done_date) : NULL));
    json_object_set_new(m, "delay",
                        a->has_delay ? json_string(a->delay_days > 0
                                                       ? TF(r, N_("%d days late"), a->delay_days, 0)
                                                       : T(r, N_("on time")))
                                     : json_null());
    json_object_set_new(m, "impact_label", json_string(T(r, arena_printf(r->arena, "level.%d", a->impact))));
    json_object_set_new(m, "effort_label", json_string(T(r, arena_printf(r->arena, "level.%d", a->effort))));
    json_object_set_new(m, "origin_ref", json_str_or_null(a->origin_label && *a->origin_label ? a->origin_label : NULL));
    /* where it came from */
    json_t *from = json_null();
    if (a->campaign_id > 0) {
        const char *href = NULL;
        const char *camp = app_entity_name(r, "campaign", a->campaign_id, &href);
        if (camp)
            from = json_pack("{s:s, s:s, s:o}", "label", camp, "href",
                             a->item_code ? arena_printf(r->arena, "%s#c-%s", href, a->item_code) : href,
                             "criterion", json_str_or_null(a->item_code));
    }
    json_object_set_new(m, "came_from", from);
    if (a->follows_id > 0) {
        const char *href = NULL;
        const char *t = app_entity_name(r, "action", a->follows_id, &href);
        json_object_set_new(m, "follows", t ? json_pack("{s:s, s:s}", "label", t, "href", href) : json_null());
    } else {
        json_object_set_new(m, "follows", json_null());
    }
    json_t *fu = db_query_json(r->db, "SELECT id, title FROM actions WHERE follows_id = ? ORDER BY id",
                               PARAMS(P_INT(a->id)));
    size_t i;
    json_t *o;
    json_array_foreach(fu, i, o) json_object_set_new(o, "href",
                                                     json_string(arena_printf(r->arena, "/actions/%lld",
                                                                              (long long)json_integer_value(json_object_get(o, "id")))));
    json_object_set_new(m, "follow_ups", fu ? fu : json_array());
    json_object_set_new(m, "check",
                        a->check_date ? json_pack("{s:s, s:s, s:o, s:b}", "date", plan_day_text(r, a->check_date),
                                                  "result", a->check_result ? T(r, arena_printf(r->arena, "act_status.%s", a->check_result)) : "",
                                                  "comment", json_str_or_null(a->check_comment && *a->check_comment ? a->check_comment : NULL),
                                                  "effective", str_eq(a->check_result, "effective"))
                                      : json_null());
    json_object_set_new(m, "cancel_reason", json_str_or_null(a->cancel_reason));
    /* contributors by name */
    size_t nc = 0;
    int64_t *cids = act_contributors(r->db, r->arena, a->id, &nc);
    json_t *cn = json_array();
    for (size_t k = 0; k < nc; k++) {
        const char *nm = app_entity_name(r, "user", cids[k], NULL);
        if (nm)
            json_array_append_new(cn, json_pack("{s:s}", "name", nm));
    }
    json_object_set_new(m, "contributors", cn);
    json_object_set_new(m, "transitions", transitions_model(r, a, acc));
    json_object_set_new(m, "can_work", json_boolean(acc >= ACCESS_WORK));
    json_object_set_new(m, "can_manage", json_boolean(manager));
    json_object_set_new(m, "status_action", json_string(arena_printf(r->arena, "/actions/%lld/status", (long long)a->id)));
    json_object_set_new(m, "edit_action", json_string(arena_printf(r->arena, "/actions/%lld", (long long)a->id)));
    json_object_set_new(m, "comment_action", json_string(arena_printf(r->arena, "/actions/%lld/comments", (long long)a->id)));
    json_object_set_new(m, "upload_action", json_string(arena_printf(r->arena, "/actions/%lld/attachments", (long long)a->id)));
    json_object_set_new(m, "today", json_string(today));
    /* comments */
    json_t *comments = db_query_json(r->db,
                                     "SELECT author_id, body, created_at FROM action_comments"
                                     " WHERE action_id = ? ORDER BY id LIMIT 500",
                                     PARAMS(P_INT(a->id)));
    json_array_foreach(comments, i, o)
    {
        char when[64];
        format_local_datetime(json_integer_value(json_object_get(o, "created_at")), when, sizeof when);
        const char *who = app_entity_name(r, "user", json_integer_value(json_object_get(o, "author_id")), NULL);
        json_object_set_new(o, "when", json_string(when));
        json_object_set_new(o, "who", json_string(who ? who : T(r, N_("Deleted user"))));
    }
    json_object_set_new(m, "comments", comments ? comments : json_array());
    json_object_set_new(m, "files", attach_list_page(r, "action", a->id, 100, 0));
    json_object_set_new(m, "history", audit_history(r, "action", a->id, 100));
    /* the edit form */
    if (acc >= ACCESS_WORK) {
        node_t eps;
        if (nodes_load(r->db, r->arena, a->node_id, &eps) == 0) {
            json_t *rec = edit_record(r, a);
            if (!(form && str_eq(form, "edit")))
                json_object_set_new(m, "values", json_copy(rec));
            form_model(r, m, &eps, rec, manager);
            json_decref(rec);
        }
    }
    json_object_set_new(m, "form", json_string(form ? form : ""));
    json_object_set_new(m, "edit_open", json_boolean(str_eq(form, "edit")));
    json_object_set_new(m, "action_error", json_str_or_null(action_error ? T(r, action_error) : NULL));
    model_form_errors_take(r, m, errors);
    /* status forms keep what was typed in them */
    if (form && !str_eq(form, "edit"))
        json_object_set_new(m, "posted_status", json_string(form));
    page_render(r, status, "plan/show", m);
}

void plan_page_show(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_READ);
    if (a)
        render_show(r, 200, a, NULL, NULL, NULL);
}

/* A change from a page: the edit form or a status form. */
static void page_change(req_t *r, const char *form)
{
    action_t *a = plan_route_action(r, ACCESS_WORK);
    if (!a)
        return;
    bool manager = act_access(r, a) == ACCESS_MANAGE;
    json_t *errors = json_object();
    act_input_t in;
    act_input_read(r, errors, &in, false);
    if (str_eq(form, "edit")) {
        in.status = NULL;
        if (manager) {
            /* an unchecked box list is absent from a form: the edit form always sends it */
            in.has_contributors = true;
        }
    } else {
        form = in.status ? in.status : "status";
    }
    if (json_object_size(errors)) {
        render_show(r, 422, a, errors, form, NULL);
        return;
    }
    const char *msgid = NULL;
    int64_t follow = 0;
    res_t rc = act_update(r->db, r->arena, r->user->id, req_ip(r), a, &in, manager, errors, &msgid, &follow);
    if (rc == RES_INVALID) {
        render_show(r, 422, a, errors, form, NULL);
        return;
    }
    json_decref(errors);
    if (rc == RES_CONFLICT || rc == RES_FORBIDDEN) {
        render_show(r, rc == RES_CONFLICT ? 409 : 403, a, NULL, NULL, msgid);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    if (follow)
        page_redirect_flash(r, arena_printf(r->arena, "/actions/%lld", (long long)follow),
                            N_("The action is closed; here is its follow-up action."));
    else
        page_redirect_flash(r, arena_printf(r->arena, "/actions/%lld", (long long)a->id),
                            N_("The action is saved."));
}

void plan_page_update(req_t *r) { page_change(r, "edit"); }
void plan_page_status(req_t *r) { page_change(r, NULL); }

void plan_page_comment(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_WORK);
    if (!a)
        return;
    json_t *errors = json_object();
    const char *body = v_long_text(r, errors, "body", true, ACT_COMMENT_MAX);
    v_required_message(errors, "body", N_("Write the comment."));
    if (json_object_size(errors)) {
        render_show(r, 422, a, errors, "comment", NULL);
        return;
    }
    json_decref(errors);
    if (act_comment(r->db, r->user->id, req_ip(r), a, body) != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/actions/%lld#comments", (long long)a->id),
                        N_("The comment is added."));
}

void plan_page_upload(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_WORK);
    if (!a)
        return;
    const http_file_t *file = http_file(r->http, "file");
    int64_t att = 0;
    const char *err = NULL;
    if (db_begin(r->db) != DB_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    res_t rc = attach_store(r->db, a->node_id, "action", a->id, file, r->user->id, req_ip(r), &att, &err);
    if (rc != RES_OK || db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        if (rc == RES_INVALID) {
            render_show(r, 422, a, json_pack("{s:s}", "file", err ? err : N_("Choose a file.")), "file", NULL);
            return;
        }
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/actions/%lld#files", (long long)a->id),
                        N_("The file is added."));
}
