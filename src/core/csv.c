/* csv.c - a pure CSV reader and writer (the rules are in csv.h). The reader
 * looks at each cell twice: a scan that finds its end, its unquoted length
 * and its faults, then one copy into the arena, exactly sized. Nothing is
 * reallocated per byte and nothing calls strlen on the input, so reading is
 * linear however long the cells or the file. Fuzzed by fuzz/fuzz_csv.c. */
#include "csv.h"

#include <string.h>

#define UTF8_BOM "\xEF\xBB\xBF"

/* --- reading -------------------------------------------------------------- */

/* Where one cell lies in the input, as the scan found it. */
typedef struct {
    size_t start, end; /* the raw text; inside the quotes for a quoted cell */
    size_t next;       /* just after the cell (after its closing quote) */
    size_t len;        /* bytes once unquoted */
    int breaks;        /* line breaks inside (quoted cells only) */
} csv_span_t;

static bool is_line_end(char ch)
{
    return ch == '\r' || ch == '\n';
}

/* The length of the line break at d[i] ('\r' or '\n'): 2 for "\r\n". */
static size_t break_len(const char *d, size_t len, size_t i)
{
    return d[i] == '\r' && i + 1 < len && d[i + 1] == '\n' ? 2 : 1;
}

/* Just after the quoted cell whose opening quote is at d[i], or len when it
 * is not closed. */
static size_t skip_quoted(const char *d, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        const char *q = memchr(d + i, '"', len - i);
        if (!q)
            return len;
        i = (size_t)(q - d);
        if (i + 1 >= len || d[i + 1] != '"')
            return i + 1;
        i++; /* "" */
    }
    return len;
}

/* ';' when the first non-blank record holds more ';' than ',' outside its
 * quoted cells, else ','. */
static char detect_sep(const char *d, size_t len, size_t i)
{
    size_t semi = 0, comma = 0;
    bool cell_start = true;
    while (i < len && is_line_end(d[i]))
        i++;
    while (i < len && !is_line_end(d[i])) {
        if (cell_start && d[i] == '"') {
            i = skip_quoted(d, len, i);
            cell_start = false;
            continue;
        }
        semi += d[i] == ';';
        comma += d[i] == ',';
        cell_start = d[i] == ';' || d[i] == ',';
        i++;
    }
    return semi > comma ? ';' : ',';
}

void csv_open(csv_reader_t *c, const char *data, size_t len)
{
    memset(c, 0, sizeof *c);
    c->data = data;
    c->len = data ? len : 0;
    if (c->len >= 3 && memcmp(data, UTF8_BOM, 3) == 0)
        c->pos = 3;
    c->sep = detect_sep(c->data, c->len, c->pos);
    c->line = 1;
    c->cur_line = 1;
    c->max_cell = CSV_MAX_CELL_DEFAULT;
    c->max_cells = CSV_MAX_CELLS_DEFAULT;
}

/* An unquoted cell from i: up to a separator, a line end or the end. */
static csv_error_t scan_plain(const csv_reader_t *c, size_t i, csv_span_t *s)
{
    size_t start = i;
    while (i < c->len && c->data[i] != c->sep && !is_line_end(c->data[i])) {
        if (c->data[i] == '\0')
            return CSV_ERR_NUL;
        i++;
    }
    *s = (csv_span_t){.start = start, .end = i, .next = i, .len = i - start};
    return CSV_OK;
}

/* A quoted cell whose opening quote is at d[i]: up to the lone '"' that
 * closes it, which a separator, a line end or the end must follow. */
static csv_error_t scan_quoted(const csv_reader_t *c, size_t i, csv_span_t *s)
{
    const char *d = c->data;
    size_t start = ++i, n = 0;
    int breaks = 0;
    for (;;) {
        if (i >= c->len)
            return CSV_ERR_QUOTE;
        if (d[i] == '"') {
            if (i + 1 >= c->len || d[i + 1] != '"')
                break;
            i += 2;
        } else if (d[i] == '\0') {
            return CSV_ERR_NUL;
        } else if (is_line_end(d[i])) {
            i += break_len(d, c->len, i);
            breaks++;
        } else {
            i++;
        }
        n++;
    }
    size_t next = i + 1;
    if (next < c->len && d[next] != c->sep && !is_line_end(d[next]))
        return CSV_ERR_AFTER_QUOTE;
    *s = (csv_span_t){.start = start, .end = i, .next = next, .len = n, .breaks = breaks};
    return CSV_OK;
}

/* The unquoted text of a scanned quoted cell: "" -> ", line breaks -> \n. */
static char *copy_quoted(arena_t *a, const char *d, const csv_span_t *s)
{
    char *out = arena_alloc(a, s->len + 1);
    size_t o = 0;
    for (size_t i = s->start; i < s->end;) {
        if (d[i] == '"') {
            out[o++] = '"';
            i += 2;
        } else if (is_line_end(d[i])) {
            out[o++] = '\n';
            i += break_len(d, s->end, i);
        } else {
            out[o++] = d[i++];
        }
    }
    out[o] = '\0';
    return out;
}

