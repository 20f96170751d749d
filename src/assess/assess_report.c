/* assess_report.c - the self-assessment report as a PDF (doc.h), in French
 * or Arabic: the campaign (establishment, référentiel, period, methods and
 * who took part), the overall score, the radar of averages by theme (the
 * same drawing model as the page's chart), the averages with the previous
 * campaign, the imperative criteria below the expected level, the criteria
 * without evidence, and the action proposals with their decisions. */
#include "assess_internal.h"

#include <string.h>

#include "../doc/doc.h"

static const char *fmt_avg(req_t *r, json_t *v)
{
    return json_is_number(v) ? arena_printf(r->arena, "%.2f", json_number_value(v)) : "—";
}

/* Title of the criterion or theme of code in the reader's language. */
static const char *row_title(req_t *r, const camp_full_t *f, const char *code)
{
    for (size_t i = 0; i < f->n_rows; i++)
        if (str_eq(f->rows[i].code, code))
            return ref_title(r, f->rows[i].title_fr, f->rows[i].title_ar, f->rows[i].title_en, NULL);
    return "";
}

static void codes_table(req_t *r, doc_t *d, const camp_full_t *f, json_t *codes, const char *empty)
{
    if (json_array_size(codes) == 0) {
        doc_note(d, T(r, empty));
        return;
    }
    json_t *head = json_pack("[s, s, s]", T(r, N_("Criterion")), T(r, N_("Statement")), T(r, N_("Score")));
    json_t *rows = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c) {
        const char *code = json_string_value(c);
        int k = camp_crit_find(f, 0, code);
        const char *score = k >= 0 && f->crit[k].score != SCORE_NONE
                                ? T(r, arena_printf(r->arena, "score.%s", assess_score_code(f->crit[k].score)))
                                : "—";
        json_array_append_new(rows, json_pack("[s, s, s]", code, row_title(r, f, code), score));
    }
    static const double widths[] = {0.14, 0.66, 0.20};
    doc_table(d, head, rows, widths);
    json_decref(head);
    json_decref(rows);
}

