/* project_kit.c - templates of the projet d'établissement in a transfer kit
 * (the kit module carries the zip; this is the projet's part). A template is
 * matched by its stable code ("default" is written at start on every
 * instance, so two instances that never changed it merge as "same"); its
 * version is its revision (rev, raised by every edit). Imported: absent ->
 * created (at the importing node, with the kit's revision); same title and
 * sections -> same; other contents with a higher revision than here ->
 * updated (its sections replaced, rev set to the kit's); other contents
 * with a revision not above the local one -> skipped (edited here since);
 * a template owned outside the importer's subtree (the root's "default" for
 * an association's importer) is never changed: skipped. Exported: those
 * owned within the exported scope or above it.
 * Document: {"format": "jouda-project-template/1", "code", "title",
 * "sections": [{"key", "title_fr", "title_ar", "title_en", "guidance_fr",
 * "guidance_ar", "guidance_en"}]} (sections in their order). */
#include "project_internal.h"

#include <string.h>

#define TPL_FORMAT "jouda-project-template/1"

static const char *const sec_keys[] = {"title_fr",    "title_ar",    "title_en",
                                       "guidance_fr", "guidance_ar", "guidance_en"};

/* A stored template as its document; NULL on error. */
static json_t *template_doc(db_t *db, int64_t id, const char *code, const char *title)
{
    json_t *secs = db_query_json(db,
                                 "SELECT key, title_fr, title_ar, title_en, guidance_fr,"
                                 " guidance_ar, guidance_en FROM project_template_sections"
                                 " WHERE template_id = ? ORDER BY position, key",
                                 PARAMS(P_INT(id)));
    if (!secs)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:o}", "format", TPL_FORMAT, "code", code, "title", title,
                     "sections", secs);
}

static bool code_shape(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 60 || s[0] == '.')
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int prj_kit_export(db_t *db, arena_t *a, const char *scope, app_kit_items_t *out)
{
    /* owned within the scope, or above it (the root's "default") */
    json_t *rows = db_query_json(db,
                                 "SELECT id, code, title, rev FROM project_templates WHERE"
                                 " (node_path >= ? AND node_path < ?) OR ? LIKE (node_path || '%')"
                                 " ORDER BY code",
                                 PARAMS(P_TEXT(scope), P_TEXT(app_path_upper(a, scope)),
                                        P_TEXT(scope)));
    if (!rows)
        return DB_ERR;
    app_arena_json(a, rows);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *code = json_string_value(json_object_get(row, "code"));
        const char *title = json_string_value(json_object_get(row, "title"));
        if (!code_shape(code) || !title)
            continue;
        json_t *doc = template_doc(db, json_integer_value(json_object_get(row, "id")), code, title);
        if (!doc)
            return DB_ERR;
        app_arena_json(a, doc);
        app_kit_item_t *it = VEC_PUSH(a, out);
        it->type = "project_template";
        it->code = code;
        it->version = json_integer_value(json_object_get(row, "rev"));
        if (it->version < 1)
            it->version = 1;
        it->title = title;
        it->lang = "";
        it->doc = doc;
    }
    return DB_OK;
}

static bool text_ok(json_t *v, size_t max, bool required, bool multiline)
{
    if (!v)
        return !required;
    const char *s = json_string_value(v);
    if (!s || strlen(s) != json_string_length(v) || !utf8_valid(s, strlen(s)) ||
        utf8_count(s) > max || (required && str_empty(s)))
        return false;
    for (const char *c = s; *c; c++)
        if (((unsigned char)*c < 0x20 && !(multiline && (*c == '\n' || *c == '\t'))) || *c == 0x7f)
            return false;
    return true;
}

