/* wdiff.c - the word-level difference of wdiff.h. The texts are cut into
 * words (maximal runs of anything but white space, Unicode spaces included,
 * so a cut never falls inside a UTF-8 sequence) and every distinct word gets
 * a number. The comparison then works on those numbers only:
 *   1. common words at both ends are matched at once;
 *   2. a middle of at most WDIFF_MAX_CELLS word pairs gets an exact longest
 *      common subsequence (one row of lengths, one bit per pair to walk
 *      back), while the budget of WDIFF_BUDGET pairs for the whole diff
 *      lasts;
 *   3. a larger middle is compared line by line (lines of identical text
 *      match whole), and what lies between matched lines again from 1;
 *   4. failing that, words found exactly once on each side anchor the
 *      texts (the longest chain of them in the same order), and what lies
 *      between anchors again from 1; with no anchor, everything differs.
 * Single matched words stranded between larger changes are then given up
 * (the change reads as one replacement), and the texts are written out as
 * segments: between two matched words, the white space before the first
 * changed word and after the last one stays common when both sides share
 * it, everything else belongs to the change. Fuzzed by fuzz/fuzz_wdiff.c. */
#include "wdiff.h"

#include "../core/core.h"
#include "md.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WDIFF_MAX_CELLS ((size_t)4 << 20) /* one exact comparison: 512 KB of bits */
#define WDIFF_BUDGET ((size_t)32 << 20)   /* word pairs compared exactly, in all */
#define WDIFF_MAX_DEPTH 6                 /* fallbacks within fallbacks */

typedef struct {
    size_t start, end; /* bytes of the word */
} word_t;

typedef struct {
    const char *s;
    size_t len;
    word_t *w;
    uint32_t *id; /* the number of each word */
    size_t n;
} side_t;

typedef struct {
    size_t a, b; /* matched words, old and new */
} pair_t;

typedef struct {
    side_t o, n;
    pair_t *m;
    size_t nm, capm;
    size_t budget; /* word pairs still allowed in exact comparisons */
} wd_t;

/* --- words ---------------------------------------------------------------------- */

/* The code point at s (valid UTF-8) and its length. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xE0) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
          (s[3] & 0x3F);
    return 4;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

static void split_words(side_t *sd)
{
    size_t cap = 16, i = 0;
    sd->w = xmalloc(cap * sizeof *sd->w);
    sd->n = 0;
    const unsigned char *u = (const unsigned char *)sd->s;
    while (i < sd->len) {
        uint32_t cp;
        size_t k = decode(u + i, &cp);
        if (is_space(cp)) {
            i += k;
            continue;
        }
        size_t start = i;
        while (i < sd->len && !is_space(cp)) {
            i += k;
            if (i < sd->len)
                k = decode(u + i, &cp);
        }
        if (sd->n == cap) {
            cap *= 2;
            sd->w = xrealloc(sd->w, cap * sizeof *sd->w);
        }
        sd->w[sd->n++] = (word_t){start, i};
    }
    sd->id = xcalloc(sd->n + 1, sizeof *sd->id);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Text pieces numbered so that equal pieces get equal numbers. */
typedef struct {
    const char **p;
    size_t *len;
    uint32_t *slot; /* number + 1, 0 when free */
    size_t mask, count;
} interner_t;

static void interner_init(interner_t *t, size_t max)
{
    size_t cap = 16;
    while (cap < 2 * max + 2)
        cap *= 2;
    t->slot = xcalloc(cap, sizeof *t->slot);
    t->p = xmalloc((max + 1) * sizeof *t->p);
    t->len = xmalloc((max + 1) * sizeof *t->len);
    t->mask = cap - 1;
    t->count = 0;
}

static void interner_free(interner_t *t)
{
    free(t->slot);
    free(t->p);
    free(t->len);
}

static uint32_t intern(interner_t *t, const char *s, size_t n)
{
    size_t h = (size_t)hash_bytes(s, n) & t->mask;
    for (;; h = (h + 1) & t->mask) {
        uint32_t v = t->slot[h];
        if (v == 0) {
            t->p[t->count] = s;
            t->len[t->count] = n;
            t->slot[h] = (uint32_t)++t->count;
            return (uint32_t)(t->count - 1);
        }
        if (t->len[v - 1] == n && memcmp(t->p[v - 1], s, n) == 0)
            return v - 1;
    }
}

