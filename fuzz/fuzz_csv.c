/* fuzz_csv.c - libFuzzer driver for the CSV reader and writer. Any bytes are
 * read with small limits: every record has 1 to max_cells cells of valid
 * UTF-8 without NUL or '\r', none longer than max_cell, on strictly growing
 * lines; an error names a line and a cell. What reads without error is
 * written back with each separator and read again: the same cells (after
 * csv_unneutralise), on the lines the written line breaks put them. The
 * multi-value split of every cell gives trimmed, non-empty values. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/csv.h"

#define FUZZ_MAX_CELL 200
#define FUZZ_MAX_CELLS 24

typedef VEC(csv_record_t) records_t;

static void check_record(const csv_reader_t *c, const csv_record_t *r, int prev_line)
{
    if (r->n < 1 || r->n > c->max_cells || r->cells[r->n] != NULL || r->line <= prev_line)
        abort();
    for (size_t i = 0; i < r->n; i++) {
        size_t len = strlen(r->cells[i]);
        if (len > c->max_cell || !utf8_valid(r->cells[i], len) || memchr(r->cells[i], '\r', len))
            abort();
    }
}

static void check_split(arena_t *a, const char *cell)
{
    char **v;
    size_t n = csv_split(a, cell, '|', &v);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        if (len == 0 || strchr(v[i], '|') || v[i][0] == ' ' || v[i][len - 1] == ' ')
            abort();
    }
    if (v[n] != NULL)
        abort();
}

/* Every record of the input; false when the reader stopped on an error. */
static bool read_all(arena_t *a, csv_reader_t *c, records_t *out)
{
    csv_record_t rec;
    int rc, prev = 0;
    while ((rc = csv_next(c, a, &rec)) == 1) {
        check_record(c, &rec, prev);
        prev = rec.line;
        *VEC_PUSH(a, out) = rec;
    }
    if (rc == 0)
        return c->err == CSV_OK;
    if (c->err == CSV_OK || c->err_line < 1 || c->err_line < prev || c->err_cell < 0 ||
        (size_t)c->err_cell > c->max_cells || !csv_error_msgid(c->err) || csv_next(c, a, &rec) != -1)
        abort();
    return false;
}

/* The records written with sep, read back with sep: the same cells. */
static void round_trip(arena_t *a, const records_t *recs, char sep)
{
    buf_t b;
    buf_init(&b);
    for (size_t r = 0; r < recs->n; r++) {
        for (size_t i = 0; i < recs->v[r].n; i++)
            csv_put_cell(&b, recs->v[r].cells[i], sep, i == 0);
        csv_end_record(&b);
    }
    csv_reader_t c;
    csv_open(&c, b.data, b.len);
    c.sep = sep;
    c.max_cell = FUZZ_MAX_CELL + 1; /* room for the writer's '\'' */
    c.max_cells = FUZZ_MAX_CELLS;
    csv_record_t rec;
    int line = 1;
    for (size_t r = 0; r < recs->n; r++) {
        const csv_record_t *want = &recs->v[r];
        if (csv_next(&c, a, &rec) != 1 || rec.n != want->n || rec.line != line)
            abort();
        for (size_t i = 0; i < rec.n; i++) {
            if (strcmp(csv_unneutralise(rec.cells[i]), want->cells[i]) != 0)
                abort();
            for (const char *p = want->cells[i]; *p; p++)
                line += *p == '\n';
        }
        line++;
    }
    if (csv_next(&c, a, &rec) != 0)
        abort();
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    csv_reader_t c;
    csv_open(&c, (const char *)data, size);
    if (c.sep != ',' && c.sep != ';')
        abort();
    c.max_cell = FUZZ_MAX_CELL;
    c.max_cells = FUZZ_MAX_CELLS;
    records_t recs = {0};
    if (read_all(a, &c, &recs)) {
        for (size_t r = 0; r < recs.n; r++)
            for (size_t i = 0; i < recs.v[r].n; i++)
                check_split(a, recs.v[r].cells[i]);
        static const char seps[] = {',', ';', '\t', '|'};
        for (size_t s = 0; s < sizeof seps; s++)
            round_trip(a, &recs, seps[s]);
    }
    arena_free(a);
    return 0;
}
