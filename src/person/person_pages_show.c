/* person_pages_show.c - a person's file: one page with tabs (identity,
 * needs, plan, reviews and, for the establishment's director, the access
 * log with the grants), each tab's read logged; and the form assessing one
 * life domain's needs. The forms of the tabs (referents, a review, a grant)
 * post to their own routes and come back here with their errors. */
#include "person_pages.h"

#include <stdlib.h>
#include <string.h>

static const char *const tab_codes[] = {"identity", "needs", "plan", "reviews", "access", NULL};

static const char *tab_msgid(const char *code)
{
    if (str_eq(code, "identity")) return N_("Identity");
    if (str_eq(code, "needs")) return N_("Needs");
    if (str_eq(code, "plan")) return N_("Plan");
    if (str_eq(code, "reviews")) return N_("Reviews");
    return N_("Access");
}

static json_t *tabs_model(req_t *r, const person_t *p, const char *tab, bool director)
{
    json_t *tabs = json_array();
    for (size_t i = 0; tab_codes[i]; i++) {
        if (str_eq(tab_codes[i], "access") && !director)
            continue;
        json_array_append_new(tabs, json_pack("{s:s, s:s, s:s, s:b}", "code", tab_codes[i], "label",
                                              T(r, tab_msgid(tab_codes[i])), "href",
                                              arena_printf(r->arena, "/persons/%lld?tab=%s",
                                                           (long long)p->id, tab_codes[i]),
                                              "current", str_eq(tab, tab_codes[i])));
    }
    return tabs;
}

/* A text of the file: shown as written, or null when empty. */
static json_t *text_or_null(const char *s)
{
    return str_empty(s) ? json_null() : json_string(s);
}

/* --- identity ------------------------------------------------------------------- */

static json_t *identity_model(req_t *r, const person_t *p, bool can_write)
{
    json_t *m = json_object();
    const char *today = pers_today(r->arena);
    int age = pers_age(p->birth_date, today);
    json_object_set_new(m, "first_name", text_or_null(p->first_name));
    json_object_set_new(m, "last_name", text_or_null(p->last_name));
    json_object_set_new(m, "first_name_ar", text_or_null(p->first_name_ar));
    json_object_set_new(m, "last_name_ar", text_or_null(p->last_name_ar));
    json_object_set_new(m, "has_latin", json_boolean(!str_empty(p->first_name) || !str_empty(p->last_name)));
    json_object_set_new(m, "has_arabic", json_boolean(!str_empty(p->first_name_ar) || !str_empty(p->last_name_ar)));
    json_object_set_new(m, "birth_text", json_string(pp_day(r, p->birth_date)));
    json_object_set_new(m, "has_age", json_boolean(age >= 0));
    json_object_set_new(m, "age", json_integer(age < 0 ? 0 : age));
    json_object_set_new(m, "sex_label", json_str_or_null(pp_code_label(r, "sex", p->sex)));
    json_object_set_new(m, "place", json_string(nodes_label(r->db, r->arena, r->lang, p->node_id)));
    json_object_set_new(m, "admission_text", json_string(pp_day(r, p->admission_date)));
    json_object_set_new(m, "origin_label", json_str_or_null(pp_code_label(r, "origin", p->origin)));
    json_object_set_new(m, "origin_ref", text_or_null(p->origin_ref));
    json_object_set_new(m, "legal_label", json_str_or_null(pp_code_label(r, "legal", p->legal_status)));
    json_object_set_new(m, "disability", json_boolean(p->disability));
    json_object_set_new(m, "disability_kind", text_or_null(p->disability_kind));
    json_object_set_new(m, "left", json_boolean(!str_empty(p->exit_date)));
    json_object_set_new(m, "exit_text", json_string(pp_day(r, p->exit_date)));
    json_object_set_new(m, "exit_label", json_str_or_null(pp_code_label(r, "exit", p->exit_destination)));
    json_object_set_new(m, "health_notes", text_or_null(p->health_notes));
    json_object_set_new(m, "family_notes", text_or_null(p->family_notes));
    json_object_set_new(m, "judicial_notes", text_or_null(p->judicial_notes));
    json_object_set_new(m, "sealed_error", json_boolean(!p->unsealed));
    json_t *full = pers_json(r, p);
    json_t *refs = json_object_get(full, "referents");
    json_t *sibs = json_object_get(full, "siblings");
    json_t *referents = json_is_array(refs) ? json_deep_copy(refs) : json_array();
    json_t *siblings = json_is_array(sibs) ? json_deep_copy(sibs) : json_array();
    json_decref(full);
    size_t i;
    json_t *o;
    json_array_foreach(siblings, i, o)
        json_object_set_new(o, "href", json_string(arena_printf(
                                           r->arena, "/persons/%lld",
                                           (long long)json_integer_value(json_object_get(o, "id")))));
    json_object_set_new(m, "has_referents", json_boolean(json_array_size(referents) > 0));
    json_object_set_new(m, "has_siblings", json_boolean(json_array_size(siblings) > 0));
    /* the referents' form: the establishment's staff, the chosen ones checked */
    json_t *choices = can_write ? pers_referent_choices(r, p) : json_array();
    bool posted = r->http->form && req_form(r, "_csrf") && strstr(r->path, "/referents");
    json_array_foreach(choices, i, o) {
        json_int_t id = json_integer_value(json_object_get(o, "id"));
        bool checked = false;
        if (posted) {
            for (http_kv_t *kv = r->http->form; kv; kv = kv->next) {
                int64_t v = 0;
                if (strcmp(kv->key, "referents") == 0 && str_to_i64(kv->val, &v) && v == id)
                    checked = true;
            }
        } else {
            size_t j;
            json_t *ref;
            json_array_foreach(referents, j, ref)
                checked |= json_integer_value(json_object_get(ref, "id")) == id;
        }
        json_object_set_new(o, "checked", json_boolean(checked));
    }
    json_object_set_new(m, "referents", referents);
    json_object_set_new(m, "siblings", siblings);
    json_object_set_new(m, "has_choices", json_boolean(json_array_size(choices) > 0));
    json_object_set_new(m, "referent_choices", choices);
    return m;
}

