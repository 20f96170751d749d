/* words.c - the words of a text for the full-text search (see words.h). */
#include "words.h"

#include "core.h"
#include "fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { CP_SEP = 0, CP_WORD, CP_MARK } cp_class_t;

/* Signs that are not letters: separators between words. */
static bool cp_is_sign(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
    if (cp >= 0xA0 && cp <= 0xBF) /* Latin-1 signs, but ª µ º and the superscripts */
        return !(cp == 0xAA || cp == 0xB5 || cp == 0xBA || cp == 0xB2 || cp == 0xB3 ||
                 cp == 0xB9 || cp == 0xBC || cp == 0xBD || cp == 0xBE);
    if (cp == 0xD7 || cp == 0xF7)
        return true;
    if (cp >= 0x0600 && cp <= 0x06FF) /* Arabic punctuation and signs */
        return (cp >= 0x0600 && cp <= 0x060F) || cp == 0x061B || cp == 0x061D ||
               cp == 0x061E || cp == 0x061F || (cp >= 0x066A && cp <= 0x066D) || cp == 0x06D4 ||
               cp == 0x06DD || cp == 0x06DE || cp == 0x06E9;
    if (cp >= 0x2000 && cp <= 0x206F) /* general punctuation */
        return true;
    if (cp >= 0x20A0 && cp <= 0x20CF) /* currency */
        return true;
    if (cp >= 0x2190 && cp <= 0x2BFF) /* arrows, maths, technical, shapes, dingbats */
        return true;
    if (cp >= 0x2E00 && cp <= 0x2E7F) /* supplemental punctuation */
        return true;
    if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation */
        return true;
    if (cp == 0xFD3E || cp == 0xFD3F) /* ornate parentheses */
        return true;
    if ((cp >= 0xFE10 && cp <= 0xFE1F) || (cp >= 0xFE30 && cp <= 0xFE6F))
        return true;
    if ((cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
        (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65))
        return true;
    if (cp == 0xFFFC || cp == 0xFFFD)
        return true;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) /* emoji and pictographs */
        return true;
    return false;
}

static cp_class_t cp_class(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || text_fold_is_space(cp))
        return CP_SEP;
    if (text_fold_is_dropped(cp))
        return CP_MARK;
    return cp_is_sign(cp) ? CP_SEP : CP_WORD;
}

/* At text[i] == '(' right after ']': the end of the link's target (after its
 * closing parenthesis), or i when it is not one (no ')' on the line). */
static size_t skip_target(const char *t, size_t n, size_t i)
{
    int depth = 0;
    for (size_t k = i; k < n; k++) {
        if (t[k] == '\n')
            return i;
        if (t[k] == '(')
            depth++;
        else if (t[k] == ')' && --depth == 0)
            return k + 1;
    }
    return i;
}

/* At text[i] == '<': the end of an autolink "<scheme:...>", or i. */
static size_t skip_autolink(const char *t, size_t n, size_t i)
{
    size_t k = i + 1;
    while (k < n && ((t[k] >= 'a' && t[k] <= 'z') || (t[k] >= 'A' && t[k] <= 'Z')))
        k++;
    if (k == i + 1 || k >= n || t[k] != ':')
        return i;
    for (; k < n; k++) {
        if (t[k] == '>')
            return k + 1;
        if (t[k] == ' ' || t[k] == '\n' || t[k] == '<')
            return i;
    }
    return i;
}

size_t words_md_skip(const char *t, size_t n, size_t i)
{
    if (t[i] == '(' && i > 0 && t[i - 1] == ']')
        return skip_target(t, n, i);
    if (t[i] == '<')
        return skip_autolink(t, n, i);
    return i;
}

/* Cut a folded word to WORDS_TOKEN_MAX bytes at a character boundary. */
static size_t token_cut(const char *f, size_t len)
{
    if (len <= WORDS_TOKEN_MAX)
        return len;
    size_t k = WORDS_TOKEN_MAX;
    while (k > 0 && ((unsigned char)f[k] & 0xC0) == 0x80)
        k--;
    return k;
}

size_t words_each(const char *text, size_t n, bool md, word_fn fn, void *ctx)
{
    if (!text)
        return 0;
    size_t count = 0, i = 0, start = 0;
    bool in_word = false;
    char small[256];
    char *fbuf = small;
    size_t fcap = sizeof small;
    bool go = true;
    while (go) {
        uint32_t cp = 0;
        size_t len = 0;
        cp_class_t c = CP_SEP;
        size_t next = i;
        if (i < n) {
            if (md && !in_word && (text[i] == '(' || text[i] == '<')) {
                size_t k = words_md_skip(text, n, i);
                if (k > i) {
                    i = k;
                    continue;
                }
            }
            len = text_utf8_decode(text + i, n - i, &cp);
            if (len == 0) {
                len = 1; /* an invalid byte: a separator */
                c = CP_SEP;
            } else {
                c = cp_class(cp);
            }
            next = i + len;
        }
        if (in_word && (i >= n || c == CP_SEP)) {
            size_t wl = i - start;
            if (wl + 1 > fcap) {
                if (fbuf != small)
                    free(fbuf);
                fcap = wl + 1;
                fbuf = xmalloc(fcap);
            }
            size_t fl = token_cut(fbuf, text_fold_into(text + start, wl, fbuf));
            fbuf[fl] = '\0';
            if (fl > 0) {
                word_t w = {.off = start, .len = wl, .folded = fbuf, .flen = fl};
                count++;
                go = fn(ctx, &w);
            }
            in_word = false;
            if (!go)
                break;
            if (md && i < n && (text[i] == '(' || text[i] == '<'))
                continue; /* the separator may begin a link target */
        }
        if (i >= n)
            break;
        if (c == CP_WORD && !in_word) {
            in_word = true;
            start = i;
        }
        i = next;
    }
    if (fbuf != small)
        free(fbuf);
    return count;
}

