/* SPDX-License-Identifier: MIT */
/*
 * The allocation run (DESIGN.md sections 4 and 9): who is eligible, what
 * a trip costs, in which order requests are considered, quotas, the
 * budget share, funding with draws on pools, and the commitment of each
 * grant funded. What happens to a grant afterwards is grant.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/chart_sql.h"
#include "base/arena.h"
#include "books/fund_internal.h"
#include "grants/grants.h"
#include "tfund/allocate.h"
#include "tfund/date.h"
#include "tfund/surplus.h"

/* ---- Counting maps (country or region group -> funded delegates) ---- */

struct counter {
    tf_strmap index; /* key -> index into n */
    long *n;
    size_t len, cap;
};

/* The index of key's count, a new one at 0 when key is new; SIZE_MAX when
 * out of memory. */
static size_t counter_index(struct counter *c, const char *key)
{
    size_t *at;
    int added;

    if (c->len == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        long *grown = realloc(c->n, cap * sizeof(*grown));
        if (!grown)
            return SIZE_MAX;
        c->n = grown;
        c->cap = cap;
    }
    if (!(at = tf_strmap_put(&c->index, key, 0, &added)))
        return SIZE_MAX;
    if (added) {
        *at = c->len;
        c->n[c->len++] = 0;
    }
    return *at;
}

static void counter_release(struct counter *c)
{
    tf_strmap_release(&c->index);
    free(c->n);
    memset(c, 0, sizeof(*c));
}

/* ---- The run -------------------------------------------------------- */

struct areq {
    int64_t rowid; /* where the request is stored */
    char *ref, *country, *region, *submitted, *delegate, *gender;
    char currency[8];
    int64_t fare_orig;
    int tier;
    int64_t fare, dsa, terminal, cost, psc, charge;
    const char *status, *reason;
    int ndraws;
    int draw_pool[TF_POOL_COUNT];
    int64_t draw_amt[TF_POOL_COUNT];
    /* The counts of the request's country and region group: indexes while
     * the requests load, then pointers (the counts no longer move). */
    size_t country_at, region_at;
    long *country_count, *region_count;
};

struct run {
    tf_fund *fund;
    const tf_alloc_options *opt;
    tf_alloc_result *res;
    tf_diag *diag;
    struct areq *reqs;
    size_t n, cap;
    tf_arena text;
    struct counter by_country, by_region;
    int64_t quota_ldc, quota_dev;
    /* The settings the run uses, which it records (verify checks they
     * were the ones in force). */
    char psc_rate[64], reserve_rate[64];
    int64_t remaining[TF_POOL_COUNT];
    int64_t run_total;
    int stopped;
    /* Rates of the run's date, per fare currency. */
    struct {
        char code[8];
        char per_usd[64];
    } rates[64];
    size_t nrates;
    char base_rate[64];
};

static void run_release(struct run *r)
{
    tf_arena_release(&r->text);
    free(r->reqs);
    counter_release(&r->by_country);
    counter_release(&r->by_region);
}

/* The fare in the base currency at the run's date, rounded on its own. */
static tf_error fare_to_base(struct run *r, struct areq *q)
{
    const tf_currency *cur = tf_currency_find(q->currency);
    const tf_currency *base = tf_fund_base(r->fund);
    const char *rate = NULL;
    tf_error err;

    if (!cur)
        return tf_diag_set(r->diag, TF_ERR_INPUT,
                           "request '%s': unknown currency '%s'", q->ref,
                           q->currency);
    if (cur == base) {
        q->fare = q->fare_orig;
        return TF_OK;
    }
    for (size_t i = 0; i < r->nrates; i++)
        if (!strcmp(r->rates[i].code, q->currency))
            rate = r->rates[i].per_usd;
    if (!rate) {
        tf_diag sub;
        size_t i = r->nrates;
        tf_diag_clear(&sub);
        if (i >= sizeof(r->rates) / sizeof(r->rates[0]))
            return tf_diag_set(r->diag, TF_ERR_INPUT,
                               "too many fare currencies in one run");
        if ((err = tf_rate_find(r->fund, q->currency, r->opt->date,
                                r->rates[i].per_usd, &sub)))
            return tf_diag_set(r->diag, err, "request '%s': %s", q->ref,
                               sub.msg);
        snprintf(r->rates[i].code, sizeof(r->rates[i].code), "%s", q->currency);
        rate = r->rates[i].per_usd;
        r->nrates++;
    }
    if (tf_money_convert(&q->fare, q->fare_orig, cur, rate, base, r->base_rate))
        return tf_diag_set(r->diag, TF_ERR_INPUT,
                           "request '%s': the fare overflows the books",
                           q->ref);
    return TF_OK;
}

