/* SPDX-License-Identifier: MIT */
/*
 * CSV files on top of libcsv. The file is read through a buffer of its
 * own, a piece at a time, each piece ending at a line end or at the
 * buffer's size, so that the reader always knows which line a record
 * starts on (even when a quoted field runs over several lines) and never
 * holds more of a line than one piece: a line of a gigabyte is refused
 * at the field or record limit after reading that much, not after
 * reading the gigabyte. The fields of the record being read are copied
 * into one growable buffer owned by the tf_csv, so memory follows the
 * longest record the limits allow, not the file.
 */
#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <csv.h>

#include "tfund/csv.h"

/*
 * libcsv grows its field buffer by a fixed step, not geometrically: a
 * bigger step keeps a megabyte field from costing thousands of reallocs.
 */
#define CSV_BLK 4096

/* Once libcsv's buffer is this big, the field being parsed is certainly
 * longer than TF_CSV_FIELD_MAX, even before it ends. */
#define CSV_BUF_LIMIT ((size_t)TF_CSV_FIELD_MAX + 2 * CSV_BLK)

/* How much of a line is read, and given to libcsv, at a time. */
#define CSV_PIECE ((size_t)64 * 1024)

struct tf_csv {
    const char *path;
    FILE *fp;
    int own_fp;
    struct csv_parser parser;
    char *in; /* CSV_PIECE bytes read ahead from fp */
    size_t in_pos, in_len;
    int line_start;   /* the next piece starts a physical line */
    size_t rec_bytes; /* bytes of the current record read so far */
    long lineno;      /* physical lines read so far */
    long rec_line;    /* line on which the current record starts */
    long field_line;  /* line on which the field being parsed starts */
    int in_record;    /* libcsv has seen part of a record it has not ended */
    int row_done;     /* libcsv ended a record during this read */
    int eof;
    tf_error failed; /* set once a read fails; the stream is then unusable */
    tf_error fault;  /* a fault of the record being read that leaves the
                        parser in step: the record is read to its end and
                        refused, and reading may go on */

    /* How the file is written (tf_csv_set_delimiter, _encoding). */
    char delim;           /* the field separator */
    int delim_detect;     /* choose it from the header row */
    int delim_detected;   /* it was chosen so, and is not ',' */
    const char *encoding; /* NULL: UTF-8; else the name given */
    iconv_t cd;           /* from the encoding to UTF-8 */
    char *dec;            /* a piece of a line converted to UTF-8 */
    size_t deccap;

    /* The current record: fields back to back, each NUL-terminated. */
    char *buf;
    size_t buflen;
    size_t bufcap;
    size_t *off;
    size_t offcap;
    size_t nfields; /* fields seen, including extra ones not kept */
    int has_row;

    /* Set by tf_csv_header. */
    size_t header_keep; /* header fields kept while reading it (0: all) */
    int have_header;
    size_t nheader;
    const tf_csv_column *cols;
    size_t ncols;
    int *colpos;    /* per caller column: 1-based file position or 0 */
    size_t *caller; /* per file position - 1: index into cols */

    /* Where the libcsv callbacks report to during one read. */
    tf_diag *diag;
    tf_error rc;
};

/* RFC 4180 says spaces belong to the field; libcsv would trim them. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

/* Grows an array of elem-sized items to hold at least need of them. On
 * failure returns NULL and leaves the array as it was. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;
    void *q;

    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return NULL;
        n *= 2;
    }
    q = realloc(p, n * elem);
    if (q)
        *cap = n;
    return q;
}

/*
 * Returns the offset of the first byte that does not start a well-formed
 * UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF, no truncated sequence), or len when all of s is valid.
 */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        unsigned char lo = 0x80, hi = 0xBF;
        size_t n, k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; /* shorter forms are overlong */
            else if (c == 0xED)
                hi = 0x9F; /* U+D800..U+DFFF are surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* beyond U+10FFFF */
        } else {
            return i;
        }
        if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (k = 2; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n + 1;
    }
    return len;
}

/* A field-level error at the current record: named by its header column
 * once the header is known, by position alone while reading the header. */
