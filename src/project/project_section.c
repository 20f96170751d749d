/* project_section.c - one section of a projet (its text rendered, the
 * writing form with a preview for its owner and the director, proposals
 * and comments for the others, the decisions on proposals), the word-level
 * diff of two versions, and the strategy page (axes, objectives,
 * indicators, action sheets, actions born of objectives). */
#include "project_internal.h"

#include <string.h>

static const char *section_href(req_t *r, const project_t *p, const char *key)
{
    return arena_printf(r->arena, "/projects/%lld/sections/%s", (long long)p->id, key);
}

static const char *guidance(req_t *r, const project_t *p, const char *key)
{
    const char *col = str_eq(r->lang, "ar") ? "guidance_ar" : str_eq(r->lang, "en") ? "guidance_en" : "guidance_fr";
    char *sql = xasprintf("SELECT %s FROM project_template_sections WHERE template_id = ? AND key = ?", col);
    db_res_t *res = db_query(r->db, sql, PARAMS(P_INT(p->template_id), P_TEXT(key)));
    free(sql);
    const char *g = res && db_next(res) && db_text(res, 0) ? arena_strdup(r->arena, db_text(res, 0)) : "";
    db_res_free(res);
    return g;
}

static json_t *contribs_model(req_t *r, const project_t *p, const prj_section_t *s, bool may_decide)
{
    size_t n = 0;
    prj_contrib_t *c = prj_contribs(r->db, r->arena, p->id, s->key, &n);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        bool proposal = str_eq(c[i].kind, "proposal"), open = str_eq(c[i].status, "open");
        const char *author = prj_user_name(r, c[i].author_id);
        char when[32];
        format_local_datetime(c[i].created_at, when, sizeof when);
        json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:b, s:o}", "id",
                              (json_int_t)c[i].id, "author", author ? author : "", "when", when,
                              "proposal", proposal, "kind_label",
                              T(r, arena_printf(r->arena, "contrib_kind.%s", c[i].kind)),
                              "status_label",
                              T(r, arena_printf(r->arena, "contrib_status.%s", c[i].status)),
                              "status", c[i].status, "body", c[i].body, "decidable",
                              proposal && open && may_decide && !prj_frozen(p->status), "blocks",
                              md_blocks(c[i].body, strlen(c[i].body)));
        json_object_set_new(o, "action", json_string(arena_printf(r->arena, "/projects/%lld/contributions/%lld",
                                                                  (long long)p->id, (long long)c[i].id)));
        json_object_set_new(o, "diff", json_null());
        if (proposal && open)
            json_object_set_new(o, "diff", json_pack("{s:o}", "segments", wdiff(s->content, c[i].body, NULL)));
        json_array_append_new(list, o);
    }
    return list;
}

static void section_page(req_t *r, const project_t *p, const prj_section_t *s, int status,
                         json_t *errors, const char *typed, bool preview)
{
    prj_access_t acc = prj_access(r, p->node_path);
    bool may_write = prj_may_write_section(r, p, s) && !prj_frozen(p->status);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(s->title));
    json_object_set_new(m, "crumbs", prj_crumbs(r, p));
    json_object_set_new(m, "key", json_string(s->key));
    json_object_set_new(m, "guidance", json_string(guidance(r, p, s->key)));
    json_object_set_new(m, "blocks", md_blocks(s->content ? s->content : "", s->content ? strlen(s->content) : 0));
    json_object_set_new(m, "empty", json_boolean(!s->content || !*s->content));
    json_object_set_new(m, "frozen", json_boolean(prj_frozen(p->status)));
    json_object_set_new(m, "status_label", json_string(prj_status_label(r, p->status)));
    json_object_set_new(m, "may_write", json_boolean(may_write));
    json_object_set_new(m, "may_contribute",
                        json_boolean(!may_write && acc >= PRJ_CONTRIBUTE && !prj_frozen(p->status)));
    json_object_set_new(m, "action", json_string(section_href(r, p, s->key)));
    json_object_set_new(m, "contrib_action",
                        json_string(arena_printf(r->arena, "/projects/%lld/contributions", (long long)p->id)));
    json_object_set_new(m, "rev", json_integer(s->rev));
    const char *owner = prj_user_name(r, s->owner_id);
    json_object_set_new(m, "owner", json_string(owner ? owner : ""));
    json_object_set_new(m, "updated", json_null());
    if (s->updated_at > 0) {
        char when[32];
        format_local_datetime(s->updated_at, when, sizeof when);
        const char *who = prj_user_name(r, s->updated_by);
        json_object_set_new(m, "updated", json_pack("{s:s, s:s}", "when", when, "who", who ? who : ""));
    }
    if (acc == PRJ_DIRECT && !prj_frozen(p->status)) {
        json_t *people = users_workers(r->db, p->node_path);
        size_t i;
        json_t *o;
        json_array_foreach(people, i, o)
            json_object_set_new(o, "selected", json_boolean(json_integer_value(json_object_get(o, "id")) == s->owner_id));
        json_object_set_new(m, "owner_options", people);
    }
    json_object_set_new(m, "contributions", contribs_model(r, p, s, prj_may_write_section(r, p, s)));
    json_object_set_new(m, "content", json_string(typed ? typed : s->content ? s->content : ""));
    json_object_set_new(m, "preview", json_null());
    if (preview && typed)
        json_object_set_new(m, "preview", json_pack("{s:o}", "blocks", md_blocks(typed, strlen(typed))));
    json_object_set_new(m, "back", json_string(arena_printf(r->arena, "/projects/%lld", (long long)p->id)));
    model_form_errors_take(r, m, errors);
    page_render(r, status, "project/section", m);
}