tf_error tf_trip_charge(const tf_session *s, int64_t fare, const char *psc_rate,
                        int64_t *dsa, int64_t *cost, int64_t *psc,
                        int64_t *charge)
{
    if (tf_money_mul_ratio(dsa, s->dsa, s->days + s->extra_days, 1,
                           TF_ROUND_HALF_EVEN) ||
        tf_money_add(cost, fare, *dsa) ||
        tf_money_add(cost, *cost, s->terminal) ||
        tf_money_mul_decimal(psc, *cost, psc_rate, TF_ROUND_HALF_EVEN) ||
        tf_money_add(charge, *cost, *psc))
        return TF_ERR_INPUT;
    return TF_OK;
}

static tf_error figures(struct run *r, struct areq *q, const tf_session *s,
                        const char *psc_rate)
{
    tf_error err = fare_to_base(r, q);

    if (err)
        return err;
    q->terminal = s->terminal;
    if (tf_trip_charge(s, q->fare, psc_rate, &q->dsa, &q->cost, &q->psc,
                       &q->charge))
        return tf_diag_set(r->diag, TF_ERR_INPUT,
                           "request '%s': its cost overflows the books",
                           q->ref);
    return TF_OK;
}

/* Bytewise comparison, as DESIGN.md 9.6 asks of text keys. */
static int cmp_text(const char *a, const char *b)
{
    return strcmp(a, b);
}

static int cmp_submitted(const void *pa, const void *pb)
{
    const struct areq *a = *(struct areq *const *)pa;
    const struct areq *b = *(struct areq *const *)pb;
    int c = cmp_text(a->submitted, b->submitted);

    return c ? c : cmp_text(a->ref, b->ref);
}

static int cmp_cost(const void *pa, const void *pb)
{
    const struct areq *a = *(struct areq *const *)pa;
    const struct areq *b = *(struct areq *const *)pb;

    if (a->charge != b->charge)
        return a->charge < b->charge ? -1 : 1;
    return cmp_submitted(pa, pb);
}

/* The fixed order of the UN regional groups for ties; others after them,
 * bytewise (a country with no group sorts as ""). */
static const char *const group_order[] = {"African", "Asia-Pacific",
                                          "Eastern European", "GRULAC", "WEOG"};

static int group_rank(const char *g)
{
    for (int i = 0; i < 5; i++)
        if (!strcmp(g, group_order[i]))
            return i;
    return 5;
}

static int group_before(const char *a, const char *b)
{
    int ra = group_rank(a), rb = group_rank(b);

    if (ra != rb)
        return ra < rb;
    return strcmp(a, b) < 0;
}

/* Groups in their fixed order, then by submission within a group. */
static int cmp_region(const void *pa, const void *pb)
{
    const struct areq *a = *(struct areq *const *)pa;
    const struct areq *b = *(struct areq *const *)pb;

    if (strcmp(a->region, b->region))
        return group_before(a->region, b->region) ? -1 : 1;
    return cmp_submitted(pa, pb);
}

/* Decides one request of tier 1 or 2 (DESIGN.md 4.4-4.6 and 9.5). */
static void decide(struct run *r, struct areq *q)
{
    const int *pools = tf_tier_pools(q->tier);
    int64_t quota = q->tier == 1 ? r->quota_ldc : r->quota_dev;
    int64_t room = 0, left;

    q->ndraws = 0;
    if (*q->country_count >= quota) {
        q->status = tf_status_name(TF_STATUS_WAITLISTED);
        q->reason = "quota";
        return;
    }
    if (r->stopped) {
        q->status = tf_status_name(TF_STATUS_WAITLISTED);
        q->reason = "insufficient-funds";
        return;
    }
    for (int i = 0; pools[i] >= 0; i++)
        room += r->remaining[pools[i]];
    if (room < q->charge ||
        (r->opt->cap >= 0 && r->run_total + q->charge > r->opt->cap)) {
        q->status = tf_status_name(TF_STATUS_WAITLISTED);
        q->reason = "insufficient-funds";
        if (r->opt->strict)
            r->stopped = 1;
        return;
    }
    left = q->charge;
    for (int i = 0; pools[i] >= 0 && left > 0; i++) {
        int64_t take =
            r->remaining[pools[i]] < left ? r->remaining[pools[i]] : left;
        if (take <= 0)
            continue;
        q->draw_pool[q->ndraws] = pools[i];
        q->draw_amt[q->ndraws] = take;
        q->ndraws++;
        r->remaining[pools[i]] -= take;
        r->res->drawn[pools[i]] += take;
        left -= take;
    }
    q->status = tf_status_name(TF_STATUS_FUNDED);
    q->reason = "";
    r->run_total += q->charge;
    (*q->country_count)++;
    (*q->region_count)++;
}

