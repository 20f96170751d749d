/* person_api.c - the JSON API of the persons module (docs/API.md): the
 * list and creation of persons, one person (read, change), the needs
 * assessment by life domain, the plans with their goals, status and
 * reviews, the grants of access and the access log (the EPS's director),
 * and the pseudonymised indicators of an EPS. Same rules as the pages
 * (person_internal.h): the route's check has decided on the person before
 * a handler runs; a plan or grant id of the path must be the person's
 * (404); every read of a file adds a row to the access log. Days are
 * YYYY-MM-DD both ways; codes are lower case. */
#include "person_internal.h"

#include <string.h>

/* person_export.c: the needs of a person as the API shows them. */
json_t *pers_needs_json(req_t *r, int64_t person_id);

static const char *const pers_times[] = {"created_at", "updated_at", "anonymised_at", NULL};
static const char *const plan_times[] = {"created_at", "updated_at", NULL};

/* What a person's body may hold (POST), and PATCH's more. */
static const char *const person_fields[] = {
    "node_id", "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "sex",
    "admission_date", "origin", "origin_ref", "legal_status", "disability", "disability_kind",
    "exit_date", "exit_destination", "health_notes", "family_notes", "judicial_notes", NULL};
static const char *const patch_fields[] = {
    "node_id", "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "sex",
    "admission_date", "origin", "origin_ref", "legal_status", "disability", "disability_kind",
    "exit_date", "exit_destination", "health_notes", "family_notes", "judicial_notes", "rev",
    "referents", "siblings", NULL};
static const char *const plan_fields[] = {
    "status", "participation", "agreement", "child_signed_name", "child_signed_on",
    "child_signed_how", "guardian_name", "guardian_signed_on", "guardian_signed_how",
    "review_months", "goals", NULL};
static const char *const plan_patch_fields[] = {
    "status", "participation", "agreement", "child_signed_name", "child_signed_on",
    "child_signed_how", "guardian_name", "guardian_signed_on", "guardian_signed_how",
    "review_months", "goals", "rev", NULL};

#define STALE_PERSON N_("The file changed meanwhile: reload it and try again.")
#define STALE_PLAN N_("The plan changed meanwhile: reload it and try again.")
#define ANONYMISED N_("This file was anonymised: it does not change any more.")

/* Answer a model's refusal: errors go with a 422 and are freed otherwise. */
static void fail(req_t *r, res_t rc, json_t *errors, const char *conflict_msgid)
{
    if (rc == RES_INVALID && json_object_size(errors) > 0) {
        app_fail(r, rc, NULL, errors);
        return;
    }
    json_decref(errors);
    app_fail(r, rc, rc == RES_CONFLICT ? conflict_msgid : NULL, NULL);
}

static void invalid(req_t *r, json_t *errors)
{
    app_fail(r, RES_INVALID, NULL, errors);
}

/* The person of the route (the check found it; it may have gone since). */
static bool route_person(req_t *r, person_t *p)
{
    if (pers_load(r->db, r->arena, r->ids[0], p) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return false;
    }
    return true;
}

/* The plan {id2} of the route's person: 404 when it is another's. */
static bool route_plan(req_t *r, const person_t *p, pers_plan_t *pl)
{
    if (pers_plan_load(r->db, r->arena, r->ids[1], pl) != 0 || pl->person_id != p->id) {
        app_fail(r, RES_NOT_FOUND, N_("This person has no such plan."), NULL);
        return false;
    }
    return true;
}

