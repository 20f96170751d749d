/* plan_views.c - the improvement plan seen as a whole: the board by status
 * (cards move with buttons, or by drag and drop with jouda.js), the timeline
 * by quarter (an SVG drawn here, with a today line, and the same actions as
 * a table), the priority matrix (impact x effort), the summaries per EPS and
 * for the network, an EPS's plan with its adoptions, and the home section. */
#include "plan_internal.h"

#include <math.h>
#include <string.h>

#define BOARD_CARDS 40
#define TIMELINE_ROWS 60

static bool read_filters(req_t *r, act_filter_t *f, int *status)
{
    json_t *errors = json_object();
    act_filter_read(r, errors, f);
    *status = json_object_size(errors) ? 422 : 200;
    json_decref(errors);
    return true;
}

static json_t *base_model(req_t *r, const char *title, const act_filter_t *f, const char *tab,
                          const char *action)
{
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, title)));
    json_object_set_new(m, "crumbs", plan_crumbs(r));
    json_object_set_new(m, "tabs", plan_tabs(r, f, tab));
    plan_filters_model(r, m, f, action);
    return m;
}

/* --- The board ------------------------------------------------------------------ */

static const act_status_t board_columns[] = {ACT_PROPOSED, ACT_PLANNED,       ACT_IN_PROGRESS,
                                             ACT_DONE,     ACT_NOT_EFFECTIVE, ACT_EFFECTIVE};

void plan_page_board(req_t *r)
{
    act_filter_t f;
    int status;
    read_filters(r, &f, &status);
    json_t *m = base_model(r, N_("Board of the actions"), &f, "board", "/actions/board");
    char today[11];
    iso_day_local(now_utc(), today);
    json_t *cols = json_array();
    for (size_t c = 0; c < ARRAY_LEN(board_columns); c++) {
        act_filter_t cf = f;
        cf.status = act_status_code(board_columns[c]);
        if (f.status && !str_eq(f.status, cf.status))
            continue;
        size_t n = 0;
        int64_t total = 0;
        action_t *rows = act_query(r, &cf, BOARD_CARDS, 0, &n, &total);
        json_t *names = rows ? act_names(r, rows, n) : json_object();
        json_t *cards = json_array();
        for (size_t i = 0; rows && i < n; i++) {
            json_t *card = plan_card(r, &rows[i], names, today);
            act_access_t acc = act_access(r, &rows[i]);
            act_status_t next[ACT__COUNT];
            size_t nn = acc >= ACCESS_WORK ? act_transitions(rows[i].status, acc == ACCESS_MANAGE, next) : 0;
            json_t *moves = json_array();
            json_t *targets = json_array();
            for (size_t k = 0; k < nn; k++) {
                unsigned needs = act_transition_needs(rows[i].status, next[k]);
                if (needs & ACT_NEEDS_OWNER_DUE && rows[i].owner_id > 0 && rows[i].due_date)
                    needs &= ~(unsigned)ACT_NEEDS_OWNER_DUE;
                json_array_append_new(targets, json_string(act_status_code(next[k])));
                json_array_append_new(
                    moves, json_pack("{s:s, s:s, s:b, s:s}", "code", act_status_code(next[k]), "label",
                                     plan_status_label(r, next[k]), "direct", needs == 0, "href",
                                     arena_printf(r->arena, "/actions/%lld#to-%s", (long long)rows[i].id,
                                                  act_status_code(next[k]))));
            }
            /* "proposed planned" for data-targets: where a drop is allowed */
            buf_t t;
            buf_init(&t);
            for (size_t k = 0; k < json_array_size(targets); k++)
                buf_printf(&t, "%s%s", k ? " " : "", json_string_value(json_array_get(targets, k)));
            json_object_set_new(card, "targets", json_string(t.data ? t.data : ""));
            buf_free(&t);
            json_decref(targets);
            json_object_set_new(card, "moves", moves);
            json_object_set_new(card, "has_moves", json_boolean(json_array_size(moves) > 0));
            json_object_set_new(card, "action", json_string(arena_printf(r->arena, "/actions/%lld/status", (long long)rows[i].id)));
            json_array_append_new(cards, card);
        }
        json_decref(names);
        json_array_append_new(
            cols, json_pack("{s:s, s:s, s:I, s:o, s:b, s:o}", "code", cf.status, "label",
                            plan_status_label(r, board_columns[c]), "total", (json_int_t)total,
                            "cards", cards, "more", total > (int64_t)n, "more_href",
                            json_string(arena_printf(r->arena, "/actions%s", act_filter_query(r, &cf, NULL)))));
    }
    json_object_set_new(m, "columns", cols);
    page_render(r, status, "plan/board", m);
}

