/* capit_model.c - capitalisation sheets: reading them, creating one (a new
 * code, or the one a kit carries), changing a draft, opening the next
 * version of a published sheet, moving it along its workflow, attaching
 * files, and keeping its row of the one search index. Every change is
 * audited in the transaction that makes it. */
#include "capit_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "../attach/attach.h"
#include "../core/fold.h"
#include "../search/search.h"

static const char *opt_text(arena_t *a, db_res_t *res, int col)
{
    const char *t = db_text(res, col);
    return arena_strdup(a, t ? t : "");
}

void cap_from_row(arena_t *a, db_res_t *res, sheet_t *o, bool full)
{
    memset(o, 0, sizeof *o);
    int c = 0;
    o->id = db_int(res, c++);
    o->node_id = db_int(res, c++);
    o->eps_id = db_int(res, c++);
    o->version = db_int(res, c++);
    o->rev = db_int(res, c++);
    o->created_by = db_int(res, c++);
    o->updated_by = db_int(res, c++);
    o->published_by = db_int(res, c++);
    o->created_at = db_int(res, c++);
    o->updated_at = db_int(res, c++);
    o->submitted_at = db_int(res, c++);
    o->published_at = db_int(res, c++);
    o->code = opt_text(a, res, c++);
    o->node_path = opt_text(a, res, c++);
    o->eps_name = opt_text(a, res, c++);
    o->title = opt_text(a, res, c++);
    o->theme = opt_text(a, res, c++);
    o->lang = opt_text(a, res, c++);
    o->contributors = opt_text(a, res, c++);
    o->authors_text = opt_text(a, res, c++);
    o->return_comment = db_isnull(res, c) ? NULL : opt_text(a, res, c);
    c++;
    o->indicators = opt_text(a, res, c++);
    int st = cap_status_from_code(db_text(res, c++));
    o->status = st < 0 ? CAP_DRAFT : (cap_status_t)st;
    o->imported = db_int(res, c++) != 0;
    for (int i = 0; i < CAP_NTEXT; i++)
        o->text[i] = full ? opt_text(a, res, c++) : "";
}

int cap_load(db_t *db, arena_t *a, int64_t id, sheet_t *out)
{
    db_res_t *res = db_query(db, "SELECT " CAP_COLS " FROM sheets s WHERE s.id = ?",
                             PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        cap_from_row(a, res, out, true);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

json_t *cap_indicators_json(const sheet_t *s)
{
    json_t *j = json_loads(s->indicators ? s->indicators : "[]", 0, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        j = json_array();
    }
    return j;
}

json_t *cap_criteria_of(db_t *db, int64_t id)
{
    json_t *out = json_array();
    db_res_t *res = db_query(db,
                             "SELECT ref_code, item_code FROM sheet_links WHERE sheet_id = ? AND"
                             " kind = 'criterion' ORDER BY position, ref_code, item_code",
                             PARAMS(P_INT(id)));
    while (res && db_next(res))
        json_array_append_new(out, json_pack("{s:s, s:s}", "referentiel", db_text(res, 0),
                                             "criterion", db_text(res, 1)));
    db_res_free(res);
    return out;
}

json_t *cap_ids_of(db_t *db, int64_t id, const char *kind)
{
    json_t *out = json_array();
    db_res_t *res = db_query(db,
                             "SELECT target_id FROM sheet_links WHERE sheet_id = ? AND kind = ?"
                             " ORDER BY position, target_id",
                             PARAMS(P_INT(id), P_TEXT(kind)));
    while (res && db_next(res))
        json_array_append_new(out, json_integer(db_int(res, 0)));
    db_res_free(res);
    return out;
}

json_t *cap_documents_of(db_t *db, int64_t id)
{
    json_t *out = json_array();
    db_res_t *res = db_query(db,
                             "SELECT ref_code FROM sheet_links WHERE sheet_id = ? AND"
                             " kind = 'document' ORDER BY position, ref_code",
                             PARAMS(P_INT(id)));
    while (res && db_next(res))
        json_array_append_new(out, json_string(db_text(res, 0)));
    db_res_free(res);
    return out;
}

json_t *cap_authors_of(db_t *db, int64_t id)
{
    json_t *out = json_array();
    db_res_t *res = db_query(db, "SELECT user_id FROM sheet_authors WHERE sheet_id = ?"
                                 " ORDER BY position, user_id",
                             PARAMS(P_INT(id)));
    arena_t *a = arena_new();
    while (res && db_next(res)) {
        user_t u;
        int64_t uid = db_int(res, 0);
        if (users_load(db, a, uid, &u) == 0)
            json_array_append_new(out, json_pack("{s:I, s:s}", "id", (json_int_t)uid, "name",
                                                 u.name ? u.name : ""));
    }
    db_res_free(res);
    arena_free(a);
    return out;
}

/* --- helpers of the writes ----------------------------------------------------- */

const char *cap_new_code(db_t *db, arena_t *a)
{
    for (int tries = 0; tries < 20; tries++) {
        unsigned char rnd[8];
        char code[13];
        randombytes_buf(rnd, sizeof rnd);
        cap_code_make(rnd, code);
        if (db_query_int(db, "SELECT COUNT(*) FROM sheets WHERE code = ?", PARAMS(P_TEXT(code)),
                         1) == 0)
            return arena_strdup(a, code);
    }
    return NULL;
}

char *cap_search_key(const char *title, const char *code, const char *eps_name)
{
    const char *fields[] = {title, code, eps_name};
    return text_fold_key(fields, 3);
}

const char *cap_indicators_text(arena_t *a, const cap_input_t *in)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < in->n_ind; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "label", in->ind[i].label,
                                             "value", in->ind[i].value ? in->ind[i].value : "",
                                             "unit", in->ind[i].unit ? in->ind[i].unit : ""));
    char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    const char *out = arena_strdup(a, s ? s : "[]");
    free(s);
    return out;
}

