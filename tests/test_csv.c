/* SPDX-License-Identifier: MIT */
/*
 * Tests for the CSV module. Each test writes its input into a private
 * temporary directory, so the tests run from any working directory.
 */
#define _GNU_SOURCE /* fopencookie: a stream that fails on read */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tfund/csv.h"
#include "tfund/error.h"

static char tmpdir[PATH_MAX];
static char path[PATH_MAX + 16];

static const tf_csv_column abc[] = {{"a", 1}, {"b", 1}, {"c", 1}};
static const tf_csv_column ab_opt_c[] = {{"a", 1}, {"b", 1}, {"c", 0}};

#define NCOLS(cols) (sizeof(cols) / sizeof((cols)[0]))
/* String literals may hold NUL bytes, so their size, not strlen. */
#define LIT(s) s, sizeof(s) - 1

static int group_setup(void **state)
{
    const char *base = getenv("TMPDIR");

    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "%s/tfund-test-csv-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(path, sizeof(path), "%s/in.csv", tmpdir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(tmpdir);
}

static void write_file(const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Opens data as a file and reads its header, which must be valid. */
static tf_csv *open_csv(const char *data, size_t len, const tf_csv_column *cols,
                        size_t ncols)
{
    tf_csv *csv = NULL;
    tf_diag d;

    tf_diag_clear(&d);
    write_file(data, len);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_non_null(csv);
    if (tf_csv_header(csv, cols, ncols, &d) != TF_OK)
        fail_msg("header: %s", d.msg);
    return csv;
}

/* Reads the next row, which must exist, and checks its line and fields. */
static void expect_row(tf_csv *csv, long line, const char *a, const char *b,
                       const char *c)
{
    tf_diag d;
    int has_row = -1;

    tf_diag_clear(&d);
    if (tf_csv_next(csv, &has_row, &d) != TF_OK)
        fail_msg("row: %ld:%d: %s", d.line, d.col, d.msg);
    assert_int_equal(has_row, 1);
    assert_int_equal(tf_csv_line(csv), line);
    assert_string_equal(tf_csv_get(csv, 0), a);
    assert_string_equal(tf_csv_get(csv, 1), b);
    if (c)
        assert_string_equal(tf_csv_get(csv, 2), c);
    else
        assert_null(tf_csv_get(csv, 2));
}

static void expect_end(tf_csv *csv)
{
    tf_diag d;
    int has_row = -1;

    tf_diag_clear(&d);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_OK);
    assert_int_equal(has_row, 0);
}

static void expect_diag(const tf_diag *d, long line, int col, const char *msg)
{
    assert_string_equal(d->file, path);
    assert_int_equal(d->line, line);
    assert_int_equal(d->col, col);
    assert_string_equal(d->msg, msg);
}

/* The header of data must fail with the given position and message. */
static void expect_header_error(const char *data, size_t len,
                                const tf_csv_column *cols, size_t ncols,
                                long line, int col, const char *msg)
{
    tf_csv *csv = NULL;
    tf_diag d;

    tf_diag_clear(&d);
    write_file(data, len);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, cols, ncols, &d), TF_ERR_INPUT);
    expect_diag(&d, line, col, msg);
    tf_csv_free(csv);
}

/* Reading the rows of data (header a,b,c or as given) must fail with the
 * given position and message. */
static void expect_row_error(const char *data, size_t len, long line, int col,
                             const char *msg)
{
    tf_csv *csv = open_csv(data, len, abc, NCOLS(abc));
    tf_diag d;
    tf_error rc;
    int has_row, rows = 0;

    tf_diag_clear(&d);
    while ((rc = tf_csv_next(csv, &has_row, &d)) == TF_OK && has_row)
        assert_true(++rows < 100);
    assert_int_equal(rc, TF_ERR_INPUT);
    assert_int_equal(has_row, 0);
    expect_diag(&d, line, col, msg);
    tf_csv_free(csv);
}