static size_t cp_count_n(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static size_t cp_count(const char *s)
{
    return cp_count_n(s, strlen(s));
}

size_t words_article(const char *folded, size_t len)
{
    /* folded forms: وال بال كال فال لل ال, then و */
    static const char *const articles[] = {"\xd9\x88\xd8\xa7\xd9\x84", "\xd8\xa8\xd8\xa7\xd9\x84",
                                           "\xd9\x83\xd8\xa7\xd9\x84", "\xd9\x81\xd8\xa7\xd9\x84",
                                           "\xd9\x84\xd9\x84", "\xd8\xa7\xd9\x84"};
    for (size_t i = 0; i < ARRAY_LEN(articles); i++) {
        size_t al = strlen(articles[i]);
        if (len > al && memcmp(folded, articles[i], al) == 0 &&
            cp_count_n(folded + al, len - al) >= 2)
            return al;
    }
    /* and, before a word of three letters or more: وحماية */
    if (len > 2 && memcmp(folded, "\xd9\x88", 2) == 0 && cp_count_n(folded + 2, len - 2) >= 3)
        return 2;
    return 0;
}

typedef struct {
    buf_t *b;
    size_t max, n;
    bool articles;
} tokens_ctx_t;

static bool add_token(void *ctx, const word_t *w)
{
    tokens_ctx_t *t = ctx;
    if (t->n > 0)
        buf_putc(t->b, ' ');
    buf_append(t->b, w->folded, w->flen);
    size_t art = t->articles ? words_article(w->folded, w->flen) : 0;
    if (art) {
        buf_putc(t->b, ' ');
        buf_append(t->b, w->folded + art, w->flen - art);
    }
    t->n++;
    return t->max == 0 || t->n < t->max;
}

static char *tokens(const char *text, bool md, size_t max, bool articles)
{
    buf_t b;
    buf_init(&b);
    tokens_ctx_t t = {&b, max, 0, articles};
    if (text)
        words_each(text, strlen(text), md, add_token, &t);
    return buf_detach(&b);
}

char *words_tokens(const char *text, bool md, size_t max)
{
    return tokens(text, md, max, true);
}

size_t words_query(const char *q, char **buf, const char **words, size_t max)
{
    /* every word, then keep those of two letters or more, each once: a
     * one-letter word would be a prefix scan of the whole index ("a b c"
     * is no query at all) */
    char *all = tokens(q, false, 0, false);
    *buf = all;
    const char *found[64];
    size_t n = text_fold_words(all, found, ARRAY_LEN(found));
    size_t out = 0;
    for (size_t i = 0; i < n && out < max; i++) {
        if (cp_count(found[i]) < 2)
            continue;
        /* without its article: it finds the words written with one or not */
        found[i] += words_article(found[i], strlen(found[i]));
        /* a plural's s: "enfants" finds "enfant" too (prefixes do the rest) */
        char *w = (char *)found[i];
        size_t wl = strlen(w);
        if (wl >= 5 && w[wl - 1] == 's' && w[wl - 2] != 's')
            w[wl - 1] = '\0';
        bool seen = false;
        for (size_t k = 0; k < out && !seen; k++)
            seen = strcmp(words[k], found[i]) == 0;
        if (!seen)
            words[out++] = found[i];
    }
    return out;
}

char *words_fts5_query(const char *const *words, size_t n)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_putc(&b, ' ');
        buf_putc(&b, '"');
        for (const char *p = words[i]; *p; p++) {
            if (*p == '"')
                buf_putc(&b, '"');
            buf_putc(&b, *p);
        }
        buf_puts(&b, "\"*");
    }
    return buf_detach(&b);
}

/* A lexeme between single quotes, for tsquery and tsvector texts. */
static void put_lexeme(buf_t *b, const char *w, size_t len)
{
    buf_putc(b, '\'');
    for (size_t i = 0; i < len; i++) {
        if (w[i] == '\'' || w[i] == '\\')
            buf_putc(b, w[i]);
        buf_putc(b, w[i]);
    }
    buf_putc(b, '\'');
}

char *words_tsquery(const char *const *words, size_t n)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_puts(&b, " & ");
        put_lexeme(&b, words[i], strlen(words[i]));
        buf_puts(&b, ":*");
    }
    return buf_detach(&b);
}

#define TSV_POS_MAX 16383

static void put_positions(buf_t *b, const char *tokens, int *pos, const char *weight)
{
    const char *p = tokens ? tokens : "";
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (b->len > 0)
            buf_putc(b, ' ');
        put_lexeme(b, p, (size_t)(e - p));
        buf_printf(b, ":%d%s", *pos, weight);
        if (*pos < TSV_POS_MAX)
            (*pos)++;
        p = e;
    }
}

char *words_tsvector(const char *title_tokens, const char *body_tokens)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "");
    int pos = 1;
    put_positions(&b, title_tokens, &pos, "A");
    put_positions(&b, body_tokens, &pos, "");
    return buf_detach(&b);
}
