/* SPDX-License-Identifier: MIT */
/*
 * Donors and their money: pledges (revenue recognised on signature) and
 * receipts (cash in the bank, with the exchange difference against the
 * pledge's booked value).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "books/fund_internal.h"
#include "store/record.h"
#include "tfund/date.h"
#include "tfund/surplus.h"

static int empty(const char *s)
{
    return !s || !*s;
}

/* ---- Donors --------------------------------------------------------- */

static const char *const donor_types[] = {"state", "igo", "private",
                                          "foundation", "other"};

tf_error tf_donor_add(tf_fund *fund, const tf_donor *d, int *known,
                      tf_diag *diag)
{
    int typed = 0;
    tf_error err;

    *known = 0;
    if (!tf_id_valid(d->id))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "donor id '%s' must be 1-64 letters, digits, "
                           "'.', '_' or '-', starting with a letter or digit",
                           d->id);
    if (tf_is_interest_party(d->id))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "donor id '%s' is taken: it is the fund's own "
                           "interest in the attribution",
                           d->id);
    if (empty(d->name) || strlen(d->name) > 200)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "donor name must have 1 to 200 bytes");
    if ((err = tf_text_check("donor name", d->name, 200, 0, diag)))
        return err;
    for (size_t i = 0; i < sizeof(donor_types) / sizeof(donor_types[0]); i++)
        if (!strcmp(d->type, donor_types[i]))
            typed = 1;
    if (!typed)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "donor type '%s' is not one of state, igo, "
                           "private, foundation, other",
                           d->type);
    if (!empty(d->country) &&
        (err = tf_country_get(fund, d->country, NULL, NULL, diag)))
        return err == TF_ERR_NOTFOUND ? TF_ERR_INPUT : err;

    {
        const tf_value row[] = {TF_TEXT(d->id), TF_TEXT(d->name),
                                TF_TEXT(d->type),
                                TF_TEXT(d->country ? d->country : "")};
        return tf_record_add(fund->db, TF_REC_DONOR, row, row + 1, row, known,
                             diag);
    }
}

tf_error tf_donor_each(tf_fund *fund, const char *id,
                       int (*fn)(void *ctx, const tf_donor *d), void *ctx,
                       tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT id, name, type, country FROM donors "
                                "WHERE ?1 IS NULL OR id = ?1 ORDER BY id",
                                diag);
    int rc, n = 0;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_donor d = {tf_col_text(st, 0), tf_col_text(st, 1),
                      tf_col_text(st, 2), tf_col_text(st, 3)};
        n++;
        if (fn(ctx, &d))
            break;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (id && n == 0)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown donor '%s'", id);
    return TF_OK;
}

/* ---- Pledges -------------------------------------------------------- */

static tf_error check_donor(tf_fund *fund, const char *id, tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;
    int added;

    /* Donors are never deleted: one found in this write transaction is
     * there until it ends. */
    if (tf_strmap_get(&fund->donors_known, id, 0))
        return TF_OK;
    if ((err = tf_db_get(fund->db, "SELECT 1 FROM donors WHERE id = ?1", id,
                         &st, diag)))
        return err;
    if (st)
        tf_stmt_reset(st);
    else
        return tf_diag_set(diag, TF_ERR_NOTFOUND,
                           "unknown donor '%s': register it first (tfund "
                           "donor add or import donors)",
                           id);
    if (tf_db_in_tx(fund->db) &&
        !tf_strmap_put(&fund->donors_known, id, 0, &added))
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    return TF_OK;
}

