/* road_national.c - where the establishments of a scope (the root, or an
 * association) stand on the roadmap: a bar chart of how many are at each
 * current step (SVG, served by its own route like the campaign charts) and a
 * table of the establishments with their association, region, current step,
 * steps done and last change; filters association / region / step in the
 * URL, sorted by name or by progress, paged. */
#include "road_internal.h"
#include "../doc/chart.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 50

typedef struct {
    const road_line_t *line;
    const char *name;
} road_row_view_t;

typedef struct {
    road_board_t b;
    int64_t association;       /* 0: all */
    const char *region;        /* NULL: all */
    int step;                  /* -1: all */
    const char *sort;          /* "name" | "progress" | "-progress" */
    int64_t offset;
    road_row_view_t *sel;      /* after association and region */
    size_t n_sel;
    int64_t by_step[ROAD_NSTEPS + 1];
} road_view_t;

static int by_name(const void *a, const void *b)
{
    const road_row_view_t *x = a, *y = b;
    int c = str_natural_cmp(x->name, y->name);
    return c ? c : (x->line->eps->id < y->line->eps->id ? -1 : 1);
}

static int by_progress(const void *a, const void *b)
{
    const road_row_view_t *x = a, *y = b;
    if (x->line->n_done != y->line->n_done)
        return x->line->n_done < y->line->n_done ? -1 : 1;
    if (x->line->current != y->line->current)
        return x->line->current < y->line->current ? -1 : 1;
    return by_name(a, b);
}

static int by_progress_desc(const void *a, const void *b)
{
    const road_row_view_t *x = a, *y = b;
    if (x->line->n_done != y->line->n_done)
        return x->line->n_done > y->line->n_done ? -1 : 1;
    if (x->line->current != y->line->current)
        return x->line->current > y->line->current ? -1 : 1;
    return by_name(a, b);
}

/* Filters from the URL (unknown values are ignored: a link is never an
 * error), the scope's board, and the selection. false with a 500 sent. */
static bool view_read(req_t *r, const node_t *scope, road_view_t *v)
{
    memset(v, 0, sizeof *v);
    v->step = -1;
    const char *s = req_query(r, "association");
    if (s && scope->kind == NODE_ROOT && (!str_to_i64(s, &v->association) || v->association < 0))
        v->association = 0;
    s = req_query(r, "region");
    if (s && str_in(nodes_regions, s))
        v->region = s;
    s = req_query(r, "step");
    if (s)
        v->step = road_current_parse(s);
    s = req_query(r, "sort");
    v->sort = str_eq(s, "progress") || str_eq(s, "-progress") ? s : "name";
    s = req_query(r, "offset");
    if (s && (!str_to_i64(s, &v->offset) || v->offset < 0 || v->offset > 1000000))
        v->offset = 0;
    if (road_board(r->db, r->arena, scope->path, &v->b) != 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return false;
    }
    v->sel = arena_alloc(r->arena, (v->b.n + 1) * sizeof *v->sel);
    for (size_t k = 0; k < v->b.n; k++) {
        const road_line_t *l = &v->b.lines[k];
        if (v->association && l->eps->parent_id != v->association)
            continue;
        if (v->region && !str_eq(l->eps->region, v->region))
            continue;
        v->sel[v->n_sel].line = l;
        v->sel[v->n_sel].name = nodes_display_name(r, l->eps->name, l->eps->name_ar);
        v->n_sel++;
    }
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        v->by_step[i] = 0;
    for (size_t k = 0; k < v->n_sel; k++)
        v->by_step[v->sel[k].line->current]++;
    return true;
}

/* The URL of this view with one filter changed (NULL keeps, "" drops). */
static const char *view_href(req_t *r, const node_t *scope, const road_view_t *v, const char *path,
                             const char *step, const char *sort, int64_t offset)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "%s?node_id=%lld", path, (long long)scope->id);
    if (v->association)
        buf_printf(&b, "&association=%lld", (long long)v->association);
    if (v->region) {
        buf_puts(&b, "&region=");
        app_url_encode(&b, v->region);
    }
    const char *st = step ? step : (v->step >= 0 ? road_current_code(v->step) : "");
    if (*st) {
        buf_puts(&b, "&step=");
        app_url_encode(&b, st);
    }
    const char *so = sort ? sort : v->sort;
    if (*so && !str_eq(so, "name")) {
        buf_puts(&b, "&sort=");
        app_url_encode(&b, so);
    }
    if (offset > 0)
        buf_printf(&b, "&offset=%lld", (long long)offset);
    char *out = arena_strdup(r->arena, b.data);
    buf_free(&b);
    return out;
}

