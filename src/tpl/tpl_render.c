/* tpl_render.c - renders a parsed template with a JSON model. The context
 * stack is a chain of frames on the C stack (no allocation per node); every
 * value and translation printed goes through tpl_escape. The only unescaped
 * output is {{@content}}: the page this engine rendered just before. */
#include "tpl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Guards against runaway templates (e.g. a partial including itself twice):
 * far above what any page needs. */
#define TPL_MAX_STEPS 20000000u
#define TPL_MAX_OUT (64u << 20)
#define TPL_MAX_LEVEL 256 /* sections + partials nested at render time */

typedef struct frame {
    json_t *v;
    const struct frame *up;
} frame_t;

typedef struct {
    const tpl_set_t *set;
    const tpl_i18n_t *i18n;
    buf_t *out;
    const char *content;
    size_t content_len;
    int partial_depth;
    int level;
    size_t steps;
    char *err;
    size_t errlen;
} rctx_t;

/* Replacement (and its length) for each byte that must be escaped. */
static const struct {
    const char *s;
    uint8_t len;
} esc_tab[256] = {
    ['&'] = {"&amp;", 5}, ['<'] = {"&lt;", 4}, ['>'] = {"&gt;", 4}, ['"'] = {"&quot;", 6}, ['\''] = {"&#39;", 5},
};

void tpl_escape(buf_t *out, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (esc_tab[ch].len) {
            if (i > run)
                buf_append(out, s + run, i - run);
            buf_append(out, esc_tab[ch].s, esc_tab[ch].len);
            run = i + 1;
        }
    }
    if (len > run)
        buf_append(out, s + run, len - run);
}

/* Integers are printed on every list page: no printf. */
static void put_int(buf_t *out, long long v)
{
    char tmp[24];
    int i = (int)sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    buf_append(out, tmp + i, sizeof tmp - (size_t)i);
}

static int rerr(rctx_t *c, const tpl_t *t, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rerr(rctx_t *c, const tpl_t *t, uint32_t line, const char *fmt, ...)
{
    if (c->err && c->errlen && !c->err[0]) {
        char msg[320];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(c->err, c->errlen, "template '%s' line %u: %s", t->name, (unsigned)line, msg);
    }
    return -1;
}

/* Digits only, as an array index. */
static bool seg_index(const char *s, size_t *idx)
{
    size_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*s - '0');
    }
    *idx = v;
    return true;
}

static json_t *child(json_t *v, const char *seg)
{
    size_t idx;
    if (json_is_object(v))
        return json_object_get(v, seg);
    if (json_is_array(v) && seg_index(seg, &idx))
        return json_array_get(v, idx);
    return NULL;
}

/* Resolve a node's name. *out NULL means falsy/empty. -1 only in strict mode
 * for an undefined first segment. */
static int lookup(rctx_t *c, const tpl_t *t, const tpl_node_t *n, const frame_t *f, json_t **out)
{
    *out = NULL;
    if (n->nseg == 0) {
        *out = f ? f->v : NULL;
        return 0;
    }
    const char *seg = t->pool + n->name;
    json_t *v = NULL;
    for (; f; f = f->up) {
        if (json_is_object(f->v) && (v = json_object_get(f->v, seg)) != NULL)
            break;
    }
    if (!v) {
        if (c->set->strict)
            return rerr(c, t, n->line, "undefined name '%s'", t->pool + n->raw);
        return 0;
    }
    for (unsigned i = 1; i < n->nseg && v; i++) {
        seg += strlen(seg) + 1;
        v = child(v, seg);
    }
    *out = v;
    return 0;
}

static bool truthy(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        return true;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_TRUE:
        return true;
    default:
        return false;
    }
}

