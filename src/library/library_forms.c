/* library_forms.c - the forms of the document library: a new document (with
 * its first file, optional, in the same transaction), changing it, its
 * status, a new version, "I have read this document", and its links to
 * criteria. Every form works without JavaScript, keeps what was typed on
 * error and answers 422 (413 for a file over the limit) in the reader's
 * language. */
#include "library_internal.h"

#include <string.h>

static const char *const form_order[] = {"node_id", "kind",  "title_fr", "title_ar", "summary",
                                         "review_on", "owner_id", "file", "note", NULL};

static json_t *kind_options(req_t *r, const char *chosen)
{
    json_t *opts = json_array();
    for (int i = 0; lib_kinds[i]; i++)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", lib_kinds[i], "label",
                                              lib_kind_label(r, lib_kinds[i]), "selected",
                                              str_eq(chosen, lib_kinds[i])));
    return opts;
}

static json_t *crumbs(req_t *r, const lib_doc_t *d)
{
    json_t *c = json_pack("[{s:s, s:s}]", "label", T(r, N_("Documents")), "href", "/documents");
    if (d)
        json_array_append_new(c, json_pack("{s:s, s:s}", "label", lib_title(d, r->lang), "href",
                                           arena_printf(r->arena, "/documents/%lld",
                                                        (long long)d->id)));
    return c;
}

/* The form of a new document (d NULL) or of a document's metadata. */
static void render_form(req_t *r, int status, const lib_doc_t *d, json_t *errors)
{
    json_t *m = json_object();
    bool creating = d == NULL;
    json_object_set_new(m, "title", json_string(T(r, creating ? N_("New document")
                                                              : N_("Change the document"))));
    json_object_set_new(m, "crumbs", crumbs(r, d));
    json_object_set_new(m, "creating", json_boolean(creating));
    json_object_set_new(m, "action",
                        json_string(creating ? "/documents"
                                             : arena_printf(r->arena, "/documents/%lld",
                                                            (long long)d->id)));
    json_object_set_new(m, "cancel_href",
                        json_string(creating ? "/documents"
                                             : arena_printf(r->arena, "/documents/%lld",
                                                            (long long)d->id)));
    bool posted = r->http->form != NULL;
    const char *kind = posted ? req_form(r, "kind") : d ? d->kind : req_query(r, "kind");
    json_object_set_new(m, "kind_options", kind_options(r, kind ? kind : "procedure"));
    int64_t node = 0;
    const char *nv = posted ? req_form(r, "node_id") : req_query(r, "node_id");
    if (nv)
        str_to_i64(nv, &node);
    json_object_set_new(m, "node_options", creating ? lib_creatable_nodes(r, node) : json_array());
    json_t *owners = json_array();
    if (!creating) {
        int64_t owner = d->owner_id;
        const char *ov = posted ? req_form(r, "owner_id") : NULL;
        if (ov && !str_to_i64(ov, &owner))
            owner = 0;
        json_t *opts = lib_owner_options(r, d->node_path);
        size_t i;
        json_t *o;
        bool found = false;
        json_array_foreach(opts, i, o) {
            bool sel = json_integer_value(json_object_get(o, "id")) == owner;
            found = found || sel;
            json_object_set_new(o, "selected", json_boolean(sel));
        }
        if (!found && d->owner_id > 0) {
            const char *name = lib_user_name(r, d->owner_id);
            json_array_insert_new(opts, 0, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)d->owner_id,
                                                     "name", name ? name : "", "selected", true));
        }
        json_decref(owners);
        owners = opts;
    }
    json_object_set_new(m, "owner_options", owners);
    json_object_set_new(m, "rev", json_integer(d ? d->rev : 0));
    if (errors)
        v_errors_order(errors, form_order);
    model_form_errors_take(r, m, errors);
    if (!posted && d) {
        json_t *values = json_object_get(m, "values");
        if (json_is_object(values)) {
            json_object_set_new(values, "title_fr", json_string(d->title_fr));
            json_object_set_new(values, "title_ar", json_string(d->title_ar));
            json_object_set_new(values, "summary", json_string(d->summary));
            json_object_set_new(values, "review_on", json_string(d->review_on ? d->review_on : ""));
        }
    }
    page_render(r, status, "library/form", m);
}

