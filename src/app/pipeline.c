/* pipeline.c - what happens to every request before its handler runs, in a
 * fixed order: language, authentication, routing, 401, id -> node (404 when
 * absent or outside scope), permission (403), body type (415); then, with the
 * body read: CSRF for cookie-authenticated writes, and the handler. */
#include "app_internal.h"
#include "../org/org.h"

#include <string.h>

static bool is_write(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static bool type_is(const char *ct, const char *want)
{
    if (!ct)
        return false;
    size_t n = strlen(want);
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool has_body(req_t *r)
{
    return r->content_length > 0 || (r->content_length < 0 && r->content_type);
}

static void authenticate(req_t *r)
{
    int64_t uid = 0;
    const char *authz = r->authorization;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        const char *tok = authz + 7;
        while (*tok == ' ')
            tok++;
        if (r->db && api_token_lookup(r->db, tok, &uid) == 0) {
            r->user = org_user_ctx_load(r->db, r->arena, uid);
            if (r->user)
                r->auth = AUTH_BEARER;
        }
        return; /* a bearer request never falls back to the cookie */
    }
    const char *cookie = http_cookie(r, SESSION_COOKIE);
    if (cookie && r->db) {
        char csrf[128], hash[128];
        if (session_lookup(r->db, cookie, &uid, csrf, sizeof csrf, hash, sizeof hash) == 0) {
            r->user = org_user_ctx_load(r->db, r->arena, uid);
            if (r->user) {
                r->auth = AUTH_SESSION;
                r->csrf_secret = arena_strdup(r->arena, csrf);
                r->session_hash = arena_strdup(r->arena, hash);
            } else {
                session_delete(r->db, hash);
            }
        }
    }
    if (!r->user && !r->is_api) {
        /* before a session exists (login form): a secret in its own cookie */
        const char *pre = http_cookie(r, CSRF_PRE_COOKIE);
        if (pre && strlen(pre) >= 40 && strlen(pre) < 64) {
            r->csrf_secret = pre;
        } else {
            char tok[64];
            token_random(tok, sizeof tok);
            r->csrf_secret = arena_strdup(r->arena, tok);
            http_set_cookie(r, CSRF_PRE_COOKIE, tok, -1, true);
        }
    }
}

static void choose_language(req_t *r)
{
    const char *q = http_query(r, "lang");
    if (q && i18n_supported(q) && !r->is_api) {
        http_set_cookie(r, LANG_COOKIE, q, 365 * 24 * 3600, true);
        /* the language links of the pages are the user's choice: keep it */
        if (r->user && strcmp(r->method, "GET") == 0 && !str_eq(r->user->language, q) &&
            org_user_set_language(r->db, r->user->id, q, req_ip(r)) == DB_OK)
            r->user->language = arena_strdup(r->arena, q);
    }
    r->lang = i18n_negotiate(q, r->user ? r->user->language : NULL, http_cookie(r, LANG_COOKIE),
                             r->accept_language);
}

bool app_prepare(req_t *r)
{
    const route_t *route = NULL;
    int64_t ids[2] = {0, 0};
    r->lang = I18N_DEFAULT;
    if (!r->db) {
        respond_error(r, 503, "unavailable", NULL, NULL);
        return false;
    }
    authenticate(r);
    choose_language(r);

    const char *method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
    match_t m = http_route_match(g_modules.tables, g_modules.ntables, method, r->path, &route, ids);
    if (m == MATCH_NOT_FOUND) {
        respond_error(r, 404, "not_found", NULL, NULL);
        return false;
    }
    if (m == MATCH_BAD_METHOD) {
        respond_error(r, 405, "method_not_allowed", NULL, NULL);
        return false;
    }
    r->route = route;
    r->ids[0] = ids[0];
    r->ids[1] = ids[1];

    /* 401 */
    if (route->perm != PERM_PUBLIC && !r->user) {
        respond_error(r, 401, "unauthorized", N_("Please sign in."), NULL);
        return false;
    }
    /* 404 outside scope, then 403 */
    if (route->resolve) {
        int64_t node = route->resolve(r, ids[0]);
        if (node <= 0) {
            respond_error(r, 404, "not_found", NULL, NULL);
            return false;
        }
        r->node_id = node;
        if (route->perm != PERM_PUBLIC && route->perm != PERM_AUTHENTICATED) {
            node_kind_t kind;
            if (org_node_ancestry(r->db, r->arena, node, &r->node_path, &r->n_node_path, &kind) != 0) {
                respond_error(r, 404, "not_found", NULL, NULL);
                return false;
            }
            authz_result_t res = authz_decide(r->user->roles, r->user->n_roles, route->perm,
                                              r->node_path, r->n_node_path, now_utc());
            if (res != AUTHZ_ALLOW) {
                respond_error(r, (int)res, res == AUTHZ_FORBIDDEN ? "forbidden" : "not_found",
                              NULL, NULL);
                return false;
            }
        }
    } else if (!app_user_can_anywhere(r, route->perm) && route->perm != PERM_PUBLIC) {
        respond_error(r, 403, "forbidden", NULL, NULL);
        return false;
    }
    /* 415: a body of the wrong type (no body is fine where none is needed) */
    if (is_write(r->method) && has_body(r)) {
        const char *ct = r->content_type;
        bool ok = true;
        if (route->flags & ROUTE_JSON)
            ok = type_is(ct, "application/json") ||
                 ((route->flags & ROUTE_UPLOAD) && type_is(ct, "multipart/form-data"));
        else if (route->flags & ROUTE_UPLOAD)
            ok = type_is(ct, "multipart/form-data") || type_is(ct, "application/x-www-form-urlencoded");
        else if (route->flags & ROUTE_FORM)
            ok = type_is(ct, "application/x-www-form-urlencoded") || type_is(ct, "multipart/form-data");
        if (!ok) {
            respond_error(r, 415, "unsupported_media_type", NULL, NULL);
            return false;
        }
    }
    return true;
}

void app_handle(req_t *r)
{
    if (r->status)
        return;
    if (!r->route) {
        respond_error(r, 404, "not_found", NULL, NULL);
        return;
    }
    /* CSRF follows the authentication: every cookie-authenticated write */
    if (r->auth == AUTH_SESSION && is_write(r->method) && !(r->route->flags & ROUTE_NO_CSRF)) {
        const char *tok = http_form(r, CSRF_FIELD);
        if (!tok && r->csrf_header)
            tok = r->csrf_header;
        if (!tok || !r->csrf_secret || !csrf_check(r->csrf_secret, tok)) {
            respond_error(r, 403, "csrf",
                          N_("This form has expired. Go back, reload the page and try again."), NULL);
            return;
        }
    }
    if (r->json && (r->route->flags & ROUTE_JSON) && !json_is_object(r->json)) {
        respond_error(r, 422, "invalid", N_("The request body must be a JSON object."), NULL);
        return;
    }
    r->route->handler(r);
    if (!r->status) {
        log_error("handler for %s %s set no response", r->method, r->route->pattern);
        respond_error(r, 500, "internal", NULL, NULL);
    }
}

/* Errors raised by the HTTP layer itself (413, 400 on a malformed body). */
void app_http_error(req_t *r, int status)
{
    if (!r->lang)
        r->lang = I18N_DEFAULT;
    const char *code = status == 413 ? "too_large" : status == 400 ? "bad_request" : "error";
    respond_error(r, status, code, NULL, NULL);
}
