/* SPDX-License-Identifier: MIT */
/*
 * The workbook layer of the reports: formats, cells, tables, covers, and
 * writing the file through a temporary name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"

static void note_err(xl_book *b, lxw_error e)
{
    if (e && !b->lxw_err)
        b->lxw_err = e;
}

char *xl_strdup(const char *text)
{
    size_t n = strlen(text ? text : "") + 1;
    char *p = malloc(n);

    if (p)
        memcpy(p, text ? text : "", n);
    return p;
}

/* The time shown as "generated at": now, or $SOURCE_DATE_EPOCH so that
 * a build of the same books can give the same bytes. */
static void generated_at(char *buf)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long t;

    if (sde && *sde) {
        errno = 0;
        t = strtoll(sde, &end, 10);
        if (!errno && !*end && t >= 0) {
            time_t tt = (time_t)t;
            struct tm tm;
            if (gmtime_r(&tt, &tm) &&
                strftime(buf, TF_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm))
                return;
        }
    }
    tf_time_now(buf);
}

static lxw_format *fmt_new(xl_book *b, const char *num, int bold)
{
    lxw_format *f = workbook_add_format(b->wb);

    format_set_font_name(f, "Calibri");
    format_set_font_size(f, 11);
    /* A row made tall by a wrapped name keeps its figures on its first
     * line. */
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    if (num)
        format_set_num_format(f, num);
    if (bold)
        format_set_bold(f);
    return f;
}

/* "#,##0.00 "USD"": grouped, the currency's minor digits, its code. */
static void money_pattern(char *buf, size_t size, const char *code, int minor)
{
    char zeros[24] = "";

    if (minor > 0 && minor < (int)sizeof(zeros) - 1) {
        zeros[0] = '.';
        memset(zeros + 1, '0', (size_t)minor);
        zeros[minor + 1] = '\0';
    }
    snprintf(buf, size, "#,##0%s \"%s\"", zeros, code);
}

