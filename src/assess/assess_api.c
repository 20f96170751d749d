/* assess_api.c - the campaigns' JSON API: list, create, one campaign with its
 * ratings, the workflow, a criterion's rating (PUT, version-checked),
 * results (JSON, CSV, XLSX) and proposals. Dates without a time are
 * YYYY-MM-DD both ways. */
#include "assess_internal.h"

#include <string.h>

json_t *camp_json(req_t *r, const campaign_t *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "node_id", json_integer(c->node_id));
    json_object_set_new(o, "referentiel_id", json_integer(c->referentiel_id));
    json_object_set_new(o, "title", json_string(c->title));
    json_object_set_new(o, "period_start", json_string(c->period_start));
    json_object_set_new(o, "period_end", json_string(c->period_end));
    json_object_set_new(o, "status", json_string(camp_status_code(c->status)));
    json_t *methods = json_array();
    ref_list_t l = {0};
    (void)l;
    if (!str_empty(c->methods)) {
        char *copy = arena_strdup(r->arena, c->methods), *save = NULL;
        for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save))
            json_array_append_new(methods, json_string(t));
    }
    json_object_set_new(o, "methods", methods);
    json_object_set_new(o, "participants",
                        json_pack("{s:I,s:I,s:I,s:I}", "staff", (json_int_t)c->p_staff, "children",
                                  (json_int_t)c->p_children, "families", (json_int_t)c->p_families,
                                  "partners", (json_int_t)c->p_partners));
    json_object_set_new(o, "criteria", json_integer(c->n_criteria));
    json_object_set_new(o, "rated", json_integer(c->n_rated));
    json_object_set_new(o, "overall", c->overall >= 0 ? json_real(c->overall) : json_null());
    json_object_set_new(o, "version", json_integer(c->rev));
    json_object_set_new(o, "created_at", json_integer(c->created_at));
    json_object_set_new(o, "submitted_at", json_integer(c->submitted_at));
    json_object_set_new(o, "validated_at", json_integer(c->validated_at));
    return o;
}

static const char *const camp_times[] = {"created_at", "submitted_at", "validated_at", NULL};

/* --- The list ------------------------------------------------------------ */

static const char *const statuses[] = {"draft", "in_progress", "submitted", "validated", NULL};

