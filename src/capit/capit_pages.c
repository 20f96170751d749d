/* capit_pages.c - the library of sheets (cards filtered by theme,
 * establishment, status and language in the URL, the writer's own drafts,
 * paged), a sheet's reading page (its texts as headings and paragraphs,
 * the results' indicators as a table, links to criteria, actions and
 * documents, files, versions, the workflow's buttons, its history) and the
 * download of its files. Forms are in capit_form.c. */
#include "capit_internal.h"

#include <string.h>

#include "../attach/attach.h"

static json_t *crumbs(req_t *r)
{
    return json_pack("[{s:s, s:s}]", "label", T(r, N_("Capitalisation")), "href", "/sheets");
}

/* A short plain excerpt of Markdown text (about max characters, cut at a
 * word). */
static const char *excerpt(req_t *r, const char *md, size_t max)
{
    if (!md || !*md)
        return "";
    json_t *blocks = md_blocks(md, strlen(md));
    char *plain = md_plain(blocks);
    json_decref(blocks);
    for (char *p = plain; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    const char *out = plain;
    if (utf8_count(plain) > max) {
        size_t bytes = 0, chars = 0;
        while (plain[bytes] && chars < max) {
            bytes++;
            while ((plain[bytes] & 0xc0) == 0x80)
                bytes++;
            chars++;
        }
        size_t cut = bytes;
        while (cut > bytes / 2 && plain[cut] != ' ')
            cut--;
        out = arena_printf(r->arena, "%.*s…", (int)(cut > bytes / 2 ? cut : bytes), plain);
    } else {
        out = arena_strdup(r->arena, plain);
    }
    free(plain);
    return out;
}

static json_t *card(req_t *r, const sheet_t *s, const char *snippet)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:s}", "id",
                          (json_int_t)s->id, "href", cap_sheet_href(r->arena, s->id), "title",
                          s->title, "eps", cap_eps_label(r, s), "theme_label",
                          cap_theme_label(r, s->theme), "status_label",
                          cap_status_label(r, s->status), "tone", cap_status_tone(s->status),
                          "lang", s->lang, "version", (json_int_t)s->version, "lang_label",
                          T(r, arena_printf(r->arena, "lang.%s", s->lang)), "when",
                          cap_date_text(r, s->status == CAP_PUBLISHED ? s->published_at
                                                                      : s->updated_at),
                          "published", s->status == CAP_PUBLISHED, "excerpt",
                          snippet ? snippet : "");
    json_object_set_new(o, "later", json_boolean(s->version > 1));
    json_object_set_new(o, "eps_href", json_null());
    if (s->eps_id > 0)
        json_object_set_new(o, "eps_href",
                            json_string(arena_printf(r->arena, "/sheets?node_id=%lld",
                                                     (long long)s->eps_id)));
    return o;
}

static json_t *options(req_t *r, const char *const *codes, const char *prefix, const char *chosen,
                       const char *all_msgid)
{
    json_t *opts = json_array();
    json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", "", "label", T(r, all_msgid),
                                          "selected", chosen == NULL));
    for (size_t i = 0; codes[i]; i++)
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "code", codes[i], "label",
                                              T(r, arena_printf(r->arena, "%s.%s", prefix, codes[i])),
                                              "selected", str_eq(chosen, codes[i])));
    return opts;
}

/* The lessons' first words for the cards, read apart in one query (the
 * list reads no long text). */
static json_t *excerpts(req_t *r, const sheet_t *rows, size_t n)
{
    json_t *out = json_object();
    if (n == 0)
        return out;
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT id, substr(lessons, 1, 400) FROM sheets WHERE id IN (");
    db_param_t *params = arena_alloc(r->arena, n * sizeof *params);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&sql, i ? ", ?" : "?");
        params[i] = P_INT(rows[i].id);
    }
    buf_puts(&sql, ") ORDER BY id");
    db_res_t *res = db_query(r->db, sql.data, params, (int)n);
    buf_free(&sql);
    while (res && db_next(res))
        json_object_set_new(out, arena_printf(r->arena, "%lld", (long long)db_int(res, 0)),
                            json_string(excerpt(r, db_text(res, 1), 170)));
    db_res_free(res);
    return out;
}

