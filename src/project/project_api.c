/* project_api.c - the JSON API of projets d'établissement (docs/API.md):
 * list and create, one projet with its sections, writing a section,
 * consultation, validation and versions, the diff of two versions,
 * contributions, the participation record, the strategy, actions from
 * objectives, the PDF, and a Markdown preview. Same rules as the pages. */
#include "project_internal.h"

#include <string.h>

static const char *const prj_times[] = {"created_at", "updated_at", "validated_at", NULL};
static const char *const langs[] = {"fr", "ar", "en", NULL};

json_t *prj_json(req_t *r, const project_t *p, bool full)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:I}",
                          "id", (json_int_t)p->id, "node_id", (json_int_t)p->node_id, "title",
                          p->title, "period_start", p->period_start, "period_end", p->period_end,
                          "lang", p->lang, "status", prj_status_code(p->status), "version",
                          (json_int_t)p->version, "rev", (json_int_t)p->rev, "created_at",
                          (json_int_t)p->created_at, "updated_at", (json_int_t)p->updated_at,
                          "consultation", json_str_or_null(p->consultation), "validated_at",
                          (json_int_t)p->validated_at);
    json_object_set_new(o, "node_name",
                        json_string(nodes_label(r->db, r->arena, r->lang, p->node_id)));
    if (!full)
        return o;
    size_t n = 0;
    prj_section_t *s = prj_sections(r->db, r->arena, p->id, r->lang, &n);
    json_t *secs = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            secs, json_pack("{s:s, s:s, s:s, s:o, s:I}", "key", s[i].key, "title", s[i].title,
                            "content", s[i].content ? s[i].content : "", "owner_id",
                            s[i].owner_id > 0 ? json_integer(s[i].owner_id) : json_null(), "rev",
                            (json_int_t)s[i].rev));
    json_object_set_new(o, "sections", secs);
    json_object_set_new(o, "versions", prj_versions(r, p));
    json_t *totals = NULL;
    json_object_set_new(o, "meetings", prj_meetings(r, p->id, &totals));
    json_object_set_new(o, "participation", totals);
    return o;
}

static void send_project(req_t *r, int status, int64_t id)
{
    project_t p;
    if (prj_load(r->db, r->arena, id, &p) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = prj_json(r, &p, true);
    api_times_iso(o, prj_times);
    if (status == 201)
        http_add_header(r->http, "Location",
                        arena_printf(r->arena, "/api/v1/projects/%lld", (long long)id));
    api_send(r, status, o);
}

/* Answer a model's refusal: 409 for a frozen projet, else the mapping. */
static void fail(req_t *r, const project_t *p, res_t rc, json_t *errors)
{
    if (rc == RES_CONFLICT && p && prj_frozen(p->status)) {
        json_decref(errors);
        prj_fail_frozen(r, p);
        return;
    }
    app_fail(r, rc, rc == RES_CONFLICT ? N_("The projet changed meanwhile: reload it and try again.")
                                       : NULL,
             rc == RES_INVALID ? errors : NULL);
    if (rc != RES_INVALID)
        json_decref(errors);
}

void prj_api_list(req_t *r)
{
    json_t *errors = json_object();
    prj_filter_t f;
    prj_filter_read(r, errors, &f);
    int64_t limit, offset;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    size_t n = 0;
    int64_t total = 0;
    project_t *rows = prj_query(r, &f, limit, offset, &n, &total);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, prj_json(r, &rows[i], false));
    api_times_iso(items, prj_times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* Title, period, language and template from a form or a JSON body. */
static void input_read(req_t *r, json_t *errors, prj_input_t *in, bool creating)
{
    memset(in, 0, sizeof *in);
    in->title = v_text(r, errors, "title", creating, PRJ_TITLE_MAX);
    in->period_start = v_text(r, errors, "period_start", creating, 10);
    in->period_end = v_text(r, errors, "period_end", creating, 10);
    in->lang = v_code(r, errors, "lang", false, langs);
    in->template_id = v_int(r, errors, "template_id", false, 1, INT64_MAX, 0);
    if (in->title && !*in->title)
        in->title = NULL;
    v_required_message(errors, "title", N_("Give the projet a title."));
}

/* The EPS of a new projet: 404 outside the reader's scope, 422 for a node
 * that is not an EPS, 403 for those who may not create there. */
static node_t *creation_eps(req_t *r, int64_t node_id, json_t *errors)
{
    char *path = node_id > 0 ? app_node_path(r->db, node_id) : NULL;
    prj_access_t a = path ? prj_access(r, path) : PRJ_NONE;
    free(path);
    if (a == PRJ_NONE) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    node_t *eps = arena_alloc(r->arena, sizeof *eps);
    if (nodes_load(r->db, r->arena, node_id, eps) != 0 || eps->kind != NODE_EPS) {
        v_error(errors, "node_id", N_("A projet d'établissement belongs to an establishment."));
        app_fail(r, RES_INVALID, NULL, errors);
        return NULL;
    }
    if (a < PRJ_MANAGE) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 N_("The director or the quality referent of the establishment starts its "
                    "projet."),
                 NULL);
        return NULL;
    }
    return eps;
}

