/* ref_store.c - référentiels in the database: storing a checked document
 * (its row, its items in tree order, their crosswalk) in one audited
 * transaction, reading it back as the same document, the life of a version
 * (draft -> published -> archived; a published version never changes, a new
 * version is a draft copy), and who may read or manage one. */
#include "ref_internal.h"

#include <string.h>

static const char *const status_codes[] = {"draft", "published", "archived"};

const char *ref_status_code(ref_status_t s)
{
    return (unsigned)s < 3 ? status_codes[s] : "draft";
}

static ref_status_t status_from(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (str_eq(s, status_codes[i]))
            return (ref_status_t)i;
    return REF_DRAFT;
}

#define REF_COLS                                                                                   \
    "id, node_id, node_path, code, version, title_fr, title_ar, title_en, scale, status,"         \
    " n_criteria, rev, created_at, published_at"

void ref_from_row(arena_t *a, db_res_t *res, ref_t *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_int(res, 0);
    out->node_id = db_int(res, 1);
    out->node_path = arena_strdup(a, db_text(res, 2));
    out->code = arena_strdup(a, db_text(res, 3));
    out->version = db_int(res, 4);
    out->title_fr = arena_strdup(a, db_text(res, 5));
    out->title_ar = arena_strdup(a, db_text(res, 6));
    out->title_en = arena_strdup(a, db_text(res, 7));
    out->scale = arena_strdup(a, db_text(res, 8));
    out->status = status_from(db_text(res, 9));
    out->n_criteria = db_int(res, 10);
    out->rev = db_int(res, 11);
    out->created_at = db_int(res, 12);
    out->published_at = db_int(res, 13);
}

const char *ref_cols(void)
{
    return REF_COLS;
}

int ref_load(db_t *db, arena_t *a, int64_t id, ref_t *out)
{
    db_res_t *res =
        db_query(db, "SELECT " REF_COLS " FROM referentiels WHERE id = ?", PARAMS(P_INT(id)));
    int rc = -1;
    if (res && db_next(res)) {
        ref_from_row(a, res, out);
        rc = 0;
    }
    db_res_free(res);
    return rc;
}

ref_t *ref_of_route(req_t *r, bool manage)
{
    ref_t *ref = arena_alloc(r->arena, sizeof *ref);
    if (ref_load(r->db, r->arena, r->ids[0], ref) != 0 || !ref_can_read(r, ref)) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    if (manage && !ref_can_manage(r, ref)) {
        app_fail(r, RES_FORBIDDEN, N_("Only administrators and quality advisors manage référentiels."),
                 NULL);
        return NULL;
    }
    return ref;
}

const char *ref_href(req_t *r, int64_t id)
{
    return arena_printf(r->arena, "/referentiels/%lld", (long long)id);
}

bool ref_can_manage(req_t *r, const ref_t *ref)
{
    return ref->node_path && app_can_at_path(r, PERM_QUALITY_WRITE, ref->node_path);
}

bool ref_can_read(req_t *r, const ref_t *ref)
{
    return r->user && (ref->status != REF_DRAFT || ref_can_manage(r, ref));
}

const char *ref_title(req_t *r, const char *fr, const char *ar, const char *en, bool *fallback)
{
    if (fallback)
        *fallback = false;
    if (str_eq(r->lang, "ar")) {
        if (!str_empty(ar))
            return ar;
        if (fallback)
            *fallback = !str_empty(fr);
        return fr;
    }
    if (str_eq(r->lang, "en") && !str_empty(en))
        return en;
    return fr;
}

bool ref_applies(const char *categories, const char *category)
{
    if (str_empty(categories))
        return true;
    if (str_empty(category))
        return true;
    size_t n = strlen(category);
    for (const char *p = categories; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, category, n) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* --- Lists as stored (JSON arrays of texts, or '|'-joined codes) --------- */

static char *list_json(const ref_list_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static void list_from_json(arena_t *a, const char *text, ref_list_t *out)
{
    out->v = NULL;
    out->n = 0;
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_array(j)) {
        out->v = arena_alloc(a, (json_array_size(j) + 1) * sizeof *out->v);
        for (size_t i = 0; i < json_array_size(j); i++)
            if (json_is_string(json_array_get(j, i)))
                out->v[out->n++] = arena_strdup(a, json_string_value(json_array_get(j, i)));
    }
    json_decref(j);
}

static char *list_codes(arena_t *a, const ref_list_t *l)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_putc(&b, '|');
        buf_puts(&b, l->v[i]);
    }
    char *s = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