int cap_write_links(db_t *db, int64_t id, const cap_input_t *in)
{
    int rc = DB_OK;
    if (in->has_authors) {
        rc = db_exec(db, "DELETE FROM sheet_authors WHERE sheet_id = ?", PARAMS(P_INT(id)));
        for (size_t i = 0; rc == DB_OK && i < in->n_authors; i++)
            rc = db_exec(db,
                         "INSERT INTO sheet_authors (sheet_id, user_id, position) VALUES (?, ?, ?)"
                         " ON CONFLICT DO NOTHING",
                         PARAMS(P_INT(id), P_INT(in->authors[i]), P_INT((int64_t)i)));
    }
    if (rc == DB_OK && in->has_criteria) {
        rc = db_exec(db, "DELETE FROM sheet_links WHERE sheet_id = ? AND kind = 'criterion'",
                     PARAMS(P_INT(id)));
        for (size_t i = 0; rc == DB_OK && i < in->n_crit; i++)
            rc = db_exec(db,
                         "INSERT INTO sheet_links (sheet_id, kind, ref_code, item_code, target_id,"
                         " position) VALUES (?, 'criterion', ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                         PARAMS(P_INT(id), P_TEXT(in->crit[i].ref), P_TEXT(in->crit[i].crit),
                                P_INT((int64_t)i)));
    }
    if (rc == DB_OK && in->has_actions) {
        rc = db_exec(db, "DELETE FROM sheet_links WHERE sheet_id = ? AND kind = 'action'",
                     PARAMS(P_INT(id)));
        for (size_t i = 0; rc == DB_OK && i < in->n_actions; i++)
            rc = db_exec(db,
                         "INSERT INTO sheet_links (sheet_id, kind, ref_code, item_code, target_id,"
                         " position) VALUES (?, 'action', '', '', ?, ?) ON CONFLICT DO NOTHING",
                         PARAMS(P_INT(id), P_INT(in->actions[i]), P_INT((int64_t)i)));
    }
    if (rc == DB_OK && in->has_documents) {
        rc = db_exec(db, "DELETE FROM sheet_links WHERE sheet_id = ? AND kind = 'document'",
                     PARAMS(P_INT(id)));
        for (size_t i = 0; rc == DB_OK && i < in->n_docs; i++)
            rc = db_exec(db,
                         "INSERT INTO sheet_links (sheet_id, kind, ref_code, item_code, target_id,"
                         " position) VALUES (?, 'document', ?, '', 0, ?) ON CONFLICT DO NOTHING",
                         PARAMS(P_INT(id), P_TEXT(in->docs[i]), P_INT((int64_t)i)));
    }
    return rc;
}

