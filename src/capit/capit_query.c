/* capit_query.c - the library's list of sheets: what the reader may read
 * first (published sheets: everyone; drafts and sheets in review: within
 * the reader's quality.read scope), then the filters of the URL (status,
 * theme, establishment, language, words, the reader's own drafts), then
 * paging, the total counted the same way; the versions of a sheet. */
#include "capit_internal.h"

#include <string.h>

#define CAP_MAX_PARAMS 64

void cap_filter_read(req_t *r, json_t *errors, cap_filter_t *f)
{
    memset(f, 0, sizeof *f);
    const char *node = req_query(r, "node_id");
    if (node && *node && (!str_to_i64(node, &f->node_id) || f->node_id <= 0)) {
        v_error(errors, "node_id", N_("Enter a whole number."));
        f->node_id = 0;
    }
    const char *status = req_query(r, "status");
    if (status && *status) {
        if (cap_status_from_code(status) < 0)
            v_error(errors, "status", N_("Choose one of the proposed values."));
        else
            f->status = status;
    }
    const char *theme = req_query(r, "theme");
    if (theme && *theme) {
        if (!cap_theme_valid(theme))
            v_error(errors, "theme", N_("Choose one of the proposed values."));
        else
            f->theme = theme;
    }
    const char *lang = req_query(r, "lang_filter");
    if (!lang && r->is_api)
        lang = req_query(r, "lang");
    if (lang && *lang) {
        if (!str_in(cap_langs, lang))
            v_error(errors, r->is_api ? "lang" : "lang_filter", N_("Choose one of the proposed values."));
        else
            f->lang = lang;
    }
    const char *q = req_query(r, "q");
    if (q && *q) {
        if (!utf8_valid(q, strlen(q)) || utf8_count(q) > 200)
            v_error(errors, "q", N_("Type at most 200 characters."));
        else
            f->q = q;
    }
    const char *mine = req_query(r, "mine");
    f->mine = mine && (str_eq(mine, "1") || str_eq(mine, "true"));
}

/* " FROM sheets s WHERE <readable> AND <filters>". */
static void filter_sql(req_t *r, const cap_filter_t *f, buf_t *sql, db_param_t *params, int *np)
{
    buf_puts(sql, " FROM sheets s WHERE ");
    int st = f->status ? cap_status_from_code(f->status) : -1;
    if (st == CAP_PUBLISHED || st == CAP_SUPERSEDED) {
        buf_puts(sql, "s.status = ?");
        params[(*np)++] = P_TEXT(f->status);
    } else {
        /* drafts and sheets in review of the reader's scope */
        buf_puts(sql, st < 0 ? "(s.status = 'published' OR (s.status IN ('draft', 'review') AND "
                             : "(s.status = ? AND (");
        if (st >= 0)
            params[(*np)++] = P_TEXT(f->status);
        app_scope_sql(r, PERM_QUALITY_READ, "s.node_path", sql, params, np, CAP_MAX_PARAMS - 16);
        buf_puts(sql, "))");
    }
    if (f->mine) {
        buf_puts(sql, " AND s.status IN ('draft', 'review') AND s.id IN (SELECT id FROM sheets"
                      " WHERE created_by = ? UNION SELECT sheet_id FROM sheet_authors WHERE"
                      " user_id = ?)");
        params[(*np)++] = P_INT(r->user ? r->user->id : 0);
        params[(*np)++] = P_INT(r->user ? r->user->id : 0);
    }
    if (f->node_id > 0) {
        const char *path = nodes_path_of(r->db, r->arena, f->node_id);
        buf_puts(sql, " AND s.node_path >= ? AND s.node_path < ?");
        params[(*np)++] = P_TEXT(*path ? path : "-");
        params[(*np)++] = P_TEXT(*path ? app_path_upper(r->arena, path) : "-");
    }
    if (f->theme) {
        buf_puts(sql, " AND s.theme = ?");
        params[(*np)++] = P_TEXT(f->theme);
    }
    if (f->lang) {
        buf_puts(sql, " AND s.lang = ?");
        params[(*np)++] = P_TEXT(f->lang);
    }
    if (f->q)
        app_search_sql(r, "s.search_key", f->q, sql, params, np, CAP_MAX_PARAMS - 2);
}

sheet_t *cap_query(req_t *r, const cap_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                   int64_t *total)
{
    db_param_t params[CAP_MAX_PARAMS + 2];
    int np = 0;
    buf_t where;
    buf_init(&where);
    filter_sql(r, f, &where, params, &np);
    char *count_sql = xasprintf("SELECT COUNT(*)%s", where.data ? where.data : "");
    *total = db_query_int(r->db, count_sql, params, np, 0);
    free(count_sql);
    char *sql = xasprintf("SELECT " CAP_LIST_COLS "%s ORDER BY s.updated_at DESC, s.id DESC"
                          " LIMIT ? OFFSET ?",
                          where.data ? where.data : "");
    buf_free(&where);
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    *n = 0;
    size_t cap = 0;
    sheet_t *v = NULL;
    db_res_t *res = db_query(r->db, sql, params, np);
    free(sql);
    while (res && db_next(res)) {
        sheet_t *s = vec_grow(r->arena, (void **)&v, n, &cap, sizeof *v);
        cap_from_row(r->arena, res, s, false);
    }
    db_res_free(res);
    return v;
}

json_t *cap_versions(req_t *r, const sheet_t *s)
{
    json_t *list = json_array();
    /* each version by its own node: a kit may have put versions of one
     * code at different nodes */
    db_res_t *res = db_query(r->db,
                             "SELECT id, version, status, title, published_at, updated_at,"
                             " node_path FROM sheets WHERE code = ? ORDER BY version DESC",
                             PARAMS(P_TEXT(s->code)));
    while (res && db_next(res)) {
        int st = cap_status_from_code(db_text(res, 2));
        if (st < 0 || cap_access(r, db_text(res, 6), (cap_status_t)st) == CAP_NONE)
            continue;
        json_array_append_new(
            list, json_pack("{s:I, s:I, s:s, s:s, s:I, s:I}", "id", (json_int_t)db_int(res, 0),
                            "version", (json_int_t)db_int(res, 1), "status", db_text(res, 2),
                            "title", db_text(res, 3) ? db_text(res, 3) : "", "published_at",
                            (json_int_t)db_int(res, 4), "updated_at", (json_int_t)db_int(res, 5)));
    }
    db_res_free(res);
    return list;
}

int64_t cap_open_version(db_t *db, const char *code)
{
    return db_query_int(db,
                        "SELECT id FROM sheets WHERE code = ? AND status IN ('draft', 'review')"
                        " ORDER BY version DESC LIMIT 1",
                        PARAMS(P_TEXT(code)), 0);
}