/* --- needs ------------------------------------------------------------------------ */

static json_t *level_bar(int level)
{
    json_t *bar = json_array();
    for (int i = 1; i <= 4; i++)
        json_array_append_new(bar, json_pack("{s:b}", "on", i <= level));
    return bar;
}

static const char *domain_label(pers_domain_t *d, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(d[i].code, code))
            return d[i].label;
    return code;
}

static json_t *need_item(req_t *r, const person_t *p, const pers_need_t *nd, const char *label,
                         bool can_write)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(nd->domain));
    json_object_set_new(o, "label", json_string(label));
    json_object_set_new(o, "level", json_integer(nd->level));
    json_object_set_new(o, "assessed", json_boolean(nd->level > 0));
    json_object_set_new(o, "level_label", json_string(T(r, pp_level_msgid(nd->level))));
    json_object_set_new(o, "bar", level_bar(nd->level));
    json_object_set_new(o, "assessed_text", json_string(pp_day(r, nd->assessed_on)));
    json_object_set_new(o, "situation", text_or_null(nd->situation));
    json_object_set_new(o, "strengths", text_or_null(nd->strengths));
    json_object_set_new(o, "needs", text_or_null(nd->needs));
    json_object_set_new(o, "own_words", text_or_null(nd->own_words));
    json_object_set_new(o, "edit_href", can_write ? json_string(arena_printf(r->arena, "/persons/%lld/needs/%s",
                                                                             (long long)p->id, nd->domain))
                                                  : json_null());
    return o;
}

static json_t *needs_model(req_t *r, const person_t *p, bool can_write)
{
    size_t n = 0, nd = 0;
    pers_need_t *needs = pers_needs(r, p->id, &n);
    pers_domain_t *domains = pers_domains(r->db, r->arena, r->lang, true, &nd);
    json_t *items = json_array();
    int assessed = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(items, need_item(r, p, &needs[i], domain_label(domains, nd, needs[i].domain),
                                               can_write));
        assessed += needs[i].level > 0;
    }
    return json_pack("{s:o, s:i, s:i}", "items", items, "assessed", assessed, "count", (int)n);
}

/* --- plan and reviews ---------------------------------------------------------------- */

static json_t *versions_model(req_t *r, const person_t *p, int64_t current_id)
{
    size_t n = 0;
    pers_plan_t *plans = pers_plans(r->db, r->arena, p->id, &n);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s, s:b}", "version",
                                             (json_int_t)plans[i].version, "status_label",
                                             pp_code_label(r, "plan", pers_status_code(plans[i].status)),
                                             "href",
                                             arena_printf(r->arena, "/persons/%lld/plans/%lld",
                                                          (long long)p->id, (long long)plans[i].id),
                                             "agreed_text",
                                             plans[i].status == PERS_AGREED ? "" : pp_day(r, plans[i].agreed_on),
                                             "current", plans[i].id == current_id));
    return out;
}