/* --- The timeline ------------------------------------------------------------------ */

/* Quarter index of a day number: year * 4 + quarter (0-3). */
static int64_t quarter_of(int64_t day)
{
    char iso[11];
    iso_day_format(day, iso);
    int y = atoi(iso), mo = atoi(iso + 5);
    return (int64_t)y * 4 + (mo - 1) / 3;
}

static int64_t quarter_start(int64_t q)
{
    char iso[11];
    snprintf(iso, sizeof iso, "%04d-%02d-01", (int)(q / 4), (int)(q % 4) * 3 + 1);
    return iso_day_number(iso);
}

/* At most max code points of s, with "…" when cut. */
static const char *shorten(arena_t *a, const char *s, size_t max)
{
    size_t cps = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (cps == max)
                return arena_printf(a, "%.*s…", (int)i, s);
            cps++;
        }
    }
    return s;
}

/* Does the text hold Arabic letters (U+0600-U+06FF, U+0750-U+077F)? */
static bool has_arabic(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xD8 && *p <= 0xDD)
            return true;
    return false;
}

static const char *bar_color(const action_t *a, bool overdue)
{
    if (overdue)
        return "#b91c1c";
    switch (a->status) {
    case ACT_DONE:
    case ACT_EFFECTIVE:
    case ACT_CLOSED: return "#15803d";
    case ACT_NOT_EFFECTIVE: return "#b45309";
    case ACT_CANCELLED: return "#9ca3af";
    case ACT_IN_PROGRESS: return "#1d4ed8";
    default: return "#60a5fa";
    }
}

char *plan_timeline_svg(req_t *r, const action_t *rows, size_t n, json_t *names, const char *today)
{
    (void)names;
    bool rtl = str_eq(r->lang, "ar");
    int64_t t0 = iso_day_number(today), lo = t0, hi = t0;
    for (size_t i = 0; i < n; i++) {
        int64_t s = iso_day_number(rows[i].start_date), d = iso_day_number(rows[i].due_date);
        if (s < 0)
            s = rows[i].created_at / 86400;
        if (s >= 0 && s < lo)
            lo = s;
        if (d > hi)
            hi = d;
    }
    int64_t q0 = quarter_of(lo), q1 = quarter_of(hi);
    if (q1 - q0 > 15)
        q0 = q1 - 15; /* four years at most */
    if (q1 - q0 < 3)
        q1 = q0 + 3;
    int64_t d0 = quarter_start(q0), d1 = quarter_start(q1 + 1);
    const double label_w = 250, W = 960, row_h = 22, top = 40;
    double H = top + row_h * (double)(n ? n : 1) + 16;
    double x0 = label_w + 10, x1 = W - 10;
    double span = (double)(d1 - d0);
#define XPOS(day) (rtl ? W - (x0 + ((double)((day)-d0)) / span * (x1 - x0)) \
                       : (x0 + ((double)((day)-d0)) / span * (x1 - x0)))
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-timeline\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"tl-title\" font-family=\"sans-serif\" font-size=\"12\">", W, H);
    buf_puts(&b, "<title id=\"tl-title\">");
    tpl_escape(&b, T(r, N_("Timeline of the actions")), strlen(T(r, N_("Timeline of the actions"))));
    buf_puts(&b, "</title>");
    /* quarters */
    for (int64_t q = q0; q <= q1; q++) {
        double xa = XPOS(quarter_start(q)), xb = XPOS(quarter_start(q + 1));
        double left = xa < xb ? xa : xb;
        buf_printf(&b, "<rect x=\"%.1f\" y=\"20\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", left,
                   fabs(xb - xa), H - 20, (q % 2) ? "#f3f4f6" : "#ffffff");
        const char *ql = text_fill_numbers(r->arena, T(r, N_("Q%d %d")),
                                           (long long[]){q % 4 + 1, q / 4}, 2);
        buf_printf(&b, "<text x=\"%.1f\" y=\"14\" text-anchor=\"middle\" fill=\"#374151\"%s>",
                   (xa + xb) / 2, rtl ? " direction=\"rtl\"" : "");
        tpl_escape(&b, ql, strlen(ql));
        buf_puts(&b, "</text>");
    }
    for (size_t i = 0; i < n; i++) {
        const action_t *a = &rows[i];
        double y = top + row_h * (double)i;
        int64_t s = iso_day_number(a->start_date), d = iso_day_number(a->due_date);
        if (s < 0)
            s = a->created_at / 86400;
        if (d < 0)
            d = s + 30;
        if (s < d0)
            s = d0;
        if (d > d1)
            d = d1;
        if (d < s)
            d = s;
        bool overdue = act_status_open(a->status) && a->due_date && strcmp(a->due_date, today) < 0;
        const char *title = shorten(r->arena, a->title, 38);
        /* a title reads in its own direction; in Arabic pages titles stand at the right */
        bool arabic = has_arabic(title);
        buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s fill=\"#111827\">",
                   rtl ? W - 6 : 6.0, y + 14, rtl == arabic ? "start" : "end",
                   arabic ? " direction=\"rtl\"" : "");
        tpl_escape(&b, title, strlen(title));
        buf_puts(&b, "</text>");
        double xa = XPOS(s), xb = XPOS(d);
        double left = xa < xb ? xa : xb, w = fabs(xb - xa) < 3 ? 3 : fabs(xb - xa);
        buf_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" rx=\"3\" fill=\"%s\"><title>",
                   left, y + 3, w, bar_color(a, overdue));
        tpl_escape(&b, a->title, strlen(a->title));
        const char *st = plan_status_label(r, a->status);
        buf_puts(&b, " — ");
        tpl_escape(&b, st, strlen(st));
        buf_puts(&b, "</title></rect>");
        if (a->progress > 0 && a->progress < 100)
            buf_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"4\" fill=\"#1e3a8a\"/>",
                       rtl ? left + w - w * a->progress / 100.0 : left, y + 13, w * a->progress / 100.0);
    }
    /* today */
    double xt = XPOS(t0);
    buf_printf(&b, "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dc2626\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
               xt, xt, H);
    const char *tl = T(r, N_("Today"));
    buf_printf(&b, "<text x=\"%.1f\" y=\"32\" text-anchor=\"middle\" fill=\"#dc2626\" font-weight=\"bold\"%s>", xt,
               rtl ? " direction=\"rtl\"" : "");
    tpl_escape(&b, tl, strlen(tl));
    buf_puts(&b, "</text></svg>");
