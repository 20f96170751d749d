/* fuzz_attach.c - libFuzzer driver for the type detection of uploads
 * (attach_inspect), office documents' containers included: the input is a
 * whole file, tried under every name an upload may have (so that the seeds
 * in fuzz/corpus/attach/ are real files: a docx, an odt, a plain zip, a
 * pdf, a png...). A verdict must come with a type exactly when it is
 * ATTACH_OK, and a refusal always has a message; the first bytes check and
 * the file name cleaning get the input too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attach/attach.h"

static volatile size_t g_sink;

static const char *const k_names[] = {
    "a.docx", "a.xlsx", "a.pptx", "a.odt", "a.ods", "a.pdf",
    "a.png",  "a.jpg",  "a.gif",  "a.webp", "a.txt", "a.csv", "a.zip",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    for (size_t i = 0; i < sizeof k_names / sizeof k_names[0]; i++) {
        attach_verdict_t why = ATTACH_TYPE;
        const char *type = attach_inspect(in, size, k_names[i], &why);
        if ((type != NULL) != (why == ATTACH_OK))
            abort();
        if (!type && !attach_verdict_msgid(why))
            abort();
        if (type)
            g_sink += strlen(type);
    }
    g_sink += attach_head_is_active(in, size);
    /* the same bytes as a file name (NUL-terminated copy) */
    char *name = malloc(size + 1);
    if (!name)
        return 0;
    memcpy(name, in, size);
    name[size] = '\0';
    char out[ATTACH_NAME_MAX * 4 + 1];
    if (attach_filename_clean(name, out, sizeof out) == 0) {
        size_t n = strlen(out);
        if (n == 0 || !utf8_valid(out, n))
            abort();
    }
    free(name);
    return 0;
}
