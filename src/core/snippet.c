/* snippet.c - the piece of a stored text shown under a search result (see
 * snippet.h). */
#include "snippet.h"

#include "core.h"
#include "fold.h"
#include "words.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SNIPPET_QWORDS 16    /* query words considered (a mask of them per word) */
#define SNIPPET_WORD_MAX 120 /* bytes of one word shown, then "…" */
#define SNIPPET_SIGNS_MAX 12 /* bytes of signs shown between two words */

typedef struct {
    size_t off, len;
    uint32_t mask; /* query words it begins with */
} sword_t;

typedef struct {
    sword_t *v;
    size_t n, cap;
    const char *const *q;
    size_t nq;
} collect_t;

static bool collect(void *ctx, const word_t *w)
{
    collect_t *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    sword_t *s = &c->v[c->n++];
    s->off = w->off;
    s->len = w->len;
    s->mask = 0;
    size_t art = words_article(w->folded, w->flen);
    for (size_t k = 0; k < c->nq; k++) {
        size_t ql = strlen(c->q[k]);
        if (ql > 0 && ql <= w->flen && memcmp(w->folded, c->q[k], ql) == 0)
            s->mask |= 1u << k;
        else if (art && ql > 0 && ql <= w->flen - art && memcmp(w->folded + art, c->q[k], ql) == 0)
            s->mask |= 1u << k;
    }
    return true;
}

/* The best window [*from, *from + w) of n words (n > w). */
static size_t best_window(const sword_t *v, size_t n, size_t w, size_t nq)
{
    int count[SNIPPET_QWORDS] = {0};
    int distinct = 0, hits = 0;
    int best_d = -1, best_h = -1;
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < nq; k++)
            if (v[i].mask & (1u << k) && count[k]++ == 0)
                distinct++;
        hits += v[i].mask != 0;
        if (i >= w) {
            const sword_t *o = &v[i - w];
            for (size_t k = 0; k < nq; k++)
                if (o->mask & (1u << k) && --count[k] == 0)
                    distinct--;
            hits -= o->mask != 0;
        }
        if (i + 1 >= w && (distinct > best_d || (distinct == best_d && hits > best_h))) {
            best_d = distinct;
            best_h = hits;
            best = i + 1 - w;
        }
    }
    /* centre the window on its hits */
    size_t first = SIZE_MAX, last = 0;
    for (size_t i = best; i < best + w; i++)
        if (v[i].mask) {
            if (first == SIZE_MAX)
                first = i;
            last = i;
        }
    if (first == SIZE_MAX)
        return 0; /* no hit anywhere: the beginning */
    size_t slack = w - (last - first + 1);
    size_t before = (slack + 1) / 2;
    size_t from = first > before ? first - before : 0;
    if (from + w > n)
        from = n - w;
    return from;
}

typedef struct {
    buf_t b;
    snippet_seg_t *segs;
    size_t n, cap;
} out_t;

static void seg_add(out_t *o, size_t off, bool hit)
{
    size_t len = o->b.len - off;
    if (len == 0)
        return;
    if (!hit && o->n > 0 && !o->segs[o->n - 1].hit) {
        o->segs[o->n - 1].len += len;
        return;
    }
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->segs = xrealloc(o->segs, o->cap * sizeof *o->segs);
    }
    o->segs[o->n++] = (snippet_seg_t){off, len, hit};
}

/* Copy the valid, visible code points of a word, at most SNIPPET_WORD_MAX
 * bytes of them. */
static void put_word(buf_t *b, const char *s, size_t n)
{
    size_t i = 0, kept = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = text_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            i++;
            continue;
        }
        if (kept + len > SNIPPET_WORD_MAX) {
            buf_puts(b, "…");
            return;
        }
        if (!(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))) {
            buf_append(b, s + i, len);
            kept += len;
        }
        i += len;
    }
}

/* A Markdown mark (headings and quotes only at the start of a line). */
static bool md_mark(char c, bool line_start)
{
    if (c == '#' || c == '>')
        return line_start;
    return c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '~' || c == '|' ||
           c == '\\';
}

/* The text between two words as shown: Markdown marks and link targets
 * left out, white space and controls made one space, a few signs kept;
 * one space at least (they are two words). */
static void put_between(buf_t *b, const char *s, size_t n, bool md)
{
    size_t start = b->len, signs = 0, i = 0;
    bool space = false, line_start = false;
    while (i < n) {
        if (md && (s[i] == '(' || s[i] == '<')) {
            size_t k = words_md_skip(s, n, i);
            if (k > i) {
                i = k;
                continue;
            }
        }
        uint32_t cp;
        size_t len = text_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            i++;
            continue;
        }
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || text_fold_is_space(cp)) {
            space = true;
            line_start = line_start || cp == '\n';
        } else if (md && cp < 0x80 && md_mark((char)cp, line_start)) {
            /* a Markdown mark */
        } else if (md && line_start && (cp == '-' || cp == '+') && i + 1 < n && s[i + 1] == ' ') {
            /* a list's bullet */
        } else if (!text_fold_is_dropped(cp)) {
            if (signs + len <= SNIPPET_SIGNS_MAX) {
                if (space)
                    buf_putc(b, ' ');
                buf_append(b, s + i, len);
            }
            space = false;
            signs += len;
            line_start = false;
        }
        i += len;
    }
    if (space || b->len == start)
        buf_putc(b, ' ');
}

void snippet_make(const char *text, size_t n, bool md, const char *const *words, size_t n_words,
                  size_t window, snippet_t *out)
{
    memset(out, 0, sizeof *out);
    if (n_words > SNIPPET_QWORDS)
        n_words = SNIPPET_QWORDS;
    collect_t c = {.q = words, .nq = n_words};
    if (text && n > 0)
        words_each(text, n, md, collect, &c);
    out_t o = {0};
    buf_init(&o.b);
    size_t from = 0, to = c.n;
    bool whole = window == 0;
    if (!whole && c.n > window) {
        from = best_window(c.v, c.n, window, n_words);
        to = from + window;
    }
    if (c.n > 0 && (whole || window > 0)) {
        if (from > 0) {
            buf_puts(&o.b, "… ");
            seg_add(&o, 0, false);
        }
        for (size_t i = from; i < to; i++) {
            if (i > from) {
                size_t off = o.b.len;
                size_t a = c.v[i - 1].off + c.v[i - 1].len;
                put_between(&o.b, text + a, c.v[i].off - a, md);
                seg_add(&o, off, false);
            }
            size_t off = o.b.len;
            put_word(&o.b, text + c.v[i].off, c.v[i].len);
            seg_add(&o, off, c.v[i].mask != 0);
            out->hits += c.v[i].mask != 0;
        }
        if (to < c.n) {
            size_t off = o.b.len;
            buf_puts(&o.b, " …");
            seg_add(&o, off, false);
        } else {
            /* the signs after the last word (a full stop) */
            size_t off = o.b.len;
            size_t a = c.v[to - 1].off + c.v[to - 1].len;
            put_between(&o.b, text + a, n - a, md);
            while (o.b.len > off && o.b.data[o.b.len - 1] == ' ')
                o.b.data[--o.b.len] = '\0';
            seg_add(&o, off, false);
        }
    }
    free(c.v);
    out->len = o.b.len;
    out->text = buf_detach(&o.b);
    out->segs = o.segs;
    out->n_segs = o.n;
}

void snippet_free(snippet_t *s)
{
    if (!s)
        return;
    free(s->text);
    free(s->segs);
    memset(s, 0, sizeof *s);
}
