/* library_views.c - the document library elsewhere in the program: the home
 * section (documents the reader is asked to read, the reviews of the
 * documents they own, versions waiting for their approval), the approved
 * documents of a node on its page, the names the audit log and the
 * notifications give documents and versions, and the daily work (the owner
 * of a document past its review date is told once per review date). */
#include "library_internal.h"

#include <stdio.h>
#include <string.h>

#define HOME_MAX 5
#define REMIND_BATCH 500

static json_t *home_item(req_t *r, const lib_doc_t *d, const char *today)
{
    json_t *o = lib_card(r, d, today);
    return o;
}

static json_t *reviews(req_t *r, const char *today)
{
    char soon[11];
    iso_day_format(iso_day_number(today) + 30, soon);
    db_res_t *res = db_query(r->db,
                             "SELECT " LIB_COLS " FROM documents d WHERE d.owner_id = ?"
                             " AND d.status = 'approved' AND d.review_on <= ?"
                             " ORDER BY d.review_on, d.id LIMIT ?",
                             PARAMS(P_INT(r->user->id), P_TEXT(soon), P_INT(HOME_MAX)));
    json_t *list = json_array();
    while (res && db_next(res)) {
        lib_doc_t d;
        lib_from_row(r->arena, res, 0, &d);
        json_array_append_new(list, home_item(r, &d, today));
    }
    db_res_free(res);
    return list;
}

static json_t *to_approve(req_t *r, const char *today)
{
    db_param_t p[LIB_MAX_PARAMS];
    int np = 0;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT " LIB_COLS " FROM documents d WHERE ");
    lib_scope_sql(r, &sql, p, &np, LIB_MAX_PARAMS - 2);
    buf_puts(&sql, " AND d.status IN ('draft', 'approved') AND d.version > d.approved_version"
                   " ORDER BY d.updated_at DESC, d.id LIMIT ?");
    p[np++] = P_INT(40);
    db_res_t *res = db_query(r->db, sql.data, p, np);
    buf_free(&sql);
    json_t *list = json_array();
    while (res && db_next(res) && json_array_size(list) < HOME_MAX) {
        lib_doc_t d;
        lib_from_row(r->arena, res, 0, &d);
        if (d.version >= 1 && lib_access(r, d.node_path) >= LIB_APPROVE)
            json_array_append_new(list, home_item(r, &d, today));
    }
    db_res_free(res);
    return list;
}

void lib_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    const char *today = lib_today(r->arena);
    lib_filter_t f;
    memset(&f, 0, sizeof f);
    f.to_read = true;
    size_t n = 0;
    int64_t total = 0;
    bool works = false;
    for (int i = 0; i < r->user->n_roles && !works; i++) {
        role_t ro = r->user->roles[i].role;
        works = ro == ROLE_DIRECTOR || ro == ROLE_QUALITY_REFERENT || ro == ROLE_STAFF;
    }
    json_t *read = json_array();
    if (works) {
        lib_doc_t *rows = lib_query(r, &f, HOME_MAX, 0, &n, &total);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(read, home_item(r, &rows[i], today));
    }
    json_t *rev = reviews(r, today);
    json_t *appr = to_approve(r, today);
    if (json_array_size(read) == 0 && json_array_size(rev) == 0 && json_array_size(appr) == 0) {
        json_decref(read);
        json_decref(rev);
        json_decref(appr);
        return;
    }
    json_array_append_new(
        sections,
        json_pack("{s:s, s:i, s:o, s:b, s:I, s:b, s:o, s:b, s:o, s:b}", "partial", "library/home",
                  "order", 42, "to_read", read, "has_to_read", json_array_size(read) > 0,
                  "n_to_read", (json_int_t)total, "more_to_read", total > (int64_t)n, "reviews",
                  rev, "has_reviews", json_array_size(rev) > 0, "to_approve", appr,
                  "has_to_approve", json_array_size(appr) > 0));
}