/* Walks one tier's requests in the order the options ask for. */
static void walk_tier(struct run *r, struct areq **list, size_t n)
{
    if (r->opt->order == TF_ORDER_REGION) {
        /* One queue per group (contiguous after sorting), each by
         * submission; pick from the group with the fewest funded delegates
         * so far, again and again, ties in the groups' fixed order. */
        size_t ngroups = 0, *head, *end;
        qsort(list, n, sizeof(*list), cmp_region);
        head = calloc(n ? n : 1, sizeof(size_t));
        end = calloc(n ? n : 1, sizeof(size_t));
        if (!head || !end) {
            free(head);
            free(end);
            for (size_t i = 0; i < n; i++)
                decide(r, list[i]);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || strcmp(list[i]->region, list[i - 1]->region)) {
                head[ngroups] = i;
                ngroups++;
            }
            end[ngroups - 1] = i + 1;
        }
        for (;;) {
            size_t best = ngroups;
            for (size_t g = 0; g < ngroups; g++) {
                if (head[g] == end[g])
                    continue;
                if (best == ngroups || *list[head[g]]->region_count <
                                           *list[head[best]]->region_count)
                    best = g;
            }
            if (best == ngroups)
                break;
            decide(r, list[head[best]++]);
        }
        free(head);
        free(end);
        return;
    }
    qsort(list, n, sizeof(*list),
          r->opt->order == TF_ORDER_COST ? cmp_cost : cmp_submitted);
    for (size_t i = 0; i < n; i++)
        decide(r, list[i]);
}

struct session_ctx {
    char id[80], start[16];
    tf_session s;
    int found;
};

static int copy_session(void *ctx, const tf_session *s)
{
    struct session_ctx *c = ctx;

    c->s = *s;
    snprintf(c->id, sizeof(c->id), "%s", s->id);
    snprintf(c->start, sizeof(c->start), "%s", s->start);
    c->s.id = c->id;
    c->s.start = c->start;
    c->s.name = c->s.venue = NULL;
    c->found = 1;
    return 1;
}

static tf_error load_session(tf_fund *fund, const char *id,
                             struct session_ctx *sc, tf_diag *diag)
{
    memset(sc, 0, sizeof(*sc));
    return tf_session_each(fund, id, copy_session, sc, diag);
}

/* Loads the counts of funded and disbursed delegates of the session, per
 * country and per region group, from earlier runs. */
