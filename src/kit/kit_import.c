/* kit_import.c - importing a kit: read and checked whole first
 * (kit_read.c), trusted or accepted unsigned, then every item handed to the
 * part of its type, référentiels first (the parts in module order), in one
 * transaction with the import's audit row and its line in the history
 * (all or nothing). A dry run asks the parts the same question without
 * writing anything. Items are matched by (type, code, version) by the
 * parts: importing a kit twice creates nothing the second time. */
#include "kit_internal.h"

#include <string.h>

#include "../audit/audit.h"
#include "../nodes/nodes.h"

static const char *const action_codes[] = {"create", "update", "same", "skip", "invalid"};

static const char *tr(req_t *r, const char *msgid)
{
    return r ? T(r, msgid) : msgid;
}

static const char *fill(req_t *r, arena_t *a, const char *msgid, const char *arg)
{
    const char *t = tr(r, msgid);
    if (!strstr(t, "%s"))
        return arena_strdup(a, t);
    const char *args[] = {arg ? arg : ""};
    return text_fill_strings(a, t, args, 1);
}

int64_t kit_target_node(db_t *db, arena_t *a, int64_t node_id, const char **path)
{
    if (node_id <= 0)
        node_id = nodes_root_id(db);
    node_t n;
    if (node_id <= 0 || nodes_load(db, a, node_id, &n) != 0 ||
        (n.kind != NODE_ROOT && n.kind != NODE_ASSOCIATION) || !n.active)
        return 0;
    *path = n.path;
    return n.id;
}

/* The kit's own item as a part sees it. */
static void to_part_item(arena_t *a, const kit_ritem_t *in, app_kit_item_t *out)
{
    memset(out, 0, sizeof *out);
    out->type = in->type;
    out->code = in->code;
    out->version = in->version;
    out->title = in->title;
    out->lang = in->lang;
    out->doc = in->doc;
    out->n_files = in->n_files;
    out->files = arena_alloc(a, (in->n_files + 1) * sizeof *out->files);
    for (size_t k = 0; k < in->n_files; k++)
        out->files[k] = (app_kit_file_t){in->files[k].name, in->files[k].data, in->files[k].len};
}

typedef struct {
    req_t *r;
    arena_t *a;
    json_t *items;
    int64_t counts[5];
} run_t;

static int import_one(run_t *run, app_kit_ctx_t *ctx, const app_kit_part_t *part,
                      const kit_ritem_t *it)
{
    app_kit_verdict_t v = {KIT_INVALID, N_("This instance does not know items of this kind."),
                           NULL, 0};
    if (part) {
        app_kit_item_t item;
        to_part_item(run->a, it, &item);
        memset(&v, 0, sizeof v);
        int rc = part->import(ctx, &item, &v);
        if (rc != DB_OK)
            return rc;
        if ((unsigned)v.action > KIT_INVALID)
            v.action = KIT_INVALID;
    }
    run->counts[v.action]++;
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(it->type));
    json_object_set_new(o, "type_label", json_string(part ? tr(run->r, part->label) : it->type));
    json_object_set_new(o, "code", json_string(it->code));
    json_object_set_new(o, "version", json_integer(it->version));
    json_object_set_new(o, "title", json_string(it->title));
    json_object_set_new(o, "lang", json_string(it->lang));
    json_object_set_new(o, "action", json_string(action_codes[v.action]));
    json_object_set_new(o, "message",
                        v.msgid ? json_string(fill(run->r, run->a, v.msgid, v.arg)) : json_null());
    if (v.id > 0)
        json_object_set_new(o, "id", json_integer(v.id));
    json_array_append_new(run->items, o);
    return DB_OK;
}

/* Every item: the parts in module order (référentiels before what links to
 * them), each with its items in the kit's order; unknown types last. */
static int import_all(run_t *run, app_kit_ctx_t *ctx, const kit_read_t *k)
{
    bool *done = arena_alloc(run->a, (k->n_items + 1) * sizeof *done);
    for (size_t p = 0; p < app_kit_part_count(); p++) {
        const app_kit_part_t *part = app_kit_part_at(p);
        for (size_t i = 0; i < k->n_items; i++) {
            if (done[i] || !str_eq(k->items[i].type, part->type))
                continue;
            done[i] = true;
            int rc = import_one(run, ctx, part, &k->items[i]);
            if (rc != DB_OK)
                return rc;
        }
    }
    for (size_t i = 0; i < k->n_items; i++)
        if (!done[i]) {
            int rc = import_one(run, ctx, NULL, &k->items[i]);
            if (rc != DB_OK)
                return rc;
        }
    return DB_OK;
}

static json_t *counts_json(const int64_t *c)
{
    json_t *o = json_object();
    for (int i = 0; i < 5; i++)
        json_object_set_new(o, action_codes[i], json_integer(c[i]));
    return o;
}

