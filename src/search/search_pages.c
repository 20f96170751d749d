/* search_pages.c - GET /search (the page: a box, chips by kind, results
 * with their snippets, pages of results) and GET /api/v1/search, from one
 * reading of the query and one search. */
#include "search_internal.h"

#include "../nodes/nodes.h"

#include <string.h>

/* The node a row belongs to: the last id of its path. */
static int64_t path_node(const char *path)
{
    int64_t last = 0;
    const char *p = path && path[0] == '/' ? path + 1 : "";
    while (*p) {
        const char *end;
        int64_t id;
        if (!id_parse(p, &end, &id) || *end != '/')
            break;
        last = id;
        p = end + 1;
    }
    return last;
}

static bool path_is_root(const char *path)
{
    const char *p = path && path[0] == '/' ? strchr(path + 1, '/') : NULL;
    return p && p[1] == '\0';
}

static snippet_t hit_snippet(const search_query_t *q, const char *text, bool md, size_t window)
{
    snippet_t s;
    snippet_make(text, text ? strlen(text) : 0, md, q->words, q->n_words, window, &s);
    return s;
}

/* One found row as the API gives it. */
static json_t *hit_api(req_t *r, const search_query_t *q, const search_hit_t *h)
{
    snippet_t title = hit_snippet(q, h->title, false, 0);
    snippet_t body = hit_snippet(q, h->body, true, SNIPPET_WORDS);
    int64_t node = path_node(h->node_path);
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:o, s:o, s:s, s:s, s:o}", "type", h->type, "id",
                          (json_int_t)h->item_id, "title", h->title, "snippet", body.text,
                          "title_segments", search_segments_json(&title), "segments",
                          search_segments_json(&body), "href", h->href, "lang", h->lang,
                          "node_id", node > 0 ? json_integer(node) : json_null());
    if (h->context && *h->context)
        json_object_set_new(o, "context", json_string(h->context));
    snippet_free(&title);
    snippet_free(&body);
    (void)r;
    return o;
}

/* Where a row belongs, as the page says it: its context, else its
 * establishment's name (nothing for the whole network's). */
static const char *hit_where(req_t *r, const search_hit_t *h, json_t *names)
{
    if (h->context && *h->context)
        return h->context;
    if (path_is_root(h->node_path))
        return "";
    int64_t node = path_node(h->node_path);
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)node);
    json_t *v = json_object_get(names, key);
    if (!v) {
        /* a node without a label still shows its row (as the total counts it) */
        const char *label = node > 0 ? nodes_label(r->db, r->arena, r->lang, node) : NULL;
        v = json_string(label ? label : "");
        if (!v)
            return "";
        json_object_set_new(names, key, v);
    }
    const char *out = json_string_value(v);
    return out ? out : "";
}

static json_t *hit_page(req_t *r, const search_query_t *q, const search_hit_t *h, json_t *names)
{
    snippet_t title = hit_snippet(q, h->title, false, 0);
    snippet_t body = hit_snippet(q, h->body, true, SNIPPET_WORDS);
    const char *lang = h->lang && *h->lang ? h->lang : "";
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:s, s:s, s:b}", "type", h->type, "type_label",
        search_type_label(r, h->type), "title_segments", search_segments_json(&title), "segments",
        search_segments_json(&body), "has_snippet", body.len > 0, "href", h->href, "where",
        hit_where(r, h, names), "lang", lang, "dir", str_eq(lang, "ar") ? "rtl" : "ltr",
        "other_lang", *lang && !str_eq(lang, r->lang));
    snippet_free(&title);
    snippet_free(&body);
    return o;
}

static const char *page_href(req_t *r, const search_query_t *q, const char *type, int64_t offset)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "/search?q=");
    app_url_encode(&b, q->q);
    if (type) {
        buf_puts(&b, "&type=");
        app_url_encode(&b, type);
    }
    if (offset > 0)
        buf_printf(&b, "&offset=%lld", (long long)offset);
    const char *s = arena_strdup(r->arena, b.data);
    buf_free(&b);
    return s;
}

