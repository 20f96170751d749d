/* library_kit.c - the document library's part of a transfer kit: every
 * approved document's approved version within the exported scope (or
 * above it: the national and the association's documents), as a JSON document
 * ("jouda-document/1": code, version, kind, titles, summary, criteria by
 * their codes, the file's name, type, size and SHA-256; never an owner, an
 * account or an e-mail address) and the file's bytes beside it. Imported,
 * an item is matched by (code, version): an unknown code is created,
 * approved, where the importer says (the root or an association); the same
 * version with the same contents is left alone; a newer version of a known
 * code is added as its new approved version; anything else is kept as it
 * is, and so is a code placed outside the importer's subtree (another
 * association's document, or the national library's for an association's
 * importer): codes are unique in the instance. Files go through the attach
 * module's checks like any upload. */
#include "library_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define LIB_KIT_FORMAT "jouda-document/1"

/* The file's name in the kit: "<code>-v<version>.<ext>". */
static const char *kit_file_name(arena_t *a, const char *code, int64_t version,
                                 const char *filename)
{
    char ext[12] = "bin";
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    if (dot && strlen(dot + 1) >= 1 && strlen(dot + 1) <= 8) {
        size_t k = 0;
        bool ok = true;
        for (const char *c = dot + 1; *c; c++) {
            char ch = *c >= 'A' && *c <= 'Z' ? (char)(*c - 'A' + 'a') : *c;
            ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'));
            ext[k++] = ch;
        }
        ext[k] = '\0';
        if (!ok)
            strcpy(ext, "bin");
    }
    return arena_printf(a, "%s-v%lld.%s", code, (long long)version, ext);
}

/* Is path within the subtree of scope ("/1/4/9/" within "/1/4/")? */
static bool path_within(const char *path, const char *scope)
{
    return path && scope && strncmp(path, scope, strlen(scope)) == 0;
}

static int lib_kit_export(db_t *db, arena_t *a, const char *scope, app_kit_items_t *out)
{
    /* placed within the scope, or above it (the root's, the association's) */
    db_res_t *res = db_query(db,
                             "SELECT " LIB_COLS " FROM documents d WHERE d.status = 'approved'"
                             " AND d.approved_version >= 1 AND ((d.node_path >= ? AND"
                             " d.node_path < ?) OR ? LIKE (d.node_path || '%')) ORDER BY d.code",
                             PARAMS(P_TEXT(scope), P_TEXT(app_path_upper(a, scope)),
                                    P_TEXT(scope)));
    if (!res)
        return DB_ERR;
    size_t n = 0, cap = 0;
    lib_doc_t *docs = NULL;
    while (db_next(res)) {
        lib_doc_t *d = vec_grow(a, (void **)&docs, &n, &cap, sizeof *docs);
        lib_from_row(a, res, 0, d);
    }
    int rc = db_res_status(res);
    db_res_free(res);
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        const lib_doc_t *d = &docs[i];
        lib_version_t v;
        attach_file_t f;
        if (lib_version_load(db, a, d->id, d->approved_version, &v) != 0 ||
            attach_read(db, a, v.attachment_id, true, &f) != 0)
            continue; /* a version without its file: nothing to carry */
        size_t nc = 0;
        lib_crit_t *c = lib_criteria(db, a, d->id, &nc);
        json_t *crit = json_array();
        for (size_t k = 0; k < nc; k++)
            json_array_append_new(crit, json_pack("{s:s, s:s}", "ref", c[k].ref, "code", c[k].code));
        json_t *doc = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s, s:I, s:s}}",
                                "format", LIB_KIT_FORMAT, "code", d->code, "version",
                                (json_int_t)d->approved_version, "kind", d->kind, "title_fr",
                                d->title_fr, "title_ar", d->title_ar, "summary", d->summary,
                                "criteria", crit, "file", "name", f.filename, "type",
                                f.content_type, "size", (json_int_t)f.len, "sha256", v.sha256);
        app_arena_json(a, doc); /* the item's document lives as long as the kit */
        app_kit_item_t *it = vec_grow(a, (void **)&out->v, &out->n, &out->cap, sizeof *out->v);
        it->type = "document";
        it->code = d->code;
        it->version = d->approved_version;
        it->title = *d->title_fr ? d->title_fr : d->title_ar;
        it->lang = *d->title_fr && *d->title_ar ? "" : *d->title_fr ? "fr" : "ar";
        it->doc = doc;
        it->files = arena_alloc(a, sizeof *it->files);
        it->files[0].name = kit_file_name(a, d->code, d->approved_version, f.filename);
        it->files[0].data = f.data;
        it->files[0].len = f.len;
        it->n_files = 1;
    }
    return rc;
}

