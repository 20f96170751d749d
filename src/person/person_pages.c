/* person_pages.c - the pages of persons supported: the caseload (an
 * educator's own children first, then the others of their units; reviews
 * due and late; filters in the URL), a new person, editing a person's
 * identity, the referents' form; and what every page of the module shares
 * (person_pages.h). The file's tabs are in person_pages_show.c, plans in
 * person_pages_plan.c, settings and domains in person_pages_admin.c. Every
 * form works without JavaScript and keeps what was typed on an error. */
#include "person_pages.h"

#include <string.h>

#define LIST_PAGE 50

/* --- shared ------------------------------------------------------------------ */

person_t *pp_person(req_t *r)
{
    person_t *p = arena_alloc(r->arena, sizeof *p);
    if (pers_load(r->db, r->arena, r->ids[0], p) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    return p;
}

bool pp_can_write(req_t *r, const person_t *p)
{
    return p->anonymised_at == 0 && pers_access(r, p->id, p->path) == PERS_WRITE;
}

void pp_done(req_t *r, const person_t *p, res_t rc, json_t *errors, const char *tab,
             const char *location, const char *flash)
{
    if (rc == RES_INVALID) {
        pp_show(r, p, tab, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, location, flash);
}

person_t *pp_person_writable(req_t *r)
{
    person_t *p = pp_person(r);
    if (p && !pp_can_write(r, p)) {
        app_fail(r, RES_FORBIDDEN, NULL, NULL);
        return NULL;
    }
    return p;
}

const char *pp_day(req_t *r, const char *iso)
{
    if (!iso || !*iso)
        return "";
    if (strlen(iso) != 10)
        return iso;
    return arena_printf(r->arena, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

const char *pp_code_label(req_t *r, const char *list, const char *code)
{
    if (!code || !*code)
        return NULL;
    return T(r, pers_code_msgid(r->arena, list, code));
}

json_t *pp_code_options(req_t *r, const char *list, const char *const *codes,
                        const char *selected, const char *empty_msgid)
{
    json_t *out = json_array();
    if (empty_msgid)
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", "", "label",
                                             T(r, empty_msgid), "selected", str_empty(selected)));
    for (size_t i = 0; codes[i]; i++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                                             pp_code_label(r, list, codes[i]), "selected",
                                             str_eq(selected, codes[i])));
    return out;
}

const char *pp_user_name(req_t *r, int64_t id)
{
    if (id <= 0)
        return "";
    const char *href = NULL;
    const char *name = app_entity_name(r, "user", id, &href);
    return name ? name : "";
}

const char *pp_href(req_t *r, const person_t *p)
{
    return arena_printf(r->arena, "/persons/%lld", (long long)p->id);
}

json_t *pp_crumbs(req_t *r, const person_t *p)
{
    json_t *c = json_pack("[{s:s, s:s}]", "label", T(r, N_("Persons supported")), "href",
                          "/persons");
    if (p)
        json_array_append_new(c, json_pack("{s:s, s:s}", "label",
                                           pers_display_name(r->arena, p, r->lang), "href",
                                           pp_href(r, p)));
    return c;
}

const char *pp_form(req_t *r, const char *key)
{
    const char *v = req_form(r, key);
    return v ? v : "";
}

bool pp_is_worker(req_t *r)
{
    if (!r->user)
        return false;
    int64_t now = now_utc();
    for (int i = 0; i < r->user->n_roles; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (authz_role_live(a, now) && (a->role == ROLE_STAFF || a->role == ROLE_DIRECTOR))
            return true;
    }
    return false;
}

const char *pp_months(req_t *r, int n)
{
    return text_fill_numbers(r->arena, TN(r, "%d month", "%d months", (unsigned long)n),
                             (long long[]){n}, 1);
}

const char *pp_level_msgid(int level)
{
    switch (level) {
    case 1: return N_("Low need");
    case 2: return N_("Moderate need");
    case 3: return N_("High need");
    case 4: return N_("Very high need");
    default: return N_("Not assessed yet");
    }
}

static const char *other_name(req_t *r, const person_t *p)
{
    /* the spelling in the other script, when both are written */
    bool ar = str_eq(r->lang, "ar");
    const char *first = ar ? p->first_name : p->first_name_ar;
    const char *last = ar ? p->last_name : p->last_name_ar;
    if (str_empty(first) && str_empty(last))
        return NULL;
    const char *shown = pers_display_name(r->arena, p, r->lang);
    const char *other = arena_printf(r->arena, "%s %s", first ? first : "", last ? last : "");
    return str_eq(shown, other) ? NULL : other;
}

json_t *pp_head(req_t *r, const person_t *p)
{
    const char *today = pers_today(r->arena);
    int age = pers_age(p->birth_date, today);
    const char *other = other_name(r, p);
    bool ar = str_eq(r->lang, "ar");
    json_t *h = json_object();
    json_object_set_new(h, "id", json_integer(p->id));
    json_object_set_new(h, "href", json_string(pp_href(r, p)));
    json_object_set_new(h, "name", json_string(pers_display_name(r->arena, p, r->lang)));
    json_object_set_new(h, "other_name", json_str_or_null(other));
    /* the other script's language, so that screen readers read it right */
    json_object_set_new(h, "other_lang", json_string(ar ? "fr" : "ar"));
    json_object_set_new(h, "other_dir", json_string(ar ? "ltr" : "rtl"));
    json_object_set_new(h, "code", json_string(p->code ? p->code : ""));
    json_object_set_new(h, "has_age", json_boolean(age >= 0));
    json_object_set_new(h, "age", json_integer(age < 0 ? 0 : age));
    json_object_set_new(h, "sex_label", json_str_or_null(pp_code_label(r, "sex", p->sex)));
    json_object_set_new(h, "place", json_string(nodes_label(r->db, r->arena, r->lang, p->node_id)));
    json_object_set_new(h, "left", json_boolean(!str_empty(p->exit_date)));
    json_object_set_new(h, "exit_text", json_string(pp_day(r, p->exit_date)));
    json_object_set_new(h, "anonymised", json_boolean(p->anonymised_at != 0));
    return h;
}

/* --- the caseload -------------------------------------------------------------- */

static bool keep_place(req_t *r, node_kind_t kind, const int64_t *path, int n, void *ctx)
{
    pers_access_t need = *(const pers_access_t *)ctx;
    return (kind == NODE_EPS || kind == NODE_UNIT) &&
           pers_access(r, 0, app_path_text(r->arena, path, n)) >= need;
}

/* The units and establishments where the reader reads (or records) persons
 * by their role (the persons' rule: never an administrator's). */
static json_t *place_options(req_t *r, perm_t perm, int64_t selected)
{
    if (!pp_is_worker(r))
        return json_array();
    pers_access_t need = perm == PERM_PERSONAL_WRITE ? PERS_WRITE : PERS_READ;
    return nodes_options(r, perm, 0, selected, keep_place, &need);
}

/* The colour of a plan's status (lateness has its own tag and stripe). */
static const char *plan_tone(const char *status)
{
    if (str_eq(status, "agreed"))
        return "ok";
    if (str_eq(status, "in_review"))
        return "warn";
    if (str_eq(status, "closed"))
        return "off";
    return "neutral";
}

static void list_item(req_t *r, json_t *it)
{
    json_int_t id = json_integer_value(json_object_get(it, "id"));
    json_object_set_new(it, "href", json_string(arena_printf(r->arena, "/persons/%lld", (long long)id)));
    const char *status = json_string_value(json_object_get(it, "plan_status"));
    json_object_set_new(it, "tone", json_string(plan_tone(status)));
    json_object_set_new(it, "has_plan", json_boolean(!str_empty(status)));
    const char *next = json_string_value(json_object_get(it, "next_review"));
    json_object_set_new(it, "next_review_text", json_string(pp_day(r, next)));
    json_object_set_new(it, "has_next", json_boolean(!str_empty(next)));
    const char *exit = json_string_value(json_object_get(it, "exit_date"));
    json_object_set_new(it, "exit_text", json_string(pp_day(r, exit)));
    json_object_set_new(it, "left", json_boolean(!str_empty(exit)));
    json_int_t age = json_integer_value(json_object_get(it, "age"));
    json_object_set_new(it, "has_age", json_boolean(json_is_integer(json_object_get(it, "age")) && age >= 0));
    const char *sex = json_string_value(json_object_get(it, "sex"));
    json_object_set_new(it, "sex_label", json_str_or_null(pp_code_label(r, "sex", sex)));
    if (!json_object_get(it, "name_other"))
        json_object_set_new(it, "name_other", json_null());
    json_object_set_new(it, "other_lang", json_string(str_eq(r->lang, "ar") ? "fr" : "ar"));
}

static bool flag(req_t *r, const char *key)
{
    const char *v = req_query(r, key);
    return v && (str_eq(v, "1") || str_eq(v, "true") || str_eq(v, "on"));
}

void pers_page_list(req_t *r)
{
    if (!pers_totp_gate(r, 0))
        return;
    json_t *errors = json_object();
    pers_filter_t f = {0};
    const char *node = req_query(r, "node");
    if (node && *node && (!str_to_i64(node, &f.node_id) || f.node_id < 0)) {
        v_error(errors, "node", N_("Choose a place from the list."));
        f.node_id = 0;
    }
    f.mine = flag(r, "mine");
    f.due = flag(r, "due");
    f.left = flag(r, "left");
    const char *q = req_query(r, "q");
    f.q = str_empty(q) ? NULL : q;
    if (f.q && utf8_count(f.q) > 100)
        v_error(errors, "q", N_("Type at most 100 characters."));
    f.limit = LIST_PAGE;
    f.offset = 0;
    v_paging(r, errors, &f.limit, &f.offset);
    int status = json_object_size(errors) ? 422 : 200;
    int64_t total = 0;
    json_t *items = json_object_size(errors) ? json_array() : pers_list(r, &f, &total);
    /* an educator's own children first, then the others of their units */
    json_t *mine = json_array(), *others = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        list_item(r, it);
        json_array_append(json_is_true(json_object_get(it, "referent")) && !f.mine ? mine : others, it);
    }
    json_decref(items);
    bool grouped = json_array_size(mine) > 0;
    json_t *groups = json_array();
    if (grouped)
        json_array_append_new(groups, json_pack("{s:s, s:s, s:s, s:o}", "id", "mine", "heading",
                                                T(r, N_("My children")), "lead",
                                                T(r, N_("The persons you are a referent of.")),
                                                "items", mine));
    else
        json_decref(mine);
    if (json_array_size(others) > 0 || !grouped)
        json_array_append_new(groups, json_pack("{s:s, s:s, s:o, s:o}", "id", "others", "heading",
                                                grouped ? T(r, N_("The others of my places"))
                                                        : T(r, N_("Persons supported")),
                                                "lead", json_null(), "items", others));
    else
        json_decref(others);

    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, f.mine ? N_("My children") : N_("Persons supported"))));
    json_object_set_new(m, "groups", groups);
    json_object_set_new(m, "grouped", json_boolean(grouped));
    json_object_set_new(m, "has_items", json_boolean(total > 0 || grouped));
    json_object_set_new(m, "total", json_integer(total));
    json_t *places = place_options(r, PERM_PERSONAL_READ, f.node_id);
    json_object_set_new(m, "has_places", json_boolean(json_array_size(places) > 1));
    json_array_insert_new(places, 0, json_pack("{s:i, s:s, s:b}", "id", 0, "label",
                                               T(r, N_("Every place")), "selected", f.node_id == 0));
    json_object_set_new(m, "place_options", places);
    json_t *writable = place_options(r, PERM_PERSONAL_WRITE, 0);
    json_object_set_new(m, "can_create", json_boolean(json_array_size(writable) > 0));
    json_decref(writable);
    json_object_set_new(m, "f_mine", json_boolean(f.mine));
    json_object_set_new(m, "f_due", json_boolean(f.due));
    json_object_set_new(m, "f_left", json_boolean(f.left));
    json_object_set_new(m, "f_node", json_integer(f.node_id));
    json_object_set_new(m, "q", json_string(f.q ? f.q : ""));
    json_object_set_new(m, "filtered", json_boolean(f.mine || f.due || f.left || f.q || f.node_id));
    json_object_set_new(m, "is_worker", json_boolean(pp_is_worker(r)));
    /* quick links */
    json_object_set_new(m, "mine_href", json_string("/persons?mine=1"));
    json_object_set_new(m, "due_href", json_string("/persons?due=1"));

    buf_t qb;
    buf_init(&qb);
    buf_printf(&qb, "/persons?node=%lld&mine=%d&due=%d&left=%d&q=", (long long)f.node_id,
               f.mine ? 1 : 0, f.due ? 1 : 0, f.left ? 1 : 0);
    if (f.q)
        app_url_encode(&qb, f.q);
    buf_puts(&qb, "&offset=");
    const char *base = arena_strdup(r->arena, qb.data);
    buf_free(&qb);
    int64_t n = 0;
    json_array_foreach(groups, i, it)
        n += (int64_t)json_array_size(json_object_get(it, "items"));
    int64_t last = f.offset + n;
    if (total > f.limit)
        json_object_set_new(
            m, "pager",
            json_pack("{s:s, s:o, s:o}", "label",
                      text_fill_numbers(r->arena, T(r, N_("%d–%d of %d")),
                                        (long long[]){n ? f.offset + 1 : 0, last, total}, 3),
                      "prev",
                      f.offset > 0 ? json_string(arena_printf(r->arena, "%s%lld", base,
                                                              (long long)(f.offset > f.limit ? f.offset - f.limit : 0)))
                                   : json_null(),
                      "next",
                      last < total ? json_string(arena_printf(r->arena, "%s%lld", base, (long long)last))
                                   : json_null()));
    else
        json_object_set_new(m, "pager", json_null());
    model_form_errors_take(r, m, errors);
    page_render(r, status, "person/list", m);
}

