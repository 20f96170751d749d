/* fuzz_mo.c - libFuzzer driver for the .mo reader and the plural expression
 * evaluator: parse the input as a catalogue and, when accepted, look up a few
 * msgids and every plural index for a range of n; also evaluate the input
 * (up to its first NUL) as a Plural-Forms expression. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    mo_catalog_t *c = mo_parse(data, size, err, sizeof err);
    if (c) {
        static const char *const ids[] = {"Save", "%d file", "one", "", "a", "\x04", "zzzz"};
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            const char *s = mo_gettext(c, ids[i]);
            if (s)
                (void)strlen(s);
            for (unsigned long n = 0; n < 120; n += 7) {
                const char *t = mo_ngettext(c, ids[i], "many", n);
                if (!t)
                    __builtin_trap();
                (void)strlen(t);
            }
        }
        (void)mo_plural_index(c, 0);
        (void)mo_plural_index(c, (unsigned long)-1);
        (void)mo_count(c);
        mo_free(c);
    }
    char *expr = malloc(size + 1);
    memcpy(expr, data, size);
    expr[size] = '\0';
    (void)plural_eval(expr, 0);
    (void)plural_eval(expr, 1);
    (void)plural_eval(expr, 11);
    (void)plural_eval(expr, (unsigned long)-1);
    free(expr);
    return 0;
}
