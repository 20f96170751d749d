/* page.c - the two views of one model: HTML pages rendered through the
 * layout, and JSON for the API; errors in the user's language; one-time
 * flash messages after a redirect. */
#include "app_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Percent-encode everything but [A-Za-z0-9/._-]: safe in a URL and a cookie. */
void app_url_encode(buf_t *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '_' || c == '.')
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

const char *T(req_t *r, const char *msgid)
{
    return i18n_gettext(r->lang ? r->lang : I18N_DEFAULT, msgid);
}

const char *TN(req_t *r, const char *one, const char *many, unsigned long n)
{
    return i18n_ngettext(r->lang ? r->lang : I18N_DEFAULT, one, many, n);
}

static const char *tr_gettext(void *ctx, const char *msgid)
{
    return i18n_gettext((const char *)ctx, msgid);
}

static const char *tr_ngettext(void *ctx, const char *one, const char *many, long n)
{
    return i18n_ngettext((const char *)ctx, one, many, n < 0 ? 0 : (unsigned long)n);
}

const char *TF(req_t *r, const char *msgid, long long n, long long m)
{
    long long nums[2] = {n, m};
    return text_fill_numbers(r->arena, T(r, msgid), nums, 2);
}

const char *app_number(req_t *r, long long n)
{
    char digits[32];
    /* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
    unsigned long long mag = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    snprintf(digits, sizeof digits, "%llu", mag);
    size_t len = strlen(digits);
    if (len < 5 || str_eq(r->lang, "ar"))
        return arena_printf(r->arena, "%s%s", n < 0 ? "-" : "", digits);
    /* 12 345 (narrow no-break spaces) in French, 12,345 in English */
    const char *sep = str_eq(r->lang, "en") ? "," : "\u202f";
    buf_t b;
    buf_init(&b);
    if (n < 0)
        buf_putc(&b, '-');
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf_puts(&b, sep);
        buf_putc(&b, digits[i]);
    }
    const char *out = arena_strdup(r->arena, b.data);
    buf_free(&b);
    return out;
}

static const char *error_text(req_t *r, json_t *v)
{
    if (json_is_string(v))
        return T(r, json_string_value(v));
    if (json_is_object(v)) {
        const char *msgid = json_string_value(json_object_get(v, "msgid"));
        if (!msgid)
            return "";
        return TF(r, msgid, json_integer_value(json_object_get(v, "n")),
                  json_integer_value(json_object_get(v, "m")));
    }
    return "";
}

json_t *app_errors_translate(req_t *r, json_t *errors)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v) json_object_set_new(out, k, json_string(error_text(r, v)));
    return out;
}

static bool nav_current(req_t *r, const char *href)
{
    size_t hl = strlen(href);
    return strcmp(r->path, href) == 0 ||
           (hl > 1 && strncmp(r->path, href, hl) == 0 && r->path[hl] == '/');
}

typedef struct {
    const app_menu_t *entry;
} nav_item_t;

