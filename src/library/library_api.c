/* library_api.c - the JSON API of the document library (docs/API.md): list
 * and create, one document, its changes and status, its versions (upload,
 * list, download) and acknowledgements. Same rules as the pages; the
 * reading of a form's or a body's fields is shared with them. */
#include "library_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const doc_times[] = {"created_at", "updated_at", "approved_at", NULL};
static const char *const ver_times[] = {"created_at", NULL};

json_t *lib_version_json(req_t *r, const lib_doc_t *d, const lib_version_t *v)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:o, s:I, s:b, s:s}", "document_id",
                          (json_int_t)d->id, "number", (json_int_t)v->number, "filename",
                          v->filename, "content_type", v->content_type, "size",
                          (json_int_t)v->size, "sha256", v->sha256, "note", v->note,
                          "created_by", v->created_by > 0 ? json_integer(v->created_by) : json_null(),
                          "created_at", (json_int_t)v->created_at, "approved",
                          d->approved_version > 0 && v->number <= d->approved_version, "href",
                          arena_printf(r->arena, "/api/v1/documents/%lld/versions/%lld/file",
                                       (long long)d->id, (long long)v->number));
    json_object_set_new(o, "current", json_boolean(v->number == d->approved_version));
    return o;
}

/* The versions the reader may see: every one for writers, those up to the
 * approved one for readers. */
static int64_t visible_max(lib_access_t a, const lib_doc_t *d)
{
    return a >= LIB_WRITE ? 0 : (d->approved_version > 0 ? d->approved_version : -1);
}

json_t *lib_json(req_t *r, const lib_doc_t *d, lib_access_t a, bool full)
{
    const char *today = lib_today(r->arena);
    /* a node without a label shows "": a NULL would make json_pack fail and
     * the document vanish from a list that counts it */
    const char *node_name = nodes_label(r->db, r->arena, r->lang, d->node_id);
    const char *title = lib_title(d, r->lang);
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:b, s:s, s:I, s:I, s:I}", "id",
        (json_int_t)d->id, "code", d->code, "kind", d->kind, "title_fr", d->title_fr, "title_ar",
        d->title_ar, "title", title ? title : "", "summary", d->summary, "node_id",
        (json_int_t)d->node_id, "node_name", node_name ? node_name : "",
        "owner_id", d->owner_id > 0 ? json_integer(d->owner_id) : json_null(), "review_on",
        json_str_or_null(d->review_on), "review_overdue", lib_overdue(d, today), "status",
        lib_status_code(d->status), "version", (json_int_t)d->version, "approved_version",
        (json_int_t)d->approved_version, "rev", (json_int_t)d->rev);
    json_object_set_new(o, "owner_name", json_str_or_null(lib_user_name(r, d->owner_id)));
    json_object_set_new(o, "approved_by",
                        d->approved_by > 0 ? json_integer(d->approved_by) : json_null());
    json_object_set_new(o, "approved_at", json_integer(d->approved_at));
    json_object_set_new(o, "created_at", json_integer(d->created_at));
    json_object_set_new(o, "updated_at", json_integer(d->updated_at));
    int64_t at = r->user && d->approved_version > 0
                     ? lib_acked_at(r->db, d->id, d->approved_version, r->user->id)
                     : 0;
    json_object_set_new(o, "acknowledged", json_boolean(at > 0));
    if (!full)
        return o;
    json_t *crit = lib_criteria_json(r, d);
    size_t i;
    json_t *c;
    json_array_foreach(crit, i, c) {
        json_object_del(c, "value");
        json_object_del(c, "href");
        json_object_del(c, "known");
    }
    json_object_set_new(o, "criteria", crit);
    size_t n = 0;
    int64_t max = visible_max(a, d);
    lib_version_t *v = max >= 0 ? lib_versions(r->db, r->arena, d->id, max, &n) : NULL;
    json_t *vers = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(vers, lib_version_json(r, d, &v[k]));
    api_times_iso(vers, ver_times);
    json_object_set_new(o, "versions", vers);
    json_t *ack = json_null();
    if (at > 0) {
        char iso[32];
        format_iso_utc(at, iso, sizeof iso);
        ack = json_pack("{s:I, s:s}", "version", (json_int_t)d->approved_version, "at", iso);
    }
    json_object_set_new(o, "my_acknowledgement", ack);
    if (a >= LIB_WRITE && d->approved_version > 0) {
        json_object_set_new(o, "acknowledgements",
                            json_integer(lib_ack_count(r->db, d->id, d->approved_version)));
        if (lib_path_depth(d->node_path) == 3) {
            json_t *rd = lib_readers(r, d, d->node_path);
            json_t *list;
            json_array_foreach(json_object_get(rd, "read"), i, list) {
                json_object_del(list, "at_h");
                char iso[32];
                format_iso_utc(json_integer_value(json_object_get(list, "at")), iso, sizeof iso);
                json_object_set_new(list, "at", json_string(iso));
            }
            json_object_set_new(o, "readers", rd);
        }
    }
    return o;
}

