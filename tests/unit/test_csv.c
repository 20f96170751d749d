/* test_csv.c - the CSV reader and writer: byte-order mark, comma and
 * semicolon files and how the separator is chosen, quoted cells (separators,
 * "", line breaks of every kind), the line on which each record starts,
 * blank lines, trailing separators, a last line without a line end, every
 * error with its line and cell, the limits, a long input, the writer's
 * quoting and formula neutralising, a round trip and multi-value cells.
 * Most cases compare a whole reading, written as text by read_all(), so
 * that every cell and every line number is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "core/csv.h"

static int setup(void **state)
{
    *state = arena_new();
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* Every record of the reader as "line:<cell><cell> line:<cell>", then
 * " !error@line/cell" when it stopped on an error (the code as a number). */
static char *read_rest(arena_t *a, csv_reader_t *c)
{
    buf_t b;
    buf_init(&b);
    csv_record_t rec;
    int rc;
    while ((rc = csv_next(c, a, &rec)) == 1) {
        buf_printf(&b, "%s%d:", b.len ? " " : "", rec.line);
        for (size_t i = 0; i < rec.n; i++)
            buf_printf(&b, "<%s>", rec.cells[i]);
        assert_null(rec.cells[rec.n]);
    }
    if (rc < 0)
        buf_printf(&b, "%s!%d@%d/%d", b.len ? " " : "", (int)c->err, c->err_line, c->err_cell);
    else
        assert_int_equal(c->err, CSV_OK);
    char *s = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return s;
}

static char *read_n(arena_t *a, const char *data, size_t len)
{
    csv_reader_t c;
    csv_open(&c, data, len);
    return read_rest(a, &c);
}

static char *read_all(arena_t *a, const char *data)
{
    return read_n(a, data, strlen(data));
}

/* The separator csv_open picks for data. */
static char sep_of(const char *data)
{
    csv_reader_t c;
    csv_open(&c, data, strlen(data));
    return c.sep;
}

/* --- reading ---------------------------------------------------------------- */

static void test_bom_is_skipped_and_not_part_of_the_first_cell(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "\xEF\xBB\xBF" "code;title\n1;Droits\n"), "1:<code><title> 2:<1><Droits>");
    assert_int_equal(sep_of("\xEF\xBB\xBF" "a;b\n"), ';');
    /* only at the very start: further on it is text */
    assert_string_equal(read_all(a, "a,\xEF\xBB\xBF" "b\n"), "1:<a><\xEF\xBB\xBF" "b>");
    /* a BOM alone is an empty file */
    assert_string_equal(read_all(a, "\xEF\xBB\xBF"), "");
}

static void test_comma_file_gives_each_cell_in_order(void **state)
{
    arena_t *a = *state;
    const char *in = "code,parent_code,title_fr\n"
                     "1,,Droits et dignit\xC3\xA9\n"
                     "1.1,1,L'enfant est inform\xC3\xA9\n";
    assert_int_equal(sep_of(in), ',');
    assert_string_equal(read_all(a, in), "1:<code><parent_code><title_fr> 2:<1><><Droits et dignit\xC3\xA9> "
                                         "3:<1.1><1><L'enfant est inform\xC3\xA9>");
    /* semicolons in a comma file are text; spaces are kept */
    assert_string_equal(read_all(a, "a,b\n x ; y ,z\n"), "1:<a><b> 2:< x ; y ><z>");
}

static void test_semicolon_file_is_detected_and_read(void **state)
{
    arena_t *a = *state;
    const char *in = "code;parent_code;title_fr\n1;;Droits, dignit\xC3\xA9\n";
    assert_int_equal(sep_of(in), ';');
    assert_string_equal(read_all(a, in), "1:<code><parent_code><title_fr> 2:<1><><Droits, dignit\xC3\xA9>");
    /* more ';' than ',' on the first line decides; a tie or nothing is ',' */
    assert_int_equal(sep_of("a;b;c,d\n"), ';');
    assert_int_equal(sep_of("a;b,c,d\n"), ',');
    assert_int_equal(sep_of("a;b,c\n"), ',');
    assert_int_equal(sep_of("abc\n"), ',');
    assert_int_equal(sep_of(""), ',');
    /* the first line only: later lines do not count */
    assert_int_equal(sep_of("a,b\nc;d;e;f;g\n"), ',');
    /* leading blank lines are not the first line */
    assert_int_equal(sep_of("\r\n\na;b\n"), ';');
}

