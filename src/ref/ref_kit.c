/* ref_kit.c - référentiels in a transfer kit (the kit module carries the
 * zip; this is the référentiels' part). Exported: every published version
 * owned within the exported scope or above it (the national ones in an
 * association's kit), as its jouda-referentiel/1 document, under its code
 * in lower case.
 * Imported, matched by (code, version): absent here -> stored published
 * through the module's own path (ref_store_doc, audited "import"); present
 * with the same document -> same; present with another document -> skipped
 * (a published version never changes); a newer version of a code known
 * here is simply another (code, version): added beside the old one, unless
 * a version of the code is owned outside the importer's subtree (the
 * national référentiel, for an association's importer): skipped. */
#include "ref_internal.h"

#include <ctype.h>
#include <string.h>

static char *lower(arena_t *a, const char *s)
{
    char *o = arena_strdup(a, s);
    for (char *c = o; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return o;
}

static int ref_kit_export(db_t *db, arena_t *a, const char *scope, app_kit_items_t *out)
{
    /* owned within the scope, or above it (the root's, the association's) */
    db_res_t *res = db_query(db,
                             "SELECT id, code, version, title_fr FROM referentiels"
                             " WHERE status = 'published' AND ((node_path >= ? AND node_path < ?)"
                             " OR ? LIKE (node_path || '%')) ORDER BY code, version",
                             PARAMS(P_TEXT(scope), P_TEXT(app_path_upper(a, scope)),
                                    P_TEXT(scope)));
    if (!res)
        return DB_ERR;
    VEC(int64_t) ids = {0};
    while (db_next(res))
        *VEC_PUSH(a, &ids) = db_int(res, 0);
    int st = db_res_status(res);
    db_res_free(res);
    if (st != DB_OK)
        return st;
    size_t first = out->n;
    for (size_t i = 0; i < ids.n; i++) {
        ref_doc_t doc;
        if (ref_load_doc(db, a, ids.v[i], &doc) != 0)
            return DB_ERR;
        const char *code = lower(a, doc.code);
        bool dup = false; /* two codes differing by case only: the first is kept */
        for (size_t k = first; k < out->n && !dup; k++)
            dup = str_eq(out->v[k].code, code) && out->v[k].version == doc.version;
        if (dup) {
            log_error("kit: référentiel %s version %lld left out (its code differs from another's "
                      "by case only)", doc.code, (long long)doc.version);
            continue;
        }
        json_t *j = ref_doc_to_json(&doc);
        app_arena_json(a, j);
        app_kit_item_t *it = VEC_PUSH(a, out);
        it->type = "referentiel";
        it->code = code;
        it->version = doc.version;
        it->title = doc.title_fr;
        it->lang = "";
        it->doc = j;
    }
    return DB_OK;
}

static int ref_kit_import(app_kit_ctx_t *ctx, const app_kit_item_t *item, app_kit_verdict_t *v)
{
    memset(v, 0, sizeof *v);
    ref_doc_t doc;
    ref_problems_t problems = {0};
    if (!ref_doc_from_json(ctx->a, item->doc, &doc, &problems)) {
        v->action = KIT_INVALID;
        v->msgid = N_("This référentiel's document is not valid: %s");
        v->arg = problems.n ? problems.v[0].msgid : "";
        return DB_OK;
    }
    if (!str_eq(lower(ctx->a, doc.code), item->code) || doc.version != item->version) {
        v->action = KIT_INVALID;
        v->msgid = N_("The item's code or version differs from its document's.");
        return DB_OK;
    }
    db_res_t *res = db_query(ctx->db, "SELECT id FROM referentiels WHERE code = ? AND version = ?",
                             PARAMS(P_TEXT(doc.code), P_INT(doc.version)));
    if (!res)
        return DB_ERR;
    int64_t id = db_next(res) ? db_int(res, 0) : 0;
    int st = db_res_status(res);
    db_res_free(res);
    if (st != DB_OK)
        return st;
    if (id <= 0) {
        /* a new version of a code owned outside the importer's subtree (the
         * national référentiel imported at an association): not theirs to add */
        int64_t elsewhere = db_query_int(
            ctx->db,
            "SELECT COUNT(*) FROM referentiels WHERE code = ? AND NOT (node_path >= ? AND"
            " node_path < ?)",
            PARAMS(P_TEXT(doc.code), P_TEXT(ctx->node_path),
                   P_TEXT(app_path_upper(ctx->a, ctx->node_path))),
            -1);
        if (elsewhere < 0)
            return DB_ERR;
        if (elsewhere > 0) {
            v->action = KIT_SKIP;
            v->msgid = N_("Kept as it is: it belongs to another association or to the national "
                          "library.");
            return DB_OK;
        }
        v->action = KIT_CREATE;
        if (!ctx->apply)
            return DB_OK;
        res_t rc = ref_store_doc(ctx->db, ctx->a, ctx->node_id, ctx->node_path, ctx->actor,
                                 ctx->ip, &doc, REF_PUBLISHED, &v->id);
        return rc == RES_OK ? DB_OK : DB_ERR;
    }
    ref_doc_t here;
    if (ref_load_doc(ctx->db, ctx->a, id, &here) != 0)
        return DB_ERR;
    json_t *mine = ref_doc_to_json(&here), *theirs = ref_doc_to_json(&doc);
    bool same = json_equal(mine, theirs);
    json_decref(mine);
    json_decref(theirs);
    if (same) {
        v->action = KIT_SAME;
        return DB_OK;
    }
    v->action = KIT_SKIP;
    v->msgid = N_("This version exists here with other contents: it is kept as it is (a new "
                  "version of the référentiel would be added beside it).");
    return DB_OK;
}

const app_kit_part_t ref_kit_part = {
    .type = "referentiel",
    .label = N_("Référentiels"),
    .export = ref_kit_export,
    .import = ref_kit_import,
};
