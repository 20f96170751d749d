/* fuzz_ref.c - libFuzzer driver for the référentiel documents (src/ref/ref_doc.c).
 * Any bytes are read as CSV (code "F", version "1", title "T" beside the
 * file) and, when they begin with '{' and parse as JSON, as a
 * jouda-referentiel/1 document. A refusal carries problems (CSV: a column,
 * JSON: a field); an accepted document has none, is in tree order (each
 * parent before its children, depths and leaves consistent, n_criteria the
 * number of leaves), and survives its exports: its JSON, read again, is
 * accepted and gives the same JSON; its CSV, read again, is accepted with
 * the same number of items and criteria. Any mismatch aborts. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ref/ref.h"

static void check_problems(const ref_problems_t *p, bool ok, bool csv)
{
    if (ok != (p->n == 0))
        abort();
    for (size_t i = 0; i < p->n; i++) {
        const ref_problem_t *e = &p->v[i];
        if (!e->msgid || e->line < 0)
            abort();
        if (csv ? (!e->column || e->field || e->code) : (!e->field || e->column || e->line))
            abort();
    }
}

/* An accepted document: tree order, depths, leaves, criteria. */
static void check_tree(const ref_doc_t *d)
{
    if (d->n_items == 0 || d->n_items > REF_MAX_ITEMS || !d->code || !d->title_fr || !d->scale ||
        d->version < 1 || d->version > 1000000)
        abort();
    size_t leaves = 0;
    for (size_t i = 0; i < d->n_items; i++) {
        const ref_item_t *it = &d->items[i];
        if (!it->code || !it->title_fr)
            abort();
        if (it->parent < 0) {
            if (it->depth != 0 || it->parent_code)
                abort();
        } else {
            if ((size_t)it->parent >= i || it->depth != d->items[it->parent].depth + 1 ||
                it->depth >= REF_MAX_DEPTH || !str_eq(it->parent_code, d->items[it->parent].code))
                abort();
        }
        /* a leaf has no child: the next item (tree order) is not its child */
        bool has_child = i + 1 < d->n_items && d->items[i + 1].parent == (int)i;
        if (it->leaf == has_child)
            abort();
        leaves += it->leaf;
    }
    if (leaves != d->n_criteria || leaves == 0)
        abort();
}

static void check_accepted(arena_t *a, const ref_doc_t *doc)
{
    check_tree(doc);

    /* JSON export, read again: accepted, the same JSON */
    json_t *j1 = ref_doc_to_json(doc);
    ref_doc_t d2;
    ref_problems_t p2 = {0};
    bool ok = ref_doc_from_json(a, j1, &d2, &p2);
    check_problems(&p2, ok, false);
    if (!ok)
        abort();
    json_t *j2 = ref_doc_to_json(&d2);
    if (!json_equal(j1, j2) || d2.n_items != doc->n_items || d2.n_criteria != doc->n_criteria)
        abort();
    json_decref(j1);
    json_decref(j2);

    /* CSV export, read again: accepted, as many items and criteria */
    buf_t b;
    buf_init(&b);
    ref_doc_to_csv(doc, &b);
    ref_doc_t d3;
    ref_problems_t p3 = {0};
    ok = ref_doc_from_csv(a, b.data, b.len, "F", "1", "T", NULL, &d3, &p3);
    check_problems(&p3, ok, true);
    if (!ok || d3.n_items != doc->n_items || d3.n_criteria != doc->n_criteria)
        abort();
    check_tree(&d3);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    ref_doc_t doc;
    ref_problems_t p = {0};
    bool ok = ref_doc_from_csv(a, (const char *)data, size, "F", "1", "T", NULL, &doc, &p);
    check_problems(&p, ok, true);
    if (ok)
        check_accepted(a, &doc);

    if (size > 0 && data[0] == '{') {
        json_t *j = json_loadb((const char *)data, size, 0, NULL);
        if (j) {
            ref_problems_t pj = {0};
            ok = ref_doc_from_json(a, j, &doc, &pj);
            json_decref(j); /* the document keeps copies of what it holds */
            check_problems(&pj, ok, false);
            if (ok)
                check_accepted(a, &doc);
        }
    }
    arena_free(a);
    return 0;
}
