/* person_pages_admin.c - the settings of persons' files for one
 * establishment (its director: months between reviews, two-step
 * verification asked of its staff) and the list of life domains of the
 * needs assessment (read by everybody; labels, order and use changed, and
 * domains added, by the administrators of the whole platform). */
#include "person_pages.h"

#include <string.h>

/* --- an establishment's settings -------------------------------------------------- */

static bool settings_eps(req_t *r, node_t *eps)
{
    if (nodes_load(r->db, r->arena, r->ids[0], eps) != 0 || eps->kind != NODE_EPS) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return false;
    }
    if (!pers_is_director(r, eps->path)) {
        app_fail(r, RES_FORBIDDEN, N_("Only the director of the establishment changes these settings."), NULL);
        return false;
    }
    return pers_totp_gate(r, eps->id);
}

static void settings_page(req_t *r, const node_t *eps, int status, json_t *errors)
{
    pers_settings_t s;
    pers_settings_get(r->db, eps->id, &s);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Settings of the persons' files"))));
    json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}]", "label", nodes_display_name(r, eps->name, eps->name_ar),
                                               "href", nodes_href(r, eps->id)));
    json_object_set_new(m, "eps", json_string(nodes_display_name(r, eps->name, eps->name_ar)));
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/person-settings/%lld", (long long)eps->id)));
    model_form_errors_take(r, m, errors);
    int64_t months = s.review_months;
    bool totp = s.require_totp;
    if (r->http->form) {
        const char *v = req_form(r, "review_months");
        if (v)
            str_to_i64(v, &months);
        totp = req_form(r, "require_totp") != NULL;
    }
    json_t *opts = json_array();
    for (int i = 1; i <= PERS_REVIEW_MAX_MONTHS; i++)
        json_array_append_new(opts, json_pack("{s:i, s:s, s:b}", "value", i, "label",
                                              pp_months(r, i), "selected",
                                              months == i));
    json_object_set_new(m, "months_options", opts);
    json_object_set_new(m, "require_totp", json_boolean(totp));
    page_render(r, status, "person/settings", m);
}

void pers_page_settings(req_t *r)
{
    node_t eps;
    if (!settings_eps(r, &eps))
        return;
    settings_page(r, &eps, 200, NULL);
}

void pers_page_settings_save(req_t *r)
{
    node_t eps;
    if (!settings_eps(r, &eps))
        return;
    json_t *errors = json_object();
    pers_settings_t s = {0};
    s.review_months = (int)v_int(r, errors, "review_months", true, 1, PERS_REVIEW_MAX_MONTHS, 6);
    v_required_message(errors, "review_months", N_("Choose how many months apart the reviews are."));
    s.require_totp = req_form(r, "require_totp") != NULL;
    if (json_object_size(errors)) {
        settings_page(r, &eps, 422, errors);
        return;
    }
    json_decref(errors);
    res_t rc = pers_settings_set(r, eps.id, &s);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/person-settings/%lld", (long long)eps.id), N_("Saved."));
}

/* --- life domains ------------------------------------------------------------------ */

static bool root_admin(req_t *r)
{
    static const role_t admin[] = {ROLE_ADMIN};
    const char *root = nodes_path_of(r->db, r->arena, nodes_root_id(r->db));
    return root && *root && app_role_over(r, root, admin, 1);
}

/* The errors of one domain's form, under the ids of its fields. */
static json_t *prefixed(req_t *r, json_t *errors, const char *prefix)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(errors, k, v)
        json_object_set(out, arena_printf(r->arena, "%s%s", prefix, k), v);
    json_decref(errors);
    return out;
}