void lib_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections)
{
    if (!path || lib_path_depth(path) > 3)
        return;
    lib_access_t a = lib_access(r, path);
    if (a < LIB_READ)
        return;
    db_res_t *res = db_query(r->db,
                             "SELECT " LIB_COLS " FROM documents d WHERE d.node_id = ?"
                             " AND d.status = 'approved' ORDER BY d.kind, d.title_fr, d.title_ar,"
                             " d.id LIMIT 11",
                             PARAMS(P_INT(node_id)));
    const char *today = lib_today(r->arena);
    json_t *list = json_array();
    bool more = false;
    while (res && db_next(res)) {
        if (json_array_size(list) == 10) {
            more = true;
            break;
        }
        lib_doc_t d;
        lib_from_row(r->arena, res, 0, &d);
        json_array_append_new(list, lib_card(r, &d, today));
    }
    db_res_free(res);
    bool can_add = a >= LIB_WRITE;
    if (json_array_size(list) == 0 && !can_add) {
        json_decref(list);
        return;
    }
    json_array_append_new(
        sections,
        json_pack("{s:s, s:i, s:b, s:o, s:b, s:b, s:s, s:b, s:s}", "partial", "library/node", "order", 22,
                  "aside", 0,
                  "documents", list, "has_documents", json_array_size(list) > 0, "more", more,
                  "all_href", arena_printf(r->arena, "/documents?node_id=%lld", (long long)node_id),
                  "can_add", can_add, "add_href",
                  arena_printf(r->arena, "/documents/new?node_id=%lld", (long long)node_id)));
}

const char *lib_describe(req_t *r, int64_t id, const char **href)
{
    lib_doc_t d;
    if (lib_load(r->db, r->arena, id, &d) != 0 || !lib_visible(lib_access(r, d.node_path), &d))
        return NULL;
    *href = arena_printf(r->arena, "/documents/%lld", (long long)id);
    return lib_title(&d, r->lang);
}

const char *lib_version_describe(req_t *r, int64_t id, const char **href)
{
    int64_t doc = 0, number = 0;
    db_res_t *res = db_query(r->db, "SELECT document_id, number FROM document_versions WHERE id = ?",
                             PARAMS(P_INT(id)));
    if (res && db_next(res)) {
        doc = db_int(res, 0);
        number = db_int(res, 1);
    }
    db_res_free(res);
    lib_doc_t d;
    if (doc <= 0 || lib_load(r->db, r->arena, doc, &d) != 0 ||
        !lib_visible(lib_access(r, d.node_path), &d))
        return NULL;
    *href = arena_printf(r->arena, "/documents/%lld", (long long)doc);
    return text_fill_strings(r->arena, T(r, N_("%s, version %s")),
                             (const char *[]){lib_title(&d, r->lang), app_number(r, number)}, 2);
}

int lib_daily(db_t *db, const char *day, int64_t now)
{
    (void)now;
    int64_t last = 0;
    for (;;) {
        int64_t ids[REMIND_BATCH], owners[REMIND_BATCH], nodes[REMIND_BATCH];
        char review[REMIND_BATCH][11];
        int n = 0;
        db_res_t *res = db_query(db,
                                 "SELECT id, owner_id, node_id, review_on FROM documents"
                                 " WHERE status = 'approved' AND review_on < ?"
                                 " AND (review_notified_on IS NULL OR review_notified_on <> review_on)"
                                 " AND id > ? ORDER BY id LIMIT ?",
                                 PARAMS(P_TEXT(day), P_INT(last), P_INT(REMIND_BATCH)));
        if (!res)
            return DB_ERR;
        while (db_next(res) && n < REMIND_BATCH) {
            ids[n] = db_int(res, 0);
            owners[n] = db_int(res, 1);
            nodes[n] = db_int(res, 2);
            snprintf(review[n], sizeof review[n], "%s", db_text(res, 3) ? db_text(res, 3) : "");
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
            ok = db_exec(db,
                         "UPDATE documents SET review_notified_on = review_on WHERE id = ?"
                         " AND review_on = ? AND (review_notified_on IS NULL"
                         " OR review_notified_on <> review_on)",
                         PARAMS(P_INT(ids[i]), P_TEXT(review[i]))) == DB_OK;
            if (!ok || db_changes(db) == 0)
                continue; /* another server told it, or the date moved meanwhile */
            json_t *ch = json_pack("{s:{s:s}}", "review_on", "to", review[i]);
            ok = audit_write(db, 0, "review_due", "document", ids[i], nodes[i], ch, NULL) == DB_OK;
            json_decref(ch);
            if (ok && owners[i] > 0) {
                char link[48], shown[11];
                snprintf(link, sizeof link, "/documents/%lld", (long long)ids[i]);
                snprintf(shown, sizeof shown, "%.2s/%.2s/%.4s", review[i] + 8, review[i] + 5,
                         review[i]);
                ok = notify_user(db, owners[i], "document_review",
                                 N_("The document %s is past its review date (%s): check it and "
                                    "upload a new version, or set its next review date."),
                                 link,
                                 (notify_arg_t[]){NOTIFY_REF("document", ids[i]), NOTIFY_TEXT(shown)},
                                 2) == DB_OK;
            }
        }
        if (app_tx_end(db, mine, ok) != DB_OK || !ok)
            return DB_ERR;
        if (n < REMIND_BATCH)
            return DB_OK;
    }
}
