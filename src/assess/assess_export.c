/* assess_export.c - a campaign's results as CSV (one line per node of the
 * tree and per criterion) and as XLSX (a summary sheet, then one sheet per
 * chapter: its criteria with score, comment and evidence; right-to-left
 * sheets for an Arabic reader). libxlsxwriter 1.1.4 writes only to files: a
 * private temporary file, unlinked at once, sent from its descriptor. Every
 * user text is written with worksheet_write_string (never as a formula);
 * sheet names come from codes. */
#include "assess_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../core/csv.h"

static const char *title_of(req_t *r, const ref_row_t *row)
{
    return ref_title(r, row->title_fr, row->title_ar, row->title_en, NULL);
}

static const char *avg_text(req_t *r, const assess_agg_t *g)
{
    return g->scored ? arena_printf(r->arena, "%.2f", g->average) : "";
}

static const char *filename(req_t *r, const camp_full_t *f, const char *ext)
{
    return arena_printf(r->arena, "attachment; filename=\"campaign-%lld-results.%s\"",
                        (long long)f->c.id, ext);
}

void camp_send_csv(req_t *r, const camp_full_t *f)
{
    buf_t b;
    buf_init(&b);
    buf_append(&b, "\xEF\xBB\xBF", 3);
    const char *head[] = {T(r, N_("Code")), T(r, N_("Level")), T(r, N_("Title")),
                          T(r, N_("Imperative")), T(r, N_("Score")), T(r, N_("Average")),
                          T(r, N_("Scored")), T(r, N_("Comment")), T(r, N_("Evidence"))};
    for (size_t i = 0; i < ARRAY_LEN(head); i++)
        csv_put_cell(&b, head[i], ',', i == 0);
    csv_end_record(&b);
    for (size_t i = 0; i < f->n_rows; i++) {
        const ref_row_t *row = &f->rows[i];
        int k = f->crit_of_row[i];
        if (row->leaf && k < 0)
            continue;
        const camp_crit_t *c = k >= 0 ? &f->crit[k] : NULL;
        csv_put_cell(&b, row->code, ',', true);
        csv_put_cell(&b, row->level ? row->level : "", ',', false);
        csv_put_cell(&b, title_of(r, row), ',', false);
        csv_put_cell(&b, row->leaf ? (row->imperative ? "1" : "0") : "", ',', false);
        csv_put_cell(&b, c ? (assess_score_code(c->score) ? assess_score_code(c->score) : "") : "",
                     ',', false);
        csv_put_cell(&b, row->leaf ? "" : avg_text(r, &f->agg[i]), ',', false);
        csv_put_cell(&b, row->leaf ? "" : arena_printf(r->arena, "%d", f->agg[i].scored), ',',
                     false);
        csv_put_cell(&b, c && c->comment ? c->comment : "", ',', false);
        csv_put_cell(&b, c ? arena_printf(r->arena, "%d", c->n_evidence) : "", ',', false);
        csv_end_record(&b);
    }
    csv_put_cell(&b, T(r, N_("Overall")), ',', true);
    for (int i = 0; i < 4; i++)
        csv_put_cell(&b, "", ',', false);
    csv_put_cell(&b, avg_text(r, &f->overall), ',', false);
    csv_put_cell(&b, arena_printf(r->arena, "%d", f->overall.scored), ',', false);
    csv_end_record(&b);
    http_add_header(r->http, "Content-Disposition", filename(r, f, "csv"));
    http_respond(r->http, 200, "text/csv; charset=utf-8", b.data, b.len);
    buf_free(&b);
}

/* --- XLSX ---------------------------------------------------------------- */

static void write_headers(lxw_worksheet *ws, lxw_format *bold, const char *const *h, int n)
{
    for (int i = 0; i < n; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, h[i], bold);
}