static void send_doc(req_t *r, int status, int64_t id)
{
    lib_doc_t d;
    if (lib_load(r->db, r->arena, id, &d) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *o = lib_json(r, &d, lib_access(r, d.node_path), true);
    api_times_iso(o, doc_times);
    if (status == 201)
        http_add_header(r->http, "Location",
                        arena_printf(r->arena, "/api/v1/documents/%lld", (long long)id));
    api_send(r, status, o);
}

void lib_api_list(req_t *r)
{
    json_t *errors = json_object();
    lib_filter_t f;
    lib_filter_read(r, errors, &f);
    int64_t limit, offset;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    size_t n = 0;
    int64_t total = 0;
    lib_doc_t *rows = lib_query(r, &f, limit, offset, &n, &total);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, lib_json(r, &rows[i], LIB_READ, false));
    api_times_iso(items, doc_times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* --- reading the fields ------------------------------------------------------- */

static bool is_blank(const char *s)
{
    return !s || !*s;
}

/* criteria: [{"ref": "...", "code": "..."}] of the JSON body. */
static void criteria_read(req_t *r, json_t *errors, lib_input_t *in)
{
    json_t *arr = r->json ? json_object_get(r->json, "criteria") : NULL;
    if (!arr)
        return;
    in->has_criteria = true;
    if (json_is_null(arr))
        return;
    if (!json_is_array(arr) || json_array_size(arr) > LIB_CRITERIA_MAX) {
        v_error(errors, "criteria",
                N_("Give the criteria as a list of {\"ref\": référentiel code, \"code\": criterion "
                   "code}, 50 at most."));
        return;
    }
    in->criteria = arena_alloc(r->arena, (json_array_size(arr) + 1) * sizeof *in->criteria);
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o) {
        const char *ref = json_string_value(json_object_get(o, "ref"));
        const char *code = json_string_value(json_object_get(o, "code"));
        if (!json_is_object(o) || !ref || !code) {
            v_error(errors, "criteria",
                    N_("Give the criteria as a list of {\"ref\": référentiel code, \"code\": "
                       "criterion code}, 50 at most."));
            return;
        }
        if (!lib_criterion_exists(r, ref, code)) {
            v_error(errors, "criteria",
                    N_("This criterion is not in a published référentiel."));
            return;
        }
        in->criteria[in->n_criteria].ref = arena_strdup(r->arena, ref);
        in->criteria[in->n_criteria].code = arena_strdup(r->arena, code);
        in->n_criteria++;
    }
}

void lib_input_read(req_t *r, json_t *errors, lib_input_t *in, bool creating)
{
    memset(in, 0, sizeof *in);
    in->has_kind = input_present(r, "kind");
    in->kind = v_code(r, errors, "kind", creating, lib_kinds);
    v_required_message(errors, "kind", N_("Choose the kind of document."));
    in->has_title_fr = input_present(r, "title_fr");
    in->title_fr = v_text(r, errors, "title_fr", false, LIB_TITLE_MAX);
    in->has_title_ar = input_present(r, "title_ar");
    in->title_ar = v_text(r, errors, "title_ar", false, LIB_TITLE_MAX);
    in->has_summary = input_present(r, "summary");
    in->summary = v_long_text(r, errors, "summary", false, LIB_SUMMARY_MAX);
    in->has_review = input_present(r, "review_on");
    const char *review = v_text(r, errors, "review_on", false, 10);
    if (!is_blank(review) && !iso_day_valid(review))
        v_error(errors, "review_on", N_("Enter a date as YYYY-MM-DD."));
    in->review_on = is_blank(review) ? NULL : review;
    in->has_owner = input_present(r, "owner_id");
    if (in->has_owner) {
        bool bad = false;
        const char *v = input_str(r, "owner_id", &bad);
        if (bad || (!is_blank(v) && (!str_to_i64(v, &in->owner_id) || in->owner_id <= 0)))
            v_error(errors, "owner_id", N_("Choose someone who works where the document belongs."));
    }
    if (creating && is_blank(in->title_fr) && is_blank(in->title_ar)) {
        v_error(errors, "title_fr", N_("Give the document a title, in French or in Arabic."));
    }
    criteria_read(r, errors, in);
}

node_t *lib_creation_node(req_t *r, int64_t node_id, json_t *errors)
{
    char *path = node_id > 0 ? app_node_path(r->db, node_id) : NULL;
    lib_access_t a = path ? lib_access(r, path) : LIB_NONE;
    free(path);
    if (a == LIB_NONE) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    node_t *n = arena_alloc(r->arena, sizeof *n);
    if (nodes_load(r->db, r->arena, node_id, n) != 0 || n->kind == NODE_UNIT) {
        v_error(errors, "node_id",
                N_("A document belongs to an establishment, an association or the national "
                   "library."));
        app_fail(r, RES_INVALID, NULL, errors);
        return NULL;
    }
    if (a < LIB_WRITE) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN,
                 N_("Only the director and the quality referent of the establishment, or an "
                    "administrator or a quality advisor over it, change its documents."),
                 NULL);
        return NULL;
    }
    return n;
}