static json_t *reviews_model(req_t *r, const pers_plan_t *pl)
{
    json_t *out = json_array();
    if (!pl)
        return out;
    size_t n = 0;
    pers_review_t *rv = pers_reviews(r->db, r->arena, pl->id, &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:o, s:s, s:s}", "reviewed_text",
                                             pp_day(r, rv[i].reviewed_on), "changes",
                                             text_or_null(rv[i].changes), "next_text",
                                             pp_day(r, rv[i].next_review), "by",
                                             pp_user_name(r, rv[i].by)));
    return out;
}

/* --- access ---------------------------------------------------------------------- */

static json_t *access_model(req_t *r, const person_t *p)
{
    json_t *m = json_object();
    /* the access log, newest first; the same reader reading the same part
     * within the same minute is one line with a count */
    json_t *all_reads = pers_reads(r, p->id, 100);
    json_t *reads = json_array();
    size_t i;
    json_t *o;
    json_t *last = NULL;
    json_array_foreach(all_reads, i, o) {
        json_t *at = json_object_get(o, "at");
        char when[64] = "";
        if (json_is_integer(at))
            format_local_datetime(json_integer_value(at), when, sizeof when);
        else if (json_is_string(at))
            snprintf(when, sizeof when, "%s", json_string_value(at));
        if (last && str_eq(json_string_value(json_object_get(last, "when")), when) &&
            json_integer_value(json_object_get(last, "user_id")) == json_integer_value(json_object_get(o, "user_id")) &&
            str_eq(json_string_value(json_object_get(last, "what")), json_string_value(json_object_get(o, "what")))) {
            json_object_set_new(last, "times", json_integer(json_integer_value(json_object_get(last, "times")) + 1));
            json_object_set_new(last, "repeated", json_true());
            continue;
        }
        if (json_array_size(reads) >= 40)
            break;
        json_object_set_new(o, "when", json_string(when));
        json_object_set_new(o, "times", json_integer(1));
        json_object_set_new(o, "repeated", json_false());
        if (!json_object_get(o, "what_label"))
            json_object_set_new(o, "what_label", json_string(json_string_value(json_object_get(o, "what"))));
        json_array_append(reads, o);
        last = o;
    }
    json_decref(all_reads);
    json_object_set_new(m, "has_reads", json_boolean(json_array_size(reads) > 0));
    json_object_set_new(m, "reads", reads);
    json_t *grants = pers_grants(r, p->id);
    json_array_foreach(grants, i, o) {
        json_object_set_new(o, "until_text", json_string(pp_day(r, json_string_value(json_object_get(o, "until")))));
        json_object_set_new(o, "revoke_href",
                            json_string(arena_printf(r->arena, "/persons/%lld/grants/%lld/revoke", (long long)p->id,
                                                     (long long)json_integer_value(json_object_get(o, "id")))));
        static const char *const opt[] = {"reason", "granted_by_name", "user_name"};
        for (size_t k = 0; k < ARRAY_LEN(opt); k++)
            if (!json_object_get(o, opt[k]))
                json_object_set_new(o, opt[k], json_null());
        if (!json_object_get(o, "live"))
            json_object_set_new(o, "live", json_true());
    }
    json_object_set_new(m, "has_grants", json_boolean(json_array_size(grants) > 0));
    json_object_set_new(m, "grants", grants);
    /* who may be given access: the establishment's accounts but the reader */
    json_t *all = pers_referent_choices(r, p);
    json_t *choices = json_array();
    const char *chosen = req_form(r, "user_id");
    json_array_foreach(all, i, o) {
        json_int_t id = json_integer_value(json_object_get(o, "id"));
        if (id == r->user->id)
            continue;
        json_object_set_new(o, "selected", json_boolean(chosen && id == strtoll(chosen, NULL, 10)));
        json_array_append(choices, o);
    }
    json_decref(all);
    json_object_set_new(m, "user_choices", choices);
    json_object_set_new(m, "export_json", json_string(arena_printf(r->arena, "/persons/%lld/export.json", (long long)p->id)));
    json_object_set_new(m, "export_pdf", json_string(arena_printf(r->arena, "/persons/%lld/export.pdf?lang=%s",
                                                                  (long long)p->id, r->lang)));
    return m;
}

/* --- the page -------------------------------------------------------------------- */

