/* ref_doc.c - the référentiel as a document, outside any database: reading
 * the JSON form (jouda-referentiel/1) and the CSV form into one ref_doc_t,
 * checking its structure (codes unique, parents present, no cycle, depth),
 * and writing both forms back. Every problem is collected with where it is
 * (a CSV line and column, or a JSON item code and field), so that an import
 * is refused whole, with every reason at once. Pure: fuzzed by
 * fuzz/fuzz_ref.c. docs/formats/referentiel.md is the specification. */
#include "ref.h"

#include <string.h>

#include "../core/csv.h"

const char *const ref_methods[] = {"accompanied_tracer", "targeted_tracer", "system_audit",
                                   "interview", "observation", "documents", NULL};
static const char *const ref_categories[] = {"children", "students", "women", "elderly",
                                             "disability", "homeless", "other", NULL};
static const char *const ref_scales[] = {"has4", "conformity", NULL};

/* The CSV reader's messages (csv_error_msgid), for the catalogues. */
static const char *const csv_msgids[] __attribute__((unused)) = {
    N_("The cell is not valid UTF-8 text."), N_("The quoted cell is not closed."),
    N_("Text follows the closing quote of the cell."), N_("The cell holds a NUL byte."),
    N_("The cell is too long."), N_("The row has too many cells."),
    N_("The file cannot be read as CSV.")};

bool ref_scale_valid(const char *scale)
{
    return str_in(ref_scales, scale);
}
bool ref_category_valid(const char *code)
{
    return str_in(ref_categories, code);
}
bool ref_method_valid(const char *code)
{
    return str_in(ref_methods, code);
}

/* --- Problems ------------------------------------------------------------ */

typedef struct {
    arena_t *a;
    ref_problems_t *p;
    bool csv;
} ctx_t;

#define MAX_PROBLEMS 200

static void problem(ctx_t *c, int line, const char *code, const char *field, const char *msgid,
                    const char *arg)
{
    if (c->p->n >= MAX_PROBLEMS)
        return;
    ref_problem_t *p = VEC_PUSH(c->a, c->p);
    p->line = line;
    p->column = c->csv ? field : NULL;
    p->field = c->csv ? NULL : field;
    p->code = c->csv ? NULL : code;
    p->msgid = msgid;
    p->arg = arg;
}

/* Problems about an item: CSV names its line and column, JSON its code. */
static void item_problem(ctx_t *c, const ref_item_t *it, const char *field, const char *msgid,
                         const char *arg)
{
    problem(c, it->line, it->code, field, msgid, arg);
}

/* --- Values -------------------------------------------------------------- */

/* A code: 1-40 characters, no space nor control character. */
static bool code_ok(const char *s, bool strict)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 4 * REF_MAX_CODE || !utf8_valid(s, n) || utf8_count(s) > REF_MAX_CODE)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == 0x7f || *p == '|')
            return false;
        if (strict && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return false;
    }
    return true;
}

/* A text: valid UTF-8, no control characters (line breaks and tabs only
 * where multiline), at most max characters. Empty after trimming -> NULL
 * with no problem. Returns the trimmed copy; *msgid set on a problem. */
static const char *text_value(arena_t *a, const char *s, size_t max, bool multiline,
                              const char **msgid)
{
    *msgid = NULL;
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (!utf8_valid(s, n)) {
        *msgid = N_("This text is not valid UTF-8.");
        return NULL;
    }
    char *t = str_trim(arena_strndup(a, s, n));
    if (!*t)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        bool ctl = *p < 0x20 || *p == 0x7f;
        if (ctl && !(multiline && (*p == '\n' || *p == '\t' || *p == '\r'))) {
            *msgid = multiline ? N_("This text holds control characters.")
                               : N_("This text must stay on one line.");
            return NULL;
        }
    }
    if (utf8_count(t) > max) {
        *msgid = max == REF_MAX_TITLE ? N_("At most 300 characters.")
                                      : N_("At most 4,000 characters.");
        return NULL;
    }
    return t;
}

/* --- JSON ---------------------------------------------------------------- */

static const char *const top_keys[] = {"format", "code", "version", "title_fr", "title_ar",
                                       "title_en", "scale", "levels", "items", NULL};
static const char *const item_keys[] = {
    "code",        "parent_code", "level",       "title_fr",    "title_ar",    "title_en",
    "imperative",  "categories",  "methods",     "elements_fr", "elements_ar", "evidence_fr",
    "evidence_ar", "guidance_fr", "guidance_ar", "crosswalk",   NULL};