static int nav_cmp(const void *a, const void *b)
{
    const app_menu_t *x = ((const nav_item_t *)a)->entry, *y = ((const nav_item_t *)b)->entry;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The main menu: every module's entries the user may use, by order. */
static json_t *build_nav(req_t *r)
{
    json_t *nav = json_array();
    if (!r->user)
        return nav;
    nav_item_t items[64];
    size_t n = 0;
    for (size_t m = 0; m < app_module_count(); m++) {
        const module_t *mod = app_module(m);
        for (size_t i = 0; i < mod->n_menu && n < ARRAY_LEN(items); i++)
            if (app_user_can_anywhere(r, mod->menu[i].perm) &&
                (!mod->menu[i].visible || mod->menu[i].visible(r)))
                items[n++] = (nav_item_t){&mod->menu[i]};
    }
    qsort(items, n, sizeof *items, nav_cmp);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(nav, json_pack("{s:s, s:s, s:b}", "href", items[i].entry->path,
                                             "label", T(r, items[i].entry->label), "current",
                                             nav_current(r, items[i].entry->path)));
    return nav;
}

/* Counters in the header (unread notifications...). */
static json_t *build_badges(req_t *r)
{
    json_t *out = json_array();
    if (!r->user)
        return out;
    for (size_t m = 0; m < app_module_count(); m++) {
        const app_badge_t *b = app_module(m)->badge;
        if (!b)
            continue;
        int64_t count = b->count ? b->count(r) : 0;
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:b}", "href", b->href, "label", T(r, b->label),
                              "short", T(r, b->short_label ? b->short_label : b->label), "count",
                              (json_int_t)count, "current", nav_current(r, b->href));
        json_object_set_new(o, arena_printf(r->arena, "icon_%s", b->icon ? b->icon : "dot"),
                            json_true());
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *build_langs(req_t *r)
{
    static const char *const codes[] = {"fr", "ar", "en"};
    static const char *const names[] = {"Français", "العربية", "English"};
    json_t *a = json_array();
    const char *next = NULL;
    const char *q = http_query(r->http, "next");
    if (strcmp(r->path, "/login") == 0 && q && q[0] == '/' && q[1] != '/' && q[1] != '\\') {
        buf_t b;
        buf_init(&b);
        app_url_encode(&b, q);
        next = arena_strdup(r->arena, b.data);
        buf_free(&b);
    }
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        /* relative link: the same page in another language, never another site;
         * the sign-in page keeps where to go next */
        const char *href = arena_printf(r->arena, "?lang=%s", codes[i]);
        if (next)
            href = arena_printf(r->arena, "%s&next=%s", href, next);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "code", codes[i], "label",
                                           names[i], "href", href, "current",
                                           strcmp(r->lang, codes[i]) == 0));
    }
    return a;
}

/* The flash cookie holds a msgid; only catalogue strings are ever shown. */
static json_t *take_flash(req_t *r)
{
    const char *raw = http_cookie(r->http, FLASH_COOKIE);
    if (!raw || !*raw)
        return json_null();
    http_set_cookie(r->http, FLASH_COOKIE, "", 0, true);
    size_t n = strlen(raw);
    char *msgid = arena_alloc(r->arena, n + 1);
    if (http_url_decode(msgid, raw, n, false) < 0)
        return json_null();
    const char *text = T(r, msgid);
    if (text == msgid) /* not in the catalogue: ignore */
        return json_null();
    return json_string(text);
}

void page_render(req_t *r, int status, const char *tpl, json_t *model)
{
    char err[512] = "";
    if (!json_is_string(json_object_get(model, "title")))
        json_object_set_new(model, "title", json_string("Jouda"));
    json_object_set_new(model, "lang", json_string(r->lang));
    json_object_set_new(model, "dir", json_string(i18n_dir(r->lang)));
    json_object_set_new(model, "path", json_string(r->path));
    json_object_set_new(model, "nav", build_nav(r));
    json_object_set_new(model, "langs", build_langs(r));
    json_object_set_new(model, "css", json_string(http_static_url("jouda.css")));
    json_object_set_new(model, "js", json_string(http_static_url("jouda.js")));
    json_object_set_new(model, "flash", take_flash(r));
    if (r->csrf_secret) {
        char tok[128];
        csrf_mask(r->csrf_secret, tok, sizeof tok);
        json_object_set_new(model, "csrf", json_string(tok));
    } else {
        json_object_set_new(model, "csrf", json_string(""));
    }
    json_object_set_new(model, "me",
                        r->user ? json_pack("{s:I, s:s}", "id", (json_int_t)r->user->id, "name",
                                            r->user->name ? r->user->name : "")
                                : json_null());
    json_object_set_new(model, "badges", build_badges(r));
    if (!json_object_get(model, "error_summary"))
        json_object_set_new(model, "error_summary", json_array());
    if (!json_object_get(model, "errors"))
        json_object_set_new(model, "errors", json_object());
    if (!json_object_get(model, "values"))
        json_object_set_new(model, "values", json_object());

    tpl_i18n_t tr = {tr_gettext, tr_ngettext, (void *)r->lang};
    http_req_t *h = r->http;
    buf_reset(&h->resp_body);
    if (tpl_render(g_app.tpl, tpl, "layout", model, &tr, &h->resp_body, err, sizeof err) != 0) {
        log_error("template %s: %s", tpl, err);
        json_decref(model);
        buf_reset(&h->resp_body);
        const char *msg = "Internal error while rendering the page.\n";
        http_respond(h, 500, "text/plain; charset=utf-8", msg, strlen(msg));
        return;
    }
    json_decref(model);
    h->status = status;
    h->resp_type = "text/html; charset=utf-8";
}

