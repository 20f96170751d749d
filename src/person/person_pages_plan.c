/* person_pages_plan.c - a person's plan: its description for the file's
 * tabs, a new version, one version's page (read-only once agreed or
 * closed; in draft and in review a form of goals as repeated fieldsets,
 * each with a domain, a text and a few action rows - without JavaScript
 * the form offers some empty ones and saving gives more), the status
 * changes the plan allows, the co-signatures, recording a review, and the
 * director's grants of access. */
#include "person_pages.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY_ACTIONS 1 /* empty action rows offered under each goal (saving gives more) */

static const char *plan_tone(const pers_plan_t *pl, bool late)
{
    if (late)
        return "late";
    switch (pl->status) {
    case PERS_AGREED: return "ok";
    case PERS_IN_REVIEW: return "warn";
    case PERS_CLOSED: return "off";
    default: return "neutral";
    }
}

static const char *plan_href(req_t *r, const person_t *p, int64_t plan_id)
{
    return arena_printf(r->arena, "/persons/%lld/plans/%lld", (long long)p->id, (long long)plan_id);
}

/* The button of a status change. */
static const char *move_msgid(const char *to, pers_status_t from)
{
    if (str_eq(to, "agreed"))
        return from == PERS_IN_REVIEW ? N_("End the review: the plan stays agreed") : N_("Record that the plan is agreed");
    if (str_eq(to, "in_review"))
        return N_("Open a review of the plan");
    if (str_eq(to, "closed"))
        return N_("Close this plan");
    return N_("Back to draft");
}

static json_t *moves_model(req_t *r, const pers_plan_t *pl)
{
    json_t *allowed = pers_plan_allowed(pl);
    json_t *out = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(allowed, i, o) {
        const char *code = json_is_string(o) ? json_string_value(o) : json_string_value(json_object_get(o, "code"));
        if (!code)
            continue;
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", code, "label",
                                             T(r, move_msgid(code, pl->status)), "danger",
                                             str_eq(code, "closed")));
    }
    json_decref(allowed);
    return out;
}