void camp_send_xlsx(req_t *r, const camp_full_t *f)
{
    char path[] = "/tmp/jouda-xlsx-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    fchmod(fd, 0600);
    bool rtl = str_eq(r->lang, "ar");
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        close(fd);
        unlink(path);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *num = workbook_add_format(wb);
    format_set_num_format(num, "0.00");
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);

    /* the summary: every node of the tree above the criteria */
    lxw_worksheet *sum = workbook_add_worksheet(wb, "Summary");
    if (rtl)
        worksheet_right_to_left(sum);
    const char *sh[] = {T(r, N_("Code")), T(r, N_("Title")), T(r, N_("Average")),
                        T(r, N_("Scored"))};
    write_headers(sum, bold, sh, 4);
    worksheet_set_column(sum, 1, 1, 60, NULL);
    lxw_row_t row_n = 1;
    worksheet_write_string(sum, row_n, 0, T(r, N_("Overall")), bold);
    if (f->overall.scored)
        worksheet_write_number(sum, row_n, 2, f->overall.average, num);
    worksheet_write_number(sum, row_n, 3, f->overall.scored, NULL);
    row_n++;
    for (size_t i = 0; i < f->n_rows; i++) {
        const ref_row_t *row = &f->rows[i];
        if (row->leaf)
            continue;
        worksheet_write_string(sum, row_n, 0, row->code, NULL);
        worksheet_write_string(sum, row_n, 1, title_of(r, row), wrap);
        if (f->agg[i].scored)
            worksheet_write_number(sum, row_n, 2, f->agg[i].average, num);
        worksheet_write_number(sum, row_n, 3, f->agg[i].scored, NULL);
        row_n++;
    }

    /* one sheet per chapter (top item), named by its code */
    const char *ch[] = {T(r, N_("Code")), T(r, N_("Criterion")), T(r, N_("Imperative")),
                        T(r, N_("Score")), T(r, N_("Comment")), T(r, N_("Evidence"))};
    lxw_worksheet *ws = NULL;
    lxw_row_t wr = 0;
    int sheets = 0;
    for (size_t i = 0; i < f->n_rows; i++) {
        const ref_row_t *row = &f->rows[i];
        if (row->depth == 0 && !row->leaf) {
            char name[32];
            /* codes are at most 40 characters without spaces; keep what a sheet name allows */
            size_t o = 0;
            o += (size_t)snprintf(name, sizeof name, "%d ", ++sheets);
            for (const char *p = row->code; *p && o < 31; p++)
                if (!strchr("[]:*?/\\'", *p))
                    name[o++] = *p;
            name[o] = 0;
            ws = workbook_add_worksheet(wb, name);
            if (!ws)
                ws = workbook_add_worksheet(wb, NULL);
            if (rtl)
                worksheet_right_to_left(ws);
            write_headers(ws, bold, ch, 6);
            worksheet_set_column(ws, 1, 1, 60, NULL);
            worksheet_set_column(ws, 4, 4, 50, NULL);
            wr = 1;
            worksheet_write_string(ws, wr, 0, row->code, bold);
            worksheet_write_string(ws, wr, 1, title_of(r, row), bold);
            wr++;
            continue;
        }
        int k = f->crit_of_row[i];
        if (!ws || !row->leaf || k < 0)
            continue;
        const camp_crit_t *c = &f->crit[k];
        worksheet_write_string(ws, wr, 0, row->code, NULL);
        worksheet_write_string(ws, wr, 1, title_of(r, row), wrap);
        worksheet_write_string(ws, wr, 2, row->imperative ? T(r, N_("Yes")) : "", NULL);
        const char *sc = assess_score_code(c->score);
        if (sc)
            worksheet_write_string(
                ws, wr, 3, T(r, arena_printf(r->arena, "score.%s", sc)), NULL);
        if (c->comment)
            worksheet_write_string(ws, wr, 4, c->comment, wrap);
        worksheet_write_number(ws, wr, 5, c->n_evidence, NULL);
        wr++;
    }
    lxw_error err = workbook_close(wb);
    /* the file as written (whether the library rewrote the name or not) */
    int out = err == LXW_NO_ERROR ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    close(fd);
    unlink(path);
    app_send_fd(r, out, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                arena_printf(r->arena, "campaign-%lld-results.xlsx", (long long)f->c.id));
}
