/* assess_pages.c - the campaigns' pages: the list, a new campaign, and one
 * campaign as its assessors work on it (criteria by theme, a score, comment
 * and evidence for each, saved one criterion at a time; the workflow
 * buttons). Every form works without JavaScript; jouda.js saves a
 * criterion's form as it changes. Results, the network view and the home
 * section are in assess_view.c. */
#include "assess_internal.h"

#include <string.h>

static const char *camp_href(req_t *r, int64_t id)
{
    return arena_printf(r->arena, "/campaigns/%lld", (long long)id);
}

static json_t *crumbs(req_t *r)
{
    return json_pack("[{s:s, s:s}]", "label", T(r, N_("Self-assessment")), "href", "/campaigns");
}

/* "2026-01-15" -> "15/01/2026", as pages write days. */
static const char *day_text(req_t *r, const char *iso)
{
    if (!iso || strlen(iso) != 10)
        return iso ? iso : "";
    return arena_printf(r->arena, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

static const char *period_text(req_t *r, const campaign_t *c)
{
    return arena_printf(r->arena, "%s – %s", day_text(r, c->period_start), day_text(r, c->period_end));
}

static const char *status_label(req_t *r, camp_status_t s)
{
    return T(r, arena_printf(r->arena, "camp_status.%s", camp_status_code(s)));
}

/* --- The list ------------------------------------------------------------ */

void assess_page_list(req_t *r)
{
    static const char *const statuses[] = {"draft", "in_progress", "submitted", "validated", NULL};
    const char *status = req_query(r, "status");
    if (status && !str_in(statuses, status))
        status = NULL;
    buf_t sql;
    buf_init(&sql);
    db_param_t params[48];
    int np = 0;
    buf_puts(&sql, "SELECT " CAMP_COLS " FROM campaigns c WHERE ");
    app_scope_sql(r, PERM_QUALITY_READ, "c.node_path", &sql, params, &np, 40);
    if (status) {
        buf_puts(&sql, " AND c.status = ?");
        params[np++] = P_TEXT(status);
    }
    buf_puts(&sql, " ORDER BY c.created_at DESC, c.id DESC LIMIT 200");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    if (!res) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *items = json_array();
    while (db_next(res)) {
        campaign_t c;
        camp_from_row(r->arena, res, 0, &c);
        json_t *o = json_object();
        json_object_set_new(o, "href", json_string(camp_href(r, c.id)));
        json_object_set_new(o, "title", json_string(c.title));
        json_object_set_new(o, "node_id", json_integer(c.node_id));
        json_object_set_new(o, "status_label", json_string(status_label(r, c.status)));
        json_object_set_new(o, "is_validated", json_boolean(c.status == CAMP_VALIDATED));
        json_object_set_new(o, "is_draft", json_boolean(c.status == CAMP_DRAFT));
        json_object_set_new(o, "period", json_string(period_text(r, &c)));
        json_object_set_new(o, "progress",
                            json_string(arena_printf(r->arena, "%s / %s", app_number(r, c.n_rated),
                                                     app_number(r, c.n_criteria))));
        json_object_set_new(o, "overall",
                            c.overall >= 0 ? json_string(arena_printf(r->arena, "%.2f", c.overall))
                                           : json_null());
        json_array_append_new(items, o);
    }
    db_res_free(res);
    /* the establishments' names, in the reader's language */
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        int64_t node = json_integer_value(json_object_get(o, "node_id"));
        json_object_set_new(o, "eps", json_string(nodes_label(r->db, r->arena, r->lang, node)));
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Self-assessment"))));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "count", json_integer((json_int_t)json_array_size(items)));
    json_object_set_new(m, "has_items", json_boolean(json_array_size(items) > 0));
    json_t *opts = json_array();
    const char *codes[] = {"", "draft", "in_progress", "submitted", "validated"};
    for (int k = 0; k < 5; k++)
        json_array_append_new(
            opts, json_pack("{s:s, s:s, s:b}", "code", codes[k], "label",
                            k ? T(r, arena_printf(r->arena, "camp_status.%s", codes[k]))
                              : T(r, N_("All")),
                            "selected", str_eq(status ? status : "", codes[k])));
    json_object_set_new(m, "status_options", opts);
    bool lead = false;
    int64_t now = now_utc();
    for (int k = 0; r->user && k < r->user->n_roles && !lead; k++) {
        const role_assignment_t *a = &r->user->roles[k];
        lead = authz_role_live(a, now) && a->node_path && camp_can_lead(r, a->node_path);
    }
    json_object_set_new(m, "can_create", json_boolean(lead));
    bool network = false;
    for (int k = 0; r->user && k < r->user->n_roles && !network; k++) {
        const role_assignment_t *a = &r->user->roles[k];
        network = authz_role_live(a, now) &&
                  (a->node_kind == NODE_ROOT || a->node_kind == NODE_ASSOCIATION) &&
                  authz_role_grants(a->role, a->node_kind, PERM_QUALITY_READ);
    }
    json_object_set_new(m, "can_network", json_boolean(network));
    page_render(r, 200, "assess/list", m);
}

/* --- A new campaign ------------------------------------------------------ */

/* Establishments where the reader leads campaigns. */
static bool keep_lead_eps(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    (void)ctx;
    return kind == NODE_EPS && camp_can_lead(r, app_path_text(r->arena, path, n));
}

static json_t *published_options(req_t *r, int64_t selected)
{
    json_t *refs = ref_list_json(r, "published", NULL, false);
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(refs, i, o)
    {
        int64_t id = json_integer_value(json_object_get(o, "id"));
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id, "label",
                           arena_printf(r->arena, "%s (%s, v%lld)",
                                        json_string_value(json_object_get(o, "title")),
                                        json_string_value(json_object_get(o, "code")),
                                        (long long)json_integer_value(json_object_get(o, "version"))),
                           "selected", selected ? id == selected
                                                : str_eq(json_string_value(json_object_get(o, "code")),
                                                         "JOUDA-EPS-ENFANCE")));
    }
    json_decref(refs);
    return out;
}