static void list_from_codes(arena_t *a, const char *text, ref_list_t *out)
{
    out->v = NULL;
    out->n = 0;
    if (str_empty(text))
        return;
    size_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == '|';
    out->v = arena_alloc(a, (n + 1) * sizeof *out->v);
    char *copy = arena_strdup(a, text), *save = NULL;
    for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save))
        out->v[out->n++] = t;
}

/* The folded text of an item's titles, for the tree's search. */
static const char *item_search_key(arena_t *a, const ref_item_t *it)
{
    const char *fields[] = {it->code, it->title_fr, it->title_ar, it->title_en};
    char *key = text_fold_key(fields, 4);
    const char *out = arena_strdup(a, key);
    free(key);
    return out;
}

/* --- Writing ------------------------------------------------------------- */

/* Insert the items of doc under ref_id (inside the caller's transaction). */
static int insert_items(db_t *db, arena_t *a, int64_t ref_id, const ref_doc_t *doc)
{
    int64_t *ids = arena_alloc(a, (doc->n_items + 1) * sizeof *ids);
    for (size_t i = 0; i < doc->n_items; i++) {
        const ref_item_t *it = &doc->items[i];
        char *efr = list_json(&it->elements_fr), *ear = list_json(&it->elements_ar);
        char *vfr = list_json(&it->evidence_fr), *var = list_json(&it->evidence_ar);
        db_res_t *res = db_query(
            db,
            "INSERT INTO ref_items (referentiel_id, parent_id, ord, depth, code, level, title_fr,"
            " title_ar, title_en, leaf, imperative, categories, methods, elements_fr, elements_ar,"
            " evidence_fr, evidence_ar, guidance_fr, guidance_ar, search_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            PARAMS(P_INT(ref_id), it->parent >= 0 ? P_INT(ids[it->parent]) : P_NULL, P_INT(i),
                   P_INT(it->depth), P_TEXT(it->code), P_TEXT(it->level), P_TEXT(it->title_fr),
                   P_TEXT(it->title_ar), P_TEXT(it->title_en), P_INT(it->leaf),
                   P_INT(it->imperative), P_TEXT(list_codes(a, &it->categories)),
                   P_TEXT(list_codes(a, &it->methods)), P_TEXT(efr), P_TEXT(ear), P_TEXT(vfr),
                   P_TEXT(var), P_TEXT(it->guidance_fr), P_TEXT(it->guidance_ar),
                   P_TEXT(item_search_key(a, it))));
        free(efr);
        free(ear);
        free(vfr);
        free(var);
        ids[i] = 0;
        if (res && db_next(res))
            ids[i] = db_int(res, 0);
        db_res_free(res);
        if (ids[i] <= 0)
            return DB_ERR;
        for (size_t k = 0; k < it->n_crosswalk; k++)
            if (db_exec(db,
                        "INSERT INTO ref_crosswalk (item_id, ord, target_ref, target_code)"
                        " VALUES (?, ?, ?, ?)",
                        PARAMS(P_INT(ids[i]), P_INT(k), P_TEXT(it->crosswalk[k].ref),
                               P_TEXT(it->crosswalk[k].code))) != DB_OK)
                return DB_ERR;
    }
    return DB_OK;
}

static char *levels_json(const ref_doc_t *doc)
{
    return list_json(&doc->levels);
}

