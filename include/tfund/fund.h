/* SPDX-License-Identifier: MIT */
/*
 * The fund: one SQLite file holding a voluntary trust fund's books. This
 * header is the core API used by the command line and the reports; it
 * hides the database and the arithmetic library.
 *
 * Conventions. Functions return tf_error and describe failures in the
 * tf_diag passed last (may be NULL). Amounts are int64 minor units of the
 * fund's base currency unless a currency is named beside them. Strings in
 * the records handed to callbacks are borrowed and valid only during the
 * call. A callback returns 0 to go on, nonzero to stop the walk (which
 * then returns TF_OK).
 */
#ifndef TFUND_FUND_H
#define TFUND_FUND_H

#include <stdint.h>

#include "tfund/books.h"
#include "tfund/error.h"
#include "tfund/money.h"
#include "tfund/text.h"

typedef struct tf_fund tf_fund;

/* ---- Opening and transactions --------------------------------------- */

/* Creates a new fund database at path (refused if a file exists there),
 * with the default settings and the shipped country classification. */
tf_error tf_fund_create(tf_fund **out, const char *path, tf_diag *diag);

/* As tf_fund_create, also setting the settings given as key, value pairs
 * (NULL-terminated; may be NULL) in the same transaction, so that a fund
 * is created by one event. */
tf_error tf_fund_create_with(tf_fund **out, const char *path,
                             const char *const *settings, tf_diag *diag);

/* Opens an existing fund (see tf_db_open for the errors). */
tf_error tf_fund_open(tf_fund **out, const char *path, tf_diag *diag);

/* Closes the fund, rolling back an unfinished transaction. NULL is safe. */
void tf_fund_close(tf_fund *fund);

/* A write transaction: every command that writes runs in exactly one, so
 * that its effect lands whole or not at all. */
tf_error tf_fund_begin(tf_fund *fund, tf_diag *diag);
tf_error tf_fund_commit(tf_fund *fund, tf_diag *diag);
void tf_fund_rollback(tf_fund *fund);

/* Who must sign an allocation run or a disbursement off before it is
 * posted (DESIGN.md section 11; the setting approvals). */
typedef enum tf_approvals {
    TF_APPROVALS_NONE,    /* posted at once */
    TF_APPROVALS_APPROVE, /* proposed, then approved by another */
    TF_APPROVALS_CERTIFY  /* proposed, certified, then approved */
} tf_approvals;

/* The fund's approvals: the setting, or when unset certify-approve in a
 * team fund (one with users) and none in a fund of one person. */
tf_error tf_fund_approvals(tf_fund *fund, tf_approvals *out, tf_diag *diag);

/* Lets this handle record what a duplicate guard would refuse (a
 * request matching another, DESIGN.md section 10: --allow-duplicate);
 * tf_fund_duplicates counts those recorded so. */
void tf_fund_allow_duplicates(tf_fund *fund, int allow);
long tf_fund_duplicates(const tf_fund *fund);

/* TF_ERR_RULE with a message if the fund is closed (tf_close). */
tf_error tf_fund_check_open(tf_fund *fund, tf_diag *diag);

/* Copies the whole fund into a new file at path (online backup). */
tf_error tf_fund_backup(tf_fund *fund, const char *path, tf_diag *diag);

/* The base currency of the books. */
const tf_currency *tf_fund_base(const tf_fund *fund);

/* Formats a base-currency amount ("1234.50", or "1,234.50" with
 * grouping) into buf of at least TF_AMOUNT_BUFSZ bytes; returns buf. */
char *tf_fund_fmt(const tf_fund *fund, char *buf, int64_t amount, int grouping);

/* Parses a base-currency amount (see tf_amount_parse). */
tf_error tf_fund_parse(const tf_fund *fund, int64_t *out, const char *text,
                       int allow_negative, tf_diag *diag);

/* ---- Settings ------------------------------------------------------- */

/* Known keys: fund_name, base_currency, psc_rate, reserve_rate,
 * quota_ldc, quota_developing (and closed_through, set by period close). */
tf_error tf_setting_get(tf_fund *fund, const char *key, char *buf, size_t size,
                        tf_diag *diag);

