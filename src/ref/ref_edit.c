/* ref_edit.c - importing a référentiel from the pages (a file or pasted
 * text, JSON or CSV, checked and previewed before anything is written) and
 * editing a draft: its header, and its items one at a time. An edit is made
 * on the document (ref_doc_to_json -> change -> ref_doc_from_json), so the
 * rules of an import apply to every edit, and the draft is rewritten whole
 * in one audited transaction. */
#include "ref_internal.h"

#include <string.h>

/* Problems as rows of a table: where (line and column, or item and field)
 * and what. */
static json_t *problem_rows(req_t *r, const ref_problems_t *p, bool csv)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const ref_problem_t *e = &p->v[i];
        const char *msg = T(r, e->msgid);
        if (e->arg)
            msg = text_fill_strings(r->arena, msg, &e->arg, 1);
        const char *where;
        const long long line = e->line;
        if (csv && e->line > 0)
            where = arena_printf(r->arena, "%s, %s",
                                 text_fill_numbers(r->arena, T(r, N_("line %d")), &line, 1),
                                 e->column ? e->column : "");
        else if (e->code)
            where = arena_printf(r->arena, "%s, %s", e->code, e->field ? e->field : "");
        else
            where = e->field ? e->field : e->column ? e->column : "";
        json_array_append_new(rows, json_pack("{s:s, s:s}", "where", where, "message", msg));
    }
    return rows;
}

/* --- Import -------------------------------------------------------------- */

static const char *const import_fields[] = {"content", "code", "version", "title_fr", "title_ar",
                                            NULL};

static json_t *import_model(req_t *r)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Import a référentiel"))));
    json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}]", "label", T(r, N_("Référentiels")),
                                               "href", "/referentiels"));
    json_object_set_new(m, "problems", json_array());
    json_object_set_new(m, "has_problems", json_false());
    json_object_set_new(m, "problems_text", json_null());
    json_object_set_new(m, "preview", json_false());
    return m;
}

void ref_page_import_form(req_t *r)
{
    if (!ref_home_node(r, NULL)) {
        app_fail(r, RES_FORBIDDEN, N_("Only administrators and quality advisors manage référentiels."),
                 NULL);
        return;
    }
    json_t *m = import_model(r);
    json_object_set_new(m, "values", json_object());
    page_render(r, 200, "ref/import", m);
}

static bool looks_json(const char *s, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i < n && s[i] == '{';
}

/* Read the document of the form: true when it holds no problem. */
static bool import_read(req_t *r, const char *data, size_t len, bool *csv, ref_doc_t *doc,
                        ref_problems_t *problems)
{
    *csv = !looks_json(data, len);
    if (*csv)
        return ref_doc_from_csv(r->arena, data, len, req_form(r, "code"), req_form(r, "version"),
                                req_form(r, "title_fr"), req_form(r, "title_ar"), doc, problems);
    json_error_t jerr;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        ref_problem_t *p = VEC_PUSH(r->arena, problems);
        p->field = "content";
        p->msgid = N_("This is not valid JSON: %s");
        p->arg = arena_printf(r->arena, "%d:%d %s", jerr.line, jerr.column, jerr.text);
        return false;
    }
    bool ok = ref_doc_from_json(r->arena, j, doc, problems);
    json_decref(j);
    return ok;
}

/* Top items of a checked document with their number of criteria. */
static json_t *preview_tree(req_t *r, const ref_doc_t *doc)
{
    json_t *top = json_array();
    size_t n = doc->n_items;
    long long *count = arena_alloc(r->arena, (n + 1) * sizeof *count);
    for (size_t i = n; i-- > 0;) {
        const ref_item_t *it = &doc->items[i];
        if (it->leaf)
            count[i]++;
        if (it->parent >= 0)
            count[it->parent] += count[i];
    }
    for (size_t i = 0; i < n; i++) {
        const ref_item_t *it = &doc->items[i];
        if (it->parent >= 0)
            continue;
        json_array_append_new(
            top, json_pack("{s:s, s:s, s:s}", "code", it->code, "title",
                           ref_title(r, it->title_fr, it->title_ar, it->title_en, NULL),
                           "criteria",
                           text_fill_numbers(r->arena,
                                             TN(r, "%d criterion", "%d criteria",
                                                (unsigned long)count[i]),
                                             &count[i], 1)));
    }
    return top;
}