/* --- the identity form (new and edit) ------------------------------------------------ */

static const char *const form_order[] = {
    "node_id", "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "sex",
    "admission_date", "origin", "origin_ref", "legal_status", "disability", "disability_kind",
    "exit_date", "exit_destination", "health_notes", "family_notes", "judicial_notes", NULL};

/* The values of the form: what was typed, or the person's, or nothing. */
static void form_values(req_t *r, json_t *m, const person_t *p)
{
    json_t *values = json_object_get(m, "values");
    if (!json_is_object(values)) {
        values = json_object();
        json_object_set_new(m, "values", values);
    }
    if (r->http->form || !p)
        return;
    const struct {
        const char *k, *v;
    } f[] = {
        {"first_name", p->first_name},         {"last_name", p->last_name},
        {"first_name_ar", p->first_name_ar},   {"last_name_ar", p->last_name_ar},
        {"birth_date", p->birth_date},         {"sex", p->sex},
        {"admission_date", p->admission_date}, {"origin", p->origin},
        {"origin_ref", p->origin_ref},         {"legal_status", p->legal_status},
        {"disability", p->disability ? "1" : "0"}, {"disability_kind", p->disability_kind},
        {"exit_date", p->exit_date},           {"exit_destination", p->exit_destination},
        {"health_notes", p->health_notes},     {"family_notes", p->family_notes},
        {"judicial_notes", p->judicial_notes},
    };
    for (size_t i = 0; i < ARRAY_LEN(f); i++)
        json_object_set_new(values, f[i].k, json_string(f[i].v ? f[i].v : ""));
    json_object_set_new(values, "node_id", json_integer(p->node_id));
    json_object_set_new(values, "rev", json_integer(p->rev));
}