/* Validates and stores a setting (in the caller's transaction). */
tf_error tf_setting_set(tf_fund *fund, const char *key, const char *value,
                        tf_diag *diag);

/* Walks the settings in key order. */
tf_error tf_setting_each(tf_fund *fund,
                         int (*fn)(void *ctx, const char *key,
                                   const char *value),
                         void *ctx, tf_diag *diag);

/* ---- Reference data ------------------------------------------------- */

typedef struct tf_country {
    const char *iso3, *m49, *name, *un_status, *region_group;
    const char *ldc_from, *ldc_until; /* "" when not set */
    int sids, lldc, developing;
} tf_country;

/* Nonzero if c is an LDC on date (ldc_from <= date < ldc_until). */
int tf_country_is_ldc(const tf_country *c, const char *date);

/* 1 (LDC), 2 (other developing) or 0 (not eligible) on date. */
int tf_country_tier(const tf_country *c, const char *date);

/* Looks a country up by iso3: TF_ERR_NOTFOUND if unknown. The record
 * passed to fn is valid during the call only. */
tf_error tf_country_get(tf_fund *fund, const char *iso3,
                        int (*fn)(void *ctx, const tf_country *c), void *ctx,
                        tf_diag *diag);

/* Walks every country of the classification in iso3 order. */
tf_error tf_country_each(tf_fund *fund,
                         int (*fn)(void *ctx, const tf_country *c), void *ctx,
                         tf_diag *diag);

/* Inserts or replaces a country (reference data, not books). *changed is
 * set to 0 (identical row known), 1 (added) or 2 (updated). */
tf_error tf_country_put(tf_fund *fund, const tf_country *c, int *changed,
                        tf_diag *diag);

/* Adds a UN operational rate (units of currency per USD, valid from date).
 * A known (currency, date) with the same rate sets *known; with a
 * different rate it is refused (rates are never changed). */
tf_error tf_rate_add(tf_fund *fund, const char *currency, const char *date,
                     const char *per_usd, int *known, tf_diag *diag);

/* The rate of currency in force on date (the latest on or before it),
 * into per_usd (64 bytes). "1" for USD. TF_ERR_INPUT if none. */
tf_error tf_rate_find(tf_fund *fund, const char *currency, const char *date,
                      char *per_usd, tf_diag *diag);

/* Converts amount of currency into the base currency at the rate in
 * force on date; rate_used (64 bytes, may be NULL) gets that rate. */
tf_error tf_fund_to_base(tf_fund *fund, int64_t *out, int64_t amount,
                         const char *currency, const char *date,
                         char *rate_used, tf_diag *diag);

/* ---- Donors, pledges, receipts, sessions ---------------------------- */

typedef struct tf_donor {
    const char *id, *name, *type, *country; /* country "" if none */
} tf_donor;

/* Adds a donor; an identical known one sets *known, a different one with
 * the same id is refused. */
tf_error tf_donor_add(tf_fund *fund, const tf_donor *d, int *known,
                      tf_diag *diag);
tf_error tf_donor_each(tf_fund *fund, const char *id,
                       int (*fn)(void *ctx, const tf_donor *d), void *ctx,
                       tf_diag *diag);

typedef struct tf_pledge {
    const char *ref, *donor, *date, *currency, *pool, *due; /* due may be
                                                              NULL */
    int64_t amount; /* in currency's minor units */
    /* Filled when listing: */
    const char *rate;
    int64_t base_amount;   /* booked value in the base currency */
    int64_t received;      /* in currency's minor units */
    int64_t received_base; /* cash booked for those receipts */
    int implicit;          /* made by a receipt without a pledge */
    int64_t entry;
    int64_t reversed_by; /* the entry reversing it, 0 if none */
} tf_pledge;

/* Records a pledge: receivable / contribution revenue at the pledge
 * date's rate. Identical known ref: *known; different: refused. */
tf_error tf_pledge_add(tf_fund *fund, const tf_pledge *p, int *known,
                       tf_diag *diag);
/* Walks pledges (of donor, or all when NULL) in date, ref order; a
 * reversed pledge is void and left out. */