void ref_page_import(req_t *r)
{
    const char *path = NULL;
    int64_t owner = ref_home_node(r, &path);
    if (!owner) {
        app_fail(r, RES_FORBIDDEN, N_("Only administrators and quality advisors manage référentiels."),
                 NULL);
        return;
    }
    const http_file_t *f = http_file(r->http, "file");
    const char *data = NULL;
    size_t len = 0;
    if (f && f->len > 0) {
        data = f->data;
        len = f->len;
    } else if (req_form(r, "content")) {
        data = req_form(r, "content");
        len = strlen(data);
    }
    json_t *m = import_model(r);
    json_t *values = json_object();
    for (size_t i = 0; import_fields[i]; i++) {
        const char *v = req_form(r, import_fields[i]);
        if (v && utf8_valid(v, strlen(v)))
            json_object_set_new(values, import_fields[i], json_string(v));
    }
    if (data && utf8_valid(data, len) && !memchr(data, 0, len))
        json_object_set_new(values, "content", json_stringn(data, len));
    json_object_set_new(m, "values", values);
    if (!data || str_empty(data)) {
        json_object_set_new(m, "problems",
                            json_pack("[{s:s, s:s}]", "where", "", "message",
                                      T(r, N_("Choose a file, or paste the référentiel's text."))));
        json_object_set_new(m, "has_problems", json_true());
        page_render(r, 422, "ref/import", m);
        return;
    }
    ref_doc_t doc;
    ref_problems_t problems = {0};
    bool csv = false;
    if (!import_read(r, data, len, &csv, &doc, &problems)) {
        json_object_set_new(m, "problems", problem_rows(r, &problems, csv));
        json_object_set_new(m, "has_problems", json_true());
        json_object_set_new(m, "problems_text",
                            json_string(text_fill_numbers(
                                r->arena, TN(r, "%d problem", "%d problems", problems.n),
                                (const long long[]){(long long)problems.n}, 1)));
        page_render(r, 422, "ref/import", m);
        return;
    }
    if (!str_eq(req_form(r, "step"), "confirm")) {
        size_t imperative = 0;
        for (size_t i = 0; i < doc.n_items; i++)
            imperative += doc.items[i].leaf && doc.items[i].imperative;
        json_object_set_new(m, "preview", json_true());
        json_object_set_new(m, "p_title",
                            json_string(ref_title(r, doc.title_fr, doc.title_ar, doc.title_en, NULL)));
        json_object_set_new(m, "p_code", json_string(doc.code));
        json_object_set_new(m, "p_version", json_integer(doc.version));
        json_object_set_new(m, "p_format", json_string(csv ? "CSV" : "JSON"));
        json_object_set_new(m, "p_criteria",
                            json_string(text_fill_numbers(
                                r->arena, TN(r, "%d criterion", "%d criteria", doc.n_criteria),
                                (const long long[]){(long long)doc.n_criteria}, 1)));
        json_object_set_new(m, "p_imperative",
                            json_string(text_fill_numbers(
                                r->arena, TN(r, "%d imperative", "%d imperative", imperative),
                                (const long long[]){(long long)imperative}, 1)));
        json_object_set_new(m, "p_tree", preview_tree(r, &doc));
        page_render(r, 200, "ref/import", m);
        return;
    }
    int64_t id = 0;
    res_t rc = ref_store_doc(r->db, r->arena, owner, path, r->user->id, req_ip(r), &doc, REF_DRAFT,
                             &id);
    if (rc == RES_CONFLICT) {
        json_object_set_new(
            m, "problems",
            json_pack("[{s:s, s:s}]", "where", "version", "message",
                      T(r, N_("A référentiel with this code and version exists already: give the "
                              "new one another version number."))));
        json_object_set_new(m, "has_problems", json_true());
        page_render(r, 409, "ref/import", m);
        return;
    }
    json_decref(m);
    if (rc != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, ref_href(r, id),
                        N_("The référentiel is imported as a draft: check it, then publish it."));
}

