/* person_export.c - everything held about one person, for the right of
 * access of Law 09-08 (a young person leaving care asking for their file,
 * or a parent through the director): identity, the sensitive notes opened,
 * referents and siblings, the needs assessment, every version of the plan
 * with its goals, actions and reviews, the access given and the access log.
 * One JSON model (pers_export) read by both forms: the JSON file and the
 * PDF document (doc.h) in French, Arabic or English. Reserved to the
 * director of the person's EPS (the route's check); each export is an
 * audit row ("export") and a line of the access log. */
#include "person_internal.h"

#include <string.h>

#include "../doc/doc.h"

#define EXPORT_READS_MAX 50000 /* lines of the access log in an export */

json_t *pers_needs_json(req_t *r, int64_t person_id);

/* --- The model ------------------------------------------------------------- */

json_t *pers_needs_json(req_t *r, int64_t person_id)
{
    size_t nd = 0, nn = 0;
    pers_domain_t *dom = pers_domains(r->db, r->arena, r->lang, true, &nd);
    pers_need_t *needs = pers_needs(r, person_id, &nn);
    json_t *items = json_array();
    for (size_t i = 0; i < nn; i++) {
        const pers_need_t *n = &needs[i];
        const char *label = n->domain;
        for (size_t k = 0; k < nd; k++)
            if (str_eq(dom[k].code, n->domain))
                label = dom[k].label;
        json_t *o = json_object();
        json_object_set_new(o, "domain", json_string(n->domain));
        json_object_set_new(o, "label", json_string(label ? label : ""));
        json_object_set_new(o, "level", n->level > 0 ? json_integer(n->level) : json_null());
        json_object_set_new(o, "situation", json_str_or_null(n->situation));
        json_object_set_new(o, "strengths", json_str_or_null(n->strengths));
        json_object_set_new(o, "needs", json_str_or_null(n->needs));
        json_object_set_new(o, "own_words", json_str_or_null(n->own_words));
        json_object_set_new(o, "assessed_on", json_str_or_null(n->assessed_on));
        json_object_set_new(o, "rev", n->level > 0 ? json_integer(n->rev) : json_null());
        json_object_set_new(o, "updated_by", n->updated_by > 0 ? json_integer(n->updated_by)
                                                               : json_null());
        json_object_set_new(o, "updated_at", json_integer(n->updated_at));
        json_array_append_new(items, o);
    }
    static const char *const t[] = {"updated_at", NULL};
    api_times_iso(items, t);
    return items;
}

/* Times stay integers (UTC seconds) here: the PDF writes them as local
 * times, the JSON file as ISO strings (export_iso). */
json_t *pers_export(req_t *r, const person_t *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("jouda-person-export/1"));
    json_object_set_new(o, "exported_at", json_integer(now_utc()));
    json_object_set_new(o, "exported_by",
                        json_pack("{s:I, s:s}", "id", (json_int_t)r->user->id, "name",
                                  r->user->name ? r->user->name : ""));
    json_object_set_new(o, "person", pers_json(r, p));
    json_object_set_new(o, "needs", pers_needs_json(r, p->id));
    size_t n = 0;
    pers_plan_t *pl = pers_plans(r->db, r->arena, p->id, &n);
    json_t *plans = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(plans, pers_plan_json(r, &pl[i], true));
    json_object_set_new(o, "plans", plans);
    json_t *grants = pers_grants(r, p->id);
    json_object_set_new(o, "grants", grants ? grants : json_array());
    json_t *reads = pers_reads(r, p->id, EXPORT_READS_MAX);
    json_object_set_new(o, "access_log", reads ? reads : json_array());
    return o;
}

static void export_iso(json_t *o)
{
    static const char *const top[] = {"exported_at", NULL};
    static const char *const person[] = {"created_at", "updated_at", "anonymised_at", NULL};
    static const char *const plan[] = {"created_at", "updated_at", NULL};
    static const char *const review[] = {"created_at", NULL};
    static const char *const grant[] = {"created_at", "revoked_at", NULL};
    static const char *const read[] = {"at", NULL};
    api_times_iso(o, top);
    api_times_iso(json_object_get(o, "person"), person);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(o, "plans"), i, x) {
        api_times_iso(x, plan);
        api_times_iso(json_object_get(x, "reviews"), review);
    }
    api_times_iso(json_object_get(o, "grants"), grant);
    api_times_iso(json_object_get(o, "access_log"), read);
}

