/* fuzz_seal.c - libFuzzer driver for opening sealed values (seal.h). The
 * input, cut at its first NUL byte, is opened with a fixed key: it opens
 * only when it is a well-formed value sealed with that key, and then to text
 * that seals and opens back to itself. The input is also sealed as text:
 * it opens back to itself, never with another key, and the value with any
 * one character changed or cut short opens to nothing else. Any violation
 * aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/seal.h"
#include "core/core.h"

static const unsigned char key[SEAL_KEY_BYTES] = {
    0x6a, 0x6f, 0x75, 0x64, 0x61, 0x20, 0x66, 0x75, 0x7a, 0x7a, 0x20, 0x6b, 0x65, 0x79, 0x20, 0x30,
    0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x21,
};
static const unsigned char other[SEAL_KEY_BYTES] = {1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    const char *in = arena_strndup(a, (const char *)data, size);
    size_t n = strlen(in);

    /* the input as a sealed value */
    const char *out = "x";
    int rc = seal_open_with(a, key, in, &out);
    if (rc == 0) {
        if (n == 0 ? out != NULL : (out == NULL || strncmp(in, SEAL_PREFIX, 3) != 0))
            abort();
        if (out) {
            const char *again = NULL;
            if (seal_open_with(a, key, seal_text_with(a, key, out), &again) != 0 || strcmp(again, out) != 0)
                abort();
        }
    } else if (rc != -1 || out != NULL) {
        abort();
    }

    /* the input as text */
    const char *s = seal_text_with(a, key, in);
    if (n == 0) {
        if (s)
            abort();
        arena_free(a);
        return 0;
    }
    if (!s || strncmp(s, SEAL_PREFIX, 3) != 0)
        abort();
    if (seal_open_with(a, key, s, &out) != 0 || strcmp(out, in) != 0)
        abort();
    if (seal_open_with(a, other, s, &out) != -1 || out)
        abort();
    size_t slen = strlen(s);
    size_t at = (size_t)data[0] % slen;
    char *t = arena_strdup(a, s);
    t[at] = t[at] == 'A' ? 'g' : 'A';
    /* changing only unused bits of the last character is refused by the decoding */
    if (seal_open_with(a, key, t, &out) != -1 || out)
        abort();
    t = arena_strndup(a, s, at > 0 ? at : 1);
    if (seal_open_with(a, key, t, &out) != -1 || out)
        abort();
    arena_free(a);
    return 0;
}
