/* capit_views.c - how sheets read on pages (status, theme, establishment,
 * dates in the reader's language), the home page's section (the drafts and
 * sheets in review of the reader's establishments, the sheets waiting for
 * an advisor's publication, the latest sheets of the library) and the fact
 * the roadmap reads: establishments with a published sheet. */
#include "capit_internal.h"

#include <string.h>

const char *cap_status_label(req_t *r, cap_status_t s)
{
    return T(r, arena_printf(r->arena, "cap_status.%s", cap_status_code(s)));
}

const char *cap_status_tone(cap_status_t s)
{
    switch (s) {
    case CAP_PUBLISHED: return "ok";
    case CAP_REVIEW: return "warn";
    case CAP_SUPERSEDED: return "off";
    default: return "neutral";
    }
}

const char *cap_theme_label(req_t *r, const char *theme)
{
    return T(r, arena_printf(r->arena, "cap_theme.%s", theme && *theme ? theme : "autre"));
}

const char *cap_eps_label(req_t *r, const sheet_t *s)
{
    if (s->eps_id > 0) {
        const char *l = nodes_label(r->db, r->arena, r->lang, s->eps_id);
        if (l && *l)
            return l;
    }
    return s->eps_name && *s->eps_name ? s->eps_name : "";
}

const char *cap_date_text(req_t *r, int64_t t)
{
    if (t <= 0)
        return "";
    char buf[32];
    format_local_date(t, buf, sizeof buf);
    return arena_strdup(r->arena, buf);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Every value a text ("" for a missing one): a NULL would make json_pack
 * fail and the sheet vanish from the section. */
static json_t *home_item(req_t *r, const sheet_t *s)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", or_empty(s->title), "href",
                     or_empty(cap_sheet_href(r->arena, s->id)), "eps",
                     or_empty(cap_eps_label(r, s)), "status_label",
                     or_empty(cap_status_label(r, s->status)), "tone",
                     or_empty(cap_status_tone(s->status)), "when",
                     or_empty(cap_date_text(r, s->status == CAP_PUBLISHED ? s->published_at
                                                                           : s->updated_at)));
}

static size_t read_rows(req_t *r, db_res_t *res, sheet_t *rows, size_t max)
{
    size_t n = 0;
    while (res && db_next(res) && n < max)
        cap_from_row(r->arena, res, &rows[n++], false);
    db_res_free(res);
    return n;
}

void cap_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    int64_t now = now_utc();
    /* the writers' establishments: their sheets being written */
    json_t *drafts = json_array();
    json_t *write_eps = json_array();
    for (int i = 0; i < r->user->n_roles && json_array_size(write_eps) < 4; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || a->node_kind != NODE_EPS ||
            (a->role != ROLE_DIRECTOR && a->role != ROLE_QUALITY_REFERENT))
            continue;
        json_array_append_new(write_eps,
                              json_pack("{s:s, s:s}", "eps",
                                        or_empty(nodes_label(r->db, r->arena, r->lang, a->node_id)), "href",
                                        arena_printf(r->arena, "/sheets/new?node_id=%lld",
                                                     (long long)a->node_id)));
        sheet_t rows[5];
        size_t n = read_rows(r,
                             db_query(r->db,
                                      "SELECT " CAP_LIST_COLS " FROM sheets s WHERE s.eps_id = ?"
                                      " AND s.status IN ('draft', 'review') ORDER BY"
                                      " s.updated_at DESC, s.id DESC LIMIT 5",
                                      PARAMS(P_INT(a->node_id))),
                             rows, 5);
        for (size_t k = 0; k < n && json_array_size(drafts) < 6; k++)
            json_array_append_new(drafts, home_item(r, &rows[k]));
    }
    /* advisors and admins: sheets waiting for their publication */
    json_t *waiting = json_array();
    int64_t n_waiting = 0;
    bool publisher = false;
    for (int i = 0; i < r->user->n_roles && !publisher; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        publisher = authz_role_live(a, now) &&
                    (a->role == ROLE_ADMIN || a->role == ROLE_QUALITY_ADVISOR);
    }
    if (publisher) {
        db_param_t params[40];
        int np = 0;
        buf_t where;
        buf_init(&where);
        buf_puts(&where, " FROM sheets s WHERE s.status = 'review' AND ");
        app_scope_sql(r, PERM_QUALITY_WRITE, "s.node_path", &where, params, &np, 38);
        char *count = xasprintf("SELECT COUNT(*)%s", where.data);
        n_waiting = db_query_int(r->db, count, params, np, 0);
        free(count);
        char *sql = xasprintf("SELECT " CAP_LIST_COLS "%s ORDER BY s.submitted_at, s.id LIMIT 5",
                              where.data);
        buf_free(&where);
        sheet_t rows[5];
        size_t n = read_rows(r, db_query(r->db, sql, params, np), rows, 5);
        free(sql);
        for (size_t k = 0; k < n; k++)
            if (cap_may_publish_at(r, rows[k].node_path))
                json_array_append_new(waiting, home_item(r, &rows[k]));
    }
    /* everyone: the latest sheets of the library */
    json_t *latest = json_array();
    sheet_t rows[3];
    size_t n = read_rows(r,
                         db_query(r->db,
                                  "SELECT " CAP_LIST_COLS " FROM sheets s WHERE s.status ="
                                  " 'published' ORDER BY s.published_at DESC, s.id DESC LIMIT 3",
                                  NOPARAMS),
                         rows, 3);
    for (size_t k = 0; k < n; k++) {
        json_t *o = home_item(r, &rows[k]);
        json_object_set_new(o, "theme_label", json_string(cap_theme_label(r, rows[k].theme)));
        json_array_append_new(latest, o);
    }
    if (json_array_size(drafts) == 0 && json_array_size(waiting) == 0 &&
        json_array_size(latest) == 0 && json_array_size(write_eps) == 0) {
        json_decref(drafts);
        json_decref(waiting);
        json_decref(latest);
        json_decref(write_eps);
        return;
    }
    bool busy = json_array_size(drafts) > 0 || json_array_size(waiting) > 0;
    json_array_append_new(
        sections,
        json_pack("{s:s, s:i, s:o, s:b, s:o, s:b, s:I, s:o, s:b, s:o, s:b}", "partial", "capit/home",
                  "order", busy ? 37 : 60, "drafts", drafts, "has_drafts",
                  json_array_size(drafts) > 0, "waiting", waiting, "has_waiting",
                  json_array_size(waiting) > 0, "waiting_count", (json_int_t)n_waiting, "latest",
                  latest, "has_latest", json_array_size(latest) > 0, "write_eps", write_eps,
                  "can_write", json_array_size(write_eps) == 1));
}

int cap_fact_eps(db_t *db, arena_t *a, const char *scope_path, app_ids_t *out)
{
    return app_fact_query(db, a,
                          "SELECT DISTINCT eps_id FROM sheets WHERE status = 'published' AND"
                          " eps_id IS NOT NULL AND node_path >= ? AND node_path < ?"
                          " ORDER BY eps_id",
                          scope_path, out);
}
