/* SPDX-License-Identifier: MIT */
/*
 * CSV imports: one column table and one row function per kind of file.
 * The importer reads files of every kind of record, from reference data
 * to preparation spending, so it sits above the layers whose records it
 * writes (src/records, src/grants, src/close).
 */
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

struct row {
    tf_fund *fund;
    tf_csv *csv;
    tf_diag *diag;
    int known, changed;
};

static const char *get(const struct row *r, size_t col)
{
    const char *v = tf_csv_get(r->csv, col);

    return v ? v : "";
}

/* Turns a message left in sub by a core function into a positioned one. */
static tf_error at(const struct row *r, size_t col, tf_error err,
                   const tf_diag *sub)
{
    tf_error e;

    /* A read-only file, a full disk or no memory is not the field's fault:
     * pointing at a column would send the reader to look for a typo. */
    if (err == TF_ERR_IO || err == TF_ERR_FULL || err == TF_ERR_BUSY ||
        err == TF_ERR_NOMEM)
        return tf_diag_at(r->diag, err, NULL, 0, 0, "%s", sub->msg);
    e = tf_csv_error(r->csv, col, r->diag, "%s", sub->msg);

    (void)e;
    /* Unknown donors and the like are bad input here, not a lookup. */
    return err == TF_ERR_NOTFOUND ? TF_ERR_INPUT : err;
}

static tf_error need(const struct row *r, size_t col, const char *what)
{
    if (!*get(r, col))
        return tf_csv_error(r->csv, col, r->diag, "%s is empty", what);
    return TF_OK;
}

static tf_error date_field(const struct row *r, size_t col)
{
    tf_diag sub;

    tf_diag_clear(&sub);
    if (tf_date_check(get(r, col), &sub))
        return at(r, col, TF_ERR_INPUT, &sub);
    return TF_OK;
}

static tf_error currency_field(const struct row *r, size_t col,
                               const tf_currency **out)
{
    *out = tf_currency_find(get(r, col));
    if (!*out)
        return tf_csv_error(r->csv, col, r->diag,
                            "unknown currency '%s' (ISO 4217 code)",
                            get(r, col));
    return TF_OK;
}

static tf_error amount_field(const struct row *r, size_t col,
                             const tf_currency *cur, int64_t *out)
{
    tf_diag sub;

    tf_diag_clear(&sub);
    if (tf_amount_parse(out, get(r, col), cur, 0, &sub))
        return at(r, col, TF_ERR_INPUT, &sub);
    return TF_OK;
}

static tf_error count_field(const struct row *r, size_t col, int64_t *out,
                            const char *what)
{
    long v = tf_parse_count(get(r, col));

    if (v < 0)
        return tf_csv_error(r->csv, col, r->diag,
                            "%s '%s' is not a whole number", what, get(r, col));
    *out = v;
    return TF_OK;
}

/* ---- Countries ------------------------------------------------------ */

static tf_error row_country(struct row *r)
{
    tf_country c;
    tf_diag sub;
    tf_error err;

    if ((err = tf_country_read(r->csv, &c, r->diag)))
        return err;
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

    if ((err = currency_field(r, R_CUR, &cur)) || (err = date_field(r, R_DATE)))
        return err;
    tf_diag_clear(&sub);
    if (tf_decimal_parse(canon, sizeof(canon), get(r, R_RATE), 0, &sub))
        return at(r, R_RATE, TF_ERR_INPUT, &sub);
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
    if ((err = need(r, P_REF, "ref")) || (err = need(r, P_DONOR, "donor")) ||
        (err = date_field(r, P_DATE)) ||
        (err = currency_field(r, P_CUR, &cur)) ||
        (err = amount_field(r, P_AMOUNT, cur, &p.amount)))
        return err;
    if (p.amount == 0)
        return tf_csv_error(r->csv, P_AMOUNT, r->diag,
                            "a pledge must be positive");
    if (tf_pool_find(get(r, P_POOL)) < 0)
        return tf_csv_error(r->csv, P_POOL, r->diag,
                            "pool '%s' is not one of %s", get(r, P_POOL),
                            tf_pool_list());
    if (*get(r, P_DUE) && (err = date_field(r, P_DUE)))
        return err;
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
    if ((err = need(r, RC_REF, "ref")) || (err = date_field(r, RC_DATE)) ||
        (err = currency_field(r, RC_CUR, &cur)) ||
        (err = amount_field(r, RC_AMOUNT, cur, &rc.amount)))
        return err;
    if (rc.amount == 0)
        return tf_csv_error(r->csv, RC_AMOUNT, r->diag,
                            "a receipt must be positive");
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
    if ((err = need(r, S_ID, "id")) || (err = need(r, S_NAME, "name")) ||
        (err = need(r, S_VENUE, "venue")) || (err = date_field(r, S_START)) ||
        (err = count_field(r, S_DAYS, &s.days, "days")) ||
        (err = amount_field(r, S_DSA, base, &s.dsa)) ||
        (err = amount_field(r, S_TERMINAL, base, &s.terminal)))
        return err;
    if (*get(r, S_EXTRA) &&
        (err = count_field(r, S_EXTRA, &s.extra_days, "extra_days")))
        return err;
    if (*get(r, S_BUDGET) &&
        (err = amount_field(r, S_BUDGET, base, &s.travel_budget)))
        return err;
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
    if ((err = need(r, Q_REF, "ref")) ||
        (err = currency_field(r, Q_FARE_CUR, &cur)) ||
        (err = amount_field(r, Q_FARE, cur, &q.fare_orig)))
        return err;
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
    int64_t amount;
    tf_diag sub;
    tf_error err;

    if ((err = need(r, K_REF, "ref")) || (err = date_field(r, K_DATE)) ||
        (err = currency_field(r, K_CUR, &cur)) ||
        (err = amount_field(r, K_AMOUNT, cur, &amount)))
        return err;
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
    if ((err = need(r, X_REF, "ref")) || (err = date_field(r, X_DATE)) ||
        (err = currency_field(r, X_CUR, &cur)) ||
        (err = amount_field(r, X_AMOUNT, cur, &s.amount)))
        return err;
    if (s.amount == 0)
        return tf_csv_error(r->csv, X_AMOUNT, r->diag,
                            "spending must be positive");
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
    int ref_col; /* -1: no in-file duplicate check */
    tf_error (*row)(struct row *r);
};

