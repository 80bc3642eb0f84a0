/* SPDX-License-Identifier: MIT */
/*
 * The books' vocabulary and recipes (include/tfund/books.h): the chart of
 * accounts with each account's category, normal side and what it records,
 * the pools, the kinds of entries and the states of a request, and which
 * accounts each event of the fund debits and credits. The rules of the
 * books (docs/architecture.md lists them) live here; the ledger
 * (ledger.c) posts what the recipes write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/chart_sql.h"
#include "tfund/books.h"

/* ---- Tables --------------------------------------------------------- */

const char *const tf_pools[TF_POOL_COUNT] = {
    TF_N_POOL_UNRESTRICTED, TF_N_POOL_TRAVEL, TF_N_POOL_LDC_TRAVEL,
    TF_N_POOL_PREP};

static const tf_account_def chart[TF_ACCOUNT_COUNT] = {
    [TF_ACCT_CASH] = {TF_N_CASH, TF_CAT_ASSETS, TF_DEBIT, TF_PARTY_NONE,
                      TF_OUTFLOW_NONE},
    [TF_ACCT_RECEIVABLE] = {TF_N_RECEIVABLE, TF_CAT_ASSETS, TF_DEBIT,
                            TF_PARTY_DONOR, TF_OUTFLOW_NONE},
    [TF_ACCT_PSC_PAYABLE] = {TF_N_PSC_PAYABLE, TF_CAT_LIABILITIES, TF_CREDIT,
                             TF_PARTY_NONE, TF_OUTFLOW_NONE},
    [TF_ACCT_REFUNDS_PAYABLE] = {TF_N_REFUNDS_PAYABLE, TF_CAT_LIABILITIES,
                                 TF_CREDIT, TF_PARTY_DONOR, TF_OUTFLOW_NONE},
    [TF_ACCT_CONTRIBUTIONS] = {TF_N_CONTRIBUTIONS, TF_CAT_REVENUE, TF_CREDIT,
                               TF_PARTY_DONOR, TF_OUTFLOW_NONE},
    [TF_ACCT_FX_GAIN] = {TF_N_FX_GAIN, TF_CAT_REVENUE, TF_CREDIT, TF_PARTY_NONE,
                         TF_OUTFLOW_NONE},
    [TF_ACCT_INTEREST] = {TF_N_INTEREST, TF_CAT_REVENUE, TF_CREDIT,
                          TF_PARTY_NONE, TF_OUTFLOW_NONE},
    [TF_ACCT_FX_LOSS] = {TF_N_FX_LOSS, TF_CAT_EXPENSE, TF_DEBIT, TF_PARTY_NONE,
                         TF_OUTFLOW_NONE},
    [TF_ACCT_TRAVEL] = {TF_N_TRAVEL, TF_CAT_EXPENSE, TF_DEBIT, TF_PARTY_SESSION,
                        TF_OUTFLOW_TRAVEL},
    [TF_ACCT_PSC] = {TF_N_PSC, TF_CAT_EXPENSE, TF_DEBIT, TF_PARTY_NONE,
                     TF_OUTFLOW_PSC},
    [TF_ACCT_PREP] = {TF_N_PREP, TF_CAT_EXPENSE, TF_DEBIT, TF_PARTY_NONE,
                      TF_OUTFLOW_PREP},
    [TF_ACCT_REFUNDS] = {TF_N_REFUNDS, TF_CAT_EXPENSE, TF_DEBIT, TF_PARTY_NONE,
                         TF_OUTFLOW_REFUNDS},
    [TF_ACCT_TRANSFERS_IN] = {TF_N_TRANSFERS_IN, TF_CAT_TRANSFERS, TF_CREDIT,
                              TF_PARTY_NONE, TF_OUTFLOW_NONE},
    [TF_ACCT_TRANSFERS_OUT] = {TF_N_TRANSFERS_OUT, TF_CAT_TRANSFERS, TF_DEBIT,
                               TF_PARTY_NONE, TF_OUTFLOW_SURPLUS},
    [TF_ACCT_ENCUMBRANCES] = {TF_N_ENCUMBRANCES, TF_CAT_BUDGET, TF_DEBIT,
                              TF_PARTY_NONE, TF_OUTFLOW_NONE},
    [TF_ACCT_RESERVED] = {TF_N_RESERVED, TF_CAT_BUDGET, TF_CREDIT,
                          TF_PARTY_NONE, TF_OUTFLOW_NONE},
};

