/* plan_api.c - the improvement plan's JSON API: actions (list with the
 * filters of the pages, create, one action, change it with PATCH - fields
 * and status together -, comments), exports of any filtered list, the
 * summaries, and the adoptions of an EPS's plan. Dates without a time are
 * YYYY-MM-DD both ways; codes are lower case. */
#include "plan_internal.h"

#include <string.h>

static const char *const act_times[] = {"created_at", "updated_at", NULL};

static const char *today_str(req_t *r)
{
    char *d = arena_alloc(r->arena, 11);
    iso_day_local(now_utc(), d);
    return d;
}

static json_t *day_or_null(const char *d) { return d && *d ? json_string(d) : json_null(); }

json_t *act_json(req_t *r, const action_t *a, bool full)
{
    const char *today = today_str(r);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "node_id", json_integer(a->node_id));
    json_object_set_new(o, "unit_id", a->unit_id > 0 ? json_integer(a->unit_id) : json_null());
    json_object_set_new(o, "title", json_string(a->title));
    json_object_set_new(o, "origin", json_string(a->origin));
    json_object_set_new(o, "origin_label", json_str_or_null(a->origin_label));
    json_object_set_new(o, "campaign_id", a->campaign_id > 0 ? json_integer(a->campaign_id) : json_null());
    json_object_set_new(o, "criterion", json_str_or_null(a->item_code));
    json_object_set_new(o, "follows_id", a->follows_id > 0 ? json_integer(a->follows_id) : json_null());
    json_object_set_new(o, "theme", json_string(a->theme ? a->theme : ""));
    json_object_set_new(o, "owner_id", a->owner_id > 0 ? json_integer(a->owner_id) : json_null());
    json_object_set_new(o, "start_date", day_or_null(a->start_date));
    json_object_set_new(o, "due_date", day_or_null(a->due_date));
    json_object_set_new(o, "impact", json_integer(a->impact));
    json_object_set_new(o, "effort", json_integer(a->effort));
    json_object_set_new(o, "priority", json_string(act_priority_codes[a->priority >= 0 && a->priority < 3 ? a->priority : 1]));
    json_object_set_new(o, "status", json_string(act_status_code(a->status)));
    json_object_set_new(o, "progress", json_integer(a->progress));
    json_object_set_new(o, "overdue", json_boolean(act_status_open(a->status) && a->due_date &&
                                                   *a->due_date && strcmp(a->due_date, today) < 0));
    json_object_set_new(o, "done_date", day_or_null(a->done_date));
    json_object_set_new(o, "delay_days", a->has_delay ? json_integer(a->delay_days) : json_null());
    json_object_set_new(o, "version", json_integer(a->rev));
    json_object_set_new(o, "created_at", json_integer(a->created_at));
    json_object_set_new(o, "updated_at", json_integer(a->updated_at));
    if (!full)
        return o;
    json_object_set_new(o, "description", json_string(a->description ? a->description : ""));
    json_object_set_new(o, "expected_result", json_string(a->expected_result ? a->expected_result : ""));
    json_object_set_new(o, "check_method", json_string(a->check_method ? a->check_method : ""));
    json_object_set_new(o, "check",
                        a->check_date ? json_pack("{s:s, s:o, s:o}", "date", a->check_date,
                                                  "result", json_str_or_null(a->check_result),
                                                  "comment", json_str_or_null(a->check_comment))
                                      : json_null());
    json_object_set_new(o, "cancel_reason", json_str_or_null(a->cancel_reason));
    size_t n = 0;
    int64_t *ids = act_contributors(r->db, r->arena, a->id, &n);
    json_t *c = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(c, json_integer(ids[i]));
    json_object_set_new(o, "contributors", c);
    json_t *follow = db_query_json(r->db, "SELECT id FROM actions WHERE follows_id = ? ORDER BY id",
                                   PARAMS(P_INT(a->id)));
    json_t *fids = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(follow, i, v) json_array_append(fids, json_object_get(v, "id"));
    json_decref(follow);
    json_object_set_new(o, "follow_ups", fids);
    act_access_t acc = act_access(r, a);
    act_status_t next[ACT__COUNT];
    size_t nn = acc >= ACCESS_WORK ? act_transitions(a->status, acc == ACCESS_MANAGE, next) : 0;
    json_t *t = json_array();
    for (size_t k = 0; k < nn; k++)
        json_array_append_new(t, json_string(act_status_code(next[k])));
    json_object_set_new(o, "transitions", t);
    json_t *comments = db_query_json(r->db,
                                     "SELECT id, author_id, body, created_at FROM action_comments"
                                     " WHERE action_id = ? ORDER BY id LIMIT 500",
                                     PARAMS(P_INT(a->id)));
    static const char *const ctimes[] = {"created_at", NULL};
    api_times_iso(comments, ctimes);
    json_object_set_new(o, "comments", comments ? comments : json_array());
    return o;
}

