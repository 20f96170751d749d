/* attach_pages.c - the routes of the attachments service: download (only
 * for those who may read the owning node), upload from a node page, and the
 * JSON API of a node's documents. */
#include "../app/app.h"
#include "../org/org.h"
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

static void attach_download(req_t *r)
{
    db_res_t *res = db_query(r->db,
                             "SELECT filename, content_type, data FROM attachments WHERE id = ?",
                             PARAMS(P_INT(r->ids[0])));
    if (!res) {
        respond_error(r, 500, "db", NULL, NULL);
        return;
    }
    if (!db_next(res)) {
        db_res_free(res);
        respond_error(r, 404, "not_found", N_("This page does not exist."), NULL);
        return;
    }
    const char *name = arena_strdup(r->arena, db_text(res, 0) ? db_text(res, 0) : "file");
    const char *type = arena_strdup(r->arena, db_text(res, 1) ? db_text(res, 1)
                                                              : "application/octet-stream");
    size_t len = 0;
    const void *data = db_blob(res, 2, &len);
    http_respond(r, 200, type, data, len);
    db_res_free(res);
    http_add_header(r, "Content-Disposition", attach_disposition(r, name));
    /* personal documents: kept by no shared cache, nor by the browser */
    r->resp_no_store = false;
    http_add_header(r, "Cache-Control", "private, no-store");
    r->resp_no_gzip = true;
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

static int attach_error_status(const http_file_t *f)
{
    return f && f->len > ATTACH_MAX_BYTES ? 413 : 422;
}

static void attach_page_upload(req_t *r)
{
    int64_t node_id = r->node_id > 0 ? r->node_id : r->ids[0];
    const http_file_t *f = http_file(r, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    int rc = attach_store(r->db, node_id, "node", node_id, f, r->user ? r->user->id : 0, req_ip(r),
                          &id, &msgid);
    if (rc != 0) {
        /* the error page says what was wrong; the node page has the form again */
        respond_error(r, rc == -1 ? attach_error_status(f) : 503, "invalid",
                      msgid ? msgid : N_("Choose a file to send."), NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/admin/nodes/%lld", (long long)node_id),
                        N_("The document was added."));
}

static void attach_api_list(req_t *r)
{
    int64_t node_id = r->node_id > 0 ? r->node_id : r->ids[0];
    json_t *errors = json_object();
    int64_t limit = 50, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors) > 0) {
        respond_error(r, 422, "invalid", N_("Some information is not valid."), errors);
        return;
    }
    json_decref(errors);
    json_t *items = attach_list_page(r->db, "node", node_id, r->lang, limit, offset);
    static const char *const times[] = {"created_at", NULL};
    api_times_iso(items, times);
    api_send(r, 200, json_pack("{s:o, s:I}", "items", items, "total",
                               (json_int_t)attach_count(r->db, "node", node_id)));
}

static void attach_api_upload(req_t *r)
{
    int64_t node_id = r->node_id > 0 ? r->node_id : r->ids[0];
    const http_file_t *f = http_file(r, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    int rc = attach_store(r->db, node_id, "node", node_id, f, r->user ? r->user->id : 0, req_ip(r),
                          &id, &msgid);
    if (rc != 0) {
        json_t *fields = json_pack("{s:s}", "file", msgid ? msgid : N_("Choose a file to send."));
        respond_error(r, rc == -1 ? attach_error_status(f) : 503,
                      rc == -1 ? (f && f->len > ATTACH_MAX_BYTES ? "too_large" : "invalid") : "busy",
                      msgid ? msgid : N_("Choose a file to send."), fields);
        return;
    }
    api_send(r, 201, attach_json(r, id));
}

void attach_node_model(req_t *r, json_t *model, int64_t node_id)
{
    bool can_read = app_authorize(r, PERM_ATTACH_READ, node_id) == AUTHZ_ALLOW;
    bool can_write = app_authorize(r, PERM_ATTACH_WRITE, node_id) == AUTHZ_ALLOW;
    json_object_set_new(model, "documents",
                        can_read ? attach_list_page(r->db, "node", node_id, r->lang, 200, 0)
                                 : json_array());
    json_object_set_new(model, "can_upload", json_boolean(can_write));
    json_object_set_new(model, "upload_action",
                        json_string(arena_printf(r->arena, "/admin/nodes/%lld/documents",
                                                 (long long)node_id)));
}

const route_t attach_routes[] = {
    {"GET", "/attachments/{id}", PERM_ATTACH_READ, attach_resolve, attach_download, 0},
    {"POST", "/admin/nodes/{id}/documents", PERM_ATTACH_WRITE, org_resolve_node,
     attach_page_upload, ROUTE_FORM | ROUTE_UPLOAD},
    {"GET", "/api/v1/nodes/{id}/attachments", PERM_ATTACH_READ, org_resolve_node,
     attach_api_list, 0},
    {"POST", "/api/v1/nodes/{id}/attachments", PERM_ATTACH_WRITE, org_resolve_node,
     attach_api_upload, ROUTE_UPLOAD},
};
const size_t attach_routes_count = ARRAY_LEN(attach_routes);