json_t *pp_plan_model(req_t *r, const person_t *p, const pers_plan_t *pl)
{
    const char *today = pers_today(r->arena);
    bool late = pers_plan_late(pl, today);
    json_t *m = json_object();
    json_object_set_new(m, "id", json_integer(pl->id));
    json_object_set_new(m, "version", json_integer(pl->version));
    json_object_set_new(m, "rev", json_integer(pl->rev));
    json_object_set_new(m, "href", json_string(plan_href(r, p, pl->id)));
    json_object_set_new(m, "status", json_string(pers_status_code(pl->status)));
    json_object_set_new(m, "status_label", json_string(pp_code_label(r, "plan", pers_status_code(pl->status))));
    json_object_set_new(m, "tone", json_string(plan_tone(pl, false)));
    json_object_set_new(m, "editable", json_boolean(pl->status == PERS_DRAFT || pl->status == PERS_IN_REVIEW));
    json_object_set_new(m, "is_open", json_boolean(pl->status != PERS_CLOSED));
    json_object_set_new(m, "is_draft", json_boolean(pl->status == PERS_DRAFT));
    json_object_set_new(m, "participation", str_empty(pl->participation) ? json_null() : json_string(pl->participation));
    json_object_set_new(m, "agreement_label", json_str_or_null(pp_code_label(r, "agreement", pl->agreement)));
    json_object_set_new(m, "agreed_text", json_string(pp_day(r, pl->agreed_on)));
    json_object_set_new(m, "closed_text", json_string(pp_day(r, pl->closed_on)));
    json_object_set_new(m, "review_months", json_integer(pl->review_months));
    json_object_set_new(m, "has_next", json_boolean(!str_empty(pl->next_review) && pl->status != PERS_CLOSED));
    json_object_set_new(m, "next_text", json_string(pp_day(r, pl->next_review)));
    json_object_set_new(m, "late", json_boolean(late));
    const char *due = pp_day(r, pl->next_review);
    json_object_set_new(m, "late_text", json_string(text_fill_strings(
                                            r->arena, T(r, N_("Late: the review was due on %s.")), &due, 1)));
    bool child = !str_empty(pl->child_signed_name) || !str_empty(pl->child_signed_on);
    bool guardian = !str_empty(pl->guardian_name) || !str_empty(pl->guardian_signed_on);
    json_object_set_new(m, "child_signed", json_boolean(child));
    json_object_set_new(m, "child_name", json_string(pl->child_signed_name ? pl->child_signed_name : ""));
    json_object_set_new(m, "child_on", json_string(pp_day(r, pl->child_signed_on)));
    json_object_set_new(m, "child_how", json_str_or_null(pp_code_label(r, "sign", pl->child_signed_how)));
    json_object_set_new(m, "guardian_signed", json_boolean(guardian));
    json_object_set_new(m, "guardian_name", json_string(pl->guardian_name ? pl->guardian_name : ""));
    json_object_set_new(m, "guardian_on", json_string(pp_day(r, pl->guardian_signed_on)));
    json_object_set_new(m, "guardian_how", json_str_or_null(pp_code_label(r, "sign", pl->guardian_signed_how)));
    /* goals grouped by domain, in the domains' order */
    size_t ng = 0, nd = 0;
    pers_goal_t *goals = pers_goals(r->db, r->arena, pl->id, &ng);
    pers_domain_t *domains = pers_domains(r->db, r->arena, r->lang, true, &nd);
    json_t *groups = json_array();
    int actions = 0, done = 0;
    for (size_t d = 0; d <= nd; d++) {
        json_t *items = json_array();
        for (size_t g = 0; g < ng; g++) {
            bool known = false;
            for (size_t k = 0; k < nd; k++)
                known |= str_eq(domains[k].code, goals[g].domain);
            if (d < nd ? !str_eq(goals[g].domain, domains[d].code) : known)
                continue;
            json_t *acts = json_array();
            for (size_t a = 0; a < goals[g].n_actions; a++) {
                const pers_action_t *ac = &goals[g].actions[a];
                bool overdue = !ac->done && !str_empty(ac->due) && strcmp(ac->due, today) < 0 &&
                               pl->status != PERS_CLOSED;
                json_array_append_new(acts, json_pack("{s:s, s:s, s:s, s:b, s:b}", "text",
                                                      ac->text ? ac->text : "", "who", ac->who ? ac->who : "",
                                                      "due_text", pp_day(r, ac->due), "done", ac->done,
                                                      "overdue", overdue));
                actions++;
                done += ac->done;
            }
            json_array_append_new(items, json_pack("{s:s, s:o, s:b}", "text", goals[g].text ? goals[g].text : "",
                                                   "actions", acts, "has_actions", goals[g].n_actions > 0));
        }
        if (json_array_size(items) == 0) {
            json_decref(items);
            continue;
        }
        json_array_append_new(groups, json_pack("{s:s, s:o}", "label",
                                                d < nd ? domains[d].label : T(r, N_("Other domain")),
                                                "goals", items));
    }
    json_object_set_new(m, "domains", groups);
    json_object_set_new(m, "n_goals", json_integer((json_int_t)ng));
    json_object_set_new(m, "has_goals", json_boolean(ng > 0));
    json_object_set_new(m, "n_actions", json_integer(actions));
    json_object_set_new(m, "n_done", json_integer(done));
    json_object_set_new(m, "moves", pp_can_write(r, p) ? moves_model(r, pl) : json_array());
    return m;
}

/* --- the goals form ---------------------------------------------------------------- */

