/* plan_remind.c - what the improvement plan does for the rest of the
 * program: the daily work (actions past their due date marked overdue, their
 * owners notified once per due date), the action born of a self-assessment
 * proposal when it is accepted, and the actions shown beside a campaign's
 * criteria. */
#include "plan_internal.h"

#include <string.h>

#include "../core/fold.h"
#include "../ref/ref.h"

#define REMIND_BATCH 500

int plan_daily(db_t *db, const char *day, int64_t now)
{
    (void)now;
    int64_t last = 0;
    for (;;) {
        int64_t ids[REMIND_BATCH], owners[REMIND_BATCH], nodes[REMIND_BATCH];
        char due[REMIND_BATCH][11];
        int n = 0;
        db_res_t *res = db_query(db,
                                 "SELECT id, owner_id, node_id, due_date FROM actions"
                                 " WHERE status IN ('proposed', 'planned', 'in_progress')"
                                 " AND due_date < ? AND overdue_since IS NULL AND id > ?"
                                 " ORDER BY id LIMIT ?",
                                 PARAMS(P_TEXT(day), P_INT(last), P_INT(REMIND_BATCH)));
        if (!res)
            return DB_ERR;
        while (db_next(res) && n < REMIND_BATCH) {
            ids[n] = db_int(res, 0);
            owners[n] = db_int(res, 1);
            nodes[n] = db_int(res, 2);
            snprintf(due[n], sizeof due[n], "%s", db_text(res, 3) ? db_text(res, 3) : "");
            n++;
        }
        db_res_free(res);
        if (n == 0)
            return DB_OK;
        last = ids[n - 1];
        bool mine;
        if (!app_tx_begin(db, &mine))
            return DB_ERR;
        bool ok = true;
        for (int i = 0; i < n && ok; i++) {
            ok = db_exec(db, "UPDATE actions SET overdue_since = ? WHERE id = ? AND overdue_since IS NULL",
                         PARAMS(P_TEXT(day), P_INT(ids[i]))) == DB_OK;
            if (!ok || db_changes(db) == 0)
                continue; /* another server marked it */
            json_t *ch = json_pack("{s:{s:s}}", "due_date", "to", due[i]);
            ok = audit_write(db, 0, "overdue", "action", ids[i], nodes[i], ch, NULL) == DB_OK;
            json_decref(ch);
            if (ok && owners[i] > 0) {
                char link[48];
                snprintf(link, sizeof link, "/actions/%lld", (long long)ids[i]);
                ok = notify_user(db, owners[i], "action_overdue",
                                 N_("The improvement action %s is past its due date (%s)."), link,
                                 (notify_arg_t[]){NOTIFY_REF("action", ids[i]), NOTIFY_TEXT(due[i])},
                                 2) == DB_OK;
            }
        }
        if (app_tx_end(db, mine, ok) != DB_OK || !ok)
            return DB_ERR;
        if (n < REMIND_BATCH)
            return DB_OK;
    }
}

/* The title of the chapter (top item) holding the criterion code. */
static const char *chapter_of(db_t *db, arena_t *a, int64_t ref_id, const char *code)
{
    size_t n = 0;
    ref_row_t *rows = ref_rows(db, a, ref_id, &n);
    const char *chapter = "";
    for (size_t i = 0; rows && i < n; i++) {
        if (rows[i].depth == 0)
            chapter = rows[i].title_fr ? rows[i].title_fr : "";
        if (str_eq(rows[i].code, code))
            return chapter;
    }
    return "";
}

/* An accepted proposal of a self-assessment becomes a proposed action of
 * the EPS, linked to its campaign and criterion, owned by the person the
 * criterion was assigned to; an imperative criterion's gap has a high impact. */
static int from_proposal(db_t *db, app_event_t *ev)
{
    if (db_query_int(db, "SELECT COUNT(*) FROM actions WHERE proposal_id = ?",
                     PARAMS(P_INT(ev->id)), 0) > 0)
        return DB_OK;
    arena_t *a = arena_new();
    db_res_t *res = db_query(db,
                             "SELECT p.campaign_id, p.code, p.title, p.imperative,"
                             " p.suggested_owner_id, c.node_id, c.node_path, c.referentiel_id"
                             " FROM proposals p JOIN campaigns c ON c.id = p.campaign_id"
                             " WHERE p.id = ?",
                             PARAMS(P_INT(ev->id)));
    int rc = DB_ERR;
    if (!res || !db_next(res)) {
        db_res_free(res);
        arena_free(a);
        return rc;
    }
    int64_t campaign = db_int(res, 0), owner = db_int(res, 4), node = db_int(res, 5),
            ref = db_int(res, 7);
    const char *code = arena_strdup(a, db_text(res, 1) ? db_text(res, 1) : "");
    const char *title = arena_strdup(a, db_text(res, 2) ? db_text(res, 2) : code);
    bool imperative = db_int(res, 3) != 0;
    const char *path = arena_strdup(a, db_text(res, 6) ? db_text(res, 6) : "");
    db_res_free(res);
    if (owner > 0 && !users_works_at(db, path, owner))
        owner = 0;
    const char *theme = chapter_of(db, a, ref, code);
    int impact = imperative ? 3 : 2;
    int64_t now = now_utc();
    const char *fields[] = {title, theme};
    char *key = text_fold_key(fields, 2);
    int64_t id = 0;
    res = db_query(db,
                   "INSERT INTO actions (node_id, node_path, title, origin, campaign_id, item_code,"
                   " proposal_id, theme, owner_id, impact, effort, priority, status, created_by,"
                   " created_at, updated_at, search_key) VALUES (?, ?, ?, 'self_assessment', ?, ?,"
                   " ?, ?, ?, ?, 2, ?, 'proposed', ?, ?, ?, ?) RETURNING id",
                   PARAMS(P_INT(node), P_TEXT(path), P_TEXT(title), P_INT(campaign), P_TEXT(code),
                          P_INT(ev->id), P_TEXT(theme), owner > 0 ? P_INT(owner) : P_NULL,
                          P_INT(impact), P_INT(act_priority(impact, 2)),
                          ev->actor > 0 ? P_INT(ev->actor) : P_NULL, P_INT(now), P_INT(now),
                          P_TEXT(key)));
    free(key);
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    ev->created = id;
    if (id > 0) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}, s:{s:I}, s:{s:s}, s:{s:s}}", "title", "to", title,
                               "origin", "to", "self_assessment", "campaign_id", "to",
                               (json_int_t)campaign, "criterion", "to", code, "status", "to",
                               "proposed");
        rc = audit_write(db, ev->actor, "create", "action", id, node, ch, ev->ip);
        json_decref(ch);
    }
    arena_free(a);
    return rc;
}