/* --- import ---------------------------------------------------------------------- */

typedef struct {
    const char *code, *kind, *title_fr, *title_ar, *summary, *filename, *sha256;
    int64_t version;
    lib_crit_t *criteria;
    size_t n_criteria;
    const app_kit_file_t *file;
} kit_doc_t;

static bool text_ok(const char *s, size_t max, bool multiline)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (!utf8_valid(s, n) || utf8_count(s) > max)
        return false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if ((*c < 0x20 && !(multiline && (*c == '\n' || *c == '\t'))) || *c == 0x7f)
            return false;
    return true;
}

static const char *str_member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Read and check an item: NULL, or the msgid of what is wrong. */
static const char *kit_read(arena_t *a, const app_kit_item_t *item, kit_doc_t *k)
{
    memset(k, 0, sizeof *k);
    const char *bad = N_("This document of the kit is not valid.");
    json_t *doc = item->doc;
    if (!json_is_object(doc) || !str_eq(str_member(doc, "format"), LIB_KIT_FORMAT))
        return bad;
    k->code = str_member(doc, "code");
    json_t *ver = json_object_get(doc, "version");
    k->version = json_is_integer(ver) ? json_integer_value(ver) : 0;
    if (!lib_code_valid(k->code) || !str_eq(k->code, item->code) || k->version < 1 ||
        k->version != item->version || k->version > 100000)
        return bad;
    k->kind = str_member(doc, "kind");
    if (!k->kind || !str_in(lib_kinds, k->kind))
        return bad;
    k->title_fr = str_member(doc, "title_fr");
    k->title_ar = str_member(doc, "title_ar");
    k->summary = str_member(doc, "summary");
    if (!k->title_fr)
        k->title_fr = "";
    if (!k->title_ar)
        k->title_ar = "";
    if (!k->summary)
        k->summary = "";
    if (!text_ok(k->title_fr, LIB_TITLE_MAX, false) || !text_ok(k->title_ar, LIB_TITLE_MAX, false) ||
        !text_ok(k->summary, LIB_SUMMARY_MAX, true) || (!*k->title_fr && !*k->title_ar))
        return bad;
    json_t *crit = json_object_get(doc, "criteria");
    if (crit && !json_is_null(crit)) {
        if (!json_is_array(crit) || json_array_size(crit) > LIB_CRITERIA_MAX)
            return bad;
        k->criteria = arena_alloc(a, (json_array_size(crit) + 1) * sizeof *k->criteria);
        size_t i;
        json_t *o;
        json_array_foreach(crit, i, o) {
            const char *ref = str_member(o, "ref"), *code = str_member(o, "code");
            if (!text_ok(ref, 60, false) || !text_ok(code, 60, false) || !*ref || !*code)
                return bad;
            k->criteria[k->n_criteria].ref = ref;
            k->criteria[k->n_criteria].code = code;
            k->n_criteria++;
        }
    }
    json_t *file = json_object_get(doc, "file");
    k->filename = str_member(file, "name");
    k->sha256 = str_member(file, "sha256");
    if (item->n_files != 1 || !item->files || !k->filename)
        return N_("This document of the kit has no file, or more than one.");
    k->file = &item->files[0];
    if (k->file->len == 0 || k->file->len > ATTACH_MAX_BYTES)
        return N_("The file of this document is empty or too large: 8 MB at most.");
    char clean[ATTACH_NAME_MAX * 4 + 1];
    if (attach_filename_clean(k->filename, clean, sizeof clean) != 0)
        return N_("The file name is not valid.");
    k->filename = arena_strdup(a, clean);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, k->file->data, k->file->len);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (k->sha256 && !str_eq(k->sha256, hex))
        return N_("The file of this document does not match its checksum.");
    k->sha256 = arena_strdup(a, hex);
    attach_verdict_t why;
    if (!attach_inspect((const char *)k->file->data, k->file->len, k->filename, &why))
        return attach_verdict_msgid(why);
    return NULL;
}

static bool same_criteria(db_t *db, arena_t *a, int64_t doc_id, const kit_doc_t *k)
{
    size_t n = 0;
    lib_crit_t *c = lib_criteria(db, a, doc_id, &n);
    size_t distinct = 0;
    for (size_t i = 0; i < k->n_criteria; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = str_eq(k->criteria[i].ref, k->criteria[j].ref) &&
                  str_eq(k->criteria[i].code, k->criteria[j].code);
        if (dup)
            continue;
        distinct++;
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = str_eq(c[j].ref, k->criteria[i].ref) && str_eq(c[j].code, k->criteria[i].code);
        if (!found)
            return false;
    }
    return distinct == n;
}