static int print_value(rctx_t *c, const tpl_t *t, const tpl_node_t *n, json_t *v)
{
    char num[64];
    int k;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        tpl_escape(c->out, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER:
        put_int(c->out, (long long)json_integer_value(v));
        return 0;
    case JSON_REAL:
        k = snprintf(num, sizeof num, "%g", json_real_value(v));
        buf_append(c->out, num, (size_t)k);
        return 0;
    case JSON_OBJECT:
    case JSON_ARRAY:
        if (c->set->strict)
            return rerr(c, t, n->line, "'%s' is an %s, not a printable value", t->pool + n->raw,
                        json_is_object(v) ? "object" : "array");
        return 0;
    default: /* true, false, null, missing: nothing */
        return 0;
    }
}

static const char *tr(rctx_t *c, const char *msgid)
{
    const char *s = NULL;
    if (c->i18n && c->i18n->gettext)
        s = c->i18n->gettext(c->i18n->ctx, msgid);
    return s ? s : msgid;
}

static int print_plural(rctx_t *c, const tpl_t *t, const tpl_node_t *n, const frame_t *f)
{
    json_t *v;
    if (lookup(c, t, n, f, &v) != 0)
        return -1;
    long count = 0;
    if (json_is_integer(v))
        count = (long)json_integer_value(v);
    else if (json_is_real(v))
        count = (long)json_real_value(v);
    else if (c->set->strict)
        return rerr(c, t, n->line, "'%s' is not a number", t->pool + n->raw);
    const char *one = t->pool + n->s1, *many = t->pool + n->s2;
    const char *s = NULL;
    if (c->i18n && c->i18n->ngettext)
        s = c->i18n->ngettext(c->i18n->ctx, one, many, count);
    if (!s)
        s = count == 1 ? one : many;
    const char *p;
    while ((p = strstr(s, "%d")) != NULL) {
        tpl_escape(c->out, s, (size_t)(p - s));
        put_int(c->out, count);
        s = p + 2;
    }
    tpl_escape(c->out, s, strlen(s));
    return 0;
}

static int render_range(rctx_t *c, const tpl_t *t, uint32_t from, uint32_t to, const frame_t *f);

static int render_section(rctx_t *c, const tpl_t *t, uint32_t i, const frame_t *f)
{
    const tpl_node_t *n = &t->nodes[i];
    json_t *v;
    if (lookup(c, t, n, f, &v) != 0)
        return -1;
    if (n->kind == TK_INVERTED)
        return truthy(v) ? 0 : render_range(c, t, i + 1, n->end, f);
    if (json_is_array(v)) {
        size_t k;
        json_t *e;
        json_array_foreach(v, k, e) {
            frame_t sub = {e, f};
            if (render_range(c, t, i + 1, n->end, &sub) != 0)
                return -1;
        }
        return 0;
    }
    if (json_is_object(v)) {
        frame_t sub = {v, f};
        return render_range(c, t, i + 1, n->end, &sub);
    }
    return truthy(v) ? render_range(c, t, i + 1, n->end, f) : 0;
}

static int render_partial_named(rctx_t *c, const tpl_t *t, const tpl_node_t *n, const frame_t *f,
                                const char *name)
{
    const tpl_t *p = tpl_find(c->set, name);
    if (!p)
        return rerr(c, t, n->line, "missing partial '%s'", name);
    if (c->partial_depth >= TPL_MAX_PARTIAL_DEPTH)
        return rerr(c, t, n->line, "partials nested deeper than %d (at '%s')", TPL_MAX_PARTIAL_DEPTH,
                    name);
    c->partial_depth++;
    int rc = render_range(c, p, 0, p->nnodes, f);
    c->partial_depth--;
    return rc;
}

static int render_partial(rctx_t *c, const tpl_t *t, const tpl_node_t *n, const frame_t *f)
{
    return render_partial_named(c, t, n, f, t->pool + n->s1);
}

/* {{>* name}}: the model names a template (sections of a page chosen by
 * modules). A missing or non-string value is an error in every mode: a
 * page must not lose a part silently. */
static int render_dynpartial(rctx_t *c, const tpl_t *t, const tpl_node_t *n, const frame_t *f)
{
    json_t *v;
    if (lookup(c, t, n, f, &v) != 0)
        return -1;
    if (!json_is_string(v))
        return rerr(c, t, n->line, "'%s' does not name a template", t->pool + n->raw);
    return render_partial_named(c, t, n, f, json_string_value(v));
}