/* Books a pledge (explicit or implicit) that has passed validation. */
static tf_error book_pledge(tf_fund *fund, const tf_pledge *p, int implicit,
                            tf_diag *diag)
{
    char rate[64], memo[256];
    int64_t base, entry;
    tf_orig orig = {NULL, 0, NULL};
    tf_draft d;
    tf_error err;

    err = tf_fund_to_base(fund, &base, p->amount, p->currency, p->date, rate,
                          diag);
    if (err)
        return err;
    if (*rate)
        orig = (tf_orig){p->currency, p->amount, rate};
    snprintf(memo, sizeof(memo), "%s %s from %s",
             implicit ? "contribution" : "pledge", p->ref, p->donor);
    tf_draft_start(&d, p->date, TF_KIND_PLEDGE, memo, p->ref);
    tf_recipe_pledge(&d, p->donor, (tf_pool)tf_pool_find(p->pool), base, &orig);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, &entry, diag);
    tf_draft_release(&d);
    if (err)
        return err;

    {
        const tf_value row[] = {TF_TEXT(p->ref),
                                TF_TEXT(p->donor),
                                TF_TEXT(p->date),
                                TF_NUM(p->amount),
                                TF_TEXT(p->currency),
                                TF_TEXT(p->pool),
                                TF_TEXT(empty(p->due) ? NULL : p->due),
                                TF_TEXT(*rate ? rate : "1"),
                                TF_NUM(base),
                                TF_NUM(implicit),
                                TF_NUM(entry)};
        return tf_record_insert(fund->db, TF_REC_PLEDGE, row, diag);
    }
}

tf_error tf_pledge_add(tf_fund *fund, const tf_pledge *p, int *known,
                       tf_diag *diag)
{
    tf_error err;

    *known = 0;
    if ((err = tf_ref_check("pledge", p->ref, diag)))
        return err;
    if ((err = tf_fund_check_open(fund, diag)))
        return err;
    if ((err = check_donor(fund, p->donor, diag)))
        return err;
    if (tf_date_check(p->date, diag))
        return TF_ERR_INPUT;
    if (!tf_currency_find(p->currency))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "unknown currency '%s' (ISO 4217 code)",
                           p->currency);
    if (p->amount <= 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "a pledge must be positive");
    if ((err = tf_amount_bound("pledge amount", p->amount, TF_AMOUNT_MAX,
                               tf_currency_find(p->currency), diag)))
        return err;
    if (tf_pool_find(p->pool) < 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "pool '%s' is not one of %s",
                           p->pool, tf_pool_list());
    if (!empty(p->due)) {
        if (tf_date_check(p->due, diag))
            return TF_ERR_INPUT;
        if (strcmp(p->due, p->date) < 0)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "due date %s is before the pledge date %s",
                               p->due, p->date);
    }

    {
        /* An explicit pledge: the stored one must not be implicit. */
        const tf_value key = TF_TEXT(p->ref);
        const tf_value details[] = {TF_TEXT(p->donor), TF_TEXT(p->date),
                                    TF_NUM(p->amount), TF_TEXT(p->currency),
                                    TF_TEXT(p->pool),  TF_TEXT(p->due),
                                    TF_NUM(0)};
        tf_record_state state;
        if ((err = tf_record_look(fund->db, TF_REC_PLEDGE, &key, details,
                                  &state, NULL, 0, diag)))
            return err;
        if (state == TF_RECORD_OTHER)
            return tf_record_conflict(TF_REC_PLEDGE, p->ref, diag);
        if (state == TF_RECORD_SAME) {
            *known = 1;
            return TF_OK;
        }
    }
    return book_pledge(fund, p, 0, diag);
}

static void row_pledge(tf_stmt *st, tf_pledge *p)
{
    memset(p, 0, sizeof(*p));
    p->ref = tf_col_text(st, 0);
    p->donor = tf_col_text(st, 1);
    p->date = tf_col_text(st, 2);
    p->amount = tf_col_int(st, 3);
    p->currency = tf_col_text(st, 4);
    p->pool = tf_col_text(st, 5);
    p->due = tf_col_text(st, 6);
    p->rate = tf_col_text(st, 7);
    p->base_amount = tf_col_int(st, 8);
    p->implicit = (int)tf_col_int(st, 9);
    p->entry = tf_col_int(st, 10);
    p->received = tf_col_int(st, 11);
    p->received_base = tf_col_int(st, 12);
    p->reversed_by = tf_col_int(st, 14);
}