static tf_error load_counts(struct run *r, const char *session)
{
    tf_stmt *st = tf_db_prepare(r->fund->db,
                                "SELECT q.country, c.region_group, count(*) "
                                "FROM requests q JOIN countries c ON c.iso3 "
                                "= q.country WHERE q.session = ?1 AND "
                                "q.status IN (" TF_SQL_FUNDED
                                ", " TF_SQL_DISBURSED ") GROUP BY q.country",
                                r->diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    while ((rc = tf_stmt_step(st)) > 0) {
        size_t c = counter_index(&r->by_country, tf_col_text(st, 0));
        size_t g = counter_index(&r->by_region, tf_col_text(st, 1));
        if (c == SIZE_MAX || g == SIZE_MAX) {
            tf_stmt_reset(st);
            return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
        }
        r->by_country.n[c] += (long)tf_col_int(st, 2);
        r->by_region.n[g] += (long)tf_col_int(st, 2);
    }
    if (rc < 0)
        return tf_stmt_error(st, r->diag);
    tf_stmt_reset(st);
    return TF_OK;
}

static char *dup_or_empty(struct run *r, const char *s, int *oom)
{
    char *d = tf_arena_dup(&r->text, s);

    if (!d)
        *oom = 1;
    return d;
}

static int cmp_ref(const void *pa, const void *pb)
{
    return strcmp((*(struct areq *const *)pa)->ref,
                  (*(struct areq *const *)pb)->ref);
}

/* Puts the requests in reference order: sorts pointers, then moves the
 * requests along the cycles of that permutation, each once (a request is
 * too large to be moved at every step of a sort, and a sorted copy would
 * double the memory of a big session). */
static tf_error sort_by_ref(struct run *r)
{
    struct areq **order;
    size_t *from;

    if (r->n < 2)
        return TF_OK;
    order = malloc(r->n * sizeof(*order));
    from = malloc(r->n * sizeof(*from));
    if (!order || !from) {
        free(order);
        free(from);
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < r->n; i++)
        order[i] = &r->reqs[i];
    qsort(order, r->n, sizeof(*order), cmp_ref);
    /* from[i]: where the request that belongs at i is now; SIZE_MAX once
     * it is in place. */
    for (size_t i = 0; i < r->n; i++)
        from[i] = (size_t)(order[i] - r->reqs);
    free(order);
    for (size_t i = 0; i < r->n; i++) {
        struct areq held;
        size_t j = i;
        if (from[i] == SIZE_MAX || from[i] == i) {
            from[i] = SIZE_MAX;
            continue;
        }
        held = r->reqs[i];
        while (from[j] != i) {
            size_t k = from[j];
            r->reqs[j] = r->reqs[k];
            from[j] = SIZE_MAX;
            j = k;
        }
        r->reqs[j] = held;
        from[j] = SIZE_MAX;
    }
    free(from);
    return TF_OK;
}

/* Loads the session's pending and waitlisted requests with their tier. */
static tf_error load_requests(struct run *r, const struct session_ctx *sc)
{
    tf_stmt *st = tf_db_prepare(
        r->fund->db,
        "SELECT q.ref, q.country, q.submitted, q.fare, q.fare_currency, "
        "c.region_group, c.ldc_from, c.ldc_until, c.developing, q.delegate, "
        "q.gender, q.rowid FROM requests q JOIN countries c ON c.iso3 = "
        "q.country WHERE q.session = ?1 AND q.status IN (" TF_SQL_PENDING
        ", " TF_SQL_WAITLISTED ")",
        r->diag);
    int rc, oom = 0;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, sc->s.id);
    while ((rc = tf_stmt_step(st)) > 0) {
        struct areq *q;
        tf_country c;
        if (r->n == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 256;
            struct areq *grown = realloc(r->reqs, cap * sizeof(*grown));
            if (!grown) {
                oom = 1;
                break;
            }
            r->reqs = grown;
            r->cap = cap;
        }
        q = &r->reqs[r->n++];
        memset(q, 0, sizeof(*q));
        q->ref = dup_or_empty(r, tf_col_text(st, 0), &oom);
        q->country = dup_or_empty(r, tf_col_text(st, 1), &oom);
        q->submitted = dup_or_empty(r, tf_col_text(st, 2), &oom);
        q->fare_orig = tf_col_int(st, 3);
        snprintf(q->currency, sizeof(q->currency), "%s", tf_col_text(st, 4));
        q->region = dup_or_empty(r, tf_col_text(st, 5), &oom);
        q->delegate = dup_or_empty(r, tf_col_text(st, 9), &oom);
        q->gender = dup_or_empty(r, tf_col_text(st, 10), &oom);
        q->rowid = tf_col_int(st, 11);
        memset(&c, 0, sizeof(c));
        c.ldc_from = tf_col_text(st, 6);
        c.ldc_until = tf_col_text(st, 7);
        c.developing = (int)tf_col_int(st, 8);
        q->tier = tf_country_tier(&c, sc->s.start);
        if (oom)
            break;
        q->country_at = counter_index(&r->by_country, q->country);
        q->region_at = counter_index(&r->by_region, q->region);
        if (q->country_at == SIZE_MAX || q->region_at == SIZE_MAX) {
            oom = 1;
            break;
        }
    }
    tf_stmt_reset(st);
    if (oom)
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    if (rc < 0)
        return tf_stmt_error(st, r->diag);
    for (size_t i = 0; i < r->n; i++) {
        r->reqs[i].country_count = &r->by_country.n[r->reqs[i].country_at];
        r->reqs[i].region_count = &r->by_region.n[r->reqs[i].region_at];
    }
    /* In reference order (bytewise, as SQL's ORDER BY would give), which
     * is the order decisions and entries are written in. Sorting here
     * reads the table in storage order instead of the index's. */
    return sort_by_ref(r);
}