static const char *const new_fields[] = {"node_id", "referentiel_id", "title", "period_start",
                                         "period_end", "p_staff", "p_children", "p_families",
                                         "p_partners", NULL};

static void render_new(req_t *r, int status, json_t *values, json_t *errors)
{
    int64_t node = 0, ref = 0;
    str_to_i64(json_string_value(json_object_get(values, "node_id")), &node);
    str_to_i64(json_string_value(json_object_get(values, "referentiel_id")), &ref);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("New self-assessment campaign"))));
    json_object_set_new(m, "crumbs", crumbs(r));
    json_object_set_new(m, "eps_options",
                        nodes_options(r, PERM_QUALITY_WRITE, 0, node, keep_lead_eps, NULL));
    json_object_set_new(m, "ref_options", published_options(r, ref));
    json_t *chosen = json_object_get(values, "methods");
    json_t *checks = json_array();
    for (size_t i = 0; ref_methods[i]; i++) {
        bool on = false;
        size_t k;
        json_t *v;
        json_array_foreach(chosen, k, v) on = on || str_eq(json_string_value(v), ref_methods[i]);
        json_array_append_new(
            checks, json_pack("{s:s, s:s, s:b}", "code", ref_methods[i], "label",
                              T(r, arena_printf(r->arena, "method.%s", ref_methods[i])), "checked",
                              on));
    }
    json_object_set_new(m, "method_checks", checks);
    model_form_errors_take(r, m, errors);
    json_object_set_new(m, "values", values);
    page_render(r, status, "assess/new", m);
}

void assess_page_new(req_t *r)
{
    json_t *eps = nodes_options(r, PERM_QUALITY_WRITE, 0, 0, keep_lead_eps, NULL);
    size_t n = json_array_size(eps);
    json_decref(eps);
    if (n == 0) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only the director, the quality referent or a quality advisor may create a "
                    "campaign."),
                 NULL);
        return;
    }
    char year[8];
    int64_t now = now_utc();
    char day[16];
    format_local_date(now, day, sizeof day); /* dd/mm/yyyy */
    snprintf(year, sizeof year, "%.4s", day + 6);
    json_t *values = json_pack("{s:s, s:s, s:s, s:[]}", "title",
                               arena_printf(r->arena, "%s %s", T(r, N_("Self-assessment")), year),
                               "period_start", arena_printf(r->arena, "%s-01-01", year),
                               "period_end", arena_printf(r->arena, "%s-12-31", year), "methods");
    /* ?node_id=: the establishment chosen beforehand (the onboarding
     * wizard's "Start the first self-assessment"); an id the reader may not
     * lead is simply not among the choices */
    int64_t pre = 0;
    if (str_to_i64(req_query(r, "node_id"), &pre) && pre > 0)
        json_object_set_new(values, "node_id",
                            json_string(arena_printf(r->arena, "%lld", (long long)pre)));
    render_new(r, 200, values, NULL);
}