tf_error xl_open(xl_book *b, tf_fund *fund, const char *path, const char *as_of,
                 int constant_memory, tf_diag *diag)
{
    lxw_workbook_options opt = {0};
    char pattern[64];
    tf_error err;

    memset(b, 0, sizeof(*b));
    b->fund = fund;
    b->base = tf_fund_base(fund);
    if (as_of) {
        if (tf_date_check(as_of, diag))
            return TF_ERR_INPUT;
        snprintf(b->as_of, sizeof(b->as_of), "%s", as_of);
    } else
        tf_date_today(b->as_of);
    generated_at(b->generated);
    if (tf_setting_get(fund, "fund_name", b->fund_name, sizeof(b->fund_name),
                       NULL) ||
        !b->fund_name[0])
        snprintf(b->fund_name, sizeof(b->fund_name), "Voluntary trust fund");

    b->path = xl_strdup(path);
    if (!b->path) {
        xl_abandon(b);
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    /* Written to a temporary file beside the target, then renamed over it
     * (an existing workbook is replaced; a device, a FIFO, a link or a
     * folder is refused). */
    if ((err = tf_outfile_begin(&b->out, path, 1, 0666, diag))) {
        xl_abandon(b);
        return err;
    }
    opt.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
    opt.use_zip64 = LXW_TRUE;
    b->wb = workbook_new_opt(tf_outfile_tmp(b->out), &opt);
    if (!b->wb) {
        xl_abandon(b);
        return tf_diag_set(diag, TF_ERR_IO, "cannot start workbook '%s'", path);
    }

    money_pattern(pattern, sizeof(pattern), b->base->code, b->base->minor);
    b->title = fmt_new(b, NULL, 1);
    format_set_font_size(b->title, 18);
    format_set_font_color(b->title, 0x1F3864);
    b->subtitle = fmt_new(b, NULL, 0);
    format_set_font_size(b->subtitle, 13);
    format_set_font_color(b->subtitle, 0x1F3864);
    b->label = fmt_new(b, NULL, 0);
    format_set_font_color(b->label, 0x404040);
    b->strong = fmt_new(b, NULL, 1);
    b->note = fmt_new(b, NULL, 0);
    format_set_italic(b->note);
    format_set_indent(b->note, 1);
    format_set_font_color(b->note, 0x595959);
    b->head = fmt_new(b, NULL, 1);
    format_set_bg_color(b->head, 0xD9E1F2);
    format_set_bottom(b->head, LXW_BORDER_THIN);
    b->head_num = fmt_new(b, NULL, 1);
    format_set_bg_color(b->head_num, 0xD9E1F2);
    format_set_bottom(b->head_num, LXW_BORDER_THIN);
    format_set_align(b->head_num, LXW_ALIGN_RIGHT);
    b->total = fmt_new(b, NULL, 1);
    format_set_top(b->total, LXW_BORDER_THIN);
    b->money = fmt_new(b, pattern, 0);
    b->money_total = fmt_new(b, pattern, 1);
    format_set_top(b->money_total, LXW_BORDER_THIN);
    b->money_strong = fmt_new(b, pattern, 1);
    b->integer = fmt_new(b, "#,##0", 0);
    b->int_total = fmt_new(b, "#,##0", 1);
    format_set_top(b->int_total, LXW_BORDER_THIN);
    b->date = fmt_new(b, "d mmm yyyy", 0);
    format_set_align(b->date, LXW_ALIGN_LEFT);
    b->datetime = fmt_new(b, "d mmm yyyy hh:mm", 0);
    format_set_align(b->datetime, LXW_ALIGN_LEFT);
    b->text = fmt_new(b, NULL, 0);
    b->wrap = fmt_new(b, NULL, 0);
    format_set_text_wrap(b->wrap);
    b->percent = fmt_new(b, "0.00%", 0);
    return TF_OK;
}

void xl_properties(xl_book *b, const char *title, const char *subject)
{
    lxw_doc_properties props;
    struct tm tm;

    memset(&props, 0, sizeof(props));
    memset(&tm, 0, sizeof(tm));
    sscanf(b->as_of, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    props.title = (char *)title;
    props.subject = (char *)subject;
    props.author = b->fund_name;
    props.company = b->fund_name;
    props.created = timegm(&tm);
    note_err(b, workbook_set_properties(b->wb, &props));
}

void xl_period(xl_book *b, const char *from)
{
    snprintf(b->from, sizeof(b->from), "%s", from ? from : "");
    b->period = 1;
}

const char *xl_date_words(char *buf, const char *date)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int y = 0, m = 0, d = 0;

    if (!date || sscanf(date, "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12)
        snprintf(buf, 32, "%s", date ? date : "");
    else
        snprintf(buf, 32, "%d %s %d", d, months[m - 1], y);
    return buf;
}

const char *xl_period_words(const xl_book *b, char *buf)
{
    char a[32], z[32];

    if (b->from[0])
        snprintf(buf, 80, "%s to %s", xl_date_words(a, b->from),
                 xl_date_words(z, b->as_of));
    else
        snprintf(buf, 80, "from the start of the fund to %s",
                 xl_date_words(z, b->as_of));
    return buf;
}

/* Appends text to buf (of size) with Excel's header codes escaped ("&"
 * doubled), cut at max bytes (on a character boundary, with "..."). */
static void header_text(char *buf, size_t size, const char *text, size_t max)
{
    size_t n = strlen(buf), used = 0;

    for (const char *p = text; *p && n + 4 < size; p++) {
        size_t len = 1;
        while ((p[len] & 0xC0) == 0x80)
            len++;
        if (used + len + (*p == '&') > max) {
            if (n + 3 < size)
                memcpy(buf + n, "...", 3), n += 3;
            break;
        }
        if (*p == '&')
            buf[n++] = '&';
        memcpy(buf + n, p, len);
        n += len;
        used += len + (*p == '&');
        p += len - 1;
    }
    buf[n] = '\0';
}

/* "1 Jul 2017": a date in short words for the page headers. */
static const char *date_short(char *buf, const char *date)
{
    char words[32];

    xl_date_words(words, date);
    /* "1 July 2017" -> "1 Jul 2017" */
    {
        char *sp = strchr(words, ' '), *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
        if (sp && sp2 && sp2 - sp > 4)
            memmove(sp + 4, sp2, strlen(sp2) + 1);
    }
    snprintf(buf, 32, "%s", words);
    return buf;
}

void xl_page_labels(xl_book *b, const char *what)
{
    char right[120], a[32], z[32];

    if (b->from[0])
        snprintf(right, sizeof(right), "%s to %s", date_short(a, b->from),
                 date_short(z, b->as_of));
    else if (b->period)
        snprintf(right, sizeof(right), "from the start to %s",
                 date_short(z, b->as_of));
    else
        snprintf(right, sizeof(right), "books as of %s",
                 date_short(z, b->as_of));
    /* The fund on the left; on the right, in two lines, what the report
     * is and for whom, and its period. Smaller type, so that a long
     * fund name keeps to its line. */
    snprintf(b->header, sizeof(b->header), "&L&8");
    header_text(b->header, sizeof(b->header), b->fund_name, 80);
    snprintf(b->header + strlen(b->header),
             sizeof(b->header) - strlen(b->header), "&R&8&B");
    header_text(b->header, sizeof(b->header), what, 70);
    snprintf(b->header + strlen(b->header),
             sizeof(b->header) - strlen(b->header), "&B\n");
    header_text(b->header, sizeof(b->header), right, 60);
    snprintf(b->footer, sizeof(b->footer), "&L&8&A&R&8Page &P of &N");
}

/* ---- The accounts and the words of the reports ------------------------ */

xl_line xl_account_line(const char *account, const char **key)
{
    /* The chart's accounts the reports show on lines of their own. */
    static const xl_line lines[TF_ACCOUNT_COUNT] = {
        [TF_ACCT_CASH] = XL_CASH,
        [TF_ACCT_RECEIVABLE] = XL_RECEIVABLE,
        [TF_ACCT_PSC_PAYABLE] = XL_PSC_PAYABLE,
        [TF_ACCT_REFUNDS_PAYABLE] = XL_REFUNDS_PAYABLE,
        [TF_ACCT_CONTRIBUTIONS] = XL_CONTRIBUTION,
        [TF_ACCT_FX_GAIN] = XL_FX_GAIN,
        [TF_ACCT_INTEREST] = XL_INTEREST,
        [TF_ACCT_FX_LOSS] = XL_FX_LOSS,
        [TF_ACCT_TRAVEL] = XL_TRAVEL,
        [TF_ACCT_PSC] = XL_PSC,
        [TF_ACCT_PREP] = XL_PREP,
        [TF_ACCT_REFUNDS] = XL_REFUNDS,
        [TF_ACCT_TRANSFERS_IN] = XL_TRANSFER,
        [TF_ACCT_TRANSFERS_OUT] = XL_TRANSFER,
        [TF_ACCT_ENCUMBRANCES] = XL_BUDGET,
        [TF_ACCT_RESERVED] = XL_NONE,
    };
    /* Any other account of a category: its "other" line. */
    static const xl_line others[TF_CATEGORY_COUNT] = {
        [TF_CAT_ASSETS] = XL_OTHER_ASSET,
        [TF_CAT_LIABILITIES] = XL_OTHER_LIABILITY,
        [TF_CAT_REVENUE] = XL_OTHER_REVENUE,
        [TF_CAT_EXPENSE] = XL_OTHER_EXPENSE,
        [TF_CAT_TRANSFERS] = XL_TRANSFER,
        [TF_CAT_BUDGET] = XL_NONE,
    };
    int a = tf_account_find(account, key), c;

    if (a >= 0)
        return lines[a];
    c = tf_category_of(account);
    return c >= 0 ? others[c] : XL_NONE;
}

void xl_rate_words(char *buf, size_t size, const char *rate)
{
    int64_t bp = 0;

    /* The rate as hundredths of a percent, exactly. */
    if (tf_money_mul_decimal(&bp, 10000, rate, TF_ROUND_HALF_EVEN))
        snprintf(buf, size, "%s", rate);
    else if (bp % 100)
        snprintf(buf, size, "%lld.%02lld%%", (long long)(bp / 100),
                 (long long)(bp % 100));
    else
        snprintf(buf, size, "%lld%%", (long long)(bp / 100));
}

const char *xl_pool_name(int pool)
{
    return pool >= 0 && pool < TF_POOL_COUNT ? tf_pool_label((tf_pool)pool)
                                             : "";
}

const char *xl_tier_name(int tier)
{
    return tf_tier_label(tier);
}

const char *xl_use_name(const char *category)
{
    int o = tf_outflow_find(category);

    if (o >= 0)
        return tf_outflow_label((tf_outflow)o);
    return category && !strcmp(category, TF_STATEMENT_OTHER)
               ? "Other outflows"
               : (category ? category : "");
}

const char *xl_status_name(const char *status)
{
    int st = tf_status_find(status);

    return st >= 0 ? tf_status_label((tf_status)st) : (status ? status : "");
}

const char *xl_reason_name(const char *reason)
{
    int r = tf_reason_find(reason);

    return r >= 0 ? tf_reason_label((tf_reason)r) : (reason ? reason : "");
}

void xl_abandon(xl_book *b)
{
    if (b->wb) {
        /* libxlsxwriter frees a workbook only by writing it: write the
         * temporary file and drop it. */
        workbook_close(b->wb);
        b->wb = NULL;
    }
    tf_outfile_abandon(b->out);
    free(b->path);
    b->out = NULL;
    b->path = NULL;
}

tf_error xl_close(xl_book *b, tf_diag *diag)
{
    lxw_error e;
    tf_error err = TF_OK;

    if (b->lxw_err) {
        err = tf_diag_set(diag, TF_ERR_IO, "cannot write '%s': %s", b->path,
                          lxw_strerror(b->lxw_err));
        xl_abandon(b);
        return err;
    }
    e = workbook_close(b->wb);
    b->wb = NULL;
    if (e)
        err = tf_diag_set(diag, TF_ERR_IO, "cannot write '%s': %s", b->path,
                          lxw_strerror(e));
    else {
        err = tf_outfile_commit(b->out, diag);
        b->out = NULL; /* committed or removed either way */
    }
    xl_abandon(b);
    return err;
}

void xl_sheet_add(xl_book *b, xl_sheet *s, const char *name)
{
    size_t n = 0;

    memset(s, 0, sizeof(*s));
    s->book = b;
    s->hrow = -1;
    for (const char *p = name; *p && n < 31; p++)
        s->name[n++] = strchr("[]:*?/\\", *p) ? '-' : *p;
    s->name[n] = '\0';
    s->ws = workbook_add_worksheet(b->wb, s->name);
    if (!s->ws) {
        note_err(b, LXW_ERROR_SHEETNAME_ALREADY_USED);
        return;
    }
    /* Tables print across the page, landscape, scaled to the page's
     * width (never to one page: a long table runs on to more pages,
     * its header row repeated on each). */
    worksheet_set_paper(s->ws, 9); /* A4 */
    worksheet_set_landscape(s->ws);
    worksheet_fit_to_pages(s->ws, 1, 0);
    worksheet_set_margins(s->ws, 0.5, 0.5, 0.75, 0.75);
    if (b->header[0])
        note_err(b, worksheet_set_header(s->ws, b->header));
    if (b->footer[0])
        note_err(b, worksheet_set_footer(s->ws, b->footer));
    for (int i = 0; i < XL_MAXCOLS; i++)
        s->maxwidth[i] = 60;
}

/* Display width of one character (the first byte of its UTF-8). */
static double text_width_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || c == 'm' || c == 'w' ? 1.2 : 1.0;
}

/* Display width of UTF-8 text: one per character. */
static double text_width(const char *t)
{
    double w = 0;

    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if ((*p & 0xC0) != 0x80)
            w += text_width_char(*p);
    return w;
}

static void grow(xl_sheet *s, int col, double w)
{
    if (col < 0 || col >= XL_MAXCOLS)
        return;
    if (col >= s->ncols)
        s->ncols = col + 1;
    if (w > s->width[col])
        s->width[col] = w;
}

/* Writes text; fit nonzero widens the column to it. */
static void write_text(xl_sheet *s, int row, int col, const char *text,
                       lxw_format *fmt, int fit)
{
    if (!s->ws || !text || !*text)
        return;
    if (!fmt)
        fmt = s->book->text;
    note_err(s->book, worksheet_write_string(s->ws, (lxw_row_t)row,
                                             (lxw_col_t)col, text, fmt));
    if (!fit)
        return;
    grow(s, col,
         text_width(text) * (fmt == s->book->title      ? 1.7
                             : fmt == s->book->subtitle ? 1.25
                             : fmt == s->book->head || fmt == s->book->strong ||
                                     fmt == s->book->total
                                 ? 1.1
                                 : 1.0));
}

void xl_text(xl_sheet *s, int row, int col, const char *text, lxw_format *fmt)
{
    write_text(s, row, col, text, fmt, 1);
}

int xl_note(xl_sheet *s, int row, int col, const char *text, lxw_format *fmt)
{
    double limit = 0;
    char line[1024];

    if (!fmt)
        fmt = s->book->note;
    if (col != 0 || !text || s->ncols == 0) {
        /* Beside a figure, or a heading above a table yet to be sized. */
        write_text(s, row, col, text, fmt, 0);
        return row + 1;
    }
    /* The width the sheet's columns will have (xl_fit), less a margin
     * for the note's indent and bold or italic type. */
    for (int c = 0; c < s->ncols; c++) {
        double w = s->width[c] + 1 < 8 ? 8 : s->width[c] + 1;
        limit += w > s->maxwidth[c] ? s->maxwidth[c] : w;
    }
    limit = limit * 0.9 - 2;
    if (limit < 60)
        limit = 60;
    while (*text) {
        size_t n = 0, cut = 0;
        double w = 0;
        /* The longest run of whole words within the limit. */
        while (text[n]) {
            if ((text[n] & 0xC0) != 0x80)
                w += (text[n] >= 'A' && text[n] <= 'Z') || text[n] == 'm' ||
                             text[n] == 'w'
                         ? 1.2
                         : 1.0;
            if (w > limit)
                break;
            n++;
            if (text[n] == ' ' || !text[n])
                cut = n;
        }
        if (!text[n])
            cut = n;
        if (!cut)
            cut = n ? n : 1; /* one word wider than the limit */
        if (cut >= sizeof(line))
            cut = sizeof(line) - 1;
        memcpy(line, text, cut);
        line[cut] = '\0';
        write_text(s, row++, col, line, fmt, 0);
        text += cut;
        while (*text == ' ')
            text++;
    }
    return row;
}

/* The lines text takes wrapped at its words within a column of width:
 * a column's unit is a digit's width, which ordinary text is narrower
 * than (9/10 of it, taking capitals and spaces together). */
static int wrap_lines(const char *text, double width)
{
    double room = width - 1, used = 0, word = 0;
    int lines = 1;

    for (const unsigned char *p = (const unsigned char *)text;; p++) {
        if (*p == ' ' || !*p) {
            if (used > 0 && used + word > room) {
                lines++;
                used = word;
            } else
                used += word;
            if (!*p)
                break;
            used += 0.5; /* the space */
            word = 0;
        } else if ((*p & 0xC0) != 0x80)
            word += text_width_char(*p) * 0.9;
    }
    return lines;
}

void xl_wrap(xl_sheet *s, int row, int col, const char *text, double width)
{
    double w;

    if (!s->ws || !text || !*text)
        return;
    write_text(s, row, col, text, s->book->wrap, 0);
    w = text_width(text);
    grow(s, col, w < width ? w : width);
    xl_cap(s, col, width + 1);
    if (w > width) {
        /* Office suites do not all size a row to its wrapped text: the
         * row gets the height of its lines. */
        double lines = wrap_lines(text, width);
        if (row == s->hrow && s->hlines > lines)
            lines = s->hlines;
        s->hrow = row;
        s->hlines = lines;
        note_err(s->book,
                 worksheet_set_row(s->ws, (lxw_row_t)row, 15 * lines, NULL));
    }
}

void xl_datetime(xl_sheet *s, int row, int col, const char *time)
{
    lxw_datetime dt = {0, 0, 0, 0, 0, 0};
    double sec = 0;

    if (!s->ws || !time || tf_time_check(time, NULL))
        return;
    sscanf(time, "%d-%d-%dT%d:%d:%lfZ", &dt.year, &dt.month, &dt.day, &dt.hour,
           &dt.min, &sec);
    dt.sec = sec;
    note_err(s->book,
             worksheet_write_datetime(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                      &dt, s->book->datetime));
    grow(s, col, 18);
}

void xl_percent(xl_sheet *s, int row, int col, double value)
{
    if (!s->ws)
        return;
    note_err(s->book,
             worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                    value, s->book->percent));
    grow(s, col, 9);
}

void xl_widen(xl_sheet *s, int col, const char *text)
{
    grow(s, col, text_width(text ? text : ""));
}

static double pow10_of(int minor)
{
    double d = 1;

    for (int i = 0; i < minor; i++)
        d *= 10;
    return d;
}

double xl_value(const xl_book *b, int64_t amount)
{
    return (double)amount / pow10_of(b->base->minor);
}

const char *xl_fmt(const xl_book *b, char *buf, int64_t amount)
{
    tf_amount_format(buf, TF_AMOUNT_BUFSZ, amount, b->base->minor, 1);
    return buf;
}

static void money_width(xl_sheet *s, int col, int64_t amount, int minor,
                        const char *code, int bold)
{
    char buf[TF_AMOUNT_BUFSZ];
    size_t n = tf_amount_format(buf, sizeof(buf), amount, minor, 1);

    grow(s, col, ((double)(n + 1 + strlen(code))) * (bold ? 1.1 : 1.0) + 1);
}

void xl_money(xl_sheet *s, int row, int col, int64_t amount, lxw_format *fmt)
{
    xl_book *b = s->book;

    if (!s->ws)
        return;
    if (!fmt)
        fmt = b->money;
    note_err(b, worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                       xl_value(b, amount), fmt));
    money_width(s, col, amount, b->base->minor, b->base->code, fmt != b->money);
}