void pp_show(req_t *r, const person_t *p, const char *tab, int status, json_t *errors)
{
    bool director = pers_is_director(r, p->path);
    if (!str_in(tab_codes, tab))
        tab = "identity";
    if (str_eq(tab, "access") && !director) {
        json_decref(errors);
        app_fail(r, RES_FORBIDDEN, N_("Only the director of the establishment sees who read a file."), NULL);
        return;
    }
    bool can_write = pp_can_write(r, p);
    pers_log_read(r, p->id, tab);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(pers_display_name(r->arena, p, r->lang)));
    json_object_set_new(m, "crumbs", pp_crumbs(r, NULL));
    json_object_set_new(m, "person", pp_head(r, p));
    json_object_set_new(m, "tabs", tabs_model(r, p, tab, director));
    json_object_set_new(m, "tab_label", json_string(T(r, tab_msgid(tab))));
    json_object_set_new(m, "can_write", json_boolean(can_write));
    json_object_set_new(m, "is_director", json_boolean(director));
    json_object_set_new(m, "href", json_string(pp_href(r, p)));
    for (size_t i = 0; tab_codes[i]; i++)
        json_object_set_new(m, arena_printf(r->arena, "tab_%s", tab_codes[i]),
                            json_boolean(str_eq(tab, tab_codes[i])));
    pers_plan_t *current = pers_current_plan(r->db, r->arena, p->id);
    json_object_set_new(m, "identity", str_eq(tab, "identity") ? identity_model(r, p, can_write) : json_null());
    json_object_set_new(m, "needs", str_eq(tab, "needs") ? needs_model(r, p, can_write) : json_null());
    json_object_set_new(m, "plan", current && (str_eq(tab, "plan") || str_eq(tab, "reviews"))
                                       ? pp_plan_model(r, p, current)
                                       : json_null());
    json_object_set_new(m, "has_plan", json_boolean(current != NULL));
    json_object_set_new(m, "versions", str_eq(tab, "plan") ? versions_model(r, p, current ? current->id : 0)
                                                           : json_array());
    json_object_set_new(m, "plans_href", json_string(arena_printf(r->arena, "/persons/%lld/plans", (long long)p->id)));
    bool reviewable = current && (current->status == PERS_AGREED || current->status == PERS_IN_REVIEW);
    json_t *reviews = str_eq(tab, "reviews") ? reviews_model(r, current) : json_array();
    json_object_set_new(m, "has_reviews", json_boolean(json_array_size(reviews) > 0));
    json_object_set_new(m, "reviews", reviews);
    json_object_set_new(m, "can_review", json_boolean(can_write && reviewable));
    json_object_set_new(m, "review_action",
                        current ? json_string(arena_printf(r->arena, "/persons/%lld/plans/%lld/reviews",
                                                           (long long)p->id, (long long)current->id))
                                : json_null());
    json_object_set_new(m, "access", str_eq(tab, "access") ? access_model(r, p) : json_null());
    json_object_set_new(m, "today", json_string(pers_today(r->arena)));
    model_form_errors_take(r, m, errors);
    json_t *values = json_object_get(m, "values");
    if (json_is_object(values) && !r->http->form) {
        json_object_set_new(values, "reviewed_on", json_string(pers_today(r->arena)));
    }
    page_render(r, status, "person/show", m);
}

void pers_page_show(req_t *r)
{
    person_t *p = pp_person(r);
    if (!p)
        return;
    const char *tab = req_query(r, "tab");
    pp_show(r, p, tab ? tab : "identity", 200, NULL);
}

/* --- one domain's needs ----------------------------------------------------------- */

static pers_need_t *route_need(req_t *r, const person_t *p, const char **label)
{
    const char *code = strrchr(r->path, '/') + 1;
    size_t n = 0, nd = 0;
    pers_need_t *needs = pers_needs(r, p->id, &n);
    for (size_t i = 0; i < n; i++)
        if (str_eq(needs[i].domain, code)) {
            pers_domain_t *domains = pers_domains(r->db, r->arena, r->lang, true, &nd);
            *label = domain_label(domains, nd, code);
            return &needs[i];
        }
    app_fail(r, RES_NOT_FOUND, N_("There is no such life domain."), NULL);
    return NULL;
}

