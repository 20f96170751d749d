/* ref_api.c - the référentiels' JSON API: the list, import (a JSON
 * jouda-referentiel/1 document or a text/csv body), the document in both
 * forms, and the life of a version (publish, archive, new version). */
#include "ref_internal.h"

#include <string.h>

json_t *ref_problems_json(req_t *r, const ref_problems_t *p, bool csv)
{
    json_t *out = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const ref_problem_t *e = &p->v[i];
        const char *msg = T(r, e->msgid);
        if (e->arg)
            msg = text_fill_strings(r->arena, msg, &e->arg, 1);
        json_t *o = json_object();
        if (csv && e->line > 0) {
            json_object_set_new(o, "line", json_integer(e->line));
            json_object_set_new(o, "column", json_string(e->column ? e->column : ""));
        } else {
            if (e->code)
                json_object_set_new(o, "code", json_string(e->code));
            json_object_set_new(o, "field",
                                json_string(e->field ? e->field : e->column ? e->column : ""));
        }
        json_object_set_new(o, "message", json_string(msg));
        json_array_append_new(out, o);
    }
    return out;
}

static void send_problems(req_t *r, const ref_problems_t *p, bool csv)
{
    json_t *err = json_pack("{s:s, s:s, s:o}", "code", "invalid", "message",
                            T(r, N_("The référentiel was not imported: correct these problems and "
                                    "send it again.")),
                            "problems", ref_problems_json(r, p, csv));
    api_send(r, 422, json_pack("{s:o}", "error", err));
}

/* --- The list ------------------------------------------------------------ */

json_t *ref_list_json(req_t *r, const char *status, const char *q, bool api)
{
    buf_t sql;
    buf_init(&sql);
    db_param_t params[40];
    int np = 0;
    buf_puts(&sql, "SELECT ");
    buf_puts(&sql, ref_cols());
    buf_puts(&sql, " FROM referentiels WHERE (status <> 'draft' OR ");
    app_scope_sql(r, PERM_QUALITY_WRITE, "node_path", &sql, params, &np, 30);
    buf_puts(&sql, ")");
    if (status) {
        buf_puts(&sql, " AND status = ?");
        params[np++] = P_TEXT(status);
    }
    buf_puts(&sql, " ORDER BY code, version DESC, id");
    db_res_t *res = db_query(r->db, sql.data, params, np);
    buf_free(&sql);
    if (!res)
        return NULL;
    json_t *items = json_array();
    char *fq = q && *q ? text_fold(q) : NULL;
    while (db_next(res)) {
        ref_t ref;
        ref_from_row(r->arena, res, &ref);
        if (fq) {
            const char *fields[] = {ref.code, ref.title_fr, ref.title_ar, ref.title_en};
            char *key = text_fold_key(fields, 4);
            bool hit = text_fold_match(key, q);
            free(key);
            if (!hit)
                continue;
        }
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ref.id));
        json_object_set_new(o, "code", json_string(ref.code));
        json_object_set_new(o, "version", json_integer(ref.version));
        json_object_set_new(o, "title_fr", json_str_or_null(ref.title_fr));
        json_object_set_new(o, "title_ar", json_str_or_null(ref.title_ar));
        json_object_set_new(o, "title_en", json_str_or_null(ref.title_en));
        json_object_set_new(o, "scale", json_string(ref.scale));
        json_object_set_new(o, "status", json_string(ref_status_code(ref.status)));
        json_object_set_new(o, "criteria", json_integer(ref.n_criteria));
        json_object_set_new(o, "node_id", json_integer(ref.node_id));
        json_object_set_new(o, "created_at", json_integer(ref.created_at));
        json_object_set_new(o, "published_at", json_integer(ref.published_at));
        if (!api) {
            bool fb = false;
            json_object_set_new(o, "title",
                                json_string(ref_title(r, ref.title_fr, ref.title_ar,
                                                      ref.title_en, &fb)));
            json_object_set_new(o, "title_fallback", json_boolean(fb));
            json_object_set_new(o, "href",
                                json_string(arena_printf(r->arena, "/referentiels/%lld",
                                                         (long long)ref.id)));
            json_object_set_new(o, "status_label",
                                json_string(T(r, arena_printf(r->arena, "ref_status.%s",
                                                              ref_status_code(ref.status)))));
            json_object_set_new(o, "is_draft", json_boolean(ref.status == REF_DRAFT));
            json_object_set_new(o, "is_published", json_boolean(ref.status == REF_PUBLISHED));
            json_object_set_new(o, "criteria_h", json_string(app_number(r, ref.n_criteria)));
        }
        json_array_append_new(items, o);
    }
    free(fq);
    int st = db_res_status(res);
    db_res_free(res);
    if (st != DB_OK) {
        json_decref(items);
        return NULL;
    }
    return items;
}

