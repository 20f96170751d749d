/* csv.h - CSV as spreadsheets write it, read and written without any global
 * state: RFC 4180 plus what LibreOffice and Excel produce.
 *
 * Reading (csv_open, then csv_next until it answers 0 or -1):
 *  - UTF-8 with or without a byte-order mark (skipped); invalid UTF-8 and NUL
 *    bytes are errors;
 *  - the separator is ';' when the first line holds more ';' than ',' outside
 *    quoted cells, else ','; c->sep may be set after csv_open to force one;
 *  - line ends "\r\n", "\n" or a lone "\r"; blank lines (nothing at all on
 *    them) are skipped but counted; a last line without a line end is a
 *    record; a trailing separator ends the record with an empty cell;
 *  - a cell that begins with '"' is quoted: it ends at the next lone '"'
 *    ("" stands for one quote) and may hold separators and line breaks, each
 *    line break kept as "\n" (whichever of \r\n, \n, \r the file used); only
 *    a separator or a line end may follow its closing quote. A '"' inside a
 *    cell that does not begin with one is an ordinary character;
 *  - cells are byte-exact otherwise (spaces kept);
 *  - records carry the physical line on which they start (1-based: a quoted
 *    cell holding two line breaks moves the next record two lines further);
 *  - limits: max_cell bytes per cell (after unquoting) and max_cells cells
 *    per record; csv_open sets the defaults, the caller may change them.
 * An error stops the reader for good: csv_next answers -1 from then on, with
 * the line on which the faulty record starts and the 0-based cell.
 * Time and memory are linear in the input (each byte is looked at a bounded
 * number of times; cells are copied once into the arena).
 *
 * Writing (csv_put_cell for each cell, csv_end_record after each record):
 * cells are quoted when a spreadsheet or this reader needs it, and a cell a
 * spreadsheet would evaluate as a formula is neutralised with a leading '\''
 * (csv_unneutralise takes it off again; see there for the exact rule). What
 * the reader returns, written and read back, gives the same cells.
 *
 * Fuzzed by fuzz/fuzz_csv.c. */
#ifndef JOUDA_CSV_H
#define JOUDA_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core.h"

#define CSV_MAX_CELL_DEFAULT (64 * 1024) /* bytes in a cell */
#define CSV_MAX_CELLS_DEFAULT 256        /* cells in a record */

typedef enum {
    CSV_OK = 0,
    CSV_ERR_UTF8,        /* a cell is not valid UTF-8 */
    CSV_ERR_QUOTE,       /* a quoted cell is not closed before the end */
    CSV_ERR_AFTER_QUOTE, /* text after a closing quote */
    CSV_ERR_NUL,         /* a NUL byte */
    CSV_ERR_TOO_LONG,    /* a cell over max_cell bytes */
    CSV_ERR_TOO_MANY,    /* a record of more than max_cells cells */
} csv_error_t;

typedef struct {
    const char *data;
    size_t len;
    size_t pos;       /* where reading goes on */
    char sep;         /* ',' or ';' as detected; may be set after csv_open */
    int line;         /* the line on which the next record starts, 1-based */
    int cur_line;     /* the physical line being read */
    csv_error_t err;  /* CSV_OK until an error */
    int err_line;     /* the line on which the faulty record starts */
    int err_cell;     /* the faulty cell, 0-based */
    size_t max_cell;  /* CSV_MAX_CELL_DEFAULT after csv_open */
    size_t max_cells; /* CSV_MAX_CELLS_DEFAULT after csv_open */
} csv_reader_t;

typedef struct {
    char **cells; /* NUL-terminated, in the arena; cells[n] is NULL */
    size_t n;     /* at least 1 */
    int line;     /* the line on which this record starts */
} csv_record_t;

/* Prepares c to read the len bytes at data (not copied: they must outlive
 * the reader): skips a UTF-8 byte-order mark, picks the separator from the
 * first non-blank line, sets the default limits. */
void csv_open(csv_reader_t *c, const char *data, size_t len);

/* The next record, its cells copied into a: 1; 0 at the end of the input;
 * -1 on an error (c->err, c->err_line, c->err_cell), and again on every
 * later call. */
int csv_next(csv_reader_t *c, arena_t *a, csv_record_t *rec);

/* An English sentence for e, a msgid the caller translates (not marked for
 * the catalogues here: core knows nothing of i18n). */
const char *csv_error_msgid(csv_error_t e);

/* Appends one cell s (NULL counts as "") to b: sep first unless first is
 * set; quoted ("" for a quote) when it holds sep, '"', '|', '\r' or '\n',
 * begins or ends with a space, begins with U+FEFF (at the start of a file
 * it would be taken for a byte-order mark) or is an empty first cell (a
 * record of one empty cell would otherwise be a blank line); preceded by
 * '\'' when it begins with '=', '+', '-', '@', '\t' or '\r', or with '\''
 * characters followed by one of those (so that csv_unneutralise gives it
 * back). */
void csv_put_cell(buf_t *b, const char *s, char sep, bool first);

/* Ends a record: "\r\n". */
void csv_end_record(buf_t *b);

/* s without the '\'' csv_put_cell adds: s + 1 when s is one or more '\''
 * followed by '=', '+', '-', '@', '\t' or '\r', else s itself. */
const char *csv_unneutralise(const char *s);

/* Splits a multi-value cell ("a | b||c") at delim into trimmed values
 * (spaces, tabs and line breaks around each taken off), empty ones dropped:
 * *out gets an array in a (NULL after the last value), the result is the
 * count. A NULL cell has no value. */
size_t csv_split(arena_t *a, const char *cell, char delim, char ***out);

#endif