static const char *value_of(json_t *m, const char *k)
{
    return json_string_value(json_object_get(json_object_get(m, "values"), k));
}

static void form_options(req_t *r, json_t *m, const person_t *p)
{
    int64_t node = p ? p->node_id : 0;
    const char *nv = req_form(r, "node_id");
    if (!nv)
        nv = req_query(r, "node");
    if (nv)
        str_to_i64(nv, &node);
    json_t *places = place_options(r, PERM_PERSONAL_WRITE, node);
    if (p) {
        /* a person moves only within its establishment */
        json_t *kept = json_array();
        const char *eps_path = nodes_path_of(r->db, r->arena, p->eps_id);
        size_t i;
        json_t *o;
        json_array_foreach(places, i, o) {
            const char *path = nodes_path_of(r->db, r->arena, json_integer_value(json_object_get(o, "id")));
            if (nodes_path_within(path, eps_path))
                json_array_append(kept, o);
        }
        json_decref(places);
        places = kept;
        /* the person's own place is always offered (a referent working at
         * another unit must not move them by saving) */
        bool found = false;
        json_array_foreach(places, i, o)
            found |= json_integer_value(json_object_get(o, "id")) == p->node_id;
        if (!found)
            json_array_insert_new(places, 0, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)p->node_id, "label",
                                                       nodes_label(r->db, r->arena, r->lang, p->node_id),
                                                       "selected", node == p->node_id));
    }
    json_object_set_new(m, "place_options", places);
    json_object_set_new(m, "sex_options", pp_code_options(r, "sex", pers_sex_codes, value_of(m, "sex"),
                                                          N_("Choose")));
    json_object_set_new(m, "origin_options", pp_code_options(r, "origin", pers_origin_codes,
                                                             value_of(m, "origin"), N_("Not known")));
    json_object_set_new(m, "legal_options", pp_code_options(r, "legal", pers_legal_codes,
                                                            value_of(m, "legal_status"), N_("Not known")));
    json_object_set_new(m, "exit_options", pp_code_options(r, "exit", pers_exit_codes,
                                                           value_of(m, "exit_destination"), N_("Not left")));
    const char *dis = value_of(m, "disability");
    bool yes = str_eq(dis, "1") || str_eq(dis, "true");
    json_object_set_new(m, "disability_options",
                        json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "code", "0", "label",
                                  T(r, N_("No")), "selected", !yes, "code", "1", "label",
                                  T(r, N_("Yes")), "selected", yes));
}

