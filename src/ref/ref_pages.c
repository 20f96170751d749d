/* ref_pages.c - the référentiels' pages: the list, one référentiel as a
 * collapsible and searchable tree, and the life of a version (publish,
 * archive, new version, delete a draft). Import and the draft editor are in
 * ref_edit.c. Texts are shown in the reader's language; a missing Arabic
 * text falls back to the French one with a visible marker. */
#include "ref_internal.h"

#include <string.h>

/* --- The list ------------------------------------------------------------ */

void ref_page_list(req_t *r)
{
    static const char *const statuses[] = {"draft", "published", "archived", NULL};
    const char *status = req_query(r, "status");
    if (status && !str_in(statuses, status))
        status = NULL;
    const char *q = req_query(r, "q");
    if (q && (!utf8_valid(q, strlen(q)) || strlen(q) > 200))
        q = NULL;
    json_t *items = ref_list_json(r, status, q, false);
    if (!items) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Référentiels"))));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(json_array_size(items) > 0));
    json_object_set_new(m, "count_h", json_string(app_number(r, (long long)json_array_size(items))));
    json_object_set_new(m, "count", json_integer((json_int_t)json_array_size(items)));
    json_object_set_new(m, "q", json_string(q ? q : ""));
    json_t *opts = json_array();
    const char *labels[] = {N_("All"), N_("ref_status.draft"), N_("ref_status.published"),
                            N_("ref_status.archived")};
    const char *codes[] = {"", "draft", "published", "archived"};
    for (int i = 0; i < 4; i++)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                                              T(r, labels[i]), "selected",
                                              str_eq(status ? status : "", codes[i])));
    json_object_set_new(m, "status_options", opts);
    json_object_set_new(m, "can_import", json_boolean(ref_home_node(r, NULL) != 0));
    page_render(r, 200, "ref/list", m);
}

/* --- One référentiel ----------------------------------------------------- */

/* Labels of a list of codes ("method.interview"...). */
static json_t *code_labels(req_t *r, const char *prefix, const ref_list_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(
            a, json_string(T(r, arena_printf(r->arena, "%s.%s", prefix, l->v[i]))));
    return a;
}

