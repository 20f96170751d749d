/* project_pdf.c - the projet d'établissement as a PDF document (doc.h), in
 * French or Arabic: a cover (establishment, period, status and version), a
 * table of contents, each section's text (Markdown blocks), the strategy
 * (axes, objectives, indicators as tables, action sheets), the
 * participation record and the consultation. The text of a validated
 * version comes from that version as it was frozen. The document's own
 * words are in the language asked for; what people wrote stays as written. */
#include "project_internal.h"

#include <string.h>

static void strategy_part(req_t *r, doc_t *d, json_t *axes)
{
    doc_heading(d, 1, T(r, N_("Strategy: axes, objectives and indicators")));
    if (json_array_size(axes) == 0) {
        doc_note(d, T(r, N_("No strategic axis yet.")));
        return;
    }
    size_t i, j, k;
    json_t *axis, *obj, *x;
    json_array_foreach(axes, i, axis) {
        doc_heading(d, 2, arena_printf(r->arena, "%s %zu. %s", T(r, N_("Axis")), i + 1,
                                       json_string_value(json_object_get(axis, "title"))));
        const char *desc = json_string_value(json_object_get(axis, "description"));
        if (desc && *desc)
            doc_paragraph(d, desc);
        json_array_foreach(json_object_get(axis, "objectives"), j, obj) {
            doc_heading(d, 3, arena_printf(r->arena, "%zu.%zu %s", i + 1, j + 1,
                                           json_string_value(json_object_get(obj, "title"))));
            desc = json_string_value(json_object_get(obj, "description"));
            if (desc && *desc)
                doc_paragraph(d, desc);
            json_t *inds = json_object_get(obj, "indicators");
            if (json_array_size(inds) > 0) {
                json_t *head = json_pack("[s, s, s, s]", T(r, N_("Indicator")), T(r, N_("Baseline")),
                                         T(r, N_("Target")), T(r, N_("By")));
                json_t *rows = json_array();
                json_array_foreach(inds, k, x) {
                    const char *due = json_string_value(json_object_get(x, "due"));
                    json_array_append_new(rows, json_pack("[s, s, s, s]",
                                                          json_string_value(json_object_get(x, "label")),
                                                          json_string_value(json_object_get(x, "baseline")),
                                                          json_string_value(json_object_get(x, "target")),
                                                          due ? due : ""));
                }
                static const double widths[] = {0.46, 0.18, 0.18, 0.18};
                doc_table(d, head, rows, widths);
                json_decref(head);
                json_decref(rows);
            }
            json_array_foreach(json_object_get(obj, "sheets"), k, x) {
                doc_heading(d, 4, arena_printf(r->arena, "%s — %s", T(r, N_("Action sheet")),
                                               json_string_value(json_object_get(x, "title"))));
                const char *md = json_string_value(json_object_get(x, "content"));
                json_t *blocks = md_blocks(md ? md : "", md ? strlen(md) : 0);
                doc_blocks(d, blocks, 4);
                json_decref(blocks);
                const char *lead = json_string_value(json_object_get(x, "lead"));
                const char *res = json_string_value(json_object_get(x, "resources"));
                const char *due = json_string_value(json_object_get(x, "due"));
                if (lead && *lead)
                    doc_note(d, arena_printf(r->arena, "%s : %s", T(r, N_("Led by")), lead));
                if (res && *res)
                    doc_note(d, arena_printf(r->arena, "%s : %s", T(r, N_("Resources")), res));
                if (due && *due)
                    doc_note(d, arena_printf(r->arena, "%s : %s", T(r, N_("By")), due));
            }
        }
    }
}