#undef XPOS
    char *out = arena_strdup(r->arena, b.data);
    buf_free(&b);
    return out;
}

static action_t *timeline_rows(req_t *r, act_filter_t *f, size_t *n, int64_t *total)
{
    if (!f->sort)
        f->sort = "due";
    return act_query(r, f, TIMELINE_ROWS, 0, n, total);
}

void plan_page_timeline(req_t *r)
{
    act_filter_t f;
    int status;
    read_filters(r, &f, &status);
    json_t *m = base_model(r, N_("Timeline of the actions"), &f, "timeline", "/actions/timeline");
    size_t n = 0;
    int64_t total = 0;
    action_t *rows = timeline_rows(r, &f, &n, &total);
    char today[11];
    iso_day_local(now_utc(), today);
    json_t *names = rows ? act_names(r, rows, n) : json_object();
    json_t *items = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        json_t *c = plan_card(r, &rows[i], names, today);
        json_object_set_new(c, "start", json_string(plan_day_text(r, rows[i].start_date)));
        json_array_append_new(items, c);
    }
    json_decref(names);
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(n > 0));
    json_object_set_new(m, "shown", json_integer((json_int_t)n));
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, "cut", json_boolean(total > (int64_t)n));
    json_object_set_new(m, "svg_href", json_string(arena_printf(r->arena, "/actions/timeline.svg%s", act_filter_query(r, &f, NULL))));
    json_object_set_new(m, "list_href", json_string(arena_printf(r->arena, "/actions%s", act_filter_query(r, &f, NULL))));
    page_render(r, status, "plan/timeline", m);
}

void plan_page_timeline_svg(req_t *r)
{
    act_filter_t f;
    int status;
    read_filters(r, &f, &status);
    size_t n = 0;
    action_t *rows = timeline_rows(r, &f, &n, NULL);
    if (!rows) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    char today[11];
    iso_day_local(now_utc(), today);
    char *svg = plan_timeline_svg(r, rows, n, NULL, today);
    http_respond(r->http, 200, "image/svg+xml; charset=utf-8", svg, strlen(svg));
}

