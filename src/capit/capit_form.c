/* capit_form.c - writing a sheet from the pages: the long form (grouped
 * fieldsets, a hint under each text, every problem reported at once with
 * what was typed kept), saving (a published sheet's edit opens its next
 * version), the workflow's buttons (submit, publish, return to draft with
 * a comment) and attaching files. Every form works without JavaScript. */
#include "capit_internal.h"

#include <stdio.h>
#include <string.h>

#include "../attach/attach.h"

/* Fieldsets of the form: their legend and the texts they hold. */
static const struct {
    const char *legend, *hint;
    int first, last;
} groups[] = {
    {N_("The experience"), N_("Tell it as you would to a colleague of another establishment."),
     CAP_T_CONTEXT, CAP_T_INNOVATION},
    {N_("What it gave"), NULL, CAP_T_RESULTS, CAP_T_DIFFICULTIES},
    {N_("To pass it on"), NULL, CAP_T_LESSONS, CAP_T_TOOLS},
};

static json_t *text_item(req_t *r, json_t *m, int i, const char *value)
{
    json_t *errs = json_object_get(m, "errors");
    const char *f = cap_text_fields[i];
    const char *err = json_string_value(json_object_get(errs, f));
    bool required = i == CAP_T_CONTEXT || i == CAP_T_LESSONS;
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:i, s:b}", "field", f, "label",
                     T(r, cap_text_labels[i]), "hint", T(r, cap_text_hints[i]), "value",
                     value ? value : "", "required", required, "error", err ? err : "",
                     "has_error", err != NULL, "rows", required || i == CAP_T_IMPLEMENTATION ? 7 : 4,
                     "is_results", i == CAP_T_RESULTS);
}

/* The form's model. s: the sheet edited (NULL: a new one); in: what was
 * posted (NULL: the first showing). */