static prj_section_t *route_section(req_t *r, const project_t *p)
{
    const char *key = strrchr(r->path, '/') + 1;
    prj_section_t *s = prj_section(r->db, r->arena, p->id, key, r->lang);
    if (!s)
        app_fail(r, RES_NOT_FOUND, N_("This projet has no such section."), NULL);
    return s;
}

void prj_page_section(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    prj_section_t *s = p ? route_section(r, p) : NULL;
    if (s)
        section_page(r, p, s, 200, NULL, NULL, false);
}

void prj_page_section_save(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    prj_section_t *s = p ? route_section(r, p) : NULL;
    if (!s)
        return;
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    if (!prj_may_write_section(r, p, s)) {
        app_fail(r, RES_FORBIDDEN, N_("The director and the section's owner write it; propose your text instead."), NULL);
        return;
    }
    json_t *errors = json_object();
    const char *content = v_long_text(r, errors, "content", false, PRJ_CONTENT_MAX);
    int64_t rev = v_int(r, errors, "rev", false, 1, INT64_MAX, 0);
    const char *typed = req_form(r, "content");
    if (json_object_size(errors) || req_form(r, "preview")) {
        section_page(r, p, s, json_object_size(errors) ? 422 : 200, errors, typed ? typed : "", !json_object_size(errors));
        return;
    }
    res_t rc = RES_OK;
    const char *owner = req_form(r, "owner_id");
    int64_t owner_id = 0;
    if (owner && prj_access(r, p->node_path) == PRJ_DIRECT && str_to_i64(owner, &owner_id) &&
        owner_id != s->owner_id) {
        if (owner_id > 0 && !users_works_at(r->db, p->node_path, owner_id)) {
            v_error(errors, "owner_id", N_("Choose someone who works at this establishment."));
            section_page(r, p, s, 422, errors, typed, false);
            return;
        }
        rc = prj_set_owner(r->db, r->user->id, req_ip(r), p, s, owner_id);
    }
    if (rc == RES_OK && !str_eq(content ? content : "", s->content ? s->content : ""))
        rc = prj_write_section(r->db, r->user->id, req_ip(r), p, s, content ? content : "", rev);
    if (rc == RES_CONFLICT && !prj_frozen(p->status)) {
        v_error(errors, "content", N_("Someone saved this section meanwhile: their text is shown; copy yours again."));
        s = prj_section(r->db, r->arena, p->id, s->key, r->lang);
        section_page(r, p, s, 409, errors, typed, false);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        if (rc == RES_CONFLICT)
            prj_fail_frozen(r, p);
        else
            app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, section_href(r, p, s->key), N_("Saved."));
}

void prj_page_contribute(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_CONTRIBUTE);
    if (!p)
        return;
    static const char *const kinds[] = {"proposal", "comment", NULL};
    json_t *errors = json_object();
    const char *key = v_text(r, errors, "section", true, 64);
    prj_section_t *s = key ? prj_section(r->db, r->arena, p->id, key, r->lang) : NULL;
    if (!s) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, N_("This projet has no such section."), NULL);
        return;
    }
    if (prj_frozen(p->status)) {
        json_decref(errors);
        prj_fail_frozen(r, p);
        return;
    }
    const char *kind = v_code(r, errors, "kind", true, kinds);
    const char *body = v_long_text(r, errors, "body", true, PRJ_CONTENT_MAX);
    v_required_message(errors, "body", N_("Write your proposal or comment."));
    if (json_object_size(errors)) {
        section_page(r, p, s, 422, errors, NULL, false);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    res_t rc = prj_contribute(r->db, r->user->id, req_ip(r), p, s, kind, body, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "%s#contributions", section_href(r, p, s->key)),
                        str_eq(kind, "proposal") ? N_("Your proposal is sent to the section's owner.")
                                                 : N_("Your comment is recorded."));
}