res_t prj_create_from_request(req_t *r, int64_t node_id, json_t *errors, int64_t *id)
{
    node_t *eps = creation_eps(r, node_id, errors);
    if (!eps)
        return RES_FORBIDDEN; /* answered */
    prj_input_t in;
    input_read(r, errors, &in, true);
    if (in.template_id > 0 &&
        db_query_int(r->db, "SELECT COUNT(*) FROM project_templates WHERE id = ?",
                     PARAMS(P_INT(in.template_id)), 0) == 0)
        v_error(errors, "template_id", N_("Choose one of the proposed values."));
    if (!in.lang)
        in.lang = str_eq(r->lang, "ar") ? "ar" : "fr";
    if (json_object_size(errors))
        return RES_INVALID;
    return prj_create(r->db, r->arena, r->user->id, req_ip(r), eps, &in, errors, id);
}

void prj_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    static const char *const known[] = {"node_id", "title", "period_start", "period_end", "lang",
                                        "template_id", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    json_t *jn = json_object_get(r->json, "node_id");
    if (!json_is_integer(jn) || json_integer_value(jn) <= 0) {
        v_error(errors, "node_id", N_("Give the establishment of the projet (node_id)."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = prj_create_from_request(r, json_integer_value(jn), errors, &id);
    if (rc == RES_FORBIDDEN)
        return;
    if (rc != RES_OK) {
        fail(r, NULL, rc, errors);
        return;
    }
    json_decref(errors);
    send_project(r, 201, id);
}

void prj_api_get(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (p)
        send_project(r, 200, p->id);
}

void prj_api_patch(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p || !api_body_object(r))
        return;
    static const char *const known[] = {"title", "period_start", "period_end", "lang", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    prj_input_t in;
    input_read(r, errors, &in, false);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    res_t rc = prj_update(r->db, r->arena, r->user->id, req_ip(r), p, &in, errors);
    if (rc != RES_OK) {
        fail(r, p, rc, errors);
        return;
    }
    json_decref(errors);
    send_project(r, 200, p->id);
}

void prj_api_put_section(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (!p || !api_body_object(r))
        return;
    const char *key = strrchr(r->path, '/') + 1;
    prj_section_t *s = prj_section(r->db, r->arena, p->id, key, r->lang);
    if (!s) {
        app_fail(r, RES_NOT_FOUND, N_("This projet has no such section."), NULL);
        return;
    }
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    if (!prj_may_write_section(r, p, s)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("The director and the section's owner write it; propose your text instead."),
                 NULL);
        return;
    }
    static const char *const known[] = {"content", "rev", "owner_id", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    bool has_content = input_present(r, "content");
    const char *content = v_long_text(r, errors, "content", !input_present(r, "owner_id"),
                                      PRJ_CONTENT_MAX);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    bool set_owner = input_present(r, "owner_id");
    int64_t owner = set_owner ? v_int(r, errors, "owner_id", false, 0, INT64_MAX, 0) : 0;
    if (set_owner && prj_access(r, p->node_path) != PRJ_DIRECT)
        v_error(errors, "owner_id", N_("The director names the owner of a section."));
    if (set_owner && owner > 0 && !json_object_get(errors, "owner_id")) {
        if (!users_works_at(r->db, p->node_path, owner))
            v_error(errors, "owner_id", N_("Choose someone who works at this establishment."));
    }
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    res_t rc = RES_OK;
    if (set_owner)
        rc = prj_set_owner(r->db, r->user->id, req_ip(r), p, s, owner);
    if (rc == RES_OK && has_content)
        rc = prj_write_section(r->db, r->user->id, req_ip(r), p, s, content ? content : "", rev);
    if (rc != RES_OK) {
        prj_load(r->db, r->arena, p->id, p);
        fail(r, p, rc, NULL);
        return;
    }
    s = prj_section(r->db, r->arena, p->id, key, r->lang);
    api_send(r, 200,
             json_pack("{s:s, s:s, s:s, s:o, s:I}", "key", s->key, "title", s->title, "content",
                       s->content ? s->content : "", "owner_id",
                       s->owner_id > 0 ? json_integer(s->owner_id) : json_null(), "rev",
                       (json_int_t)s->rev));
}

void prj_api_status(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p || !api_body_object(r))
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
        fail(r, p, rc, NULL);
        return;
    }
    send_project(r, 200, p->id);
}

void prj_api_validate(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_DIRECT);
    if (!p || !api_body_object(r))
        return;
    static const char *const known[] = {"consultation", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    const char *c = v_long_text(r, errors, "consultation", true, PRJ_CONSULTATION_MAX);
    v_required_message(errors, "consultation",
                       N_("Record how staff, children, families and partners were consulted."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    res_t rc = prj_validate(r->db, r->user->id, req_ip(r), p, c, NULL);
    if (rc != RES_OK) {
        if (rc == RES_CONFLICT && !prj_frozen(p->status))
            app_fail(r, rc, N_("The projet changed meanwhile: reload it and try again."), NULL);
        else
            fail(r, p, rc, NULL);
        return;
    }
    send_project(r, 200, p->id);
}

void prj_api_new_version(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_DIRECT);
    if (!p)
        return;
    res_t rc = prj_new_version(r->db, r->user->id, req_ip(r), p);
    if (rc != RES_OK) {
        app_fail(r, rc,
                 rc == RES_CONFLICT ? N_("Only a validated projet starts a new version.") : NULL,
                 NULL);
        return;
    }
    send_project(r, 201, p->id);
}

void prj_api_versions(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (p)
        api_send(r, 200, json_pack("{s:o}", "items", prj_versions(r, p)));
}

/* ?from=N&to=M (0 or absent: the current text). */
static bool diff_args(req_t *r, const project_t *p, json_t **from, json_t **to, int64_t *nf,
                      int64_t *nt)
{
    const char *f = req_query(r, "from"), *t = req_query(r, "to");
    *nf = 0;
    *nt = 0;
    if ((f && *f && (!str_to_i64(f, nf) || *nf < 0)) || (t && *t && (!str_to_i64(t, nt) || *nt < 0))) {
        app_fail(r, RES_INVALID, N_("Choose two versions of the projet."), NULL);
        return false;
    }
    if (!f || !*f)
        *nf = p->version > 1 ? (prj_frozen(p->status) ? p->version - 1 : p->version - 1) : 0;
    *from = prj_version_text(r, p, *nf);
    *to = prj_version_text(r, p, *nt);
    if (!*from || !*to) {
        json_decref(*from);
        json_decref(*to);
        app_fail(r, RES_NOT_FOUND, N_("This projet has no such version."), NULL);
        return false;
    }
    return true;
}

void prj_api_diff(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    json_t *from, *to;
    int64_t nf, nt;
    if (!p || !diff_args(r, p, &from, &to, &nf, &nt))
        return;
    json_t *sections = prj_diff_model(r, from, to);
    json_decref(from);
    json_decref(to);
    api_send(r, 200, json_pack("{s:o, s:o, s:o}", "from", nf ? json_integer(nf) : json_null(), "to",
                               nt ? json_integer(nt) : json_null(), "sections", sections));
}

void prj_api_contribute(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_CONTRIBUTE);
    if (!p || !api_body_object(r))
        return;
    static const char *const known[] = {"section", "kind", "body", NULL};
    static const char *const kinds[] = {"proposal", "comment", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    const char *key = v_text(r, errors, "section", true, 64);
    const char *kind = v_code(r, errors, "kind", true, kinds);
    const char *body = v_long_text(r, errors, "body", true, PRJ_CONTENT_MAX);
    prj_section_t *s = key ? prj_section(r->db, r->arena, p->id, key, r->lang) : NULL;
    if (key && !s)
        v_error(errors, "section", N_("This projet has no such section."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    res_t rc = prj_contribute(r->db, r->user->id, req_ip(r), p, s, kind, body, &id);
    if (rc != RES_OK) {
        fail(r, p, rc, NULL);
        return;
    }
    api_send(r, 201, json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "section", key,
                               "kind", kind, "body", body, "status", "open"));
}

void prj_api_decide(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_CONTRIBUTE);
    if (!p || !api_body_object(r))
        return;
    prj_contrib_t c;
    if (prj_contrib_load(r->db, r->arena, r->ids[1], &c) != 0 || c.project_id != p->id) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    prj_section_t *s = prj_section(r->db, r->arena, p->id, c.section_key, r->lang);
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    if (!s || !prj_may_write_section(r, p, s)) {
        app_fail(r, RES_FORBIDDEN, N_("The section's owner or the director decides on proposals."),
                 NULL);
        return;
    }
    static const char *const known[] = {"decision", "content", NULL};
    static const char *const decisions[] = {"accept", "merge", "decline", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    const char *d = v_code(r, errors, "decision", true, decisions);
    const char *merged = v_long_text(r, errors, "content", str_eq(d, "merge"), PRJ_CONTENT_MAX);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    res_t rc = prj_decide(r->db, r->user->id, req_ip(r), p, &c, d, merged);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("Only an open proposal can be decided.") : NULL,
                 NULL);
        return;
    }
    prj_contrib_load(r->db, r->arena, c.id, &c);
    api_send(r, 200, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c.id, "section",
                               c.section_key, "status", c.status));
}