void cap_page_list(req_t *r)
{
    json_t *errors = json_object();
    cap_filter_t f;
    cap_filter_read(r, errors, &f);
    int64_t limit = CAP_PAGE, offset = 0;
    v_paging(r, errors, &limit, &offset);
    if (!req_query(r, "limit"))
        limit = CAP_PAGE; /* cards: fewer than a table's rows */
    int status = json_object_size(errors) ? 422 : 200;
    if (status == 422)
        memset(&f, 0, sizeof f);
    size_t n = 0;
    int64_t total = 0;
    sheet_t *rows = cap_query(r, &f, limit, offset, &n, &total);
    json_t *ex = excerpts(r, rows, n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            items, card(r, &rows[i],
                        json_string_value(json_object_get(
                            ex, arena_printf(r->arena, "%lld", (long long)rows[i].id)))));
    json_decref(ex);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Capitalisation"))));
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "total", json_integer(total));
    json_t *writable = cap_writable_eps(r, 0);
    bool can_write = json_array_size(writable) > 0;
    json_decref(writable);
    json_object_set_new(m, "can_create", json_boolean(can_write));
    bool inner = app_user_can_anywhere(r, PERM_QUALITY_READ);
    static const char *const public_codes[] = {"published", "superseded", NULL};
    static const char *const all_codes[] = {"published", "review", "draft", "superseded", NULL};
    json_object_set_new(m, "status_options",
                        options(r, inner ? all_codes : public_codes, "cap_status", f.status,
                                inner ? N_("Published and being written")
                                      : N_("Published")));
    json_object_set_new(m, "theme_options", options(r, cap_themes, "cap_theme", f.theme, N_("Every theme")));
    json_object_set_new(m, "lang_options", options(r, cap_langs, "lang", f.lang, N_("Both languages")));
    json_object_set_new(m, "q", json_string(f.q ? f.q : ""));
    json_object_set_new(m, "mine", json_boolean(f.mine));
    json_object_set_new(m, "can_mine", json_boolean(can_write));
    json_object_set_new(m, "node_id", json_integer(f.node_id));
    json_object_set_new(m, "node_name", json_null());
    if (f.node_id > 0) {
        const char *l = nodes_label(r->db, r->arena, r->lang, f.node_id);
        json_object_set_new(m, "node_name", json_string(l && *l ? l : "—"));
    }
    json_object_set_new(m, "documents_href", json_null());
    if (app_entity("document"))
        json_object_set_new(m, "documents_href", json_string("/documents"));
    /* the filters kept in every link of the pager */
    buf_t qb;
    buf_init(&qb);
    buf_puts(&qb, "/sheets?theme=");
    buf_puts(&qb, f.theme ? f.theme : "");
    buf_puts(&qb, "&status=");
    buf_puts(&qb, f.status ? f.status : "");
    buf_puts(&qb, "&lang_filter=");
    buf_puts(&qb, f.lang ? f.lang : "");
    if (f.node_id > 0)
        buf_printf(&qb, "&node_id=%lld", (long long)f.node_id);
    if (f.mine)
        buf_puts(&qb, "&mine=1");
    buf_puts(&qb, "&q=");
    if (f.q)
        app_url_encode(&qb, f.q);
    const char *no_node = NULL;
    {
        /* the same without the establishment: the chip's remove link */
        buf_t nb;
        buf_init(&nb);
        buf_printf(&nb, "/sheets?theme=%s&status=%s&lang_filter=%s%s&q=", f.theme ? f.theme : "",
                   f.status ? f.status : "", f.lang ? f.lang : "", f.mine ? "&mine=1" : "");
        if (f.q)
            app_url_encode(&nb, f.q);
        no_node = arena_strdup(r->arena, nb.data);
        buf_free(&nb);
    }
    json_object_set_new(m, "no_node_href", json_string(no_node));
    buf_puts(&qb, "&offset=");
    const char *base = arena_strdup(r->arena, qb.data);
    buf_free(&qb);
    int64_t last = offset + (int64_t)n;
    if (total > limit)
        json_object_set_new(
            m, "pager",
            json_pack("{s:s, s:o, s:o}", "label",
                      text_fill_numbers(r->arena, T(r, N_("%d–%d of %d")),
                                        (long long[]){n ? offset + 1 : 0, last, total}, 3),
                      "prev",
                      offset > 0 ? json_string(arena_printf(r->arena, "%s%lld", base,
                                                            (long long)(offset > limit ? offset - limit : 0)))
                                 : json_null(),
                      "next",
                      last < total ? json_string(arena_printf(r->arena, "%s%lld", base, (long long)last))
                                   : json_null()));
    else
        json_object_set_new(m, "pager", json_null());
    json_object_set_new(m, "filtered", json_boolean(f.theme || f.status || f.lang || f.q ||
                                                    f.node_id > 0 || f.mine));
    json_object_set_new(m, "more_open", json_boolean(f.theme || f.status || f.lang || f.mine ||
                                                     json_object_size(errors) > 0));
    model_form_errors_take(r, m, errors);
    page_render(r, status, "capit/list", m);
}