static void test_separator_detection_ignores_separators_inside_quoted_header_cells(void **state)
{
    arena_t *a = *state;
    /* three ';' inside quotes, one ',' outside: a comma file */
    const char *in = "\"a;b;c;d\",e\n1,2\n";
    assert_int_equal(sep_of(in), ',');
    assert_string_equal(read_all(a, in), "1:<a;b;c;d><e> 2:<1><2>");
    /* the other way round, with "" inside the quoted cells */
    assert_int_equal(sep_of("\"x,y,z\";\"w\"\",\"\"\";v\n"), ';');
    /* a quoted cell with a line break and commas still belongs to the header */
    assert_int_equal(sep_of("\"a,b\n,c,d\";e;f\n"), ';');
    /* a quote in the middle of a cell is text, not the start of a quoted cell */
    assert_int_equal(sep_of("5\" screen;a;b,c\n"), ';');
}

static void test_quoted_cells_hold_separators_doubled_quotes_and_line_breaks(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "\"a,b\",\"say \"\"hi\"\"\",\"\"\n"), "1:<a,b><say \"hi\"><>");
    assert_string_equal(read_all(a, "\"\"\"\"\n"), "1:<\">");
    /* \n, \r\n and a lone \r inside a quoted cell are all kept as \n */
    assert_string_equal(read_all(a, "\"one\ntwo\",x\n"), "1:<one\ntwo><x>");
    assert_string_equal(read_all(a, "\"one\r\ntwo\",x\r\n"), "1:<one\ntwo><x>");
    assert_string_equal(read_all(a, "\"one\rtwo\",x\r"), "1:<one\ntwo><x>");
    assert_string_equal(read_all(a, "\"\r\n\r\n\"\n"), "1:<\n\n>");
    /* a quote inside an unquoted cell is kept as it is */
    assert_string_equal(read_all(a, "5\" screen,a\"b\"\n"), "1:<5\" screen><a\"b\">");
    /* a space before the opening quote makes an unquoted cell */
    assert_string_equal(read_all(a, " \"a\",b\n"), "1:< \"a\"><b>");
    /* semicolon file: a quoted cell holding ';' and ',' */
    assert_string_equal(read_all(a, "a;b\n\"x;y,z\";w\n"), "1:<a><b> 2:<x;y,z><w>");
}

static void test_record_lines_count_breaks_inside_cells_and_blank_lines(void **state)
{
    arena_t *a = *state;
    /* the cell of line 2 holds two line breaks: the next record is on line 5 */
    assert_string_equal(read_all(a, "h1,h2\n1,\"a\nb\nc\"\n2,x\n"), "1:<h1><h2> 2:<1><a\nb\nc> 5:<2><x>");
    /* the same with \r\n everywhere */
    assert_string_equal(read_all(a, "h1,h2\r\n1,\"a\r\nb\r\nc\"\r\n2,x\r\n"),
                        "1:<h1><h2> 2:<1><a\nb\nc> 5:<2><x>");
    /* blank lines are skipped but counted, at the start and in the middle */
    assert_string_equal(read_all(a, "\n\nh\n\n\r\n\rx\n\n"), "3:<h> 7:<x>");
    /* a line of spaces or a lone separator is not blank */
    assert_string_equal(read_all(a, "h\n \n,\n"), "1:<h> 2:< > 3:<><>");
    /* a lone \r inside a quoted cell is a line break too */
    assert_string_equal(read_all(a, "\"a\rb\"\rc\r\"d\r\ne\"\rf"), "1:<a\nb> 3:<c> 4:<d\ne> 6:<f>");
    /* two multi-line cells in one record: three line breaks */
    assert_string_equal(read_all(a, "\"a\nb\",\"c\nd\ne\"\nz\n"), "1:<a\nb><c\nd\ne> 5:<z>");
}

