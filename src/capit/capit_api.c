/* capit_api.c - the JSON API of capitalisation sheets (docs/API.md): the
 * library's list, creating a sheet (as a draft, in review, or published by
 * who may publish), one sheet, changing it (a published one opens its next
 * version), its workflow, its versions and its files. Same rules as the
 * pages. */
#include "capit_internal.h"

#include <string.h>

#include "../attach/attach.h"

static const char *const cap_times[] = {"created_at", "updated_at", "submitted_at",
                                        "published_at", NULL};

json_t *cap_json(req_t *r, const sheet_t *s, bool full)
{
    json_t *o = json_pack(
        "{s:I, s:s, s:I, s:s, s:I, s:o, s:s, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s}",
        "id", (json_int_t)s->id, "code", s->code, "version", (json_int_t)s->version, "status",
        cap_status_code(s->status), "node_id", (json_int_t)s->node_id, "eps_id",
        s->eps_id > 0 ? json_integer(s->eps_id) : json_null(), "eps_name", cap_eps_label(r, s),
        "imported", s->imported, "title", s->title, "theme", s->theme, "lang", s->lang, "rev",
        (json_int_t)s->rev, "created_at", (json_int_t)s->created_at, "updated_at",
        (json_int_t)s->updated_at, "submitted_at", (json_int_t)s->submitted_at, "published_at",
        (json_int_t)s->published_at, "href", cap_sheet_href(r->arena, s->id));
    json_object_set_new(o, "theme_label", json_string(cap_theme_label(r, s->theme)));
    if (!full)
        return o;
    for (int i = 0; i < CAP_NTEXT; i++)
        json_object_set_new(o, cap_text_fields[i], json_string(s->text[i]));
    json_object_set_new(o, "indicators", cap_indicators_json(s));
    json_object_set_new(o, "contributors", json_string(s->contributors));
    json_object_set_new(o, "authors", cap_authors_of(r->db, s->id));
    json_object_set_new(o, "authors_text", json_string(s->authors_text));
    json_object_set_new(o, "criteria", cap_criteria_of(r->db, s->id));
    json_t *acts = cap_ids_of(r->db, s->id, "action");
    json_t *known = cap_actions_view(r, acts);
    json_decref(acts);
    json_t *ids = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(known, i, v)
        json_array_append(ids, json_object_get(v, "id"));
    json_object_set_new(o, "action_ids", ids);
    json_object_set_new(o, "actions", known);
    json_object_set_new(o, "documents", cap_documents_of(r->db, s->id));
    json_t *files = attach_list(r->db, "sheet", s->id);
    json_array_foreach(files, i, v) {
        json_object_del(v, "created_by");
        json_object_del(v, "node_id");
        json_object_del(v, "owner_kind");
        json_object_del(v, "owner_id");
        json_object_set_new(v, "href",
                            json_string(arena_printf(r->arena, "/sheets/%lld/files/%lld",
                                                     (long long)s->id,
                                                     (long long)json_integer_value(json_object_get(v, "id")))));
    }
    static const char *const ft[] = {"created_at", NULL};
    api_times_iso(files, ft);
    json_object_set_new(o, "files", files);
    json_object_set_new(o, "return_comment", json_str_or_null(s->return_comment));
    return o;
}

