/* search_index.c - writing the index: one row per (type, item id, lang) with
 * the stored text (shown in results, snippets cut from it) and its folded
 * words (words.h), which the engine's own full-text index reads: an FTS5
 * table kept by triggers on SQLite, a tsvector column built here on
 * PostgreSQL (title words weight A, body words weight D). Modules call these
 * inside their own write transactions. */
#include "search_internal.h"

#include <stdio.h>
#include <string.h>

static const char *nz(const char *s)
{
    return s ? s : "";
}

int search_put_ctx(db_t *db, const search_doc_t *d, const char *context)
{
    if (!d || !d->type || !*d->type || d->id <= 0 || !d->node_path || d->node_path[0] != '/') {
        log_error("search_put: a row without type, id or path");
        return DB_ERR;
    }
    const char *lang = nz(d->lang);
    char *tw = words_tokens(nz(d->title), false, SEARCH_TITLE_WORDS);
    char *bw = words_tokens(nz(d->body), true, SEARCH_BODY_WORDS);
    int rc = db_exec(db, "DELETE FROM search_items WHERE type = ? AND item_id = ? AND lang = ?",
                     PARAMS(P_TEXT(d->type), P_INT(d->id), P_TEXT(lang)));
    if (rc == DB_OK && db_kind(db) == DB_PG) {
        char *tsv = words_tsvector(tw, bw);
        rc = db_exec(db,
                     "INSERT INTO search_items (type, item_id, lang, node_path, perm, everyone,"
                     " below, title, body, href, context, title_words, body_words, updated_at, tsv)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS tsvector))",
                     PARAMS(P_TEXT(d->type), P_INT(d->id), P_TEXT(lang), P_TEXT(d->node_path),
                            P_TEXT(perm_code(d->perm)), P_INT(d->everyone), P_INT(d->below),
                            P_TEXT(nz(d->title)), P_TEXT(nz(d->body)), P_TEXT(nz(d->href)),
                            P_TEXT(nz(context)), P_TEXT(tw), P_TEXT(bw), P_INT(now_utc()),
                            P_TEXT(tsv)));
        free(tsv);
    } else if (rc == DB_OK) {
        rc = db_exec(db,
                     "INSERT INTO search_items (type, item_id, lang, node_path, perm, everyone,"
                     " below, title, body, href, context, title_words, body_words, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     PARAMS(P_TEXT(d->type), P_INT(d->id), P_TEXT(lang), P_TEXT(d->node_path),
                            P_TEXT(perm_code(d->perm)), P_INT(d->everyone), P_INT(d->below),
                            P_TEXT(nz(d->title)), P_TEXT(nz(d->body)), P_TEXT(nz(d->href)),
                            P_TEXT(nz(context)), P_TEXT(tw), P_TEXT(bw), P_INT(now_utc())));
    }
    free(tw);
    free(bw);
    return rc;
}

int search_put(db_t *db, const search_doc_t *d)
{
    return search_put_ctx(db, d, NULL);
}

int search_drop(db_t *db, const char *type, int64_t id)
{
    return db_exec(db, "DELETE FROM search_items WHERE type = ? AND item_id = ?",
                   PARAMS(P_TEXT(type), P_INT(id)));
}

int search_drop_other_langs(db_t *db, const char *type, int64_t id, const char *const *langs,
                            size_t n)
{
    if (n == 0)
        return search_drop(db, type, id);
    /* the languages are few: one statement each way keeps it prepared */
    db_res_t *res = db_query(db, "SELECT lang FROM search_items WHERE type = ? AND item_id = ?",
                             PARAMS(P_TEXT(type), P_INT(id)));
    if (!res)
        return DB_ERR;
    const char *gone[8];
    size_t ng = 0;
    char keep[8][8];
    while (db_next(res) && ng < 8) {
        const char *l = db_text(res, 0) ? db_text(res, 0) : "";
        bool listed = false;
        for (size_t i = 0; i < n && !listed; i++)
            listed = str_eq(langs[i] ? langs[i] : "", l);
        if (!listed) {
            snprintf(keep[ng], sizeof keep[ng], "%s", l);
            gone[ng] = keep[ng];
            ng++;
        }
    }
    int rc = db_res_status(res);
    db_res_free(res);
    for (size_t i = 0; i < ng && rc == DB_OK; i++)
        rc = db_exec(db, "DELETE FROM search_items WHERE type = ? AND item_id = ? AND lang = ?",
                     PARAMS(P_TEXT(type), P_INT(id), P_TEXT(gone[i])));
    return rc;
}

int search_drop_range(db_t *db, const char *type, int64_t lo, int64_t hi)
{
    return db_exec(db, "DELETE FROM search_items WHERE type = ? AND item_id >= ? AND item_id <= ?",
                   PARAMS(P_TEXT(type), P_INT(lo), P_INT(hi)));
}

int search_item_ids(db_t *db, arena_t *a, const char *type, app_ids_t *out)
{
    db_res_t *res = db_query(db,
                             "SELECT DISTINCT item_id FROM search_items WHERE type = ?"
                             " ORDER BY item_id",
                             PARAMS(P_TEXT(type)));
    if (!res)
        return DB_ERR;
    while (db_next(res))
        *VEC_PUSH(a, out) = db_int(res, 0);
    int rc = db_res_status(res);
    db_res_free(res);
    return rc;
}