static void form_render(req_t *r, const sheet_t *s, const cap_input_t *in, int status,
                        json_t *errors)
{
    json_t *m = json_object();
    bool next_version = s && s->status == CAP_PUBLISHED;
    json_object_set_new(m, "title",
                        json_string(T(r, !s ? N_("New capitalisation sheet")
                                            : next_version ? N_("Write a new version")
                                                           : N_("Edit the sheet"))));
    json_t *cr = json_pack("[{s:s, s:s}]", "label", T(r, N_("Capitalisation")), "href", "/sheets");
    if (s)
        json_array_append_new(cr, json_pack("{s:s, s:s}", "label", s->title, "href",
                                            cap_sheet_href(r->arena, s->id)));
    json_object_set_new(m, "crumbs", cr);
    json_object_set_new(m, "is_new", json_boolean(s == NULL));
    json_object_set_new(m, "next_version", json_boolean(next_version));
    json_object_set_new(m, "next_number", json_integer(s ? s->version + 1 : 1));
    json_object_set_new(m, "action",
                        json_string(s ? arena_printf(r->arena, "/sheets/%lld", (long long)s->id)
                                      : "/sheets"));
    json_object_set_new(m, "back", json_string(s ? cap_sheet_href(r->arena, s->id) : "/sheets"));
    json_object_set_new(m, "rev", json_integer(s ? s->rev : 0));
    json_object_set_new(m, "can_submit",
                        json_boolean(!s || s->status == CAP_DRAFT || next_version));
    model_form_errors_take(r, m, errors);

    /* the establishment */
    int64_t eps_id = s ? s->eps_id : 0;
    if (!s) {
        const char *v = req_form(r, "node_id");
        if (!v)
            v = req_query(r, "node_id");
        if (v)
            str_to_i64(v, &eps_id);
    }
    json_t *eps = s ? json_array() : cap_writable_eps(r, eps_id);
    if (!s) {
        /* the establishment asked (query or form) only where the reader
         * writes: its staff are offered as authors; else the first one */
        bool writable = false;
        size_t k;
        json_t *o;
        json_array_foreach(eps, k, o)
            writable = writable || json_integer_value(json_object_get(o, "id")) == eps_id;
        if (!writable)
            eps_id = json_array_size(eps) > 0
                         ? json_integer_value(json_object_get(json_array_get(eps, 0), "id"))
                         : 0;
    }
    json_object_set_new(m, "eps_options", eps);
    json_object_set_new(m, "eps_label", json_string(s ? cap_eps_label(r, s) : ""));
    const char *eps_path = s ? s->node_path : (eps_id > 0 ? nodes_path_of(r->db, r->arena, eps_id) : "");

    /* theme and language */
    const char *theme = in && in->theme ? in->theme : s ? s->theme : req_query(r, "theme");
    json_t *themes = json_array();
    for (size_t i = 0; cap_themes[i]; i++)
        json_array_append_new(themes, json_pack("{s:s, s:s, s:b}", "code", cap_themes[i], "label",
                                                cap_theme_label(r, cap_themes[i]), "selected",
                                                str_eq(theme, cap_themes[i])));
    json_object_set_new(m, "theme_options", themes);
    const char *lang = in && in->lang ? in->lang : s ? s->lang : (str_eq(r->lang, "ar") ? "ar" : "fr");
    json_object_set_new(m, "lang_fr", json_boolean(str_eq(lang, "fr")));
    json_object_set_new(m, "lang_ar", json_boolean(str_eq(lang, "ar")));

    /* the values of one-line and long texts */
    json_t *values = json_object_get(m, "values");
    if (!in && s && json_is_object(values)) {
        json_object_set_new(values, "title", json_string(s->title));
        json_object_set_new(values, "contributors", json_string(s->contributors));
    }
    const char *texts[CAP_NTEXT];
    for (int i = 0; i < CAP_NTEXT; i++) {
        const char *posted = json_string_value(json_object_get(values, cap_text_fields[i]));
        texts[i] = in ? (posted ? posted : "") : s ? s->text[i] : "";
    }
    json_t *fs = json_array();
    for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
        json_t *items = json_array();
        for (int i = groups[g].first; i <= groups[g].last; i++)
            json_array_append_new(items, text_item(r, m, i, texts[i]));
        json_array_append_new(fs, json_pack("{s:s, s:s, s:o, s:s}", "legend", T(r, groups[g].legend),
                                            "hint", groups[g].hint ? T(r, groups[g].hint) : "",
                                            "items", items, "id",
                                            arena_printf(r->arena, "g-%zu", g)));
    }
    json_object_set_new(m, "groups", fs);

    /* indicators: the rows given, and two empty ones (three at least) */
    json_t *inds = json_array();
    if (in) {
        for (size_t i = 0; i < in->n_ind; i++)
            json_array_append_new(inds, json_pack("{s:s, s:s, s:s}", "label", in->ind[i].label,
                                                  "value", in->ind[i].value ? in->ind[i].value : "",
                                                  "unit", in->ind[i].unit ? in->ind[i].unit : ""));
    } else if (s) {
        json_decref(inds);
        inds = cap_indicators_json(s);
    }
    size_t want = json_array_size(inds) + 2;
    if (want < 3)
        want = 3;
    if (want > CAP_IND_MAX)
        want = CAP_IND_MAX;
    json_t *rows = json_array();
    json_t *errs = json_object_get(m, "errors");
    for (size_t i = 0; i < want; i++) {
        json_t *o = json_array_get(inds, i);
        const char *err = json_string_value(json_object_get(errs, arena_printf(r->arena, "ind_label_%zu", i + 1)));
        json_array_append_new(
            rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "n", (json_int_t)(i + 1), "label",
                            o ? json_string_value(json_object_get(o, "label")) : "", "value",
                            o ? json_string_value(json_object_get(o, "value")) : "", "unit",
                            o ? json_string_value(json_object_get(o, "unit")) : "", "error",
                            err ? err : "", "has_error", err != NULL));
    }
    json_decref(inds);
    json_object_set_new(m, "indicator_rows", rows);

    /* authors: the people of the establishment, and those already named */
    json_t *chosen = json_array();
    if (in) {
        for (size_t i = 0; i < in->n_authors; i++)
            json_array_append_new(chosen, json_integer(in->authors[i]));
    } else if (s) {
        json_t *a = cap_authors_of(r->db, s->id);
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
            json_array_append(chosen, json_object_get(v, "id"));
        json_decref(a);
    } else if (r->user && eps_path && *eps_path && users_works_at(r->db, eps_path, r->user->id)) {
        json_array_append_new(chosen, json_integer(r->user->id));
    }
    json_t *people = eps_path && *eps_path ? users_workers(r->db, eps_path) : json_array();
    if (!people)
        people = json_array();
    if (s) {
        json_t *a = cap_authors_of(r->db, s->id);
        size_t i, k;
        json_t *v, *p;
        json_array_foreach(a, i, v) {
            bool there = false;
            json_array_foreach(people, k, p)
                there = there || json_integer_value(json_object_get(p, "id")) ==
                                     json_integer_value(json_object_get(v, "id"));
            if (!there)
                json_array_append(people, v);
        }
        json_decref(a);
    }
    size_t i, k;
    json_t *p, *c;
    json_array_foreach(people, i, p) {
        bool on = false;
        json_array_foreach(chosen, k, c)
            on = on || json_integer_value(c) == json_integer_value(json_object_get(p, "id"));
        json_object_set_new(p, "checked", json_boolean(on));
        json_object_set_new(p, "input_id", json_string(arena_printf(r->arena, "f-author-%zu", i)));
    }
    json_decref(chosen);
    buf_t names;
    buf_init(&names);
    json_array_foreach(people, i, p)
        if (json_is_true(json_object_get(p, "checked")))
            buf_printf(&names, "%s%s", names.len ? ", " : "", json_string_value(json_object_get(p, "name")));
    json_object_set_new(m, "chosen_names", json_string(names.data ? names.data : ""));
    json_object_set_new(m, "authors_open", json_boolean(names.len == 0 || json_object_get(json_object_get(m, "errors"), "author_ids")));
    buf_free(&names);
    json_object_set_new(m, "has_people", json_boolean(json_array_size(people) > 0));
    json_object_set_new(m, "people", people);

    /* criteria */
    json_t *crit = json_array();
    if (in) {
        for (size_t j = 0; j < in->n_crit; j++)
            json_array_append_new(crit, json_pack("{s:s, s:s}", "referentiel", in->crit[j].ref,
                                                  "criterion", in->crit[j].crit));
    } else if (s) {
        json_decref(crit);
        crit = cap_criteria_of(r->db, s->id);
    }
    json_object_set_new(m, "referentiels", cap_criteria_options(r, crit));
    json_decref(crit);

    /* actions: the linked ones the writer knows, as boxes to keep */
    json_t *aids = json_array();
    if (in) {
        for (size_t j = 0; j < in->n_actions; j++)
            json_array_append_new(aids, json_integer(in->actions[j]));
    } else if (s) {
        json_decref(aids);
        aids = cap_ids_of(r->db, s->id, "action");
    }
    json_t *acts = cap_actions_view(r, aids);
    json_decref(aids);
    json_array_foreach(acts, i, p)
        json_object_set_new(p, "input_id", json_string(arena_printf(r->arena, "f-action-%zu", i)));
    json_object_set_new(m, "has_actions", json_boolean(json_array_size(acts) > 0));
    json_object_set_new(m, "linked_actions", acts);
    if (!in && json_is_object(values))
        json_object_set_new(values, "actions", json_string(""));

    /* documents: their codes, one field */
    if (!in && json_is_object(values)) {
        buf_t b;
        buf_init(&b);
        if (s) {
            json_t *d = cap_documents_of(r->db, s->id);
            json_t *v;
            json_array_foreach(d, i, v)
                buf_printf(&b, "%s%s", i ? " " : "", json_string_value(v));
            json_decref(d);
        }
        json_object_set_new(values, "documents", json_string(b.data ? b.data : ""));
        buf_free(&b);
    }
    page_render(r, status, "capit/form", m);
}

