/* library_pages.c - the pages of the document library: the list (filters in
 * the URL, paged, cards on a phone) and one document (its current version,
 * the versions table, the status actions, the reader's acknowledgement and
 * who has read it, the criteria it is evidence for, its history), and the
 * download of a version's file. The forms are in library_forms.c. */
#include "library_internal.h"

#include <string.h>

#define LIST_PAGE 30

const char *lib_day_text(arena_t *a, const char *iso)
{
    if (!iso || strlen(iso) != 10)
        return iso ? iso : "";
    return arena_printf(a, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

const char *lib_kind_label(req_t *r, const char *kind)
{
    return T(r, arena_printf(r->arena, "doc_kind.%s", kind ? kind : "procedure"));
}

const char *lib_status_label(req_t *r, lib_status_t s)
{
    return T(r, arena_printf(r->arena, "doc_status.%s", lib_status_code(s)));
}

const char *lib_user_name(req_t *r, int64_t id)
{
    user_t u;
    if (id <= 0 || users_load(r->db, r->arena, id, &u) != 0)
        return NULL;
    return u.name;
}

/* Where a document belongs, as its readers say it: the national library
 * for the root's. */
static const char *place(req_t *r, const lib_doc_t *d)
{
    if (lib_path_depth(d->node_path) == 1)
        return T(r, N_("National library"));
    const char *l = nodes_label(r->db, r->arena, r->lang, d->node_id);
    return l ? l : "";
}

static const char *tone(lib_status_t s)
{
    return s == LIB_APPROVED ? "ok" : s == LIB_ARCHIVED ? "off" : "neutral";
}

/* The language of the title shown: the other one's when it is missing. */
static const char *title_lang(const lib_doc_t *d, const char *lang)
{
    if (str_eq(lang, "ar") && *d->title_ar)
        return "ar";
    return *d->title_fr ? "fr" : "ar";
}

json_t *lib_card(req_t *r, const lib_doc_t *d, const char *today)
{
    const char *tl = title_lang(d, r->lang);
    const char *other = str_eq(tl, "ar") ? d->title_fr : d->title_ar;
    bool to_read = d->status == LIB_APPROVED && r->user && lib_works_within(r, d->node_path) &&
                   lib_acked_at(r->db, d->id, d->approved_version, r->user->id) == 0;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I}", "id",
                          (json_int_t)d->id, "href",
                          arena_printf(r->arena, "/documents/%lld", (long long)d->id), "title",
                          lib_title(d, r->lang), "title_lang", tl, "other_title",
                          other ? other : "", "other_lang", str_eq(tl, "ar") ? "fr" : "ar",
                          "kind_label", lib_kind_label(r, d->kind), "status_label",
                          lib_status_label(r, d->status), "tone", tone(d->status), "node",
                          place(r, d), "overdue",
                          lib_overdue(d, today), "to_read", to_read, "version",
                          (json_int_t)(d->status == LIB_APPROVED ? d->approved_version
                                                                 : d->version));
    json_object_set_new(o, "has_version", json_boolean(d->version > 0));
    json_object_set_new(o, "review_h", json_string(d->review_on ? lib_day_text(r->arena, d->review_on) : ""));
    json_object_set_new(o, "code", json_string(d->code));
    json_object_set_new(o, "pending", json_boolean(d->status == LIB_APPROVED &&
                                                   d->version > d->approved_version));
    return o;
}

/* --- the list ------------------------------------------------------------------ */

static json_t *code_options(req_t *r, const char *const *codes, const char *prefix,
                            const char *all_msgid, const char *chosen)
{
    json_t *opts = json_array();
    json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", "", "label", T(r, all_msgid),
                                          "selected", chosen == NULL));
    for (int i = 0; codes[i]; i++)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                                              T(r, arena_printf(r->arena, "%s.%s", prefix, codes[i])),
                                              "selected", str_eq(chosen, codes[i])));
    return opts;
}