static void test_crlf_and_lone_cr_end_lines(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "a,b\r\nc,d\r\n"), "1:<a><b> 2:<c><d>");
    assert_string_equal(read_all(a, "a,b\rc,d\re\r"), "1:<a><b> 2:<c><d> 3:<e>");
    /* mixed, with \n\r read as two line ends (a blank line between) */
    assert_string_equal(read_all(a, "a\r\nb\nc\rd\n\re\n"), "1:<a> 2:<b> 3:<c> 4:<d> 6:<e>");
    /* a quoted cell then \r\n, then one then \r */
    assert_string_equal(read_all(a, "\"a\"\r\n\"b\"\r"), "1:<a> 2:<b>");
}

static void test_trailing_separator_gives_an_empty_last_cell(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "a,b,\nc,,\n"), "1:<a><b><> 2:<c><><>");
    assert_string_equal(read_all(a, "a;b;\n"), "1:<a><b><>");
    assert_string_equal(read_all(a, "\"a\",\n"), "1:<a><>");
    /* also at the very end of the input */
    assert_string_equal(read_all(a, "a,"), "1:<a><>");
}

static void test_last_line_without_line_end_is_a_record(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "a,b\nc,d"), "1:<a><b> 2:<c><d>");
    assert_string_equal(read_all(a, "a,b\n\"c\nd\""), "1:<a><b> 2:<c\nd>");
    assert_string_equal(read_all(a, "x"), "1:<x>");
    /* and a final line end makes no empty record */
    assert_string_equal(read_all(a, "a,b\n"), "1:<a><b>");
}

static void test_empty_input_and_blank_lines_only_have_no_record(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, ""), "");
    assert_string_equal(read_n(a, NULL, 0), "");
    assert_string_equal(read_all(a, "\n\r\n\r"), "");
    /* and the end is answered again */
    csv_reader_t c;
    csv_record_t rec;
    csv_open(&c, "a\n", 2);
    assert_int_equal(csv_next(&c, a, &rec), 1);
    assert_int_equal(csv_next(&c, a, &rec), 0);
    assert_int_equal(csv_next(&c, a, &rec), 0);
}

static void test_invalid_utf8_names_the_record_line_and_the_cell(void **state)
{
    arena_t *a = *state;
    /* a lone 0xC3 in line 3, cell 2 */
    assert_string_equal(read_all(a, "a,b\nc,d\ne,\xC3,g\nh,i\n"), "1:<a><b> 2:<c><d> !1@3/1");
    /* in a quoted cell, after a multi-line cell and a blank line */
    assert_string_equal(read_all(a, "\"x\ny\"\n\nq,r,\"s\xFF\"\n"), "1:<x\ny> !1@4/2");
    /* overlong, surrogate and truncated sequences */
    assert_string_equal(read_all(a, "\xC0\xAF\n"), "!1@1/0");
    assert_string_equal(read_all(a, "a,\xED\xA0\x80\n"), "!1@1/1");
    assert_string_equal(read_all(a, "a,b\n\xE2\x82"), "1:<a><b> !1@2/0");
    /* valid multi-byte text in every script passes */
    assert_string_equal(read_all(a, "\xD8\xAC\xD9\x88\xD8\xAF\xD8\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n"),
                        "1:<\xD8\xAC\xD9\x88\xD8\xAF\xD8\xA9><\xE2\x82\xAC><\xF0\x9F\x98\x80>");
}

static void test_nul_byte_names_the_record_line_and_the_cell(void **state)
{
    arena_t *a = *state;
    static const char in[] = "a,b\nc,d\0e\n";
    assert_string_equal(read_n(a, in, sizeof in - 1), "1:<a><b> !4@2/1");
    static const char quoted[] = "a\n\n\"x\ny\",\"p\0\"\n";
    assert_string_equal(read_n(a, quoted, sizeof quoted - 1), "1:<a> !4@3/1");
}

