/* mo.c - reads gettext .mo catalogues (as written by msgfmt) and evaluates
 * the Plural-Forms expression. The file image is untrusted input (it is
 * fuzzed): every count and offset is checked before use, in 64-bit
 * arithmetic so nothing can wrap. */
#include "i18n.h"
#include "../core/core.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MO_MAGIC 0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u
#define PL_MAX_NODES 256
#define PL_MAX_DEPTH 64

/* ---- plural expressions: parsed into a small AST, evaluated per call ---- */

enum { PL_N, PL_NUM, PL_NOT, PL_BIN, PL_TERN };
enum { OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD };

typedef struct {
    uint8_t kind, op;
    int16_t a, b, c; /* child indexes */
    unsigned long num;
} pl_node_t;

typedef struct {
    pl_node_t v[PL_MAX_NODES];
    int n;
    int root;
} plural_t;

typedef struct {
    const char *s;
    plural_t *p;
    int depth;
    bool bad;
} pl_parser_t;

static void pl_ws(pl_parser_t *ps)
{
    while (*ps->s == ' ' || *ps->s == '\t' || *ps->s == '\n' || *ps->s == '\r')
        ps->s++;
}

static int pl_new(pl_parser_t *ps, uint8_t kind, uint8_t op, int a, int b, int c)
{
    if (ps->bad || ps->p->n >= PL_MAX_NODES) {
        ps->bad = true;
        return -1;
    }
    pl_node_t *nd = &ps->p->v[ps->p->n];
    *nd = (pl_node_t){.kind = kind, .op = op, .a = (int16_t)a, .b = (int16_t)b, .c = (int16_t)c};
    return ps->p->n++;
}

static int pl_ternary(pl_parser_t *ps);

static int pl_primary(pl_parser_t *ps)
{
    pl_ws(ps);
    if (*ps->s == '(') {
        ps->s++;
        int r = pl_ternary(ps);
        pl_ws(ps);
        if (*ps->s != ')') {
            ps->bad = true;
            return -1;
        }
        ps->s++;
        return r;
    }
    if (*ps->s == 'n') {
        ps->s++;
        return pl_new(ps, PL_N, 0, -1, -1, -1);
    }
    if (*ps->s >= '0' && *ps->s <= '9') {
        unsigned long v = 0;
        while (*ps->s >= '0' && *ps->s <= '9') {
            unsigned d = (unsigned)(*ps->s - '0');
            if (v > (ULONG_MAX - d) / 10) {
                ps->bad = true;
                return -1;
            }
            v = v * 10 + d;
            ps->s++;
        }
        int r = pl_new(ps, PL_NUM, 0, -1, -1, -1);
        if (r >= 0)
            ps->p->v[r].num = v;
        return r;
    }
    ps->bad = true;
    return -1;
}

static int pl_unary(pl_parser_t *ps)
{
    pl_ws(ps);
    if (*ps->s == '!') {
        ps->s++;
        if (++ps->depth > PL_MAX_DEPTH) {
            ps->bad = true;
            return -1;
        }
        int a = pl_unary(ps);
        ps->depth--;
        return pl_new(ps, PL_NOT, 0, a, -1, -1);
    }
    return pl_primary(ps);
}

/* One binary precedence level; ops are tried in order (longest first). */
typedef struct {
    const char *tok;
    uint8_t op;
} pl_op_t;