static json_t *domain_options(pers_domain_t *d, size_t n, const char *selected, req_t *r)
{
    json_t *out = json_array();
    json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", "", "label",
                                         T(r, N_("Choose a life domain")), "selected", str_empty(selected)));
    for (size_t i = 0; i < n; i++)
        if (d[i].active || str_eq(d[i].code, selected))
            json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", d[i].code, "label", d[i].label,
                                                 "selected", str_eq(d[i].code, selected)));
    return out;
}

static const char *fkey(req_t *r, int g, int a, const char *what)
{
    return a < 0 ? arena_printf(r->arena, "g%d_%s", g, what)
                 : arena_printf(r->arena, "g%d_a%d_%s", g, a, what);
}

static json_t *err_of(json_t *errors, const char *key)
{
    json_t *e = json_object_get(errors, key);
    return e ? json_incref(e) : json_null();
}

static json_t *action_row(req_t *r, int g, int a, const char *text, const char *who, const char *due,
                          bool done, json_t *errs)
{
    json_t *o = json_pack("{s:i, s:i, s:s, s:s, s:s, s:b}", "g", g, "a", a, "text", text ? text : "", "who",
                          who ? who : "", "due", due ? due : "", "done", done);
    json_object_set_new(o, "number", json_integer(a + 1));
    json_object_set_new(o, "text_error", err_of(errs, fkey(r, g, a, "text")));
    json_object_set_new(o, "who_error", err_of(errs, fkey(r, g, a, "who")));
    json_object_set_new(o, "due_error", err_of(errs, fkey(r, g, a, "due")));
    return o;
}

static json_t *goal_row(req_t *r, int g, const char *domain, const char *text, json_t *actions,
                        pers_domain_t *d, size_t nd, json_t *errs)
{
    json_t *o = json_pack("{s:i, s:i, s:s, s:o}", "g", g, "number", g + 1, "text", text ? text : "", "actions",
                          actions);
    json_object_set_new(o, "domain_options", domain_options(d, nd, domain, r));
    json_object_set_new(o, "n_actions", json_integer((json_int_t)json_array_size(actions)));
    json_object_set_new(o, "domain_error", err_of(errs, fkey(r, g, -1, "domain")));
    json_object_set_new(o, "text_error", err_of(errs, fkey(r, g, -1, "text")));
    return o;
}

/* The goals' fieldsets: from what was posted (an error), or the plan's with
 * a few empty rows. errs: the translated errors of the page. */
static json_t *goals_rows(req_t *r, const pers_plan_t *pl, json_t *errs)
{
    size_t nd = 0;
    pers_domain_t *d = pers_domains(r->db, r->arena, r->lang, true, &nd);
    json_t *rows = json_array();
    const char *gn = req_form(r, "goals_n");
    int64_t posted = -1;
    if (gn && str_to_i64(gn, &posted) && posted >= 0 && posted <= PERS_GOALS_MAX + 2) {
        for (int g = 0; g < posted; g++) {
            int64_t na = 0;
            const char *an = req_form(r, fkey(r, g, -1, "n"));
            if (!an || !str_to_i64(an, &na) || na < 0 || na > PERS_ACTIONS_MAX + 2)
                na = 0;
            json_t *acts = json_array();
            for (int a = 0; a < na; a++)
                json_array_append_new(acts, action_row(r, g, a, pp_form(r, fkey(r, g, a, "text")),
                                                       pp_form(r, fkey(r, g, a, "who")),
                                                       pp_form(r, fkey(r, g, a, "due")),
                                                       req_form(r, fkey(r, g, a, "done")) != NULL, errs));
            json_array_append_new(rows, goal_row(r, g, pp_form(r, fkey(r, g, -1, "domain")),
                                                 pp_form(r, fkey(r, g, -1, "text")), acts, d, nd, errs));
        }
        return rows;
    }
    size_t ng = 0;
    pers_goal_t *goals = pers_goals(r->db, r->arena, pl->id, &ng);
    int g = 0;
    for (size_t i = 0; i < ng && g < PERS_GOALS_MAX; i++, g++) {
        json_t *acts = json_array();
        int a = 0;
        for (size_t k = 0; k < goals[i].n_actions && a < PERS_ACTIONS_MAX; k++, a++)
            json_array_append_new(acts, action_row(r, g, a, goals[i].actions[k].text, goals[i].actions[k].who,
                                                   goals[i].actions[k].due, goals[i].actions[k].done, NULL));
        int empty = EMPTY_ACTIONS;
        for (int k = 0; k < empty && a < PERS_ACTIONS_MAX; k++, a++)
            json_array_append_new(acts, action_row(r, g, a, "", "", "", false, NULL));
        json_array_append_new(rows, goal_row(r, g, goals[i].domain, goals[i].text, acts, d, nd, NULL));
    }
    int empty_goals = ng ? 1 : 2;
    for (int k = 0; k < empty_goals && g < PERS_GOALS_MAX; k++, g++) {
        json_t *acts = json_array();
        for (int a = 0; a < EMPTY_ACTIONS; a++)
            json_array_append_new(acts, action_row(r, g, a, "", "", "", false, NULL));
        json_array_append_new(rows, goal_row(r, g, "", "", acts, d, nd, NULL));
    }
    return rows;
}