static void test_columns_any_order(void **state)
{
    tf_csv *csv = open_csv(LIT("c,a,b\n3,1,2\n6,4,5\n"), abc, NCOLS(abc));

    (void)state;
    assert_int_equal(tf_csv_colno(csv, 0), 2);
    assert_int_equal(tf_csv_colno(csv, 1), 3);
    assert_int_equal(tf_csv_colno(csv, 2), 1);
    assert_int_equal(tf_csv_line(csv), 1);
    assert_string_equal(tf_csv_path(csv), path);
    expect_row(csv, 2, "1", "2", "3");
    expect_row(csv, 3, "4", "5", "6");
    expect_end(csv);
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_optional_column_absent(void **state)
{
    tf_csv *csv = open_csv(LIT("b,a\n2,1\n"), ab_opt_c, NCOLS(ab_opt_c));

    (void)state;
    assert_int_equal(tf_csv_colno(csv, 2), 0);
    assert_int_equal(tf_csv_colno(csv, 99), 0);
    expect_row(csv, 2, "1", "2", NULL);
    assert_null(tf_csv_get(csv, 99));
    expect_end(csv);
    assert_null(tf_csv_get(csv, 0));
    tf_csv_free(csv);
}

static void test_optional_column_present(void **state)
{
    tf_csv *csv = open_csv(LIT("c,b,a\n3,2,1\n"), ab_opt_c, NCOLS(ab_opt_c));

    (void)state;
    assert_int_equal(tf_csv_colno(csv, 2), 1);
    expect_row(csv, 2, "1", "2", "3");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_bom(void **state)
{
    tf_csv *csv = open_csv(LIT("\xEF\xBB\xBF"
                               "a,b,c\n1,2,3\n"),
                           abc, NCOLS(abc));

    (void)state;
    assert_int_equal(tf_csv_colno(csv, 0), 1);
    expect_row(csv, 2, "1", "2", "3");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_bom_only_at_start(void **state)
{
    /* A BOM later on is ordinary (valid) text, not skipped. */
    tf_csv *csv = open_csv(LIT("a,b,c\n\xEF\xBB\xBFx,2,3\n"), abc, NCOLS(abc));

    (void)state;
    expect_row(csv, 2, "\xEF\xBB\xBFx", "2", "3");
    tf_csv_free(csv);
}

static void test_crlf(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\r\n"
                               "1,2,3\r\n"
                               "4,\"x\r\ny\",6\r\n"
                               "7,8,\"9\"\r\n"),
                           abc, NCOLS(abc));

    (void)state;
    expect_row(csv, 2, "1", "2", "3");
    expect_row(csv, 3, "4", "x\r\ny", "6");
    expect_row(csv, 5, "7", "8", "9");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_quoted_fields(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n"
                               "1,\"x\n"
                               "y\",3\n"
                               "4,\"he said \"\"hi\"\", then left\",6\n"
                               "\"\",\"p\n"
                               "\n"
                               "\r\n"
                               "q\",\",\"\n"
                               "\"\"\"\",\"\"\"a\"\"\",\"\n\"\n"
                               "end,of,file\n"),
                           abc, NCOLS(abc));

    (void)state;
    /* The record after a two-line record starts on line 4. */
    expect_row(csv, 2, "1", "x\ny", "3");
    expect_row(csv, 4, "4", "he said \"hi\", then left", "6");
    /* Blank lines inside quotes are data, not skipped. */
    expect_row(csv, 5, "", "p\n\n\r\nq", ",");
    expect_row(csv, 9, "\"", "\"a\"", "\n");
    expect_row(csv, 11, "end", "of", "file");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_blank_lines(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n"
                               "\n"
                               "1,2,3\n"
                               "\r\n"
                               "\n"
                               "\r\r\n"
                               "4,5,6\n"
                               "\n"),
                           abc, NCOLS(abc));

    (void)state;
    expect_row(csv, 3, "1", "2", "3");
    expect_row(csv, 7, "4", "5", "6");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_blank_lines_before_header(void **state)
{
    /* Lines are physical lines, as an editor numbers them. */
    tf_csv *csv = open_csv(LIT("\n\na,b,c\n1,2,3\n"), abc, NCOLS(abc));

    (void)state;
    assert_int_equal(tf_csv_line(csv), 3);
    expect_row(csv, 4, "1", "2", "3");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_last_line_without_newline(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n1,2,3"), abc, NCOLS(abc));

    (void)state;
    expect_row(csv, 2, "1", "2", "3");
    expect_end(csv);
    tf_csv_free(csv);

    csv = open_csv(LIT("a,b,c\n1,2,\"x\ny\""), abc, NCOLS(abc));
    expect_row(csv, 2, "1", "2", "x\ny");
    expect_end(csv);
    tf_csv_free(csv);

    csv = open_csv(LIT("a,b,c\r\n1,2,"), abc, NCOLS(abc));
    expect_row(csv, 2, "1", "2", "");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_all_empty_fields(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n,,\n\"\",,\"\"\n"), abc, NCOLS(abc));

    (void)state;
    expect_row(csv, 2, "", "", "");
    expect_row(csv, 3, "", "", "");
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_spaces_kept(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n x , y ,z\t\n"), abc, NCOLS(abc));

    (void)state;
    /* RFC 4180: spaces are part of a field; the reader does not trim. */
    expect_row(csv, 2, " x ", " y ", "z\t");
    tf_csv_free(csv);
    /* So a space before an opening quote makes the quote stray. */
    expect_row_error(LIT("a,b,c\n1, \"y\",3\n"), 2, 2,
                     "quote inside an unquoted field (quote the whole field "
                     "and double the quote)");
}

static void test_valid_utf8(void **state)
{
    tf_csv *csv =
        open_csv(LIT("a,b,c\n"
                     "C\xC3\xB4te d\xE2\x80\x99Ivoire,"
                     "\xE2\x82\xAC,"
                     "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xED\x9F\xBF\n"),
                 abc, NCOLS(abc));

    (void)state;
    expect_row(csv, 2, "C\xC3\xB4te d\xE2\x80\x99Ivoire", "\xE2\x82\xAC",
               "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xED\x9F\xBF");
    tf_csv_free(csv);
}

static void test_header_only(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n"), abc, NCOLS(abc));

    (void)state;
    expect_end(csv);
    tf_csv_free(csv);

    csv = open_csv(LIT("a,b,c"), abc, NCOLS(abc));
    expect_end(csv);
    tf_csv_free(csv);

    csv = open_csv(LIT("a,b,c\r\n\r\n\n"), abc, NCOLS(abc));
    expect_end(csv);
    tf_csv_free(csv);
}

static void test_empty_file(void **state)
{
    (void)state;
    expect_header_error(LIT(""), abc, NCOLS(abc), 1, 0,
                        "empty file: expected a header row");
    expect_header_error(LIT("\n\r\n\n"), abc, NCOLS(abc), 1, 0,
                        "empty file: expected a header row");
    expect_header_error(LIT("\xEF\xBB\xBF"), abc, NCOLS(abc), 1, 0,
                        "empty file: expected a header row");
}

static void test_unknown_column(void **state)
{
    (void)state;
    expect_header_error(LIT("a,foo,b,c\n1,2,3,4\n"), abc, NCOLS(abc), 1, 2,
                        "column 'foo' is not one of: a, b, c");
    /* Names are exact: case and spaces count. */
    expect_header_error(LIT("a,B,c\n"), abc, NCOLS(abc), 1, 2,
                        "column 'B' is not one of: a, b, c");
    expect_header_error(LIT("a,b,c \n"), abc, NCOLS(abc), 1, 3,
                        "column 'c ' is not one of: a, b, c");
    expect_header_error(LIT("a,b,c,\n"), abc, NCOLS(abc), 1, 4,
                        "column '' is not one of: a, b, c");
}

static void test_duplicate_column(void **state)
{
    (void)state;
    expect_header_error(LIT("a,b,c,a\n"), abc, NCOLS(abc), 1, 4,
                        "column 'a' appears twice (also column 1)");
    expect_header_error(LIT("b,b\n"), ab_opt_c, NCOLS(ab_opt_c), 1, 2,
                        "column 'b' appears twice (also column 1)");
}

static void test_missing_column(void **state)
{
    (void)state;
    expect_header_error(LIT("a,c\n1,3\n"), abc, NCOLS(abc), 1, 0,
                        "missing column 'b'");
    expect_header_error(LIT("c,b\n"), ab_opt_c, NCOLS(ab_opt_c), 1, 0,
                        "missing column 'a'");
}

static void test_header_bad_field(void **state)
{
    (void)state;
    expect_header_error(LIT("a,b\xFF,c\n"), abc, NCOLS(abc), 1, 2,
                        "header field 2: invalid UTF-8 at byte 2");
    expect_header_error(LIT("a,\"b\nc\"x\n"), abc, NCOLS(abc), 2, 2,
                        "text after the closing quote of a field (quotes "
                        "inside a quoted field must be doubled)");
}

static void test_field_count(void **state)
{
    (void)state;
    expect_row_error(LIT("a,b,c\n1,2,3\n\n1,2,3,4\n"), 4, 4,
                     "expected 3 fields, found 4");
    expect_row_error(LIT("a,b,c\n1,2\n"), 2, 3, "expected 3 fields, found 2");
    expect_row_error(LIT("a,b,c\n1,\"x\ny\"\n"), 2, 3,
                     "expected 3 fields, found 2");
    /* A line of spaces is a one-field record, not a blank line. */
    expect_row_error(LIT("a,b,c\n  \n"), 2, 2, "expected 3 fields, found 1");
    expect_row_error(LIT("a,b,c\n,,,,,,,,,\n"), 2, 4,
                     "expected 3 fields, found 10");
}

static void test_invalid_utf8(void **state)
{
    static const struct {
        const char *bytes;
        const char *what;
    } bad[] = {
        {"\xC0\x80", "overlong NUL"},
        {"\xC1\xBF", "overlong ASCII"},
        {"\xE0\x80\xAF", "overlong 3-byte"},
        {"\xF0\x80\x80\xAF", "overlong 4-byte"},
        {"\xED\xA0\x80", "high surrogate"},
        {"\xED\xBF\xBF", "low surrogate"},
        {"\xF4\x90\x80\x80", "past U+10FFFF"},
        {"\xF5\x80\x80\x80", "lead byte F5"},
        {"\xFF", "byte FF"},
        {"\x80", "lone continuation"},
        {"\xE2\x82", "truncated 3-byte"},
        {"\xE2\x82x", "truncated 3-byte then ASCII"},
        {"\xF0\x9F\x98", "truncated 4-byte"},
    };
    char data[128];
    size_t i;

    (void)state;
    for (i = 0; i < NCOLS(bad); i++) {
        int n = snprintf(data, sizeof(data), "a,b,c\n1,2,3\nx,ok%s,z\n",
                         bad[i].bytes);

        print_message("invalid UTF-8: %s\n", bad[i].what);
        expect_row_error(data, (size_t)n, 3, 2,
                         "column 'b': invalid UTF-8 at byte 3");
    }
    /* At the end of the record and of the file. */
    expect_row_error(LIT("a,b,c\n1,2,\xE2\x82"), 2, 3,
                     "column 'c': invalid UTF-8 at byte 1");
}

static void test_invalid_utf8_names_file_column(void **state)
{
    tf_csv *csv = open_csv(LIT("c,a,b\n1,2,3\n4,\xFF,\"6\n6\"\n7,8,9\n"), abc,
                           NCOLS(abc));
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    expect_row(csv, 2, "2", "3", "1");
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    expect_diag(&d, 3, 2, "column 'a': invalid UTF-8 at byte 1");
    /* The record was read to its end (over two lines): the next one is
     * read as it stands. */
    assert_false(tf_csv_spent(csv));
    expect_row(csv, 5, "8", "9", "7");
    expect_end(csv);
    tf_csv_free(csv);
}

/* After a fault that leaves the parser out of step with the file, the
 * reader is spent and says so on every later call. */
static void test_spent_after_quote_error(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b,c\n1,x\"y,3\n4,5,6\n"), abc, NCOLS(abc));
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    assert_true(tf_csv_spent(csv));
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    assert_int_equal(has_row, 0);
    assert_string_equal(d.msg, "reading stopped at an earlier error");
    tf_csv_free(csv);
}