static tf_error field_error(tf_csv *csv, size_t pos, const char *what,
                            size_t at)
{
    int colno = pos < INT_MAX ? (int)pos + 1 : INT_MAX;

    if (csv->have_header)
        return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->rec_line,
                          colno, "column '%s': %s at byte %zu",
                          csv->cols[csv->caller[pos]].name, what, at);
    return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->rec_line, colno,
                      "header field %d: %s at byte %zu", colno, what, at);
}

static tf_error too_long(tf_csv *csv, size_t pos)
{
    int colno = pos < INT_MAX ? (int)pos + 1 : INT_MAX;

    if (csv->have_header && pos < csv->nheader)
        return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->rec_line,
                          colno, "column '%s': field is longer than %d bytes",
                          csv->cols[csv->caller[pos]].name, TF_CSV_FIELD_MAX);
    return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->rec_line, colno,
                      "field %d is longer than %d bytes", colno,
                      TF_CSV_FIELD_MAX);
}

/* A field that is not text of the file's encoding. Read as UTF-8, the
 * position is the byte's; converted from a one-byte encoding, the byte
 * that has no character there was kept as it was, and its position in
 * the file's field is the number of characters before it. */
static tf_error bad_text(tf_csv *csv, size_t pos, const unsigned char *u,
                         size_t bad)
{
    char what[80];
    size_t at = 1;

    if (!csv->encoding)
        return field_error(csv, pos, "invalid UTF-8", bad + 1);
    for (size_t i = 0; i < bad; i++)
        at += (u[i] & 0xC0) != 0x80;
    snprintf(what, sizeof(what), "byte 0x%02X is not a %s character", u[bad],
             csv->encoding);
    return field_error(csv, pos, what, at);
}

/* libcsv's end-of-field callback. */
static void on_field(void *s, size_t len, void *data)
{
    tf_csv *csv = data;
    size_t pos = csv->nfields;
    const unsigned char *u = s;
    const unsigned char *nul;
    size_t bad;
    void *p;

    if (csv->rc != TF_OK)
        return;
    if (csv->row_done) {
        /* A CR outside quotes ended the record and more followed on the
         * same line; keeping those as records would put them on a line
         * number nobody could find. */
        csv->rc = tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->lineno, 0,
                             "carriage return outside quotes in mid-line "
                             "(the file should use LF or CRLF line endings)");
        return;
    }
    csv->nfields++;
    csv->field_line = csv->lineno;
    /* The record is refused already: its other fields are dropped. */
    if (csv->fault)
        return;
    /* Extra fields are only counted: the record is refused anyway, and
     * this keeps a line of a million commas from growing the arrays. */
    if (csv->have_header && pos >= csv->nheader)
        return;
    /* Past the columns the caller accepts, a header field can only be
     * unknown or repeated, which the first such one already shows. */
    if (!csv->have_header && csv->header_keep && pos >= csv->header_keep)
        return;

    if (len > TF_CSV_FIELD_MAX) {
        csv->rc = too_long(csv, pos);
        return;
    }
    nul = memchr(u, '\0', len);
    if (nul) {
        csv->fault = field_error(csv, pos, "NUL byte", (size_t)(nul - u) + 1);
        return;
    }
    bad = utf8_invalid_at(u, len);
    if (bad < len) {
        csv->fault = bad_text(csv, pos, u, bad);
        return;
    }

    p = grow(csv->off, &csv->offcap, pos + 1, sizeof(*csv->off));
    if (!p)
        goto nomem;
    csv->off = p;
    p = grow(csv->buf, &csv->bufcap, csv->buflen + len + 1, 1);
    if (!p)
        goto nomem;
    csv->buf = p;
    csv->off[pos] = csv->buflen;
    memcpy(csv->buf + csv->buflen, u, len);
    csv->buf[csv->buflen + len] = '\0';
    csv->buflen += len + 1;
    return;

nomem:
    csv->rc = tf_diag_at(csv->diag, TF_ERR_NOMEM, csv->path, csv->rec_line, 0,
                         "out of memory reading a record");
}

/* libcsv's end-of-record callback. */
static void on_row(int c, void *data)
{
    tf_csv *csv = data;

    (void)c;
    csv->row_done = 1;
    csv->in_record = 0;
}

/* Lines holding nothing but line-end bytes are skipped between records;
 * a lone CR is a blank line to anyone looking at the file. */
