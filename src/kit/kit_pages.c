/* kit_pages.c - the kits' pages: /kits (the instance's name and public key,
 * the trusted keys, export, import, the history of imports), the preview
 * of an uploaded kit (kept an hour, for its uploader only) with the choice
 * of the association that receives sheets and documents and, for an
 * unsigned kit or an unknown key, the box that accepts it; the result of
 * an import. The instance's name, its signing key and the trusted keys are
 * the root administrators'. */
#include "kit_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../nodes/nodes.h"

static bool allowed(req_t *r)
{
    if (kit_can_use(r))
        return true;
    app_fail(r, RES_FORBIDDEN, N_("Transfer kits are for administrators and quality advisors."),
             NULL);
    return false;
}

static bool admin_allowed(req_t *r)
{
    if (!allowed(r))
        return false;
    if (kit_can_admin(r))
        return true;
    app_fail(r, RES_FORBIDDEN,
             N_("The national administrators manage the instance's name and keys."), NULL);
    return false;
}

static const char *when(req_t *r, int64_t t)
{
    char buf[64] = "";
    if (t > 0)
        format_local_datetime(t, buf, sizeof buf);
    return arena_strdup(r->arena, buf);
}

static json_t *history(req_t *r)
{
    json_t *rows = kit_history_json(r->db, 50);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *href = NULL;
        int64_t user = json_integer_value(json_object_get(row, "user_id"));
        int64_t node = json_integer_value(json_object_get(row, "node_id"));
        const char *who = user ? app_entity_name(r, "user", user, &href) : NULL;
        const char *where = node ? app_entity_name(r, "node", node, &href) : NULL;
        json_object_set_new(row, "when", json_string(when(r, json_integer_value(json_object_get(row, "applied_at")))));
        json_object_set_new(row, "who", json_string(who ? who : T(r, N_("the command line"))));
        json_object_set_new(row, "where", json_string(where ? where : ""));
        bool trusted = json_integer_value(json_object_get(row, "signed")) != 0 &&
                       json_integer_value(json_object_get(row, "key_known")) != 0;
        json_object_set_new(row, "trusted", json_boolean(trusted));
    }
    return rows;
}

static void index_page(req_t *r, int status, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Transfer kits"))));
    json_object_set_new(m, "instance_name", json_string(kit_instance_name(r->db, r->arena)));
    json_object_set_new(m, "public_key", json_str_or_null(kit_own_public(r->db, r->arena)));
    bool can_use = kit_can_use(r);
    json_object_set_new(m, "can_use", json_boolean(can_use));
    json_object_set_new(m, "can_admin", json_boolean(can_use && kit_can_admin(r)));
    json_t *parts = json_array();
    for (size_t i = 0; i < app_kit_part_count(); i++)
        json_array_append_new(parts, json_pack("{s:s}", "label", T(r, app_kit_part_at(i)->label)));
    json_object_set_new(m, "parts", parts);
    json_t *keys = kit_keys_json(r->db);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
        json_object_set_new(k, "when", json_string(when(r, json_integer_value(json_object_get(k, "created_at")))));
    json_object_set_new(m, "keys", keys);
    json_object_set_new(m, "history", can_use ? history(r) : json_array());
    json_t *values = json_object();
    static const char *const fields[] = {"name", "key_name", "public_key"};
    for (size_t f = 0; f < ARRAY_LEN(fields); f++) {
        const char *v = req_form(r, fields[f]);
        json_object_set_new(values, fields[f],
                            json_string(v && utf8_valid(v, strlen(v)) ? v : ""));
    }
    if (!req_form(r, "name"))
        json_object_set_new(values, "name", json_string(kit_instance_name(r->db, r->arena)));
    model_form_errors_take(r, m, errors);
    json_object_set(m, "values", values);
    json_decref(values);
    page_render(r, status, "kit/index", m);
}