void lib_page_new(req_t *r)
{
    json_t *nodes = lib_creatable_nodes(r, 0);
    bool can = json_array_size(nodes) > 0;
    json_decref(nodes);
    if (!can)
        return app_fail(r, RES_FORBIDDEN,
                        N_("Only the director and the quality referent of the establishment, or "
                           "an administrator or a quality advisor over it, change its documents."),
                        NULL);
    render_form(r, 200, NULL, NULL);
}

void lib_page_create(req_t *r)
{
    json_t *errors = json_object();
    int64_t node_id = v_int(r, errors, "node_id", true, 1, INT64_MAX, 0);
    v_required_message(errors, "node_id", N_("Choose where the document belongs."));
    if (json_object_size(errors))
        return render_form(r, 422, NULL, errors);
    node_t *node = lib_creation_node(r, node_id, errors);
    if (!node)
        return;
    lib_input_t in;
    lib_input_read(r, errors, &in, true);
    in.owner_id = r->user->id;
    const http_file_t *f = http_file(r->http, "file");
    bool has_file = f && f->filename && *f->filename;
    const char *note = v_long_text(r, errors, "note", false, LIB_NOTE_MAX);
    if (json_object_size(errors))
        return render_form(r, 422, NULL, errors);
    bool mine;
    if (!app_tx_begin(r->db, &mine)) {
        json_decref(errors);
        return app_fail(r, RES_ERROR, NULL, NULL);
    }
    int64_t id = 0;
    res_t rc = lib_create(r->db, r->arena, r->user->id, req_ip(r), node->id, node->path, &in, &id);
    const char *msgid = NULL;
    if (rc == RES_OK && has_file) {
        lib_doc_t d;
        rc = lib_load(r->db, r->arena, id, &d) == 0
                 ? lib_add_version(r->db, r->arena, r->user->id, req_ip(r), &d, f, note, 0, false,
                                   0, NULL, &msgid)
                 : RES_ERROR;
    }
    if (app_tx_end(r->db, mine, rc == RES_OK) != DB_OK && rc == RES_OK)
        rc = RES_ERROR;
    if (rc == RES_INVALID) {
        v_error(errors, "file", msgid ? msgid : N_("Choose a file to send."));
        return render_form(r, f->len > ATTACH_MAX_BYTES ? 413 : 422, NULL, errors);
    }
    json_decref(errors);
    if (rc != RES_OK)
        return app_fail(r, rc, msgid, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/documents/%lld", (long long)id),
                        N_("The document was created as a draft."));
}

void lib_page_edit(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d)
        return;
    if (d->status == LIB_ARCHIVED)
        return lib_fail_archived(r);
    render_form(r, 200, d, NULL);
}

void lib_page_update(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d)
        return;
    json_t *errors = json_object();
    lib_input_t in;
    lib_input_read(r, errors, &in, false);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    const char *fr = in.has_title_fr ? in.title_fr : d->title_fr;
    const char *ar = in.has_title_ar ? in.title_ar : d->title_ar;
    if ((!fr || !*fr) && (!ar || !*ar))
        v_error(errors, "title_fr", N_("Give the document a title, in French or in Arabic."));
    if (in.has_owner && in.owner_id > 0 && in.owner_id != d->owner_id &&
        !json_object_get(errors, "owner_id") && !lib_owner_ok(r, d->node_path, in.owner_id))
        v_error(errors, "owner_id", N_("Choose someone who works where the document belongs."));
    if (json_object_size(errors))
        return render_form(r, 422, d, errors);
    json_decref(errors);
    if (d->status == LIB_ARCHIVED)
        return lib_fail_archived(r);
    res_t rc = lib_update(r->db, r->arena, r->user->id, req_ip(r), d, &in, rev);
    if (rc == RES_CONFLICT)
        return lib_fail_stale(r, d);
    if (rc != RES_OK)
        return app_fail(r, rc, NULL, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/documents/%lld", (long long)d->id),
                        N_("The document was saved."));
}

