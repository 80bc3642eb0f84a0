/* SPDX-License-Identifier: MIT */
/*
 * CSV imports: one column table and one row function per kind of file.
 * The importer reads files of every kind of record, from reference data
 * to preparation spending, so it sits above the layers whose records it
 * writes (src/records, src/grants, src/close).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/fund_internal.h"
#include "records/refdata.h"
#include "tfund/date.h"
#include "tfund/allocate.h"
#include "tfund/import.h"
#include "tfund/surplus.h"

/* ---- References seen in this file ----------------------------------- */

/* The references of one file, to refuse a duplicate inside it (a
 * re-import of the same row from another file is merely known). Held in an
 * open-addressing table while the file is small; past REFSET_MEMORY_MAX
 * they move into a temporary table of the database, so that a file of any
 * size streams in bounded memory. */
#define REFSET_MEMORY_MAX 65536

struct refset {
    tf_strmap seen; /* ref -> the line it was first seen on */
    tf_fund *fund;
    int spilled;
    tf_error err; /* why refset_add returned -1 */
    tf_diag *diag;
};

static long spilled_add(struct refset *set, const char *ref, long line)
{
    tf_stmt *st = tf_db_prepare(set->fund->db,
                                "INSERT INTO temp.import_refs (ref, line) "
                                "VALUES (?1, ?2) ON CONFLICT (ref) DO NOTHING",
                                set->diag);
    long first;

    if (!st) {
        set->err = TF_ERR_DB;
        return -1;
    }
    tf_stmt_text(st, 1, ref);
    tf_stmt_int(st, 2, line);
    if ((set->err = tf_stmt_run(st, set->diag)))
        return -1;
    if (tf_db_changes(set->fund->db) > 0)
        return 0;
    st = tf_db_prepare(set->fund->db,
                       "SELECT line FROM temp.import_refs WHERE ref = ?1",
                       set->diag);
    if (!st) {
        set->err = TF_ERR_DB;
        return -1;
    }
    tf_stmt_text(st, 1, ref);
    if (tf_stmt_step(st) <= 0) {
        set->err = tf_stmt_error(st, set->diag);
        return -1;
    }
    first = (long)tf_col_int(st, 0);
    tf_stmt_reset(st);
    return first;
}

/* Moves the table into the database's temporary store. */
static int spill(struct refset *set)
{
    set->err = tf_db_exec(set->fund->db,
                          "CREATE TEMP TABLE IF NOT EXISTS import_refs ("
                          "ref TEXT PRIMARY KEY, line INTEGER NOT NULL) "
                          "WITHOUT ROWID; DELETE FROM temp.import_refs;",
                          set->diag);
    if (set->err)
        return -1;
    set->spilled = 1;
    for (size_t i = 0; i < set->seen.cap; i++)
        if (set->seen.slots[i].key &&
            spilled_add(set, set->seen.slots[i].key,
                        (long)set->seen.slots[i].value) < 0)
            return -1;
    tf_strmap_release(&set->seen);
    return 0;
}

/* Adds ref; returns 0 if new, the line it was first seen on if not, -1 on
 * failure (set->err, with the reason in set->diag). */
static long refset_add(struct refset *set, const char *ref, long line)
{
    size_t *first;
    int added;

    if (!set->spilled && set->seen.n >= REFSET_MEMORY_MAX && spill(set) < 0)
        return -1;
    if (set->spilled)
        return spilled_add(set, ref, line);
    if (!(first = tf_strmap_put(&set->seen, ref, 0, &added))) {
        set->err = tf_diag_set(set->diag, TF_ERR_NOMEM, "out of memory");
        return -1;
    }
    if (!added)
        return (long)*first;
    *first = (size_t)line;
    return 0;
}

/* ---- Helpers for row functions -------------------------------------- */

/* What a column holds, for reading it in the form the file writes it:
 * ' ' text kept as it is, 'd' a date, 'y' a year or a date, 't' a time,
 * 'a' an amount or a decimal. One character per column of a kind. */
struct row {
    tf_fund *fund;
    tf_csv *csv;
    const tf_import_options *opt;
    tf_diag *diag; /* the message of the error being recorded */
    int known, changed;
    long errors;      /* errors recorded for this row */
    unsigned badcols; /* its columns with an error, told once each */
    tf_error fatal;   /* an error that ends the import */
    tf_error first;   /* the first error of the import */
    tf_diag *out;     /* where the first error goes without a report */
    long total;       /* errors of the import so far */
    long max;         /* errors told before reading stops */
    int any_input;    /* one of them was bad input, not a rule */
};

