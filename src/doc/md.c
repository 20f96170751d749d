/* md.c - Markdown read into the JSON blocks of md.h with md4c's parser
 * (md_parse, never its HTML renderer). The callbacks keep a stack with one
 * entry per block md4c opened (what entering it did), a stack of the block
 * arrays new blocks go into (one per quote or list item, MD_MAX_DEPTH at
 * most: deeper containers add nothing and their content lands in the
 * deepest array), and the run being gathered: text of one style is buffered
 * and becomes a JSON run only when the style changes, so adjacent text of
 * one style is one run. Links are checked here (md_href_allowed); entities
 * are decoded here (md4c hands them over verbatim). Fuzzed by
 * fuzz/fuzz_md.c. */
#include "md.h"

#include "../core/core.h"

#include <limits.h>
#include <md4c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MD_FLAGS (MD_DIALECT_COMMONMARK | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML | \
                  MD_FLAG_PERMISSIVEAUTOLINKS)

static const char *const block_types[] = {"heading", "paragraph", "list", "quote", "code", "table", "rule"};

/* What entering an md4c block did, undone when md4c leaves it. */
enum {
    E_NONE,      /* document, table head or body, rule: nothing to undo */
    E_CONTAINER, /* quote or list item: pushed a block array */
    E_LIST,      /* a list object (its items array in obj) */
    E_FLAT,      /* a quote, list or item too deep: nothing of its own */
    E_LEAF,      /* heading, paragraph, code, raw HTML: the open leaf */
    E_TABLE,     /* the table object in obj */
    E_ROW,       /* a row: its cells array in obj */
    E_CELL       /* a cell: its runs are the current runs */
};

typedef struct {
    int kind;
    json_t *obj; /* borrowed: list items, table, row cells */
} entry_t;

typedef struct {
    MD_SPANTYPE type;
    char *href; /* links: the kept target, NULL when refused */
} span_t;

typedef struct {
    int b, i, del, code; /* open spans of each kind */
    const char *href;    /* innermost link's kept target */
} style_t;

typedef struct {
    json_t *root;
    char *doc, *doc_end;  /* the text md4c reads */
    VEC(entry_t) entries;
    VEC(json_t *) arrays; /* arrays.v[0] = root; the last takes new blocks */
    VEC(span_t) spans;
    arena_t *arena;       /* the stacks' storage */
    json_t *leaf;         /* the open heading or paragraph (owned until appended) */
    bool leaf_implicit;   /* a paragraph made for text of a tight list item */
    bool leaf_code;       /* the open leaf is a code block: text goes to code */
    json_t *runs;         /* where runs go (borrowed), NULL outside any */
    bool in_head;         /* inside a table's head */
    buf_t code;           /* text of the open code block */
    buf_t pending;        /* text of the run being gathered */
    style_t pstyle;       /* its style */
    char *pstyle_href;    /* owned copy of pstyle.href */
} md_state_t;

/* --- UTF-8 ------------------------------------------------------------------ */

static void put_cp(buf_t *b, uint32_t cp)
{
    char o[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, o, 3);
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, o, 4);
    }
}

/* The length of the valid UTF-8 sequence at s[0..n), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4                ? 4
                                                                : 0;
    return len && len <= n && utf8_valid((const char *)s, len) ? len : 0;
}

char *md_utf8_repair(const char *s, size_t len, size_t *out_len)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t from = i, k;
        while (i < len && (k = utf8_seq(u + i, len - i)) != 0)
            i += k;
        buf_append(&b, s + from, i - from);
        if (i < len) {
            put_cp(&b, 0xFFFD);
            i++;
        }
    }
    if (out_len)
        *out_len = b.len;
    return buf_detach(&b);
}

/* --- entities ----------------------------------------------------------------- */

typedef struct {
    const char *name;
    uint32_t cp;
} entity_t;