typedef struct {
    const char *id, *label;
} assoc_opt_t;

/* The associations of the scope's establishments, in the reader's language,
 * by name; *names {"<id>": label}. */
static json_t *association_options(req_t *r, const road_view_t *v, json_t **names)
{
    json_t *opts = json_array();
    *names = json_object();
    json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "id", "", "label", T(r, N_("All associations")),
                                          "selected", v->association == 0));
    size_t n = 0;
    assoc_opt_t *o = arena_alloc(r->arena, (json_object_size(v->b.assoc) + 1) * sizeof *o);
    const char *k;
    json_t *pair;
    json_object_foreach(v->b.assoc, k, pair) {
        o[n].id = k;
        o[n].label = nodes_display_name(r, json_string_value(json_array_get(pair, 0)),
                                        json_string_value(json_array_get(pair, 1)));
        json_object_set_new(*names, k, json_string(o[n].label));
        n++;
    }
    for (size_t a = 1; a < n; a++) /* insertion sort: a few dozen */
        for (size_t b = a; b > 0 && str_natural_cmp(o[b - 1].label, o[b].label) > 0; b--) {
            assoc_opt_t t = o[b];
            o[b] = o[b - 1];
            o[b - 1] = t;
        }
    for (size_t a = 0; a < n; a++) {
        int64_t id = 0;
        str_to_i64(o[a].id, &id);
        json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "id", o[a].id, "label", o[a].label, "selected",
                                              id == v->association));
    }
    return opts;
}

