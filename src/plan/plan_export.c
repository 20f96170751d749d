/* plan_export.c - any filtered list of actions as CSV or XLSX, with flat
 * memory whatever its size: rows are read 1,000 at a time (by id, after the
 * last one read) and written at once to a private temporary file, unlinked
 * from the start and sent from its descriptor; libxlsxwriter runs in its
 * constant-memory mode. CSV cells starting with = + - @ are neutralised
 * (csv_put_cell); XLSX cells are written as strings, never formulas. The
 * reader's scope is the list's (act_filter_sql). */
#include "plan_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "../core/csv.h"

#define EXPORT_BATCH 1000
#define EXPORT_COLS 24

/* One row as the export writes it, in the reader's language. */
typedef struct {
    const char *cells[EXPORT_COLS];
    int64_t id, progress, delay;
    bool has_delay;
} export_row_t;

static const char *const head_msgids[EXPORT_COLS] = {
    N_("Number"), N_("Establishment"), N_("Unit"), N_("Action"), N_("Origin"),
    N_("Reference of the origin"), N_("Criterion"), N_("Theme"), N_("Owner"), N_("Status"),
    N_("Priority"), N_("Impact"), N_("Effort"), N_("Start"), N_("Due date"), N_("Progress (%)"),
    N_("Overdue"), N_("Done on"), N_("Delay (days)"), N_("Expected result"),
    N_("How effectiveness will be checked"), N_("Date of the check"), N_("Result of the check"),
    N_("Description")};

static const char *level_text(req_t *r, int v)
{
    return T(r, v == 3 ? N_("level.3") : v == 1 ? N_("level.1") : N_("level.2"));
}

/* The batch after id `after`: rows in the arena, their number. */
static size_t read_batch(req_t *r, const act_filter_t *f, int64_t after, export_row_t *out,
                         arena_t *a)
{
    buf_t where;
    buf_init(&where);
    db_param_t params[ACT_MAX_PARAMS + 4];
    int np = 0;
    act_filter_sql(r, f, &where, params, &np, ACT_MAX_PARAMS);
    params[np++] = P_INT(after);
    params[np++] = P_INT(EXPORT_BATCH);
    char *sql = arena_printf(
        a,
        "SELECT " ACT_COLS ", (SELECT u.name FROM users u WHERE u.id = a.owner_id),"
        " (SELECT n.name FROM nodes n WHERE n.id = a.node_id),"
        " (SELECT n.name_ar FROM nodes n WHERE n.id = a.node_id),"
        " (SELECT n.name FROM nodes n WHERE n.id = a.unit_id),"
        " (SELECT n.name_ar FROM nodes n WHERE n.id = a.unit_id)%s AND a.id > ?"
        " ORDER BY a.id LIMIT ?",
        where.data);
    buf_free(&where);
    db_res_t *res = db_query(r->db, sql, params, np);
    size_t n = 0;
    char today[11];
    iso_day_local(now_utc(), today);
    bool ar = str_eq(r->lang, "ar");
    while (res && db_next(res) && n < EXPORT_BATCH) {
        action_t act;
        act_from_row(a, res, 0, &act);
        export_row_t *e = &out[n++];
        memset(e, 0, sizeof *e);
        e->id = act.id;
        e->progress = act.progress;
        e->delay = act.delay_days;
        e->has_delay = act.has_delay;
        const char *owner = db_text(res, ACT_NCOLS);
        const char *eps = ar && db_text(res, ACT_NCOLS + 2) && *db_text(res, ACT_NCOLS + 2)
                              ? db_text(res, ACT_NCOLS + 2)
                              : db_text(res, ACT_NCOLS + 1);
        const char *unit = ar && db_text(res, ACT_NCOLS + 4) && *db_text(res, ACT_NCOLS + 4)
                               ? db_text(res, ACT_NCOLS + 4)
                               : db_text(res, ACT_NCOLS + 3);
        const char **c = e->cells;
        c[0] = arena_printf(a, "%lld", (long long)act.id);
        c[1] = arena_strdup(a, eps ? eps : "");
        c[2] = arena_strdup(a, unit ? unit : "");
        c[3] = act.title;
        c[4] = T(r, arena_printf(a, "origin.%s", act.origin));
        c[5] = act.origin_label ? act.origin_label : "";
        c[6] = act.item_code ? act.item_code : "";
        c[7] = act.theme ? act.theme : "";
        c[8] = arena_strdup(a, owner ? owner : "");
        c[9] = T(r, arena_printf(a, "act_status.%s", act_status_code(act.status)));
        c[10] = T(r, arena_printf(a, "priority.%s", act_priority_codes[act.priority % 3]));
        c[11] = level_text(r, act.impact);
        c[12] = level_text(r, act.effort);
        c[13] = act.start_date ? act.start_date : "";
        c[14] = act.due_date ? act.due_date : "";
        c[15] = arena_printf(a, "%d", act.progress);
        c[16] = act_status_open(act.status) && act.due_date && strcmp(act.due_date, today) < 0
                    ? T(r, N_("Yes"))
                    : "";
        c[17] = act.done_date ? act.done_date : "";
        c[18] = act.has_delay ? arena_printf(a, "%lld", (long long)act.delay_days) : "";
        c[19] = act.expected_result ? act.expected_result : "";
        c[20] = act.check_method ? act.check_method : "";
        c[21] = act.check_date ? act.check_date : "";
        c[22] = act.check_result ? T(r, arena_printf(a, "act_status.%s", act.check_result)) : "";
        c[23] = act.description ? act.description : "";
    }
    db_res_free(res);
    return n;
}