static const char *const statuses[] = {"draft", "published", "archived", NULL};

void ref_api_list(req_t *r)
{
    json_t *errors = json_object();
    const char *status = req_query(r, "status");
    if (status && !str_in(statuses, status))
        v_error(errors, "status", N_("Unknown status."));
    const char *q = req_query(r, "q");
    if (q && (!utf8_valid(q, strlen(q)) || utf8_count(q) > 100))
        v_error(errors, "q", N_("At most 100 characters."));
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    json_decref(errors);
    json_t *items = ref_list_json(r, status, q, true);
    if (!items) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    static const char *const times[] = {"created_at", "published_at", NULL};
    api_times_iso(items, times);
    json_t *out = json_object();
    json_object_set_new(out, "total", json_integer((json_int_t)json_array_size(items)));
    json_object_set_new(out, "items", items);
    api_send(r, 200, out);
}

/* --- Import -------------------------------------------------------------- */

/* The owner of a new référentiel: ?node_id= when given (a root or an
 * association where the reader manages quality), else their own. 0 and the
 * response set when refused. */
static int64_t import_owner(req_t *r, const char *given, const char **path)
{
    if (given) {
        int64_t id = 0;
        if (!str_to_i64(given, &id) || id <= 0) {
            json_t *e = json_object();
            v_error(e, "node_id", N_("Enter a whole number."));
            app_fail(r, RES_INVALID, NULL, e);
            return 0;
        }
        char *p = app_node_path(r->db, id);
        if (!p || !app_can_at_path(r, PERM_QUALITY_READ, p)) {
            free(p);
            app_fail(r, RES_NOT_FOUND, NULL, NULL);
            return 0;
        }
        int slashes = 0;
        for (const char *s = p; *s; s++)
            slashes += *s == '/';
        bool fits = slashes <= 3; /* "/1/" or "/1/4/" */
        bool can = app_can_at_path(r, PERM_QUALITY_WRITE, p);
        *path = arena_strdup(r->arena, p);
        free(p);
        if (!can || !fits) {
            app_fail(r, RES_FORBIDDEN,
                     fits ? N_("Only administrators and quality advisors manage référentiels.")
                          : N_("A référentiel belongs to the platform or to an association."),
                     NULL);
            return 0;
        }
        return id;
    }
    int64_t id = ref_home_node(r, path);
    if (!id)
        app_fail(r, RES_FORBIDDEN, N_("Only administrators and quality advisors manage référentiels."),
                 NULL);
    return id;
}