void kit_page_index(req_t *r)
{
    /* the menu shows the page to whoever reads accounts somewhere (the menu
     * has no finer rule): directors and referents read what a kit is and
     * who does it; the forms and the history are the kit users' */
    if (kit_can_use(r) || app_user_can_anywhere(r, PERM_USER_READ))
        index_page(r, 200, NULL);
    else
        allowed(r);
}

void kit_page_export(req_t *r)
{
    if (allowed(r))
        kit_send_export(r);
}

/* --- Preview and apply ------------------------------------------------------------- */

static bool keep_tops(req_t *r, node_kind_t kind, const int64_t *path, int n_path, void *ctx)
{
    return kind == NODE_ROOT || kind == NODE_ASSOCIATION;
}

static const char *const action_tags[] = {"tag--ok", "tag--info", "tag--plain", "tag--warn",
                                          "tag--off"};
static const char *const action_msgids[] = {N_("kit_action.create"), N_("kit_action.update"),
                                            N_("kit_action.same"), N_("kit_action.skip"),
                                            N_("kit_action.invalid")};

/* The report, as the pages show it. */
static void report_model(req_t *r, json_t *m, json_t *report)
{
    static const char *const codes[] = {"create", "update", "same", "skip", "invalid"};
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(report, "items"), i, it) {
        const char *a = json_string_value(json_object_get(it, "action"));
        for (size_t k = 0; k < ARRAY_LEN(codes); k++)
            if (str_eq(a, codes[k])) {
                json_object_set_new(it, "action_label", json_string(T(r, action_msgids[k])));
                json_object_set_new(it, "action_tag", json_string(action_tags[k]));
            }
        if (!json_object_get(it, "message") || json_is_null(json_object_get(it, "message")))
            json_object_set_new(it, "message", json_string(""));
    }
    json_t *counts = json_array(), *c = json_object_get(report, "counts");
    for (size_t k = 0; k < ARRAY_LEN(codes); k++)
        json_array_append_new(counts, json_pack("{s:s, s:I, s:s}", "label", T(r, action_msgids[k]),
                                                "n", json_integer_value(json_object_get(c, codes[k])),
                                                "tag", action_tags[k]));
    json_object_set_new(m, "counts", counts);
    bool trusted = json_is_true(json_object_get(report, "signed")) &&
                   json_is_true(json_object_get(report, "key_known"));
    json_object_set_new(m, "trusted", json_boolean(trusted));
    json_object_set_new(m, "signed_unknown", json_boolean(json_is_true(json_object_get(report, "signed")) && !trusted));
    const char *kn = json_string_value(json_object_get(report, "key_name"));
    json_object_set_new(m, "key_name", json_string(kn ? kn : ""));
    /* the kit's date as the pages write dates (the ISO text when it is not one) */
    const char *iso = json_string_value(json_object_get(report, "created_at"));
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char tail = 0;
    const char *made = iso ? iso : "";
    if (iso && sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail) == 7 && tail == 'Z') {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        made = when(r, (int64_t)timegm(&tm));
    }
    json_object_set_new(m, "made_on", json_string(made));
    json_object_set_new(m, "report", json_incref(report));
}

static void preview_page(req_t *r, int status, int64_t id, json_t *report, int64_t node,
                         json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Check the kit before importing it"))));
    json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}]", "label", T(r, N_("Transfer kits")),
                                               "href", "/kits"));
    report_model(r, m, report);
    json_object_set_new(m, "import_id", json_integer(id));
    json_object_set_new(m, "node_options",
                        nodes_options(r, PERM_QUALITY_WRITE, 0, node, keep_tops, NULL));
    json_t *values = json_pack("{s:b}", "accept_unsigned", str_eq(req_form(r, "accept_unsigned"), "1"));
    model_form_errors_take(r, m, errors);
    json_object_set(m, "values", values);
    json_decref(values);
    page_render(r, status, "kit/preview", m);
}

