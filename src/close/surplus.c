/* SPDX-License-Identifier: MIT */
/*
 * Surplus routed to conference preparation, preparation spending and
 * closing the fund (DESIGN.md sections 5 and 9.9).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/chart_sql.h"
#include "books/fund_internal.h"
#include "close/attribution.h"
#include "grants/grants.h"
#include "store/record.h"
#include "tfund/allocate.h"
#include "tfund/date.h"
#include "tfund/surplus.h"

enum {
    P_UNRESTRICTED = TF_POOL_UNRESTRICTED,
    P_TRAVEL = TF_POOL_TRAVEL,
    P_PREP = TF_POOL_PREP
};

/* ---- Need and surplus ----------------------------------------------- */

struct need_ctx {
    tf_fund *fund;
    const char *date;
    char psc_rate[64];
    int64_t total;
    int (*fn)(void *ctx, const tf_need *n);
    void *ctx;
    tf_diag *diag;
    tf_error err;
};

/* The need of one session starting on or after the date: the last charge
 * of each waitlisted request, the charge at the date of each pending one
 * from an eligible country, or its travel budget when it has no requests. */
static int session_need(void *ctx, const tf_session *s)
{
    struct need_ctx *c = ctx;
    tf_need n;
    tf_stmt *st;
    int rc;
    long requests = 0;

    if (strcmp(s->start, c->date) < 0)
        return 0;
    memset(&n, 0, sizeof(n));
    n.session = s->id;
    n.start = s->start;
    st = tf_db_prepare(c->fund->db,
                       "SELECT q.status, coalesce(q.charge, 0), "
                       "coalesce(a.fare, q.fare), coalesce(a.fare_currency, "
                       "q.fare_currency), c.ldc_from, c.ldc_until, "
                       "c.developing, q.ref FROM requests q JOIN countries c "
                       "ON c.iso3 = q.country" TF_SQL_AMENDMENT(
                           "a", "q") "WHERE q.session = ?1 ORDER BY q.ref",
                       c->diag);
    if (!st) {
        c->err = TF_ERR_DB;
        return 1;
    }
    tf_stmt_text(st, 1, s->id);
    while ((rc = tf_stmt_step(st)) > 0) {
        const char *status = tf_col_text(st, 0);
        requests++;
        if (tf_status_is(status, TF_STATUS_WAITLISTED)) {
            n.waitlisted++;
            n.charges += tf_col_int(st, 1);
        } else if (tf_status_is(status, TF_STATUS_PENDING)) {
            tf_country country;
            int64_t fare, dsa, cost, psc, charge;
            tf_diag sub;
            memset(&country, 0, sizeof(country));
            country.ldc_from = tf_col_text(st, 4);
            country.ldc_until = tf_col_text(st, 5);
            country.developing = (int)tf_col_int(st, 6);
            if (!tf_country_tier(&country, s->start))
                continue;
            tf_diag_clear(&sub);
            if ((c->err = tf_fund_to_base(c->fund, &fare, tf_col_int(st, 2),
                                          tf_col_text(st, 3), c->date, NULL,
                                          &sub)) ||
                (c->err = tf_trip_charge(s, fare, c->psc_rate, &dsa, &cost,
                                         &psc, &charge))) {
                tf_diag_set(c->diag, c->err ? c->err : TF_ERR_INPUT,
                            "request '%s': %s", tf_col_text(st, 7),
                            sub.msg[0] ? sub.msg : "its cost overflows");
                tf_stmt_reset(st);
                return 1;
            }
            n.pending++;
            n.charges += charge;
        }
    }
    tf_stmt_reset(st);
    if (rc < 0) {
        c->err = tf_stmt_error(st, c->diag);
        return 1;
    }
    if (requests == 0 && s->travel_budget > 0)
        n.travel_budget = s->travel_budget;
    c->total += n.charges + n.travel_budget;
    if (c->fn && (n.charges || n.travel_budget || requests))
        c->fn(c->ctx, &n);
    return 0;
}

