/* SPDX-License-Identifier: MIT */
/*
 * The allocation run (DESIGN.md sections 4 and 9): who is eligible, what
 * a trip costs, in which order requests are considered, quotas, the
 * session's envelope and the run's allowance, caps, funding with draws on
 * pools, and the commitment of each grant funded; and the views that
 * simulate the next run (envelope, waitlist, headroom). What happens to a
 * grant afterwards is grant.c.
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
#include "tfund/audit.h"
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
    int was_waitlisted; /* waitlisted when the run started */
    /* What the request's charge was measured against when the walk
     * reached it: the allowance its tier's pools had left (reason
     * insufficient-funds) or what --cap or the travel_budget had left
     * (cap); -1 for quota. */
    int64_t room;
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
    struct session_ctx *sc;
    tf_envelope env;                  /* what the run starts from */
    int64_t remaining[TF_POOL_COUNT]; /* the allowance left */
    int64_t run_total;                /* the charge this run funded */
    int64_t budget_used;     /* funding charges of the session's grants */
    const char *stop_reason; /* --strict: why the walk stopped */
    /* The requests in the order the walk decided them. */
    struct areq **walk;
    size_t nwalk;
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
    free(r->walk);
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

static void waitlist(struct areq *q, const char *reason, int64_t room)
{
    q->status = tf_status_name(TF_STATUS_WAITLISTED);
    q->reason = reason;
    q->room = room;
}

/* Decides one request of tier 1 or 2 (DESIGN.md 4.4-4.6 and 9.4-9.5):
 * quota first; then money: a charge the remaining allowance of the tier's
 * pools does not cover is insufficient-funds, one it covers but that
 * would pass --cap or the travel_budget is cap; after --strict stops the
 * walk, the rest get the reason of the request that stopped it. */