static void number_words(wd_t *d)
{
    interner_t t;
    interner_init(&t, d->o.n + d->n.n);
    side_t *sides[2] = {&d->o, &d->n};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sides[k]->n; i++)
            sides[k]->id[i] = intern(&t, sides[k]->s + sides[k]->w[i].start,
                                     sides[k]->w[i].end - sides[k]->w[i].start);
    interner_free(&t);
}

/* --- matching ------------------------------------------------------------------------ */

static void add_pair(wd_t *d, size_t a, size_t b)
{
    if (d->nm == d->capm) {
        d->capm = d->capm ? d->capm * 2 : 64;
        d->m = xrealloc(d->m, d->capm * sizeof *d->m);
    }
    d->m[d->nm++] = (pair_t){a, b};
}

/* The longest common subsequence of x[0..n) and y[0..m) (n * m bits of
 * memory, rows of m + 1): out receives the pairs in order (room for
 * min(n, m)); returns how many. */
static size_t lcs(const uint32_t *x, size_t n, const uint32_t *y, size_t m, pair_t *out)
{
    uint32_t *row = xcalloc(m + 1, sizeof *row), *next = xcalloc(m + 1, sizeof *next);
    uint8_t *up = xcalloc((n * m + 7) / 8, 1); /* set: skip x[i] rather than y[j] */
    for (size_t i = n; i-- > 0;) {
        row[m] = 0;
        for (size_t j = m; j-- > 0;) {
            if (x[i] == y[j]) {
                row[j] = next[j + 1] + 1;
            } else if (next[j] >= row[j + 1]) {
                row[j] = next[j];
                up[(i * m + j) >> 3] |= (uint8_t)(1u << ((i * m + j) & 7));
            } else {
                row[j] = row[j + 1];
            }
        }
        uint32_t *t = row;
        row = next;
        next = t;
    }
    size_t k = 0, i = 0, j = 0;
    while (i < n && j < m) {
        if (x[i] == y[j])
            out[k++] = (pair_t){i++, j++};
        else if (up[(i * m + j) >> 3] & (1u << ((i * m + j) & 7)))
            i++;
        else
            j++;
    }
    free(row);
    free(next);
    free(up);
    return k;
}

/* Exact comparison of old words [alo, alo+n) with new [blo, blo+m); the
 * rows run along the shorter side. */
static void match_exact(wd_t *d, size_t alo, size_t n, size_t blo, size_t m)
{
    bool swap = m > n;
    const uint32_t *x = swap ? d->n.id + blo : d->o.id + alo, *y = swap ? d->o.id + alo : d->n.id + blo;
    size_t nx = swap ? m : n, ny = swap ? n : m;
    pair_t *p = xmalloc((ny + 1) * sizeof *p);
    size_t k = lcs(x, nx, y, ny, p);
    for (size_t i = 0; i < k; i++)
        add_pair(d, alo + (swap ? p[i].b : p[i].a), blo + (swap ? p[i].a : p[i].b));
    free(p);
    d->budget -= n * m;
}

static void match_range(wd_t *d, size_t alo, size_t ahi, size_t blo, size_t bhi, int depth);

/* Lines of old words [lo, hi): starts[k] is the first word of line k;
 * starts[count] = hi. A line ends where the space between words holds a
 * line break. */
static size_t split_lines(const side_t *sd, size_t lo, size_t hi, size_t *starts)
{
    size_t c = 0;
    for (size_t i = lo; i < hi; i++)
        if (i == lo || memchr(sd->s + sd->w[i - 1].end, '\n', sd->w[i].start - sd->w[i - 1].end))
            starts[c++] = i;
    starts[c] = hi;
    return c;
}

static uint32_t *number_lines(interner_t *t, const side_t *sd, const size_t *starts, size_t count)
{
    uint32_t *ids = xmalloc((count + 1) * sizeof *ids);
    for (size_t k = 0; k < count; k++) {
        size_t from = sd->w[starts[k]].start, to = sd->w[starts[k + 1] - 1].end;
        ids[k] = intern(t, sd->s + from, to - from);
    }
    return ids;
}