/* The list's URL with the filters of f (and offset when >= 0). */
static const char *list_url(req_t *r, const lib_filter_t *f, int64_t offset)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "/documents?");
    if (f->kind)
        buf_printf(&b, "kind=%s&", f->kind);
    if (f->status)
        buf_printf(&b, "status=%s&", f->status);
    if (f->node_id > 0)
        buf_printf(&b, "node_id=%lld&", (long long)f->node_id);
    if (f->to_read)
        buf_puts(&b, "to_read=1&");
    if (f->overdue)
        buf_puts(&b, "overdue=1&");
    if (f->q) {
        buf_puts(&b, "q=");
        app_url_encode(&b, f->q);
        buf_puts(&b, "&");
    }
    if (offset >= 0)
        buf_printf(&b, "offset=%lld", (long long)offset);
    else
        b.data[--b.len] = '\0';
    const char *s = arena_strdup(r->arena, b.data);
    buf_free(&b);
    return s;
}

void lib_page_list(req_t *r)
{
    json_t *errors = json_object();
    lib_filter_t f;
    lib_filter_read(r, errors, &f);
    int64_t limit = LIST_PAGE, offset = 0;
    v_paging(r, errors, &limit, &offset);
    int status = json_object_size(errors) ? 422 : 200;
    size_t n = 0;
    int64_t total = 0;
    lib_doc_t *rows = lib_query(r, &f, limit, offset, &n, &total);
    const char *today = lib_today(r->arena);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, lib_card(r, &rows[i], today));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Documents"))));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total", json_integer(total));
    json_t *creatable = lib_creatable_nodes(r, 0);
    json_object_set_new(m, "can_create", json_boolean(json_array_size(creatable) > 0));
    json_decref(creatable);
    json_object_set_new(m, "kind_options", code_options(r, lib_kinds, "doc_kind",
                                                        N_("Every kind"), f.kind));
    json_object_set_new(m, "status_options", code_options(r, lib_statuses, "doc_status",
                                                          N_("Every status"), f.status));
    json_t *nodes = nodes_options(r, PERM_ORG_READ, NODES_OPT_HOMES, f.node_id, NULL, NULL);
    if (!nodes)
        nodes = json_array();
    json_array_insert_new(nodes, 0, json_pack("{s:s, s:s, s:b}", "id", "", "label",
                                              T(r, N_("Everywhere")), "selected", f.node_id == 0));
    json_object_set_new(m, "node_options", nodes);
    json_object_set_new(m, "to_read", json_boolean(f.to_read));
    json_object_set_new(m, "overdue", json_boolean(f.overdue));
    json_object_set_new(m, "q", json_string(f.q ? f.q : ""));
    json_object_set_new(m, "filtered", json_boolean(f.kind || f.status || f.node_id || f.to_read ||
                                                    f.overdue || f.q));
    /* quick views */
    lib_filter_t quick;
    memset(&quick, 0, sizeof quick);
    quick.to_read = true;
    size_t qn = 0;
    int64_t n_to_read = 0, n_overdue = 0;
    bool works = false;
    for (int i = 0; r->user && i < r->user->n_roles && !works; i++) {
        role_t ro = r->user->roles[i].role;
        works = ro == ROLE_DIRECTOR || ro == ROLE_QUALITY_REFERENT || ro == ROLE_STAFF;
    }
    if (works)
        lib_query(r, &quick, 0, 0, &qn, &n_to_read);
    memset(&quick, 0, sizeof quick);
    quick.overdue = true;
    lib_query(r, &quick, 0, 0, &qn, &n_overdue);
    json_object_set_new(m, "works", json_boolean(works));
    json_object_set_new(m, "n_to_read", json_integer(n_to_read));
    json_object_set_new(m, "n_overdue", json_integer(n_overdue));
    int64_t last = offset + (int64_t)n;
    if (total > limit || offset > 0)
        json_object_set_new(
            m, "pager",
            json_pack("{s:s, s:o, s:o}", "label",
                      text_fill_numbers(r->arena, T(r, N_("%d–%d of %d")),
                                        (long long[]){n ? offset + 1 : 0, last, total}, 3),
                      "prev",
                      offset > 0 ? json_string(list_url(r, &f, offset > limit ? offset - limit : 0))
                                 : json_null(),
                      "next", last < total ? json_string(list_url(r, &f, last)) : json_null()));
    else
        json_object_set_new(m, "pager", json_null());
    model_form_errors_take(r, m, errors);
    page_render(r, status, "library/list", m);
}