/* --- Editing a draft ----------------------------------------------------- */

/* The draft of the route, which this reader manages; NULL (answer sent)
 * otherwise. */
static ref_t *draft_ref(req_t *r)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return NULL;
    if (ref->status != REF_DRAFT) {
        app_fail(r, RES_CONFLICT,
                 N_("A published version cannot be changed: make a new version to change it."),
                 NULL);
        return NULL;
    }
    return ref;
}

/* Apply the edited document: check it, then rewrite the draft. Problems of
 * the edited item (code) go to its fields, others to the summary. Returns
 * RES_OK, RES_INVALID (errors filled), RES_CONFLICT or RES_ERROR. */
static res_t apply_edit(req_t *r, const ref_t *ref, json_t *docj, const char *code,
                        json_t *errors, json_t *changes)
{
    ref_doc_t doc;
    ref_problems_t problems = {0};
    if (!ref_doc_from_json(r->arena, docj, &doc, &problems)) {
        for (size_t i = 0; i < problems.n; i++) {
            const ref_problem_t *e = &problems.v[i];
            bool mine = code ? str_eq(e->code, code) : !e->code;
            const char *field = mine && e->field ? e->field : "general";
            if (json_object_get(errors, field))
                continue;
            const char *msg = T(r, e->msgid);
            if (e->arg)
                msg = text_fill_strings(r->arena, msg, &e->arg, 1);
            if (!mine && e->code)
                msg = arena_printf(r->arena, "%s: %s", e->code, msg);
            /* already translated: v_error keeps the text as it is given */
            json_object_set_new(errors, field, json_string(msg));
        }
        return RES_INVALID;
    }
    return ref_replace_draft(r->db, r->arena, r->user->id, req_ip(r), ref, &doc, changes);
}

static json_t *doc_json(req_t *r, const ref_t *ref)
{
    ref_doc_t doc;
    if (ref_load_doc(r->db, r->arena, ref->id, &doc) != 0)
        return NULL;
    return ref_doc_to_json(&doc);
}

static int64_t form_rev(req_t *r)
{
    int64_t rev = 0;
    const char *s = req_form(r, "rev");
    return s && str_to_i64(s, &rev) ? rev : -1;
}

/* Lines of a textarea as a JSON list (empty lines dropped). */
static json_t *lines_json(const char *s)
{
    json_t *a = json_array();
    if (!s)
        return a;
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, n);
        str_trim(line);
        if (*line)
            json_array_append_new(a, json_string_nocheck(line));
        free(line);
        if (!nl)
            break;
        p = nl + 1;
    }
    return a;
}

static void set_text(json_t *o, const char *key, const char *v)
{
    if (v && !str_empty(v))
        json_object_set_new(o, key, json_string_nocheck(v));
    else
        json_object_del(o, key);
}

static void set_list(json_t *o, const char *key, json_t *list)
{
    if (json_array_size(list))
        json_object_set_new(o, key, list);
    else {
        json_decref(list);
        json_object_del(o, key);
    }
}

/* Form values are checked for UTF-8 before they reach a JSON string. */
static bool form_utf8_ok(req_t *r, json_t *errors, const char *const *fields)
{
    bool ok = true;
    for (size_t i = 0; fields[i]; i++) {
        const char *v = req_form(r, fields[i]);
        if (v && !utf8_valid(v, strlen(v))) {
            v_error(errors, fields[i], N_("This text is not valid UTF-8."));
            ok = false;
        }
    }
    return ok;
}

static json_t *form_values(req_t *r, const char *const *fields)
{
    json_t *values = json_object();
    for (size_t i = 0; fields[i]; i++) {
        const char *v = req_form(r, fields[i]);
        if (v && utf8_valid(v, strlen(v)))
            json_object_set_new(values, fields[i], json_string(v));
    }
    return values;
}

static const char *const head_fields[] = {"title_fr", "title_ar", "title_en", "scale", "levels",
                                          NULL};