static void test_unterminated_quote_reports_the_line_where_the_record_starts(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "h1,h2\n1,2\n3,\"open\nmore\nand more\n"), "1:<h1><h2> 2:<1><2> !2@3/1");
    assert_string_equal(read_all(a, "\""), "!2@1/0");
    /* "" at the very end is an escaped quote, not a closing one */
    assert_string_equal(read_all(a, "\"abc\"\""), "!2@1/0");
    /* the error stays: every later call answers it again */
    csv_reader_t c;
    csv_record_t rec;
    csv_open(&c, "a\n\"b\n", 5);
    assert_int_equal(csv_next(&c, a, &rec), 1);
    assert_int_equal(csv_next(&c, a, &rec), -1);
    assert_int_equal(csv_next(&c, a, &rec), -1);
    assert_int_equal(c.err, CSV_ERR_QUOTE);
    assert_int_equal(c.err_line, 2);
    assert_int_equal(c.err_cell, 0);
}

static void test_text_after_a_closing_quote_is_an_error(void **state)
{
    arena_t *a = *state;
    assert_string_equal(read_all(a, "a,b\n\"x\"y,z\n"), "1:<a><b> !3@2/0");
    assert_string_equal(read_all(a, "a,\"b\" \n"), "!3@1/1");
    assert_string_equal(read_all(a, "a,\"b\"\"\"c\n"), "!3@1/1");
    /* a separator of the other kind is text too */
    assert_string_equal(read_all(a, "a;b\n\"x\",y\n"), "1:<a><b> !3@2/0");
}

static void test_cell_length_limit_counts_unquoted_bytes(void **state)
{
    arena_t *a = *state;
    csv_reader_t c;
    csv_open(&c, "x", 1);
    assert_int_equal(c.max_cell, 64 * 1024);
    assert_int_equal(c.max_cells, 256);

    const char *in = "abcd,\"ab\"\"c\"\nabcde\n";
    csv_open(&c, in, strlen(in));
    c.max_cell = 4; /* "ab""c" is 4 bytes once unquoted */
    assert_string_equal(read_rest(a, &c), "1:<abcd><ab\"c> !5@2/0");

    const char *q = "a,\"1\n3\n5\"\n";
    csv_open(&c, q, strlen(q));
    c.max_cell = 4; /* the line breaks count, as \n */
    assert_string_equal(read_rest(a, &c), "!5@1/1");
    csv_open(&c, q, strlen(q));
    c.max_cell = 5;
    assert_string_equal(read_rest(a, &c), "1:<a><1\n3\n5>");
    /* \r\n inside counts as the one \n it becomes */
    const char *crlf = "\"1\r\n3\r\n5\"";
    csv_open(&c, crlf, strlen(crlf));
    c.max_cell = 5;
    assert_string_equal(read_rest(a, &c), "1:<1\n3\n5>");

    /* the default: 64 KiB pass, one byte more does not */
    size_t n = 64 * 1024;
    char *big = arena_alloc(a, n + 3);
    memset(big, 'x', n + 1);
    big[n + 1] = '\n';
    csv_record_t rec;
    csv_open(&c, big, n + 2);
    assert_int_equal(csv_next(&c, a, &rec), -1);
    assert_int_equal(c.err, CSV_ERR_TOO_LONG);
    big[n] = '\n';
    csv_open(&c, big, n + 1);
    assert_int_equal(csv_next(&c, a, &rec), 1);
    assert_int_equal(strlen(rec.cells[0]), n);
}