/* --- create, read, change ------------------------------------------------------ */

void lib_api_create(req_t *r)
{
    if (!api_body_object(r))
        return;
    static const char *const known[] = {"node_id", "kind", "title_fr", "title_ar", "summary",
                                        "owner_id", "review_on", "code", "criteria", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    json_t *jn = json_object_get(r->json, "node_id");
    if (!json_is_integer(jn) || json_integer_value(jn) <= 0) {
        v_error(errors, "node_id", N_("Give where the document belongs (node_id)."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    node_t *node = lib_creation_node(r, json_integer_value(jn), errors);
    if (!node)
        return;
    lib_input_t in;
    lib_input_read(r, errors, &in, true);
    bool bad = false;
    const char *code = input_str(r, "code", &bad);
    if (bad || (code && !lib_code_valid(code)))
        v_error(errors, "code",
                N_("A code is made of lower-case letters, digits, '.', '_' and '-', 60 at most."));
    else if (code && db_query_int(r->db, "SELECT COUNT(*) FROM documents WHERE code = ?",
                                  PARAMS(P_TEXT(code)), 0) > 0)
        v_error(errors, "code", N_("Another document has this code already."));
    in.code = code;
    if (!in.has_owner || in.owner_id == 0)
        in.owner_id = r->user->id;
    else if (!json_object_get(errors, "owner_id") && !lib_owner_ok(r, node->path, in.owner_id))
        v_error(errors, "owner_id", N_("Choose someone who works where the document belongs."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    res_t rc = lib_create(r->db, r->arena, r->user->id, req_ip(r), node->id, node->path, &in, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("Another document has this code already.") : NULL,
                 NULL);
        return;
    }
    send_doc(r, 201, id);
}

void lib_api_get(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (d)
        send_doc(r, 200, d->id);
}

void lib_fail_stale(req_t *r, const lib_doc_t *d)
{
    lib_doc_t now;
    int64_t rev = lib_load(r->db, r->arena, d->id, &now) == 0 ? now.rev : d->rev;
    if (r->is_api) {
        json_t *err = json_pack("{s:s, s:s, s:I}", "code", "conflict", "message",
                                T(r, N_("The document changed meanwhile: reload it and try again.")),
                                "rev", (json_int_t)rev);
        api_send(r, 409, json_pack("{s:o}", "error", err));
        return;
    }
    respond_error(r, 409, "conflict", N_("The document changed meanwhile: reload it and try again."),
                  NULL);
}

void lib_fail_archived(req_t *r)
{
    respond_error(r, 409, "conflict",
                  N_("An archived document no longer changes: put it back as a draft first."),
                  NULL);
}

void lib_api_patch(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d || !api_body_object(r))
        return;
    static const char *const known[] = {"kind", "title_fr", "title_ar", "summary", "owner_id",
                                        "review_on", "criteria", "rev", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    lib_input_t in;
    lib_input_read(r, errors, &in, false);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    const char *fr = in.has_title_fr ? in.title_fr : d->title_fr;
    const char *ar = in.has_title_ar ? in.title_ar : d->title_ar;
    if (is_blank(fr) && is_blank(ar))
        v_error(errors, "title_fr", N_("Give the document a title, in French or in Arabic."));
    if (in.has_owner && in.owner_id > 0 && !json_object_get(errors, "owner_id") &&
        in.owner_id != d->owner_id && !lib_owner_ok(r, d->node_path, in.owner_id))
        v_error(errors, "owner_id", N_("Choose someone who works where the document belongs."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    if (d->status == LIB_ARCHIVED)
        return lib_fail_archived(r);
    res_t rc = lib_update(r->db, r->arena, r->user->id, req_ip(r), d, &in, rev);
    if (rc == RES_CONFLICT)
        return lib_fail_stale(r, d);
    if (rc != RES_OK)
        return app_fail(r, rc, NULL, NULL);
    send_doc(r, 200, d->id);
}

void lib_fail_transition(req_t *r, const lib_doc_t *d, const char *msgid)
{
    const char *next[3];
    size_t n = lib_transitions(d, next);
    json_t *allowed = json_array();
    buf_t b;
    buf_init(&b);
    for (size_t k = 0; k < n; k++) {
        json_array_append_new(allowed, json_string(next[k]));
        buf_printf(&b, "%s%s", k ? ", " : "",
                   T(r, arena_printf(r->arena, "doc_status.%s", next[k])));
    }
    const char *from = T(r, arena_printf(r->arena, "doc_status.%s", lib_status_code(d->status)));
    const char *hint = text_fill_strings(r->arena, T(r, N_("From “%s”, the document may go to: %s.")),
                                         (const char *[]){from, b.data ? b.data : ""}, 2);
    buf_free(&b);
    if (r->is_api) {
        json_t *err = json_pack("{s:s, s:s, s:s, s:o, s:s}", "code", "conflict", "message",
                                arena_printf(r->arena, "%s %s", T(r, msgid), hint), "status",
                                lib_status_code(d->status), "allowed", allowed, "hint", hint);
        api_send(r, 409, json_pack("{s:o}", "error", err));
        return;
    }
    json_decref(allowed);
    respond_error(r, 409, "conflict", msgid, NULL);
}

/* The status change of a page or the API: 422, 403, 409 answered here;
 * true when done. */
bool lib_status_change(req_t *r, lib_doc_t *d)
{
    json_t *errors = json_object();
    const char *to = v_code(r, errors, "status", true, lib_statuses);
    v_required_message(errors, "status", N_("Choose the new status."));
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return false;
    }
    json_decref(errors);
    lib_status_t target = (lib_status_t)lib_status_from_code(to);
    lib_access_t a = lib_access(r, d->node_path);
    if (target == LIB_APPROVED && a < LIB_APPROVE) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Only the director of the establishment, or an administrator or a quality "
                    "advisor over it, approves its documents."),
                 NULL);
        return false;
    }
    if (rev > 0 && rev != d->rev) {
        lib_fail_stale(r, d);
        return false;
    }
    const char *next[3];
    size_t n = lib_transitions(d, next);
    bool possible = false;
    for (size_t k = 0; k < n; k++)
        possible = possible || str_eq(next[k], to);
    if (!possible) {
        lib_fail_transition(r, d,
                            d->version == 0 && target == LIB_APPROVED
                                ? N_("Add the document's file before approving it.")
                                : N_("This change of status is not possible."));
        return false;
    }
    res_t rc = lib_set_status(r->db, r->arena, r->user->id, req_ip(r), d, target, rev);
    if (rc == RES_CONFLICT) {
        lib_fail_stale(r, d);
        return false;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return false;
    }
    return true;
}

void lib_api_status(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d || !api_body_object(r))
        return;
    static const char *const known[] = {"status", "rev", NULL};
    json_t *errors = json_object();
    v_unknown_fields(r, errors, known);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    if (lib_status_change(r, d))
        send_doc(r, 200, d->id);
}

/* --- versions -------------------------------------------------------------------- */

void lib_api_versions(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (!d)
        return;
    lib_access_t a = lib_access(r, d->node_path);
    int64_t max = visible_max(a, d);
    size_t n = 0;
    lib_version_t *v = max >= 0 ? lib_versions(r->db, r->arena, d->id, max, &n) : NULL;
    json_t *items = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(items, lib_version_json(r, d, &v[k]));
    api_times_iso(items, ver_times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)n));
}

