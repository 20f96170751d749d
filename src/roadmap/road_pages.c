/* road_pages.c - the roadmap's pages: /roadmap (a reader of a network gets
 * the view of their scope, the people of an establishment its roadmap),
 * /roadmap/{eps} (the steps as a timeline, with a form per step for those
 * who may change them) and /roadmap/{eps}/steps/{code} (one step's form,
 * where a refused change comes back with its errors). */
#include "road_internal.h"

#include <string.h>

static const char *step_tone(const road_eps_t *rm, int i)
{
    if (rm->done[i])
        return "ok";
    return rm->rows[i].status == ROAD_IN_PROGRESS ? "info" : "neutral";
}

static const char *shown_status(req_t *r, const road_eps_t *rm, int i)
{
    if (rm->done[i])
        return T(r, N_("road_status.done"));
    return T(r, arena_printf(r->arena, "road_status.%s", road_status_code(rm->rows[i].status)));
}

static json_t *status_options(req_t *r, road_status_t selected)
{
    json_t *o = json_array();
    for (int s = 0; s <= ROAD_DONE; s++)
        json_array_append_new(o, json_pack("{s:s, s:s, s:b}", "code", road_status_codes[s], "label",
                                           T(r, arena_printf(r->arena, "road_status.%s", road_status_codes[s])),
                                           "selected", (road_status_t)s == selected));
    return o;
}

static json_t *stored_values(const road_row_t *w)
{
    return json_pack("{s:s, s:s, s:s}", "day", w->day ? w->day : "", "evidence", w->evidence ? w->evidence : "",
                     "link", w->link ? w->link : "");
}

/* Who changed a step last and when ("" when nobody did). */
static void who_when(req_t *r, const road_row_t *w, json_t *o)
{
    const char *href = NULL;
    const char *who = w->updated_by ? app_entity_name(r, "user", w->updated_by, &href) : NULL;
    char d[32] = "";
    if (w->updated_at > 0)
        format_local_date(w->updated_at, d, sizeof d);
    json_object_set_new(o, "who", json_str_or_null(who));
    json_object_set_new(o, "when", json_string(d));
    /* rows road_open wrote untouched ("to do") say nothing of anybody */
    json_object_set_new(o, "has_update", json_boolean(w->id && w->updated_at > 0 &&
                                                      (w->rev > 1 || w->status != ROAD_TODO || *w->evidence)));
}

