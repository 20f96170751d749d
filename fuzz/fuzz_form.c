/* fuzz_form.c - libFuzzer driver for the hand-written request parsers:
 * urlencoded bodies, multipart bodies under a few boundaries, the Cookie
 * header, percent decoding, Accept-Encoding, path patterns and media types. The first
 * byte picks the parser; the rest is the input. Results are walked so that
 * every returned byte is read (ASan then sees any overrun). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static volatile size_t g_sink;

static void touch(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_sink += (unsigned char)s[i];
}

static void walk_kv(const http_kv_t *kv)
{
    for (; kv; kv = kv->next) {
        touch(kv->key, strlen(kv->key) + 1);
        touch(kv->val, kv->val_len + 1);
        if (kv->val[kv->val_len] != '\0')
            abort();
    }
}

static void walk_files(const http_file_t *f)
{
    for (; f; f = f->next) {
        touch(f->field, strlen(f->field) + 1);
        touch(f->filename, strlen(f->filename) + 1);
        touch(f->content_type, strlen(f->content_type) + 1);
        touch(f->data, f->len + 1);
        if (f->data[f->len] != '\0')
            abort();
    }
}

static const char *const k_patterns[] = {
    "/", "/admin/nodes/{id}", "/admin/users/{id}/roles/{id2}/delete", "/admin/nodes/new",
    "/api/v1/users/{id}/roles/{id2}",
};

static const char *const k_types[] = {
    "multipart/form-data; boundary=b",
    "multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"",
    "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "Multipart/Form-Data; charset=utf-8; boundary=\"a b'c\"",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    const char *in = (const char *)data + 1;
    size_t n = size - 1;
    arena_t *a = arena_new();
    /* a NUL-terminated copy for the parsers that take C strings */
    char *cstr = arena_strndup(a, in, n);

    switch (mode % 8) {
    case 0: {
        http_kv_t *kv;
        if (http_parse_urlencoded(a, in, n, &kv) == 0)
            walk_kv(kv);
        break;
    }
    case 1:
    case 2:
    case 3:
    case 4: {
        http_kv_t *fields;
        http_file_t *files;
        if (http_parse_multipart(a, k_types[(mode % 8) - 1], in, n, &fields, &files) == 0) {
            walk_kv(fields);
            walk_files(files);
        }
        break;
    }
    case 5: {
        http_kv_t *kv;
        http_parse_cookies(a, cstr, &kv);
        walk_kv(kv);
        /* the Content-Type itself comes from the client too */
        http_kv_t *fields;
        http_file_t *files;
        const char *body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--";
        if (http_parse_multipart(a, cstr, body, strlen(body), &fields, &files) == 0) {
            walk_kv(fields);
            walk_files(files);
        }
        break;
    }
    case 6: {
        char *out = arena_alloc(a, n + 1);
        long got = http_url_decode(out, in, n, mode & 8);
        if (got > (long)n)
            abort();
        if (got >= 0)
            touch(out, (size_t)got + 1);
        g_sink += http_accepts_gzip(cstr);
        break;
    }
    default: {
        /* the path against every pattern: ids are positive when it matches */
        for (size_t i = 0; i < sizeof k_patterns / sizeof k_patterns[0]; i++) {
            int64_t ids[2];
            if (http_path_match(k_patterns[i], cstr, ids) && (ids[0] < 0 || ids[1] < 0))
                abort();
        }
        /* the client's Content-Type against the types the pipeline accepts */
        g_sink += http_media_is(cstr, "application/json") + http_media_is(cstr, "multipart/form-data");
        const char *methods[] = {"GET", "POST", "HEAD", "PATCH"};
        g_sink += strlen(http_route_method(methods[(mode >> 3) & 3]));
        break;
    }
    }
    arena_free(a);
    return 0;
}