static void send_sheet(req_t *r, int status, int64_t id)
{
    sheet_t s;
    if (cap_load(r->db, r->arena, id, &s) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = cap_json(r, &s, true);
    api_times_iso(o, cap_times);
    if (status == 201)
        http_add_header(r->http, "Location",
                        arena_printf(r->arena, "/api/v1/sheets/%lld", (long long)id));
    api_send(r, status, o);
}

void cap_fail(req_t *r, const sheet_t *s, res_t rc, json_t *errors)
{
    if (rc == RES_INVALID) {
        app_fail(r, rc, NULL, errors);
        return;
    }
    json_decref(errors);
    if (rc == RES_CONFLICT && s && (s->status == CAP_PUBLISHED || s->status == CAP_SUPERSEDED)) {
        cap_fail_transition(r, s);
        return;
    }
    app_fail(r, rc,
             rc == RES_CONFLICT ? N_("The sheet changed meanwhile: reload it and try again.") : NULL,
             NULL);
}

void cap_api_list(req_t *r)
{
    json_t *errors = json_object();
    cap_filter_t f;
    cap_filter_read(r, errors, &f);
    int64_t limit, offset;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    size_t n = 0;
    int64_t total = 0;
    sheet_t *rows = cap_query(r, &f, limit, offset, &n, &total);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, cap_json(r, &rows[i], false));
    api_times_iso(items, cap_times);
    api_send(r, 200, json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total,
                               "limit", (json_int_t)limit, "offset", (json_int_t)offset));
}

/* The EPS of a new sheet: 404 outside the reader's scope, 422 for a node
 * that is not an establishment, 403 for those who may not write there. */
node_t *cap_creation_eps(req_t *r, int64_t node_id, json_t *errors)
{
    char *path = node_id > 0 ? app_node_path(r->db, node_id) : NULL;
    bool seen = path && (app_can_at_path(r, PERM_QUALITY_READ, path) || cap_may_write_at(r, path));
    bool may = path && cap_may_write_at(r, path);
    free(path);
    if (!seen) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, N_("No establishment of yours has this number."), NULL);
        return NULL;
    }
    node_t *eps = arena_alloc(r->arena, sizeof *eps);
    if (nodes_load(r->db, r->arena, node_id, eps) != 0 || eps->kind != NODE_EPS) {
        v_error(errors, "node_id", N_("A capitalisation sheet tells the experience of an establishment: choose one."));
        app_fail(r, RES_INVALID, NULL, errors);
        return NULL;
    }
    if (!may) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 N_("The director and the quality referent of the establishment write its sheets; "
                    "you may read them."),
                 NULL);
        return NULL;
    }
    return eps;
}

void cap_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, cap_api_fields);
    json_t *jn = json_object_get(r->json, "node_id");
    if (!json_is_integer(jn) || json_integer_value(jn) <= 0) {
        v_error(errors, "node_id", N_("Give the establishment of the sheet (node_id)."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    node_t *eps = cap_creation_eps(r, json_integer_value(jn), errors);
    if (!eps)
        return;
    static const char *const statuses[] = {"draft", "review", "published", NULL};
    const char *st = v_code(r, errors, "status", false, statuses);
    if (input_present(r, "rev"))
        v_error(errors, "rev", N_("This field is not known."));
    cap_input_t *in = arena_alloc(r->arena, sizeof *in);
    cap_input_read(r, errors, in, true, eps->path, 0);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    cap_status_t status = st ? (cap_status_t)cap_status_from_code(st) : CAP_DRAFT;
    if (status == CAP_PUBLISHED && !cap_may_publish_at(r, eps->path)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only a quality advisor or an administrator over the establishment publishes "
                    "its sheets: create it as a draft and submit it."),
                 NULL);
        return;
    }
    if (!in->lang)
        in->lang = str_eq(r->lang, "ar") ? "ar" : "fr";
    if (!in->theme)
        in->theme = "autre";
    cap_place_t p = {.node_id = eps->id, .node_path = eps->path, .eps_id = eps->id,
                     .eps_name = eps->name, .status = status};
    cap_ctx_t c = CAP_CTX(r);
    int64_t id = 0;
    res_t rc = cap_create(&c, &p, in, &id);
    if (rc != RES_OK) {
        cap_fail(r, NULL, rc, NULL);
        return;
    }
    send_sheet(r, 201, id);
}

void cap_api_get(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_READ);
    if (s)
        send_sheet(r, 200, s->id);
}