/*
 * The allocation writes two rows for every request it considers (the
 * request's new state and its decision) and one for every draw, so it
 * writes them TF_DB_BATCH to a statement (db.h).
 */
#define UPDATE_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define UPDATE_HEAD                                                            \
    "UPDATE OR ROLLBACK requests SET status = v.column2, reason = v.column3, " \
    "tier = v.column4, run = v.column5, decided = v.column6, fare_base = "     \
    "v.column7, dsa = v.column8, terminal = v.column9, cost = v.column10, "    \
    "psc = v.column11, charge = v.column12 FROM (VALUES "
#define UPDATE_TAIL ") AS v WHERE requests.rowid = v.column1"

static const char *const update_one = UPDATE_HEAD UPDATE_ROW UPDATE_TAIL;
static const char *const update_batch =
    UPDATE_HEAD UPDATE_ROW TF_DB_MORE_ROWS(", " UPDATE_ROW) UPDATE_TAIL;

/* A run's decision carries every figure of the request's new state, of
 * which the request's columns are a cache (verify re-derives them). */
#define DECISION_HEAD                                                          \
    "INSERT OR ROLLBACK INTO decisions (run, request, date, status, reason, "  \
    "charge, note, tier, fare_base, dsa, terminal, cost, psc) VALUES "
#define DECISION_ROW "(?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)"

static const char *const decision_one = DECISION_HEAD DECISION_ROW;
static const char *const decision_batch =
    DECISION_HEAD DECISION_ROW TF_DB_MORE_ROWS(", " DECISION_ROW);

/* Binds the new state of request i of a list (struct areq *[]) as row k
 * of an update. */
static void bind_update(struct run *r, tf_stmt *st, int k, const void *list,
                        size_t i)
{
    const struct areq *q = ((struct areq *const *)list)[i];
    int c = k * 12;

    tf_stmt_int(st, c + 1, q->rowid);
    tf_stmt_text_ref(st, c + 2, q->status);
    tf_stmt_text_ref(st, c + 3, q->reason);
    if (q->tier)
        tf_stmt_int(st, c + 4, q->tier);
    else
        tf_stmt_null(st, c + 4);
    tf_stmt_int(st, c + 5, r->res->run);
    tf_stmt_text_ref(st, c + 6, r->opt->date);
    tf_stmt_int(st, c + 7, q->fare);
    tf_stmt_int(st, c + 8, q->dsa);
    tf_stmt_int(st, c + 9, q->terminal);
    tf_stmt_int(st, c + 10, q->cost);
    tf_stmt_int(st, c + 11, q->psc);
    tf_stmt_int(st, c + 12, q->charge);
}

/* Binds the decision of request i of a list (struct areq *[]) as row k
 * of an insert. */
static void bind_decision(struct run *r, tf_stmt *st, int k, const void *list,
                          size_t i)
{
    const struct areq *q = ((struct areq *const *)list)[i];
    int c = k * 12;

    tf_stmt_int(st, c + 1, r->res->run);
    tf_stmt_text_ref(st, c + 2, q->ref);
    tf_stmt_text_ref(st, c + 3, r->opt->date);
    tf_stmt_text_ref(st, c + 4, q->status);
    tf_stmt_text_ref(st, c + 5, q->reason);
    tf_stmt_int(st, c + 6, q->charge);
    if (q->tier)
        tf_stmt_int(st, c + 7, q->tier);
    else
        tf_stmt_null(st, c + 7);
    tf_stmt_int(st, c + 8, q->fare);
    tf_stmt_int(st, c + 9, q->dsa);
    tf_stmt_int(st, c + 10, q->terminal);
    tf_stmt_int(st, c + 11, q->cost);
    tf_stmt_int(st, c + 12, q->psc);
}

/* Writes rows 0..n of items, TF_DB_BATCH a statement (sql_batch) and
 * the rest one by one (sql_one); bind binds item i as row k. */
struct rows {
    struct run *r;
    const void *items;
    void (*bind)(struct run *r, tf_stmt *st, int k, const void *items,
                 size_t i);
};

static void bind_row(void *ctx, tf_stmt *st, int k, size_t i)
{
    const struct rows *w = ctx;

    w->bind(w->r, st, k, w->items, i);
}

