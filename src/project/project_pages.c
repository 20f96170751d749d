/* project_pages.c - the pages of projets d'établissement: the list, a new
 * projet, one projet (status and what the reader may do next, sections with
 * their owners and open proposals, the participation record, versions and
 * history), editing its title and period, the workflow's forms. Sections,
 * diffs and the strategy are in project_section.c. Every form works without
 * JavaScript. */
#include "project_internal.h"

#include <string.h>

#define LIST_PAGE 50

json_t *prj_crumbs(req_t *r, const project_t *p)
{
    json_t *c = json_pack("[{s:s, s:s}]", "label", T(r, N_("Projet d'établissement")), "href",
                          "/projects");
    if (p)
        json_array_append_new(c, json_pack("{s:s, s:s}", "label", p->title, "href",
                                           arena_printf(r->arena, "/projects/%lld",
                                                        (long long)p->id)));
    return c;
}

const char *prj_status_label(req_t *r, prj_status_t s)
{
    return T(r, arena_printf(r->arena, "prj_status.%s", prj_status_code(s)));
}

const char *prj_day_text(req_t *r, const char *iso)
{
    if (!iso || strlen(iso) != 10)
        return iso ? iso : "";
    return arena_printf(r->arena, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

const char *prj_user_name(req_t *r, int64_t id)
{
    if (id <= 0)
        return NULL;
    db_res_t *res = db_query(r->db, "SELECT name FROM users WHERE id = ?", PARAMS(P_INT(id)));
    const char *name = res && db_next(res) ? arena_strdup(r->arena, db_text(res, 0)) : NULL;
    db_res_free(res);
    return name;
}

static const char *status_tone(prj_status_t s)
{
    switch (s) {
    case PRJ_IN_FORCE: return "ok";
    case PRJ_VALIDATED: return "info";
    case PRJ_CONSULTATION: return "warn";
    case PRJ_EXPIRED: return "off";
    default: return "neutral";
    }
}

static json_t *card(req_t *r, const project_t *p)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)p->id,
                          "href", arena_printf(r->arena, "/projects/%lld", (long long)p->id),
                          "title", p->title, "eps", nodes_label(r->db, r->arena, r->lang, p->node_id),
                          "period",
                          arena_printf(r->arena, "%s – %s", p->period_start, p->period_end),
                          "status_label", prj_status_label(r, p->status), "tone",
                          status_tone(p->status), "version", (json_int_t)p->version);
    json_object_set_new(o, "lang_label", json_string(T(r, arena_printf(r->arena, "lang.%s", p->lang))));
    return o;
}

void prj_page_list(req_t *r)
{
    json_t *errors = json_object();
    prj_filter_t f;
    prj_filter_read(r, errors, &f);
    int64_t limit = LIST_PAGE, offset = 0;
    v_paging(r, errors, &limit, &offset);
    int status = json_object_size(errors) ? 422 : 200;
    size_t n = 0;
    int64_t total = 0;
    project_t *rows = prj_query(r, &f, limit, offset, &n, &total);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, card(r, &rows[i]));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Projet d'établissement"))));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total", json_integer(total));
    json_t *creatable = prj_creatable_eps(r);
    json_object_set_new(m, "can_create", json_boolean(json_array_size(creatable) > 0));
    json_decref(creatable);
    json_t *opts = json_array();
    json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", "", "label",
                                          T(r, N_("Every status")), "selected", f.status == NULL));
    for (int s = PRJ_DRAFTING; s <= PRJ_EXPIRED; s++)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", prj_status_code(s),
                                              "label", prj_status_label(r, s), "selected",
                                              str_eq(f.status, prj_status_code(s))));
    json_object_set_new(m, "status_options", opts);
    json_object_set_new(m, "q", json_string(f.q ? f.q : ""));
    buf_t qb;
    buf_init(&qb);
    buf_printf(&qb, "/projects?status=%s&q=", f.status ? f.status : "");
    if (f.q)
        app_url_encode(&qb, f.q);
    buf_puts(&qb, "&offset=");
    const char *base = arena_strdup(r->arena, qb.data);
    buf_free(&qb);
    int64_t last = offset + (int64_t)n;
    if (total > limit)
        json_object_set_new(
            m, "pager",
            json_pack("{s:s, s:o, s:o}", "label",
                      text_fill_numbers(r->arena, T(r, N_("%d–%d of %d")),
                                        (long long[]){n ? offset + 1 : 0, last, total}, 3),
                      "prev",
                      offset > 0 ? json_string(arena_printf(r->arena, "%s%lld", base,
                                                            (long long)(offset > limit ? offset - limit : 0)))
                                 : json_null(),
                      "next",
                      last < total ? json_string(arena_printf(r->arena, "%s%lld", base, (long long)last))
                                   : json_null()));
    else
        json_object_set_new(m, "pager", json_null());
    model_form_errors_take(r, m, errors);
    page_render(r, status, "project/list", m);
}