static const pl_op_t L_MUL[] = {{"*", OP_MUL}, {"/", OP_DIV}, {"%", OP_MOD}, {NULL, 0}};
static const pl_op_t L_ADD[] = {{"+", OP_ADD}, {"-", OP_SUB}, {NULL, 0}};
static const pl_op_t L_REL[] = {{"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT}, {NULL, 0}};
static const pl_op_t L_EQ[] = {{"==", OP_EQ}, {"!=", OP_NE}, {NULL, 0}};
static const pl_op_t L_AND[] = {{"&&", OP_AND}, {NULL, 0}};
static const pl_op_t L_OR[] = {{"||", OP_OR}, {NULL, 0}};
static const pl_op_t *const LEVELS[] = {L_OR, L_AND, L_EQ, L_REL, L_ADD, L_MUL};

static int pl_binary(pl_parser_t *ps, int level)
{
    if (level == (int)ARRAY_LEN(LEVELS))
        return pl_unary(ps);
    int left = pl_binary(ps, level + 1);
    for (;;) {
        if (ps->bad)
            return -1;
        pl_ws(ps);
        const pl_op_t *o = LEVELS[level];
        while (o->tok && strncmp(ps->s, o->tok, strlen(o->tok)) != 0)
            o++;
        if (!o->tok)
            return left;
        ps->s += strlen(o->tok);
        int right = pl_binary(ps, level + 1);
        left = pl_new(ps, PL_BIN, o->op, left, right, -1);
    }
}

static int pl_ternary(pl_parser_t *ps)
{
    if (++ps->depth > PL_MAX_DEPTH) {
        ps->bad = true;
        return -1;
    }
    int cond = pl_binary(ps, 0);
    pl_ws(ps);
    if (!ps->bad && *ps->s == '?') {
        ps->s++;
        int a = pl_ternary(ps);
        pl_ws(ps);
        if (*ps->s != ':') {
            ps->bad = true;
            return -1;
        }
        ps->s++;
        int b = pl_ternary(ps);
        cond = pl_new(ps, PL_TERN, 0, cond, a, b);
    }
    ps->depth--;
    return ps->bad ? -1 : cond;
}

static int plural_parse(const char *expr, plural_t *p)
{
    pl_parser_t ps = {.s = expr, .p = p};
    p->n = 0;
    p->root = pl_ternary(&ps);
    pl_ws(&ps);
    if (ps.bad || p->root < 0 || *ps.s != '\0')
        return -1;
    return 0;
}

/* Children always have smaller indexes than their parent (built bottom-up),
 * so recursion depth is bounded by the parse depth. */
static bool pl_eval(const plural_t *p, int i, unsigned long n, unsigned long *out)
{
    const pl_node_t *nd = &p->v[i];
    unsigned long a, b;
    switch (nd->kind) {
    case PL_N:
        *out = n;
        return true;
    case PL_NUM:
        *out = nd->num;
        return true;
    case PL_NOT:
        if (!pl_eval(p, nd->a, n, &a))
            return false;
        *out = !a;
        return true;
    case PL_TERN:
        if (!pl_eval(p, nd->a, n, &a))
            return false;
        return pl_eval(p, a ? nd->b : nd->c, n, out);
    default:
        break;
    }
    if (!pl_eval(p, nd->a, n, &a))
        return false;
    /* C semantics: && and || do not evaluate their right side needlessly */
    if (nd->op == OP_AND && !a) {
        *out = 0;
        return true;
    }
    if (nd->op == OP_OR && a) {
        *out = 1;
        return true;
    }
    if (!pl_eval(p, nd->b, n, &b))
        return false;
    switch (nd->op) {
    case OP_OR:
    case OP_AND: *out = b != 0; break;
    case OP_EQ: *out = a == b; break;
    case OP_NE: *out = a != b; break;
    case OP_LT: *out = a < b; break;
    case OP_GT: *out = a > b; break;
    case OP_LE: *out = a <= b; break;
    case OP_GE: *out = a >= b; break;
    case OP_ADD: *out = a + b; break;
    case OP_SUB: *out = a - b; break;
    case OP_MUL: *out = a * b; break;
    case OP_DIV:
    case OP_MOD:
        if (b == 0)
            return false;
        *out = nd->op == OP_DIV ? a / b : a % b;
        break;
    default: return false;
    }
    return true;
}

static long plural_run(const plural_t *p, unsigned long n)
{
    unsigned long v;
    if (!pl_eval(p, p->root, n, &v))
        return -1;
    return v > LONG_MAX ? LONG_MAX : (long)v;
}

long plural_eval(const char *expr, unsigned long n)
{
    if (!expr)
        return -1;
    plural_t *p = xmalloc(sizeof *p);
    long r = plural_parse(expr, p) == 0 ? plural_run(p, n) : -1;
    free(p);
    return r;
}

/* ---- catalogues ---- */

typedef struct {
    const char *id; /* NUL-terminated singular msgid */
    const char *str;
    uint32_t strlen; /* all forms, NUL-separated */
    bool plural;
} mo_entry_t;

struct mo_catalog {
    char *image;
    mo_entry_t *e;
    size_t n;
    unsigned nplurals;
    bool has_expr;
    plural_t expr;
};

static uint32_t rd32(const unsigned char *p, bool swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static int entry_cmp(const void *a, const void *b)
{
    const mo_entry_t *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    /* a plural entry sorts after the singular entry of the same msgid */
    return c ? c : (int)x->plural - (int)y->plural;
}

static void *mo_fail(mo_catalog_t *c, char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "invalid .mo: %s", msg);
    mo_free(c);
    return NULL;
}

/* "Plural-Forms: nplurals=6; plural=EXPR;" from the header entry. */
static int read_plural_forms(mo_catalog_t *c, const char *hdr, size_t len, char *err, size_t errlen)
{
    const char *end = hdr + len, *p = hdr;
    const char *key = "Plural-Forms:";
    size_t kl = strlen(key);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) >= kl && strncasecmp(p, key, kl) == 0) {
            char line[512];
            size_t ll = (size_t)(eol - p) - kl;
            if (ll >= sizeof line) {
                snprintf(err, errlen, "invalid .mo: Plural-Forms too long");
                return -1;
            }
            memcpy(line, p + kl, ll);
            line[ll] = '\0';
            const char *np = strstr(line, "nplurals=");
            char *pl = strstr(line, "plural=");
            while (pl && pl > line && pl[-1] == 'n') /* skip the "plural=" in "nplurals=" */
                pl = strstr(pl + 1, "plural=");
            if (!np || !pl) {
                snprintf(err, errlen, "invalid .mo: Plural-Forms lacks nplurals or plural");
                return -1;
            }
            char *q;
            unsigned long npl = strtoul(np + 9, &q, 10);
            if (q == np + 9 || npl < 1 || npl > 16) {
                snprintf(err, errlen, "invalid .mo: bad nplurals");
                return -1;
            }
            pl += 7;
            char *semi = strchr(pl, ';');
            if (semi)
                *semi = '\0';
            if (plural_parse(pl, &c->expr) != 0) {
                snprintf(err, errlen, "invalid .mo: bad plural expression");
                return -1;
            }
            c->nplurals = (unsigned)npl;
            c->has_expr = true;
            return 0;
        }
        p = eol + 1;
    }
    return 0;
}