static const char *json_text(ctx_t *c, json_t *obj, const char *code, const char *key, size_t max,
                             bool multiline, bool required)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            problem(c, 0, code, key, N_("This field is required."), NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        problem(c, 0, code, key, N_("Expected a text."), NULL);
        return NULL;
    }
    const char *msgid;
    const char *t = text_value(c->a, json_string_value(v), max, multiline, &msgid);
    if (msgid)
        problem(c, 0, code, key, msgid, NULL);
    else if (!t && required)
        problem(c, 0, code, key, N_("This field is required."), NULL);
    return t;
}

/* A list of texts; with valid (codes), each must be known. */
static void json_list(ctx_t *c, json_t *obj, const char *code, const char *key, size_t max,
                      bool (*valid)(const char *), ref_list_t *out)
{
    json_t *v = json_object_get(obj, key);
    out->v = NULL;
    out->n = 0;
    if (!v || json_is_null(v))
        return;
    if (!json_is_array(v)) {
        problem(c, 0, code, key, N_("Expected a list of texts."), NULL);
        return;
    }
    size_t n = json_array_size(v);
    if (n > REF_MAX_LIST) {
        problem(c, 0, code, key, N_("At most 50 entries."), NULL);
        return;
    }
    out->v = arena_alloc(c->a, (n + 1) * sizeof *out->v);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e)) {
            problem(c, 0, code, key, N_("Expected a list of texts."), NULL);
            continue;
        }
        const char *msgid;
        const char *t = text_value(c->a, json_string_value(e), max, !valid, &msgid);
        if (msgid) {
            problem(c, 0, code, key, msgid, NULL);
            continue;
        }
        if (!t)
            continue;
        if (valid && !valid(t)) {
            problem(c, 0, code, key, N_("Unknown value: %s."), t);
            continue;
        }
        if (!valid && strchr(t, '|') && strcmp(key, "levels") != 0) {
            problem(c, 0, code, key,
                    N_("An entry of a list cannot hold '|': the CSV form separates entries with it."),
                    NULL);
            continue;
        }
        out->v[out->n++] = t;
    }
}

static void json_unknown(ctx_t *c, json_t *obj, const char *code, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!str_in(known, key))
            problem(c, 0, code, arena_strdup(c->a, key), N_("Unknown field."), NULL);
    }
}

static void json_item(ctx_t *c, json_t *o, size_t index, ref_item_t *it)
{
    memset(it, 0, sizeof *it);
    json_t *jc = json_object_get(o, "code");
    if (json_is_string(jc) && code_ok(json_string_value(jc), false))
        it->code = arena_strdup(c->a, json_string_value(jc));
    else {
        it->code = arena_printf(c->a, "#%zu", index + 1);
        problem(c, 0, it->code, "code",
                N_("Give every item a code of 1 to 40 characters without spaces (1.2.3)."), NULL);
    }
    const char *code = it->code;
    json_unknown(c, o, code, item_keys);
    json_t *jp = json_object_get(o, "parent_code");
    if (jp && !json_is_null(jp)) {
        if (json_is_string(jp) && code_ok(json_string_value(jp), false))
            it->parent_code = arena_strdup(c->a, json_string_value(jp));
        else
            problem(c, 0, code, "parent_code", N_("Expected the code of another item."), NULL);
    }
    it->level = json_text(c, o, code, "level", 60, false, false);
    it->title_fr = json_text(c, o, code, "title_fr", REF_MAX_TITLE, false, true);
    it->title_ar = json_text(c, o, code, "title_ar", REF_MAX_TITLE, false, false);
    it->title_en = json_text(c, o, code, "title_en", REF_MAX_TITLE, false, false);
    json_t *ji = json_object_get(o, "imperative");
    if (ji && !json_is_null(ji)) {
        if (json_is_boolean(ji))
            it->imperative = json_is_true(ji);
        else
            problem(c, 0, code, "imperative", N_("Expected true or false."), NULL);
    }
    json_list(c, o, code, "categories", 40, ref_category_valid, &it->categories);
    json_list(c, o, code, "methods", 40, ref_method_valid, &it->methods);
    json_list(c, o, code, "elements_fr", REF_MAX_TEXT, NULL, &it->elements_fr);
    json_list(c, o, code, "elements_ar", REF_MAX_TEXT, NULL, &it->elements_ar);
    json_list(c, o, code, "evidence_fr", REF_MAX_TEXT, NULL, &it->evidence_fr);
    json_list(c, o, code, "evidence_ar", REF_MAX_TEXT, NULL, &it->evidence_ar);
    it->guidance_fr = json_text(c, o, code, "guidance_fr", REF_MAX_TEXT, true, false);
    it->guidance_ar = json_text(c, o, code, "guidance_ar", REF_MAX_TEXT, true, false);
    json_t *jx = json_object_get(o, "crosswalk");
    if (jx && !json_is_null(jx)) {
        if (!json_is_array(jx) || json_array_size(jx) > REF_MAX_LIST) {
            problem(c, 0, code, "crosswalk",
                    N_("Expected a list of {\"referentiel\", \"code\"} (at most 50)."), NULL);
        } else {
            it->crosswalk = arena_alloc(c->a, (json_array_size(jx) + 1) * sizeof *it->crosswalk);
            for (size_t i = 0; i < json_array_size(jx); i++) {
                json_t *e = json_array_get(jx, i);
                json_t *er = json_object_get(e, "referentiel"), *ec = json_object_get(e, "code");
                if (!json_is_object(e) || json_object_size(e) != 2 || !json_is_string(er) ||
                    !json_is_string(ec) || !code_ok(json_string_value(er), true) ||
                    !code_ok(json_string_value(ec), false)) {
                    problem(c, 0, code, "crosswalk",
                            N_("Expected a list of {\"referentiel\", \"code\"} (at most 50)."),
                            NULL);
                    continue;
                }
                ref_xref_t *x = &it->crosswalk[it->n_crosswalk++];
                x->ref = arena_strdup(c->a, json_string_value(er));
                x->code = arena_strdup(c->a, json_string_value(ec));
            }
        }
    }
}