static const char *const categories[TF_CATEGORY_COUNT] = {
    TF_N_ASSETS,  TF_N_LIABILITIES, TF_N_REVENUE,
    TF_N_EXPENSE, TF_N_TRANSFERS,   TF_N_BUDGET};

static const char *const outflows[TF_OUTFLOW_COUNT] = {
    TF_N_POOL_TRAVEL, "psc", TF_N_POOL_PREP, "surplus-routed", "refunds"};

static const char *const kinds[TF_KIND_COUNT] = {
    TF_N_KIND_PLEDGE,     TF_N_KIND_RECEIPT,      TF_N_KIND_COMMITMENT,
    TF_N_KIND_RELEASE,    TF_N_KIND_DISBURSEMENT, TF_N_KIND_TRANSFER,
    TF_N_KIND_SPEND,      TF_N_KIND_REFUND,       TF_N_KIND_REVERSAL,
    TF_N_KIND_ADJUSTMENT, TF_N_KIND_PSC_PAYMENT,  TF_N_KIND_INTEREST};

static const char *const statuses[TF_STATUS_COUNT] = {
    TF_N_PENDING,  TF_N_FUNDED,    TF_N_WAITLISTED,
    TF_N_REJECTED, TF_N_DISBURSED, TF_N_CANCELLED};

static const char *const reasons[TF_REASON_COUNT] = {
    [TF_REASON_NOT_ELIGIBLE] = "not-eligible",
    [TF_REASON_QUOTA] = "quota",
    [TF_REASON_INSUFFICIENT_FUNDS] = "insufficient-funds",
    [TF_REASON_CAP] = "cap"};

/* The words for a reader, in the order of each enum. */
static const char *const pool_labels[TF_POOL_COUNT] = {
    [TF_POOL_UNRESTRICTED] = "Unrestricted",
    [TF_POOL_TRAVEL] = "Travel",
    [TF_POOL_LDC_TRAVEL] = "LDC travel",
    [TF_POOL_PREP] = "Conference preparation"};

static const char *const outflow_labels[TF_OUTFLOW_COUNT] = {
    [TF_OUTFLOW_TRAVEL] = "Travel grants",
    [TF_OUTFLOW_PSC] = "Programme support costs",
    [TF_OUTFLOW_PREP] = "Conference preparation",
    [TF_OUTFLOW_SURPLUS] = "Surplus routed to conference preparation",
    [TF_OUTFLOW_REFUNDS] = "Refunds to donors"};

static const char *const status_labels[TF_STATUS_COUNT] = {
    [TF_STATUS_PENDING] = "pending",       [TF_STATUS_FUNDED] = "funded",
    [TF_STATUS_WAITLISTED] = "waitlisted", [TF_STATUS_REJECTED] = "rejected",
    [TF_STATUS_DISBURSED] = "paid",        [TF_STATUS_CANCELLED] = "cancelled"};

static const char *const reason_labels[TF_REASON_COUNT] = {
    [TF_REASON_NOT_ELIGIBLE] = "not an eligible country",
    [TF_REASON_QUOTA] = "country quota reached",
    [TF_REASON_INSUFFICIENT_FUNDS] = "not enough money",
    [TF_REASON_CAP] = "over the run's cap or the session's budget"};

