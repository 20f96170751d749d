/* fuzz_fold.c - libFuzzer driver for the search folding: any bytes fold to
 * valid UTF-8 no longer than the input, without a leading, trailing or
 * doubled space; folding the result again changes nothing; the NUL-string
 * and counted entry points agree; a search key built from the input is never
 * empty and matches the input's own words. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/fold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = malloc(size + 1);
    if (!out)
        return 0;
    size_t len = text_fold_into((const char *)data, size, out);
    if (len > size || out[len] != '\0' || strlen(out) != len)
        abort();
    if (!utf8_valid(out, len))
        abort();
    if (len > 0 && (out[0] == ' ' || out[len - 1] == ' '))
        abort();
    if (strstr(out, "  "))
        abort();

    /* idempotent */
    char *again = text_fold(out);
    if (strcmp(again, out) != 0)
        abort();
    free(again);

    /* the string entry point folds the bytes before the first NUL the same */
    char *z = malloc(size + 1);
    if (!z)
        abort();
    memcpy(z, data, size);
    z[size] = '\0';
    char *viaz = text_fold(z);
    char *pre = malloc(size + 1);
    if (!pre)
        abort();
    text_fold_into(z, strlen(z), pre);
    if (strcmp(viaz, pre) != 0)
        abort();
    free(pre);
    free(viaz);

    /* a key never empty, and the record found by its own text */
    const char *fields[2] = {z, NULL};
    char *key = text_fold_key(fields, 2);
    if (key[0] == '\0' || !utf8_valid(key, strlen(key)))
        abort();
    if (!text_fold_match(key, z))
        abort();
    free(key);

    /* splitting never yields an empty word nor more than asked */
    const char *words[TEXT_FOLD_MAX_WORDS];
    size_t nw = text_fold_words(out, words, TEXT_FOLD_MAX_WORDS);
    if (nw > TEXT_FOLD_MAX_WORDS)
        abort();
    for (size_t i = 0; i < nw; i++)
        if (words[i][0] == '\0' || strchr(words[i], ' '))
            abort();
    free(z);
    free(out);
    return 0;
}
