/* SPDX-License-Identifier: MIT */
/*
 * The workbook layer shared by the reports: one place that knows how a
 * tfund workbook looks (formats, cover, tables with frozen headers and
 * autofilters, columns sized to their content) and how money reaches
 * libxlsxwriter (exact minor units, turned into a double at the last
 * moment). Internal to reports/.
 */
#ifndef TF_REPORTS_XL_H
#define TF_REPORTS_XL_H

#include <stdint.h>

#include <xlsxwriter.h>

#include "tfund/tfund.h"

#define XL_MAXCOLS 32
#define XL_MAXCUR  48

typedef struct xl_book {
    lxw_workbook *wb;
    tf_fund *fund;
    const tf_currency *base;
    char *path;
    tf_outfile *out; /* the temporary file the workbook is written to */
    char as_of[TF_DATE_LEN + 1];
    char from[TF_DATE_LEN + 1]; /* first day of the period, "" if none */
    int period; /* the report covers a period (from "": the fund's start) */
    char generated[TF_TIME_LEN + 1];
    char fund_name[256];
    char header[LXW_HEADER_FOOTER_MAX + 1], footer[LXW_HEADER_FOOTER_MAX + 1];
    const char *who_label, *who; /* a cover line after the fund, or NULL */
    lxw_format *title, *subtitle, *label, *strong, *note, *head, *head_num,
        *total, *money, *money_total, *money_strong, *integer, *int_total,
        *date, *datetime, *wrap, *percent, *text;
    struct {
        char code[8];
        lxw_format *fmt;
    } cur[XL_MAXCUR];
    int ncur;
    lxw_error lxw_err; /* the first libxlsxwriter error, if any */
} xl_book;

typedef struct xl_sheet {
    xl_book *book;
    lxw_worksheet *ws;
    char name[32];
    int ncols;
    double width[XL_MAXCOLS];
    double maxwidth[XL_MAXCOLS];
    int hrow;      /* the last row made taller for wrapped text */
    double hlines; /* its lines */
} xl_sheet;

/* Opens a workbook to be written to path (through a temporary file next
 * to it); as_of NULL means today. constant_memory streams rows to disk:
 * each sheet's rows must then be written top to bottom. */
tf_error xl_open(xl_book *b, tf_fund *fund, const char *path, const char *as_of,
                 int constant_memory, tf_diag *diag);

/* Title, subject and author (the fund's name); created = as-of at 00:00
 * UTC. */
void xl_properties(xl_book *b, const char *title, const char *subject);

/* Makes the report cover the days from..as_of (from "" or NULL: from
 * the fund's start); without this call it shows the books as of
 * as_of. */
void xl_period(xl_book *b, const char *from);

/* The page header and footer of every sheet added after this call: the
 * fund on the left, what (the report and whom it is for) in the middle,
 * the period or date on the right; the sheet's name and "Page N of M"
 * below. Text is escaped for Excel's header codes and cut to fit. */
void xl_page_labels(xl_book *b, const char *what);

/* Writes the workbook and moves it into place; releases b either way. */
tf_error xl_close(xl_book *b, tf_diag *diag);

/* Releases b without writing (after an error). */
void xl_abandon(xl_book *b);

/* Adds a sheet; name is made acceptable to Excel (<= 31 characters, none
 * of []:*?/\). */
void xl_sheet_add(xl_book *b, xl_sheet *s, const char *name);

/* Cells. Text is always written as text (never as a formula); NULL or ""
 * leaves the cell empty. fmt NULL: the plain format of the kind. */
void xl_text(xl_sheet *s, int row, int col, const char *text, lxw_format *fmt);
/* Text that spills over the empty cells to its right: it does not widen
 * its column. In column A, below a table, it is broken into lines (one a
 * row) no wider than the sheet's columns, so that a printed page shows it
 * whole. fmt
 * NULL: the note format. Returns the row after the last line. */
int xl_note(xl_sheet *s, int row, int col, const char *text, lxw_format *fmt);
/* Widens column col as if text were in it. */
void xl_widen(xl_sheet *s, int col, const char *text);
void xl_money(xl_sheet *s, int row, int col, int64_t amount, lxw_format *fmt);
/* An amount in another currency's minor units, formatted with its code. */
void xl_money_in(xl_sheet *s, int row, int col, int64_t amount,
                 const char *currency);
void xl_int(xl_sheet *s, int row, int col, int64_t n, lxw_format *fmt);
void xl_date(xl_sheet *s, int row, int col, const char *date);
/* A rate or ratio written as the number it spells (display only). */
void xl_decimal(xl_sheet *s, int row, int col, const char *text);

/* A formula with its computed value cached: money when is_money, else a
 * count. */
void xl_formula(xl_sheet *s, int row, int col, const char *formula,
                int64_t value, int is_money, lxw_format *fmt);

/* A formula whose value, cached, is amount in currency's minor units,
 * formatted with that currency. */
void xl_formula_in(xl_sheet *s, int row, int col, const char *formula,
                   int64_t amount, const char *currency);

/* =SUM(col first..last) with value cached; an empty range gives =0. */
void xl_sum(xl_sheet *s, int row, int col, int first, int last, int64_t value,
            int is_money);

