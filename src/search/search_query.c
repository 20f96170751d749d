/* search_query.c - reading a query and finding what the reader may read.
 *
 * The text index drives every query (FTS5's MATCH on SQLite, the GIN index
 * of the tsvector on PostgreSQL), then the visibility condition keeps the
 * rows the reader may read, before ranking, LIMIT and the counts. The
 * statement's text depends only on the shape of the reader's roles, so it
 * stays prepared. */
#include "search_internal.h"

#include <string.h>

const char *const search_types[] = {"sheet", "document", "criterion", "section", NULL};

const char *search_type_label(req_t *r, const char *type)
{
    if (str_eq(type, "sheet"))
        return T(r, N_("Capitalisation sheet"));
    if (str_eq(type, "document"))
        return T(r, N_("Document"));
    if (str_eq(type, "criterion"))
        return T(r, N_("Criterion"));
    if (str_eq(type, "section"))
        return T(r, N_("Projet section"));
    return type ? type : "";
}

const char *search_type_plural(req_t *r, const char *type)
{
    if (str_eq(type, "sheet"))
        return T(r, N_("Capitalisation sheets"));
    if (str_eq(type, "document"))
        return T(r, N_("Documents"));
    if (str_eq(type, "criterion"))
        return T(r, N_("Criteria"));
    if (str_eq(type, "section"))
        return T(r, N_("Projet sections"));
    return type ? type : "";
}