void assess_page_create(req_t *r)
{
    json_t *errors = json_object();
    json_t *values = json_object();
    for (size_t i = 0; new_fields[i]; i++) {
        const char *v = req_form(r, new_fields[i]);
        if (v && utf8_valid(v, strlen(v)))
            json_object_set_new(values, new_fields[i], json_string(v));
    }
    json_t *methods = json_array();
    const char *mv[16];
    int nm = http_kv_all(r->http->form, "methods", mv, 16);
    buf_t mb;
    buf_init(&mb);
    for (int i = 0; i < nm && i < 16; i++) {
        if (!ref_method_valid(mv[i])) {
            v_error(errors, "methods", N_("Unknown assessment method."));
            continue;
        }
        json_array_append_new(methods, json_string(mv[i]));
        buf_printf(&mb, "%s%s", mb.len ? "|" : "", mv[i]);
    }
    json_object_set_new(values, "methods", methods);
    camp_input_t in = {0};
    in.methods = arena_strdup(r->arena, mb.data ? mb.data : "");
    buf_free(&mb);
    in.node_id = v_int(r, errors, "node_id", true, 1, INT64_MAX / 2, 0);
    v_required_message(errors, "node_id", N_("Choose the establishment."));
    in.referentiel_id = v_int(r, errors, "referentiel_id", true, 1, INT64_MAX / 2, 0);
    v_required_message(errors, "referentiel_id", N_("Choose a published référentiel."));
    in.title = v_text(r, errors, "title", true, 200);
    v_required_message(errors, "title", N_("Give the campaign a title."));
    int64_t days[2] = {0, 0};
    const char *dates[2] = {"period_start", "period_end"};
    const char *iso[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        const char *v = v_text(r, errors, dates[k], true, 20);
        if (v && parse_local_date(v, &days[k], NULL) != 0)
            v_error(errors, dates[k], N_("Write the day as dd/mm/yyyy."));
        else if (v) {
            char buf[16];
            format_local_date(days[k], buf, sizeof buf); /* dd/mm/yyyy */
            iso[k] = arena_printf(r->arena, "%.4s-%.2s-%.2s", buf + 6, buf + 3, buf);
        }
    }
    in.period_start = iso[0];
    in.period_end = iso[1];
    if (iso[0] && iso[1] && days[1] < days[0])
        v_error(errors, "period_end", N_("The period ends after it starts."));
    in.p_staff = v_int(r, errors, "p_staff", false, 0, 100000, 0);
    in.p_children = v_int(r, errors, "p_children", false, 0, 100000, 0);
    in.p_families = v_int(r, errors, "p_families", false, 0, 100000, 0);
    in.p_partners = v_int(r, errors, "p_partners", false, 0, 100000, 0);
    const char *node_path = NULL;
    node_t eps;
    if (in.node_id > 0) {
        char *p = app_node_path(r->db, in.node_id);
        bool ok = p && app_can_at_path(r, PERM_QUALITY_READ, p) && camp_can_lead(r, p) &&
                  nodes_load(r->db, r->arena, in.node_id, &eps) == 0 && eps.kind == NODE_EPS;
        node_path = ok ? arena_strdup(r->arena, p) : NULL;
        free(p);
        if (!ok)
            v_error(errors, "node_id", N_("Choose the establishment."));
    }
    ref_t ref;
    if (in.referentiel_id > 0 &&
        (ref_load(r->db, r->arena, in.referentiel_id, &ref) != 0 || ref.status != REF_PUBLISHED))
        v_error(errors, "referentiel_id", N_("Choose a published référentiel."));
    if (json_object_size(errors)) {
        v_errors_order(errors, new_fields);
        render_new(r, 422, values, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = camp_create(r->db, r->arena, r->user->id, req_ip(r), node_path, eps.category, &in,
                           errors, &id);
    if (rc == RES_INVALID) {
        render_new(r, 422, values, errors);
        return;
    }
    json_decref(values);
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, camp_href(r, id),
                        N_("The campaign is created as a draft: start it when the team is ready."));
}

/* --- One campaign -------------------------------------------------------- */

static camp_full_t *page_campaign(req_t *r)
{
    camp_full_t *f = arena_alloc(r->arena, sizeof *f);
    if (camp_load_full(r->db, r->arena, r->ids[0], f) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    return f;
}

static json_t *score_options(req_t *r, const char *scale, score_t current, bool imperative)
{
    static const char *const has4[] = {"1", "2", "3", "4", "star", "nc", "ri", NULL};
    static const char *const conf[] = {"conforme", "partiel", "non_conforme", "nc", NULL};
    const char *const *codes = str_eq(scale, "conformity") ? conf : has4;
    json_t *a = json_array();
    for (size_t i = 0; codes[i]; i++) {
        score_t s = assess_score_parse(scale, codes[i]);
        if (s == SCORE_NC && imperative)
            continue;
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                         T(r, arena_printf(r->arena, "score.%s", codes[i])), "checked",
                         s == current));
    }
    return a;
}

/* Evidence of a rating for a page: references as "label | url" lines for the
 * form, and every piece for the list. */