static json_t *text_list(const ref_list_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

/* The list in the reader's language: Arabic when there is one, else French
 * (*fallback set when Arabic was wanted). */
static const ref_list_t *pick_list(req_t *r, const ref_list_t *fr, const ref_list_t *ar,
                                   bool *fallback)
{
    *fallback = false;
    if (str_eq(r->lang, "ar")) {
        if (ar->n)
            return ar;
        *fallback = fr->n > 0;
    }
    return fr;
}

static const char *pick_text(req_t *r, const char *fr, const char *ar, bool *fallback)
{
    *fallback = false;
    if (str_eq(r->lang, "ar")) {
        if (!str_empty(ar))
            return ar;
        *fallback = !str_empty(fr);
    }
    return fr;
}

/* The target of a crosswalk entry: the latest published version of that
 * référentiel holding that code. */
typedef struct {
    const char *ref_code;
    int64_t ref_id;
    ref_row_t *rows;
    size_t n;
} xtarget_t;

static const ref_row_t *xref_find(req_t *r, xtarget_t *cache, size_t *ncache, size_t max,
                                  const ref_xref_t *x, int64_t *ref_id)
{
    xtarget_t *t = NULL;
    for (size_t i = 0; i < *ncache; i++)
        if (str_eq(cache[i].ref_code, x->ref))
            t = &cache[i];
    if (!t) {
        if (*ncache >= max)
            return NULL;
        t = &cache[(*ncache)++];
        t->ref_code = x->ref;
        t->ref_id = db_query_int(r->db,
                                 "SELECT id FROM referentiels WHERE code = ? AND status = 'published'"
                                 " ORDER BY version DESC LIMIT 1",
                                 PARAMS(P_TEXT(x->ref)), 0);
        t->rows = t->ref_id ? ref_rows(r->db, r->arena, t->ref_id, &t->n) : NULL;
    }
    for (size_t i = 0; t->rows && i < t->n; i++)
        if (str_eq(t->rows[i].code, x->code)) {
            *ref_id = t->ref_id;
            return &t->rows[i];
        }
    return NULL;
}

typedef struct {
    req_t *r;
    const ref_t *ref;
    const ref_doc_t *doc;
    const ref_row_t *rows;
    bool editable;
    const char *q;         /* folded query words, NULL for none */
    bool *shown;           /* per item: matches or has a matching descendant */
    bool all_open;
    xtarget_t xcache[8];
    size_t nx;
} tree_ctx_t;

static json_t *item_json(tree_ctx_t *c, size_t i)
{
    req_t *r = c->r;
    const ref_item_t *it = &c->doc->items[i];
    json_t *o = json_object();
    bool fb;
    json_object_set_new(o, "code", json_string(it->code));
    json_object_set_new(o, "anchor", json_string(arena_printf(r->arena, "c-%s", it->code)));
    const char *title = ref_title(r, it->title_fr, it->title_ar, it->title_en, &fb);
    json_object_set_new(o, "title", json_string(title ? title : ""));
    json_object_set_new(o, "title_fallback", json_boolean(fb));
    json_object_set_new(o, "level", json_str_or_null(it->level));
    json_object_set_new(o, "is_leaf", json_boolean(it->leaf));
    json_object_set_new(o, "imperative", json_boolean(it->imperative));
    json_object_set_new(o, "open", json_boolean(c->all_open || c->q));
    if (it->leaf) {
        json_object_set_new(o, "categories", code_labels(r, "category", &it->categories));
        json_object_set_new(o, "has_categories", json_boolean(it->categories.n > 0));
        json_object_set_new(o, "methods", code_labels(r, "method", &it->methods));
        json_object_set_new(o, "has_methods", json_boolean(it->methods.n > 0));
        const ref_list_t *l = pick_list(r, &it->elements_fr, &it->elements_ar, &fb);
        json_object_set_new(o, "elements", text_list(l));
        json_object_set_new(o, "has_elements", json_boolean(l->n > 0));
        json_object_set_new(o, "elements_fallback", json_boolean(fb));
        l = pick_list(r, &it->evidence_fr, &it->evidence_ar, &fb);
        json_object_set_new(o, "evidence", text_list(l));
        json_object_set_new(o, "has_evidence", json_boolean(l->n > 0));
        json_object_set_new(o, "evidence_fallback", json_boolean(fb));
        const char *g = pick_text(r, it->guidance_fr, it->guidance_ar, &fb);
        json_object_set_new(o, "guidance", json_str_or_null(g));
        json_object_set_new(o, "guidance_fallback", json_boolean(fb));
        json_t *xs = json_array();
        for (size_t k = 0; k < it->n_crosswalk; k++) {
            int64_t rid = 0;
            const ref_row_t *t = xref_find(r, c->xcache, &c->nx, 8, &it->crosswalk[k], &rid);
            json_t *x = json_object();
            json_object_set_new(x, "label",
                                json_string(arena_printf(r->arena, "%s %s", it->crosswalk[k].ref,
                                                         it->crosswalk[k].code)));
            json_object_set_new(
                x, "title",
                json_str_or_null(t ? ref_title(r, t->title_fr, t->title_ar, t->title_en, NULL)
                                   : NULL));
            json_object_set_new(
                x, "href",
                json_str_or_null(t ? arena_printf(r->arena, "/referentiels/%lld#c-%s",
                                                  (long long)rid, t->code)
                                   : NULL));
            json_array_append_new(xs, x);
        }
        json_object_set_new(o, "crosswalk", xs);
        json_object_set_new(o, "has_crosswalk", json_boolean(it->n_crosswalk > 0));
    }
    json_object_set_new(o, "edit_href", json_null());
    json_object_set_new(o, "add_href", json_null());
    if (c->editable) {
        json_object_set_new(o, "edit_href",
                            json_string(arena_printf(r->arena, "/referentiels/%lld/items/%lld/edit",
                                                     (long long)c->ref->id,
                                                     (long long)c->rows[i].id)));
        json_object_set_new(o, "add_href",
                            json_string(arena_printf(r->arena,
                                                     "/referentiels/%lld/items/new?parent=%lld",
                                                     (long long)c->ref->id,
                                                     (long long)c->rows[i].id)));
    }
    json_object_set_new(o, "children", json_array());
    return o;
}

/* The nested tree (items are in tree order: a parent comes before its
 * children), leaving out what the search does not keep. */
static json_t *build_tree(tree_ctx_t *c)
{
    size_t n = c->doc->n_items;
    json_t **made = arena_alloc(c->r->arena, (n + 1) * sizeof *made);
    json_t *top = json_array();
    for (size_t i = 0; i < n; i++) {
        if (c->shown && !c->shown[i])
            continue;
        json_t *o = item_json(c, i);
        made[i] = o;
        int p = c->doc->items[i].parent;
        json_t *into = p >= 0 && made[p] ? json_object_get(made[p], "children") : top;
        json_array_append_new(into, o);
    }
    for (size_t i = 0; i < n; i++)
        if (made[i])
            json_object_set_new(made[i], "has_children",
                                json_boolean(json_array_size(json_object_get(made[i], "children"))));
    return top;
}

/* Items matching every word of q, and their ancestors. */
static bool *search_items(req_t *r, const ref_doc_t *doc, const char *q, size_t *hits)
{
    bool *shown = arena_alloc(r->arena, (doc->n_items + 1) * sizeof *shown);
    *hits = 0;
    for (size_t i = 0; i < doc->n_items; i++) {
        const ref_item_t *it = &doc->items[i];
        const char *fields[] = {it->code, it->title_fr, it->title_ar, it->title_en};
        char *key = text_fold_key(fields, 4);
        bool hit = text_fold_match(key, q);
        free(key);
        if (!hit)
            continue;
        (*hits)++;
        for (int p = (int)i; p >= 0 && !shown[p]; p = doc->items[p].parent)
            shown[p] = true;
    }
    return shown;
}

static void add_action(req_t *r, json_t *actions, const ref_t *ref, const char *what,
                       const char *label, bool danger)
{
    json_array_append_new(actions,
                          json_pack("{s:s, s:s, s:b, s:s}", "action",
                                    arena_printf(r->arena, "/referentiels/%lld/%s",
                                                 (long long)ref->id, what),
                                    "label", T(r, label), "danger", danger, "what", what));
}

static void render_show(req_t *r, int status, const ref_t *ref, const char *action_error)
{
    ref_doc_t doc;
    size_t nrows = 0;
    ref_row_t *rows = ref_rows(r->db, r->arena, ref->id, &nrows);
    if (ref_load_doc(r->db, r->arena, ref->id, &doc) != 0 || !rows || nrows != doc.n_items) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    for (size_t i = 0; i < doc.n_items; i++)
        doc.items[i].leaf = rows[i].leaf;
    bool manage = ref_can_manage(r, ref);
    tree_ctx_t c = {.r = r, .ref = ref, .doc = &doc, .rows = rows};
    c.editable = manage && ref->status == REF_DRAFT;
    c.all_open = str_eq(req_query(r, "open"), "all");
    const char *q = req_query(r, "q");
    size_t hits = 0;
    if (q && utf8_valid(q, strlen(q)) && strlen(q) <= 200 && !str_empty(q)) {
        c.shown = search_items(r, &doc, q, &hits);
        c.q = q;
    } else {
        q = NULL;
    }
    json_t *m = json_object();
    bool fb;
    const char *title = ref_title(r, ref->title_fr, ref->title_ar, ref->title_en, &fb);
    json_object_set_new(m, "title", json_string(title));
    json_object_set_new(m, "title_fallback", json_boolean(fb));
    json_object_set_new(m, "code", json_string(ref->code));
    json_object_set_new(m, "version", json_integer(ref->version));
    json_object_set_new(m, "status_label",
                        json_string(T(r, arena_printf(r->arena, "ref_status.%s",
                                                      ref_status_code(ref->status)))));
    json_object_set_new(m, "is_draft", json_boolean(ref->status == REF_DRAFT));
    json_object_set_new(m, "is_published", json_boolean(ref->status == REF_PUBLISHED));
    json_object_set_new(m, "scale_label",
                        json_string(T(r, arena_printf(r->arena, "scale.%s", ref->scale))));
    json_object_set_new(m, "criteria_text",
                        json_string(text_fill_numbers(
                            r->arena, TN(r, "%d criterion", "%d criteria", ref->n_criteria),
                            (const long long[]){ref->n_criteria}, 1)));
    size_t imperative = 0, top = 0;
    for (size_t i = 0; i < doc.n_items; i++) {
        imperative += doc.items[i].leaf && doc.items[i].imperative;
        top += doc.items[i].parent < 0;
    }
    json_object_set_new(m, "imperative_text",
                        json_string(text_fill_numbers(
                            r->arena, TN(r, "%d imperative", "%d imperative", imperative),
                            (const long long[]){(long long)imperative}, 1)));
    json_t *levels = json_array();
    for (size_t i = 0; i < doc.levels.n; i++)
        json_array_append_new(levels, json_string(doc.levels.v[i]));
    json_object_set_new(m, "levels", levels);
    json_object_set_new(m, "has_levels", json_boolean(doc.levels.n > 0));
    json_object_set_new(m, "tree", build_tree(&c));
    json_object_set_new(m, "q", json_string(q ? q : ""));
    json_object_set_new(m, "searching", json_boolean(q != NULL));
    json_object_set_new(m, "hits_text",
                        json_string(text_fill_numbers(
                            r->arena, TN(r, "%d item found", "%d items found", hits),
                            (const long long[]){(long long)hits}, 1)));
    json_object_set_new(m, "href", json_string(ref_href(r, ref->id)));
    json_object_set_new(m, "open_all", json_boolean(c.all_open));
    json_object_set_new(m, "json_href", json_string(arena_printf(r->arena, "/api/v1/referentiels/%lld",
                                                                 (long long)ref->id)));
    json_object_set_new(m, "csv_href", json_string(arena_printf(
                                           r->arena, "/api/v1/referentiels/%lld.csv",
                                           (long long)ref->id)));
    json_t *actions = json_array();
    json_object_set_new(m, "edit_href", json_null());
    json_object_set_new(m, "add_top_href", json_null());
    json_object_set_new(m, "action_error", json_null());
    if (manage) {
        if (ref->status == REF_DRAFT) {
            json_object_set_new(m, "edit_href",
                                json_string(arena_printf(r->arena, "/referentiels/%lld/edit",
                                                         (long long)ref->id)));
            json_object_set_new(m, "add_top_href",
                                json_string(arena_printf(r->arena, "/referentiels/%lld/items/new",
                                                         (long long)ref->id)));
            add_action(r, actions, ref, "publish", N_("Publish"), false);
            add_action(r, actions, ref, "delete", N_("Delete this draft"), true);
        } else {
            add_action(r, actions, ref, "new-version", N_("Make a new version"), false);
            if (ref->status == REF_PUBLISHED)
                add_action(r, actions, ref, "archive", N_("Archive"), true);
            else
                add_action(r, actions, ref, "publish", N_("Publish again"), false);
        }
    }
    json_object_set_new(m, "actions", actions);
    json_object_set_new(m, "has_actions", json_boolean(json_array_size(actions) > 0));
    json_object_set_new(m, "rev", json_integer(ref->rev));
    if (action_error)
        json_object_set_new(m, "action_error", json_string(T(r, action_error)));
    json_object_set_new(m, "crumbs",
                        json_pack("[{s:s, s:s}]", "label", T(r, N_("Référentiels")), "href",
                                  "/referentiels"));
    page_render(r, status, "ref/show", m);
}

void ref_page_show(req_t *r)
{
    ref_t *ref = ref_of_route(r, false);
    if (ref)
        render_show(r, 200, ref, NULL);
}

/* --- The life of a version ----------------------------------------------- */

/* The form's rev must be the current one: a second click or another tab
 * does not act twice. */
static bool rev_current(req_t *r, const ref_t *ref)
{
    int64_t rev = 0;
    const char *s = req_form(r, "rev");
    return s && str_to_i64(s, &rev) && rev == ref->rev;
}

static void status_change(req_t *r, ref_status_t to, const char *title, const char *question,
                          const char *confirm, const char *flash, const char *conflict)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return;
    if (page_needs_confirm(r)) {
        page_confirm(r, title, question,
                     ref_title(r, ref->title_fr, ref->title_ar, ref->title_en, NULL),
                     arena_printf(r->arena, "/referentiels/%lld/%s", (long long)ref->id,
                                  to == REF_ARCHIVED ? "archive" : "publish"),
                     json_pack("{s:s}", "rev", arena_printf(r->arena, "%lld", (long long)ref->rev)),
                     confirm, ref_href(r, ref->id));
        return;
    }
    res_t rc = rev_current(r, ref) ? ref_set_status(r->db, r->user->id, req_ip(r), ref, to)
                                   : RES_CONFLICT;
    if (rc == RES_OK) {
        page_redirect_flash(r, ref_href(r, ref->id), flash);
        return;
    }
    if (rc == RES_CONFLICT) {
        ref_t fresh;
        render_show(r, 409, ref_load(r->db, r->arena, ref->id, &fresh) == 0 ? &fresh : ref,
                    conflict);
        return;
    }
    app_fail(r, rc, NULL, NULL);
}

