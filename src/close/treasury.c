/* SPDX-License-Identifier: MIT */
/*
 * The fund's own cash movements (include/tfund/treasury.h,
 * docs/treasury.md): PSC remitted to the UN, split over the pools that
 * owe it, and interest earned on the bank balance, credited to a pool.
 * The recipes (src/books/chart.c) decide the accounts; this module decides
 * whether a remittance or interest may be booked, and how a remittance is
 * split.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "books/chart_sql.h"
#include "books/fund_internal.h"
#include "tfund/date.h"
#include "tfund/surplus.h"
#include "tfund/treasury.h"

/* ---- Shared ---------------------------------------------------------- */

/* The fields every treasury entry has, before anything is looked up. */
static tf_error form(const char *what, const char *date, int64_t amount,
                     const char *ref, const char *memo, tf_diag *diag)
{
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if (amount <= 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "%s must be positive", what);
    if (ref && tf_ref_check(what, ref, diag))
        return TF_ERR_INPUT;
    if (memo && strlen(memo) > 500)
        return tf_diag_set(diag, TF_ERR_INPUT, "memo is longer than 500 bytes");
    return TF_OK;
}

/*
 * An entry of kind already booked under ref: *found, with its date and
 * the sum of its postings to account (sign-adjusted by the caller) in
 * *date and *amount. Nothing when ref is NULL.
 */
static tf_error known_ref(tf_fund *fund, tf_kind kind, tf_account account,
                          const char *ref, int *found, char *date, size_t size,
                          int64_t *amount, char *pool, size_t pool_size,
                          tf_diag *diag)
{
    tf_stmt *st;
    int rc;

    *found = 0;
    if (!ref)
        return TF_OK;
    st = tf_db_prepare(fund->db,
                       "SELECT e.date, coalesce(sum(p.amount), 0), "
                       "min(p.pool) FROM entries e JOIN postings p ON "
                       "p.entry = e.id WHERE e.kind = ?1 AND e.ref = ?2 AND "
                       "p.account = ?3 GROUP BY e.id",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, tf_kind_name(kind));
    tf_stmt_text(st, 2, ref);
    tf_stmt_text(st, 3, tf_account_info(account)->name);
    rc = tf_stmt_step(st);
    if (rc > 0) {
        *found = 1;
        snprintf(date, size, "%s", tf_col_text(st, 0));
        *amount = tf_col_int(st, 1);
        if (pool)
            snprintf(pool, pool_size, "%s", tf_col_text(st, 2));
    }
    return tf_stmt_done(st, rc, diag);
}

/* Posts the draft d, its entry id into *entry. */
static tf_error post(tf_fund *fund, tf_draft *d, int64_t *entry, tf_diag *diag)
{
    tf_error err = tf_draft_check(d, diag);

    if (!err)
        err = tf_ledger_post(fund, &d->entry, entry, diag);
    tf_draft_release(d);
    return err;
}

/* ---- PSC --------------------------------------------------------------- */

/* What each pool owes the UN as of as_of (NULL: now): the credit balance
 * of its PSC payable. */
static tf_error payable(tf_fund *fund, const char *as_of,
                        int64_t owed[TF_POOL_COUNT], tf_diag *diag)
{
    const char *account = tf_account_info(TF_ACCT_PSC_PAYABLE)->name;
    tf_error err;

    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t balance;
        if ((err = tf_ledger_balance(fund, account, tf_pools[k], as_of,
                                     &balance, diag)))
            return err;
        owed[k] = -balance;
    }
    return TF_OK;
}

tf_error tf_psc_figures_get(tf_fund *fund, const char *as_of,
                            tf_psc_figures figs[TF_POOL_COUNT], tf_diag *diag)
{
    /* What the remittances paid, net of their reversals. */
    static const char paid_sql[] =
        "SELECT p.pool, sum(p.amount) FROM entries e JOIN postings p ON "
        "p.entry = e.id LEFT JOIN entries o ON o.id = e.reverses WHERE "
        "p.account = " TF_SQL_PSC_PAYABLE " AND (e.kind = "
        "" TF_SQL_KIND_PSC_PAYMENT " OR o.kind = " TF_SQL_KIND_PSC_PAYMENT
        ") AND (?1 IS NULL OR e.date <= ?1) GROUP BY p.pool";
    const char *psc = tf_account_info(TF_ACCT_PSC)->name;
    int64_t owed[TF_POOL_COUNT];
    tf_stmt *st;
    tf_error err;
    int rc, own;

    memset(figs, 0, TF_POOL_COUNT * sizeof(*figs));
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if ((err = payable(fund, as_of, owed, diag)))
        goto done;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        figs[k].pool = tf_pools[k];
        figs[k].payable = owed[k];
        if ((err = tf_ledger_balance(fund, psc, tf_pools[k], as_of,
                                     &figs[k].charged, diag)))
            goto done;
    }
    if (!(st = tf_db_prepare(fund->db, paid_sql, diag))) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_text(st, 1, as_of);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        if (k >= 0)
            figs[k].paid += tf_col_int(st, 1);
    }
    if (rc < 0)
        err = tf_stmt_error(st, diag);
    tf_stmt_reset(st);