/* --- one sheet ----------------------------------------------------------------- */

static json_t *sections_model(req_t *r, const sheet_t *s)
{
    json_t *list = json_array();
    for (int i = 0; i < CAP_NTEXT; i++) {
        bool results = i == CAP_T_RESULTS;
        json_t *ind = results ? cap_indicators_json(s) : json_array();
        if (!*s->text[i] && json_array_size(ind) == 0) {
            json_decref(ind);
            continue;
        }
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:o, s:b, s:o, s:b}", "key", cap_text_fields[i], "heading",
                            T(r, cap_text_labels[i]), "blocks",
                            md_blocks(s->text[i], strlen(s->text[i])), "has_text", *s->text[i] != 0,
                            "indicators", ind, "has_indicators", json_array_size(ind) > 0));
    }
    return list;
}

static json_t *versions_model(req_t *r, const sheet_t *s)
{
    json_t *v = cap_versions(r, s);
    size_t i;
    json_t *o;
    json_array_foreach(v, i, o) {
        int st = cap_status_from_code(json_string_value(json_object_get(o, "status")));
        int64_t id = json_integer_value(json_object_get(o, "id"));
        json_object_set_new(o, "href", json_string(cap_sheet_href(r->arena, id)));
        json_object_set_new(o, "status_label", json_string(cap_status_label(r, (cap_status_t)st)));
        json_object_set_new(o, "tone", json_string(cap_status_tone((cap_status_t)st)));
        json_object_set_new(o, "current", json_boolean(id == s->id));
        int64_t when = json_integer_value(json_object_get(o, st == CAP_DRAFT || st == CAP_REVIEW
                                                                 ? "updated_at"
                                                                 : "published_at"));
        json_object_set_new(o, "when", json_string(cap_date_text(r, when)));
    }
    return v;
}