static void render_head_form(req_t *r, int status, const ref_t *ref, json_t *values,
                             json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Edit the référentiel"))));
    json_object_set_new(m, "action", json_string(ref_href(r, ref->id)));
    json_object_set_new(m, "cancel_href", json_string(ref_href(r, ref->id)));
    json_object_set_new(m, "rev", json_integer(ref->rev));
    json_object_set_new(m, "code", json_string(ref->code));
    json_object_set_new(m, "version", json_integer(ref->version));
    const char *scale = json_string_value(json_object_get(values, "scale"));
    json_object_set_new(m, "scale_options",
                        json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "code", "has4", "label",
                                  T(r, N_("scale.has4")), "selected", !str_eq(scale, "conformity"),
                                  "code", "conformity", "label", T(r, N_("scale.conformity")),
                                  "selected", str_eq(scale, "conformity")));
    json_object_set_new(m, "crumbs",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", T(r, N_("Référentiels")),
                                  "href", "/referentiels", "label",
                                  ref_title(r, ref->title_fr, ref->title_ar, ref->title_en, NULL),
                                  "href", ref_href(r, ref->id)));
    model_form_errors_take(r, m, errors);
    json_object_set_new(m, "values", values);
    page_render(r, status, "ref/edit", m);
}

void ref_page_edit(req_t *r)
{
    ref_t *ref = draft_ref(r);
    if (!ref)
        return;
    ref_doc_t doc;
    if (ref_load_doc(r->db, r->arena, ref->id, &doc) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    buf_t levels;
    buf_init(&levels);
    for (size_t i = 0; i < doc.levels.n; i++) {
        buf_puts(&levels, doc.levels.v[i]);
        buf_putc(&levels, '\n');
    }
    json_t *values = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title_fr", doc.title_fr ? doc.title_fr : "",
                               "title_ar", doc.title_ar ? doc.title_ar : "", "title_en",
                               doc.title_en ? doc.title_en : "", "scale", doc.scale, "levels",
                               levels.data ? levels.data : "");
    buf_free(&levels);
    render_head_form(r, 200, ref, values, NULL);
}

void ref_page_update(req_t *r)
{
    ref_t *ref = draft_ref(r);
    if (!ref)
        return;
    json_t *errors = json_object();
    json_t *values = form_values(r, head_fields);
    if (!form_utf8_ok(r, errors, head_fields)) {
        render_head_form(r, 422, ref, values, errors);
        return;
    }
    if (form_rev(r) != ref->rev) {
        v_error(errors, "general",
                N_("Someone else changed this référentiel in the meantime. Your changes were not "
                   "saved: look at it again."));
        render_head_form(r, 409, ref, values, errors);
        return;
    }
    json_t *docj = doc_json(r, ref);
    if (!docj) {
        json_decref(errors);
        json_decref(values);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    set_text(docj, "title_fr", req_form(r, "title_fr"));
    set_text(docj, "title_ar", req_form(r, "title_ar"));
    set_text(docj, "title_en", req_form(r, "title_en"));
    set_text(docj, "scale", req_form(r, "scale"));
    set_list(docj, "levels", lines_json(req_form(r, "levels")));
    json_t *changes = json_object();
    res_t rc = apply_edit(r, ref, docj, NULL, errors, changes);
    json_decref(docj);
    json_decref(changes);
    if (rc == RES_OK) {
        json_decref(errors);
        json_decref(values);
        page_redirect_flash(r, ref_href(r, ref->id), N_("Your changes are saved."));
        return;
    }
    if (rc == RES_CONFLICT)
        v_error(errors, "general",
                N_("Someone else changed this référentiel in the meantime. Your changes were not "
                   "saved: look at it again."));
    if (rc == RES_ERROR) {
        json_decref(errors);
        json_decref(values);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    render_head_form(r, rc == RES_CONFLICT ? 409 : 422, ref, values, errors);
}

/* --- Items --------------------------------------------------------------- */

static const char *const item_fields[] = {
    "code",        "parent_code", "level",       "title_fr",    "title_ar",
    "title_en",    "imperative",  "elements_fr", "elements_ar", "evidence_fr",
    "evidence_ar", "guidance_fr", "guidance_ar", "crosswalk",   NULL};

static const char *const category_codes[] = {"children", "students", "women", "elderly",
                                             "disability", "homeless", "other", NULL};

static json_t *checks(req_t *r, const char *prefix, const char *const *codes, json_t *chosen)
{
    json_t *a = json_array();
    for (size_t i = 0; codes[i]; i++) {
        bool on = false;
        size_t k;
        json_t *v;
        json_array_foreach(chosen, k, v) on = on || str_eq(json_string_value(v), codes[i]);
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                         T(r, arena_printf(r->arena, "%s.%s", prefix, codes[i])), "checked", on));
    }
    return a;
}