static int build(req_t *r, const camp_full_t *f, chart_t **chart_out, buf_t *out)
{
    json_t *res = camp_results_json(r, f, false);
    const char *eps = nodes_label(r->db, r->arena, r->lang, f->c.node_id);
    doc_opts_t o = {
        .lang = r->lang,
        .title = f->c.title,
        .subtitle = arena_printf(r->arena, "%s — %s – %s", eps, f->c.period_start ? f->c.period_start : "",
                                 f->c.period_end ? f->c.period_end : ""),
        .cover_note = arena_printf(r->arena, "%s · %s", T(r, N_("Self-assessment report")),
                                   T(r, arena_printf(r->arena, "camp_status.%s", camp_status_code(f->c.status)))),
        .header = arena_printf(r->arena, "%s — %s", T(r, N_("Self-assessment report")), eps),
        .footer = f->c.title,
        .page_fmt = T(r, N_("Page %d of %d")),
        .toc_title = T(r, N_("Contents")),
        .cover = true,
    };
    doc_t *d = doc_new(&o);

    doc_heading(d, 1, T(r, N_("The self-assessment")));
    json_t *facts = json_pack("[[s, s], [s, s], [s, s]]", T(r, N_("Référentiel")),
                              arena_printf(r->arena, "%s %s (v%lld)", f->ref.code,
                                           ref_title(r, f->ref.title_fr, f->ref.title_ar, f->ref.title_en, NULL),
                                           (long long)f->ref.version),
                              T(r, N_("Criteria rated")),
                              arena_printf(r->arena, "%lld / %zu", (long long)json_integer_value(json_object_get(res, "scored")) +
                                                                       json_integer_value(json_object_get(res, "not_concerned")) +
                                                                       json_integer_value(json_object_get(res, "inadapted")),
                                           f->n_crit),
                              T(r, N_("Who took part")),
                              arena_printf(r->arena, "%s %lld · %s %lld · %s %lld · %s %lld", T(r, N_("Staff")),
                                           (long long)f->c.p_staff, T(r, N_("Children and young people")),
                                           (long long)f->c.p_children, T(r, N_("Families")),
                                           (long long)f->c.p_families, T(r, N_("Partners")),
                                           (long long)f->c.p_partners));
    static const double fw[] = {0.32, 0.68};
    doc_table(d, NULL, facts, fw);
    json_decref(facts);
    if (f->c.methods && *f->c.methods) {
        doc_heading(d, 2, T(r, N_("How it was done")));
        doc_paragraph(d, f->c.methods);
    }

    doc_heading(d, 1, T(r, N_("Results")));
    doc_paragraph(d, arena_printf(r->arena, "%s : %s / 4", T(r, N_("Overall average")),
                                  fmt_avg(r, json_object_get(res, "overall"))));
    camp_radar_t rd;
    camp_radar_inputs(r, res, &rd);
    if (rd.n > 0) {
        *chart_out = assess_radar_chart(rd.labels, rd.values, rd.has_prev ? rd.prev : NULL, rd.n,
                                        T(r, N_("This campaign")), T(r, N_("Previous campaign")),
                                        str_eq(r->lang, "ar"));
        doc_chart(d, *chart_out, 150);
    }
    json_t *head = json_pack("[s, s, s, s]", T(r, N_("Theme")), T(r, N_("Average")),
                             T(r, N_("Previous")), T(r, N_("Change")));
    json_t *rows = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(res, "averages"), i, e) {
        json_t *delta = json_object_get(e, "delta");
        json_array_append_new(rows, json_pack("[s, s, s, s]",
                                              arena_printf(r->arena, "%s %s", json_string_value(json_object_get(e, "code")),
                                                           json_string_value(json_object_get(e, "title"))),
                                              fmt_avg(r, json_object_get(e, "average")),
                                              fmt_avg(r, json_object_get(e, "previous")),
                                              json_is_number(delta) ? arena_printf(r->arena, "%+.2f", json_number_value(delta)) : "—"));
    }
    static const double aw[] = {0.58, 0.14, 0.14, 0.14};
    doc_table(d, head, rows, aw);
    json_decref(head);
    json_decref(rows);

    doc_heading(d, 1, T(r, N_("Imperative criteria below the expected level")));
    codes_table(r, d, f, json_object_get(res, "imperative_failures"), N_("Every imperative criterion is met."));
    doc_heading(d, 2, T(r, N_("Criteria without evidence")));
    codes_table(r, d, f, json_object_get(res, "without_evidence"), N_("Every rated criterion has its evidence."));

    doc_heading(d, 1, T(r, N_("Action proposals")));
    json_t *props = camp_proposals(r->db, f->c.id);
    if (json_array_size(props) == 0) {
        doc_note(d, T(r, N_("No proposal.")));
    } else {
        head = json_pack("[s, s, s]", T(r, N_("Criterion")), T(r, N_("Proposal")), T(r, N_("Decision")));
        rows = json_array();
        json_array_foreach(props, i, e) {
            const char *status = json_string_value(json_object_get(e, "status"));
            const char *reason = json_string_value(json_object_get(e, "reason"));
            const char *title = json_string_value(json_object_get(e, "title"));
            json_array_append_new(
                rows, json_pack("[s, s, s]", json_string_value(json_object_get(e, "code")),
                                arena_printf(r->arena, "%s%s", title ? title : "",
                                             json_integer_value(json_object_get(e, "imperative")) ? " (!)" : ""),
                                arena_printf(r->arena, "%s%s%s", T(r, arena_printf(r->arena, "proposal_status.%s", status ? status : "proposed")),
                                             reason && *reason ? " — " : "", reason && *reason ? reason : "")));
        }
        static const double pw[] = {0.14, 0.56, 0.30};
        doc_table(d, head, rows, pw);
        json_decref(head);
        json_decref(rows);
    }
    json_decref(props);
    int rc = doc_render_pdf(d, out);
    doc_free(d);
    json_decref(res);
    return rc;
}

void assess_api_report_pdf(req_t *r)
{
    const char *lang = req_query(r, "lang");
    if (lang && *lang && !str_eq(lang, "fr") && !str_eq(lang, "ar") && !str_eq(lang, "en")) {
        json_t *errors = json_object();
        v_error(errors, "lang", N_("Choose one of the proposed values."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    camp_full_t *f = arena_alloc(r->arena, sizeof *f);
    if (camp_load_full(r->db, r->arena, r->ids[0], f) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return;
    }
    const char *saved = r->lang;
    if (lang && *lang)
        r->lang = lang;
    buf_t out;
    buf_init(&out);
    chart_t *chart = NULL;
    int rc = build(r, f, &chart, &out);
    chart_free(chart);
    r->lang = saved;
    if (rc != 0) {
        buf_free(&out);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    app_send_bytes(r, out.data, out.len, "application/pdf",
                   arena_printf(r->arena, "auto-evaluation-%lld-%s.pdf", (long long)f->c.id,
                                lang && *lang ? lang : r->lang));
    buf_free(&out);
}