/* --- a new projet ---------------------------------------------------------- */

static void new_form(req_t *r, int status, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("New projet d'établissement"))));
    json_object_set_new(m, "crumbs", prj_crumbs(r, NULL));
    json_t *eps = prj_creatable_eps(r);
    int64_t chosen = 0;
    const char *v = req_form(r, "node_id");
    if (!v)
        v = req_query(r, "node_id");
    if (v)
        str_to_i64(v, &chosen);
    size_t i;
    json_t *o;
    json_array_foreach(eps, i, o)
        json_object_set_new(o, "selected",
                            json_boolean(json_integer_value(json_object_get(o, "id")) == chosen));
    json_object_set_new(m, "eps_options", eps);
    json_object_set_new(m, "template_options", prj_template_options(r));
    const char *lang = req_form(r, "lang");
    if (!lang)
        lang = str_eq(r->lang, "ar") ? "ar" : "fr";
    json_object_set_new(m, "lang_fr", json_boolean(str_eq(lang, "fr")));
    json_object_set_new(m, "lang_ar", json_boolean(str_eq(lang, "ar")));
    model_form_errors_take(r, m, errors);
    if (!r->http->form) {
        /* a five-year period from next January, as most projets */
        char today[11];
        iso_day_local(now_utc(), today);
        int y = atoi(today) + 1;
        json_t *values = json_object_get(m, "values");
        if (json_is_object(values)) {
            json_object_set_new(values, "period_start", json_string(arena_printf(r->arena, "%d-01-01", y)));
            json_object_set_new(values, "period_end", json_string(arena_printf(r->arena, "%d-12-31", y + 4)));
        }
    }
    page_render(r, status, "project/new", m);
}

void prj_page_new(req_t *r)
{
    json_t *eps = prj_creatable_eps(r);
    bool can = json_array_size(eps) > 0;
    json_decref(eps);
    if (!can) {
        app_fail(r, RES_FORBIDDEN,
                 N_("The director or the quality referent of the establishment starts its projet."),
                 NULL);
        return;
    }
    new_form(r, 200, NULL);
}