json_t *road_eps_model(req_t *r, const node_t *eps, const road_eps_t *rm, bool can_edit)
{
    json_t *steps = json_array();
    for (int i = 0; i < ROAD_NSTEPS; i++) {
        const road_row_t *w = &rm->rows[i];
        json_t *s = json_object();
        json_object_set_new(s, "code", json_string(road_steps[i].code));
        json_object_set_new(s, "number", json_integer(i + 1));
        json_object_set_new(s, "label", json_string(road_step_label(r, i)));
        json_object_set_new(s, "hint", json_string(T(r, road_steps[i].hint)));
        json_object_set_new(s, "done", json_boolean(rm->done[i]));
        json_object_set_new(s, "current", json_boolean(rm->current == i));
        json_object_set_new(s, "in_progress", json_boolean(!rm->done[i] && w->status == ROAD_IN_PROGRESS));
        json_object_set_new(s, "tone", json_string(step_tone(rm, i)));
        json_object_set_new(s, "status_label", json_string(shown_status(r, rm, i)));
        json_object_set_new(s, "proved", json_boolean(rm->proof[i] != NULL));
        json_object_set_new(s, "proof_label", json_string(rm->proof[i] ? road_fact_label(r, rm->proof[i]) : ""));
        /* proved, while people recorded something else: say what they recorded */
        bool differs = rm->proof[i] && w->id && w->status == ROAD_IN_PROGRESS;
        json_object_set_new(s, "recorded", differs ? json_string(T(r, arena_printf(r->arena, "road_status.%s",
                                                                                    road_status_code(w->status))))
                                                   : json_null());
        json_object_set_new(s, "day_text", json_string(road_day_text(r, w->day)));
        json_object_set_new(s, "has_day", json_boolean(w->day != NULL));
        json_object_set_new(s, "evidence", json_string(w->evidence ? w->evidence : ""));
        json_object_set_new(s, "link", json_string(w->link ? w->link : ""));
        json_object_set_new(s, "has_link", json_boolean(w->link && *w->link));
        who_when(r, w, s);
        bool fact_known = road_steps[i].fact && app_fact(road_steps[i].fact);
        json_object_set_new(s, "has_how", json_boolean(fact_known && !rm->done[i]));
        json_object_set_new(s, "how_label", json_string(road_steps[i].how ? T(r, road_steps[i].how) : ""));
        json_object_set_new(s, "how_href", json_string(road_how_href(r, i, eps->id)));
        json_object_set_new(s, "fact_label",
                            json_string(fact_known ? road_fact_label(r, road_steps[i].fact) : ""));
        json_object_set_new(s, "has_fact", json_boolean(fact_known));
        json_object_set_new(s, "action", json_string(arena_printf(r->arena, "/roadmap/%lld/steps/%s",
                                                                  (long long)eps->id, road_steps[i].code)));
        json_object_set_new(s, "prefix", json_string(arena_printf(r->arena, "f-%s-", road_steps[i].code)));
        json_object_set_new(s, "status_options", status_options(r, w->status));
        json_object_set_new(s, "values", stored_values(w));
        json_object_set_new(s, "errors", json_object());
        json_object_set_new(s, "rev", json_integer(w->id ? w->rev : 0));
        json_array_append_new(steps, s);
    }
    json_t *m = json_object();
    const char *name = nodes_display_name(r, eps->name, eps->name_ar);
    json_object_set_new(m, "title", json_string(T(r, N_("Quality roadmap"))));
    json_object_set_new(m, "eps_name", json_string(name));
    json_object_set_new(m, "eps_href", app_can_at_path(r, PERM_ORG_READ, eps->path)
                                           ? json_string(nodes_href(r, eps->id))
                                           : json_null());
    json_object_set_new(m, "steps", steps);
    json_object_set_new(m, "n_done", json_integer(rm->n_done));
    json_object_set_new(m, "total", json_integer(ROAD_NSTEPS));
    json_object_set_new(m, "percent", json_integer(rm->n_done * 100 / ROAD_NSTEPS));
    json_object_set_new(m, "complete", json_boolean(rm->current == ROAD_COMPLETE));
    json_object_set_new(m, "current_label", json_string(road_step_label(r, rm->current)));
    json_object_set_new(m, "can_edit", json_boolean(can_edit));
    json_object_set_new(m, "api_href", json_string(arena_printf(r->arena, "/api/v1/roadmap?node_id=%lld",
                                                                (long long)eps->id)));
    json_t *crumbs = json_array();
    int64_t eps_home = 0;
    if (road_default_scope(r, &eps_home))
        json_array_append_new(crumbs, json_pack("{s:s, s:s}", "label", T(r, N_("Quality roadmap")), "href",
                                                "/roadmap"));
    json_object_set_new(m, "crumbs", crumbs);
    return m;
}

/* An establishment's roadmap page. */
static void eps_page(req_t *r, const node_t *n)
{
    road_eps_t rm;
    if (road_load(r->db, r->arena, n->id, n->path, &rm) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_render(r, 200, "roadmap/show", road_eps_model(r, n, &rm, road_may_edit(r, n->path)));
}

/* GET /roadmap: the view of the reader's scope (?node_id= another node they
 * read), or, for the people of an establishment, its roadmap (the page of
 * /roadmap/{id}, shown here: the menu's entry opens it at once). */
void road_page_index(req_t *r)
{
    const char *s = req_query(r, "node_id");
    int64_t id = 0, eps = 0;
    if (s && (!str_to_i64(s, &id) || id <= 0)) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!s)
        id = road_default_scope(r, &eps);
    if (!id && eps) {
        node_t n;
        if (!app_require(r, PERM_QUALITY_READ, eps))
            return;
        if (nodes_load(r->db, r->arena, eps, &n) != 0 || n.kind != NODE_EPS) {
            app_fail(r, RES_NOT_FOUND, NULL, NULL);
            return;
        }
        eps_page(r, &n);
        return;
    }
    if (!id) {
        app_fail(r, RES_FORBIDDEN, N_("You read the quality work of no establishment."), NULL);
        return;
    }
    if (!app_require(r, PERM_QUALITY_READ, id))
        return;
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0 || n.kind == NODE_UNIT) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (n.kind == NODE_EPS) {
        http_redirect(r->http, arena_printf(r->arena, "/roadmap/%lld", (long long)n.id));
        return;
    }
    road_page_national(r, &n);
}

