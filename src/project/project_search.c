/* project_search.c - the projets' sections in the one search (search.h):
 * one row per section holding text, in the projet's language of writing,
 * titled with the section's title in that language, its context the
 * projet's title, read as the projet is (quality.read at its EPS, and the
 * staff of its units: "below"). Written again with every write of a
 * section, change of the projet and validation, inside their transaction;
 * at start and after the demo data, what is missing is added (the bulk
 * inserts of the demo do not go through the writes).
 *
 * A section has no id of its own: its row's id is the projet's id x 100 +
 * the section's position (at most PRJ_SECTIONS_MAX sections). */
#include "project_internal.h"

#include "../search/search.h"

#include <stdlib.h>
#include <string.h>

#define PRJ_SEARCH_SPAN 100
#define PRJ_SEARCH_BATCH 500

_Static_assert(PRJ_SECTIONS_MAX < PRJ_SEARCH_SPAN, "a section's search id stays in its projet's");

typedef struct {
    int64_t project_id;
    int position;
    const char *node_path, *project_title, *lang, *key, *title_fr, *title_ar, *title_en, *content;
} prj_search_row_t;

#define ROW_SQL                                                                                   \
    "SELECT p.id, s.position, p.node_path, p.title, p.lang, s.key, s.title_fr, s.title_ar,"      \
    " s.title_en, s.content FROM projects p JOIN project_sections s ON s.project_id = p.id"

static void row_read(arena_t *a, db_res_t *res, prj_search_row_t *o)
{
    o->project_id = db_int(res, 0);
    o->position = (int)db_int(res, 1);
    o->node_path = arena_strdup(a, db_text(res, 2));
    o->project_title = arena_strdup(a, db_text(res, 3));
    o->lang = arena_strdup(a, db_text(res, 4));
    o->key = arena_strdup(a, db_text(res, 5));
    o->title_fr = arena_strdup(a, db_text(res, 6));
    o->title_ar = arena_strdup(a, db_text(res, 7));
    o->title_en = arena_strdup(a, db_text(res, 8));
    o->content = arena_strdup(a, db_text(res, 9));
}

static int64_t row_search_id(const prj_search_row_t *o)
{
    return o->project_id * PRJ_SEARCH_SPAN + o->position;
}

static int row_put(db_t *db, arena_t *a, const prj_search_row_t *o)
{
    if (o->position < 0 || o->position >= PRJ_SEARCH_SPAN || !o->content || !*o->content)
        return DB_OK;
    prj_section_t s = {.title_fr = o->title_fr, .title_ar = o->title_ar, .title_en = o->title_en};
    search_doc_t d = {
        .type = "section",
        .id = row_search_id(o),
        .lang = o->lang,
        .node_path = o->node_path,
        .perm = PERM_QUALITY_READ,
        .everyone = false,
        .below = true,
        .title = prj_section_title(&s, o->lang),
        .body = o->content,
        .href = arena_printf(a, "/projects/%lld/sections/%s", (long long)o->project_id, o->key),
    };
    return search_put_ctx(db, &d, o->project_title);
}

int prj_search_index(db_t *db, int64_t project_id)
{
    int rc = search_drop_range(db, "section", project_id * PRJ_SEARCH_SPAN,
                               project_id * PRJ_SEARCH_SPAN + PRJ_SEARCH_SPAN - 1);
    if (rc != DB_OK)
        return rc;
    arena_t *a = arena_new();
    VEC(prj_search_row_t) rows = {0};
    db_res_t *res = db_query(db, ROW_SQL " WHERE p.id = ? AND s.content <> '' ORDER BY s.position",
                             PARAMS(P_INT(project_id)));
    if (!res)
        rc = DB_ERR;
    while (res && db_next(res))
        row_read(a, res, VEC_PUSH(a, &rows));
    if (res) {
        rc = db_res_status(res);
        db_res_free(res);
    }
    for (size_t i = 0; i < rows.n && rc == DB_OK; i++)
        rc = row_put(db, a, &rows.v[i]);
    arena_free(a);
    return rc;
}

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static bool has_id(const app_ids_t *ids, int64_t id)
{
    return ids->n && bsearch(&id, ids->v, ids->n, sizeof *ids->v, cmp_id) != NULL;
}

/* Add the rows of the sections missing from the index, drop those of
 * sections now empty or gone: one read of each side when nothing is
 * missing; otherwise the sections in batches, inside one transaction. */
static int backfill(db_t *db)
{
    arena_t *a = arena_new();
    app_ids_t want = {0}, have = {0};
    int rc = search_item_ids(db, a, "section", &have);
    db_res_t *res = rc == DB_OK ? db_query(db,
                                           "SELECT project_id * 100 + position AS sid FROM"
                                           " project_sections WHERE content <> '' ORDER BY sid",
                                           NOPARAMS)
                                : NULL;
    if (rc == DB_OK && !res)
        rc = DB_ERR;
    while (res && db_next(res))
        *VEC_PUSH(a, &want) = db_int(res, 0);
    if (res) {
        rc = db_res_status(res);
        db_res_free(res);
    }
    size_t missing = 0, extra = 0;
    for (size_t i = 0; rc == DB_OK && i < want.n; i++)
        missing += !has_id(&have, want.v[i]);
    for (size_t i = 0; rc == DB_OK && i < have.n; i++)
        extra += !has_id(&want, have.v[i]);
    if (rc != DB_OK || (missing == 0 && extra == 0)) {
        arena_free(a);
        return rc;
    }
    bool mine = false;
    if (!app_tx_begin(db, &mine)) {
        arena_free(a);
        return DB_ERR;
    }
    for (size_t i = 0; rc == DB_OK && i < have.n; i++)
        if (!has_id(&want, have.v[i]))
            rc = search_drop(db, "section", have.v[i]);
    int64_t after_project = 0;
    int after_position = -1;
    while (rc == DB_OK && missing > 0) {
        arena_t *batch = arena_new();
        VEC(prj_search_row_t) rows = {0};
        res = db_query(db,
                       ROW_SQL " WHERE s.content <> '' AND (s.project_id, s.position) > (?, ?)"
                               " ORDER BY s.project_id, s.position LIMIT ?",
                       PARAMS(P_INT(after_project), P_INT(after_position),
                              P_INT(PRJ_SEARCH_BATCH)));
        if (!res)
            rc = DB_ERR;
        while (res && db_next(res))
            row_read(batch, res, VEC_PUSH(batch, &rows));
        if (res) {
            rc = db_res_status(res);
            db_res_free(res);
        }
        for (size_t i = 0; rc == DB_OK && i < rows.n; i++) {
            if (has_id(&have, row_search_id(&rows.v[i])))
                continue;
            rc = row_put(db, batch, &rows.v[i]);
            missing--;
        }
        if (rows.n > 0) {
            after_project = rows.v[rows.n - 1].project_id;
            after_position = rows.v[rows.n - 1].position;
        }
        bool done = rows.n < PRJ_SEARCH_BATCH;
        arena_free(batch);
        if (done)
            break;
    }
    arena_free(a);
    if (app_tx_end(db, mine, rc == DB_OK) != DB_OK)
        return DB_ERR;
    if (rc == DB_OK)
        log_info("search: the projets' sections are indexed");
    return rc;
}

int prj_start(db_t *db)
{
    int rc = prj_templates_start(db);
    return rc == DB_OK ? backfill(db) : rc;
}

int prj_demo_indexed(app_demo_t *d)
{
    int rc = prj_demo(d);
    return rc == DB_OK ? backfill(d->db) : rc;
}