void ref_page_publish(req_t *r)
{
    status_change(r, REF_PUBLISHED, N_("Publish the référentiel"),
                  N_("Publish this version? Once published it can no longer be changed: "
                     "establishments may assess themselves against it, and changes go into a "
                     "new version."),
                  N_("Yes, publish it"), N_("The référentiel is published."),
                  N_("This version was changed in the meantime, or is already published."));
}

void ref_page_archive(req_t *r)
{
    status_change(r, REF_ARCHIVED, N_("Archive the référentiel"),
                  N_("Archive this version? Campaigns already made with it keep it; new campaigns "
                     "can no longer choose it."),
                  N_("Yes, archive it"), N_("The référentiel is archived."),
                  N_("This version was changed in the meantime, or is not published."));
}

void ref_page_new_version(req_t *r)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return;
    int64_t id = 0;
    res_t rc = ref_new_version(r->db, r->arena, r->user->id, req_ip(r), ref, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, ref_href(r, id),
                        N_("A new version is ready as a draft: change it, then publish it."));
}

void ref_page_delete(req_t *r)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return;
    if (page_needs_confirm(r)) {
        page_confirm(r, N_("Delete the draft"),
                     N_("Delete this draft for good? Published versions are not touched."),
                     ref_title(r, ref->title_fr, ref->title_ar, ref->title_en, NULL),
                     arena_printf(r->arena, "/referentiels/%lld/delete", (long long)ref->id),
                     json_pack("{s:s}", "rev", arena_printf(r->arena, "%lld", (long long)ref->rev)),
                     N_("Yes, delete it"), ref_href(r, ref->id));
        return;
    }
    res_t rc = rev_current(r, ref) ? ref_delete_draft(r->db, r->user->id, req_ip(r), ref)
                                   : RES_CONFLICT;
    if (rc == RES_OK) {
        page_redirect_flash(r, "/referentiels", N_("The draft is deleted."));
        return;
    }
    if (rc == RES_CONFLICT) {
        ref_t fresh;
        if (ref_load(r->db, r->arena, ref->id, &fresh) != 0) {
            page_redirect_flash(r, "/referentiels", N_("The draft is deleted."));
            return;
        }
        render_show(r, 409, &fresh,
                    N_("This version was changed in the meantime, or is no longer a draft."));
        return;
    }
    app_fail(r, rc, NULL, NULL);
}
