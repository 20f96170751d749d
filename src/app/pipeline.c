/* pipeline.c - what happens to every request before its handler runs, in a
 * fixed order: authentication, language, routing, 401, id -> node (404 when
 * absent or outside scope), permission (403), body type (415); then, with the
 * body read: CSRF for cookie-authenticated writes, and the handler. Every
 * refusal leaves through one exit (refuse). */
#include "app_internal.h"

#include <string.h>
#include <strings.h>

static bool is_write(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static bool has_body(const http_req_t *h)
{
    return h->content_length > 0 || (h->content_length < 0 && h->content_type);
}

static app_user_t *load_user(req_t *r, int64_t uid)
{
    return g_hooks.load_user ? g_hooks.load_user(r->db, r->arena, uid) : NULL;
}

static void authenticate(req_t *r)
{
    http_req_t *h = r->http;
    int64_t uid = 0;
    const char *authz = h->authorization;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        const char *tok = authz + 7;
        while (*tok == ' ')
            tok++;
        if (api_token_lookup(r->db, tok, &uid) == 0) {
            r->user = load_user(r, uid);
            if (r->user)
                r->auth = AUTH_BEARER;
        }
        return; /* a bearer request never falls back to the cookie */
    }
    const char *cookie = http_cookie(h, SESSION_COOKIE);
    if (cookie) {
        char csrf[128], hash[128];
        if (session_lookup(r->db, cookie, &uid, csrf, sizeof csrf, hash, sizeof hash) == 0) {
            r->user = load_user(r, uid);
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
        const char *pre = http_cookie(h, CSRF_PRE_COOKIE);
        if (pre && strlen(pre) >= 40 && strlen(pre) < 64) {
            r->csrf_secret = pre;
        } else {
            char tok[64];
            token_random(tok, sizeof tok);
            r->csrf_secret = arena_strdup(r->arena, tok);
            http_set_cookie(h, CSRF_PRE_COOKIE, tok, -1, true);
        }
    }
}

/* The language of the page: a language link (?lang=) wins and is kept for
 * this browser (a cookie, not a write: reading a page never changes data);
 * then the browser's choice, the user's saved preference, Accept-Language. */
static void choose_language(req_t *r)
{
    const char *q = http_query(r->http, "lang");
    if (q && i18n_supported(q) && !r->is_api)
        http_set_cookie(r->http, LANG_COOKIE, q, 365 * 24 * 3600, true);
    const char *cookie = r->is_api ? NULL : http_cookie(r->http, LANG_COOKIE);
    if (q && !i18n_supported(q))
        q = NULL;
    if (!q && cookie && i18n_supported(cookie))
        q = cookie;
    r->lang = i18n_negotiate(q, r->user ? r->user->language : NULL, NULL,
                             r->http->accept_language);
}

static bool body_type_ok(const route_t *route, const char *ct)
{
    if ((route->flags & ROUTE_CSV) && http_media_is(ct, "text/csv"))
        return true;
    if ((route->flags & ROUTE_ZIP) && http_media_is(ct, "application/zip"))
        return true;
    if (route->flags & ROUTE_JSON)
        return http_media_is(ct, "application/json") ||
               ((route->flags & ROUTE_UPLOAD) && http_media_is(ct, "multipart/form-data"));
    if (route->flags & (ROUTE_UPLOAD | ROUTE_FORM))
        return http_media_is(ct, "multipart/form-data") ||
               http_media_is(ct, "application/x-www-form-urlencoded");
    return true;
}

/* The decision of the pipeline before the body is read: 0 to go on, or the
 * status of the refusal with its code and message. */
typedef struct {
    int status;
    const char *code;
    const char *msgid;
} refusal_t;

static refusal_t decide(req_t *r)
{
    const route_t *route = NULL;
    int64_t ids[2];
    match_t m = app_route_match(r->method, r->path, &route, ids);
    if (m == MATCH_NOT_FOUND)
        return (refusal_t){404, "not_found", NULL};
    if (m == MATCH_BAD_METHOD) {
        http_add_header(r->http, "Allow", app_route_allow(r->arena, r->path));
        return (refusal_t){405, "method_not_allowed", NULL};
    }
    r->route = route;
    r->ids[0] = ids[0];
    r->ids[1] = ids[1];

    if (route->perm != PERM_PUBLIC && !r->user)
        return (refusal_t){401, "unauthorized", N_("Please sign in.")};
    /* 404 outside scope (as if absent), then 403 */
    if (route->resolve) {
        int64_t node = route->resolve(r, ids[0]);
        if (node <= 0)
            return (refusal_t){404, "not_found", NULL};
        r->node_id = node;
        if (route->check) {
            int st = route->check(r, ids[0]);
            if (st == 404)
                return (refusal_t){404, "not_found", NULL};
            if (st == 403)
                return (refusal_t){403, r->deny_code ? r->deny_code : "forbidden", r->deny_msgid};
        } else if (route->perm != PERM_PUBLIC && route->perm != PERM_AUTHENTICATED) {
            node_kind_t kind;
            if (!g_hooks.ancestry ||
                g_hooks.ancestry(r->db, r->arena, node, &r->node_path, &r->n_node_path, &kind) != 0)
                return (refusal_t){404, "not_found", NULL};
            authz_result_t res = authz_decide(r->user->roles, r->user->n_roles, route->perm,
                                              r->node_path, r->n_node_path, now_utc());
            if (res == AUTHZ_NOT_FOUND)
                return (refusal_t){404, "not_found", NULL};
            if (res == AUTHZ_FORBIDDEN)
                return (refusal_t){403, "forbidden", NULL};
        }
    } else if (route->perm != PERM_PUBLIC && !app_user_can_anywhere(r, route->perm)) {
        return (refusal_t){403, "forbidden", NULL};
    } else if (route->check) {
        /* a route without an id may still have its own rule (kits: the
         * administrators and quality advisors only), decided before the body */
        int st = route->check(r, 0);
        if (st == 404)
            return (refusal_t){404, "not_found", NULL};
        if (st == 403)
            return (refusal_t){403, r->deny_code ? r->deny_code : "forbidden", r->deny_msgid};
    }
    /* 415: a body of the wrong type (no body is fine where none is needed) */
    if (is_write(r->method) && has_body(r->http) && !body_type_ok(route, r->http->content_type))
        return (refusal_t){415, "unsupported_media_type", NULL};
    return (refusal_t){0, NULL, NULL};
}

/* The application's request, hung on the protocol's. */
static req_t *req_new(http_req_t *h)
{
    req_t *r = arena_alloc(h->arena, sizeof *r);
    h->app = r;
    r->http = h;
    r->arena = h->arena;
    r->method = h->method;
    r->path = h->path;
    r->is_api = h->is_api;
    r->lang = I18N_DEFAULT;
    return r;
}

bool app_prepare(http_req_t *h)
{
    req_t *r = req_new(h);
    r->db = app_thread_db();
    if (!r->db) {
        respond_error(r, 503, "unavailable", NULL, NULL);
        return false;
    }
    authenticate(r);
    choose_language(r);
    refusal_t no = decide(r);
    if (no.status) {
        respond_error(r, no.status, no.code, no.msgid, NULL);
        return false;
    }
    h->body_limit = (r->route->flags & ROUTE_UPLOAD) ? HTTP_MAX_UPLOAD : HTTP_MAX_BODY;
    h->run_slow = (r->route->flags & ROUTE_SLOW) != 0;
    return true;
}

void app_handle(http_req_t *h)
{
    req_t *r = h->app;
    if (h->status || !r)
        return;
    /* a slow handler runs on a worker thread: that thread's connection */
    r->db = app_thread_db();
    r->json = h->json;
    if (!r->route || !r->db) {
        respond_error(r, r->db ? 404 : 503, r->db ? "not_found" : "unavailable", NULL, NULL);
        return;
    }
    /* CSRF follows the authentication: every cookie-authenticated write */
    if (r->auth == AUTH_SESSION && is_write(r->method) && !(r->route->flags & ROUTE_NO_CSRF)) {
        const char *tok = http_form(h, CSRF_FIELD);
        if (!tok && h->csrf_header)
            tok = h->csrf_header;
        if (!tok || !r->csrf_secret || !csrf_check(r->csrf_secret, tok)) {
            respond_error(r, 403, "csrf",
                          N_("This form has expired. Go back, reload the page and try again."), NULL);
            return;
        }
    }
    /* every JSON route: a body that parses but is no object is malformed */
    if (r->json && (r->route->flags & ROUTE_JSON) && !json_is_object(r->json)) {
        api_body_refuse(r);
        return;
    }
    r->route->handler(r);
    if (!h->status) {
        log_error("handler for %s %s set no response", r->method, r->route->pattern);
        respond_error(r, 500, "internal", NULL, NULL);
    }
}

/* Errors raised by the HTTP layer itself (413, 400 on a malformed body). */
void app_http_error(http_req_t *h, int status)
{
    /* before the pipeline ran: a context just for the answer */
    req_t *r = h->app ? h->app : req_new(h);
    if (!r->lang)
        r->lang = I18N_DEFAULT;
    const char *code = status == 413 ? "too_large" : status == 400 ? "bad_request" : "error";
    respond_error(r, status, code, NULL, NULL);
}