#define COLS(a) a, sizeof(a) / sizeof(a[0])
static const struct kind kinds[] = {
    {"countries", tf_country_columns, TF_COUNTRY_NCOLS, TF_CC_ISO3,
     row_country},
    {"rates", COLS(rate_cols), -1, row_rate},
    {"donors", COLS(donor_cols), D_ID, row_donor},
    {"pledges", COLS(pledge_cols), P_REF, row_pledge},
    {"receipts", COLS(receipt_cols), RC_REF, row_receipt},
    {"sessions", COLS(session_cols), S_ID, row_session},
    {"requests", COLS(request_cols), Q_REF, row_request},
    {"costs", COLS(cost_cols), K_REF, row_cost},
    {"spend", COLS(spend_cols), X_REF, row_spend},
};

const char *const tf_import_kinds[] = {
    "countries", "rates",    "donors", "pledges", "receipts",
    "sessions",  "requests", "costs",  "spend",   NULL};

static const struct kind *find_kind(const char *name)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

tf_error tf_import_csv(tf_fund *fund, const char *kind, tf_csv *csv,
                       tf_import_result *res, tf_import_progress progress,
                       void *ctx, tf_diag *diag)
{
    const struct kind *k = find_kind(kind);
    struct refset seen = {{NULL, 0, 0}, fund, 0, TF_OK, diag};
    struct row r = {fund, csv, diag, 0, 0};
    tf_error err;
    int has_row;

    memset(res, 0, sizeof(*res));
    if (!k)
        return tf_diag_set(diag, TF_ERR_USAGE,
                           "cannot import '%s': kinds are countries, rates, "
                           "donors, pledges, receipts, sessions, requests, "
                           "costs, spend",
                           kind);
    if ((err = tf_csv_header(csv, k->cols, k->ncols, diag)))
        return err;
    for (;;) {
        if ((err = tf_csv_next(csv, &has_row, diag)) || !has_row)
            break;
        res->rows++;
        if (k->ref_col >= 0) {
            long first = refset_add(&seen, get(&r, (size_t)k->ref_col),
                                    tf_csv_line(csv));
            if (first < 0) {
                err = seen.err;
                break;
            }
            if (first > 0 && *get(&r, (size_t)k->ref_col)) {
                err = tf_csv_error(csv, (size_t)k->ref_col, diag,
                                   "duplicate reference '%s' (first on line "
                                   "%ld)",
                                   get(&r, (size_t)k->ref_col), first);
                break;
            }
        } else {
            /* Rates are keyed by currency and date. */
            char key[64];
            long first;
            snprintf(key, sizeof(key), "%s %s", get(&r, R_CUR),
                     get(&r, R_DATE));
            first = refset_add(&seen, key, tf_csv_line(csv));
            if (first < 0) {
                err = seen.err;
                break;
            }
            if (first > 0) {
                err = tf_csv_error(csv, R_DATE, diag,
                                   "a second %s rate for %s (first on line "
                                   "%ld)",
                                   get(&r, R_CUR), get(&r, R_DATE), first);
                break;
            }
        }
        r.known = 0;
        r.changed = 0;
        if ((err = k->row(&r)))
            break;
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
    return err;
}

tf_error tf_import_file(tf_fund *fund, const char *kind, const char *path,
                        tf_import_result *res, tf_import_progress progress,
                        void *ctx, tf_diag *diag)
{
    tf_csv *csv = NULL;
    tf_error err;

    memset(res, 0, sizeof(*res));
    if (!find_kind(kind))
        return tf_diag_set(diag, TF_ERR_USAGE,
                           "cannot import '%s': kinds are countries, rates, "
                           "donors, pledges, receipts, sessions, requests, "
                           "costs, spend",
                           kind);
    if ((err = tf_csv_open(&csv, path, diag)))
        return err;
    if ((err = tf_fund_begin(fund, diag)))
        goto done;
    err = tf_import_csv(fund, kind, csv, res, progress, ctx, diag);
    if (err)
        tf_fund_rollback(fund);
    else
        err = tf_fund_commit(fund, diag);
done:
    tf_csv_free(csv);
    return err;
}
