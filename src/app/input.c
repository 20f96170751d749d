/* input.c - reading and validating what users send, the same way for a page
 * form and a JSON body. Errors are msgids (translated when shown), keyed by
 * field; a failed validation writes nothing. */
#include "app_internal.h"

#include "../core/fold.h"

#include <stdio.h>
#include <string.h>

const char *req_ip(req_t *r)
{
    return r->http->client_ip ? r->http->client_ip : "";
}

const char *req_query(req_t *r, const char *key)
{
    return http_query(r->http, key);
}

const char *req_form(req_t *r, const char *key)
{
    return http_form(r->http, key);
}

bool input_present(req_t *r, const char *field)
{
    if (r->json)
        return json_is_object(r->json) && json_object_get(r->json, field) != NULL;
    return http_form(r->http, field) != NULL;
}

const char *input_str(req_t *r, const char *field, bool *bad_type)
{
    if (bad_type)
        *bad_type = false;
    if (r->json) {
        json_t *v = json_is_object(r->json) ? json_object_get(r->json, field) : NULL;
        if (!v || json_is_null(v))
            return NULL;
        if (json_is_string(v))
            return json_string_value(v);
        if (json_is_integer(v))
            return arena_printf(r->arena, "%lld", (long long)json_integer_value(v));
        if (bad_type)
            *bad_type = true;
        return NULL;
    }
    /* a NUL byte inside a value would silently cut it short: refuse it */
    for (http_kv_t *kv = r->http->form; kv; kv = kv->next)
        if (strcmp(kv->key, field) == 0) {
            if (strlen(kv->val) != kv->val_len) {
                if (bad_type)
                    *bad_type = true;
                return NULL;
            }
            return kv->val;
        }
    return NULL;
}

void v_error(json_t *errors, const char *field, const char *msgid)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_string(msgid));
}

static void set_err_n(json_t *errors, const char *field, const char *msgid, long long n, long long m)
{
    if (!json_object_get(errors, field))
        json_object_set_new(errors, field, json_pack("{s:s, s:I, s:I}", "msgid", msgid, "n",
                                                     (json_int_t)n, "m", (json_int_t)m));
}

/* One text field, trimmed, for v_text (one line) and v_long_text (line
 * breaks and tabs allowed, \r\n kept as \n): NULL with the error added, or
 * when empty and not required. */
static const char *text_field(req_t *r, json_t *errors, const char *field, bool required,
                              size_t max_chars, bool lines)
{
    bool bad = false;
    const char *raw = input_str(r, field, &bad);
    if (bad || (r->json && raw && !json_is_string(json_object_get(r->json, field)))) {
        v_error(errors, field, N_("This field must be text."));
        return NULL;
    }
    if (raw && !utf8_valid(raw, strlen(raw))) {
        v_error(errors, field, N_("This text contains invalid characters."));
        return NULL;
    }
    char *v = raw ? str_trim(arena_strdup(r->arena, raw)) : NULL;
    if (!v || !*v) {
        if (required)
            v_error(errors, field, N_("This field is required."));
        return NULL;
    }
    bool invalid = false;
    if (!lines) {
        /* one-line fields: no control characters, line breaks or tabs either */
        invalid = str_has_control(v) || strpbrk(v, "\n\r\t");
    } else {
        /* \r\n and lone \r become \n */
        char *w = v;
        for (const char *p = v; *p; p++) {
            if (*p == '\r') {
                *w++ = '\n';
                if (p[1] == '\n')
                    p++;
            } else {
                *w++ = *p;
            }
        }
        *w = '\0';
        for (const unsigned char *p = (const unsigned char *)v; *p && !invalid; p++)
            invalid = (*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f;
    }
    if (invalid) {
        v_error(errors, field, N_("This text contains invalid characters."));
        return NULL;
    }
    if (utf8_count(v) > max_chars) {
        set_err_n(errors, field, N_("This text is too long (at most %d characters)."),
                  (long long)max_chars, 0);
        return NULL;
    }
    return v;
}

const char *v_text(req_t *r, json_t *errors, const char *field, bool required, size_t max_chars)
{
    return text_field(r, errors, field, required, max_chars, false);
}

const char *v_long_text(req_t *r, json_t *errors, const char *field, bool required,
                        size_t max_chars)
{
    return text_field(r, errors, field, required, max_chars, true);
}

int64_t v_int(req_t *r, json_t *errors, const char *field, bool required, int64_t min, int64_t max,
              int64_t dflt)
{
    json_t *jv = r->json && json_is_object(r->json) ? json_object_get(r->json, field) : NULL;
    int64_t v;
    if (r->json) {
        if (!jv || json_is_null(jv)) {
            if (required)
                v_error(errors, field, N_("This field is required."));
            return dflt;
        }
        if (!json_is_integer(jv)) {
            v_error(errors, field, N_("Enter a whole number."));
            return dflt;
        }
        v = json_integer_value(jv);
    } else {
        bool bad = false;
        const char *raw = input_str(r, field, &bad);
        if (bad) {
            v_error(errors, field, N_("Enter a whole number."));
            return dflt;
        }
        char *s = raw ? str_trim(arena_strdup(r->arena, raw)) : NULL;
        if (!s || !*s) {
            if (required)
                v_error(errors, field, N_("This field is required."));
            return dflt;
        }
        if (!str_to_i64(s, &v)) {
            v_error(errors, field, N_("Enter a whole number."));
            return dflt;
        }
    }
    if (v < min || v > max) {
        set_err_n(errors, field, N_("Enter a number between %d and %d."), (long long)min,
                  (long long)max);
        return dflt;
    }
    return v;
}

const char *v_code(req_t *r, json_t *errors, const char *field, bool required,
                   const char *const *list)
{
    const char *v = v_text(r, errors, field, required, 64);
    if (!v)
        return NULL;
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], v) == 0)
            return list[i];
    v_error(errors, field, N_("Choose a value from the list."));
    return NULL;
}