/* The named entities people type (markup, typography, French letters). */
static const entity_t entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"shy", 0xAD},     {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122},
    {"deg", 0xB0},     {"plusmn", 0xB1},  {"times", 0xD7},   {"divide", 0xF7},  {"micro", 0xB5},
    {"para", 0xB6},    {"sect", 0xA7},    {"middot", 0xB7},  {"laquo", 0xAB},   {"raquo", 0xBB},
    {"euro", 0x20AC},  {"pound", 0xA3},   {"cent", 0xA2},    {"yen", 0xA5},     {"hellip", 0x2026},
    {"ndash", 0x2013}, {"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"bull", 0x2022},  {"thinsp", 0x2009}, {"ensp", 0x2002}, {"emsp", 0x2003},
    {"zwnj", 0x200C},  {"zwj", 0x200D},   {"lrm", 0x200E},   {"rlm", 0x200F},   {"larr", 0x2190},
    {"rarr", 0x2192},  {"uarr", 0x2191},  {"darr", 0x2193},  {"le", 0x2264},    {"ge", 0x2265},
    {"ne", 0x2260},    {"frac12", 0xBD},  {"frac14", 0xBC},  {"frac34", 0xBE},  {"sup2", 0xB2},
    {"agrave", 0xE0},  {"acirc", 0xE2},   {"auml", 0xE4},    {"aelig", 0xE6},   {"ccedil", 0xE7},
    {"egrave", 0xE8},  {"eacute", 0xE9},  {"ecirc", 0xEA},   {"euml", 0xEB},    {"icirc", 0xEE},
    {"iuml", 0xEF},    {"ocirc", 0xF4},   {"ouml", 0xF6},    {"ugrave", 0xF9},  {"ucirc", 0xFB},
    {"uuml", 0xFC},    {"yuml", 0xFF},    {"oelig", 0x153},  {"Agrave", 0xC0},  {"Acirc", 0xC2},
    {"AElig", 0xC6},   {"Ccedil", 0xC7},  {"Egrave", 0xC8},  {"Eacute", 0xC9},  {"Ecirc", 0xCA},
    {"Euml", 0xCB},    {"Icirc", 0xCE},   {"Iuml", 0xCF},    {"Ocirc", 0xD4},   {"Ugrave", 0xD9},
    {"Ucirc", 0xDB},   {"Uuml", 0xDC},    {"OElig", 0x152},  {"szlig", 0xDF},   {"ntilde", 0xF1},
};

/* &#123; or &#x1F; (md4c only hands over well-formed ones): the code point,
 * U+FFFD for zero, surrogates and beyond U+10FFFF as CommonMark says. */
static uint32_t numeric_entity(const char *s, size_t n)
{
    bool hex = n > 3 && (s[2] == 'x' || s[2] == 'X');
    uint32_t cp = 0;
    for (size_t k = hex ? 3 : 2; k + 1 < n; k++) {
        char c = s[k];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                                                 : (unsigned)(c - 'A' + 10);
        cp = cp * (hex ? 16 : 10) + d;
        if (cp > 0x10FFFF)
            return 0xFFFD;
    }
    return cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) ? 0xFFFD : cp;
}

/* The entity s[0..n) ("&name;", "&#..;") decoded into b, or kept as typed
 * when it is a name not in the table. */
static void put_entity(buf_t *b, const char *s, size_t n)
{
    if (n >= 4 && s[1] == '#') {
        put_cp(b, numeric_entity(s, n));
        return;
    }
    for (size_t k = 0; n > 2 && k < ARRAY_LEN(entities); k++) {
        if (strlen(entities[k].name) == n - 2 && memcmp(entities[k].name, s + 1, n - 2) == 0) {
            put_cp(b, entities[k].cp);
            return;
        }
    }
    buf_append(b, s, n);
}

/* An md4c attribute (a link target) as text, entities decoded. malloc'd. */
static char *attr_text(const MD_ATTRIBUTE *a)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    for (size_t k = 0; a->substr_offsets && a->substr_offsets[k] < a->size; k++) {
        const char *p = a->text + a->substr_offsets[k];
        size_t n = a->substr_offsets[k + 1] - a->substr_offsets[k];
        if (a->substr_types[k] == MD_TEXT_ENTITY)
            put_entity(&b, p, n);
        else if (a->substr_types[k] == MD_TEXT_NULLCHAR)
            put_cp(&b, 0xFFFD);
        else
            buf_append(&b, p, n);
    }
    return buf_detach(&b);
}

/* --- links -------------------------------------------------------------------- */