/* Audit row and access log line of an export; false (500 answered) when
 * the audit row could not be written: no export goes unrecorded. */
static bool record_export(req_t *r, const person_t *p)
{
    int rc = audit_write(r->db, r->user->id, "export", "person", p->id, p->node_id, NULL,
                         req_ip(r));
    if (rc != DB_OK) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return false;
    }
    pers_log_read(r, p->id, "export");
    return true;
}

static bool export_person(req_t *r, person_t *p)
{
    if (pers_load(r->db, r->arena, r->ids[0], p) != 0) {
        app_fail(r, RES_NOT_FOUND, NULL, NULL);
        return false;
    }
    return true;
}

void pers_api_export_json(req_t *r)
{
    person_t p;
    if (!export_person(r, &p))
        return;
    json_t *o = pers_export(r, &p);
    export_iso(o);
    if (!record_export(r, &p)) {
        json_decref(o);
        return;
    }
    http_add_header(r->http, "Content-Disposition",
                    arena_printf(r->arena, "attachment; filename=\"person-%s.json\"", p.code));
    api_send(r, 200, o);
}

/* --- The PDF ------------------------------------------------------------------ */

static const char *js(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* "2026-12-31" -> "31/12/2026", as the pages write days; other text as is. */
static const char *dmy(req_t *r, const char *day)
{
    if (!day || !iso_day_valid(day))
        return day ? day : "";
    return arena_printf(r->arena, "%.2s/%.2s/%.4s", day + 8, day + 5, day);
}

/* A time of the model: UTC seconds (or an ISO string) as a local date and time. */
static const char *when(req_t *r, const json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        char *out = arena_alloc(r->arena, 32);
        format_local_datetime((int64_t)json_integer_value(v), out, 32);
        return out;
    }
    return json_is_string(v) ? json_string_value(v) : "";
}

static const char *code_label(req_t *r, const char *list, const char *code)
{
    if (!code || !*code)
        return "";
    return T(r, pers_code_msgid(r->arena, list, code));
}

static const char *yes_no(req_t *r, bool v)
{
    return v ? T(r, N_("Yes")) : T(r, N_("No"));
}

static void row(json_t *rows, const char *label, const char *value)
{
    json_array_append_new(rows, json_pack("[s, s]", label, value && *value ? value : "—"));
}

static void two_columns(doc_t *d, json_t *rows)
{
    static const double widths[] = {0.35, 0.65};
    doc_table(d, NULL, rows, widths);
    json_decref(rows);
}

/* A text someone wrote, or a note saying there is none. */
static void text_or_none(req_t *r, doc_t *d, const char *text)
{
    if (text && *text)
        doc_paragraph(d, text);
    else
        doc_note(d, T(r, N_("Nothing recorded.")));
}