void cap_page_new(req_t *r)
{
    json_t *eps = cap_writable_eps(r, 0);
    bool can = json_array_size(eps) > 0;
    json_decref(eps);
    if (!can) {
        app_fail(r, RES_FORBIDDEN,
                 N_("The director and the quality referent of an establishment write its sheets."),
                 NULL);
        return;
    }
    form_render(r, NULL, NULL, 200, NULL);
}

/* After a save: submit for review when the writer asked it. */
static res_t then_submit(req_t *r, int64_t id)
{
    if (!str_eq(req_form(r, "then"), "review"))
        return RES_OK;
    sheet_t s;
    if (cap_load(r->db, r->arena, id, &s) != 0)
        return RES_ERROR;
    if (s.status != CAP_DRAFT)
        return RES_OK;
    cap_ctx_t c = CAP_CTX(r);
    return cap_set_status(&c, &s, CAP_REVIEW, NULL, 0);
}

void cap_page_create(req_t *r)
{
    json_t *errors = json_object();
    int64_t node = v_int(r, errors, "node_id", true, 1, INT64_MAX, 0);
    v_required_message(errors, "node_id", N_("Choose the establishment whose experience it is."));
    cap_input_t *in = arena_alloc(r->arena, sizeof *in);
    node_t *eps = NULL;
    if (!json_object_size(errors)) {
        json_t *probe = json_object();
        eps = cap_creation_eps(r, node, probe);
        if (!eps) {
            json_decref(errors);
            return; /* answered: 404, 422 or 403 */
        }
        json_decref(probe);
    }
    cap_input_read(r, errors, in, true, eps ? eps->path : NULL, 0);
    if (json_object_size(errors)) {
        v_errors_order(errors, cap_form_order);
        form_render(r, NULL, in, 422, errors);
        return;
    }
    json_decref(errors);
    if (!in->theme)
        in->theme = "autre";
    if (!in->lang)
        in->lang = str_eq(r->lang, "ar") ? "ar" : "fr";
    cap_place_t p = {.node_id = eps->id, .node_path = eps->path, .eps_id = eps->id,
                     .eps_name = eps->name, .status = CAP_DRAFT};
    cap_ctx_t c = CAP_CTX(r);
    int64_t id = 0;
    /* saved and submitted together, or neither */
    bool mine;
    res_t rc = app_tx_begin(r->db, &mine) ? RES_OK : RES_ERROR;
    if (rc == RES_OK) {
        rc = cap_create(&c, &p, in, &id);
        if (rc == RES_OK)
            rc = then_submit(r, id);
        if (app_tx_end(r->db, mine, rc == RES_OK) != DB_OK && rc == RES_OK)
            rc = RES_ERROR;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, cap_sheet_href(r->arena, id),
                        str_eq(req_form(r, "then"), "review")
                            ? N_("The sheet is saved and submitted for review.")
                            : N_("The sheet is saved as a draft."));
}