/* The upload of a page or the API: the errors answered by the caller. */
res_t lib_upload_request(req_t *r, lib_doc_t *d, json_t *errors, int64_t *number,
                         const char **msgid, bool *too_large)
{
    const http_file_t *f = http_file(r->http, "file");
    *too_large = f && f->len > ATTACH_MAX_BYTES;
    const char *note = v_long_text(r, errors, "note", false, LIB_NOTE_MAX);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    const char *approve_s = req_form(r, "approve");
    bool approve = approve_s && (str_eq(approve_s, "1") || str_eq(approve_s, "on") ||
                                 str_eq(approve_s, "true"));
    if (approve && lib_access(r, d->node_path) < LIB_APPROVE)
        v_error(errors, "approve",
                N_("Only the director of the establishment, or an administrator or a quality "
                   "advisor over it, approves its documents."));
    if (!f || !f->filename || f->len == 0)
        v_error(errors, "file", f && f->filename && f->len == 0 ? N_("The file is empty.")
                                                               : N_("Choose a file to send."));
    if (json_object_size(errors))
        return RES_INVALID;
    if (d->status == LIB_ARCHIVED)
        return RES_CONFLICT;
    res_t rc = lib_add_version(r->db, r->arena, r->user->id, req_ip(r), d, f, note, 0, approve,
                               rev, number, msgid);
    if (rc == RES_INVALID)
        v_error(errors, "file", *msgid ? *msgid : N_("Choose a file to send."));
    return rc;
}

