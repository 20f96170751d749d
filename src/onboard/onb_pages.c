/* onb_pages.c - the wizard's pages: four steps posting to /onboard, each
 * carrying what the others typed in hidden fields (no JavaScript needed),
 * then the result shown once with the temporary passwords. */
#include "onboard_internal.h"

#include <string.h>

#define MSG_WHO                                                                                    \
    N_("Only an administrator or a quality advisor of an association opens a new establishment.")

enum { STEP_EPS = 1, STEP_PEOPLE, STEP_KIT, STEP_REVIEW, STEP_COUNT = STEP_REVIEW };

static const char *const step_labels[] = {NULL, N_("The establishment"), N_("The people"),
                                          N_("The kit"), N_("Check and create")};
static const char *const step_leads[] = {
    NULL,
    N_("Describe the establishment as on its authorisation, and its units if you know them. "
       "Nothing is created before the last step."),
    N_("Create the accounts of the director and of the quality referent. Each is optional, but "
       "the director is the one who runs the establishment in Jouda. Each account gets a "
       "temporary password, shown once after the last step."),
    N_("A transfer kit brings référentiels, projet d'établissement templates, capitalisation "
       "sheets and documents shared by another Jouda. Optional: you can also import one later."),
    N_("Check what will be created. Everything is created at once when you press “Create the "
       "establishment”; if anything fails, nothing is created.")};
static const char *const step_templates[] = {NULL, "onboard/eps", "onboard/people", "onboard/kit",
                                             "onboard/review"};

/* The step a field is typed at. */
static int step_of(const char *field)
{
    if (strncmp(field, "director", 8) == 0 || strncmp(field, "referent", 8) == 0)
        return STEP_PEOPLE;
    if (strcmp(field, "kit") == 0 || strcmp(field, "allow_unsigned") == 0)
        return STEP_KIT;
    return STEP_EPS;
}

static int first_error_step(json_t *errors)
{
    int s = 0;
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
    {
        int f = step_of(k);
        if (!s || f < s)
            s = f;
    }
    return s;
}

static json_t *steps_model(req_t *r, int step)
{
    json_t *a = json_array();
    for (int i = 1; i <= STEP_COUNT; i++)
        json_array_append_new(a, json_pack("{s:i, s:s, s:b, s:b}", "n", i, "label",
                                           T(r, step_labels[i]), "current", i == step, "done",
                                           i < step));
    return a;
}

/* Hidden fields: every value typed at another step than this one. */
static json_t *carry_model(req_t *r, json_t *values, int step, int rows)
{
    json_t *a = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(values, k, v)
    {
        if (step_of(k) == step || strcmp(k, "kit") == 0)
            continue;
        json_array_append_new(a, json_pack("{s:s, s:O}", "name", k, "value", v));
    }
    if (step != STEP_EPS)
        json_array_append_new(a, json_pack("{s:s, s:s}", "name", "unit_rows", "value",
                                           arena_printf(r->arena, "%d", rows)));
    return a;
}

static const char *err_text(json_t *errors, const char *field)
{
    json_t *e = json_object_get(errors, field);
    return e ? json_string_value(e) : NULL;
}

static json_t *unit_rows_model(req_t *r, json_t *values, json_t *tr_errors, int rows)
{
    json_t *a = json_array();
    for (int i = 1; i <= rows; i++) {
        const char *kn = arena_printf(r->arena, "unit_name_%d", i);
        const char *kk = arena_printf(r->arena, "unit_kind_%d", i);
        const char *name = json_string_value(json_object_get(values, kn));
        const char *kind = json_string_value(json_object_get(values, kk));
        const char *en = err_text(tr_errors, kn), *ek = err_text(tr_errors, kk);
        json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "n", i,
                                           "name_field", kn, "kind_field", kk, "name",
                                           name ? name : "", "kind_options",
                                           nodes_code_options(r, "unit_kind", nodes_unit_kinds,
                                                              kind, T(r, N_("Not specified"))),
                                           "name_error", json_str_or_null(en), "kind_error",
                                           json_str_or_null(ek), "has_error", en || ek));
    }
    return a;
}