static void evidence_model(req_t *r, int64_t rating_id, json_t *o)
{
    json_t *ev = rating_id ? camp_evidence(r->db, rating_id) : json_array();
    buf_t lines;
    buf_init(&lines);
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e)
    {
        const char *label = json_string_value(json_object_get(e, "label"));
        const char *url = json_string_value(json_object_get(e, "url"));
        bool file = str_eq(json_string_value(json_object_get(e, "kind")), "file");
        json_object_set_new(e, "is_file", json_boolean(file));
        if (file)
            json_object_set_new(e, "href",
                                json_string(arena_printf(
                                    r->arena, "/attachments/%lld",
                                    (long long)json_integer_value(json_object_get(e, "attachment_id")))));
        else
            buf_printf(&lines, "%s%s%s\n", label ? label : "", url ? " | " : "", url ? url : "");
    }
    json_object_set_new(o, "evidence", ev);
    json_object_set_new(o, "has_evidence", json_boolean(json_array_size(ev) > 0));
    json_object_set_new(o, "evidence_lines", json_string(lines.data ? lines.data : ""));
    buf_free(&lines);
}

static void render_show(req_t *r, int status, camp_full_t *f, const char *focus_code,
                        json_t *focus_values, json_t *focus_errors, const char *action_error)
{
    bool editable = (f->c.status == CAMP_DRAFT || f->c.status == CAMP_IN_PROGRESS) &&
                    app_can_at_path(r, PERM_QUALITY_WRITE, f->c.node_path);
    bool lead = camp_can_lead(r, f->c.node_path), validator = camp_can_validate(r, f->c.node_path);
    const char *only = req_query(r, "only");
    bool todo = str_eq(only, "todo"), mine = str_eq(only, "mine");
    bool assigning = lead && editable;
    json_t *people = camp_assignable(r->db, r->arena, &f->c);
    /* what other modules hold about each criterion (the improvement actions) */
    json_t *links = app_item_links(r, "campaign", f->c.id);
    json_t *themes = json_array();
    json_t *theme = NULL;
    size_t shown = 0;
    for (size_t i = 0; i < f->n_rows; i++) {
        const ref_row_t *row = &f->rows[i];
        if (row->depth == 0 && !row->leaf) {
            theme = json_pack("{s:s, s:s, s:[], s:s}", "code", row->code, "title",
                              ref_title(r, row->title_fr, row->title_ar, row->title_en, NULL),
                              "criteria", "progress", "");
            const assess_agg_t *g = &f->agg[i];
            int total = g->scored + g->nc + g->ri + g->unrated;
            json_object_set_new(theme, "progress",
                                json_string(arena_printf(r->arena, "%d / %d", total - g->unrated,
                                                         total)));
            json_array_append_new(themes, theme);
            continue;
        }
        int k = f->crit_of_row[i];
        if (!row->leaf || k < 0 || !theme)
            continue;
        const camp_crit_t *c = &f->crit[k];
        if (todo && c->score != SCORE_NONE)
            continue;
        if (mine && c->assignee_id != r->user->id)
            continue;
        bool fb;
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(c->code));
        json_object_set_new(o, "anchor", json_string(arena_printf(r->arena, "c-%s", c->code)));
        json_object_set_new(o, "title", json_string(ref_title(r, row->title_fr, row->title_ar,
                                                              row->title_en, &fb)));
        json_object_set_new(o, "title_fallback", json_boolean(fb));
        json_object_set_new(o, "imperative", json_boolean(row->imperative));
        json_t *lk = json_object_get(links, c->code);
        json_object_set_new(o, "links", lk ? json_incref(lk) : json_array());
        const char *sc = assess_score_code(c->score);
        json_object_set_new(o, "score_label",
                            sc ? json_string(T(r, arena_printf(r->arena, "score.%s", sc)))
                               : json_null());
        json_object_set_new(o, "rated", json_boolean(c->score != SCORE_NONE));
        json_object_set_new(o, "comment", json_str_or_null(c->comment));
        json_object_set_new(o, "version", json_integer(c->version));
        json_object_set_new(o, "editable", json_boolean(editable));
        json_object_set_new(o, "action",
                            json_string(arena_printf(r->arena, "/campaigns/%lld/ratings/%lld",
                                                     (long long)f->c.id, (long long)c->item_id)));
        json_object_set_new(o, "upload_action",
                            json_string(arena_printf(r->arena,
                                                     "/campaigns/%lld/ratings/%lld/evidence",
                                                     (long long)f->c.id, (long long)c->item_id)));
        json_object_set_new(o, "criterion_href",
                            json_string(arena_printf(r->arena, "/referentiels/%lld#c-%s",
                                                     (long long)f->ref.id, c->code)));
        evidence_model(r, c->rating_id, o);
        /* who scores it */
        const char *who = NULL;
        json_t *opts = json_array();
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "id", "", "name",
                                              T(r, N_("Nobody in particular")), "selected",
                                              c->assignee_id == 0));
        size_t pi;
        json_t *pe;
        json_array_foreach(people, pi, pe)
        {
            int64_t pid = json_integer_value(json_object_get(pe, "id"));
            const char *pname = json_string_value(json_object_get(pe, "name"));
            if (pid == c->assignee_id)
                who = pname;
            json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "id",
                                                  arena_printf(r->arena, "%lld", (long long)pid),
                                                  "name", pname ? pname : "", "selected",
                                                  pid == c->assignee_id));
        }
        json_object_set_new(o, "assignee", json_str_or_null(who));
        json_object_set_new(o, "group", json_str_or_null(c->group_label));
        json_object_set_new(o, "assigned", json_boolean(who || !str_empty(c->group_label)));
        json_object_set_new(o, "assigning", json_boolean(assigning));
        if (assigning) {
            json_object_set_new(o, "people", opts);
            json_object_set_new(o, "assign_action",
                                json_string(arena_printf(r->arena,
                                                         "/campaigns/%lld/criteria/%lld/assign",
                                                         (long long)f->c.id, (long long)c->item_id)));
        } else {
            json_decref(opts);
            json_object_set_new(o, "people", json_array());
            json_object_set_new(o, "assign_action", json_null());
        }
        bool focus = focus_code && str_eq(focus_code, c->code);
        json_object_set_new(o, "score_options",
                            score_options(r, f->ref.scale,
                                          focus ? assess_score_parse(
                                                      f->ref.scale,
                                                      json_string_value(json_object_get(focus_values, "score")))
                                                : c->score,
                                          row->imperative));
        if (focus) {
            json_t *fm = json_object();
            json_object_set_new(fm, "has_errors", json_boolean(json_object_size(focus_errors) > 0));
            model_form_errors(r, fm, focus_errors);
            json_object_update(o, fm);
            json_decref(fm);
            json_object_set(o, "values", focus_values);
        } else {
            json_object_set_new(o, "values",
                                json_pack("{s:s, s:s}", "comment", c->comment ? c->comment : "",
                                          "evidence", json_string_value(json_object_get(o, "evidence_lines"))));
            json_object_set_new(o, "errors", json_object());
            json_object_set_new(o, "has_errors", json_false());
        }
        json_array_append_new(json_object_get(theme, "criteria"), o);
        shown++;
    }
    /* themes without a criterion to show are left out */
    json_t *kept = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(themes, i, t) if (json_array_size(json_object_get(t, "criteria")))
        json_array_append(kept, t);
    json_decref(themes);

    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(f->c.title));
    json_object_set_new(m, "crumbs", crumbs(r));
    json_object_set_new(m, "eps", json_string(nodes_label(r->db, r->arena, r->lang, f->c.node_id)));
    json_object_set_new(m, "ref_title",
                        json_string(ref_title(r, f->ref.title_fr, f->ref.title_ar, f->ref.title_en,
                                              NULL)));
    json_object_set_new(m, "ref_href", json_string(arena_printf(r->arena, "/referentiels/%lld",
                                                                (long long)f->ref.id)));
    json_object_set_new(m, "status_label", json_string(status_label(r, f->c.status)));
    json_object_set_new(m, "is_validated", json_boolean(f->c.status == CAMP_VALIDATED));
    json_object_set_new(m, "period", json_string(period_text(r, &f->c)));
    size_t rated = 0;
    for (size_t k = 0; k < f->n_crit; k++)
        rated += f->crit[k].score != SCORE_NONE;
    json_object_set_new(m, "rated", json_integer((json_int_t)rated));
    json_object_set_new(m, "total", json_integer((json_int_t)f->n_crit));
    json_object_set_new(m, "percent",
                        json_integer(f->n_crit ? (json_int_t)(rated * 100 / f->n_crit) : 0));
    json_object_set_new(m, "progress_text",
                        json_string(arena_printf(r->arena, "%s / %s", app_number(r, (long long)rated),
                                                 app_number(r, (long long)f->n_crit))));
    json_object_set_new(m, "themes", kept);
    json_object_set_new(m, "shown", json_integer((json_int_t)shown));
    json_decref(people);
    json_decref(links);
    json_object_set_new(m, "todo", json_boolean(todo));
    json_object_set_new(m, "mine", json_boolean(mine));
    json_object_set_new(m, "href", json_string(camp_href(r, f->c.id)));
    json_object_set_new(m, "results_href",
                        json_string(arena_printf(r->arena, "/campaigns/%lld/results",
                                                 (long long)f->c.id)));
    json_object_set_new(m, "rev", json_integer(f->c.rev));
    json_object_set_new(m, "editable", json_boolean(editable));
    /* the steering group, by name */
    buf_t names;
    buf_init(&names);
    db_res_t *sr = db_query(r->db,
                            "SELECT user_id FROM campaign_steering WHERE campaign_id = ?"
                            " ORDER BY user_id",
                            PARAMS(P_INT(f->c.id)));
    while (sr && db_next(sr)) {
        user_t u;
        if (users_load(r->db, r->arena, db_int(sr, 0), &u) == 0 && u.name)
            buf_printf(&names, "%s%s", names.len ? ", " : "", u.name);
    }
    db_res_free(sr);
    json_object_set_new(m, "steering", json_str_or_null(names.data));
    buf_free(&names);
    json_object_set_new(m, "participants",
                        json_pack("{s:I,s:I,s:I,s:I}", "staff", (json_int_t)f->c.p_staff,
                                  "children", (json_int_t)f->c.p_children, "families",
                                  (json_int_t)f->c.p_families, "partners",
                                  (json_int_t)f->c.p_partners));
    json_t *actions = json_array();
    const char *base = camp_href(r, f->c.id);
    if (lead && f->c.status == CAMP_DRAFT)
        json_array_append_new(actions, json_pack("{s:s, s:s, s:b}", "action",
                                                 arena_printf(r->arena, "%s/start", base), "label",
                                                 T(r, N_("Start the campaign")), "reason", false));
    if (lead && f->c.status == CAMP_IN_PROGRESS)
        json_array_append_new(actions, json_pack("{s:s, s:s, s:b}", "action",
                                                 arena_printf(r->arena, "%s/submit", base), "label",
                                                 T(r, N_("Submit for validation")), "reason",
                                                 false));
    if (validator && f->c.status == CAMP_SUBMITTED)
        json_array_append_new(actions, json_pack("{s:s, s:s, s:b}", "action",
                                                 arena_printf(r->arena, "%s/validate", base),
                                                 "label", T(r, N_("Validate the campaign")),
                                                 "reason", false));
    if (validator && (f->c.status == CAMP_SUBMITTED || f->c.status == CAMP_VALIDATED))
        json_array_append_new(actions, json_pack("{s:s, s:s, s:b}", "action",
                                                 arena_printf(r->arena, "%s/reopen", base), "label",
                                                 T(r, N_("Reopen")), "reason", true));
    json_object_set_new(m, "actions", actions);
    json_object_set_new(m, "has_actions", json_boolean(json_array_size(actions) > 0));
    json_object_set_new(m, "action_error", action_error ? json_string(T(r, action_error)) : json_null());
    page_render(r, status, "assess/show", m);
}