bool prj_meeting_read(req_t *r, json_t *errors, prj_meeting_input_t *in)
{
    memset(in, 0, sizeof *in);
    in->held_on = v_text(r, errors, "held_on", true, 10);
    if (in->held_on && *in->held_on && !iso_day_valid(in->held_on))
        v_error(errors, "held_on", N_("Enter a date as YYYY-MM-DD."));
    in->topic = v_text(r, errors, "topic", true, PRJ_TITLE_MAX);
    in->staff = v_int(r, errors, "staff", false, 0, 100000, 0);
    in->children = v_int(r, errors, "children", false, 0, 100000, 0);
    in->families = v_int(r, errors, "families", false, 0, 100000, 0);
    in->partners = v_int(r, errors, "partners", false, 0, 100000, 0);
    in->note = v_long_text(r, errors, "note", false, PRJ_TEXT_MAX);
    if (!json_object_size(errors) && in->staff + in->children + in->families + in->partners == 0)
        v_error(errors, "staff", N_("Say who took part: at least one person."));
    return json_object_size(errors) == 0;
}

void prj_api_meeting(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p || !api_body_object(r))
        return;
    static const char *const known[] = {"held_on", "topic", "staff", "children", "families",
                                        "partners", "note", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    prj_meeting_input_t in;
    if (!prj_meeting_read(r, errors, &in)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    res_t rc = prj_add_meeting(r->db, r->user->id, req_ip(r), p, &in, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    api_send(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "held_on", in.held_on,
                               "topic", in.topic));
}

void prj_api_strategy(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (p)
        api_send(r, 200, json_pack("{s:o}", "axes", prj_strategy(r, p, true)));
}

void prj_api_strategy_add(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p || !api_body_object(r))
        return;
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    static const char *const kinds[] = {"axis", "objective", "indicator", "sheet", NULL};
    json_t *errors = json_object();
    const char *kind = v_code(r, errors, "kind", true, kinds);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    if (input_present(r, "remove")) {
        int64_t id = v_int(r, errors, "remove", true, 1, INT64_MAX, 0);
        if (json_object_size(errors)) {
            app_fail(r, RES_INVALID, NULL, errors);
            return;
        }
        json_decref(errors);
        res_t rc = prj_strategy_remove(r, p, kind, id);
        if (rc != RES_OK)
            app_fail(r, rc, NULL, NULL);
        else
            api_send(r, 200, json_pack("{s:o}", "axes", prj_strategy(r, p, true)));
        return;
    }
    int64_t id = 0;
    res_t rc = prj_strategy_add(r, p, kind, errors, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, rc == RES_INVALID ? errors : NULL);
        if (rc != RES_INVALID)
            json_decref(errors);
        return;
    }
    json_decref(errors);
    api_send(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "kind", kind));
}