static void decide(struct run *r, struct areq *q)
{
    const int *pools = tf_tier_pools(q->tier);
    int64_t quota = q->tier == 1 ? r->quota_ldc : r->quota_dev;
    int64_t room = 0, cap_room = 0, left;
    int capped = 0;
    const char *miss = NULL;

    r->walk[r->nwalk++] = q;
    q->ndraws = 0;
    if (*q->country_count >= quota) {
        waitlist(q, "quota", -1);
        return;
    }
    if (r->stop_reason) {
        waitlist(q, r->stop_reason, -1);
        return;
    }
    for (int i = 0; pools[i] >= 0; i++)
        room += r->remaining[pools[i]];
    if (r->opt->cap >= 0) {
        cap_room = r->opt->cap - r->run_total;
        capped = 1;
    }
    if (r->env.travel_budget > 0) {
        int64_t left_budget = r->env.travel_budget - r->budget_used;
        if (!capped || left_budget < cap_room)
            cap_room = left_budget;
        capped = 1;
    }
    if (q->charge > room)
        miss = "insufficient-funds";
    else if (capped && q->charge > cap_room)
        miss = "cap";
    if (miss) {
        waitlist(q, miss, miss[0] == 'c' ? cap_room : room);
        if (r->opt->strict)
            r->stop_reason = miss;
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
    q->room = 0;
    r->run_total += q->charge;
    r->budget_used += q->charge;
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

/* Loads the session's pending and waitlisted requests submitted (the date
 * part) by the run's date, with their tier (DESIGN.md 9.4: a later one is
 * left as it is). */
static tf_error load_requests(struct run *r, const struct session_ctx *sc)
{
    /* The same, reading each request's latest amendment when a fund has
     * any (most have none, and the join costs a lookup a request). The
     * date part of submitted is on or before the date when submitted
     * sorts before the date followed by '~', above every character of a
     * time. */
#define LOAD_COLS(fare, cur, delegate, gender)                                 \
    "SELECT q.ref, q.country, q.submitted, " fare ", " cur                     \
    ", c.region_group, c.ldc_from, c.ldc_until, c.developing, " delegate       \
    ", " gender ", q.rowid, q.status = " TF_SQL_WAITLISTED " FROM requests q " \
    "JOIN countries c ON c.iso3 = q.country "
#define LOAD_WHERE                                                             \
    "WHERE q.session = ?1 AND q.status IN (" TF_SQL_PENDING                    \
    ", " TF_SQL_WAITLISTED ") AND q.submitted < ?2"
    static const char plain[] = LOAD_COLS("q.fare", "q.fare_currency",
                                          "q.delegate", "q.gender") LOAD_WHERE;
    static const char amended[] =
        LOAD_COLS("coalesce(a.fare, q.fare)",
                  "coalesce(a.fare_currency, q.fare_currency)",
                  "coalesce(a.delegate, q.delegate)",
                  "coalesce(a.gender, q.gender)") TF_SQL_AMENDMENT("a", "q")
            LOAD_WHERE;
#undef LOAD_COLS
#undef LOAD_WHERE
    char upto[24];
    tf_stmt *st;
    int rc, oom = 0, any = 0;

    st = tf_db_prepare(r->fund->db, "SELECT EXISTS (SELECT 1 FROM amendments)",
                       r->diag);
    if (!st)
        return TF_ERR_DB;
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, r->diag);
    any = rc > 0 && tf_col_int(st, 0);
    tf_stmt_reset(st);
    if (!(st = tf_db_prepare(r->fund->db, any ? amended : plain, r->diag)))
        return TF_ERR_DB;
    snprintf(upto, sizeof(upto), "%s~", r->opt->date);
    tf_stmt_text(st, 1, sc->s.id);
    tf_stmt_text(st, 2, upto);
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
        q->was_waitlisted = (int)tf_col_int(st, 12);
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
    "INSERT OR ROLLBACK INTO draws (request, seq, pool, amount, entry, run) "  \
    "VALUES "
#define DRAW_ROW "(?, ?, ?, ?, ?, ?)"

static const char *const draw_one = DRAW_HEAD DRAW_ROW;
static const char *const draw_batch =
    DRAW_HEAD DRAW_ROW TF_DB_MORE_ROWS(", " DRAW_ROW);

/* Binds the draw of waiting commitment i (struct commitments) as row k. */
static void bind_draw(struct run *r, tf_stmt *st, int k, const void *items,
                      size_t i)
{
    const struct commitments *c = items;
    const struct areq *q = c->q[i];
    int d = c->draw[i], col = k * 6;

    tf_stmt_text_ref(st, col + 1, q->ref);
    tf_stmt_int(st, col + 2, d + 1);
    tf_stmt_text_ref(st, col + 3, tf_pools[q->draw_pool[d]]);
    tf_stmt_int(st, col + 4, q->draw_amt[d]);
    tf_stmt_int(st, col + 5, c->entries[i].id);
    tf_stmt_int(st, col + 6, r->res->run);
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

/* ---- The envelope (DESIGN.md 9.4) ------------------------------------ */

/* A run whose envelope and grants are in force: one not undone. */
#define RUN_IN_FORCE(r)                                                        \
    "coalesce((SELECT s.step FROM run_steps s WHERE s.run = " r ".id ORDER "   \
    "BY s.id DESC LIMIT 1), 'approved') = 'approved'"

/* The days share of session s, or 1 with --budget all. */
static tf_error session_share(tf_fund *fund, const tf_session *s,
                              int budget_all, int64_t *num, int64_t *den,
                              tf_diag *diag)
{
    tf_stmt *st;
    int rc;

    *num = *den = 1;
    if (budget_all)
        return TF_OK;
    st = tf_db_prepare(fund->db,
                       "SELECT coalesce(sum(days), 0) FROM sessions WHERE "
                       "start >= ?1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, s->start);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    *num = s->days;
    *den = rc > 0 ? tf_col_int(st, 0) : s->days;
    tf_stmt_reset(st);
    if (*den < *num)
        *den = *num;
    return TF_OK;
}

/* used_p: the draws of the session's funded and disbursed grants. */
static tf_error session_used(tf_fund *fund, const char *session,
                             int64_t used[TF_POOL_COUNT], tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT d.pool, sum(d.amount) FROM requests q JOIN draws d ON "
        "d.request = q.ref WHERE q.session = ?1 AND q.status IN (" TF_SQL_FUNDED
        ", " TF_SQL_DISBURSED
        ") AND " TF_SQL_CURRENT_DRAW("d", "q") " GROUP BY d.pool",
        diag);
    int rc;

    memset(used, 0, TF_POOL_COUNT * sizeof(used[0]));
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        if (k >= 0)
            used[k] = tf_col_int(st, 1);
    }
    return tf_stmt_done(st, rc, diag);
}

/* Whether the session has had a run (none: nothing of it is funded, and
 * the scans of its requests for what its grants drew can be spared). */
static tf_error session_has_runs(tf_fund *fund, const char *session, int *has,
                                 tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db, "SELECT EXISTS (SELECT 1 FROM runs WHERE session = ?1)",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    *has = rc > 0 && tf_col_int(st, 0);
    tf_stmt_reset(st);
    return TF_OK;
}

/* The envelope stored by the session's latest run in force: *run 0 when
 * it has none. */
static tf_error stored_envelope(tf_fund *fund, const char *session,
                                int64_t *run, int64_t env[TF_POOL_COUNT],
                                tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT e.run, e.pool, e.envelope FROM envelopes e WHERE e.run = "
        "(SELECT max(r.id) FROM runs r WHERE r.session = ?1 AND r.basis IS "
        "NOT NULL AND " RUN_IN_FORCE("r") ")",
        diag);
    int rc;

    *run = 0;
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 1));
        *run = tf_col_int(st, 0);
        if (k >= 0)
            env[k] = tf_col_int(st, 2);
    }
    return tf_stmt_done(st, rc, diag);
}

/*
 * What a run of session s dated date starts from (DESIGN.md 9.4): the
 * envelope stored by its runs, or fixed now by this one, its first
 * (floor(available x share)), or reset by a re-run given --budget all
 * (used + available); used; available as of date; and the allowance
 * max(0, min(available, envelope - used)), 0 after the session's last day.
 */
static tf_error start_figures(tf_fund *fund, const tf_session *s,
                              const char *date, int budget_all, tf_envelope *e,
                              tf_diag *diag)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    int64_t num, den, stored[TF_POOL_COUNT] = {0};
    tf_error err;

    memset(e, 0, sizeof(*e));
    tf_date_add_days(e->last_day, s->start, (int)s->days - 1);
    e->after_last = strcmp(date, e->last_day) > 0;
    e->travel_budget = s->travel_budget > 0 ? s->travel_budget : 0;
    if ((err = session_share(fund, s, budget_all, &num, &den, diag)) ||
        (err = tf_ledger_pools(fund, date, figs, diag)) ||
        (err = session_has_runs(fund, s->id, &e->has_runs, diag)) ||
        (e->has_runs && (err = session_used(fund, s->id, e->used, diag))) ||
        (e->has_runs &&
         (err = stored_envelope(fund, s->id, &e->run, stored, diag))))
        return err;
    snprintf(e->share, sizeof(e->share), "%" PRId64 "/%" PRId64, num, den);
    snprintf(e->basis, sizeof(e->basis), "%s",
             !e->run      ? "fixed"
             : budget_all ? "reset"
                          : "kept");
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t room;
        if (tf_money_add(&e->budget_used, e->budget_used, e->used[k]))
            return tf_diag_set(diag, TF_ERR_INPUT, "the grants overflow");
        if (k == TF_POOL_PREP)
            continue;
        e->available[k] = figs[k].available;
        if (!e->run) {
            if (tf_money_mul_ratio(&e->envelope[k], figs[k].available, num, den,
                                   TF_ROUND_FLOOR))
                return tf_diag_set(diag, TF_ERR_INPUT, "envelope overflows");
        } else if (budget_all) {
            if (tf_money_add(&e->envelope[k], e->used[k], figs[k].available))
                return tf_diag_set(diag, TF_ERR_INPUT, "envelope overflows");
        } else {
            e->envelope[k] = stored[k];
        }
        room = e->envelope[k] - e->used[k];
        if (room > e->available[k])
            room = e->available[k];
        e->allowance[k] = room > 0 && !e->after_last ? room : 0;
    }
    return TF_OK;
}