void ref_api_create(req_t *r)
{
    bool csv = http_media_is(r->http->content_type, "text/csv");
    if (!csv && !api_body_object(r))
        return;
    const char *path = NULL;
    int64_t owner = import_owner(r, req_query(r, "node_id"), &path);
    if (!owner)
        return;
    ref_doc_t doc;
    ref_problems_t problems = {0};
    bool ok;
    if (csv) {
        ok = ref_doc_from_csv(r->arena, r->http->body, r->http->body_len, req_query(r, "code"),
                              req_query(r, "version"), req_query(r, "title_fr"),
                              req_query(r, "title_ar"), &doc, &problems);
    } else {
        ok = ref_doc_from_json(r->arena, r->json, &doc, &problems);
    }
    if (!ok) {
        send_problems(r, &problems, csv);
        return;
    }
    int64_t id = 0;
    res_t rc = ref_store_doc(r->db, r->arena, owner, path, r->user->id, req_ip(r), &doc, REF_DRAFT,
                             &id);
    if (rc == RES_CONFLICT) {
        app_fail(r, RES_CONFLICT,
                 N_("A référentiel with this code and version exists already: give the new one "
                    "another version number."),
                 NULL);
        return;
    }
    if (rc != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *out = json_pack("{s:I, s:s, s:I, s:s, s:I}", "id", (json_int_t)id, "code", doc.code,
                            "version", (json_int_t)doc.version, "status", "draft", "criteria",
                            (json_int_t)doc.n_criteria);
    http_add_header(r->http, "Location", arena_printf(r->arena, "/api/v1/referentiels/%lld",
                                                      (long long)id));
    api_send(r, 201, out);
}

/* --- One référentiel ----------------------------------------------------- */

void ref_api_get(req_t *r)
{
    ref_t *ref = ref_of_route(r, false);
    if (!ref)
        return;
    ref_doc_t doc;
    if (ref_load_doc(r->db, r->arena, ref->id, &doc) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_send(r, 200, ref_doc_to_json(&doc));
}

void ref_api_get_csv(req_t *r)
{
    ref_t *ref = ref_of_route(r, false);
    if (!ref)
        return;
    ref_doc_t doc;
    if (ref_load_doc(r->db, r->arena, ref->id, &doc) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    /* leaves are known from the stored rows */
    buf_t b;
    buf_init(&b);
    buf_append(&b, "\xEF\xBB\xBF", 3); /* spreadsheets then read UTF-8 */
    ref_doc_to_csv(&doc, &b);
    http_add_header(r->http, "Content-Disposition",
                    arena_printf(r->arena, "attachment; filename=\"%s-v%lld.csv\"", ref->code,
                                 (long long)ref->version));
    http_respond(r->http, 200, "text/csv; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

static void send_status_result(req_t *r, const ref_t *ref, res_t rc, const char *conflict)
{
    if (rc == RES_OK) {
        ref_t now;
        if (ref_load(r->db, r->arena, ref->id, &now) != 0) {
            app_fail(r, RES_ERROR, NULL, NULL);
            return;
        }
        api_send(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)now.id, "status",
                                   ref_status_code(now.status)));
        return;
    }
    app_fail(r, rc, rc == RES_CONFLICT ? conflict : NULL, NULL);
}

void ref_api_publish(req_t *r)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return;
    res_t rc = ref_set_status(r->db, r->user->id, req_ip(r), ref, REF_PUBLISHED);
    send_status_result(r, ref, rc, N_("Only a draft or an archived version can be published."));
}

void ref_api_archive(req_t *r)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return;
    res_t rc = ref_set_status(r->db, r->user->id, req_ip(r), ref, REF_ARCHIVED);
    send_status_result(r, ref, rc, N_("Only a published version can be archived."));
}

void ref_api_new_version(req_t *r)
{
    ref_t *ref = ref_of_route(r, true);
    if (!ref)
        return;
    int64_t id = 0;
    res_t rc = ref_new_version(r->db, r->arena, r->user->id, req_ip(r), ref, &id);
    if (rc != RES_OK) {
        app_fail(r, rc, NULL, NULL);
        return;
    }
    ref_t made;
    if (ref_load(r->db, r->arena, id, &made) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    api_send(r, 201, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)id, "code", made.code,
                               "version", (json_int_t)made.version, "status", "draft"));
}