static void send_action(req_t *r, int status, int64_t id)
{
    action_t a;
    if (act_load(r->db, r->arena, id, &a) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = act_json(r, &a, true);
    api_times_iso(o, act_times);
    if (status == 201)
        http_add_header(r->http, "Location",
                        arena_printf(r->arena, "/api/v1/actions/%lld", (long long)id));
    api_send(r, status, o);
}

/* --- The list ------------------------------------------------------------- */

void plan_api_list(req_t *r)
{
    json_t *errors = json_object();
    act_filter_t f;
    act_filter_read(r, errors, &f);
    int64_t limit, offset;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    size_t n = 0;
    int64_t total = 0;
    action_t *rows = act_query(r, &f, limit, offset, &n, &total);
    if (!rows || total < 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, act_json(r, &rows[i], false));
    api_times_iso(items, act_times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

void plan_api_summary(req_t *r)
{
    json_t *errors = json_object();
    act_filter_t f;
    act_filter_read(r, errors, &f);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    json_t *total = NULL;
    json_t *items = plan_summary(r, &f, false, &total);
    if (!items) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_send(r, 200, json_pack("{s:o, s:o}", "items", items, "total", total));
}

/* --- Creating ------------------------------------------------------------- */

static const char *const create_fields[] = {
    "node_id", "unit_id", "title", "description", "origin", "origin_label", "campaign_id",
    "criterion", "theme", "owner_id", "contributors", "start_date", "due_date", "impact",
    "effort", "status", "progress", "expected_result", "check_method", NULL};

/* The EPS of a new action, and whether the reader may create there: 404
 * outside the reader's scope, 403 for those who only read. NULL after
 * answering. */
static node_t *creation_eps(req_t *r, int64_t node_id, json_t *errors)
{
    char *path = node_id > 0 ? app_node_path(r->db, node_id) : NULL;
    bool known = path && (app_can_at_path(r, PERM_QUALITY_READ, path) || plan_works_at(r, path));
    bool works = known && plan_works_at(r, path);
    free(path);
    if (!known) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    node_t *eps = arena_alloc(r->arena, sizeof *eps);
    if (nodes_load(r->db, r->arena, node_id, eps) != 0 || eps->kind != NODE_EPS) {
        v_error(errors, "node_id", N_("An action belongs to an establishment."));
        app_fail(r, RES_INVALID, NULL, errors);
        return NULL;
    }
    if (!works) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 N_("Actions are created by the people of the establishment: its director, "
                    "quality referent and staff."),
                 NULL);
        return NULL;
    }
    return eps;
}

/* The origin's link: a campaign of the same EPS and one of its criteria. */
static bool check_origin(req_t *r, const node_t *eps, act_input_t *in, json_t *errors)
{
    if (in->campaign_id <= 0) {
        if (in->criterion)
            v_error(errors, "criterion", N_("A criterion is named with its self-assessment (campaign_id)."));
        in->campaign_id = 0;
        return !in->criterion;
    }
    if (db_query_int(r->db, "SELECT node_id FROM campaigns WHERE id = ?",
                     PARAMS(P_INT(in->campaign_id)), 0) != eps->id) {
        v_error(errors, "campaign_id", N_("Choose a self-assessment of this establishment."));
        return false;
    }
    if (in->criterion &&
        db_query_int(r->db, "SELECT COUNT(*) FROM campaign_criteria WHERE campaign_id = ? AND code = ?",
                     PARAMS(P_INT(in->campaign_id), P_TEXT(in->criterion)), 0) == 0) {
        v_error(errors, "criterion", N_("This criterion is not one of the self-assessment's."));
        return false;
    }
    return true;
}

void plan_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, create_fields);
    json_t *jn = json_object_get(r->json, "node_id");
    if (!json_is_integer(jn) || json_integer_value(jn) <= 0) {
        v_error(errors, "node_id", N_("Give the establishment of the action (node_id)."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    node_t *eps = creation_eps(r, json_integer_value(jn), errors);
    if (!eps)
        return;
    act_input_t in;
    act_input_read(r, errors, &in, true);
    if (!json_object_size(errors))
        check_origin(r, eps, &in, errors);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    bool manager = plan_is_manager(r, eps->path);
    if (!manager && in.owner_id < 0)
        in.owner_id = r->user->id; /* staff propose what they will carry */
    int64_t id = 0;
    res_t rc = act_create(r->db, r->arena, r->user->id, req_ip(r), eps, &in, manager, errors, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, rc == RES_INVALID ? errors : NULL);
        if (rc != RES_INVALID)
            json_decref(errors);
        return;
    }
    json_decref(errors);
    send_action(r, 201, id);
}

/* --- One action ------------------------------------------------------------ */

void plan_api_get(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_READ);
    if (!a)
        return;
    json_t *o = act_json(r, a, true);
    api_times_iso(o, act_times);
    api_send(r, 200, o);
}