/* --- Structure (both forms) ---------------------------------------------- */

/* The first criterion field an item carries, NULL when none. */
static const char *criterion_field(const ref_item_t *it)
{
    return it->imperative        ? "imperative"
           : it->categories.n    ? "categories"
           : it->methods.n       ? "methods"
           : it->elements_fr.n   ? "elements_fr"
           : it->elements_ar.n   ? "elements_ar"
           : it->evidence_fr.n   ? "evidence_fr"
           : it->evidence_ar.n   ? "evidence_ar"
           : it->guidance_fr     ? "guidance_fr"
           : it->guidance_ar     ? "guidance_ar"
           : it->n_crosswalk     ? "crosswalk"
                                 : NULL;
}

/* Index of code among items, -1 when absent (sorted lookup table). */
typedef struct {
    const char *code;
    int index;
} code_ix_t;

static int code_ix_cmp(const void *x, const void *y)
{
    return strcmp(((const code_ix_t *)x)->code, ((const code_ix_t *)y)->code);
}

static int code_find(const code_ix_t *ix, size_t n, const char *code)
{
    code_ix_t key = {code, 0};
    const code_ix_t *f = bsearch(&key, ix, n, sizeof *ix, code_ix_cmp);
    return f ? f->index : -1;
}

/* Check the tree and put items in tree order (parents before children,
 * siblings in the order given). */