tf_error tf_envelope_get(tf_fund *fund, const char *session, const char *date,
                         tf_envelope *out, tf_diag *diag)
{
    struct session_ctx sc;
    tf_error err;
    int own;

    memset(out, 0, sizeof(*out));
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if (!(err = load_session(fund, session, &sc, diag)))
        err = start_figures(fund, &sc.s, date, 0, out, diag);
    tf_db_read_end(fund->db, own);
    return err;
}

/* ---- The run --------------------------------------------------------- */

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

/* Prices every request, rejects the ineligible, and walks tier 1, then
 * tier 2, deciding each. */
static tf_error decide_all(struct run *r, const tf_session *s,
                           const char *psc_rate)
{
    struct areq **list = calloc(r->n ? r->n : 1, sizeof(*list));
    tf_error err = TF_OK;

    r->walk = calloc(r->n ? r->n : 1, sizeof(*r->walk));
    if (!list || !r->walk) {
        free(list);
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    }
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

/* Loads what the run of session sc dated r->opt->date starts from and
 * decides every request it considers, writing nothing. */
static tf_error run_decide(struct run *r, struct session_ctx *sc)
{
    char psc_rate[64];
    tf_error err;

    r->sc = sc;
    if ((err = run_settings(r, psc_rate, sizeof(psc_rate))) ||
        (err = start_figures(r->fund, &sc->s, r->opt->date, r->opt->budget_all,
                             &r->env, r->diag)))
        return err;
    memcpy(r->remaining, r->env.allowance, sizeof(r->remaining));
    r->budget_used = r->env.budget_used;
    if ((r->env.has_runs && (err = load_counts(r, sc->s.id))) ||
        (err = load_requests(r, sc)))
        return err;
    return decide_all(r, &sc->s, psc_rate);
}

/* Records the run with its options, share, settings, actor and how it
 * came by its envelope, then the envelope; res->run gets its id. */
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
                       "psc_rate, reserve_rate, quota_ldc, quota_developing, "
                       "basis, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                       "?8, ?9, ?10)",
                       r->diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    tf_stmt_text(st, 2, opt->date);
    tf_stmt_text(st, 3, options);
    tf_stmt_text(st, 4, r->env.share);
    tf_stmt_text(st, 5, r->psc_rate);
    tf_stmt_text(st, 6, r->reserve_rate);
    tf_stmt_int(st, 7, r->quota_ldc);
    tf_stmt_int(st, 8, r->quota_dev);
    tf_stmt_text(st, 9, r->env.basis);
    tf_stmt_text(st, 10, tf_audit_actor(r->fund));
    if ((err = tf_stmt_run(st, r->diag)))
        return err;
    st = tf_db_prepare(r->fund->db, "SELECT max(id) FROM runs", r->diag);
    if (!st || tf_stmt_step(st) <= 0)
        return st ? tf_stmt_error(st, r->diag) : TF_ERR_DB;
    r->res->run = tf_col_int(st, 0);
    tf_stmt_reset(st);
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        if (k == TF_POOL_PREP)
            continue;
        st = tf_db_prepare(r->fund->db,
                           "INSERT INTO envelopes (run, pool, envelope, used, "
                           "available, allowance) VALUES (?1, ?2, ?3, ?4, "
                           "?5, ?6)",
                           r->diag);
        if (!st)
            return TF_ERR_DB;
        tf_stmt_int(st, 1, r->res->run);
        tf_stmt_text(st, 2, tf_pools[k]);
        tf_stmt_int(st, 3, r->env.envelope[k]);
        tf_stmt_int(st, 4, r->env.used[k]);
        tf_stmt_int(st, 5, r->env.available[k]);
        tf_stmt_int(st, 6, r->env.allowance[k]);
        if ((err = tf_stmt_run(st, r->diag)))
            return err;
    }
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

/* Counts the decisions and hands each to fn, in reference order. */
static void report_outcome(struct run *r, const char *session,
                           int (*fn)(void *ctx, const tf_request *q), void *ctx)
{
    for (size_t i = 0; i < r->n; i++) {
        struct areq *q = &r->reqs[i];
        count(r->res, q);
        if (fn) {
            tf_request out;
            to_request(q, session, r->opt->date, &out);
            fn(ctx, &out);
        }
    }
}

/* Writes the decisions and the commitments of the funded; then checks
 * the pools drawn against today. */
static tf_error write_outcome(struct run *r, const char *session)
{
    struct commitments *commits;
    tf_error err;

    if ((err = write_requests(r)))
        return err;
    if (!(commits = malloc(sizeof(*commits))))
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    commits->n = 0;
    for (size_t i = 0; i < r->n && !err; i++)
        err = add_commitments(r, commits, &r->reqs[i], session);
    if (!err)
        err = flush_commitments(r, commits);
    free(commits);
    if (err)
        return err;
    return tf_pools_check_today(r->fund, "an allocation", r->opt->date,
                                r->diag);
}