static int render_node(rctx_t *c, const tpl_t *t, uint32_t i, const frame_t *f)
{
    const tpl_node_t *n = &t->nodes[i];
    json_t *v;
    switch (n->kind) {
    case TK_TEXT:
        buf_append(c->out, t->pool + n->s1, n->s1len);
        return 0;
    case TK_VAR:
        if (lookup(c, t, n, f, &v) != 0)
            return -1;
        return print_value(c, t, n, v);
    case TK_SECTION:
    case TK_INVERTED:
        return render_section(c, t, i, f);
    case TK_PARTIAL:
        return render_partial(c, t, n, f);
    case TK_DYNPARTIAL:
        return render_dynpartial(c, t, n, f);
    case TK_TR: {
        const char *s = tr(c, t->pool + n->s1);
        tpl_escape(c->out, s, strlen(s));
        return 0;
    }
    case TK_TRN:
        return print_plural(c, t, n, f);
    case TK_TRK:
        if (lookup(c, t, n, f, &v) != 0)
            return -1;
        if (json_is_string(v) && json_string_length(v) > 0) {
            const char *s = tr(c, json_string_value(v));
            tpl_escape(c->out, s, strlen(s));
        } else if (v && !json_is_null(v) && c->set->strict) {
            return rerr(c, t, n->line, "'%s' is not a msgid string", t->pool + n->raw);
        }
        return 0;
    case TK_CONTENT:
        if (c->content)
            buf_append(c->out, c->content, c->content_len);
        else if (c->set->strict)
            return rerr(c, t, n->line, "{{@content}} outside a layout");
        return 0;
    default:
        return rerr(c, t, n->line, "corrupt template");
    }
}

static int render_range(rctx_t *c, const tpl_t *t, uint32_t from, uint32_t to, const frame_t *f)
{
    if (++c->level > TPL_MAX_LEVEL) {
        c->level--;
        return rerr(c, t, from < t->nnodes ? t->nodes[from].line : 0, "nesting too deep");
    }
    int rc = 0;
    for (uint32_t i = from; i < to && rc == 0;) {
        if (++c->steps > TPL_MAX_STEPS || c->out->len > TPL_MAX_OUT) {
            rc = rerr(c, t, t->nodes[i].line, "output too large");
            break;
        }
        rc = render_node(c, t, i, f);
        uint8_t k = t->nodes[i].kind;
        i = (k == TK_SECTION || k == TK_INVERTED) ? t->nodes[i].end : i + 1;
    }
    c->level--;
    return rc;
}

static int render_one(rctx_t *c, const char *name, json_t *model)
{
    const tpl_t *t = tpl_find(c->set, name);
    if (!t) {
        if (c->err && c->errlen)
            snprintf(c->err, c->errlen, "no template '%s'", name ? name : "(null)");
        return -1;
    }
    frame_t root = {model, NULL};
    return render_range(c, t, 0, t->nnodes, &root);
}

int tpl_render(const tpl_set_t *set, const char *name, const char *layout, json_t *model,
               const tpl_i18n_t *i18n, buf_t *out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!set || !out) {
        if (err && errlen)
            snprintf(err, errlen, "tpl_render: invalid arguments");
        return -1;
    }
    size_t start = out->len;
    rctx_t c = {.set = set, .i18n = i18n, .out = out, .err = err, .errlen = errlen};
    int rc;
    if (!layout) {
        rc = render_one(&c, name, model);
    } else {
        buf_t page;
        buf_init(&page);
        c.out = &page;
        rc = render_one(&c, name, model);
        if (rc == 0) {
            c.out = out;
            c.content = page.data ? page.data : "";
            c.content_len = page.len;
            c.steps = 0;
            rc = render_one(&c, layout, model);
        }
        buf_free(&page);
    }
    if (rc != 0) {
        /* never hand back half a page */
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return rc;
}