static void structure(ctx_t *c, ref_doc_t *doc)
{
    size_t n = doc->n_items;
    if (n == 0)
        return;
    code_ix_t *ix = arena_alloc(c->a, n * sizeof *ix);
    for (size_t i = 0; i < n; i++)
        ix[i] = (code_ix_t){doc->items[i].code, (int)i};
    qsort(ix, n, sizeof *ix, code_ix_cmp);
    bool broken = false;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(ix[i].code, ix[i - 1].code) == 0) {
            int later = ix[i].index > ix[i - 1].index ? ix[i].index : ix[i - 1].index;
            item_problem(c, &doc->items[later], "code",
                         N_("The code %s is used by another item."), ix[i].code);
            broken = true;
        }
    }
    /* parents */
    int *nkids = arena_alloc(c->a, n * sizeof *nkids);
    for (size_t i = 0; i < n; i++) {
        ref_item_t *it = &doc->items[i];
        it->parent = -1;
        if (!it->parent_code)
            continue;
        int p = code_find(ix, n, it->parent_code);
        if (p < 0) {
            item_problem(c, it, "parent_code", N_("No item has the code %s."), it->parent_code);
            broken = true;
        } else if (p == (int)i) {
            item_problem(c, it, "parent_code", N_("An item cannot be its own parent."), NULL);
            broken = true;
        } else {
            it->parent = p;
            nkids[p]++;
        }
    }
    if (broken)
        return;
    /* depth, with cycle detection, in linear time: walk up from each item
     * until an item of known depth or the top; meeting an item of the walk
     * being made is a cycle */
    int *depth = arena_alloc(c->a, n * sizeof *depth); /* -1 unknown, -2 on this walk */
    int *walk = arena_alloc(c->a, (n + 1) * sizeof *walk);
    for (size_t i = 0; i < n; i++)
        depth[i] = -1;
    for (size_t i = 0; i < n && !broken; i++) {
        size_t nw = 0;
        int p = (int)i;
        while (p >= 0 && depth[p] == -1) {
            depth[p] = -2;
            walk[nw++] = p;
            p = doc->items[p].parent;
        }
        if (p >= 0 && depth[p] == -2) {
            item_problem(c, &doc->items[p], "parent_code",
                         N_("The parents of this item go round in a circle."), NULL);
            broken = true;
            break;
        }
        int d = p < 0 ? -1 : depth[p];
        while (nw)
            depth[walk[--nw]] = ++d;
    }
    if (broken)
        return;
    for (size_t i = 0; i < n; i++) {
        doc->items[i].depth = depth[i];
        if (depth[i] >= REF_MAX_DEPTH) {
            item_problem(c, &doc->items[i], "parent_code", N_("The tree is at most 8 levels deep."),
                         NULL);
            return;
        }
    }
    size_t criteria = 0;
    for (size_t i = 0; i < n; i++) {
        ref_item_t *it = &doc->items[i];
        it->leaf = nkids[i] == 0;
        if (it->leaf)
            criteria++;
        else if (criterion_field(it))
            item_problem(c, it, criterion_field(it),
                         N_("Only criteria (items without children) carry imperative, categories, "
                            "methods, elements, evidence, guidance and crosswalk."),
                         NULL);
    }
    doc->n_criteria = criteria;
    /* tree order: an explicit stack (no recursion on untrusted depth) */
    int *first = arena_alloc(c->a, n * sizeof *first), *next = arena_alloc(c->a, n * sizeof *next);
    int *last = arena_alloc(c->a, n * sizeof *last);
    int top_first = -1, top_last = -1;
    for (size_t i = 0; i < n; i++)
        first[i] = next[i] = last[i] = -1;
    for (size_t i = 0; i < n; i++) {
        int p = doc->items[i].parent;
        int *head = p < 0 ? &top_first : &first[p], *tail = p < 0 ? &top_last : &last[p];
        if (*head < 0)
            *head = (int)i;
        else
            next[*tail] = (int)i;
        *tail = (int)i;
    }
    ref_item_t *sorted = arena_alloc(c->a, n * sizeof *sorted);
    int *newpos = arena_alloc(c->a, n * sizeof *newpos);
    int *stack = arena_alloc(c->a, (n + 1) * sizeof *stack);
    size_t out = 0, sp = 0;
    for (int t = top_first; t >= 0; t = next[t]) {
        stack[sp++] = t;
        while (sp) {
            int cur = stack[--sp];
            newpos[cur] = (int)out;
            sorted[out++] = doc->items[cur];
            /* push the children, then reverse them: the first comes out first */
            size_t base = sp;
            for (int k = first[cur]; k >= 0; k = next[k])
                stack[sp++] = k;
            for (size_t lo = base, hi = sp; lo + 1 < hi; lo++, hi--) {
                int tmp = stack[lo];
                stack[lo] = stack[hi - 1];
                stack[hi - 1] = tmp;
            }
        }
    }
    for (size_t i = 0; i < out; i++)
        if (sorted[i].parent >= 0)
            sorted[i].parent = newpos[sorted[i].parent];
    doc->items = sorted;
}

static void doc_top_checks(ctx_t *c, ref_doc_t *doc)
{
    if (!doc->code || !code_ok(doc->code, true)) {
        problem(c, 0, NULL, "code",
                N_("Give the référentiel a code of 1 to 40 letters, digits, '-', '_' or '.'."),
                NULL);
        doc->code = NULL;
    }
    if (doc->version < 1 || doc->version > 1000000)
        problem(c, 0, NULL, "version", N_("Give a version number between 1 and 1,000,000."), NULL);
    if (!doc->scale)
        doc->scale = "has4";
}