/* Pledges and what has been received on them; reversed ones are void,
 * and left out unless ?2 is 1. */
#define PLEDGE_SELECT                                                          \
    "SELECT p.ref, p.donor, p.date, p.amount, p.currency, p.pool, p.due, "     \
    "p.rate, p.base_amount, p.implicit, p.entry, "                             \
    "coalesce((SELECT sum(r.amount) FROM receipts r WHERE r.pledge = p.ref "   \
    "AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.reverses = r.entry)), "   \
    "0), "                                                                     \
    "coalesce((SELECT sum(r.base_amount) FROM receipts r WHERE r.pledge = "    \
    "p.ref AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.reverses = "        \
    "r.entry)), 0), "                                                          \
    "coalesce((SELECT sum(r.relieved) FROM receipts r WHERE r.pledge = "       \
    "p.ref AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.reverses = "        \
    "r.entry)), 0), "                                                          \
    "coalesce((SELECT x.id FROM entries x WHERE x.reverses = p.entry), 0) "    \
    "FROM pledges p WHERE (?2 OR NOT EXISTS (SELECT 1 FROM entries x WHERE "   \
    "x.reverses = p.entry)) "

static tf_error pledge_walk(tf_fund *fund, const char *donor, int all,
                            int (*fn)(void *ctx, const tf_pledge *p), void *ctx,
                            tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                PLEDGE_SELECT "AND (?1 IS NULL OR p.donor = "
                                              "?1) ORDER BY p.date, p.ref",
                                diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, donor);
    tf_stmt_int(st, 2, all);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_pledge p;
        row_pledge(st, &p);
        if (fn(ctx, &p))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_pledge_each(tf_fund *fund, const char *donor,
                        int (*fn)(void *ctx, const tf_pledge *p), void *ctx,
                        tf_diag *diag)
{
    return pledge_walk(fund, donor, 0, fn, ctx, diag);
}

tf_error tf_pledge_list(tf_fund *fund, const char *donor,
                        int (*fn)(void *ctx, const tf_pledge *p), void *ctx,
                        tf_diag *diag)
{
    return pledge_walk(fund, donor, 1, fn, ctx, diag);
}

/* ---- Receipts ------------------------------------------------------- */

/* Records which input field a refusal concerns and formats its message:
 * TF_ERR_INPUT. */