static int temp_file(char *path)
{
    int fd = mkstemp(path);
    if (fd >= 0)
        fchmod(fd, 0600);
    return fd;
}

static const char *export_name(req_t *r, const char *ext)
{
    char day[11];
    iso_day_local(now_utc(), day);
    return arena_printf(r->arena, "actions-%s.%s", day, ext);
}

void plan_send_csv(req_t *r, const act_filter_t *f)
{
    char path[] = "/tmp/jouda-csv-XXXXXX";
    int fd = temp_file(path);
    if (fd < 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    unlink(path);
    FILE *out = fdopen(dup(fd), "w");
    buf_t b;
    buf_init(&b);
    buf_append(&b, "\xEF\xBB\xBF", 3);
    for (int i = 0; i < EXPORT_COLS; i++)
        csv_put_cell(&b, T(r, head_msgids[i]), ',', i == 0);
    csv_end_record(&b);
    export_row_t *rows = xmalloc(EXPORT_BATCH * sizeof *rows);
    int64_t after = 0;
    bool ok = out != NULL;
    for (;;) {
        arena_t *a = arena_new();
        size_t n = read_batch(r, f, after, rows, a);
        for (size_t k = 0; k < n; k++) {
            for (int i = 0; i < EXPORT_COLS; i++)
                csv_put_cell(&b, rows[k].cells[i], ',', i == 0);
            csv_end_record(&b);
        }
        if (n)
            after = rows[n - 1].id;
        arena_free(a);
        if (ok && b.len && fwrite(b.data, 1, b.len, out) != b.len)
            ok = false;
        buf_reset(&b);
        if (n < EXPORT_BATCH || !ok)
            break;
    }
    free(rows);
    buf_free(&b);
    if (out && fclose(out) != 0)
        ok = false;
    if (!ok) {
        close(fd);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    app_send_fd(r, fd, "text/csv; charset=utf-8", export_name(r, "csv"));
}

void plan_send_xlsx(req_t *r, const act_filter_t *f)
{
    char path[] = "/tmp/jouda-xlsx-XXXXXX";
    int fd = temp_file(path);
    if (fd < 0) {
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        close(fd);
        unlink(path);
        app_fail(r, RES_ERROR, NULL, NULL);
        return;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Actions");
    if (str_eq(r->lang, "ar"))
        worksheet_right_to_left(ws);
    worksheet_set_column(ws, 3, 3, 50, NULL);
    worksheet_set_column(ws, 1, 1, 30, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    for (int i = 0; i < EXPORT_COLS; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, T(r, head_msgids[i]), bold);
    export_row_t *rows = xmalloc(EXPORT_BATCH * sizeof *rows);
    int64_t after = 0;
    lxw_row_t wr = 1;
    for (;;) {
        arena_t *a = arena_new();
        size_t n = read_batch(r, f, after, rows, a);
        for (size_t k = 0; k < n && wr < LXW_ROW_MAX; k++, wr++) {
            for (int i = 0; i < EXPORT_COLS; i++) {
                if (i == 0)
                    worksheet_write_number(ws, wr, 0, (double)rows[k].id, NULL);
                else if (i == 15)
                    worksheet_write_number(ws, wr, 15, (double)rows[k].progress, NULL);
                else if (i == 18 && rows[k].has_delay)
                    worksheet_write_number(ws, wr, 18, (double)rows[k].delay, NULL);
                else if (*rows[k].cells[i])
                    worksheet_write_string(ws, wr, (lxw_col_t)i, rows[k].cells[i], NULL);
            }
        }
        if (n)
            after = rows[n - 1].id;
        arena_free(a);
        if (n < EXPORT_BATCH)
            break;
    }
    free(rows);
    lxw_error err = workbook_close(wb);
    int out = err == LXW_NO_ERROR ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    close(fd);
    unlink(path);
    app_send_fd(r, out, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                export_name(r, "xlsx"));
}