bool md_href_allowed(const char *href)
{
    if (!href || !*href)
        return false;
    for (const unsigned char *p = (const unsigned char *)href; *p; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return false; /* browsers drop tabs and line breaks: "java\tscript:" */
    size_t k = strcspn(href, ":/?#");
    if (href[k] != ':')
        return true; /* no scheme: relative */
    static const char *const ok[] = {"http", "https", "mailto"};
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        if (strlen(ok[i]) == k && strncasecmp(href, ok[i], k) == 0)
            return true;
    return false;
}

/* The target to keep for a link: surrounding spaces and controls dropped,
 * inner spaces (<a b.pdf>) written %20; NULL when it is not allowed.
 * malloc'd. */
static char *link_target(const MD_SPAN_A_DETAIL *d)
{
    char *t = attr_text(&d->href);
    size_t a = 0, z = strlen(t);
    while (a < z && (unsigned char)t[a] <= 0x20)
        a++;
    while (z > a && (unsigned char)t[z - 1] <= 0x20)
        z--;
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    for (size_t k = a; k < z; k++) {
        if (t[k] == ' ')
            buf_puts(&b, "%20");
        else
            buf_putc(&b, t[k]);
    }
    free(t);
    t = buf_detach(&b);
    if (md_href_allowed(t))
        return t;
    free(t);
    return NULL;
}

/* --- blocks and runs ------------------------------------------------------------- */

/* A block of type t: every type's boolean is set (true for t), because the
 * template engine looks a missing name up in the enclosing contexts. */
static json_t *block_new(const char *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(t));
    for (size_t k = 0; k < ARRAY_LEN(block_types); k++)
        json_object_set_new(o, block_types[k], json_boolean(strcmp(block_types[k], t) == 0));
    return o;
}

static json_t *cur_array(md_state_t *st)
{
    return st->arrays.v[st->arrays.n - 1];
}

static bool style_eq(const style_t *x, const style_t *y)
{
    return (x->b > 0) == (y->b > 0) && (x->i > 0) == (y->i > 0) && (x->del > 0) == (y->del > 0) &&
           (x->code > 0) == (y->code > 0) && str_eq(x->href, y->href);
}

/* The gathered text becomes a run of the current runs. */
static void flush_run(md_state_t *st)
{
    if (st->pending.len && st->runs) {
        const style_t *s = &st->pstyle;
        json_t *r = json_pack("{s:s%, s:b, s:b, s:b, s:b, s:b, s:b}", "text", st->pending.data,
                              st->pending.len, "b", s->b > 0, "i", s->i > 0, "code", s->code > 0, "del",
                              s->del > 0, "link", s->href != NULL, "br", 0);
        if (r && s->href)
            json_object_set_new(r, "href", json_string(s->href));
        if (r)
            json_array_append_new(st->runs, r);
    }
    buf_reset(&st->pending);
    free(st->pstyle_href);
    st->pstyle_href = NULL;
    st->pstyle.href = NULL;
}

static void open_implicit(md_state_t *st);

/* Text of the current style (code: a code span's text) into the open leaf. */
static void add_text(md_state_t *st, const char *s, size_t n, bool code)
{
    if (n == 0)
        return;
    if (st->leaf_code) {
        buf_append(&st->code, s, n);
        return;
    }
    if (!st->runs)
        open_implicit(st);
    style_t now = {0, 0, 0, 0, NULL};
    for (size_t k = 0; k < st->spans.n; k++) {
        const span_t *sp = &st->spans.v[k];
        now.b += sp->type == MD_SPAN_STRONG;
        now.i += sp->type == MD_SPAN_EM;
        now.del += sp->type == MD_SPAN_DEL;
        now.code += sp->type == MD_SPAN_CODE;
        if (sp->type == MD_SPAN_A)
            now.href = sp->href;
    }
    now.code += code;
    if (st->pending.len && !style_eq(&now, &st->pstyle))
        flush_run(st);
    if (!st->pending.len) {
        st->pstyle = now;
        st->pstyle_href = now.href ? xstrdup(now.href) : NULL;
        st->pstyle.href = st->pstyle_href;
    }
    buf_append(&st->pending, s, n);
}

static void add_break(md_state_t *st)
{
    if (st->leaf_code)
        return;
    if (!st->runs)
        open_implicit(st);
    flush_run(st);
    json_array_append_new(st->runs, json_pack("{s:b}", "br", 1));
}

/* A heading or paragraph (or a code block when code) being read. */
static void open_leaf(md_state_t *st, json_t *leaf, bool code)
{
    st->leaf = leaf;
    st->leaf_code = code;
    if (code) {
        buf_reset(&st->code);
        return;
    }
    st->runs = json_array();
    json_object_set_new(leaf, "runs", st->runs);
}