static tf_error write_rows(struct run *r, size_t n, const char *sql_batch,
                           const char *sql_one,
                           void (*bind)(struct run *r, tf_stmt *st, int k,
                                        const void *items, size_t i),
                           const void *items)
{
    struct rows w = {r, items, bind};

    return tf_db_write_rows(r->fund->db, n, sql_batch, sql_one, bind_row, &w,
                            r->diag);
}

static int cmp_rowid(const void *pa, const void *pb)
{
    const struct areq *a = *(struct areq *const *)pa;
    const struct areq *b = *(struct areq *const *)pb;

    return a->rowid < b->rowid ? -1 : a->rowid > b->rowid;
}

/* Writes every request's new state, in the order the requests are stored
 * (rowid): in reference order, as they are decided, each update would
 * land on another page of the table; then every decision, in reference
 * order. */
static tf_error write_requests(struct run *r)
{
    struct areq **order = malloc((r->n ? r->n : 1) * sizeof(*order));
    tf_error err;

    if (!order)
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++)
        order[i] = &r->reqs[i];
    err =
        write_rows(r, r->n, decision_batch, decision_one, bind_decision, order);
    if (!err) {
        qsort(order, r->n, sizeof(*order), cmp_rowid);
        err = write_rows(r, r->n, update_batch, update_one, bind_update, order);
    }
    free(order);
    return err;
}

/* Commitment entries waiting to be posted with their draws, a few
 * batches at a time. */
#define COMMIT_CHUNK (4 * TF_DB_BATCH)
struct commitments {
    size_t n;
    tf_entry entries[COMMIT_CHUNK];
    tf_draft drafts[COMMIT_CHUNK];
    char memo[COMMIT_CHUNK][400], ref[COMMIT_CHUNK][160];
    struct areq *q[COMMIT_CHUNK];
    int draw[COMMIT_CHUNK];
};

#define DRAW_HEAD                                                              \
    "INSERT OR ROLLBACK INTO draws (request, seq, pool, amount, entry) "       \
    "VALUES "
#define DRAW_ROW "(?, ?, ?, ?, ?)"

static const char *const draw_one = DRAW_HEAD DRAW_ROW;
static const char *const draw_batch =
    DRAW_HEAD DRAW_ROW TF_DB_MORE_ROWS(", " DRAW_ROW);

/* Binds the draw of waiting commitment i (struct commitments) as row k. */
static void bind_draw(struct run *r, tf_stmt *st, int k, const void *items,
                      size_t i)
{
    const struct commitments *c = items;
    const struct areq *q = c->q[i];
    int d = c->draw[i], col = k * 5;

    (void)r;
    tf_stmt_text_ref(st, col + 1, q->ref);
    tf_stmt_int(st, col + 2, d + 1);
    tf_stmt_text_ref(st, col + 3, tf_pools[q->draw_pool[d]]);
    tf_stmt_int(st, col + 4, q->draw_amt[d]);
    tf_stmt_int(st, col + 5, c->entries[i].id);
}

/* Posts the waiting commitments, then their draws (each draw names its
 * commitment entry). */
static tf_error flush_commitments(struct run *r, struct commitments *c)
{
    tf_error err = tf_ledger_post_many(r->fund, c->entries, c->n, r->diag);

    if (!err)
        err = write_rows(r, c->n, draw_batch, draw_one, bind_draw, c);
    c->n = 0;
    return err;
}

/* Adds a funded grant's commitment entries, one per pool drawn. */
static tf_error add_commitments(struct run *r, struct commitments *c,
                                struct areq *q, const char *session)
{
    tf_error err;

    for (int i = 0; i < q->ndraws; i++) {
        const char *pool = tf_pools[q->draw_pool[i]];
        size_t k;
        if (c->n == COMMIT_CHUNK && (err = flush_commitments(r, c)))
            return err;
        k = c->n++;
        snprintf(c->memo[k], sizeof(c->memo[k]),
                 "commitment: travel of %s (%s) to %s", q->delegate, q->country,
                 session);
        snprintf(c->ref[k], sizeof(c->ref[k]), "%s@%s", q->ref, pool);
        /* A commitment names no party: its draft never allocates. */
        tf_draft_start(&c->drafts[k], r->opt->date, TF_KIND_COMMITMENT,
                       c->memo[k], c->ref[k]);
        tf_recipe_commitment(&c->drafts[k], (tf_pool)q->draw_pool[i],
                             q->draw_amt[i]);
        c->entries[k] = c->drafts[k].entry;
        c->q[k] = q;
        c->draw[k] = i;
    }
    return TF_OK;
}