void api_send(req_t *r, int status, json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    http_req_t *h = r->http;
    buf_reset(&h->resp_body);
    if (s) {
        buf_puts(&h->resp_body, s);
        free(s);
    }
    h->status = status;
    h->resp_type = "application/json; charset=utf-8";
}

void api_body_refuse(req_t *r)
{
    respond_error(r, 400, "bad_request", N_("The request body must be a JSON object."), NULL);
}

bool api_body_object(req_t *r)
{
    if (json_is_object(r->json))
        return true;
    api_body_refuse(r);
    return false;
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return N_("The request could not be understood.");
    case 401: return N_("Please sign in.");
    case 403: return N_("You are not allowed to do this.");
    case 404: return N_("This page does not exist.");
    case 405: return N_("This action is not available here.");
    case 409: return N_("This conflicts with the current state.");
    case 413: return N_("What you sent is too large.");
    case 415: return N_("This kind of content is not accepted here.");
    case 422: return N_("Some information is not valid.");
    case 429: return N_("Too many attempts.");
    case 503: return N_("The service is unavailable.");
    default: return N_("Something went wrong on our side.");
    }
}

void app_deny(req_t *r, const char *code, const char *msgid, const char *href, const char *link)
{
    r->deny_code = code;
    r->deny_msgid = msgid;
    r->deny_href = href;
    r->deny_link = link;
}

void respond_error(req_t *r, int status, const char *code, const char *msgid, json_t *fields)
{
    /* a refusal that says what lifts it (app_deny) */
    const char *href = NULL, *link = NULL;
    if (status == 403 && r->deny_code) {
        code = r->deny_code;
        if (r->deny_msgid)
            msgid = r->deny_msgid;
        href = r->deny_href;
        link = r->deny_link;
    }
    if (!msgid)
        msgid = (r->is_api && status == 404) ? N_("Not found.") : status_title(status);
    if (r->is_api || !g_app.tpl) {
        json_t *err = json_pack("{s:s, s:s}", "code", code ? code : "error", "message", T(r, msgid));
        if (href)
            json_object_set_new(err, "href", json_string(href));
        if (fields && json_object_size(fields) > 0)
            json_object_set_new(err, "fields", app_errors_translate(r, fields));
        json_decref(fields);
        api_send(r, status, json_pack("{s:o}", "error", err));
        return;
    }
    if (status == 401) {
        json_decref(fields);
        const char *next = (r->method && strcmp(r->method, "GET") == 0) ? r->path : "/";
        buf_t b;
        buf_init(&b);
        buf_puts(&b, "/login?next=");
        app_url_encode(&b, next);
        http_redirect(r->http, arena_strdup(r->arena, b.data));
        buf_free(&b);
        return;
    }
    json_t *model = json_pack("{s:s, s:s, s:i, s:o}", "title", T(r, status_title(status)),
                              "message", T(r, msgid), "status", status, "field_errors",
                              json_array());
    json_object_set_new(model, "way_out_href", json_str_or_null(href));
    json_object_set_new(model, "way_out_label", json_str_or_null(href && link ? T(r, link) : NULL));
    if (fields) {
        json_t *tr = app_errors_translate(r, fields);
        const char *k;
        json_t *v;
        json_object_foreach(tr, k, v)
            json_array_append(json_object_get(model, "field_errors"), v);
        json_decref(tr);
        json_decref(fields);
    }
    page_render(r, status, "error", model);
}

int app_status_of(res_t res)
{
    switch (res) {
    case RES_NOT_FOUND: return 404;
    case RES_FORBIDDEN: return 403;
    case RES_INVALID: return 422;
    case RES_CONFLICT: return 409;
    case RES_LIMITED: return 429;
    default: return 500;
    }
}