static tf_error run_step(tf_fund *fund, int64_t run, const char *step,
                         const char *date, const char *note);
static tf_error write_proposals(struct run *r);

/* A second run of a session is not proposed, nor made, while one waits
 * for its approval (DESIGN.md section 11). A dry run still is: a
 * proposal changes no figure until it is approved, so the dry run shows
 * what a run would decide from the books as they are. */
static tf_error pending_proposal(tf_fund *fund, const char *session,
                                 tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT r.id, s.step FROM runs r JOIN run_steps s ON s.id = (SELECT "
        "max(x.id) FROM run_steps x WHERE x.run = r.id) WHERE r.session = ?1 "
        "AND s.step IN ('proposed', 'certified') LIMIT 1",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0) {
        tf_error err =
            tf_diag_set(diag, TF_ERR_RULE,
                        "run %" PRId64 " of %s is %s and awaits its "
                        "approval: approve or reject it before another run",
                        tf_col_int(st, 0), session, tf_col_text(st, 1));
        tf_stmt_reset(st);
        return err;
    }
    tf_stmt_reset(st);
    return TF_OK;
}

/* The session, and whether a run may be dated date: not after its last
 * day (TF_ERR_RULE), not in a closed period, not (unless a dry run) while
 * another awaits its approval. */
static tf_error run_allowed(tf_fund *fund, const char *session,
                            const char *date, int dry_run,
                            struct session_ctx *sc, tf_diag *diag)
{
    char last[16];
    tf_error err;

    if ((err = load_session(fund, session, sc, diag)))
        return err;
    tf_date_add_days(last, sc->s.start, (int)sc->s.days - 1);
    if (strcmp(date, last) > 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "session '%s' ended on %s: no allocation run may "
                           "be dated after its last day (%s)",
                           sc->s.id, last, date);
    if ((err = tf_ledger_check_date(fund, date, "an allocation", diag)))
        return err;
    return dry_run ? TF_OK : pending_proposal(fund, sc->s.id, diag);
}

tf_error tf_allocate(tf_fund *fund, const char *session,
                     const tf_alloc_options *opt, tf_alloc_result *res,
                     int (*fn)(void *ctx, const tf_request *r), void *ctx,
                     tf_diag *diag)
{
    struct session_ctx sc;
    struct run r;
    tf_error err;
    int own = 0;

    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    r.fund = fund;
    r.opt = opt;
    r.res = res;
    r.diag = diag;

    if (tf_date_check(opt->date, diag))
        return TF_ERR_INPUT;
    if (opt->dry_run && (err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if (!(err = tf_fund_check_open(fund, diag)) &&
        !(err =
              run_allowed(fund, session, opt->date, opt->dry_run, &sc, diag)) &&
        !(err = run_decide(&r, &sc))) {
        res->env = r.env;
        memcpy(res->allow, r.env.allowance, sizeof(res->allow));
        snprintf(res->share, sizeof(res->share), "%s", r.env.share);
        tf_approvals mode = TF_APPROVALS_NONE;
        if (!opt->dry_run && !(err = tf_fund_approvals(fund, &mode, diag)) &&
            !(err = write_run(&r, sc.s.id))) {
            /* With approvals on, the run is proposed: its decisions are
             * kept for the approval, nothing else changes. */
            if (mode == TF_APPROVALS_NONE)
                err = write_outcome(&r, sc.s.id);
            else if (!(err = write_proposals(&r)))
                err = run_step(fund, res->run, "proposed", opt->date, "");
            res->proposed = mode != TF_APPROVALS_NONE;
        }
        if (!err)
            report_outcome(&r, sc.s.id, fn, ctx);
    }
    if (opt->dry_run)
        tf_db_read_end(fund->db, own);
    run_release(&r);
    return err;
}

/* ---- Approvals (DESIGN.md section 11) --------------------------------- */

/* A step of run: proposed, certified, approved, rejected (undone is
 * runs.c's). */
static tf_error run_step(tf_fund *fund, int64_t run, const char *step,
                         const char *date, const char *note)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "INSERT INTO run_steps (run, step, date, "
                                "actor, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                                NULL);
    const char *actor = tf_audit_actor(fund);

    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, run);
    tf_stmt_text(st, 2, step);
    tf_stmt_text(st, 3, date);
    tf_stmt_text(st, 4, actor ? actor : "unknown");
    tf_stmt_text(st, 5, note);
    return tf_stmt_run(st, NULL);
}

/* Keeps every decision of a proposed run, with the marks that tell at
 * its approval whether its requests have moved since. */
static tf_error write_proposals(struct run *r)
{
    static const char sql[] =
        "INSERT INTO proposals (run, request, status, reason, tier, "
        "fare_base, dsa, terminal, cost, psc, charge, draws, seen_decision, "
        "seen_amendment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, (SELECT coalesce(max(id), 0) FROM decisions), (SELECT "
        "coalesce(max(id), 0) FROM amendments))";
    tf_error err;

    for (size_t i = 0; i < r->n; i++) {
        const struct areq *q = &r->reqs[i];
        char draws[256] = "";
        size_t len = 0;
        tf_stmt *st = tf_db_prepare(r->fund->db, sql, r->diag);
        if (!st)
            return TF_ERR_DB;
        for (int d = 0; d < q->ndraws; d++)
            len += (size_t)snprintf(draws + len, sizeof(draws) - len,
                                    "%s%s:%" PRId64, d ? ";" : "",
                                    tf_pools[q->draw_pool[d]], q->draw_amt[d]);
        tf_stmt_int(st, 1, r->res->run);
        tf_stmt_text_ref(st, 2, q->ref);
        tf_stmt_text_ref(st, 3, q->status);
        tf_stmt_text_ref(st, 4, q->reason);
        if (q->tier && !tf_status_is(q->status, TF_STATUS_REJECTED))
            tf_stmt_int(st, 5, q->tier);
        else
            tf_stmt_null(st, 5);
        tf_stmt_int(st, 6, q->fare);
        tf_stmt_int(st, 7, q->dsa);
        tf_stmt_int(st, 8, q->terminal);
        tf_stmt_int(st, 9, q->cost);
        tf_stmt_int(st, 10, q->psc);
        tf_stmt_int(st, 11, q->charge);
        tf_stmt_text(st, 12, draws);
        if ((err = tf_stmt_run(st, r->diag)))
            return err;
    }
    return TF_OK;
}

