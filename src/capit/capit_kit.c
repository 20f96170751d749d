/* capit_kit.c - capitalisation sheets in transfer kits. Export: every
 * published sheet (the latest published version of each code) as one JSON
 * document "jouda-sheet/1" (those placed within the exported scope or
 * above it) - its texts, indicators, criteria by their
 * référentiel's and criterion's codes, documents by code, the
 * establishment and the authors as names (no account, no e-mail, no id of
 * this instance) - and its files. Import: matched by (code, version):
 * absent, created as published at the importer's node (the root or an
 * association: the national library) keeping the producer's establishment
 * as text; here with the same contents, nothing; here with other contents,
 * kept as it is (a published version does not change); a new version of a
 * code placed outside the importer's subtree, kept as it is too (and a new
 * version supersedes the older ones of the importer's subtree only). */
#include "capit_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../attach/attach.h"

#define CAP_KIT_FORMAT "jouda-sheet/1"

static const char *sha_hex(arena_t *a, const unsigned char *data, size_t len)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, data, len);
    char *hex = arena_alloc(a, sizeof d * 2 + 1);
    sodium_bin2hex(hex, sizeof d * 2 + 1, d, sizeof d);
    return hex;
}

/* The exchange document of a stored sheet, and its files (names made for
 * the kit) when files is given. */
static json_t *sheet_doc(db_t *db, arena_t *a, const sheet_t *s, app_kit_file_t **files,
                         size_t *n_files)
{
    const char *eps = s->eps_id > 0 ? nodes_label(db, a, "fr", s->eps_id) : s->eps_name;
    const char *authors = s->authors_text;
    if (!s->imported) {
        json_t *au = cap_authors_of(db, s->id);
        buf_t b;
        buf_init(&b);
        size_t i;
        json_t *v;
        json_array_foreach(au, i, v)
            buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(json_object_get(v, "name")));
        authors = arena_strdup(a, b.data ? b.data : "");
        buf_free(&b);
        json_decref(au);
    }
    char day[11] = "";
    if (s->published_at > 0)
        iso_day_local(s->published_at, day);
    json_t *d = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "format",
                          CAP_KIT_FORMAT, "code", s->code, "version", (json_int_t)s->version,
                          "title", s->title, "theme", s->theme, "lang", s->lang, "establishment",
                          eps ? eps : "", "authors", authors ? authors : "", "contributors",
                          s->contributors, "published_on", day);
    for (int i = 0; i < CAP_NTEXT; i++)
        json_object_set_new(d, cap_text_fields[i], json_string(s->text[i]));
    json_object_set_new(d, "indicators", cap_indicators_json(s));
    json_object_set_new(d, "criteria", cap_criteria_of(db, s->id));
    json_object_set_new(d, "documents", cap_documents_of(db, s->id));
    size_t nf = 0;
    cap_file_t *cf = cap_files(db, a, s->id, &nf);
    json_t *fl = json_array();
    if (files) {
        *files = nf ? arena_alloc(a, nf * sizeof **files) : NULL;
        *n_files = nf;
    }
    for (size_t i = 0; i < nf; i++) {
        char name[128];
        cap_kit_filename(cf[i].filename, (int)i + 1, name, sizeof name);
        json_array_append_new(fl, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "filename",
                                            cf[i].filename, "type", cf[i].content_type, "sha256",
                                            sha_hex(a, cf[i].data, cf[i].len)));
        if (files) {
            (*files)[i].name = arena_strdup(a, name);
            (*files)[i].data = cf[i].data;
            (*files)[i].len = cf[i].len;
        }
    }
    json_object_set_new(d, "files", fl);
    return d;
}

int cap_kit_export(db_t *db, arena_t *a, const char *scope, app_kit_items_t *out)
{
    /* placed within the scope, or above it (the national library's, the
     * association's) */
    db_res_t *res = db_query(db,
                             "SELECT " CAP_COLS " FROM sheets s WHERE s.status = 'published'"
                             " AND ((s.node_path >= ? AND s.node_path < ?) OR"
                             " ? LIKE (s.node_path || '%')) ORDER BY s.code, s.version",
                             PARAMS(P_TEXT(scope), P_TEXT(app_path_upper(a, scope)),
                                    P_TEXT(scope)));
    if (!res)
        return DB_ERR;
    VEC(sheet_t) rows = {0};
    while (db_next(res))
        cap_from_row(a, res, VEC_PUSH(a, &rows), true);
    int st = db_res_status(res);
    db_res_free(res);
    for (size_t i = 0; st == DB_OK && i < rows.n; i++) {
        const sheet_t *s = &rows.v[i];
        app_kit_item_t *it = VEC_PUSH(a, out);
        memset(it, 0, sizeof *it);
        it->type = "sheet";
        it->code = s->code;
        it->version = s->version;
        it->title = s->title;
        it->lang = s->lang;
        it->doc = app_arena_json(a, sheet_doc(db, a, s, &it->files, &it->n_files));
    }
    return st;
}