/* What the audit log keeps of a sheet's short fields and links (texts are
 * compared apart: only that they changed is recorded). */
static json_t *snapshot(db_t *db, arena_t *a, int64_t id, const sheet_t *s)
{
    buf_t b;
    buf_init(&b);
    json_t *crit = cap_criteria_of(db, id), *docs = cap_documents_of(db, id),
           *acts = cap_ids_of(db, id, "action"), *auth = cap_authors_of(db, id);
    size_t i;
    json_t *v;
    json_array_foreach(crit, i, v)
        buf_printf(&b, "%s%s %s", i ? ", " : "", json_string_value(json_object_get(v, "referentiel")),
                   json_string_value(json_object_get(v, "criterion")));
    const char *crit_text = arena_strdup(a, b.data ? b.data : "");
    buf_reset(&b);
    json_array_foreach(docs, i, v)
        buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(v));
    const char *doc_text = arena_strdup(a, b.data ? b.data : "");
    buf_reset(&b);
    json_array_foreach(auth, i, v)
        buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(json_object_get(v, "name")));
    const char *auth_text = arena_strdup(a, b.data ? b.data : "");
    buf_reset(&b);
    json_t *ind = cap_indicators_json(s);
    json_array_foreach(ind, i, v) {
        const char *unit = json_string_value(json_object_get(v, "unit"));
        buf_printf(&b, "%s%s: %s%s%s", i ? "; " : "", json_string_value(json_object_get(v, "label")),
                   json_string_value(json_object_get(v, "value")), unit && *unit ? " " : "",
                   unit ? unit : "");
    }
    const char *ind_text = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "title", s->title,
                          "theme", s->theme, "lang", s->lang, "contributors", s->contributors,
                          "authors", auth_text, "indicators", ind_text, "criteria", crit_text,
                          "documents", doc_text, "actions", (json_int_t)json_array_size(acts));
    json_decref(crit);
    json_decref(docs);
    json_decref(acts);
    json_decref(auth);
    json_decref(ind);
    return o;
}

int cap_index(db_t *db, arena_t *a, int64_t id)
{
    sheet_t s;
    if (cap_load(db, a, id, &s) != 0)
        return DB_ERR;
    if (s.status == CAP_SUPERSEDED)
        return search_drop(db, "sheet", id);
    buf_t body;
    buf_init(&body);
    for (int i = 0; i < CAP_NTEXT; i++)
        if (*s.text[i])
            buf_printf(&body, "%s%s", body.len ? "\n\n" : "", s.text[i]);
    json_t *ind = cap_indicators_json(&s);
    size_t i;
    json_t *v;
    json_array_foreach(ind, i, v)
        buf_printf(&body, "\n%s", json_string_value(json_object_get(v, "label")));
    json_decref(ind);
    search_doc_t d = {
        .type = "sheet",
        .id = id,
        .lang = s.lang,
        .node_path = s.node_path,
        .perm = PERM_QUALITY_READ,
        .everyone = s.status == CAP_PUBLISHED,
        .below = false,
        .title = s.title,
        .body = body.data ? body.data : "",
        .href = cap_sheet_href(a, id),
    };
    int rc = search_put(db, &d);
    buf_free(&body);
    return rc;
}

const char *cap_sheet_href(arena_t *a, int64_t id)
{
    return arena_printf(a, "/sheets/%lld", (long long)id);
}

/* The authors and the writer of the first version, told of what happened
 * to the sheet (not the one who did it). */