static lxw_format *currency_format(xl_book *b, const char *code, int minor)
{
    char pattern[64];

    for (int i = 0; i < b->ncur; i++)
        if (!strcmp(b->cur[i].code, code))
            return b->cur[i].fmt;
    if (b->ncur == XL_MAXCUR)
        return b->money;
    money_pattern(pattern, sizeof(pattern), code, minor);
    snprintf(b->cur[b->ncur].code, sizeof(b->cur[0].code), "%s", code);
    b->cur[b->ncur].fmt = fmt_new(b, pattern, 0);
    return b->cur[b->ncur++].fmt;
}

void xl_money_in(xl_sheet *s, int row, int col, int64_t amount,
                 const char *currency)
{
    const tf_currency *cur = tf_currency_find(currency ? currency : "");
    xl_book *b = s->book;

    if (!s->ws)
        return;
    if (!cur)
        cur = b->base;
    note_err(b,
             worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                    (double)amount / pow10_of(cur->minor),
                                    currency_format(b, cur->code, cur->minor)));
    money_width(s, col, amount, cur->minor, cur->code, 0);
}

void xl_int(xl_sheet *s, int row, int col, int64_t n, lxw_format *fmt)
{
    char buf[32];

    if (!s->ws)
        return;
    note_err(s->book,
             worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                    (double)n, fmt ? fmt : s->book->integer));
    snprintf(buf, sizeof(buf), "%lld", (long long)n);
    grow(s, col, (double)strlen(buf) * 1.35 + 1);
}