void road_page_national(req_t *r, const node_t *scope)
{
    road_view_t v;
    if (!view_read(r, scope, &v))
        return;
    json_t *assoc_names = NULL;
    json_t *assoc_opts = association_options(r, &v, &assoc_names);
    /* the table's rows: the step filter, the order, the page */
    road_row_view_t *rows = arena_alloc(r->arena, (v.n_sel + 1) * sizeof *rows);
    size_t n = 0;
    for (size_t k = 0; k < v.n_sel; k++)
        if (v.step < 0 || v.sel[k].line->current == v.step)
            rows[n++] = v.sel[k];
    qsort(rows, n, sizeof *rows,
          str_eq(v.sort, "progress") ? by_progress : str_eq(v.sort, "-progress") ? by_progress_desc : by_name);
    json_t *items = json_array();
    for (size_t k = (size_t)v.offset; k < n && k < (size_t)v.offset + PAGE_SIZE; k++) {
        const road_line_t *l = rows[k].line;
        char d[32] = "";
        if (l->last_change > 0)
            format_local_date(l->last_change, d, sizeof d);
        json_t *an = json_object_get(assoc_names, arena_printf(r->arena, "%lld", (long long)l->eps->parent_id));
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b, s:i, s:i, s:s}", "name", rows[k].name, "href",
                      arena_printf(r->arena, "/roadmap/%lld", (long long)l->eps->id), "association",
                      an ? json_string_value(an) : "", "region",
                      l->eps->region ? json_string(nodes_code_label(r, "region", l->eps->region)) : json_string(""),
                      "current", road_current_code(l->current), "current_label", road_step_label(r, l->current),
                      "complete", l->current == ROAD_COMPLETE, "done", l->n_done, "percent",
                      l->n_done * 100 / ROAD_NSTEPS, "last_change", d));
    }
    json_decref(assoc_names);
    /* the chart's data, also as a table */
    json_t *dist = json_array();
    int64_t done_sum = 0;
    for (size_t k = 0; k < v.n_sel; k++)
        done_sum += v.sel[k].line->n_done;
    int64_t max = 1;
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        if (v.by_step[i] > max)
            max = v.by_step[i];
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        json_array_append_new(dist, json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:b}", "code", road_current_code(i),
                                              "label", road_step_label(r, i), "count", (json_int_t)v.by_step[i],
                                              "max", (json_int_t)max, "href",
                                              view_href(r, scope, &v, "/roadmap", road_current_code(i), NULL, 0),
                                              "selected", v.step == i, "complete", i == ROAD_COMPLETE));
    json_t *step_opts = json_array();
    json_array_append_new(step_opts, json_pack("{s:s, s:s, s:b}", "code", "", "label", T(r, N_("Every step")),
                                               "selected", v.step < 0));
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        json_array_append_new(step_opts, json_pack("{s:s, s:s, s:b}", "code", road_current_code(i), "label",
                                                   road_step_label(r, i), "selected", v.step == i));
    json_t *region_opts = json_array();
    json_array_append_new(region_opts, json_pack("{s:s, s:s, s:b}", "code", "", "label", T(r, N_("All regions")),
                                                 "selected", v.region == NULL));
    for (int i = 0; nodes_regions[i]; i++)
        json_array_append_new(region_opts, json_pack("{s:s, s:s, s:b}", "code", nodes_regions[i], "label",
                                                     nodes_code_label(r, "region", nodes_regions[i]), "selected",
                                                     str_eq(v.region, nodes_regions[i])));
    json_t *m = json_object();
    const char *scope_name = scope->kind == NODE_ROOT ? T(r, N_("Every establishment"))
                                                      : nodes_display_name(r, scope->name, scope->name_ar);
    json_object_set_new(m, "title", json_string(T(r, N_("Quality roadmap of the establishments"))));
    json_object_set_new(m, "scope_name", json_string(scope_name));
    json_object_set_new(m, "crumbs", json_array());
    json_object_set_new(m, "total", json_integer((json_int_t)v.n_sel));
    json_object_set_new(m, "total_h", json_string(app_number(r, (long long)v.n_sel)));
    json_object_set_new(m, "complete_h", json_string(app_number(r, v.by_step[ROAD_COMPLETE])));
    char *avg = arena_printf(r->arena, "%.1f", v.n_sel ? (double)done_sum / (double)v.n_sel : 0.0);
    if (str_eq(r->lang, "fr") && strchr(avg, '.'))
        *strchr(avg, '.') = ','; /* 5,9 in French */
    json_object_set_new(m, "average_h", json_string(avg));
    json_object_set_new(m, "chart_src", json_string(view_href(r, scope, &v, "/roadmap/chart.svg", "", "", 0)));
    json_object_set_new(m, "chart_alt", json_string(T(r, N_("Bar chart: the number of establishments at each step; "
                                                            "the same figures are in the table below it."))));
    json_object_set_new(m, "distribution", dist);
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(json_array_size(items) > 0));
    json_object_set_new(m, "filters",
                        json_pack("{s:I, s:b, s:o, s:o, s:o, s:s, s:b}", "node_id", (json_int_t)scope->id,
                                  "by_association", scope->kind == NODE_ROOT, "association_options", assoc_opts,
                                  "region_options", region_opts, "step_options", step_opts, "sort", v.sort,
                                  "open", v.association || v.region || v.step >= 0));
    json_object_set_new(m, "sort_progress_href",
                        json_string(view_href(r, scope, &v, "/roadmap", NULL,
                                              str_eq(v.sort, "progress") ? "-progress" : "progress", 0)));
    json_object_set_new(m, "sort_name_href", json_string(view_href(r, scope, &v, "/roadmap", NULL, "name", 0)));
    json_object_set_new(m, "sorted_by_progress", json_boolean(!str_eq(v.sort, "name")));
    json_object_set_new(m, "sort_dir", json_string(str_eq(v.sort, "progress") ? "ascending"
                                                   : str_eq(v.sort, "-progress") ? "descending" : "none"));
    json_t *pager = json_null();
    if (n > PAGE_SIZE || v.offset > 0) {
        int64_t last = v.offset + PAGE_SIZE < (int64_t)n ? v.offset + PAGE_SIZE : (int64_t)n;
        const char *nums[3] = {app_number(r, v.offset + 1), app_number(r, last), app_number(r, (long long)n)};
        pager = json_pack("{s:s, s:o, s:o}", "label", text_fill_strings(r->arena, T(r, N_("%s–%s of %s")), nums, 3),
                          "prev", v.offset > 0 ? json_string(view_href(r, scope, &v, "/roadmap", NULL, NULL,
                                                                       v.offset > PAGE_SIZE ? v.offset - PAGE_SIZE : 0))
                                               : json_null(),
                          "next", v.offset + PAGE_SIZE < (int64_t)n
                                      ? json_string(view_href(r, scope, &v, "/roadmap", NULL, NULL, v.offset + PAGE_SIZE))
                                      : json_null());
    }
    json_object_set_new(m, "pager", pager);
    json_object_set_new(m, "matched", json_integer((json_int_t)n));
    static const role_t openers[] = {ROLE_ADMIN, ROLE_QUALITY_ADVISOR};
    json_object_set_new(m, "can_open_eps", json_boolean(app_role_over(r, scope->path, openers, ARRAY_LEN(openers))));
    page_render(r, 200, "roadmap/national", m);
}