/* A run as its approval steps see it. */
struct pending {
    int64_t id;
    char session[80], date[16], actor[256], step[16], certifier[256];
    char options[256];
};

static tf_error load_pending(tf_fund *fund, int64_t run, struct pending *p,
                             tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT r.session, r.date, coalesce(r.actor, ''), r.options, "
        "coalesce((SELECT s.step FROM run_steps s WHERE s.run = r.id ORDER "
        "BY s.id DESC LIMIT 1), ''), coalesce((SELECT s.actor FROM run_steps "
        "s WHERE s.run = r.id AND s.step = 'certified' ORDER BY s.id DESC "
        "LIMIT 1), '') FROM runs r WHERE r.id = ?1",
        diag);
    int rc;

    memset(p, 0, sizeof(*p));
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, run);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "no allocation run %" PRId64,
                           run);
    }
    p->id = run;
    snprintf(p->session, sizeof(p->session), "%s", tf_col_text(st, 0));
    snprintf(p->date, sizeof(p->date), "%s", tf_col_text(st, 1));
    snprintf(p->actor, sizeof(p->actor), "%s", tf_col_text(st, 2));
    snprintf(p->options, sizeof(p->options), "%s", tf_col_text(st, 3));
    snprintf(p->step, sizeof(p->step), "%s", tf_col_text(st, 4));
    snprintf(p->certifier, sizeof(p->certifier), "%s", tf_col_text(st, 5));
    tf_stmt_reset(st);
    return TF_OK;
}

/* What every step of an approval checks: the run, its state, the date,
 * and that the actor did not propose it. */
static tf_error approval_step(tf_fund *fund, int64_t run, const char *date,
                              const char *what, struct pending *p,
                              tf_diag *diag)
{
    const char *actor = tf_audit_actor(fund);
    tf_error err;

    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = load_pending(fund, run, p, diag)))
        return err;
    if (strcmp(p->step, "proposed") && strcmp(p->step, "certified"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " of %s is %s: only a proposed run "
                           "is %s",
                           run, p->session, *p->step ? p->step : "in force",
                           what);
    if (strcmp(date, p->date) < 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " is dated %s: it cannot be %s on "
                           "an earlier date (%s)",
                           run, p->date, what, date);
    if (actor && !strcmp(actor, p->actor) && strcmp(what, TF_STEP_REJECTED))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "%s proposed run %" PRId64 ": it must be %s by "
                           "someone else",
                           actor, run, what);
    return tf_ledger_check_date(fund, date, "an approval step", diag);
}

tf_error tf_allocation_certify(tf_fund *fund, int64_t run, const char *date,
                               tf_diag *diag)
{
    struct pending p;
    tf_approvals mode;
    tf_error err;

    if ((err = approval_step(fund, run, date, "certified", &p, diag)) ||
        (err = tf_fund_approvals(fund, &mode, diag)))
        return err;
    if (mode != TF_APPROVALS_CERTIFY)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "approvals are '%s': a run is approved without "
                           "being certified",
                           mode == TF_APPROVALS_APPROVE ? "approve" : "none");
    if (!strcmp(p.step, "certified"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " is already certified (by %s)", run,
                           p.certifier);
    return run_step(fund, run, "certified", date, "");
}

tf_error tf_allocation_reject(tf_fund *fund, int64_t run, const char *date,
                              const char *reason, tf_diag *diag)
{
    struct pending p;
    tf_approvals mode;
    char what[64];
    tf_error err;

    if (!reason || !*reason)
        return tf_diag_set(diag, TF_ERR_USAGE, "a rejection needs a reason");
    if ((err = approval_step(fund, run, date, TF_STEP_REJECTED, &p, diag)) ||
        (err = tf_fund_approvals(fund, &mode, diag)))
        return err;
    snprintf(what, sizeof(what), "run %" PRId64, run);
    if ((err = tf_grant_may_reject(fund, what,
                                   mode != TF_APPROVALS_CERTIFY ||
                                       !strcmp(p.step, "certified"),
                                   diag)))
        return err;
    return run_step(fund, run, TF_STEP_REJECTED, date, reason);
}