void prj_page_decide(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_CONTRIBUTE);
    if (!p)
        return;
    prj_contrib_t c;
    if (prj_contrib_load(r->db, r->arena, r->ids[1], &c) != 0 || c.project_id != p->id) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    prj_section_t *s = prj_section(r->db, r->arena, p->id, c.section_key, r->lang);
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    if (!s || !prj_may_write_section(r, p, s)) {
        app_fail(r, RES_FORBIDDEN, N_("The section's owner or the director decides on proposals."), NULL);
        return;
    }
    static const char *const decisions[] = {"accept", "merge", "decline", NULL};
    json_t *errors = json_object();
    const char *d = v_code(r, errors, "decision", true, decisions);
    const char *merged = v_long_text(r, errors, "content", str_eq(d, "merge"), PRJ_CONTENT_MAX);
    if (json_object_size(errors)) {
        section_page(r, p, s, 422, errors, NULL, false);
        return;
    }
    json_decref(errors);
    res_t rc = prj_decide(r->db, r->user->id, req_ip(r), p, &c, d, merged);
    if (rc != RES_OK) {
        app_fail(r, rc, rc == RES_CONFLICT ? N_("Only an open proposal can be decided.") : NULL, NULL);
        return;
    }
    page_redirect_flash(r, section_href(r, p, s->key),
                        str_eq(d, "decline") ? N_("The proposal is declined.") : N_("The section's text is updated."));
}

/* --- diff ------------------------------------------------------------------- */

json_t *prj_diff_model(req_t *r, json_t *from, json_t *to)
{
    json_t *out = json_array();
    json_t *keys = json_deep_copy(json_object_get(to, "keys"));
    size_t i;
    json_t *k;
    /* sections only in the older version come last */
    json_array_foreach(json_object_get(from, "keys"), i, k) {
        bool found = false;
        size_t j;
        json_t *k2;
        json_array_foreach(keys, j, k2)
            found = found || json_equal(k, k2);
        if (!found)
            json_array_append(keys, k);
    }
    json_array_foreach(keys, i, k) {
        const char *key = json_string_value(k);
        json_t *a = json_object_get(from, key), *b = json_object_get(to, key);
        const char *ta = json_string_value(json_object_get(a, "content"));
        const char *tb = json_string_value(json_object_get(b, "content"));
        wdiff_stats_t st = {0};
        json_t *segs = wdiff(ta ? ta : "", tb ? tb : "", &st);
        const char *title = json_string_value(json_object_get(b ? b : a, "title"));
        json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:I, s:I, s:b}", "key", key, "title",
                                             title ? title : key, "segments", segs, "added",
                                             (json_int_t)st.added, "deleted", (json_int_t)st.deleted,
                                             "changed", st.added + st.deleted > 0));
    }
    json_decref(keys);
    (void)r;
    return out;
}

void prj_page_diff(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (!p)
        return;
    const char *f = req_query(r, "from"), *t = req_query(r, "to");
    int64_t nf = 0, nt = 0;
    if (f && *f && (!str_to_i64(f, &nf) || nf < 0))
        nf = -1;
    if (t && *t && (!str_to_i64(t, &nt) || nt < 0))
        nt = -1;
    if (!f || !*f)
        nf = p->version > 1 ? p->version - 1 : 1;
    json_t *a = nf >= 0 ? prj_version_text(r, p, nf) : NULL;
    json_t *b = nt >= 0 ? prj_version_text(r, p, nt) : NULL;
    if (!a || !b) {
        json_decref(a);
        json_decref(b);
        app_fail(r, RES_NOT_FOUND, N_("This projet has no such version."), NULL);
        return;
    }
    json_t *sections = prj_diff_model(r, a, b);
    json_decref(a);
    json_decref(b);
    size_t changed = 0, i;
    json_t *s;
    json_array_foreach(sections, i, s)
        changed += json_is_true(json_object_get(s, "changed"));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Changes between two versions"))));
    json_object_set_new(m, "crumbs", prj_crumbs(r, p));
    json_object_set_new(m, "sections", sections);
    json_object_set_new(m, "changed", json_integer((json_int_t)changed));
    json_t *opts_from = json_array(), *opts_to = json_array();
    json_t *versions = prj_versions(r, p);
    json_t *v;
    json_array_foreach(versions, i, v) {
        json_int_t num = json_integer_value(json_object_get(v, "number"));
        const char *label = arena_printf(r->arena, "%s %lld — %s", T(r, N_("Version")), (long long)num,
                                         json_string_value(json_object_get(v, "validated_on_text")));
        json_array_append_new(opts_from, json_pack("{s:I, s:s, s:b}", "value", num, "label", label, "selected", num == nf));
        json_array_append_new(opts_to, json_pack("{s:I, s:s, s:b}", "value", num, "label", label, "selected", num == nt));
    }
    if (!prj_frozen(p->status))
        json_array_append_new(opts_to, json_pack("{s:I, s:s, s:b}", "value", (json_int_t)0, "label",
                                                 T(r, N_("The text being written")), "selected", nt == 0));
    json_decref(versions);
    json_object_set_new(m, "from_options", opts_from);
    json_object_set_new(m, "to_options", opts_to);
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/projects/%lld/diff", (long long)p->id)));
    page_render(r, 200, "project/diff", m);
}

