/* tpl_parse.c - turns template source into the flat node array rendered by
 * tpl_render.c. Every syntax error names the template and the line, so a
 * broken template stops the program at start-up rather than on a page. */
#include "tpl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *src;
    size_t len;
    size_t line_pos; /* newlines counted up to here */
    uint32_t line;
    tpl_t *t;
    size_t cap;
    buf_t pool;
    char *err;
    size_t errlen;
} parser_t;

typedef struct {
    uint32_t node;
    const char *raw;
    size_t rawlen;
} open_sec_t;

static uint32_t line_at(parser_t *p, size_t pos)
{
    /* positions only move forward, so counting is incremental */
    for (; p->line_pos < pos; p->line_pos++)
        if (p->src[p->line_pos] == '\n')
            p->line++;
    return p->line;
}

static int perr(parser_t *p, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(parser_t *p, uint32_t line, const char *fmt, ...)
{
    if (p->err && p->errlen) {
        char msg[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(p->err, p->errlen, "template '%s' line %u: %s", p->t->name, (unsigned)line, msg);
    }
    return -1;
}

static tpl_node_t *new_node(parser_t *p, uint8_t kind, uint32_t line)
{
    if (p->t->nnodes == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->t->nodes = xrealloc(p->t->nodes, p->cap * sizeof *p->t->nodes);
    }
    tpl_node_t *n = &p->t->nodes[p->t->nnodes++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = line;
    return n;
}

/* Append s to the pool followed by a NUL; returns its offset. */
static uint32_t pool_add(parser_t *p, const char *s, size_t n)
{
    uint32_t off = (uint32_t)p->pool.len;
    buf_append(&p->pool, s, n);
    buf_putc(&p->pool, '\0');
    return off;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_ws((*s)[*n - 1]))
        (*n)--;
}

/* Validate a name ("." or seg(.seg)*) and store it into node n. */
static int set_name(parser_t *p, tpl_node_t *n, const char *s, size_t len)
{
    if (len == 0)
        return perr(p, n->line, "missing name");
    if (len > 255)
        return perr(p, n->line, "name too long");
    n->raw = pool_add(p, s, len);
    if (len == 1 && s[0] == '.') {
        n->nseg = 0;
        n->name = n->raw;
        return 0;
    }
    unsigned nseg = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (i == 0 || i + 1 == len || s[i + 1] == '.')
                return perr(p, n->line, "invalid name '%.*s'", (int)len, s);
            nseg++;
        } else if (!is_name_char(s[i])) {
            return perr(p, n->line, "invalid name '%.*s'", (int)len, s);
        }
    }
    if (nseg > TPL_MAX_SEGS)
        return perr(p, n->line, "name has too many segments");
    n->nseg = (uint8_t)nseg;
    n->name = (uint32_t)p->pool.len;
    for (size_t i = 0; i < len; i++)
        buf_putc(&p->pool, s[i] == '.' ? '\0' : s[i]);
    buf_putc(&p->pool, '\0');
    return 0;
}

/* Read a double-quoted string at *s (after optional spaces) into the pool.
 * Escapes: \" and \\ only. Empty strings are refused: gettext("") is the
 * catalogue header. */
static int read_string(parser_t *p, uint32_t line, const char **s, const char *e, uint32_t *off,
                       uint32_t *olen)
{
    while (*s < e && is_ws(**s))
        (*s)++;
    if (*s >= e || **s != '"')
        return perr(p, line, "expected a quoted string");
    (*s)++;
    size_t start = p->pool.len;
    for (;;) {
        if (*s >= e)
            return perr(p, line, "unterminated string");
        char c = *(*s)++;
        if (c == '"')
            break;
        if (c == '\\') {
            if (*s >= e)
                return perr(p, line, "unterminated string");
            c = *(*s)++;
            if (c != '"' && c != '\\')
                return perr(p, line, "unknown escape '\\%c' in string", c);
        }
        buf_putc(&p->pool, c);
    }
    if (p->pool.len == start)
        return perr(p, line, "empty msgid");
    *olen = (uint32_t)(p->pool.len - start);
    *off = (uint32_t)start;
    buf_putc(&p->pool, '\0');
    return 0;
}

static int expect_end(parser_t *p, uint32_t line, const char *s, const char *e)
{
    while (s < e && is_ws(*s))
        s++;
    if (s != e)
        return perr(p, line, "unexpected text '%.*s' in tag", (int)(e - s > 40 ? 40 : e - s), s);
    return 0;
}