void cap_page_show(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_READ);
    if (!s)
        return;
    cap_access_t acc = cap_access(r, s->node_path, s->status);
    bool may_write = acc >= CAP_WRITE, may_publish = acc == CAP_PUBLISH;
    bool inner = may_write || app_can_at_path(r, PERM_QUALITY_READ, s->node_path);
    json_t *m = card(r, s, NULL);
    json_object_set_new(m, "crumbs", crumbs(r));
    json_object_set_new(m, "code", json_string(s->code));
    json_object_set_new(m, "status", json_string(cap_status_code(s->status)));
    json_object_set_new(m, "is_draft", json_boolean(s->status == CAP_DRAFT));
    json_object_set_new(m, "in_review", json_boolean(s->status == CAP_REVIEW));
    json_object_set_new(m, "is_published", json_boolean(s->status == CAP_PUBLISHED));
    json_object_set_new(m, "is_superseded", json_boolean(s->status == CAP_SUPERSEDED));
    json_object_set_new(m, "is_open", json_boolean(s->status == CAP_DRAFT || s->status == CAP_REVIEW));
    json_object_set_new(m, "imported", json_boolean(s->imported));
    json_object_set_new(m, "rev", json_integer(s->rev));
    json_object_set_new(m, "sheet_lang", json_string(s->lang));
    json_object_set_new(m, "sheet_dir", json_string(str_eq(s->lang, "ar") ? "rtl" : "ltr"));
    json_object_set_new(m, "sections", sections_model(r, s));
    /* what the reader may do next */
    bool open = s->status == CAP_DRAFT || s->status == CAP_REVIEW;
    json_object_set_new(m, "can_edit", json_boolean(may_write && (open || s->status == CAP_PUBLISHED)));
    json_object_set_new(m, "edit_label",
                        json_string(T(r, s->status == CAP_PUBLISHED ? N_("Write a new version")
                                                                    : N_("Edit the sheet"))));
    json_object_set_new(m, "can_submit", json_boolean(s->status == CAP_DRAFT && may_write));
    json_object_set_new(m, "can_publish",
                        json_boolean(open && may_publish));
    json_object_set_new(m, "can_return", json_boolean(s->status == CAP_REVIEW && may_write));
    json_object_set_new(m, "can_upload", json_boolean(open && may_write));
    json_object_set_new(m, "has_workflow",
                        json_boolean(open && (may_write || may_publish)));
    json_object_set_new(m, "return_comment", json_str_or_null(s->return_comment));
    /* the other versions */
    json_object_set_new(m, "newer_href", json_null());
    json_object_set_new(m, "open_href", json_null());
    if (s->status == CAP_SUPERSEDED) {
        int64_t top = db_query_int(r->db,
                                   "SELECT id FROM sheets WHERE code = ? AND status = 'published'"
                                   " ORDER BY version DESC LIMIT 1",
                                   PARAMS(P_TEXT(s->code)), 0);
        if (top > 0)
            json_object_set_new(m, "newer_href", json_string(cap_sheet_href(r->arena, top)));
    }
    if (s->status == CAP_PUBLISHED && inner) {
        int64_t o = cap_open_version(r->db, s->code);
        if (o > 0)
            json_object_set_new(m, "open_href", json_string(cap_sheet_href(r->arena, o)));
    }
    json_t *versions = versions_model(r, s);
    json_object_set_new(m, "has_versions", json_boolean(json_array_size(versions) > 1));
    json_object_set_new(m, "versions", versions);
    /* who wrote it */
    json_t *authors = cap_authors_of(r->db, s->id);
    json_object_set_new(m, "has_authors", json_boolean(json_array_size(authors) > 0));
    json_object_set_new(m, "authors", authors);
    json_object_set_new(m, "authors_text", json_string(s->authors_text));
    json_object_set_new(m, "contributors", json_string(s->contributors));
    json_object_set_new(m, "published_on", json_string(cap_date_text(r, s->published_at)));
    json_object_set_new(m, "updated_on", json_string(cap_date_text(r, s->updated_at)));
    /* links */
    json_t *crit = cap_criteria_of(r->db, s->id);
    json_t *cv = cap_criteria_view(r, crit);
    json_decref(crit);
    json_t *ids = cap_ids_of(r->db, s->id, "action");
    json_t *av = cap_actions_view(r, ids);
    json_decref(ids);
    json_t *docs = cap_documents_of(r->db, s->id);
    json_t *dv = cap_documents_view(r, docs);
    json_decref(docs);
    json_object_set_new(m, "has_links", json_boolean(json_array_size(cv) + json_array_size(av) +
                                                         json_array_size(dv) > 0));
    json_object_set_new(m, "has_criteria", json_boolean(json_array_size(cv) > 0));
    json_object_set_new(m, "criteria", cv);
    json_object_set_new(m, "has_actions", json_boolean(json_array_size(av) > 0));
    json_object_set_new(m, "actions", av);
    json_object_set_new(m, "has_documents", json_boolean(json_array_size(dv) > 0));
    json_object_set_new(m, "documents", dv);
    /* files */
    json_t *files = attach_list_page(r, "sheet", s->id, 100, 0);
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
        json_object_set_new(f, "href",
                            json_string(arena_printf(r->arena, "/sheets/%lld/files/%lld",
                                                     (long long)s->id,
                                                     (long long)json_integer_value(json_object_get(f, "id")))));
    json_object_set_new(m, "has_files", json_boolean(json_array_size(files) > 0));
    json_object_set_new(m, "files", files);
    json_object_set_new(m, "show_history", json_boolean(inner));
    json_object_set_new(m, "history", inner ? audit_history(r, "sheet", s->id, 30) : json_array());
    page_render(r, 200, "capit/show", m);
}

/* --- its files ------------------------------------------------------------------- */

void cap_page_file(req_t *r)
{
    sheet_t *s = cap_of_route(r, CAP_READ);
    if (!s)
        return;
    /* a published sheet's files are for every reader of the library: the
     * sheet's rule decides, not the attachments' node permission */
    attach_file_t f;
    if (attach_read(r->db, r->arena, r->ids[1], false, &f) != 0 ||
        !str_eq(f.owner_kind, "sheet") || f.owner_id != s->id) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    attach_send(r, f.id);
}