static json_t *chips(req_t *r, const search_query_t *q, json_t *counts, int64_t all)
{
    json_t *a = json_array();
    json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "label", T(r, N_("Everything")),
                                       "count", app_number(r, all), "href",
                                       page_href(r, q, NULL, 0), "selected", q->type == NULL));
    for (size_t i = 0; search_types[i]; i++) {
        const char *t = search_types[i];
        json_int_t n = json_integer_value(json_object_get(counts, t));
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "label",
                                           search_type_plural(r, t), "count", app_number(r, n),
                                           "href", page_href(r, q, t, 0), "selected",
                                           str_eq(q->type, t)));
    }
    return a;
}

void search_page(req_t *r)
{
    json_t *errors = json_object();
    search_query_t q;
    search_read(r, errors, &q);
    int64_t limit = SEARCH_PAGE, offset = 0, ignored;
    v_paging(r, errors, &ignored, &offset);
    int status = json_object_size(errors) ? 422 : 200;
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Search"))));
    json_object_set_new(m, "q", json_string(q.q));
    json_object_set_new(m, "type", json_string(q.type ? q.type : ""));
    const char *hint = NULL;
    if (status == 200 && q.empty)
        hint = N_("Type words to search the capitalisation sheets, the documents, the criteria of "
                  "the référentiels and the sections of the projets d'établissement.");
    else if (status == 200 && q.n_words == 0)
        hint = N_("Type at least two letters to search.");
    json_object_set_new(m, "hint", hint ? json_string(T(r, hint)) : json_null());
    search_hit_t *hits = NULL;
    size_t n = 0;
    int64_t total = 0;
    json_t *counts = NULL;
    bool searched = status == 200 && q.n_words > 0;
    if (searched && search_run(r, &q, limit, offset, &hits, &n, &total, &counts) != RES_OK) {
        json_decref(counts);
        json_decref(m);
        json_decref(errors);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *results = json_array();
    json_t *names = json_object();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(results, hit_page(r, &q, &hits[i], names));
    json_decref(names);
    json_object_set_new(m, "searched", json_boolean(searched));
    json_object_set_new(m, "results", results);
    json_object_set_new(m, "has_results", json_boolean(n > 0));
    json_object_set_new(m, "total", json_integer(total));
    int64_t all = 0;
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v) all += json_integer_value(v);
    json_object_set_new(m, "chips", searched ? chips(r, &q, counts, all) : json_array());
    json_decref(counts);
    int64_t last = offset + (int64_t)n;
    if (searched && total > limit)
        json_object_set_new(
            m, "pager",
            json_pack("{s:s, s:o, s:o}", "label",
                      text_fill_numbers(r->arena, T(r, N_("%d–%d of %d")),
                                        (long long[]){n ? offset + 1 : 0, last, total}, 3),
                      "prev",
                      offset > 0 ? json_string(page_href(r, &q, q.type,
                                                         offset > limit ? offset - limit : 0))
                                 : json_null(),
                      "next",
                      last < total ? json_string(page_href(r, &q, q.type, last)) : json_null()));
    else
        json_object_set_new(m, "pager", json_null());
    model_form_errors_take(r, m, errors);
    page_render(r, status, "search/search", m);
}

void search_api(req_t *r)
{
    json_t *errors = json_object();
    search_query_t q;
    search_read(r, errors, &q);
    int64_t limit, offset;
    v_paging(r, errors, &limit, &offset);
    if (json_object_size(errors)) {
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    if (q.n_words == 0) {
        const char *msg = q.empty ? N_("Type what to search for.")
                                  : N_("Type at least two letters to search.");
        json_object_set_new(errors, "q", json_string(msg));
        app_fail(r, RES_INVALID, msg, errors);
        return;
    }
    json_decref(errors);
    search_hit_t *hits = NULL;
    size_t n = 0;
    int64_t total = 0;
    json_t *counts = NULL;
    if (search_run(r, &q, limit, offset, &hits, &n, &total, &counts) != RES_OK) {
        json_decref(counts);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, hit_api(r, &q, &hits[i]));
    api_send(r, 200,
             json_pack("{s:s, s:o, s:I, s:I, s:I, s:o, s:o}", "q", q.q, "type",
                       json_str_or_null(q.type), "total", (json_int_t)total, "limit",
                       (json_int_t)limit, "offset", (json_int_t)offset, "counts", counts, "items",
                       items));
}