static int is_blank(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static int field_colno(const tf_csv *csv)
{
    return csv->nfields < INT_MAX ? (int)csv->nfields + 1 : INT_MAX;
}

/*
 * The separator of a file whose header row is in s: the one of ',', ';'
 * and TAB that appears most often outside quotes, ',' on a tie or when
 * none does. Column names hold none of them, so a header of several
 * columns has only its separator.
 */
static void choose_delimiter(tf_csv *csv, const char *s, size_t len)
{
    static const char cand[] = {',', ';', '\t'};
    size_t count[3] = {0, 0, 0}, best = 0;
    int quoted = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        for (size_t k = 0; !quoted && k < 3; k++)
            count[k] += s[i] == cand[k];
    }
    for (size_t k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    csv->delim = cand[best];
    csv->delim_detected = best != 0;
    csv_set_delim(&csv->parser, csv->delim);
}

/* Turns a libcsv failure status into a message; bad is the byte it
 * stopped at. */
static tf_error parse_error(tf_csv *csv, unsigned char bad)
{
    switch (csv_error(&csv->parser)) {
    case CSV_ENOMEM:
        return tf_diag_at(csv->diag, TF_ERR_NOMEM, csv->path, csv->lineno, 0,
                          "out of memory reading a field");
    case CSV_ETOOBIG:
        return too_long(csv, csv->nfields);
    default:
        break;
    }
    /* Strict libcsv stops only at a quote inside an unquoted field, or at
     * anything but a separator or line end after a closing quote. */
    if (bad == '"')
        return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->lineno,
                          field_colno(csv),
                          "quote inside an unquoted field (quote the whole "
                          "field and double the quote)");
    return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->lineno,
                      field_colno(csv),
                      "text after the closing quote of a field (quotes "
                      "inside a quoted field must be doubled)");
}

/* The file has no more: a read error, or the end of the file, which
 * ends a last line that has no newline. */
static tf_error end_of_file(tf_csv *csv, tf_diag *diag)
{
    if (ferror(csv->fp) || !feof(csv->fp)) {
        int e = errno ? errno : EIO;

        if (e == EISDIR)
            return tf_diag_at(diag, TF_ERR_INPUT, csv->path, 0, 0,
                              "is a directory, not a file");
        return tf_diag_at(diag, e == ENOMEM ? TF_ERR_NOMEM : TF_ERR_IO,
                          csv->path, 0, 0, "read failed: %s", strerror(e));
    }
    csv->eof = 1;
    /* Strict-fini makes an open quote an error instead of a silently
     * closed field. */
    if (csv_fini(&csv->parser, on_field, on_row, csv) != 0)
        return tf_diag_at(diag, TF_ERR_INPUT, csv->path, csv->field_line,
                          field_colno(csv),
                          "quoted field is not closed before the end "
                          "of the file");
    return csv->rc;
}

/* Converts a piece of a line from the file's one-byte encoding to UTF-8
 * (at most three bytes a character), pointing *p and *len at the result.
 * A byte the encoding leaves undefined is kept as it is: no byte from
 * 0x80 up starts a UTF-8 character, so the field's check finds it and
 * names its position (bad_text). */
static tf_error decode_piece(tf_csv *csv, const char **p, size_t *len)
{
    char *in = (char *)*p, *out;
    size_t inleft = *len, outleft;

    if (csv->deccap < 3 * CSV_PIECE) {
        char *d = realloc(csv->dec, 3 * CSV_PIECE);

        if (!d)
            return tf_diag_at(csv->diag, TF_ERR_NOMEM, csv->path, csv->lineno,
                              0, "out of memory reading a line");
        csv->dec = d;
        csv->deccap = 3 * CSV_PIECE;
    }
    out = csv->dec;
    outleft = csv->deccap;
    while (inleft > 0) {
        if (iconv(csv->cd, &in, &inleft, &out, &outleft) != (size_t)-1)
            break;
        if (errno != EILSEQ && errno != EINVAL)
            return tf_diag_at(csv->diag, TF_ERR_IO, csv->path, csv->lineno, 0,
                              "cannot convert from %s: %s", csv->encoding,
                              strerror(errno));
        *out++ = *in++;
        outleft--;
        inleft--;
    }
    *p = csv->dec;
    *len = (size_t)(out - csv->dec);
    return TF_OK;
}