void kit_page_upload(req_t *r)
{
    if (!allowed(r))
        return;
    const http_file_t *f = http_file(r->http, "kit");
    if (!f || !f->len) {
        json_t *errors = json_object();
        v_error(errors, "kit", N_("Choose the kit's file (a .zip)."));
        index_page(r, 422, errors);
        return;
    }
    int64_t node = kit_default_node(r);
    kit_opts_t o = {.apply = false, .allow_unsigned = true, .node_id = node,
                    .actor = r->user->id, .ip = req_ip(r)};
    json_t *report = NULL;
    const char *msg = NULL;
    res_t rc = kit_import_at(r, r->db, r->arena, f->data, f->len, &o, 0, &report, &msg, NULL);
    if (rc != RES_OK) {
        json_t *errors = json_object();
        v_error(errors, "kit", msg ? msg : N_("The kit cannot be read."));
        index_page(r, rc == RES_INVALID ? 422 : app_status_of(rc), errors);
        return;
    }
    app_arena_json(r->arena, report);
    int64_t id = kit_preview_keep(r->db, f->data, f->len, report, r->user->id);
    if (id <= 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    preview_page(r, 200, id, report, node, NULL);
}

void kit_page_apply(req_t *r)
{
    if (!allowed(r))
        return;
    int64_t id = 0, node = 0;
    const char *end = NULL;
    const char *ids = req_form(r, "import_id"), *nodes = req_form(r, "node_id");
    if (!ids || !id_parse(ids, &end, &id) || *end)
        id = 0;
    size_t len = 0;
    const void *zip = id ? kit_preview_load(r->db, r->arena, id, r->user->id, &len) : NULL;
    if (!zip) {
        page_redirect_flash(r, "/kits", N_("This preview has expired or was imported already: upload the kit again."));
        return;
    }
    if (nodes && id_parse(nodes, &end, &node) && !*end) {
        const char *path = NULL;
        if (kit_target_node(r->db, r->arena, node, &path) <= 0 ||
            !app_can_at_path(r, PERM_QUALITY_WRITE, path))
            node = 0;
    }
    bool accept = str_eq(req_form(r, "accept_unsigned"), "1");
    kit_opts_t o = {.apply = true, .allow_unsigned = accept, .node_id = node,
                    .actor = r->user->id, .ip = req_ip(r)};
    json_t *report = NULL;
    const char *msg = NULL, *code = NULL;
    res_t rc = node > 0 ? kit_import_at(r, r->db, r->arena, zip, len, &o, id, &report, &msg, &code)
                        : RES_INVALID;
    if (rc == RES_OK) {
        json_t *m = json_object();
        json_object_set_new(m, "title", json_string(T(r, N_("The kit was imported"))));
        json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}]", "label",
                                                   T(r, N_("Transfer kits")), "href", "/kits"));
        report_model(r, m, report);
        json_decref(report);
        const char *href = NULL;
        const char *where = app_entity_name(r, "node", node, &href);
        json_object_set_new(m, "where", json_string(where ? where : ""));
        page_render(r, 200, "kit/result", m);
        return;
    }
    if (rc != RES_INVALID) {
        if (rc == RES_CONFLICT)
            page_redirect_flash(r, "/kits", N_("This preview has expired or was imported already: upload the kit again."));
        else
            app_fail(r, rc, msg, NULL);
        return;
    }
    /* refused: the preview again, saying why */
    json_t *errors = json_object();
    if (node <= 0)
        v_error(errors, "node_id", N_("Choose the whole country or an association."));
    else if (str_eq(code, "kit_unsigned") || str_eq(code, "kit_unknown_key"))
        v_error(errors, "accept_unsigned", N_("Tick the box to import a kit whose origin is not proven."));
    else
        v_error(errors, "kit", msg ? msg : N_("The kit cannot be read."));
    kit_opts_t p = {.apply = false, .allow_unsigned = true, .node_id = node > 0 ? node : kit_default_node(r),
                    .actor = r->user->id, .ip = req_ip(r)};
    rc = kit_import_at(r, r->db, r->arena, zip, len, &p, 0, &report, &msg, NULL);
    if (rc != RES_OK) {
        json_decref(errors);
        app_fail(r, rc, msg, NULL);
        return;
    }
    app_arena_json(r->arena, report);
    preview_page(r, 422, id, report, p.node_id, errors);
}