static const char *join_lines(req_t *r, json_t *list)
{
    buf_t b;
    buf_init(&b);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v)) {
            buf_puts(&b, json_string_value(v));
            buf_putc(&b, '\n');
        } else if (json_is_object(v)) {
            buf_printf(&b, "%s %s\n", json_string_value(json_object_get(v, "referentiel")),
                       json_string_value(json_object_get(v, "code")));
        }
    }
    const char *s = arena_strdup(r->arena, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

/* Values of the item form from an item of the document. */
static json_t *item_values(req_t *r, json_t *item)
{
    json_t *v = json_object();
    static const char *const texts[] = {"code",     "parent_code", "level",       "title_fr",
                                        "title_ar", "title_en",    "guidance_fr", "guidance_ar",
                                        NULL};
    for (size_t i = 0; texts[i]; i++) {
        const char *s = json_string_value(json_object_get(item, texts[i]));
        json_object_set_new(v, texts[i], json_string(s ? s : ""));
    }
    static const char *const lists[] = {"elements_fr", "elements_ar", "evidence_fr",
                                        "evidence_ar", "crosswalk", NULL};
    for (size_t i = 0; lists[i]; i++)
        json_object_set_new(v, lists[i], json_string(join_lines(r, json_object_get(item, lists[i]))));
    json_object_set_new(v, "imperative", json_boolean(json_is_true(json_object_get(item, "imperative"))));
    return v;
}

static void render_item_form(req_t *r, int status, const ref_t *ref, json_t *docj, int64_t item_id,
                             const char *own_code, json_t *values, json_t *categories,
                             json_t *methods, json_t *errors)
{
    json_t *m = json_object();
    bool create = item_id == 0;
    json_object_set_new(m, "title", json_string(T(r, create ? N_("Add an item")
                                                            : N_("Edit the item"))));
    json_object_set_new(m, "is_create", json_boolean(create));
    json_object_set_new(m, "action",
                        json_string(create ? arena_printf(r->arena, "/referentiels/%lld/items",
                                                          (long long)ref->id)
                                           : arena_printf(r->arena, "/referentiels/%lld/items/%lld",
                                                          (long long)ref->id, (long long)item_id)));
    if (!create)
        json_object_set_new(m, "delete_action",
                            json_string(arena_printf(r->arena, "/referentiels/%lld/items/%lld/delete",
                                                     (long long)ref->id, (long long)item_id)));
    json_object_set_new(m, "cancel_href", json_string(ref_href(r, ref->id)));
    json_object_set_new(m, "rev", json_integer(ref->rev));
    /* the parents it may take: every other item but its own descendants */
    json_t *opts = json_array();
    const char *parent = json_string_value(json_object_get(values, "parent_code"));
    json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", "", "label",
                                          T(r, N_("None: a top item")), "selected", str_empty(parent)));
    json_t *items = json_object_get(docj, "items");
    size_t i;
    json_t *it;
    int skip_depth = -1;
    json_array_foreach(items, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        const char *pc = json_string_value(json_object_get(it, "parent_code"));
        /* depth by walking parents (items are few in a draft being edited) */
        int d = 0;
        for (const char *p = pc; p && d < REF_MAX_DEPTH + 1; d++) {
            const char *next = NULL;
            size_t k;
            json_t *o;
            json_array_foreach(items, k, o) if (str_eq(json_string_value(json_object_get(o, "code")), p))
                next = json_string_value(json_object_get(o, "parent_code"));
            p = next;
        }
        if (skip_depth >= 0 && d > skip_depth)
            continue;
        skip_depth = -1;
        if (own_code && str_eq(code, own_code)) {
            skip_depth = d;
            continue;
        }
        const char *t = json_string_value(json_object_get(
            it, str_eq(r->lang, "ar") && json_object_get(it, "title_ar") ? "title_ar" : "title_fr"));
        char indent[2 * REF_MAX_DEPTH + 1];
        int w = d > REF_MAX_DEPTH ? REF_MAX_DEPTH : d;
        memset(indent, ' ', (size_t)(2 * w));
        indent[2 * w] = 0;
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", code, "label",
                                              arena_printf(r->arena, "%s%s %s", w ? "\xC2\xB7 " : "",
                                                           code, t ? t : ""),
                                              "selected", str_eq(parent, code)));
    }
    json_object_set_new(m, "parent_options", opts);
    json_object_set_new(m, "category_checks", checks(r, "category", category_codes, categories));
    json_object_set_new(m, "method_checks", checks(r, "method", ref_methods, methods));
    json_object_set_new(m, "crumbs",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", T(r, N_("Référentiels")),
                                  "href", "/referentiels", "label",
                                  ref_title(r, ref->title_fr, ref->title_ar, ref->title_en, NULL),
                                  "href", ref_href(r, ref->id)));
    if (create)
        json_object_set_new(m, "delete_action", json_null());
    model_form_errors_take(r, m, errors);
    json_decref(categories);
    json_decref(methods);
    json_object_set_new(m, "values", values);
    page_render(r, status, "ref/item", m);
}