void app_fail(req_t *r, res_t res, const char *msgid, json_t *fields)
{
    static const char *const codes[] = {
        [RES_OK] = "internal",        [RES_NOT_FOUND] = "not_found", [RES_FORBIDDEN] = "forbidden",
        [RES_INVALID] = "invalid",    [RES_CONFLICT] = "conflict",   [RES_LIMITED] = "too_many",
        [RES_ERROR] = "internal",
    };
    if (res == RES_OK)
        log_error("app_fail called with RES_OK for %s %s", r->method, r->path);
    int status = app_status_of(res);
    if (!msgid) {
        if (res == RES_NOT_FOUND)
            msgid = r->is_api ? N_("Not found.") : N_("This page does not exist.");
        else if (res == RES_FORBIDDEN)
            msgid = N_("You are not allowed to do this.");
        else if (res == RES_ERROR || res == RES_OK)
            msgid = N_("Something went wrong; try again.");
    }
    respond_error(r, status, codes[(int)res < (int)ARRAY_LEN(codes) ? res : RES_ERROR], msgid,
                  fields);
}

bool page_needs_confirm(req_t *r)
{
    if (r->is_api)
        return false;
    const char *c = http_form(r->http, "confirm");
    return !c || strcmp(c, "1") != 0;
}

void page_confirm(req_t *r, const char *title, const char *question, const char *subject,
                  const char *action, json_t *hidden, const char *confirm_label,
                  const char *cancel_href)
{
    json_t *fields = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(hidden, k, v)
        if (json_is_string(v))
            json_array_append_new(fields, json_pack("{s:s, s:O}", "name", k, "value", v));
    json_decref(hidden);
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "title", T(r, title), "question",
                          T(r, question), "subject", subject ? subject : "", "action", action,
                          "hidden", fields, "confirm_label", T(r, confirm_label), "cancel_href",
                          cancel_href ? cancel_href : "/");
    page_render(r, 200, "confirm", m);
}

void page_redirect_flash(req_t *r, const char *location, const char *flash_msgid)
{
    if (flash_msgid) {
        buf_t b;
        buf_init(&b);
        app_url_encode(&b, flash_msgid);
        http_set_cookie(r->http, FLASH_COOKIE, b.data ? b.data : "", 60, true);
        buf_free(&b);
    }
    http_redirect(r->http, location);
}

static void times_iso_one(json_t *o, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        json_t *v = json_object_get(o, keys[i]);
        if (!v || !json_is_integer(v))
            continue;
        json_int_t t = json_integer_value(v);
        if (t == 0) {
            json_object_set_new(o, keys[i], json_null());
            continue;
        }
        char iso[32];
        format_iso_utc((int64_t)t, iso, sizeof iso);
        json_object_set_new(o, keys[i], json_string(iso));
    }
}

void api_times_iso(json_t *obj, const char *const *keys)
{
    if (json_is_object(obj)) {
        times_iso_one(obj, keys);
    } else if (json_is_array(obj)) {
        size_t i;
        json_t *v;
        json_array_foreach(obj, i, v)
            if (json_is_object(v))
                times_iso_one(v, keys);
    }
}

json_t *json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

void app_send_fd(req_t *r, int fd, const char *type, const char *filename)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0 || lseek(fd, 0, SEEK_SET) != 0) {
        if (fd >= 0)
            close(fd);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    http_add_header(r->http, "Content-Disposition",
                    arena_printf(r->arena, "attachment; filename=\"%s\"", filename));
    r->http->status = 200;
    r->http->resp_type = type;
    r->http->resp_fd = fd;
    r->http->resp_fd_len = (size_t)st.st_size;
    r->http->resp_no_gzip = true;
}

void app_send_bytes(req_t *r, const void *data, size_t len, const char *type, const char *filename)
{
    http_add_header(r->http, "Content-Disposition",
                    arena_printf(r->arena, "inline; filename=\"%s\"", filename));
    http_respond(r->http, 200, type, data, len);
    r->http->resp_no_gzip = true;
}