/* --- import ----------------------------------------------------------------- */

static const char *str_field(json_t *d, const char *k, size_t max, bool required, bool *bad)
{
    json_t *v = json_object_get(d, k);
    if (!v || json_is_null(v)) {
        if (required)
            *bad = true;
        return "";
    }
    if (!json_is_string(v) || utf8_count(json_string_value(v)) > max ||
        (required && !*json_string_value(v))) {
        *bad = true;
        return "";
    }
    return json_string_value(v);
}

/* Read an item's document into in and place; false when it is not valid. */
static bool doc_read(const app_kit_item_t *item, arena_t *a, cap_input_t *in, cap_place_t *p)
{
    json_t *d = item->doc;
    if (!json_is_object(d) || !str_eq(json_string_value(json_object_get(d, "format")), CAP_KIT_FORMAT))
        return false;
    bool bad = false;
    const char *code = str_field(d, "code", CAP_CODE_MAX, true, &bad);
    json_t *jv = json_object_get(d, "version");
    if (bad || !cap_code_valid(code) || !str_eq(code, item->code) || !json_is_integer(jv) ||
        json_integer_value(jv) < 1 || json_integer_value(jv) != item->version)
        return false;
    memset(in, 0, sizeof *in);
    in->title = str_field(d, "title", CAP_TITLE_MAX, true, &bad);
    in->theme = str_field(d, "theme", 40, true, &bad);
    in->lang = str_field(d, "lang", 2, true, &bad);
    in->contributors = str_field(d, "contributors", CAP_CONTRIB_MAX, false, &bad);
    for (int i = 0; i < CAP_NTEXT; i++)
        in->text[i] = str_field(d, cap_text_fields[i], CAP_TEXT_MAX,
                                i == CAP_T_CONTEXT || i == CAP_T_LESSONS, &bad);
    const char *eps = str_field(d, "establishment", 300, false, &bad);
    const char *authors = str_field(d, "authors", CAP_CONTRIB_MAX, false, &bad);
    if (bad || !cap_theme_valid(in->theme) || !str_in(cap_langs, in->lang) ||
        str_has_control(in->title))
        return false;
    json_t *ind = json_object_get(d, "indicators");
    if (ind && !json_is_null(ind)) {
        if (!json_is_array(ind) || json_array_size(ind) > CAP_IND_MAX)
            return false;
        size_t i;
        json_t *o;
        json_array_foreach(ind, i, o) {
            bool b = false;
            in->ind[i].label = str_field(o, "label", CAP_IND_LABEL_MAX, true, &b);
            in->ind[i].value = str_field(o, "value", CAP_IND_VALUE_MAX, false, &b);
            in->ind[i].unit = str_field(o, "unit", CAP_IND_UNIT_MAX, false, &b);
            if (b || !json_is_object(o))
                return false;
        }
        in->n_ind = json_array_size(ind);
    }
    in->has_indicators = true;
    json_t *crit = json_object_get(d, "criteria");
    in->has_criteria = true;
    if (crit && !json_is_null(crit)) {
        if (!json_is_array(crit) || json_array_size(crit) > CAP_CRITERIA_MAX)
            return false;
        size_t i;
        json_t *o;
        json_array_foreach(crit, i, o) {
            bool b = false;
            in->crit[i].ref = str_field(o, "referentiel", 60, true, &b);
            in->crit[i].crit = str_field(o, "criterion", 60, true, &b);
            if (b || str_has_control(in->crit[i].ref) || str_has_control(in->crit[i].crit))
                return false;
        }
        in->n_crit = json_array_size(crit);
    }
    json_t *docs = json_object_get(d, "documents");
    in->has_documents = true;
    if (docs && !json_is_null(docs)) {
        if (!json_is_array(docs) || json_array_size(docs) > CAP_DOCUMENTS_MAX)
            return false;
        size_t i;
        json_t *o;
        json_array_foreach(docs, i, o) {
            char *c = json_is_string(o) ? arena_strdup(a, json_string_value(o)) : NULL;
            if (!c || !cap_doc_code_valid(c))
                return false;
            in->docs[in->n_docs++] = c;
        }
    }
    memset(p, 0, sizeof *p);
    p->code = code;
    p->version = item->version;
    p->eps_name = eps;
    p->authors_text = authors;
    p->imported = true;
    p->status = CAP_PUBLISHED;
    return true;
}