/* The need of the sessions to come and what unrestricted and travel have
 * available at date; the surplus is what is left, moved from unrestricted
 * first, then travel. */
static tf_error surplus_plan(tf_fund *fund, const char *date,
                             tf_surplus_result *res,
                             int (*fn)(void *ctx, const tf_need *n), void *ctx,
                             tf_diag *diag)
{
    struct need_ctx c;
    tf_pool_figures figs[TF_POOL_COUNT];
    int64_t au, at, left;
    tf_error err;

    memset(&c, 0, sizeof(c));
    c.fund = fund;
    c.date = date;
    c.fn = fn;
    c.ctx = ctx;
    c.diag = diag;
    if ((err = tf_setting_get(fund, "psc_rate", c.psc_rate, sizeof(c.psc_rate),
                              diag)))
        return err;
    if ((err = tf_session_each(fund, NULL, session_need, &c, diag)))
        return err;
    if (c.err)
        return c.err;
    if ((err = tf_ledger_pools(fund, date, figs, diag)))
        return err;
    au = figs[P_UNRESTRICTED].available;
    at = figs[P_TRAVEL].available;
    res->need = c.total;
    res->available_unrestricted = au;
    res->available_travel = at;
    res->surplus = au + at - c.total > 0 ? au + at - c.total : 0;
    left = res->surplus;
    res->moved_unrestricted = au > 0 ? (au < left ? au : left) : 0;
    left -= res->moved_unrestricted;
    res->moved_travel = at > 0 ? (at < left ? at : left) : 0;
    return TF_OK;
}

/* Dated in the past, a surplus may not leave a pool with a negative
 * available today (commitments or payments dated after it). */
static tf_error surplus_fits_today(tf_fund *fund, const char *date,
                                   const tf_surplus_result *res, tf_diag *diag)
{
    tf_pool_figures now[TF_POOL_COUNT];
    tf_error err;

    if ((err = tf_ledger_pools(fund, NULL, now, diag)))
        return err;
    for (int k = P_UNRESTRICTED; k <= P_TRAVEL; k++) {
        int64_t moved =
            k == P_UNRESTRICTED ? res->moved_unrestricted : res->moved_travel;
        if (moved > 0 && now[k].available - moved < 0) {
            char a[TF_AMOUNT_BUFSZ];
            return tf_diag_set(
                diag, TF_ERR_RULE,
                "a surplus dated %s would leave pool '%s' at %s "
                "available, counting what was committed or paid after "
                "that date: refused (give a later date)",
                date, tf_pools[k],
                tf_fund_fmt(fund, a, now[k].available - moved, 1));
        }
    }
    return TF_OK;
}

/* Moves the surplus to prep: one transfer entry, and a transfer row for
 * each pool it leaves. */
static tf_error route_surplus(tf_fund *fund, const char *date,
                              tf_surplus_result *res, tf_diag *diag)
{
    int64_t out[TF_POOL_COUNT] = {0};
    char memo[160];
    tf_draft d;
    tf_stmt *st;
    tf_error err;

    out[P_UNRESTRICTED] = res->moved_unrestricted;
    out[P_TRAVEL] = res->moved_travel;
    snprintf(memo, sizeof(memo),
             "surplus routed to conference preparation (para 31)");
    tf_draft_start(&d, date, TF_KIND_TRANSFER, memo, NULL);
    tf_recipe_transfer(&d, out, TF_POOL_PREP);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, &res->entry, diag);
    tf_draft_release(&d);
    if (err)
        return err;
    for (int k = P_UNRESTRICTED; k <= P_TRAVEL; k++) {
        if (!out[k])
            continue;
        st = tf_db_prepare(fund->db,
                           "INSERT INTO transfers (entry, from_pool, "
                           "to_pool, amount) VALUES (?1, ?2, " TF_SQL_PREP
                           ", ?3)",
                           diag);
        if (!st)
            return TF_ERR_DB;
        tf_stmt_int(st, 1, res->entry);
        tf_stmt_text(st, 2, tf_pools[k]);
        tf_stmt_int(st, 3, out[k]);
        if ((err = tf_stmt_run(st, diag)))
            return err;
    }
    return TF_OK;
}

