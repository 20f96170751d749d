/* assess_view.c - what campaigns show beyond their own work page: the
 * results (averages per node of the tree with the change since the previous
 * validated campaign, a radar by theme and the distribution of scores drawn
 * as SVG on the server, imperative criteria below 4, criteria without
 * evidence, and the proposals to accept or dismiss), the network view of
 * several establishments for quality advisors, admins and observers (read
 * from the results frozen at validation, never from every rating), and the
 * module's part of the home page. */
#include "assess_internal.h"

#include <string.h>

static const char *fmt_avg(req_t *r, double v)
{
    return arena_printf(r->arena, "%.2f", v);
}

/* --- Results ------------------------------------------------------------- */

static void render_results(req_t *r, int status, camp_full_t *f, const char *action_error)
{
    json_t *res = camp_results_json(r, f, false);
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(f->c.title));
    json_object_set_new(m, "crumbs",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "label", T(r, N_("Self-assessment")),
                                  "href", "/campaigns", "label", f->c.title, "href",
                                  arena_printf(r->arena, "/campaigns/%lld", (long long)f->c.id)));
    json_object_set_new(m, "eps", json_string(nodes_label(r->db, r->arena, r->lang, f->c.node_id)));
    json_object_set_new(m, "status_label",
                        json_string(T(r, arena_printf(r->arena, "camp_status.%s",
                                                      camp_status_code(f->c.status)))));
    json_object_set_new(m, "is_validated", json_boolean(f->c.status == CAMP_VALIDATED));
    json_object_set_new(m, "overall",
                        f->overall.scored ? json_string(fmt_avg(r, f->overall.average))
                                          : json_null());
    json_object_set_new(m, "scored", json_integer(f->overall.scored));
    json_object_set_new(m, "nc", json_integer(f->overall.nc));
    json_object_set_new(m, "ri", json_integer(f->overall.ri));
    json_object_set_new(m, "unrated", json_integer(f->overall.unrated));
    bool has_prev = !json_is_null(json_object_get(res, "previous_campaign_id"));
    json_object_set_new(m, "has_previous", json_boolean(has_prev));
    json_object_set_new(m, "previous_href", json_null());
    if (has_prev)
        json_object_set_new(m, "previous_href",
                            json_string(arena_printf(
                                r->arena, "/campaigns/%lld/results",
                                (long long)json_integer_value(json_object_get(res, "previous_campaign_id")))));

    /* the table of averages */
    json_t *rows = json_array();
    /* the charts are images of their own (assess_page_chart); the radar's
     * text alternative gives each theme's average, as the table does */
    buf_t alt;
    buf_init(&alt);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(res, "averages"), i, e)
    {
        json_t *avg = json_object_get(e, "average"), *pv = json_object_get(e, "previous"),
               *dl = json_object_get(e, "delta");
        int depth = (int)json_integer_value(json_object_get(e, "depth"));
        json_t *o = json_pack("{s:s, s:s, s:I, s:b}", "code",
                              json_string_value(json_object_get(e, "code")), "title",
                              json_string_value(json_object_get(e, "title")), "scored",
                              json_integer_value(json_object_get(e, "scored")), "top", depth == 0);
        json_object_set_new(o, "average", json_is_number(avg) ? json_string(fmt_avg(r, json_number_value(avg)))
                                                              : json_null());
        json_object_set_new(o, "previous", json_is_number(pv) ? json_string(fmt_avg(r, json_number_value(pv)))
                                                              : json_null());
        if (json_is_number(dl)) {
            double d = json_number_value(dl);
            json_object_set_new(o, "delta", json_string(arena_printf(r->arena, "%+.2f", d)));
            json_object_set_new(o, "up", json_boolean(d > 0.005));
            json_object_set_new(o, "down", json_boolean(d < -0.005));
        } else {
            json_object_set_new(o, "delta", json_null());
        }
        json_object_set_new(o, "indent", json_integer(depth));
        json_array_append_new(rows, o);
        if (depth == 0)
            buf_printf(&alt, "%s%s %s: %s", alt.len ? "; " : "",
                       json_string_value(json_object_get(e, "code")),
                       json_string_value(json_object_get(e, "title")),
                       json_is_number(avg) ? fmt_avg(r, json_number_value(avg)) : "—");
    }
    json_object_set_new(m, "rows", rows);
    json_object_set_new(m, "radar_alt", json_string(alt.data ? alt.data : ""));
    buf_free(&alt);
    json_object_set_new(m, "radar_src", json_string(arena_printf(r->arena, "/campaigns/%lld/radar.svg?lang=%s",
                                                                 (long long)f->c.id, r->lang)));
    json_object_set_new(m, "bars_src", json_string(arena_printf(r->arena, "/campaigns/%lld/scores.svg?lang=%s",
                                                                (long long)f->c.id, r->lang)));
    json_object_set_new(m, "bars_alt", json_string(T(r, N_("How many criteria received each score."))));

    /* imperative criteria below 4 and criteria without evidence, with their titles */
    json_t *fails = json_array(), *noev = json_array();
    for (size_t k = 0; k < f->n_crit; k++) {
        const camp_crit_t *c = &f->crit[k];
        const ref_row_t *row = &f->rows[c->row];
        bool counts;
        double v = assess_score_value(c->score, &counts);
        const char *sc = assess_score_code(c->score);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "code", c->code, "title",
                              ref_title(r, row->title_fr, row->title_ar, row->title_en, NULL),
                              "score", sc ? T(r, arena_printf(r->arena, "score.%s", sc)) : "",
                              "href",
                              arena_printf(r->arena, "/campaigns/%lld#c-%s", (long long)f->c.id,
                                           c->code));
        if (row->imperative && counts && v < 4)
            json_array_append(fails, o);
        if (c->score != SCORE_NONE && c->n_evidence == 0)
            json_array_append(noev, o);
        json_decref(o);
    }
    json_object_set_new(m, "fails", fails);
    json_object_set_new(m, "has_fails", json_boolean(json_array_size(fails) > 0));
    json_object_set_new(m, "noev", noev);
    json_object_set_new(m, "has_noev", json_boolean(json_array_size(noev) > 0));

    /* proposals */
    bool lead = camp_can_lead(r, f->c.node_path) &&
                app_can_at_path(r, PERM_QUALITY_WRITE, f->c.node_path);
    json_t *props = camp_proposals(r->db, f->c.id);
    /* what other modules made of them (the improvement plan's actions) */
    json_t *links = app_item_links(r, "campaign", f->c.id);
    json_array_foreach(props, i, e)
    {
        json_t *l = json_object_get(links, json_string_value(json_object_get(e, "code")));
        json_object_set_new(e, "links", l ? json_incref(l) : json_array());
        const char *st = json_string_value(json_object_get(e, "status"));
        bool open = str_eq(st, "proposed");
        json_object_set_new(e, "status_label",
                            json_string(T(r, arena_printf(r->arena, "proposal_status.%s", st))));
        json_object_set_new(e, "open", json_boolean(open));
        json_object_set_new(e, "decidable", json_boolean(open && lead));
        json_object_set_new(e, "dismissable",
                            json_boolean(open && lead && !json_integer_value(json_object_get(e, "imperative"))));
        json_object_set_new(e, "is_imperative", json_boolean(json_integer_value(json_object_get(e, "imperative"))));
        json_object_set_new(e, "action",
                            json_string(arena_printf(r->arena, "/campaigns/%lld/proposals/%lld",
                                                     (long long)f->c.id,
                                                     (long long)json_integer_value(json_object_get(e, "id")))));
        const char *sc = json_string_value(json_object_get(e, "score"));
        json_object_set_new(e, "score_label",
                            json_string(sc ? T(r, arena_printf(r->arena, "score.%s", sc)) : ""));
    }
    json_decref(links);
    json_object_set_new(m, "proposals", props);
    json_object_set_new(m, "has_proposals", json_boolean(json_array_size(props) > 0));
    json_object_set_new(m, "csv_href", json_string(arena_printf(
                                           r->arena, "/api/v1/campaigns/%lld/results.csv",
                                           (long long)f->c.id)));
    json_object_set_new(m, "xlsx_href", json_string(arena_printf(
                                            r->arena, "/api/v1/campaigns/%lld/results.xlsx",
                                            (long long)f->c.id)));
    json_object_set_new(m, "campaign_href",
                        json_string(arena_printf(r->arena, "/campaigns/%lld", (long long)f->c.id)));
    json_object_set_new(m, "action_error", action_error ? json_string(T(r, action_error)) : json_null());
    json_decref(res);
    page_render(r, status, "assess/results", m);
}