/* The files the document names, found among the item's files. */
static bool doc_files(const app_kit_item_t *item, json_t *list, const app_kit_file_t **found)
{
    if (list && !json_is_null(list) && !json_is_array(list))
        return false;
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *fname = json_string_value(json_object_get(o, "filename"));
        if (!name || !fname || i >= 50)
            return false;
        found[i] = NULL;
        for (size_t k = 0; k < item->n_files; k++)
            if (str_eq(item->files[k].name, name))
                found[i] = &item->files[k];
        /* checked as an upload would be, before anything is written */
        char clean[ATTACH_NAME_MAX * 4 + 8];
        if (!found[i] || found[i]->len == 0 || found[i]->len > ATTACH_MAX_BYTES ||
            attach_filename_clean(fname, clean, sizeof clean) != 0 ||
            !attach_sniff((const char *)found[i]->data, found[i]->len, clean))
            return false;
    }
    return true;
}

static json_t *comparable(json_t *doc)
{
    json_t *c = json_deep_copy(doc);
    json_object_del(c, "published_on");
    return c;
}

int cap_kit_import(app_kit_ctx_t *ctx, const app_kit_item_t *item, app_kit_verdict_t *v)
{
    memset(v, 0, sizeof *v);
    cap_input_t *in = arena_alloc(ctx->a, sizeof *in);
    cap_place_t p;
    const app_kit_file_t *found[50];
    json_t *flist = json_object_get(item->doc, "files");
    if (!doc_read(item, ctx->a, in, &p) || !doc_files(item, flist, found)) {
        v->action = KIT_INVALID;
        v->msgid = N_("This capitalisation sheet is not valid: it cannot be imported.");
        return DB_OK;
    }
    sheet_t here;
    int64_t id = db_query_int(ctx->db, "SELECT id FROM sheets WHERE code = ? AND version = ?",
                              PARAMS(P_TEXT(p.code), P_INT(p.version)), 0);
    if (id > 0) {
        if (cap_load(ctx->db, ctx->a, id, &here) != 0)
            return DB_ERR;
        if (!cap_is_public(here.status)) {
            v->action = KIT_SKIP;
            v->msgid = N_("This version of the sheet is being written here: it is kept as it is.");
            return DB_OK;
        }
        json_t *mine = sheet_doc(ctx->db, ctx->a, &here, NULL, NULL);
        json_t *a = comparable(mine), *b = comparable(item->doc);
        bool same = json_equal(a, b);
        json_decref(a);
        json_decref(b);
        json_decref(mine);
        v->action = same ? KIT_SAME : KIT_SKIP;
        v->msgid = same ? NULL
                        : N_("This version of the sheet is here with other contents: a published "
                             "version does not change.");
        return DB_OK;
    }
    /* a version of the code placed outside the importer's subtree (another
     * association's sheet, the national library's for an association's
     * importer): not theirs to add to */
    int64_t elsewhere = db_query_int(ctx->db,
                                     "SELECT COUNT(*) FROM sheets WHERE code = ? AND NOT"
                                     " (node_path >= ? AND node_path < ?)",
                                     PARAMS(P_TEXT(p.code), P_TEXT(ctx->node_path),
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
    p.node_id = ctx->node_id;
    p.node_path = ctx->node_path;
    cap_ctx_t c = {ctx->db, ctx->a, ctx->actor, ctx->ip};
    bool mine;
    if (!app_tx_begin(ctx->db, &mine))
        return DB_ERR;
    int64_t nid = 0;
    bool ok = cap_create(&c, &p, in, &nid) == RES_OK;
    /* the day it was published where it was written */
    const char *day = json_string_value(json_object_get(item->doc, "published_on"));
    if (ok && day && iso_day_valid(day))
        ok = db_exec(ctx->db, "UPDATE sheets SET published_at = ? WHERE id = ?",
                     PARAMS(P_INT(iso_day_number(day) * 86400 + 12 * 3600), P_INT(nid))) == DB_OK;
    size_t i;
    json_t *o;
    json_array_foreach(flist, i, o) {
        if (!ok)
            break;
        http_file_t hf = {.field = "file",
                          .filename = json_string_value(json_object_get(o, "filename")),
                          .content_type = json_string_value(json_object_get(o, "type")),
                          .data = (const char *)found[i]->data, .len = found[i]->len};
        int64_t att = 0;
        const char *err = NULL;
        ok = attach_store(ctx->db, ctx->node_id, "sheet", nid, &hf, ctx->actor, ctx->ip, &att,
                          &err) == RES_OK;
    }
    if (app_tx_end(ctx->db, mine, ok) != DB_OK || !ok)
        return DB_ERR;
    v->id = nid;
    return DB_OK;
}