static void send_person(req_t *r, int status, int64_t id)
{
    person_t p;
    if (pers_load(r->db, r->arena, id, &p) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = pers_json(r, &p);
    api_times_iso(o, pers_times);
    if (status == 201)
        http_add_header(r->http, "Location",
                        arena_printf(r->arena, "/api/v1/persons/%lld", (long long)id));
    api_send(r, status, o);
}

static void send_plan(req_t *r, int status, int64_t person_id, int64_t plan_id)
{
    pers_plan_t pl;
    if (pers_plan_load(r->db, r->arena, plan_id, &pl) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = pers_plan_json(r, &pl, true);
    api_times_iso(o, plan_times);
    if (status == 201)
        http_add_header(r->http, "Location",
                        arena_printf(r->arena, "/api/v1/persons/%lld/plans/%lld",
                                     (long long)person_id, (long long)plan_id));
    api_send(r, status, o);
}

/* --- Query parameters -------------------------------------------------------- */

/* A positive id of the query; 0 when absent, -1 (error added) when malformed. */
static int64_t q_id(req_t *r, json_t *errors, const char *key)
{
    const char *v = req_query(r, key);
    if (!v || !*v)
        return 0;
    int64_t id;
    if (!str_to_i64(v, &id) || id <= 0) {
        v_error(errors, key, N_("Enter a whole number."));
        return -1;
    }
    return id;
}

static bool q_bool(req_t *r, json_t *errors, const char *key)
{
    const char *v = req_query(r, key);
    if (!v || !*v)
        return false;
    if (str_eq(v, "true") || str_eq(v, "1"))
        return true;
    if (!str_eq(v, "false") && !str_eq(v, "0"))
        v_error(errors, key, N_("Write true or false."));
    return false;
}

/* A day of the body: YYYY-MM-DD, NULL when absent (error added when malformed). */
static const char *v_day(req_t *r, json_t *errors, const char *field, bool required)
{
    const char *d = v_text(r, errors, field, required, 10);
    if (d && !iso_day_valid(d)) {
        v_error(errors, field, N_("Enter a date as YYYY-MM-DD."));
        return NULL;
    }
    return d;
}

/* --- Persons -------------------------------------------------------------------- */

void pers_api_list(req_t *r)
{
    if (!pers_totp_gate(r, 0))
        return;
    json_t *errors = json_object();
    pers_filter_t f;
    memset(&f, 0, sizeof f);
    f.node_id = q_id(r, errors, "node_id");
    f.mine = q_bool(r, errors, "mine");
    f.due = q_bool(r, errors, "due");
    f.left = q_bool(r, errors, "left");
    const char *q = req_query(r, "q");
    if (q && *q) {
        if (!utf8_valid(q, strlen(q)) || str_has_control(q) || utf8_count(q) > 100)
            v_error(errors, "q", N_("This value is not valid."));
        else
            f.q = q;
    }
    v_paging(r, errors, &f.limit, &f.offset);
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    json_decref(errors);
    int64_t total = 0;
    json_t *items = pers_list(r, &f, &total);
    if (!items || total < 0) {
        json_decref(items);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* Is any of the person's own fields in the body? */
static bool person_fields_present(req_t *r)
{
    for (size_t i = 0; person_fields[i]; i++)
        if (input_present(r, person_fields[i]))
            return true;
    return false;
}

void pers_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    json_t *jn = json_object_get(r->json, "node_id");
    if (!json_is_integer(jn) || json_integer_value(jn) <= 0) {
        /* no place to decide on: say everything that is wrong at once */
        if (!pers_totp_gate(r, 0)) {
            json_decref(errors);
            return;
        }
        v_unknown_fields(r, errors, person_fields);
        pers_input_t in;
        pers_read_input(r, errors, true, &in);
        json_object_del(errors, "node_id");
        v_error(errors, "node_id", N_("Give the unit of the person (node_id)."));
        invalid(r, errors);
        return;
    }
    int64_t node_id = json_integer_value(jn);
    node_t n;
    authz_result_t az = app_authorize(r, PERM_PERSONAL_WRITE, node_id);
    if (az == AUTHZ_NOT_FOUND || nodes_load(r->db, r->arena, node_id, &n) != 0) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (az != AUTHZ_ALLOW || pers_access(r, 0, n.path) != PERS_WRITE) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 N_("The staff of a unit and the director of the establishment record its persons."),
                 NULL);
        return;
    }
    if (n.kind != NODE_EPS && n.kind != NODE_UNIT) {
        v_error(errors, "node_id",
                N_("A person is recorded at an establishment or at one of its units."));
        invalid(r, errors);
        return;
    }
    if (!pers_totp_gate(r, n.kind == NODE_EPS ? n.id : n.parent_id)) {
        json_decref(errors);
        return;
    }
    v_unknown_fields(r, errors, person_fields);
    pers_input_t in;
    pers_read_input(r, errors, true, &in);
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    in.node_id = node_id;
    int64_t id = 0;
    res_t rc = pers_create(r, &in, errors, &id);
    if (rc != RES_OK) {
        fail(r, rc, errors, NULL);
        return;
    }
    json_decref(errors);
    send_person(r, 201, id);
}

void pers_api_get(req_t *r)
{
    person_t p;
    if (!route_person(r, &p))
        return;
    json_t *o = pers_json(r, &p);
    api_times_iso(o, pers_times);
    pers_log_read(r, p.id, "api");
    api_send(r, 200, o);
}

/* A list of ids of the body (referents, siblings): NULL when absent, the
 * error added when it is no array of positive integers. */
static int64_t *id_list(req_t *r, json_t *errors, const char *field, size_t *n)
{
    json_t *v = json_object_get(r->json, field);
    *n = 0;
    if (!v)
        return NULL;
    if (!json_is_array(v) || json_array_size(v) > 50) {
        v_error(errors, field, N_("Give a list of at most 50 ids."));
        return NULL;
    }
    int64_t *ids = arena_alloc(r->arena, (json_array_size(v) + 1) * sizeof *ids);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) <= 0) {
            v_error(errors, field, N_("Give a list of at most 50 ids."));
            return NULL;
        }
        ids[(*n)++] = json_integer_value(x);
    }
    return ids;
}