/* The history row (a new one, or the preview's) and the audit row. */
static bool record(db_t *db, const kit_read_t *k, const char *sha, bool key_known,
                   const char *key_name, const kit_opts_t *o, int64_t node, const int64_t *c,
                   int64_t history_id, int64_t *id_out)
{
    int64_t now = now_utc();
    int64_t id = history_id;
    if (id > 0) {
        if (db_exec(db,
                    "UPDATE kit_imports SET status = 'applied', signed = ?, key_known = ?,"
                    " public_key = ?, key_name = ?, n_create = ?, n_update = ?, n_same = ?,"
                    " n_skip = ?, n_invalid = ?, node_id = ?, applied_at = ?, data = NULL,"
                    " expires_at = NULL WHERE id = ? AND status = 'preview' AND zip_sha256 = ?",
                    PARAMS(P_INT(k->signed_ok), P_INT(key_known), P_TEXT(k->public_key),
                           P_TEXT(key_name), P_INT(c[0]), P_INT(c[1]), P_INT(c[2]), P_INT(c[3]),
                           P_INT(c[4]), P_INT(node), P_INT(now), P_INT(id), P_TEXT(sha))) != DB_OK ||
            db_changes(db) != 1)
            return false;
    } else {
        db_res_t *res = db_query(
            db,
            "INSERT INTO kit_imports (status, producer, kit_created_at, zip_sha256, signed,"
            " key_known, public_key, key_name, n_create, n_update, n_same, n_skip, n_invalid,"
            " node_id, user_id, created_at, applied_at) VALUES ('applied', ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            PARAMS(P_TEXT(k->producer), P_TEXT(k->created_at ? k->created_at : ""), P_TEXT(sha),
                   P_INT(k->signed_ok), P_INT(key_known), P_TEXT(k->public_key), P_TEXT(key_name),
                   P_INT(c[0]), P_INT(c[1]), P_INT(c[2]), P_INT(c[3]), P_INT(c[4]), P_INT(node),
                   o->actor ? P_INT(o->actor) : P_NULL, P_INT(now), P_INT(now)));
        id = res && db_next(res) ? db_int(res, 0) : 0;
        db_res_free(res);
        if (id <= 0)
            return false;
    }
    json_t *ch = json_pack("{s:{s:n,s:s},s:{s:n,s:b},s:{s:n,s:I},s:{s:n,s:I},s:{s:n,s:I},"
                           "s:{s:n,s:I},s:{s:n,s:I}}",
                           "producer", "from", "to", k->producer, "signed", "from", "to",
                           k->signed_ok && key_known, "created", "from", "to", (json_int_t)c[0],
                           "updated", "from", "to", (json_int_t)c[1], "same", "from", "to",
                           (json_int_t)c[2], "skipped", "from", "to", (json_int_t)c[3], "invalid",
                           "from", "to", (json_int_t)c[4]);
    bool ok = audit_write(db, o->actor, "import", "kit_import", id, node, ch, o->ip ? o->ip : "cli") ==
              DB_OK;
    json_decref(ch);
    *id_out = id;
    return ok;
}

