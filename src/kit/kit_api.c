/* kit_api.c - the kits in the JSON API: GET /api/v1/kits/export (the zip,
 * as an attachment; ?node_id= the root or the association whose kit it is,
 * by default the reader's: the root, or their association) and POST /api/v1/kits/import (the zip as the body,
 * application/zip, or as the multipart field "kit"; ?dry_run=1 previews,
 * ?allow_unsigned=1 accepts an unsigned kit or an unknown key, ?node_id=
 * the association receiving sheets and documents) answering 200 with the
 * report, 422 with a code when the kit is refused. */
#include "kit_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Refuses (403) those who do not use kits. */
static bool kit_allowed(req_t *r)
{
    if (kit_can_use(r))
        return true;
    respond_error(r, 403, "forbidden",
                  N_("Transfer kits are for administrators and quality advisors."), NULL);
    return false;
}

/* The kit as a download: built in memory, sent from an anonymous file.
 * What it holds: what is placed at the reader's node (the root for the
 * national kit users, else their association; ?node_id= another root or
 * association they write quality work at) and below, and the national
 * (and association's) items above it. */
void kit_send_export(req_t *r)
{
    int64_t want = 0;
    const char *node_s = req_query(r, "node_id");
    if (node_s && *node_s) {
        const char *end = NULL;
        if (!id_parse(node_s, &end, &want) || *end || want <= 0) {
            json_t *errors = json_object();
            v_error(errors, "node_id", N_("Choose the whole country or an association."));
            app_fail(r, RES_INVALID, NULL, errors);
            return;
        }
    }
    const char *path = NULL;
    int64_t node = kit_target_node(r->db, r->arena, want ? want : kit_default_node(r), &path);
    if (node <= 0 || !app_can_at_path(r, PERM_QUALITY_WRITE, path)) {
        app_fail(r, RES_NOT_FOUND, N_("Choose the whole country or an association."), NULL);
        return;
    }
    void *zip = NULL;
    size_t len = 0;
    bool is_signed = false;
    const char *msgid = NULL;
    if (kit_export(r->db, r->arena, path, &zip, &len, &is_signed, &msgid) != RES_OK) {
        app_fail(r, RES_ERROR, msgid, NULL);
        return;
    }
    int fd = memfd_create("jouda-kit", MFD_CLOEXEC);
    bool ok = fd >= 0;
    for (size_t off = 0; ok && off < len;) {
        ssize_t n = write(fd, (const char *)zip + off, len - off);
        if (n <= 0)
            ok = false;
        else
            off += (size_t)n;
    }
    free(zip);
    if (!ok) {
        if (fd >= 0)
            close(fd);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    char day[11];
    iso_day_local(now_utc(), day);
    http_add_header(r->http, "X-Jouda-Kit-Signed", is_signed ? "1" : "0");
    app_send_fd(r, fd, "application/zip", arena_printf(r->arena, "jouda-kit-%s.zip", day));
}

void kit_api_export(req_t *r)
{
    if (kit_allowed(r))
        kit_send_export(r);
}

/* "1"/"true" -> true; absent or "0"/"false" -> false; else *bad. */
static bool flag(req_t *r, const char *key, bool *bad)
{
    const char *v = req_query(r, key);
    if (!v || str_eq(v, "0") || str_eq(v, "false") || !*v)
        return false;
    if (str_eq(v, "1") || str_eq(v, "true"))
        return true;
    *bad = true;
    return false;
}

void kit_api_import(req_t *r)
{
    if (!kit_allowed(r))
        return;
    json_t *errors = json_object();
    bool bad = false;
    kit_opts_t o = {.actor = r->user->id, .ip = req_ip(r)};
    o.apply = !flag(r, "dry_run", &bad);
    if (bad)
        v_error(errors, "dry_run", N_("Expected 1 or 0."));
    bad = false;
    o.allow_unsigned = flag(r, "allow_unsigned", &bad);
    if (bad)
        v_error(errors, "allow_unsigned", N_("Expected 1 or 0."));
    const char *node_s = req_query(r, "node_id");
    if (node_s && *node_s) {
        const char *end = NULL;
        if (!id_parse(node_s, &end, &o.node_id) || *end)
            v_error(errors, "node_id", N_("Choose the whole country or an association."));
    }
    const void *data = NULL;
    size_t len = 0;
    const http_file_t *f = http_file(r->http, "kit");
    if (f) {
        data = f->data;
        len = f->len;
    } else if (http_media_is(r->http->content_type, "application/zip") && r->http->body_len) {
        data = r->http->body;
        len = r->http->body_len;
    }
    if (!data || !len)
        v_error(errors, "kit",
                N_("Send the kit: a zip file as the body (application/zip) or as the field \"kit\" "
                   "of a multipart form."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    /* where the sheets and documents go: the reader's to write at */
    const char *path = NULL;
    int64_t node = kit_target_node(r->db, r->arena, o.node_id ? o.node_id : kit_default_node(r),
                                   &path);
    if (node <= 0 || !app_can_at_path(r, PERM_QUALITY_WRITE, path)) {
        respond_error(r, 404, "not_found", N_("Choose the whole country or an association."), NULL);
        return;
    }
    o.node_id = node;
    json_t *report = NULL;
    const char *msg = NULL, *code = NULL;
    res_t rc = kit_import_at(r, r->db, r->arena, data, len, &o, 0, &report, &msg, &code);
    if (rc == RES_OK) {
        api_send(r, 200, report);
        return;
    }
    if (rc == RES_INVALID) {
        respond_error(r, 422, code ? code : "kit_invalid", msg, NULL);
        return;
    }
    app_fail(r, rc, msg, NULL);
}
