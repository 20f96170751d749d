/* ref_search.c - the criteria of published référentiels in the one search
 * (search.h): one row per criterion and language (French always; Arabic and
 * English when the criterion has a title in them), its title the code and
 * the title, its body the evaluation elements and the guidance in that
 * language, for every signed-in user (everyone), its context the
 * référentiel's title and version. A version's rows are written when it is
 * published (or stored published) and removed when it is archived, inside
 * that transaction; at start, what is missing is added and what is no
 * longer published removed. */
#include "ref_internal.h"

#include "../search/search.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t id;
    const char *code, *title[3], *elements[3], *guidance[3];
} crit_t;

static const char *const langs[3] = {"fr", "ar", "en"};

/* A JSON array of texts as lines. */
static const char *lines(arena_t *a, const char *json_text)
{
    json_t *j = json_text ? json_loads(json_text, 0, NULL) : NULL;
    buf_t b;
    buf_init(&b);
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) if (json_is_string(v))
    {
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, json_string_value(v));
    }
    json_decref(j);
    const char *s = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

static const char *body(arena_t *a, const char *elements, const char *guidance)
{
    if (!guidance || !*guidance)
        return elements;
    if (!*elements)
        return guidance;
    return arena_printf(a, "%s\n%s", elements, guidance);
}

int ref_search_index(db_t *db, int64_t ref_id)
{
    arena_t *a = arena_new();
    ref_t ref;
    if (ref_load(db, a, ref_id, &ref) != 0) {
        arena_free(a);
        return DB_ERR;
    }
    VEC(crit_t) crits = {0};
    db_res_t *res = db_query(db,
                             "SELECT id, code, title_fr, title_ar, title_en, elements_fr,"
                             " elements_ar, guidance_fr, guidance_ar FROM ref_items"
                             " WHERE referentiel_id = ? AND leaf = 1 ORDER BY ord",
                             PARAMS(P_INT(ref_id)));
    int rc = res ? DB_OK : DB_ERR;
    while (res && db_next(res)) {
        crit_t *c = VEC_PUSH(a, &crits);
        c->id = db_int(res, 0);
        c->code = arena_strdup(a, db_text(res, 1));
        for (int l = 0; l < 3; l++)
            c->title[l] = arena_strdup(a, db_text(res, 2 + l));
        c->elements[0] = lines(a, db_text(res, 5));
        c->elements[1] = lines(a, db_text(res, 6));
        c->elements[2] = "";
        c->guidance[0] = arena_strdup(a, db_text(res, 7));
        c->guidance[1] = arena_strdup(a, db_text(res, 8));
        c->guidance[2] = NULL;
    }
    if (res) {
        rc = db_res_status(res);
        db_res_free(res);
    }
    const char *ref_titles[3] = {ref.title_fr, ref.title_ar, ref.title_en};
    for (size_t i = 0; i < crits.n && rc == DB_OK; i++) {
        const crit_t *c = &crits.v[i];
        rc = search_drop(db, "criterion", c->id);
        if (ref.status != REF_PUBLISHED)
            continue;
        for (int l = 0; l < 3 && rc == DB_OK; l++) {
            if (!c->title[l] || !*c->title[l])
                continue;
            const char *rt = ref_titles[l] && *ref_titles[l] ? ref_titles[l] : ref.title_fr;
            search_doc_t d = {
                .type = "criterion",
                .id = c->id,
                .lang = langs[l],
                .node_path = ref.node_path,
                .perm = PERM_QUALITY_READ,
                .everyone = true,
                .title = arena_printf(a, "%s %s", c->code, c->title[l]),
                .body = body(a, c->elements[l], c->guidance[l]),
                .href = arena_printf(a, "/referentiels/%lld?open=all#c-%s", (long long)ref_id,
                                     c->code),
            };
            rc = search_put_ctx(db, &d, arena_printf(a, "%s · v%lld", rt, (long long)ref.version));
        }
    }
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

/* What the index lacks or holds too many of: two reads when nothing does. */
static int backfill(db_t *db)
{
    arena_t *a = arena_new();
    app_ids_t have = {0}, want = {0}, refs = {0};
    int rc = search_item_ids(db, a, "criterion", &have);
    db_res_t *res = rc == DB_OK ? db_query(db,
                                           "SELECT i.id, i.referentiel_id FROM ref_items i"
                                           " JOIN referentiels f ON f.id = i.referentiel_id"
                                           " WHERE f.status = 'published' AND i.leaf = 1"
                                           " ORDER BY i.id",
                                           NOPARAMS)
                                : NULL;
    if (rc == DB_OK && !res)
        rc = DB_ERR;
    while (res && db_next(res)) {
        int64_t id = db_int(res, 0), ref = db_int(res, 1);
        *VEC_PUSH(a, &want) = id;
        if (!has_id(&have, id)) {
            bool listed = false;
            for (size_t k = 0; k < refs.n && !listed; k++)
                listed = refs.v[k] == ref;
            if (!listed)
                *VEC_PUSH(a, &refs) = ref;
        }
    }
    if (res) {
        rc = db_res_status(res);
        db_res_free(res);
    }
    size_t extra = 0;
    for (size_t i = 0; rc == DB_OK && i < have.n; i++)
        extra += !has_id(&want, have.v[i]);
    if (rc != DB_OK || (refs.n == 0 && extra == 0)) {
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
            rc = search_drop(db, "criterion", have.v[i]);
    for (size_t i = 0; rc == DB_OK && i < refs.n; i++)
        rc = ref_search_index(db, refs.v[i]);
    arena_free(a);
    if (app_tx_end(db, mine, rc == DB_OK) != DB_OK)
        return DB_ERR;
    return rc;
}

int ref_search_start(db_t *db)
{
    int rc = ref_start(db);
    return rc == DB_OK ? backfill(db) : rc;
}