/* --- The priority matrix --------------------------------------------------------- */

void plan_page_matrix(req_t *r)
{
    act_filter_t f;
    int status;
    read_filters(r, &f, &status);
    json_t *m = base_model(r, N_("Priorities of the open actions"), &f, "matrix", "/actions/matrix");
    /* counts per cell, over the open actions of the filters */
    buf_t where;
    buf_init(&where);
    db_param_t params[ACT_MAX_PARAMS + 2];
    int np = 0;
    act_filter_sql(r, &f, &where, params, &np, ACT_MAX_PARAMS);
    char *sql = arena_printf(r->arena,
                             "SELECT a.impact, a.effort, COUNT(*)%s AND a.status IN ('proposed',"
                             " 'planned', 'in_progress') GROUP BY a.impact, a.effort",
                             where.data);
    int64_t counts[4][4] = {{0}};
    db_res_t *res = db_query(r->db, sql, params, np);
    while (res && db_next(res)) {
        int i = (int)db_int(res, 0), e = (int)db_int(res, 1);
        if (i >= 1 && i <= 3 && e >= 1 && e <= 3)
            counts[i][e] = db_int(res, 2);
    }
    db_res_free(res);
    /* the first few of each cell, by due date */
    json_t *cells[4][4];
    for (int i = 1; i <= 3; i++)
        for (int e = 1; e <= 3; e++)
            cells[i][e] = json_array();
    sql = arena_printf(r->arena,
                       "SELECT " ACT_COLS "%s AND a.status IN ('proposed', 'planned', 'in_progress')"
                       " ORDER BY a.due_date IS NULL, a.due_date, a.id LIMIT 300",
                       where.data);
    buf_free(&where);
    res = db_query(r->db, sql, params, np);
    char today[11];
    iso_day_local(now_utc(), today);
    while (res && db_next(res)) {
        action_t a;
        act_from_row(r->arena, res, 0, &a);
        if (a.impact < 1 || a.impact > 3 || a.effort < 1 || a.effort > 3 ||
            json_array_size(cells[a.impact][a.effort]) >= 6)
            continue;
        json_array_append_new(cells[a.impact][a.effort],
                              json_pack("{s:s, s:s, s:b, s:s}", "title", a.title, "href",
                                        arena_printf(r->arena, "/actions/%lld", (long long)a.id),
                                        "overdue", a.due_date && strcmp(a.due_date, today) < 0,
                                        "due", plan_day_text(r, a.due_date)));
    }
    db_res_free(res);
    static const char *const hints[4][4] = {
        [3] = {NULL, N_("Quick wins: do them first"), N_("Important: plan them"), N_("Major projects: break them down")},
        [2] = {NULL, N_("Easy gains"), N_("To schedule"), N_("To weigh up")},
        [1] = {NULL, N_("When there is time"), N_("Low return"), N_("To reconsider")},
    };
    json_t *rows = json_array();
    for (int i = 3; i >= 1; i--) {
        json_t *row = json_array();
        for (int e = 1; e <= 3; e++)
            json_array_append_new(
                row, json_pack("{s:I, s:o, s:s, s:s, s:b, s:s}", "count", (json_int_t)counts[i][e], "items",
                               cells[i][e], "hint", T(r, hints[i][e]), "priority",
                               act_priority_codes[act_priority(i, e)], "more",
                               counts[i][e] > (int64_t)json_array_size(cells[i][e]),
                               "effort_label", T(r, arena_printf(r->arena, "level.%d", e))));
        json_array_append_new(rows, json_pack("{s:s, s:o}", "impact_label",
                                              T(r, arena_printf(r->arena, "level.%d", i)), "cells", row));
    }
    json_object_set_new(m, "rows", rows);
    json_object_set_new(m, "effort_heads",
                        json_pack("[s,s,s]", T(r, N_("level.1")), T(r, N_("level.2")), T(r, N_("level.3"))));
    page_render(r, status, "plan/matrix", m);
}

/* --- Summaries --------------------------------------------------------------------- */