done:
    tf_db_read_end(fund->db, own);
    return err;
}

/* The parts of amount per pool, pro-rata to what each owes on the date;
 * refused beyond what is owed then, or beyond what a pool owes today. */
static tf_error psc_split(tf_fund *fund, tf_psc_payment *p, tf_diag *diag)
{
    int64_t owed[TF_POOL_COUNT], now[TF_POOL_COUNT], total = 0;
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    tf_error err;

    if ((err = payable(fund, p->date, owed, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        if (owed[k] < 0) /* overpaid: verify names it; it owes nothing */
            owed[k] = 0;
        total += owed[k];
    }
    if (p->amount > total)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "PSC payable to the UN on %s is %s: a remittance "
                           "of %s is more than is owed",
                           p->date, tf_fund_fmt(fund, a, total, 1),
                           tf_fund_fmt(fund, b, p->amount, 1));
    if ((err = tf_money_prorata(p->part, p->amount, owed, TF_POOL_COUNT)))
        return tf_diag_set(diag, err, "cannot split the remittance");
    if ((err = payable(fund, NULL, now, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (p->part[k] > now[k])
            return tf_diag_set(
                diag, TF_ERR_RULE,
                "a remittance dated %s would pay %s of the PSC of %s, "
                "which owes %s counting what was paid after that date: "
                "refused (give a later date)",
                p->date, tf_fund_fmt(fund, a, p->part[k], 1), tf_pools[k],
                tf_fund_fmt(fund, b, now[k] > 0 ? now[k] : 0, 1));
    return TF_OK;
}

tf_error tf_psc_pay(tf_fund *fund, tf_psc_payment *p, int *known, tf_diag *diag)
{
    char date[TF_DATE_LEN + 1];
    int64_t booked = 0;
    tf_draft d;
    tf_error err;
    int found;

    *known = 0;
    p->entry = 0;
    memset(p->part, 0, sizeof(p->part));
    if ((err =
             form("PSC remittance", p->date, p->amount, p->ref, p->memo, diag)))
        return err;
    if ((err = known_ref(fund, TF_KIND_PSC_PAYMENT, TF_ACCT_PSC_PAYABLE, p->ref,
                         &found, date, sizeof(date), &booked, NULL, 0, diag)))
        return err;
    if (found) {
        if (strcmp(date, p->date) || booked != p->amount)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "PSC remittance '%s' is already recorded with "
                               "other details",
                               p->ref);
        *known = 1;
        return TF_OK;
    }
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = psc_split(fund, p, diag)))
        return err;
    tf_draft_start(&d, p->date, TF_KIND_PSC_PAYMENT,
                   p->memo && *p->memo ? p->memo
                                       : "programme support costs paid to "
                                         "the UN",
                   p->ref);
    tf_recipe_psc_payment(&d, p->part);
    return post(fund, &d, &p->entry, diag);
}

tf_error tf_psc_payment_each(tf_fund *fund, const char *as_of,
                             int (*fn)(void *ctx, const tf_psc_payment *p),
                             void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT e.id, e.date, e.ref, e.memo, p.pool, p.amount, coalesce("
        "(SELECT x.id FROM entries x WHERE x.reverses = e.id), 0) FROM "
        "entries e JOIN postings p ON p.entry = e.id WHERE e.kind = "
        "" TF_SQL_KIND_PSC_PAYMENT " AND p.account = " TF_SQL_PSC_PAYABLE " "
        "AND (?1 IS NULL OR e.date <= ?1) ORDER BY e.date, e.id",
        diag);
    tf_psc_payment p;
    char date[TF_DATE_LEN + 1] = "", ref[128] = "", memo[512] = "";
    int rc, have = 0, has_ref = 0, stop = 0;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    memset(&p, 0, sizeof(p));
    while ((rc = tf_stmt_step(st)) > 0) {
        int64_t id = tf_col_int(st, 0);
        int k = tf_pool_find(tf_col_text(st, 4));
        if (have && id != p.entry) {
            p.date = date;
            p.ref = has_ref ? ref : NULL;
            p.memo = memo;
            if ((stop = fn(ctx, &p)))
                break;
            have = 0;
        }
        if (!have) {
            memset(&p, 0, sizeof(p));
            p.entry = id;
            p.reversed_by = tf_col_int(st, 6);
            snprintf(date, sizeof(date), "%s", tf_col_text(st, 1));
            has_ref = !tf_col_null(st, 2);
            snprintf(ref, sizeof(ref), "%s", has_ref ? tf_col_text(st, 2) : "");
            snprintf(memo, sizeof(memo), "%s", tf_col_text(st, 3));
            have = 1;
        }
        if (k >= 0) {
            p.part[k] += tf_col_int(st, 5);
            p.amount += tf_col_int(st, 5);
        }
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (have && !stop) {
        p.date = date;
        p.ref = has_ref ? ref : NULL;
        p.memo = memo;
        fn(ctx, &p);
    }
    return TF_OK;
}

/* ---- Interest ------------------------------------------------------------ */

struct donor_money {
    const char *pool;
    int64_t weight;
};

static int add_donor_money(void *ctx, const tf_attribution *a)
{
    struct donor_money *m = ctx;

    if (!tf_is_interest_party(a->donor) && !strcmp(a->pool, m->pool))
        m->weight += a->receipts;
    return 0;
}

tf_error tf_interest_add(tf_fund *fund, tf_interest *i, int *known,
                         tf_diag *diag)
{
    char date[TF_DATE_LEN + 1], pool[32];
    struct donor_money money;
    int64_t booked = 0;
    tf_draft d;
    tf_error err;
    int k, found;

    *known = 0;
    i->entry = 0;
    if ((err = form("interest", i->date, i->amount, i->ref, i->memo, diag)))
        return err;
    k = i->pool ? tf_pool_find(i->pool) : TF_POOL_UNRESTRICTED;
    if (k < 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "unknown pool '%s' (one of %s)",
                           i->pool, tf_pool_list());
    i->pool = tf_pools[k];
    if ((err =
             known_ref(fund, TF_KIND_INTEREST, TF_ACCT_INTEREST, i->ref, &found,
                       date, sizeof(date), &booked, pool, sizeof(pool), diag)))
        return err;
    if (found) {
        if (strcmp(date, i->date) || -booked != i->amount ||
            strcmp(pool, i->pool))
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "interest '%s' is already recorded with other "
                               "details",
                               i->ref);
        *known = 1;
        return TF_OK;
    }
    if ((err = tf_fund_check_open(fund, diag)))
        return err;
    /* Someone to share it with: the donors' money in the pool. */
    money.pool = i->pool;
    money.weight = 0;
    if ((err = tf_attribution_each(fund, i->date, NULL, add_donor_money, &money,
                                   diag)))
        return err;
    if (money.weight <= 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "no donor's money is in %s on %s: interest is "
                           "credited to a pool that holds some",
                           i->pool, i->date);
    tf_draft_start(&d, i->date, TF_KIND_INTEREST,
                   i->memo && *i->memo ? i->memo
                                       : "interest earned on the fund's bank "
                                         "balance",
                   i->ref);
    tf_recipe_interest(&d, (tf_pool)k, i->amount);
    return post(fund, &d, &i->entry, diag);
}

tf_error tf_interest_each(tf_fund *fund, const char *as_of,
                          int (*fn)(void *ctx, const tf_interest *i), void *ctx,
                          tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT e.id, e.date, e.ref, e.memo, p.pool, -p.amount, coalesce("
        "(SELECT x.id FROM entries x WHERE x.reverses = e.id), 0) FROM "
        "entries e JOIN postings p ON p.entry = e.id WHERE e.kind = "
        "" TF_SQL_KIND_INTEREST " AND p.account = " TF_SQL_INTEREST " AND "
        "(?1 IS NULL OR e.date <= ?1) ORDER BY e.date, e.id",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_interest i;
        memset(&i, 0, sizeof(i));
        i.entry = tf_col_int(st, 0);
        i.date = tf_col_text(st, 1);
        i.ref = tf_col_null(st, 2) ? NULL : tf_col_text(st, 2);
        i.memo = tf_col_text(st, 3);
        i.pool = tf_col_text(st, 4);
        i.amount = tf_col_int(st, 5);
        i.reversed_by = tf_col_int(st, 6);
        if (fn(ctx, &i))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}