static void doc_finish(ctx_t *c, ref_doc_t *doc)
{
    if (doc->n_items == 0) {
        problem(c, 0, NULL, "items", N_("The référentiel has no items."), NULL);
        return;
    }
    structure(c, doc);
    if (c->p->n == 0 && doc->n_criteria == 0)
        problem(c, 0, NULL, "items", N_("The référentiel has no criteria."), NULL);
}

bool ref_doc_from_json(arena_t *a, json_t *j, ref_doc_t *doc, ref_problems_t *problems)
{
    ctx_t c = {a, problems, false};
    memset(doc, 0, sizeof *doc);
    if (!json_is_object(j)) {
        problem(&c, 0, NULL, "format", N_("Expected a JSON object."), NULL);
        return false;
    }
    json_unknown(&c, j, NULL, top_keys);
    json_t *f = json_object_get(j, "format");
    if (!json_is_string(f) || strcmp(json_string_value(f), REF_FORMAT) != 0)
        problem(&c, 0, NULL, "format", N_("The format must be \"jouda-referentiel/1\"."), NULL);
    json_t *jc = json_object_get(j, "code");
    doc->code = json_is_string(jc) ? arena_strdup(a, json_string_value(jc)) : NULL;
    json_t *jv = json_object_get(j, "version");
    doc->version = json_is_integer(jv) ? json_integer_value(jv) : 0;
    doc->title_fr = json_text(&c, j, NULL, "title_fr", REF_MAX_TITLE, false, true);
    doc->title_ar = json_text(&c, j, NULL, "title_ar", REF_MAX_TITLE, false, false);
    doc->title_en = json_text(&c, j, NULL, "title_en", REF_MAX_TITLE, false, false);
    json_t *js = json_object_get(j, "scale");
    if (js && !json_is_null(js)) {
        if (json_is_string(js) && ref_scale_valid(json_string_value(js))) {
            doc->scale = arena_strdup(a, json_string_value(js));
            doc->scale_given = true;
        }
        else
            problem(&c, 0, NULL, "scale", N_("The scale is has4 or conformity."), NULL);
    }
    json_list(&c, j, NULL, "levels", 60, NULL, &doc->levels);
    if (doc->levels.n > REF_MAX_DEPTH)
        problem(&c, 0, NULL, "levels", N_("The tree is at most 8 levels deep."), NULL);
    doc_top_checks(&c, doc);
    json_t *items = json_object_get(j, "items");
    if (!json_is_array(items)) {
        problem(&c, 0, NULL, "items", N_("Expected the list of items."), NULL);
        return false;
    }
    size_t n = json_array_size(items);
    if (n > REF_MAX_ITEMS) {
        problem(&c, 0, NULL, "items", N_("At most 5,000 items."), NULL);
        return false;
    }
    doc->items = arena_alloc(a, (n + 1) * sizeof *doc->items);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(items, i);
        if (!json_is_object(o)) {
            problem(&c, 0, arena_printf(a, "#%zu", i + 1), "items", N_("Expected an object."),
                    NULL);
            continue;
        }
        json_item(&c, o, i, &doc->items[doc->n_items++]);
    }
    doc_finish(&c, doc);
    return problems->n == 0;
}

/* --- CSV ----------------------------------------------------------------- */

enum {
    COL_CODE, COL_PARENT, COL_LEVEL, COL_TITLE_FR, COL_TITLE_AR, COL_IMPERATIVE, COL_CATEGORIES,
    COL_ELEMENTS_FR, COL_ELEMENTS_AR, COL_EVIDENCE_FR, COL_EVIDENCE_AR, COL_GUIDANCE_FR,
    COL_GUIDANCE_AR, COL__COUNT
};
static const char *const csv_cols[COL__COUNT + 1] = {
    "code",        "parent_code", "level",       "title_fr",    "title_ar",
    "imperative",  "categories",  "elements_fr", "elements_ar", "evidence_fr",
    "evidence_ar", "guidance_fr", "guidance_ar", NULL};