static void identity_part(req_t *r, doc_t *d, const json_t *pj)
{
    doc_heading(d, 1, T(r, N_("Identity")));
    json_t *rows = json_array();
    row(rows, T(r, N_("Pseudonymous code")), js(pj, "code"));
    row(rows, T(r, N_("First name")), js(pj, "first_name"));
    row(rows, T(r, N_("Last name")), js(pj, "last_name"));
    row(rows, T(r, N_("First name in Arabic")), js(pj, "first_name_ar"));
    row(rows, T(r, N_("Last name in Arabic")), js(pj, "last_name_ar"));
    row(rows, T(r, N_("Date of birth")), dmy(r, js(pj, "birth_date")));
    row(rows, T(r, N_("Sex")), code_label(r, "sex", js(pj, "sex")));
    const char *node = js(pj, "node_name");
    if (!*node)
        node = nodes_label(r->db, r->arena, r->lang,
                           (int64_t)json_integer_value(json_object_get(pj, "node_id")));
    row(rows, T(r, N_("Unit")), node);
    row(rows, T(r, N_("Admission date")), dmy(r, js(pj, "admission_date")));
    row(rows, T(r, N_("Origin of the admission")), code_label(r, "origin", js(pj, "origin")));
    row(rows, T(r, N_("Reference of the decision")), js(pj, "origin_ref"));
    row(rows, T(r, N_("Legal status")), code_label(r, "legal", js(pj, "legal_status")));
    const char *kind = js(pj, "disability_kind");
    bool dis = json_is_true(json_object_get(pj, "disability"));
    row(rows, T(r, N_("Disability")),
        dis && *kind ? arena_printf(r->arena, "%s — %s", yes_no(r, true), kind) : yes_no(r, dis));
    row(rows, T(r, N_("Exit date")), dmy(r, js(pj, "exit_date")));
    row(rows, T(r, N_("Destination")), code_label(r, "exit", js(pj, "exit_destination")));
    buf_t b;
    buf_init(&b);
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(pj, "referents"), i, x)
        buf_printf(&b, "%s%s", i ? ", " : "", js(x, "name"));
    row(rows, T(r, N_("Referents")), arena_strdup(r->arena, b.data ? b.data : ""));
    buf_reset(&b);
    json_array_foreach(json_object_get(pj, "siblings"), i, x)
        buf_printf(&b, "%s%s (%s)", i ? ", " : "", js(x, "name"), js(x, "code"));
    row(rows, T(r, N_("Siblings")), arena_strdup(r->arena, b.data ? b.data : ""));
    buf_free(&b);
    two_columns(d, rows);

    doc_heading(d, 1, T(r, N_("Sensitive notes")));
    doc_heading(d, 2, T(r, N_("Health notes")));
    text_or_none(r, d, js(pj, "health_notes"));
    doc_heading(d, 2, T(r, N_("Family situation")));
    text_or_none(r, d, js(pj, "family_notes"));
    doc_heading(d, 2, T(r, N_("Judicial details")));
    text_or_none(r, d, js(pj, "judicial_notes"));
}

static void needs_part(req_t *r, doc_t *d, const json_t *needs)
{
    doc_heading(d, 1, T(r, N_("Needs assessment")));
    buf_t missing;
    buf_init(&missing);
    size_t i, shown = 0;
    json_t *n;
    json_array_foreach(needs, i, n) {
        if (!json_is_integer(json_object_get(n, "level"))) {
            buf_printf(&missing, "%s%s", missing.len ? ", " : "", js(n, "label"));
            continue;
        }
        shown++;
        doc_heading(d, 2, js(n, "label"));
        const char *level = arena_printf(r->arena, "%lld",
                                         (long long)json_integer_value(json_object_get(n, "level")));
        doc_note(d, text_fill_strings(r->arena, T(r, N_("Level of need: %s · assessed on %s")),
                                      (const char *[]){level, dmy(r, js(n, "assessed_on"))}, 2));
        static const char *const keys[] = {"situation", "strengths", "needs", "own_words"};
        const char *labels[] = {T(r, N_("Situation")), T(r, N_("Strengths")), T(r, N_("Needs")),
                                T(r, N_("In their own words"))};
        for (size_t k = 0; k < 4; k++) {
            const char *t = js(n, keys[k]);
            if (!*t)
                continue;
            doc_heading(d, 3, labels[k]);
            doc_paragraph(d, t);
        }
    }
    if (!shown)
        doc_note(d, T(r, N_("No life domain assessed yet.")));
    if (missing.len)
        doc_note(d, text_fill_strings(r->arena, T(r, N_("Not assessed: %s")),
                                      (const char *[]){missing.data}, 1));
    buf_free(&missing);
}

static const char *signature(req_t *r, const json_t *pl, const char *name, const char *on,
                             const char *how)
{
    const char *n = js(pl, name), *o = js(pl, on), *h = js(pl, how);
    if (!*o && !*n)
        return "";
    return arena_printf(r->arena, "%s%s%s%s%s", n, *n && *o ? " · " : "", dmy(r, o),
                        *h ? " · " : "", code_label(r, "sign", h));
}

