/* project_views.c - the projet d'établissement on the home page (the
 * projets of the reader's establishments: status, period, sections
 * written, proposals waiting; for readers of a whole network, the count of
 * projets by status), and its daily work (the calendar: in force, expired). */
#include "project_internal.h"

#include <string.h>

static json_t *eps_card(req_t *r, const project_t *p)
{
    int64_t filled = db_query_int(r->db,
                                  "SELECT COUNT(*) FROM project_sections WHERE project_id = ?"
                                  " AND content <> ''",
                                  PARAMS(P_INT(p->id)), 0);
    int64_t total = db_query_int(r->db, "SELECT COUNT(*) FROM project_sections WHERE project_id = ?",
                                 PARAMS(P_INT(p->id)), 0);
    int64_t open = db_query_int(r->db,
                                "SELECT COUNT(*) FROM project_contributions WHERE project_id = ?"
                                " AND kind = 'proposal' AND status = 'open'",
                                PARAMS(P_INT(p->id)), 0);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "title", p->title, "href",
                     arena_printf(r->arena, "/projects/%lld", (long long)p->id), "eps",
                     nodes_label(r->db, r->arena, r->lang, p->node_id), "status_label",
                     prj_status_label(r, p->status), "period",
                     arena_printf(r->arena, "%.4s–%.4s", p->period_start, p->period_end), "filled",
                     (json_int_t)filled, "sections", (json_int_t)total, "proposals",
                     (json_int_t)open, "has_proposals", open > 0);
}

void prj_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    /* the establishments where the reader works: their current projet */
    json_t *mine = json_array();
    int64_t now = now_utc();
    char today[11];
    iso_day_local(now, today);
    for (int i = 0; i < r->user->n_roles && json_array_size(mine) < 4; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || a->node_kind != NODE_EPS ||
            (a->role != ROLE_DIRECTOR && a->role != ROLE_QUALITY_REFERENT && a->role != ROLE_STAFF))
            continue;
        db_res_t *res = db_query(r->db,
                                 "SELECT " PRJ_COLS " FROM projects p WHERE p.node_id = ?"
                                 " AND p.period_end >= ? ORDER BY p.period_start LIMIT 1",
                                 PARAMS(P_INT(a->node_id), P_TEXT(today)));
        if (res && db_next(res)) {
            project_t p;
            prj_from_row(r->arena, res, 0, &p);
            json_array_append_new(mine, eps_card(r, &p));
        }
        db_res_free(res);
    }
    /* readers of several establishments: how many projets at each step */
    json_t *by_status = NULL;
    if (json_array_size(mine) == 0 && app_user_can_anywhere(r, PERM_QUALITY_READ)) {
        db_param_t params[40];
        int np = 0;
        buf_t sql;
        buf_init(&sql);
        buf_puts(&sql, "SELECT p.status, COUNT(*) FROM projects p WHERE ");
        app_scope_sql(r, PERM_QUALITY_READ, "p.node_path", &sql, params, &np, 40);
        buf_puts(&sql, " GROUP BY p.status ORDER BY p.status");
        db_res_t *res = db_query(r->db, sql.data, params, np);
        buf_free(&sql);
        by_status = json_array();
        while (res && db_next(res)) {
            int s = prj_status_from_code(db_text(res, 0));
            json_array_append_new(by_status,
                                  json_pack("{s:s, s:I, s:s}", "label", prj_status_label(r, s < 0 ? 0 : s),
                                            "count", (json_int_t)db_int(res, 1), "href",
                                            arena_printf(r->arena, "/projects?status=%s", db_text(res, 0))));
        }
        db_res_free(res);
        if (json_array_size(by_status) == 0) {
            json_decref(by_status);
            by_status = NULL;
        }
    }
    if (json_array_size(mine) == 0 && !by_status) {
        json_decref(mine);
        return;
    }
    json_array_append_new(sections, json_pack("{s:s, s:i, s:o, s:b, s:o, s:b}", "partial",
                                              "project/home", "order", 38, "projects", mine,
                                              "has_projects", json_array_size(mine) > 0,
                                              "by_status", by_status ? by_status : json_array(),
                                              "has_by_status", by_status != NULL));
}

int prj_daily(db_t *db, const char *day, int64_t now)
{
    return prj_calendar(db, day, now) < 0 ? DB_ERR : DB_OK;
}
