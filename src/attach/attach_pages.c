/* attach_pages.c - the routes of the attachments service: download (only
 * for those who may read the owning node), upload from a node page (or the
 * home page of a unit's staff), the JSON API of a node's documents, and the
 * documents section every node's page shows. */
#include "../nodes/nodes.h"
#include "attach.h"

#include <stdio.h>
#include <string.h>

/* Content-Disposition for a UTF-8 name: an ASCII fallback for old clients
 * and the exact name percent-encoded (RFC 6266 / RFC 5987). */
static const char *attach_disposition(req_t *r, const char *name)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "attachment; filename=\"");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if (*c >= 0x80) {
            buf_putc(&b, '_');
            while ((c[1] & 0xc0) == 0x80)
                c++;
        } else if (*c < 0x20 || *c == 0x7f || *c == '"' || *c == '\\' || *c == ';') {
            buf_putc(&b, '_');
        } else {
            buf_putc(&b, (char)*c);
        }
    }
    buf_puts(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("!#$&+-.^_`|~", *c))
            buf_putc(&b, (char)*c);
        else
            buf_printf(&b, "%%%02X", *c);
    }
    const char *s = arena_strdup(r->arena, b.data);
    buf_free(&b);
    return s;
}

/* Resolver for /attachments/{id}: the owning node, 0 when absent. */
static int64_t attach_resolve(req_t *r, int64_t id)
{
    if (id <= 0)
        return 0;
    return db_query_int(r->db, "SELECT node_id FROM attachments WHERE id = ?", PARAMS(P_INT(id)), 0);
}

void attach_send(req_t *r, int64_t id)
{
    db_res_t *res = db_query(r->db,
                             "SELECT filename, content_type, data FROM attachments WHERE id = ?",
                             PARAMS(P_INT(id)));
    if (!res) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    if (!db_next(res)) {
        db_res_free(res);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const char *name = arena_strdup(r->arena, db_text(res, 0) ? db_text(res, 0) : "file");
    const char *type = arena_strdup(r->arena, db_text(res, 1) ? db_text(res, 1)
                                                              : "application/octet-stream");
    size_t len = 0;
    const void *data = db_blob(res, 2, &len);
    http_req_t *h = r->http;
    http_respond(h, 200, type, data, len);
    db_res_free(res);
    http_add_header(h, "Content-Disposition", attach_disposition(r, name));
    /* personal documents: kept by no shared cache, nor by the browser */
    h->resp_no_store = false;
    http_add_header(h, "Cache-Control", "private, no-store");
    h->resp_no_gzip = true;
}

static void attach_download(req_t *r)
{
    attach_send(r, r->ids[0]);
}

/* The attachment as the API gives it (no bytes). */
static json_t *attach_json(req_t *r, int64_t id)
{
    json_t *o = db_query_row_json(r->db,
                                  "SELECT id, node_id, owner_kind, owner_id, filename, content_type, "
                                  "size, sha256, created_by, created_at FROM attachments WHERE id = ?",
                                  PARAMS(P_INT(id)));
    static const char *const times[] = {"created_at", NULL};
    if (o)
        api_times_iso(o, times);
    return o ? o : json_object();
}

static bool too_large(const http_file_t *f)
{
    return f && f->len > ATTACH_MAX_BYTES;
}

/* The documents section of a node's page, and of a unit's staff home: the
 * files (when the reader may read them) and the upload form (when they may
 * add one); back is where the form returns to. */
static json_t *documents_section(req_t *r, int64_t node_id, const char *path, const char *back)
{
    bool can_read = app_can_at_path(r, PERM_ATTACH_READ, path);
    bool can_write = app_can_at_path(r, PERM_ATTACH_WRITE, path);
    return json_pack("{s:s, s:i, s:b, s:o, s:b, s:s, s:s, s:o}", "partial", "attach/documents",
                     "order", 20, "aside", 0, "documents",
                     can_read ? attach_list_page(r, "node", node_id, 200, 0) : json_array(),
                     "can_upload", can_write, "upload_action",
                     arena_printf(r->arena, "/admin/nodes/%lld/documents", (long long)node_id),
                     "back", back, "upload_error", json_null());
}

static void attach_node_sections(req_t *r, int64_t node_id, const char *path, json_t *sections)
{
    if (!app_can_at_path(r, PERM_ATTACH_READ, path))
        return;
    /* on the home page the form comes back home */
    const char *back = str_eq(r->path, "/") ? "/" : nodes_href(r, node_id);
    json_array_append_new(sections, documents_section(r, node_id, path, back));
}

/* Where the form returns after an upload: its "back" field when it is a
 * local page (the home page or this node's page), else the node's page. */
static const char *upload_back(req_t *r, int64_t node_id)
{
    const char *back = req_form(r, "back");
    const char *node_page = nodes_href(r, node_id);
    return back && (str_eq(back, "/") || str_eq(back, node_page)) ? back : node_page;
}

/* An upload refused: the form again with the page's error summary, in the
 * page's language (413 for a file over the limit, else 422). */
static void upload_refused(req_t *r, int64_t node_id, const http_file_t *f, const char *msgid)
{
    node_t n;
    if (nodes_load(r->db, r->arena, node_id, &n) != 0)
        return app_fail(r, RES_NOT_FOUND, NULL, NULL);
    json_t *s = documents_section(r, node_id, n.path, upload_back(r, node_id));
    json_t *errors = json_pack("{s:s}", "file", msgid ? msgid : N_("Choose a file to send."));
    json_t *m = json_pack("{s:s, s:s, s:s, s:o}", "title", T(r, N_("Add a document")), "node_name",
                          nodes_display_name(r, n.name, n.name_ar), "cancel_href",
                          upload_back(r, node_id), "section", s);
    model_form_errors(r, m, errors);
    json_decref(errors);
    page_render(r, too_large(f) ? 413 : 422, "attach/upload", m);
}

static void attach_page_upload(req_t *r)
{
    int64_t node_id = r->node_id > 0 ? r->node_id : r->ids[0];
    const http_file_t *f = http_file(r->http, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    res_t rc = attach_store(r->db, node_id, "node", node_id, f, r->user ? r->user->id : 0,
                            req_ip(r), &id, &msgid);
    if (rc == RES_INVALID)
        return upload_refused(r, node_id, f, msgid);
    if (rc != RES_OK)
        return app_fail(r, rc, msgid, NULL);
    page_redirect_flash(r, upload_back(r, node_id), N_("The document was added."));
}

static void attach_api_list(req_t *r)
{
    int64_t node_id = r->node_id > 0 ? r->node_id : r->ids[0];
    json_t *errors = json_object();
    int64_t limit = 50, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors) > 0) {
        app_fail(r, RES_INVALID, N_("Some information is not valid."), errors);
        return;
    }
    json_decref(errors);
    json_t *items = attach_list_page(r, "node", node_id, limit, offset);
    static const char *const times[] = {"created_at", NULL};
    api_times_iso(items, times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                               (json_int_t)attach_count(r->db, "node", node_id)));
}