tf_error tf_surplus(tf_fund *fund, const char *date, int dry_run,
                    tf_surplus_result *res,
                    int (*fn)(void *ctx, const tf_need *n), void *ctx,
                    tf_diag *diag)
{
    tf_error err;

    memset(res, 0, sizeof(*res));
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = surplus_plan(fund, date, res, fn, ctx, diag)))
        return err;
    if (res->surplus > 0 && (err = surplus_fits_today(fund, date, res, diag)))
        return err;
    if (dry_run || res->surplus == 0)
        return TF_OK;
    return route_surplus(fund, date, res, diag);
}

/* ---- Thinking twice before a surplus ------------------------------- */

struct unpaid {
    char prefix[TF_ACCOUNT_BUFSZ];
    int64_t total;
};

/* Sums the receivables (unpaid pledges) of the travel pools. */
static int add_unpaid(void *ctx, const char *account, const char *pool,
                      int64_t balance)
{
    struct unpaid *u = ctx;
    int k = tf_pool_find(pool);

    if ((k == TF_POOL_TRAVEL || k == TF_POOL_LDC_TRAVEL) &&
        !strncmp(account, u->prefix, strlen(u->prefix)) && balance > 0)
        u->total += balance;
    return 0;
}

tf_error tf_surplus_warnings(tf_fund *fund, const char *date,
                             const tf_surplus_result *res,
                             int (*fn)(void *ctx, const char *warning),
                             void *ctx, long *count, tf_diag *diag)
{
    char text[512], a[TF_AMOUNT_BUFSZ];
    struct unpaid u;
    tf_stmt *st;
    tf_error err;
    int64_t later = 0, waitlisted = 0;
    int rc;

    *count = 0;
    if (res->surplus <= 0)
        return TF_OK;
    /* 1. No meeting registered after the date: its travel is not in the
     *    need yet. */
    st = tf_db_prepare(fund->db,
                       "SELECT count(*) FROM sessions WHERE start > ?1", diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, date);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    later = rc > 0 ? tf_col_int(st, 0) : 0;
    tf_stmt_reset(st);
    if (!later) {
        snprintf(text, sizeof(text),
                 "no session starts after %s: the travel of a meeting not "
                 "registered yet is not counted in the need",
                 date);
        (*count)++;
        if (fn)
            fn(ctx, text);
    }
    /* 2. Donors' pledges to the travel pools still unpaid. */
    memset(&u, 0, sizeof(u));
    tf_account_name(u.prefix, sizeof(u.prefix), TF_ACCT_RECEIVABLE, "");
    if ((err = tf_ledger_each_balance(fund, date, add_unpaid, &u, diag)))
        return err;
    if (u.total > 0) {
        snprintf(text, sizeof(text),
                 "pledges to the travel pools are still unpaid (%s): the "
                 "donors gave them for travel",
                 tf_fund_fmt(fund, a, u.total, 1));
        (*count)++;
        if (fn)
            fn(ctx, text);
    }
    /* 3. The travel pools left at zero while requests wait. */
    st = tf_db_prepare(fund->db,
                       "SELECT count(*) FROM requests q JOIN sessions s ON "
                       "s.id = q.session WHERE q.status = " TF_SQL_WAITLISTED
                       " AND date(s.start, '+' || (s.days - 1) || ' days') "
                       ">= ?1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, date);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    waitlisted = rc > 0 ? tf_col_int(st, 0) : 0;
    tf_stmt_reset(st);
    if (waitlisted > 0 &&
        res->available_unrestricted + res->available_travel - res->surplus <=
            0) {
        snprintf(text, sizeof(text),
                 "it leaves unrestricted and travel at zero available with "
                 "%" PRId64 " request(s) of sessions not yet over on the "
                 "waitlist",
                 waitlisted);
        (*count)++;
        if (fn)
            fn(ctx, text);
    }
    return TF_OK;
}

/* ---- Preparation spending ------------------------------------------- */

/* The spending's own fields, before anything is looked up. */
static tf_error spend_form(const tf_spend *s, tf_diag *diag)
{
    tf_error err;

    if (!s->ref || !*s->ref || strlen(s->ref) > 100)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "spending reference must have 1 to 100 bytes");
    if ((err = tf_ref_check("spending", s->ref, diag)))
        return err;
    if (tf_date_check(s->date, diag))
        return TF_ERR_INPUT;
    if (!tf_currency_find(s->currency))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "unknown currency '%s' (ISO 4217 code)",
                           s->currency);
    if (s->amount <= 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "spending must be positive");
    if ((err = tf_amount_bound("spending", s->amount, TF_AMOUNT_MAX,
                               tf_currency_find(s->currency), diag)))
        return err;
    if (s->memo && strlen(s->memo) > 500)
        return tf_diag_set(diag, TF_ERR_INPUT, "memo is longer than 500 bytes");
    if (s->memo && (err = tf_text_check("memo", s->memo, 500, 1, diag)))
        return err;
    return TF_OK;
}