/* The first line: a UTF-8 byte order mark is skipped, and refused in a
 * file said to be in another encoding, which it contradicts. */
static tf_error first_line(tf_csv *csv, const char **s, size_t *len,
                           tf_diag *diag)
{
    if (*len >= 3 && memcmp(*s, "\xEF\xBB\xBF", 3) == 0) {
        if (csv->encoding)
            return tf_diag_at(diag, TF_ERR_INPUT, csv->path, 1, 0,
                              "the file begins with a UTF-8 byte order mark: "
                              "it is UTF-8 text, not %s",
                              csv->encoding);
        *s += 3;
        *len -= 3;
    }
    return TF_OK;
}

/* Feeds one piece of a line to libcsv. A field can run over many lines
 * before libcsv hands it over, or fill one long line: it is stopped once
 * it is too long, rather than let libcsv buffer all of it, and so is a
 * record of many fields once it passes TF_CSV_RECORD_MAX. A file in a
 * one-byte encoding is converted to UTF-8 piece by piece. */
static tf_error feed_piece(tf_csv *csv, const char *s, size_t len)
{
    const char *p = s;
    size_t plen = len, done;
    tf_error rc;

    if (csv->encoding && (rc = decode_piece(csv, &p, &plen)))
        return rc;
    done = csv_parse(&csv->parser, p, plen, on_field, on_row, csv);
    if (csv->rc != TF_OK)
        return csv->rc;
    if (done < plen)
        return parse_error(csv, (unsigned char)p[done]);
    if (!csv->row_done && csv_get_buffer_size(&csv->parser) > CSV_BUF_LIMIT)
        return too_long(csv, csv->nfields);
    csv->rec_bytes += len;
    if (!csv->row_done && csv->rec_bytes > TF_CSV_RECORD_MAX)
        return tf_diag_at(csv->diag, TF_ERR_INPUT, csv->path, csv->rec_line, 0,
                          "record is longer than %d bytes (%zu fields so far)",
                          TF_CSV_RECORD_MAX, csv->nfields);
    return TF_OK;
}

/*
 * The next piece of the file: the bytes up to and including the next
 * line end, or as many as the buffer holds (CSV_PIECE), whichever comes
 * first; *eol tells whether it ends its line. *len is 0 at the end of
 * the file or on a read error (end_of_file tells which). The piece stays
 * valid until the next call.
 */
static const char *next_piece(tf_csv *csv, size_t *len, int *eol)
{
    const char *s, *nl;

    if (csv->in_pos == csv->in_len) {
        /* fread returns less than asked only at the end or on an error. */
        csv->in_len = fread(csv->in, 1, CSV_PIECE, csv->fp);
        csv->in_pos = 0;
        if (csv->in_len == 0) {
            *len = 0;
            *eol = 1;
            return NULL;
        }
    }
    s = csv->in + csv->in_pos;
    nl = memchr(s, '\n', csv->in_len - csv->in_pos);
    *len = nl ? (size_t)(nl - s) + 1 : csv->in_len - csv->in_pos;
    /* A piece that fills the buffer's end without a line end ends its
     * line only if the file ends there too (known at the next read). */
    *eol = nl != NULL;
    csv->in_pos += *len;
    return s;
}

/*
 * Reads pieces of physical lines until libcsv ends a record or the file
 * ends; *got is 1 when a record is in buf/off. Checks each field (length,
 * NUL, UTF-8) as it arrives, not the field count.
 */