void cap_page_edit(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s)
        return;
    if (s->status == CAP_SUPERSEDED) {
        cap_fail_transition(r, s);
        return;
    }
    if (s->status == CAP_PUBLISHED) {
        int64_t open = cap_open_version(r->db, s->code);
        if (open > 0) {
            page_redirect_flash(r, arena_printf(r->arena, "/sheets/%lld/edit", (long long)open),
                                N_("A new version of this sheet is already being written: continue it."));
            return;
        }
    }
    form_render(r, s, NULL, 200, NULL);
}

void cap_page_update(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s)
        return;
    if (s->status == CAP_SUPERSEDED) {
        cap_fail_transition(r, s);
        return;
    }
    json_t *errors = json_object();
    int64_t rev = v_int(r, errors, "rev", false, 0, INT64_MAX, 0);
    cap_input_t *in = arena_alloc(r->arena, sizeof *in);
    cap_input_read(r, errors, in, false, s->node_path, s->id);
    if (json_object_size(errors)) {
        v_errors_order(errors, cap_form_order);
        form_render(r, s, in, 422, errors);
        return;
    }
    json_decref(errors);
    cap_ctx_t c = CAP_CTX(r);
    int64_t id = s->id, open = 0;
    /* saved and submitted together, or neither */
    bool mine;
    res_t rc = app_tx_begin(r->db, &mine) ? RES_OK : RES_ERROR;
    if (rc == RES_OK) {
        if (s->status == CAP_PUBLISHED)
            rc = rev > 0 && rev != s->rev ? RES_CONFLICT : cap_new_version(&c, s, in, &id, &open);
        else
            rc = cap_update(&c, s, in, rev);
        if (rc == RES_OK)
            rc = then_submit(r, id);
        if (app_tx_end(r->db, mine, rc == RES_OK) != DB_OK && rc == RES_OK)
            rc = RES_ERROR;
    }
    if (rc == RES_CONFLICT && open > 0) {
        cap_fail_open_version(r, open);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc,
                 rc == RES_CONFLICT
                     ? N_("Someone changed this sheet meanwhile: reload it, your text is not saved.")
                     : NULL,
                 NULL);
        return;
    }
    page_redirect_flash(r, cap_sheet_href(r->arena, id),
                        str_eq(req_form(r, "then"), "review")
                            ? N_("The sheet is saved and submitted for review.")
                        : s->status == CAP_PUBLISHED
                            ? N_("The new version is saved as a draft; the published one stays "
                                 "until it is published.")
                            : N_("Saved."));
}