/* Spending is paid from what prep has available on its date, and may not
 * leave prep with a negative available today (spending dated after it). */
static tf_error spend_fits(tf_fund *fund, const tf_spend *s, int64_t charge,
                           tf_diag *diag)
{
    const char *prep = tf_pools[P_PREP];
    tf_pool_figures figs[TF_POOL_COUNT];
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    tf_error err;

    if ((err = tf_ledger_pools(fund, s->date, figs, diag)))
        return err;
    if (charge > figs[P_PREP].available)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "spending '%s' costs %s with PSC but %s has only "
                           "%s available on %s",
                           s->ref, tf_fund_fmt(fund, a, charge, 1), prep,
                           tf_fund_fmt(fund, b, figs[P_PREP].available, 1),
                           s->date);
    if ((err = tf_ledger_pools(fund, NULL, figs, diag)))
        return err;
    if (charge > figs[P_PREP].available)
        return tf_diag_set(
            diag, TF_ERR_RULE,
            "spending '%s' dated %s would leave %s at %s "
            "available, counting what was paid after that "
            "date: refused (give a later date)",
            s->ref, s->date, prep,
            tf_fund_fmt(fund, a, figs[P_PREP].available - charge, 1));
    return TF_OK;
}

/* Books the spending and its PSC from prep, and its record. */
static tf_error book_spending(tf_fund *fund, const tf_spend *s, int64_t base,
                              const char *rate, int64_t psc, tf_diag *diag)
{
    tf_orig orig = {NULL, 0, NULL};
    char memo[600];
    int64_t entry;
    tf_draft d;
    tf_error err;

    if (*rate)
        orig = (tf_orig){s->currency, s->amount, rate};
    snprintf(memo, sizeof(memo), "preparation: %s",
             s->memo && *s->memo ? s->memo : s->ref);
    tf_draft_start(&d, s->date, TF_KIND_SPEND, memo, s->ref);
    tf_recipe_spending(&d, TF_ACCT_PREP, TF_POOL_PREP, base, &orig, psc);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, &entry, diag);
    tf_draft_release(&d);
    if (err)
        return err;
    {
        const tf_value row[] = {TF_TEXT(s->ref),
                                TF_TEXT(s->date),
                                TF_NUM(s->amount),
                                TF_TEXT(s->currency),
                                TF_TEXT(s->memo ? s->memo : ""),
                                TF_NUM(base),
                                TF_NUM(psc),
                                TF_NUM(entry)};
        return tf_record_insert(fund->db, TF_REC_SPEND, row, diag);
    }
}