/* --- strategy ---------------------------------------------------------------- */

static void strategy_page(req_t *r, const project_t *p, int status, json_t *errors)
{
    prj_access_t acc = prj_access(r, p->node_path);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Strategy"))));
    json_object_set_new(m, "project_title", json_string(p->title));
    json_object_set_new(m, "crumbs", prj_crumbs(r, p));
    json_t *axes = prj_strategy(r, p, true);
    json_object_set_new(m, "has_axes", json_boolean(json_array_size(axes) > 0));
    json_object_set_new(m, "axes", axes);
    bool edit = acc >= PRJ_MANAGE && !prj_frozen(p->status);
    json_object_set_new(m, "can_edit", json_boolean(edit));
    json_object_set_new(m, "can_act", json_boolean(acc >= PRJ_MANAGE));
    json_object_set_new(m, "frozen", json_boolean(prj_frozen(p->status)));
    json_object_set_new(m, "action", json_string(arena_printf(r->arena, "/projects/%lld/strategy", (long long)p->id)));
    json_object_set_new(m, "remove_action", json_string(arena_printf(r->arena, "/projects/%lld/strategy/remove", (long long)p->id)));
    json_object_set_new(m, "project_href", json_string(arena_printf(r->arena, "/projects/%lld", (long long)p->id)));
    json_object_set_new(m, "project_id", json_integer(p->id));
    const char *kind = req_form(r, "kind");
    json_object_set_new(m, "error_kind", json_string(kind ? kind : ""));
    const char *parent = req_form(r, "axis_id") ? req_form(r, "axis_id") : req_form(r, "objective_id");
    json_object_set_new(m, "error_parent", json_string(parent ? parent : ""));
    model_form_errors_take(r, m, errors);
    page_render(r, status, "project/strategy", m);
}

void prj_page_strategy(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_READ);
    if (p)
        strategy_page(r, p, 200, NULL);
}

void prj_page_strategy_add(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    static const char *const kinds[] = {"axis", "objective", "indicator", "sheet", NULL};
    json_t *errors = json_object();
    const char *kind = v_code(r, errors, "kind", true, kinds);
    int64_t id = 0;
    res_t rc = json_object_size(errors) ? RES_INVALID : prj_strategy_add(r, p, kind, errors, &id);
    if (rc == RES_INVALID) {
        strategy_page(r, p, 422, errors);
        return;
    }
    json_decref(errors);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/projects/%lld/strategy#%s-%lld", (long long)p->id, kind, (long long)id),
                        N_("Added to the strategy."));
}

void prj_page_strategy_remove(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    if (prj_frozen(p->status)) {
        prj_fail_frozen(r, p);
        return;
    }
    static const char *const kinds[] = {"axis", "objective", "indicator", "sheet", NULL};
    json_t *errors = json_object();
    const char *kind = v_code(r, errors, "kind", true, kinds);
    int64_t id = v_int(r, errors, "id", true, 1, INT64_MAX, 0);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    const char *back = arena_printf(r->arena, "/projects/%lld/strategy", (long long)p->id);
    if (page_needs_confirm(r)) {
        page_confirm(r, N_("Remove from the strategy"),
                     N_("It is removed with what hangs from it (objectives, indicators, sheets)."),
                     T(r, arena_printf(r->arena, "strategy_kind.%s", kind)), arena_printf(r->arena, "%s/remove", back),
                     json_pack("{s:s, s:s}", "kind", kind, "id", arena_printf(r->arena, "%lld", (long long)id)),
                     N_("Remove"), back);
        return;
    }
    res_t rc = prj_strategy_remove(r, p, kind, id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, back, N_("Removed."));
}

void prj_page_objective_action(req_t *r)
{
    project_t *p = prj_of_route(r, PRJ_MANAGE);
    if (!p)
        return;
    int64_t action = 0;
    res_t rc = prj_objective_action(r, p, r->ids[1], &action);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/actions/%lld", (long long)action),
                        N_("The action is proposed in the improvement plan: plan it with an owner and a due date."));
}