/* The header row of a table: bold, frozen below it and repeated at the
 * top of every printed page. align has one letter per column, 'l' or
 * 'r' (numbers: the header sits right, over them); NULL is all 'l'. */
void xl_header(xl_sheet *s, int row, const char *const *cols, int ncols,
               const char *align);

/* Long text (a meeting's or a country's name) wrapped within its column,
 * whose width stays at most width. */
void xl_wrap(xl_sheet *s, int row, int col, const char *text, double width);

/* A time "YYYY-MM-DDTHH:MM:SSZ" as a date and time cell. */
void xl_datetime(xl_sheet *s, int row, int col, const char *time);

/* A fraction (display only) formatted as a percentage. */
void xl_percent(xl_sheet *s, int row, int col, double value);

/* The header row of a second table on a sheet: set as xl_header sets
 * it, but neither frozen nor repeated (the sheet's first table is). */
void xl_subheader(xl_sheet *s, int row, const char *const *cols, int ncols,
                  const char *align);

/* An autofilter over the table from its header row to last (inclusive). */
void xl_filter(xl_sheet *s, int head, int last);

/* Sizes every column to its widest cell. Call once, when the sheet is
 * complete. */
void xl_fit(xl_sheet *s);

/* Caps column col's width (longer text is cut off on screen). */
void xl_cap(xl_sheet *s, int col, double width);

/* The cell name ("B7") of row, col; buf needs 16 bytes. */
char *xl_cell(char *buf, int row, int col);

/* Writes the top of a cover sheet (title, fund, whom it is for when
 * b->who is set, the period or as-of date, the currency, when it was
 * generated) and returns the next free row. */
int xl_cover_top(xl_sheet *s, const char *title, const char *subtitle);

/* A cover line: label in column A, text in column B. */
void xl_cover_text(xl_sheet *s, int row, const char *label, const char *text);

/* The money of a base amount as a double (exact minor units divided at
 * the last moment). */
double xl_value(const xl_book *b, int64_t amount);

/* Formats amount in the base currency with grouping into buf
 * (TF_AMOUNT_BUFSZ bytes), e.g. "1,234.50". */
const char *xl_fmt(const xl_book *b, char *buf, int64_t amount);

/* A date "YYYY-MM-DD" in words, "1 July 2017", into buf (32 bytes). */
const char *xl_date_words(char *buf, const char *date);

/* The period of b in words ("1 July 2017 to 31 December 2017", or "from
 * the start of the fund to 31 December 2017") into buf (80 bytes). */
const char *xl_period_words(const xl_book *b, char *buf);

/* A rate "0.13" as "13%" into buf (exactly; the rate itself if it is
 * not a decimal). */
void xl_rate_words(char *buf, size_t size, const char *rate);

/* The words the reports use for the books' codes (one place): pools,
 * tiers, uses of money, decisions and their reasons. */
const char *xl_pool_name(int pool);
const char *xl_tier_name(int tier);
const char *xl_use_name(const char *category);
const char *xl_status_name(const char *status);
const char *xl_reason_name(const char *reason);

/* The line of the reports an account's balance belongs to: the one place
 * in reports/ that reads account names (the trial balance sheet shows
 * them as they are). */
typedef enum xl_line {
    XL_CASH,
    XL_RECEIVABLE,
    XL_OTHER_ASSET,
    XL_PSC_PAYABLE,
    XL_REFUNDS_PAYABLE,
    XL_OTHER_LIABILITY,
    XL_CONTRIBUTION, /* per donor */
    XL_FX_GAIN,
    XL_INTEREST,
    XL_OTHER_REVENUE,
    XL_TRAVEL, /* per session */
    XL_PSC,
    XL_PREP,
    XL_FX_LOSS,
    XL_REFUNDS,
    XL_OTHER_EXPENSE,
    XL_TRANSFER,
    XL_BUDGET, /* commitments: memo only */
    XL_NONE
} xl_line;

/* Which line account belongs to; *key gets the donor or session an
 * account is kept for (NULL when none). */
xl_line xl_account_line(const char *account, const char **key);

/* A malloc'd copy of text ("" for NULL); NULL when out of memory. */
char *xl_strdup(const char *text);

/* Names the reports look up row after row: sessions (all loaded, in
 * start order) and countries (loaded as first met). */
typedef struct xl_session_info {
    char *id, *name, *venue, *start;
    int64_t days, extra_days, dsa, terminal, travel_budget;
} xl_session_info;

typedef struct xl_country_info {
    char iso3[8];
    char *name, *region;
} xl_country_info;

typedef struct xl_lookup {
    tf_fund *fund;
    xl_session_info *sessions;
    size_t nsessions, last;
    xl_country_info *countries; /* sorted by iso3 */
    size_t ncountries;
} xl_lookup;

tf_error xl_lookup_init(xl_lookup *l, tf_fund *fund, tf_diag *diag);
void xl_lookup_release(xl_lookup *l);
/* The session with id, or NULL. */
const xl_session_info *xl_session_find(xl_lookup *l, const char *id);
/* The country with iso3 (name and region "" when unknown), or NULL when
 * out of memory. */
const xl_country_info *xl_country_find(xl_lookup *l, const char *iso3);

#endif