/* "31/12/2026" or "2026-12-31" -> ISO; NULL when empty; else as typed. */
static const char *iso_of(req_t *r, const char *v)
{
    if (str_empty(v))
        return NULL;
    if (strlen(v) == 10 && v[2] == '/' && v[5] == '/')
        return arena_printf(r->arena, "%.4s-%.2s-%.2s", v + 6, v + 3, v);
    return v;
}

/* The goals posted as the JSON array pers_plan_input_t takes; errors under
 * the form's field names. */
static json_t *goals_posted(req_t *r, json_t *errors)
{
    json_t *out = json_array();
    int64_t gn = v_int(r, errors, "goals_n", false, 0, PERS_GOALS_MAX + 2, 0);
    for (int g = 0; g < gn; g++) {
        const char *domain = v_text(r, errors, fkey(r, g, -1, "domain"), false, 64);
        const char *text = v_long_text(r, errors, fkey(r, g, -1, "text"), false, PERS_NOTE_MAX);
        int64_t na = v_int(r, errors, fkey(r, g, -1, "n"), false, 0, PERS_ACTIONS_MAX + 2, 0);
        json_t *acts = json_array();
        for (int a = 0; a < na; a++) {
            const char *at = v_text(r, errors, fkey(r, g, a, "text"), false, PERS_NOTE_MAX);
            const char *who = v_text(r, errors, fkey(r, g, a, "who"), false, PERS_TEXT_MAX);
            const char *due = iso_of(r, v_text(r, errors, fkey(r, g, a, "due"), false, 10));
            bool done = req_form(r, fkey(r, g, a, "done")) != NULL;
            if (!at && !who && !due)
                continue;
            if (!at)
                v_error(errors, fkey(r, g, a, "text"), N_("Say what will be done."));
            if (due && !iso_day_valid(due))
                v_error(errors, fkey(r, g, a, "due"), N_("Enter a day as 31/12/2026."));
            json_t *o = json_pack("{s:s, s:s, s:b}", "text", at ? at : "", "who", who ? who : "", "done", done);
            json_object_set_new(o, "due", json_str_or_null(due));
            json_array_append_new(acts, o);
        }
        if (!text && json_array_size(acts) == 0) {
            json_decref(acts);
            continue;
        }
        if (!text)
            v_error(errors, fkey(r, g, -1, "text"), N_("Write the goal."));
        if (!domain)
            v_error(errors, fkey(r, g, -1, "domain"), N_("Choose the life domain of the goal."));
        else if (!pers_domain_known(r->db, domain))
            v_error(errors, fkey(r, g, -1, "domain"), N_("Choose a life domain from the list."));
        if (json_array_size(out) >= PERS_GOALS_MAX) {
            v_error(errors, "goals", N_("A plan has at most 40 goals."));
            json_decref(acts);
            break;
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "domain", domain ? domain : "", "text",
                                             text ? text : "", "actions", acts));
    }
    return out;
}