/* --- one document ---------------------------------------------------------------- */

static json_t *crumbs(req_t *r)
{
    return json_pack("[{s:s, s:s}]", "label", T(r, N_("Documents")), "href", "/documents");
}

static json_t *versions_model(req_t *r, const lib_doc_t *d, lib_access_t a)
{
    int64_t max = a >= LIB_WRITE ? 0 : d->approved_version > 0 ? d->approved_version : -1;
    size_t n = 0;
    lib_version_t *v = max >= 0 ? lib_versions(r->db, r->arena, d->id, max, &n) : NULL;
    json_t *list = json_array();
    for (size_t k = n; k-- > 0;) {
        char size_h[32], when[32];
        attach_size_text(v[k].size, r->lang, size_h, sizeof size_h);
        format_local_date(v[k].created_at, when, sizeof when);
        const char *who = lib_user_name(r, v[k].created_by);
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "number",
                            (json_int_t)v[k].number, "filename", v[k].filename, "size_h", size_h,
                            "note", v[k].note, "when", when, "who", who ? who : "", "href",
                            arena_printf(r->arena, "/documents/%lld/versions/%lld/file",
                                         (long long)d->id, (long long)v[k].number),
                            "current", v[k].number == d->approved_version && d->status == LIB_APPROVED,
                            "pending", v[k].number > d->approved_version));
    }
    return list;
}

/* The version readers get (the approved one), or the latest for writers
 * of a document not approved yet. */
static json_t *current_model(req_t *r, const lib_doc_t *d, lib_access_t a)
{
    int64_t number = d->status == LIB_APPROVED ? d->approved_version
                                               : (a >= LIB_WRITE ? d->version : 0);
    lib_version_t v;
    if (number <= 0 || lib_version_load(r->db, r->arena, d->id, number, &v) != 0)
        return json_null();
    char size_h[32], when[32];
    attach_size_text(v.size, r->lang, size_h, sizeof size_h);
    format_local_date(d->status == LIB_APPROVED && d->approved_at ? d->approved_at : v.created_at,
                      when, sizeof when);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "number", (json_int_t)v.number, "filename",
                     v.filename, "size_h", size_h, "when", when, "href",
                     arena_printf(r->arena, "/documents/%lld/versions/%lld/file", (long long)d->id,
                                  (long long)v.number),
                     "approved", d->status == LIB_APPROVED);
}

static json_t *transitions_model(req_t *r, const lib_doc_t *d, lib_access_t a)
{
    json_t *list = json_array();
    if (a < LIB_WRITE)
        return list;
    const char *next[3];
    size_t n = lib_transitions(d, next);
    for (size_t k = 0; k < n; k++) {
        const char *label, *confirm = "";
        bool secondary = true;
        if (str_eq(next[k], "approved")) {
            if (a < LIB_APPROVE)
                continue;
            label = d->status == LIB_APPROVED
                        ? TF(r, N_("Approve version %d"), d->version, 0)
                        : (d->version > 1 ? TF(r, N_("Approve version %d"), d->version, 0)
                                          : T(r, N_("Approve the document")));
            secondary = false;
        } else if (str_eq(next[k], "archived")) {
            label = T(r, N_("Archive"));
            confirm = T(r, N_("Archive this document? Readers will no longer see it."));
        } else {
            label = T(r, N_("Put back as a draft"));
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:s, s:b}", "code", next[k], "label",
                                              label, "secondary", secondary, "confirm", confirm,
                                              "has_confirm", *confirm != '\0'));
    }
    return list;
}

