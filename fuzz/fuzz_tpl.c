/* fuzz_tpl.c - libFuzzer driver for the template engine. The input holds up
 * to three templates separated by NUL bytes: "page", "partials/p" and
 * "layout". Each that parses is rendered with a fixed model, in strict and
 * non-strict mode, alone and inside the layout. Any crash, leak or
 * out-of-bounds access is a bug; errors are expected. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tpl/tpl.h"

static json_t *g_model;

static const char *fz_gettext(void *ctx, const char *msgid)
{
    (void)ctx;
    return msgid[0] == 'S' ? "Enregistrer <&>" : NULL;
}

static const char *fz_ngettext(void *ctx, const char *one, const char *many, long n)
{
    (void)ctx;
    (void)one;
    (void)many;
    return n > 1 ? "%d fichiers %d" : NULL;
}

static const tpl_i18n_t g_i18n = {fz_gettext, fz_ngettext, NULL};

static json_t *model(void)
{
    json_error_t je;
    return json_loads("{\"s\":\"<a href='x'>&\\\"</a>\",\"e\":\"\",\"i\":42,\"z\":0,\"r\":-2.5,"
                      "\"t\":true,\"f\":false,\"n\":null,\"code\":\"role.director\","
                      "\"list\":[{\"name\":\"a\",\"kids\":[1,2,{\"x\":\"y\"}]},{\"name\":\"b<\",\"kids\":[]}],"
                      "\"obj\":{\"a\":{\"b\":{\"c\":\"deep\"}},\"arr\":[[1],[2,[3]]]},"
                      "\"errors\":{\"email\":\"Required\"},\"values\":{},\"empty\":[],\"eo\":{}}",
                      0, &je);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_model)
        g_model = model();
    static const char *const names[] = {"page", "partials/p", "layout"};
    tpl_set_t *set = tpl_set_new();
    char err[256];
    const char *p = (const char *)data, *end = p + size;
    for (int k = 0; k < 3 && p <= end; k++) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        size_t len = z ? (size_t)(z - p) : (size_t)(end - p);
        if (tpl_add(set, names[k], p, len, err, sizeof err) != 0 && !strstr(err, "line "))
            __builtin_trap(); /* every syntax error names a line */
        if (!z)
            break;
        p = z + 1;
    }
    buf_t out;
    buf_init(&out);
    for (int strict = 0; strict < 2; strict++) {
        tpl_set_strict(set, strict);
        for (int lay = 0; lay < 2; lay++) {
            buf_reset(&out);
            int rc = tpl_render(set, "page", lay ? "layout" : NULL, g_model, strict ? &g_i18n : NULL, &out,
                                err, sizeof err);
            if (rc != 0 && out.len != 0)
                __builtin_trap(); /* a failed render leaves nothing behind */
        }
    }
    buf_free(&out);
    tpl_set_free(set);
    return 0;
}