void camp_radar_inputs(req_t *r, json_t *res, camp_radar_t *out)
{
    size_t n = json_array_size(json_object_get(res, "averages"));
    out->labels = arena_alloc(r->arena, (n + 1) * sizeof *out->labels);
    out->values = arena_alloc(r->arena, (n + 1) * sizeof *out->values);
    out->prev = arena_alloc(r->arena, (n + 1) * sizeof *out->prev);
    out->n = 0;
    out->has_prev = !json_is_null(json_object_get(res, "previous_campaign_id"));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(res, "averages"), i, e) {
        if (json_integer_value(json_object_get(e, "depth")) != 0)
            continue;
        json_t *avg = json_object_get(e, "average"), *pv = json_object_get(e, "previous");
        out->labels[out->n] = arena_printf(r->arena, "%s %s", json_string_value(json_object_get(e, "code")),
                                           json_string_value(json_object_get(e, "title")));
        out->values[out->n] = json_is_number(avg) ? json_number_value(avg) : -1;
        out->prev[out->n] = json_is_number(pv) ? json_number_value(pv) : -1;
        out->n++;
    }
}

/* The radar by theme or the distribution of scores of a campaign, as SVG. */
void assess_page_chart(req_t *r)
{
    camp_full_t *f = arena_alloc(r->arena, sizeof *f);
    if (camp_load_full(r->db, r->arena, r->ids[0], f) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    bool rtl = str_eq(r->lang, "ar");
    buf_t svg;
    buf_init(&svg);
    if (str_eq(strrchr(r->path, '/'), "/radar.svg")) {
        json_t *res = camp_results_json(r, f, false);
        camp_radar_t rd;
        camp_radar_inputs(r, res, &rd);
        assess_radar_svg(&svg, T(r, N_("Average by theme")),
                         T(r, N_("The average score of each theme, from 1 to 4.")), rd.labels,
                         rd.values, rd.has_prev ? rd.prev : NULL, rd.n, T(r, N_("This campaign")),
                         T(r, N_("Previous campaign")), rtl);
        json_decref(res);
    } else {
        static const char *const has4[] = {"1", "2", "3", "4", "star", "nc", "ri"};
        static const char *const conf[] = {"conforme", "partiel", "non_conforme", "nc"};
        bool conformity = str_eq(f->ref.scale, "conformity");
        size_t nd = conformity ? 4 : 7;
        const char *dlabels[7];
        int dcounts[7];
        for (size_t k = 0; k < nd; k++) {
            const char *code = conformity ? conf[k] : has4[k];
            dlabels[k] = T(r, arena_printf(r->arena, "score.%s", code));
            dcounts[k] = f->overall.dist[assess_score_parse(f->ref.scale, code)];
        }
        assess_bars_svg(&svg, T(r, N_("Distribution of scores")),
                        T(r, N_("How many criteria received each score.")), dlabels, dcounts, nd,
                        rtl);
    }
    http_respond(r->http, 200, "image/svg+xml; charset=utf-8", svg.data ? svg.data : "", svg.len);
    buf_free(&svg);
}

void assess_page_results(req_t *r)
{
    camp_full_t *f = arena_alloc(r->arena, sizeof *f);
    if (camp_load_full(r->db, r->arena, r->ids[0], f) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    render_results(r, 200, f, NULL);
}

void assess_page_decide(req_t *r)
{
    camp_full_t *f = arena_alloc(r->arena, sizeof *f);
    if (camp_load_full(r->db, r->arena, r->ids[0], f) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    if (!camp_require_lead(r, f->c.node_path))
        return;
    const char *decision = req_form(r, "decision");
    const char *reason = req_form(r, "reason");
    if (!str_eq(decision, "accept") && !str_eq(decision, "dismiss")) {
        render_results(r, 422, f, N_("Choose to accept or to dismiss the proposal."));
        return;
    }
    if (reason && (!utf8_valid(reason, strlen(reason)) || utf8_count(reason) > 500 ||
                   str_has_control(reason))) {
        render_results(r, 422, f, N_("Say why this proposal is dismissed."));
        return;
    }
    const char *msgid = NULL;
    res_t rc = camp_decide(r->db, r->user->id, req_ip(r), &f->c, r->ids[1],
                           str_eq(decision, "accept"), reason ? str_trim(arena_strdup(r->arena, reason)) : NULL,
                           &msgid);
    if (rc == RES_OK) {
        page_redirect_flash(r,
                            arena_printf(r->arena, "/campaigns/%lld/results#proposals",
                                         (long long)f->c.id),
                            str_eq(decision, "accept")
                                ? N_("The proposal is accepted: it is kept for the improvement plan.")
                                : N_("The proposal is dismissed."));
        return;
    }
    if (rc == RES_CONFLICT || rc == RES_INVALID) {
        render_results(r, rc == RES_CONFLICT ? 409 : 422, f, msgid);
        return;
    }
    app_fail(r, rc, NULL, NULL);
}

/* --- The network view ----------------------------------------------------- */

void assess_page_network(req_t *r)
{
    /* the référentiel compared: ?ref= or the shipped one */
    int64_t ref_id = 0;
    const char *rs = req_query(r, "ref");
    if (!rs || !str_to_i64(rs, &ref_id) || ref_id <= 0)
        ref_id = db_query_int(r->db,
                              "SELECT id FROM referentiels WHERE code = 'JOUDA-EPS-ENFANCE' AND"
                              " status = 'published' ORDER BY version DESC LIMIT 1",
                              NOPARAMS, 0);
    ref_t ref;
    if (!ref_id || ref_load(r->db, r->arena, ref_id, &ref) != 0 || !ref_can_read(r, &ref)) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    size_t nrows = 0;
    ref_row_t *rows = ref_rows(r->db, r->arena, ref_id, &nrows);
    VEC(const ref_row_t *) themes = {0};
    for (size_t i = 0; rows && i < nrows; i++)
        if (rows[i].depth == 0 && !rows[i].leaf)
            *VEC_PUSH(r->arena, &themes) = &rows[i];
    int64_t limit = 50, offset = 0;
    const char *os = req_query(r, "offset");
    if (os && (!str_to_i64(os, &offset) || offset < 0 || offset > 1000000))
        offset = 0;
    /* the latest validated campaign of each establishment in scope */
    buf_t where;
    buf_init(&where);
    db_param_t params[48];
    int np = 0;
    buf_puts(&where, " FROM campaigns c WHERE c.status = 'validated' AND c.referentiel_id = ? AND ");
    params[np++] = P_INT(ref_id);
    app_scope_sql(r, PERM_QUALITY_READ, "c.node_path", &where, params, &np, 40);
    buf_puts(&where, " AND NOT EXISTS (SELECT 1 FROM campaigns n WHERE n.node_id = c.node_id AND"
                     " n.referentiel_id = c.referentiel_id AND n.status = 'validated' AND"
                     " (n.validated_at > c.validated_at OR (n.validated_at = c.validated_at AND"
                     " n.id > c.id)))");
    int64_t total = db_query_int(r->db, arena_printf(r->arena, "SELECT COUNT(*) AS n%s", where.data),
                                 params, np, 0);
    double sum = 0;
    int64_t counted = 0;
    db_res_t *agg = db_query(r->db, arena_printf(r->arena, "SELECT SUM(c.overall) AS s, COUNT(c.overall) AS k%s", where.data),
                             params, np);
    if (agg && db_next(agg)) {
        sum = (double)db_int(agg, 0) / 1000.0;
        counted = db_int(agg, 1);
    }
    db_res_free(agg);
    char *sql = arena_printf(r->arena, "SELECT c.id, c.node_id, c.overall, c.validated_at%s"
                                       " ORDER BY c.overall ASC, c.id LIMIT ? OFFSET ?",
                             where.data);
    buf_free(&where);
    params[np++] = P_INT(limit);
    params[np++] = P_INT(offset);
    db_res_t *res = db_query(r->db, sql, params, np);
    if (!res) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    json_t *items = json_array();
    VEC(int64_t) ids = {0};
    while (db_next(res)) {
        json_t *o = json_object();
        int64_t id = db_int(res, 0);
        *VEC_PUSH(r->arena, &ids) = id;
        json_object_set_new(o, "id", json_integer(id));
        json_object_set_new(o, "node_id", json_integer(db_int(res, 1)));
        json_object_set_new(o, "overall", db_isnull(res, 2) ? json_null()
                                                            : json_string(fmt_avg(r, (double)db_int(res, 2) / 1000.0)));
        json_object_set_new(o, "href", json_string(arena_printf(r->arena, "/campaigns/%lld/results", (long long)id)));
        json_object_set_new(o, "themes", json_array());
        json_array_append_new(items, o);
    }
    db_res_free(res);
    /* their theme averages: one read of the frozen results of this page */
    for (size_t k = 0; k < ids.n; k++) {
        json_t *o = json_array_get(items, k);
        json_object_set_new(o, "eps", json_string(nodes_label(r->db, r->arena, r->lang,
                                                              json_integer_value(json_object_get(o, "node_id")))));
        db_res_t *t = db_query(r->db,
                               "SELECT code, average FROM campaign_results WHERE campaign_id = ?"
                               " AND depth = 0 ORDER BY code",
                               PARAMS(P_INT(ids.v[k])));
        json_t *byc = json_object();
        while (t && db_next(t))
            if (!db_isnull(t, 1))
                json_object_set_new(byc, db_text(t, 0), json_integer(db_int(t, 1)));
        db_res_free(t);
        for (size_t h = 0; h < themes.n; h++) {
            json_t *v = json_object_get(byc, themes.v[h]->code);
            double a = v ? (double)json_integer_value(v) / 1000.0 : -1;
            json_array_append_new(json_object_get(o, "themes"),
                                  json_pack("{s:o, s:b}", "value",
                                            v ? json_string(fmt_avg(r, a)) : json_null(), "low",
                                            v && a < 2.5));
        }
        json_decref(byc);
    }
    json_t *heads = json_array();
    for (size_t h = 0; h < themes.n; h++)
        json_array_append_new(heads, json_pack("{s:s, s:s}", "code", themes.v[h]->code, "title",
                                               ref_title(r, themes.v[h]->title_fr, themes.v[h]->title_ar,
                                                         themes.v[h]->title_en, NULL)));
    json_t *m = json_object();
    json_object_set_new(m, "title", json_string(T(r, N_("Self-assessment across establishments"))));
    json_object_set_new(m, "crumbs", json_pack("[{s:s, s:s}]", "label", T(r, N_("Self-assessment")),
                                               "href", "/campaigns"));
    json_object_set_new(m, "ref_title", json_string(ref_title(r, ref.title_fr, ref.title_ar, ref.title_en, NULL)));
    json_object_set_new(m, "heads", heads);
    json_object_set_new(m, "items", items);
    json_object_set_new(m, "has_items", json_boolean(json_array_size(items) > 0));
    json_object_set_new(m, "total", json_integer(total));
    json_object_set_new(m, "average", counted ? json_string(fmt_avg(r, sum / (double)counted)) : json_null());
    json_object_set_new(m, "next_href", json_null());
    json_object_set_new(m, "prev_href", json_null());
    if (offset + limit < total)
        json_object_set_new(m, "next_href", json_string(arena_printf(r->arena, "/campaigns/network?ref=%lld&offset=%lld",
                                                                     (long long)ref_id, (long long)(offset + limit))));
    if (offset > 0)
        json_object_set_new(m, "prev_href", json_string(arena_printf(r->arena, "/campaigns/network?ref=%lld&offset=%lld",
                                                                     (long long)ref_id, (long long)(offset > limit ? offset - limit : 0))));
    page_render(r, 200, "assess/network", m);
}

/* --- The home page -------------------------------------------------------- */

void assess_home(req_t *r, json_t *sections)
{
    /* the latest campaign of each establishment where the reader works (at most 6) */
    if (!r->user)
        return;
    json_t *cards = json_array();
    int64_t now = now_utc();
    for (int i = 0; i < r->user->n_roles && json_array_size(cards) < 6; i++) {
        const role_assignment_t *a = &r->user->roles[i];
        if (!authz_role_live(a, now) || a->node_kind != NODE_EPS ||
            !authz_role_grants(a->role, a->node_kind, PERM_QUALITY_READ))
            continue;
        db_res_t *res = db_query(r->db,
                                 "SELECT " CAMP_COLS " FROM campaigns c WHERE c.node_id = ?"
                                 " ORDER BY c.created_at DESC, c.id DESC LIMIT 1",
                                 PARAMS(P_INT(a->node_id)));
        if (res && db_next(res)) {
            campaign_t c;
            camp_from_row(r->arena, res, 0, &c);
            json_t *o = json_object();
            json_object_set_new(o, "title", json_string(c.title));
            json_object_set_new(o, "href", json_string(arena_printf(r->arena, "/campaigns/%lld", (long long)c.id)));
            json_object_set_new(o, "results_href", json_string(arena_printf(r->arena, "/campaigns/%lld/results", (long long)c.id)));
            json_object_set_new(o, "status_label", json_string(T(r, arena_printf(r->arena, "camp_status.%s", camp_status_code(c.status)))));
            json_object_set_new(o, "is_validated", json_boolean(c.status == CAMP_VALIDATED));
            json_object_set_new(o, "progress", json_string(arena_printf(r->arena, "%s / %s", app_number(r, c.n_rated), app_number(r, c.n_criteria))));
            json_object_set_new(o, "percent", json_integer(c.n_criteria ? c.n_rated * 100 / c.n_criteria : 0));
            json_object_set_new(o, "overall", c.overall >= 0 ? json_string(fmt_avg(r, c.overall)) : json_null());
            json_object_set_new(o, "eps", json_string(nodes_label(r->db, r->arena, r->lang, c.node_id)));
            /* the score of the establishment: its last validated campaign's average */
            json_object_set_new(o, "last_overall", json_null());
            json_object_set_new(o, "last_href", json_null());
            if (c.status != CAMP_VALIDATED) {
                db_res_t *v = db_query(r->db,
                                       "SELECT id, overall FROM campaigns WHERE node_id = ? AND"
                                       " status = 'validated' AND overall IS NOT NULL"
                                       " ORDER BY validated_at DESC, id DESC LIMIT 1",
                                       PARAMS(P_INT(a->node_id)));
                if (v && db_next(v)) {
                    json_object_set_new(o, "last_overall",
                                        json_string(fmt_avg(r, (double)db_int(v, 1) / 1000.0)));
                    json_object_set_new(o, "last_href",
                                        json_string(arena_printf(r->arena, "/campaigns/%lld/results",
                                                                 (long long)db_int(v, 0))));
                }
                db_res_free(v);
            }
            json_array_append_new(cards, o);
        }
        db_res_free(res);
    }
    if (!json_array_size(cards)) {
        json_decref(cards);
        return;
    }
    json_array_append_new(sections, json_pack("{s:s, s:i, s:o}", "partial", "assess/home",
                                              "order", 15, "campaigns", cards));
}