/* --- The instance and its keys (root administrators) -------------------------------- */

void kit_page_name(req_t *r)
{
    if (!admin_allowed(r))
        return;
    json_t *errors = json_object();
    const char *name = v_text(r, errors, "name", true, KIT_MAX_PRODUCER);
    v_required_message(errors, "name", N_("Name this instance (it signs the kits it exports)."));
    if (json_object_size(errors) || kit_set_instance_name(r->db, name, r->user->id, req_ip(r)) != RES_OK) {
        if (!json_object_size(errors))
            v_error(errors, "name", N_("Name this instance (it signs the kits it exports)."));
        index_page(r, 422, errors);
        return;
    }
    json_decref(errors);
    page_redirect_flash(r, "/kits", N_("Saved."));
}

void kit_page_keygen(req_t *r)
{
    if (!admin_allowed(r))
        return;
    const char *pk = NULL;
    res_t rc = kit_keygen(r->db, r->arena, false, r->user->id, req_ip(r), &pk);
    if (rc == RES_CONFLICT) {
        app_fail(r, RES_CONFLICT, N_("This instance has a signing key already: replace it with the command jouda kit keygen --force."), NULL);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, "/kits", N_("The signing key was created: the kits of this instance are signed from now on."));
}

void kit_page_trust(req_t *r)
{
    if (!admin_allowed(r))
        return;
    json_t *errors = json_object();
    const char *name = v_text(r, errors, "key_name", true, KIT_MAX_PRODUCER);
    const char *key = v_text(r, errors, "public_key", true, KIT_PK_B64_MAX);
    v_required_message(errors, "key_name", N_("Name the key (the instance it comes from)."));
    v_required_message(errors, "public_key", N_("Paste the public key the other instance shows."));
    if (!json_object_size(errors)) {
        const char *msgid = NULL;
        res_t rc = kit_trust(r->db, name, key, r->user->id, req_ip(r), &msgid, NULL);
        if (rc == RES_OK) {
            json_decref(errors);
            page_redirect_flash(r, "/kits#keys", N_("The key is trusted: kits it signs are imported without a warning."));
            return;
        }
        if (rc == RES_ERROR) {
            json_decref(errors);
            app_fail(r, rc, NULL, NULL);
            return;
        }
        v_error(errors, "public_key", msgid ? msgid : N_("This key cannot be trusted."));
    }
    index_page(r, 422, errors);
}

void kit_page_untrust(req_t *r)
{
    if (!admin_allowed(r))
        return;
    int64_t id = 0;
    const char *end = NULL, *s = req_form(r, "key_id");
    if (!s || !id_parse(s, &end, &id) || *end) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    json_t *row = db_query_row_json(r->db, "SELECT name FROM kit_keys WHERE id = ?", PARAMS(P_INT(id)));
    if (!row) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const char *name = arena_strdup(r->arena, json_string_value(json_object_get(row, "name")));
    json_decref(row);
    if (page_needs_confirm(r)) {
        page_confirm(r, N_("Stop trusting this key?"),
                     N_("Kits signed by this key will need an explicit choice again to be imported."),
                     name, "/kits/keys/delete", json_pack("{s:s}", "key_id", s),
                     N_("Stop trusting it"), "/kits#keys");
        return;
    }
    res_t rc = kit_untrust(r->db, id, r->user->id, req_ip(r));
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, "/kits#keys", N_("The key is no longer trusted."));
}