static void plan_part(req_t *r, doc_t *d, const json_t *plans, const json_t *needs)
{
    doc_heading(d, 1, T(r, N_("Support plan")));
    if (json_array_size(plans) == 0) {
        doc_note(d, T(r, N_("No plan yet.")));
        return;
    }
    size_t i, j, k;
    json_t *pl, *g, *a, *x;
    json_array_foreach(plans, i, pl) {
        doc_heading(d, 2, arena_printf(r->arena, "%s %lld — %s", T(r, N_("Version")),
                                       (long long)json_integer_value(json_object_get(pl, "version")),
                                       code_label(r, "plan", js(pl, "status"))));
        json_t *rows = json_array();
        row(rows, T(r, N_("Agreed on")), dmy(r, js(pl, "agreed_on")));
        row(rows, T(r, N_("Next review")), dmy(r, js(pl, "next_review")));
        row(rows, T(r, N_("Closed on")), dmy(r, js(pl, "closed_on")));
        json_t *months = json_object_get(pl, "review_months");
        row(rows, T(r, N_("Months between reviews")),
            json_is_integer(months) ? arena_printf(r->arena, "%lld", (long long)json_integer_value(months))
                                    : "");
        row(rows, T(r, N_("Agreement of the person")),
            code_label(r, "agreement", js(pl, "agreement")));
        row(rows, T(r, N_("Signed by the child")),
            signature(r, pl, "child_signed_name", "child_signed_on", "child_signed_how"));
        row(rows, T(r, N_("Signed by the legal guardian")),
            signature(r, pl, "guardian_name", "guardian_signed_on", "guardian_signed_how"));
        two_columns(d, rows);
        const char *part = js(pl, "participation");
        if (*part) {
            doc_heading(d, 3, T(r, N_("How the person took part")));
            doc_paragraph(d, part);
        }
        doc_heading(d, 3, T(r, N_("Goals")));
        if (json_array_size(json_object_get(pl, "goals")) == 0)
            doc_note(d, T(r, N_("No goal yet.")));
        json_array_foreach(json_object_get(pl, "goals"), j, g) {
            const char *dl = js(g, "domain_label");
            if (!*dl) {
                dl = js(g, "domain");
                json_array_foreach(needs, k, x) if (str_eq(js(x, "domain"), js(g, "domain")))
                    dl = js(x, "label");
            }
            doc_heading(d, 4, dl);
            doc_paragraph(d, js(g, "text"));
            json_t *acts = json_object_get(g, "actions");
            if (json_array_size(acts) == 0)
                continue;
            json_t *head = json_pack("[s, s, s, s]", T(r, N_("Action")), T(r, N_("Who")),
                                     T(r, N_("By")), T(r, N_("Done")));
            json_t *arows = json_array();
            json_array_foreach(acts, k, a)
                json_array_append_new(arows, json_pack("[s, s, s, s]", js(a, "text"), js(a, "who"),
                                                       dmy(r, js(a, "due")),
                                                       yes_no(r, json_is_true(json_object_get(a, "done")))));
            static const double widths[] = {0.52, 0.2, 0.16, 0.12};
            doc_table(d, head, arows, widths);
            json_decref(head);
            json_decref(arows);
        }
        json_t *reviews = json_object_get(pl, "reviews");
        if (json_array_size(reviews) > 0) {
            doc_heading(d, 3, T(r, N_("Reviews")));
            json_t *head = json_pack("[s, s, s]", T(r, N_("Reviewed on")), T(r, N_("What changed")),
                                     T(r, N_("Next review")));
            json_t *rrows = json_array();
            json_array_foreach(reviews, k, x)
                json_array_append_new(rrows, json_pack("[s, s, s]", dmy(r, js(x, "reviewed_on")),
                                                       js(x, "changes"),
                                                       dmy(r, js(x, "next_review"))));
            static const double widths[] = {0.18, 0.64, 0.18};
            doc_table(d, head, rrows, widths);
            json_decref(head);
            json_decref(rrows);
        }
    }
}

