/* capit_access.c - who may read, write and publish a capitalisation sheet
 * (the rules are stated in capit_internal.h), decided from the reader's
 * live roles and the sheet's node path and status before its content is
 * used; the route's check, run before the body is read. */
#include "capit_internal.h"

#include <string.h>

static const role_t eps_writers[] = {ROLE_DIRECTOR, ROLE_QUALITY_REFERENT};
static const role_t publishers[] = {ROLE_ADMIN, ROLE_QUALITY_ADVISOR};

bool cap_may_publish_at(req_t *r, const char *path)
{
    return r->user && path && app_role_over(r, path, publishers, ARRAY_LEN(publishers));
}

bool cap_may_write_at(req_t *r, const char *path)
{
    return r->user && path &&
           (app_role_over(r, path, eps_writers, ARRAY_LEN(eps_writers)) ||
            cap_may_publish_at(r, path));
}

cap_access_t cap_access(req_t *r, const char *path, cap_status_t status)
{
    if (!r->user || !path)
        return CAP_NONE;
    if (cap_may_publish_at(r, path))
        return CAP_PUBLISH;
    if (cap_may_write_at(r, path))
        return CAP_WRITE;
    if (cap_is_public(status) || app_can_at_path(r, PERM_QUALITY_READ, path))
        return CAP_READ;
    return CAP_NONE;
}

int64_t cap_resolve(req_t *r, int64_t id)
{
    return db_query_int(r->db, "SELECT node_id FROM sheets WHERE id = ?", PARAMS(P_INT(id)), 0);
}

static const char *refusal(cap_access_t need)
{
    return need == CAP_PUBLISH
               ? N_("Only a quality advisor or an administrator over the establishment publishes "
                    "its sheets.")
               : N_("The director and the quality referent of the establishment write its sheets; "
                    "you may read them.");
}

/* What the reader may do with sheet id (CAP_NONE when absent). */
static cap_access_t access_of(req_t *r, int64_t id)
{
    db_res_t *res = db_query(r->db, "SELECT node_path, status FROM sheets WHERE id = ?",
                             PARAMS(P_INT(id)));
    cap_access_t got = CAP_NONE;
    if (res && db_next(res)) {
        int st = cap_status_from_code(db_text(res, 1));
        got = cap_access(r, db_text(res, 0), st < 0 ? CAP_DRAFT : (cap_status_t)st);
    }
    db_res_free(res);
    return got;
}

int cap_check(req_t *r, int64_t id)
{
    return access_of(r, id) == CAP_NONE ? 404 : 0;
}

int cap_check_write(req_t *r, int64_t id)
{
    cap_access_t got = access_of(r, id);
    if (got == CAP_NONE)
        return 404;
    if (got < CAP_WRITE) {
        r->deny_msgid = refusal(CAP_WRITE);
        return 403;
    }
    return 0;
}

sheet_t *cap_of_route(req_t *r, cap_access_t need)
{
    sheet_t *s = arena_alloc(r->arena, sizeof *s);
    cap_access_t got = cap_load(r->db, r->arena, r->ids[0], s) == 0
                           ? cap_access(r, s->node_path, s->status)
                           : CAP_NONE;
    if (got == CAP_NONE) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    if (got < need) {
        app_fail(r, RES_FORBIDDEN, refusal(need), NULL);
        return NULL;
    }
    return s;
}

static bool keep_writable_eps(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    (void)ctx;
    return kind == NODE_EPS && cap_may_write_at(r, app_path_text(r->arena, path, n));
}

json_t *cap_writable_eps(req_t *r, int64_t selected)
{
    return nodes_options(r, PERM_QUALITY_WRITE, 0, selected, keep_writable_eps, NULL);
}

void cap_fail_transition(req_t *r, const sheet_t *s)
{
    cap_status_t out[4];
    size_t n = cap_allowed(s->status, cap_may_write_at(r, s->node_path),
                           cap_may_publish_at(r, s->node_path), out);
    const char *msg = s->status == CAP_PUBLISHED
                          ? N_("A published sheet no longer changes: edit it to write its next "
                               "version.")
                          : N_("The sheet is no longer at this step: reload it.");
    if (r->is_api) {
        json_t *allowed = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(allowed, json_string(cap_status_code(out[i])));
        api_send(r, 409,
                 json_pack("{s:{s:s, s:s, s:s, s:o}}", "error", "code", "conflict", "message",
                           T(r, msg), "status", cap_status_code(s->status), "allowed", allowed));
        return;
    }
    app_fail(r, RES_CONFLICT, msg, NULL);
}

void cap_fail_open_version(req_t *r, int64_t open_id)
{
    const char *msg = N_("A new version of this sheet is already being written: continue it.");
    if (r->is_api) {
        api_send(r, 409,
                 json_pack("{s:{s:s, s:s, s:I, s:s}}", "error", "code", "conflict", "message",
                           T(r, msg), "open_id", (json_int_t)open_id, "href",
                           arena_printf(r->arena, "/api/v1/sheets/%lld", (long long)open_id)));
        return;
    }
    app_fail(r, RES_CONFLICT, msg, NULL);
}