/* --- workflow ----------------------------------------------------------------------- */

void cap_page_status(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s)
        return;
    static const char *const to_codes[] = {"draft", "review", "published", NULL};
    json_t *errors = json_object();
    const char *to = v_code(r, errors, "status", true, to_codes);
    const char *comment = v_long_text(r, errors, "comment", false, CAP_COMMENT_MAX);
    int64_t rev = v_int(r, errors, "rev", false, 0, INT64_MAX, 0);
    if (json_object_size(errors) && !to) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    cap_status_t target = (cap_status_t)cap_status_from_code(to);
    res_t rule = cap_transition(s->status, target, cap_may_write_at(r, s->node_path),
                                cap_may_publish_at(r, s->node_path));
    if (rule != RES_OK) {
        json_decref(errors);
        if (rule == RES_CONFLICT)
            cap_fail_transition(r, s);
        else
            app_fail(r, RES_FORBIDDEN,
                     target == CAP_PUBLISHED
                         ? N_("Only a quality advisor or an administrator over the establishment "
                              "publishes its sheets.")
                         : N_("The director and the quality referent of the establishment write "
                              "its sheets; you may read them."),
                     NULL);
        return;
    }
    if (target == CAP_DRAFT && !comment)
        v_error(errors, "comment", N_("Say what the authors should change before submitting it again."));
    if (json_object_size(errors)) {
        json_t *m = json_object();
        json_object_set_new(m, "title", json_string(T(r, N_("Return the sheet to its authors"))));
        json_object_set_new(m, "crumbs",
                            json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", T(r, N_("Capitalisation")),
                                      "href", "/sheets", "label", s->title, "href",
                                      cap_sheet_href(r->arena, s->id)));
        json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/sheets/%lld/status", (long long)s->id)));
        json_object_set_new(m, "back", json_string(cap_sheet_href(r->arena, s->id)));
        json_object_set_new(m, "rev", json_integer(s->rev));
        json_object_set_new(m, "sheet_title", json_string(s->title));
        model_form_errors_take(r, m, errors);
        page_render(r, 422, "capit/return", m);
        return;
    }
    json_decref(errors);
    cap_ctx_t c = CAP_CTX(r);
    res_t rc = cap_set_status(&c, s, target, comment, rev);
    if (rc != RES_OK) {
        app_fail(r, rc,
                 rc == RES_CONFLICT ? N_("The sheet is no longer at this step: reload it.") : NULL,
                 NULL);
        return;
    }
    page_redirect_flash(r, cap_sheet_href(r->arena, s->id),
                        target == CAP_REVIEW      ? N_("The sheet is submitted for review.")
                        : target == CAP_PUBLISHED ? N_("The sheet is published: every user of Jouda can read it now.")
                                                  : N_("The sheet is back to its authors, with your comment."));
}

void cap_page_upload(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_WRITE);
    if (!s)
        return;
    const http_file_t *f = http_file(r->http, "file");
    const char *msgid = NULL;
    int64_t id = 0;
    cap_ctx_t c = CAP_CTX(r);
    res_t rc = cap_attach(&c, s, f, &id, &msgid);
    if (rc == RES_CONFLICT) {
        cap_fail_transition(r, s);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, rc, msgid ? msgid : rc == RES_INVALID ? N_("Choose a file to send.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/sheets/%lld#files", (long long)s->id),
                        N_("The file is attached to the sheet."));
}