void assess_api_list(req_t *r)
{
    json_t *errors = json_object();
    const char *status = req_query(r, "status");
    if (status && !str_in(statuses, status))
        v_error(errors, "status", N_("Unknown status."));
    int64_t node = 0;
    const char *ns = req_query(r, "node_id");
    if (ns && (!str_to_i64(ns, &node) || node <= 0))
        v_error(errors, "node_id", N_("Enter a whole number."));
    int64_t limit, offset;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    buf_t where;
    buf_init(&where);
    db_param_t params[48];
    int np = 0;
    buf_puts(&where, " FROM campaigns c WHERE ");
    app_scope_sql(r, PERM_QUALITY_READ, "c.node_path", &where, params, &np, 40);
    if (status) {
        buf_puts(&where, " AND c.status = ?");
        params[np++] = P_TEXT(status);
    }
    if (node) {
        buf_puts(&where, " AND c.node_id = ?");
        params[np++] = P_INT(node);
    }
    char *count_sql = arena_printf(r->arena, "SELECT COUNT(*) AS n%s", where.data);
    int64_t total = db_query_int(r->db, count_sql, params, np, -1);
    char *sql = arena_printf(r->arena, "SELECT " CAMP_COLS "%s ORDER BY c.created_at DESC, c.id DESC"
                                       " LIMIT ? OFFSET ?",
                             where.data);
    buf_free(&where);
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    db_res_t *res = db_query(r->db, sql, params, np);
    if (!res || total < 0) {
        db_res_free(res);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *items = json_array();
    while (db_next(res)) {
        campaign_t c;
        camp_from_row(r->arena, res, 0, &c);
        json_array_append_new(items, camp_json(r, &c));
    }
    db_res_free(res);
    api_times_iso(items, camp_times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* --- Creating ------------------------------------------------------------ */

static const char *const create_fields[] = {"node_id", "referentiel_id", "title", "period_start",
                                            "period_end", "methods", "participants", "criteria",
                                            "steering", NULL};

static int64_t count_field(req_t *r, json_t *errors, json_t *p, const char *key)
{
    json_t *v = json_object_get(p, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000) {
        v_error(errors, "participants", N_("Participants are counts from 0 to 100000."));
        return 0;
    }
    return json_integer_value(v);
}

void assess_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, create_fields);
    json_t *jn = json_object_get(r->json, "node_id");
    int64_t node_id = json_is_integer(jn) ? json_integer_value(jn) : 0;
    if (node_id <= 0) {
        v_error(errors, "node_id", N_("Give the establishment assessed (node_id)."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    /* where it goes, and whether this user leads there (404/403 first) */
    char *path = app_node_path(r->db, node_id);
    if (!path || !app_can_at_path(r, PERM_QUALITY_READ, path)) {
        free(path);
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const char *node_path = arena_strdup(r->arena, path);
    free(path);
    if (!camp_can_lead(r, node_path)) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 N_("Only the director, the quality referent or a quality advisor may create a "
                    "campaign."),
                 NULL);
        return;
    }
    node_t eps;
    if (nodes_load(r->db, r->arena, node_id, &eps) != 0 || eps.kind != NODE_EPS) {
        v_error(errors, "node_id", N_("A campaign assesses an establishment."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    camp_input_t in = {.node_id = node_id};
    json_t *jr = json_object_get(r->json, "referentiel_id");
    ref_t ref;
    in.referentiel_id = json_is_integer(jr) ? json_integer_value(jr) : 0;
    if (in.referentiel_id <= 0 || ref_load(r->db, r->arena, in.referentiel_id, &ref) != 0 ||
        ref.status != REF_PUBLISHED)
        v_error(errors, "referentiel_id", N_("Choose a published référentiel."));
    in.title = v_text(r, errors, "title", true, 200);
    v_required_message(errors, "title", N_("Give the campaign a title."));
    json_t *js = json_object_get(r->json, "period_start"), *je = json_object_get(r->json, "period_end");
    in.period_start = json_is_string(js) ? json_string_value(js) : NULL;
    in.period_end = json_is_string(je) ? json_string_value(je) : NULL;
    if (!iso_day_valid(in.period_start))
        v_error(errors, "period_start", N_("Write the day as YYYY-MM-DD."));
    if (!iso_day_valid(in.period_end))
        v_error(errors, "period_end", N_("Write the day as YYYY-MM-DD."));
    else if (in.period_start && iso_day_valid(in.period_start) &&
             strcmp(in.period_end, in.period_start) < 0)
        v_error(errors, "period_end", N_("The period ends after it starts."));
    json_t *jm = json_object_get(r->json, "methods");
    if (jm && !json_is_null(jm)) {
        buf_t b;
        buf_init(&b);
        if (!json_is_array(jm))
            v_error(errors, "methods", N_("Expected a list of methods."));
        size_t i;
        json_t *v;
        json_array_foreach(jm, i, v)
        {
            if (!json_is_string(v) || !ref_method_valid(json_string_value(v))) {
                v_error(errors, "methods", N_("Unknown assessment method."));
                break;
            }
            buf_printf(&b, "%s%s", b.len ? "|" : "", json_string_value(v));
        }
        in.methods = arena_strdup(r->arena, b.data ? b.data : "");
        buf_free(&b);
    }
    json_t *jp = json_object_get(r->json, "participants");
    if (jp && !json_is_null(jp)) {
        if (!json_is_object(jp))
            v_error(errors, "participants", N_("Participants are counts from 0 to 100000."));
        in.p_staff = count_field(r, errors, jp, "staff");
        in.p_children = count_field(r, errors, jp, "children");
        in.p_families = count_field(r, errors, jp, "families");
        in.p_partners = count_field(r, errors, jp, "partners");
    }
    json_t *jc = json_object_get(r->json, "criteria");
    if (jc && !json_is_null(jc)) {
        if (!json_is_array(jc) || json_array_size(jc) == 0 || json_array_size(jc) > REF_MAX_ITEMS)
            v_error(errors, "criteria", N_("Expected a list of criterion codes."));
        else {
            in.codes = arena_alloc(r->arena, json_array_size(jc) * sizeof *in.codes);
            size_t i;
            json_t *v;
            json_array_foreach(jc, i, v)
            {
                if (!json_is_string(v)) {
                    v_error(errors, "criteria", N_("Expected a list of criterion codes."));
                    break;
                }
                in.codes[in.n_codes++] = json_string_value(v);
            }
        }
    }
    json_t *jst = json_object_get(r->json, "steering");
    if (jst && !json_is_null(jst)) {
        if (!json_is_array(jst) || json_array_size(jst) > 50)
            v_error(errors, "steering", N_("Expected a list of user ids."));
        else {
            in.steering = arena_alloc(r->arena, (json_array_size(jst) + 1) * sizeof *in.steering);
            size_t i;
            json_t *v;
            json_array_foreach(jst, i, v)
            {
                if (!json_is_integer(v) || json_integer_value(v) <= 0) {
                    v_error(errors, "steering", N_("Expected a list of user ids."));
                    break;
                }
                in.steering[in.n_steering++] = json_integer_value(v);
            }
        }
    }
    /* the steering group: people who read the EPS's quality work */
    int64_t anc[32];
    int nanc = nodes_path_parse(node_path, anc, 32);
    for (size_t k = 0; k < in.n_steering && !json_object_get(errors, "steering"); k++) {
        app_user_t *u = users_load_ctx(r->db, r->arena, in.steering[k]);
        if (!u || nanc < 1 ||
            authz_decide(u->roles, u->n_roles, PERM_QUALITY_READ, anc, nanc, now_utc()) != AUTHZ_ALLOW)
            v_error(errors, "steering", N_("The steering group is made of people of this establishment."));
    }
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = camp_create(r->db, r->arena, r->user->id, req_ip(r), node_path, eps.category, &in,
                           errors, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, rc == RES_INVALID ? errors : NULL);
        if (rc != RES_INVALID)
            json_decref(errors);
        return;
    }
    json_decref(errors);
    campaign_t c;
    if (camp_load(r->db, r->arena, id, &c) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = camp_json(r, &c);
    api_times_iso(o, camp_times);
    http_add_header(r->http, "Location",
                    arena_printf(r->arena, "/api/v1/campaigns/%lld", (long long)id));
    api_send(r, 201, o);
}

/* --- One campaign -------------------------------------------------------- */

static camp_full_t *route_campaign(req_t *r)
{
    camp_full_t *f = arena_alloc(r->arena, sizeof *f);
    if (camp_load_full(r->db, r->arena, r->ids[0], f) != 0) {
        app_fail(r, camp_resolve(r, r->ids[0]) ? RES_ERROR : RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    return f;
}

void assess_api_get(req_t *r)
{
    camp_full_t *f = route_campaign(r);
    if (!f)
        return;
    json_t *o = camp_json(r, &f->c);
    api_times_iso(o, camp_times);
    json_object_set_new(o, "referentiel",
                        json_pack("{s:I,s:s,s:I,s:s}", "id", (json_int_t)f->ref.id, "code",
                                  f->ref.code, "version", (json_int_t)f->ref.version, "scale",
                                  f->ref.scale));
    json_t *ratings = json_array();
    for (size_t k = 0; k < f->n_crit; k++) {
        const camp_crit_t *c = &f->crit[k];
        json_t *e = json_object();
        json_object_set_new(e, "code", json_string(c->code));
        json_object_set_new(e, "score", json_str_or_null(assess_score_code(c->score)));
        json_object_set_new(e, "comment", json_str_or_null(c->comment));
        json_object_set_new(e, "version", json_integer(c->version));
        json_object_set_new(e, "imperative", json_boolean(f->rows[c->row].imperative));
        json_object_set_new(e, "assignee_id", c->assignee_id ? json_integer(c->assignee_id) : json_null());
        json_object_set_new(e, "group", json_str_or_null(c->group_label));
        json_t *ev = c->rating_id ? camp_evidence(r->db, c->rating_id) : json_array();
        json_object_set_new(e, "evidence", ev);
        json_array_append_new(ratings, e);
    }
    json_object_set_new(o, "ratings", ratings);
    json_t *steer = db_query_json(r->db,
                                  "SELECT user_id FROM campaign_steering WHERE campaign_id = ?"
                                  " ORDER BY user_id",
                                  PARAMS(P_INT(f->c.id)));
    json_t *ids = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(steer, i, e) json_array_append(ids, json_object_get(e, "user_id"));
    json_decref(steer);
    json_object_set_new(o, "steering", ids);
    api_send(r, 200, o);
}

static void transition(req_t *r, camp_status_t to)
{
    camp_full_t *f = route_campaign(r);
    if (!f)
        return;
    bool reopen = to == CAMP_IN_PROGRESS && f->c.status != CAMP_DRAFT;
    if (!((to == CAMP_VALIDATED || reopen) ? camp_require_validator(r, f->c.node_path)
                                           : camp_require_lead(r, f->c.node_path)))
        return;
    const char *reason = NULL;
    if (reopen) {
        json_t *errors = json_object();
        reason = v_text(r, errors, "reason", true, 500);
        v_required_message(errors, "reason", N_("Say why the campaign is reopened."));
        if (json_object_size(errors)) {
            app_fail(r, RES_INVALID, NULL, errors);
            return;
        }
        json_decref(errors);
    }
    const char *msgid = NULL;
    res_t rc = camp_transition(r->db, r->arena, r->user->id, req_ip(r), f, to, reason, 0, &msgid);
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, NULL);
        return;
    }
    campaign_t c;
    if (camp_load(r->db, r->arena, f->c.id, &c) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = camp_json(r, &c);
    api_times_iso(o, camp_times);
    api_send(r, 200, o);
}

void assess_api_start(req_t *r)
{
    transition(r, CAMP_IN_PROGRESS);
}
void assess_api_submit(req_t *r)
{
    transition(r, CAMP_SUBMITTED);
}
void assess_api_validate(req_t *r)
{
    transition(r, CAMP_VALIDATED);
}
void assess_api_reopen(req_t *r)
{
    camp_full_t probe;
    campaign_t c;
    (void)probe;
    if (camp_load(r->db, r->arena, r->ids[0], &c) == 0 && c.status == CAMP_DRAFT) {
        app_fail(r, RES_CONFLICT, N_("Only a submitted or validated campaign can be reopened."),
                 NULL);
        return;
    }
    transition(r, CAMP_IN_PROGRESS);
}

/* --- Rating -------------------------------------------------------------- */

static const char *const rate_fields[] = {"score", "comment", "evidence", "version", NULL};

void assess_api_rate(req_t *r)
{
    if (!api_body_object(r))
        return;
    camp_full_t *f = route_campaign(r);
    if (!f)
        return;
    const char *code = strrchr(r->path, '/') + 1;
    int k = camp_crit_find(f, 0, code);
    if (k < 0) {
        app_fail(r, RES_NOT_FOUND, N_("This criterion is not part of the campaign."), NULL);
        return;
    }
    json_t *errors = json_object();
    v_unknown_fields(r, errors, rate_fields);
    rating_input_t in = {0};
    json_t *js = json_object_get(r->json, "score");
    if (!json_is_string(js))
        v_error(errors, "score", ASSESS_MSG_NO_SCORE);
    else
        in.score = json_string_value(js);
    json_t *jc = json_object_get(r->json, "comment");
    if (jc && !json_is_null(jc) && !json_is_string(jc))
        v_error(errors, "comment", N_("Expected a text."));
    else if (json_is_string(jc)) {
        const char *s = json_string_value(jc);
        if (utf8_count(s) > 4000)
            v_error(errors, "comment", N_("At most 4,000 characters."));
        else if (str_has_control(s))
            v_error(errors, "comment", N_("This text holds control characters."));
        else
            in.comment = str_empty(s) ? NULL : s;
    }
    json_t *jv = json_object_get(r->json, "version");
    if (jv && !json_is_null(jv)) {
        if (!json_is_integer(jv) || json_integer_value(jv) < 1)
            v_error(errors, "version", N_("Enter a whole number."));
        else
            in.version = json_integer_value(jv);
    }
    json_t *je = json_object_get(r->json, "evidence");
    if (je && !json_is_null(je)) {
        if (!json_is_array(je) || json_array_size(je) > 20) {
            v_error(errors, "evidence", N_("Expected a list of {\"label\", \"url\"} (at most 20)."));
        } else {
            in.has_evidence = true;
            size_t n = json_array_size(je);
            in.ev_label = arena_alloc(r->arena, (n + 1) * sizeof *in.ev_label);
            in.ev_url = arena_alloc(r->arena, (n + 1) * sizeof *in.ev_url);
            size_t i;
            json_t *e;
            json_array_foreach(je, i, e)
            {
                json_t *jl = json_object_get(e, "label"), *ju = json_object_get(e, "url");
                const char *label = json_is_string(jl) ? json_string_value(jl) : NULL;
                const char *url = json_is_string(ju) ? json_string_value(ju) : NULL;
                if (!json_is_object(e) || str_empty(label) || utf8_count(label) > 300 ||
                    str_has_control(label) || (ju && !json_is_null(ju) && !json_is_string(ju))) {
                    v_error(errors, "evidence",
                            N_("Each piece of evidence needs a label of at most 300 characters."));
                    break;
                }
                if (url && (strlen(url) > 2000 || (strncmp(url, "https://", 8) != 0 &&
                                                   strncmp(url, "http://", 7) != 0))) {
                    v_error(errors, "evidence", N_("A link starts with https:// or http://."));
                    break;
                }
                in.ev_label[in.n_ev] = label;
                in.ev_url[in.n_ev] = str_empty(url) ? NULL : url;
                in.n_ev++;
            }
        }
    }
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    const char *msgid = NULL;
    int64_t version = 0;
    res_t rc = camp_rate(r->db, r->arena, r->user->id, req_ip(r), f, k, &in, errors, &msgid,
                         &version);
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, rc == RES_INVALID ? errors : NULL);
        if (rc != RES_INVALID)
            json_decref(errors);
        return;
    }
    json_decref(errors);
    int64_t rid = db_query_int(r->db, "SELECT id FROM ratings WHERE campaign_id = ? AND code = ?",
                               PARAMS(P_INT(f->c.id), P_TEXT(code)), 0);
    json_t *o = json_pack("{s:s, s:s, s:o, s:I}", "code", code, "score", in.score, "comment",
                          json_str_or_null(in.comment), "version", (json_int_t)version);
    json_object_set_new(o, "evidence", camp_evidence(r->db, rid));
    api_send(r, 200, o);
}

/* --- Assignments --------------------------------------------------------- */

static const char *const assign_fields[] = {"assignee_id", "group", NULL};

void assess_api_assign(req_t *r)
{
    if (!api_body_object(r))
        return;
    camp_full_t *f = route_campaign(r);
    if (!f)
        return;
    const char *code = strrchr(r->path, '/') + 1;
    int k = camp_crit_find(f, 0, code);
    if (k < 0) {
        app_fail(r, RES_NOT_FOUND, N_("This criterion is not part of the campaign."), NULL);
        return;
    }
    if (!camp_require_lead(r, f->c.node_path))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, assign_fields);
    json_t *ja = json_object_get(r->json, "assignee_id");
    int64_t assignee = 0;
    if (ja && !json_is_null(ja)) {
        if (!json_is_integer(ja) || json_integer_value(ja) <= 0)
            v_error(errors, "assignee_id", N_("Enter a whole number."));
        else
            assignee = json_integer_value(ja);
    }
    const char *group = v_text(r, errors, "group", false, 100);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    const char *msgid = NULL;
    res_t rc = camp_assign(r->db, r->arena, r->user->id, req_ip(r), f, k, assignee, group, &msgid);
    if (rc == RES_INVALID) {
        v_error(errors, "assignee_id", msgid);
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    api_send(r, 200, json_pack("{s:s, s:o, s:o}", "code", code, "assignee_id",
                               assignee ? json_integer(assignee) : json_null(), "group",
                               json_str_or_null(group)));
}

/* --- Results and proposals ----------------------------------------------- */

void assess_api_results(req_t *r)
{
    camp_full_t *f = route_campaign(r);
    if (f)
        api_send(r, 200, camp_results_json(r, f, true));
}

void assess_api_results_csv(req_t *r)
{
    camp_full_t *f = route_campaign(r);
    if (f)
        camp_send_csv(r, f);
}

void assess_api_results_xlsx(req_t *r)
{
    camp_full_t *f = route_campaign(r);
    if (f)
        camp_send_xlsx(r, f);
}

void assess_api_proposals(req_t *r)
{
    campaign_t c;
    if (camp_load(r->db, r->arena, r->ids[0], &c) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    json_t *items = camp_proposals(r->db, c.id);
    static const char *const times[] = {"decided_at", "created_at", NULL};
    api_times_iso(items, times);
    api_send(r, 200, json_pack("{s:o}", "items", items));
}

static const char *const decide_fields[] = {"decision", "reason", NULL};
static const char *const decisions[] = {"accept", "dismiss", NULL};

void assess_api_decide(req_t *r)
{
    if (!api_body_object(r))
        return;
    campaign_t c;
    if (camp_load(r->db, r->arena, r->ids[0], &c) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!camp_require_lead(r, c.node_path))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, decide_fields);
    const char *decision = v_code(r, errors, "decision", true, decisions);
    const char *reason = v_text(r, errors, "reason", false, 500);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    const char *msgid = NULL;
    res_t rc = camp_decide(r->db, r->user->id, req_ip(r), &c, r->ids[1],
                           str_eq(decision, "accept"), reason, &msgid);
    if (rc == RES_INVALID) {
        v_error(errors, "reason", msgid);
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, NULL);
        return;
    }
    api_send(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)r->ids[1], "status",
                               str_eq(decision, "accept") ? "accepted" : "dismissed"));
}