void xl_date(xl_sheet *s, int row, int col, const char *date)
{
    lxw_datetime dt = {0, 0, 0, 0, 0, 0};

    if (!s->ws || !date || tf_date_check(date, NULL))
        return;
    sscanf(date, "%d-%d-%d", &dt.year, &dt.month, &dt.day);
    note_err(s->book,
             worksheet_write_datetime(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                      &dt, s->book->date));
    grow(s, col, 11);
}

void xl_decimal(xl_sheet *s, int row, int col, const char *text)
{
    if (!s->ws || !text || !*text)
        return;
    note_err(s->book,
             worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col,
                                    strtod(text, NULL), s->book->text));
    grow(s, col, text_width(text) + 2);
}

void xl_formula(xl_sheet *s, int row, int col, const char *formula,
                int64_t value, int is_money, lxw_format *fmt)
{
    xl_book *b = s->book;

    if (!s->ws)
        return;
    if (!fmt)
        fmt = is_money ? b->money_total : b->int_total;
    note_err(b, worksheet_write_formula_num(
                    s->ws, (lxw_row_t)row, (lxw_col_t)col, formula, fmt,
                    is_money ? xl_value(b, value) : (double)value));
    if (is_money)
        money_width(s, col, value, b->base->minor, b->base->code, 1);
    else
        grow(s, col, 8);
}