static json_t *lang_options(req_t *r, const char *selected)
{
    json_t *a = json_array();
    if (!selected || !*selected)
        selected = "fr";
    for (size_t i = 0; users_languages[i]; i++) {
        const char *c = users_languages[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "code", c, "label",
                                           str_eq(c, "ar")   ? "العربية"
                                           : str_eq(c, "en") ? "English"
                                                             : "Français",
                                           "selected", str_eq(c, selected)));
    }
    return a;
}

static const char *val(json_t *values, const char *k)
{
    const char *s = json_string_value(json_object_get(values, k));
    return s ? s : "";
}

/* Step 2: the two people's fieldsets. */
static json_t *people_model(req_t *r, json_t *values, json_t *tr)
{
    static const char *const prefix[ONB_PEOPLE] = {"director", "referent"};
    static const char *const legend[ONB_PEOPLE] = {N_("The director"), N_("The quality referent")};
    static const char *const hint[ONB_PEOPLE] = {
        N_("Runs the establishment in Jouda: its staff, its self-assessments, its plan."),
        N_("Leads the quality approach with the director; optional, named later otherwise.")};
    static const char *const keys[] = {"name", "email", "username", "language", NULL};
    json_t *a = json_array();
    for (int k = 0; k < ONB_PEOPLE; k++) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "p", prefix[k], "legend", T(r, legend[k]), "hint",
                              T(r, hint[k]));
        for (int i = 0; keys[i]; i++) {
            const char *f = arena_printf(r->arena, "%s_%s", prefix[k], keys[i]);
            json_object_set_new(o, arena_printf(r->arena, "v_%s", keys[i]),
                                json_string(val(values, f)));
            json_object_set_new(o, arena_printf(r->arena, "err_%s", keys[i]),
                                json_str_or_null(err_text(tr, f)));
        }
        json_object_set_new(
            o, "langs",
            lang_options(r, val(values, arena_printf(r->arena, "%s_language", prefix[k]))));
        json_array_append_new(a, o);
    }
    return a;
}

/* What step 4 shows: everything that will be created. */
static json_t *review_model(req_t *r, const onb_plan_t *p)
{
    json_t *m = json_object();
    json_object_set_new(m, "assoc_name",
                        json_string(nodes_display_name(r, p->assoc.name, p->assoc.name_ar)));
    const node_input_t *e = &p->eps;
    json_t *details = json_array();
#define ROW(label, value)                                                                          \
    if ((value) && *(value))                                                                       \
        json_array_append_new(details,                                                             \
                              json_pack("{s:s, s:s}", "label", T(r, label), "value", value));
    ROW(N_("Name"), e->name);
    ROW(N_("Name in Arabic"), e->name_ar);
    ROW(N_("Category"), nodes_code_label(r, "category", e->category));
    ROW(N_("Region"), nodes_code_label(r, "region", e->region));
    ROW(N_("Province or prefecture"), e->province);
    ROW(N_("Capacity"), e->capacity >= 0 ? app_number(r, e->capacity) : NULL);
    ROW(N_("Authorisation number"), e->authorisation_no);
#undef ROW
    json_object_set_new(m, "details", details);
    json_t *units = json_array();
    for (int i = 0; i < p->n_units; i++) {
        const char *kl = nodes_code_label(r, "unit_kind", p->units[i].kind);
        json_array_append_new(
            units, json_pack("{s:s, s:o}", "name", p->units[i].name, "kind", json_str_or_null(kl)));
    }
    json_object_set_new(m, "units", units);
    json_object_set_new(m, "n_units", json_integer(p->n_units));
    json_t *people = json_array();
    for (int k = 0; k < ONB_PEOPLE; k++) {
        const onb_person_t *w = &p->people[k];
        json_array_append_new(people,
                              json_pack("{s:s, s:b, s:s, s:o, s:o, s:s}", "role",
                                        T(r, users_role_msgid(w->role)), "given", w->given, "name",
                                        w->name ? w->name : "", "email", json_str_or_null(w->email),
                                        "username", json_str_or_null(w->username), "language",
                                        str_eq(w->language, "ar")   ? "العربية"
                                        : str_eq(w->language, "en") ? "English"
                                                                    : "Français"));
    }
    json_object_set_new(m, "people", people);
    json_object_set_new(m, "no_director", json_boolean(!p->people[ONB_DIRECTOR].given));
    json_object_set_new(m, "has_kit", json_boolean(p->kit != NULL));
    json_object_set_new(m, "kit_name", json_string(p->kit_name ? p->kit_name : ""));
    json_t *rep = p->kit_report;
    json_t *items = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rep, "items"), i, it)
    {
        const char *act = json_string_value(json_object_get(it, "action"));
        const char *msgid = str_eq(act, "create")   ? N_("Will be added")
                            : str_eq(act, "update") ? N_("Will be updated")
                            : str_eq(act, "same")   ? N_("Already here")
                            : str_eq(act, "skip")   ? N_("Kept as it is here")
                                                    : N_("Refused");
        json_array_append_new(
            items,
            json_pack("{s:O, s:s, s:s, s:b}", "title",
                      json_object_get(it, "title") ? json_object_get(it, "title") : json_null(),
                      "action", T(r, msgid), "message",
                      json_string_value(json_object_get(it, "message"))
                          ? json_string_value(json_object_get(it, "message"))
                          : "",
                      "bad", str_eq(act, "invalid")));
    }
    json_object_set_new(m, "kit_items", items);
    json_t *warn = json_object_get(rep, "warnings");
    json_object_set_new(m, "kit_warnings", json_is_array(warn) ? json_incref(warn) : json_array());
    json_object_set_new(m, "kit_signed",
                        json_boolean(json_is_true(json_object_get(rep, "signed"))));
    json_object_set_new(m, "kit_producer",
                        json_string(json_string_value(json_object_get(rep, "producer"))
                                        ? json_string_value(json_object_get(rep, "producer"))
                                        : ""));
    return m;
}