/* A record with too many or too few fields is refused, and the next one
 * is read. */
static void test_field_count_goes_on(void **state)
{
    tf_csv *csv =
        open_csv(LIT("a,b,c\n1,2\n3,4,5,6\n7,8,9\n"), abc, NCOLS(abc));
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    expect_diag(&d, 2, 3, "expected 3 fields, found 2");
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    expect_diag(&d, 3, 4, "expected 3 fields, found 4");
    expect_row(csv, 4, "7", "8", "9");
    expect_end(csv);
    tf_csv_free(csv);
}

/* Opens data with a separator (0: chosen from the header) and an
 * encoding, and reads the header. */
static tf_csv *open_with(const char *data, size_t len, char delim,
                         const char *encoding)
{
    tf_csv *csv = NULL;
    tf_diag d;

    tf_diag_clear(&d);
    write_file(data, len);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    tf_csv_set_delimiter(csv, delim);
    if (encoding)
        assert_int_equal(tf_csv_set_encoding(csv, encoding, &d), TF_OK);
    if (tf_csv_header(csv, abc, NCOLS(abc), &d) != TF_OK)
        fail_msg("header: %s", d.msg);
    return csv;
}

static void test_delimiter(void **state)
{
    tf_csv *csv;

    (void)state;
    csv = open_with(LIT("a;b;c\n1;\"2;x\";3,5\n"), ';', NULL);
    assert_int_equal(tf_csv_delimiter(csv), ';');
    assert_false(tf_csv_delimiter_detected(csv));
    expect_row(csv, 2, "1", "2;x", "3,5");
    expect_end(csv);
    tf_csv_free(csv);
    csv = open_with(LIT("a\tb\tc\n1\t2\t3\n"), '\t', NULL);
    expect_row(csv, 2, "1", "2", "3");
    tf_csv_free(csv);
}