tf_error tf_spend_add(tf_fund *fund, const tf_spend *s, int *known,
                      tf_diag *diag)
{
    char psc_rate[64], rate[64];
    int64_t base, psc, charge;
    tf_record_state state;
    tf_error err;

    *known = 0;
    if ((err = spend_form(s, diag)))
        return err;
    {
        const tf_value key = TF_TEXT(s->ref);
        const tf_value details[] = {TF_TEXT(s->date), TF_NUM(s->amount),
                                    TF_TEXT(s->currency),
                                    TF_TEXT(s->memo ? s->memo : "")};
        if ((err = tf_record_look(fund->db, TF_REC_SPEND, &key, details, &state,
                                  NULL, 0, diag)))
            return err;
    }
    if (state == TF_RECORD_OTHER)
        return tf_record_conflict(TF_REC_SPEND, s->ref, diag);
    if (state == TF_RECORD_SAME) {
        *known = 1;
        return TF_OK;
    }
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = tf_fund_to_base(fund, &base, s->amount, s->currency, s->date,
                               rate, diag)) ||
        (err = tf_setting_get(fund, "psc_rate", psc_rate, sizeof(psc_rate),
                              diag)))
        return err;
    if (tf_money_mul_decimal(&psc, base, psc_rate, TF_ROUND_HALF_EVEN) ||
        tf_money_add(&charge, base, psc))
        return tf_diag_set(diag, TF_ERR_INPUT, "spending overflows");
    if ((err = spend_fits(fund, s, charge, diag)))
        return err;
    return book_spending(fund, s, base, rate, psc, diag);
}

/* The spending recorded (up to as_of when not NULL), reversed ones too
 * when all; each to fn or, with its entries, to fn_all. */
