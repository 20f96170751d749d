/* project_strategy.c - the projet's strategy: strategic axes, their
 * objectives, each objective's indicators (baseline, target, by when) and
 * action sheets ("fiches actions": what, who leads, resources, by when),
 * and the improvement actions born of an objective (created by the plan
 * module on the event "objective_action", shown through its item links).
 * Frozen with the sections when the projet is validated. */
#include "project_internal.h"

#include <string.h>

#define STRAT_TITLE_MAX 200
#define STRAT_SHEET_MAX 20000

static json_t *by_id(json_t *index, int64_t id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    return json_object_get(index, key);
}

static void index_put(json_t *index, int64_t id, json_t *o)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    json_object_set(index, key, o);
}

/* The tree of a projet: four queries, assembled through an index by id. */
static json_t *strategy_tree(db_t *db, int64_t project_id)
{
    json_t *axes = json_array(), *axis_ix = json_object(), *obj_ix = json_object();
    db_res_t *res = db_query(db,
                             "SELECT id, title, description FROM project_axes WHERE project_id = ?"
                             " ORDER BY position, id",
                             PARAMS(P_INT(project_id)));
    while (res && db_next(res)) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:[]}", "id", (json_int_t)db_int(res, 0), "title",
                              db_text(res, 1), "description", db_text(res, 2), "objectives");
        index_put(axis_ix, db_int(res, 0), o);
        json_array_append_new(axes, o);
    }
    db_res_free(res);
    res = db_query(db,
                   "SELECT id, axis_id, title, description FROM project_objectives"
                   " WHERE project_id = ? ORDER BY position, id",
                   PARAMS(P_INT(project_id)));
    while (res && db_next(res)) {
        json_t *axis = by_id(axis_ix, db_int(res, 1));
        if (!axis)
            continue;
        json_t *o = json_pack("{s:I, s:s, s:s, s:[], s:[]}", "id", (json_int_t)db_int(res, 0),
                              "title", db_text(res, 2), "description", db_text(res, 3),
                              "indicators", "sheets");
        index_put(obj_ix, db_int(res, 0), o);
        json_array_append_new(json_object_get(axis, "objectives"), o);
    }
    db_res_free(res);
    res = db_query(db,
                   "SELECT id, objective_id, label, baseline, target, due FROM project_indicators"
                   " WHERE project_id = ? ORDER BY id",
                   PARAMS(P_INT(project_id)));
    while (res && db_next(res)) {
        json_t *obj = by_id(obj_ix, db_int(res, 1));
        if (obj)
            json_array_append_new(
                json_object_get(obj, "indicators"),
                json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)db_int(res, 0), "label",
                          db_text(res, 2), "baseline", db_text(res, 3), "target", db_text(res, 4),
                          "due", json_str_or_null(db_text(res, 5))));
    }
    db_res_free(res);
    res = db_query(db,
                   "SELECT id, objective_id, title, content, lead, resources, due"
                   " FROM project_sheets WHERE project_id = ? ORDER BY id",
                   PARAMS(P_INT(project_id)));
    while (res && db_next(res)) {
        json_t *obj = by_id(obj_ix, db_int(res, 1));
        if (obj)
            json_array_append_new(
                json_object_get(obj, "sheets"),
                json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)db_int(res, 0),
                          "title", db_text(res, 2), "content", db_text(res, 3), "lead",
                          db_text(res, 4), "resources", db_text(res, 5), "due",
                          json_str_or_null(db_text(res, 6))));
    }
    db_res_free(res);
    json_decref(axis_ix);
    json_decref(obj_ix);
    return axes;
}

json_t *prj_strategy_snapshot(db_t *db, int64_t project_id)
{
    return strategy_tree(db, project_id);
}

json_t *prj_strategy(req_t *r, const project_t *p, bool links)
{
    json_t *axes = strategy_tree(r->db, p->id);
    json_t *items = links ? app_item_links(r, "project", p->id) : NULL;
    size_t i, j;
    json_t *axis, *obj;
    json_array_foreach(axes, i, axis) {
        json_object_set_new(axis, "number", json_integer((json_int_t)i + 1));
        json_array_foreach(json_object_get(axis, "objectives"), j, obj) {
            json_object_set_new(obj, "number",
                                json_string(arena_printf(r->arena, "%zu.%zu", i + 1, j + 1)));
            json_t *sheet;
            size_t k;
            json_array_foreach(json_object_get(obj, "sheets"), k, sheet) {
                const char *md = json_string_value(json_object_get(sheet, "content"));
                json_object_set_new(sheet, "blocks", md_blocks(md ? md : "", md ? strlen(md) : 0));
            }
            if (items) {
                char key[24];
                snprintf(key, sizeof key, "%lld",
                         (long long)json_integer_value(json_object_get(obj, "id")));
                json_t *acts = json_object_get(items, key);
                json_object_set(obj, "actions", acts ? acts : json_array());
                if (!acts)
                    json_decref(json_object_get(obj, "actions"));
            }
        }
    }
    json_decref(items);
    return axes;
}

