/* capit_links.c - what a sheet links to in other modules, through their
 * public calls only: criteria of published référentiels (ref.h: the
 * latest published version of a référentiel's code, its criteria), the
 * improvement actions the reader may know (the "action" entity), and the
 * library's documents by their code (the "document" entity when the
 * library registers it, else the code). */
#include "capit_internal.h"

#include <string.h>

#include "../ref/ref.h"

/* The latest published version of each référentiel the reader sees, with
 * its criteria when wanted: {code: {id, title, version, criteria: [[code,
 * title]...]}} and the codes in order in *order. */
static json_t *published_refs(req_t *r, bool with_criteria, json_t **order)
{
    json_t *refs = ref_list_json(r, "published", NULL, false);
    json_t *out = json_object();
    *order = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(refs, i, o) {
        const char *code = json_string_value(json_object_get(o, "code"));
        if (!code || json_object_get(out, code))
            continue; /* sorted newest version first */
        int64_t id = json_integer_value(json_object_get(o, "id"));
        json_t *e = json_pack("{s:I, s:s, s:I, s:o}", "id", (json_int_t)id, "title",
                              json_string_value(json_object_get(o, "title")), "version",
                              json_object_get(o, "version") ? json_integer_value(json_object_get(o, "version")) : 1,
                              "criteria", json_array());
        if (with_criteria) {
            size_t n = 0;
            ref_row_t *rows = ref_rows(r->db, r->arena, id, &n);
            json_t *crit = json_object_get(e, "criteria");
            for (size_t k = 0; rows && k < n; k++)
                if (rows[k].leaf) {
                    bool fb = false;
                    const char *t = ref_title(r, rows[k].title_fr, rows[k].title_ar,
                                              rows[k].title_en, &fb);
                    json_array_append_new(crit, json_pack("[s, s]", rows[k].code, t ? t : ""));
                }
        }
        json_object_set_new(out, code, e);
        json_array_append_new(*order, json_string(code));
    }
    json_decref(refs);
    return out;
}

static const char *criterion_title(json_t *ref, const char *crit)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(ref, "criteria"), i, c)
        if (str_eq(json_string_value(json_array_get(c, 0)), crit))
            return json_string_value(json_array_get(c, 1));
    return NULL;
}

bool cap_criteria_check(req_t *r, const cap_crit_t *crit, size_t n, int64_t sheet_id)
{
    if (n == 0)
        return true;
    json_t *order;
    json_t *refs = published_refs(r, true, &order);
    json_decref(order);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *ref = json_object_get(refs, crit[i].ref);
        if (ref && criterion_title(ref, crit[i].crit))
            continue;
        /* a link kept from before (a référentiel since archived) stays */
        ok = sheet_id > 0 &&
             db_query_int(r->db,
                          "SELECT COUNT(*) FROM sheet_links WHERE sheet_id = ? AND kind ="
                          " 'criterion' AND ref_code = ? AND item_code = ?",
                          PARAMS(P_INT(sheet_id), P_TEXT(crit[i].ref), P_TEXT(crit[i].crit)),
                          0) > 0;
    }
    json_decref(refs);
    return ok;
}

json_t *cap_criteria_view(req_t *r, json_t *criteria)
{
    json_t *out = json_array();
    if (json_array_size(criteria) == 0)
        return out;
    json_t *order;
    json_t *refs = published_refs(r, true, &order);
    json_decref(order);
    size_t i;
    json_t *c;
    json_array_foreach(criteria, i, c) {
        const char *rc = json_string_value(json_object_get(c, "referentiel"));
        const char *cc = json_string_value(json_object_get(c, "criterion"));
        json_t *ref = json_object_get(refs, rc);
        const char *title = ref ? criterion_title(ref, cc) : NULL;
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "referentiel", rc ? rc : "",
                              "criterion", cc ? cc : "", "title", title ? title : "",
                              "ref_title", ref ? json_string_value(json_object_get(ref, "title")) : "",
                              "href", json_null());
        if (ref && title)
            json_object_set_new(o, "href",
                                json_string(arena_printf(r->arena, "/referentiels/%lld#c-%s",
                                                         (long long)json_integer_value(
                                                             json_object_get(ref, "id")),
                                                         cc)));
        json_array_append_new(out, o);
    }
    json_decref(refs);
    return out;
}

json_t *cap_criteria_options(req_t *r, json_t *selected)
{
    json_t *order;
    json_t *refs = published_refs(r, true, &order);
    json_t *out = json_array();
    size_t i, k;
    json_t *code, *c, *s;
    json_array_foreach(order, i, code) {
        json_t *ref = json_object_get(refs, json_string_value(code));
        json_t *items = json_array();
        int checked = 0;
        json_array_foreach(json_object_get(ref, "criteria"), k, c) {
            const char *cc = json_string_value(json_array_get(c, 0));
            bool on = false;
            size_t j;
            json_array_foreach(selected, j, s)
                on = on || (str_eq(json_string_value(json_object_get(s, "referentiel")),
                                   json_string_value(code)) &&
                            str_eq(json_string_value(json_object_get(s, "criterion")), cc));
            checked += on;
            json_array_append_new(
                items, json_pack("{s:s, s:s, s:s, s:b, s:s}", "value",
                                 arena_printf(r->arena, "%s|%s", json_string_value(code), cc),
                                 "code", cc, "title", json_string_value(json_array_get(c, 1)),
                                 "checked", on, "input_id",
                                 arena_printf(r->arena, "f-crit-%zu-%zu", i, k)));
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:i, s:o}", "code",
                                             json_string_value(code), "title",
                                             json_string_value(json_object_get(ref, "title")),
                                             "open", checked > 0, "checked_count", checked,
                                             "items", items));
    }
    json_decref(order);
    json_decref(refs);
    return out;
}

json_t *cap_actions_view(req_t *r, json_t *ids)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        int64_t id = json_integer_value(v);
        const char *href = NULL;
        const char *name = app_entity_name(r, "action", id, &href);
        if (!name)
            continue; /* an action the reader may not know is not shown */
        json_array_append_new(out, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)id, "name",
                                             name, "href", json_str_or_null(href)));
    }
    return out;
}

json_t *cap_documents_view(req_t *r, json_t *codes)
{
    json_t *out = json_array();
    bool known = app_entity("document") != NULL;
    size_t i;
    json_t *v;
    json_array_foreach(codes, i, v) {
        const char *code = json_string_value(v);
        const char *name = NULL, *href = NULL;
        if (known) {
            int64_t ids[2];
            if (app_entity_find(r, "document", code, ids, 2) == 1)
                name = app_entity_name(r, "document", ids[0], &href);
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "code", code, "name",
                                             name ? name : "", "href", json_str_or_null(href)));
    }
    return out;
}