/* GET /roadmap/{id}: an establishment's roadmap (an association or the
 * root: its view). */
void road_page_eps(req_t *r)
{
    node_t n;
    if (nodes_load(r->db, r->arena, r->ids[0], &n) != 0 || n.kind == NODE_UNIT) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (n.kind != NODE_EPS) {
        http_redirect(r->http, arena_printf(r->arena, "/roadmap?node_id=%lld", (long long)n.id));
        return;
    }
    eps_page(r, &n);
}

/* The page of one step's form, with what was typed and its errors. */
static void step_page(req_t *r, int status, const node_t *eps, const road_eps_t *rm, int step,
                      json_t *errors, road_status_t selected)
{
    json_t *m = json_object();
    const char *name = nodes_display_name(r, eps->name, eps->name_ar);
    json_object_set_new(m, "title", json_string(road_step_label(r, step)));
    json_object_set_new(m, "eps_name", json_string(name));
    json_object_set_new(m, "hint", json_string(T(r, road_steps[step].hint)));
    json_object_set_new(m, "proved", json_boolean(rm->proof[step] != NULL));
    json_object_set_new(m, "proof_label", json_string(rm->proof[step] ? road_fact_label(r, rm->proof[step]) : ""));
    json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}]", "label", T(r, N_("Quality roadmap")), "href",
                                               arena_printf(r->arena, "/roadmap/%lld", (long long)eps->id)));
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/roadmap/%lld/steps/%s",
                                                              (long long)eps->id, road_steps[step].code)));
    json_object_set_new(m, "back", json_string(arena_printf(r->arena, "/roadmap/%lld#step-%s", (long long)eps->id,
                                                            road_steps[step].code)));
    json_object_set_new(m, "prefix", json_string("f-"));
    json_object_set_new(m, "status_options", status_options(r, selected));
    json_object_set_new(m, "rev", json_integer(rm->rows[step].id ? rm->rows[step].rev : 0));
    if (!errors)
        json_object_set_new(m, "values", stored_values(&rm->rows[step]));
    model_form_errors_take(r, m, errors);
    page_render(r, status, "roadmap/step", m);
}

/* The EPS and the step of /roadmap/{id}/steps/{code}, for someone who may
 * change it (404 / 403 sent otherwise). */
static bool step_of_route(req_t *r, node_t **eps, int *step, road_eps_t *rm)
{
    *eps = road_eps_of_route(r);
    if (!*eps)
        return false;
    *step = road_step_index(strrchr(r->path, '/') + 1);
    if (*step < 0) {
        app_fail(r, RES_NOT_FOUND, N_("There is no such step in the roadmap."), NULL);
        return false;
    }
    if (!road_may_edit(r, (*eps)->path)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only the director or the quality referent of the establishment, or an administrator or "
                    "quality advisor over it, may change its roadmap."),
                 NULL);
        return false;
    }
    if (road_load(r->db, r->arena, (*eps)->id, (*eps)->path, rm) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return false;
    }
    return true;
}

void road_page_step(req_t *r)
{
    node_t *eps;
    int step;
    road_eps_t rm;
    if (step_of_route(r, &eps, &step, &rm))
        step_page(r, 200, eps, &rm, step, NULL, rm.rows[step].status);
}

void road_page_step_save(req_t *r)
{
    node_t *eps;
    int step;
    road_eps_t rm;
    if (!step_of_route(r, &eps, &step, &rm))
        return;
    json_t *errors = json_object();
    int64_t rev = v_int(r, errors, "rev", false, 0, INT32_MAX, 0);
    road_input_t in;
    if (!road_read_input(r, &rm.rows[step], errors, &in)) {
        step_page(r, 422, eps, &rm, step, errors, in.status);
        return;
    }
    json_decref(errors);
    res_t rc = road_write(r->db, r->user->id, req_ip(r), eps, step, &in, rev);
    if (rc == RES_CONFLICT) {
        app_fail(r, RES_CONFLICT, N_("Someone changed this step meanwhile: read it again before changing it."), NULL);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/roadmap/%lld#step-%s", (long long)eps->id, road_steps[step].code),
                        N_("The step is saved."));
}