void assess_page_show(req_t *r)
{
    camp_full_t *f = page_campaign(r);
    if (f)
        render_show(r, 200, f, NULL, NULL, NULL, NULL);
}

/* "label | url" lines of the evidence field. */
static bool parse_evidence(req_t *r, const char *text, rating_input_t *in, json_t *errors)
{
    in->has_evidence = true;
    in->n_ev = 0;
    size_t cap = 21;
    in->ev_label = arena_alloc(r->arena, cap * sizeof *in->ev_label);
    in->ev_url = arena_alloc(r->arena, cap * sizeof *in->ev_url);
    const char *p = text ? text : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = str_trim(arena_strndup(r->arena, p, n));
        p = nl ? nl + 1 : p + n;
        if (!*line)
            continue;
        if (in->n_ev >= 20) {
            v_error(errors, "evidence", N_("At most 20 pieces of evidence."));
            return false;
        }
        char *bar = strchr(line, '|');
        const char *url = NULL;
        if (bar) {
            *bar = 0;
            url = str_trim(bar + 1);
            str_trim(line);
            if (!*url)
                url = NULL;
        }
        if (!*line || utf8_count(line) > 300) {
            v_error(errors, "evidence",
                    N_("Each piece of evidence needs a label of at most 300 characters."));
            return false;
        }
        if (url && (strlen(url) > 2000 ||
                    (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))) {
            v_error(errors, "evidence", N_("A link starts with https:// or http://."));
            return false;
        }
        in->ev_label[in->n_ev] = line;
        in->ev_url[in->n_ev] = url;
        in->n_ev++;
    }
    return true;
}