/* An objective of a projet d'établissement turned into an action: proposed,
 * titled as the objective, its origin the projet (what the event's data
 * say: the plan reads no table of the projet's module). */
static int from_objective(db_t *db, app_event_t *ev)
{
    const json_t *d = ev->data;
    const char *title = json_string_value(json_object_get(d, "title"));
    const char *desc = json_string_value(json_object_get(d, "description"));
    const char *label = json_string_value(json_object_get(d, "project_title"));
    const char *path = json_string_value(json_object_get(d, "node_path"));
    int64_t project = json_integer_value(json_object_get(d, "project_id"));
    int64_t node = json_integer_value(json_object_get(d, "node_id"));
    if (!title || !path || node <= 0 || project <= 0)
        return DB_ERR;
    if (!desc)
        desc = "";
    if (!label)
        label = "";
    int rc = DB_ERR;
    db_res_t *res;
    int64_t now = now_utc();
    const char *fields[] = {title, label};
    char *key = text_fold_key(fields, 2);
    int64_t id = 0;
    res = db_query(db,
                   "INSERT INTO actions (node_id, node_path, title, description, origin,"
                   " origin_label, project_id, objective_id, impact, effort, priority, status,"
                   " created_by, created_at, updated_at, search_key) VALUES (?, ?, ?, ?,"
                   " 'project', ?, ?, ?, 2, 2, ?, 'proposed', ?, ?, ?, ?) RETURNING id",
                   PARAMS(P_INT(node), P_TEXT(path), P_TEXT(title), P_TEXT(desc), P_TEXT(label),
                          P_INT(project), P_INT(ev->id), P_INT(act_priority(2, 2)),
                          ev->actor > 0 ? P_INT(ev->actor) : P_NULL, P_INT(now), P_INT(now),
                          P_TEXT(key)));
    free(key);
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    ev->created = id;
    if (id > 0) {
        json_t *ch = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "title", "to", title,
                               "origin", "to", "project", "origin_label", "to", label, "status",
                               "to", "proposed");
        rc = audit_write(db, ev->actor, "create", "action", id, node, ch, ev->ip);
        json_decref(ch);
    }
    return rc;
}

int plan_on_event(db_t *db, app_event_t *ev)
{
    if (str_eq(ev->name, "proposal_accepted"))
        return from_proposal(db, ev);
    if (str_eq(ev->name, "objective_action"))
        return from_objective(db, ev);
    return DB_OK;
}

/* The actions born of a campaign's criteria (items: criterion codes) or of
 * a projet's objectives (items: objective ids). */
void plan_item_links(req_t *r, const char *entity, int64_t id, json_t *out)
{
    bool project = str_eq(entity, "project");
    if (!project && !str_eq(entity, "campaign"))
        return;
    db_res_t *res = db_query(
        r->db,
        project ? "SELECT " ACT_COLS ", a.objective_id FROM actions a WHERE a.project_id = ?"
                  " AND a.objective_id IS NOT NULL ORDER BY a.objective_id, a.id LIMIT 2000"
                : "SELECT " ACT_COLS ", a.item_code FROM actions a WHERE a.campaign_id = ?"
                  " AND a.item_code IS NOT NULL ORDER BY a.item_code, a.id LIMIT 2000",
        PARAMS(P_INT(id)));
    while (res && db_next(res)) {
        action_t a;
        act_from_row(r->arena, res, 0, &a);
        if (act_access(r, &a) == ACCESS_NONE)
            continue;
        const char *item = project ? arena_printf(r->arena, "%lld", (long long)db_int(res, ACT_NCOLS))
                                   : a.item_code;
        json_t *list = json_object_get(out, item);
        if (!list) {
            list = json_array();
            json_object_set_new(out, item, list);
        }
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:b}", "label", a.title, "href",
                            arena_printf(r->arena, "/actions/%lld", (long long)a.id), "status",
                            act_status_code(a.status), "status_label",
                            plan_status_label(r, a.status), "finished",
                            a.status == ACT_EFFECTIVE || a.status == ACT_CLOSED ||
                                a.status == ACT_DONE));
    }
    db_res_free(res);
}