/* A name token up to the next space (for _n). */
static void read_token(const char **s, const char *e, const char **tok, size_t *toklen)
{
    while (*s < e && is_ws(**s))
        (*s)++;
    *tok = *s;
    while (*s < e && !is_ws(**s) && **s != '"')
        (*s)++;
    *toklen = (size_t)(*s - *tok);
}

/* Section open/close/comment/partial tags alone on their line vanish with
 * the line (Mustache "standalone"): keeps the output free of blank lines.
 * Returns true with *line_start (first char of the line) and *next (after
 * the newline). */
static bool standalone(const parser_t *p, size_t tag_start, size_t tag_end, size_t *line_start,
                       size_t *next)
{
    size_t b = tag_start;
    while (b > 0 && (p->src[b - 1] == ' ' || p->src[b - 1] == '\t'))
        b--;
    if (b > 0 && p->src[b - 1] != '\n')
        return false;
    size_t a = tag_end;
    while (a < p->len && (p->src[a] == ' ' || p->src[a] == '\t'))
        a++;
    if (a < p->len && p->src[a] == '\r' && a + 1 < p->len && p->src[a + 1] == '\n')
        a += 2;
    else if (a < p->len && p->src[a] == '\n')
        a++;
    else if (a != p->len)
        return false;
    *line_start = b;
    *next = a;
    return true;
}

static int emit_text(parser_t *p, size_t from, size_t to)
{
    if (to <= from)
        return 0;
    tpl_node_t *n = new_node(p, TK_TEXT, 0);
    n->s1 = pool_add(p, p->src + from, to - from);
    n->s1len = (uint32_t)(to - from);
    return 0;
}