void assess_page_rate(req_t *r)
{
    camp_full_t *f = page_campaign(r);
    if (!f)
        return;
    int k = camp_crit_find(f, r->ids[1], NULL);
    if (k < 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    json_t *errors = json_object();
    rating_input_t in = {0};
    in.score = req_form(r, "score");
    const char *comment = req_form(r, "comment");
    const char *evidence = req_form(r, "evidence");
    json_t *values = json_object();
    if (comment && utf8_valid(comment, strlen(comment)))
        json_object_set_new(values, "comment", json_string(comment));
    if (evidence && utf8_valid(evidence, strlen(evidence)))
        json_object_set_new(values, "evidence", json_string(evidence));
    if (in.score && utf8_valid(in.score, strlen(in.score)))
        json_object_set_new(values, "score", json_string(in.score));
    if ((comment && (!utf8_valid(comment, strlen(comment)) || utf8_count(comment) > 4000)) ||
        (comment && str_has_control(comment)))
        v_error(errors, "comment", N_("At most 4,000 characters."));
    else
        in.comment = str_empty(comment) ? NULL : comment;
    if (evidence && !utf8_valid(evidence, strlen(evidence)))
        v_error(errors, "evidence", N_("This text is not valid UTF-8."));
    else
        parse_evidence(r, evidence, &in, errors);
    int64_t version = -1;
    const char *vs = req_form(r, "version");
    if (vs && str_to_i64(vs, &version) && version >= 0)
        in.version = version;
    const char *msgid = NULL;
    int64_t newv = 0;
    res_t rc = RES_INVALID;
    if (!json_object_size(errors)) {
        /* a form rated for the first time carries version 0: only nobody may have rated since */
        if (version == 0 && f->crit[k].version != 0) {
            rc = RES_CONFLICT;
            msgid = N_("Someone else scored this criterion in the meantime. Your score was not "
                       "saved: look at theirs, then score again.");
        } else {
            rc = camp_rate(r->db, r->arena, r->user->id, req_ip(r), f, k, &in, errors, &msgid,
                           &newv);
        }
    }
    bool js = str_eq(req_form(r, "js"), "1");
    if (rc == RES_OK) {
        json_decref(errors);
        json_decref(values);
        if (js) {
            /* the page's script saved it: the new version and a word to show */
            api_send(r, 200, json_pack("{s:I, s:s}", "version", (json_int_t)newv, "message",
                                       T(r, N_("Saved"))));
            return;
        }
        page_redirect_flash(r,
                            arena_printf(r->arena, "/campaigns/%lld#c-%s", (long long)f->c.id,
                                         f->crit[k].code),
                            N_("The score is saved."));
        return;
    }
    if (rc == RES_ERROR) {
        json_decref(errors);
        json_decref(values);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    if (rc == RES_CONFLICT)
        v_error(errors, "score", msgid);
    if (js) {
        json_t *tr = json_object();
        const char *key;
        json_t *v;
        json_object_foreach(errors, key, v) json_object_set_new(tr, key, json_string(T(r, json_string_value(v))));
        api_send(r, rc == RES_CONFLICT ? 409 : 422, json_pack("{s:o}", "errors", tr));
        json_decref(errors);
        json_decref(values);
        return;
    }
    /* the page again, this criterion's form with what was typed and why */
    camp_full_t *fresh = arena_alloc(r->arena, sizeof *fresh);
    if (camp_load_full(r->db, r->arena, f->c.id, fresh) != 0)
        fresh = f;
    render_show(r, rc == RES_CONFLICT ? 409 : 422, fresh, f->crit[k].code, values, errors, NULL);
    json_decref(values);
    json_decref(errors);
}

void assess_page_assign(req_t *r)
{
    camp_full_t *f = page_campaign(r);
    if (!f)
        return;
    int k = camp_crit_find(f, r->ids[1], NULL);
    if (k < 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!camp_require_lead(r, f->c.node_path))
        return;
    int64_t assignee = 0;
    const char *as = req_form(r, "assignee_id");
    if (as && *as && (!str_to_i64(as, &assignee) || assignee <= 0)) {
        render_show(r, 422, f, NULL, NULL, NULL, N_("Choose someone who scores criteria in this establishment."));
        return;
    }
    const char *group = req_form(r, "group");
    if (group && (!utf8_valid(group, strlen(group)) || utf8_count(group) > 100 ||
                  str_has_control(group))) {
        render_show(r, 422, f, NULL, NULL, NULL, N_("At most 100 characters."));
        return;
    }
    group = str_empty(group) ? NULL : str_trim(arena_strdup(r->arena, group));
    const char *msgid = NULL;
    res_t rc = camp_assign(r->db, r->arena, r->user->id, req_ip(r), f, k, assignee, group, &msgid);
    if (rc == RES_INVALID) {
        render_show(r, 422, f, NULL, NULL, NULL, msgid);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r,
                        arena_printf(r->arena, "/campaigns/%lld#c-%s", (long long)f->c.id,
                                     f->crit[k].code),
                        N_("The criterion is assigned."));
}

void assess_page_evidence_upload(req_t *r)
{
    camp_full_t *f = page_campaign(r);
    if (!f)
        return;
    int k = camp_crit_find(f, r->ids[1], NULL);
    if (k < 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const camp_crit_t *c = &f->crit[k];
    if (f->c.status != CAMP_DRAFT && f->c.status != CAMP_IN_PROGRESS) {
        render_show(r, 409, f, NULL, NULL, NULL,
                    N_("This campaign is submitted or validated: its scores can no longer change. "
                       "Reopen it first."));
        return;
    }
    if (!c->rating_id) {
        render_show(r, 409, f, NULL, NULL, NULL,
                    N_("Score the criterion first, then add files to it."));
        return;
    }
    const http_file_t *file = http_file(r->http, "file");
    int64_t att = 0;
    const char *err = NULL;
    if (db_begin(r->db) != DB_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    res_t rc = attach_store(r->db, f->c.node_id, "evidence", c->rating_id, file, r->user->id,
                            req_ip(r), &att, &err);
    bool ok = rc == RES_OK;
    if (ok) {
        const char *name = file && file->filename ? file->filename : "document";
        char clean[256];
        if (attach_filename_clean(name, clean, sizeof clean) != 0)
            snprintf(clean, sizeof clean, "document");
        ok = db_exec(r->db,
                     "INSERT INTO rating_evidence (rating_id, kind, label, attachment_id,"
                     " created_by, created_at) VALUES (?, 'file', ?, ?, ?, ?)",
                     PARAMS(P_INT(c->rating_id), P_TEXT(clean), P_INT(att), P_INT(r->user->id),
                            P_INT(now_utc()))) == DB_OK;
        json_t *ch = json_pack("{s:{s:n,s:s},s:{s:n,s:s}}", "criterion", "from", "to", c->code,
                               "evidence", "from", "to", clean);
        ok = ok && audit_write(r->db, r->user->id, "evidence", "campaign", f->c.id, f->c.node_id,
                               ch, req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (!ok || db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        if (rc == RES_INVALID) {
            render_show(r, 422, f, NULL, NULL, NULL, err);
            return;
        }
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r,
                        arena_printf(r->arena, "/campaigns/%lld#c-%s", (long long)f->c.id, c->code),
                        N_("The file is added to the evidence."));
}

void assess_page_transition(req_t *r)
{
    camp_full_t *f = page_campaign(r);
    if (!f)
        return;
    const char *what = strrchr(r->path, '/') + 1;
    camp_status_t to = str_eq(what, "start")    ? CAMP_IN_PROGRESS
                       : str_eq(what, "submit") ? CAMP_SUBMITTED
                       : str_eq(what, "validate") ? CAMP_VALIDATED
                                                  : CAMP_IN_PROGRESS;
    bool reopen = str_eq(what, "reopen");
    if (!((to == CAMP_VALIDATED || reopen) ? camp_require_validator(r, f->c.node_path)
                                           : camp_require_lead(r, f->c.node_path)))
        return;
    if (reopen && f->c.status == CAMP_DRAFT) {
        render_show(r, 409, f, NULL, NULL, NULL,
                    N_("Only a submitted or validated campaign can be reopened."));
        return;
    }
    const char *reason = NULL;
    if (reopen) {
        reason = req_form(r, "reason");
        if (!reason || str_empty(reason) || !utf8_valid(reason, strlen(reason)) ||
            utf8_count(reason) > 500 || str_has_control(reason)) {
            render_show(r, 422, f, NULL, NULL, NULL, N_("Say why the campaign is reopened."));
            return;
        }
        reason = str_trim(arena_strdup(r->arena, reason));
    }
    if (to == CAMP_VALIDATED && page_needs_confirm(r)) {
        page_confirm(r, N_("Validate the campaign"),
                     N_("Validate this campaign? Its scores are then locked, its results kept, and "
                        "its gaps proposed as improvement actions."),
                     f->c.title, arena_printf(r->arena, "/campaigns/%lld/validate", (long long)f->c.id),
                     json_pack("{s:s}", "rev", arena_printf(r->arena, "%lld", (long long)f->c.rev)),
                     N_("Yes, validate it"), camp_href(r, f->c.id));
        return;
    }
    int64_t rev = 0;
    const char *rs = req_form(r, "rev");
    if (rs && !str_to_i64(rs, &rev))
        rev = -1;
    const char *msgid = NULL;
    res_t rc = camp_transition(r->db, r->arena, r->user->id, req_ip(r), f, to, reason,
                               rev ? rev : f->c.rev, &msgid);
    if (rc == RES_OK) {
        page_redirect_flash(r,
                            to == CAMP_VALIDATED
                                ? arena_printf(r->arena, "/campaigns/%lld/results", (long long)f->c.id)
                                : camp_href(r, f->c.id),
                            reopen                    ? N_("The campaign is reopened.")
                            : to == CAMP_IN_PROGRESS ? N_("The campaign is started.")
                            : to == CAMP_SUBMITTED   ? N_("The campaign is submitted for validation.")
                                                     : N_("The campaign is validated."));
        return;
    }
    if (rc == RES_CONFLICT) {
        render_show(r, 409, f, NULL, NULL, NULL, msgid);
        return;
    }
    app_fail(r, rc, NULL, NULL);
}
