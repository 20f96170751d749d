/* road_api.c - the roadmap in the JSON API:
 *   GET /api/v1/roadmap?node_id=N   an establishment's steps, or where the
 *       establishments of an association or of the root stand (paged);
 *   PUT /api/v1/roadmap/{eps}/steps/{code}   record a step (status, day,
 *       evidence, link; rev against stale writes). */
#include "road_internal.h"

#include <stdlib.h>
#include <string.h>

json_t *road_step_json(req_t *r, const road_eps_t *rm, int i)
{
    const road_row_t *w = &rm->rows[i];
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(road_steps[i].code));
    json_object_set_new(o, "label", json_string(road_step_label(r, i)));
    json_object_set_new(o, "status", json_string(road_status_code(w->status)));
    json_object_set_new(o, "day", json_str_or_null(w->day));
    json_object_set_new(o, "evidence", json_string(w->evidence ? w->evidence : ""));
    json_object_set_new(o, "link", json_string(w->link ? w->link : ""));
    json_object_set_new(o, "proved_by", json_str_or_null(rm->proof[i]));
    json_object_set_new(o, "proof", rm->proof[i] ? json_string(road_fact_label(r, rm->proof[i])) : json_null());
    json_object_set_new(o, "done", json_boolean(rm->done[i]));
    json_object_set_new(o, "rev", json_integer(w->id ? w->rev : 0));
    json_object_set_new(o, "updated_by", w->updated_by ? json_integer(w->updated_by) : json_null());
    json_object_set_new(o, "updated_at", json_integer(w->updated_at));
    static const char *const times[] = {"updated_at", NULL};
    api_times_iso(o, times);
    return o;
}

static json_t *eps_json(req_t *r, const node_t *eps, const road_eps_t *rm)
{
    json_t *steps = json_array();
    for (int i = 0; i < ROAD_NSTEPS; i++)
        json_array_append_new(steps, road_step_json(r, rm, i));
    return json_pack("{s:I, s:s, s:o, s:o, s:i, s:i, s:b}", "node_id", (json_int_t)eps->id, "name",
                     eps->name, "steps", steps, "current",
                     rm->current < ROAD_NSTEPS ? json_string(road_steps[rm->current].code) : json_null(),
                     "done", rm->n_done, "total", ROAD_NSTEPS, "can_edit", road_may_edit(r, eps->path));
}

/* ?node_id=, or the reader's own scope (the highest node where they read
 * quality work, else their establishment). 0 with the answer sent. */
static int64_t node_param(req_t *r)
{
    const char *s = req_query(r, "node_id");
    int64_t id = 0;
    if (s) {
        if (!str_to_i64(s, &id) || id <= 0) {
            json_t *errors = json_pack("{s:s}", "node_id", N_("Enter a whole number."));
            app_fail(r, RES_INVALID, NULL, errors);
            return 0;
        }
    } else {
        int64_t eps = 0;
        id = road_default_scope(r, &eps);
        if (!id)
            id = eps;
        if (!id) {
            app_fail(r, RES_FORBIDDEN, N_("You read the quality work of no establishment."), NULL);
            return 0;
        }
    }
    if (!app_require(r, PERM_QUALITY_READ, id))
        return 0;
    return id;
}

static void send_scope(req_t *r, const node_t *scope)
{
    json_t *errors = json_object();
    int64_t limit = 50, offset = 0;
    v_paging(r, errors, &limit, &offset);
    const char *step = req_query(r, "step");
    int want = step ? road_current_parse(step) : -1;
    if (step && want < 0)
        v_error(errors, "step", N_("Choose a value from the list."));
    if (json_object_size(errors) > 0) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    road_board_t b;
    if (road_board(r->db, r->arena, scope->path, &b) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    int64_t by_step[ROAD_NSTEPS + 1];
    road_board_counts(b.lines, b.n, by_step);
    json_t *counts = json_object();
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        json_object_set_new(counts, road_current_code(i), json_integer(by_step[i]));
    json_t *items = json_array();
    int64_t matched = 0;
    for (size_t k = 0; k < b.n; k++) {
        const road_line_t *l = &b.lines[k];
        if (step && l->current != want)
            continue;
        if (matched++ < offset || (int64_t)json_array_size(items) >= limit)
            continue;
        json_array_append_new(items, json_pack("{s:I, s:s, s:o, s:i}", "id", (json_int_t)l->eps->id, "name",
                                               l->eps->name, "current",
                                               l->current < ROAD_NSTEPS
                                                   ? json_string(road_steps[l->current].code)
                                                   : json_null(),
                                               "done", l->n_done));
    }
    api_send(r, 200, json_pack("{s:I, s:s, s:I, s:o, s:I, s:o, s:I, s:I}", "node_id", (json_int_t)scope->id,
                               "kind", node_kind_code(scope->kind), "total_eps", (json_int_t)b.n, "by_step",
                               counts, "matched", (json_int_t)matched, "eps", items, "limit",
                               (json_int_t)limit, "offset", (json_int_t)offset));
}

void road_api_get(req_t *r)
{
    int64_t id = node_param(r);
    if (!id)
        return;
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0 || n.kind == NODE_UNIT) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (n.kind != NODE_EPS) {
        send_scope(r, &n);
        return;
    }
    road_eps_t rm;
    if (road_load(r->db, r->arena, n.id, n.path, &rm) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_send(r, 200, eps_json(r, &n, &rm));
}

void road_api_put_step(req_t *r)
{
    node_t *eps = road_eps_of_route(r);
    if (!eps)
        return;
    int step = road_step_index(strrchr(r->path, '/') + 1);
    if (step < 0) {
        app_fail(r, RES_NOT_FOUND, N_("There is no such step in the roadmap."), NULL);
        return;
    }
    if (!road_may_edit(r, eps->path)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only the director or the quality referent of the establishment, or an administrator or "
                    "quality advisor over it, may change its roadmap."),
                 NULL);
        return;
    }
    /* the body is judged after the place and the right to change it */
    if (!api_body_object(r))
        return;
    road_eps_t rm;
    if (road_load(r->db, r->arena, eps->id, eps->path, &rm) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *errors = json_object();
    static const char *const known[] = {"status", "day", "evidence", "link", "rev", NULL};
    v_unknown_fields(r, errors, known);
    int64_t rev = v_int(r, errors, "rev", false, 0, INT32_MAX, 0);
    road_input_t in;
    road_read_input(r, &rm.rows[step], errors, &in);
    if (json_object_size(errors) > 0) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    res_t rc = road_write(r->db, r->user->id, req_ip(r), eps, step, &in, rev);
    if (rc == RES_CONFLICT) {
        app_fail(r, RES_CONFLICT, N_("Someone changed this step meanwhile: read it again before changing it."), NULL);
        return;
    }
    if (rc != RES_OK || road_load(r->db, r->arena, eps->id, eps->path, &rm) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = road_step_json(r, &rm, step);
    json_object_set_new(o, "current", rm.current < ROAD_NSTEPS ? json_string(road_steps[rm.current].code)
                                                                : json_null());
    json_object_set_new(o, "steps_done", json_integer(rm.n_done));
    api_send(r, 200, o);
}