res_t kit_import_at(req_t *r, db_t *db, arena_t *a, const void *zip, size_t len,
                    const kit_opts_t *o, int64_t history_id, json_t **report,
                    const char **err_msgid, const char **err_code)
{
    const char *code_dummy;
    if (!err_code)
        err_code = &code_dummy;
    *report = NULL;
    *err_msgid = NULL;
    *err_code = NULL;
    kit_read_t k;
    kit_error_t e;
    if (!kit_read(a, zip, len, &k, &e)) {
        *err_msgid = fill(r, a, e.msgid, e.arg);
        *err_code = e.code;
        return RES_INVALID;
    }
    char sha[65];
    kit_hex(k.sha256, sizeof k.sha256, sha);
    const char *key_name = NULL;
    bool key_known = k.signed_ok && kit_key_trusted(db, a, k.public_key, &key_name);
    json_t *warnings = json_array();
    if (!k.signed_ok || !key_known) {
        const char *why = !k.signed_ok
                              ? N_("This kit is not signed: nothing proves who made it or that it "
                                   "was not changed on the way.")
                              : N_("This kit is signed by a key this instance does not trust: "
                                   "nothing proves who made it.");
        if (!o->allow_unsigned) {
            json_decref(warnings);
            *err_msgid = fill(r, a, why, NULL);
            *err_code = !k.signed_ok ? "kit_unsigned" : "kit_unknown_key";
            return RES_INVALID;
        }
        json_array_append_new(warnings, json_string(tr(r, why)));
    }
    const char *path = NULL;
    int64_t node = kit_target_node(db, a, o->node_id, &path);
    if (node <= 0) {
        json_decref(warnings);
        *err_msgid = fill(r, a, N_("Choose the whole country or an association."), NULL);
        *err_code = "not_found";
        return RES_NOT_FOUND;
    }
    run_t run = {.r = r, .a = a, .items = json_array()};
    app_kit_ctx_t ctx = {db, a, o->actor, o->ip ? o->ip : "cli", node, path, o->apply};
    bool mine = false;
    if (o->apply && !app_tx_begin(db, &mine)) {
        json_decref(warnings);
        json_decref(run.items);
        return RES_ERROR;
    }
    int rc = import_all(&run, &ctx, &k);
    int64_t history = 0;
    if (o->apply) {
        bool ok = rc == DB_OK && record(db, &k, sha, key_known, key_name, o, node, run.counts,
                                        history_id, &history);
        if (app_tx_end(db, mine, ok) != DB_OK || !ok) {
            json_decref(warnings);
            json_decref(run.items);
            if (rc == DB_OK && history_id > 0) {
                *err_msgid = fill(r, a, N_("This kit was imported already, or its preview has expired."),
                                  NULL);
                *err_code = "conflict";
            }
            return rc == DB_OK && history_id > 0 ? RES_CONFLICT : RES_ERROR;
        }
    } else if (rc != DB_OK) {
        json_decref(warnings);
        json_decref(run.items);
        return RES_ERROR;
    }
    json_t *rep = json_object();
    json_object_set_new(rep, "producer", json_string(k.producer));
    json_object_set_new(rep, "created_at", json_string(k.created_at ? k.created_at : ""));
    json_object_set_new(rep, "signed", json_boolean(k.signed_ok));
    json_object_set_new(rep, "key_known", json_boolean(key_known));
    json_object_set_new(rep, "key_name", json_str_or_null(key_name));
    json_object_set_new(rep, "public_key", json_str_or_null(k.public_key));
    json_object_set_new(rep, "sha256", json_string(sha));
    json_object_set_new(rep, "node_id", json_integer(node));
    json_object_set_new(rep, "applied", json_boolean(o->apply));
    if (history > 0)
        json_object_set_new(rep, "import_id", json_integer(history));
    json_object_set_new(rep, "warnings", warnings);
    json_object_set_new(rep, "items", run.items);
    json_object_set_new(rep, "counts", counts_json(run.counts));
    *report = rep;
    return RES_OK;
}

res_t kit_import(req_t *r_or_null, db_t *db, arena_t *a, const void *zip, size_t len,
                 const kit_opts_t *o, json_t **report, const char **err_msgid)
{
    return kit_import_at(r_or_null, db, a, zip, len, o, 0, report, err_msgid, NULL);
}

/* --- Previews kept for the pages ------------------------------------------------ */

int64_t kit_preview_keep(db_t *db, const void *zip, size_t len, const json_t *report,
                         int64_t user)
{
    int64_t now = now_utc();
    /* previews never applied are forgotten after an hour */
    db_exec(db, "DELETE FROM kit_imports WHERE status = 'preview' AND expires_at < ?",
            PARAMS(P_INT(now)));
    json_t *j = (json_t *)report;
    db_res_t *res = db_query(
        db,
        "INSERT INTO kit_imports (status, producer, kit_created_at, zip_sha256, signed,"
        " key_known, public_key, user_id, created_at, expires_at, data) VALUES ('preview', ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        PARAMS(P_TEXT(json_string_value(json_object_get(j, "producer"))),
               P_TEXT(json_string_value(json_object_get(j, "created_at"))),
               P_TEXT(json_string_value(json_object_get(j, "sha256"))),
               P_INT(json_is_true(json_object_get(j, "signed"))),
               P_INT(json_is_true(json_object_get(j, "key_known"))),
               P_TEXT(json_string_value(json_object_get(j, "public_key"))), P_INT(user),
               P_INT(now), P_INT(now + 3600), P_BLOB(zip, len)));
    int64_t id = res && db_next(res) ? db_int(res, 0) : 0;
    db_res_free(res);
    return id;
}

const void *kit_preview_load(db_t *db, arena_t *a, int64_t id, int64_t user, size_t *len)
{
    db_res_t *res = db_query(db,
                             "SELECT data FROM kit_imports WHERE id = ? AND status = 'preview'"
                             " AND user_id = ? AND expires_at >= ?",
                             PARAMS(P_INT(id), P_INT(user), P_INT(now_utc())));
    void *out = NULL;
    *len = 0;
    if (res && db_next(res)) {
        size_t n = 0;
        const void *b = db_blob(res, 0, &n);
        if (b && n) {
            out = arena_alloc(a, n);
            memcpy(out, b, n);
            *len = n;
        }
    }
    db_res_free(res);
    return out;
}

json_t *kit_history_json(db_t *db, int64_t limit)
{
    json_t *rows = db_query_json(
        db,
        "SELECT id, producer, kit_created_at, zip_sha256, signed, key_known, key_name,"
        " n_create, n_update, n_same, n_skip, n_invalid, node_id, user_id, applied_at"
        " FROM kit_imports WHERE status = 'applied' ORDER BY applied_at DESC, id DESC LIMIT ?",
        PARAMS(P_INT(limit)));
    return rows ? rows : json_array();
}