/* The item of the route's second id in the document, and its code. */
static json_t *find_item(req_t *r, const ref_t *ref, json_t *docj, int64_t item_id,
                         const char **code)
{
    const char *c = NULL;
    db_res_t *res = db_query(r->db, "SELECT code FROM ref_items WHERE id = ? AND referentiel_id = ?",
                             PARAMS(P_INT(item_id), P_INT(ref->id)));
    if (res && db_next(res))
        c = arena_strdup(r->arena, db_text(res, 0));
    db_res_free(res);
    if (!c)
        return NULL;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(docj, "items"), i, it) if (str_eq(
        json_string_value(json_object_get(it, "code")), c))
    {
        *code = c;
        return it;
    }
    return NULL;
}

static json_t *form_codes(req_t *r, const char *field)
{
    const char *vals[32];
    int n = http_kv_all(r->http->form, field, vals, 32);
    json_t *a = json_array();
    for (int i = 0; i < n && i < 32; i++)
        if (vals[i] && utf8_valid(vals[i], strlen(vals[i])))
            json_array_append_new(a, json_string(vals[i]));
    return a;
}

/* Write the form into item (a JSON object of the document). */
static void item_from_form(req_t *r, json_t *item)
{
    static const char *const texts[] = {"code",     "parent_code", "level",       "title_fr",
                                        "title_ar", "title_en",    "guidance_fr", "guidance_ar",
                                        NULL};
    for (size_t i = 0; texts[i]; i++) {
        set_text(item, texts[i], req_form(r, texts[i]));
    }
    const char *imp = req_form(r, "imperative");
    if (imp && str_eq(imp, "1"))
        json_object_set_new(item, "imperative", json_true());
    else
        json_object_del(item, "imperative");
    set_list(item, "categories", form_codes(r, "categories"));
    set_list(item, "methods", form_codes(r, "methods"));
    static const char *const lists[] = {"elements_fr", "elements_ar", "evidence_fr", "evidence_ar",
                                        NULL};
    for (size_t i = 0; lists[i]; i++)
        set_list(item, lists[i], lines_json(req_form(r, lists[i])));
    /* crosswalk: "Q4C 6" per line */
    json_t *xs = json_array();
    json_t *lines = lines_json(req_form(r, "crosswalk"));
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        char *copy = arena_strdup(r->arena, json_string_value(l));
        char *sp = strpbrk(copy, " \t");
        if (sp) {
            *sp = 0;
            json_array_append_new(xs, json_pack("{s:s, s:s}", "referentiel", copy, "code",
                                                str_trim(sp + 1)));
        } else {
            /* no code: kept so that the check names the problem */
            json_array_append_new(xs, json_pack("{s:s}", "referentiel", copy));
        }
    }
    json_decref(lines);
    set_list(item, "crosswalk", xs);
}