static void test_cells_per_record_limit(void **state)
{
    arena_t *a = *state;
    csv_reader_t c;
    const char *in = "a,b,c\n\n1,2,3,4\n";
    csv_open(&c, in, strlen(in));
    c.max_cells = 3;
    assert_string_equal(read_rest(a, &c), "1:<a><b><c> !6@3/3");
    /* a trailing separator is one cell more */
    csv_open(&c, "a,b,c,\n", 7);
    c.max_cells = 3;
    assert_string_equal(read_rest(a, &c), "!6@1/3");
    csv_open(&c, "a,b,c\n", 6);
    c.max_cells = 3;
    assert_string_equal(read_rest(a, &c), "1:<a><b><c>");
    /* the default: 256 cells pass, 257 do not */
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 256; i++)
        buf_puts(&b, i ? ",x" : "x");
    csv_open(&c, b.data, b.len);
    csv_record_t rec;
    assert_int_equal(csv_next(&c, a, &rec), 1);
    assert_int_equal(rec.n, 256);
    buf_puts(&b, ",x");
    csv_open(&c, b.data, b.len);
    assert_int_equal(csv_next(&c, a, &rec), -1);
    assert_int_equal(c.err, CSV_ERR_TOO_MANY);
    assert_int_equal(c.err_cell, 256);
    buf_free(&b);
}

/* Many records and one huge quoted cell full of "" read quickly (a
 * quadratic reader would take minutes here) and exactly. */
static void test_long_input_is_read_in_one_pass(void **state)
{
    arena_t *a = *state;
    buf_t b;
    buf_init(&b);
    size_t quotes = 1000 * 1000;
    buf_putc(&b, '"');
    for (size_t i = 0; i < quotes; i++)
        buf_append(&b, "\"\"", 2);
    buf_append(&b, "\",end\n", 6);
    int records = 200 * 1000;
    for (int i = 0; i < records; i++)
        buf_puts(&b, "a,\"b\nc\"\n");
    csv_reader_t c;
    csv_open(&c, b.data, b.len);
    c.max_cell = quotes;
    csv_record_t rec;
    assert_int_equal(csv_next(&c, a, &rec), 1);
    assert_int_equal(strlen(rec.cells[0]), quotes);
    assert_int_equal(strspn(rec.cells[0], "\""), quotes);
    assert_string_equal(rec.cells[1], "end");
    int n = 0, last = 0;
    while (csv_next(&c, a, &rec) == 1) {
        n++;
        last = rec.line;
    }
    assert_int_equal(c.err, CSV_OK);
    assert_int_equal(n, records);
    assert_int_equal(last, 2 + 2 * (records - 1));
    assert_string_equal(rec.cells[1], "b\nc");
    buf_free(&b);
}

static void test_error_msgids_are_distinct_sentences(void **state)
{
    (void)state;
    assert_string_equal(csv_error_msgid(CSV_ERR_QUOTE), "The quoted cell is not closed.");
    const csv_error_t all[] = {CSV_ERR_UTF8, CSV_ERR_QUOTE, CSV_ERR_AFTER_QUOTE, CSV_ERR_NUL, CSV_ERR_TOO_LONG,
                               CSV_ERR_TOO_MANY};
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        const char *m = csv_error_msgid(all[i]);
        assert_non_null(m);
        assert_true(strlen(m) > 10 && m[strlen(m) - 1] == '.');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(m, csv_error_msgid(all[j]));
    }
}

/* --- writing ---------------------------------------------------------------- */

/* The cells written as one record with sep. */
static char *write_record(arena_t *a, const char *const *cells, size_t n, char sep)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++)
        csv_put_cell(&b, cells[i], sep, i == 0);
    csv_end_record(&b);
    char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

#define WRITE(a, sep, ...) \
    write_record((a), (const char *const[]){__VA_ARGS__}, ARRAY_LEN(((const char *const[]){__VA_ARGS__})), (sep))