/* Step 3: lines of identical text match whole; between them, words again.
 * false when no line matched. */
static bool match_lines(wd_t *d, size_t alo, size_t ahi, size_t blo, size_t bhi, int depth)
{
    size_t *sa = xmalloc((ahi - alo + 1) * sizeof *sa), *sb = xmalloc((bhi - blo + 1) * sizeof *sb);
    size_t la = split_lines(&d->o, alo, ahi, sa), lb = split_lines(&d->n, blo, bhi, sb), k = 0;
    pair_t *p = NULL;
    if ((la > 1 || lb > 1) && la <= WDIFF_MAX_CELLS / lb && la * lb <= d->budget) {
        interner_t t;
        interner_init(&t, la + lb);
        uint32_t *ia = number_lines(&t, &d->o, sa, la), *ib = number_lines(&t, &d->n, sb, lb);
        p = xmalloc((la + 1) * sizeof *p);
        k = lcs(ia, la, ib, lb, p);
        d->budget -= la * lb;
        free(ia);
        free(ib);
        interner_free(&t);
    }
    size_t pa = alo, pb = blo; /* the first words not yet placed */
    for (size_t i = 0; i < k; i++) {
        size_t a0 = sa[p[i].a], a1 = sa[p[i].a + 1], b0 = sb[p[i].b];
        match_range(d, pa, a0, pb, b0, depth + 1);
        for (size_t w = 0; w < a1 - a0; w++)
            add_pair(d, a0 + w, b0 + w);
        pa = a1;
        pb = sb[p[i].b + 1];
    }
    if (k)
        match_range(d, pa, ahi, pb, bhi, depth + 1);
    free(p);
    free(sa);
    free(sb);
    return k > 0;
}

typedef struct {
    uint32_t id;
    uint32_t side; /* 0 old, 1 new */
    size_t pos;
} occ_t;

static int occ_cmp(const void *x, const void *y)
{
    const occ_t *a = x, *b = y;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->side != b->side)
        return a->side < b->side ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Pairs (old, new) of the words found exactly once on each side, in old
 * order. Returns how many. malloc'd *out. */
static size_t unique_pairs(const wd_t *d, size_t alo, size_t ahi, size_t blo, size_t bhi, pair_t **out)
{
    size_t n = ahi - alo + bhi - blo, c = 0;
    occ_t *o = xmalloc(n * sizeof *o);
    for (size_t i = alo; i < ahi; i++)
        o[c++] = (occ_t){d->o.id[i], 0, i};
    for (size_t j = blo; j < bhi; j++)
        o[c++] = (occ_t){d->n.id[j], 1, j};
    qsort(o, n, sizeof *o, occ_cmp);
    pair_t *p = xmalloc((n / 2 + 1) * sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && o[e].id == o[i].id)
            e++;
        if (e - i == 2 && o[i].side == 0 && o[i + 1].side == 1)
            p[k++] = (pair_t){o[i].pos, o[i + 1].pos};
        i = e;
    }
    free(o);
    *out = p;
    return k;
}

static int pair_cmp(const void *x, const void *y)
{
    const pair_t *a = x, *b = y;
    return a->a < b->a ? -1 : a->a > b->a;
}

/* The longest chain of p[0..n) (sorted by old position) increasing in new
 * position, written over p; returns its length. Patience sorting. */
static size_t longest_chain(pair_t *p, size_t n)
{
    size_t *tails = xmalloc((n + 1) * sizeof *tails), *prev = xmalloc((n + 1) * sizeof *prev), len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = len;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (p[tails[mid]].b < p[i].b)
                lo = mid + 1;
            else
                hi = mid;
        }
        prev[i] = lo ? tails[lo - 1] : SIZE_MAX;
        tails[lo] = i;
        if (lo == len)
            len++;
    }
    pair_t *chain = xmalloc((len + 1) * sizeof *chain);
    size_t k = len ? tails[len - 1] : SIZE_MAX;
    for (size_t c = len; c-- > 0; k = prev[k])
        chain[c] = p[k];
    memcpy(p, chain, len * sizeof *p);
    free(chain);
    free(tails);
    free(prev);
    return len;
}