static http_file_t as_upload(const kit_doc_t *k)
{
    http_file_t f;
    memset(&f, 0, sizeof f);
    f.field = "file";
    f.filename = k->filename;
    f.data = (const char *)k->file->data;
    f.len = k->file->len;
    return f;
}

static void fill_input(const kit_doc_t *k, lib_input_t *in)
{
    memset(in, 0, sizeof *in);
    in->code = k->code;
    in->kind = k->kind;
    in->title_fr = k->title_fr;
    in->title_ar = k->title_ar;
    in->summary = k->summary;
    in->criteria = k->criteria;
    in->n_criteria = k->n_criteria;
    in->has_kind = in->has_title_fr = in->has_title_ar = in->has_summary = in->has_criteria = true;
}

static int lib_kit_import(app_kit_ctx_t *ctx, const app_kit_item_t *item, app_kit_verdict_t *v)
{
    memset(v, 0, sizeof *v);
    kit_doc_t k;
    const char *why = kit_read(ctx->a, item, &k);
    if (why) {
        v->action = KIT_INVALID;
        v->msgid = why;
        return DB_OK;
    }
    lib_doc_t d;
    if (lib_load_code(ctx->db, ctx->a, k.code, &d) != 0) {
        v->action = KIT_CREATE;
        if (!ctx->apply)
            return DB_OK;
        lib_input_t in;
        fill_input(&k, &in);
        int64_t id = 0;
        if (lib_create(ctx->db, ctx->a, ctx->actor, ctx->ip, ctx->node_id, ctx->node_path, &in,
                       &id) != RES_OK ||
            lib_load(ctx->db, ctx->a, id, &d) != 0)
            return DB_ERR;
        http_file_t f = as_upload(&k);
        const char *msgid = NULL;
        res_t rc = lib_add_version(ctx->db, ctx->a, ctx->actor, ctx->ip, &d, &f, "", k.version,
                                   true, 0, NULL, &msgid);
        if (rc != RES_OK)
            return DB_ERR;
        v->id = id;
        return DB_OK;
    }
    /* the code is another association's, or the national library's: the
     * importer's kit changes nothing there (the same version, the same
     * contents: nothing to do either way) */
    bool theirs = !path_within(d.node_path, ctx->node_path);
    lib_version_t have;
    if (lib_version_load(ctx->db, ctx->a, d.id, k.version, &have) == 0) {
        bool same_meta = str_eq(d.kind, k.kind) && str_eq(d.title_fr, k.title_fr) &&
                         str_eq(d.title_ar, k.title_ar) && str_eq(d.summary, k.summary) &&
                         same_criteria(ctx->db, ctx->a, d.id, &k);
        if (str_eq(have.sha256, k.sha256) && (k.version != d.approved_version || same_meta)) {
            v->action = KIT_SAME;
            v->id = d.id;
        } else {
            v->action = KIT_SKIP;
            v->msgid = theirs ? N_("Kept as it is: it belongs to another association or to the "
                                   "national library.")
                              : N_("This version of the document is here with other contents: "
                                   "it is kept as it is.");
        }
        return DB_OK;
    }
    if (theirs) {
        v->action = KIT_SKIP;
        v->msgid = N_("Kept as it is: it belongs to another association or to the national "
                      "library.");
        return DB_OK;
    }
    if (k.version < d.version) {
        v->action = KIT_SKIP;
        v->msgid = N_("A newer version of this document is here already.");
        return DB_OK;
    }
    if (d.status == LIB_ARCHIVED) {
        v->action = KIT_SKIP;
        v->msgid = N_("This document is archived here: it is kept as it is.");
        return DB_OK;
    }
    v->action = KIT_UPDATE;
    v->id = d.id;
    if (!ctx->apply)
        return DB_OK;
    lib_input_t in;
    fill_input(&k, &in);
    if (lib_update(ctx->db, ctx->a, ctx->actor, ctx->ip, &d, &in, 0) != RES_OK ||
        lib_load(ctx->db, ctx->a, d.id, &d) != 0)
        return DB_ERR;
    http_file_t f = as_upload(&k);
    const char *msgid = NULL;
    return lib_add_version(ctx->db, ctx->a, ctx->actor, ctx->ip, &d, &f, "", k.version, true, 0,
                           NULL, &msgid) == RES_OK
               ? DB_OK
               : DB_ERR;
}

const app_kit_part_t lib_kit_parts[] = {
    {"document", N_("Documents"), lib_kit_export, lib_kit_import},
};
const size_t lib_n_kit_parts = ARRAY_LEN(lib_kit_parts);