static const char *get(const struct row *r, size_t col)
{
    const char *v = tf_csv_get(r->csv, col);

    return v ? v : "";
}

/* Errors that concern the row: bad input, or a rule of the books
 * refusing it. Anything else (the disk, the database, memory) ends the
 * import. */
static int row_level(tf_error err)
{
    return err == TF_ERR_INPUT || err == TF_ERR_NOTFOUND || err == TF_ERR_RULE;
}

/* Records the error whose message is in r->diag: counted and reported
 * (or kept as the import's error without a report), or, when it is not
 * the row's fault, kept to end the import. Returns err (an unknown donor
 * and the like as bad input). */
static tf_error row_fail(struct row *r, tf_error err)
{
    if (!row_level(err)) {
        if (!r->fatal)
            r->fatal = err;
        return err;
    }
    if (err == TF_ERR_NOTFOUND)
        err = TF_ERR_INPUT;
    r->errors++;
    if (r->total >= r->max)
        return err; /* reading stops after this row */
    r->total++;
    r->any_input |= err == TF_ERR_INPUT;
    if (!r->first) {
        r->first = err;
        *r->out = *r->diag;
    }
    if (r->opt->report)
        r->opt->report(r->opt->report_ctx, err, r->diag);
    return err;
}

/* An error at column col with a message of its own. */
static tf_error col_fail(struct row *r, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tf_error col_fail(struct row *r, size_t col, const char *fmt, ...)
{
    char msg[sizeof(r->diag->msg)];
    va_list ap;

    r->badcols |= 1u << col;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tf_csv_error(r->csv, col, r->diag, "%s", msg);
    return row_fail(r, TF_ERR_INPUT);
}

/* Turns a message left in sub by a core function into a positioned one
 * and records it. */
static tf_error at(struct row *r, size_t col, tf_error err, const tf_diag *sub)
{
    /* A read-only file, a full disk or no memory is not the field's fault:
     * pointing at a column would send the reader to look for a typo. */
    if (!row_level(err)) {
        tf_diag_at(r->diag, err, NULL, 0, 0, "%s", sub->msg);
        return row_fail(r, err);
    }
    r->badcols |= 1u << col;
    tf_csv_error(r->csv, col, r->diag, "%s", sub->msg);
    return row_fail(r, err);
}

/* A column already refused in this row (its form, a duplicate
 * reference) is not checked again. */
static int told(const struct row *r, size_t col)
{
    return (r->badcols >> col) & 1;
}

static tf_error need(struct row *r, size_t col, const char *what)
{
    if (told(r, col))
        return TF_ERR_INPUT;
    if (!*get(r, col))
        return col_fail(r, col, "%s is empty", what);
    return TF_OK;
}

/* A date refused as YYYY-MM-DD that is one as DD/MM/YYYY or MM/DD/YYYY
 * (a time's date part likewise): the message asks whether the file writes
 * its dates so. */
static void form_hint(const struct row *r, const char *text, tf_diag *sub)
{
    char date[TF_DATE_LEN + 1], buf[TF_DATE_LEN + 1];
    size_t n = strcspn(text, " "), len = strlen(sub->msg);

    if (r->opt->date_form != TF_DATE_YMD || n >= sizeof(date))
        return;
    memcpy(date, text, n);
    date[n] = '\0';
    if (!tf_date_read(buf, date, TF_DATE_DMY, NULL) ||
        !tf_date_read(buf, date, TF_DATE_MDY, NULL))
        snprintf(sub->msg + len, sizeof(sub->msg) - len,
                 " (written DD/MM/YYYY or MM/DD/YYYY?)");
}

static tf_error date_field(struct row *r, size_t col)
{
    tf_diag sub;

    if (told(r, col))
        return TF_ERR_INPUT;
    tf_diag_clear(&sub);
    if (tf_date_check(get(r, col), &sub)) {
        form_hint(r, get(r, col), &sub);
        return at(r, col, TF_ERR_INPUT, &sub);
    }
    return TF_OK;
}

static tf_error currency_field(struct row *r, size_t col,
                               const tf_currency **out)
{
    *out = NULL;
    if (told(r, col))
        return TF_ERR_INPUT;
    *out = tf_currency_find(get(r, col));
    if (!*out)
        return col_fail(r, col, "unknown currency '%s' (ISO 4217 code)",
                        get(r, col));
    return TF_OK;
}

/* Without a decimal comma, an amount such as "1234,56" is refused as
 * today; the message says how a file written so is read. */
static const char *comma_hint(const struct row *r, const char *text)
{
    char plain[64];

    if (r->opt->decimal_comma || !strchr(text, ',') ||
        tf_decimal_comma_read(plain, sizeof(plain), text, "amount", NULL))
        return "";
    return " (written with a decimal comma?)";
}

static tf_error amount_field(struct row *r, size_t col, const tf_currency *cur,
                             int64_t *out)
{
    tf_diag sub;

    if (told(r, col))
        return TF_ERR_INPUT;
    tf_diag_clear(&sub);
    if (tf_amount_parse(out, get(r, col), cur, 0, &sub)) {
        size_t n = strlen(sub.msg);

        snprintf(sub.msg + n, sizeof(sub.msg) - n, "%s",
                 comma_hint(r, get(r, col)));
        return at(r, col, TF_ERR_INPUT, &sub);
    }
    return TF_OK;
}

/* A count such as days. A number too long to be one is out of every
 * range: it is passed on as such, for the rule that knows the range to
 * say so. */
static tf_error count_field(struct row *r, size_t col, int64_t *out,
                            const char *what)
{
    const char *text = get(r, col);
    long v = tf_parse_count(text);

    if (told(r, col))
        return TF_ERR_INPUT;
    if (v < 0 && *text && strspn(text, "0123456789") == strlen(text)) {
        *out = INT64_MAX;
        return TF_OK;
    }
    if (v < 0)
        return col_fail(r, col, "%s '%s' is not a whole number", what, text);
    *out = v;
    return TF_OK;
}

/* ---- Fields in the form the file writes them ------------------------- */

/* Puts each date, time and amount of the row into the form the books
 * keep: dates and times from the file's date form (a time also as
 * "YYYY-MM-DD HH:MM[:SS]", taken as UTC), amounts from a decimal comma.
 * Empty fields stay empty. Returns the number of fields refused. */
static int read_forms(struct row *r, const char *types)
{
    int bad = 0;

    for (size_t col = 0; types[col]; col++) {
        const char *v = tf_csv_get(r->csv, col);
        char buf[128];
        tf_diag sub;
        tf_error err = TF_OK;

        if (!v || !*v || types[col] == ' ')
            continue;
        tf_diag_clear(&sub);
        switch (types[col]) {
        case 'y': /* a bare year stays one */
            if (strlen(v) == 4 && strspn(v, "0123456789") == 4)
                continue;
            /* fall through */
        case 'd':
            if (r->opt->date_form == TF_DATE_YMD)
                continue;
            err = tf_date_read(buf, v, r->opt->date_form, &sub);
            break;
        case 't':
            if ((err = tf_time_read(buf, v, r->opt->date_form, &sub)))
                form_hint(r, v, &sub);
            break;
        case 'a':
            if (!r->opt->decimal_comma)
                continue;
            err = tf_decimal_comma_read(buf, sizeof(buf), v, "amount", &sub);
            break;
        }
        if (err) {
            at(r, col, err, &sub);
            bad++;
        } else if ((err = tf_csv_set(r->csv, col, buf, &sub))) {
            at(r, col, err, &sub);
            return bad + 1;
        }
    }
    return bad;
}

/* ---- Countries ------------------------------------------------------ */

static tf_error row_country(struct row *r)
{
    tf_country c;
    tf_diag sub;
    tf_error err;

    if (r->errors)
        return TF_ERR_INPUT;
    if ((err = tf_country_read(r->csv, &c, r->diag)))
        return row_fail(r, err);
    tf_diag_clear(&sub);
    if ((err = tf_country_put(r->fund, &c, &r->changed, &sub)))
        return at(r, TF_CC_ISO3, err, &sub);
    r->known = r->changed == 0;
    return TF_OK;
}

/* ---- Rates ---------------------------------------------------------- */

enum { R_CUR, R_DATE, R_RATE };
static const tf_csv_column rate_cols[] = {
    {"currency", 1}, {"date", 1}, {"per_usd", 1}};

static tf_error row_rate(struct row *r)
{
    const tf_currency *cur;
    char canon[64];
    tf_diag sub;
    tf_error err;

    currency_field(r, R_CUR, &cur);
    date_field(r, R_DATE);
    tf_diag_clear(&sub);
    if (!told(r, R_RATE) &&
        tf_decimal_parse(canon, sizeof(canon), get(r, R_RATE), 0, &sub))
        at(r, R_RATE, TF_ERR_INPUT, &sub);
    if (r->errors)
        return TF_ERR_INPUT;
    tf_diag_clear(&sub);
    if ((err = tf_rate_add(r->fund, cur->code, get(r, R_DATE), canon, &r->known,
                           &sub)))
        return at(r,
                  strstr(sub.msg, "USD itself") ? R_CUR
                  : err == TF_ERR_RULE          ? R_DATE
                                                : R_RATE,
                  err, &sub);
    return TF_OK;
}

/* ---- Donors --------------------------------------------------------- */

enum { D_ID, D_NAME, D_TYPE, D_COUNTRY };
static const tf_csv_column donor_cols[] = {
    {"id", 1}, {"name", 1}, {"type", 1}, {"country", 0}};

static tf_error row_donor(struct row *r)
{
    tf_donor d = {get(r, D_ID), get(r, D_NAME), get(r, D_TYPE),
                  get(r, D_COUNTRY)};
    tf_diag sub;
    tf_error err;
    size_t col = D_ID;

    if (r->errors)
        return TF_ERR_INPUT;
    tf_diag_clear(&sub);
    err = tf_donor_add(r->fund, &d, &r->known, &sub);
    if (!err)
        return TF_OK;
    if (strstr(sub.msg, "name"))
        col = D_NAME;
    else if (strstr(sub.msg, "type"))
        col = D_TYPE;
    else if (strstr(sub.msg, "country"))
        col = D_COUNTRY;
    return at(r, col, err, &sub);
}

/* ---- Pledges -------------------------------------------------------- */

enum { P_REF, P_DONOR, P_DATE, P_AMOUNT, P_CUR, P_POOL, P_DUE };
static const tf_csv_column pledge_cols[] = {
    {"ref", 1},      {"donor", 1}, {"date", 1}, {"amount", 1},
    {"currency", 1}, {"pool", 1},  {"due", 0}};

static tf_error row_pledge(struct row *r)
{
    const tf_currency *cur;
    tf_pledge p;
    tf_diag sub;
    tf_error err;
    size_t col = P_REF;

    memset(&p, 0, sizeof(p));
    need(r, P_REF, "ref");
    need(r, P_DONOR, "donor");
    date_field(r, P_DATE);
    if (!currency_field(r, P_CUR, &cur) &&
        !amount_field(r, P_AMOUNT, cur, &p.amount) && p.amount == 0)
        col_fail(r, P_AMOUNT, "a pledge must be positive");
    if (!told(r, P_POOL) && tf_pool_find(get(r, P_POOL)) < 0)
        col_fail(r, P_POOL, "pool '%s' is not one of %s", get(r, P_POOL),
                 tf_pool_list());
    if (*get(r, P_DUE))
        date_field(r, P_DUE);
    if (r->errors)
        return TF_ERR_INPUT;
    p.ref = get(r, P_REF);
    p.donor = get(r, P_DONOR);
    p.date = get(r, P_DATE);
    p.currency = cur->code;
    p.pool = get(r, P_POOL);
    p.due = *get(r, P_DUE) ? get(r, P_DUE) : NULL;
    tf_diag_clear(&sub);
    err = tf_pledge_add(r->fund, &p, &r->known, &sub);
    if (!err)
        return TF_OK;
    if (strstr(sub.msg, "donor"))
        col = P_DONOR;
    else if (strstr(sub.msg, "due"))
        col = P_DUE;
    else if (strstr(sub.msg, "rate") || strstr(sub.msg, "closed through"))
        col = P_DATE;
    else if (!strncmp(sub.msg, "pledge amount ", 14))
        col = P_AMOUNT;
    return at(r, col, err, &sub);
}

/* ---- Receipts ------------------------------------------------------- */

enum { RC_REF, RC_DATE, RC_AMOUNT, RC_CUR, RC_PLEDGE, RC_DONOR, RC_POOL };
static const tf_csv_column receipt_cols[] = {
    {"ref", 1},    {"date", 1},  {"amount", 1}, {"currency", 1},
    {"pledge", 0}, {"donor", 0}, {"pool", 0}};

static tf_error row_receipt(struct row *r)
{
    static const size_t field_col[] = {
        [TF_RF_NONE] = RC_REF,     [TF_RF_REF] = RC_REF,
        [TF_RF_DATE] = RC_DATE,    [TF_RF_AMOUNT] = RC_AMOUNT,
        [TF_RF_CURRENCY] = RC_CUR, [TF_RF_PLEDGE] = RC_PLEDGE,
        [TF_RF_DONOR] = RC_DONOR,  [TF_RF_POOL] = RC_POOL};
    tf_receipt_field field = TF_RF_NONE;
    const tf_currency *cur;
    tf_receipt rc;
    tf_diag sub;
    tf_error err;
    size_t col;

    memset(&rc, 0, sizeof(rc));
    need(r, RC_REF, "ref");
    date_field(r, RC_DATE);
    if (!currency_field(r, RC_CUR, &cur) &&
        !amount_field(r, RC_AMOUNT, cur, &rc.amount) && rc.amount == 0)
        col_fail(r, RC_AMOUNT, "a receipt must be positive");
    if (r->errors)
        return TF_ERR_INPUT;
    rc.ref = get(r, RC_REF);
    rc.date = get(r, RC_DATE);
    rc.currency = cur->code;
    rc.pledge = get(r, RC_PLEDGE);
    rc.donor = get(r, RC_DONOR);
    rc.pool = get(r, RC_POOL);
    tf_diag_clear(&sub);
    err = tf_receipt_add(r->fund, &rc, &r->known, &field, &sub);
    if (!err)
        return TF_OK;
    col = field_col[field];
    /* A refusal of the ledger (a closed period) concerns the date. */
    if (field == TF_RF_NONE && strstr(sub.msg, "closed through"))
        col = RC_DATE;
    /* A column the file lacks cannot be pointed at; name the reference. */
    if (!tf_csv_colno(r->csv, col))
        col = RC_REF;
    return at(r, col, err, &sub);
}

/* ---- Sessions ------------------------------------------------------- */

enum {
    S_ID,
    S_NAME,
    S_VENUE,
    S_START,
    S_DAYS,
    S_DSA,
    S_TERMINAL,
    S_EXTRA,
    S_BUDGET
};
static const tf_csv_column session_cols[] = {
    {"id", 1},       {"name", 1},       {"venue", 1},
    {"start", 1},    {"days", 1},       {"dsa", 1},
    {"terminal", 1}, {"extra_days", 0}, {"travel_budget", 0}};

static tf_error row_session(struct row *r)
{
    const tf_currency *base = tf_fund_base(r->fund);
    tf_session s;
    tf_diag sub;
    tf_error err;
    size_t col = S_ID;

    memset(&s, 0, sizeof(s));
    s.extra_days = 1;
    s.travel_budget = -1;
    need(r, S_ID, "id");
    need(r, S_NAME, "name");
    need(r, S_VENUE, "venue");
    date_field(r, S_START);
    count_field(r, S_DAYS, &s.days, "days");
    amount_field(r, S_DSA, base, &s.dsa);
    amount_field(r, S_TERMINAL, base, &s.terminal);
    if (*get(r, S_EXTRA))
        count_field(r, S_EXTRA, &s.extra_days, "extra_days");
    if (*get(r, S_BUDGET))
        amount_field(r, S_BUDGET, base, &s.travel_budget);
    if (r->errors)
        return TF_ERR_INPUT;
    s.id = get(r, S_ID);
    s.name = get(r, S_NAME);
    s.venue = get(r, S_VENUE);
    s.start = get(r, S_START);
    tf_diag_clear(&sub);
    err = tf_session_add(r->fund, &s, &r->known, &sub);
    if (!err)
        return TF_OK;
    if (strstr(sub.msg, "extra_days"))
        col = S_EXTRA;
    else if (!strncmp(sub.msg, "dsa ", 4))
        col = S_DSA;
    else if (!strncmp(sub.msg, "terminal ", 9))
        col = S_TERMINAL;
    else if (!strncmp(sub.msg, "travel_budget ", 14))
        col = S_BUDGET;
    else if (strstr(sub.msg, "days"))
        col = S_DAYS;
    return at(r, col, err, &sub);
}

/* ---- Requests and costs -------------------------------------------- */

enum {
    Q_REF,
    Q_SESSION,
    Q_COUNTRY,
    Q_DELEGATE,
    Q_SUBMITTED,
    Q_FARE,
    Q_FARE_CUR,
    Q_GENDER
};
static const tf_csv_column request_cols[] = {
    {"ref", 1},       {"session", 1}, {"country", 1},       {"delegate", 1},
    {"submitted", 1}, {"fare", 1},    {"fare_currency", 1}, {"gender", 0}};

static tf_error row_request(struct row *r)
{
    const tf_currency *cur;
    const char *field = NULL;
    tf_request q;
    tf_diag sub;
    tf_error err;

    memset(&q, 0, sizeof(q));
    need(r, Q_REF, "ref");
    if (!currency_field(r, Q_FARE_CUR, &cur))
        amount_field(r, Q_FARE, cur, &q.fare_orig);
    if (r->errors)
        return TF_ERR_INPUT;
    q.ref = get(r, Q_REF);
    q.session = get(r, Q_SESSION);
    q.country = get(r, Q_COUNTRY);
    q.delegate = get(r, Q_DELEGATE);
    q.submitted = get(r, Q_SUBMITTED);
    q.fare_currency = cur->code;
    q.gender = get(r, Q_GENDER);
    tf_diag_clear(&sub);
    err = tf_request_add(r->fund, &q, &r->known, &field, &sub);
    if (!err)
        return TF_OK;
    for (size_t i = 0;
         field && i < sizeof(request_cols) / sizeof(request_cols[0]); i++)
        if (!strcmp(field, request_cols[i].name) && tf_csv_colno(r->csv, i))
            return at(r, i, err, &sub);
    return at(r, Q_REF, err, &sub);
}

enum { K_REF, K_DATE, K_AMOUNT, K_CUR };
static const tf_csv_column cost_cols[] = {
    {"ref", 1}, {"date", 1}, {"amount", 1}, {"currency", 1}};

static tf_error row_cost(struct row *r)
{
    const tf_currency *cur;
    int64_t amount = 0;
    tf_diag sub;
    tf_error err;

    need(r, K_REF, "ref");
    date_field(r, K_DATE);
    if (!currency_field(r, K_CUR, &cur))
        amount_field(r, K_AMOUNT, cur, &amount);
    if (r->errors)
        return TF_ERR_INPUT;
    tf_diag_clear(&sub);
    if ((err = tf_cost_add(r->fund, get(r, K_REF), get(r, K_DATE), amount,
                           cur->code, &r->known, &sub)))
        return at(r, strncmp(sub.msg, "actual cost ", 12) ? K_REF : K_AMOUNT,
                  err, &sub);
    return TF_OK;
}

/* ---- Preparation spending ------------------------------------------ */

enum { X_REF, X_DATE, X_AMOUNT, X_CUR, X_MEMO };
static const tf_csv_column spend_cols[] = {
    {"ref", 1}, {"date", 1}, {"amount", 1}, {"currency", 1}, {"memo", 0}};

static tf_error row_spend(struct row *r)
{
    const tf_currency *cur;
    tf_spend s;
    tf_diag sub;
    tf_error err;

    memset(&s, 0, sizeof(s));
    need(r, X_REF, "ref");
    date_field(r, X_DATE);
    if (!currency_field(r, X_CUR, &cur) &&
        !amount_field(r, X_AMOUNT, cur, &s.amount) && s.amount == 0)
        col_fail(r, X_AMOUNT, "spending must be positive");
    if (r->errors)
        return TF_ERR_INPUT;
    s.ref = get(r, X_REF);
    s.date = get(r, X_DATE);
    s.currency = cur->code;
    s.memo = get(r, X_MEMO);
    tf_diag_clear(&sub);
    if ((err = tf_spend_add(r->fund, &s, &r->known, &sub)))
        return at(r,
                  err == TF_ERR_RULE || strstr(sub.msg, "is too large")
                      ? X_AMOUNT
                      : X_REF,
                  err, &sub);
    return TF_OK;
}

/* ---- The table of kinds --------------------------------------------- */

struct kind {
    const char *name;
    const tf_csv_column *cols;
    size_t ncols;
    const char *types; /* what each column holds (struct row) */
    int ref_col;       /* -1: no in-file duplicate check */
    tf_error (*row)(struct row *r);
    const char *about;   /* a line for the help */
    const char *example; /* a row */
};

#define COLS(a) a, sizeof(a) / sizeof(a[0])
static const struct kind kinds[] = {
    {"countries", tf_country_columns, TF_COUNTRY_NCOLS, "     yd   ",
     TF_CC_ISO3, row_country,
     "the country classification (replaces the rows it names)",
     "NPL,524,Nepal,member,Asia-Pacific,1971,2026-11-24,0,1,1"},
    {"rates", COLS(rate_cols), " da", -1, row_rate,
     "UN operational rates: units of the currency per 1 USD",
     "EUR,2017-01-01,0.9506"},
    {"donors", COLS(donor_cols), "    ", D_ID, row_donor,
     "type: state, igo, private, foundation or other",
     "norway,Norway,state,NOR"},
    {"pledges", COLS(pledge_cols), "  da  d", P_REF, row_pledge,
     "signed agreements; pool: unrestricted, travel, ldc-travel or prep",
     "P-001,norway,2017-01-16,1500000.00,NOK,travel,2017-03-31"},
    {"receipts", COLS(receipt_cols), " da    ", RC_REF, row_receipt,
     "money received, against a pledge or (with a donor) without one",
     "R-001,2017-02-20,1500000.00,NOK,P-001,,"},
    {"sessions", COLS(session_cols), "   d aa a", S_ID, row_session,
     "meetings; dsa, terminal and travel_budget in the base currency",
     "its1,Thematic session 1,Geneva,2017-05-08,2,402,110,1,"},
    {"requests", COLS(request_cols), "    ta  ", Q_REF, row_request,
     "travel requests",
     "Q-001,its1,NPL,Sita Rai,2017-03-20T09:00:00Z,1450.00,USD,F"},
    {"costs", COLS(cost_cols), " da ", K_REF, row_cost,
     "the actual cost of funded travel, paid by 'tfund disburse'",
     "Q-001,2017-05-20,2600.00,USD"},
    {"spend", COLS(spend_cols), " da  ", X_REF, row_spend,
     "conference-preparation spending from pool prep, with PSC",
     "SP-01,2018-02-26,14250.00,USD,Zero draft: translation"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const char *const tf_import_kinds[] = {
    "countries", "rates",    "donors", "pledges", "receipts",
    "sessions",  "requests", "costs",  "spend",   NULL};

static const struct kind *find_kind(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

int tf_import_kind_info(size_t i, tf_import_kind *out)
{
    if (i >= NKINDS)
        return -1;
    out->name = kinds[i].name;
    out->cols = kinds[i].cols;
    out->ncols = kinds[i].ncols;
    out->about = kinds[i].about;
    out->example = kinds[i].example;
    return 0;
}

static tf_error unknown_kind(const char *kind, tf_diag *diag)
{
    char names[200];
    size_t used = 0;

    names[0] = '\0';
    for (size_t i = 0; i < NKINDS && used < sizeof(names); i++)
        used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                                 i ? ", " : "", kinds[i].name);
    return tf_diag_set(diag, TF_ERR_USAGE, "cannot import '%s': kinds are %s",
                       kind, names);
}

tf_error tf_import_check_kind(const char *kind, tf_diag *diag)
{
    return find_kind(kind) ? TF_OK : unknown_kind(kind, diag);
}

void tf_import_options_init(tf_import_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->delimiter = ',';
    opt->date_form = TF_DATE_YMD;
    opt->max_errors = 1;
}

/* ---- The import ----------------------------------------------------- */

/* The reference of the row, checked against the rows before it in the
 * file: 0 when new, else the error recorded (or a failure of the set). */
static tf_error check_duplicate(struct row *r, const struct kind *k,
                                struct refset *seen)
{
    long first;

    if (k->ref_col >= 0) {
        const char *ref = get(r, (size_t)k->ref_col);

        if ((first = refset_add(seen, ref, tf_csv_line(r->csv))) < 0)
            return r->fatal = seen->err;
        if (first > 0 && *ref)
            return col_fail(r, (size_t)k->ref_col,
                            "duplicate reference '%s' (first on line %ld)", ref,
                            first);
    } else {
        /* Rates are keyed by currency and date. */
        char key[64];

        snprintf(key, sizeof(key), "%s %s", get(r, R_CUR), get(r, R_DATE));
        if ((first = refset_add(seen, key, tf_csv_line(r->csv))) < 0)
            return r->fatal = seen->err;
        if (first > 0)
            return col_fail(r, R_DATE,
                            "a second %s rate for %s (first on line %ld)",
                            get(r, R_CUR), get(r, R_DATE), first);
    }
    return TF_OK;
}

/* A fault of the file itself, found by the reader: recorded like a row's
 * error; the import goes on when the reader can. */
static void record_fault(struct row *r, tf_error err)
{
    row_fail(r, err);
    if (row_level(err) && tf_csv_spent(r->csv) && !r->fatal)
        r->fatal = err;
}

tf_error tf_import_csv_with(tf_fund *fund, const char *kind, tf_csv *csv,
                            const tf_import_options *opt, tf_import_result *res,
                            tf_import_progress progress, void *ctx,
                            tf_diag *diag)
{
    const struct kind *k = find_kind(kind);
    struct refset seen = {{NULL, 0, 0}, fund, 0, TF_OK, diag};
    tf_import_options defaults;
    tf_diag scratch;
    struct row r;
    tf_error err;
    long max;
    int has_row;

    memset(res, 0, sizeof(*res));
    if (!k)
        return unknown_kind(kind, diag);
    if (!opt) {
        tf_import_options_init(&defaults);
        opt = &defaults;
    }
    max = opt->report && opt->max_errors > 1 ? opt->max_errors : 1;
    if (opt->encoding && (err = tf_csv_set_encoding(csv, opt->encoding, diag)))
        return err;
    if (opt->delimiter != ',')
        tf_csv_set_delimiter(csv, opt->delimiter);
    err = tf_csv_header(csv, k->cols, k->ncols, diag);
    res->delimiter = tf_csv_delimiter(csv);
    res->delimiter_detected = tf_csv_delimiter_detected(csv);
    if (res->delimiter_detected && opt->report) {
        tf_diag_clear(&scratch);
        tf_diag_at(&scratch, TF_OK, tf_csv_path(csv), 0, 0,
                   "fields separated by %s (found in the header row)",
                   res->delimiter == '\t' ? "tabs" : "';'");
        opt->report(opt->report_ctx, TF_OK, &scratch);
    }
    if (err)
        return err;

    memset(&r, 0, sizeof(r));
    r.fund = fund;
    r.csv = csv;
    r.opt = opt;
    r.diag = &scratch;
    r.out = diag;
    r.max = max;
    seen.diag = &scratch;
    while (!r.fatal && r.total < max) {
        tf_diag_clear(&scratch);
        r.errors = 0;
        r.badcols = 0;
        if ((err = tf_csv_next(csv, &has_row, &scratch))) {
            record_fault(&r, err);
            continue;
        }
        if (!has_row)
            break;
        res->rows++;
        r.known = 0;
        r.changed = 0;
        /* Every column is checked, and the row goes into the books only
         * when none was refused. */
        check_duplicate(&r, k, &seen);
        if (!r.fatal)
            read_forms(&r, k->types);
        if (!r.fatal && (err = k->row(&r)) && !r.errors)
            row_fail(&r, err);
        if (r.fatal)
            break;
        if (r.errors)
            continue;
        if (r.known)
            res->known++;
        else if (r.changed == 2)
            res->updated++;
        else
            res->added++;
        if (progress && res->rows % 5000 == 0)
            progress(ctx, res->rows);
    }
    tf_strmap_release(&seen.seen);
    res->errors = r.total;
    if (r.fatal && !row_level(r.fatal)) {
        /* The disk, the database or memory: its message, not the rows'. */
        *diag = scratch;
        return r.fatal;
    }
    if (!r.total)
        return TF_OK;
    if (max > 1 && r.total >= max)
        res->stopped = 1;
    else if (tf_csv_spent(csv))
        res->stopped = 2;
    if (opt->report)
        tf_diag_set(diag, r.any_input ? TF_ERR_INPUT : TF_ERR_RULE,
                    "%ld error%s in the file", r.total,
                    r.total == 1 ? "" : "s");
    return r.any_input ? TF_ERR_INPUT : TF_ERR_RULE;
}

tf_error tf_import_csv(tf_fund *fund, const char *kind, tf_csv *csv,
                       tf_import_result *res, tf_import_progress progress,
                       void *ctx, tf_diag *diag)
{
    return tf_import_csv_with(fund, kind, csv, NULL, res, progress, ctx, diag);
}

tf_error tf_import_file_with(tf_fund *fund, const char *kind, const char *path,
                             const tf_import_options *opt,
                             tf_import_result *res, tf_import_progress progress,
                             void *ctx, tf_diag *diag)
{
    tf_csv *csv = NULL;
    tf_error err;

    memset(res, 0, sizeof(*res));
    if (!find_kind(kind))
        return unknown_kind(kind, diag);
    if ((err = tf_csv_open(&csv, path, diag)))
        return err;
    if ((err = tf_fund_begin(fund, diag)))
        goto done;
    err = tf_import_csv_with(fund, kind, csv, opt, res, progress, ctx, diag);
    if (err)
        tf_fund_rollback(fund);
    else
        err = tf_fund_commit(fund, diag);
done:
    tf_csv_free(csv);
    return err;
}

tf_error tf_import_file(tf_fund *fund, const char *kind, const char *path,
                        tf_import_result *res, tf_import_progress progress,
                        void *ctx, tf_diag *diag)
{
    return tf_import_file_with(fund, kind, path, NULL, res, progress, ctx,
                               diag);
}