void pers_api_patch(req_t *r)
{
    person_t p;
    if (!api_body_object(r) || !route_person(r, &p))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, patch_fields);
    pers_input_t in;
    pers_read_input(r, errors, false, &in);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    size_t n_ref = 0, n_sib = 0;
    int64_t *refs = id_list(r, errors, "referents", &n_ref);
    int64_t *sibs = id_list(r, errors, "siblings", &n_sib);
    bool set_refs = json_object_get(r->json, "referents") != NULL;
    bool set_sibs = json_object_get(r->json, "siblings") != NULL;
    /* moving the person: only to a place where the reader records persons */
    if (in.node_id > 0 && in.node_id != p.node_id && !json_object_get(errors, "node_id")) {
        char *path = app_node_path(r->db, in.node_id);
        if (!path || pers_access(r, 0, path) != PERS_WRITE)
            v_error(errors, "node_id",
                    N_("Choose a unit of the person's establishment where you work."));
        free(path);
    }
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    if (p.anonymised_at) {
        json_decref(errors);
        app_fail(r, RES_CONFLICT, ANONYMISED, NULL);
        return;
    }
    if (rev > 0 && rev != p.rev) {
        json_decref(errors);
        app_fail(r, RES_CONFLICT, STALE_PERSON, NULL);
        return;
    }
    bool mine = false;
    if (!app_tx_begin(r->db, &mine)) {
        json_decref(errors);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    res_t rc = RES_OK;
    if (person_fields_present(r))
        rc = pers_update(r, &p, &in, rev, errors);
    if (rc == RES_OK && set_refs)
        rc = pers_set_referents(r, &p, refs, n_ref, errors);
    if (rc == RES_OK && set_sibs)
        rc = pers_set_siblings(r, &p, sibs, n_sib, errors);
    if (app_tx_end(r->db, mine, rc == RES_OK) != DB_OK && rc == RES_OK)
        rc = RES_ERROR;
    if (rc != RES_OK) {
        fail(r, rc, errors, STALE_PERSON);
        return;
    }
    json_decref(errors);
    send_person(r, 200, p.id);
}

/* --- Needs ---------------------------------------------------------------------- */

void pers_api_needs(req_t *r)
{
    person_t p;
    if (!route_person(r, &p))
        return;
    json_t *items = pers_needs_json(r, p.id);
    pers_log_read(r, p.id, "needs");
    api_send(r, 200, json_pack("{s:o}", "items", items));
}