static tf_error read_record(tf_csv *csv, int *got, tf_diag *diag)
{
    tf_error rc = TF_OK;

    *got = 0;
    csv->has_row = 0;
    csv->nfields = 0;
    csv->buflen = 0;
    csv->row_done = 0;
    csv->rec_bytes = 0;
    csv->rc = TF_OK;
    csv->fault = TF_OK;
    csv->diag = diag;

    while (!rc && !csv->row_done && !csv->eof) {
        const char *s;
        size_t len;
        int eol, first;

        errno = 0;
        s = next_piece(csv, &len, &eol);
        if (!len) {
            rc = end_of_file(csv, diag);
            break;
        }
        first = csv->line_start;
        if (first)
            csv->lineno++;
        csv->line_start = eol;
        if (first && csv->lineno == 1 && (rc = first_line(csv, &s, &len, diag)))
            break;
        if (!csv->in_record) {
            /* Line ends between records are skipped, however long the
             * run of them on one line. */
            if (is_blank(s, len))
                continue;
            if (csv->delim_detect && !csv->have_header)
                choose_delimiter(csv, s, len);
            csv->in_record = 1;
            csv->rec_line = csv->lineno;
            csv->field_line = csv->lineno;
        }
        rc = feed_piece(csv, s, len);
    }
    csv->diag = NULL;
    if (rc != TF_OK) {
        csv->failed = rc;
        return rc;
    }
    if (csv->fault && csv->row_done)
        return csv->fault;
    if (csv->fault) {
        /* The file ended inside the refused record. */
        csv->failed = csv->fault;
        return csv->fault;
    }
    *got = csv->row_done;
    return TF_OK;
}

/* After a failure the parser and the line count are out of step with the
 * file, so every later read repeats the failure. */
static tf_error refuse_after_failure(const tf_csv *csv, tf_diag *diag)
{
    return tf_diag_at(diag, csv->failed, csv->path, 0, 0,
                      "reading stopped at an earlier error");
}