void ref_page_item_new(req_t *r)
{
    ref_t *ref = draft_ref(r);
    if (!ref)
        return;
    json_t *docj = doc_json(r, ref);
    if (!docj) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *values = json_object();
    int64_t pid = 0;
    const char *ps = req_query(r, "parent");
    const char *pcode = NULL;
    if (ps && str_to_i64(ps, &pid) && pid > 0)
        find_item(r, ref, docj, pid, &pcode);
    json_object_set_new(values, "parent_code", json_string(pcode ? pcode : ""));
    render_item_form(r, 200, ref, docj, 0, NULL, values, json_array(), json_array(), NULL);
    json_decref(docj);
}

void ref_page_item_edit(req_t *r)
{
    ref_t *ref = draft_ref(r);
    if (!ref)
        return;
    json_t *docj = doc_json(r, ref);
    const char *code = NULL;
    json_t *item = docj ? find_item(r, ref, docj, r->ids[1], &code) : NULL;
    if (!item) {
        json_decref(docj);
        app_fail(r, docj ? RES_NOT_FOUND : RES_ERROR, NULL, NULL);
        return;
    }
    json_t *cats = json_object_get(item, "categories");
    json_t *meths = json_object_get(item, "methods");
    render_item_form(r, 200, ref, docj, r->ids[1], code, item_values(r, item),
                     cats ? json_incref(cats) : json_array(), meths ? json_incref(meths) : json_array(),
                     NULL);
    json_decref(docj);
}

/* Save the item form, new (item_id 0) or existing. */
static void item_save(req_t *r, int64_t item_id)
{
    ref_t *ref = draft_ref(r);
    if (!ref)
        return;
    json_t *docj = doc_json(r, ref);
    if (!docj) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    const char *old_code = NULL;
    json_t *item = NULL;
    if (item_id) {
        item = find_item(r, ref, docj, item_id, &old_code);
        if (!item) {
            json_decref(docj);
            app_fail(r, RES_NOT_FOUND, NULL, NULL);
            return;
        }
    }
    json_t *errors = json_object();
    json_t *values = form_values(r, item_fields);
    json_object_set_new(values, "imperative", json_boolean(str_eq(req_form(r, "imperative"), "1")));
    json_t *cats = form_codes(r, "categories"), *meths = form_codes(r, "methods");
    int status = 422;
    if (!form_utf8_ok(r, errors, item_fields))
        goto invalid;
    if (form_rev(r) != ref->rev) {
        v_error(errors, "general",
                N_("Someone else changed this référentiel in the meantime. Your changes were not "
                   "saved: look at it again."));
        status = 409;
        goto invalid;
    }
    if (!item) {
        item = json_object();
        /* a new item goes after the last of its siblings: at the end keeps that order */
        json_array_append_new(json_object_get(docj, "items"), item);
    }
    item_from_form(r, item);
    const char *new_code = json_string_value(json_object_get(item, "code"));
    /* children follow a renamed parent */
    if (old_code && new_code && !str_eq(old_code, new_code)) {
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(docj, "items"), i, o) if (str_eq(
            json_string_value(json_object_get(o, "parent_code")), old_code))
            json_object_set_new(o, "parent_code", json_string(new_code));
    }
    json_t *changes = json_pack("{s:{s:o,s:s}}", "item", "from",
                                old_code ? json_string(old_code) : json_null(), "to",
                                new_code ? new_code : "");
    res_t rc = apply_edit(r, ref, docj, new_code ? new_code : "#", errors, changes);
    json_decref(changes);
    if (rc == RES_OK) {
        json_decref(docj);
        json_decref(errors);
        json_decref(values);
        json_decref(cats);
        json_decref(meths);
        page_redirect_flash(r,
                            arena_printf(r->arena, "/referentiels/%lld#c-%s", (long long)ref->id,
                                         new_code),
                            item_id ? N_("Your changes are saved.") : N_("The item is added."));
        return;
    }
    if (rc == RES_ERROR) {
        json_decref(docj);
        json_decref(errors);
        json_decref(values);
        json_decref(cats);
        json_decref(meths);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    if (rc == RES_CONFLICT) {
        v_error(errors, "general",
                N_("Someone else changed this référentiel in the meantime. Your changes were not "
                   "saved: look at it again."));
        status = 409;
    }
invalid:;
    /* the form again, on the document as stored */
    json_t *fresh = doc_json(r, ref);
    json_decref(docj);
    render_item_form(r, status, ref, fresh ? fresh : json_object(), item_id, old_code, values, cats,
                     meths, errors);
    json_decref(fresh);
}