/* Step 4: words once on each side anchor the texts. false without any. */
static bool match_anchors(wd_t *d, size_t alo, size_t ahi, size_t blo, size_t bhi, int depth)
{
    pair_t *p;
    size_t n = unique_pairs(d, alo, ahi, blo, bhi, &p);
    qsort(p, n, sizeof *p, pair_cmp);
    n = longest_chain(p, n);
    size_t pa = alo, pb = blo;
    for (size_t i = 0; i < n; i++) {
        match_range(d, pa, p[i].a, pb, p[i].b, depth + 1);
        add_pair(d, p[i].a, p[i].b);
        pa = p[i].a + 1;
        pb = p[i].b + 1;
    }
    if (n)
        match_range(d, pa, ahi, pb, bhi, depth + 1);
    free(p);
    return n > 0;
}

/* Matches old words [alo, ahi) with new [blo, bhi), appended in order. */
static void match_range(wd_t *d, size_t alo, size_t ahi, size_t blo, size_t bhi, int depth)
{
    while (alo < ahi && blo < bhi && d->o.id[alo] == d->n.id[blo])
        add_pair(d, alo++, blo++);
    size_t same_end = 0;
    while (ahi - same_end > alo && bhi - same_end > blo &&
           d->o.id[ahi - same_end - 1] == d->n.id[bhi - same_end - 1])
        same_end++;
    size_t n = ahi - same_end - alo, m = bhi - same_end - blo;
    if (n && m) {
        if (n <= WDIFF_MAX_CELLS / m && n * m <= d->budget)
            match_exact(d, alo, n, blo, m);
        else if (depth < WDIFF_MAX_DEPTH && !match_lines(d, alo, alo + n, blo, blo + m, depth))
            match_anchors(d, alo, alo + n, blo, blo + m, depth);
    }
    for (size_t k = same_end; k > 0; k--)
        add_pair(d, ahi - k, bhi - k);
}

/* --- readability -------------------------------------------------------------------------- */

/* Runs of consecutive matched words no longer than the change on each side
 * of them are given up, until none is left (or a few rounds). */
static void drop_stranded(wd_t *d)
{
    for (int round = 0; round < 8; round++) {
        size_t w = 0, i = 0, pa = 0, pb = 0; /* pa, pb: after the previous kept run */
        bool dropped = false;
        while (i < d->nm) {
            size_t e = i + 1;
            while (e < d->nm && d->m[e].a == d->m[e - 1].a + 1 && d->m[e].b == d->m[e - 1].b + 1)
                e++;
            size_t len = e - i;
            size_t before_a = d->m[i].a - pa, before_b = d->m[i].b - pb;
            size_t after_a = (e < d->nm ? d->m[e].a : d->o.n) - d->m[e - 1].a - 1;
            size_t after_b = (e < d->nm ? d->m[e].b : d->n.n) - d->m[e - 1].b - 1;
            size_t before = before_a > before_b ? before_a : before_b;
            size_t after = after_a > after_b ? after_a : after_b;
            if (len <= before && len <= after) {
                dropped = true;
            } else {
                memmove(d->m + w, d->m + i, len * sizeof *d->m);
                w += len;
                pa = d->m[w - 1].a + 1;
                pb = d->m[w - 1].b + 1;
            }
            i = e;
        }
        d->nm = w;
        if (!dropped)
            break;
    }
}

/* --- segments ------------------------------------------------------------------------------ */

enum { OP_SAME, OP_DEL, OP_ADD };
static const char *const op_names[] = {"same", "del", "add"};

typedef struct {
    json_t *out;
    int op;
    buf_t text;
} seg_acc_t;

static void seg_flush(seg_acc_t *s)
{
    if (s->text.len) {
        json_t *o = json_pack("{s:s, s:b, s:b, s:b, s:s%}", "op", op_names[s->op], "same", s->op == OP_SAME,
                              "add", s->op == OP_ADD, "del", s->op == OP_DEL, "text", s->text.data,
                              s->text.len);
        json_array_append_new(s->out, o);
    }
    buf_reset(&s->text);
}

static void seg_put(seg_acc_t *s, int op, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (op != s->op)
        seg_flush(s);
    s->op = op;
    buf_append(&s->text, p, n);
}

static bool is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* The text between two matched words (or an end): o[0..on) and n[0..nn),
 * whose first *lead bytes and last *trail bytes are the white space around
 * the changed words (the whole piece when a side has no word). */
