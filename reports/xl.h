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
    char generated[TF_TIME_LEN + 1];
    char fund_name[256];
    lxw_format *title, *subtitle, *label, *strong, *note, *head, *total, *money,
        *money_total, *money_strong, *integer, *int_total, *date;
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
} xl_sheet;

/* Opens a workbook to be written to path (through a temporary file next
 * to it); as_of NULL means today. constant_memory streams rows to disk:
 * each sheet's rows must then be written top to bottom. */
tf_error xl_open(xl_book *b, tf_fund *fund, const char *path, const char *as_of,
                 int constant_memory, tf_diag *diag);

/* Title, subject and author (the fund's name); created = as-of at 00:00
 * UTC. */
void xl_properties(xl_book *b, const char *title, const char *subject);

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
 * its column. fmt NULL: the note format. */
void xl_note(xl_sheet *s, int row, int col, const char *text, lxw_format *fmt);
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

/* =SUM(col first..last) with value cached; an empty range gives =0. */
void xl_sum(xl_sheet *s, int row, int col, int first, int last, int64_t value,
            int is_money);

/* The header row of a table: bold, frozen below it. */
void xl_header(xl_sheet *s, int row, const char *const *cols, int ncols);

/* An autofilter over the table from its header row to last (inclusive). */
void xl_filter(xl_sheet *s, int head, int last);

/* Sizes every column to its widest cell. Call once, when the sheet is
 * complete. */
void xl_fit(xl_sheet *s);

/* Caps column col's width (longer text is cut off on screen). */
void xl_cap(xl_sheet *s, int col, double width);

/* The cell name ("B7") of row, col; buf needs 16 bytes. */
char *xl_cell(char *buf, int row, int col);

/* Writes the top of a cover sheet (title, fund, as-of, generated at) and
 * returns the next free row. */
int xl_cover_top(xl_sheet *s, const char *title, const char *subtitle);

/* A cover line: label in column A, text in column B. */
void xl_cover_text(xl_sheet *s, int row, const char *label, const char *text);

/* The money of a base amount as a double (exact minor units divided at
 * the last moment). */
double xl_value(const xl_book *b, int64_t amount);

/* Formats amount in the base currency with grouping into buf
 * (TF_AMOUNT_BUFSZ bytes), e.g. "1,234.50". */
const char *xl_fmt(const xl_book *b, char *buf, int64_t amount);

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