/* The open leaf into the current array; headings and paragraphs left
 * without any text (an image without alternative text) are dropped. */
static void close_leaf(md_state_t *st)
{
    if (!st->leaf)
        return;
    flush_run(st);
    if (st->leaf_code) {
        size_t n = st->code.len;
        if (n && st->code.data[n - 1] == '\n')
            n--;
        json_object_set_new(st->leaf, "text", json_stringn(st->code.data ? st->code.data : "", n));
    }
    if (st->leaf_code || json_array_size(st->runs) > 0)
        json_array_append_new(cur_array(st), st->leaf);
    else
        json_decref(st->leaf);
    st->leaf = NULL;
    st->runs = NULL;
    st->leaf_code = false;
    st->leaf_implicit = false;
}

/* Text outside any paragraph: the items of a tight list. */
static void open_implicit(md_state_t *st)
{
    open_leaf(st, block_new("paragraph"), false);
    st->leaf_implicit = true;
}

static void close_implicit(md_state_t *st)
{
    if (st->leaf && st->leaf_implicit)
        close_leaf(st);
}

static void push_array(md_state_t *st, json_t *arr)
{
    *VEC_PUSH(st->arena, &st->arrays) = arr;
}

/* --- md4c callbacks ---------------------------------------------------------------- */

static const char *align_name(MD_ALIGN a)
{
    return a == MD_ALIGN_CENTER ? "center" : a == MD_ALIGN_RIGHT ? "end" : "start";
}

static int enter_container(md_state_t *st, MD_BLOCKTYPE type, void *detail, entry_t *e)
{
    bool room = st->arrays.n <= MD_MAX_DEPTH;
    if (type == MD_BLOCK_LI) {
        entry_t *parent = &st->entries.v[st->entries.n - 2];
        if (parent->kind != E_LIST) {
            e->kind = E_FLAT;
            return 0;
        }
        json_t *blocks = json_array();
        json_array_append_new(parent->obj, json_pack("{s:o}", "blocks", blocks));
        push_array(st, blocks);
        e->kind = E_CONTAINER;
        return 0;
    }
    if (!room) {
        e->kind = E_FLAT;
        return 0;
    }
    if (type == MD_BLOCK_QUOTE) {
        json_t *q = block_new("quote"), *blocks = json_array();
        json_object_set_new(q, "blocks", blocks);
        json_array_append_new(cur_array(st), q);
        push_array(st, blocks);
        e->kind = E_CONTAINER;
        return 0;
    }
    bool ordered = type == MD_BLOCK_OL;
    unsigned start = ordered ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 1;
    json_t *l = block_new("list"), *items = json_array();
    json_object_set_new(l, "ordered", json_boolean(ordered));
    json_object_set_new(l, "start", json_integer(start));
    json_object_set_new(l, "items", items);
    json_array_append_new(cur_array(st), l);
    e->kind = E_LIST;
    e->obj = items;
    return 0;
}

static void enter_table_part(md_state_t *st, MD_BLOCKTYPE type, void *detail, entry_t *e)
{
    entry_t *parent = &st->entries.v[st->entries.n - 2];
    if (type == MD_BLOCK_TABLE) {
        json_t *t = block_new("table");
        json_object_set_new(t, "head", json_array());
        json_object_set_new(t, "rows", json_array());
        json_array_append_new(cur_array(st), t);
        e->kind = E_TABLE;
        e->obj = t;
    } else if (type == MD_BLOCK_THEAD || type == MD_BLOCK_TBODY) {
        st->in_head = type == MD_BLOCK_THEAD;
        e->obj = parent->obj;
    } else if (type == MD_BLOCK_TR) {
        json_t *table = parent->obj;
        e->kind = E_ROW;
        if (st->in_head) {
            e->obj = json_object_get(table, "head");
        } else {
            e->obj = json_array();
            json_array_append_new(json_object_get(table, "rows"), json_pack("{s:o}", "cells", e->obj));
        }
    } else { /* TH, TD */
        json_t *cell = json_pack("{s:s}", "align", align_name(((MD_BLOCK_TD_DETAIL *)detail)->align));
        st->runs = json_array();
        json_object_set_new(cell, "runs", st->runs);
        json_array_append_new(parent->obj, cell);
        e->kind = E_CELL;
    }
}

