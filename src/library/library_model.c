/* library_model.c - documents and their versions as stored: reading them,
 * creating and changing them, the status workflow, new versions (the file
 * stored through the attach module), acknowledgements, criteria links, and
 * the rows of the search index. Every write is one transaction (the
 * caller's when one is open) with its audit rows; rev makes a stale change
 * a conflict. */
#include "library_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fold.h"
#include "../search/search.h"

const char *const lib_kinds[] = {"procedure", "protocol", "template", "form", NULL};
const char *const lib_statuses[] = {"draft", "approved", "archived", NULL};

const char *lib_status_code(lib_status_t s)
{
    return s >= LIB_DRAFT && s <= LIB_ARCHIVED ? lib_statuses[s] : "draft";
}

int lib_status_from_code(const char *code)
{
    for (int i = 0; code && lib_statuses[i]; i++)
        if (strcmp(code, lib_statuses[i]) == 0)
            return i;
    return -1;
}

bool lib_code_valid(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > LIB_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

void lib_from_row(arena_t *a, db_res_t *res, int c, lib_doc_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_int(res, c + 0);
    out->node_id = db_int(res, c + 1);
    out->owner_id = db_int(res, c + 2);
    out->version = db_int(res, c + 3);
    out->approved_version = db_int(res, c + 4);
    out->rev = db_int(res, c + 5);
    out->approved_by = db_int(res, c + 6);
    out->approved_at = db_int(res, c + 7);
    out->created_by = db_int(res, c + 8);
    out->created_at = db_int(res, c + 9);
    out->updated_at = db_int(res, c + 10);
    out->code = arena_strdup(a, db_text(res, c + 11) ? db_text(res, c + 11) : "");
    out->kind = arena_strdup(a, db_text(res, c + 12) ? db_text(res, c + 12) : "procedure");
    out->title_fr = arena_strdup(a, db_text(res, c + 13) ? db_text(res, c + 13) : "");
    out->title_ar = arena_strdup(a, db_text(res, c + 14) ? db_text(res, c + 14) : "");
    out->summary = arena_strdup(a, db_text(res, c + 15) ? db_text(res, c + 15) : "");
    out->node_path = arena_strdup(a, db_text(res, c + 16) ? db_text(res, c + 16) : "");
    out->review_on = arena_strdup(a, db_text(res, c + 17));
    out->review_notified_on = arena_strdup(a, db_text(res, c + 18));
    int s = lib_status_from_code(db_text(res, c + 19));
    out->status = s < 0 ? LIB_DRAFT : (lib_status_t)s;
}

static int load_where(db_t *db, arena_t *a, const char *sql, db_param_t p, lib_doc_t *out)
{
    db_res_t *res = db_query(db, sql, &p, 1);
    int rc = -1;
    if (res && db_next(res)) {
        lib_from_row(a, res, 0, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

int lib_load(db_t *db, arena_t *a, int64_t id, lib_doc_t *out)
{
    return load_where(db, a, "SELECT " LIB_COLS " FROM documents d WHERE d.id = ?", P_INT(id), out);
}

int lib_load_code(db_t *db, arena_t *a, const char *code, lib_doc_t *out)
{
    return load_where(db, a, "SELECT " LIB_COLS " FROM documents d WHERE d.code = ?",
                      P_TEXT(code), out);
}

#define VER_COLS                                                                                   \
    "id, document_id, number, attachment_id, size, created_by, created_at, filename,"              \
    " content_type, sha256, note"

static void version_from_row(arena_t *a, db_res_t *res, lib_version_t *v)
{
    v->id = db_int(res, 0);
    v->document_id = db_int(res, 1);
    v->number = db_int(res, 2);
    v->attachment_id = db_int(res, 3);
    v->size = db_int(res, 4);
    v->created_by = db_int(res, 5);
    v->created_at = db_int(res, 6);
    v->filename = arena_strdup(a, db_text(res, 7) ? db_text(res, 7) : "");
    v->content_type = arena_strdup(a, db_text(res, 8) ? db_text(res, 8) : "");
    v->sha256 = arena_strdup(a, db_text(res, 9) ? db_text(res, 9) : "");
    v->note = arena_strdup(a, db_text(res, 10) ? db_text(res, 10) : "");
}

lib_version_t *lib_versions(db_t *db, arena_t *a, int64_t doc_id, int64_t max_number, size_t *n)
{
    *n = 0;
    size_t cap = 0;
    lib_version_t *v = NULL;
    db_res_t *res = db_query(db,
                             "SELECT " VER_COLS " FROM document_versions WHERE document_id = ?"
                             " AND number <= ? ORDER BY number",
                             PARAMS(P_INT(doc_id), P_INT(max_number > 0 ? max_number : INT64_MAX)));
    while (res && db_next(res)) {
        lib_version_t *x = vec_grow(a, (void **)&v, n, &cap, sizeof *v);
        version_from_row(a, res, x);
    }
    db_res_free(res);
    return v;
}

int lib_version_load(db_t *db, arena_t *a, int64_t doc_id, int64_t number, lib_version_t *out)
{
    memset(out, 0, sizeof *out);
    db_res_t *res = db_query(db,
                             "SELECT " VER_COLS " FROM document_versions WHERE document_id = ?"
                             " AND number = ?",
                             PARAMS(P_INT(doc_id), P_INT(number)));
    int rc = -1;
    if (res && db_next(res)) {
        version_from_row(a, res, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

lib_crit_t *lib_criteria(db_t *db, arena_t *a, int64_t doc_id, size_t *n)
{
    *n = 0;
    size_t cap = 0;
    lib_crit_t *v = NULL;
    db_res_t *res = db_query(db,
                             "SELECT ref_code, criterion_code FROM document_criteria"
                             " WHERE document_id = ? ORDER BY ref_code, criterion_code",
                             PARAMS(P_INT(doc_id)));
    while (res && db_next(res)) {
        lib_crit_t *c = vec_grow(a, (void **)&v, n, &cap, sizeof *v);
        c->ref = arena_strdup(a, db_text(res, 0));
        c->code = arena_strdup(a, db_text(res, 1));
    }
    db_res_free(res);
    return v;
}

const char *lib_title(const lib_doc_t *d, const char *lang)
{
    if (str_eq(lang, "ar") && d->title_ar && *d->title_ar)
        return d->title_ar;
    if (d->title_fr && *d->title_fr)
        return d->title_fr;
    return d->title_ar ? d->title_ar : "";
}

int lib_path_depth(const char *path)
{
    int n = 0;
    for (const char *c = path; c && *c; c++)
        if (*c == '/')
            n++;
    return n > 0 ? n - 1 : 0;
}

const char *lib_today(arena_t *a)
{
    char *d = arena_alloc(a, 11);
    iso_day_local(now_utc(), d);
    return d;
}

bool lib_overdue(const lib_doc_t *d, const char *today)
{
    return d->status == LIB_APPROVED && d->review_on && *d->review_on &&
           strcmp(d->review_on, today) < 0;
}

/* --- the search index ------------------------------------------------------ */

int lib_index(db_t *db, arena_t *a, int64_t id)
{
    lib_doc_t d;
    if (lib_load(db, a, id, &d) != 0)
        return DB_ERR;
    bool approved = d.status == LIB_APPROVED;
    search_doc_t s = {
        .type = "document",
        .id = id,
        .node_path = d.node_path,
        /* drafts and archived documents: their writers only. user.read is the
         * permission exactly they hold at the node or above it (directors,
         * referents, admins, advisors; not the staff, who hold quality.write) */
        .perm = approved ? PERM_ORG_READ : PERM_USER_READ,
        .everyone = approved && lib_path_depth(d.node_path) == 1,
        .below = approved,
        .body = d.summary,
        .href = arena_printf(a, "/documents/%lld", (long long)id),
    };
    const char *langs[2];
    size_t nl = 0;
    int rc = DB_OK;
    if (*d.title_fr) {
        s.lang = "fr";
        s.title = d.title_fr;
        rc = search_put(db, &s);
        langs[nl++] = "fr";
    }
    if (rc == DB_OK && *d.title_ar) {
        s.lang = "ar";
        s.title = d.title_ar;
        rc = search_put(db, &s);
        langs[nl++] = "ar";
    }
    if (rc == DB_OK)
        rc = search_drop_other_langs(db, "document", id, langs, nl);
    return rc;
}

static const char *search_key(arena_t *a, const char *code, const char *fr, const char *ar,
                              const char *summary)
{
    const char *f[] = {code, fr, ar, summary};
    char *k = text_fold_key(f, 4);
    const char *out = arena_strdup(a, k);
    free(k);
    return out;
}

/* --- creating and changing -------------------------------------------------- */

static const char *new_code(db_t *db, arena_t *a)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int tries = 0; tries < 8; tries++) {
        char code[13] = "doc-";
        for (int i = 0; i < 8; i++)
            code[4 + i] = alphabet[randombytes_uniform(36)];
        code[12] = '\0';
        if (db_query_int(db, "SELECT COUNT(*) FROM documents WHERE code = ?", PARAMS(P_TEXT(code)),
                         1) == 0)
            return arena_strdup(a, code);
    }
    return NULL;
}

static const char *crit_text(arena_t *a, const lib_crit_t *c)
{
    return arena_printf(a, "%s %s", c->ref, c->code);
}

static const char *crit_list_text(arena_t *a, const lib_crit_t *c, size_t n)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s %s", i ? ", " : "", c[i].ref, c[i].code);
    const char *s = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

static int write_criteria(db_t *db, int64_t doc_id, int64_t actor, const lib_crit_t *c, size_t n)
{
    int rc = db_exec(db, "DELETE FROM document_criteria WHERE document_id = ?", PARAMS(P_INT(doc_id)));
    int64_t now = now_utc();
    for (size_t i = 0; i < n && rc == DB_OK; i++)
        rc = db_exec(db,
                     "INSERT INTO document_criteria (document_id, ref_code, criterion_code,"
                     " created_by, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     PARAMS(P_INT(doc_id), P_TEXT(c[i].ref), P_TEXT(c[i].code),
                            actor > 0 ? P_INT(actor) : P_NULL, P_INT(now)));
    return rc;
}

res_t lib_create(db_t *db, arena_t *a, int64_t actor, const char *ip, int64_t node_id,
                 const char *node_path, const lib_input_t *in, int64_t *id_out)
{
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    const char *code = in->code && *in->code ? in->code : new_code(db, a);
    int64_t now = now_utc();
    const char *fr = in->title_fr ? in->title_fr : "", *ar = in->title_ar ? in->title_ar : "";
    const char *summary = in->summary ? in->summary : "";
    int64_t id = 0;
    if (code) {
        id = db_query_int(
            db,
            "INSERT INTO documents (code, kind, title_fr, title_ar, summary, node_id, node_path,"
            " owner_id, review_on, status, created_by, created_at, updated_at, search_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id",
            PARAMS(P_TEXT(code), P_TEXT(in->kind ? in->kind : "procedure"), P_TEXT(fr), P_TEXT(ar),
                   P_TEXT(summary), P_INT(node_id), P_TEXT(node_path),
                   in->owner_id > 0 ? P_INT(in->owner_id) : P_NULL,
                   in->review_on && *in->review_on ? P_TEXT(in->review_on) : P_NULL,
                   actor > 0 ? P_INT(actor) : P_NULL, P_INT(now), P_INT(now),
                   P_TEXT(search_key(a, code, fr, ar, summary))),
            0);
    }
    /* a code taken since the caller's check (two creations at once) */
    bool dup = code && id <= 0 && db_last_code(db) == DB_CONSTRAINT;
    bool ok = id > 0;
    if (ok && in->n_criteria)
        ok = write_criteria(db, id, actor, in->criteria, in->n_criteria) == DB_OK;
    if (ok) {
        json_t *after = json_pack("{s:s, s:s, s:I, s:s}", "code", code, "kind",
                                  in->kind ? in->kind : "procedure", "node_id", (json_int_t)node_id,
                                  "status", "draft");
        if (*fr)
            json_object_set_new(after, "title_fr", json_string(fr));
        if (*ar)
            json_object_set_new(after, "title_ar", json_string(ar));
        if (*summary)
            json_object_set_new(after, "summary", json_string(summary));
        if (in->owner_id > 0)
            json_object_set_new(after, "owner_id", json_integer(in->owner_id));
        if (in->review_on && *in->review_on)
            json_object_set_new(after, "review_on", json_string(in->review_on));
        if (in->n_criteria)
            json_object_set_new(after, "criterion",
                                json_string(crit_list_text(a, in->criteria, in->n_criteria)));
        json_t *ch = audit_diff(NULL, after);
        ok = audit_write(db, actor, "create", "document", id, node_id, ch, ip) == DB_OK;
        json_decref(ch);
        json_decref(after);
    }
    if (ok)
        ok = lib_index(db, a, id) == DB_OK;
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return dup ? RES_CONFLICT : RES_ERROR;
    if (id_out)
        *id_out = id;
    return RES_OK;
}

res_t lib_update(db_t *db, arena_t *a, int64_t actor, const char *ip, const lib_doc_t *d,
                 const lib_input_t *in, int64_t rev)
{
    if (d->status == LIB_ARCHIVED)
        return RES_CONFLICT;
    if (rev > 0 && rev != d->rev)
        return RES_CONFLICT;
    lib_doc_t n = *d;
    if (in->has_kind && in->kind)
        n.kind = in->kind;
    if (in->has_title_fr)
        n.title_fr = in->title_fr ? in->title_fr : "";
    if (in->has_title_ar)
        n.title_ar = in->title_ar ? in->title_ar : "";
    if (in->has_summary)
        n.summary = in->summary ? in->summary : "";
    if (in->has_review)
        n.review_on = in->review_on && *in->review_on ? in->review_on : NULL;
    if (in->has_owner)
        n.owner_id = in->owner_id > 0 ? in->owner_id : 0;
    json_t *before = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "kind", d->kind, "title_fr",
                               d->title_fr, "title_ar", d->title_ar, "summary", d->summary,
                               "review_on", json_str_or_null(d->review_on), "owner_id",
                               d->owner_id > 0 ? json_integer(d->owner_id) : json_null());
    json_t *after = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "kind", n.kind, "title_fr",
                              n.title_fr, "title_ar", n.title_ar, "summary", n.summary,
                              "review_on", json_str_or_null(n.review_on), "owner_id",
                              n.owner_id > 0 ? json_integer(n.owner_id) : json_null());
    size_t nold = 0;
    lib_crit_t *old = lib_criteria(db, a, d->id, &nold);
    if (in->has_criteria) {
        json_object_set_new(before, "criterion", json_string(crit_list_text(a, old, nold)));
        json_object_set_new(after, "criterion",
                            json_string(crit_list_text(a, in->criteria, in->n_criteria)));
    }
    json_t *ch = audit_diff(before, after);
    json_decref(before);
    json_decref(after);
    if (json_object_size(ch) == 0) {
        json_decref(ch);
        return RES_OK;
    }
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        json_decref(ch);
        return RES_ERROR;
    }
    /* a review date moved: its reminder is due again */
    bool review_moved = !str_eq(n.review_on, d->review_on);
    bool ok = db_exec(db,
                      "UPDATE documents SET kind = ?, title_fr = ?, title_ar = ?, summary = ?,"
                      " review_on = ?, owner_id = ?, search_key = ?, rev = rev + 1, updated_at = ?"
                      " WHERE id = ? AND rev = ?",
                      PARAMS(P_TEXT(n.kind), P_TEXT(n.title_fr), P_TEXT(n.title_ar),
                             P_TEXT(n.summary), P_TEXT(n.review_on),
                             n.owner_id > 0 ? P_INT(n.owner_id) : P_NULL,
                             P_TEXT(search_key(a, n.code, n.title_fr, n.title_ar, n.summary)),
                             P_INT(now_utc()), P_INT(d->id), P_INT(d->rev))) == DB_OK;
    bool stale = ok && db_changes(db) == 0;
    if (ok && !stale && review_moved)
        ok = db_exec(db, "UPDATE documents SET review_notified_on = NULL WHERE id = ?",
                     PARAMS(P_INT(d->id))) == DB_OK;
    if (ok && !stale && in->has_criteria)
        ok = write_criteria(db, d->id, actor, in->criteria, in->n_criteria) == DB_OK;
    if (ok && !stale)
        ok = audit_write(db, actor, "update", "document", d->id, d->node_id, ch, ip) == DB_OK;
    if (ok && !stale)
        ok = lib_index(db, a, d->id) == DB_OK;
    json_decref(ch);
    int end = app_tx_end(db, mine, ok && !stale);
    if (!ok)
        return RES_ERROR;
    if (stale)
        return RES_CONFLICT;
    return end == DB_OK ? RES_OK : RES_ERROR;
}

size_t lib_transitions(const lib_doc_t *d, const char **out)
{
    size_t n = 0;
    switch (d->status) {
    case LIB_DRAFT:
        if (d->version >= 1)
            out[n++] = "approved";
        out[n++] = "archived";
        break;
    case LIB_APPROVED:
        if (d->version > d->approved_version)
            out[n++] = "approved";
        out[n++] = "archived";
        break;
    case LIB_ARCHIVED:
        out[n++] = "draft";
        break;
    }
    return n;
}

res_t lib_set_status(db_t *db, arena_t *a, int64_t actor, const char *ip, const lib_doc_t *d,
                     lib_status_t to, int64_t rev)
{
    (void)a;
    const char *allowed[3];
    size_t n = lib_transitions(d, allowed);
    bool ok_move = false;
    for (size_t i = 0; i < n; i++)
        ok_move = ok_move || str_eq(allowed[i], lib_status_code(to));
    if (!ok_move || (rev > 0 && rev != d->rev))
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    int64_t now = now_utc();
    bool ok;
    if (to == LIB_APPROVED)
        ok = db_exec(db,
                     "UPDATE documents SET status = 'approved', approved_version = version,"
                     " approved_by = ?, approved_at = ?, rev = rev + 1, updated_at = ?"
                     " WHERE id = ? AND rev = ?",
                     PARAMS(actor > 0 ? P_INT(actor) : P_NULL, P_INT(now), P_INT(now),
                            P_INT(d->id), P_INT(d->rev))) == DB_OK;
    else
        ok = db_exec(db,
                     "UPDATE documents SET status = ?, rev = rev + 1, updated_at = ?"
                     " WHERE id = ? AND rev = ?",
                     PARAMS(P_TEXT(lib_status_code(to)), P_INT(now), P_INT(d->id),
                            P_INT(d->rev))) == DB_OK;
    bool stale = ok && db_changes(db) == 0;
    if (ok && !stale) {
        json_t *ch = json_object();
        if (to != d->status)
            json_object_set_new(ch, "status", json_pack("{s:s, s:s}", "from",
                                                        lib_status_code(d->status), "to",
                                                        lib_status_code(to)));
        if (to == LIB_APPROVED)
            json_object_set_new(ch, "approved_version",
                                json_pack("{s:I, s:I}", "from", (json_int_t)d->approved_version,
                                          "to", (json_int_t)d->version));
        ok = audit_write(db, actor, "status", "document", d->id, d->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (ok && !stale)
        ok = lib_index(db, a, d->id) == DB_OK;
    int end = app_tx_end(db, mine, ok && !stale);
    if (!ok)
        return RES_ERROR;
    if (stale)
        return RES_CONFLICT;
    return end == DB_OK ? RES_OK : RES_ERROR;
}

res_t lib_add_version(db_t *db, arena_t *a, int64_t actor, const char *ip, const lib_doc_t *d,
                      const http_file_t *file, const char *note, int64_t number, bool approve,
                      int64_t rev, int64_t *number_out, const char **err_msgid)
{
    const char *dummy;
    if (!err_msgid)
        err_msgid = &dummy;
    *err_msgid = NULL;
    if (d->status == LIB_ARCHIVED || (rev > 0 && rev != d->rev))
        return RES_CONFLICT;
    if (number <= 0)
        number = d->version + 1;
    if (number <= d->version)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    /* changed since it was read: the final update would refuse it anyway */
    if (db_query_int(db, "SELECT rev FROM documents WHERE id = ?", PARAMS(P_INT(d->id)), -1) != d->rev) {
        app_tx_end(db, mine, false);
        return RES_CONFLICT;
    }
    int64_t now = now_utc();
    int64_t vid = db_query_int(db,
                               "INSERT INTO document_versions (document_id, number, attachment_id,"
                               " filename, content_type, size, sha256, note, created_by,"
                               " created_at) VALUES (?, ?, 0, '', '', 0, '', ?, ?, ?) RETURNING id",
                               PARAMS(P_INT(d->id), P_INT(number), P_TEXT(note ? note : ""),
                                      actor > 0 ? P_INT(actor) : P_NULL, P_INT(now)),
                               0);
    if (vid <= 0) {
        app_tx_end(db, mine, false);
        return db_last_code(db) == DB_CONSTRAINT ? RES_CONFLICT : RES_ERROR;
    }
    int64_t att = 0;
    res_t rc = attach_store(db, d->node_id, "document_version", vid, file, actor, ip, &att,
                            err_msgid);
    if (rc != RES_OK) {
        if (mine)
            app_tx_end(db, mine, false);
        else
            db_exec(db, "DELETE FROM document_versions WHERE id = ?", PARAMS(P_INT(vid)));
        return rc;
    }
    attach_file_t info;
    bool ok = attach_read(db, a, att, false, &info) == 0;
    ok = ok && db_exec(db,
                       "UPDATE document_versions SET attachment_id = ?, filename = ?,"
                       " content_type = ?, size = ?, sha256 = ? WHERE id = ?",
                       PARAMS(P_INT(att), P_TEXT(info.filename), P_TEXT(info.content_type),
                              P_INT(info.size), P_TEXT(info.sha256), P_INT(vid))) == DB_OK;
    bool stale = false;
    if (ok) {
        if (approve)
            ok = db_exec(db,
                         "UPDATE documents SET version = ?, approved_version = ?, status = 'approved',"
                         " approved_by = ?, approved_at = ?, rev = rev + 1, updated_at = ?"
                         " WHERE id = ? AND rev = ?",
                         PARAMS(P_INT(number), P_INT(number), actor > 0 ? P_INT(actor) : P_NULL,
                                P_INT(now), P_INT(now), P_INT(d->id), P_INT(d->rev))) == DB_OK;
        else
            ok = db_exec(db,
                         "UPDATE documents SET version = ?, rev = rev + 1, updated_at = ?"
                         " WHERE id = ? AND rev = ?",
                         PARAMS(P_INT(number), P_INT(now), P_INT(d->id), P_INT(d->rev))) == DB_OK;
        stale = ok && db_changes(db) == 0;
    }
    if (ok && !stale) {
        json_t *ch = json_pack("{s:{s:I, s:I}, s:{s:s}, s:{s:I}}", "version", "from",
                               (json_int_t)d->version, "to", (json_int_t)number, "filename", "to",
                               info.filename, "size", "to", (json_int_t)info.size);
        if (note && *note)
            json_object_set_new(ch, "note", json_pack("{s:s}", "to", note));
        if (approve) {
            if (d->status != LIB_APPROVED)
                json_object_set_new(ch, "status", json_pack("{s:s, s:s}", "from",
                                                            lib_status_code(d->status), "to",
                                                            "approved"));
            json_object_set_new(ch, "approved_version",
                                json_pack("{s:I, s:I}", "from", (json_int_t)d->approved_version,
                                          "to", (json_int_t)number));
        }
        ok = audit_write(db, actor, "new_version", "document", d->id, d->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (ok && !stale && approve)
        ok = lib_index(db, a, d->id) == DB_OK;
    int end = app_tx_end(db, mine, ok && !stale);
    if (!ok)
        return RES_ERROR;
    if (stale)
        return RES_CONFLICT;
    if (end != DB_OK)
        return RES_ERROR;
    if (number_out)
        *number_out = number;
    return RES_OK;
}

res_t lib_acknowledge(db_t *db, int64_t actor, const char *ip, const lib_doc_t *d, bool *created)
{
    *created = false;
    if (d->status != LIB_APPROVED || d->approved_version < 1)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    bool ok = db_exec(db,
                      "INSERT INTO document_acks (document_id, version, user_id, at)"
                      " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      PARAMS(P_INT(d->id), P_INT(d->approved_version), P_INT(actor),
                             P_INT(now_utc()))) == DB_OK;
    if (ok && db_changes(db) > 0) {
        *created = true;
        json_t *ch = json_pack("{s:{s:I}}", "version", "to", (json_int_t)d->approved_version);
        ok = audit_write(db, actor, "acknowledge", "document", d->id, d->node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}

int lib_ack_raw(db_t *db, int64_t doc_id, int64_t version, int64_t user_id, int64_t at)
{
    return db_exec(db,
                   "INSERT INTO document_acks (document_id, version, user_id, at)"
                   " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   PARAMS(P_INT(doc_id), P_INT(version), P_INT(user_id), P_INT(at)));
}

res_t lib_link(db_t *db, int64_t actor, const char *ip, const lib_doc_t *d, const lib_crit_t *c,
               bool add)
{
    if (d->status == LIB_ARCHIVED)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    bool ok;
    if (add) {
        ok = db_exec(db,
                     "INSERT INTO document_criteria (document_id, ref_code, criterion_code,"
                     " created_by, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                     PARAMS(P_INT(d->id), P_TEXT(c->ref), P_TEXT(c->code),
                            actor > 0 ? P_INT(actor) : P_NULL, P_INT(now_utc()))) == DB_OK;
    } else {
        ok = db_exec(db,
                     "DELETE FROM document_criteria WHERE document_id = ? AND ref_code = ?"
                     " AND criterion_code = ?",
                     PARAMS(P_INT(d->id), P_TEXT(c->ref), P_TEXT(c->code))) == DB_OK;
    }
    if (ok && db_changes(db) > 0) {
        arena_t *a = arena_new();
        json_t *ch = json_pack("{s:{s:s}}", "criterion", add ? "to" : "from", crit_text(a, c));
        ok = db_exec(db, "UPDATE documents SET rev = rev + 1, updated_at = ? WHERE id = ?",
                     PARAMS(P_INT(now_utc()), P_INT(d->id))) == DB_OK &&
             audit_write(db, actor, add ? "link_criterion" : "unlink_criterion", "document", d->id,
                         d->node_id, ch, ip) == DB_OK;
        json_decref(ch);
        arena_free(a);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    return RES_OK;
}