static void csv_list(ctx_t *c, ref_item_t *it, const char *cell, int col, size_t max,
                     bool (*valid)(const char *), ref_list_t *out)
{
    out->v = NULL;
    out->n = 0;
    if (!cell || !*cell)
        return;
    char **vals = NULL;
    size_t n = csv_split(c->a, cell, '|', &vals);
    if (n > REF_MAX_LIST) {
        item_problem(c, it, csv_cols[col], N_("At most 50 entries."), NULL);
        return;
    }
    out->v = arena_alloc(c->a, (n + 1) * sizeof *out->v);
    for (size_t i = 0; i < n; i++) {
        const char *msgid;
        const char *t = text_value(c->a, vals[i], max, !valid, &msgid);
        if (msgid) {
            item_problem(c, it, csv_cols[col], msgid, NULL);
            continue;
        }
        if (!t)
            continue;
        if (valid && !valid(t)) {
            item_problem(c, it, csv_cols[col], N_("Unknown value: %s."), t);
            continue;
        }
        out->v[out->n++] = t;
    }
}

static const char *csv_text(ctx_t *c, ref_item_t *it, const char *cell, int col, size_t max,
                            bool multiline)
{
    const char *msgid;
    const char *t = text_value(c->a, cell, max, multiline, &msgid);
    if (msgid)
        item_problem(c, it, csv_cols[col], msgid, NULL);
    return t;
}

static void csv_item(ctx_t *c, char **cell, ref_item_t *it)
{
    const char *code = cell[COL_CODE] ? str_trim(cell[COL_CODE]) : "";
    if (code_ok(code, false))
        it->code = code;
    else {
        it->code = arena_printf(c->a, "#%d", it->line);
        item_problem(c, it, "code",
                     N_("Give every item a code of 1 to 40 characters without spaces (1.2.3)."),
                     NULL);
    }
    const char *parent = cell[COL_PARENT] ? str_trim(cell[COL_PARENT]) : "";
    if (*parent) {
        if (code_ok(parent, false))
            it->parent_code = parent;
        else
            item_problem(c, it, "parent_code", N_("Expected the code of another item."), NULL);
    }
    it->level = csv_text(c, it, cell[COL_LEVEL], COL_LEVEL, 60, false);
    size_t before = c->p->n;
    it->title_fr = csv_text(c, it, cell[COL_TITLE_FR], COL_TITLE_FR, REF_MAX_TITLE, false);
    if (!it->title_fr && c->p->n == before && !str_empty(cell[COL_CODE]))
        item_problem(c, it, "title_fr", N_("This field is required."), NULL);
    it->title_ar = csv_text(c, it, cell[COL_TITLE_AR], COL_TITLE_AR, REF_MAX_TITLE, false);
    const char *imp = cell[COL_IMPERATIVE] ? str_trim(cell[COL_IMPERATIVE]) : "";
    static const char *const yes[] = {"1", "oui", "yes", "Oui", "OUI", "Yes", "YES", "true", NULL};
    static const char *const no[] = {"", "0", "non", "no", "Non", "NON", "No", "NO", "false", NULL};
    if (str_in(yes, imp))
        it->imperative = true;
    else if (!str_in(no, imp))
        item_problem(c, it, "imperative", N_("Write 1 or 0, oui or non, yes or no."), NULL);
    csv_list(c, it, cell[COL_CATEGORIES], COL_CATEGORIES, 40, ref_category_valid,
             &it->categories);
    csv_list(c, it, cell[COL_ELEMENTS_FR], COL_ELEMENTS_FR, REF_MAX_TEXT, NULL, &it->elements_fr);
    csv_list(c, it, cell[COL_ELEMENTS_AR], COL_ELEMENTS_AR, REF_MAX_TEXT, NULL, &it->elements_ar);
    csv_list(c, it, cell[COL_EVIDENCE_FR], COL_EVIDENCE_FR, REF_MAX_TEXT, NULL, &it->evidence_fr);
    csv_list(c, it, cell[COL_EVIDENCE_AR], COL_EVIDENCE_AR, REF_MAX_TEXT, NULL, &it->evidence_ar);
    it->guidance_fr = csv_text(c, it, cell[COL_GUIDANCE_FR], COL_GUIDANCE_FR, REF_MAX_TEXT, true);
    it->guidance_ar = csv_text(c, it, cell[COL_GUIDANCE_AR], COL_GUIDANCE_AR, REF_MAX_TEXT, true);
}

static bool record_empty(const csv_record_t *rec)
{
    for (size_t i = 0; i < rec->n; i++)
        if (!str_empty(rec->cells[i]))
            return false;
    return true;
}