static int tell_authors(cap_ctx_t *c, const sheet_t *s, int64_t id, const char *msgid,
                        const char *comment)
{
    json_t *auth = cap_authors_of(c->db, id);
    int64_t ids[CAP_AUTHORS_MAX + 1];
    size_t n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(auth, i, v)
        if (n < CAP_AUTHORS_MAX)
            ids[n++] = json_integer_value(json_object_get(v, "id"));
    json_decref(auth);
    if (s->created_by > 0) {
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || ids[k] == s->created_by;
        if (!seen)
            ids[n++] = s->created_by;
    }
    const char *link = cap_sheet_href(c->a, id);
    int rc = DB_OK;
    for (size_t k = 0; k < n && rc == DB_OK; k++) {
        if (ids[k] == c->actor || !users_is_active(c->db, ids[k]))
            continue;
        if (comment)
            rc = notify_user(c->db, ids[k], "sheet", msgid, link,
                             (notify_arg_t[]){NOTIFY_REF("sheet", id), NOTIFY_TEXT(comment)}, 2);
        else
            rc = notify_user(c->db, ids[k], "sheet", msgid, link,
                             (notify_arg_t[]){NOTIFY_REF("sheet", id)}, 1);
    }
    return rc;
}

/* Older published versions of the code placed within the subtree of
 * scope (the new version's place: a kit imported at an association never
 * supersedes another association's or the national library's sheets)
 * become superseded (their search rows go). */
static bool supersede_older(cap_ctx_t *c, const char *code, int64_t node_id, const char *scope)
{
    if (!scope || !*scope)
        return false;
    const char *hi = app_path_upper(c->a, scope);
    int64_t top = db_query_int(c->db,
                               "SELECT MAX(version) FROM sheets WHERE code = ? AND status = 'published'"
                               " AND node_path >= ? AND node_path < ?",
                               PARAMS(P_TEXT(code), P_TEXT(scope), P_TEXT(hi)), 0);
    db_res_t *res = db_query(c->db,
                             "SELECT id, version FROM sheets WHERE code = ? AND status = 'published'"
                             " AND version < ? AND node_path >= ? AND node_path < ? ORDER BY id",
                             PARAMS(P_TEXT(code), P_INT(top), P_TEXT(scope), P_TEXT(hi)));
    int64_t ids[64];
    size_t n = 0;
    while (res && db_next(res) && n < ARRAY_LEN(ids))
        ids[n++] = db_int(res, 0);
    bool ok = res != NULL;
    db_res_free(res);
    for (size_t i = 0; ok && i < n; i++) {
        ok = db_exec(c->db,
                     "UPDATE sheets SET status = 'superseded', rev = rev + 1, updated_at = ?"
                     " WHERE id = ?",
                     PARAMS(P_INT(now_utc()), P_INT(ids[i]))) == DB_OK &&
             search_drop(c->db, "sheet", ids[i]) == DB_OK;
        if (ok) {
            json_t *ch = json_pack("{s:{s:s, s:s}, s:{s:I}}", "status", "from", "published", "to",
                                   "superseded", "version", "to", (json_int_t)top);
            ok = audit_write(c->db, c->actor, "supersede", "sheet", ids[i], node_id, ch, c->ip) ==
                 DB_OK;
            json_decref(ch);
        }
    }
    return ok;
}

/* --- creating -------------------------------------------------------------------- */