/* --- the plan's page ------------------------------------------------------------------ */

static const pers_plan_t *route_plan(req_t *r, const person_t *p)
{
    pers_plan_t *pl = arena_alloc(r->arena, sizeof *pl);
    if (pers_plan_load(r->db, r->arena, r->ids[1], pl) != 0 || pl->person_id != p->id) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    return pl;
}

static void plan_page(req_t *r, const person_t *p, const pers_plan_t *pl, int status, json_t *errors)
{
    bool can_write = pp_can_write(r, p);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(TF(r, N_("Plan, version %d"), pl->version, 0)));
    json_t *crumbs = pp_crumbs(r, p);
    json_array_append_new(crumbs, json_pack("{s:s, s:s}", "label", T(r, N_("Plan")), "href",
                                            arena_printf(r->arena, "/persons/%lld?tab=plan", (long long)p->id)));
    json_object_set_new(m, "crumbs", crumbs);
    json_object_set_new(m, "person", pp_head(r, p));
    json_object_set_new(m, "plan", pp_plan_model(r, p, pl));
    bool editable = can_write && (pl->status == PERS_DRAFT || pl->status == PERS_IN_REVIEW);
    bool signable = can_write && pl->status != PERS_CLOSED;
    json_object_set_new(m, "can_edit", json_boolean(editable));
    json_object_set_new(m, "can_sign", json_boolean(signable && !editable));
    json_object_set_new(m, "read_only", json_boolean(!editable));
    json_object_set_new(m, "action", json_string(plan_href(r, p, pl->id)));
    json_object_set_new(m, "tab_href", json_string(arena_printf(r->arena, "/persons/%lld?tab=plan", (long long)p->id)));
    model_form_errors_take(r, m, errors);
    json_t *values = json_object_get(m, "values");
    if (!r->http->form && json_is_object(values)) {
        const struct {
            const char *k, *v;
        } f[] = {
            {"participation", pl->participation},           {"agreement", pl->agreement},
            {"child_signed_name", pl->child_signed_name},   {"child_signed_on", pl->child_signed_on},
            {"child_signed_how", pl->child_signed_how},     {"guardian_name", pl->guardian_name},
            {"guardian_signed_on", pl->guardian_signed_on}, {"guardian_signed_how", pl->guardian_signed_how},
        };
        for (size_t i = 0; i < ARRAY_LEN(f); i++)
            json_object_set_new(values, f[i].k, json_string(f[i].v ? f[i].v : ""));
    }
    if (json_is_object(values))
        json_object_set_new(values, "rev", json_integer(pl->rev));
    const char *agreement = json_string_value(json_object_get(values, "agreement"));
    json_object_set_new(m, "agreement_options",
                        pp_code_options(r, "agreement", pers_agreement_codes, agreement, N_("Not recorded yet")));
    json_object_set_new(m, "child_how_options",
                        pp_code_options(r, "sign", pers_sign_how_codes,
                                        json_string_value(json_object_get(values, "child_signed_how")), N_("Choose")));
    json_object_set_new(m, "guardian_how_options",
                        pp_code_options(r, "sign", pers_sign_how_codes,
                                        json_string_value(json_object_get(values, "guardian_signed_how")),
                                        N_("Choose")));
    int64_t months = pl->review_months;
    const char *mv = req_form(r, "review_months");
    if (mv)
        str_to_i64(mv, &months);
    json_t *mopts = json_array();
    for (int i = 1; i <= PERS_REVIEW_MAX_MONTHS; i++)
        json_array_append_new(mopts, json_pack("{s:i, s:s, s:b}", "value", i, "label",
                                               pp_months(r, i), "selected",
                                               months == i));
    json_object_set_new(m, "months_options", mopts);
    json_t *goals = editable ? goals_rows(r, pl, json_object_get(m, "errors")) : json_array();
    json_object_set_new(m, "goals_n", json_integer((json_int_t)json_array_size(goals)));
    json_object_set_new(m, "goal_rows", goals);
    json_object_set_new(m, "goals_error", err_of(json_object_get(m, "errors"), "goals"));
    page_render(r, status, "person/plan", m);
}