void plan_fail_transition(req_t *r, const action_t *act, bool manager, const char *msgid)
{
    act_status_t next[ACT__COUNT];
    size_t n = act_transitions(act->status, manager, next);
    json_t *allowed = json_array();
    buf_t b;
    buf_init(&b);
    for (size_t k = 0; k < n; k++) {
        json_array_append_new(allowed, json_string(act_status_code(next[k])));
        buf_printf(&b, "%s%s", k ? ", " : "",
                   T(r, arena_printf(r->arena, "act_status.%s", act_status_code(next[k]))));
    }
    const char *from = T(r, arena_printf(r->arena, "act_status.%s", act_status_code(act->status)));
    const char *text =
        n ? text_fill_strings(r->arena, T(r, N_("From “%s”, the action may go to: %s.")),
                              (const char *[]){from, b.data}, 2)
          : text_fill_strings(r->arena, T(r, N_("“%s” is a final status: the action does not change any more.")),
                              (const char *[]){from}, 1);
    buf_free(&b);
    if (r->is_api) {
        json_t *err = json_pack("{s:s, s:s, s:s, s:o, s:s}", "code", "conflict", "message",
                                arena_printf(r->arena, "%s %s", T(r, msgid), text), "status",
                                act_status_code(act->status), "allowed", allowed, "hint", text);
        api_send(r, 409, json_pack("{s:o}", "error", err));
        return;
    }
    json_decref(allowed);
    respond_error(r, 409, "conflict", msgid, NULL);
}

static const char *const patch_fields[] = {
    "title", "description", "origin", "origin_label", "theme", "unit_id", "owner_id",
    "contributors", "start_date", "due_date", "impact", "effort", "status", "progress",
    "expected_result", "check_method", "reason", "check_date", "check_comment", "follow_up_title",
    "follow_up_due", "version", NULL};

void plan_api_patch(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_WORK);
    if (!a || !api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, patch_fields);
    act_input_t in;
    act_input_read(r, errors, &in, false);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    bool manager = act_access(r, a) == ACCESS_MANAGE;
    const char *msgid = NULL;
    int64_t follow = 0;
    res_t rc = act_update(r->db, r->arena, r->user->id, req_ip(r), a, &in, manager, errors,
                          &msgid, &follow);
    if (rc == RES_CONFLICT && in.status && !act_transition_exists(a->status, act_status_from_code(in.status))) {
        json_decref(errors);
        plan_fail_transition(r, a, manager, msgid);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, rc == RES_INVALID ? errors : NULL);
        if (rc != RES_INVALID)
            json_decref(errors);
        return;
    }
    json_decref(errors);
    send_action(r, 200, a->id);
}

void plan_api_comment(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_WORK);
    if (!a || !api_body_object(r))
        return;
    json_t *errors = json_object();
    static const char *const fields[] = {"body", NULL};
    v_unknown_fields(r, errors, fields);
    const char *body = v_long_text(r, errors, "body", true, ACT_COMMENT_MAX);
    v_required_message(errors, "body", N_("Write the comment."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    if (act_comment(r->db, r->user->id, req_ip(r), a, body) != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *c = db_query_row_json(r->db,
                                  "SELECT id, action_id, author_id, body, created_at FROM"
                                  " action_comments WHERE action_id = ? ORDER BY id DESC LIMIT 1",
                                  PARAMS(P_INT(a->id)));
    static const char *const ctimes[] = {"created_at", NULL};
    api_times_iso(c, ctimes);
    api_send(r, 201, c ? c : json_object());
}

/* --- Files ----------------------------------------------------------------------- */

void plan_api_files(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_READ);
    if (!a)
        return;
    json_t *items = attach_list_page(r, "action", a->id, 200, 0);
    static const char *const t[] = {"created_at", NULL};
    api_times_iso(items, t);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                               (json_int_t)attach_count(r->db, "action", a->id)));
}