static void summary_row_text(req_t *r, json_t *o)
{
    json_t *c = json_object_get(o, "completion");
    json_object_set_new(o, "completion_h", json_string(json_is_integer(c) ? arena_printf(r->arena, "%lld %%", (long long)json_integer_value(c)) : "—"));
    json_t *d = json_object_get(o, "average_delay");
    json_object_set_new(o, "delay_h", json_string(json_is_number(d) ? arena_printf(r->arena, "%.0f", json_number_value(d)) : "—"));
    json_t *bs = json_object_get(o, "by_status");
    int64_t open = json_integer_value(json_object_get(bs, "proposed")) + json_integer_value(json_object_get(bs, "planned")) +
                   json_integer_value(json_object_get(bs, "in_progress"));
    int64_t finished = json_integer_value(json_object_get(bs, "done")) + json_integer_value(json_object_get(bs, "effective")) +
                       json_integer_value(json_object_get(bs, "not_effective")) + json_integer_value(json_object_get(bs, "closed"));
    json_object_set_new(o, "open", json_integer(open));
    json_object_set_new(o, "finished", json_integer(finished));
    json_object_set_new(o, "has_overdue", json_boolean(json_integer_value(json_object_get(o, "overdue")) > 0));
}

void plan_page_summary(req_t *r)
{
    act_filter_t f;
    int status;
    read_filters(r, &f, &status);
    json_t *m = base_model(r, N_("Summary of the improvement plans"), &f, "summary", "/actions/summary");
    json_t *total = NULL;
    /* across associations, a row per association, each opening its own summary */
    bool by_assoc = f.node_id <= 0;
    json_t *items = plan_summary(r, &f, by_assoc, &total);
    if (items && by_assoc && json_array_size(items) < 2) {
        json_decref(items);
        json_decref(total);
        by_assoc = false;
        items = plan_summary(r, &f, false, &total);
    }
    if (!items) {
        json_decref(m);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        summary_row_text(r, o);
        int64_t id = json_integer_value(json_object_get(o, "node_id"));
        json_object_set_new(o, "href", json_string(arena_printf(r->arena, by_assoc ? "/actions/summary?node_id=%lld" : "/plans/%lld", (long long)id)));
        json_object_set_new(o, "list_href", json_string(arena_printf(r->arena, "/actions?node_id=%lld", (long long)id)));
        json_object_set_new(o, "overdue_href", json_string(arena_printf(r->arena, "/actions?node_id=%lld&overdue=true", (long long)id)));
    }
    summary_row_text(r, total);
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(json_array_size(items) > 0));
    json_object_set_new(m, "network", total);
    json_object_set_new(m, "several", json_boolean(json_array_size(items) > 1));
    json_object_set_new(m, "by_association", json_boolean(by_assoc));
    page_render(r, status, "plan/summary", m);
}

/* --- An EPS's plan ----------------------------------------------------------------- */

res_t plan_adopt(db_t *db, int64_t actor, const char *ip, const node_t *eps, const char *note,
                 int64_t *id_out)
{
    json_t *snap = db_query_json(db,
                                 "SELECT a.id, a.title, a.status, a.owner_id, a.due_date, a.priority,"
                                 " a.origin, (SELECT u.name FROM users u WHERE u.id = a.owner_id) AS owner"
                                 " FROM actions a WHERE a.node_id = ? AND a.status IN ('planned',"
                                 " 'in_progress') ORDER BY a.due_date IS NULL, a.due_date, a.id",
                                 PARAMS(P_INT(eps->id)));
    if (!snap)
        return RES_ERROR;
    char *text = json_dumps(snap, JSON_COMPACT);
    size_t n = json_array_size(snap);
    json_decref(snap);
    int64_t now = now_utc();
    char day[11];
    iso_day_local(now, day);
    bool mine;
    if (!app_tx_begin(db, &mine)) {
        free(text);
        return RES_ERROR;
    }
    int64_t id = 0;
    db_res_t *res = db_query(db,
                             "INSERT INTO plan_adoptions (node_id, node_path, adopted_by, adopted_at,"
                             " adopted_on, note, n_actions, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                             " RETURNING id",
                             PARAMS(P_INT(eps->id), P_TEXT(eps->path), actor > 0 ? P_INT(actor) : P_NULL,
                                    P_INT(now), P_TEXT(day), P_TEXT(note ? note : ""),
                                    P_INT((int64_t)n), P_TEXT(text)));
    free(text);
    if (res && db_next(res))
        id = db_int(res, 0);
    db_res_free(res);
    bool ok = id > 0;
    if (ok) {
        json_t *ch = json_pack("{s:{s:I}}", "n_actions", "to", (json_int_t)n);
        if (note && *note)
            json_object_set_new(ch, "note", json_pack("{s:s}", "to", note));
        ok = audit_write(db, actor, "adopt", "plan", id, eps->id, ch, ip) == DB_OK;
        json_decref(ch);
    }
    if (app_tx_end(db, mine, ok) != DB_OK || !ok)
        return RES_ERROR;
    *id_out = id;
    return RES_OK;
}