void pers_page_plan(req_t *r)
{
    person_t *p = pp_person(r);
    if (!p)
        return;
    const pers_plan_t *pl = route_plan(r, p);
    if (!pl)
        return;
    pers_log_read(r, p->id, "plan");
    plan_page(r, p, pl, 200, NULL);
}

void pers_page_plan_new(req_t *r)
{
    person_t *p = pp_person_writable(r);
    if (!p)
        return;
    pers_plan_input_t in = {0};
    in.status = "draft";
    json_t *errors = json_object();
    int64_t id = 0;
    res_t rc = pers_plan_create(r, p, &in, errors, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("A draft of the plan is being written already: open it from the plan tab.") : NULL,
                 rc == RES_INVALID ? errors : (json_decref(errors), NULL));
        return;
    }
    json_decref(errors);
    page_redirect_flash(r, plan_href(r, p, id), N_("A new version of the plan is open: write its goals with the person."));
}

void pers_page_plan_save(req_t *r)
{
    person_t *p = pp_person(r);
    if (!p)
        return;
    const pers_plan_t *pl = route_plan(r, p);
    if (!pl)
        return;
    json_t *errors = json_object();
    int64_t rev = v_int(r, errors, "rev", false, 0, INT64_MAX, 0);
    bool move = req_form(r, "status") != NULL && req_form(r, "goals_n") == NULL;
    const char *to = req_form(r, "status");
    if (move && str_eq(to, "closed") && page_needs_confirm(r)) {
        json_decref(errors);
        page_confirm(r, N_("Close this plan"),
                     N_("A closed plan no longer changes and is no longer reviewed. Start a new version when the person needs one."),
                     TF(r, N_("Plan, version %d"), pl->version, 0), plan_href(r, p, pl->id),
                     json_pack("{s:s, s:s}", "status", "closed", "rev",
                               arena_printf(r->arena, "%lld", (long long)pl->rev)),
                     N_("Close this plan"), plan_href(r, p, pl->id));
        return;
    }
    pers_plan_input_t in;
    pers_plan_read_input(r, errors, &in);
    json_t *goals = NULL;
    if (!move && req_form(r, "goals_n")) {
        if (pl->status == PERS_DRAFT || pl->status == PERS_IN_REVIEW)
            goals = goals_posted(r, errors);
        in.goals = goals;
        if (goals && !json_object_size(errors))
            pers_goals_valid(r, goals, errors);
    }
    res_t rc = json_object_size(errors) ? RES_INVALID : pers_plan_update(r, p, pl, &in, rev, errors);
    json_decref(goals);
    if (rc == RES_INVALID) {
        if (move) {
            /* a status change refused for what the plan lacks: say it on the plan's page */
            r->http->form = NULL;
        }
        plan_page(r, p, pl, 422, errors);
        return;
    }
    if (rc != RES_OK) {
        const char *msg = NULL;
        if (rc == RES_CONFLICT)
            msg = move ? N_("The plan cannot go to this status from where it is: reload it.")
                       : N_("The plan changed meanwhile: reload it and try again.");
        app_fail(r, rc, msg, json_object_size(errors) ? errors : (json_decref(errors), NULL));
        return;
    }
    json_decref(errors);
    if (move) {
        const char *flash = str_eq(to, "agreed")   ? N_("The plan is agreed. Its next review is planned.")
                            : str_eq(to, "closed") ? N_("The plan is closed.")
                            : str_eq(to, "in_review") ? N_("The review is open: goals and actions may change.")
                                                   : N_("Saved.");
        page_redirect_flash(r, arena_printf(r->arena, "/persons/%lld?tab=plan", (long long)p->id), flash);
        return;
    }
    page_redirect_flash(r, plan_href(r, p, pl->id), N_("The plan is saved."));
}