void pers_api_need_put(req_t *r)
{
    person_t p;
    if (!api_body_object(r) || !route_person(r, &p))
        return;
    const char *code = strrchr(r->path, '/') + 1;
    if (!pers_domain_known(r->db, code)) {
        app_fail(r, RES_NOT_FOUND, N_("There is no such life domain."), NULL);
        return;
    }
    static const char *const known[] = {"level", "situation", "strengths", "needs", "own_words",
                                        "assessed_on", "rev", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    pers_need_t in;
    memset(&in, 0, sizeof in);
    in.domain = code;
    in.level = (int)v_int(r, errors, "level", true, 1, 4, 0);
    if (json_object_get(errors, "level"))
        json_object_set_new(errors, "level", json_string(N_("Choose a level of need from 1 to 4.")));
    in.situation = v_long_text(r, errors, "situation", false, PERS_NOTE_MAX);
    in.strengths = v_long_text(r, errors, "strengths", false, PERS_NOTE_MAX);
    in.needs = v_long_text(r, errors, "needs", false, PERS_NOTE_MAX);
    in.own_words = v_long_text(r, errors, "own_words", false, PERS_NOTE_MAX);
    in.assessed_on = v_day(r, errors, "assessed_on", false);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    if (!in.assessed_on && !json_object_get(errors, "assessed_on"))
        in.assessed_on = pers_today(r->arena);
    else if (in.assessed_on && strcmp(in.assessed_on, pers_today(r->arena)) > 0)
        v_error(errors, "assessed_on", N_("This date is in the future."));
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    /* PUT writes the whole assessment: a text left out (NULL) is emptied */
    res_t rc = pers_need_save(r, &p, &in, rev, errors);
    if (rc != RES_OK) {
        fail(r, rc, errors, N_("This assessment changed meanwhile: reload it and try again."));
        return;
    }
    json_decref(errors);
    json_t *items = pers_needs_json(r, p.id);
    json_t *one = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) {
        if (str_eq(json_string_value(json_object_get(x, "domain")), code)) {
            one = json_incref(x);
            break;
        }
    }
    json_decref(items);
    if (!one) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_send(r, 200, one);
}

/* --- Plans ------------------------------------------------------------------------ */

void pers_api_plans(req_t *r)
{
    person_t p;
    if (!route_person(r, &p))
        return;
    size_t n = 0;
    pers_plan_t *pl = pers_plans(r->db, r->arena, p.id, &n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, pers_plan_json(r, &pl[i], false));
    api_times_iso(items, plan_times);
    pers_log_read(r, p.id, "plan");
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

void pers_api_plan_create(req_t *r)
{
    person_t p;
    if (!api_body_object(r) || !route_person(r, &p))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, plan_fields);
    pers_plan_input_t in;
    pers_plan_read_input(r, errors, &in);
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = pers_plan_create(r, &p, &in, errors, &id);
    if (rc != RES_OK) {
        fail(r, rc, errors,
             N_("This person's plan is being written already: change that draft rather than "
                "starting another."));
        return;
    }
    json_decref(errors);
    send_plan(r, 201, p.id, id);
}

void pers_api_plan_get(req_t *r)
{
    person_t p;
    pers_plan_t pl;
    if (!route_person(r, &p) || !route_plan(r, &p, &pl))
        return;
    json_t *o = pers_plan_json(r, &pl, true);
    api_times_iso(o, plan_times);
    pers_log_read(r, p.id, "plan");
    api_send(r, 200, o);
}

/* An impossible change of status: 409 with the statuses the plan may go
 * to, as the improvement plan answers (plan_api.c). */
static void fail_transition(req_t *r, const pers_plan_t *pl, const char *to)
{
    json_t *allowed = pers_plan_allowed(pl);
    buf_t b;
    buf_init(&b);
    size_t i;
    json_t *x;
    json_array_foreach(allowed, i, x) {
        buf_printf(&b, "%s%s", i ? ", " : "",
                   T(r, pers_code_msgid(r->arena, "plan", json_string_value(x))));
    }
    const char *from = T(r, pers_code_msgid(r->arena, "plan", pers_status_code(pl->status)));
    const char *hint =
        json_array_size(allowed)
            ? text_fill_strings(r->arena, T(r, N_("From “%s”, the plan may go to: %s.")),
                                (const char *[]){from, b.data ? b.data : ""}, 2)
            : text_fill_strings(r->arena,
                                T(r, N_("“%s” is a final status: the plan does not change any "
                                        "more.")),
                                (const char *[]){from}, 1);
    buf_free(&b);
    const char *msg = arena_printf(r->arena, "%s %s",
                                   T(r, N_("The plan cannot go to this status.")), hint);
    json_t *err = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "code", "conflict", "message", msg,
                            "status", pers_status_code(pl->status), "to", to ? to : "",
                            "allowed", allowed, "hint", hint);
    api_send(r, 409, json_pack("{s:o}", "error", err));
}