void xl_formula_in(xl_sheet *s, int row, int col, const char *formula,
                   int64_t amount, const char *currency)
{
    const tf_currency *cur = tf_currency_find(currency ? currency : "");
    xl_book *b = s->book;

    if (!s->ws)
        return;
    if (!cur)
        cur = b->base;
    note_err(b, worksheet_write_formula_num(
                    s->ws, (lxw_row_t)row, (lxw_col_t)col, formula,
                    currency_format(b, cur->code, cur->minor),
                    (double)amount / pow10_of(cur->minor)));
    money_width(s, col, amount, cur->minor, cur->code, 0);
}

char *xl_cell(char *buf, int row, int col)
{
    lxw_rowcol_to_cell(buf, (lxw_row_t)row, (lxw_col_t)col);
    return buf;
}

void xl_sum(xl_sheet *s, int row, int col, int first, int last, int64_t value,
            int is_money)
{
    char f[64], a[16], z[16];

    if (last < first)
        snprintf(f, sizeof(f), "=0");
    else
        snprintf(f, sizeof(f), "=SUM(%s:%s)", xl_cell(a, first, col),
                 xl_cell(z, last, col));
    xl_formula(s, row, col, f, value, is_money, NULL);
}

void xl_header(xl_sheet *s, int row, const char *const *cols, int ncols,
               const char *align)
{
    for (int c = 0; c < ncols; c++) {
        int right = align && (int)strlen(align) > c && align[c] == 'r';
        xl_text(s, row, c, cols[c], right ? s->book->head_num : s->book->head);
        grow(s, c, text_width(cols[c]) * 1.1 + 3); /* room for the filter */
    }
    if (s->ws) {
        worksheet_freeze_panes(s->ws, (lxw_row_t)(row + 1), 0);
        worksheet_repeat_rows(s->ws, (lxw_row_t)row, (lxw_row_t)row);
    }
}