/* --- reviews ---------------------------------------------------------------------- */

void pers_page_review(req_t *r)
{
    person_t *p = pp_person(r);
    if (!p)
        return;
    const pers_plan_t *pl = route_plan(r, p);
    if (!pl)
        return;
    json_t *errors = json_object();
    const char *day = iso_of(r, v_text(r, errors, "reviewed_on", false, 10));
    const char *changes = v_long_text(r, errors, "changes", true, PERS_NOTE_MAX);
    v_required_message(errors, "changes", N_("Write what changed since the last review."));
    const char *next = iso_of(r, v_text(r, errors, "next_review", false, 10));
    if (day && !iso_day_valid(day))
        v_error(errors, "reviewed_on", N_("Enter a day as 31/12/2026."));
    if (next && !iso_day_valid(next))
        v_error(errors, "next_review", N_("Enter a day as 31/12/2026."));
    int64_t id = 0;
    res_t rc = json_object_size(errors) ? RES_INVALID
                                        : pers_review_add(r, p, pl, day, changes, next, errors, &id);
    if (rc == RES_INVALID) {
        pp_show(r, p, "reviews", 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("Only an agreed plan is reviewed.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/persons/%lld?tab=reviews", (long long)p->id),
                        N_("The review is recorded, with the date of the next one."));
}

/* --- grants ------------------------------------------------------------------------- */

void pers_page_grant(req_t *r)
{
    person_t *p = pp_person(r);
    if (!p)
        return;
    json_t *errors = json_object();
    int64_t user = v_int(r, errors, "user_id", true, 1, INT64_MAX, 0);
    v_required_message(errors, "user_id", N_("Choose who is given access."));
    const char *until = iso_of(r, v_text(r, errors, "until", true, 10));
    v_required_message(errors, "until", N_("Enter the last day of the access."));
    if (until && !iso_day_valid(until))
        v_error(errors, "until", N_("Enter a day as 31/12/2026."));
    const char *reason = v_text(r, errors, "reason", true, PERS_TEXT_MAX);
    v_required_message(errors, "reason", N_("Say why this access is needed."));
    int64_t id = 0;
    res_t rc = json_object_size(errors) ? RES_INVALID : pers_grant(r, p, user, until, reason, errors, &id);
    pp_done(r, p, rc, errors, "access", arena_printf(r->arena, "/persons/%lld?tab=access#grants", (long long)p->id),
                        N_("Access is given until the day chosen. The person given access is notified."));
}

void pers_page_grant_revoke(req_t *r)
{
    person_t *p = pp_person(r);
    if (!p)
        return;
    json_t *grants = pers_grants(r, p->id);
    json_t *found = NULL;
    size_t i;
    json_t *o;
    json_array_foreach(grants, i, o)
        if (json_integer_value(json_object_get(o, "id")) == r->ids[1])
            found = o;
    if (!found) {
        json_decref(grants);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const char *back = arena_printf(r->arena, "/persons/%lld?tab=access#grants", (long long)p->id);
    if (page_needs_confirm(r)) {
        const char *who = arena_strdup(r->arena, json_string_value(json_object_get(found, "user_name")));
        json_decref(grants);
        page_confirm(r, N_("End this access"),
                     N_("This person will no longer see the file. Give access again if it is still needed."),
                     who ? who : "", arena_printf(r->arena, "/persons/%lld/grants/%lld/revoke", (long long)p->id,
                                                  (long long)r->ids[1]),
                     NULL, N_("End this access"), back);
        return;
    }
    json_decref(grants);
    res_t rc = pers_grant_revoke(r, p, r->ids[1]);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("This access has ended already.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, back, N_("The access is ended."));
}