void prj_page_create(req_t *r)
{
    json_t *errors = json_object();
    int64_t node = v_int(r, errors, "node_id", true, 1, INT64_MAX, 0);
    if (json_object_size(errors)) {
        new_form(r, 422, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = prj_create_from_request(r, node, errors, &id);
    if (rc == RES_FORBIDDEN)
        return;
    if (rc == RES_INVALID) {
        new_form(r, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/projects/%lld", (long long)id),
                        N_("The projet is created with the sections of its template."));
}

/* --- one projet ------------------------------------------------------------- */

static json_t *sections_model(req_t *r, const project_t *p)
{
    size_t n = 0;
    prj_section_t *s = prj_sections(r->db, r->arena, p->id, r->lang, &n);
    json_t *open = db_query_json(r->db,
                                 "SELECT section_key, COUNT(*) AS n FROM project_contributions"
                                 " WHERE project_id = ? AND status = 'open' AND kind = 'proposal'"
                                 " GROUP BY section_key ORDER BY section_key",
                                 PARAMS(P_INT(p->id)));
    json_t *list = json_array();
    int filled = 0;
    for (size_t i = 0; i < n; i++) {
        json_int_t proposals = 0;
        size_t k;
        json_t *row;
        json_array_foreach(open, k, row)
            if (str_eq(json_string_value(json_object_get(row, "section_key")), s[i].key))
                proposals = json_integer_value(json_object_get(row, "n"));
        size_t words = 0;
        for (const char *c = s[i].content; c && *c;) {
            while (*c == ' ' || *c == '\n' || *c == '\t' || *c == '\r')
                c++;
            if (*c)
                words++;
            while (*c && *c != ' ' && *c != '\n' && *c != '\t' && *c != '\r')
                c++;
        }
        if (words > 0)
            filled++;
        const char *owner = prj_user_name(r, s[i].owner_id);
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "number", (json_int_t)i + 1,
                            "key", s[i].key, "title", s[i].title, "href",
                            arena_printf(r->arena, "/projects/%lld/sections/%s", (long long)p->id,
                                         s[i].key),
                            "owner", owner ? owner : "", "words", (json_int_t)words, "proposals",
                            (json_int_t)proposals, "empty", words == 0));
    }
    json_decref(open);
    return json_pack("{s:o, s:I, s:I}", "items", list, "filled", (json_int_t)filled, "count",
                     (json_int_t)n);
}

void prj_page_show(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (!p)
        return;
    prj_access_t acc = prj_access(r, p->node_path);
    json_t *m = card(r, p);
    json_object_set_new(m, "crumbs", prj_crumbs(r, NULL));
    json_object_set_new(m, "period", json_string(arena_printf(r->arena, "%s – %s",
                                                             prj_day_text(r, p->period_start),
                                                             prj_day_text(r, p->period_end))));
    json_object_set_new(m, "status", json_string(prj_status_code(p->status)));
    json_object_set_new(m, "frozen", json_boolean(prj_frozen(p->status)));
    json_object_set_new(m, "drafting", json_boolean(p->status == PRJ_DRAFTING));
    json_object_set_new(m, "in_consultation", json_boolean(p->status == PRJ_CONSULTATION));
    json_object_set_new(m, "can_manage", json_boolean(acc >= PRJ_MANAGE));
    json_object_set_new(m, "can_direct", json_boolean(acc == PRJ_DIRECT));
    json_object_set_new(m, "can_edit", json_boolean(acc >= PRJ_MANAGE && !prj_frozen(p->status)));
    json_object_set_new(m, "can_validate",
                        json_boolean(acc == PRJ_DIRECT && !prj_frozen(p->status)));
    json_object_set_new(m, "can_new_version",
                        json_boolean(acc == PRJ_DIRECT && prj_frozen(p->status)));
    json_object_set_new(m, "sections", sections_model(r, p));
    json_t *totals = NULL;
    json_t *meetings = prj_meetings(r, p->id, &totals);
    json_object_set_new(m, "has_meetings", json_boolean(json_array_size(meetings) > 0));
    json_object_set_new(m, "meetings", meetings);
    json_object_set_new(m, "participation", totals);
    json_t *versions = prj_versions(r, p);
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v) {
        json_int_t num = json_integer_value(json_object_get(v, "number"));
        json_object_set_new(v, "pdf_href", json_string(arena_printf(r->arena, "/projects/%lld.pdf?version=%lld",
                                                                    (long long)p->id, (long long)num)));
        json_object_set_new(v, "diff_href", json_null());
        if (num > 1)
            json_object_set_new(v, "diff_href",
                                json_string(arena_printf(r->arena, "/projects/%lld/diff?from=%lld&to=%lld",
                                                         (long long)p->id, (long long)num - 1,
                                                         (long long)num)));
    }
    json_object_set_new(m, "has_versions", json_boolean(json_array_size(versions) > 0));
    json_object_set_new(m, "versions", versions);
    json_object_set_new(m, "draft_diff_href", json_null());
    if (!prj_frozen(p->status) && p->version > 1)
        json_object_set_new(m, "draft_diff_href",
                            json_string(arena_printf(r->arena, "/projects/%lld/diff?from=%lld",
                                                     (long long)p->id, (long long)p->version - 1)));
    json_object_set_new(m, "pdf_fr", json_string(arena_printf(r->arena, "/projects/%lld.pdf?lang=fr", (long long)p->id)));
    json_object_set_new(m, "pdf_ar", json_string(arena_printf(r->arena, "/projects/%lld.pdf?lang=ar", (long long)p->id)));
    json_object_set_new(m, "strategy_href", json_string(arena_printf(r->arena, "/projects/%lld/strategy", (long long)p->id)));
    json_object_set_new(m, "n_objectives",
                        json_integer(db_query_int(r->db, "SELECT COUNT(*) FROM project_objectives"
                                                         " WHERE project_id = ?",
                                                  PARAMS(P_INT(p->id)), 0)));
    json_object_set_new(m, "n_axes",
                        json_integer(db_query_int(r->db, "SELECT COUNT(*) FROM project_axes"
                                                         " WHERE project_id = ?",
                                                  PARAMS(P_INT(p->id)), 0)));
    json_object_set_new(m, "consultation", json_str_or_null(p->consultation));
    json_object_set_new(m, "history", audit_history(r, "project", p->id, 30));
    char today[11];
    iso_day_local(now_utc(), today);
    json_object_set_new(m, "today", json_string(today));
    page_render(r, 200, "project/show", m);
}

/* --- title and period --------------------------------------------------------- */

