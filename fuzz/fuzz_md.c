/* fuzz_md.c - libFuzzer driver for Markdown read into blocks (md.h). Any
 * bytes give an array of blocks that dumps as JSON (valid UTF-8), nested no
 * deeper than MD_MAX_DEPTH, each block with its seven type booleans and
 * each run with its keys; a kept link target is relative or http:, https:,
 * mailto: (checked here without md.c's own function); md_plain reads them.
 * When the repository's templates are found beside the build directory
 * (build/fuzz/fuzz_md), the blocks are also rendered by doc/blocks in strict
 * mode: it never fails, and every href it writes passes the same check. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "doc/md.h"
#include "tpl/tpl.h"

static const char *const types[] = {"heading", "paragraph", "list", "quote", "code", "table", "rule"};

/* Relative (no ':' before '/', '?' or '#') or one of the three schemes. */
static bool href_ok(const char *h, size_t n)
{
    if (n == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)h[k] <= 0x20 || h[k] == 0x7F)
            return false;
    size_t colon = 0;
    while (colon < n && !strchr(":/?#", h[colon]))
        colon++;
    if (colon == n || h[colon] != ':')
        return true;
    char scheme[8];
    if (colon >= sizeof scheme)
        return false;
    for (size_t k = 0; k < colon; k++)
        scheme[k] = (char)tolower((unsigned char)h[k]);
    scheme[colon] = '\0';
    return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 || strcmp(scheme, "mailto") == 0;
}

static void check_runs(const json_t *runs)
{
    static const char *const keys[] = {"text", "b", "i", "code", "del", "link", "br"};
    size_t k;
    json_t *r;
    if (!json_is_array(runs))
        abort();
    json_array_foreach(runs, k, r) {
        if (json_is_true(json_object_get(r, "br")))
            continue;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (!json_object_get(r, keys[i]))
                abort();
        const char *href = json_string_value(json_object_get(r, "href"));
        if (json_is_true(json_object_get(r, "link")) != (href != NULL))
            abort();
        if (href && !href_ok(href, strlen(href)))
            abort();
    }
}

static void check_blocks(const json_t *blocks, int depth)
{
    if (!json_is_array(blocks) || depth > MD_MAX_DEPTH)
        abort();
    size_t k, j, c;
    json_t *b, *x, *y;
    json_array_foreach(blocks, k, b) {
        const char *type = json_string_value(json_object_get(b, "type"));
        if (!type)
            abort();
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (!json_is_boolean(json_object_get(b, types[i])) ||
                json_is_true(json_object_get(b, types[i])) != (strcmp(type, types[i]) == 0))
                abort();
        if (json_object_get(b, "runs"))
            check_runs(json_object_get(b, "runs"));
        if (json_object_get(b, "blocks"))
            check_blocks(json_object_get(b, "blocks"), depth + 1);
        json_array_foreach(json_object_get(b, "items"), j, x)
            check_blocks(json_object_get(x, "blocks"), depth + 1);
        json_array_foreach(json_object_get(b, "head"), j, x)
            check_runs(json_object_get(x, "runs"));
        json_array_foreach(json_object_get(b, "rows"), j, x)
            json_array_foreach(json_object_get(x, "cells"), c, y)
                check_runs(json_object_get(y, "runs"));
    }
}

/* The templates doc/blocks and doc/runs, read once; NULL when not found. */
static tpl_set_t *templates(void)
{
    static tpl_set_t *set;
    static bool tried;
    if (tried)
        return set;
    tried = true;
    char root[4096];
    ssize_t n = readlink("/proc/self/exe", root, sizeof root - 1);
    if (n <= 0)
        return NULL;
    root[n] = '\0';
    for (int up = 0; up < 3; up++) { /* build/fuzz/fuzz_md */
        char *slash = strrchr(root, '/');
        if (slash)
            *slash = '\0';
    }
    set = tpl_set_new();
    static const char *const names[] = {"doc/blocks", "doc/runs"};
    for (size_t k = 0; k < 2; k++) {
        char path[4200], err[256];
        char *src;
        size_t len;
        snprintf(path, sizeof path, "%s/templates/%s.html", root, names[k]);
        if (file_read_all(path, 1 << 20, &src, &len) != 0) {
            fprintf(stderr, "fuzz_md: %s not found, blocks are not rendered\n", path);
            tpl_set_free(set);
            return set = NULL;
        }
        if (tpl_add(set, names[k], src, len, err, sizeof err) != 0) {
            fprintf(stderr, "fuzz_md: %s\n", err);
            abort();
        }
        free(src);
    }
    tpl_set_strict(set, true);
    return set;
}

static void render(json_t *blocks)
{
    tpl_set_t *set = templates();
    if (!set)
        return;
    json_t *m = json_pack("{s:O}", "blocks", blocks);
    buf_t out;
    buf_init(&out);
    char err[256];
    if (tpl_render(set, "doc/blocks", NULL, m, NULL, &out, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_md: %s\n", err);
        abort();
    }
    for (const char *p = out.data; p && (p = strstr(p, "href=\"")) != NULL;) {
        p += 6;
        const char *q = strchr(p, '"');
        if (!q || !href_ok(p, (size_t)(q - p)))
            abort();
    }
    if (out.data && strstr(out.data, "<script"))
        abort();
    buf_free(&out);
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *b = md_blocks((const char *)data, size);
    if (!b)
        abort();
    check_blocks(b, 0);
    char *dump = json_dumps(b, JSON_COMPACT);
    if (!dump)
        abort(); /* a string that is not UTF-8 */
    free(dump);
    char *plain = md_plain(b);
    if (!plain || !utf8_valid(plain, strlen(plain)))
        abort();
    free(plain);
    render(b);
    json_decref(b);
    return 0;
}