/* A reader with no stream yet; NULL when out of memory. */
static tf_csv *csv_new(const char *path)
{
    tf_csv *csv = calloc(1, sizeof(*csv));

    if (!csv)
        return NULL;
    csv->in = malloc(CSV_PIECE);
    if (!csv->in) {
        free(csv);
        return NULL;
    }
    csv->line_start = 1;
    csv->path = path;
    csv->delim = ',';
    csv->cd = (iconv_t)-1;
    /* Cannot fail on a non-NULL parser: the buffer comes on first use. */
    csv_init(&csv->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    csv_set_space_func(&csv->parser, no_space);
    csv_set_blk_size(&csv->parser, CSV_BLK);
    return csv;
}

tf_error tf_csv_open(tf_csv **out, const char *path, tf_diag *diag)
{
    tf_csv *csv;

    *out = NULL;
    csv = csv_new(path);
    if (!csv)
        return tf_diag_at(diag, TF_ERR_NOMEM, path, 0, 0, "out of memory");
    if (strcmp(path, "-") == 0) {
        csv->fp = stdin;
    } else {
        csv->fp = fopen(path, "rb");
        if (!csv->fp) {
            /* A file that is not there or not readable was named wrong:
             * bad input, not a failure of the system. */
            int e = errno;
            tf_error rc = tf_diag_at(
                diag,
                e == ENOENT || e == ENOTDIR || e == EACCES || e == ENAMETOOLONG
                    ? TF_ERR_INPUT
                    : TF_ERR_IO,
                path, 0, 0, "could not open for reading: %s", strerror(e));

            tf_csv_free(csv);
            return rc;
        }
        csv->own_fp = 1;
    }
    *out = csv;
    return TF_OK;
}

tf_error tf_csv_open_stream(tf_csv **out, FILE *fp, const char *name,
                            tf_diag *diag)
{
    tf_csv *csv;

    *out = NULL;
    if (!fp)
        return tf_diag_at(diag, TF_ERR_IO, name, 0, 0,
                          "could not open for reading");
    csv = csv_new(name);
    if (!csv) {
        fclose(fp);
        return tf_diag_at(diag, TF_ERR_NOMEM, name, 0, 0, "out of memory");
    }
    csv->fp = fp;
    csv->own_fp = 1;
    *out = csv;
    return TF_OK;
}

/* "a, b, c" for the message about an unknown column; cut short, not
 * overflowed, when the list is long. */
static void list_columns(char *buf, size_t size, const tf_csv_column *cols,
                         size_t ncols)
{
    size_t used = 0, i;

    buf[0] = '\0';
    for (i = 0; i < ncols && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         cols[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* When the header row is read as one field holding another separator,
 * the file was most likely written with that one. */
static const char *separator_hint(const tf_csv *csv, const char *name)
{
    if (csv->nfields != 1)
        return "";
    if (csv->delim != ';' && strchr(name, ';'))
        return " (the header row is one field holding ';': the fields seem "
               "to be separated by ';')";
    if (csv->delim != '\t' && strchr(name, '\t'))
        return " (the header row is one field holding tabs: the fields seem "
               "to be separated by tabs)";
    return "";
}

tf_error tf_csv_header(tf_csv *csv, const tf_csv_column *cols, size_t ncols,
                       tf_diag *diag)
{
    int *colpos = NULL;
    size_t *caller = NULL;
    char names[400];
    tf_error rc;
    size_t i, j;
    int got;

    if (csv->failed)
        return refuse_after_failure(csv, diag);
    if (csv->have_header)
        return tf_diag_at(diag, TF_ERR_USAGE, csv->path, 0, 0,
                          "the header was already read");

    csv->header_keep = ncols + 1;
    rc = read_record(csv, &got, diag);
    if (rc != TF_OK)
        return rc;
    if (!got) {
        rc = tf_diag_at(diag, TF_ERR_INPUT, csv->path, 1, 0,
                        "empty file: expected a header row");
        goto fail;
    }

    colpos = calloc(ncols ? ncols : 1, sizeof(*colpos));
    caller = calloc(csv->nfields < csv->header_keep ? csv->nfields
                                                    : csv->header_keep,
                    sizeof(*caller));
    if (!colpos || !caller) {
        rc = tf_diag_at(diag, TF_ERR_NOMEM, csv->path, 0, 0, "out of memory");
        goto fail;
    }
    for (i = 0; i < csv->nfields && i < csv->header_keep; i++) {
        const char *name = csv->buf + csv->off[i];
        int colno = i < INT_MAX ? (int)i + 1 : INT_MAX;

        for (j = 0; j < ncols; j++)
            if (strcmp(cols[j].name, name) == 0)
                break;
        if (j == ncols) {
            list_columns(names, sizeof(names), cols, ncols);
            rc = tf_diag_at(diag, TF_ERR_INPUT, csv->path, csv->rec_line, colno,
                            "column '%s' is not one of: %s%s", name, names,
                            separator_hint(csv, name));
            goto fail;
        }
        if (colpos[j]) {
            rc = tf_diag_at(diag, TF_ERR_INPUT, csv->path, csv->rec_line, colno,
                            "column '%s' appears twice (also column %d)", name,
                            colpos[j]);
            goto fail;
        }
        colpos[j] = colno;
        caller[i] = j;
    }
    for (j = 0; j < ncols; j++) {
        if (cols[j].required && !colpos[j]) {
            rc = tf_diag_at(diag, TF_ERR_INPUT, csv->path, csv->rec_line, 0,
                            "missing column '%s'", cols[j].name);
            goto fail;
        }
    }

    csv->cols = cols;
    csv->ncols = ncols;
    csv->colpos = colpos;
    csv->caller = caller;
    csv->nheader = csv->nfields;
    csv->have_header = 1;
    return TF_OK;

fail:
    free(colpos);
    free(caller);
    csv->failed = rc;
    return rc;
}

tf_error tf_csv_next(tf_csv *csv, int *has_row, tf_diag *diag)
{
    tf_error rc;
    int got;

    *has_row = 0;
    if (csv->failed)
        return refuse_after_failure(csv, diag);
    if (!csv->have_header)
        return tf_diag_at(diag, TF_ERR_USAGE, csv->path, 0, 0,
                          "rows read before the header");

    rc = read_record(csv, &got, diag);
    if (rc != TF_OK || !got)
        return rc;
    if (csv->nfields != csv->nheader) {
        /* Point at the first field too many, or the first one missing. */
        size_t first =
            csv->nfields > csv->nheader ? csv->nheader : csv->nfields;

        rc = tf_diag_at(diag, TF_ERR_INPUT, csv->path, csv->rec_line,
                        first < INT_MAX ? (int)first + 1 : INT_MAX,
                        "expected %zu field%s, found %zu", csv->nheader,
                        csv->nheader == 1 ? "" : "s", csv->nfields);
        /* The record was read to its end: the next one can be read. */
        return rc;
    }
    csv->has_row = 1;
    *has_row = 1;
    return TF_OK;
}

/* ---- How the file is written ---------------------------------------- */

void tf_csv_set_delimiter(tf_csv *csv, char delim)
{
    csv->delim_detect = delim == 0;
    csv->delim_detected = 0;
    csv->delim = delim ? delim : ',';
    csv_set_delim(&csv->parser, csv->delim);
}

char tf_csv_delimiter(const tf_csv *csv)
{
    return csv->delim;
}

int tf_csv_delimiter_detected(const tf_csv *csv)
{
    return csv->delim_detected;
}

tf_error tf_csv_set_encoding(tf_csv *csv, const char *name, tf_diag *diag)
{
    static const struct {
        const char *name, *iconv;
    } known[] = {{"utf-8", NULL},
                 {"windows-1252", "WINDOWS-1252"},
                 {"iso-8859-1", "ISO-8859-1"}};
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!strcasecmp(name, known[i].name))
            break;
    if (i == sizeof(known) / sizeof(known[0]))
        return tf_diag_set(diag, TF_ERR_USAGE,
                           "unknown encoding '%s' (utf-8, windows-1252 or "
                           "iso-8859-1)",
                           name);
    if (csv->cd != (iconv_t)-1)
        iconv_close(csv->cd);
    csv->cd = (iconv_t)-1;
    csv->encoding = NULL;
    if (!known[i].iconv)
        return TF_OK;
    csv->cd = iconv_open("UTF-8", known[i].iconv);
    if (csv->cd == (iconv_t)-1)
        return tf_diag_set(diag, TF_ERR_IO,
                           "cannot read %s text on this system: %s",
                           known[i].name, strerror(errno));
    csv->encoding = known[i].name;
    return TF_OK;
}

int tf_csv_spent(const tf_csv *csv)
{
    return csv->failed != TF_OK;
}

tf_error tf_csv_set(tf_csv *csv, size_t col, const char *value, tf_diag *diag)
{
    size_t len = strlen(value);
    int pos;
    void *p;

    if (!csv->has_row || col >= csv->ncols || !(pos = csv->colpos[col]))
        return tf_diag_set(diag, TF_ERR_USAGE, "no such field to set");
    p = grow(csv->buf, &csv->bufcap, csv->buflen + len + 1, 1);
    if (!p)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    csv->buf = p;
    memcpy(csv->buf + csv->buflen, value, len + 1);
    csv->off[pos - 1] = csv->buflen;
    csv->buflen += len + 1;
    return TF_OK;
}

const char *tf_csv_get(const tf_csv *csv, size_t col)
{
    int pos;

    if (!csv->has_row || col >= csv->ncols)
        return NULL;
    pos = csv->colpos[col];
    if (!pos)
        return NULL;
    return csv->buf + csv->off[pos - 1];
}

int tf_csv_colno(const tf_csv *csv, size_t col)
{
    if (col >= csv->ncols)
        return 0;
    return csv->colpos[col];
}

long tf_csv_line(const tf_csv *csv)
{
    return csv->rec_line;
}

const char *tf_csv_path(const tf_csv *csv)
{
    return csv->path;
}

tf_error tf_csv_error(const tf_csv *csv, size_t col, tf_diag *diag,
                      const char *fmt, ...)
{
    char msg[sizeof(diag->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tf_diag_at(diag, TF_ERR_INPUT, csv->path, csv->rec_line,
                      tf_csv_colno(csv, col), "column '%s': %s",
                      col < csv->ncols ? csv->cols[col].name : "?", msg);
}

void tf_csv_free(tf_csv *csv)
{
    if (!csv)
        return;
    csv_free(&csv->parser);
    if (csv->own_fp)
        fclose(csv->fp);
    free(csv->in);
    if (csv->cd != (iconv_t)-1)
        iconv_close(csv->cd);
    free(csv->dec);
    free(csv->buf);
    free(csv->off);
    free(csv->colpos);
    free(csv->caller);
    free(csv);
}

void tf_csv_put(FILE *fp, const char *field, int neutralise)
{
    const char *p;
    int quote;

    if (!field)
        field = "";
    quote = strpbrk(field, ",\"\r\n") != NULL;
    if (quote)
        putc('"', fp);
    /* A spreadsheet would run a field starting with one of these as a
     * formula; the apostrophe makes it show as text. */
    if (neutralise && field[0] && strchr("=+-@\t\r", field[0]))
        putc('\'', fp);
    for (p = field; *p; p++) {
        if (*p == '"')
            putc('"', fp);
        putc(*p, fp);
    }
    if (quote)
        putc('"', fp);
}
