/* SPDX-License-Identifier: MIT */
/*
 * Donors and their money: pledges (revenue recognised on signature) and
 * receipts (cash in the bank, with the exchange difference against the
 * pledge's booked value).
 */
#include <inttypes.h>
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
    if (empty(d->name) || strlen(d->name) > 200)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "donor name must have 1 to 200 bytes");
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
    int rc, added;

    /* Donors are never deleted: one found in this write transaction is
     * there until it ends. */
    if (tf_strmap_get(&fund->donors_known, id, 0))
        return TF_OK;
    st = tf_db_prepare(fund->db, "SELECT 1 FROM donors WHERE id = ?1", diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (rc == 0)
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
}

/* Pledges and what has been received on them; reversed ones are void. */
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
    "r.entry)), 0) "                                                           \
    "FROM pledges p WHERE NOT EXISTS (SELECT 1 FROM entries x WHERE "          \
    "x.reverses = p.entry) "

tf_error tf_pledge_each(tf_fund *fund, const char *donor,
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
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_pledge p;
        row_pledge(st, &p);
        if (fn(ctx, &p))
            break;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    return TF_OK;
}

/* ---- Receipts ------------------------------------------------------- */

#define FAIL(f, ...)                                                           \
    do {                                                                       \
        if (field)                                                             \
            *field = (f);                                                      \
        err = tf_diag_set(diag, TF_ERR_INPUT, __VA_ARGS__);                    \
        goto done;                                                             \
    } while (0)