/* --- changes ------------------------------------------------------------- */

/* Does the row id of table belong to the projet? */
static bool of_project(db_t *db, const char *table, int64_t id, int64_t project_id)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT project_id FROM %s WHERE id = ?", table);
    return id > 0 && db_query_int(db, sql, PARAMS(P_INT(id)), 0) == project_id;
}

static const char *opt_day(req_t *r, json_t *errors, const char *field)
{
    const char *d = v_text(r, errors, field, false, 10);
    if (d && *d && !iso_day_valid(d)) {
        v_error(errors, field, N_("Enter a date as YYYY-MM-DD."));
        return NULL;
    }
    return d && *d ? d : NULL;
}

static int64_t parent_id(req_t *r, json_t *errors, const char *field, const char *table,
                         const project_t *p)
{
    int64_t id = v_int(r, errors, field, true, 1, INT64_MAX, 0);
    if (id > 0 && !of_project(r->db, table, id, p->id)) {
        v_error(errors, field, N_("Choose one of this projet's."));
        return 0;
    }
    return id;
}

static int64_t insert_id(db_t *db, const char *sql, const db_param_t *params, int n)
{
    db_res_t *res = db_query(db, sql, params, n);
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    db_res_free(res);
    return id;
}

static int64_t add_row(req_t *r, const project_t *p, const char *what, json_t *errors,
                       json_t *changes)
{
    db_t *db = r->db;
    if (str_eq(what, "axis")) {
        const char *title = v_text(r, errors, "title", true, STRAT_TITLE_MAX);
        const char *desc = v_long_text(r, errors, "description", false, PRJ_TEXT_MAX);
        if (json_object_size(errors))
            return 0;
        json_object_set_new(changes, "axis", json_pack("{s:s}", "to", title));
        return insert_id(db,
                         "INSERT INTO project_axes (project_id, position, title, description)"
                         " VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM project_axes"
                         " WHERE project_id = ?), ?, ?) RETURNING id",
                         PARAMS(P_INT(p->id), P_INT(p->id), P_TEXT(title), P_TEXT(desc ? desc : "")));
    }
    if (str_eq(what, "objective")) {
        int64_t axis = parent_id(r, errors, "axis_id", "project_axes", p);
        const char *title = v_text(r, errors, "title", true, STRAT_TITLE_MAX);
        const char *desc = v_long_text(r, errors, "description", false, PRJ_TEXT_MAX);
        if (json_object_size(errors))
            return 0;
        json_object_set_new(changes, "objective", json_pack("{s:s}", "to", title));
        return insert_id(db,
                         "INSERT INTO project_objectives (project_id, axis_id, position, title,"
                         " description) VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM"
                         " project_objectives WHERE axis_id = ?), ?, ?) RETURNING id",
                         PARAMS(P_INT(p->id), P_INT(axis), P_INT(axis), P_TEXT(title),
                                P_TEXT(desc ? desc : "")));
    }
    if (str_eq(what, "indicator")) {
        int64_t obj = parent_id(r, errors, "objective_id", "project_objectives", p);
        const char *label = v_text(r, errors, "label", true, STRAT_TITLE_MAX);
        const char *baseline = v_text(r, errors, "baseline", false, STRAT_TITLE_MAX);
        const char *target = v_text(r, errors, "target", true, STRAT_TITLE_MAX);
        const char *due = opt_day(r, errors, "due");
        if (json_object_size(errors))
            return 0;
        json_object_set_new(changes, "indicator", json_pack("{s:s}", "to", label));
        return insert_id(db,
                         "INSERT INTO project_indicators (project_id, objective_id, label, baseline,"
                         " target, due) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         PARAMS(P_INT(p->id), P_INT(obj), P_TEXT(label),
                                P_TEXT(baseline ? baseline : ""), P_TEXT(target),
                                due ? P_TEXT(due) : P_NULL));
    }
    if (str_eq(what, "sheet")) {
        int64_t obj = parent_id(r, errors, "objective_id", "project_objectives", p);
        const char *title = v_text(r, errors, "title", true, STRAT_TITLE_MAX);
        const char *content = v_long_text(r, errors, "content", false, STRAT_SHEET_MAX);
        const char *lead = v_text(r, errors, "lead", false, STRAT_TITLE_MAX);
        const char *resources = v_long_text(r, errors, "resources", false, PRJ_TEXT_MAX);
        const char *due = opt_day(r, errors, "due");
        if (json_object_size(errors))
            return 0;
        json_object_set_new(changes, "sheet", json_pack("{s:s}", "to", title));
        return insert_id(db,
                         "INSERT INTO project_sheets (project_id, objective_id, title, content,"
                         " lead, resources, due) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         PARAMS(P_INT(p->id), P_INT(obj), P_TEXT(title),
                                P_TEXT(content ? content : ""), P_TEXT(lead ? lead : ""),
                                P_TEXT(resources ? resources : ""), due ? P_TEXT(due) : P_NULL));
    }
    v_error(errors, "kind", N_("Choose what to add: axis, objective, indicator or sheet."));
    return 0;
}