static int on_enter_block(MD_BLOCKTYPE type, void *detail, void *user)
{
    md_state_t *st = user;
    close_implicit(st);
    entry_t *e = VEC_PUSH(st->arena, &st->entries);
    e->kind = E_NONE;
    switch (type) {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
    case MD_BLOCK_LI:
        return enter_container(st, type, detail, e);
    case MD_BLOCK_H: {
        unsigned level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        level = level < 1 ? 1 : level > 6 ? 6 : level;
        json_t *h = block_new("heading");
        json_object_set_new(h, "level", json_integer(level));
        json_object_set_new(h, "page_level", json_integer(level + 2 > 6 ? 6 : level + 2));
        open_leaf(st, h, false);
        e->kind = E_LEAF;
        return 0;
    }
    case MD_BLOCK_P:
    case MD_BLOCK_HTML: /* not produced with MD_FLAG_NOHTML; text if it were */
        open_leaf(st, block_new("paragraph"), false);
        e->kind = E_LEAF;
        return 0;
    case MD_BLOCK_CODE:
        open_leaf(st, block_new("code"), true);
        e->kind = E_LEAF;
        return 0;
    case MD_BLOCK_HR:
        json_array_append_new(cur_array(st), block_new("rule"));
        return 0;
    case MD_BLOCK_TABLE:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    case MD_BLOCK_TR:
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        enter_table_part(st, type, detail, e);
        return 0;
    default: /* the document */
        return 0;
    }
}

static int on_leave_block(MD_BLOCKTYPE type, void *detail, void *user)
{
    (void)type;
    (void)detail;
    md_state_t *st = user;
    if (st->entries.n == 0)
        return 1;
    entry_t e = st->entries.v[--st->entries.n];
    close_implicit(st);
    if (e.kind == E_CONTAINER && st->arrays.n > 1)
        st->arrays.n--;
    else if (e.kind == E_LEAF)
        close_leaf(st);
    else if (e.kind == E_CELL) {
        flush_run(st);
        st->runs = NULL;
    }
    return 0;
}

static int on_enter_span(MD_SPANTYPE type, void *detail, void *user)
{
    md_state_t *st = user;
    span_t *s = VEC_PUSH(st->arena, &st->spans);
    s->type = type;
    s->href = type == MD_SPAN_A ? link_target(detail) : NULL;
    return 0;
}

static int on_leave_span(MD_SPANTYPE type, void *detail, void *user)
{
    (void)type;
    (void)detail;
    md_state_t *st = user;
    if (st->spans.n == 0)
        return 1;
    free(st->spans.v[--st->spans.n].href);
    return 0;
}

/* Text md4c hands over lies inside the document, or is one of md4c's own
 * short strings (a code block's "\n", spaces standing for tabs and
 * indentation, by 16 at most). Anything
 * else would be md4c reading outside the text: the reading stops there
 * rather than copy foreign memory into a page. */
static bool text_sane(const md_state_t *st, const char *t, size_t n)
{
    uintptr_t p = (uintptr_t)t, lo = (uintptr_t)st->doc, hi = (uintptr_t)st->doc_end;
    if (p >= lo && p <= hi)
        return n <= hi - p;
    return n <= 16;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *user)
{
    md_state_t *st = user;
    buf_t tmp;
    if (!text_sane(st, text, size))
        return 1;
    switch (type) {
    case MD_TEXT_NULLCHAR:
        add_text(st, "\xEF\xBF\xBD", 3, false);
        break;
    case MD_TEXT_BR:
        add_break(st);
        break;
    case MD_TEXT_SOFTBR:
        add_text(st, " ", 1, false);
        break;
    case MD_TEXT_ENTITY:
        buf_init(&tmp);
        put_entity(&tmp, text, size);
        add_text(st, tmp.data, tmp.len, false);
        buf_free(&tmp);
        break;
    case MD_TEXT_CODE:
        add_text(st, text, size, true);
        break;
    default: /* normal text; raw HTML (disabled) and math would be text too */
        add_text(st, text, size, false);
        break;
    }
    return 0;
}

/* --- md_blocks, md_plain ------------------------------------------------------------ */

/* The text md4c reads: valid UTF-8, then a line break and NUL bytes beyond
 * the size it is given. md4c 0.4.8 can look past the end of a document
 * ending inside a link ("[a](b" read one byte further, and a ')' there
 * made it hand over text from outside the document); what it finds there
 * now stops it. malloc'd. */