static bool status_allowed(const pers_plan_t *pl, const char *to)
{
    if (str_eq(to, pers_status_code(pl->status)))
        return true;
    json_t *allowed = pers_plan_allowed(pl);
    bool ok = false;
    size_t i;
    json_t *x;
    json_array_foreach(allowed, i, x) ok = ok || str_eq(json_string_value(x), to);
    json_decref(allowed);
    return ok;
}

void pers_api_plan_patch(req_t *r)
{
    person_t p;
    pers_plan_t pl;
    if (!api_body_object(r) || !route_person(r, &p) || !route_plan(r, &p, &pl))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, plan_patch_fields);
    pers_plan_input_t in;
    pers_plan_read_input(r, errors, &in);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    if (rev > 0 && rev != pl.rev) {
        json_decref(errors);
        app_fail(r, RES_CONFLICT, STALE_PLAN, NULL);
        return;
    }
    if (in.status && !status_allowed(&pl, in.status)) {
        json_decref(errors);
        fail_transition(r, &pl, in.status);
        return;
    }
    res_t rc = pers_plan_update(r, &p, &pl, &in, rev, errors);
    if (rc == RES_CONFLICT && in.status && !str_eq(in.status, pers_status_code(pl.status))) {
        json_decref(errors);
        fail_transition(r, &pl, in.status);
        return;
    }
    if (rc != RES_OK) {
        fail(r, rc, errors,
             pl.status == PERS_CLOSED
                 ? N_("A closed plan does not change any more.")
                 : N_("Goals and actions change while the plan is a draft or in review."));
        return;
    }
    json_decref(errors);
    send_plan(r, 200, p.id, pl.id);
}

void pers_api_review(req_t *r)
{
    person_t p;
    pers_plan_t pl;
    if (!api_body_object(r) || !route_person(r, &p) || !route_plan(r, &p, &pl))
        return;
    static const char *const known[] = {"reviewed_on", "changes", "next_review", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    const char *day = v_day(r, errors, "reviewed_on", false);
    const char *changes = v_long_text(r, errors, "changes", true, PERS_NOTE_MAX);
    v_required_message(errors, "changes", N_("Say what changed since the last review."));
    const char *next = v_day(r, errors, "next_review", false);
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = pers_review_add(r, &p, &pl, day, changes, next, errors, &id);
    if (rc != RES_OK) {
        fail(r, rc, errors, N_("Only an agreed plan, or one in review, is reviewed."));
        return;
    }
    json_decref(errors);
    pers_plan_t now;
    if (pers_plan_load(r->db, r->arena, pl.id, &now) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    size_t n = 0;
    pers_review_t *rv = pers_reviews(r->db, r->arena, pl.id, &n);
    json_t *o = NULL;
    for (size_t i = 0; i < n && !o; i++)
        if (rv[i].id == id)
            o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:I, s:s, s:I}", "id", (json_int_t)rv[i].id,
                          "plan_id", (json_int_t)pl.id, "reviewed_on", rv[i].reviewed_on,
                          "changes", rv[i].changes ? rv[i].changes : "", "next_review",
                          json_str_or_null(rv[i].next_review), "by", (json_int_t)rv[i].by,
                          "by_name", r->user->name ? r->user->name : "", "created_at",
                          (json_int_t)rv[i].created_at);
    if (!o) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    static const char *const t[] = {"created_at", NULL};
    api_times_iso(o, t);
    json_t *plan = pers_plan_json(r, &now, false);
    api_times_iso(plan, plan_times);
    json_object_set_new(o, "plan", plan);
    http_add_header(r->http, "Location",
                    arena_printf(r->arena, "/api/v1/persons/%lld/plans/%lld", (long long)p.id,
                                 (long long)pl.id));
    api_send(r, 201, o);
}

/* --- Grants and the access log (the EPS's director) ------------------------ */

static const char *const grant_times[] = {"created_at", "revoked_at", NULL};

/* The grant id of the person's grants, a new reference; NULL when not hers. */
static json_t *find_grant(req_t *r, int64_t person_id, int64_t grant_id)
{
    json_t *all = pers_grants(r, person_id);
    json_t *one = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(all, i, x) {
        if (json_integer_value(json_object_get(x, "id")) == grant_id) {
            one = json_incref(x);
            break;
        }
    }
    json_decref(all);
    return one;
}

void pers_api_grants(req_t *r)
{
    person_t p;
    if (!route_person(r, &p))
        return;
    json_t *items = pers_grants(r, p.id);
    if (!items)
        items = json_array();
    api_times_iso(items, grant_times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                               (json_int_t)json_array_size(items)));
}

