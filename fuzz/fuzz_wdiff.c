/* fuzz_wdiff.c - libFuzzer driver for the word-level difference (wdiff.h).
 * The input is two texts separated by its first NUL byte (or cut in the
 * middle when it has none). Their difference must give the old text back
 * from its "same" and "del" segments and the new one from "same" and "add"
 * (both with invalid UTF-8 repaired, as wdiff.h says), with no empty
 * segment, no two neighbours of one kind, the booleans matching "op", and
 * the word counts matching the segments; the other direction and a text
 * with itself are checked too. Any violation aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "doc/md.h"
#include "doc/wdiff.h"

/* White space as wdiff.c cuts words (a valid sequence at s). */
static size_t space_len(const unsigned char *s)
{
    if (*s == ' ' || (*s >= 0x09 && *s <= 0x0D))
        return 1;
    if (s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

static size_t words(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, k;
    bool in = false;
    while (*s) {
        if ((k = space_len(s)) != 0) {
            in = false;
            s += k;
        } else {
            n += !in;
            in = true;
            s++;
        }
    }
    return n;
}

static void check(const char *a, const char *b)
{
    wdiff_stats_t st;
    json_t *segs = wdiff(a, b, &st);
    char *want_a = md_utf8_repair(a, strlen(a), NULL), *want_b = md_utf8_repair(b, strlen(b), NULL);
    buf_t o, n;
    buf_init(&o);
    buf_init(&n);
    buf_append(&o, "", 0);
    buf_append(&n, "", 0);
    size_t count[3] = {0, 0, 0}, k;
    int prev = -1;
    json_t *seg;
    json_array_foreach(segs, k, seg) {
        const char *op = json_string_value(json_object_get(seg, "op"));
        const char *text = json_string_value(json_object_get(seg, "text"));
        if (!op || !text || !*text || !utf8_valid(text, strlen(text)))
            abort();
        int which = strcmp(op, "same") == 0 ? 0 : strcmp(op, "del") == 0 ? 1 : strcmp(op, "add") == 0 ? 2 : -1;
        if (which < 0 || which == prev)
            abort();
        if (json_is_true(json_object_get(seg, "same")) != (which == 0) ||
            json_is_true(json_object_get(seg, "del")) != (which == 1) ||
            json_is_true(json_object_get(seg, "add")) != (which == 2))
            abort();
        prev = which;
        count[which] += words(text);
        if (which != 2)
            buf_puts(&o, text);
        if (which != 1)
            buf_puts(&n, text);
    }
    if (strcmp(o.data, want_a) != 0 || strcmp(n.data, want_b) != 0)
        abort();
    if (count[0] != st.same || count[1] != st.deleted || count[2] != st.added)
        abort();
    if (st.same + st.deleted != words(want_a) || st.same + st.added != words(want_b))
        abort();
    buf_free(&o);
    buf_free(&n);
    free(want_a);
    free(want_b);
    json_decref(segs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    const char *z = memchr(d, '\0', size);
    size_t cut = z ? (size_t)(z - d) : size / 2;
    char *a = xstrndup(d, cut);
    size_t rest = z ? size - cut - 1 : size - cut;
    char *b = xstrndup(d + size - rest, rest); /* stops at a later NUL */
    check(a, b);
    check(b, a);
    check(a, a);
    free(a);
    free(b);
    return 0;
}