static void access_part(req_t *r, doc_t *d, const json_t *grants, const json_t *reads)
{
    doc_heading(d, 1, T(r, N_("Access given")));
    size_t i;
    json_t *x;
    if (json_array_size(grants) == 0) {
        doc_note(d, T(r, N_("Nobody was given access to this file.")));
    } else {
        json_t *head = json_pack("[s, s, s, s, s]", T(r, N_("Person given access")),
                                 T(r, N_("Until")), T(r, N_("Reason")), T(r, N_("Given by")),
                                 T(r, N_("Given on")));
        json_t *rows = json_array();
        json_array_foreach(grants, i, x)
            json_array_append_new(rows, json_pack("[s, s, s, s, s]", js(x, "user_name"),
                                                  dmy(r, js(x, "until")), js(x, "reason"),
                                                  js(x, "granted_by_name"),
                                                  when(r, json_object_get(x, "created_at"))));
        static const double widths[] = {0.22, 0.14, 0.3, 0.16, 0.18};
        doc_table(d, head, rows, widths);
        json_decref(head);
        json_decref(rows);
    }
    doc_heading(d, 1, T(r, N_("Access log")));
    if (json_array_size(reads) == 0) {
        doc_note(d, T(r, N_("Nobody has read this file yet.")));
        return;
    }
    json_t *head = json_pack("[s, s, s]", T(r, N_("When")), T(r, N_("Who")), T(r, N_("What")));
    json_t *rows = json_array();
    json_array_foreach(reads, i, x) {
        const char *what = js(x, "what_label");
        json_array_append_new(rows, json_pack("[s, s, s]", when(r, json_object_get(x, "at")),
                                              js(x, "user_name"), *what ? what : js(x, "what")));
    }
    static const double widths[] = {0.26, 0.44, 0.3};
    doc_table(d, head, rows, widths);
    json_decref(head);
    json_decref(rows);
}

static int export_pdf(req_t *r, const person_t *p, const json_t *o, buf_t *out)
{
    const json_t *pj = json_object_get(o, "person");
    const char *name = pers_display_name(r->arena, p, r->lang);
    char stamp[32];
    format_local_datetime(now_utc(), stamp, sizeof stamp);
    const char *by = js(json_object_get(o, "exported_by"), "name");
    const char *place = js(pj, "node_name");
    if (!*place)
        place = nodes_label(r->db, r->arena, r->lang, p->node_id);
    doc_opts_t opts = {
        .lang = r->lang,
        .title = arena_printf(r->arena, "%s — %s", T(r, N_("Personal file")), name),
        .subtitle = arena_printf(r->arena, "%s · %s", p->code, place),
        .cover_note = text_fill_strings(r->arena, T(r, N_("Exported on %s by %s")),
                                        (const char *[]){stamp, by}, 2),
        .header = arena_printf(r->arena, "%s — %s", T(r, N_("Personal file")), p->code),
        .footer = T(r, N_("Confidential: personal data protected by Law 09-08.")),
        .page_fmt = T(r, N_("Page %d of %d")),
        .toc_title = T(r, N_("Contents")),
        .cover = true,
    };
    doc_t *d = doc_new(&opts);
    const json_t *needs = json_object_get(o, "needs");
    identity_part(r, d, pj);
    needs_part(r, d, needs);
    plan_part(r, d, json_object_get(o, "plans"), needs);
    access_part(r, d, json_object_get(o, "grants"), json_object_get(o, "access_log"));
    int rc = doc_render_pdf(d, out);
    doc_free(d);
    return rc;
}

void pers_api_export_pdf(req_t *r)
{
    static const char *const langs[] = {"fr", "ar", "en", NULL};
    const char *lang = req_query(r, "lang");
    if (lang && *lang && !str_in(langs, lang)) {
        json_t *errors = json_object();
        v_error(errors, "lang", N_("Choose one of the proposed values."));
        app_fail(r, RES_INVALID, NULL, errors);
        return;
    }
    person_t p;
    if (!export_person(r, &p))
        return;
    const char *saved = r->lang;
    if (lang && *lang)
        r->lang = lang;
    json_t *o = pers_export(r, &p);
    buf_t out;
    buf_init(&out);
    int rc = export_pdf(r, &p, o, &out);
    json_decref(o);
    const char *doc_lang = r->lang;
    r->lang = saved;
    if (rc != 0) {
        buf_free(&out);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    if (!record_export(r, &p)) {
        buf_free(&out);
        return;
    }
    app_send_bytes(r, out.data, out.len, "application/pdf",
                   arena_printf(r->arena, "person-%s-%s.pdf", p.code, doc_lang));
    buf_free(&out);
}