void pers_api_grant(req_t *r)
{
    person_t p;
    if (!api_body_object(r) || !route_person(r, &p))
        return;
    static const char *const known[] = {"user_id", "until", "reason", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    int64_t user = v_int(r, errors, "user_id", true, 1, INT64_MAX, 0);
    v_required_message(errors, "user_id", N_("Choose the person given access."));
    const char *until = v_day(r, errors, "until", true);
    v_required_message(errors, "until", N_("Give the last day of the access."));
    const char *reason = v_text(r, errors, "reason", true, PERS_TEXT_MAX);
    v_required_message(errors, "reason", N_("Say why this access is needed."));
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = pers_grant(r, &p, user, until, reason, errors, &id);
    if (rc != RES_OK) {
        fail(r, rc, errors, NULL);
        return;
    }
    json_decref(errors);
    json_t *o = find_grant(r, p.id, id);
    if (!o) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_times_iso(o, grant_times);
    api_send(r, 201, o);
}

void pers_api_grant_revoke(req_t *r)
{
    person_t p;
    if (!route_person(r, &p))
        return;
    json_t *g = find_grant(r, p.id, r->ids[1]);
    if (!g) {
        app_fail(r, RES_NOT_FOUND, N_("This person's file has no such access."), NULL);
        return;
    }
    json_decref(g);
    res_t rc = pers_grant_revoke(r, &p, r->ids[1]);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("This access has ended already.") : NULL, NULL);
        return;
    }
    http_respond(r->http, 204, NULL, NULL, 0);
}

void pers_api_reads(req_t *r)
{
    person_t p;
    if (!route_person(r, &p))
        return;
    json_t *errors = json_object();
    int64_t limit = 0, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    json_decref(errors);
    json_t *all = pers_reads(r, p.id, limit + offset);
    json_t *items = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(all, i, x) if ((int64_t)i >= offset) json_array_append(items, x);
    json_decref(all);
    static const char *const t[] = {"at", NULL};
    api_times_iso(items, t);
    int64_t total = db_query_int(r->db, "SELECT COUNT(*) FROM person_reads WHERE person_id = ?",
                                 PARAMS(P_INT(p.id)), 0);
    pers_log_read(r, p.id, "access");
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* --- Indicators ---------------------------------------------------------------- */

static json_t *share(int64_t part, int64_t whole)
{
    return whole > 0 ? json_integer((json_int_t)((part * 100 + whole / 2) / whole)) : json_null();
}

void pers_api_indicators(req_t *r)
{
    json_t *errors = json_object();
    int64_t node_id = q_id(r, errors, "node_id");
    if (node_id == 0)
        v_error(errors, "node_id", N_("Give the establishment (node_id)."));
    if (json_object_size(errors)) {
        invalid(r, errors);
        return;
    }
    json_decref(errors);
    if (!app_require(r, PERM_QUALITY_READ, node_id))
        return;
    char *path = app_node_path(r->db, node_id);
    if (!path) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    pers_indicators_t ind;
    memset(&ind, 0, sizeof ind);
    int rc = pers_indicators(r->db, path, pers_today(r->arena), &ind);
    free(path);
    if (rc != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "node_id", json_integer(node_id));
    json_object_set_new(o, "node_name",
                        json_string(nodes_label(r->db, r->arena, r->lang, node_id)));
    json_object_set_new(o, "in_care", json_integer(ind.in_care));
    json_object_set_new(o, "with_plan", json_integer(ind.with_plan));
    json_object_set_new(o, "up_to_date", json_integer(ind.up_to_date));
    json_object_set_new(o, "child_signed", json_integer(ind.child_signed));
    json_object_set_new(o, "late", json_integer(ind.late));
    json_object_set_new(o, "avg_delay_days",
                        ind.avg_delay_days < 0 ? json_null() : json_real(ind.avg_delay_days));
    json_object_set_new(o, "shares",
                        json_pack("{s:o, s:o, s:o}", "with_plan", share(ind.with_plan, ind.in_care),
                                  "up_to_date", share(ind.up_to_date, ind.in_care),
                                  "child_signed", share(ind.child_signed, ind.in_care)));
    api_send(r, 200, o);
}