static tf_error spend_walk(tf_fund *fund, const char *as_of, int all,
                           int (*fn)(void *ctx, const tf_spend *s),
                           int (*fn_all)(void *ctx, const tf_spend *s,
                                         int64_t entry, int64_t reversed_by),
                           void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT s.ref, s.date, s.currency, s.memo, s.amount, s.base_amount, "
        "s.psc, s.entry, coalesce((SELECT x.id FROM entries x WHERE "
        "x.reverses = s.entry), 0) FROM spends s WHERE (?1 IS NULL OR s.date "
        "<= ?1) AND (?2 OR NOT EXISTS (SELECT 1 FROM entries x WHERE "
        "x.reverses = s.entry)) ORDER BY s.date, s.ref",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    tf_stmt_int(st, 2, all);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_spend s;

        memset(&s, 0, sizeof(s));
        s.ref = tf_col_text(st, 0);
        s.date = tf_col_text(st, 1);
        s.currency = tf_col_text(st, 2);
        s.memo = tf_col_text(st, 3);
        s.amount = tf_col_int(st, 4);
        s.base_amount = tf_col_int(st, 5);
        s.psc = tf_col_int(st, 6);
        if (fn ? fn(ctx, &s)
               : fn_all(ctx, &s, tf_col_int(st, 7), tf_col_int(st, 8)))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_spend_each(tf_fund *fund, const char *as_of,
                       int (*fn)(void *ctx, const tf_spend *s), void *ctx,
                       tf_diag *diag)
{
    return spend_walk(fund, as_of, 0, fn, NULL, ctx, diag);
}

tf_error tf_spend_list(tf_fund *fund,
                       int (*fn)(void *ctx, const tf_spend *s, int64_t entry,
                                 int64_t reversed_by),
                       void *ctx, tf_diag *diag)
{
    return spend_walk(fund, NULL, 1, NULL, fn, ctx, diag);
}

/* ---- Closing -------------------------------------------------------- */

struct refund_parts {
    struct {
        char donor[80];
        int64_t amount;
    } * items;
    size_t n;
    int oom;
};

static int keep_refund(void *ctx, const char *donor, int64_t amount)
{
    struct refund_parts *r = ctx;
    void *grown = realloc(r->items, (r->n + 1) * sizeof(*r->items));

    if (!grown) {
        r->oom = 1;
        return 1;
    }
    r->items = grown;
    snprintf(r->items[r->n].donor, sizeof(r->items[r->n].donor), "%s", donor);
    r->items[r->n].amount = amount;
    r->n++;
    return 0;
}

/* A fund closes on or after its last entry, with no commitment
 * outstanding; figs gets the pools as of date. */
static tf_error closable(tf_fund *fund, const char *date,
                         tf_pool_figures figs[TF_POOL_COUNT], tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;
    int rc;

    st = tf_db_prepare(fund->db, "SELECT count(*) FROM entries WHERE date > ?1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, date);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (tf_col_int(st, 0) > 0) {
        int64_t n = tf_col_int(st, 0);
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_RULE,
                           "%" PRId64 " entr%s dated after %s: close on "
                           "or after the last entry",
                           n, n == 1 ? "y is" : "ies are", date);
    }
    tf_stmt_reset(st);
    if ((err = tf_ledger_pools(fund, date, figs, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (figs[k].committed != 0) {
            char a[TF_AMOUNT_BUFSZ];
            return tf_diag_set(diag, TF_ERR_RULE,
                               "pool '%s' has %s of outstanding commitments: "
                               "disburse or cancel them before closing",
                               tf_pools[k],
                               tf_fund_fmt(fund, a, figs[k].committed, 1));
        }
    return TF_OK;
}

/* Posts the refund entry of pool k's remaining cash, split over its
 * donors, and a refund row for each, handed to fn. */
static tf_error refund_pool(tf_fund *fund, const char *date, int k,
                            int64_t cash, const struct refund_parts *parts,
                            int (*fn)(void *ctx, const char *pool,
                                      const char *donor, int64_t amount),
                            void *ctx, tf_diag *diag)
{
    const char **donors = calloc(parts->n + 1, sizeof(*donors));
    int64_t *amounts = calloc(parts->n + 1, sizeof(*amounts));
    char ref[64], memo[160];
    int64_t entry;
    tf_draft d;
    tf_stmt *st;
    tf_error err = TF_OK;

    if (!donors || !amounts) {
        free(donors);
        free(amounts);
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < parts->n; i++) {
        donors[i] = parts->items[i].donor;
        amounts[i] = parts->items[i].amount;
    }
    snprintf(ref, sizeof(ref), "close:%s", tf_pools[k]);
    snprintf(memo, sizeof(memo),
             "fund closed: remaining balance of %s refundable to donors",
             tf_pools[k]);
    tf_draft_start(&d, date, TF_KIND_REFUND, memo, ref);
    tf_recipe_refund(&d, (tf_pool)k, cash, donors, amounts, parts->n);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, &entry, diag);
    tf_draft_release(&d);
    for (size_t i = 0; !err && i < parts->n; i++) {
        st = tf_db_prepare(fund->db,
                           "INSERT INTO refunds (entry, donor, pool, "
                           "amount) VALUES (?1, ?2, ?3, ?4)",
                           diag);
        if (!st) {
            err = TF_ERR_DB;
            break;
        }
        tf_stmt_int(st, 1, entry);
        tf_stmt_text(st, 2, donors[i]);
        tf_stmt_text(st, 3, tf_pools[k]);
        tf_stmt_int(st, 4, amounts[i]);
        err = tf_stmt_run(st, diag);
        if (!err && fn)
            fn(ctx, tf_pools[k], donors[i], amounts[i]);
    }
    free(donors);
    free(amounts);
    return err;
}

tf_error tf_close(tf_fund *fund, const char *date,
                  int (*fn)(void *ctx, const char *pool, const char *donor,
                            int64_t amount),
                  void *ctx, tf_diag *diag)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    tf_stmt *st;
    tf_error err;

    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = closable(fund, date, figs, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        struct refund_parts parts = {NULL, 0, 0};
        if (figs[k].cash <= 0)
            continue;
        err = tf_attribution_refunds(fund, date, k, figs[k].cash, keep_refund,
                                     &parts, diag);
        if (!err && parts.oom)
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        if (!err)
            err =
                refund_pool(fund, date, k, figs[k].cash, &parts, fn, ctx, diag);
        free(parts.items);
        if (err)
            return err;
    }
    fund->open_checked = 0;
    st = tf_db_prepare(fund->db,
                       "INSERT INTO settings (key, value) VALUES "
                       "('closed_on', ?1)",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, date);
    if ((err = tf_stmt_run(st, diag)))
        return err;
    return tf_ledger_close_period(fund, date, diag);
}
