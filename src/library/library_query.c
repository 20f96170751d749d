/* library_query.c - lists of documents (scope first, then the filters, then
 * paging, totals counted the same way), who has read a version, and the
 * criteria of published référentiels a document is linked to. */
#include "library_internal.h"

#include <stdlib.h>
#include <string.h>

#include "../ref/ref.h"

static bool flag(const char *v)
{
    return v && (str_eq(v, "1") || str_eq(v, "true") || str_eq(v, "on") || str_eq(v, "yes"));
}

void lib_filter_read(req_t *r, json_t *errors, lib_filter_t *f)
{
    memset(f, 0, sizeof *f);
    const char *kind = req_query(r, "kind");
    if (kind && *kind) {
        if (!str_in(lib_kinds, kind))
            v_error(errors, "kind", N_("Choose one of the proposed values."));
        else
            f->kind = kind;
    }
    const char *status = req_query(r, "status");
    if (status && *status) {
        if (lib_status_from_code(status) < 0)
            v_error(errors, "status", N_("Choose one of the proposed values."));
        else
            f->status = status;
    }
    const char *node = req_query(r, "node_id");
    if (node && *node && (!str_to_i64(node, &f->node_id) || f->node_id <= 0)) {
        v_error(errors, "node_id", N_("Enter a whole number."));
        f->node_id = 0;
    }
    f->to_read = flag(req_query(r, "to_read"));
    f->overdue = flag(req_query(r, "overdue"));
    const char *q = req_query(r, "q");
    if (q && *q) {
        if (!utf8_valid(q, strlen(q)) || utf8_count(q) > 200)
            v_error(errors, "q", N_("200 characters at most."));
        else
            f->q = q;
    }
}

/* " FROM documents d WHERE <scope> AND <filters>" */
static void filter_sql(req_t *r, const lib_filter_t *f, buf_t *sql, db_param_t *p, int *np)
{
    buf_puts(sql, " FROM documents d WHERE ");
    lib_scope_sql(r, sql, p, np, LIB_MAX_PARAMS - 24);
    if (f->kind) {
        buf_puts(sql, " AND d.kind = ?");
        p[(*np)++] = P_TEXT(f->kind);
    }
    if (f->status) {
        buf_puts(sql, " AND d.status = ?");
        p[(*np)++] = P_TEXT(f->status);
    }
    if (f->node_id > 0) {
        buf_puts(sql, " AND d.node_id = ?");
        p[(*np)++] = P_INT(f->node_id);
    }
    if (f->overdue) {
        buf_puts(sql, " AND d.status = 'approved' AND d.review_on < ?");
        p[(*np)++] = P_TEXT(lib_today(r->arena));
    }
    if (f->to_read) {
        buf_puts(sql, " AND d.status = 'approved' AND ");
        lib_work_paths_sql(r, "d.node_path", sql, p, np, LIB_MAX_PARAMS - 8);
        buf_puts(sql, " AND NOT EXISTS (SELECT 1 FROM document_acks k WHERE k.document_id = d.id"
                      " AND k.version = d.approved_version AND k.user_id = ?)");
        p[(*np)++] = P_INT(r->user ? r->user->id : 0);
    }
    if (f->q)
        app_search_sql(r, "d.search_key", f->q, sql, p, np, LIB_MAX_PARAMS - 2);
}