static void identity_form(req_t *r, const person_t *p, int status, json_t *errors)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(p ? T(r, N_("Change the identity")) : T(r, N_("New person"))));
    json_object_set_new(m, "crumbs", pp_crumbs(r, p));
    json_object_set_new(m, "editing", json_boolean(p != NULL));
    json_object_set_new(m, "person", p ? pp_head(r, p) : json_null());
    json_object_set_new(m, "action", json_string(p ? pp_href(r, p) : "/persons"));
    json_object_set_new(m, "cancel", json_string(p ? pp_href(r, p) : "/persons"));
    if (errors)
        v_errors_order(errors, form_order);
    model_form_errors_take(r, m, errors);
    form_values(r, m, p);
    form_options(r, m, p);
    json_object_set_new(m, "has_places", json_boolean(json_array_size(json_object_get(m, "place_options")) > 0));
    json_object_set_new(m, "today", json_string(pers_today(r->arena)));
    page_render(r, status, p ? "person/edit" : "person/new", m);
}

void pers_page_new(req_t *r)
{
    if (!pers_totp_gate(r, 0))
        return;
    json_t *places = place_options(r, PERM_PERSONAL_WRITE, 0);
    bool can = json_array_size(places) > 0;
    json_decref(places);
    if (!can) {
        app_fail(r, RES_FORBIDDEN, N_("The staff of a unit or the director of the establishment record the persons they support."), NULL);
        return;
    }
    identity_form(r, NULL, 200, NULL);
}