static void participation_part(req_t *r, doc_t *d, const project_t *p, const char *consultation)
{
    doc_heading(d, 1, T(r, N_("Participation and consultation")));
    json_t *totals = NULL;
    json_t *meetings = prj_meetings(r, p->id, &totals);
    if (json_array_size(meetings) == 0) {
        doc_note(d, T(r, N_("No meeting recorded.")));
    } else {
        json_t *head = json_pack("[s, s, s, s, s, s]", T(r, N_("Date")), T(r, N_("Topic")),
                                 T(r, N_("Staff")), T(r, N_("Children and young people")),
                                 T(r, N_("Families")), T(r, N_("Partners")));
        json_t *rows = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(meetings, i, m)
            json_array_append_new(rows, json_pack("[s, s, I, I, I, I]",
                                                  json_string_value(json_object_get(m, "held_on")),
                                                  json_string_value(json_object_get(m, "topic")),
                                                  json_integer_value(json_object_get(m, "staff")),
                                                  json_integer_value(json_object_get(m, "children")),
                                                  json_integer_value(json_object_get(m, "families")),
                                                  json_integer_value(json_object_get(m, "partners"))));
        json_array_append_new(rows, json_pack("[s, s, I, I, I, I]", T(r, N_("Total")),
                                              text_fill_numbers(r->arena, TN(r, "%d meeting", "%d meetings", (unsigned long)json_integer_value(json_object_get(totals, "meetings"))), (long long[]){json_integer_value(json_object_get(totals, "meetings"))}, 1),
                                              json_integer_value(json_object_get(totals, "staff")),
                                              json_integer_value(json_object_get(totals, "children")),
                                              json_integer_value(json_object_get(totals, "families")),
                                              json_integer_value(json_object_get(totals, "partners"))));
        static const double widths[] = {0.14, 0.34, 0.13, 0.13, 0.13, 0.13};
        doc_table(d, head, rows, widths);
        json_decref(head);
        json_decref(rows);
    }
    json_decref(meetings);
    json_decref(totals);
    if (consultation && *consultation) {
        doc_heading(d, 2, T(r, N_("Consultation record")));
        doc_paragraph(d, consultation);
    }
}

int prj_pdf(req_t *r, const project_t *p, const char *lang, int64_t version, buf_t *out)
{
    const char *saved = r->lang;
    r->lang = lang;
    json_t *text = prj_version_text(r, p, version);
    json_t *axes = NULL;
    const char *consultation = p->consultation, *when = NULL;
    if (version > 0) {
        json_t *v = db_query_row_json(r->db,
                                      "SELECT strategy, consultation, validated_on FROM project_versions"
                                      " WHERE project_id = ? AND number = ?",
                                      PARAMS(P_INT(p->id), P_INT(version)));
        const char *sj = json_string_value(json_object_get(v, "strategy"));
        axes = sj ? json_loads(sj, 0, NULL) : NULL;
        consultation = arena_strdup(r->arena, json_string_value(json_object_get(v, "consultation")));
        when = arena_strdup(r->arena, json_string_value(json_object_get(v, "validated_on")));
        json_decref(v);
    } else {
        axes = prj_strategy_snapshot(r->db, p->id);
    }
    const char *eps = nodes_label(r->db, r->arena, lang, p->node_id);
    int64_t number = version > 0 ? version : p->version;
    const char *status = version > 0 && version < p->version
                             ? T(r, N_("prj_status.validated"))
                             : prj_status_label(r, p->status);
    const char *note = arena_printf(r->arena, "%s %lld · %s%s%s", T(r, N_("Version")), (long long)number,
                                    status, when ? " · " : "", when ? when : "");
    doc_opts_t o = {
        .lang = lang,
        .title = p->title,
        .subtitle = arena_printf(r->arena, "%s — %s – %s", eps, p->period_start, p->period_end),
        .cover_note = note,
        .header = arena_printf(r->arena, "%s — %s", T(r, N_("Projet d'établissement")), eps),
        .footer = p->title,
        .page_fmt = T(r, N_("Page %d of %d")),
        .toc_title = T(r, N_("Contents")),
        .cover = true,
    };
    doc_t *d = doc_new(&o);
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(text, "keys"), i, k) {
        json_t *s = json_object_get(text, json_string_value(k));
        doc_heading(d, 1, arena_printf(r->arena, "%zu. %s", i + 1, json_string_value(json_object_get(s, "title"))));
        const char *md = json_string_value(json_object_get(s, "content"));
        if (!md || !*md) {
            doc_note(d, T(r, N_("This section is not written yet.")));
            continue;
        }
        json_t *blocks = md_blocks(md, strlen(md));
        doc_blocks(d, blocks, 1);
        json_decref(blocks);
    }
    strategy_part(r, d, axes);
    participation_part(r, d, p, consultation);
    int rc = doc_render_pdf(d, out);
    doc_free(d);
    json_decref(text);
    json_decref(axes);
    r->lang = saved;
    return rc;
}
