/* person_plan.c - a person's plan: its versions, goals and actions, the
 * co-signatures, the statuses (draft -> agreed -> in review -> closed) and
 * the reviews; its free texts are sealed here. The rules are written at
 * the top of person_internal.h. */
#include "person_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Plans ------------------------------------------------------------------------- */

#define PLAN_COLS                                                                                 \
    "id, person_id, version, rev, created_by, created_at, updated_at, status, participation,"    \
    " agreement, child_signed_name, child_signed_on, child_signed_how, guardian_name,"          \
    " guardian_signed_on, guardian_signed_how, agreed_on, closed_on, next_review, review_months"

static void plan_from_row(arena_t *a, db_res_t *res, pers_plan_t *o)
{
    memset(o, 0, sizeof *o);
    o->id = db_int(res, 0);
    o->person_id = db_int(res, 1);
    o->version = db_int(res, 2);
    o->rev = db_int(res, 3);
    o->created_by = db_int(res, 4);
    o->created_at = db_int(res, 5);
    o->updated_at = db_int(res, 6);
    int s = pers_status_from_code(db_text(res, 7));
    o->status = s < 0 ? PERS_DRAFT : (pers_status_t)s;
    o->participation = pers_opened(a, db_text(res, 8));
    o->agreement = arena_strdup(a, db_text(res, 9));
    o->child_signed_name = arena_strdup(a, db_text(res, 10));
    o->child_signed_on = arena_strdup(a, db_text(res, 11));
    o->child_signed_how = arena_strdup(a, db_text(res, 12));
    o->guardian_name = arena_strdup(a, db_text(res, 13));
    o->guardian_signed_on = arena_strdup(a, db_text(res, 14));
    o->guardian_signed_how = arena_strdup(a, db_text(res, 15));
    o->agreed_on = arena_strdup(a, db_text(res, 16));
    o->closed_on = arena_strdup(a, db_text(res, 17));
    o->next_review = arena_strdup(a, db_text(res, 18));
    o->review_months = (int)db_int(res, 19);
}