static void attach_api_upload(req_t *r)
{
    int64_t node_id = r->node_id > 0 ? r->node_id : r->ids[0];
    const http_file_t *f = http_file(r->http, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    res_t rc = attach_store(r->db, node_id, "node", node_id, f, r->user ? r->user->id : 0,
                            req_ip(r), &id, &msgid);
    if (rc == RES_INVALID) {
        json_t *fields = json_pack("{s:s}", "file", msgid ? msgid : N_("Choose a file to send."));
        respond_error(r, too_large(f) ? 413 : 422, too_large(f) ? "too_large" : "invalid",
                      msgid ? msgid : N_("Choose a file to send."), fields);
        return;
    }
    if (rc != RES_OK)
        return app_fail(r, rc, msgid, NULL);
    api_send(r, 201, attach_json(r, id));
}

static const route_t attach_routes[] = {
    {"GET", "/attachments/{id}", PERM_ATTACH_READ, attach_resolve, attach_download, 0},
    {"POST", "/admin/nodes/{id}/documents", PERM_ATTACH_WRITE, nodes_resolve,
     attach_page_upload, ROUTE_FORM | ROUTE_UPLOAD},
    {"GET", "/api/v1/nodes/{id}/attachments", PERM_ATTACH_READ, nodes_resolve,
     attach_api_list, 0},
    {"POST", "/api/v1/nodes/{id}/attachments", PERM_ATTACH_WRITE, nodes_resolve,
     attach_api_upload, ROUTE_UPLOAD},
};

static const char *attach_describe(req_t *r, int64_t id, const char **href)
{
    db_res_t *res = db_query(r->db, "SELECT filename, node_id FROM attachments WHERE id = ?",
                             PARAMS(P_INT(id)));
    const char *name = NULL;
    int64_t node = 0;
    if (res) {
        if (db_next(res)) {
            name = arena_strdup(r->arena, db_text(res, 0));
            node = db_int(res, 1);
        }
        db_res_free(res);
    }
    if (name && app_authorize(r, PERM_ATTACH_READ, node) == AUTHZ_ALLOW)
        *href = arena_printf(r->arena, "/attachments/%lld", (long long)id);
    return name;
}

static const app_field_t attach_fields[] = {
    {"filename", N_("File"), FIELD_TEXT, NULL},
    {"content_type", N_("Type"), FIELD_TEXT, NULL},
    {"size", N_("Size"), FIELD_NUMBER, NULL},
    {"owner_kind", N_("Attached to"), FIELD_CODE, "audit_entity"},
    {"owner_id", N_("Number"), FIELD_NUMBER, NULL},
    {NULL, NULL, FIELD_TEXT, NULL},
};

static const app_entity_t attach_entities[] = {
    {"attachment", N_("audit_entity.attachment"), attach_describe, attach_fields, NULL},
};

static const char *const attach_audit_actions[] = {"upload", NULL};

const module_t attach_module = {
    .name = "attach",
    .migrations = attach_migrations,
    .n_migrations = ATTACH_N_MIGRATIONS,
    .routes = attach_routes,
    .n_routes = ARRAY_LEN(attach_routes),
    .node_sections = attach_node_sections,
    .entities = attach_entities,
    .n_entities = ARRAY_LEN(attach_entities),
    .audit_actions = attach_audit_actions,
};