/* The reader's acknowledgement: whether they are asked, and what they did. */
static json_t *ack_model(req_t *r, const lib_doc_t *d)
{
    bool can = d->status == LIB_APPROVED && d->approved_version > 0 && r->user &&
               lib_works_within(r, d->node_path);
    int64_t at = can ? lib_acked_at(r->db, d->id, d->approved_version, r->user->id) : 0;
    const char *done = "", *before = "";
    if (at > 0) {
        char day[32];
        format_local_date(at, day, sizeof day);
        done = text_fill_strings(r->arena, T(r, N_("You read version %s on %s.")),
                                 (const char *[]){app_number(r, d->approved_version), day}, 2);
    } else if (can) {
        /* an older version read: say that this one asks again */
        db_res_t *res = db_query(r->db,
                                 "SELECT version, at FROM document_acks WHERE document_id = ?"
                                 " AND user_id = ? ORDER BY version DESC LIMIT 1",
                                 PARAMS(P_INT(d->id), P_INT(r->user->id)));
        if (res && db_next(res)) {
            char day[32];
            format_local_date(db_int(res, 1), day, sizeof day);
            before = text_fill_strings(
                r->arena, T(r, N_("You read version %s on %s; version %s changed it: read it again.")),
                (const char *[]){app_number(r, db_int(res, 0)), day,
                                 app_number(r, d->approved_version)},
                3);
        }
        db_res_free(res);
    }
    return json_pack("{s:b, s:b, s:s, s:s, s:b, s:s}", "asked", can && at == 0, "done", at > 0,
                     "done_text", done, "before", before, "has_before", *before != '\0', "action",
                     arena_printf(r->arena, "/documents/%lld/ack", (long long)d->id));
}

/* Who has read the approved version: the workers of the document's
 * establishment for its writers; for a shared document, those of the
 * establishment the reader directs (or is the referent of). */
static json_t *readers_model(req_t *r, const lib_doc_t *d, lib_access_t a)
{
    if (d->status != LIB_APPROVED || d->approved_version < 1)
        return json_null();
    const char *eps_path = NULL;
    if (lib_path_depth(d->node_path) == 3) {
        if (a >= LIB_WRITE)
            eps_path = d->node_path;
    } else {
        int64_t now = now_utc();
        for (int i = 0; r->user && i < r->user->n_roles && !eps_path; i++) {
            const role_assignment_t *ra = &r->user->roles[i];
            if (authz_role_live(ra, now) && ra->node_kind == NODE_EPS && ra->node_path &&
                (ra->role == ROLE_DIRECTOR || ra->role == ROLE_QUALITY_REFERENT) &&
                nodes_path_within(ra->node_path, d->node_path))
                eps_path = ra->node_path;
        }
    }
    if (!eps_path) {
        if (a < LIB_WRITE)
            return json_null();
        int64_t n = lib_ack_count(r->db, d->id, d->approved_version);
        return json_pack("{s:b, s:s}", "per_eps", 0, "count_text",
                         TF(r, N_("Acknowledgements of the current version: %d."), n, 0));
    }
    json_t *m = lib_readers(r, d, eps_path);
    int64_t path_ids[NODES_PATH_MAX];
    int np = nodes_path_parse(eps_path, path_ids, NODES_PATH_MAX);
    json_object_set_new(m, "per_eps", json_true());
    json_object_set_new(m, "eps", json_string(np > 0 ? nodes_label(r->db, r->arena, r->lang,
                                                                   path_ids[np - 1])
                                                     : ""));
    json_object_set_new(m, "version", json_integer(d->approved_version));
    return m;
}