/* One step's page. errors: field -> msgid (stolen, may be NULL). */
static void render_step(req_t *r, int status, int step, const onb_plan_t *p, json_t *errors,
                        bool more_rows)
{
    if (!errors)
        errors = json_object();
    v_errors_order(errors, onb_field_order);
    json_t *values = onb_values(r);
    int rows = onb_unit_rows(r, more_rows);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Open a new establishment"))));
    json_object_set_new(m, "step_label", json_string(T(r, step_labels[step])));
    json_object_set_new(m, "lead", json_string(T(r, step_leads[step])));
    json_object_set_new(m, "step_n", json_integer(step));
    json_object_set_new(m, "steps", steps_model(r, step));
    json_object_set_new(m, "run", json_string(p->run ? p->run : ""));
    json_object_set_new(m, "carry", carry_model(r, values, step, rows));
    json_object_set_new(m, "values", json_incref(values));
    model_form_errors_take(r, m, errors);
    json_t *tr = json_object_get(m, "errors");
    switch (step) {
    case STEP_EPS: {
        int64_t sel = 0;
        str_to_i64(val(values, "association_id"), &sel);
        json_t *opts = onb_assoc_options(r, sel);
        json_object_set_new(m, "one_assoc", json_boolean(json_array_size(opts) == 1));
        json_object_set_new(m, "no_assoc", json_boolean(json_array_size(opts) == 0));
        json_object_set_new(m, "assoc_options", opts);
        json_object_set_new(m, "category_options",
                            nodes_code_options(r, "category", nodes_categories,
                                               val(values, "category"),
                                               T(r, N_("Choose a category"))));
        json_object_set_new(m, "region_options",
                            nodes_code_options(r, "region", nodes_regions, val(values, "region"),
                                               T(r, N_("Not specified"))));
        json_object_set_new(m, "unit_rows", unit_rows_model(r, values, tr, rows));
        json_object_set_new(m, "unit_rows_n", json_integer(rows));
        json_object_set_new(m, "can_add_rows", json_boolean(rows < ONB_UNITS_MAX));
        break;
    }
    case STEP_PEOPLE:
        json_object_set_new(m, "people", people_model(r, values, tr));
        break;
    case STEP_KIT:
        json_object_set_new(m, "has_kit", json_boolean(p->kit != NULL));
        json_object_set_new(m, "kit_name", json_string(p->kit_name ? p->kit_name : ""));
        json_object_set_new(m, "allow_unsigned", json_boolean(p->allow_unsigned));
        break;
    case STEP_REVIEW:
        json_object_set_new(m, "review", review_model(r, p));
        break;
    }
    json_decref(values);
    page_render(r, status, step_templates[step], m);
}