static void render_plan(req_t *r, int status, json_t *errors)
{
    node_t eps;
    if (nodes_load(r->db, r->arena, r->ids[0], &eps) != 0) {
        json_decref(errors);
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const char *name = nodes_display_name(r, eps.name, eps.name_ar);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(arena_printf(r->arena, "%s — %s", T(r, N_("Improvement plan")), name)));
    json_object_set_new(m, "eps", json_string(name));
    json_object_set_new(m, "crumbs", plan_crumbs(r));
    act_filter_t f;
    memset(&f, 0, sizeof f);
    f.due_within = -1;
    f.node_id = eps.id;
    json_t *total = NULL;
    json_t *items = plan_summary(r, &f, false, &total);
    json_decref(items);
    if (total)
        summary_row_text(r, total);
    json_object_set_new(m, "figures", total ? total : json_object());
    json_object_set_new(m, "list_href", json_string(arena_printf(r->arena, "/actions?node_id=%lld", (long long)eps.id)));
    json_object_set_new(m, "board_href", json_string(arena_printf(r->arena, "/actions/board?node_id=%lld", (long long)eps.id)));
    json_object_set_new(m, "timeline_href", json_string(arena_printf(r->arena, "/actions/timeline?node_id=%lld", (long long)eps.id)));
    json_object_set_new(m, "overdue_href", json_string(arena_printf(r->arena, "/actions?node_id=%lld&overdue=true", (long long)eps.id)));
    json_object_set_new(m, "adopt_action", json_string(arena_printf(r->arena, "/plans/%lld/adopt", (long long)eps.id)));
    json_object_set_new(m, "can_adopt", json_boolean(plan_is_director(r, eps.path)));
    json_t *adoptions = db_query_json(r->db,
                                      "SELECT id, adopted_by, adopted_at, note, n_actions, snapshot FROM"
                                      " plan_adoptions WHERE node_id = ? ORDER BY id DESC LIMIT 50",
                                      PARAMS(P_INT(eps.id)));
    size_t i;
    json_t *o;
    json_array_foreach(adoptions, i, o)
    {
        char when[64];
        format_local_date(json_integer_value(json_object_get(o, "adopted_at")), when, sizeof when);
        const char *who = app_entity_name(r, "user", json_integer_value(json_object_get(o, "adopted_by")), NULL);
        json_object_set_new(o, "when", json_string(when));
        json_object_set_new(o, "who", json_string(who ? who : T(r, N_("System"))));
        json_object_set_new(o, "has_note", json_boolean(*json_string_value(json_object_get(o, "note"))));
        json_t *snap = json_loads(json_string_value(json_object_get(o, "snapshot")), 0, NULL);
        size_t k;
        json_t *s;
        json_array_foreach(snap, k, s)
        {
            int st = act_status_from_code(json_string_value(json_object_get(s, "status")));
            json_object_set_new(s, "status_label", json_string(plan_status_label(r, st < 0 ? ACT_PLANNED : (act_status_t)st)));
            json_object_set_new(s, "due", json_string(plan_day_text(r, json_string_value(json_object_get(s, "due_date")))));
            json_object_set_new(s, "href", json_string(arena_printf(r->arena, "/actions/%lld", (long long)json_integer_value(json_object_get(s, "id")))));
            if (!json_is_string(json_object_get(s, "owner")))
                json_object_set_new(s, "owner", json_string(""));
        }
        json_object_set_new(o, "actions", snap ? snap : json_array());
        json_object_set_new(o, "latest", json_boolean(i == 0));
        json_object_del(o, "snapshot");
    }
    json_object_set_new(m, "adoptions", adoptions ? adoptions : json_array());
    json_object_set_new(m, "adopted", json_boolean(json_array_size(adoptions) > 0));
    model_form_errors_take(r, m, errors);
    page_render(r, status, "plan/plan", m);
}

void plan_page_plan(req_t *r) { render_plan(r, 200, NULL); }