static void put_between(seg_acc_t *s, const char *o, size_t on, size_t olead, size_t otrail, const char *n,
                        size_t nn, size_t nlead, size_t ntrail)
{
    size_t pre = 0, cap = olead < nlead ? olead : nlead;
    while (pre < cap && o[pre] == n[pre])
        pre++;
    while (pre > 0 && pre < on && is_cont(o[pre]))
        pre--;
    o += pre, n += pre, on -= pre, nn -= pre;
    size_t ot = otrail < on ? otrail : on, nt = ntrail < nn ? ntrail : nn;
    size_t suf = 0;
    cap = ot < nt ? ot : nt;
    while (suf < cap && o[on - 1 - suf] == n[nn - 1 - suf])
        suf++;
    while (suf > 0 && is_cont(o[on - suf]))
        suf--;
    seg_put(s, OP_SAME, o - pre, pre);
    seg_put(s, OP_DEL, o, on - suf);
    seg_put(s, OP_ADD, n, nn - suf);
    seg_put(s, OP_SAME, o + on - suf, suf);
}

/* Old words (a0, a1) exclusive, from byte from: their piece of text, the
 * white space before the first and after the last. */
static void piece(const side_t *sd, size_t from, size_t a0, size_t a1, size_t *len, size_t *lead,
                  size_t *trail)
{
    size_t to = a1 < sd->n ? sd->w[a1].start : sd->len;
    *len = to - from;
    if (a0 + 1 >= a1) { /* no word in between */
        *lead = *trail = *len;
        return;
    }
    *lead = sd->w[a0 + 1].start - from;
    *trail = to - sd->w[a1 - 1].end;
}

static json_t *segments(const wd_t *d)
{
    seg_acc_t s = {json_array(), OP_SAME, {0}};
    buf_init(&s.text);
    size_t fo = 0, fn = 0, pa = SIZE_MAX, pb = SIZE_MAX; /* SIZE_MAX + 1 == 0: before the first word */
    for (size_t i = 0; i <= d->nm; i++) {
        size_t a = i < d->nm ? d->m[i].a : d->o.n, b = i < d->nm ? d->m[i].b : d->n.n;
        size_t on, ol, ot, nn, nl, nt;
        piece(&d->o, fo, pa, a, &on, &ol, &ot);
        piece(&d->n, fn, pb, b, &nn, &nl, &nt);
        put_between(&s, d->o.s + fo, on, ol, ot, d->n.s + fn, nn, nl, nt);
        if (i == d->nm)
            break;
        const word_t *w = &d->o.w[a];
        seg_put(&s, OP_SAME, d->o.s + w->start, w->end - w->start);
        fo = w->end;
        fn = d->n.w[b].end;
        pa = a;
        pb = b;
    }
    seg_flush(&s);
    buf_free(&s.text);
    return s.out;
}

/* --- wdiff ------------------------------------------------------------------------------------ */

/* The text as valid UTF-8: itself, or a repaired copy stored in *fixed. */
static void side_text(side_t *sd, const char *text, char **fixed)
{
    sd->s = text ? text : "";
    sd->len = strlen(sd->s);
    *fixed = NULL;
    if (!utf8_valid(sd->s, sd->len))
        sd->s = *fixed = md_utf8_repair(sd->s, sd->len, &sd->len);
}

json_t *wdiff(const char *old_text, const char *new_text, wdiff_stats_t *stats)
{
    wd_t d;
    memset(&d, 0, sizeof d);
    char *fo, *fn;
    side_text(&d.o, old_text, &fo);
    side_text(&d.n, new_text, &fn);
    split_words(&d.o);
    split_words(&d.n);
    number_words(&d);
    d.budget = WDIFF_BUDGET;
    match_range(&d, 0, d.o.n, 0, d.n.n, 0);
    drop_stranded(&d);
    json_t *out = segments(&d);
    if (stats) {
        stats->same = d.nm;
        stats->deleted = d.o.n - d.nm;
        stats->added = d.n.n - d.nm;
    }
    free(d.m);
    free(d.o.w);
    free(d.o.id);
    free(d.n.w);
    free(d.n.id);
    free(fo);
    free(fn);
    return out;
}