void ref_page_item_create(req_t *r)
{
    item_save(r, 0);
}

void ref_page_item_update(req_t *r)
{
    item_save(r, r->ids[1]);
}

void ref_page_item_delete(req_t *r)
{
    ref_t *ref = draft_ref(r);
    if (!ref)
        return;
    json_t *docj = doc_json(r, ref);
    const char *code = NULL;
    json_t *item = docj ? find_item(r, ref, docj, r->ids[1], &code) : NULL;
    if (!item) {
        json_decref(docj);
        app_fail(r, docj ? RES_NOT_FOUND : RES_ERROR, NULL, NULL);
        return;
    }
    if (page_needs_confirm(r)) {
        const char *t = json_string_value(json_object_get(item, "title_fr"));
        page_confirm(r, N_("Delete the item"),
                     N_("Delete this item and everything below it from the draft?"),
                     arena_printf(r->arena, "%s %s", code, t ? t : ""),
                     arena_printf(r->arena, "/referentiels/%lld/items/%lld/delete",
                                  (long long)ref->id, (long long)r->ids[1]),
                     json_pack("{s:s}", "rev", arena_printf(r->arena, "%lld", (long long)ref->rev)),
                     N_("Yes, delete it"), ref_href(r, ref->id));
        json_decref(docj);
        return;
    }
    if (form_rev(r) != ref->rev) {
        json_decref(docj);
        app_fail(r, RES_CONFLICT,
                 N_("Someone else changed this référentiel in the meantime. Your changes were not "
                    "saved: look at it again."),
                 NULL);
        return;
    }
    /* drop the item and its descendants (items are in tree order) */
    json_t *items = json_object_get(docj, "items");
    json_t *kept = json_array();
    json_t *gone = json_array();
    json_array_append_new(gone, json_string(code));
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        const char *c = json_string_value(json_object_get(o, "code"));
        const char *p = json_string_value(json_object_get(o, "parent_code"));
        bool drop = str_eq(c, code);
        size_t k;
        json_t *g;
        json_array_foreach(gone, k, g) drop = drop || (p && str_eq(p, json_string_value(g)));
        if (drop) {
            if (!str_eq(c, code))
                json_array_append_new(gone, json_string(c));
        } else {
            json_array_append(kept, o);
        }
    }
    json_object_set_new(docj, "items", kept);
    json_decref(gone);
    json_t *errors = json_object();
    json_t *changes = json_pack("{s:{s:s,s:n}}", "item", "from", code, "to");
    res_t rc = apply_edit(r, ref, docj, NULL, errors, changes);
    json_decref(changes);
    json_decref(docj);
    if (rc == RES_OK) {
        json_decref(errors);
        page_redirect_flash(r, ref_href(r, ref->id), N_("The item is deleted."));
        return;
    }
    const char *msg = json_string_value(json_object_get(errors, "general"));
    json_decref(errors);
    if (rc == RES_INVALID) {
        /* the last criterion, or a parent left with criterion fields */
        respond_error(r, 422, "invalid", msg ? arena_strdup(r->arena, msg) : NULL, NULL);
        return;
    }
    app_fail(r, rc, rc == RES_CONFLICT ? N_("Someone else changed this référentiel in the meantime. "
                                            "Your changes were not saved: look at it again.")
                                       : NULL,
             NULL);
}