static void to_request(const struct areq *q, const char *session,
                       const char *date, tf_request *out)
{
    memset(out, 0, sizeof(*out));
    out->ref = q->ref;
    out->session = session;
    out->country = q->country;
    out->delegate = q->delegate;
    out->submitted = q->submitted;
    out->fare_currency = q->currency;
    out->gender = q->gender;
    out->fare_orig = q->fare_orig;
    out->status = q->status;
    out->reason = q->reason;
    out->region_group = q->region;
    out->decided = date;
    out->tier = tf_status_is(q->status, TF_STATUS_REJECTED) ? 0 : q->tier;
    out->has_figures = 1;
    out->fare = q->fare;
    out->dsa = q->dsa;
    out->terminal = q->terminal;
    out->cost = q->cost;
    out->psc = q->psc;
    out->charge = q->charge;
    out->ndraws = q->ndraws;
    for (int i = 0; i < q->ndraws; i++) {
        out->draws[i].pool = tf_pools[q->draw_pool[i]];
        out->draws[i].amount = q->draw_amt[i];
    }
}

/* The settings and rates a run reads once: PSC rate, quotas, the base
 * currency's rate on the run's date. */
static tf_error run_settings(struct run *r, char *psc_rate, size_t size)
{
    tf_error err;

    if ((err = tf_setting_get(r->fund, "psc_rate", psc_rate, size, r->diag)) ||
        (err = tf_setting_int(r->fund, "quota_ldc", &r->quota_ldc, r->diag)) ||
        (err = tf_setting_int(r->fund, "quota_developing", &r->quota_dev,
                              r->diag)) ||
        (err = tf_setting_get(r->fund, "reserve_rate", r->reserve_rate,
                              sizeof(r->reserve_rate), r->diag)))
        return err;
    snprintf(r->psc_rate, sizeof(r->psc_rate), "%s", psc_rate);
    return tf_rate_find(r->fund, tf_fund_base(r->fund)->code, r->opt->date,
                        r->base_rate, r->diag);
}

/* The budget share and each pool's allowance, once, from the books as of
 * the run's date: floor(available x share), where share is this session's
 * days over the days of every session starting on or after it (DESIGN.md
 * 9.4), or 1 with --budget all. */
static tf_error allowances(struct run *r, const tf_session *s)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    int64_t num = 1, den = 1;
    tf_stmt *st;
    tf_error err;
    int rc;

    if (!r->opt->budget_all) {
        st = tf_db_prepare(r->fund->db,
                           "SELECT coalesce(sum(days), 0) FROM sessions WHERE "
                           "start >= ?1",
                           r->diag);
        if (!st)
            return TF_ERR_DB;
        tf_stmt_text(st, 1, s->start);
        rc = tf_stmt_step(st);
        if (rc < 0)
            return tf_stmt_error(st, r->diag);
        num = s->days;
        den = tf_col_int(st, 0);
        tf_stmt_reset(st);
    }
    snprintf(r->res->share, sizeof(r->res->share), "%" PRId64 "/%" PRId64, num,
             den);
    if ((err = tf_ledger_pools(r->fund, r->opt->date, figs, r->diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t allow = 0;
        if (k != TF_POOL_PREP && figs[k].available > 0 &&
            tf_money_mul_ratio(&allow, figs[k].available, num, den,
                               TF_ROUND_FLOOR))
            return tf_diag_set(r->diag, TF_ERR_INPUT, "allowance overflows");
        r->remaining[k] = allow;
        r->res->allow[k] = allow;
    }
    return TF_OK;
}

/* Prices every request, rejects the ineligible, and walks tier 1, then
 * tier 2, deciding each. */
static tf_error decide_all(struct run *r, const tf_session *s,
                           const char *psc_rate)
{
    struct areq **list = calloc(r->n ? r->n : 1, sizeof(*list));
    tf_error err = TF_OK;

    if (!list)
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->n && !err; i++) {
        struct areq *q = &r->reqs[i];
        if ((err = figures(r, q, s, psc_rate)))
            break;
        if (q->tier == 0) {
            q->status = tf_status_name(TF_STATUS_REJECTED);
            q->reason = "not-eligible";
        }
    }
    for (int t = 1; t <= 2 && !err; t++) {
        size_t n = 0;
        for (size_t i = 0; i < r->n; i++)
            if (r->reqs[i].tier == t)
                list[n++] = &r->reqs[i];
        walk_tier(r, list, n);
    }
    free(list);
    return err;
}