res_t ref_store_doc(db_t *db, arena_t *a, int64_t node_id, const char *node_path, int64_t actor,
                    const char *ip, const ref_doc_t *doc, ref_status_t status, int64_t *id_out)
{
    int64_t now = now_utc();
    bool mine = false;
    if (!app_tx_begin(db, &mine))
        return RES_ERROR;
    if (db_query_int(db, "SELECT COUNT(*) FROM referentiels WHERE code = ? AND version = ?",
                     PARAMS(P_TEXT(doc->code), P_INT(doc->version)), -1) != 0) {
        app_tx_end(db, mine, false);
        return RES_CONFLICT;
    }
    char *levels = levels_json(doc);
    db_res_t *res = db_query(
        db,
        "INSERT INTO referentiels (node_id, node_path, code, version, title_fr, title_ar,"
        " title_en, scale, scale_given, levels, status, n_criteria, rev, created_by, created_at,"
        " updated_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
        " RETURNING id",
        PARAMS(P_INT(node_id), P_TEXT(node_path), P_TEXT(doc->code), P_INT(doc->version),
               P_TEXT(doc->title_fr), P_TEXT(doc->title_ar), P_TEXT(doc->title_en),
               P_TEXT(doc->scale), P_INT(doc->scale_given), P_TEXT(levels), P_TEXT(ref_status_code(status)),
               P_INT(doc->n_criteria), actor ? P_INT(actor) : P_NULL, P_INT(now), P_INT(now),
               status == REF_PUBLISHED ? P_INT(now) : P_NULL));
    free(levels);
    int64_t id = 0;
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0 && insert_items(db, a, id, doc) == DB_OK;
    if (ok && status == REF_PUBLISHED)
        ok = ref_search_index(db, id) == DB_OK;
    if (ok) {
        json_t *ch = json_pack("{s:{s:n,s:s},s:{s:n,s:I},s:{s:n,s:s},s:{s:n,s:I}}", "code", "from",
                               "to", doc->code, "version", "from", "to", (json_int_t)doc->version,
                               "status", "from", "to", ref_status_code(status), "n_criteria",
                               "from", "to", (json_int_t)doc->n_criteria);
        ok = audit_write(db, actor, "import", "referentiel", id, node_id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok) {
        /* a concurrent import of the same code and version */
        if (db_query_int(db, "SELECT COUNT(*) FROM referentiels WHERE code = ? AND version = ?",
                         PARAMS(P_TEXT(doc->code), P_INT(doc->version)), 0) > 0)
            return RES_CONFLICT;
        return RES_ERROR;
    }
    *id_out = id;
    return RES_OK;
}

int ref_load_doc(db_t *db, arena_t *a, int64_t id, ref_doc_t *doc)
{
    memset(doc, 0, sizeof *doc);
    db_res_t *res = db_query(
        db, "SELECT code, version, title_fr, title_ar, title_en, scale, levels, n_criteria,"
            " scale_given"
            " FROM referentiels WHERE id = ?",
        PARAMS(P_INT(id)));
    if (!res || !db_next(res)) {
        db_res_free(res);
        return -1;
    }
    doc->code = arena_strdup(a, db_text(res, 0));
    doc->version = db_int(res, 1);
    doc->title_fr = arena_strdup(a, db_text(res, 2));
    doc->title_ar = arena_strdup(a, db_text(res, 3));
    doc->title_en = arena_strdup(a, db_text(res, 4));
    doc->scale = arena_strdup(a, db_text(res, 5));
    list_from_json(a, db_text(res, 6), &doc->levels);
    doc->n_criteria = (size_t)db_int(res, 7);
    doc->scale_given = db_int(res, 8) != 0;
    db_res_free(res);

    int64_t n = db_query_int(db, "SELECT COUNT(*) FROM ref_items WHERE referentiel_id = ?",
                             PARAMS(P_INT(id)), -1);
    if (n < 0)
        return -1;
    doc->items = arena_alloc(a, ((size_t)n + 1) * sizeof *doc->items);
    int64_t *ids = arena_alloc(a, ((size_t)n + 1) * sizeof *ids);
    res = db_query(db,
                   "SELECT i.id, p.code, i.depth, i.code, i.level, i.title_fr, i.title_ar,"
                   " i.title_en, i.leaf, i.imperative, i.categories, i.methods, i.elements_fr,"
                   " i.elements_ar, i.evidence_fr, i.evidence_ar, i.guidance_fr, i.guidance_ar,"
                   " i.parent_id"
                   " FROM ref_items i LEFT JOIN ref_items p ON p.id = i.parent_id"
                   " WHERE i.referentiel_id = ? ORDER BY i.ord",
                   PARAMS(P_INT(id)));
    if (!res)
        return -1;
    while (db_next(res) && doc->n_items < (size_t)n) {
        size_t k = doc->n_items++;
        ref_item_t *it = &doc->items[k];
        ids[k] = db_int(res, 0);
        it->parent_code = arena_strdup(a, db_text(res, 1));
        it->depth = (int)db_int(res, 2);
        it->code = arena_strdup(a, db_text(res, 3));
        it->level = arena_strdup(a, db_text(res, 4));
        it->title_fr = arena_strdup(a, db_text(res, 5));
        it->title_ar = arena_strdup(a, db_text(res, 6));
        it->title_en = arena_strdup(a, db_text(res, 7));
        it->leaf = db_int(res, 8) != 0;
        it->imperative = db_int(res, 9) != 0;
        list_from_codes(a, db_text(res, 10), &it->categories);
        list_from_codes(a, db_text(res, 11), &it->methods);
        list_from_json(a, db_text(res, 12), &it->elements_fr);
        list_from_json(a, db_text(res, 13), &it->elements_ar);
        list_from_json(a, db_text(res, 14), &it->evidence_fr);
        list_from_json(a, db_text(res, 15), &it->evidence_ar);
        it->guidance_fr = arena_strdup(a, db_text(res, 16));
        it->guidance_ar = arena_strdup(a, db_text(res, 17));
        it->parent = -1;
        int64_t pid = db_int(res, 18);
        for (size_t q = k; pid && q-- > 0;)
            if (ids[q] == pid) {
                it->parent = (int)q;
                break;
            }
    }
    int st = db_res_status(res);
    db_res_free(res);
    if (st != DB_OK)
        return -1;
    /* the crosswalk, in one query */
    res = db_query(db,
                   "SELECT x.item_id, x.target_ref, x.target_code FROM ref_crosswalk x"
                   " JOIN ref_items i ON i.id = x.item_id WHERE i.referentiel_id = ?"
                   " ORDER BY i.ord, x.ord",
                   PARAMS(P_INT(id)));
    if (!res)
        return -1;
    size_t cursor = 0;
    while (db_next(res)) {
        int64_t item = db_int(res, 0);
        while (cursor < doc->n_items && ids[cursor] != item)
            cursor++;
        if (cursor >= doc->n_items)
            break;
        ref_item_t *it = &doc->items[cursor];
        if (!it->crosswalk)
            it->crosswalk = arena_alloc(a, (REF_MAX_LIST + 1) * sizeof *it->crosswalk);
        if (it->n_crosswalk < REF_MAX_LIST) {
            it->crosswalk[it->n_crosswalk].ref = arena_strdup(a, db_text(res, 1));
            it->crosswalk[it->n_crosswalk].code = arena_strdup(a, db_text(res, 2));
            it->n_crosswalk++;
        }
    }
    db_res_free(res);
    return 0;
}

ref_row_t *ref_rows(db_t *db, arena_t *a, int64_t ref_id, size_t *n_out)
{
    *n_out = 0;
    int64_t n = db_query_int(db, "SELECT COUNT(*) FROM ref_items WHERE referentiel_id = ?",
                             PARAMS(P_INT(ref_id)), -1);
    if (n < 0)
        return NULL;
    ref_row_t *rows = arena_alloc(a, ((size_t)n + 1) * sizeof *rows);
    db_res_t *res = db_query(db,
                             "SELECT id, parent_id, code, level, title_fr, title_ar, title_en,"
                             " depth, leaf, imperative, categories FROM ref_items"
                             " WHERE referentiel_id = ? ORDER BY ord",
                             PARAMS(P_INT(ref_id)));
    if (!res)
        return NULL;
    size_t k = 0;
    while (db_next(res) && k < (size_t)n) {
        ref_row_t *w = &rows[k++];
        w->id = db_int(res, 0);
        w->parent_id = db_int(res, 1);
        w->code = arena_strdup(a, db_text(res, 2));
        w->level = arena_strdup(a, db_text(res, 3));
        w->title_fr = arena_strdup(a, db_text(res, 4));
        w->title_ar = arena_strdup(a, db_text(res, 5));
        w->title_en = arena_strdup(a, db_text(res, 6));
        w->depth = (int)db_int(res, 7);
        w->leaf = db_int(res, 8) != 0;
        w->imperative = db_int(res, 9) != 0;
        w->categories = arena_strdup(a, db_text(res, 10) ? db_text(res, 10) : "");
    }
    db_res_free(res);
    *n_out = k;
    return rows;
}

/* --- The life of a version ----------------------------------------------- */

res_t ref_set_status(db_t *db, int64_t actor, const char *ip, const ref_t *ref, ref_status_t to)
{
    bool allowed = (ref->status == REF_DRAFT && to == REF_PUBLISHED) ||
                   (ref->status == REF_PUBLISHED && to == REF_ARCHIVED) ||
                   (ref->status == REF_ARCHIVED && to == REF_PUBLISHED);
    if (!allowed)
        return RES_CONFLICT;
    int64_t now = now_utc();
    if (db_begin(db) != DB_OK)
        return RES_ERROR;
    int rc = db_exec(db,
                     "UPDATE referentiels SET status = ?, rev = rev + 1, updated_at = ?,"
                     " published_at = CASE WHEN ? = 'published' AND published_at IS NULL THEN ?"
                     " ELSE published_at END WHERE id = ? AND rev = ?",
                     PARAMS(P_TEXT(ref_status_code(to)), P_INT(now), P_TEXT(ref_status_code(to)),
                            P_INT(now), P_INT(ref->id), P_INT(ref->rev)));
    if (rc != DB_OK || db_changes(db) != 1) {
        db_rollback(db);
        return rc == DB_OK ? RES_CONFLICT : RES_ERROR;
    }
    json_t *ch = json_pack("{s:{s:s,s:s}}", "status", "from", ref_status_code(ref->status), "to",
                           ref_status_code(to));
    const char *action = to == REF_ARCHIVED ? "archive" : "publish";
    rc = audit_write(db, actor, action, "referentiel", ref->id, ref->node_id, ch, ip);
    json_decref(ch);
    if (rc == DB_OK)
        rc = ref_search_index(db, ref->id);
    if (rc != DB_OK || db_commit(db) != DB_OK) {
        db_rollback(db);
        return RES_ERROR;
    }
    return RES_OK;
}

res_t ref_new_version(db_t *db, arena_t *a, int64_t actor, const char *ip, const ref_t *ref,
                      int64_t *id_out)
{
    ref_doc_t doc;
    if (ref_load_doc(db, a, ref->id, &doc) != 0)
        return RES_ERROR;
    if (db_begin(db) != DB_OK)
        return RES_ERROR;
    int64_t top = db_query_int(db, "SELECT MAX(version) FROM referentiels WHERE code = ?",
                               PARAMS(P_TEXT(ref->code)), -1);
    if (top < 1 || top >= 1000000) {
        db_rollback(db);
        return top >= 1000000 ? RES_CONFLICT : RES_ERROR;
    }
    doc.version = top + 1;
    res_t rc = ref_store_doc(db, a, ref->node_id, ref->node_path, actor, ip, &doc, REF_DRAFT,
                             id_out);
    if (rc != RES_OK) {
        db_rollback(db);
        return rc;
    }
    json_t *ch = json_pack("{s:{s:n,s:I}}", "version", "from", "to", (json_int_t)doc.version);
    int w = audit_write(db, actor, "new_version", "referentiel", ref->id, ref->node_id, ch, ip);
    json_decref(ch);
    if (w != DB_OK || db_commit(db) != DB_OK) {
        db_rollback(db);
        return RES_ERROR;
    }
    return RES_OK;
}

res_t ref_replace_draft(db_t *db, arena_t *a, int64_t actor, const char *ip, const ref_t *ref,
                        const ref_doc_t *doc, json_t *changes)
{
    if (ref->status != REF_DRAFT)
        return RES_CONFLICT;
    if (db_begin(db) != DB_OK)
        return RES_ERROR;
    char *levels = levels_json(doc);
    int rc = db_exec(db,
                     "UPDATE referentiels SET title_fr = ?, title_ar = ?, title_en = ?, scale = ?,"
                     " scale_given = ?, levels = ?, n_criteria = ?, rev = rev + 1, updated_at = ?"
                     " WHERE id = ? AND rev = ? AND status = 'draft'",
                     PARAMS(P_TEXT(doc->title_fr), P_TEXT(doc->title_ar), P_TEXT(doc->title_en),
                            P_TEXT(doc->scale), P_INT(doc->scale_given), P_TEXT(levels), P_INT(doc->n_criteria),
                            P_INT(now_utc()), P_INT(ref->id), P_INT(ref->rev)));
    free(levels);
    if (rc != DB_OK || db_changes(db) != 1) {
        db_rollback(db);
        return rc == DB_OK ? RES_CONFLICT : RES_ERROR;
    }
    /* items are rewritten whole: a draft is small, and the tree order and
     * depths then come from the one structure check */
    bool ok = db_exec(db,
                      "DELETE FROM ref_crosswalk WHERE item_id IN"
                      " (SELECT id FROM ref_items WHERE referentiel_id = ?)",
                      PARAMS(P_INT(ref->id))) == DB_OK &&
              db_exec(db, "UPDATE ref_items SET parent_id = NULL WHERE referentiel_id = ?",
                      PARAMS(P_INT(ref->id))) == DB_OK &&
              db_exec(db, "DELETE FROM ref_items WHERE referentiel_id = ?",
                      PARAMS(P_INT(ref->id))) == DB_OK &&
              insert_items(db, a, ref->id, doc) == DB_OK &&
              audit_write(db, actor, "update", "referentiel", ref->id, ref->node_id, changes,
                          ip) == DB_OK;
    if (!ok || db_commit(db) != DB_OK) {
        db_rollback(db);
        return RES_ERROR;
    }
    return RES_OK;
}

res_t ref_delete_draft(db_t *db, int64_t actor, const char *ip, const ref_t *ref)
{
    if (ref->status != REF_DRAFT)
        return RES_CONFLICT;
    if (db_begin(db) != DB_OK)
        return RES_ERROR;
    json_t *ch = json_pack("{s:{s:s,s:n},s:{s:I,s:n}}", "code", "from", ref->code, "to", "version",
                           "from", (json_int_t)ref->version, "to");
    bool ok = db_exec(db,
                      "DELETE FROM ref_crosswalk WHERE item_id IN"
                      " (SELECT id FROM ref_items WHERE referentiel_id = ?)",
                      PARAMS(P_INT(ref->id))) == DB_OK &&
              db_exec(db, "UPDATE ref_items SET parent_id = NULL WHERE referentiel_id = ?",
                      PARAMS(P_INT(ref->id))) == DB_OK &&
              db_exec(db, "DELETE FROM ref_items WHERE referentiel_id = ?",
                      PARAMS(P_INT(ref->id))) == DB_OK &&
              db_exec(db, "DELETE FROM referentiels WHERE id = ? AND rev = ? AND status = 'draft'",
                      PARAMS(P_INT(ref->id), P_INT(ref->rev))) == DB_OK &&
              db_changes(db) == 1 &&
              audit_write(db, actor, "delete", "referentiel", ref->id, ref->node_id, ch, ip) ==
                  DB_OK;
    json_decref(ch);
    if (!ok || db_commit(db) != DB_OK) {
        db_rollback(db);
        return RES_CONFLICT;
    }
    return RES_OK;
}