static void test_writer_quotes_cells_only_when_needed(void **state)
{
    arena_t *a = *state;
    assert_string_equal(WRITE(a, ',', "a", "b c", "d;e"), "a,b c,d;e\r\n");
    assert_string_equal(WRITE(a, ';', "a", "b,c", "d;e"), "a;b,c;\"d;e\"\r\n");
    assert_string_equal(WRITE(a, ',', "a,b", "say \"hi\"", "x|y"), "\"a,b\",\"say \"\"hi\"\"\",\"x|y\"\r\n");
    assert_string_equal(WRITE(a, ',', "l1\nl2", "l1\r\nl2", "\""), "\"l1\nl2\",\"l1\r\nl2\",\"\"\"\"\r\n");
    assert_string_equal(WRITE(a, ',', " lead", "trail ", "mid dle", " "),
                        "\" lead\",\"trail \",mid dle,\" \"\r\n");
    /* empty cells: nothing, except a first one (else a record of one empty
     * cell would be a blank line); NULL is empty */
    assert_string_equal(WRITE(a, ',', "a", "", NULL), "a,,\r\n");
    assert_string_equal(WRITE(a, ',', "", "b"), "\"\",b\r\n");
    assert_string_equal(WRITE(a, ',', NULL), "\"\"\r\n");
    /* a cell beginning with U+FEFF: at the start of a file, a bare one would
     * be read as a byte-order mark and lost */
    assert_string_equal(WRITE(a, ',', "\xEF\xBB\xBF" "x", "y\xEF\xBB\xBF"),
                        "\"\xEF\xBB\xBF" "x\",y\xEF\xBB\xBF\r\n");
    /* UTF-8 is written as it is */
    assert_string_equal(WRITE(a, ';', "\xD8\xAC\xD9\x88\xD8\xAF\xD8\xA9", "\xC3\xA9t\xC3\xA9"),
                        "\xD8\xAC\xD9\x88\xD8\xAF\xD8\xA9;\xC3\xA9t\xC3\xA9\r\n");
}

static void test_writer_neutralises_cells_a_spreadsheet_would_evaluate(void **state)
{
    arena_t *a = *state;
    assert_string_equal(WRITE(a, ',', "=SUM(A1:A2)", "+33 6", "-1", "@cmd"), "'=SUM(A1:A2),'+33 6,'-1,'@cmd\r\n");
    assert_string_equal(WRITE(a, ',', "\tx", "\rx"), "'\tx,\"'\rx\"\r\n");
    /* quoted and neutralised: the '\'' goes inside the quotes */
    assert_string_equal(WRITE(a, ',', "=A1,B1", "=\"x\""), "\"'=A1,B1\",\"'=\"\"x\"\"\"\r\n");
    /* only at the start; a '\'' that csv_unneutralise would take gets one more */
    assert_string_equal(WRITE(a, ',', "a=b", "1-2", "'=x", "''+", "'a", "'"), "a=b,1-2,''=x,'''+,'a,'\r\n");
}

static void test_unneutralise_takes_off_only_the_writers_quote(void **state)
{
    (void)state;
    assert_string_equal(csv_unneutralise("'=SUM(A1)"), "=SUM(A1)");
    assert_string_equal(csv_unneutralise("'+1"), "+1");
    assert_string_equal(csv_unneutralise("'-1"), "-1");
    assert_string_equal(csv_unneutralise("'@x"), "@x");
    assert_string_equal(csv_unneutralise("'\tx"), "\tx");
    assert_string_equal(csv_unneutralise("'\rx"), "\rx");
    assert_string_equal(csv_unneutralise("''=x"), "'=x");
    assert_string_equal(csv_unneutralise("'''-"), "''-");
    /* anything else stays */
    assert_string_equal(csv_unneutralise("'abc"), "'abc");
    assert_string_equal(csv_unneutralise("''"), "''");
    assert_string_equal(csv_unneutralise("'"), "'");
    assert_string_equal(csv_unneutralise("=x"), "=x");
    assert_string_equal(csv_unneutralise("x'=y"), "x'=y");
    assert_string_equal(csv_unneutralise(""), "");
    assert_null(csv_unneutralise(NULL));
}

static const char *const k_round[][4] = {
    {"\xEF\xBB\xBF" "code", "title_fr", "elements_fr", "imperative"},
    {"1.1", "Droits, \"dignit\xC3\xA9\"", "un|deux", "1"},
    {"=cmd|' /C calc'!A0", "+212 600", "-", "@SUM(1)"},
    {"'=already", "''-x", "'plain", "\tTab"},
    {"", "multi\nline\n", "", ""},
    {" spaced ", "a;b", "\xD8\xAC\xD9\x88\xD8\xAF\xD8\xA9", ""},
};