res_t cap_create(cap_ctx_t *c, const cap_place_t *p, const cap_input_t *in, int64_t *id_out)
{
    bool mine;
    if (!app_tx_begin(c->db, &mine))
        return RES_ERROR;
    const char *code = p->code ? p->code : cap_new_code(c->db, c->a);
    int64_t version = p->version > 0 ? p->version : 1;
    int64_t now = now_utc();
    bool published = p->status == CAP_PUBLISHED || p->status == CAP_SUPERSEDED;
    char *key = cap_search_key(in->title, code, p->eps_name);
    db_res_t *res =
        code ? db_query(c->db,
                        "INSERT INTO sheets (code, version, node_id, node_path, eps_id, eps_name,"
                        " imported, title, theme, lang, status, context, history, objectives,"
                        " actors, implementation, innovation, results, difficulties, lessons,"
                        " replication, tools, indicators, contributors, authors_text, created_by,"
                        " created_at, updated_by, updated_at, submitted_at, published_at,"
                        " published_by, search_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                        PARAMS(P_TEXT(code), P_INT(version), P_INT(p->node_id),
                               P_TEXT(p->node_path), p->eps_id > 0 ? P_INT(p->eps_id) : P_NULL,
                               P_TEXT(p->eps_name ? p->eps_name : ""), P_INT(p->imported ? 1 : 0),
                               P_TEXT(in->title), P_TEXT(in->theme ? in->theme : "autre"),
                               P_TEXT(in->lang ? in->lang : "fr"), P_TEXT(cap_status_code(p->status)),
                               P_TEXT(in->text[0] ? in->text[0] : ""),
                               P_TEXT(in->text[1] ? in->text[1] : ""),
                               P_TEXT(in->text[2] ? in->text[2] : ""),
                               P_TEXT(in->text[3] ? in->text[3] : ""),
                               P_TEXT(in->text[4] ? in->text[4] : ""),
                               P_TEXT(in->text[5] ? in->text[5] : ""),
                               P_TEXT(in->text[6] ? in->text[6] : ""),
                               P_TEXT(in->text[7] ? in->text[7] : ""),
                               P_TEXT(in->text[8] ? in->text[8] : ""),
                               P_TEXT(in->text[9] ? in->text[9] : ""),
                               P_TEXT(in->text[10] ? in->text[10] : ""),
                               P_TEXT(cap_indicators_text(c->a, in)),
                               P_TEXT(in->contributors ? in->contributors : ""),
                               P_TEXT(p->authors_text ? p->authors_text : ""),
                               c->actor > 0 ? P_INT(c->actor) : P_NULL, P_INT(now),
                               c->actor > 0 ? P_INT(c->actor) : P_NULL, P_INT(now),
                               p->status == CAP_REVIEW ? P_INT(now) : P_NULL,
                               published ? P_INT(now) : P_NULL,
                               published && c->actor > 0 ? P_INT(c->actor) : P_NULL, P_TEXT(key)))
             : NULL;
    free(key);
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    bool dup = !res && db_last_code(c->db) == DB_CONSTRAINT;
    db_res_free(res);
    bool ok = id > 0 && cap_write_links(c->db, id, in) == DB_OK;
    if (ok && p->status == CAP_PUBLISHED)
        ok = supersede_older(c, code, p->node_id, p->node_path);
    if (ok)
        ok = cap_index(c->db, c->a, id) == DB_OK;
    if (ok) {
        sheet_t s;
        ok = cap_load(c->db, c->a, id, &s) == 0;
        json_t *snap = ok ? snapshot(c->db, c->a, id, &s) : json_object();
        json_t *ch = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(snap, k, v) {
            bool empty = (json_is_string(v) && !*json_string_value(v)) ||
                         (json_is_integer(v) && json_integer_value(v) == 0);
            if (!empty)
                json_object_set_new(ch, k, json_pack("{s:O}", "to", v));
        }
        json_object_set_new(ch, "code", json_pack("{s:s}", "to", code));
        json_object_set_new(ch, "version", json_pack("{s:I}", "to", (json_int_t)version));
        json_object_set_new(ch, "status", json_pack("{s:s}", "to", cap_status_code(p->status)));
        if (p->eps_id > 0)
            json_object_set_new(ch, "node_id", json_pack("{s:I}", "to", (json_int_t)p->eps_id));
        else if (p->eps_name && *p->eps_name)
            json_object_set_new(ch, "eps_name", json_pack("{s:s}", "to", p->eps_name));
        ok = ok && audit_write(c->db, c->actor, p->imported ? "import" : "create", "sheet", id,
                               p->node_id, ch, c->ip) == DB_OK;
        json_decref(ch);
        json_decref(snap);
        if (ok && p->status == CAP_PUBLISHED && !p->imported)
            ok = tell_authors(c, &s, id,
                              N_("The capitalisation sheet %s is published: it joins the library."),
                              NULL) == DB_OK;
    }
    if (app_tx_end(c->db, mine, ok) != DB_OK || !ok)
        return dup ? RES_CONFLICT : RES_ERROR;
    *id_out = id;
    return RES_OK;
}

/* --- changing a draft ------------------------------------------------------------- */