void pers_page_create(req_t *r)
{
    json_t *errors = json_object();
    int64_t node_id = v_int(r, errors, "node_id", true, 1, INT64_MAX, 0);
    node_t n;
    int64_t eps_id = 0;
    if (node_id > 0) {
        /* as the API: 404 outside the reader's scope, 403 where they may not record */
        authz_result_t az = app_authorize(r, PERM_PERSONAL_WRITE, node_id);
        if (az == AUTHZ_NOT_FOUND || nodes_load(r->db, r->arena, node_id, &n) != 0) {
            json_decref(errors);
            app_fail(r, RES_NOT_FOUND, NULL, NULL);
            return;
        }
        if (az != AUTHZ_ALLOW || pers_access(r, 0, n.path) != PERS_WRITE) {
            json_decref(errors);
            app_fail(r, RES_FORBIDDEN,
                     N_("The staff of a unit or the director of the establishment record the persons they support."),
                     NULL);
            return;
        }
        if ((n.kind != NODE_EPS && n.kind != NODE_UNIT) || !n.active)
            v_error(errors, "node_id", N_("Choose a place from the list."));
        else
            eps_id = n.kind == NODE_EPS ? n.id : n.parent_id;
    }
    if (!pers_totp_gate(r, eps_id)) {
        json_decref(errors);
        return;
    }
    pers_input_t in;
    pers_read_input(r, errors, true, &in);
    if (json_object_size(errors)) {
        identity_form(r, NULL, 422, errors);
        return;
    }
    int64_t id = 0;
    res_t rc = pers_create(r, &in, errors, &id);
    if (rc == RES_INVALID) {
        identity_form(r, NULL, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/persons/%lld", (long long)id),
                        N_("The person is recorded. Assess their needs with them next."));
}

void pers_page_edit(req_t *r)
{
    person_t *p = pp_person_writable(r);
    if (!p)
        return;
    pers_log_read(r, p->id, "edit");
    identity_form(r, p, 200, NULL);
}

void pers_page_update(req_t *r)
{
    person_t *p = pp_person_writable(r);
    if (!p)
        return;
    json_t *errors = json_object();
    int64_t rev = v_int(r, errors, "rev", false, 0, INT64_MAX, 0);
    pers_input_t in;
    pers_read_input(r, errors, false, &in);
    res_t rc = json_object_size(errors) ? RES_INVALID : pers_update(r, p, &in, rev, errors);
    if (rc == RES_INVALID) {
        identity_form(r, p, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("The file changed meanwhile: reload it and try again.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, pp_href(r, p), N_("Saved."));
}

/* --- referents ---------------------------------------------------------------------- */

void pers_page_referents(req_t *r)
{
    person_t *p = pp_person_writable(r);
    if (!p)
        return;
    int64_t ids[64];
    size_t n = 0;
    json_t *errors = json_object();
    for (http_kv_t *kv = r->http->form; kv; kv = kv->next) {
        if (strcmp(kv->key, "referents") != 0 || !*kv->val)
            continue;
        int64_t id = 0;
        if (!str_to_i64(kv->val, &id) || id <= 0 || n >= ARRAY_LEN(ids)) {
            v_error(errors, "referents", N_("Choose the referents from the list."));
            break;
        }
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= ids[i] == id;
        if (!dup)
            ids[n++] = id;
    }
    res_t rc = json_object_size(errors) ? RES_INVALID : pers_set_referents(r, p, ids, n, errors);
    pp_done(r, p, rc, errors, "identity", arena_printf(r->arena, "/persons/%lld?tab=identity#referents", (long long)p->id),
                        N_("The referents are saved."));
}