void xl_subheader(xl_sheet *s, int row, const char *const *cols, int ncols,
                  const char *align)
{
    for (int c = 0; c < ncols; c++) {
        int right = align && (int)strlen(align) > c && align[c] == 'r';
        xl_text(s, row, c, cols[c], right ? s->book->head_num : s->book->head);
        grow(s, c, text_width(cols[c]) * 1.1 + 1);
    }
}

void xl_filter(xl_sheet *s, int head, int last)
{
    if (!s->ws || s->ncols == 0)
        return;
    if (last < head)
        last = head;
    note_err(s->book,
             worksheet_autofilter(s->ws, (lxw_row_t)head, 0, (lxw_row_t)last,
                                  (lxw_col_t)(s->ncols - 1)));
}

void xl_cap(xl_sheet *s, int col, double width)
{
    if (col >= 0 && col < XL_MAXCOLS)
        s->maxwidth[col] = width;
}

void xl_fit(xl_sheet *s)
{
    double total = 0;

    if (!s->ws)
        return;
    for (int c = 0; c < s->ncols; c++) {
        double w = s->width[c] + 1;
        if (w < 8)
            w = 8;
        if (w > s->maxwidth[c])
            w = s->maxwidth[c];
        total += w;
        note_err(s->book, worksheet_set_column(s->ws, (lxw_col_t)c,
                                               (lxw_col_t)c, w, NULL));
    }
    /* A table as narrow as a portrait page is printed upright. */
    if (total <= 100)
        worksheet_set_portrait(s->ws);
}