static tf_error refuse(tf_receipt_field *field, tf_receipt_field f,
                       tf_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static tf_error refuse(tf_receipt_field *field, tf_receipt_field f,
                       tf_diag *diag, const char *fmt, ...)
{
    char msg[sizeof(diag->msg)];
    va_list ap;

    if (field)
        *field = f;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tf_diag_set(diag, TF_ERR_INPUT, "%s", msg);
}

/* err, recording that it concerns field f. */
static tf_error blame(tf_receipt_field *field, tf_receipt_field f, tf_error err)
{
    if (field)
        *field = f;
    return err;
}

/* The receipt's own fields, before anything is looked up. */
static tf_error receipt_form(const tf_receipt *r, const tf_currency **cur,
                             tf_receipt_field *field, tf_diag *diag)
{
    /* Both leave their message in diag themselves. */
    if (tf_ref_check("receipt", r->ref, diag))
        return blame(field, TF_RF_REF, TF_ERR_INPUT);
    if (tf_date_check(r->date, diag))
        return blame(field, TF_RF_DATE, TF_ERR_INPUT);
    if (!(*cur = tf_currency_find(r->currency)))
        return refuse(field, TF_RF_CURRENCY, diag,
                      "unknown currency '%s' (ISO 4217 code)", r->currency);
    if (r->amount <= 0)
        return refuse(field, TF_RF_AMOUNT, diag, "a receipt must be positive");
    if (tf_amount_bound("receipt amount", r->amount, TF_AMOUNT_MAX, *cur, diag))
        return blame(field, TF_RF_AMOUNT, TF_ERR_INPUT);
    return TF_OK;
}

/* A receipt without a pledge first records a pledge of the same amount,
 * under the receipt's own reference. */
static tf_error implicit_pledge(tf_fund *fund, const tf_receipt *r,
                                tf_receipt_field *field, tf_diag *diag)
{
    const char *pool =
        empty(r->pool) ? tf_pools[TF_POOL_UNRESTRICTED] : r->pool;
    tf_pledge p;
    tf_stmt *st;
    tf_error err;
    int rc;

    if (empty(r->donor))
        return refuse(field, TF_RF_DONOR, diag,
                      "a receipt without a pledge needs a donor");
    if (check_donor(fund, r->donor, diag))
        return blame(field, TF_RF_DONOR, TF_ERR_INPUT);
    if (tf_pool_find(pool) < 0)
        return refuse(field, TF_RF_POOL, diag, "pool '%s' is not one of %s",
                      pool, tf_pool_list());
    st = tf_db_prepare(fund->db, "SELECT 1 FROM pledges WHERE ref = ?1", diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, r->ref);
    rc = tf_stmt_step(st);
    tf_stmt_reset(st);
    if (rc > 0)
        return refuse(field, TF_RF_REF, diag,
                      "reference '%s' is already a pledge: give it in the "
                      "pledge column, or use another reference",
                      r->ref);
    memset(&p, 0, sizeof(p));
    p.ref = r->ref;
    p.donor = r->donor;
    p.date = r->date;
    p.amount = r->amount;
    p.currency = r->currency;
    p.pool = pool;
    if ((err = book_pledge(fund, &p, 1, diag)) && err == TF_ERR_INPUT)
        return blame(field, TF_RF_DATE, err);
    return err;
}

/* A pledge as a receipt on it sees it: what it is, and what its receipts
 * (unless reversed) paid and relieved so far. */
struct owed {
    char donor[128], date[16], currency[8], pool[32];
    int64_t pledged, base, received, relieved;
};

static tf_error load_owed(tf_fund *fund, const char *pref, struct owed *o,
                          tf_receipt_field *field, tf_diag *diag)
{
    tf_stmt *st;
    tf_error err = tf_db_get(
        fund->db,
        "SELECT p.donor, p.date, p.amount, p.currency, p.pool, "
        "p.base_amount, coalesce(sum(r.amount), 0), "
        "coalesce(sum(r.relieved), 0) FROM pledges p LEFT JOIN receipts r "
        "ON r.pledge = p.ref AND NOT EXISTS (SELECT 1 FROM entries x WHERE "
        "x.reverses = r.entry) WHERE p.ref = ?1 AND NOT EXISTS (SELECT 1 "
        "FROM entries x WHERE x.reverses = p.entry) GROUP BY p.ref",
        pref, &st, diag);

    if (err)
        return err;
    if (!st) {
        return blame(
            field, TF_RF_PLEDGE,
            tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown pledge '%s'", pref));
    }
    snprintf(o->donor, sizeof(o->donor), "%s", tf_col_text(st, 0));
    snprintf(o->date, sizeof(o->date), "%s", tf_col_text(st, 1));
    o->pledged = tf_col_int(st, 2);
    snprintf(o->currency, sizeof(o->currency), "%s", tf_col_text(st, 3));
    snprintf(o->pool, sizeof(o->pool), "%s", tf_col_text(st, 4));
    o->base = tf_col_int(st, 5);
    o->received = tf_col_int(st, 6);
    o->relieved = tf_col_int(st, 7);
    tf_stmt_reset(st);
    return TF_OK;
}

/* A receipt on an explicit pledge keeps to it: its donor, pool and
 * currency, on or after its date, no more than is still owed. */
static tf_error check_on_pledge(const tf_receipt *r, const char *pref,
                                const tf_currency *cur, const struct owed *o,
                                tf_receipt_field *field, tf_diag *diag)
{
    char amt[TF_AMOUNT_BUFSZ], owed[TF_AMOUNT_BUFSZ];

    if (!empty(r->donor) && strcmp(r->donor, o->donor))
        return refuse(field, TF_RF_DONOR, diag,
                      "pledge '%s' is from donor '%s', not '%s'", pref,
                      o->donor, r->donor);
    if (!empty(r->pool) && strcmp(r->pool, o->pool))
        return refuse(field, TF_RF_POOL, diag,
                      "pledge '%s' is to pool '%s', not '%s'", pref, o->pool,
                      r->pool);
    if (strcmp(r->currency, o->currency))
        return refuse(field, TF_RF_CURRENCY, diag,
                      "receipt in %s but pledge '%s' is in %s: record it in "
                      "the pledge's currency",
                      r->currency, pref, o->currency);
    if (strcmp(r->date, o->date) < 0)
        return refuse(field, TF_RF_DATE, diag,
                      "receipt dated %s is before its pledge (%s)", r->date,
                      o->date);
    if (r->amount > o->pledged - o->received) {
        tf_amount_format(amt, sizeof(amt), r->amount, cur->minor, 0);
        tf_amount_format(owed, sizeof(owed), o->pledged - o->received,
                         cur->minor, 0);
        return refuse(field, TF_RF_AMOUNT, diag,
                      "receipt of %s %s exceeds the %s %s still owed on "
                      "pledge '%s'",
                      r->currency, amt, r->currency, owed, pref);
    }
    return TF_OK;
}

/* Books the receipt: cash at the receipt date's rate, the receivable
 * relieved by the pledge's booked value of the part paid, and its record. */
static tf_error book_receipt(tf_fund *fund, const tf_receipt *r,
                             const char *pref, const struct owed *o,
                             tf_receipt_field *field, tf_diag *diag)
{
    char rate[64], memo[256], cash_rate[64];
    int64_t cash, relieved, entry;
    tf_orig orig = {NULL, 0, NULL};
    tf_draft d;
    tf_error err;

    if ((err = tf_fund_to_base(fund, &cash, r->amount, r->currency, r->date,
                               cash_rate, diag)))
        return blame(field, TF_RF_DATE, err);
    /* The receivable is relieved cumulatively, so that a pledge paid in
     * full leaves exactly zero however many instalments it took. */
    if (tf_money_mul_ratio(&relieved, o->base, o->received + r->amount,
                           o->pledged, TF_ROUND_HALF_EVEN))
        return tf_diag_set(diag, TF_ERR_INPUT, "receipt overflows the books");
    relieved -= o->relieved;

    if (*cash_rate)
        orig = (tf_orig){r->currency, r->amount, cash_rate};
    snprintf(memo, sizeof(memo), "receipt %s on pledge %s from %s", r->ref,
             pref, o->donor);
    tf_draft_start(&d, r->date, TF_KIND_RECEIPT, memo, r->ref);
    tf_recipe_receipt(&d, o->donor, (tf_pool)tf_pool_find(o->pool), cash,
                      relieved, &orig);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, &entry, diag);
    tf_draft_release(&d);
    if (err)
        return err;

    snprintf(rate, sizeof(rate), "%s", *cash_rate ? cash_rate : "1");
    {
        const tf_value row[] = {
            TF_TEXT(r->ref),   TF_TEXT(pref),        TF_TEXT(r->date),
            TF_NUM(r->amount), TF_TEXT(r->currency), TF_TEXT(rate),
            TF_NUM(cash),      TF_NUM(relieved),     TF_NUM(entry)};
        return tf_record_insert(fund->db, TF_REC_RECEIPT, row, diag);
    }
}

/*
 * The same bank transfer recorded twice under two references: a receipt
 * with the donor, date, amount and currency of one recorded (and not
 * reversed) under another reference is refused (TF_ERR_INPUT) unless the
 * handle allows duplicates (--allow-duplicate), which it then counts.
 */
static tf_error duplicate_receipt(tf_fund *fund, const tf_receipt *r,
                                  const char *donor, const tf_currency *cur,
                                  tf_receipt_field *field, tf_diag *diag)
{
    char other[128], amt[TF_AMOUNT_BUFSZ];
    tf_stmt *st;
    tf_error err;
    int found;

    st = tf_db_prepare(
        fund->db,
        "SELECT r.ref FROM receipts r JOIN pledges p ON p.ref = r.pledge "
        "WHERE r.date = ?1 AND r.amount = ?2 AND r.currency = ?3 AND "
        "p.donor = ?4 AND r.ref <> ?5 AND NOT EXISTS (SELECT 1 FROM entries "
        "x WHERE x.reverses = r.entry) LIMIT 1",
        diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, r->date);
    tf_stmt_int(st, 2, r->amount);
    tf_stmt_text(st, 3, r->currency);
    tf_stmt_text(st, 4, donor);
    tf_stmt_text(st, 5, r->ref);
    err = tf_fund_duplicate(fund, st, other, sizeof(other), &found, diag);
    if (err || !found)
        return err;
    tf_amount_format(amt, sizeof(amt), r->amount, cur->minor, 0);
    return refuse(field, TF_RF_REF, diag,
                  "receipt '%s' duplicates receipt '%s': the same donor (%s), "
                  "date (%s), amount and currency (%s %s); if both were "
                  "paid, allow the duplicate (--allow-duplicate, or the "
                  "form's box)",
                  r->ref, other, donor, r->date, r->currency, amt);
}

tf_error tf_receipt_add(tf_fund *fund, const tf_receipt *r, int *known,
                        tf_receipt_field *field, tf_diag *diag)
{
    const tf_currency *cur;
    int implicit = empty(r->pledge);
    const char *pref = implicit ? r->ref : r->pledge;
    const tf_value key = TF_TEXT(r->ref);
    const tf_value details[] = {TF_TEXT(r->date), TF_NUM(r->amount),
                                TF_TEXT(r->currency), TF_TEXT(pref)};
    tf_record_state state;
    struct owed o;
    tf_error err;

    *known = 0;
    if (field)
        *field = TF_RF_NONE;
    if ((err = receipt_form(r, &cur, field, diag)))
        return err;
    /* A known reference is either the same receipt again or a conflict. */
    if ((err = tf_record_look(fund->db, TF_REC_RECEIPT, &key, details, &state,
                              NULL, 0, diag)))
        return err;
    if (state == TF_RECORD_OTHER)
        return blame(field, TF_RF_REF,
                     tf_record_conflict(TF_REC_RECEIPT, r->ref, diag));
    if (state == TF_RECORD_SAME) {
        *known = 1;
        return TF_OK;
    }
    if ((err = tf_fund_check_open(fund, diag)))
        return err;
    /* A refusal after the implicit pledge is booked rolls it back with
     * the rest of the command. */
    if (implicit && (err = implicit_pledge(fund, r, field, diag)))
        return err;
    if ((err = load_owed(fund, pref, &o, field, diag)))
        return err;
    if ((err = duplicate_receipt(fund, r, o.donor, cur, field, diag)))
        return err;
    if (!implicit && (err = check_on_pledge(r, pref, cur, &o, field, diag)))
        return err;
    return book_receipt(fund, r, pref, &o, field, diag);
}

static tf_error receipt_walk(tf_fund *fund, const char *donor, int all,
                             int (*fn)(void *ctx, const tf_receipt *r),
                             void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT r.ref, r.date, r.currency, r.amount, r.pledge, p.donor, "
        "p.pool, r.rate, r.base_amount, r.relieved, r.entry, "
        "coalesce((SELECT x.id FROM entries x WHERE x.reverses = r.entry), 0) "
        "FROM receipts r JOIN pledges p ON p.ref = r.pledge WHERE (?1 IS NULL "
        "OR p.donor = ?1) AND (?2 OR NOT EXISTS (SELECT 1 FROM entries x "
        "WHERE x.reverses = r.entry)) ORDER BY r.date, r.ref",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, donor);
    tf_stmt_int(st, 2, all);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_receipt r;
        memset(&r, 0, sizeof(r));
        r.ref = tf_col_text(st, 0);
        r.date = tf_col_text(st, 1);
        r.currency = tf_col_text(st, 2);
        r.amount = tf_col_int(st, 3);
        r.pledge = tf_col_text(st, 4);
        r.donor = tf_col_text(st, 5);
        r.pool = tf_col_text(st, 6);
        r.rate = tf_col_text(st, 7);
        r.base_amount = tf_col_int(st, 8);
        r.relieved = tf_col_int(st, 9);
        r.entry = tf_col_int(st, 10);
        r.reversed_by = tf_col_int(st, 11);
        if (fn(ctx, &r))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_receipt_each(tf_fund *fund, const char *donor,
                         int (*fn)(void *ctx, const tf_receipt *r), void *ctx,
                         tf_diag *diag)
{
    return receipt_walk(fund, donor, 0, fn, ctx, diag);
}

tf_error tf_receipt_list(tf_fund *fund, const char *donor,
                         int (*fn)(void *ctx, const tf_receipt *r), void *ctx,
                         tf_diag *diag)
{
    return receipt_walk(fund, donor, 1, fn, ctx, diag);
}

/* ---- Rows of the lists ---------------------------------------------- */

static const char *entry_text(char *buf, size_t size, int64_t id)
{
    if (id)
        snprintf(buf, size, "%" PRId64, id);
    else
        buf[0] = '\0';
    return buf;
}

void tf_pledge_row(tf_fund *fund, const tf_pledge *p, int group,
                   tf_list_row *row)
{
    const tf_currency *cur = tf_currency_find(p->currency);
    int minor = cur ? cur->minor : 2;
    const char **c = row->cells;

    tf_amount_format(row->amount[0], sizeof(row->amount[0]), p->amount, minor,
                     group);
    tf_amount_format(row->amount[1], sizeof(row->amount[1]), p->received, minor,
                     group);
    /* A reversed pledge is owed no more. */
    tf_amount_format(row->amount[2], sizeof(row->amount[2]),
                     p->reversed_by ? 0 : p->amount - p->received, minor,
                     group);
    tf_fund_fmt(fund, row->base, p->base_amount, group);
    c[0] = p->ref;
    c[1] = p->donor;
    c[2] = p->date;
    c[3] = p->pool;
    c[4] = p->currency;
    c[5] = row->amount[0];
    c[6] = row->amount[1];
    c[7] = row->amount[2];
    c[8] = row->base;
    c[9] = p->due;
    c[10] = entry_text(row->entry[0], sizeof(row->entry[0]), p->entry);
    c[11] = entry_text(row->entry[1], sizeof(row->entry[1]), p->reversed_by);
}

void tf_receipt_row(tf_fund *fund, const tf_receipt *r, int group,
                    tf_list_row *row)
{
    const tf_currency *cur = tf_currency_find(r->currency);
    const char **c = row->cells;

    tf_amount_format(row->amount[0], sizeof(row->amount[0]), r->amount,
                     cur ? cur->minor : 2, group);
    tf_fund_fmt(fund, row->base, r->base_amount, group);
    c[0] = r->ref;
    c[1] = r->date;
    c[2] = r->pledge;
    c[3] = r->donor;
    c[4] = r->pool;
    c[5] = r->currency;
    c[6] = row->amount[0];
    c[7] = r->rate;
    c[8] = row->base;
    c[9] = entry_text(row->entry[0], sizeof(row->entry[0]), r->entry);
    c[10] = entry_text(row->entry[1], sizeof(row->entry[1]), r->reversed_by);
    c[11] = NULL;
}