/* Records the run with its options and share; res->run gets its id. */
static tf_error write_run(struct run *r, const char *session)
{
    static const char *const order_names[] = {"submitted", "cost", "region"};
    const tf_alloc_options *opt = r->opt;
    char options[256];
    tf_stmt *st;
    tf_error err;

    snprintf(options, sizeof(options),
             "order=%s budget=%s cap=%" PRId64 " strict=%d",
             order_names[opt->order], opt->budget_all ? "all" : "days",
             opt->cap, opt->strict);
    st = tf_db_prepare(r->fund->db,
                       "INSERT INTO runs (session, date, options, share, "
                       "psc_rate, reserve_rate, quota_ldc, quota_developing) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       r->diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    tf_stmt_text(st, 2, opt->date);
    tf_stmt_text(st, 3, options);
    tf_stmt_text(st, 4, r->res->share);
    tf_stmt_text(st, 5, r->psc_rate);
    tf_stmt_text(st, 6, r->reserve_rate);
    tf_stmt_int(st, 7, r->quota_ldc);
    tf_stmt_int(st, 8, r->quota_dev);
    if ((err = tf_stmt_run(st, r->diag)))
        return err;
    st = tf_db_prepare(r->fund->db, "SELECT max(id) FROM runs", r->diag);
    if (!st || tf_stmt_step(st) <= 0)
        return st ? tf_stmt_error(st, r->diag) : TF_ERR_DB;
    r->res->run = tf_col_int(st, 0);
    tf_stmt_reset(st);
    return TF_OK;
}

/* Counts a decision in the run's summary. */
static void count(tf_alloc_result *res, const struct areq *q)
{
    res->considered++;
    if (tf_status_is(q->status, TF_STATUS_FUNDED)) {
        res->funded++;
        res->funded_tier[q->tier]++;
        res->funded_charge += q->charge;
    } else if (tf_status_is(q->status, TF_STATUS_REJECTED)) {
        res->rejected++;
    } else {
        res->waitlisted++;
    }
}

/* Writes the decisions and the commitments of the funded, counts them and
 * hands each to fn; then checks the pools drawn against today. */
static tf_error write_outcome(struct run *r, const char *session,
                              int (*fn)(void *ctx, const tf_request *q),
                              void *ctx)
{
    struct commitments *commits;
    int touched[TF_POOL_COUNT];
    tf_error err;

    if ((err = write_requests(r)))
        return err;
    if (!(commits = malloc(sizeof(*commits))))
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    commits->n = 0;
    for (size_t i = 0; i < r->n && !err; i++) {
        struct areq *q = &r->reqs[i];
        if ((err = add_commitments(r, commits, q, session)))
            break;
        count(r->res, q);
        if (fn) {
            tf_request out;
            to_request(q, session, r->opt->date, &out);
            fn(ctx, &out);
        }
    }
    if (!err)
        err = flush_commitments(r, commits);
    free(commits);
    if (err)
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        touched[k] = r->res->drawn[k] > 0;
    return tf_pools_check_today(r->fund, touched, "an allocation", r->opt->date,
                                r->diag);
}

tf_error tf_allocate(tf_fund *fund, const char *session,
                     const tf_alloc_options *opt, tf_alloc_result *res,
                     int (*fn)(void *ctx, const tf_request *r), void *ctx,
                     tf_diag *diag)
{
    struct session_ctx sc;
    struct run r;
    char psc_rate[64];
    tf_error err;

    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    r.fund = fund;
    r.opt = opt;
    r.res = res;
    r.diag = diag;

    if (tf_date_check(opt->date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = load_session(fund, session, &sc, diag)) ||
        (err = run_settings(&r, psc_rate, sizeof(psc_rate))) ||
        (err = allowances(&r, &sc.s)))
        return err;
    if (!(err = load_counts(&r, sc.s.id)) && !(err = load_requests(&r, &sc)) &&
        !(err = decide_all(&r, &sc.s, psc_rate)) &&
        !(err = write_run(&r, sc.s.id)))
        err = write_outcome(&r, sc.s.id, fn, ctx);
    /* A dry run is rolled back by the caller: its run id never exists. */
    if (opt->dry_run)
        res->run = 0;
    run_release(&r);
    return err;
}