#define MD_PAD 16
static char *md_text(const char *src, size_t *len)
{
    if (*len > UINT_MAX - MD_PAD)
        *len = UINT_MAX - MD_PAD; /* md4c's sizes are unsigned; no text here is that long */
    char *doc;
    if (utf8_valid(src, *len)) {
        doc = xmalloc(*len + MD_PAD);
        memcpy(doc, src, *len);
    } else {
        char *fixed = md_utf8_repair(src, *len, len);
        doc = xrealloc(fixed, *len + MD_PAD);
    }
    memset(doc + *len, 0, MD_PAD);
    doc[*len] = '\n';
    return doc;
}

json_t *md_blocks(const char *src, size_t len)
{
    md_state_t st;
    memset(&st, 0, sizeof st);
    st.root = json_array();
    if (!src || len == 0)
        return st.root;
    st.arena = arena_new();
    buf_init(&st.code);
    buf_init(&st.pending);
    push_array(&st, st.root);
    st.doc = md_text(src, &len);
    st.doc_end = st.doc + len;
    MD_PARSER p = {0, MD_FLAGS, on_enter_block, on_leave_block, on_enter_span, on_leave_span, on_text, NULL, NULL};
    md_parse(st.doc, (MD_SIZE)len, &p, &st);
    close_leaf(&st); /* after an aborted parse */
    for (size_t k = 0; k < st.spans.n; k++)
        free(st.spans.v[k].href);
    free(st.pstyle_href);
    buf_free(&st.code);
    buf_free(&st.pending);
    arena_free(st.arena);
    free(st.doc);
    return st.root;
}

static void plain_blocks(buf_t *b, const json_t *blocks, int depth);

static void plain_runs(buf_t *b, const json_t *runs)
{
    size_t k;
    json_t *r;
    json_array_foreach(runs, k, r) {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (json_is_true(json_object_get(r, "br")))
            buf_putc(b, '\n');
        else if (t)
            buf_puts(b, t);
    }
}

/* A newline after the text, unless there is none yet or one already. */
static void plain_end(buf_t *b)
{
    if (b->len && b->data[b->len - 1] != '\n')
        buf_putc(b, '\n');
}

static void plain_table(buf_t *b, const json_t *t)
{
    json_t *cells = json_object_get(t, "head"), *row;
    size_t k, c;
    json_t *cell;
    json_array_foreach(cells, c, cell) {
        if (c)
            buf_putc(b, '\t');
        plain_runs(b, json_object_get(cell, "runs"));
    }
    plain_end(b);
    json_array_foreach(json_object_get(t, "rows"), k, row) {
        json_array_foreach(json_object_get(row, "cells"), c, cell) {
            if (c)
                buf_putc(b, '\t');
            plain_runs(b, json_object_get(cell, "runs"));
        }
        plain_end(b);
    }
}

static void plain_block(buf_t *b, const json_t *o, int depth)
{
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!type)
        return;
    if (strcmp(type, "heading") == 0 || strcmp(type, "paragraph") == 0) {
        plain_runs(b, json_object_get(o, "runs"));
    } else if (strcmp(type, "code") == 0) {
        const char *t = json_string_value(json_object_get(o, "text"));
        buf_puts(b, t ? t : "");
    } else if (strcmp(type, "quote") == 0) {
        plain_blocks(b, json_object_get(o, "blocks"), depth + 1);
    } else if (strcmp(type, "list") == 0) {
        size_t k;
        json_t *item;
        json_array_foreach(json_object_get(o, "items"), k, item) {
            plain_blocks(b, json_object_get(item, "blocks"), depth + 1);
            plain_end(b);
        }
    } else if (strcmp(type, "table") == 0) {
        plain_table(b, o);
    }
    plain_end(b);
}

static void plain_blocks(buf_t *b, const json_t *blocks, int depth)
{
    if (depth > 2 * MD_MAX_DEPTH + 2) /* blocks not made by md_blocks */
        return;
    size_t k;
    json_t *o;
    json_array_foreach(blocks, k, o)
        plain_block(b, o, depth);
}

char *md_plain(const json_t *blocks)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "", 0);
    plain_blocks(&b, blocks, 0);
    while (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    return buf_detach(&b);
}