/* The proposed decisions of run, as the requests a run would write. */
static tf_error load_proposals(struct run *r, int64_t run, int64_t *moved,
                               char *moved_ref, size_t size)
{
    tf_stmt *st = tf_db_prepare(
        r->fund->db,
        "SELECT p.request, p.status, p.reason, coalesce(p.tier, 0), "
        "p.fare_base, p.dsa, p.terminal, p.cost, p.psc, p.charge, p.draws, "
        "q.rowid, q.country, coalesce(a.delegate, q.delegate), "
        "c.region_group, (SELECT count(*) FROM decisions d WHERE d.request = "
        "p.request AND d.id > p.seen_decision) + (SELECT count(*) FROM "
        "amendments x WHERE x.request = p.request AND x.id > "
        "p.seen_amendment) FROM proposals p JOIN requests q ON q.ref = "
        "p.request JOIN countries c ON c.iso3 = q.country" TF_SQL_AMENDMENT(
            "a", "q") "WHERE p.run = ?1 ORDER BY p.request",
        r->diag);
    int rc, oom = 0;

    *moved = 0;
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, run);
    while ((rc = tf_stmt_step(st)) > 0) {
        struct areq *q;
        const char *d;
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
        q->status =
            tf_status_name((tf_status)tf_status_find(tf_col_text(st, 1)));
        q->reason = dup_or_empty(r, tf_col_text(st, 2), &oom);
        q->tier = (int)tf_col_int(st, 3);
        q->fare = tf_col_int(st, 4);
        q->dsa = tf_col_int(st, 5);
        q->terminal = tf_col_int(st, 6);
        q->cost = tf_col_int(st, 7);
        q->psc = tf_col_int(st, 8);
        q->charge = tf_col_int(st, 9);
        for (d = tf_col_text(st, 10); d && *d && q->ndraws < TF_POOL_COUNT;) {
            const char *colon = strchr(d, ':');
            char pool[16];
            size_t n;
            if (!colon || (n = (size_t)(colon - d)) >= sizeof(pool))
                break;
            memcpy(pool, d, n);
            pool[n] = '\0';
            q->draw_pool[q->ndraws] = tf_pool_find(pool);
            q->draw_amt[q->ndraws] = strtoll(colon + 1, NULL, 10);
            if (q->draw_pool[q->ndraws] >= 0)
                q->ndraws++;
            d = strchr(colon, ';');
            d = d ? d + 1 : NULL;
        }
        q->rowid = tf_col_int(st, 11);
        q->country = dup_or_empty(r, tf_col_text(st, 12), &oom);
        q->delegate = dup_or_empty(r, tf_col_text(st, 13), &oom);
        q->region = dup_or_empty(r, tf_col_text(st, 14), &oom);
        if (tf_col_int(st, 15) && (*moved)++ == 0)
            snprintf(moved_ref, size, "%s", q->ref);
        if (oom)
            break;
    }
    tf_stmt_reset(st);
    if (oom)
        return tf_diag_set(r->diag, TF_ERR_NOMEM, "out of memory");
    return rc < 0 ? tf_stmt_error(st, r->diag) : TF_OK;
}

/* Whether the proposed run's figures still hold on the approval's date:
 * its grants within the envelope it stored less what the session's
 * grants draw now, within what the pools have on that date, within the
 * travel_budget, and within the quotas the run used. */
static tf_error figures_hold(struct run *r, const struct pending *p,
                             struct session_ctx *sc, tf_diag *diag)
{
    int64_t want[TF_POOL_COUNT] = {0}, env[TF_POOL_COUNT] = {0}, stored_run,
            charge = 0;
    tf_pool_figures figs[TF_POOL_COUNT];
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    tf_stmt *st;
    tf_error err;
    int rc;

    (void)stored_run;
    if ((err = session_used(r->fund, sc->s.id, r->env.used, diag)) ||
        (err = tf_ledger_pools(r->fund, r->opt->date, figs, diag)))
        return err;
    st = tf_db_prepare(r->fund->db,
                       "SELECT pool, envelope FROM envelopes WHERE run = ?1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, p->id);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        if (k >= 0)
            env[k] = tf_col_int(st, 1);
    }
    tf_stmt_reset(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    for (size_t i = 0; i < r->n; i++) {
        const struct areq *q = &r->reqs[i];
        if (!tf_status_is(q->status, TF_STATUS_FUNDED))
            continue;
        charge += q->charge;
        for (int d = 0; d < q->ndraws; d++)
            want[q->draw_pool[d]] += q->draw_amt[d];
    }
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t room = env[k] - r->env.used[k];
        if (figs[k].available < room)
            room = figs[k].available;
        if (want[k] > room)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "run %" PRId64 " draws %s from %s but on %s "
                               "the session may spend only %s there now: its "
                               "figures no longer hold; reject it and "
                               "propose a run again",
                               p->id, tf_fund_fmt(r->fund, a, want[k], 1),
                               tf_pools[k], r->opt->date,
                               tf_fund_fmt(r->fund, b, room > 0 ? room : 0, 1));
    }
    if (sc->s.travel_budget > 0) {
        int64_t used = 0;
        for (int k = 0; k < TF_POOL_COUNT; k++)
            used += r->env.used[k];
        if (used + charge > sc->s.travel_budget)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "run %" PRId64 " would pass %s's travel_budget "
                               "now: its figures no longer hold; reject it "
                               "and propose a run again",
                               p->id, sc->s.id);
    }
    /* Quotas: the run's funded grants with those funded now. */
    if ((err = load_counts(r, sc->s.id)))
        return err;
    for (size_t i = 0; i < r->n; i++) {
        struct areq *q = &r->reqs[i];
        size_t c;
        if (!tf_status_is(q->status, TF_STATUS_FUNDED))
            continue;
        if ((c = counter_index(&r->by_country, q->country)) == SIZE_MAX)
            return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        if (++r->by_country.n[c] > (q->tier == 1 ? r->quota_ldc : r->quota_dev))
            return tf_diag_set(diag, TF_ERR_RULE,
                               "run %" PRId64 " would fund more delegates of "
                               "%s than its quota now allows: its figures no "
                               "longer hold; reject it and propose a run "
                               "again",
                               p->id, q->country);
    }
    return TF_OK;
}