void onb_page_start(req_t *r)
{
    if (!onb_may_use(r)) {
        app_fail(r, RES_FORBIDDEN, MSG_WHO, NULL);
        return;
    }
    onb_plan_t p;
    onb_plan_init(&p);
    p.run = onb_run_new(r);
    render_step(r, 200, STEP_EPS, &p, NULL, false);
}

/* The kit's file name as shown (never used as a path): its last segment. */
static const char *kit_display_name(req_t *r, const char *filename)
{
    if (!filename || !*filename || !utf8_valid(filename, strlen(filename)))
        return "kit.zip";
    const char *s = filename;
    for (const char *c = filename; *c; c++)
        if (*c == '/' || *c == '\\')
            s = c + 1;
    char *out = arena_strndup(r->arena, s, 120);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    return *out ? out : "kit.zip";
}

static void show_result(req_t *r, const onb_plan_t *p, int64_t eps_id, json_t *report)
{
    json_t *m = onb_result(r, p, eps_id, report);
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *isolated = arena_printf(r->arena, "\xE2\x81\xA8%s\xE2\x81\xA9", name);
    json_object_set_new(m, "title",
                        json_string(text_fill_strings(
                            r->arena, T(r, N_("The establishment %s is ready")), &isolated, 1)));
    json_object_set_new(m, "has_accounts",
                        json_boolean(json_array_size(json_object_get(m, "accounts")) > 0));
    json_object_set_new(m, "has_units",
                        json_boolean(json_array_size(json_object_get(m, "units")) > 0));
    json_t *units = json_object_get(m, "units");
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        const char *k = json_string_value(json_object_get(u, "unit_kind"));
        json_object_set_new(u, "kind_label", json_str_or_null(nodes_code_label(r, "unit_kind", k)));
    }
    json_object_set_new(m, "has_kit", json_boolean(report != NULL));
    json_object_set_new(m, "kit_created",
                        json_integer(json_integer_value(
                            json_object_get(json_object_get(report, "counts"), "create"))));
    json_object_set_new(m, "kit_updated",
                        json_integer(json_integer_value(
                            json_object_get(json_object_get(report, "counts"), "update"))));
    json_object_set_new(m, "kit_same",
                        json_integer(json_integer_value(
                            json_object_get(json_object_get(report, "counts"), "same"))));
    json_t *made = json_array();
    size_t k;
    json_t *it;
    json_array_foreach(json_object_get(report, "items"), k, it)
    {
        const char *act = json_string_value(json_object_get(it, "action"));
        const char *title = json_string_value(json_object_get(it, "title"));
        if ((str_eq(act, "create") || str_eq(act, "update")) && title)
            json_array_append_new(
                made, json_pack("{s:s, s:s}", "title", title, "action",
                                T(r, str_eq(act, "create") ? N_("added") : N_("updated"))));
    }
    json_object_set_new(m, "kit_made", made);
    json_object_del(m, "kit");
    r->http->resp_no_store = true;
    page_render(r, 200, "onboard/done", m);
}

static void show_done_already(req_t *r, int64_t eps_id, const char *msgid)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "title", T(r, N_("Already created")), "message",
                          T(r, msgid), "eps_href", nodes_href(r, eps_id), "eps_name",
                          nodes_label(r->db, r->arena, r->lang, eps_id));
    page_render(r, 409, "onboard/already", m);
}