void plan_api_upload(req_t *r)
{
    action_t *a = plan_route_action(r, ACCESS_WORK);
    if (!a)
        return;
    const http_file_t *f = http_file(r->http, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    res_t rc = attach_store(r->db, a->node_id, "action", a->id, f, r->user->id, req_ip(r), &id, &msgid);
    if (rc == RES_INVALID) {
        bool big = f && f->len > ATTACH_MAX_BYTES;
        respond_error(r, big ? 413 : 422, big ? "too_large" : "invalid",
                      msgid ? msgid : N_("Choose a file to send."),
                      json_pack("{s:s}", "file", msgid ? msgid : N_("Choose a file to send.")));
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, NULL);
        return;
    }
    json_t *o = db_query_row_json(r->db,
                                  "SELECT id, node_id, owner_kind, owner_id, filename, content_type,"
                                  " size, sha256, created_by, created_at FROM attachments WHERE id = ?",
                                  PARAMS(P_INT(id)));
    static const char *const t[] = {"created_at", NULL};
    api_times_iso(o, t);
    api_send(r, 201, o ? o : json_object());
}

/* --- Exports ------------------------------------------------------------------ */

static bool export_filters(req_t *r, act_filter_t *f)
{
    json_t *errors = json_object();
    act_filter_read(r, errors, f);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return false;
    }
    json_decref(errors);
    return true;
}

void plan_api_export_csv(req_t *r)
{
    act_filter_t f;
    if (export_filters(r, &f))
        plan_send_csv(r, &f);
}

void plan_api_export_xlsx(req_t *r)
{
    act_filter_t f;
    if (export_filters(r, &f))
        plan_send_xlsx(r, &f);
}

/* --- The plan's adoptions -------------------------------------------------- */

static json_t *adoptions_json(req_t *r, int64_t eps_id)
{
    json_t *rows = db_query_json(r->db,
                                 "SELECT id, node_id, adopted_by, adopted_at, adopted_on, note,"
                                 " n_actions FROM plan_adoptions WHERE node_id = ? ORDER BY id DESC",
                                 PARAMS(P_INT(eps_id)));
    static const char *const t[] = {"adopted_at", NULL};
    api_times_iso(rows, t);
    return rows ? rows : json_array();
}

void plan_api_adoptions(req_t *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "node_id", json_integer(r->ids[0]));
    json_object_set_new(o, "adoptions", adoptions_json(r, r->ids[0]));
    json_t *last = db_query_row_json(r->db,
                                     "SELECT snapshot FROM plan_adoptions WHERE node_id = ?"
                                     " ORDER BY id DESC LIMIT 1",
                                     PARAMS(P_INT(r->ids[0])));
    json_t *snap = last ? json_loads(json_string_value(json_object_get(last, "snapshot")), 0, NULL) : NULL;
    json_decref(last);
    json_object_set_new(o, "adopted_actions", snap ? snap : json_null());
    api_send(r, 200, o);
}

void plan_api_adopt(req_t *r)
{
    if (!api_body_object(r))
        return;
    node_t eps;
    if (nodes_load(r->db, r->arena, r->ids[0], &eps) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!plan_is_director(r, eps.path)) {
        app_fail(r, RES_FORBIDDEN, N_("The director of the establishment adopts its improvement plan."),
                 NULL);
        return;
    }
    json_t *errors = json_object();
    static const char *const fields[] = {"note", NULL};
    v_unknown_fields(r, errors, fields);
    const char *note = v_long_text(r, errors, "note", false, ACT_TEXT_MAX);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    if (plan_adopt(r->db, r->user->id, req_ip(r), &eps, note, &id) != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = db_query_row_json(r->db,
                                  "SELECT id, node_id, adopted_by, adopted_at, adopted_on, note,"
                                  " n_actions, snapshot FROM plan_adoptions WHERE id = ?",
                                  PARAMS(P_INT(id)));
    json_t *snap = json_loads(json_string_value(json_object_get(o, "snapshot")), 0, NULL);
    json_object_set_new(o, "actions", snap ? snap : json_array());
    json_object_del(o, "snapshot");
    static const char *const t[] = {"adopted_at", NULL};
    api_times_iso(o, t);
    api_send(r, 201, o);
}