static void test_delimiter_detected(void **state)
{
    tf_csv *csv;

    (void)state;
    /* Semicolons, after blank lines and a byte order mark. */
    csv = open_with(LIT("\xEF\xBB\xBF\r\na;b;c\r\n1,5;2;3\r\n"), 0, NULL);
    assert_int_equal(tf_csv_delimiter(csv), ';');
    assert_true(tf_csv_delimiter_detected(csv));
    expect_row(csv, 3, "1,5", "2", "3");
    tf_csv_free(csv);
    /* Tabs. */
    csv = open_with(LIT("a\tb\tc\n1\t2\t3\n"), 0, NULL);
    assert_int_equal(tf_csv_delimiter(csv), '\t');
    expect_row(csv, 2, "1", "2", "3");
    tf_csv_free(csv);
    /* Commas, and a quoted ';' in the header does not count. */
    csv = open_with(LIT("a,\"b\",c\n1;2,3,4\n"), 0, NULL);
    assert_int_equal(tf_csv_delimiter(csv), ',');
    assert_false(tf_csv_delimiter_detected(csv));
    expect_row(csv, 2, "1;2", "3", "4");
    tf_csv_free(csv);
}

/* A header read as one field that holds ';' or tabs says so. */
static void test_separator_hint(void **state)
{
    (void)state;
    expect_header_error(LIT("a;b;c\n1;2;3\n"), abc, NCOLS(abc), 1, 1,
                        "column 'a;b;c' is not one of: a, b, c (the header "
                        "row is one field holding ';': the fields seem to be "
                        "separated by ';')");
    expect_header_error(LIT("a\tb\tc\n"), abc, NCOLS(abc), 1, 1,
                        "column 'a\tb\tc' is not one of: a, b, c (the header "
                        "row is one field holding tabs: the fields seem to "
                        "be separated by tabs)");
    /* Several fields: an unknown column, no hint. */
    expect_header_error(LIT("a,b;x,c\n"), abc, NCOLS(abc), 1, 2,
                        "column 'b;x' is not one of: a, b, c");
}