tf_error tf_allocation_approve(tf_fund *fund, int64_t run, const char *date,
                               tf_alloc_result *res, tf_diag *diag)
{
    const char *actor = tf_audit_actor(fund);
    tf_alloc_options opt;
    struct session_ctx sc;
    struct pending p;
    tf_approvals mode;
    struct run r;
    char last[16], moved_ref[128] = "", psc_rate[64];
    int64_t moved = 0;
    tf_error err;

    memset(res, 0, sizeof(*res));
    if ((err = approval_step(fund, run, date, "approved", &p, diag)) ||
        (err = tf_fund_approvals(fund, &mode, diag)))
        return err;
    if (mode == TF_APPROVALS_CERTIFY && strcmp(p.step, "certified"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " is not certified yet: approvals "
                           "are certify-approve",
                           run);
    if (actor && *p.certifier && !strcmp(actor, p.certifier))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "%s certified run %" PRId64 ": it must be "
                           "approved by someone else",
                           actor, run);
    if ((err = load_session(fund, p.session, &sc, diag)))
        return err;
    tf_date_add_days(last, sc.s.start, (int)sc.s.days - 1);
    if (strcmp(date, last) > 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "session '%s' ended on %s: run %" PRId64
                           " cannot be approved after it (%s)",
                           sc.s.id, last, run, date);

    memset(&opt, 0, sizeof(opt));
    opt.date = date;
    opt.cap = -1;
    memset(&r, 0, sizeof(r));
    r.fund = fund;
    r.opt = &opt;
    r.res = res;
    r.diag = diag;
    r.sc = &sc;
    res->run = run;
    if (!(err = run_settings(&r, psc_rate, sizeof(psc_rate))) &&
        !(err =
              load_proposals(&r, run, &moved, moved_ref, sizeof(moved_ref)))) {
        if (moved)
            err = tf_diag_set(diag, TF_ERR_RULE,
                              "%" PRId64 " of run %" PRId64 "'s requests "
                              "(%s first) have been decided or amended since "
                              "it was proposed: its figures no longer hold; "
                              "reject it and propose a run again",
                              moved, run, moved_ref);
        else
            err = figures_hold(&r, &p, &sc, diag);
    }
    if (!err) {
        for (size_t i = 0; i < r.n; i++) {
            struct areq *q = &r.reqs[i];
            for (int d = 0; d < q->ndraws; d++)
                res->drawn[q->draw_pool[d]] += q->draw_amt[d];
        }
        if (!(err = write_outcome(&r, sc.s.id)))
            err = run_step(fund, run, "approved", date, "");
        report_outcome(&r, sc.s.id, NULL, NULL);
    }
    run_release(&r);
    return err;
}

/* ---- Views of the next run ------------------------------------------- */

struct session_list {
    struct session_ctx *s;
    size_t n, cap;
    int oom;
};

static int add_session(void *ctx, const tf_session *s)
{
    struct session_list *l = ctx;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        struct session_ctx *grown = realloc(l->s, cap * sizeof(*grown));
        if (!grown) {
            l->oom = 1;
            return 1;
        }
        l->s = grown;
        l->cap = cap;
    }
    memset(&l->s[l->n], 0, sizeof(l->s[0]));
    copy_session(&l->s[l->n++], s);
    return 0;
}

/* The sessions a run dated date may still be made for (last day on or
 * after it), or session alone (TF_ERR_RULE if it is over), by start date
 * then id. */
static tf_error sessions_to_come(tf_fund *fund, const char *session,
                                 const char *date, struct session_list *l,
                                 tf_diag *diag)
{
    tf_error err = tf_session_each(fund, session, add_session, l, diag);
    size_t kept = 0;

    if (!err && l->oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    /* The list grew by realloc: each copy points at its own strings. */
    for (size_t i = 0; i < l->n; i++) {
        l->s[i].s.id = l->s[i].id;
        l->s[i].s.start = l->s[i].start;
    }
    for (size_t i = 0; !err && i < l->n; i++) {
        char last[16];
        tf_date_add_days(last, l->s[i].s.start, (int)l->s[i].s.days - 1);
        if (strcmp(last, date) >= 0) {
            l->s[kept] = l->s[i];
            l->s[kept].s.id = l->s[kept].id;
            l->s[kept].s.start = l->s[kept].start;
            kept++;
        } else if (session) {
            err = tf_diag_set(diag, TF_ERR_RULE,
                              "session '%s' ended on %s: no run can fund "
                              "anything for it on %s",
                              session, last, date);
        }
    }
    l->n = kept;
    return err;
}

/* r as a dry run dated date with the default options (opt and res its
 * own), as the waitlist and the headroom simulate the next run. */
static void dry_run_init(struct run *r, tf_alloc_options *opt,
                         tf_alloc_result *res, tf_fund *fund, const char *date,
                         tf_diag *diag)
{
    memset(opt, 0, sizeof(*opt));
    opt->date = date;
    opt->cap = -1;
    opt->dry_run = 1;
    memset(r, 0, sizeof(*r));
    memset(res, 0, sizeof(*res));
    r->fund = fund;
    r->opt = opt;
    r->res = res;
    r->diag = diag;
}

static tf_error has_waitlisted(tf_fund *fund, const char *session,
                               const char *date, int *found, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT 1 FROM requests q WHERE q.session = ?1 "
                                "AND q.status = " TF_SQL_WAITLISTED
                                " AND substr(q.submitted, 1, 10) <= ?2 LIMIT 1",
                                diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    tf_stmt_text(st, 2, date);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    *found = rc > 0;
    tf_stmt_reset(st);
    return TF_OK;
}

/* Calls one for each session still to come on date (or the one named),
 * in order, in one read transaction, until it sets *stop or fails. */
static tf_error each_session_to_come(
    tf_fund *fund, const char *session, const char *date,
    tf_error (*one)(tf_fund *fund, struct session_ctx *sc, const char *date,
                    void *ctx, int *stop, tf_diag *diag),
    void *ctx, tf_diag *diag)
{
    struct session_list l;
    tf_error err;
    int own, stop = 0;

    memset(&l, 0, sizeof(l));
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    err = sessions_to_come(fund, session, date, &l, diag);
    for (size_t i = 0; !err && !stop && i < l.n; i++)
        err = one(fund, &l.s[i], date, ctx, &stop, diag);
    tf_db_read_end(fund->db, own);
    free(l.s);
    return err;
}

struct waitlist_out {
    int (*fn)(void *ctx, const tf_waitlist_row *w);
    void *ctx;
};

/* The waitlisted requests of one session, as its next run (the default
 * options, simulated) would walk them. */
static tf_error waitlist_session(tf_fund *fund, struct session_ctx *sc,
                                 const char *date, void *ctx, int *stop,
                                 tf_diag *diag)
{
    struct waitlist_out *o = ctx;
    tf_alloc_options opt;
    tf_alloc_result res;
    struct run r;
    int found = 0;
    long position = 0;
    tf_error err;

    if ((err = has_waitlisted(fund, sc->s.id, date, &found, diag)) || !found)
        return err;
    dry_run_init(&r, &opt, &res, fund, date, diag);
    err = run_decide(&r, sc);
    for (size_t w = 0; !err && !*stop && w < r.nwalk; w++) {
        const struct areq *q = r.walk[w];
        tf_waitlist_row row;
        tf_request out;
        if (!q->was_waitlisted)
            continue;
        to_request(q, sc->s.id, date, &out);
        row.session = sc->s.id;
        row.position = ++position;
        row.request = &out;
        if (tf_status_is(q->status, TF_STATUS_FUNDED))
            row.shortfall = 0;
        else if (q->room < 0)
            row.shortfall = -1;
        else
            row.shortfall = q->charge - q->room;
        *stop = o->fn(o->ctx, &row);
    }
    run_release(&r);
    return err;
}

tf_error tf_waitlist(tf_fund *fund, const char *session, const char *date,
                     int (*fn)(void *ctx, const tf_waitlist_row *w), void *ctx,
                     tf_diag *diag)
{
    struct waitlist_out o = {fn, ctx};

    return each_session_to_come(fund, session, date, waitlist_session, &o,
                                diag);
}

static int cmp_int64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

    return a < b ? -1 : a > b;
}