res_t cap_update(cap_ctx_t *c, const sheet_t *s, const cap_input_t *in, int64_t rev)
{
    if (s->status != CAP_DRAFT && s->status != CAP_REVIEW)
        return RES_CONFLICT;
    if (rev > 0 && rev != s->rev)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(c->db, &mine))
        return RES_ERROR;
    json_t *before = snapshot(c->db, c->a, s->id, s);
    const char *title = in->title ? in->title : s->title;
    const char *texts[CAP_NTEXT];
    for (int i = 0; i < CAP_NTEXT; i++)
        texts[i] = in->text[i] ? in->text[i] : s->text[i];
    const char *ind = in->has_indicators ? cap_indicators_text(c->a, in) : s->indicators;
    char *key = cap_search_key(title, s->code, s->eps_name);
    bool ok = db_exec(c->db,
                      "UPDATE sheets SET title = ?, theme = ?, lang = ?, contributors = ?,"
                      " indicators = ?, context = ?, history = ?, objectives = ?, actors = ?,"
                      " implementation = ?, innovation = ?, results = ?, difficulties = ?,"
                      " lessons = ?, replication = ?, tools = ?, search_key = ?, rev = rev + 1,"
                      " updated_by = ?, updated_at = ? WHERE id = ? AND rev = ? AND status IN"
                      " ('draft', 'review')",
                      PARAMS(P_TEXT(title), P_TEXT(in->theme ? in->theme : s->theme),
                             P_TEXT(in->lang ? in->lang : s->lang),
                             P_TEXT(in->contributors ? in->contributors : s->contributors),
                             P_TEXT(ind), P_TEXT(texts[0]), P_TEXT(texts[1]), P_TEXT(texts[2]),
                             P_TEXT(texts[3]), P_TEXT(texts[4]), P_TEXT(texts[5]),
                             P_TEXT(texts[6]), P_TEXT(texts[7]), P_TEXT(texts[8]),
                             P_TEXT(texts[9]), P_TEXT(texts[10]), P_TEXT(key),
                             c->actor > 0 ? P_INT(c->actor) : P_NULL, P_INT(now_utc()),
                             P_INT(s->id), P_INT(s->rev))) == DB_OK;
    free(key);
    bool stale = ok && db_changes(c->db) != 1;
    ok = ok && !stale && cap_write_links(c->db, s->id, in) == DB_OK &&
         cap_index(c->db, c->a, s->id) == DB_OK;
    if (ok) {
        sheet_t now;
        ok = cap_load(c->db, c->a, s->id, &now) == 0;
        json_t *after = ok ? snapshot(c->db, c->a, s->id, &now) : json_object();
        json_t *ch = audit_diff(before, after);
        for (int i = 0; i < CAP_NTEXT; i++)
            if (!str_eq(texts[i], s->text[i]))
                json_object_set_new(ch, cap_text_fields[i], json_string("changed"));
        ok = ok && audit_write(c->db, c->actor, "update", "sheet", s->id, s->node_id, ch, c->ip) ==
                       DB_OK;
        json_decref(ch);
        json_decref(after);
    }
    json_decref(before);
    if (app_tx_end(c->db, mine, ok) != DB_OK || !ok)
        return stale ? RES_CONFLICT : RES_ERROR;
    return RES_OK;
}

/* --- the next version ---------------------------------------------------------------- */

static int id_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

cap_file_t *cap_files(db_t *db, arena_t *a, int64_t id, size_t *n)
{
    /* the attachments service lists them newest first: read in upload order */
    *n = 0;
    json_t *list = attach_list(db, "sheet", id);
    size_t count = json_array_size(list);
    if (count == 0) {
        json_decref(list);
        return NULL;
    }
    int64_t *ids = arena_alloc(a, count * sizeof *ids);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        ids[i] = json_integer_value(json_object_get(v, "id"));
    json_decref(list);
    qsort(ids, count, sizeof *ids, id_cmp);
    cap_file_t *out = arena_alloc(a, count * sizeof *out);
    for (i = 0; i < count; i++) {
        attach_file_t f;
        if (attach_read(db, a, ids[i], true, &f) != 0)
            continue;
        out[*n].filename = f.filename;
        out[*n].content_type = f.content_type;
        out[*n].data = f.data;
        out[*n].len = f.len;
        (*n)++;
    }
    return out;
}