/* The document, checked: the sections (1 to 40, keys unique). */
static bool doc_valid(const app_kit_item_t *item)
{
    json_t *d = item->doc, *secs = json_object_get(d, "sections");
    if (!str_eq(json_string_value(json_object_get(d, "format")), TPL_FORMAT) ||
        !str_eq(json_string_value(json_object_get(d, "code")), item->code) ||
        !text_ok(json_object_get(d, "title"), 200, true, false) || !json_is_array(secs) ||
        json_array_size(secs) < 1 || json_array_size(secs) > PRJ_SECTIONS_MAX)
        return false;
    size_t i;
    json_t *s;
    json_array_foreach(secs, i, s) {
        const char *key = json_string_value(json_object_get(s, "key"));
        if (!json_is_object(s) || !key || !*key || strlen(key) > 40 ||
            strspn(key, "abcdefghijklmnopqrstuvwxyz_") != strlen(key) || str_eq(key, "keys"))
            return false;
        for (size_t k = 0; k < i; k++)
            if (str_eq(json_string_value(json_object_get(json_array_get(secs, k), "key")), key))
                return false;
        for (size_t k = 0; k < ARRAY_LEN(sec_keys); k++)
            if (!text_ok(json_object_get(s, sec_keys[k]), k < 3 ? 200 : 2000, k == 0, k >= 3))
                return false;
        const char *kk;
        json_t *vv;
        json_object_foreach(s, kk, vv) {
            if (!str_eq(kk, "key") && !str_in(sec_keys, kk))
                return false;
        }
    }
    return true;
}

/* The document as it is compared and stored: missing texts are "". */
static const char *sec_text(json_t *s, const char *key)
{
    const char *t = json_string_value(json_object_get(s, key));
    return t ? t : "";
}

static bool write_sections(db_t *db, int64_t id, json_t *secs)
{
    if (db_exec(db, "DELETE FROM project_template_sections WHERE template_id = ?",
                PARAMS(P_INT(id))) != DB_OK)
        return false;
    size_t i;
    json_t *s;
    json_array_foreach(secs, i, s) {
        if (db_exec(db,
                    "INSERT INTO project_template_sections (template_id, key, position, title_fr,"
                    " title_ar, title_en, guidance_fr, guidance_ar, guidance_en) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    PARAMS(P_INT(id), P_TEXT(sec_text(s, "key")), P_INT((int64_t)i + 1),
                           P_TEXT(sec_text(s, "title_fr")), P_TEXT(sec_text(s, "title_ar")),
                           P_TEXT(sec_text(s, "title_en")), P_TEXT(sec_text(s, "guidance_fr")),
                           P_TEXT(sec_text(s, "guidance_ar")),
                           P_TEXT(sec_text(s, "guidance_en")))) != DB_OK)
            return false;
    }
    return true;
}

/* The kit's document in the stored form (every text present). */
static json_t *normalised(const app_kit_item_t *item)
{
    json_t *secs = json_array(), *s;
    size_t i;
    json_array_foreach(json_object_get(item->doc, "sections"), i, s) {
        json_t *o = json_pack("{s:s}", "key", sec_text(s, "key"));
        for (size_t k = 0; k < ARRAY_LEN(sec_keys); k++)
            json_object_set_new(o, sec_keys[k], json_string(sec_text(s, sec_keys[k])));
        json_array_append_new(secs, o);
    }
    return json_pack("{s:s, s:s, s:s, s:o}", "format", TPL_FORMAT, "code", item->code, "title",
                     json_string_value(json_object_get(item->doc, "title")), "sections", secs);
}