static void test_windows_1252(void **state)
{
    tf_csv *csv;
    tf_diag d;
    int has_row;

    (void)state;
    /* é, €, œ and a quoted field over two lines, with CRLF. */
    csv = open_with(LIT("a;b;c\r\nGen\xE8ve;\x80 5;\"\x9C\r\nx\"\r\n"), 0,
                    "windows-1252");
    expect_row(csv, 2, "Gen\xC3\xA8ve", "\xE2\x82\xAC 5", "\xC5\x93\r\nx");
    expect_end(csv);
    tf_csv_free(csv);
    /* 0x81 has no character in Windows-1252: the field, and its place in
     * the file's own bytes (the fifth), are named; reading goes on. */
    csv = open_with(LIT("a,b,c\n1,\xE9\xE9\xE9\xE9\x81,3\n4,5,6\n"), ',',
                    "Windows-1252");
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    expect_diag(&d, 2, 2,
                "column 'b': byte 0x81 is not a windows-1252 character at "
                "byte 5");
    expect_row(csv, 3, "4", "5", "6");
    tf_csv_free(csv);
    /* ISO-8859-1 has a character for every byte. */
    csv = open_with(LIT("a,b,c\n\xE9,\x81,\xFF\n"), ',', "iso-8859-1");
    expect_row(csv, 2, "\xC3\xA9", "\xC2\x81", "\xC3\xBF");
    tf_csv_free(csv);
}

static void test_encoding_refusals(void **state)
{
    tf_csv *csv = NULL;
    tf_diag d;

    (void)state;
    write_file(LIT("\xEF\xBB\xBF"
                   "a,b,c\n1,2,3\n"));
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_int_equal(tf_csv_set_encoding(csv, "ebcdic", &d), TF_ERR_USAGE);
    assert_string_equal(d.msg, "unknown encoding 'ebcdic' (utf-8, "
                               "windows-1252 or iso-8859-1)");
    assert_int_equal(tf_csv_set_encoding(csv, "windows-1252", &d), TF_OK);
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_ERR_INPUT);
    expect_diag(&d, 1, 0,
                "the file begins with a UTF-8 byte order mark: it is UTF-8 "
                "text, not windows-1252");
    tf_csv_free(csv);
}