res_t cap_new_version(cap_ctx_t *c, const sheet_t *s, const cap_input_t *in, int64_t *id_out,
                      int64_t *open_id)
{
    if (s->status != CAP_PUBLISHED)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(c->db, &mine))
        return RES_ERROR;
    int64_t open = cap_open_version(c->db, s->code);
    if (open > 0) {
        app_tx_end(c->db, mine, false);
        *open_id = open;
        return RES_CONFLICT;
    }
    int64_t top = db_query_int(c->db, "SELECT MAX(version) FROM sheets WHERE code = ?",
                               PARAMS(P_TEXT(s->code)), s->version);
    int64_t now = now_utc();
    db_res_t *res = db_query(
        c->db,
        "INSERT INTO sheets (code, version, node_id, node_path, eps_id, eps_name, imported, title,"
        " theme, lang, status, context, history, objectives, actors, implementation, innovation,"
        " results, difficulties, lessons, replication, tools, indicators, contributors,"
        " authors_text, created_by, created_at, updated_by, updated_at, search_key)"
        " SELECT code, ?, node_id, node_path, eps_id, eps_name, imported, title, theme, lang,"
        " 'draft', context, history, objectives, actors, implementation, innovation, results,"
        " difficulties, lessons, replication, tools, indicators, contributors, authors_text, ?,"
        " ?, ?, ?, search_key FROM sheets WHERE id = ? RETURNING id",
        PARAMS(P_INT(top + 1), c->actor > 0 ? P_INT(c->actor) : P_NULL, P_INT(now),
               c->actor > 0 ? P_INT(c->actor) : P_NULL, P_INT(now), P_INT(s->id)));
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    bool dup = !res && db_last_code(c->db) == DB_CONSTRAINT;
    db_res_free(res);
    bool ok = id > 0 &&
              db_exec(c->db,
                      "INSERT INTO sheet_authors (sheet_id, user_id, position) SELECT ?, user_id,"
                      " position FROM sheet_authors WHERE sheet_id = ?",
                      PARAMS(P_INT(id), P_INT(s->id))) == DB_OK &&
              db_exec(c->db,
                      "INSERT INTO sheet_links (sheet_id, kind, ref_code, item_code, target_id,"
                      " position) SELECT ?, kind, ref_code, item_code, target_id, position FROM"
                      " sheet_links WHERE sheet_id = ?",
                      PARAMS(P_INT(id), P_INT(s->id))) == DB_OK;
    /* the files go with the text */
    size_t nf = 0;
    cap_file_t *files = ok ? cap_files(c->db, c->a, s->id, &nf) : NULL;
    for (size_t i = 0; ok && i < nf; i++) {
        http_file_t hf = {.field = "file", .filename = files[i].filename,
                          .content_type = files[i].content_type,
                          .data = (const char *)files[i].data, .len = files[i].len};
        int64_t att = 0;
        const char *err = NULL;
        ok = attach_store(c->db, s->node_id, "sheet", id, &hf, c->actor, c->ip, &att, &err) ==
             RES_OK;
    }
    if (ok) {
        json_t *ch = json_pack("{s:{s:I, s:I}, s:{s:s}, s:{s:s}}", "version", "from",
                               (json_int_t)s->version, "to", (json_int_t)(top + 1), "status", "to",
                               "draft", "code", "to", s->code);
        ok = audit_write(c->db, c->actor, "new_version", "sheet", id, s->node_id, ch, c->ip) ==
             DB_OK;
        json_decref(ch);
    }
    ok = ok && cap_index(c->db, c->a, id) == DB_OK;
    /* the changes asked with the edit, in the same transaction */
    if (ok && in) {
        sheet_t draft;
        ok = cap_load(c->db, c->a, id, &draft) == 0 && cap_update(c, &draft, in, 0) == RES_OK;
    }
    if (app_tx_end(c->db, mine, ok) != DB_OK || !ok)
        return dup ? RES_CONFLICT : RES_ERROR;
    if (open_id)
        *open_id = 0;
    *id_out = id;
    return RES_OK;
}

/* --- the workflow ----------------------------------------------------------------------- */