static void domains_page(req_t *r, int status, json_t *errors)
{
    bool can_edit = root_admin(r);
    const char *posted = r->http->form ? req_form(r, "code") : NULL;
    bool posted_new = r->http->form && req_form(r, "new");
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Life domains of the needs assessment"))));
    json_object_set_new(m, "crumbs", pp_crumbs(r, NULL));
    json_object_set_new(m, "can_edit", json_boolean(can_edit));
    model_form_errors_take(r, m, errors);
    json_t *tr = json_object_get(m, "errors");
    db_res_t *res = db_query(r->db,
                             "SELECT code, label_fr, label_ar, label_en, position, active FROM person_domains"
                             " ORDER BY position, code",
                             NULL, 0);
    json_t *rows = json_array();
    int64_t last_pos = 0;
    while (res && db_next(res)) {
        const char *code = db_text(res, 0);
        bool mine = posted && !posted_new && str_eq(posted, code);
        const char *fr = mine ? pp_form(r, "label_fr") : db_text(res, 1);
        const char *ar = mine ? pp_form(r, "label_ar") : db_text(res, 2);
        const char *en = mine ? pp_form(r, "label_en") : db_text(res, 3);
        const char *lang_label = str_eq(r->lang, "ar") ? db_text(res, 2) : str_eq(r->lang, "en") ? db_text(res, 3) : db_text(res, 1);
        const char *pos = mine ? pp_form(r, "position") : arena_printf(r->arena, "%lld", (long long)db_int(res, 4));
        bool active = mine ? req_form(r, "active") != NULL : db_int(res, 5) != 0;
        last_pos = db_int(res, 4) > last_pos ? db_int(res, 4) : last_pos;
        const char *prefix = arena_printf(r->arena, "d-%s-", code);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "code", code, "prefix", prefix, "label",
                              lang_label, "label_fr", fr, "label_ar", ar, "label_en", en, "position", pos, "active",
                              active);
        json_t *errs = json_object();
        static const char *const keys[] = {"label_fr", "label_ar", "label_en", "position"};
        for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
            json_t *e = mine ? json_object_get(tr, arena_printf(r->arena, "%s%s", prefix, keys[i])) : NULL;
            json_object_set_new(errs, keys[i], e ? json_incref(e) : json_null());
        }
        json_object_set_new(o, "errors", errs);
        json_object_set_new(o, "has_errors", json_boolean(mine && json_object_size(tr) > 0));
        json_array_append_new(rows, o);
    }
    db_res_free(res);
    json_object_set_new(m, "domains", rows);
    json_t *add = json_object();
    static const char *const add_keys[] = {"code", "label_fr", "label_ar", "label_en", "position"};
    json_t *add_errs = json_object();
    for (size_t i = 0; i < ARRAY_LEN(add_keys); i++) {
        json_object_set_new(add, add_keys[i], json_string(posted_new ? pp_form(r, add_keys[i]) : ""));
        json_t *e = posted_new ? json_object_get(tr, arena_printf(r->arena, "new-%s", add_keys[i])) : NULL;
        json_object_set_new(add_errs, add_keys[i], e ? json_incref(e) : json_null());
    }
    if (!posted_new)
        json_object_set_new(add, "position", json_string(arena_printf(r->arena, "%lld", (long long)last_pos + 1)));
    json_object_set_new(add, "errors", add_errs);
    json_object_set_new(add, "open", json_boolean(posted_new));
    json_object_set_new(m, "add", add);
    page_render(r, status, "person/domains", m);
}

void pers_page_domains(req_t *r)
{
    domains_page(r, 200, NULL);
}

void pers_page_domains_save(req_t *r)
{
    if (!root_admin(r)) {
        app_fail(r, RES_FORBIDDEN, N_("The administrators of the platform change the life domains."), NULL);
        return;
    }
    bool is_new = req_form(r, "new") != NULL;
    json_t *errors = json_object();
    const char *code = v_text(r, errors, "code", true, 32);
    if (code) {
        bool ok = *code >= 'a' && *code <= 'z';
        for (const char *c = code; *c; c++)
            ok &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
        if (!ok)
            v_error(errors, "code", N_("Use lower-case letters, digits and _ only, starting with a letter."));
        else if (is_new && pers_domain_known(r->db, code))
            v_error(errors, "code", N_("This code is used already."));
        else if (!is_new && !pers_domain_known(r->db, code))
            v_error(errors, "code", N_("There is no such life domain."));
    }
    const char *fr = v_text(r, errors, "label_fr", true, PERS_TEXT_MAX);
    const char *ar = v_text(r, errors, "label_ar", true, PERS_TEXT_MAX);
    const char *en = v_text(r, errors, "label_en", true, PERS_TEXT_MAX);
    int64_t pos = v_int(r, errors, "position", true, 0, 10000, 0);
    bool active = is_new || req_form(r, "active") != NULL;
    res_t rc = json_object_size(errors) ? RES_INVALID
                                        : pers_domain_save(r, code, fr, ar, en, (int)pos, active, errors);
    if (rc == RES_INVALID) {
        const char *prefix = is_new ? "new-" : arena_printf(r->arena, "d-%s-", code ? code : "");
        domains_page(r, 422, prefixed(r, errors, prefix));
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, is_new ? "/person-domains" : arena_printf(r->arena, "/person-domains#d-%s", code),
                        is_new ? N_("The life domain is added.") : N_("Saved."));
}