/* The cell at c->pos into *out; c->pos then stands after it. */
static csv_error_t read_cell(csv_reader_t *c, arena_t *a, char **out)
{
    bool quoted = c->pos < c->len && c->data[c->pos] == '"';
    csv_span_t s;
    csv_error_t e = quoted ? scan_quoted(c, c->pos, &s) : scan_plain(c, c->pos, &s);
    if (e != CSV_OK)
        return e;
    if (s.len > c->max_cell)
        return CSV_ERR_TOO_LONG;
    char *cell = quoted ? copy_quoted(a, c->data, &s) : arena_strndup(a, c->data + s.start, s.len);
    if (!utf8_valid(cell, s.len))
        return CSV_ERR_UTF8;
    c->pos = s.next;
    c->cur_line += s.breaks;
    *out = cell;
    return CSV_OK;
}

static int fail(csv_reader_t *c, csv_error_t e, size_t cell)
{
    c->err = e;
    c->err_line = c->line;
    c->err_cell = (int)cell;
    return -1;
}

/* Lines with nothing on them, counted. */
static void skip_blank_lines(csv_reader_t *c)
{
    while (c->pos < c->len && is_line_end(c->data[c->pos])) {
        c->pos += break_len(c->data, c->len, c->pos);
        c->line++;
    }
}

int csv_next(csv_reader_t *c, arena_t *a, csv_record_t *rec)
{
    if (c->err != CSV_OK)
        return -1;
    skip_blank_lines(c);
    if (c->pos >= c->len)
        return 0;
    c->cur_line = c->line;
    VEC(char *) cells = {0};
    for (;;) {
        if (cells.n >= c->max_cells)
            return fail(c, CSV_ERR_TOO_MANY, cells.n);
        char *cell;
        csv_error_t e = read_cell(c, a, &cell);
        if (e != CSV_OK)
            return fail(c, e, cells.n);
        *VEC_PUSH(a, &cells) = cell;
        if (c->pos >= c->len || c->data[c->pos] != c->sep)
            break;
        c->pos++;
    }
    if (c->pos < c->len) { /* the record's line end */
        c->pos += break_len(c->data, c->len, c->pos);
        c->cur_line++;
    }
    VEC_PUSH(a, &cells); /* the NULL after the last cell, not counted */
    rec->cells = cells.v;
    rec->n = cells.n - 1;
    rec->line = c->line;
    c->line = c->cur_line;
    return 1;
}

const char *csv_error_msgid(csv_error_t e)
{
    switch (e) {
    case CSV_OK:
        return "No error.";
    case CSV_ERR_UTF8:
        return "The cell is not valid UTF-8 text.";
    case CSV_ERR_QUOTE:
        return "The quoted cell is not closed.";
    case CSV_ERR_AFTER_QUOTE:
        return "Text follows the closing quote of the cell.";
    case CSV_ERR_NUL:
        return "The cell holds a NUL byte.";
    case CSV_ERR_TOO_LONG:
        return "The cell is too long.";
    case CSV_ERR_TOO_MANY:
        return "The row has too many cells.";
    }
    return "The file cannot be read as CSV.";
}

/* --- writing -------------------------------------------------------------- */

static bool is_formula_start(char ch)
{
    return ch == '=' || ch == '+' || ch == '-' || ch == '@' || ch == '\t' || ch == '\r';
}

/* Does s begin with zero or more '\'' and then a character that makes a
 * spreadsheet evaluate the cell? Such cells get one more '\''. */
static bool needs_tick(const char *s)
{
    while (*s == '\'')
        s++;
    return is_formula_start(*s);
}

static bool needs_quotes(const char *s, char sep, bool first)
{
    if (s[0] == '\0')
        return first;
    if (s[0] == ' ' || strncmp(s, UTF8_BOM, 3) == 0)
        return true; /* a reader takes a BOM at the start of a file off */
    const char *p = s;
    for (; *p; p++)
        if (*p == sep || *p == '"' || *p == '|' || is_line_end(*p))
            return true;
    return p[-1] == ' ';
}

void csv_put_cell(buf_t *b, const char *s, char sep, bool first)
{
    if (!s)
        s = "";
    if (!first)
        buf_putc(b, sep);
    bool quoted = needs_quotes(s, sep, first);
    if (quoted)
        buf_putc(b, '"');
    if (needs_tick(s))
        buf_putc(b, '\'');
    for (const char *q; quoted && (q = strchr(s, '"')); s = q + 1) {
        buf_append(b, s, (size_t)(q - s) + 1);
        buf_putc(b, '"');
    }
    buf_puts(b, s);
    if (quoted)
        buf_putc(b, '"');
}

void csv_end_record(buf_t *b)
{
    buf_append(b, "\r\n", 2);
}

const char *csv_unneutralise(const char *s)
{
    return s && s[0] == '\'' && needs_tick(s) ? s + 1 : s;
}

/* --- multi-value cells ---------------------------------------------------- */

static bool is_trim_space(char ch)
{
    return ch == ' ' || ch == '\t' || is_line_end(ch);
}

size_t csv_split(arena_t *a, const char *cell, char delim, char ***out)
{
    size_t parts = 1;
    for (const char *p = cell; p && *p; p++)
        parts += *p == delim;
    char **v = arena_alloc(a, (parts + 1) * sizeof *v);
    size_t n = 0;
    for (const char *p = cell; p;) {
        const char *end = strchrnul(p, delim), *e = end;
        while (p < e && is_trim_space(*p))
            p++;
        while (e > p && is_trim_space(e[-1]))
            e--;
        if (e > p)
            v[n++] = arena_strndup(a, p, (size_t)(e - p));
        p = *end ? end + 1 : NULL;
    }
    *out = v;
    return n;
}