void lib_page_status(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d)
        return;
    const char *to = req_form(r, "status");
    if (str_eq(to, "archived") && page_needs_confirm(r)) {
        json_t *hidden = json_pack("{s:s, s:s}", "status", "archived", "rev",
                                   arena_printf(r->arena, "%lld", (long long)d->rev));
        const char *href = arena_printf(r->arena, "/documents/%lld", (long long)d->id);
        return page_confirm(r, N_("Archive the document"),
                            N_("Archive this document? Readers will no longer see it."),
                            lib_title(d, r->lang), arena_printf(r->arena, "%s/status", href),
                            hidden, N_("Archive"), href);
    }
    if (!lib_status_change(r, d))
        return;
    const char *flash = str_eq(to, "approved")   ? N_("The document is approved: its readers see this version.")
                        : str_eq(to, "archived") ? N_("The document is archived.")
                                                 : N_("The document is a draft again.");
    page_redirect_flash(r, arena_printf(r->arena, "/documents/%lld", (long long)d->id), flash);
}

void lib_page_upload(req_t *r)
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
        static const char *const order[] = {"file", "note", "approve", NULL};
        v_errors_order(errors, order);
        return page_render(r, big ? 413 : 422, "library/show", lib_show_model(r, d, errors));
    }
    json_decref(errors);
    if (rc == RES_CONFLICT)
        return d->status == LIB_ARCHIVED ? lib_fail_archived(r) : lib_fail_stale(r, d);
    if (rc != RES_OK)
        return app_fail(r, rc, msgid, NULL);
    lib_doc_t now;
    bool approved = lib_load(r->db, r->arena, d->id, &now) == 0 && now.approved_version == number;
    page_redirect_flash(r, arena_printf(r->arena, "/documents/%lld", (long long)d->id),
                        approved ? N_("The new version is added and approved.")
                                 : N_("The new version is added; it waits for approval."));
}

void lib_page_ack(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (!d)
        return;
    bool created = false;
    if (!lib_ack_request(r, d, &created))
        return;
    page_redirect_flash(r, arena_printf(r->arena, "/documents/%lld", (long long)d->id),
                        N_("Thank you: your reading of this version is recorded."));
}

/* "REF|code" of the form's criterion field. */
static bool criterion_field(req_t *r, lib_crit_t *c)
{
    const char *v = req_form(r, "criterion");
    const char *bar = v ? strchr(v, '|') : NULL;
    if (!bar || bar == v || !bar[1] || strlen(v) > 200)
        return false;
    c->ref = arena_strndup(r->arena, v, (size_t)(bar - v));
    c->code = arena_strdup(r->arena, bar + 1);
    return true;
}

static void link_change(req_t *r, bool add)
{
    lib_doc_t *d = lib_of_route(r, LIB_WRITE);
    if (!d)
        return;
    lib_crit_t c;
    bool ok = criterion_field(r, &c);
    if (add && ok && !lib_criterion_exists(r, c.ref, c.code))
        ok = false;
    if (!ok) {
        json_t *errors = json_pack("{s:s}", "criterion",
                                   add ? N_("Choose a criterion of a published référentiel.")
                                       : N_("Choose one of the proposed values."));
        return page_render(r, 422, "library/show", lib_show_model(r, d, errors));
    }
    if (d->status == LIB_ARCHIVED)
        return lib_fail_archived(r);
    res_t rc = lib_link(r->db, r->user->id, req_ip(r), d, &c, add);
    if (rc != RES_OK)
        return app_fail(r, rc, NULL, NULL);
    page_redirect_flash(r, arena_printf(r->arena, "/documents/%lld#criteria", (long long)d->id),
                        add ? N_("The criterion is linked to the document.")
                            : N_("The link to the criterion is removed."));
}

void lib_page_link(req_t *r)
{
    link_change(r, true);
}

void lib_page_unlink(req_t *r)
{
    link_change(r, false);
}