void onb_page_step(req_t *r)
{
    if (!onb_may_use(r)) {
        app_fail(r, RES_FORBIDDEN, MSG_WHO, NULL);
        return;
    }
    int64_t step = 0;
    const char *s = req_form(r, "step");
    if (!s || !str_to_i64(s, &step) || step < STEP_EPS || step > STEP_REVIEW)
        step = STEP_EPS;
    const char *go = req_form(r, "go");
    if (!go)
        go = "next";
    onb_plan_t p;
    onb_plan_init(&p);
    const char *run = req_form(r, "run");
    p.run = run && token_well_formed(run) ? run : onb_run_new(r);
    p.allow_unsigned = str_eq(req_form(r, "allow_unsigned"), "1");

    if (str_eq(go, "rows")) {
        render_step(r, 200, STEP_EPS, &p, NULL, true);
        return;
    }
    int target = 0;
    if (str_eq(go, "back"))
        target = step > STEP_EPS ? (int)step - 1 : STEP_EPS;
    else if (strncmp(go, "edit", 4) == 0 && go[4] >= '1' && go[4] <= '3' && !go[5])
        target = go[4] - '0';
    if (target) {
        if (target == STEP_KIT)
            onb_kit_load(r, &p);
        render_step(r, 200, target, &p, NULL, false);
        return;
    }

    if (step == STEP_REVIEW && str_eq(go, "create")) {
        /* the result page posted again (reloaded): said, not redone */
        int64_t done = onb_run_done(r, p.run);
        if (done > 0) {
            show_done_already(r, done,
                              N_("This establishment has been created already: its "
                                 "accounts' passwords were shown once, on the page that "
                                 "followed."));
            return;
        }
    }
    json_t *errors = json_object();
    res_t rc = onb_read_eps(r, errors, &p);
    if (rc != RES_OK) {
        json_decref(errors);
        app_fail(r, rc, NULL, NULL);
        return;
    }
    if (step >= STEP_PEOPLE)
        onb_read_people(r, errors, &p);
    bool uploaded = false;
    if (step == STEP_KIT) {
        const http_file_t *f = http_file(r->http, "kit");
        if (str_eq(req_form(r, "kit_drop"), "1"))
            onb_kit_unstage(r, p.run);
        if (f && f->len > 0) {
            p.kit = (const unsigned char *)f->data;
            p.kit_len = f->len;
            p.kit_name = kit_display_name(r, f->filename);
            uploaded = true;
        } else if (!str_eq(req_form(r, "kit_drop"), "1")) {
            onb_kit_load(r, &p);
        }
    } else if (step == STEP_REVIEW) {
        onb_kit_load(r, &p);
    }
    int bad = first_error_step(errors);
    if (bad) {
        if (bad == STEP_KIT && uploaded)
            p.kit = NULL;
        render_step(r, 422, bad, &p, errors, false);
        return;
    }
    if (step == STEP_EPS || step == STEP_PEOPLE) {
        json_decref(errors);
        render_step(r, 200, (int)step + 1, &p, NULL, false);
        return;
    }
    /* the kit: previewed at every passage, so that the page shows what it does */
    rc = onb_kit_preview(r, errors, &p);
    if (rc == RES_INVALID) {
        if (uploaded) {
            /* the new file replaced the one kept: neither is kept now */
            p.kit = NULL;
            onb_kit_unstage(r, p.run);
        }
        render_step(r, 422, STEP_KIT, &p, errors, false);
        return;
    }
    if (rc != RES_OK) {
        json_decref(errors);
        app_fail(r, rc, NULL, NULL);
        return;
    }
    if (step == STEP_KIT) {
        if (uploaded && onb_kit_stage(r, &p) != DB_OK) {
            json_decref(errors);
            app_fail(r, RES_ERROR, NULL, NULL);
            return;
        }
        json_decref(errors);
        render_step(r, 200, STEP_REVIEW, &p, NULL, false);
        return;
    }
    /* step 4: create */
    int64_t eps_id = 0;
    json_t *report = NULL;
    const char *msgid = NULL;
    rc = onb_create(r, &p, errors, &eps_id, &report, &msgid);
    if (rc == RES_OK) {
        json_decref(errors);
        if (report)
            arena_defer(r->arena, (void (*)(void *))json_decref, report);
        show_result(r, &p, eps_id, report);
        return;
    }
    if (rc == RES_INVALID) {
        render_step(r, 422, first_error_step(errors) ? first_error_step(errors) : STEP_REVIEW, &p,
                    errors, false);
        return;
    }
    if (rc == RES_CONFLICT && eps_id > 0) {
        json_decref(errors);
        show_done_already(r, eps_id, msgid);
        return;
    }
    if (rc == RES_CONFLICT) {
        v_error(errors, "association_id", msgid);
        render_step(r, 409, STEP_EPS, &p, errors, false);
        return;
    }
    json_decref(errors);
    app_fail(r, RES_ERROR, NULL, NULL);
}

void onb_home(req_t *r, json_t *sections)
{
    if (!onb_may_use(r))
        return;
    json_array_append_new(sections,
                          json_pack("{s:s, s:i}", "partial", "onboard/home", "order", 12));
}