static int prj_kit_import(app_kit_ctx_t *ctx, const app_kit_item_t *item, app_kit_verdict_t *v)
{
    memset(v, 0, sizeof *v);
    if (!doc_valid(item)) {
        v->action = KIT_INVALID;
        v->msgid = N_("This template's document is not valid.");
        return DB_OK;
    }
    db_t *db = ctx->db;
    json_t *here = db_query_row_json(db,
                                     "SELECT id, title, rev, node_id, node_path FROM project_templates"
                                     " WHERE code = ?",
                                     PARAMS(P_TEXT(item->code)));
    json_t *theirs = normalised(item);
    json_t *secs = json_object_get(theirs, "sections");
    const char *title = json_string_value(json_object_get(theirs, "title"));
    int rc = DB_OK;
    if (!here) {
        v->action = KIT_CREATE;
        if (ctx->apply) {
            int64_t now = now_utc();
            db_res_t *res = db_query(db,
                                     "INSERT INTO project_templates (code, node_id, node_path, title,"
                                     " builtin, rev, created_at, updated_at) VALUES (?, ?, ?, ?, 0,"
                                     " ?, ?, ?) RETURNING id",
                                     PARAMS(P_TEXT(item->code), P_INT(ctx->node_id),
                                            P_TEXT(ctx->node_path), P_TEXT(title),
                                            P_INT(item->version), P_INT(now), P_INT(now)));
            v->id = res && db_next(res) ? db_int(res, 0) : 0;
            db_res_free(res);
            json_t *ch = json_pack("{s:{s:n,s:s},s:{s:n,s:s}}", "code", "from", "to", item->code,
                                   "title", "from", "to", title);
            rc = v->id > 0 && write_sections(db, v->id, secs) &&
                         audit_write(db, ctx->actor, "import", "project_template", v->id,
                                     ctx->node_id, ch, ctx->ip) == DB_OK
                     ? DB_OK
                     : DB_ERR;
            json_decref(ch);
        }
        json_decref(theirs);
        return rc;
    }
    int64_t id = json_integer_value(json_object_get(here, "id"));
    int64_t rev = json_integer_value(json_object_get(here, "rev"));
    json_t *mine = template_doc(db, id, item->code, json_string_value(json_object_get(here, "title")));
    if (!mine) {
        json_decref(here);
        json_decref(theirs);
        return DB_ERR;
    }
    /* owned outside the importer's subtree (the root's built-in "default"
     * imported at an association, another association's template): kept */
    const char *owner = json_string_value(json_object_get(here, "node_path"));
    bool outside = !owner || !ctx->node_path ||
                   strncmp(owner, ctx->node_path, strlen(ctx->node_path)) != 0;
    if (json_equal(mine, theirs)) {
        v->action = KIT_SAME;
    } else if (outside) {
        v->action = KIT_SKIP;
        v->msgid = N_("Kept as it is: it belongs to another association or to the national "
                      "library.");
    } else if (item->version > rev) {
        v->action = KIT_UPDATE;
        v->id = id;
        if (ctx->apply) {
            json_t *ch = json_pack("{s:{s:s,s:s},s:{s:I,s:I}}", "title", "from",
                                   json_string_value(json_object_get(here, "title")), "to", title,
                                   "version", "from", (json_int_t)rev, "to",
                                   (json_int_t)item->version);
            rc = db_exec(db,
                         "UPDATE project_templates SET title = ?, rev = ?, updated_at = ?"
                         " WHERE id = ? AND rev = ?",
                         PARAMS(P_TEXT(title), P_INT(item->version), P_INT(now_utc()), P_INT(id),
                                P_INT(rev))) == DB_OK &&
                         db_changes(db) == 1 && write_sections(db, id, secs) &&
                         audit_write(db, ctx->actor, "import", "project_template", id,
                                     json_integer_value(json_object_get(here, "node_id")), ch, ctx->ip) == DB_OK
                     ? DB_OK
                     : DB_ERR;
            json_decref(ch);
        }
    } else {
        v->action = KIT_SKIP;
        v->msgid = N_("This template was changed here since the kit's version: it is kept as it is.");
    }
    json_decref(mine);
    json_decref(here);
    json_decref(theirs);
    return rc;
}

const app_kit_part_t prj_kit_part = {
    .type = "project_template",
    .label = N_("Templates of the projet d'établissement"),
    .export = prj_kit_export,
    .import = prj_kit_import,
};