void prj_api_objective_action(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    int64_t action = 0;
    res_t rc = prj_objective_action(r, p, r->ids[1], &action);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    http_add_header(r->http, "Location",
                    arena_printf(r->arena, "/api/v1/actions/%lld", (long long)action));
    api_send(r, 201, json_pack("{s:I, s:I, s:s}", "id", (json_int_t)action, "objective_id",
                               (json_int_t)r->ids[1], "href",
                               arena_printf(r->arena, "/actions/%lld", (long long)action)));
}

void prj_api_pdf(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (!p)
        return;
    const char *lang = req_query(r, "lang");
    if (lang && *lang && !str_in(langs, lang)) {
        json_t *errors = json_object();
        v_error(errors, "lang", N_("Choose one of the proposed values."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    if (!lang || !*lang)
        lang = p->lang;
    int64_t version = 0;
    const char *v = req_query(r, "version");
    if (v && *v && (!str_to_i64(v, &version) || version < 0)) {
        app_fail(r, RES_INVALID, N_("Choose two versions of the projet."), NULL);
        return;
    }
    if (version > 0 && db_query_int(r->db, "SELECT COUNT(*) FROM project_versions WHERE"
                                           " project_id = ? AND number = ?",
                                    PARAMS(P_INT(p->id), P_INT(version)), 0) == 0) {
        app_fail(r, RES_NOT_FOUND, N_("This projet has no such version."), NULL);
        return;
    }
    buf_t out;
    buf_init(&out);
    if (prj_pdf(r, p, lang, version, &out) != 0) {
        buf_free(&out);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    app_send_bytes(r, out.data, out.len, "application/pdf",
                   arena_printf(r->arena, "projet-%lld-v%lld-%s.pdf", (long long)p->id,
                                (long long)(version ? version : p->version), lang));
    buf_free(&out);
}

void prj_api_preview(req_t *r)
{
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    const char *content = v_long_text(r, errors, "content", false, PRJ_CONTENT_MAX);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    api_send(r, 200, json_pack("{s:o}", "blocks",
                               md_blocks(content ? content : "", content ? strlen(content) : 0)));
}