lib_doc_t *lib_query(req_t *r, const lib_filter_t *f, int64_t limit, int64_t offset, size_t *n,
                     int64_t *total)
{
    db_param_t p[LIB_MAX_PARAMS + 2];
    int np = 0;
    buf_t where;
    buf_init(&where);
    filter_sql(r, f, &where, p, &np);
    char *count_sql = xasprintf("SELECT COUNT(*)%s", where.data ? where.data : "");
    *total = db_query_int(r->db, count_sql, p, np, 0);
    free(count_sql);
    char *sql = xasprintf("SELECT " LIB_COLS "%s ORDER BY d.node_path, d.title_fr, d.title_ar,"
                          " d.id LIMIT ? OFFSET ?",
                          where.data ? where.data : "");
    buf_free(&where);
    p[np++] = P_INT(limit);
    p[np++] = P_INT(offset);
    *n = 0;
    size_t cap = 0;
    lib_doc_t *v = NULL;
    db_res_t *res = db_query(r->db, sql, p, np);
    free(sql);
    while (res && db_next(res)) {
        lib_doc_t *d = vec_grow(r->arena, (void **)&v, n, &cap, sizeof *v);
        lib_from_row(r->arena, res, 0, d);
    }
    db_res_free(res);
    return v;
}

/* --- acknowledgements ------------------------------------------------------ */

int64_t lib_acked_at(db_t *db, int64_t doc_id, int64_t version, int64_t user_id)
{
    return db_query_int(db,
                        "SELECT at FROM document_acks WHERE document_id = ? AND version = ?"
                        " AND user_id = ?",
                        PARAMS(P_INT(doc_id), P_INT(version), P_INT(user_id)), 0);
}

int64_t lib_ack_count(db_t *db, int64_t doc_id, int64_t version)
{
    return db_query_int(db,
                        "SELECT COUNT(*) FROM document_acks WHERE document_id = ? AND version = ?",
                        PARAMS(P_INT(doc_id), P_INT(version)), 0);
}

json_t *lib_readers(req_t *r, const lib_doc_t *d, const char *eps_path)
{
    json_t *workers = users_workers(r->db, eps_path);
    json_t *acks = json_object();
    db_res_t *res = db_query(r->db,
                             "SELECT user_id, at FROM document_acks WHERE document_id = ?"
                             " AND version = ? ORDER BY user_id",
                             PARAMS(P_INT(d->id), P_INT(d->approved_version)));
    while (res && db_next(res))
        json_object_set_new(acks, arena_printf(r->arena, "%lld", (long long)db_int(res, 0)),
                            json_integer(db_int(res, 1)));
    db_res_free(res);
    json_t *read = json_array(), *unread = json_array();
    size_t i;
    json_t *w;
    json_array_foreach(workers, i, w) {
        int64_t id = json_integer_value(json_object_get(w, "id"));
        const char *name = json_string_value(json_object_get(w, "name"));
        json_t *at = json_object_get(acks, arena_printf(r->arena, "%lld", (long long)id));
        if (at) {
            char day[32];
            format_local_date(json_integer_value(at), day, sizeof day);
            json_array_append_new(read, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)id,
                                                  "name", name ? name : "", "at",
                                                  (json_int_t)json_integer_value(at), "at_h", day));
        } else {
            json_array_append_new(unread, json_pack("{s:I, s:s}", "id", (json_int_t)id, "name",
                                                    name ? name : ""));
        }
    }
    json_decref(workers);
    json_decref(acks);
    return json_pack("{s:I, s:I, s:o, s:o}", "n_read", (json_int_t)json_array_size(read),
                     "n_unread", (json_int_t)json_array_size(unread), "read", read, "unread",
                     unread);
}

/* --- criteria ------------------------------------------------------------------ */

/* The latest published version of each référentiel: [{id, code, title...}]
 * (ref_list_json orders by code, then version descending). */
static json_t *published(req_t *r)
{
    json_t *all = ref_list_json(r, "published", NULL, false);
    json_t *out = json_array();
    const char *last = NULL;
    size_t i;
    json_t *o;
    json_array_foreach(all, i, o) {
        const char *code = json_string_value(json_object_get(o, "code"));
        if (last && str_eq(last, code))
            continue;
        last = code;
        json_array_append(out, o);
    }
    json_decref(all);
    return out;
}

static json_t *find_ref(json_t *refs, const char *code)
{
    size_t i;
    json_t *o;
    json_array_foreach(refs, i, o) {
        if (str_eq(json_string_value(json_object_get(o, "code")), code))
            return o;
    }
    return NULL;
}