bool ref_doc_from_csv(arena_t *a, const char *data, size_t len, const char *code,
                      const char *version, const char *title_fr, const char *title_ar,
                      ref_doc_t *doc, ref_problems_t *problems)
{
    ctx_t c = {a, problems, true};
    memset(doc, 0, sizeof *doc);
    doc->code = code ? str_trim(arena_strdup(a, code)) : NULL;
    int64_t v = 0;
    char *vt = version ? str_trim(arena_strdup(a, version)) : NULL;
    doc->version = vt && str_to_i64(vt, &v) ? v : 0;
    const char *msgid;
    doc->title_fr = text_value(a, title_fr, REF_MAX_TITLE, false, &msgid);
    if (msgid || !doc->title_fr)
        problem(&c, 0, NULL, "title_fr", msgid ? msgid : N_("This field is required."), NULL);
    doc->title_ar = text_value(a, title_ar, REF_MAX_TITLE, false, &msgid);
    if (msgid)
        problem(&c, 0, NULL, "title_ar", msgid, NULL);
    doc->scale = "has4";
    doc_top_checks(&c, doc);

    csv_reader_t rd;
    csv_open(&rd, data ? data : "", data ? len : 0);
    rd.max_cell = 1024 * 1024;
    rd.max_cells = 64;
    csv_record_t rec;
    int rc = csv_next(&rd, a, &rec);
    if (rc <= 0) {
        if (rc < 0)
            problem(&c, rd.err_line, NULL, "code", csv_error_msgid(rd.err), NULL);
        else
            problem(&c, 1, NULL, "code", N_("The file is empty: it needs the header line."), NULL);
        return false;
    }
    int map[64];
    bool seen[COL__COUNT] = {false};
    for (size_t i = 0; i < rec.n; i++) {
        char *name = str_trim(rec.cells[i]);
        for (char *p = name; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        map[i] = -1;
        for (int k = 0; k < COL__COUNT; k++)
            if (strcmp(name, csv_cols[k]) == 0)
                map[i] = k;
        if (map[i] < 0)
            problem(&c, rec.line, NULL, arena_strdup(a, name), N_("Unknown column."), NULL);
        else if (seen[map[i]])
            problem(&c, rec.line, NULL, csv_cols[map[i]], N_("This column appears twice."), NULL);
        else
            seen[map[i]] = true;
    }
    if (!seen[COL_CODE] || !seen[COL_TITLE_FR]) {
        problem(&c, rec.line, NULL, !seen[COL_CODE] ? "code" : "title_fr",
                N_("The header needs at least the columns code and title_fr."), NULL);
        return false;
    }
    size_t ncols = rec.n;
    VEC(ref_item_t) items = {0};
    while ((rc = csv_next(&rd, a, &rec)) > 0) {
        if (record_empty(&rec))
            continue;
        if (items.n >= REF_MAX_ITEMS) {
            problem(&c, rec.line, NULL, "code", N_("At most 5,000 items."), NULL);
            break;
        }
        if (rec.n > ncols) {
            problem(&c, rec.line, NULL, "code",
                    N_("This line has more cells than the header has columns."), NULL);
            continue;
        }
        ref_item_t *it = VEC_PUSH(a, &items);
        it->line = rec.line;
        char *cell[COL__COUNT] = {NULL};
        for (size_t i = 0; i < rec.n; i++)
            if (map[i] >= 0)
                cell[map[i]] = (char *)csv_unneutralise(rec.cells[i]);
        csv_item(&c, cell, it);
    }
    if (rc < 0) {
        const char *col = rd.err_cell >= 0 && (size_t)rd.err_cell < ncols && map[rd.err_cell] >= 0
                              ? csv_cols[map[rd.err_cell]]
                              : "code";
        problem(&c, rd.err_line, NULL, col, csv_error_msgid(rd.err), NULL);
    }
    doc->items = items.v;
    doc->n_items = items.n;
    if (rc >= 0)
        doc_finish(&c, doc);
    /* levels: the label of the first item met at each depth */
    if (problems->n == 0) {
        doc->levels.v = arena_alloc(a, (REF_MAX_DEPTH + 1) * sizeof *doc->levels.v);
        const char *by_depth[REF_MAX_DEPTH] = {NULL};
        int deepest = -1;
        for (size_t i = 0; i < doc->n_items; i++) {
            const ref_item_t *it = &doc->items[i];
            if (it->depth > deepest)
                deepest = it->depth;
            if (!by_depth[it->depth] && it->level)
                by_depth[it->depth] = it->level;
        }
        /* a name for every depth, or none (an empty name would not survive JSON) */
        bool all = deepest >= 0;
        for (int d = 0; d <= deepest; d++)
            all = all && by_depth[d];
        if (all)
            for (int d = 0; d <= deepest; d++)
                doc->levels.v[doc->levels.n++] = by_depth[d];
    }
    return problems->n == 0;
}

/* --- Writing ------------------------------------------------------------- */

static void put_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

static void put_list(json_t *o, const char *k, const ref_list_t *l)
{
    if (!l->n)
        return;
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    json_object_set_new(o, k, a);
}

json_t *ref_doc_to_json(const ref_doc_t *doc)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(REF_FORMAT));
    json_object_set_new(o, "code", json_string(doc->code));
    json_object_set_new(o, "version", json_integer(doc->version));
    put_str(o, "title_fr", doc->title_fr);
    put_str(o, "title_ar", doc->title_ar);
    put_str(o, "title_en", doc->title_en);
    if (doc->scale_given || !str_eq(doc->scale, "has4"))
        put_str(o, "scale", doc->scale);
    put_list(o, "levels", &doc->levels);
    json_t *items = json_array();
    for (size_t i = 0; i < doc->n_items; i++) {
        const ref_item_t *it = &doc->items[i];
        json_t *e = json_object();
        put_str(e, "code", it->code);
        put_str(e, "parent_code", it->parent_code);
        put_str(e, "level", it->level);
        put_str(e, "title_fr", it->title_fr);
        put_str(e, "title_ar", it->title_ar);
        put_str(e, "title_en", it->title_en);
        if (it->imperative)
            json_object_set_new(e, "imperative", json_true());
        put_list(e, "categories", &it->categories);
        put_list(e, "methods", &it->methods);
        put_list(e, "elements_fr", &it->elements_fr);
        put_list(e, "elements_ar", &it->elements_ar);
        put_list(e, "evidence_fr", &it->evidence_fr);
        put_list(e, "evidence_ar", &it->evidence_ar);
        put_str(e, "guidance_fr", it->guidance_fr);
        put_str(e, "guidance_ar", it->guidance_ar);
        if (it->n_crosswalk) {
            json_t *x = json_array();
            for (size_t k = 0; k < it->n_crosswalk; k++)
                json_array_append_new(x, json_pack("{s:s, s:s}", "referentiel",
                                                   it->crosswalk[k].ref, "code",
                                                   it->crosswalk[k].code));
            json_object_set_new(e, "crosswalk", x);
        }
        json_array_append_new(items, e);
    }
    json_object_set_new(o, "items", items);
    return o;
}