static void edit_form(req_t *r, const project_t *p, int status, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Title and period"))));
    json_object_set_new(m, "crumbs", prj_crumbs(r, p));
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/projects/%lld", (long long)p->id)));
    model_form_errors_take(r, m, errors);
    if (!r->http->form) {
        json_t *values = json_object_get(m, "values");
        if (json_is_object(values)) {
            json_object_set_new(values, "title", json_string(p->title));
            json_object_set_new(values, "period_start", json_string(p->period_start));
            json_object_set_new(values, "period_end", json_string(p->period_end));
        }
    }
    const char *lang = req_form(r, "lang") ? req_form(r, "lang") : p->lang;
    json_object_set_new(m, "lang_fr", json_boolean(str_eq(lang, "fr")));
    json_object_set_new(m, "lang_ar", json_boolean(str_eq(lang, "ar")));
    page_render(r, status, "project/edit", m);
}

void prj_page_edit(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    edit_form(r, p, 200, NULL);
}

void prj_page_update(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    static const char *const langs[] = {"fr", "ar", "en", NULL};
    json_t *errors = json_object();
    prj_input_t in = {0};
    in.title = v_text(r, errors, "title", true, PRJ_TITLE_MAX);
    in.period_start = v_text(r, errors, "period_start", true, 10);
    in.period_end = v_text(r, errors, "period_end", true, 10);
    in.lang = v_code(r, errors, "lang", false, langs);
    res_t rc = json_object_size(errors) ? RES_INVALID
                                        : prj_update(r->db, r->arena, r->user->id, req_ip(r), p, &in, errors);
    if (rc == RES_INVALID) {
        edit_form(r, p, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc == RES_CONFLICT && prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("The projet changed meanwhile: reload it and try again.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/projects/%lld", (long long)p->id), N_("Saved."));
}

/* --- workflow ------------------------------------------------------------------ */

void prj_page_status(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    static const char *const to_codes[] = {"drafting", "consultation", NULL};
    json_t *errors = json_object();
    const char *to = v_code(r, errors, "status", true, to_codes);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    res_t rc = prj_set_status(r->db, r->user->id, req_ip(r), p, (prj_status_t)prj_status_from_code(to));
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("The projet is no longer at this step: reload it.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/projects/%lld", (long long)p->id),
                        str_eq(to, "consultation") ? N_("The consultation is open.")
                                                   : N_("The projet is back to drafting."));
}

void prj_page_validate(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_DIRECT);
    if (!p)
        return;
    json_t *errors = json_object();
    const char *c = v_long_text(r, errors, "consultation", true, PRJ_CONSULTATION_MAX);
    v_required_message(errors, "consultation",
                       N_("Record how staff, children, families and partners were consulted."));
    if (json_object_size(errors)) {
        /* the projet's page again, with the error at the validation form */
        json_t *m = json_object();
        json_object_set_new(m, "title", json_string(T(r, N_("Validate the projet"))));
        json_object_set_new(m, "crumbs", prj_crumbs(r, p));
        json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/projects/%lld/validate", (long long)p->id)));
        json_object_set_new(m, "back", json_string(arena_printf(r->arena, "/projects/%lld", (long long)p->id)));
        model_form_errors_take(r, m, errors);
        page_render(r, 422, "project/validate", m);
        return;
    }
    json_decref(errors);
    res_t rc = prj_validate(r->db, r->user->id, req_ip(r), p, c, NULL);
    if (rc == RES_CONFLICT && prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("The projet changed meanwhile: reload it and try again.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/projects/%lld", (long long)p->id),
                        N_("The projet is validated: this version is frozen."));
}

void prj_page_new_version(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_DIRECT);
    if (!p)
        return;
    const char *back = arena_printf(r->arena, "/projects/%lld", (long long)p->id);
    if (page_needs_confirm(r)) {
        page_confirm(r, N_("Start a new version"),
                     N_("The validated version stays as it is; the text is copied into a new "
                        "version to write, consult and validate again."),
                     p->title, arena_printf(r->arena, "/projects/%lld/versions", (long long)p->id),
                     NULL, N_("Start a new version"), back);
        return;
    }
    res_t rc = prj_new_version(r->db, r->user->id, req_ip(r), p);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("Only a validated projet starts a new version.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, back, N_("A new version is open for writing."));
}

void prj_page_meeting(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    json_t *errors = json_object();
    prj_meeting_input_t in;
    if (!prj_meeting_read(r, errors, &in)) {
        json_t *m = json_object();
        json_object_set_new(m, "title", json_string(T(r, N_("Record a meeting"))));
        json_object_set_new(m, "crumbs", prj_crumbs(r, p));
        json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/projects/%lld/meetings", (long long)p->id)));
        json_object_set_new(m, "back", json_string(arena_printf(r->arena, "/projects/%lld", (long long)p->id)));
        model_form_errors_take(r, m, errors);
        page_render(r, 422, "project/meeting", m);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    res_t rc = prj_add_meeting(r->db, r->user->id, req_ip(r), p, &in, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/projects/%lld#participation", (long long)p->id),
                        N_("The meeting is recorded."));
}