void plan_page_adopt(req_t *r)
{
    node_t eps;
    if (nodes_load(r->db, r->arena, r->ids[0], &eps) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!plan_is_director(r, eps.path)) {
        app_fail(r, RES_FORBIDDEN, N_("The director of the establishment adopts its improvement plan."), NULL);
        return;
    }
    json_t *errors = json_object();
    const char *note = v_long_text(r, errors, "note", false, ACT_TEXT_MAX);
    if (json_object_size(errors)) {
        render_plan(r, 422, errors);
        return;
    }
    json_decref(errors);
    int64_t id = 0;
    if (plan_adopt(r->db, r->user->id, req_ip(r), &eps, note, &id) != RES_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    page_redirect_flash(r, arena_printf(r->arena, "/plans/%lld", (long long)eps.id),
                        N_("The improvement plan is adopted."));
}

/* --- The home section ---------------------------------------------------------------- */

void plan_home(req_t *r, json_t *sections)
{
    if (!r->user)
        return;
    /* the reader's own open actions, soonest first */
    action_t rows[5];
    size_t n = 0;
    db_res_t *res = db_query(r->db,
                             "SELECT " ACT_COLS " FROM actions a WHERE a.id IN (" ACT_MINE_SQL ")"
                             " AND a.status IN ('proposed', 'planned', 'in_progress')"
                             " ORDER BY a.due_date IS NULL, a.due_date, a.id LIMIT 5",
                             PARAMS(P_INT(r->user->id), P_INT(r->user->id)));
    while (res && db_next(res) && n < 5)
        act_from_row(r->arena, res, 0, &rows[n++]);
    db_res_free(res);
    int64_t mine = n < 5 ? (int64_t)n
                         : db_query_int(r->db,
                                        "SELECT COUNT(*) FROM actions a WHERE a.id IN (" ACT_MINE_SQL ")"
                                        " AND a.status IN ('proposed', 'planned', 'in_progress')",
                                        PARAMS(P_INT(r->user->id), P_INT(r->user->id)), 0);
    /* the establishments the reader manages: their overdue actions */
    json_t *plans = json_array();
    int64_t now = now_utc();
    char today[11];
    iso_day_local(now, today);
    for (int i = 0; i < r->user->n_roles && json_array_size(plans) < 5; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || a->node_kind != NODE_EPS ||
            (a->role != ROLE_DIRECTOR && a->role != ROLE_QUALITY_REFERENT))
            continue;
        int64_t overdue = db_query_int(r->db,
                                       "SELECT COUNT(*) FROM actions WHERE node_id = ? AND status IN"
                                       " ('proposed', 'planned', 'in_progress') AND due_date < ?",
                                       PARAMS(P_INT(a->node_id), P_TEXT(today)), 0);
        int64_t open = db_query_int(r->db,
                                    "SELECT COUNT(*) FROM actions WHERE node_id = ? AND status IN"
                                    " ('proposed', 'planned', 'in_progress')",
                                    PARAMS(P_INT(a->node_id)), 0);
        json_t *ad = db_query_row_json(r->db, "SELECT adopted_at FROM plan_adoptions WHERE node_id = ? ORDER BY id DESC LIMIT 1",
                                       PARAMS(P_INT(a->node_id)));
        char when[64] = "";
        if (ad)
            format_local_date(json_integer_value(json_object_get(ad, "adopted_at")), when, sizeof when);
        json_decref(ad);
        json_array_append_new(plans, json_pack("{s:s, s:s, s:I, s:I, s:b, s:s, s:b, s:s}", "eps",
                                               nodes_label(r->db, r->arena, r->lang, a->node_id), "href",
                                               arena_printf(r->arena, "/plans/%lld", (long long)a->node_id),
                                               "open", (json_int_t)open, "overdue", (json_int_t)overdue,
                                               "has_overdue", overdue > 0, "overdue_href",
                                               arena_printf(r->arena, "/actions?node_id=%lld&overdue=true", (long long)a->node_id),
                                               "adopted", *when != 0, "adopted_on", when));
    }
    if (n == 0 && json_array_size(plans) == 0) {
        json_decref(plans);
        return;
    }
    json_t *names = act_names(r, rows, n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, plan_card(r, &rows[i], names, today));
    json_decref(names);
    json_array_append_new(sections,
                          json_pack("{s:s, s:i, s:o, s:b, s:I, s:o, s:b}", "partial", "plan/home", "order", 35,
                                    "my_actions", items, "has_mine", n > 0, "mine_count", (json_int_t)mine,
                                    "plans", plans, "has_plans", json_array_size(plans) > 0));
}