int xl_cover_top(xl_sheet *s, const char *title, const char *subtitle)
{
    xl_book *b = s->book;
    int row = 0;

    if (s->ws) {
        worksheet_gridlines(s->ws, LXW_HIDE_ALL_GRIDLINES);
        worksheet_set_row(s->ws, 0, 30, NULL);
        worksheet_set_portrait(s->ws);
    }
    /* Title and subtitle spill into the empty cells beside them and do
     * not widen column A. */
    write_text(s, row++, 0, title, b->title, 0);
    write_text(s, row, 0, subtitle, b->subtitle, 0);
    row += 2;
    xl_cover_text(s, row++, "Fund", b->fund_name);
    if (b->who_label && b->who)
        xl_cover_text(s, row++, b->who_label, b->who);
    {
        char words[80];
        if (b->period)
            xl_cover_text(s, row++, "Period", xl_period_words(b, words));
        else
            xl_cover_text(s, row++, "Books as of",
                          xl_date_words(words, b->as_of));
    }
    {
        char line[96];
        snprintf(line, sizeof(line),
                 "%s, the fund's base currency, unless another is named",
                 b->base->code);
        xl_cover_text(s, row++, "Amounts in", line);
    }
    {
        /* "2018-12-31T09:30:00Z" as "31 December 2018 at 09:30 UTC". */
        char day[TF_DATE_LEN + 1], words[32], line[64];
        snprintf(day, sizeof(day), "%.10s", b->generated);
        snprintf(line, sizeof(line), "%s at %.5s UTC",
                 xl_date_words(words, day), b->generated + 11);
        xl_cover_text(s, row++, "Generated", line);
    }
    return row + 1;
}