res_t cap_set_status(cap_ctx_t *c, const sheet_t *s, cap_status_t to, const char *comment,
                     int64_t rev)
{
    if (rev > 0 && rev != s->rev)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(c->db, &mine))
        return RES_ERROR;
    int64_t now = now_utc();
    const char *action = to == CAP_REVIEW      ? "submit"
                         : to == CAP_PUBLISHED ? "publish"
                                               : "return";
    bool ok = db_exec(c->db,
                      "UPDATE sheets SET status = ?, rev = rev + 1, updated_at = ?, updated_by = ?,"
                      " submitted_at = CASE WHEN ? = 'review' THEN ? ELSE submitted_at END,"
                      " published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END,"
                      " published_by = CASE WHEN ? = 'published' THEN ? ELSE published_by END,"
                      " return_comment = CASE WHEN ? = 'draft' THEN ? ELSE NULL END"
                      " WHERE id = ? AND status = ? AND rev = ?",
                      PARAMS(P_TEXT(cap_status_code(to)), P_INT(now),
                             c->actor > 0 ? P_INT(c->actor) : P_NULL, P_TEXT(cap_status_code(to)),
                             P_INT(now), P_TEXT(cap_status_code(to)), P_INT(now),
                             P_TEXT(cap_status_code(to)), c->actor > 0 ? P_INT(c->actor) : P_NULL,
                             P_TEXT(cap_status_code(to)), P_TEXT(comment),
                             P_INT(s->id), P_TEXT(cap_status_code(s->status)),
                             P_INT(s->rev))) == DB_OK;
    bool stale = ok && db_changes(c->db) != 1;
    ok = ok && !stale;
    if (ok && to == CAP_PUBLISHED)
        ok = supersede_older(c, s->code, s->node_id, s->node_path);
    ok = ok && cap_index(c->db, c->a, s->id) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:s, s:s}}", "status", "from", cap_status_code(s->status),
                               "to", cap_status_code(to));
        if (comment && *comment)
            json_object_set_new(ch, "comment", json_pack("{s:s}", "to", comment));
        if (to == CAP_PUBLISHED)
            json_object_set_new(ch, "version", json_pack("{s:I}", "to", (json_int_t)s->version));
        ok = audit_write(c->db, c->actor, action, "sheet", s->id, s->node_id, ch, c->ip) == DB_OK;
        json_decref(ch);
    }
    if (ok && to == CAP_PUBLISHED)
        ok = tell_authors(c, s, s->id,
                          N_("The capitalisation sheet %s is published: it joins the library."),
                          NULL) == DB_OK;
    if (ok && to == CAP_DRAFT && s->status == CAP_REVIEW)
        ok = tell_authors(c, s, s->id, N_("The capitalisation sheet %s is back to draft: %s"),
                          comment && *comment ? comment : "—") == DB_OK;
    if (app_tx_end(c->db, mine, ok) != DB_OK || !ok)
        return stale ? RES_CONFLICT : RES_ERROR;
    return RES_OK;
}

res_t cap_attach(cap_ctx_t *c, const sheet_t *s, const http_file_t *f, int64_t *id_out,
                 const char **err_msgid)
{
    if (s->status != CAP_DRAFT && s->status != CAP_REVIEW)
        return RES_CONFLICT;
    bool mine;
    if (!app_tx_begin(c->db, &mine))
        return RES_ERROR;
    res_t rc = attach_store(c->db, s->node_id, "sheet", s->id, f, c->actor, c->ip, id_out,
                            err_msgid);
    bool ok = rc == RES_OK;
    if (ok) {
        char name[ATTACH_NAME_MAX * 4 + 8];
        if (attach_filename_clean(f->filename, name, sizeof name) != 0)
            snprintf(name, sizeof name, "file");
        json_t *ch = json_pack("{s:{s:s}}", "file", "to", name);
        ok = audit_write(c->db, c->actor, "upload", "sheet", s->id, s->node_id, ch, c->ip) == DB_OK &&
             db_exec(c->db, "UPDATE sheets SET updated_at = ? WHERE id = ?",
                     PARAMS(P_INT(now_utc()), P_INT(s->id))) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(c->db, mine, ok) != DB_OK || !ok)
        return rc == RES_OK ? RES_ERROR : rc;
    return RES_OK;
}