/* An importer puts a field into the books' form; the row then reads so. */
static void test_set_field(void **state)
{
    tf_csv *csv = open_csv(LIT("b,a\n1,2\n"), ab_opt_c, NCOLS(ab_opt_c));
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_set(csv, 0, "x", &d), TF_ERR_USAGE);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_OK);
    assert_int_equal(tf_csv_set(csv, 0, "2017-03-05", &d), TF_OK);
    assert_int_equal(tf_csv_set(csv, 1, "", &d), TF_OK);
    assert_string_equal(tf_csv_get(csv, 0), "2017-03-05");
    assert_string_equal(tf_csv_get(csv, 1), "");
    /* A column the file lacks cannot be set. */
    assert_int_equal(tf_csv_set(csv, 2, "y", &d), TF_ERR_USAGE);
    assert_null(tf_csv_get(csv, 2));
    tf_csv_free(csv);
}

static void test_nul_byte(void **state)
{
    (void)state;
    expect_row_error(LIT("a,b,c\n1,2\0x,3\n"), 2, 2,
                     "column 'b': NUL byte at byte 2");
    expect_row_error(LIT("a,b,c\n1,2,\"x\n\0\"\n"), 2, 3,
                     "column 'c': NUL byte at byte 3");
}

/* A file with header a,b,c and one row whose field b is n bytes of 'x',
 * quoted and broken into lines of 1000 bytes when multiline. */
static void write_long_field(size_t n, int multiline)
{
    FILE *fp = fopen(path, "wb");
    size_t i;

    assert_non_null(fp);
    fputs(multiline ? "a,b,c\n1,\"" : "a,b,c\n1,", fp);
    for (i = 0; i < n; i++)
        putc(multiline && i % 1000 == 999 ? '\n' : 'x', fp);
    fputs(multiline ? "\",3\n" : ",3\n", fp);
    assert_int_equal(fclose(fp), 0);
}

static void test_field_length(void **state)
{
    tf_csv *csv = NULL;
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    write_long_field(TF_CSV_FIELD_MAX, 0);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_OK);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_OK);
    assert_int_equal(has_row, 1);
    assert_int_equal(strlen(tf_csv_get(csv, 1)), TF_CSV_FIELD_MAX);
    tf_csv_free(csv);

    write_long_field(TF_CSV_FIELD_MAX + 1, 0);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_OK);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    expect_diag(&d, 2, 2, "column 'b': field is longer than 1048576 bytes");
    tf_csv_free(csv);

    /* A quoted field over many lines is cut off while it is still being
     * read, and the error names the record's first line. */
    write_long_field(3 * (size_t)TF_CSV_FIELD_MAX, 1);
    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_OK);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    expect_diag(&d, 2, 2, "column 'b': field is longer than 1048576 bytes");
    tf_csv_free(csv);
}

static void test_quote_errors(void **state)
{
    (void)state;
    expect_row_error(LIT("a,b,c\n1,x\"y,3\n"), 2, 2,
                     "quote inside an unquoted field (quote the whole field "
                     "and double the quote)");
    expect_row_error(LIT("a,b,c\n1,2,3\n\"x\"y,2,3\n"), 3, 1,
                     "text after the closing quote of a field (quotes "
                     "inside a quoted field must be doubled)");
    expect_row_error(LIT("a,b,c\n1,\"x\" ,3\n"), 2, 2,
                     "text after the closing quote of a field (quotes "
                     "inside a quoted field must be doubled)");
    /* Found on the third line of a record starting on line 2. */
    expect_row_error(LIT("a,b,c\n1,\"x\ny\nz\"q,3\n"), 4, 2,
                     "text after the closing quote of a field (quotes "
                     "inside a quoted field must be doubled)");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    expect_row_error(LIT("a,b,c\n1,2,3\n4,\"abc\ndef\n\n"), 3, 2,
                     "quoted field is not closed before the end of the file");
    expect_row_error(LIT("a,b,c\n\"abc"), 2, 1,
                     "quoted field is not closed before the end of the file");
    /* The field opens on line 3 of a record that starts on line 2. */
    expect_row_error(LIT("a,b,c\n1,\"x\ny\",\"z\nw"), 3, 3,
                     "quoted field is not closed before the end of the file");
}