tf_error tf_receipt_add(tf_fund *fund, const tf_receipt *r, int *known,
                        tf_receipt_field *field, tf_diag *diag)
{
    const tf_currency *cur;
    char rate[64], memo[256], cash_rate[64];
    char amt[TF_AMOUNT_BUFSZ], owed_s[TF_AMOUNT_BUFSZ];
    int64_t cash, relieved, pledged = 0, base = 0, received = 0;
    int64_t relieved_before = 0, entry, owed;
    tf_orig orig = {NULL, 0, NULL};
    tf_draft d;
    tf_pledge p;
    tf_stmt *st;
    tf_error err = TF_OK;
    int rc, implicit = empty(r->pledge);
    char pool[32] = "", donor[128] = "", pdate[16] = "", pcur[8] = "";
    const char *pref = implicit ? r->ref : r->pledge;

    *known = 0;
    if (field)
        *field = TF_RF_NONE;
    /* Both leave their message in diag themselves. */
    if (tf_ref_check("receipt", r->ref, diag)) {
        if (field)
            *field = TF_RF_REF;
        return TF_ERR_INPUT;
    }
    if (tf_date_check(r->date, diag)) {
        if (field)
            *field = TF_RF_DATE;
        return TF_ERR_INPUT;
    }
    cur = tf_currency_find(r->currency);
    if (!cur)
        FAIL(TF_RF_CURRENCY, "unknown currency '%s' (ISO 4217 code)",
             r->currency);
    if (r->amount <= 0)
        FAIL(TF_RF_AMOUNT, "a receipt must be positive");
    tf_amount_format(amt, sizeof(amt), r->amount, cur->minor, 0);

    /* A known reference is either the same receipt again or a conflict. */
    {
        const tf_value key = TF_TEXT(r->ref);
        const tf_value details[] = {TF_TEXT(r->date), TF_NUM(r->amount),
                                    TF_TEXT(r->currency), TF_TEXT(pref)};
        tf_record_state state;
        if ((err = tf_record_look(fund->db, TF_REC_RECEIPT, &key, details,
                                  &state, NULL, 0, diag)))
            return err;
        if (state == TF_RECORD_OTHER) {
            if (field)
                *field = TF_RF_REF;
            return tf_record_conflict(TF_REC_RECEIPT, r->ref, diag);
        }
        if (state == TF_RECORD_SAME) {
            *known = 1;
            return TF_OK;
        }
    }
    if ((err = tf_fund_check_open(fund, diag)))
        return err;

    if (implicit) {
        if (empty(r->donor))
            FAIL(TF_RF_DONOR, "a receipt without a pledge needs a donor");
        if ((err = check_donor(fund, r->donor, diag))) {
            if (field)
                *field = TF_RF_DONOR;
            err = TF_ERR_INPUT;
            goto done;
        }
        snprintf(pool, sizeof(pool), "%s",
                 empty(r->pool) ? tf_pools[TF_POOL_UNRESTRICTED] : r->pool);
        if (tf_pool_find(pool) < 0)
            FAIL(TF_RF_POOL, "pool '%s' is not one of %s", pool,
                 tf_pool_list());
        memset(&p, 0, sizeof(p));
        p.ref = r->ref;
        p.donor = r->donor;
        p.date = r->date;
        p.amount = r->amount;
        p.currency = r->currency;
        p.pool = pool;
        {
            /* The implicit pledge shares the receipt's reference. */
            st = tf_db_prepare(fund->db, "SELECT 1 FROM pledges WHERE ref = ?1",
                               diag);
            if (!st)
                return TF_ERR_DB;
            tf_stmt_text(st, 1, r->ref);
            rc = tf_stmt_step(st);
            tf_stmt_reset(st);
            if (rc > 0)
                FAIL(TF_RF_REF,
                     "reference '%s' is already a pledge: give it in the "
                     "pledge column, or use another reference",
                     r->ref);
        }
        if ((err = book_pledge(fund, &p, 1, diag))) {
            if (field && err == TF_ERR_INPUT)
                *field = TF_RF_DATE;
            goto done;
        }
    }

    /* The pledge and what its receipts (unless reversed) paid and
     * relieved so far, in one pass over them. */
    st = tf_db_prepare(
        fund->db,
        "SELECT p.donor, p.date, p.amount, p.currency, p.pool, "
        "p.base_amount, coalesce(sum(r.amount), 0), "
        "coalesce(sum(r.relieved), 0) FROM pledges p LEFT JOIN receipts r "
        "ON r.pledge = p.ref AND NOT EXISTS (SELECT 1 FROM entries x WHERE "
        "x.reverses = r.entry) WHERE p.ref = ?1 AND NOT EXISTS (SELECT 1 "
        "FROM entries x WHERE x.reverses = p.entry) GROUP BY p.ref",
        diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, pref);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        if (field)
            *field = TF_RF_PLEDGE;
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown pledge '%s'", pref);
    }
    snprintf(donor, sizeof(donor), "%s", tf_col_text(st, 0));
    snprintf(pdate, sizeof(pdate), "%s", tf_col_text(st, 1));
    pledged = tf_col_int(st, 2);
    snprintf(pcur, sizeof(pcur), "%s", tf_col_text(st, 3));
    snprintf(pool, sizeof(pool), "%s", tf_col_text(st, 4));
    base = tf_col_int(st, 5);
    received = tf_col_int(st, 6);
    relieved_before = tf_col_int(st, 7);
    tf_stmt_reset(st);

    if (!implicit) {
        if (!empty(r->donor) && strcmp(r->donor, donor))
            FAIL(TF_RF_DONOR, "pledge '%s' is from donor '%s', not '%s'", pref,
                 donor, r->donor);
        if (!empty(r->pool) && strcmp(r->pool, pool))
            FAIL(TF_RF_POOL, "pledge '%s' is to pool '%s', not '%s'", pref,
                 pool, r->pool);
        if (strcmp(r->currency, pcur))
            FAIL(TF_RF_CURRENCY,
                 "receipt in %s but pledge '%s' is in %s: record it in the "
                 "pledge's currency",
                 r->currency, pref, pcur);
        if (strcmp(r->date, pdate) < 0)
            FAIL(TF_RF_DATE, "receipt dated %s is before its pledge (%s)",
                 r->date, pdate);
        owed = pledged - received;
        if (r->amount > owed) {
            tf_amount_format(owed_s, sizeof(owed_s), owed, cur->minor, 0);
            FAIL(TF_RF_AMOUNT,
                 "receipt of %s %s exceeds the %s %s still owed on pledge "
                 "'%s'",
                 r->currency, amt, r->currency, owed_s, pref);
        }
    }

    err = tf_fund_to_base(fund, &cash, r->amount, r->currency, r->date,
                          cash_rate, diag);
    if (err) {
        if (field)
            *field = TF_RF_DATE;
        goto done;
    }
    /* The receivable is relieved cumulatively, so that a pledge paid in
     * full leaves exactly zero however many instalments it took. */
    err = tf_money_mul_ratio(&relieved, base, received + r->amount, pledged,
                             TF_ROUND_HALF_EVEN);
    if (err) {
        err = tf_diag_set(diag, TF_ERR_INPUT, "receipt overflows the books");
        goto done;
    }
    relieved -= relieved_before;

    if (*cash_rate)
        orig = (tf_orig){r->currency, r->amount, cash_rate};
    snprintf(memo, sizeof(memo), "receipt %s on pledge %s from %s", r->ref,
             pref, donor);
    tf_draft_start(&d, r->date, TF_KIND_RECEIPT, memo, r->ref);
    tf_recipe_receipt(&d, donor, (tf_pool)tf_pool_find(pool), cash, relieved,
                      &orig);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, &entry, diag);
    tf_draft_release(&d);
    if (err)
        goto done;

    snprintf(rate, sizeof(rate), "%s", *cash_rate ? cash_rate : "1");
    {
        const tf_value row[] = {
            TF_TEXT(r->ref),   TF_TEXT(pref),        TF_TEXT(r->date),
            TF_NUM(r->amount), TF_TEXT(r->currency), TF_TEXT(rate),
            TF_NUM(cash),      TF_NUM(relieved),     TF_NUM(entry)};
        err = tf_record_insert(fund->db, TF_REC_RECEIPT, row, diag);
    }
done:
    return err;
}

#undef FAIL

tf_error tf_receipt_each(tf_fund *fund, const char *donor,
                         int (*fn)(void *ctx, const tf_receipt *r), void *ctx,
                         tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT r.ref, r.date, r.currency, r.amount, r.pledge, p.donor, "
        "p.pool, r.rate, r.base_amount, r.relieved, r.entry FROM receipts r "
        "JOIN pledges p ON p.ref = r.pledge WHERE (?1 IS NULL OR p.donor = "
        "?1) AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.reverses = "
        "r.entry) ORDER BY r.date, r.ref",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, donor);
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
        if (fn(ctx, &r))
            break;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    return TF_OK;
}