void cap_api_patch(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s || !api_body_object(r))
        return;
    json_t *errors = json_object();
    v_unknown_fields(r, errors, cap_api_fields);
    if (input_present(r, "node_id"))
        v_error(errors, "node_id", N_("A sheet stays with its establishment."));
    if (input_present(r, "status"))
        v_error(errors, "status", N_("Change the status with POST /api/v1/sheets/{id}/status."));
    json_t *jr = json_object_get(r->json, "rev");
    if (!json_is_integer(jr) || json_integer_value(jr) <= 0)
        v_error(errors, "rev", N_("Give the rev of the sheet you read, so that no change is lost."));
    cap_input_t *in = arena_alloc(r->arena, sizeof *in);
    cap_input_read(r, errors, in, false, s->node_path, s->id);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    int64_t rev = json_integer_value(jr);
    cap_ctx_t c = CAP_CTX(r);
    if (s->status == CAP_PUBLISHED) {
        if (rev != s->rev) {
            cap_fail(r, NULL, RES_CONFLICT, NULL);
            return;
        }
        int64_t id = 0, open = 0;
        res_t rc = cap_new_version(&c, s, in, &id, &open);
        if (rc == RES_CONFLICT && open > 0) {
            cap_fail_open_version(r, open);
            return;
        }
        if (rc != RES_OK) {
            cap_fail(r, NULL, rc, NULL);
            return;
        }
        send_sheet(r, 201, id);
        return;
    }
    if (s->status == CAP_SUPERSEDED) {
        cap_fail_transition(r, s);
        return;
    }
    res_t rc = cap_update(&c, s, in, rev);
    if (rc != RES_OK) {
        cap_fail(r, s, rc, NULL);
        return;
    }
    send_sheet(r, 200, s->id);
}

void cap_api_status(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s || !api_body_object(r))
        return;
    static const char *const known[] = {"status", "comment", "rev", NULL};
    static const char *const to_codes[] = {"draft", "review", "published", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    const char *to = v_code(r, errors, "status", true, to_codes);
    const char *comment = v_long_text(r, errors, "comment", false, CAP_COMMENT_MAX);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    cap_status_t target = (cap_status_t)cap_status_from_code(to);
    res_t rule = cap_transition(s->status, target, cap_may_write_at(r, s->node_path),
                                cap_may_publish_at(r, s->node_path));
    if (rule == RES_FORBIDDEN) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 target == CAP_PUBLISHED
                     ? N_("Only a quality advisor or an administrator over the establishment "
                          "publishes its sheets.")
                     : N_("The director and the quality referent of the establishment write its "
                          "sheets; you may read them."),
                 NULL);
        return;
    }
    if (rule == RES_CONFLICT) {
        json_decref(errors);
        cap_fail_transition(r, s);
        return;
    }
    if (target == CAP_DRAFT && !comment) {
        v_error(errors, "comment", N_("Say what the authors should change before submitting it again."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    cap_ctx_t c = CAP_CTX(r);
    res_t rc = cap_set_status(&c, s, target, comment, rev);
    if (rc != RES_OK) {
        cap_fail(r, s, rc, NULL);
        return;
    }
    send_sheet(r, 200, s->id);
}

void cap_api_versions(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_READ);
    if (!s)
        return;
    json_t *items = cap_versions(r, s);
    static const char *const t[] = {"published_at", "updated_at", NULL};
    api_times_iso(items, t);
    api_send(r, 200, json_pack("{s:s, s:o}", "code", s->code, "items", items));
}

void cap_api_upload(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s)
        return;
    const http_file_t *f = http_file(r->http, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    cap_ctx_t c = CAP_CTX(r);
    res_t rc = cap_attach(&c, s, f, &id, &msgid);
    if (rc == RES_INVALID) {
        bool big = f && f->len > ATTACH_MAX_BYTES;
        respond_error(r, big ? 413 : 422, big ? "too_large" : "invalid",
                      msgid ? msgid : N_("Choose a file to send."),
                      json_pack("{s:s}", "file", msgid ? msgid : N_("Choose a file to send.")));
        return;
    }
    if (rc == RES_CONFLICT) {
        cap_fail_transition(r, s);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, msgid, NULL);
        return;
    }
    send_sheet(r, 201, s->id);
}