static void need_form(req_t *r, const person_t *p, const pers_need_t *nd, const char *label,
                      int status, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(label));
    json_t *crumbs = pp_crumbs(r, p);
    json_array_append_new(crumbs, json_pack("{s:s, s:s}", "label", T(r, N_("Needs")), "href",
                                            arena_printf(r->arena, "/persons/%lld?tab=needs", (long long)p->id)));
    json_object_set_new(m, "crumbs", crumbs);
    json_object_set_new(m, "person", pp_head(r, p));
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/persons/%lld/needs/%s",
                                                              (long long)p->id, nd->domain)));
    json_object_set_new(m, "cancel", json_string(arena_printf(r->arena, "/persons/%lld?tab=needs#need-%s",
                                                              (long long)p->id, nd->domain)));
    static const char *const order[] = {"level", "assessed_on", "situation", "strengths",
                                        "needs", "own_words", NULL};
    if (errors)
        v_errors_order(errors, order);
    model_form_errors_take(r, m, errors);
    json_t *values = json_object_get(m, "values");
    if (!r->http->form && json_is_object(values)) {
        json_object_set_new(values, "situation", json_string(nd->situation ? nd->situation : ""));
        json_object_set_new(values, "strengths", json_string(nd->strengths ? nd->strengths : ""));
        json_object_set_new(values, "needs", json_string(nd->needs ? nd->needs : ""));
        json_object_set_new(values, "own_words", json_string(nd->own_words ? nd->own_words : ""));
        json_object_set_new(values, "assessed_on",
                            json_string(nd->level > 0 && nd->assessed_on ? nd->assessed_on : pers_today(r->arena)));
        json_object_set_new(values, "rev", json_integer(nd->rev));
    }
    const char *lv = r->http->form ? req_form(r, "level") : NULL;
    int64_t level = nd->level;
    if (r->http->form && !(lv && str_to_i64(lv, &level)))
        level = 0;
    json_t *levels = json_array();
    static const char *const hints[] = {
        N_("Doing well; keep an eye on it."),
        N_("Some support is needed."),
        N_("Regular support is needed."),
        N_("Intensive or urgent support is needed."),
    };
    for (int i = 1; i <= 4; i++)
        json_array_append_new(levels, json_pack("{s:i, s:s, s:s, s:b, s:o}", "value", i, "label",
                                                T(r, pp_level_msgid(i)), "hint", T(r, hints[i - 1]),
                                                "checked", level == i, "bar", level_bar(i)));
    json_object_set_new(m, "levels", levels);
    json_object_set_new(m, "today", json_string(pers_today(r->arena)));
    page_render(r, status, "person/need", m);
}

void pers_page_need(req_t *r)
{
    person_t *p = pp_person_writable(r);
    if (!p)
        return;
    const char *label = NULL;
    pers_need_t *nd = route_need(r, p, &label);
    if (!nd)
        return;
    pers_log_read(r, p->id, "needs");
    need_form(r, p, nd, label, 200, NULL);
}

/* "31/12/2026" or "2026-12-31" -> "2026-12-31"; NULL when empty; the text
 * as typed when neither (the model refuses it). */
static const char *iso_of(req_t *r, const char *v)
{
    if (str_empty(v))
        return NULL;
    if (strlen(v) == 10 && v[2] == '/' && v[5] == '/')
        return arena_printf(r->arena, "%.4s-%.2s-%.2s", v + 6, v + 3, v);
    return v;
}

void pers_page_need_save(req_t *r)
{
    person_t *p = pp_person_writable(r);
    if (!p)
        return;
    const char *label = NULL;
    pers_need_t *cur = route_need(r, p, &label);
    if (!cur)
        return;
    json_t *errors = json_object();
    pers_need_t in = {0};
    in.domain = cur->domain;
    in.level = (int)v_int(r, errors, "level", true, 1, 4, 0);
    v_required_message(errors, "level", N_("Choose a level of need."));
    in.situation = v_long_text(r, errors, "situation", false, PERS_NOTE_MAX);
    in.strengths = v_long_text(r, errors, "strengths", false, PERS_NOTE_MAX);
    in.needs = v_long_text(r, errors, "needs", false, PERS_NOTE_MAX);
    in.own_words = v_long_text(r, errors, "own_words", false, PERS_NOTE_MAX);
    const char *day = iso_of(r, v_text(r, errors, "assessed_on", false, 10));
    if (day && (!iso_day_valid(day) || strcmp(day, pers_today(r->arena)) > 0 || strcmp(day, "1900-01-01") < 0))
        v_error(errors, "assessed_on", N_("Enter a day that has passed, as 31/12/2026."));
    in.assessed_on = day ? day : pers_today(r->arena);
    int64_t rev = v_int(r, errors, "rev", false, 0, INT64_MAX, 0);
    res_t rc = json_object_size(errors) ? RES_INVALID : pers_need_save(r, p, &in, rev, errors);
    if (rc == RES_INVALID) {
        need_form(r, p, cur, label, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("The assessment changed meanwhile: reload it and try again.") : NULL,
                 NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/persons/%lld?tab=needs#need-%s", (long long)p->id, cur->domain),
                        N_("The assessment is saved."));
}