void lib_api_upload(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d)
        return;
    json_t *errors = json_object();
    int64_t number = 0;
    const char *msgid = NULL;
    bool big = false;
    res_t rc = lib_upload_request(r, d, errors, &number, &msgid, &big);
    if (rc == RES_INVALID) {
        const char *first = json_string_value(json_object_get(errors, "file"));
        if (big)
            respond_error(r, 413, "too_large", first ? first : msgid, errors);
        else
            app_fail(r, RES_INVALID, first, errors);
        return;
    }
    json_decref(errors);
    if (rc == RES_CONFLICT)
        return d->status == LIB_ARCHIVED ? lib_fail_archived(r) : lib_fail_stale(r, d);
    if (rc != RES_OK)
        return app_fail(r, rc, msgid, NULL);
    lib_doc_t now;
    lib_version_t v;
    if (lib_load(r->db, r->arena, d->id, &now) != 0 ||
        lib_version_load(r->db, r->arena, d->id, number, &v) != 0)
        return app_fail(r, RES_ERROR, NULL, NULL);
    json_t *o = lib_version_json(r, &now, &v);
    api_times_iso(o, ver_times);
    http_add_header(r->http, "Location",
                    arena_printf(r->arena, "/api/v1/documents/%lld/versions/%lld/file",
                                 (long long)d->id, (long long)number));
    api_send(r, 201, o);
}

/* The file of version ids[1] when the reader may have it. */
void lib_send_version(req_t *r, lib_doc_t *d)
{
    int64_t max = visible_max(lib_access(r, d->node_path), d);
    lib_version_t v;
    if (max < 0 || (max > 0 && r->ids[1] > max) ||
        lib_version_load(r->db, r->arena, d->id, r->ids[1], &v) != 0 || v.attachment_id <= 0)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    attach_send(r, v.attachment_id);
}

void lib_api_version_file(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (d)
        lib_send_version(r, d);
}

/* --- acknowledgements -------------------------------------------------------------- */

/* 409 or 403 answered; *created tells a new acknowledgement. */
bool lib_ack_request(req_t *r, lib_doc_t *d, bool *created)
{
    if (d->status != LIB_APPROVED || d->approved_version < 1) {
        respond_error(r, 409, "conflict",
                      N_("Only an approved document is acknowledged, once it is approved."), NULL);
        return false;
    }
    if (!lib_works_within(r, d->node_path)) {
        app_fail(r, RES_FORBIDDEN,
                 N_("Those who work where the document applies acknowledge having read it."),
                 NULL);
        return false;
    }
    res_t rc = lib_acknowledge(r->db, r->user->id, req_ip(r), d, created);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return false;
    }
    return true;
}

void lib_api_ack(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (!d)
        return;
    if (r->json && !json_is_object(r->json))
        return api_body_refuse(r);
    bool created = false;
    if (!lib_ack_request(r, d, &created))
        return;
    int64_t at = lib_acked_at(r->db, d->id, d->approved_version, r->user->id);
    char iso[32];
    format_iso_utc(at, iso, sizeof iso);
    api_send(r, created ? 201 : 200,
             json_pack("{s:I, s:I, s:I, s:s, s:b}", "document_id", (json_int_t)d->id, "version",
                       (json_int_t)d->approved_version, "user_id", (json_int_t)r->user->id, "at",
                       iso, "created", created));
}