static void test_bare_cr(void **state)
{
    (void)state;
    expect_row_error(LIT("a,b,c\n1,2,3\r4,5,6\n"), 2, 0,
                     "carriage return outside quotes in mid-line (the file "
                     "should use LF or CRLF line endings)");
}

static void test_csv_error(void **state)
{
    tf_csv *csv = open_csv(LIT("c,a,b\n\n3,1,2\n"), abc, NCOLS(abc));
    char buf[sizeof(path) + 600], want[sizeof(path) + 600];
    tf_diag d;
    tf_error rc;

    (void)state;
    tf_diag_clear(&d);
    expect_row(csv, 3, "1", "2", "3");
    rc = tf_csv_error(csv, 1, &d, "amount '%s' is not a number",
                      tf_csv_get(csv, 1));
    assert_int_equal(rc, TF_ERR_INPUT);
    expect_diag(&d, 3, 3, "column 'b': amount '2' is not a number");
    tf_diag_format(&d, buf, sizeof(buf));
    snprintf(want, sizeof(want),
             "%s:3:3: column 'b': amount '2' is not a number", path);
    assert_string_equal(buf, want);
    assert_int_equal(tf_csv_error(csv, 0, NULL, "x"), TF_ERR_INPUT);
    tf_csv_free(csv);
}

static void test_csv_error_absent_column(void **state)
{
    tf_csv *csv = open_csv(LIT("a,b\n1,2\n"), ab_opt_c, NCOLS(ab_opt_c));
    tf_diag d;

    (void)state;
    tf_diag_clear(&d);
    expect_row(csv, 2, "1", "2", NULL);
    tf_csv_error(csv, 2, &d, "needed when b is %s", "2");
    expect_diag(&d, 2, 0, "column 'c': needed when b is 2");
    tf_csv_free(csv);
}

static void test_open_missing(void **state)
{
    char missing[sizeof(path) + 16];
    tf_csv *csv = (tf_csv *)&csv;
    tf_diag d;

    (void)state;
    tf_diag_clear(&d);
    snprintf(missing, sizeof(missing), "%s/none.csv", tmpdir);
    /* A file named wrong is bad input (exit status 2), not a failure of
     * the system. */
    assert_int_equal(tf_csv_open(&csv, missing, &d), TF_ERR_INPUT);
    assert_null(csv);
    assert_string_equal(d.file, missing);
    assert_string_equal(
        d.msg, "could not open for reading: No such file or directory");
    tf_csv_free(NULL);
}

static void test_open_directory(void **state)
{
    tf_csv *csv = NULL;
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    assert_int_equal(tf_csv_open(&csv, tmpdir, &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_ERR_INPUT);
    assert_string_equal(d.msg, "is a directory, not a file");
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    tf_csv_free(csv);
}

/* A stream whose every read fails as a failing disk's does (EIO). */
static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
    (void)cookie;
    (void)buf;
    (void)size;
    errno = EIO;
    return -1;
}