/* The index of name in names[0..n), or -1. */
static int find_name(const char *const *names, int n, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

/* ---- Pools ---------------------------------------------------------- */

int tf_pool_find(const char *name)
{
    /* Postings written by the recipes point at tf_pools' own names. */
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (name == tf_pools[k])
            return k;
    return find_name(tf_pools, TF_POOL_COUNT, name);
}

const char *tf_pool_list(void)
{
    return TF_N_POOL_UNRESTRICTED ", " TF_N_POOL_TRAVEL
                                  ", " TF_N_POOL_LDC_TRAVEL ", " TF_N_POOL_PREP;
}

/* ---- Accounts ------------------------------------------------------- */

const tf_account_def *tf_account_info(tf_account a)
{
    return &chart[a];
}

int tf_account_find(const char *name, const char **party)
{
    if (party)
        *party = NULL;
    if (!name)
        return -1;
    for (int a = 0; a < TF_ACCOUNT_COUNT; a++) {
        const tf_account_def *d = &chart[a];
        size_t n = strlen(d->name);
        if (strncmp(name, d->name, n))
            continue;
        if (d->party == TF_PARTY_NONE) {
            if (name[n] == '\0')
                return a;
        } else if (name[n] == ':' && name[n + 1]) {
            if (party)
                *party = name + n + 1;
            return a;
        }
    }
    return -1;
}

char *tf_account_name(char *buf, size_t size, tf_account a, const char *party)
{
    if (chart[a].party == TF_PARTY_NONE)
        snprintf(buf, size, "%s", chart[a].name);
    else
        snprintf(buf, size, "%s:%s", chart[a].name, party ? party : "");
    return buf;
}

const char *tf_category_name(tf_category c)
{
    return categories[c];
}

int tf_category_of(const char *account)
{
    const char *colon = account ? strchr(account, ':') : NULL;

    if (!colon)
        return -1;
    for (int c = 0; c < TF_CATEGORY_COUNT; c++)
        if (strlen(categories[c]) == (size_t)(colon - account) &&
            !strncmp(account, categories[c], (size_t)(colon - account)))
            return c;
    return -1;
}

const char *tf_outflow_name(tf_outflow o)
{
    return outflows[o];
}

int tf_outflow_find(const char *name)
{
    return find_name(outflows, TF_OUTFLOW_COUNT, name);
}

/* ---- The fund's own interest ---------------------------------------- */

const char *tf_interest_party(void)
{
    return TF_N_FUND_INTEREST;
}

int tf_is_interest_party(const char *id)
{
    return id && !strcmp(id, TF_N_FUND_INTEREST);
}

/* ---- Kinds and statuses --------------------------------------------- */

const char *tf_kind_name(tf_kind k)
{
    return kinds[k];
}

int tf_kind_find(const char *name)
{
    return find_name(kinds, TF_KIND_COUNT, name);
}

const char *tf_status_name(tf_status s)
{
    return statuses[s];
}

int tf_status_find(const char *name)
{
    return find_name(statuses, TF_STATUS_COUNT, name);
}

int tf_status_is(const char *name, tf_status s)
{
    return name && !strcmp(name, statuses[s]);
}

const char *tf_reason_name(tf_reason r)
{
    return reasons[r];
}

int tf_reason_find(const char *name)
{
    return find_name(reasons, TF_REASON_COUNT, name);
}

/* ---- Words for a reader --------------------------------------------- */

const char *tf_pool_label(tf_pool k)
{
    return pool_labels[k];
}

const char *tf_outflow_label(tf_outflow o)
{
    return outflow_labels[o];
}

const char *tf_status_label(tf_status s)
{
    return status_labels[s];
}

const char *tf_reason_label(tf_reason r)
{
    return reason_labels[r];
}

const char *tf_tier_label(int tier)
{
    return tier == 1 ? "LDC" : tier == 2 ? "other developing" : "";
}

/* ---- Drafts --------------------------------------------------------- */

void tf_draft_start(tf_draft *d, const char *date, tf_kind kind,
                    const char *memo, const char *ref)
{
    memset(&d->entry, 0, sizeof(d->entry));
    d->entry.date = date;
    d->entry.kind = kinds[kind];
    d->entry.memo = memo;
    d->entry.ref = ref;
    d->post = d->inline_post;
    d->cap = TF_DRAFT_INLINE;
    d->entry.postings = d->post;
    d->nnames = 0;
    d->heap_names = NULL;
    d->oom = 0;
}

tf_error tf_draft_check(const tf_draft *d, tf_diag *diag)
{
    return d->oom ? tf_diag_set(diag, TF_ERR_NOMEM, "out of memory") : TF_OK;
}

void tf_draft_release(tf_draft *d)
{
    for (size_t i = TF_DRAFT_NAMES; i < d->nnames; i++)
        free(d->heap_names[i - TF_DRAFT_NAMES]);
    free(d->heap_names);
    if (d->post != d->inline_post)
        free(d->post);
    d->post = d->inline_post;
    d->cap = TF_DRAFT_INLINE;
    d->heap_names = NULL;
    d->nnames = 0;
    d->entry.postings = d->post;
    d->entry.npostings = 0;
}

/* The name of account a for party, kept as long as the draft: the chart's
 * own string for an account kept for no party. */
static const char *draft_account(tf_draft *d, tf_account a, const char *party)
{
    char *name;

    if (chart[a].party == TF_PARTY_NONE)
        return chart[a].name;
    if (d->nnames < TF_DRAFT_NAMES) {
        name = d->inline_name[d->nnames++];
        return tf_account_name(name, TF_ACCOUNT_BUFSZ, a, party);
    } else {
        size_t i = d->nnames - TF_DRAFT_NAMES;
        char **grown = realloc(d->heap_names, (i + 1) * sizeof(*grown));
        if (!grown || !(name = malloc(TF_ACCOUNT_BUFSZ))) {
            if (grown)
                d->heap_names = grown;
            d->oom = 1;
            return chart[a].name;
        }
        d->heap_names = grown;
        d->heap_names[i] = name;
        d->nnames++;
        return tf_account_name(name, TF_ACCOUNT_BUFSZ, a, party);
    }
}

/* Adds a posting of amount to the account named name in pool. */
static tf_posting *draft_post_to(tf_draft *d, const char *name, tf_pool pool,
                                 int64_t amount)
{
    tf_posting *p;

    if (d->entry.npostings == d->cap) {
        size_t cap = 2 * d->cap;
        tf_posting *grown = d->post == d->inline_post
                                ? malloc(cap * sizeof(*grown))
                                : realloc(d->post, cap * sizeof(*grown));
        if (!grown) {
            d->oom = 1;
            return NULL;
        }
        if (d->post == d->inline_post)
            memcpy(grown, d->inline_post, sizeof(d->inline_post));
        d->post = grown;
        d->cap = cap;
        d->entry.postings = grown;
    }
    p = &d->post[d->entry.npostings++];
    memset(p, 0, sizeof(*p));
    p->account = name;
    p->pool = tf_pools[pool];
    p->amount = amount;
    return p;
}

/* Adds a posting of amount to account a (for party) in pool. */
static tf_posting *draft_post(tf_draft *d, tf_account a, const char *party,
                              tf_pool pool, int64_t amount)
{
    return draft_post_to(d, draft_account(d, a, party), pool, amount);
}

/* A debit of amount to dr and the credit to cr, in pool. */
static void draft_pair(tf_draft *d, tf_account dr, const char *dr_party,
                       tf_account cr, const char *cr_party, tf_pool pool,
                       int64_t amount)
{
    draft_post(d, dr, dr_party, pool, amount);
    draft_post(d, cr, cr_party, pool, -amount);
}

/* Marks p as converted from orig (sign: the posting's side). */
static void draft_orig(tf_posting *p, const tf_orig *orig, int sign,
                       int with_rate)
{
    if (!p || !orig || !orig->currency)
        return;
    p->orig_currency = orig->currency;
    p->orig_amount = sign * orig->amount;
    if (with_rate)
        p->rate = orig->rate;
}

/* ---- Recipes -------------------------------------------------------- */

void tf_recipe_pledge(tf_draft *d, const char *donor, tf_pool pool,
                      int64_t base, const tf_orig *orig)
{
    tf_posting *dr = draft_post(d, TF_ACCT_RECEIVABLE, donor, pool, base);
    tf_posting *cr = draft_post(d, TF_ACCT_CONTRIBUTIONS, donor, pool, -base);

    draft_orig(dr, orig, 1, 1);
    draft_orig(cr, orig, -1, 1);
}

void tf_recipe_receipt(tf_draft *d, const char *donor, tf_pool pool,
                       int64_t cash, int64_t relieved, const tf_orig *orig)
{
    int64_t fx = cash - relieved;
    tf_posting *dr = draft_post(d, TF_ACCT_CASH, NULL, pool, cash);
    tf_posting *cr = draft_post(d, TF_ACCT_RECEIVABLE, donor, pool, -relieved);

    /* The receivable keeps the amount received, at no rate of its own:
     * what it relieves is the pledge's booked value. */
    draft_orig(dr, orig, 1, 1);
    draft_orig(cr, orig, -1, 0);
    if (fx > 0)
        draft_post(d, TF_ACCT_FX_GAIN, NULL, pool, -fx);
    else if (fx < 0)
        draft_post(d, TF_ACCT_FX_LOSS, NULL, pool, -fx);
}

void tf_recipe_commitment(tf_draft *d, tf_pool pool, int64_t amount)
{
    draft_pair(d, TF_ACCT_ENCUMBRANCES, NULL, TF_ACCT_RESERVED, NULL, pool,
               amount);
}

void tf_recipe_release(tf_draft *d, tf_pool pool, int64_t amount)
{
    draft_pair(d, TF_ACCT_RESERVED, NULL, TF_ACCT_ENCUMBRANCES, NULL, pool,
               amount);
}

void tf_recipe_disbursement(tf_draft *d, const char *session,
                            const int64_t expense[TF_POOL_COUNT],
                            const int64_t psc[TF_POOL_COUNT],
                            const int64_t liquidated[TF_POOL_COUNT])
{
    const char *travel = NULL;

    for (int k = 0; k < TF_POOL_COUNT; k++) {
        if (expense[k]) {
            /* One travel account for every pool's expense. */
            if (!travel)
                travel = draft_account(d, TF_ACCT_TRAVEL, session);
            draft_post_to(d, travel, (tf_pool)k, expense[k]);
            draft_post(d, TF_ACCT_CASH, NULL, (tf_pool)k, -expense[k]);
        }
        if (psc[k])
            draft_pair(d, TF_ACCT_PSC, NULL, TF_ACCT_PSC_PAYABLE, NULL,
                       (tf_pool)k, psc[k]);
        if (liquidated[k])
            tf_recipe_release(d, (tf_pool)k, liquidated[k]);
    }
}

void tf_recipe_transfer(tf_draft *d, const int64_t out[TF_POOL_COUNT],
                        tf_pool to)
{
    int64_t moved = 0;

    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (out[k]) {
            draft_pair(d, TF_ACCT_TRANSFERS_OUT, NULL, TF_ACCT_CASH, NULL,
                       (tf_pool)k, out[k]);
            moved += out[k];
        }
    draft_pair(d, TF_ACCT_CASH, NULL, TF_ACCT_TRANSFERS_IN, NULL, to, moved);
}

void tf_recipe_refund(tf_draft *d, tf_pool pool, int64_t total,
                      const char *const *donors, const int64_t *amounts,
                      size_t n)
{
    draft_post(d, TF_ACCT_REFUNDS, NULL, pool, total);
    for (size_t i = 0; i < n; i++)
        draft_post(d, TF_ACCT_REFUNDS_PAYABLE, donors[i], pool, -amounts[i]);
}

void tf_recipe_psc_payment(tf_draft *d, const int64_t paid[TF_POOL_COUNT])
{
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (paid[k])
            draft_pair(d, TF_ACCT_PSC_PAYABLE, NULL, TF_ACCT_CASH, NULL,
                       (tf_pool)k, paid[k]);
}

void tf_recipe_interest(tf_draft *d, tf_pool pool, int64_t amount)
{
    draft_pair(d, TF_ACCT_CASH, NULL, TF_ACCT_INTEREST, NULL, pool, amount);
}

void tf_recipe_spending(tf_draft *d, tf_account account, tf_pool pool,
                        int64_t base, const tf_orig *orig, int64_t psc)
{
    tf_posting *dr = draft_post(d, account, NULL, pool, base);
    tf_posting *cr = draft_post(d, TF_ACCT_CASH, NULL, pool, -base);

    draft_orig(dr, orig, 1, 1);
    draft_orig(cr, orig, -1, 1);
    if (psc)
        draft_pair(d, TF_ACCT_PSC, NULL, TF_ACCT_PSC_PAYABLE, NULL, pool, psc);
}