/* --- The chart ------------------------------------------------------------ */

#define RGB_TEXT 0x1c2327u
#define RGB_AXIS 0xb9c4cbu
#define RGB_BAR 0x0e5e63u
#define RGB_DONE 0x1d6b35u

/* Horizontal bars, one per current step, labelled on the start side and
 * with the count after the bar: readable on a phone, right to left in Arabic. */
static void bars_svg(req_t *r, const int64_t *counts, buf_t *out)
{
    bool rtl = str_eq(r->lang, "ar");
    const double w = 640, top = 10, row = 30, label_w = 250, gap = 10, count_w = 56;
    const double bar_max = w - label_w - gap - count_w;
    double h = top + row * (ROAD_NSTEPS + 1) + 10;
    int64_t max = 1;
    for (int i = 0; i <= ROAD_NSTEPS; i++)
        if (counts[i] > max)
            max = counts[i];
    chart_t *c = chart_new(w, h);
    double x0 = rtl ? w - label_w - gap : label_w + gap; /* where bars start */
    chart_line(c, x0, top - 4, x0, top + row * (ROAD_NSTEPS + 1), RGB_AXIS, 1, false);
    for (int i = 0; i <= ROAD_NSTEPS; i++) {
        double y = top + row * i;
        const char *label = road_step_label(r, i);
        /* at most about 38 characters on the label's column */
        char *l = arena_strdup(r->arena, label);
        if (utf8_count(l) > 38) {
            size_t bytes = 0, chars = 0;
            while (l[bytes] && chars < 36) {
                bytes++;
                while ((l[bytes] & 0xC0) == 0x80)
                    bytes++;
                chars++;
            }
            l = arena_printf(r->arena, "%.*s…", (int)bytes, l);
        }
        chart_text(c, rtl ? w - label_w : label_w, y + 19,
                   i < ROAD_NSTEPS ? arena_printf(r->arena, "%d. %s", i + 1, l) : l, 12, RGB_TEXT,
                   rtl ? CHART_START : CHART_END, i == ROAD_COMPLETE);
        double len = bar_max * (double)counts[i] / (double)max;
        if (counts[i] > 0 && len < 2)
            len = 2;
        uint32_t colour = i == ROAD_COMPLETE ? RGB_DONE : RGB_BAR;
        if (len > 0)
            chart_rect(c, rtl ? x0 - len : x0, y + 6, len, 18, colour, 1, colour, 0.85);
        chart_text(c, rtl ? x0 - len - 6 : x0 + len + 6, y + 19, app_number(r, counts[i]), 12, RGB_TEXT,
                   rtl ? CHART_END : CHART_START, false);
    }
    chart_svg(c, T(r, N_("Establishments at each step of the roadmap")), rtl, out);
    chart_free(c);
}

void road_page_chart(req_t *r)
{
    const char *s = req_query(r, "node_id");
    int64_t id = 0, eps = 0;
    if (s && (!str_to_i64(s, &id) || id <= 0)) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!s)
        id = road_default_scope(r, &eps);
    if (!id) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!app_require(r, PERM_QUALITY_READ, id))
        return;
    node_t n;
    if (nodes_load(r->db, r->arena, id, &n) != 0 || n.kind == NODE_UNIT || n.kind == NODE_EPS) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    road_view_t v;
    if (!view_read(r, &n, &v))
        return;
    buf_t svg;
    buf_init(&svg);
    bars_svg(r, v.by_step, &svg);
    http_respond(r->http, 200, "image/svg+xml; charset=utf-8", svg.data ? svg.data : "", svg.len);
    buf_free(&svg);
}