void search_read(req_t *r, json_t *errors, search_query_t *q)
{
    memset(q, 0, sizeof *q);
    q->q = "";
    const char *raw = req_query(r, "q");
    if (raw && !utf8_valid(raw, strlen(raw))) {
        v_error(errors, "q", N_("This text contains invalid characters."));
        raw = NULL;
    }
    char *v = raw ? str_trim(arena_strdup(r->arena, raw)) : NULL;
    if (v && utf8_count(v) > SEARCH_Q_MAX) {
        v_error(errors, "q", N_("Search for at most 200 characters."));
        q->q = v;
        v = NULL;
    } else if (v) {
        /* line breaks and controls are spaces in a search */
        for (char *p = v; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = ' ';
        q->q = v;
    }
    q->empty = !v || !*v;
    if (v && *v) {
        char *buf = NULL;
        q->n_words = words_query(v, &buf, q->words, TEXT_FOLD_MAX_WORDS);
        for (size_t i = 0; i < q->n_words; i++)
            q->words[i] = arena_strdup(r->arena, q->words[i]);
        free(buf);
        /* words_query keeps no word of one letter: with no longer one,
         * n_words is 0 and the reader is asked for two letters at least */
    }
    const char *type = req_query(r, "type");
    if (type && *type) {
        if (!str_in(search_types, type))
            v_error(errors, "type", N_("Choose one of the proposed values."));
        else
            q->type = type;
    }
}

/* The perms a role grants that rows may ask for, as "s.perm IN (...)". */
static bool perms_sql(const role_assignment_t *ra, buf_t *sql, db_param_t *params, int *np,
                      int max)
{
    int k = 0;
    for (int p = PERM_ORG_READ; p < PERM__COUNT; p++) {
        if (!authz_role_grants(ra->role, ra->node_kind, (perm_t)p))
            continue;
        if (*np + 1 > max)
            break;
        buf_puts(sql, k++ ? ", ?" : "s.perm IN (?");
        params[(*np)++] = P_TEXT(perm_code((perm_t)p));
    }
    if (k)
        buf_puts(sql, ")");
    return k > 0;
}

void search_visible_sql(req_t *r, buf_t *sql, db_param_t *params, int *np, int max)
{
    int64_t now = now_utc();
    buf_puts(sql, "(s.everyone = 1");
    for (int i = 0; r->user && i < r->user->n_roles; i++) {
        const role_assignment_t *ra = &r->user->roles[i];
        const char *path = ra->node_path;
        if (!authz_role_live(ra, now) || !path || path[0] != '/' || *np + 16 > max)
            continue;
        buf_t part;
        buf_init(&part);
        int mark = *np;
        if (!perms_sql(ra, &part, params, np, max - 8)) {
            buf_free(&part);
            *np = mark;
            continue;
        }
        if (ra->node_kind == NODE_ROOT) {
            buf_printf(sql, " OR (%s)", part.data);
            buf_free(&part);
            continue;
        }
        /* at its node or below it; or a row marked "below" at one of its
         * ancestors (the root's rows are read by every role) */
        buf_printf(sql, " OR (%s AND (s.node_path >= ? AND s.node_path < ?", part.data);
        buf_free(&part);
        params[(*np)++] = P_TEXT(path);
        params[(*np)++] = P_TEXT(app_path_upper(r->arena, path));
        int anc = 0;
        for (const char *p = path + 1; *p && *np < max; p++) {
            if (*p != '/' || p[1] == '\0')
                continue;
            buf_puts(sql, anc++ ? ", ?" : " OR s.below = 1 AND s.node_path IN (?");
            params[(*np)++] = P_TEXT(arena_strndup(r->arena, path, (size_t)(p - path + 1)));
        }
        buf_puts(sql, anc ? ")))" : "))");
    }
    buf_puts(sql, ")");
}

/* " FROM ... WHERE <match> AND <visible> [AND type]" and its parameters;
 * the match's text is the first parameter. */
static void from_sql(req_t *r, const search_query_t *q, const char *match, buf_t *sql,
                     db_param_t *params, int *np)
{
    if (db_kind(r->db) == DB_PG)
        buf_puts(sql, " FROM search_items s WHERE s.tsv @@ CAST(? AS tsquery) AND ");
    else
        buf_puts(sql, " FROM search_fts JOIN search_items s ON s.id = search_fts.rowid"
                      " WHERE search_fts MATCH ? AND ");
    params[(*np)++] = P_TEXT(match);
    search_visible_sql(r, sql, params, np, SEARCH_MAX_PARAMS - 4);
    if (q->type) {
        buf_puts(sql, " AND s.type = ?");
        params[(*np)++] = P_TEXT(q->type);
    }
}

res_t search_run(req_t *r, const search_query_t *q, int64_t limit, int64_t offset,
                 search_hit_t **hits_out, size_t *n_out, int64_t *total, json_t **counts_out)
{
    *hits_out = NULL;
    *n_out = 0;
    *total = 0;
    json_t *counts = json_object();
    *counts_out = counts;
    for (size_t i = 0; search_types[i]; i++)
        json_object_set_new(counts, search_types[i], json_integer(0));
    if (q->n_words == 0)
        return RES_OK;
    bool pg = db_kind(r->db) == DB_PG;
    char *m = pg ? words_tsquery(q->words, q->n_words) : words_fts5_query(q->words, q->n_words);
    const char *match = arena_strdup(r->arena, m);
    free(m);

    /* counts per type (every type: the chips), whatever the type asked */
    search_query_t all = *q;
    all.type = NULL;
    db_param_t params[SEARCH_MAX_PARAMS];
    int np = 0;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT s.type, COUNT(*) AS n");
    from_sql(r, &all, match, &sql, params, &np);
    buf_puts(&sql, " GROUP BY s.type ORDER BY s.type");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    bool ok = res != NULL;
    while (res && db_next(res)) {
        const char *t = db_text(res, 0);
        int64_t c = db_int(res, 1);
        if (t && json_object_get(counts, t))
            json_object_set_new(counts, t, json_integer(c));
        if (!q->type || str_eq(q->type, t))
            *total += c;
    }
    ok = ok && db_res_status(res) == DB_OK;
    db_res_free(res);
    if (!ok || *total == 0 || offset >= *total) {
        buf_free(&sql);
        return ok ? RES_OK : RES_ERROR;
    }

    /* ranked on ids alone, then the texts of one page only */
    buf_reset(&sql);
    np = 0;
    buf_puts(&sql, "SELECT s.id, s.item_id, s.type, s.lang, s.node_path, s.title, s.body, s.href,"
                   " s.context FROM (");
    if (pg) {
        buf_puts(&sql, "SELECT s.id AS rid, ts_rank(s.tsv, CAST(? AS tsquery)) AS r");
        params[np++] = P_TEXT(match);
    } else {
        buf_puts(&sql, "SELECT search_fts.rowid AS rid, bm25(search_fts, 10.0, 1.0) AS r");
    }
    from_sql(r, q, match, &sql, params, &np);
    buf_puts(&sql, pg ? " ORDER BY r DESC, rid LIMIT ? OFFSET ?) t"
                        " JOIN search_items s ON s.id = t.rid ORDER BY t.r DESC, t.rid"
                      : " ORDER BY r, rid LIMIT ? OFFSET ?) t"
                        " JOIN search_items s ON s.id = t.rid ORDER BY t.r, t.rid");
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    if (!res)
        return RES_ERROR;
    VEC(search_hit_t) hits = {0};
    while (db_next(res)) {
        search_hit_t *h = VEC_PUSH(r->arena, &hits);
        h->id = db_int(res, 0);
        h->item_id = db_int(res, 1);
        h->type = arena_strdup(r->arena, db_text(res, 2));
        h->lang = arena_strdup(r->arena, db_text(res, 3));
        h->node_path = arena_strdup(r->arena, db_text(res, 4));
        h->title = arena_strdup(r->arena, db_text(res, 5));
        h->body = arena_strdup(r->arena, db_text(res, 6));
        h->href = arena_strdup(r->arena, db_text(res, 7));
        h->context = arena_strdup(r->arena, db_text(res, 8));
    }
    ok = db_res_status(res) == DB_OK;
    db_res_free(res);
    *hits_out = hits.v;
    *n_out = hits.n;
    return ok ? RES_OK : RES_ERROR;
}

json_t *search_segments_json(const snippet_t *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n_segs; i++)
        json_array_append_new(a, json_pack("{s:s%, s:b}", "text", s->text + s->segs[i].off,
                                           s->segs[i].len, "hit", s->segs[i].hit));
    return a;
}