static void csv_put_list(buf_t *b, const ref_list_t *l)
{
    buf_t joined;
    buf_init(&joined);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_putc(&joined, '|');
        buf_puts(&joined, l->v[i]);
    }
    csv_put_cell(b, joined.data ? joined.data : "", ',', false);
    buf_free(&joined);
}

void ref_doc_to_csv(const ref_doc_t *doc, buf_t *b)
{
    for (int k = 0; k < COL__COUNT; k++)
        csv_put_cell(b, csv_cols[k], ',', k == 0);
    csv_end_record(b);
    for (size_t i = 0; i < doc->n_items; i++) {
        const ref_item_t *it = &doc->items[i];
        csv_put_cell(b, it->code, ',', true);
        csv_put_cell(b, it->parent_code ? it->parent_code : "", ',', false);
        csv_put_cell(b, it->level ? it->level : "", ',', false);
        csv_put_cell(b, it->title_fr ? it->title_fr : "", ',', false);
        csv_put_cell(b, it->title_ar ? it->title_ar : "", ',', false);
        csv_put_cell(b, it->imperative ? "1" : (it->leaf ? "0" : ""), ',', false);
        csv_put_list(b, &it->categories);
        csv_put_list(b, &it->elements_fr);
        csv_put_list(b, &it->elements_ar);
        csv_put_list(b, &it->evidence_fr);
        csv_put_list(b, &it->evidence_ar);
        csv_put_cell(b, it->guidance_fr ? it->guidance_fr : "", ',', false);
        csv_put_cell(b, it->guidance_ar ? it->guidance_ar : "", ',', false);
        csv_end_record(b);
    }
}