static void test_read_error(void **state)
{
    cookie_io_functions_t io = {failing_read, NULL, NULL, NULL};
    FILE *fp = fopencookie(NULL, "r", io);
    tf_csv *csv = NULL;
    tf_diag d;

    (void)state;
    tf_diag_clear(&d);
    assert_non_null(fp);
    assert_int_equal(tf_csv_open_stream(&csv, fp, "failing.csv", &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_ERR_IO);
    assert_string_equal(d.msg, "read failed: Input/output error");
    tf_csv_free(csv);
}

static void test_open_stream(void **state)
{
    static const char data[] = "b,a\n2,1\n3,\"x\n";
    FILE *fp = fmemopen((void *)data, sizeof(data) - 1, "r");
    tf_csv *csv = NULL;
    tf_diag d;
    int has_row;

    (void)state;
    tf_diag_clear(&d);
    assert_non_null(fp);
    assert_int_equal(tf_csv_open_stream(&csv, fp, "built-in.csv", &d), TF_OK);
    assert_string_equal(tf_csv_path(csv), "built-in.csv");
    assert_int_equal(tf_csv_header(csv, ab_opt_c, NCOLS(ab_opt_c), &d), TF_OK);
    expect_row(csv, 2, "1", "2", NULL);
    assert_int_equal(tf_csv_next(csv, &has_row, &d), TF_ERR_INPUT);
    assert_string_equal(d.file, "built-in.csv");
    assert_int_equal(d.line, 3);
    assert_int_equal(d.col, 2);
    tf_csv_free(csv);

    csv = (tf_csv *)&csv;
    assert_int_equal(tf_csv_open_stream(&csv, NULL, "none.csv", &d), TF_ERR_IO);
    assert_null(csv);
}

/* Everything tf_csv_put writes for fields, one per line. */
static char *put_all(const char *const *fields, size_t n, int neutralise)
{
    char *out = NULL;
    size_t len = 0, i;
    FILE *fp = open_memstream(&out, &len);

    assert_non_null(fp);
    for (i = 0; i < n; i++) {
        tf_csv_put(fp, fields[i], neutralise);
        putc('|', fp);
    }
    assert_int_equal(fclose(fp), 0);
    return out;
}

static void test_put_quoting(void **state)
{
    static const char *const fields[] = {
        "plain",    "",     "a,b", "say \"hi\"", "two\nlines", "cr\r",
        "crlf\r\n", "=1+2", "-5",  "x y",        NULL,
    };
    char *out;

    (void)state;
    out = put_all(fields, NCOLS(fields), 0);
    assert_string_equal(out, "plain||\"a,b\"|\"say \"\"hi\"\"\"|"
                             "\"two\nlines\"|\"cr\r\"|\"crlf\r\n\"|"
                             "=1+2|-5|x y||");
    free(out);
}

static void test_put_neutralise(void **state)
{
    static const char *const fields[] = {
        "=1+2", "+x", "-5",    "@SUM(A1)", "\tx",   "\rx", "=a,b",
        "a=b",  "",   "plain", "=\"q\"",   "'text", NULL,
    };
    char *out;

    (void)state;
    out = put_all(fields, NCOLS(fields), 1);
    assert_string_equal(out, "'=1+2|'+x|'-5|'@SUM(A1)|'\tx|\"'\rx\"|"
                             "\"'=a,b\"|a=b||plain|\"'=\"\"q\"\"\"|'text||");
    free(out);
}

static void test_put_round_trip(void **state)
{
    static const char *const row[] = {
        "he said \"hi\", then left",
        "x\r\ny\nz",
        "",
    };
    tf_csv *csv = NULL;
    tf_diag d;
    FILE *fp;
    size_t i;

    (void)state;
    tf_diag_clear(&d);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("a,b,c\r\n", fp);
    for (i = 0; i < NCOLS(row); i++) {
        if (i)
            putc(',', fp);
        tf_csv_put(fp, row[i], 1);
    }
    fputs("\r\n", fp);
    assert_int_equal(fclose(fp), 0);

    assert_int_equal(tf_csv_open(&csv, path, &d), TF_OK);
    assert_int_equal(tf_csv_header(csv, abc, NCOLS(abc), &d), TF_OK);
    expect_row(csv, 2, row[0], row[1], row[2]);
    expect_end(csv);
    tf_csv_free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_any_order),
        cmocka_unit_test(test_optional_column_absent),
        cmocka_unit_test(test_optional_column_present),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_bom_only_at_start),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_blank_lines_before_header),
        cmocka_unit_test(test_last_line_without_newline),
        cmocka_unit_test(test_all_empty_fields),
        cmocka_unit_test(test_spaces_kept),
        cmocka_unit_test(test_valid_utf8),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_unknown_column),
        cmocka_unit_test(test_duplicate_column),
        cmocka_unit_test(test_missing_column),
        cmocka_unit_test(test_header_bad_field),
        cmocka_unit_test(test_field_count),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_invalid_utf8_names_file_column),
        cmocka_unit_test(test_spent_after_quote_error),
        cmocka_unit_test(test_field_count_goes_on),
        cmocka_unit_test(test_delimiter),
        cmocka_unit_test(test_delimiter_detected),
        cmocka_unit_test(test_separator_hint),
        cmocka_unit_test(test_windows_1252),
        cmocka_unit_test(test_encoding_refusals),
        cmocka_unit_test(test_set_field),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_field_length),
        cmocka_unit_test(test_quote_errors),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_bare_cr),
        cmocka_unit_test(test_csv_error),
        cmocka_unit_test(test_csv_error_absent_column),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_open_directory),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_open_stream),
        cmocka_unit_test(test_put_quoting),
        cmocka_unit_test(test_put_neutralise),
        cmocka_unit_test(test_put_round_trip),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