mo_catalog_t *mo_parse(const void *data, size_t len, char *err, size_t errlen)
{
    const unsigned char *d = data;
    if (!d || len < 28)
        return mo_fail(NULL, err, errlen, "too short");
    uint32_t magic;
    memcpy(&magic, d, 4);
    bool swap;
    if (magic == MO_MAGIC)
        swap = false;
    else if (magic == MO_MAGIC_SWAPPED)
        swap = true;
    else
        return mo_fail(NULL, err, errlen, "bad magic number");
    uint32_t rev = rd32(d + 4, swap);
    if ((rev >> 16) > 1)
        return mo_fail(NULL, err, errlen, "unsupported revision");
    uint64_t n = rd32(d + 8, swap), oo = rd32(d + 12, swap), to = rd32(d + 16, swap);
    uint64_t hs = rd32(d + 20, swap), ho = rd32(d + 24, swap);
    if (oo + n * 8 > len || to + n * 8 > len)
        return mo_fail(NULL, err, errlen, "string tables out of bounds");
    if (hs && ho + hs * 4 > len)
        return mo_fail(NULL, err, errlen, "hash table out of bounds");

    mo_catalog_t *c = xcalloc(1, sizeof *c);
    c->nplurals = 2;
    c->image = xmalloc(len + 1);
    memcpy(c->image, d, len);
    c->image[len] = '\0';
    c->e = xcalloc(n ? n : 1, sizeof *c->e);
    const unsigned char *img = (const unsigned char *)c->image;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t il = rd32(img + oo + i * 8, swap), io = rd32(img + oo + i * 8 + 4, swap);
        uint64_t sl = rd32(img + to + i * 8, swap), so = rd32(img + to + i * 8 + 4, swap);
        if (io + il >= len || so + sl >= len)
            return mo_fail(c, err, errlen, "string out of bounds");
        if (img[io + il] != '\0' || img[so + sl] != '\0')
            return mo_fail(c, err, errlen, "string not NUL-terminated");
        const char *id = c->image + io, *str = c->image + so;
        if (il == 0) {
            if (read_plural_forms(c, str, sl, err, errlen) != 0) {
                mo_free(c);
                return NULL;
            }
            continue;
        }
        if (memchr(id, '\x04', il))
            continue; /* msgctxt entries: not used by the program */
        size_t first = strlen(id);
        if (first == 0)
            continue;
        c->e[c->n++] = (mo_entry_t){id, str, (uint32_t)sl, first < il};
    }
    qsort(c->e, c->n, sizeof *c->e, entry_cmp);
    return c;
}

void mo_free(mo_catalog_t *c)
{
    if (!c)
        return;
    free(c->image);
    free(c->e);
    free(c);
}

size_t mo_count(const mo_catalog_t *c)
{
    return c ? c->n : 0;
}

/* First entry whose singular msgid is key (the singular one when both a
 * plain and a plural entry exist). */
static const mo_entry_t *find(const mo_catalog_t *c, const char *key)
{
    if (!c || !key)
        return NULL;
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->e[mid].id, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && strcmp(c->e[lo].id, key) == 0 ? &c->e[lo] : NULL;
}

const char *mo_gettext(const mo_catalog_t *c, const char *msgid)
{
    const mo_entry_t *e = find(c, msgid);
    return e && e->str[0] ? e->str : NULL;
}

int mo_plural_index(const mo_catalog_t *c, unsigned long n)
{
    if (!c || !c->has_expr)
        return n != 1; /* no Plural-Forms: the gettext default */
    long r = plural_run(&c->expr, n);
    return r < 0 || r > INT_MAX ? -1 : (int)r;
}

const char *mo_ngettext(const mo_catalog_t *c, const char *one, const char *many, unsigned long n)
{
    const char *fallback = n == 1 ? one : many;
    const mo_entry_t *e = find(c, one);
    if (e && !e->plural && e + 1 < c->e + c->n && strcmp(e[1].id, one) == 0)
        e++;
    if (!e || !e->plural)
        return fallback;
    int idx = mo_plural_index(c, n);
    if (idx < 0 || (unsigned)idx >= c->nplurals)
        return fallback;
    const char *s = e->str, *end = e->str + e->strlen;
    for (int i = 0; i < idx; i++) {
        const char *z = memchr(s, '\0', (size_t)(end - s));
        if (!z || z >= end)
            return fallback;
        s = z + 1;
    }
    return *s ? s : fallback;
}
