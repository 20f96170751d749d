/* project_query.c - lists of projets (scope first, then the filters, then
 * paging, totals counted the same way), a projet's versions and the text of
 * one version (or of the current draft) for diffs and documents. */
#include "project_internal.h"

#include <string.h>

#include "../core/fold.h"

#define PRJ_MAX_PARAMS 64

void prj_filter_read(req_t *r, json_t *errors, prj_filter_t *f)
{
    memset(f, 0, sizeof *f);
    const char *node = req_query(r, "node_id");
    if (node && *node && (!str_to_i64(node, &f->node_id) || f->node_id <= 0)) {
        v_error(errors, "node_id", N_("Enter a whole number."));
        f->node_id = 0;
    }
    const char *status = req_query(r, "status");
    if (status && *status) {
        if (prj_status_from_code(status) < 0)
            v_error(errors, "status", N_("Choose one of the proposed values."));
        else
            f->status = status;
    }
    const char *q = req_query(r, "q");
    if (q && *q && utf8_valid(q, strlen(q)) && strlen(q) <= 200)
        f->q = q;
}

/* " FROM projects p WHERE <scope> AND <filters>". The staff of a unit read
 * their EPS's projet: the scope adds the EPS of each live unit role. */
static void filter_sql(req_t *r, const prj_filter_t *f, buf_t *sql, db_param_t *params, int *np)
{
    buf_puts(sql, " FROM projects p WHERE (");
    app_scope_sql(r, PERM_QUALITY_READ, "p.node_path", sql, params, np, PRJ_MAX_PARAMS - 24);
    int64_t now = now_utc();
    for (int i = 0; r->user && i < r->user->n_roles && *np < PRJ_MAX_PARAMS - 12; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        if (ra->node_kind != NODE_UNIT || ra->role != ROLE_STAFF || !authz_role_live(ra, now) ||
            !ra->node_path)
            continue;
        size_t len = strlen(ra->node_path);
        while (len > 1 && ra->node_path[len - 2] != '/')
            len--;
        if (len < 2)
            continue;
        buf_puts(sql, " OR p.node_path = ?");
        params[(*np)++] = P_TEXT(arena_printf(r->arena, "%.*s", (int)(len - 1), ra->node_path));
    }
    buf_puts(sql, ")");
    if (f->node_id > 0) {
        const char *path = nodes_path_of(r->db, r->arena, f->node_id);
        buf_puts(sql, " AND p.node_path >= ? AND p.node_path < ?");
        params[(*np)++] = P_TEXT(*path ? path : "-");
        params[(*np)++] = P_TEXT(*path ? app_path_upper(r->arena, path) : "-");
    }
    if (f->status) {
        buf_puts(sql, " AND p.status = ?");
        params[(*np)++] = P_TEXT(f->status);
    }
    if (f->q)
        app_search_sql(r, "p.search_key", f->q, sql, params, np, PRJ_MAX_PARAMS);
}

project_t *prj_query(req_t *r, const prj_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                     int64_t *total)
{
    db_param_t params[PRJ_MAX_PARAMS + 2];
    int np = 0;
    buf_t where;
    buf_init(&where);
    filter_sql(r, f, &where, params, &np);
    char *count_sql = xasprintf("SELECT COUNT(*)%s", where.data ? where.data : "");
    *total = db_query_int(r->db, count_sql, params, np, 0);
    free(count_sql);
    char *sql = xasprintf("SELECT " PRJ_COLS "%s ORDER BY p.node_path, p.period_start DESC, p.id"
                          " LIMIT ? OFFSET ?",
                          where.data ? where.data : "");
    buf_free(&where);
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    *n = 0;
    size_t cap = 0;
    project_t *v = NULL;
    db_res_t *res = db_query(r->db, sql, params, np);
    free(sql);
    while (res && db_next(res)) {
        project_t *p = vec_grow(r->arena, (void **)&v, n, &cap, sizeof *v);
        prj_from_row(r->arena, res, 0, p);
    }
    db_res_free(res);
    return v;
}

json_t *prj_versions(req_t *r, const project_t *p)
{
    json_t *list = json_array();
    db_res_t *res = db_query(r->db,
                             "SELECT v.number, v.validated_on, v.validated_by, v.consultation,"
                             " v.period_start, v.period_end, u.name FROM project_versions v"
                             " LEFT JOIN users u ON u.id = v.validated_by WHERE v.project_id = ?"
                             " ORDER BY v.number",
                             PARAMS(P_INT(p->id)));
    while (res && db_next(res))
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s}", "number",
                            (json_int_t)db_int(res, 0), "validated_on", db_text(res, 1),
                            "validated_on_text", prj_day_text(r, db_text(res, 1)), "validated_by",
                            db_isnull(res, 2) ? json_null() : json_integer(db_int(res, 2)),
                            "validated_by_name", db_text(res, 6) ? db_text(res, 6) : "",
                            "consultation", db_text(res, 3), "period",
                            arena_printf(r->arena, "%s – %s", prj_day_text(r, db_text(res, 4)),
                                         prj_day_text(r, db_text(res, 5)))));
    db_res_free(res);
    return list;
}

json_t *prj_version_text(req_t *r, const project_t *p, int64_t number)
{
    db_res_t *res;
    if (number > 0) {
        if (db_query_int(r->db, "SELECT COUNT(*) FROM project_versions WHERE project_id = ? AND"
                                " number = ?",
                         PARAMS(P_INT(p->id), P_INT(number)), 0) == 0)
            return NULL;
        res = db_query(r->db,
                       "SELECT s.key, s.title_fr, s.title_ar, s.title_en, s.content"
                       " FROM project_version_sections s JOIN project_versions v"
                       " ON v.id = s.version_id WHERE v.project_id = ? AND v.number = ?"
                       " ORDER BY s.position, s.key",
                       PARAMS(P_INT(p->id), P_INT(number)));
    } else {
        res = db_query(r->db,
                       "SELECT key, title_fr, title_ar, title_en, content FROM project_sections"
                       " WHERE project_id = ? ORDER BY position, key",
                       PARAMS(P_INT(p->id)));
    }
    json_t *out = json_object(), *keys = json_array();
    while (res && db_next(res)) {
        prj_section_t s = {.title_fr = db_text(res, 1), .title_ar = db_text(res, 2),
                           .title_en = db_text(res, 3)};
        json_object_set_new(out, db_text(res, 0),
                            json_pack("{s:s, s:s}", "title", prj_section_title(&s, r->lang),
                                      "content", db_text(res, 4) ? db_text(res, 4) : ""));
        json_array_append_new(keys, json_string(db_text(res, 0)));
    }
    db_res_free(res);
    json_object_set_new(out, "keys", keys);
    return out;
}