res_t prj_strategy_add(req_t *r, const project_t *p, const char *what, json_t *errors,
                       int64_t *id_out)
{
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    json_t *changes = json_object();
    int64_t id = add_row(r, p, what, errors, changes);
    bool ok = id > 0;
    if (ok)
        ok = audit_write(r->db, r->user->id, "strategy", "project", p->id, p->node_id, changes,
                         req_ip(r)) == DB_OK;
    json_decref(changes);
    if (app_tx_end(r->db, mine, ok) != DB_OK && ok)
        return RES_ERROR;
    if (!ok)
        return json_object_size(errors) ? RES_INVALID : RES_ERROR;
    *id_out = id;
    return RES_OK;
}

res_t prj_strategy_remove(req_t *r, const project_t *p, const char *what, int64_t id)
{
    static const char *const tables[][2] = {{"axis", "project_axes"},
                                            {"objective", "project_objectives"},
                                            {"indicator", "project_indicators"},
                                            {"sheet", "project_sheets"}};
    const char *table = NULL;
    for (size_t i = 0; i < ARRAY_LEN(tables); i++)
        if (str_eq(what, tables[i][0]))
            table = tables[i][1];
    if (!table || !of_project(r->db, table, id, p->id))
        return RES_NOT_FOUND;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    char sql[160];
    bool ok = true;
    /* what hangs from it first */
    if (str_eq(what, "axis")) {
        ok = db_exec(r->db,
                     "DELETE FROM project_indicators WHERE objective_id IN (SELECT id FROM"
                     " project_objectives WHERE axis_id = ?)",
                     PARAMS(P_INT(id))) == DB_OK &&
             db_exec(r->db,
                     "DELETE FROM project_sheets WHERE objective_id IN (SELECT id FROM"
                     " project_objectives WHERE axis_id = ?)",
                     PARAMS(P_INT(id))) == DB_OK &&
             db_exec(r->db, "DELETE FROM project_objectives WHERE axis_id = ?", PARAMS(P_INT(id))) ==
                 DB_OK;
    } else if (str_eq(what, "objective")) {
        ok = db_exec(r->db, "DELETE FROM project_indicators WHERE objective_id = ?",
                     PARAMS(P_INT(id))) == DB_OK &&
             db_exec(r->db, "DELETE FROM project_sheets WHERE objective_id = ?",
                     PARAMS(P_INT(id))) == DB_OK;
    }
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?", table);
    ok = ok && db_exec(r->db, sql, PARAMS(P_INT(id))) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:I, s:n}}", what, "from", (json_int_t)id, "to");
        ok = audit_write(r->db, r->user->id, "strategy", "project", p->id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

res_t prj_objective_action(req_t *r, const project_t *p, int64_t objective_id, int64_t *action_id)
{
    if (!of_project(r->db, "project_objectives", objective_id, p->id))
        return RES_NOT_FOUND;
    bool mine;
    if (!app_tx_begin(r->db, &mine))
        return RES_ERROR;
    json_t *data = NULL;
    db_res_t *res = db_query(r->db,
                             "SELECT title, description FROM project_objectives WHERE id = ?",
                             PARAMS(P_INT(objective_id)));
    if (res && db_next(res))
        data = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s}", "title", db_text(res, 0), "description",
                         db_text(res, 1), "project_id", (json_int_t)p->id, "project_title", p->title,
                         "node_id", (json_int_t)p->node_id, "node_path", p->node_path);
    db_res_free(res);
    app_event_t ev = {"objective_action", objective_id, r->user->id, req_ip(r), data, 0};
    bool ok = data && app_emit(r->db, &ev) == DB_OK && ev.created > 0;
    json_decref(data);
    if (ok) {
        json_t *ch = json_pack("{s:{s:I}}", "action_id", "to", (json_int_t)ev.created);
        ok = audit_write(r->db, r->user->id, "strategy", "project", p->id, p->node_id, ch,
                         req_ip(r)) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(r->db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *action_id = ev.created;
    return RES_OK;
}