const char *v_email(req_t *r, json_t *errors, const char *field, bool required)
{
    const char *v = v_text(r, errors, field, required, 254);
    if (!v)
        return NULL;
    const char *at = strchr(v, '@');
    bool ok = at && at != v && strchr(at + 1, '@') == NULL && strchr(at + 1, '.') &&
              at[1] != '.' && v[strlen(v) - 1] != '.' && !strpbrk(v, " \t\"<>(),;:[]\\");
    if (!ok) {
        v_error(errors, field, N_("Enter an email address like name@example.org."));
        return NULL;
    }
    char *low = arena_strdup(r->arena, v);
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return low;
}

static int64_t paging_param(req_t *r, json_t *errors, const char *name, int64_t min, int64_t max,
                            int64_t dflt)
{
    const char *s = http_query(r->http, name);
    int64_t v;
    if (!s || !*s)
        return dflt;
    if (!str_to_i64(s, &v) || v < min || v > max) {
        set_err_n(errors, name, N_("Enter a number between %d and %d."), (long long)min,
                  (long long)max);
        return dflt;
    }
    return v;
}

void v_paging(req_t *r, json_t *errors, int64_t *limit, int64_t *offset)
{
    *limit = paging_param(r, errors, "limit", 1, 200, 50);
    *offset = paging_param(r, errors, "offset", 0, INT32_MAX, 0);
}

void v_required_message(json_t *errors, const char *field, const char *msgid)
{
    const char *cur = json_string_value(json_object_get(errors, field));
    if (cur && strcmp(cur, N_("This field is required.")) == 0)
        json_object_set_new(errors, field, json_string(msgid));
}

void v_unknown_fields(req_t *r, json_t *errors, const char *const *known)
{
    if (!r->json || !json_is_object(r->json))
        return;
    const char *k;
    json_t *v;
    json_object_foreach(r->json, k, v) {
        bool found = false;
        for (size_t i = 0; known[i] && !found; i++)
            found = strcmp(known[i], k) == 0;
        if (!found)
            v_error(errors, k, N_("This field is not known."));
    }
}

/* What the user typed, made displayable: invalid UTF-8 bytes become U+FFFD
 * so the value can be shown back in the form. */
static const char *utf8_repair(req_t *r, const char *s, size_t n)
{
    if (utf8_valid(s, n))
        return s;
    buf_t b;
    buf_init(&b);
    size_t i = 0;
    while (i < n) {
        size_t len = 1;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        if (c >= 0x80 && (i + len > n || !utf8_valid(s + i, len) || len == 1)) {
            buf_puts(&b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        buf_append(&b, s + i, len);
        i += len;
    }
    const char *out = arena_strdup(r->arena, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static bool secret_field(const char *k)
{
    return strstr(k, "password") || strcmp(k, CSRF_FIELD) == 0;
}

void model_form_errors(req_t *r, json_t *model, json_t *errors)
{
    json_t *tr = app_errors_translate(r, errors);
    json_t *summary = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(tr, k, v)
        json_array_append_new(summary, json_pack("{s:s, s:O}", "field", k, "message", v));
    json_object_set_new(model, "errors", tr);
    json_object_set_new(model, "error_summary", summary);
    if (!json_object_get(model, "values")) {
        json_t *values = json_object();
        for (http_kv_t *kv = r->http->form; kv; kv = kv->next)
            if (!secret_field(kv->key) && !json_object_get(values, kv->key) &&
                utf8_valid(kv->key, strlen(kv->key)))
                json_object_set_new(values, kv->key,
                                    json_string(utf8_repair(r, kv->val, strlen(kv->val))));
        if (r->json && json_is_object(r->json)) {
            json_object_foreach(r->json, k, v)
                if (!secret_field(k) && json_is_string(v))
                    json_object_set(values, k, v);
        }
        json_object_set_new(model, "values", values);
    }
}

void model_form_errors_take(req_t *r, json_t *model, json_t *errors)
{
    json_t *e = errors ? errors : json_object();
    json_object_set_new(model, "has_errors", json_boolean(json_object_size(e) > 0));
    model_form_errors(r, model, e);
    json_decref(e);
}

void v_errors_order(json_t *errors, const char *const *fields)
{
    json_t *copy = json_copy(errors);
    json_object_clear(errors);
    for (int i = 0; fields[i]; i++) {
        json_t *v = json_object_get(copy, fields[i]);
        if (v)
            json_object_set(errors, fields[i], v);
    }
    json_object_update_missing(errors, copy); /* anything not listed, last */
    json_decref(copy);
}

void app_search_sql(req_t *r, const char *col, const char *q, buf_t *sql, db_param_t *params,
                    int *np, int max)
{
    char *folded = text_fold(q);
    const char *words[TEXT_FOLD_MAX_WORDS];
    size_t nw = text_fold_words(folded, words, TEXT_FOLD_MAX_WORDS);
    for (size_t i = 0; i < nw && *np < max - 2; i++) {
        char *esc = db_like_escape(words[i]);
        buf_printf(sql, " AND %s LIKE ? ESCAPE '\\'", col);
        params[(*np)++] = P_TEXT(arena_printf(r->arena, "%%%s%%", esc));
        free(esc);
    }
    free(folded);
}