/* Written with sep, read back: the same cells after csv_unneutralise, on
 * the lines the written line breaks put them. */
static void round_trip(arena_t *a, char sep)
{
    buf_t b;
    buf_init(&b);
    for (size_t r = 0; r < ARRAY_LEN(k_round); r++) {
        for (size_t i = 0; i < 4; i++)
            csv_put_cell(&b, k_round[r][i], sep, i == 0);
        csv_end_record(&b);
    }
    csv_reader_t c;
    csv_open(&c, b.data, b.len);
    assert_int_equal(c.sep, sep);
    csv_record_t rec;
    int line = 1;
    for (size_t r = 0; r < ARRAY_LEN(k_round); r++) {
        assert_int_equal(csv_next(&c, a, &rec), 1);
        assert_int_equal(rec.line, line);
        assert_int_equal(rec.n, 4);
        for (size_t i = 0; i < 4; i++) {
            assert_string_equal(csv_unneutralise(rec.cells[i]), k_round[r][i]);
            for (const char *p = k_round[r][i]; *p; p++)
                line += *p == '\n';
        }
        line++;
    }
    assert_int_equal(csv_next(&c, a, &rec), 0);
    buf_free(&b);
}

static void test_round_trip_gives_the_same_cells_with_comma_and_semicolon(void **state)
{
    arena_t *a = *state;
    round_trip(a, ',');
    round_trip(a, ';');
    /* a neutralised cell read without csv_unneutralise still shows its '\'' */
    csv_reader_t c;
    csv_record_t rec;
    const char *w = WRITE(a, ',', "=1+1");
    csv_open(&c, w, strlen(w));
    assert_int_equal(csv_next(&c, a, &rec), 1);
    assert_string_equal(rec.cells[0], "'=1+1");
}

/* --- multi-value cells ----------------------------------------------------- */

static void test_split_trims_values_and_drops_empty_ones(void **state)
{
    arena_t *a = *state;
    char **v;
    assert_int_equal(csv_split(a, " children | students||\n women \t|", '|', &v), 3);
    assert_string_equal(v[0], "children");
    assert_string_equal(v[1], "students");
    assert_string_equal(v[2], "women");
    assert_null(v[3]);

    assert_int_equal(csv_split(a, "Livret d'accueil remis", '|', &v), 1);
    assert_string_equal(v[0], "Livret d'accueil remis");
    assert_null(v[1]);

    assert_int_equal(csv_split(a, "a , b", ',', &v), 2);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b");

    /* inner spaces and line breaks stay */
    assert_int_equal(csv_split(a, "un deux\ntrois|x", '|', &v), 2);
    assert_string_equal(v[0], "un deux\ntrois");
    assert_string_equal(v[1], "x");

    assert_int_equal(csv_split(a, "", '|', &v), 0);
    assert_null(v[0]);
    assert_int_equal(csv_split(a, " | |\n", '|', &v), 0);
    assert_null(v[0]);
    assert_int_equal(csv_split(a, NULL, '|', &v), 0);
    assert_null(v[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bom_is_skipped_and_not_part_of_the_first_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comma_file_gives_each_cell_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_semicolon_file_is_detected_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_separator_detection_ignores_separators_inside_quoted_header_cells,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted_cells_hold_separators_doubled_quotes_and_line_breaks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_record_lines_count_breaks_inside_cells_and_blank_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_crlf_and_lone_cr_end_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_separator_gives_an_empty_last_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_line_without_line_end_is_a_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_input_and_blank_lines_only_have_no_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_names_the_record_line_and_the_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_byte_names_the_record_line_and_the_cell, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unterminated_quote_reports_the_line_where_the_record_starts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_text_after_a_closing_quote_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cell_length_limit_counts_unquoted_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cells_per_record_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_input_is_read_in_one_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_msgids_are_distinct_sentences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_quotes_cells_only_when_needed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_neutralises_cells_a_spreadsheet_would_evaluate, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unneutralise_takes_off_only_the_writers_quote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_gives_the_same_cells_with_comma_and_semicolon, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_split_trims_values_and_drops_empty_ones, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