int pers_plan_load(db_t *db, arena_t *a, int64_t plan_id, pers_plan_t *out)
{
    db_res_t *res = db_query(db, "SELECT " PLAN_COLS " FROM person_plans WHERE id = ?",
                             PARAMS(P_INT(plan_id)));
    int rc = -1;
    if (res && db_next(res)) {
        plan_from_row(a, res, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

pers_plan_t *pers_plans(db_t *db, arena_t *a, int64_t person_id, size_t *n)
{
    VEC(pers_plan_t) out = {0};
    db_res_t *res = db_query(db,
                             "SELECT " PLAN_COLS " FROM person_plans WHERE person_id = ?"
                             " ORDER BY version DESC",
                             PARAMS(P_INT(person_id)));
    while (res && db_next(res))
        plan_from_row(a, res, VEC_PUSH(a, &out));
    db_res_free(res);
    *n = out.n;
    return out.v;
}

pers_plan_t *pers_current_plan(db_t *db, arena_t *a, int64_t person_id)
{
    db_res_t *res = db_query(db,
                             "SELECT " PLAN_COLS " FROM person_plans WHERE person_id = ? AND"
                             " status <> 'closed' ORDER BY version DESC LIMIT 1",
                             PARAMS(P_INT(person_id)));
    pers_plan_t *out = NULL;
    if (res && db_next(res)) {
        out = arena_alloc(a, sizeof *out);
        plan_from_row(a, res, out);
    }
    db_res_free(res);
    return out;
}

pers_goal_t *pers_goals(db_t *db, arena_t *a, int64_t plan_id, size_t *n)
{
    VEC(pers_goal_t) goals = {0};
    db_res_t *res = db_query(db,
                             "SELECT id, domain, text FROM person_goals WHERE plan_id = ?"
                             " ORDER BY position, id",
                             PARAMS(P_INT(plan_id)));
    while (res && db_next(res))
        *VEC_PUSH(a, &goals) = (pers_goal_t){.id = db_int(res, 0),
                                             .domain = arena_strdup(a, db_text(res, 1)),
                                             .text = pers_opened(a, db_text(res, 2))};
    db_res_free(res);
    /* the actions of every goal in one query, in the goals' order */
    VEC(pers_action_t) acts = {0};
    res = db_query(db,
                   "SELECT ac.goal_id, ac.id, ac.text, ac.who, ac.due, ac.done FROM person_actions"
                   " ac JOIN person_goals g ON g.id = ac.goal_id WHERE g.plan_id = ? ORDER BY"
                   " g.position, g.id, ac.position, ac.id",
                   PARAMS(P_INT(plan_id)));
    while (res && db_next(res))
        *VEC_PUSH(a, &acts) = (pers_action_t){
            .goal_id = db_int(res, 0), .id = db_int(res, 1), .text = pers_opened(a, db_text(res, 2)),
            .who = arena_strdup(a, db_text(res, 3)), .due = arena_strdup(a, db_text(res, 4)),
            .done = db_int(res, 5) != 0};
    db_res_free(res);
    size_t k = 0;
    for (size_t g = 0; g < goals.n; g++) {
        goals.v[g].actions = acts.v + k;
        while (k < acts.n && acts.v[k].goal_id == goals.v[g].id) {
            goals.v[g].n_actions++;
            k++;
        }
    }
    *n = goals.n;
    return goals.v;
}

pers_review_t *pers_reviews(db_t *db, arena_t *a, int64_t plan_id, size_t *n)
{
    VEC(pers_review_t) out = {0};
    db_res_t *res = db_query(db,
                             "SELECT id, by_user, reviewed_on, changes, next_review, created_at"
                             " FROM person_reviews WHERE plan_id = ? ORDER BY reviewed_on DESC,"
                             " id DESC",
                             PARAMS(P_INT(plan_id)));
    while (res && db_next(res))
        *VEC_PUSH(a, &out) = (pers_review_t){.id = db_int(res, 0),
                                             .by = db_int(res, 1),
                                             .reviewed_on = arena_strdup(a, db_text(res, 2)),
                                             .changes = pers_opened(a, db_text(res, 3)),
                                             .next_review = arena_strdup(a, db_text(res, 4)),
                                             .created_at = db_int(res, 5)};
    db_res_free(res);
    *n = out.n;
    return out.v;
}

bool pers_plan_late(const pers_plan_t *pl, const char *day)
{
    return pl && (pl->status == PERS_AGREED || pl->status == PERS_IN_REVIEW) && pl->next_review &&
           day && strcmp(pl->next_review, day) < 0;
}

/* --- Reading a plan's body --------------------------------------------------------- */

static bool day_ok(const char *s)
{
    int y, m, d, n = 0;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return false;
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    int last = md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= last;
}

bool pers_goals_valid(req_t *r, const json_t *goals, json_t *errors)
{
    if (!json_is_array(goals)) {
        v_error(errors, "goals", N_("The goals must be a list."));
        return false;
    }
    if (json_array_size(goals) > PERS_GOALS_MAX) {
        v_error(errors, "goals", N_("A plan holds at most 40 goals."));
        return false;
    }
    size_t i;
    json_t *g;
    json_array_foreach(goals, i, g)
    {
        json_t *dom = json_object_get(g, "domain"), *text = json_object_get(g, "text");
        json_t *acts = json_object_get(g, "actions");
        if (!json_is_object(g) || !json_is_string(dom) || !json_is_string(text)) {
            v_error(errors, "goals", N_("Each goal needs a life domain and a text."));
            return false;
        }
        if (!pers_domain_known(r->db, json_string_value(dom))) {
            v_error(errors, "goals", N_("Choose the life domain of each goal in the list."));
            return false;
        }
        const char *t = json_string_value(text);
        if (!*t || !utf8_valid(t, strlen(t)) || utf8_count(t) > PERS_NOTE_MAX) {
            v_error(errors, "goals", N_("Write each goal in at most 8000 characters."));
            return false;
        }
        if (acts && !json_is_null(acts) &&
            (!json_is_array(acts) || json_array_size(acts) > PERS_ACTIONS_MAX)) {
            v_error(errors, "goals", N_("The actions of a goal must be a list of at most 20."));
            return false;
        }
        size_t k;
        json_t *ac;
        json_array_foreach(acts, k, ac)
        {
            json_t *at = json_object_get(ac, "text"), *who = json_object_get(ac, "who");
            json_t *due = json_object_get(ac, "due"), *done = json_object_get(ac, "done");
            if (!json_is_object(ac) || !json_is_string(at) || !*json_string_value(at) ||
                (who && !json_is_null(who) && !json_is_string(who)) ||
                (due && !json_is_null(due) && !json_is_string(due)) ||
                (done && !json_is_null(done) && !json_is_boolean(done))) {
                v_error(errors, "goals", N_("Each action needs a text; who, by when and done are optional."));
                return false;
            }
            const char *ats = json_string_value(at), *ws = json_string_value(who);
            const char *ds = json_string_value(due);
            if (!utf8_valid(ats, strlen(ats)) || utf8_count(ats) > PERS_NOTE_MAX ||
                (ws && (!utf8_valid(ws, strlen(ws)) || utf8_count(ws) > PERS_TEXT_MAX))) {
                v_error(errors, "goals", N_("This text is too long."));
                return false;
            }
            if (ds && *ds && !day_ok(ds)) {
                v_error(errors, "goals", N_("Write the day of each action as YYYY-MM-DD."));
                return false;
            }
        }
    }
    return true;
}

void pers_plan_read_input(req_t *r, json_t *errors, pers_plan_input_t *in)
{
    memset(in, 0, sizeof *in);
    if (input_present(r, "status"))
        in->status = v_code(r, errors, "status", true, pers_plan_status_codes);
    in->participation = pers_opt_long(r, errors, "participation", PERS_NOTE_MAX);
    in->agreement = pers_opt_code(r, errors, "agreement", pers_agreement_codes);
    in->child_signed_name = pers_opt_text(r, errors, "child_signed_name", PERS_TEXT_MAX);
    in->child_signed_on = pers_day_input(r, errors, "child_signed_on", true);
    in->child_signed_how = pers_opt_code(r, errors, "child_signed_how", pers_sign_how_codes);
    in->guardian_name = pers_opt_text(r, errors, "guardian_name", PERS_TEXT_MAX);
    in->guardian_signed_on = pers_day_input(r, errors, "guardian_signed_on", true);
    in->guardian_signed_how = pers_opt_code(r, errors, "guardian_signed_how", pers_sign_how_codes);
    if (input_present(r, "review_months"))
        in->review_months = (int)v_int(r, errors, "review_months", true, 1,
                                       PERS_REVIEW_MAX_MONTHS, 0);
    if (r->json && json_object_get(r->json, "goals")) {
        const json_t *g = json_object_get(r->json, "goals");
        if (pers_goals_valid(r, g, errors))
            in->goals = g;
    }
}

/* --- Writing plans ------------------------------------------------------------------ */

/* Replace every goal and action of a plan by goals (checked). */
static bool write_goals(req_t *r, int64_t plan_id, const json_t *goals)
{
    bool ok = db_exec(r->db,
                      "DELETE FROM person_actions WHERE goal_id IN (SELECT id FROM person_goals"
                      " WHERE plan_id = ?)",
                      PARAMS(P_INT(plan_id))) == DB_OK &&
              db_exec(r->db, "DELETE FROM person_goals WHERE plan_id = ?", PARAMS(P_INT(plan_id))) ==
                  DB_OK;
    size_t i;
    json_t *g;
    json_array_foreach(goals, i, g)
    {
        if (!ok)
            break;
        int64_t gid = 0;
        db_res_t *res = db_query(
            r->db,
            "INSERT INTO person_goals (plan_id, position, domain, text) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            PARAMS(P_INT(plan_id), P_INT((int64_t)i), P_TEXT(json_string_value(json_object_get(g, "domain"))),
                   pers_sealed_param(r->arena, json_string_value(json_object_get(g, "text")))));
        if (res && db_next(res))
            gid = db_int(res, 0);
        db_res_free(res);
        ok = gid > 0;
        size_t k;
        json_t *ac;
        json_array_foreach(json_object_get(g, "actions"), k, ac)
        {
            if (!ok)
                break;
            const char *who = json_string_value(json_object_get(ac, "who"));
            const char *due = json_string_value(json_object_get(ac, "due"));
            ok = db_exec(r->db,
                         "INSERT INTO person_actions (goal_id, position, text, who, due, done)"
                         " VALUES (?, ?, ?, ?, ?, ?)",
                         PARAMS(P_INT(gid), P_INT((int64_t)k),
                                pers_sealed_param(r->arena,
                                             json_string_value(json_object_get(ac, "text"))),
                                P_TEXT(who ? who : ""), pers_text_or_null(due),
                                P_INT(json_is_true(json_object_get(ac, "done"))))) == DB_OK;
        }
    }
    return ok;
}

/* Copy the goals and actions of plan from into plan to (sealed values as
 * they are: the same key opens them). */
static bool copy_goals(db_t *db, int64_t from, int64_t to)
{
    db_res_t *res = db_query(db,
                             "SELECT id, position, domain, text FROM person_goals WHERE plan_id = ?"
                             " ORDER BY position, id",
                             PARAMS(P_INT(from)));
    int64_t ids[PERS_GOALS_MAX * 2], pos[PERS_GOALS_MAX * 2];
    char *dom[PERS_GOALS_MAX * 2], *txt[PERS_GOALS_MAX * 2];
    size_t n = 0;
    while (res && db_next(res) && n < ARRAY_LEN(ids)) {
        ids[n] = db_int(res, 0);
        pos[n] = db_int(res, 1);
        dom[n] = xstrdup(db_text(res, 2));
        txt[n] = db_text(res, 3) ? xstrdup(db_text(res, 3)) : NULL;
        n++;
    }
    db_res_free(res);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        int64_t gid = 0;
        if (ok) {
            res = db_query(db,
                           "INSERT INTO person_goals (plan_id, position, domain, text) VALUES"
                           " (?, ?, ?, ?) RETURNING id",
                           PARAMS(P_INT(to), P_INT(pos[i]), P_TEXT(dom[i]),
                                  txt[i] ? P_TEXT(txt[i]) : P_NULL));
            if (res && db_next(res))
                gid = db_int(res, 0);
            db_res_free(res);
            ok = gid > 0 &&
                 db_exec(db,
                         "INSERT INTO person_actions (goal_id, position, text, who, due, done)"
                         " SELECT ?, position, text, who, due, done FROM person_actions WHERE"
                         " goal_id = ?",
                         PARAMS(P_INT(gid), P_INT(ids[i]))) == DB_OK;
        }
        free(dom[i]);
        free(txt[i]);
    }
    return ok;
}

static int goal_count(db_t *db, int64_t plan_id)
{
    return (int)db_query_int(db, "SELECT COUNT(*) FROM person_goals WHERE plan_id = ?",
                             PARAMS(P_INT(plan_id)), 0);
}

/* Agreeing a plan: dates, and the older open versions closed. */
static bool agree(req_t *r, const person_t *p, int64_t plan_id, int months)
{
    const char *day = pers_today(r->arena);
    return db_exec(r->db,
                   "UPDATE person_plans SET status = 'agreed', agreed_on = ?, next_review = ?,"
                   " late_notified = NULL WHERE id = ?",
                   PARAMS(P_TEXT(day), P_TEXT(pers_add_months(r->arena, day, months)),
                          P_INT(plan_id))) == DB_OK &&
           db_exec(r->db,
                   "UPDATE person_plans SET status = 'closed', closed_on = ?, rev = rev + 1 WHERE"
                   " person_id = ? AND id <> ? AND status <> 'closed'",
                   PARAMS(P_TEXT(day), P_INT(p->id), P_INT(plan_id))) == DB_OK;
}

static int months_for(req_t *r, const person_t *p, int asked)
{
    pers_settings_t s;
    pers_settings_get(r->db, p->eps_id, &s);
    int m = s.review_months;
    if (asked > 0 && asked < m)
        m = asked;
    return m;
}

/* The fields a plan stores, from in over pl (pl NULL when creating). */
typedef struct {
    const char *participation, *agreement, *child_signed_name, *child_signed_on,
        *child_signed_how, *guardian_name, *guardian_signed_on, *guardian_signed_how;
} plan_fields_t;

static const char *pick(const char *given, const char *old)
{
    const char *v = given ? given : old;
    return v && *v ? v : NULL;
}

static void plan_merge(const pers_plan_t *pl, const pers_plan_input_t *in, plan_fields_t *f)
{
    f->participation = pick(in->participation, pl ? pl->participation : NULL);
    f->agreement = pick(in->agreement, pl ? pl->agreement : NULL);
    f->child_signed_name = pick(in->child_signed_name, pl ? pl->child_signed_name : NULL);
    f->child_signed_on = pick(in->child_signed_on, pl ? pl->child_signed_on : NULL);
    f->child_signed_how = pick(in->child_signed_how, pl ? pl->child_signed_how : NULL);
    f->guardian_name = pick(in->guardian_name, pl ? pl->guardian_name : NULL);
    f->guardian_signed_on = pick(in->guardian_signed_on, pl ? pl->guardian_signed_on : NULL);
    f->guardian_signed_how = pick(in->guardian_signed_how, pl ? pl->guardian_signed_how : NULL);
}

static bool signatures_ok(const plan_fields_t *f, json_t *errors)
{
    if (f->child_signed_on && !f->child_signed_name)
        v_error(errors, "child_signed_name", N_("Enter the name the child signed with."));
    if (f->guardian_signed_on && !f->guardian_name)
        v_error(errors, "guardian_name", N_("Enter the name of the legal guardian."));
    return json_object_size(errors) == 0;
}

static bool write_fields(req_t *r, int64_t plan_id, const plan_fields_t *f, int months)
{
    return db_exec(r->db,
                   "UPDATE person_plans SET participation = ?, agreement = ?, child_signed_name"
                   " = ?, child_signed_on = ?, child_signed_how = ?, guardian_name = ?,"
                   " guardian_signed_on = ?, guardian_signed_how = ?, review_months = ?,"
                   " updated_at = ? WHERE id = ?",
                   PARAMS(pers_sealed_param(r->arena, f->participation), pers_text_or_null(f->agreement),
                          pers_text_or_null(f->child_signed_name), pers_text_or_null(f->child_signed_on),
                          pers_text_or_null(f->child_signed_how), pers_text_or_null(f->guardian_name),
                          pers_text_or_null(f->guardian_signed_on),
                          pers_text_or_null(f->guardian_signed_how), P_INT(months),
                          P_INT(now_utc()), P_INT(plan_id))) == DB_OK;
}

res_t pers_plan_create(req_t *r, const person_t *p, const pers_plan_input_t *in,
                       json_t *errors, int64_t *id_out)
{
    if (p->anonymised_at)
        return RES_CONFLICT;
    bool want_agreed = in->status && strcmp(in->status, "agreed") == 0;
    if (in->status && strcmp(in->status, "draft") != 0 && !want_agreed) {
        v_error(errors, "status", N_("A new plan starts as a draft (or agreed at once)."));
        return RES_INVALID;
    }
    plan_fields_t f;
    plan_merge(NULL, in, &f);
    if (!signatures_ok(&f, errors))
        return RES_INVALID;
    if (want_agreed && (!in->goals || json_array_size(in->goals) == 0 || !f.agreement)) {
        v_error(errors, "status",
                N_("To agree the plan, write at least one goal and record whether the person "
                   "agrees."));
        return RES_INVALID;
    }
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    if (db_query_int(r->db,
                     "SELECT COUNT(*) FROM person_plans WHERE person_id = ? AND status = 'draft'",
                     PARAMS(P_INT(p->id)), 0) > 0) {
        app_tx_end(r->db, mine, false);
        return RES_CONFLICT;
    }
    int64_t prev = db_query_int(r->db,
                                "SELECT id FROM person_plans WHERE person_id = ? ORDER BY version"
                                " DESC LIMIT 1",
                                PARAMS(P_INT(p->id)), 0);
    int64_t version = db_query_int(r->db,
                                   "SELECT COALESCE(MAX(version), 0) + 1 FROM person_plans WHERE"
                                   " person_id = ?",
                                   PARAMS(P_INT(p->id)), 1);
    int months = months_for(r, p, in->review_months);
    int64_t now = now_utc(), id = 0;
    db_res_t *res = db_query(r->db,
                             "INSERT INTO person_plans (person_id, version, status, review_months,"
                             " created_by, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?,"
                             " ?) RETURNING id",
                             PARAMS(P_INT(p->id), P_INT(version), P_INT(months),
                                    P_INT(r->user->id), P_INT(now), P_INT(now)));
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0 && write_fields(r, id, &f, months);
    if (ok)
        ok = in->goals ? write_goals(r, id, in->goals) : (prev ? copy_goals(r->db, prev, id) : true);
    if (ok && want_agreed)
        ok = agree(r, p, id, months);
    if (ok) {
        json_t *ch = json_pack("{s:{s:I}, s:{s:s}, s:{s:i}}", "version", "to", (json_int_t)version,
                               "status", "to", want_agreed ? "agreed" : "draft", "goals", "to",
                               goal_count(r->db, id));
        ok = audit_write(r->db, r->user->id, "plan_create", "person_plan", id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

/* Transitions a PATCH may ask (a review puts an in-review plan back to
 * agreed through pers_review_add). */
static bool transition_ok(pers_status_t from, pers_status_t to)
{
    switch (from) {
    case PERS_DRAFT: return to == PERS_AGREED || to == PERS_CLOSED;
    case PERS_AGREED: return to == PERS_IN_REVIEW || to == PERS_CLOSED;
    case PERS_IN_REVIEW: return to == PERS_CLOSED;
    default: return false;
    }
}

json_t *pers_plan_allowed(const pers_plan_t *pl)
{
    json_t *out = json_array();
    for (int s = PERS_DRAFT; s <= PERS_CLOSED; s++)
        if (transition_ok(pl->status, (pers_status_t)s))
            json_array_append_new(out, json_string(pers_status_code((pers_status_t)s)));
    return out;
}

res_t pers_plan_update(req_t *r, const person_t *p, const pers_plan_t *pl,
                       const pers_plan_input_t *in, int64_t rev, json_t *errors)
{
    if (p->anonymised_at || pl->status == PERS_CLOSED)
        return RES_CONFLICT;
    if (rev > 0 && rev != pl->rev)
        return RES_CONFLICT;
    int to = in->status ? pers_status_from_code(in->status) : (int)pl->status;
    if (to < 0)
        return RES_INVALID;
    bool moving = to != (int)pl->status;
    if (moving && !transition_ok(pl->status, (pers_status_t)to))
        return RES_CONFLICT;
    /* goals change while the plan is written or reviewed */
    bool editable = pl->status == PERS_DRAFT || pl->status == PERS_IN_REVIEW;
    if (in->goals && !editable)
        return RES_CONFLICT;
    plan_fields_t f;
    plan_merge(pl, in, &f);
    if (!signatures_ok(&f, errors))
        return RES_INVALID;
    int months = in->review_months > 0 ? months_for(r, p, in->review_months) : pl->review_months;
    int goals_after = in->goals ? (int)json_array_size(in->goals) : goal_count(r->db, pl->id);
    if (moving && to == PERS_AGREED && (goals_after == 0 || !f.agreement)) {
        v_error(errors, "status",
                N_("To agree the plan, write at least one goal and record whether the person "
                   "agrees."));
        return RES_INVALID;
    }
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    bool ok = db_exec(r->db, "UPDATE person_plans SET rev = rev + 1 WHERE id = ? AND rev = ?",
                      PARAMS(P_INT(pl->id), P_INT(pl->rev))) == DB_OK;
    bool stale = ok && db_changes(r->db) == 0;
    ok = ok && !stale && write_fields(r, pl->id, &f, months);
    if (ok && in->goals)
        ok = write_goals(r, pl->id, in->goals);
    const char *day = pers_today(r->arena);
    if (ok && moving) {
        if (to == PERS_AGREED)
            ok = agree(r, p, pl->id, months);
        else if (to == PERS_CLOSED)
            ok = db_exec(r->db,
                         "UPDATE person_plans SET status = 'closed', closed_on = ? WHERE id = ?",
                         PARAMS(P_TEXT(day), P_INT(pl->id))) == DB_OK;
        else
            ok = db_exec(r->db, "UPDATE person_plans SET status = ? WHERE id = ?",
                         PARAMS(P_TEXT(pers_status_code((pers_status_t)to)), P_INT(pl->id))) ==
                 DB_OK;
    }
    json_t *ch = json_object();
    if (!(f.participation == pl->participation ||
          (f.participation && pl->participation && !strcmp(f.participation, pl->participation))))
        json_object_set_new(ch, "participation", json_string("changed"));
    if (in->agreement)
        json_object_set_new(ch, "agreement",
                            json_pack("{s:o, s:o}", "from", json_str_or_null(pl->agreement), "to",
                                      json_str_or_null(f.agreement)));
    if (in->child_signed_on)
        json_object_set_new(ch, "child_signed_on", json_pack("{s:o}", "to",
                                                             json_str_or_null(f.child_signed_on)));
    if (in->guardian_signed_on)
        json_object_set_new(ch, "guardian_signed_on",
                            json_pack("{s:o}", "to", json_str_or_null(f.guardian_signed_on)));
    if (in->goals)
        json_object_set_new(ch, "goals", json_pack("{s:i}", "to", goals_after));
    if (months != pl->review_months)
        json_object_set_new(ch, "review_months",
                            json_pack("{s:i, s:i}", "from", pl->review_months, "to", months));
    if (ok && json_object_size(ch) > 0)
        ok = audit_write(r->db, r->user->id, "plan_update", "person_plan", pl->id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
    json_decref(ch);
    if (ok && moving) {
        json_t *sc = json_pack("{s:{s:s, s:s}}", "status", "from", pers_status_code(pl->status),
                               "to", pers_status_code((pers_status_t)to));
        ok = audit_write(r->db, r->user->id, "plan_status", "person_plan", pl->id, p->node_id, sc,
                         req_ip(r)) == DB_OK;
        json_decref(sc);
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return stale ? RES_CONFLICT : RES_ERROR;
    return RES_OK;
}

res_t pers_review_add(req_t *r, const person_t *p, const pers_plan_t *pl, const char *day,
                      const char *changes, const char *next_review, json_t *errors,
                      int64_t *id_out)
{
    if (p->anonymised_at || (pl->status != PERS_AGREED && pl->status != PERS_IN_REVIEW))
        return RES_CONFLICT;
    const char *t = pers_today(r->arena);
    if (!day || !*day)
        day = t;
    if (strcmp(day, t) > 0)
        v_error(errors, "reviewed_on", N_("This date is in the future."));
    if (!changes || !*changes)
        v_error(errors, "changes", N_("Say what changed since the plan was agreed or last reviewed."));
    else if (utf8_count(changes) > PERS_NOTE_MAX)
        v_error(errors, "changes", N_("This text is too long."));
    int months = pl->review_months > 0 ? pl->review_months : PERS_REVIEW_MAX_MONTHS;
    const char *latest = pers_add_months(r->arena, day, months);
    if (next_review && *next_review &&
        (strcmp(next_review, day) <= 0 || strcmp(next_review, latest) > 0))
        v_error(errors, "next_review",
                TF(r, N_("The next review comes after this one and at most %d months later."),
                   months, 0));
    if (json_object_size(errors) > 0)
        return RES_INVALID;
    const char *next = next_review && *next_review ? next_review : latest;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    int64_t id = 0;
    db_res_t *res = db_query(r->db,
                             "INSERT INTO person_reviews (plan_id, reviewed_on, due_on, changes,"
                             " next_review, by_user, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                             " RETURNING id",
                             PARAMS(P_INT(pl->id), P_TEXT(day), pers_text_or_null(pl->next_review),
                                    pers_sealed_param(r->arena, changes), P_TEXT(next),
                                    P_INT(r->user->id), P_INT(now_utc())));
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0 &&
              db_exec(r->db,
                      "UPDATE person_plans SET status = 'agreed', next_review = ?, late_notified ="
                      " NULL, rev = rev + 1, updated_at = ? WHERE id = ?",
                      PARAMS(P_TEXT(next), P_INT(now_utc()), P_INT(pl->id))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s}, s:s, s:{s:o, s:s}}", "reviewed_on", "to", day,
                               "changes", "changed", "next_review", "from",
                               json_str_or_null(pl->next_review), "to", next);
        ok = audit_write(r->db, r->user->id, "review", "person_plan", pl->id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

json_t *pers_plan_json(req_t *r, const pers_plan_t *pl, bool with_reviews)
{
    const char *day = pers_today(r->arena);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(pl->id));
    json_object_set_new(o, "person_id", json_integer(pl->person_id));
    json_object_set_new(o, "version", json_integer(pl->version));
    json_object_set_new(o, "status", json_string(pers_status_code(pl->status)));
    json_object_set_new(o, "status_label",
                        json_string(T(r, pers_code_msgid(r->arena, "plan",
                                                         pers_status_code(pl->status)))));
    const char *const f[][2] = {
        {"participation", pl->participation},
        {"agreement", pl->agreement},
        {"child_signed_name", pl->child_signed_name},
        {"child_signed_on", pl->child_signed_on},
        {"child_signed_how", pl->child_signed_how},
        {"guardian_name", pl->guardian_name},
        {"guardian_signed_on", pl->guardian_signed_on},
        {"guardian_signed_how", pl->guardian_signed_how},
        {"agreed_on", pl->agreed_on},
        {"closed_on", pl->closed_on},
        {"next_review", pl->next_review},
    };
    for (size_t i = 0; i < ARRAY_LEN(f); i++)
        json_object_set_new(o, f[i][0], json_str_or_null(f[i][1] && *f[i][1] ? f[i][1] : NULL));
    json_object_set_new(o, "review_months", json_integer(pl->review_months));
    json_object_set_new(o, "late", json_boolean(pers_plan_late(pl, day)));
    json_object_set_new(o, "allowed", pers_plan_allowed(pl));
    json_object_set_new(o, "rev", json_integer(pl->rev));
    json_object_set_new(o, "created_at", json_integer(pl->created_at));
    json_object_set_new(o, "updated_at", json_integer(pl->updated_at));
    size_t ng = 0, nd = 0;
    pers_goal_t *g = pers_goals(r->db, r->arena, pl->id, &ng);
    pers_domain_t *d = pers_domains(r->db, r->arena, r->lang, true, &nd);
    json_t *goals = json_array();
    for (size_t i = 0; i < ng; i++) {
        const char *label = g[i].domain;
        for (size_t k = 0; k < nd; k++)
            if (strcmp(d[k].code, g[i].domain) == 0)
                label = d[k].label;
        json_t *acts = json_array();
        for (size_t k = 0; k < g[i].n_actions; k++) {
            const pers_action_t *a = &g[i].actions[k];
            json_array_append_new(acts, json_pack("{s:I, s:o, s:s, s:o, s:b}", "id",
                                                  (json_int_t)a->id, "text",
                                                  json_str_or_null(a->text), "who",
                                                  a->who ? a->who : "", "due",
                                                  json_str_or_null(a->due), "done", a->done));
        }
        json_array_append_new(goals, json_pack("{s:I, s:s, s:s, s:o, s:o}", "id",
                                               (json_int_t)g[i].id, "domain", g[i].domain,
                                               "domain_label", label, "text",
                                               json_str_or_null(g[i].text), "actions", acts));
    }
    json_object_set_new(o, "goals", goals);
    if (with_reviews) {
        size_t nr = 0;
        pers_review_t *rv = pers_reviews(r->db, r->arena, pl->id, &nr);
        json_t *reviews = json_array();
        for (size_t i = 0; i < nr; i++) {
            const char *href = NULL;
            const char *by = app_entity_name(r, "user", rv[i].by, &href);
            json_array_append_new(reviews,
                                  json_pack("{s:I, s:s, s:o, s:o, s:o, s:I}", "id",
                                            (json_int_t)rv[i].id, "reviewed_on", rv[i].reviewed_on,
                                            "changes", json_str_or_null(rv[i].changes),
                                            "next_review", json_str_or_null(rv[i].next_review),
                                            "by_name", json_str_or_null(by), "created_at",
                                            (json_int_t)rv[i].created_at));
        }
        json_object_set_new(o, "reviews", reviews);
    }
    return o;
}