void xl_cover_text(xl_sheet *s, int row, const char *label, const char *text)
{
    xl_text(s, row, 0, label, s->book->label);
    /* Cover values may be long: they spill to the right. */
    write_text(s, row, 1, text, NULL, 0);
}

static int add_session(void *ctx, const tf_session *s)
{
    xl_lookup *l = ctx;
    xl_session_info *grown, *si;

    grown = realloc(l->sessions, (l->nsessions + 1) * sizeof(*grown));
    if (!grown)
        return 1;
    l->sessions = grown;
    si = &l->sessions[l->nsessions];
    memset(si, 0, sizeof(*si));
    si->id = xl_strdup(s->id);
    si->name = xl_strdup(s->name);
    si->venue = xl_strdup(s->venue);
    si->start = xl_strdup(s->start);
    si->days = s->days;
    si->extra_days = s->extra_days;
    si->dsa = s->dsa;
    si->terminal = s->terminal;
    si->travel_budget = s->travel_budget;
    l->nsessions++;
    return !si->id || !si->name || !si->venue || !si->start;
}

tf_error xl_lookup_init(xl_lookup *l, tf_fund *fund, tf_diag *diag)
{
    tf_error err;
    size_t n;

    memset(l, 0, sizeof(*l));
    l->fund = fund;
    err = tf_session_each(fund, NULL, add_session, l, diag);
    n = l->nsessions;
    if (!err && n &&
        (!l->sessions[n - 1].id || !l->sessions[n - 1].name ||
         !l->sessions[n - 1].venue || !l->sessions[n - 1].start))
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    return err;
}

void xl_lookup_release(xl_lookup *l)
{
    for (size_t i = 0; i < l->nsessions; i++) {
        free(l->sessions[i].id);
        free(l->sessions[i].name);
        free(l->sessions[i].venue);
        free(l->sessions[i].start);
    }
    free(l->sessions);
    for (size_t i = 0; i < l->ncountries; i++) {
        free(l->countries[i].name);
        free(l->countries[i].region);
    }
    free(l->countries);
    memset(l, 0, sizeof(*l));
}

const xl_session_info *xl_session_find(xl_lookup *l, const char *id)
{
    if (!id)
        return NULL;
    if (l->last < l->nsessions && !strcmp(l->sessions[l->last].id, id))
        return &l->sessions[l->last];
    for (size_t i = 0; i < l->nsessions; i++)
        if (!strcmp(l->sessions[i].id, id)) {
            l->last = i;
            return &l->sessions[i];
        }
    return NULL;
}

static int got_country(void *ctx, const tf_country *c)
{
    xl_country_info *ci = ctx;

    ci->name = xl_strdup(c->name);
    ci->region = xl_strdup(c->region_group);
    return 0;
}

const xl_country_info *xl_country_find(xl_lookup *l, const char *iso3)
{
    size_t lo = 0, hi = l->ncountries;
    xl_country_info ci, *grown;

    if (!iso3)
        iso3 = "";
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(l->countries[mid].iso3, iso3);
        if (c == 0)
            return &l->countries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memset(&ci, 0, sizeof(ci));
    snprintf(ci.iso3, sizeof(ci.iso3), "%s", iso3);
    tf_country_get(l->fund, iso3, got_country, &ci, NULL);
    if (!ci.name)
        ci.name = xl_strdup("");
    if (!ci.region)
        ci.region = xl_strdup("");
    grown = realloc(l->countries, (l->ncountries + 1) * sizeof(*grown));
    if (!ci.name || !ci.region || !grown) {
        free(ci.name);
        free(ci.region);
        if (grown)
            l->countries = grown;
        return NULL;
    }
    l->countries = grown;
    memmove(&l->countries[lo + 1], &l->countries[lo],
            (l->ncountries - lo) * sizeof(*grown));
    l->countries[lo] = ci;
    l->ncountries++;
    return &l->countries[lo];
}