json_t *lib_show_model(req_t *r, const lib_doc_t *d, json_t *errors)
{
    lib_access_t a = lib_access(r, d->node_path);
    const char *today = lib_today(r->arena);
    const char *tl = title_lang(d, r->lang);
    const char *other = str_eq(tl, "ar") ? d->title_fr : d->title_ar;
    const char *href = arena_printf(r->arena, "/documents/%lld", (long long)d->id);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(lib_title(d, r->lang)));
    json_object_set_new(m, "title_lang", json_string(tl));
    json_object_set_new(m, "other_title", json_string(other ? other : ""));
    json_object_set_new(m, "other_lang", json_string(str_eq(tl, "ar") ? "fr" : "ar"));
    json_object_set_new(m, "crumbs", crumbs(r));
    json_object_set_new(m, "href", json_string(href));
    json_object_set_new(m, "doc_href", json_string(href));
    json_object_set_new(m, "code", json_string(d->code));
    json_object_set_new(m, "kind_label", json_string(lib_kind_label(r, d->kind)));
    json_object_set_new(m, "status_label", json_string(lib_status_label(r, d->status)));
    json_object_set_new(m, "tone", json_string(tone(d->status)));
    json_object_set_new(m, "node", json_string(place(r, d)));
    json_object_set_new(m, "node_href", json_string(nodes_href(r, d->node_id)));
    json_object_set_new(m, "national", json_boolean(lib_path_depth(d->node_path) == 1));
    const char *owner = lib_user_name(r, d->owner_id);
    json_object_set_new(m, "owner", json_string(owner ? owner : ""));
    json_object_set_new(m, "review_h",
                        json_string(d->review_on ? lib_day_text(r->arena, d->review_on) : ""));
    json_object_set_new(m, "overdue", json_boolean(lib_overdue(d, today)));
    json_object_set_new(m, "summary", json_string(d->summary));
    json_object_set_new(m, "draft", json_boolean(d->status == LIB_DRAFT));
    json_object_set_new(m, "archived", json_boolean(d->status == LIB_ARCHIVED));
    json_object_set_new(m, "pending", json_boolean(d->status == LIB_APPROVED &&
                                                   d->version > d->approved_version));
    json_object_set_new(m, "latest", json_integer(d->version));
    json_object_set_new(m, "rev", json_integer(d->rev));
    json_object_set_new(m, "current", current_model(r, d, a));
    json_t *versions = versions_model(r, d, a);
    json_object_set_new(m, "has_versions", json_boolean(json_array_size(versions) > 0));
    json_object_set_new(m, "versions", versions);
    bool can_write = a >= LIB_WRITE && d->status != LIB_ARCHIVED;
    json_object_set_new(m, "can_write", json_boolean(can_write));
    json_object_set_new(m, "can_approve", json_boolean(a >= LIB_APPROVE));
    json_t *moves = transitions_model(r, d, a);
    json_t *readers = readers_model(r, d, a);
    json_object_set_new(m, "has_side", json_boolean(json_array_size(moves) > 0 ||
                                                    !json_is_null(readers) || a >= LIB_WRITE));
    json_object_set_new(m, "transitions", moves);
    json_object_set_new(m, "ack", ack_model(r, d));
    json_object_set_new(m, "readers", readers);
    json_t *crit = lib_criteria_json(r, d);
    json_object_set_new(m, "has_criteria", json_boolean(json_array_size(crit) > 0));
    json_object_set_new(m, "criteria", crit);
    json_object_set_new(m, "criterion_options",
                        can_write ? lib_criterion_options(r) : json_array());
    json_object_set_new(m, "history",
                        a >= LIB_WRITE ? audit_history(r, "document", d->id, 50) : json_array());
    json_object_set_new(m, "show_history", json_boolean(a >= LIB_WRITE));
    json_object_set_new(m, "upload_open",
                        json_boolean(errors && (json_object_get(errors, "file") ||
                                                json_object_get(errors, "note") ||
                                                json_object_get(errors, "approve"))));
    json_object_set_new(m, "link_open",
                        json_boolean(errors && json_object_get(errors, "criterion")));
    model_form_errors_take(r, m, errors);
    return m;
}

void lib_page_show(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (d)
        page_render(r, 200, "library/show", lib_show_model(r, d, NULL));
}

void lib_page_file(req_t *r)
{
    lib_doc_t *d = lib_of_route(r, LIB_READ);
    if (d)
        lib_send_version(r, d);
}
