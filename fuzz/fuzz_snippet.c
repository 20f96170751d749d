/* fuzz_snippet.c - libFuzzer driver for the words of the search (words.h)
 * and its snippets (snippet.h). The input is a query, a line break, then a
 * text (Markdown when the first byte is odd). The words of the text are
 * valid UTF-8, folded already, never empty nor longer than WORDS_TOKEN_MAX,
 * one space apart; the query texts for FTS5 and PostgreSQL are built; the
 * snippet is valid UTF-8, its segments cover it in order with never two
 * plain ones in a row, and a snippet asked for the text's own first word
 * finds it. Any violation aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/fold.h"
#include "core/snippet.h"
#include "core/words.h"

static void check_snippet(const snippet_t *s, size_t window)
{
    if (!s->text || strlen(s->text) != s->len || !utf8_valid(s->text, s->len))
        abort();
    size_t covered = 0;
    for (size_t i = 0; i < s->n_segs; i++) {
        if (s->segs[i].off != covered || s->segs[i].len == 0)
            abort();
        covered += s->segs[i].len;
        if (i > 0 && !s->segs[i].hit && !s->segs[i - 1].hit)
            abort();
    }
    if (covered != s->len)
        abort();
    if (window > 0 && s->hits > window)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t qlen = nl ? (size_t)(nl - in) : 0;
    const char *text = nl ? nl + 1 : in;
    size_t tlen = size - (size_t)(text - in);
    bool md = size > 0 && (data[0] & 1);

    char *q = xstrndup(in, qlen);
    char *t = xmalloc(tlen + 1);
    memcpy(t, text, tlen);
    t[tlen] = '\0';
    size_t tz = strlen(t); /* the words of the text up to its first NUL byte */

    /* the words of the text */
    char *tok = words_tokens(t, md, 0);
    size_t n = strlen(tok);
    if (!utf8_valid(tok, n) || (n && (tok[0] == ' ' || tok[n - 1] == ' ')) || strstr(tok, "  "))
        abort();
    char *again = text_fold(tok);
    if (strcmp(again, tok) != 0)
        abort();
    free(again);
    for (const char *p = tok; *p;) {
        const char *e = strchr(p, ' ');
        size_t wl = e ? (size_t)(e - p) : strlen(p);
        if (wl == 0 || wl > WORDS_TOKEN_MAX)
            abort();
        p += wl + (e ? 1 : 0);
    }

    /* the query and its texts */
    char *buf;
    const char *w[TEXT_FOLD_MAX_WORDS];
    size_t nw = words_query(q, &buf, w, TEXT_FOLD_MAX_WORDS);
    if (nw > TEXT_FOLD_MAX_WORDS)
        abort();
    char *s1 = words_tsquery(w, nw), *s2 = words_fts5_query(w, nw);
    char *s3 = words_tsvector(tok, tok);
    if (!utf8_valid(s1, strlen(s1)) || !utf8_valid(s2, strlen(s2)) || !utf8_valid(s3, strlen(s3)))
        abort();
    free(s1);
    free(s2);
    free(s3);

    snippet_t s;
    snippet_make(t, tlen, md, w, nw, SNIPPET_WORDS, &s);
    check_snippet(&s, SNIPPET_WORDS);
    snippet_free(&s);
    snippet_make(t, tlen, md, w, nw, 0, &s);
    check_snippet(&s, 0);
    snippet_free(&s);
    free(buf);

    /* the text's own first word is found */
    if (*tok) {
        const char *e = strchr(tok, ' ');
        char *first = xstrndup(tok, e ? (size_t)(e - tok) : strlen(tok));
        const char *fw[1] = {first};
        snippet_make(t, tz, md, fw, 1, SNIPPET_WORDS, &s);
        check_snippet(&s, SNIPPET_WORDS);
        if (s.hits == 0)
            abort();
        snippet_free(&s);
        free(first);
    }
    free(tok);
    free(t);
    free(q);
    return 0;
}