/* The median of v[0..n) (sorted in place): the middle one, or the mean
 * of the two middle ones rounded half to even; -1 when n is 0. */
static int64_t median(int64_t *v, size_t n)
{
    int64_t m = 0;

    if (!n)
        return -1;
    qsort(v, n, sizeof(*v), cmp_int64);
    if (n % 2)
        return v[n / 2];
    if (tf_money_add(&m, v[n / 2 - 1], v[n / 2]) ||
        tf_money_mul_ratio(&m, m, 1, 2, TF_ROUND_HALF_EVEN))
        return v[n / 2];
    return m;
}

struct headroom_out {
    int (*fn)(void *ctx, const tf_headroom *h);
    void *ctx;
};

/* One session's headroom: what a run dated date would start from and the
 * charges of the requests it would consider, priced as it would price
 * them. */
static tf_error headroom_session(tf_fund *fund, struct session_ctx *sc,
                                 const char *date, void *ctx, int *stop,
                                 tf_diag *diag)
{
    struct headroom_out *o = ctx;
    tf_alloc_options opt;
    tf_alloc_result res;
    tf_headroom h;
    struct run r;
    char psc_rate[64];
    int64_t *charges = NULL;
    tf_error err;

    dry_run_init(&r, &opt, &res, fund, date, diag);
    r.sc = sc;
    if (!(err = run_settings(&r, psc_rate, sizeof(psc_rate))) &&
        !(err = start_figures(fund, &sc->s, date, 0, &r.env, diag)) &&
        !(err = load_requests(&r, sc)) &&
        !(charges = malloc((r.n ? r.n : 1) * sizeof(*charges))))
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    memset(&h, 0, sizeof(h));
    h.session = sc->s.id;
    h.env = &r.env;
    for (int t = 1; t <= 2 && !err; t++) {
        const int *pools = tf_tier_pools(t);
        size_t n = 0;
        for (int k = 0; pools[k] >= 0; k++)
            h.tier[t].room += r.env.allowance[pools[k]];
        if (r.env.travel_budget > 0) {
            int64_t left = r.env.travel_budget - r.env.budget_used;
            if (left < 0)
                left = 0;
            if (left < h.tier[t].room)
                h.tier[t].room = left;
        }
        for (size_t k = 0; k < r.n && !err; k++) {
            if (r.reqs[k].tier != t)
                continue;
            if (!(err = figures(&r, &r.reqs[k], &sc->s, psc_rate)))
                charges[n++] = r.reqs[k].charge;
        }
        h.tier[t].requests = (long)n;
        h.tier[t].median = median(charges, n);
        if (h.tier[t].median > 0)
            h.tier[t].covers = (long)(h.tier[t].room / h.tier[t].median);
        else if (h.tier[t].median == 0)
            h.tier[t].covers = (long)n;
    }
    if (!err)
        *stop = o->fn(o->ctx, &h);
    free(charges);
    run_release(&r);
    return err;
}

tf_error tf_headroom_each(tf_fund *fund, const char *session, const char *date,
                          int (*fn)(void *ctx, const tf_headroom *h), void *ctx,
                          tf_diag *diag)
{
    struct headroom_out o = {fn, ctx};

    return each_session_to_come(fund, session, date, headroom_session, &o,
                                diag);
}