tf_error tf_pledge_each(tf_fund *fund, const char *donor,
                        int (*fn)(void *ctx, const tf_pledge *p), void *ctx,
                        tf_diag *diag);
/* The same with the reversed pledges too (reversed_by set), for lists. */
tf_error tf_pledge_list(tf_fund *fund, const char *donor,
                        int (*fn)(void *ctx, const tf_pledge *p), void *ctx,
                        tf_diag *diag);

typedef struct tf_receipt {
    const char *ref, *date, *currency;
    int64_t amount;                    /* in currency's minor units */
    const char *pledge, *donor, *pool; /* NULL or "" when not given */
    /* Filled when listing: */
    const char *rate;
    int64_t base_amount, relieved;
    int64_t entry;
    int64_t reversed_by; /* the entry reversing it, 0 if none */
} tf_receipt;

/* Which input field a receipt error concerns, so an import can name the
 * column: set in *field by tf_receipt_add on TF_ERR_INPUT/NOTFOUND. */
typedef enum tf_receipt_field {
    TF_RF_NONE,
    TF_RF_REF,
    TF_RF_DATE,
    TF_RF_AMOUNT,
    TF_RF_CURRENCY,
    TF_RF_PLEDGE,
    TF_RF_DONOR,
    TF_RF_POOL
} tf_receipt_field;

/* Records money received: cash / receivable at the receipt date's rate,
 * the difference against the pledge's booked value to fx gain or loss.
 * Without a pledge it records an implicit pledge of the same amount
 * first. Refused: another currency than the pledge's, more than is still
 * owed, a date before the pledge. */
tf_error tf_receipt_add(tf_fund *fund, const tf_receipt *r, int *known,
                        tf_receipt_field *field, tf_diag *diag);
/* Walks receipts (of donor, or all when NULL) in date, ref order; a
 * reversed receipt is void and left out. */
tf_error tf_receipt_each(tf_fund *fund, const char *donor,
                         int (*fn)(void *ctx, const tf_receipt *r), void *ctx,
                         tf_diag *diag);
/* The same with the reversed receipts too (reversed_by set), for lists. */
tf_error tf_receipt_list(tf_fund *fund, const char *donor,
                         int (*fn)(void *ctx, const tf_receipt *r), void *ctx,
                         tf_diag *diag);

/*
 * A listed pledge's or receipt's row as the lists show it (the command
 * line's `pledge list` and `receipt list`, the browser's pages): its
 * cells in the order of TF_PLEDGE_COLS / TF_RECEIPT_COLS, amounts in
 * their currency (the base amount in the base currency), digits grouped
 * when group, entry numbers "" when 0. The cells point into the row.
 */
#define TF_PLEDGE_COLS                                                         \
    "ref", "donor", "date", "pool", "currency", "amount", "received",          \
        "outstanding", "base_amount", "due", "entry", "reversed_by"
#define TF_RECEIPT_COLS                                                        \
    "ref", "date", "pledge", "donor", "pool", "currency", "amount", "rate",    \
        "base_amount", "entry", "reversed_by"
typedef struct tf_list_row {
    const char *cells[12];
    char amount[3][TF_AMOUNT_BUFSZ], base[TF_AMOUNT_BUFSZ], entry[2][24];
} tf_list_row;
void tf_pledge_row(tf_fund *fund, const tf_pledge *p, int group,
                   tf_list_row *row);
void tf_receipt_row(tf_fund *fund, const tf_receipt *r, int group,
                    tf_list_row *row);

typedef struct tf_session {
    const char *id, *name, *venue, *start;
    int64_t days, extra_days;
    int64_t dsa, terminal; /* base currency: DSA per day, per trip */
    int64_t travel_budget; /* -1 when not given */
} tf_session;

tf_error tf_session_add(tf_fund *fund, const tf_session *s, int *known,
                        tf_diag *diag);
/* Walks sessions (one id, or all when NULL) by start date, then id. */
tf_error tf_session_each(tf_fund *fund, const char *id,
                         int (*fn)(void *ctx, const tf_session *s), void *ctx,
                         tf_diag *diag);

#endif