static const ref_row_t *find_row(const ref_row_t *rows, size_t n, const char *code)
{
    for (size_t i = 0; rows && i < n; i++)
        if (rows[i].leaf && str_eq(rows[i].code, code))
            return &rows[i];
    return NULL;
}

json_t *lib_criteria_json(req_t *r, const lib_doc_t *d)
{
    size_t n = 0;
    lib_crit_t *c = lib_criteria(r->db, r->arena, d->id, &n);
    json_t *out = json_array();
    if (n == 0)
        return out;
    json_t *refs = published(r);
    for (size_t i = 0; i < n; i++) {
        json_t *ref = find_ref(refs, c[i].ref);
        const char *title = "", *rtitle = c[i].ref, *href = "";
        if (ref) {
            int64_t ref_id = json_integer_value(json_object_get(ref, "id"));
            size_t nr = 0;
            ref_row_t *rows = ref_rows(r->db, r->arena, ref_id, &nr);
            const ref_row_t *row = find_row(rows, nr, c[i].code);
            bool fb = false;
            if (row)
                title = ref_title(r, row->title_fr, row->title_ar, row->title_en, &fb);
            rtitle = json_string_value(json_object_get(ref, "title"));
            href = arena_printf(r->arena, "/referentiels/%lld", (long long)ref_id);
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "ref", c[i].ref,
                                             "code", c[i].code, "title", title ? title : "",
                                             "ref_title", rtitle ? rtitle : c[i].ref,
                                             "href", href, "known", ref != NULL, "value",
                                             arena_printf(r->arena, "%s|%s", c[i].ref, c[i].code)));
    }
    json_decref(refs);
    return out;
}

/* At most max characters of s, cut at a space with "…". */
static const char *shorten(arena_t *a, const char *s, size_t max)
{
    if (!s)
        return "";
    if (utf8_count(s) <= max)
        return s;
    size_t bytes = 0, chars = 0, last_space = 0;
    while (s[bytes] && chars < max) {
        unsigned char c = (unsigned char)s[bytes];
        if (c == ' ')
            last_space = bytes;
        bytes += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        chars++;
    }
    if (last_space > bytes / 2)
        bytes = last_space;
    return arena_printf(a, "%.*s…", (int)bytes, s);
}

json_t *lib_criterion_options(req_t *r)
{
    json_t *refs = published(r);
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(refs, i, o) {
        int64_t ref_id = json_integer_value(json_object_get(o, "id"));
        const char *code = json_string_value(json_object_get(o, "code"));
        size_t nr = 0;
        ref_row_t *rows = ref_rows(r->db, r->arena, ref_id, &nr);
        json_t *crit = json_array();
        for (size_t k = 0; rows && k < nr; k++) {
            if (!rows[k].leaf)
                continue;
            bool fb = false;
            const char *t = ref_title(r, rows[k].title_fr, rows[k].title_ar, rows[k].title_en, &fb);
            json_array_append_new(crit, json_pack("{s:s, s:s}", "value",
                                                  arena_printf(r->arena, "%s|%s", code, rows[k].code),
                                                  "label",
                                                  arena_printf(r->arena, "%s — %s", rows[k].code,
                                                               shorten(r->arena, t, 90))));
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "ref", code, "title",
                                              json_string_value(json_object_get(o, "title")),
                                              "criteria", crit));
    }
    json_decref(refs);
    return out;
}

bool lib_criterion_exists(req_t *r, const char *ref, const char *code)
{
    json_t *refs = published(r);
    json_t *o = find_ref(refs, ref);
    bool ok = false;
    if (o) {
        size_t nr = 0;
        ref_row_t *rows = ref_rows(r->db, r->arena, json_integer_value(json_object_get(o, "id")), &nr);
        ok = find_row(rows, nr, code) != NULL;
    }
    json_decref(refs);
    return ok;
}