int tpl_parse(tpl_t *t, const char *src, size_t len, char *err, size_t errlen)
{
    parser_t p = {.src = src, .len = len, .line = 1, .t = t, .err = err, .errlen = errlen};
    open_sec_t open[TPL_MAX_NEST];
    int nopen = 0;
    size_t pos = 0, text_start = 0;
    int rc = 0;

    t->nodes = NULL;
    t->nnodes = 0;
    t->pool = NULL;
    buf_init(&p.pool);
    if (len > TPL_MAX_SRC) {
        rc = perr(&p, 1, "template too large");
        goto out;
    }
    while (rc == 0) {
        const char *o = pos < len ? memmem(src + pos, len - pos, "{{", 2) : NULL;
        if (!o) {
            emit_text(&p, text_start, len);
            break;
        }
        size_t tag_start = (size_t)(o - src);
        uint32_t line = line_at(&p, tag_start);
        const char *c = memmem(o + 2, len - tag_start - 2, "}}", 2);
        if (!c) {
            rc = perr(&p, line, "unclosed tag '{{'");
            break;
        }
        size_t tag_end = (size_t)(c - src) + 2;
        const char *s = o + 2, *e = c;
        while (s < e && is_ws(*s))
            s++;
        char sigil = s < e ? *s : '\0';
        size_t text_end = tag_start, next = tag_end;
        if (sigil == '!' || sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>') {
            size_t ls, nx;
            if (standalone(&p, tag_start, tag_end, &ls, &nx)) {
                text_end = ls;
                next = nx;
            }
        }
        emit_text(&p, text_start, text_end);
        pos = text_start = next;

        const char *name = s + 1;
        size_t nlen = (size_t)(e - name);
        if (sigil == '!') {
            continue;
        } else if (sigil == '#' || sigil == '^') {
            if (nopen == TPL_MAX_NEST) {
                rc = perr(&p, line, "sections nested too deeply");
                break;
            }
            trim(&name, &nlen);
            tpl_node_t *n = new_node(&p, sigil == '#' ? TK_SECTION : TK_INVERTED, line);
            if ((rc = set_name(&p, n, name, nlen)) != 0)
                break;
            open[nopen++] = (open_sec_t){t->nnodes - 1, name, nlen};
        } else if (sigil == '/') {
            trim(&name, &nlen);
            if (nopen == 0) {
                rc = perr(&p, line, "unexpected {{/%.*s}}", (int)(nlen > 60 ? 60 : nlen), name);
                break;
            }
            open_sec_t *top = &open[nopen - 1];
            if (nlen != top->rawlen || memcmp(name, top->raw, nlen) != 0) {
                rc = perr(&p, line, "{{/%.*s}} does not close {{#%.*s}} (line %u)",
                          (int)(nlen > 60 ? 60 : nlen), name, (int)top->rawlen, top->raw,
                          (unsigned)t->nodes[top->node].line);
                break;
            }
            t->nodes[top->node].end = t->nnodes;
            nopen--;
        } else if (sigil == '>' && (trim(&name, &nlen), nlen > 0 && name[0] == '*')) {
            /* {{>* name}}: the partial named by the model value `name` */
            name++;
            nlen--;
            trim(&name, &nlen);
            tpl_node_t *n = new_node(&p, TK_DYNPARTIAL, line);
            rc = set_name(&p, n, name, nlen);
        } else if (sigil == '>') {
            trim(&name, &nlen);
            if (nlen == 0 || nlen > 255) {
                rc = perr(&p, line, "invalid partial name");
                break;
            }
            for (size_t i = 0; i < nlen; i++)
                if (!is_name_char(name[i]) && name[i] != '/') {
                    rc = perr(&p, line, "invalid partial name '%.*s'", (int)nlen, name);
                    break;
                }
            if (rc)
                break;
            tpl_node_t *n = new_node(&p, TK_PARTIAL, line);
            n->s1 = pool_add(&p, name, nlen);
            n->s1len = (uint32_t)nlen;
        } else if (sigil == '@') {
            trim(&name, &nlen);
            if (nlen != 7 || memcmp(name, "content", 7) != 0) {
                rc = perr(&p, line, "unknown tag '{{@%.*s}}'", (int)(nlen > 60 ? 60 : nlen), name);
                break;
            }
            new_node(&p, TK_CONTENT, line);
        } else if (sigil == '_' && s + 1 < e && (is_ws(s[1]) || s[1] == '"')) {
            tpl_node_t *n = new_node(&p, TK_TR, line);
            const char *q = s + 1;
            uint32_t off = 0, olen = 0;
            if ((rc = read_string(&p, line, &q, e, &off, &olen)) != 0 ||
                (rc = expect_end(&p, line, q, e)) != 0)
                break;
            n = &t->nodes[t->nnodes - 1]; /* new_node may not move it, but be safe */
            n->s1 = off;
            n->s1len = olen;
        } else if (sigil == '_' && s + 2 < e && s[1] == 'n' && is_ws(s[2])) {
            new_node(&p, TK_TRN, line);
            const char *q = s + 2, *tok;
            size_t toklen;
            read_token(&q, e, &tok, &toklen);
            uint32_t o1 = 0, l1 = 0, o2 = 0, l2 = 0;
            if ((rc = set_name(&p, &t->nodes[t->nnodes - 1], tok, toklen)) != 0 ||
                (rc = read_string(&p, line, &q, e, &o1, &l1)) != 0 ||
                (rc = read_string(&p, line, &q, e, &o2, &l2)) != 0 || (rc = expect_end(&p, line, q, e)) != 0)
                break;
            tpl_node_t *n = &t->nodes[t->nnodes - 1];
            n->s1 = o1;
            n->s1len = l1;
            n->s2 = o2;
            n->s2len = l2;
        } else if (sigil == '_' && s + 2 < e && s[1] == 'k' && is_ws(s[2])) {
            name = s + 2;
            nlen = (size_t)(e - name);
            trim(&name, &nlen);
            tpl_node_t *n = new_node(&p, TK_TRK, line);
            rc = set_name(&p, n, name, nlen);
        } else if (sigil == '.' || sigil == '_' || is_name_char(sigil)) {
            name = s;
            nlen = (size_t)(e - s);
            trim(&name, &nlen);
            tpl_node_t *n = new_node(&p, TK_VAR, line);
            rc = set_name(&p, n, name, nlen);
        } else {
            rc = perr(&p, line, "unknown tag form '{{%.*s}}'", (int)(e - s > 40 ? 40 : e - s), s);
        }
    }
    if (rc == 0 && nopen > 0)
        rc = perr(&p, t->nodes[open[nopen - 1].node].line, "section {{#%.*s}} is never closed",
                  (int)open[nopen - 1].rawlen, open[nopen - 1].raw);
out:
    if (rc == 0 && p.pool.len >= UINT32_MAX)
        rc = perr(&p, 1, "template too large");
    if (rc != 0) {
        free(t->nodes);
        t->nodes = NULL;
        t->nnodes = 0;
        buf_free(&p.pool);
        return -1;
    }
    t->pool = buf_detach(&p.pool);
    return 0;
}
