/* SPDX-License-Identifier: MIT */
/*
 * Attribution to donors (DESIGN.md 5 and 9.10) over random fund
 * histories. Each history is small and built from a fixed seed: 1-6
 * donors with random ids, 1-3 currencies among USD, EUR, JPY and KWD with
 * their rates, pledges and receipts (in instalments, or without a pledge)
 * into random pools, 1-3 sessions with a handful of requests from shipped
 * countries, allocation runs with random options, a cancellation and a
 * re-run, disbursements at random actual costs, surplus routed to prep at
 * random dates, preparation spending that fits (and some that does not),
 * now and then a receipt or a spending reversed as a mistake, sometimes a
 * back-dated surplus or spending, interest earned into random pools (refused
 * into a pool no donor's money is in), PSC remitted to the UN (some of what
 * is owed, all of it, or more than is owed: refused), now and then one of
 * those reversed, and sometimes a close at the end. Every step is taken in
 * date order, each in its own transaction; a refused step must have written
 * nothing.
 *
 * For each history, as of its last date and as of a date in its middle,
 * the figures of tf_attribution_each are checked exactly against the
 * journal (tf_ledger_each_entry) and the pools (tf_ledger_pools), and
 * against a model of 9.10 computed here, the fund's own interest a party
 * beside the donors (its weight in a pool is the interest credited there):
 * per donor and pool receipts = outflows + balance; a pool's donors' outflows
 * sum to the pool's outflows (receipts + transfers in - cash, which also equals
 * the charges paid, transfers out and refunds posted); its donors' receipts sum
 * to its receipts plus transfers in; each transfer's carried parts sum to it;
 * tf_attribution_uses sums per donor and pool to the outflows;
 * tf_grant_shares sums per grant and pool to the grant's charge there.
 * A remittance of PSC is split over the pools pro-rata to what each owes
 * (within a unit of the exact share, each pool's part within what it
 * owes); the PSC figures agree with the journal. After a close, the
 * refunds sum to each pool's remaining cash, each donor's is its part of
 * the remaining cash plus its part of the interest's, and every balance
 * is 0. tf_verify finds nothing wrong.
 *
 * Each donor's statement (tf_statement_donor), for a random period and
 * for the whole history, must hold exactly: per pool opening + received -
 * moved - used - reshared = closing, closing = committed + free; opening
 * and closing are the attribution's balances, received its own receipts'
 * change; the moves sum to 0 over the pools; over the donors, the shares
 * of a pool's spending sum to what it spent in the period (by category
 * when no category went down), the re-sharing to 0 and the committed
 * parts to the pool's commitments; with no start, nothing is reshared.
 *
 * TFUND_PROPERTY_HISTORIES overrides the number of histories (default
 * 1000). The files live in TMPDIR, else /dev/shm when there is one (the
 * histories commit often), else /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "tfund/statement.h"
#include "tfund/tfund.h"
#include "tfund/treasury.h"

/* ---- Random numbers (splitmix64) and failure context --------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t rrange(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* Nonzero with probability pct/100. */
static int chance(int pct)
{
    return (int)(rnd() % 100) < pct;
}

static uint64_t cur_seed;
static const char *cur_step = "";

static void check_failed(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void check_failed(const char *fmt, ...)
{
    char what[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    fail_msg("seed %llu, %s: %s", (unsigned long long)cur_seed, cur_step, what);
}

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond))                                                           \
            check_failed(__VA_ARGS__);                                         \
    } while (0)

/* As testutil.h's MUST, but a failure names the history and its step. */
static void check_ok(tf_error err, const char *what)
{
    CHECK(err == TF_OK, "%s: %s: %s", what, tf_strerror(err), dg.msg);
}

#undef MUST
#define MUST(call) check_ok((tf_diag_clear(&dg), (call)), #call)

/* ---- The fund file -------------------------------------------------- */

static char work_dir[256];

/* Every history starts from a copy of one newly created fund (creating
 * a fund loads the country table, which would dominate the run). */
static char template_path[320];

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out;
    char buf[1 << 16];
    size_t n;
    int bad = 0;

    if (!in)
        return -1;
    out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            bad = 1;
    bad |= ferror(in);
    fclose(in);
    bad |= fclose(out) != 0;
    return bad ? -1 : 0;
}

static int group_setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    struct stat st;
    tf_fund *f;
    tf_diag diag;

    (void)state;
    if (!(tmp && *tmp))
        tmp = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                      access("/dev/shm", W_OK) == 0
                  ? "/dev/shm"
                  : "/tmp";
    snprintf(work_dir, sizeof(work_dir), "%s/tfund-attrprop-XXXXXX", tmp);
    if (!mkdtemp(work_dir))
        return -1;
    snprintf(template_path, sizeof(template_path), "%s/template.db", work_dir);
    tf_diag_clear(&diag);
    if (tf_fund_create(&f, template_path, &diag) != TF_OK) {
        fprintf(stderr, "cannot create a fund: %s\n", diag.msg);
        rmdir(work_dir);
        return -1;
    }
    /* Closing the last connection checkpoints the journal into the
     * file, so the file alone is the whole fund. */
    tf_fund_close(f);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    remove_db(template_path);
    rmdir(work_dir);
    return 0;
}

static int same_head(struct head a, struct head b)
{
    return a.count == b.count && !strcmp(a.hash, b.hash);
}

/* ---- A history ------------------------------------------------------ */

#define MAX_DONORS   6
#define MAX_PARTIES  (MAX_DONORS + 1) /* the donors and the fund's interest */
#define MAX_SESSIONS 3
#define MAX_REQUESTS 5
#define MAX_PLEDGES  18
#define MAX_RECEIPTS (4 * MAX_PLEDGES)
#define MAX_EVENTS   256

static const char *const currencies[] = {"USD", "EUR", "JPY", "KWD"};
static const char *const rates[4][4] = {{"1", "1", "1", "1"},
                                        {"0.8", "0.9346", "0.92", "0.8871"},
                                        {"110.5", "151.37", "149", "143.2"},
                                        {"0.3071", "0.305", "0.2999", "0.3"}};

/* Shipped countries: LDCs, graduated LDCs, other developing countries and
 * countries that are not eligible. */
static const char *const countries[] = {
    "ETH", "NPL", "HTI", "BGD", "SEN", "TLS", "BTN", "VUT", "CPV", "WSM",
    "KEN", "NGA", "IND", "BRA", "CHN", "MEX", "BOL", "FRA", "DEU", "USA"};

enum ev_type {
    EV_PLEDGE,
    EV_RECEIPT,
    EV_REQUEST,
    EV_ALLOCATE,
    EV_CANCEL,
    EV_DISBURSE,
    EV_SURPLUS,
    EV_SPEND,
    EV_INTEREST,
    EV_PSC,
    /* Corrections (DESIGN.md section 10). */
    EV_UNDO,      /* the session's latest run undone */
    EV_REINSTATE, /* a cancelled request back to pending */
    EV_AMEND,     /* a pending or waitlisted request's fare amended */
    EV_CORRECT,   /* a disbursement's actual cost corrected */
    EV_UNDISBURSE /* a disbursed grant back to funded */
};

struct event {
    int day, seq;
    enum ev_type type;
    int a, b; /* indexes: pledge/receipt, session/request */
};

struct pledge {
    char ref[16];
    int donor, pool, currency, day;
    int64_t amount;
};

struct receipt {
    char ref[16];
    int pledge; /* -1: without a pledge */
    int donor, pool, currency, day;
    int64_t amount;
};

struct session {
    char id[8];
    int start, days;
    int nreq;
    char req[MAX_REQUESTS][16];
};

struct history {
    tf_fund *fund;
    char path[320];
    int ndonors, nparties; /* donor[ndonors] is the fund's interest */
    char donor[MAX_PARTIES][16];
    int ncur, cur[3];
    int npledges, nreceipts;
    struct pledge pledge[MAX_PLEDGES];
    struct receipt receipt[MAX_RECEIPTS];
    int nsessions;
    struct session session[MAX_SESSIONS];
    int nevents;
    struct event ev[MAX_EVENTS];
    int last_day, nspend, nreversed, ninterest, ninterest_booked, npsc;
    char psc_rate[8];
};

static void day_date(char *out, int day)
{
    tf_date_add_days(out, "2025-01-01", day);
}

static void add_event(struct history *h, int day, enum ev_type type, int a,
                      int b)
{
    CHECK(h->nevents < MAX_EVENTS, "too many events");
    h->ev[h->nevents] = (struct event){day, h->nevents, type, a, b};
    h->nevents++;
    if (day > h->last_day)
        h->last_day = day;
}

static int cmp_event(const void *pa, const void *pb)
{
    const struct event *a = pa, *b = pb;

    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A base-currency figure (cents) as a rough amount of currency c, only to
 * pick random amounts of the right size. */
static int64_t in_currency(int64_t cents, int c)
{
    switch (c) {
    case 2: /* JPY: about 150 yen a dollar, no minor unit */
        return cents * 3 / 2;
    case 3: /* KWD: about 0.3 a dollar, 3 decimals */
        return cents * 3;
    default:
        return cents;
    }
}

static void setup_history(struct history *h)
{
    char date[16];
    int known;

    /* Settings. */
    snprintf(h->psc_rate, sizeof(h->psc_rate), "%s",
             chance(80) ? "0.13" : "0.07");
    MUST(tf_fund_begin(h->fund, &dg));
    MUST(tf_setting_set(h->fund, "psc_rate", h->psc_rate, &dg));
    if (chance(25))
        MUST(tf_setting_set(h->fund, "reserve_rate", "0.05", &dg));

    /* 1-3 currencies for pledges, receipts, fares, costs and spending,
     * each with a rate from before the first entry and up to two more. */
    h->ncur = (int)rrange(1, 3);
    h->cur[0] = chance(60) ? 0 : (int)rrange(1, 3);
    for (int i = 1; i < h->ncur; i++) {
        int c, dup;
        do {
            c = (int)rrange(0, 3);
            dup = 0;
            for (int j = 0; j < i; j++)
                dup |= h->cur[j] == c;
        } while (dup);
        h->cur[i] = c;
    }
    for (int i = 0; i < h->ncur; i++) {
        int c = h->cur[i], n;
        if (c == 0)
            continue;
        MUST(tf_rate_add(h->fund, currencies[c], "2024-12-01",
                         rates[c][rrange(0, 3)], &known, &dg));
        n = (int)rrange(0, 2);
        for (int k = 0; k < n; k++) {
            /* Distinct dates: a known rate is never changed. */
            day_date(date,
                     k == 0 ? (int)rrange(1, 110) : (int)rrange(111, 230));
            MUST(tf_rate_add(h->fund, currencies[c], date,
                             rates[c][rrange(0, 3)], &known, &dg));
        }
    }
    /* Donors with random ids (bytewise order decides ties). */
    h->ndonors = (int)rrange(1, MAX_DONORS);
    for (int i = 0; i < h->ndonors; i++) {
        static const char first[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        static const char rest[] = "abcdefghijklmnopqrstuvwxyz0123456789-._";
        int dup;
        do {
            int len = (int)rrange(1, 8);
            h->donor[i][0] = first[rrange(0, (int64_t)sizeof(first) - 2)];
            for (int k = 1; k < len; k++)
                h->donor[i][k] = rest[rrange(0, (int64_t)sizeof(rest) - 2)];
            h->donor[i][len] = '\0';
            dup = 0;
            for (int j = 0; j < i; j++)
                dup |= !strcmp(h->donor[i], h->donor[j]);
        } while (dup);
        {
            tf_donor d = {h->donor[i], h->donor[i], "state", ""};
            MUST(tf_donor_add(h->fund, &d, &known, &dg));
        }
    }
    /* The fund's own interest, a party of the attribution beside them;
     * no donor may take its id. */
    snprintf(h->donor[h->ndonors], sizeof(h->donor[0]), "%s",
             tf_interest_party());
    h->nparties = h->ndonors + 1;
    {
        tf_donor d = {tf_interest_party(), "Interest", "state", ""};
        CHECK(tf_donor_add(h->fund, &d, &known, &dg) == TF_ERR_INPUT,
              "a donor took the id of the fund's interest");
    }

    /* Sessions. */
    h->nsessions = (int)rrange(1, MAX_SESSIONS);
    for (int s = 0; s < h->nsessions; s++) {
        struct session *se = &h->session[s];
        tf_session ts;
        snprintf(se->id, sizeof(se->id), "S%u",
                 (unsigned)(unsigned char)(s + 1));
        se->start = (int)rrange(40, 200);
        se->days = (int)rrange(1, 5);
        day_date(date, se->start);
        memset(&ts, 0, sizeof(ts));
        ts.id = se->id;
        ts.name = se->id;
        ts.venue = "Geneva";
        ts.start = date;
        ts.days = se->days;
        ts.extra_days = rrange(0, 1);
        ts.dsa = chance(20) ? 0 : rrange(50, 400) * 100;
        ts.terminal = chance(30) ? 0 : rrange(0, 15000);
        ts.travel_budget = chance(50) ? -1 : rrange(0, 500000);
        MUST(tf_session_add(h->fund, &ts, &known, &dg));
    }
    MUST(tf_fund_commit(h->fund, &dg));
}

static void plan_history(struct history *h)
{
    int round_amounts = chance(30);

    /* Pledges with receipts in instalments, and receipts without one. */
    h->npledges = h->nreceipts = 0;
    for (int d = 0; d < h->ndonors; d++) {
        int n = (int)rrange(1, 2);
        for (int i = 0; i < n && h->npledges < MAX_PLEDGES; i++) {
            struct pledge *p = &h->pledge[h->npledges];
            int64_t cents =
                round_amounts ? rrange(1, 8) * 100000 : rrange(50000, 2000000);
            int64_t left;
            int k;
            snprintf(p->ref, sizeof(p->ref), "P%d", h->npledges + 1);
            p->donor = d;
            p->pool = (int)rrange(0, 3);
            p->currency = h->cur[rrange(0, h->ncur - 1)];
            p->day = (int)rrange(0, 150);
            p->amount = round_amounts && p->currency == 0
                            ? cents
                            : in_currency(cents, p->currency);
            add_event(h, p->day, EV_PLEDGE, h->npledges, 0);
            /* 0-3 instalments, most often paid in full. */
            k = chance(10) ? 0 : chance(70) ? 1 : (int)rrange(2, 3);
            left = p->amount;
            for (int j = 0; j < k && left > 0; j++) {
                struct receipt *r = &h->receipt[h->nreceipts];
                r->pledge = h->npledges;
                r->donor = d;
                r->pool = p->pool;
                r->currency = p->currency;
                r->day = p->day + (int)rrange(0, 60);
                r->amount = j == k - 1 && chance(80)
                                ? left
                                : rrange(left / 10 + 1, left);
                left -= r->amount;
                snprintf(r->ref, sizeof(r->ref), "R%d", h->nreceipts + 1);
                add_event(h, r->day, EV_RECEIPT, h->nreceipts, 0);
                h->nreceipts++;
            }
            h->npledges++;
        }
        if (chance(20)) {
            struct receipt *r = &h->receipt[h->nreceipts];
            r->pledge = -1;
            r->donor = d;
            r->pool = (int)rrange(0, 3);
            r->currency = h->cur[rrange(0, h->ncur - 1)];
            r->day = (int)rrange(0, 180);
            r->amount = in_currency(rrange(10000, 1000000), r->currency);
            snprintf(r->ref, sizeof(r->ref), "R%d", h->nreceipts + 1);
            add_event(h, r->day, EV_RECEIPT, h->nreceipts, 0);
            h->nreceipts++;
        }
    }

    /* Requests, allocation runs, a cancellation, disbursements. */
    for (int s = 0; s < h->nsessions; s++) {
        struct session *se = &h->session[s];
        int alloc = se->start - (int)rrange(1, 25);
        se->nreq = (int)rrange(1, MAX_REQUESTS);
        for (int q = 0; q < se->nreq; q++) {
            int day = chance(80) ? alloc - (int)rrange(0, 20)
                                 : alloc + (int)rrange(0, se->start - alloc);
            snprintf(se->req[q], sizeof(se->req[q]), "S%u-q%u",
                     (unsigned)(unsigned char)(s + 1),
                     (unsigned)(unsigned char)(q + 1));
            add_event(h, day < 0 ? 0 : day, EV_REQUEST, s, q);
        }
        add_event(h, alloc, EV_ALLOCATE, s, 0);
        if (chance(70)) {
            int cancel = alloc + (int)rrange(0, se->start - alloc - 1 > 0
                                                    ? se->start - alloc - 1
                                                    : 0);
            add_event(h, cancel, EV_CANCEL, s, (int)rrange(0, se->nreq - 1));
            if (chance(60)) {
                /* A re-run, on the session's last day at the latest (no
                 * run may be dated after it). */
                int rerun = cancel + (int)rrange(0, 3);
                if (rerun > se->start + se->days - 1)
                    rerun = se->start + se->days - 1;
                add_event(h, rerun, EV_ALLOCATE, s, 1);
            }
        }
        {
            int paid = se->start + se->days + (int)rrange(0, 20);
            add_event(h, paid, EV_DISBURSE, s, 0);
            /* Now and then a correction of the session's grants. */
            if (chance(25))
                add_event(h, alloc + (int)rrange(0, 2), EV_UNDO, s, 0);
            if (chance(30))
                add_event(h, alloc + (int)rrange(0, 3), EV_AMEND, s, 0);
            if (chance(30))
                add_event(h, se->start + (int)rrange(0, se->days - 1),
                          EV_REINSTATE, s, 0);
            if (chance(35))
                add_event(h, paid + (int)rrange(0, 10), EV_CORRECT, s, 0);
            if (chance(25))
                add_event(h, paid + (int)rrange(0, 10), EV_UNDISBURSE, s, 0);
        }
    }

    /* Surplus and preparation spending at random dates. */
    for (int i = (int)rrange(1, 3); i > 0; i--)
        add_event(h, (int)rrange(20, 240), EV_SURPLUS, chance(25), 0);
    for (int i = (int)rrange(0, 3); i > 0; i--)
        add_event(h, (int)rrange(20, 250), EV_SPEND, 0, 0);
    /* Interest into random pools, PSC remitted to the UN. */
    for (int i = (int)rrange(0, 3); i > 0; i--)
        add_event(h, (int)rrange(10, 240), EV_INTEREST, (int)rrange(0, 3),
                  chance(30));
    for (int i = (int)rrange(0, 2); i > 0; i--)
        add_event(h, (int)rrange(60, 260), EV_PSC, 0, 0);
    qsort(h->ev, (size_t)h->nevents, sizeof(h->ev[0]), cmp_event);
}

/* ---- Running the steps ---------------------------------------------- */

/* Runs one step in its own transaction: committed on success; on failure
 * checks that nothing was written, rolls back and returns the error. */
typedef tf_error (*step_fn)(struct history *h, void *arg);

static long steps, refused;

static tf_error run_step(struct history *h, step_fn fn, void *arg)
{
    struct head before = head(h->fund);
    tf_error err;

    MUST(tf_fund_begin(h->fund, &dg));
    tf_diag_clear(&dg);
    err = fn(h, arg);
    steps++;
    if (err) {
        char why[sizeof(dg.msg)];
        refused++;
        /* A correction refused late (an overrun that does not fit once the
         * old disbursement is reversed) has posted in its transaction:
         * what counts is that the rollback leaves nothing. */
        snprintf(why, sizeof(why), "%s", dg.msg);
        tf_fund_rollback(h->fund);
        CHECK(same_head(before, head(h->fund)),
              "a refused step left entries (%s)", why);
        snprintf(dg.msg, sizeof(dg.msg), "%s", why);
        return err;
    }
    MUST(tf_fund_commit(h->fund, &dg));
    return TF_OK;
}

/* A step that must be taken (the history only asks for valid ones). */
static void must_step(struct history *h, step_fn fn, void *arg)
{
    tf_error err;

    MUST(tf_fund_begin(h->fund, &dg));
    tf_diag_clear(&dg);
    err = fn(h, arg);
    steps++;
    if (err)
        tf_fund_rollback(h->fund);
    must(err, cur_step);
    MUST(tf_fund_commit(h->fund, &dg));
}

struct reverse_arg {
    int64_t id;
    const char *date;
};

static tf_error do_reverse(struct history *h, void *arg)
{
    struct reverse_arg *a = arg;
    int64_t id;

    return tf_ledger_reverse(h->fund, a->id, a->date, "entered in error", &id,
                             &dg);
}

/* Sometimes the entry just posted (a receipt or a spending) turns out to
 * be a mistake and is reversed on the same date. */
static void maybe_reverse(struct history *h, const char *date, int pct)
{
    struct reverse_arg a = {0, date};

    if (!chance(pct))
        return;
    a.id = head(h->fund).count;
    must_step(h, do_reverse, &a);
    h->nreversed++;
}

struct pledge_arg {
    const struct pledge *p;
    char date[16];
};

static tf_error do_pledge(struct history *h, void *arg)
{
    struct pledge_arg *a = arg;
    tf_pledge p;
    int known;

    memset(&p, 0, sizeof(p));
    p.ref = a->p->ref;
    p.donor = h->donor[a->p->donor];
    p.date = a->date;
    p.currency = currencies[a->p->currency];
    p.pool = tf_pools[a->p->pool];
    p.amount = a->p->amount;
    return tf_pledge_add(h->fund, &p, &known, &dg);
}

struct receipt_arg {
    const struct receipt *r;
    char date[16];
};

static tf_error do_receipt(struct history *h, void *arg)
{
    struct receipt_arg *a = arg;
    tf_receipt r;
    tf_receipt_field field;
    int known;

    memset(&r, 0, sizeof(r));
    r.ref = a->r->ref;
    r.date = a->date;
    r.currency = currencies[a->r->currency];
    r.amount = a->r->amount;
    if (a->r->pledge >= 0) {
        r.pledge = h->pledge[a->r->pledge].ref;
    } else {
        r.donor = h->donor[a->r->donor];
        r.pool = tf_pools[a->r->pool];
    }
    return tf_receipt_add(h->fund, &r, &known, &field, &dg);
}

struct request_arg {
    const char *ref, *session;
    char submitted[32];
};

static tf_error do_request(struct history *h, void *arg)
{
    struct request_arg *a = arg;
    const char *field = NULL;
    tf_request q;
    int known, c = (int)rrange(0, h->ncur - 1);

    memset(&q, 0, sizeof(q));
    q.ref = a->ref;
    q.session = a->session;
    q.country = countries[rrange(
        0, (int64_t)(sizeof(countries) / sizeof(countries[0])) - 1)];
    q.delegate = a->ref;
    q.submitted = a->submitted;
    q.fare_currency = currencies[h->cur[c]];
    q.fare_orig = in_currency(rrange(20000, 300000), h->cur[c]);
    q.gender = chance(50) ? "F" : "M";
    return tf_request_add(h->fund, &q, &known, &field, &dg);
}

struct alloc_arg {
    const char *session;
    tf_alloc_options o;
};

static tf_error do_allocate(struct history *h, void *arg)
{
    struct alloc_arg *a = arg;
    tf_alloc_result res;

    return tf_allocate(h->fund, a->session, &a->o, &res, NULL, NULL, &dg);
}

/* The requests of a session with their status and figures. */
struct req_state {
    int n;
    struct {
        char ref[16], status[16];
        int64_t cost;
    } r[MAX_REQUESTS];
};

static int grab_req(void *ctx, const tf_request *r)
{
    struct req_state *s = ctx;

    if (s->n < MAX_REQUESTS) {
        snprintf(s->r[s->n].ref, sizeof(s->r[0].ref), "%s", r->ref);
        snprintf(s->r[s->n].status, sizeof(s->r[0].status), "%s", r->status);
        s->r[s->n].cost = r->cost;
        s->n++;
    }
    return 0;
}

static struct req_state requests_of(struct history *h, const char *session)
{
    struct req_state s;

    memset(&s, 0, sizeof(s));
    MUST(tf_request_each(h->fund, session, NULL, grab_req, &s, &dg));
    return s;
}

struct ref_date {
    const char *ref;
    char date[16];
    const char *currency;
    int64_t amount;
};

static tf_error do_cancel(struct history *h, void *arg)
{
    struct ref_date *a = arg;
    int64_t released;

    return tf_cancel(h->fund, a->ref, a->date, &released, &dg);
}

static tf_error do_disburse(struct history *h, void *arg)
{
    struct ref_date *a = arg;
    tf_disburse_result res;
    /* Random costs may pass cost_tolerance: the test is of the figures,
     * not of that guard (forced). */
    tf_disburse_options o = {a->date, a->currency, a->amount, 1, 0, 0};

    return tf_disburse_ex(h->fund, a->ref, &o, &res, &dg);
}

/* ---- Corrections ----------------------------------------------------- */

static long corrections;

struct undo_arg {
    int64_t run;
    char date[16];
};

static int latest_run(void *ctx, const tf_run_info *r)
{
    struct undo_arg *a = ctx;

    if (!*r->last_step)
        a->run = r->id;
    return 0;
}

static tf_error do_undo(struct history *h, void *arg)
{
    struct undo_arg *a = arg;
    tf_undo_result res;

    return tf_allocation_undo(h->fund, a->run, a->date, &res, &dg);
}

static tf_error do_reinstate(struct history *h, void *arg)
{
    struct ref_date *a = arg;

    return tf_reinstate(h->fund, a->ref, a->date, &dg);
}

static tf_error do_amend(struct history *h, void *arg)
{
    struct ref_date *a = arg;
    tf_request_amendment am;
    int changed;

    memset(&am, 0, sizeof(am));
    am.ref = a->ref;
    am.fare_currency = a->currency;
    am.fare = a->amount;
    return tf_request_amend(h->fund, &am, &changed, &dg);
}

static tf_error do_correct(struct history *h, void *arg)
{
    struct ref_date *a = arg;
    tf_disburse_options o;
    tf_disburse_result res;

    memset(&o, 0, sizeof(o));
    o.date = a->date;
    o.currency = a->currency;
    o.amount = a->amount;
    o.force = 1;
    o.correct = 1;
    return tf_disburse_ex(h->fund, a->ref, &o, &res, &dg);
}

static tf_error do_undisburse(struct history *h, void *arg)
{
    struct ref_date *a = arg;
    tf_disburse_result res;

    return tf_undisburse(h->fund, a->ref, a->date, &res, &dg);
}

/* A request of the session in status (NULL if none), picked at random. */
static const char *pick(const struct req_state *s, const char *status,
                        int64_t *cost)
{
    int k = (int)rrange(0, s->n > 0 ? s->n - 1 : 0);

    for (int i = 0; i < s->n; i++) {
        int j = (k + i) % s->n;
        if (!strcmp(s->r[j].status, status)) {
            if (cost)
                *cost = s->r[j].cost;
            return s->r[j].ref;
        }
    }
    return NULL;
}

/* One correction of the session's grants; a refused one must have
 * written nothing (run_step checks it) and be refused by a rule. */
static void correct(struct history *h, const struct event *e, const char *date)
{
    struct req_state s = requests_of(h, h->session[e->a].id);
    struct ref_date a = {NULL, "", "USD", 0};
    tf_error err = TF_OK;
    int64_t cost = 0;

    snprintf(a.date, sizeof(a.date), "%s", date);
    switch (e->type) {
    case EV_UNDO: {
        struct undo_arg u = {0, ""};
        cur_step = "undo";
        MUST(tf_run_each(h->fund, h->session[e->a].id, latest_run, &u, &dg));
        if (!u.run)
            return;
        snprintf(u.date, sizeof(u.date), "%s", date);
        err = run_step(h, do_undo, &u);
        break;
    }
    case EV_REINSTATE:
        cur_step = "reinstate";
        if (!(a.ref = pick(&s, "cancelled", NULL)))
            return;
        err = run_step(h, do_reinstate, &a);
        break;
    case EV_AMEND:
        cur_step = "amend";
        if (!(a.ref = pick(&s, chance(50) ? "pending" : "waitlisted", NULL)))
            return;
        a.amount = rrange(20000, 300000);
        err = run_step(h, do_amend, &a);
        break;
    case EV_CORRECT:
        cur_step = "correct";
        if (!(a.ref = pick(&s, "disbursed", &cost)))
            return;
        a.amount = cost * rrange(50, 140) / 100 + rrange(1, 99);
        err = run_step(h, do_correct, &a);
        break;
    case EV_UNDISBURSE:
        cur_step = "undisburse";
        if (!(a.ref = pick(&s, "disbursed", NULL)))
            return;
        err = run_step(h, do_undisburse, &a);
        break;
    default:
        return;
    }
    CHECK(err == TF_OK || err == TF_ERR_RULE, "%s: %s", cur_step, dg.msg);
    if (!err)
        corrections++;
}

/* Pays a funded grant: a random actual cost in a random offered
 * currency, or when the pools cannot cover that overrun, exactly its cost
 * in the base currency (its charge then equals its commitment). */
static void pay(struct history *h, const char *ref, int64_t cost,
                const char *date)
{
    struct ref_date a = {ref, "", NULL, 0};
    int c = h->cur[rrange(0, h->ncur - 1)];
    tf_error err;

    snprintf(a.date, sizeof(a.date), "%s", date);
    a.currency = currencies[c];
    a.amount = in_currency(cost * rrange(50, 140) / 100 + rrange(1, 99), c);
    err = run_step(h, do_disburse, &a);
    if (err == TF_OK)
        return;
    CHECK(err == TF_ERR_RULE, "disbursing %s: %s", ref, dg.msg);
    a.currency = "USD";
    a.amount = cost;
    MUST(run_step(h, do_disburse, &a));
}

struct surplus_arg {
    char date[16];
    int dry_run;
    tf_surplus_result res;
};

static tf_error do_surplus(struct history *h, void *arg)
{
    struct surplus_arg *a = arg;

    return tf_surplus(h->fund, a->date, a->dry_run, &a->res, NULL, NULL, &dg);
}

struct spend_arg {
    tf_spend s;
    int known;
};

static tf_error do_spend(struct history *h, void *arg)
{
    struct spend_arg *a = arg;

    return tf_spend_add(h->fund, &a->s, &a->known, &dg);
}

static tf_pool_figures pool_at(struct history *h, int k, const char *as_of)
{
    tf_pool_figures figs[TF_POOL_COUNT];

    MUST(tf_ledger_pools(h->fund, as_of, figs, &dg));
    return figs[k];
}

/* A surplus on date: a dry run first sometimes (it must write nothing and
 * agree with the real run), then the run; back_dated when entries after
 * the date may make it refused. A second run on the same date moves
 * nothing. */
static void surplus_on(struct history *h, const char *date, int dry_first,
                       int back_dated)
{
    struct surplus_arg a, dry;
    struct head before;
    tf_error err;

    memset(&dry, 0, sizeof(dry));
    if (dry_first) {
        snprintf(dry.date, sizeof(dry.date), "%s", date);
        dry.dry_run = 1;
        before = head(h->fund);
        err = run_step(h, do_surplus, &dry);
        CHECK(err == TF_OK || (back_dated && err == TF_ERR_RULE),
              "dry surplus: %s", dg.msg);
        CHECK(same_head(before, head(h->fund)), "a dry run wrote entries");
        CHECK(dry.res.entry == 0, "a dry run reported an entry");
    }
    memset(&a, 0, sizeof(a));
    snprintf(a.date, sizeof(a.date), "%s", date);
    before = head(h->fund);
    err = run_step(h, do_surplus, &a);
    if (back_dated && err == TF_ERR_RULE)
        return;
    CHECK(err == TF_OK, "surplus on %s: %s", date, dg.msg);
    CHECK(a.res.surplus >= 0 && a.res.moved_unrestricted >= 0 &&
              a.res.moved_travel >= 0 &&
              a.res.moved_unrestricted + a.res.moved_travel == a.res.surplus,
          "surplus %lld moved %lld + %lld", (long long)a.res.surplus,
          (long long)a.res.moved_unrestricted, (long long)a.res.moved_travel);
    CHECK(a.res.moved_travel == 0 ||
              a.res.moved_unrestricted == (a.res.available_unrestricted > 0
                                               ? a.res.available_unrestricted
                                               : 0),
          "travel moved before unrestricted was used up");
    if (dry_first)
        CHECK(dry.res.surplus == a.res.surplus && dry.res.need == a.res.need &&
                  dry.res.moved_unrestricted == a.res.moved_unrestricted,
              "dry run %lld, real run %lld", (long long)dry.res.surplus,
              (long long)a.res.surplus);
    CHECK(head(h->fund).count == before.count + (a.res.surplus ? 1 : 0),
          "surplus %lld posted %lld entries", (long long)a.res.surplus,
          (long long)(head(h->fund).count - before.count));
    if (a.res.surplus && !back_dated) {
        struct surplus_arg again;
        memset(&again, 0, sizeof(again));
        snprintf(again.date, sizeof(again.date), "%s", date);
        MUST(run_step(h, do_surplus, &again));
        CHECK(again.res.surplus == 0, "a second surplus on %s moved %lld", date,
              (long long)again.res.surplus);
    }
}

/* Spending from prep on date: one that fits what prep has on the date and
 * today, sometimes after one that does not (refused, nothing written). */
static void spend_on(struct history *h, const char *date, int back_dated)
{
    int64_t at = pool_at(h, 3, date).available;
    int64_t now = pool_at(h, 3, NULL).available;
    int64_t room = at < now ? at : now;
    struct spend_arg a;
    char ref[32];
    tf_error err;
    int c;

    memset(&a, 0, sizeof(a));
    snprintf(ref, sizeof(ref), "SP%d", ++h->nspend);
    a.s.ref = ref;
    a.s.date = date;
    a.s.memo = "preparation";
    a.s.currency = "USD";
    if (room >= 0 && chance(30)) {
        /* More than prep has: refused whatever the PSC. */
        a.s.amount = room + 1;
        err = run_step(h, do_spend, &a);
        CHECK(err == TF_ERR_RULE, "spending %lld of %lld: %s",
              (long long)a.s.amount, (long long)room, tf_strerror(err));
    }
    if (back_dated && at > now && now >= 0) {
        /* What the date had but today has not (spending dated after
         * it): refused, as it would leave prep below zero today. */
        int64_t psc;
        a.s.amount = at * 100 / 114;
        CHECK(tf_money_mul_decimal(&psc, a.s.amount, h->psc_rate,
                                   TF_ROUND_HALF_EVEN) == TF_OK,
              "psc");
        if (a.s.amount > 0 && a.s.amount + psc <= at &&
            a.s.amount + psc > now) {
            err = run_step(h, do_spend, &a);
            CHECK(err == TF_ERR_RULE,
                  "back-dated spending of %lld (prep had %lld on %s, has "
                  "%lld today): %s",
                  (long long)(a.s.amount + psc), (long long)at, date,
                  (long long)now, tf_strerror(err));
        }
    }
    if (room < 2)
        return;
    /* What fits: amount + psc <= room; in another currency, halve until
     * its converted charge fits. */
    c = h->cur[rrange(0, h->ncur - 1)];
    a.s.currency = currencies[c];
    a.s.amount = in_currency(rrange(1, room * 100 / 114), c);
    if (a.s.amount <= 0)
        a.s.amount = 1;
    for (;;) {
        int64_t base, psc;
        MUST(tf_fund_to_base(h->fund, &base, a.s.amount, a.s.currency, date,
                             NULL, &dg));
        CHECK(tf_money_mul_decimal(&psc, base, h->psc_rate,
                                   TF_ROUND_HALF_EVEN) == TF_OK,
              "psc");
        if (base + psc <= room && base > 0)
            break;
        if (a.s.amount <= 1)
            return;
        a.s.amount /= 2;
    }
    err = run_step(h, do_spend, &a);
    CHECK(err == TF_OK,
          "spending %lld %s on %s (room %lld, back-dated %d): "
          "%s",
          (long long)a.s.amount, a.s.currency, date, (long long)room,
          back_dated, dg.msg);
    CHECK(a.known == 0, "a new spending is known");
    maybe_reverse(h, date, 15);
}

static void interest_on(struct history *h, const char *date, int pool,
                        int small);
static void psc_on(struct history *h, const char *date);

static void run_history(struct history *h)
{
    char date[16];

    for (int i = 0; i < h->nevents; i++) {
        const struct event *e = &h->ev[i];
        day_date(date, e->day);
        switch (e->type) {
        case EV_PLEDGE: {
            struct pledge_arg a = {&h->pledge[e->a], ""};
            cur_step = "pledge";
            snprintf(a.date, sizeof(a.date), "%s", date);
            must_step(h, do_pledge, &a);
            break;
        }
        case EV_RECEIPT: {
            struct receipt_arg a = {&h->receipt[e->a], ""};
            cur_step = "receipt";
            /* An instalment comes no earlier than its pledge. */
            if (a.r->pledge >= 0 && a.r->day < h->pledge[a.r->pledge].day)
                day_date(date, h->pledge[a.r->pledge].day);
            snprintf(a.date, sizeof(a.date), "%s", date);
            must_step(h, do_receipt, &a);
            maybe_reverse(h, date, 5);
            break;
        }
        case EV_REQUEST: {
            struct request_arg a;
            cur_step = "request";
            a.ref = h->session[e->a].req[e->b];
            a.session = h->session[e->a].id;
            snprintf(a.submitted, sizeof(a.submitted),
                     "2024-11-%02dT%02d:00:00Z", (int)rrange(1, 30),
                     (int)rrange(0, 23));
            must_step(h, do_request, &a);
            break;
        }
        case EV_ALLOCATE: {
            struct alloc_arg a;
            static char when[16];
            cur_step = "allocate";
            snprintf(when, sizeof(when), "%s", date);
            a.session = h->session[e->a].id;
            a.o.date = when;
            a.o.order = (tf_order)rrange(0, 2);
            a.o.budget_all = chance(50);
            a.o.cap = chance(20) ? rrange(0, 1000000) : -1;
            a.o.strict = chance(15);
            a.o.dry_run = 0;
            must_step(h, do_allocate, &a);
            break;
        }
        case EV_CANCEL: {
            struct ref_date a = {h->session[e->a].req[e->b], "", NULL, 0};
            struct req_state s = requests_of(h, h->session[e->a].id);
            const char *status = "";
            tf_error err;
            cur_step = "cancel";
            for (int k = 0; k < s.n; k++)
                if (!strcmp(s.r[k].ref, a.ref))
                    status = s.r[k].status;
            snprintf(a.date, sizeof(a.date), "%s", date);
            err = run_step(h, do_cancel, &a);
            if (!*status) /* not yet submitted */
                CHECK(err == TF_ERR_NOTFOUND,
                      "cancelling an unknown "
                      "request: %s",
                      tf_strerror(err));
            else if (!strcmp(status, "funded") || !strcmp(status, "pending") ||
                     !strcmp(status, "waitlisted"))
                CHECK(err == TF_OK, "cancelling a %s request: %s", status,
                      dg.msg);
            else
                CHECK(err == TF_ERR_RULE, "cancelling a %s request: %s", status,
                      tf_strerror(err));
            break;
        }
        case EV_DISBURSE: {
            struct req_state s = requests_of(h, h->session[e->a].id);
            cur_step = "disburse";
            for (int k = 0; k < s.n; k++)
                if (!strcmp(s.r[k].status, "funded") && chance(85))
                    pay(h, s.r[k].ref, s.r[k].cost, date);
            break;
        }
        case EV_SURPLUS:
            cur_step = "surplus";
            surplus_on(h, date, e->a, 0);
            break;
        case EV_SPEND:
            cur_step = "spend";
            spend_on(h, date, 0);
            break;
        case EV_INTEREST:
            cur_step = "interest";
            interest_on(h, date, e->a, e->b);
            break;
        case EV_PSC:
            cur_step = "psc";
            psc_on(h, date);
            break;
        case EV_UNDO:
        case EV_REINSTATE:
        case EV_AMEND:
        case EV_CORRECT:
        case EV_UNDISBURSE:
            correct(h, e, date);
            break;
        }
    }
}

/* ---- What the journal says ------------------------------------------ */

#define MAX_GRANTS 64
#define MAX_LEGS   32

struct journal {
    struct history *h;
    int64_t entries;
    int64_t receipts[TF_POOL_COUNT][MAX_PARTIES]; /* the party's: interest */
    int64_t refunds[TF_POOL_COUNT][MAX_PARTIES];
    int64_t outflow[TF_POOL_COUNT]; /* charges, transfers out, refunds */
    int64_t tin[TF_POOL_COUNT];
    int64_t interest[TF_POOL_COUNT];
    int64_t psc_payable[TF_POOL_COUNT], psc_charged[TF_POOL_COUNT];
    int nlegs;
    struct {
        int from, to;
        int64_t amount;
    } leg[MAX_LEGS];
    int ngrants;
    struct {
        char ref[16];
        int pool;
        int64_t charge;
        int64_t entry; /* the disbursement */
    } grant[MAX_GRANTS];
    int nreceipt_ids;
    int64_t receipt_id[MAX_RECEIPTS];
};

/* Nonzero if e is a receipt or the reversal of one. */
static int is_receipt(struct journal *j, const tf_entry *e)
{
    if (!strcmp(e->kind, "receipt")) {
        CHECK(j->nreceipt_ids < MAX_RECEIPTS, "too many receipts");
        j->receipt_id[j->nreceipt_ids++] = e->id;
        return 1;
    }
    for (int i = 0; e->reverses && i < j->nreceipt_ids; i++)
        if (j->receipt_id[i] == e->reverses)
            return 1;
    return 0;
}

static int pool_index(const char *name)
{
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (!strcmp(name, tf_pools[k]))
            return k;
    fail_msg("seed %llu: unknown pool '%s'", (unsigned long long)cur_seed,
             name);
    return 0;
}

/* The index of donor id in the history, sorted or not. */
static int donor_of(const struct history *h, const char *id)
{
    for (int d = 0; d < h->nparties; d++)
        if (!strcmp(h->donor[d], id))
            return d;
    fail_msg("seed %llu: unknown donor '%s'", (unsigned long long)cur_seed, id);
    return 0;
}

static int starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static int read_entry(void *ctx, const tf_entry *e)
{
    struct journal *j = ctx;
    int64_t charge[TF_POOL_COUNT] = {0};
    int cash_pool = -1, donor = -1, to = -1;
    int64_t cash = 0;
    int receipt = is_receipt(j, e);

    j->entries++;
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        int k = pool_index(p->pool);
        if (starts(p->account, "expense:travel:") ||
            !strcmp(p->account, "expense:psc") ||
            !strcmp(p->account, "expense:prep") ||
            !strcmp(p->account, "transfers:out") ||
            !strcmp(p->account, "expense:refunds"))
            j->outflow[k] += p->amount;
        if (!strcmp(p->account, "transfers:in")) {
            j->tin[k] -= p->amount;
            to = k;
        }
        if (!strcmp(p->account, "revenue:interest")) {
            j->interest[k] -= p->amount;
            j->receipts[k][j->h->ndonors] -= p->amount;
        }
        if (!strcmp(p->account, "liabilities:psc-payable"))
            j->psc_payable[k] -= p->amount;
        if (!strcmp(p->account, "expense:psc"))
            j->psc_charged[k] += p->amount;
        if (receipt) {
            if (!strcmp(p->account, "assets:cash")) {
                cash_pool = k;
                cash += p->amount;
            } else if (starts(p->account, "assets:receivable:")) {
                donor = donor_of(j->h, p->account + 18);
            }
        }
        if (!strcmp(e->kind, "disbursement") &&
            (!strcmp(p->account, "assets:cash") ||
             starts(p->account, "liabilities:")))
            charge[k] -= p->amount;
        if (!strcmp(e->kind, "refund") &&
            starts(p->account, "liabilities:refunds-payable:"))
            j->refunds[k][donor_of(j->h, p->account + 28)] -= p->amount;
    }
    if (receipt) {
        CHECK(cash_pool >= 0 && donor >= 0, "receipt entry %lld unreadable",
              (long long)e->id);
        j->receipts[cash_pool][donor] += cash;
    }
    if (!strcmp(e->kind, "transfer")) {
        CHECK(to >= 0, "transfer entry %lld has no leg in", (long long)e->id);
        for (size_t i = 0; i < e->npostings; i++)
            if (!strcmp(e->postings[i].account, "transfers:out")) {
                CHECK(j->nlegs < MAX_LEGS, "too many transfer legs");
                j->leg[j->nlegs].from = pool_index(e->postings[i].pool);
                j->leg[j->nlegs].to = to;
                j->leg[j->nlegs].amount = e->postings[i].amount;
                j->nlegs++;
            }
    }
    if (!strcmp(e->kind, "disbursement"))
        for (int k = 0; k < TF_POOL_COUNT; k++)
            if (charge[k]) {
                CHECK(j->ngrants < MAX_GRANTS, "too many grants");
                snprintf(j->grant[j->ngrants].ref, sizeof(j->grant[0].ref),
                         "%s", e->ref);
                j->grant[j->ngrants].pool = k;
                j->grant[j->ngrants].charge = charge[k];
                j->grant[j->ngrants].entry = e->id;
                j->ngrants++;
            }
    /* A disbursement reversed (corrected or undone) is no grant paid. */
    if (e->reverses) {
        int kept = 0;
        for (int g = 0; g < j->ngrants; g++)
            if (j->grant[g].entry != e->reverses)
                j->grant[kept++] = j->grant[g];
        j->ngrants = kept;
    }
    return 0;
}

/* ---- The model of DESIGN.md 9.10 ------------------------------------ */

/* Largest remainder over weights (parties in the order given, which is
 * the donors' id order): floors, then one unit each to the largest
 * remainders, ties to the earlier party. A negative amount is split as
 * its absolute value and negated. */
static void split(int64_t *parts, int64_t amount, const int64_t *w, int n)
{
    __int128 total = 0, rem[MAX_PARTIES];
    int64_t a = amount < 0 ? -amount : amount, left = a;
    int given[MAX_PARTIES] = {0};

    for (int i = 0; i < n; i++)
        total += w[i];
    CHECK(total > 0 || amount == 0, "splitting %lld over no weight",
          (long long)amount);
    for (int i = 0; i < n; i++) {
        if (total == 0) {
            parts[i] = 0;
            rem[i] = 0;
            continue;
        }
        parts[i] = (int64_t)((__int128)a * w[i] / total);
        rem[i] = (__int128)a * w[i] % total;
        left -= parts[i];
    }
    for (; left > 0; left--) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (!given[i] && (best < 0 || rem[i] > rem[best]))
                best = i;
        given[best] = 1;
        parts[best]++;
    }
    if (amount < 0)
        for (int i = 0; i < n; i++)
            parts[i] = -parts[i];
}

struct model {
    int order[MAX_PARTIES]; /* party indexes by id, bytewise */
    int64_t weight[TF_POOL_COUNT][MAX_PARTIES];
    int64_t carried[TF_POOL_COUNT][MAX_PARTIES];
    int64_t outflow[TF_POOL_COUNT][MAX_PARTIES];
};

static const struct history *sort_h;

static int cmp_donor(const void *a, const void *b)
{
    return strcmp(sort_h->donor[*(const int *)a],
                  sort_h->donor[*(const int *)b]);
}

/* Weights, carried parts and outflows in donor-id order (position i is
 * donor order[i]). */
static void build_model(struct model *m, struct history *h,
                        const struct journal *j, const int64_t *pool_out)
{
    int n = h->nparties;

    memset(m, 0, sizeof(*m));
    for (int i = 0; i < n; i++)
        m->order[i] = i;
    sort_h = h;
    qsort(m->order, (size_t)n, sizeof(int), cmp_donor);
    for (int k = 0; k < TF_POOL_COUNT; k++)
        for (int i = 0; i < n; i++)
            m->weight[k][i] = j->receipts[k][m->order[i]];
    for (int l = 0; l < j->nlegs; l++) {
        int64_t parts[MAX_PARTIES], sum = 0;
        split(parts, j->leg[l].amount, m->weight[j->leg[l].from], n);
        for (int i = 0; i < n; i++) {
            sum += parts[i];
            m->carried[j->leg[l].to][i] += parts[i];
            m->weight[j->leg[l].to][i] += parts[i];
        }
        CHECK(sum == j->leg[l].amount,
              "a transfer's carried parts sum to "
              "%lld, not %lld",
              (long long)sum, (long long)j->leg[l].amount);
    }
    for (int k = 0; k < TF_POOL_COUNT; k++)
        split(m->outflow[k], pool_out[k], m->weight[k], n);
}

/* ---- The checks ----------------------------------------------------- */

struct rows {
    int n;
    struct {
        char donor[16];
        int pool;
        tf_attribution a;
    } r[TF_POOL_COUNT * MAX_PARTIES];
};

static int grab_row(void *ctx, const tf_attribution *a)
{
    struct rows *r = ctx;

    CHECK(r->n < TF_POOL_COUNT * MAX_PARTIES, "too many attribution rows");
    snprintf(r->r[r->n].donor, sizeof(r->r[0].donor), "%s", a->donor);
    r->r[r->n].pool = pool_index(a->pool);
    r->r[r->n].a = *a;
    r->r[r->n].a.donor = r->r[r->n].a.pool = NULL;
    r->n++;
    return 0;
}

struct use_sums {
    struct history *h;
    int64_t sum[TF_POOL_COUNT][MAX_PARTIES];
};

static int grab_use(void *ctx, const tf_use *u)
{
    struct use_sums *s = ctx;
    int travel = !strcmp(u->category, "travel");

    CHECK(travel || !strcmp(u->category, "psc") ||
              !strcmp(u->category, "prep") ||
              !strcmp(u->category, "surplus-routed") ||
              !strcmp(u->category, "refunds"),
          "use category '%s'", u->category);
    CHECK(travel == (u->session != NULL), "use %s with session %s", u->category,
          u->session ? u->session : "(none)");
    CHECK(u->amount != 0, "a use of 0");
    s->sum[pool_index(u->pool)][donor_of(s->h, u->donor)] += u->amount;
    return 0;
}

struct share_sums {
    struct history *h;
    int n;
    struct {
        char ref[16];
        int pool;
        int64_t charge, sum;
    } g[MAX_GRANTS];
};

static int grab_share(void *ctx, const tf_grant_share *g)
{
    struct share_sums *s = ctx;
    int k = pool_index(g->pool), i;

    (void)donor_of(s->h, g->donor);
    for (i = 0; i < s->n; i++)
        if (!strcmp(s->g[i].ref, g->ref) && s->g[i].pool == k)
            break;
    if (i == s->n) {
        CHECK(s->n < MAX_GRANTS, "too many grant shares");
        snprintf(s->g[i].ref, sizeof(s->g[0].ref), "%s", g->ref);
        s->g[i].pool = k;
        s->g[i].charge = g->charge;
        s->g[i].sum = 0;
        s->n++;
    }
    CHECK(s->g[i].charge == g->charge, "grant %s: charges %lld and %lld",
          g->ref, (long long)s->g[i].charge, (long long)g->charge);
    s->g[i].sum += g->share;
    return 0;
}

static long long rows_checked, legs_checked, grants_checked;
static long long statements_checked;

/* The trial balance's outflow accounts of one pool, summed by category
 * (0 travel, 1 prep, 2 psc, 3 refunds) as of a date. */
struct cat_sums {
    int pool;
    int64_t v[4];
};

static int sum_cats(void *ctx, const char *account, const char *pool,
                    int64_t balance)
{
    struct cat_sums *c = ctx;

    if (strcmp(pool, tf_pools[c->pool]))
        return 0;
    if (!strncmp(account, "expense:travel:", 15))
        c->v[0] += balance;
    else if (!strcmp(account, "expense:prep"))
        c->v[1] += balance;
    else if (!strcmp(account, "expense:psc"))
        c->v[2] += balance;
    else if (!strcmp(account, "expense:refunds"))
        c->v[3] += balance;
    return 0;
}

static void pool_cats(struct history *h, const char *date, int k, int64_t v[4])
{
    struct cat_sums c = {k, {0, 0, 0, 0}};

    if (date)
        MUST(tf_ledger_each_balance(h->fund, date, sum_cats, &c, &dg));
    memcpy(v, c.v, sizeof(c.v));
}

struct attr_find {
    const char *donor;
    int64_t balance[TF_POOL_COUNT], own[TF_POOL_COUNT];
};

static int find_attr(void *ctx, const tf_attribution *a)
{
    struct attr_find *f = ctx;

    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (!strcmp(a->pool, tf_pools[k]) && !strcmp(a->donor, f->donor)) {
            f->balance[k] = a->balance;
            f->own[k] = a->receipts - a->carried;
        }
    return 0;
}

static void attr_of(struct history *h, const char *date, const char *donor,
                    struct attr_find *f)
{
    memset(f, 0, sizeof(*f));
    f->donor = donor;
    if (date)
        MUST(tf_attribution_each(h->fund, date, donor, find_attr, f, &dg));
}

static int category_index(const char *c)
{
    return !strcmp(c, "travel")    ? 0
           : !strcmp(c, "prep")    ? 1
           : !strcmp(c, "psc")     ? 2
           : !strcmp(c, "refunds") ? 3
                                   : 4;
}

/* Every donor's statement from..to (from NULL: the whole history). */
static void check_statements(struct history *h, const char *from,
                             const char *to)
{
    int64_t used[TF_POOL_COUNT][5], reshared[TF_POOL_COUNT] = {0},
                                    committed[TF_POOL_COUNT] = {0};
    tf_pool_figures figs[TF_POOL_COUNT];
    char before[16] = "";

    cur_step = from ? "statement for a period" : "statement";
    memset(used, 0, sizeof(used));
    if (from)
        tf_date_add_days(before, from, -1);
    MUST(tf_ledger_pools(h->fund, to, figs, &dg));
    for (int d = 0; d < h->nparties; d++) {
        tf_statement st;
        struct attr_find a_end, a_start;
        int64_t moved = 0;
        MUST(tf_statement_donor(h->fund, h->donor[d], from, to, &st, &dg));
        attr_of(h, to, h->donor[d], &a_end);
        attr_of(h, from ? before : NULL, h->donor[d], &a_start);
        for (int k = 0; k < TF_POOL_COUNT; k++) {
            int64_t u = 0;
            for (size_t i = 0; i < st.nuses; i++) {
                u += st.uses[i].share[k];
                used[k][category_index(st.uses[i].category)] +=
                    st.uses[i].share[k];
            }
            CHECK(st.opening_balance[k] + st.received[k] - st.moved[k] - u -
                          st.reshared[k] ==
                      st.closing[k],
                  "%s/%s: the statement does not add up", h->donor[d],
                  tf_pools[k]);
            CHECK(st.committed[k] + st.free[k] == st.closing[k],
                  "%s/%s: committed + free != closing", h->donor[d],
                  tf_pools[k]);
            CHECK(st.closing[k] == a_end.balance[k] &&
                      st.opening_balance[k] == a_start.balance[k],
                  "%s/%s: balances %lld..%lld, attribution %lld..%lld",
                  h->donor[d], tf_pools[k], (long long)st.opening_balance[k],
                  (long long)st.closing[k], (long long)a_start.balance[k],
                  (long long)a_end.balance[k]);
            CHECK(st.received[k] == a_end.own[k] - a_start.own[k],
                  "%s/%s: received %lld", h->donor[d], tf_pools[k],
                  (long long)st.received[k]);
            CHECK(st.committed[k] >= 0 && (figs[k].committed > figs[k].cash ||
                                           st.committed[k] <= st.closing[k]),
                  "%s/%s: committed %lld of %lld", h->donor[d], tf_pools[k],
                  (long long)st.committed[k], (long long)st.closing[k]);
            CHECK(from || (st.reshared[k] == 0 && st.opening_balance[k] == 0),
                  "%s/%s: reshared %lld since the start", h->donor[d],
                  tf_pools[k], (long long)st.reshared[k]);
            reshared[k] += st.reshared[k];
            committed[k] += st.committed[k];
            moved += st.moved[k];
        }
        CHECK(moved == 0, "%s: moves sum to %lld", h->donor[d],
              (long long)moved);
        tf_statement_release(&st);
        statements_checked++;
    }
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t end[4], start[4], total = 0, spent = 0;
        int down = 0;
        pool_cats(h, to, k, end);
        pool_cats(h, from ? before : NULL, k, start);
        for (int c = 0; c < 4; c++) {
            spent += end[c] - start[c];
            down |= end[c] - start[c] < 0;
        }
        for (int c = 0; c < 5; c++)
            total += used[k][c];
        CHECK(total == spent, "pool %s: donors' shares %lld, spent %lld",
              tf_pools[k], (long long)total, (long long)spent);
        for (int c = 0; c < 4 && !down; c++)
            CHECK(used[k][c] == end[c] - start[c],
                  "pool %s, category %d: donors' shares %lld, spent %lld",
                  tf_pools[k], c, (long long)used[k][c],
                  (long long)(end[c] - start[c]));
        CHECK(reshared[k] == 0, "pool %s: re-sharing sums to %lld", tf_pools[k],
              (long long)reshared[k]);
        CHECK(committed[k] == figs[k].committed ||
                  figs[k].committed > figs[k].cash,
              "pool %s: committed parts %lld of %lld", tf_pools[k],
              (long long)committed[k], (long long)figs[k].committed);
    }
}

/* Every check of the attribution as of as_of (NULL: everything). */
static void check_attribution(struct history *h, const char *as_of, int closed)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    struct journal j;
    struct model m;
    struct rows rows;
    struct use_sums uses;
    struct share_sums shares;
    int64_t pool_out[TF_POOL_COUNT];
    int expected_rows = 0;

    cur_step = as_of ? "attribution as of a date" : "attribution";
    memset(&j, 0, sizeof(j));
    j.h = h;
    MUST(tf_ledger_each_entry(h->fund, as_of, read_entry, &j, &dg));
    MUST(tf_ledger_pools(h->fund, as_of, figs, &dg));
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t rsum = 0;
        for (int d = 0; d < h->ndonors; d++)
            rsum += j.receipts[k][d];
        CHECK(rsum == figs[k].receipts,
              "pool %s: receipts %lld in the "
              "journal, %lld in pools",
              tf_pools[k], (long long)rsum, (long long)figs[k].receipts);
        CHECK(j.interest[k] == figs[k].interest,
              "pool %s: interest %lld in the journal, %lld in pools",
              tf_pools[k], (long long)j.interest[k],
              (long long)figs[k].interest);
        /* Outflows two ways: receipts + interest + transfers in - cash,
         * and the charges, transfers out and refunds posted. */
        pool_out[k] =
            figs[k].receipts + figs[k].interest + j.tin[k] - figs[k].cash;
        CHECK(pool_out[k] == j.outflow[k],
              "pool %s: outflows %lld from the pools, %lld posted", tf_pools[k],
              (long long)pool_out[k], (long long)j.outflow[k]);
    }
    build_model(&m, h, &j, pool_out);

    memset(&rows, 0, sizeof(rows));
    MUST(tf_attribution_each(h->fund, as_of, NULL, grab_row, &rows, &dg));
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t out = 0, rec = 0, carried = 0;
        for (int i = 0; i < h->nparties; i++)
            expected_rows += m.weight[k][i] != 0;
        for (int r = 0; r < rows.n; r++) {
            const tf_attribution *a = &rows.r[r].a;
            int i = 0;
            if (rows.r[r].pool != k)
                continue;
            while (i < h->nparties &&
                   strcmp(h->donor[m.order[i]], rows.r[r].donor))
                i++;
            CHECK(i < h->nparties, "row for unknown donor %s", rows.r[r].donor);
            CHECK(a->receipts == a->outflows + a->balance,
                  "%s/%s: receipts %lld != outflows %lld + balance %lld",
                  rows.r[r].donor, tf_pools[k], (long long)a->receipts,
                  (long long)a->outflows, (long long)a->balance);
            CHECK(a->receipts == m.weight[k][i] &&
                      a->carried == m.carried[k][i] &&
                      a->outflows == m.outflow[k][i],
                  "%s/%s: receipts %lld carried %lld outflows %lld, model "
                  "%lld %lld %lld",
                  rows.r[r].donor, tf_pools[k], (long long)a->receipts,
                  (long long)a->carried, (long long)a->outflows,
                  (long long)m.weight[k][i], (long long)m.carried[k][i],
                  (long long)m.outflow[k][i]);
            if (closed)
                CHECK(a->balance == 0, "%s/%s: balance %lld after closing",
                      rows.r[r].donor, tf_pools[k], (long long)a->balance);
            out += a->outflows;
            rec += a->receipts;
            carried += a->carried;
        }
        CHECK(out == pool_out[k],
              "pool %s: donors' outflows %lld, pool's "
              "%lld",
              tf_pools[k], (long long)out, (long long)pool_out[k]);
        CHECK(rec == figs[k].receipts + figs[k].interest + j.tin[k],
              "pool %s: donors' receipts %lld, pool's %lld + transfers in "
              "%lld",
              tf_pools[k], (long long)rec, (long long)figs[k].receipts,
              (long long)j.tin[k]);
        CHECK(carried == j.tin[k], "pool %s: carried %lld, transfers in %lld",
              tf_pools[k], (long long)carried, (long long)j.tin[k]);
    }
    CHECK(rows.n == expected_rows, "%d attribution rows, expected %d", rows.n,
          expected_rows);
    rows_checked += rows.n;
    legs_checked += j.nlegs;

    /* The PSC owed to the UN, as the journal has it. */
    {
        tf_psc_figures psc[TF_POOL_COUNT];
        MUST(tf_psc_figures_get(h->fund, as_of, psc, &dg));
        for (int k = 0; k < TF_POOL_COUNT; k++)
            CHECK(psc[k].payable == j.psc_payable[k] &&
                      psc[k].charged == j.psc_charged[k] &&
                      psc[k].charged - psc[k].paid == psc[k].payable &&
                      psc[k].payable >= 0,
                  "pool %s: PSC charged %lld paid %lld payable %lld, journal "
                  "%lld charged %lld payable",
                  tf_pools[k], (long long)psc[k].charged,
                  (long long)psc[k].paid, (long long)psc[k].payable,
                  (long long)j.psc_charged[k], (long long)j.psc_payable[k]);
    }

    /* Uses sum to the outflows, donor by donor and pool by pool. */
    memset(&uses, 0, sizeof(uses));
    uses.h = h;
    MUST(tf_attribution_uses(h->fund, as_of, NULL, grab_use, &uses, &dg));
    for (int r = 0; r < rows.n; r++) {
        int d = donor_of(h, rows.r[r].donor), k = rows.r[r].pool;
        CHECK(uses.sum[k][d] == rows.r[r].a.outflows,
              "%s/%s: uses sum to %lld, outflows %lld", rows.r[r].donor,
              tf_pools[k], (long long)uses.sum[k][d],
              (long long)rows.r[r].a.outflows);
        uses.sum[k][d] = 0;
    }
    for (int k = 0; k < TF_POOL_COUNT; k++)
        for (int d = 0; d < h->nparties; d++)
            CHECK(uses.sum[k][d] == 0, "uses of %s/%s without a row",
                  h->donor[d], tf_pools[k]);

    /* Grant shares sum to each grant's charge in each pool. */
    memset(&shares, 0, sizeof(shares));
    shares.h = h;
    MUST(tf_grant_shares(h->fund, as_of, NULL, grab_share, &shares, &dg));
    CHECK(shares.n == j.ngrants, "%d grant parts shared, %d disbursed",
          shares.n, j.ngrants);
    grants_checked += j.ngrants;
    for (int g = 0; g < j.ngrants; g++) {
        int i = 0;
        while (i < shares.n && (strcmp(shares.g[i].ref, j.grant[g].ref) ||
                                shares.g[i].pool != j.grant[g].pool))
            i++;
        CHECK(i < shares.n, "grant %s in %s not shared", j.grant[g].ref,
              tf_pools[j.grant[g].pool]);
        CHECK(shares.g[i].charge == j.grant[g].charge &&
                  shares.g[i].sum == j.grant[g].charge,
              "grant %s in %s: charge %lld, shared %lld of %lld",
              j.grant[g].ref, tf_pools[j.grant[g].pool],
              (long long)j.grant[g].charge, (long long)shares.g[i].sum,
              (long long)shares.g[i].charge);
    }
}

/* ---- Interest and PSC ---------------------------------------------- */

/* The journal and the model as of date (no outflows split). */
static void model_on(struct history *h, const char *date, struct journal *j,
                     struct model *m)
{
    int64_t none[TF_POOL_COUNT] = {0};

    memset(j, 0, sizeof(*j));
    j->h = h;
    MUST(tf_ledger_each_entry(h->fund, date, read_entry, j, &dg));
    build_model(m, h, j, none);
}

struct interest_arg {
    tf_interest i;
    int known;
};

static tf_error do_interest(struct history *h, void *arg)
{
    struct interest_arg *a = arg;

    return tf_interest_add(h->fund, &a->i, &a->known, &dg);
}

/* Interest into pool on date: taken when a donor's money is in the pool
 * (the model's weights), else refused with nothing written. */
static void interest_on(struct history *h, const char *date, int pool,
                        int small)
{
    static struct journal j;
    static struct model m;
    struct interest_arg a;
    tf_pool_figures before = pool_at(h, pool, NULL), after;
    int64_t money = 0;
    char ref[16];
    tf_error err;

    model_on(h, date, &j, &m);
    for (int i = 0; i < h->nparties; i++)
        if (m.order[i] != h->ndonors)
            money += m.weight[pool][i];
    memset(&a, 0, sizeof(a));
    snprintf(ref, sizeof(ref), "I%d", ++h->ninterest);
    a.i.date = date;
    a.i.pool = tf_pools[pool];
    a.i.ref = chance(50) ? ref : NULL;
    a.i.amount = small ? rrange(1, 99) : rrange(100, 500000);
    err = run_step(h, do_interest, &a);
    if (money <= 0) {
        CHECK(err == TF_ERR_RULE,
              "interest into %s, which no donor's money "
              "is in: %s",
              tf_pools[pool], tf_strerror(err));
        return;
    }
    CHECK(err == TF_OK && a.i.entry > 0 && !a.known, "interest into %s: %s",
          tf_pools[pool], dg.msg);
    h->ninterest_booked++;
    after = pool_at(h, pool, NULL);
    CHECK(after.cash == before.cash + a.i.amount &&
              after.available == before.available + a.i.amount &&
              after.receipts == before.receipts &&
              after.interest == before.interest + a.i.amount,
          "interest of %lld into %s: cash %lld -> %lld, available %lld -> "
          "%lld",
          (long long)a.i.amount, tf_pools[pool], (long long)before.cash,
          (long long)after.cash, (long long)before.available,
          (long long)after.available);
    if (a.i.ref) {
        /* The same again adds nothing. */
        struct interest_arg again = a;
        struct head hd = head(h->fund);
        MUST(run_step(h, do_interest, &again));
        CHECK(again.known && same_head(hd, head(h->fund)),
              "interest %s again was booked", ref);
    }
    maybe_reverse(h, date, 10);
}

struct psc_arg {
    tf_psc_payment p;
    int known;
};

static tf_error do_psc(struct history *h, void *arg)
{
    struct psc_arg *a = arg;

    return tf_psc_pay(h->fund, &a->p, &a->known, &dg);
}

/* A remittance on date: more than is owed (refused), all of it, or some
 * of it; each pool's part within a unit of its exact share of what it
 * owes, never more than it owes; the pools' cash and available unchanged,
 * the bank's cash down by the amount. */
static void psc_on(struct history *h, const char *date)
{
    static struct journal j;
    tf_pool_figures before[TF_POOL_COUNT], after[TF_POOL_COUNT];
    int64_t owed[TF_POOL_COUNT], total = 0, paid = 0;
    struct psc_arg a;
    tf_error err;
    int all;

    memset(&j, 0, sizeof(j));
    j.h = h;
    MUST(tf_ledger_each_entry(h->fund, date, read_entry, &j, &dg));
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        owed[k] = j.psc_payable[k] > 0 ? j.psc_payable[k] : 0;
        total += owed[k];
    }
    MUST(tf_ledger_pools(h->fund, NULL, before, &dg));
    memset(&a, 0, sizeof(a));
    a.p.date = date;
    if (total == 0 || chance(20)) {
        a.p.amount = total + rrange(1, 1000);
        err = run_step(h, do_psc, &a);
        CHECK(err == TF_ERR_RULE, "paying %lld of %lld PSC owed: %s",
              (long long)a.p.amount, (long long)total, tf_strerror(err));
        return;
    }
    all = chance(30);
    a.p.amount = all ? total : rrange(1, total);
    MUST(run_step(h, do_psc, &a));
    CHECK(!a.known && a.p.entry > 0, "a remittance booked nothing");
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        __int128 exact = (__int128)a.p.amount * owed[k];
        __int128 got = (__int128)a.p.part[k] * total;
        CHECK(a.p.part[k] >= 0 && a.p.part[k] <= owed[k] &&
                  got - exact < total && exact - got < total &&
                  (!all || a.p.part[k] == owed[k]),
              "pool %s: part %lld of %lld paid, owing %lld of %lld",
              tf_pools[k], (long long)a.p.part[k], (long long)a.p.amount,
              (long long)owed[k], (long long)total);
        paid += a.p.part[k];
    }
    CHECK(paid == a.p.amount, "parts %lld of %lld", (long long)paid,
          (long long)a.p.amount);
    MUST(tf_ledger_pools(h->fund, NULL, after, &dg));
    for (int k = 0; k < TF_POOL_COUNT; k++)
        CHECK(after[k].cash == before[k].cash &&
                  after[k].available == before[k].available,
              "pool %s: a remittance moved its cash %lld -> %lld", tf_pools[k],
              (long long)before[k].cash, (long long)after[k].cash);
    h->npsc++;
    maybe_reverse(h, date, 10);
}

/* ---- Closing -------------------------------------------------------- */

struct refund_sums {
    struct history *h;
    int64_t pool[TF_POOL_COUNT];
    int64_t donor[TF_POOL_COUNT][MAX_PARTIES];
};

static int grab_refund(void *ctx, const char *pool, const char *donor,
                       int64_t amount)
{
    struct refund_sums *s = ctx;
    int k = pool_index(pool);

    CHECK(amount > 0, "a refund of %lld", (long long)amount);
    s->pool[k] += amount;
    s->donor[k][donor_of(s->h, donor)] += amount;
    return 0;
}

struct close_arg {
    char date[16];
    struct refund_sums *sums;
};

static tf_error do_close(struct history *h, void *arg)
{
    struct close_arg *a = arg;

    return tf_close(h->fund, a->date, grab_refund, a->sums, &dg);
}

/* Pays every funded grant, then closes the fund on the day after. */
static void close_fund(struct history *h)
{
    static int64_t expect[TF_POOL_COUNT][MAX_PARTIES];
    tf_pool_figures before[TF_POOL_COUNT];
    struct refund_sums sums;
    struct close_arg a;
    struct journal j;
    char date[16];

    cur_step = "close";
    day_date(date, h->last_day + 1);
    for (int s = 0; s < h->nsessions; s++) {
        struct req_state rs = requests_of(h, h->session[s].id);
        for (int k = 0; k < rs.n; k++)
            if (!strcmp(rs.r[k].status, "funded"))
                pay(h, rs.r[k].ref, rs.r[k].cost, date);
    }
    day_date(a.date, h->last_day + 2);
    MUST(tf_ledger_pools(h->fund, a.date, before, &dg));
    /* What each donor should get: its part of each pool's remaining cash
     * over the weights (the fund's interest among them), and its part of
     * the interest's part over the donors' weights. */
    {
        static struct journal jb;
        static struct model m;
        model_on(h, a.date, &jb, &m);
        memset(expect, 0, sizeof(expect));
        for (int k = 0; k < TF_POOL_COUNT; k++) {
            int64_t parts[MAX_PARTIES], again[MAX_PARTIES], w[MAX_PARTIES];
            int64_t mine = 0, any = 0;
            int party = -1;
            if (before[k].cash <= 0)
                continue;
            split(parts, before[k].cash, m.weight[k], h->nparties);
            for (int i = 0; i < h->nparties; i++) {
                if (m.order[i] == h->ndonors) {
                    party = i;
                    mine = parts[i];
                    w[i] = 0;
                } else
                    any |= w[i] = m.weight[k][i] > 0 ? m.weight[k][i] : 0;
            }
            if (mine && any)
                split(again, mine, w, h->nparties);
            else
                memset(again, 0, sizeof(again));
            for (int i = 0; i < h->nparties; i++)
                if (i != party)
                    expect[k][m.order[i]] = parts[i] + again[i];
        }
    }
    memset(&sums, 0, sizeof(sums));
    sums.h = h;
    a.sums = &sums;
    MUST(run_step(h, do_close, &a));
    memset(&j, 0, sizeof(j));
    j.h = h;
    MUST(tf_ledger_each_entry(h->fund, NULL, read_entry, &j, &dg));
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        tf_pool_figures after = pool_at(h, k, NULL);
        CHECK(sums.pool[k] == (before[k].cash > 0 ? before[k].cash : 0),
              "pool %s: refunds %lld of %lld remaining", tf_pools[k],
              (long long)sums.pool[k], (long long)before[k].cash);
        CHECK(after.cash == 0 && after.committed == 0,
              "pool %s: cash %lld after closing", tf_pools[k],
              (long long)after.cash);
        for (int d = 0; d < h->ndonors; d++)
            CHECK(sums.donor[k][d] == expect[k][d],
                  "%s/%s: refund %lld, expected %lld", h->donor[d], tf_pools[k],
                  (long long)sums.donor[k][d], (long long)expect[k][d]);
        for (int d = 0; d < h->ndonors; d++)
            CHECK(j.refunds[k][d] == sums.donor[k][d],
                  "%s/%s: refund %lld booked, %lld reported", h->donor[d],
                  tf_pools[k], (long long)j.refunds[k][d],
                  (long long)sums.donor[k][d]);
    }
    /* A closed fund refuses new activity. */
    {
        struct surplus_arg s;
        memset(&s, 0, sizeof(s));
        day_date(s.date, h->last_day + 3);
        CHECK(run_step(h, do_surplus, &s) == TF_ERR_RULE,
              "a surplus after closing");
    }
    {
        struct spend_arg s;
        char when[16];
        memset(&s, 0, sizeof(s));
        day_date(when, h->last_day + 3);
        s.s.ref = "SP-closed";
        s.s.date = when;
        s.s.currency = "USD";
        s.s.amount = 1;
        CHECK(run_step(h, do_spend, &s) == TF_ERR_RULE,
              "a spending after closing");
    }
}

/* ---- The test ------------------------------------------------------- */

static void test_random_histories(void **state)
{
    const char *env = getenv("TFUND_PROPERTY_HISTORIES");
    long histories = env && *env ? strtol(env, NULL, 10) : 1000;
    long closed = 0, backdated = 0, reversed = 0, interests = 0,
         remittances = 0;
    long long entries = 0;
    struct history *h = calloc(1, sizeof(*h));

    (void)state;
    assert_non_null(h);
    for (long n = 0; n < histories; n++) {
        long failures = -1;
        int do_close;

        memset(h, 0, sizeof(*h));
        cur_seed = 20250601u + (uint64_t)n;
        rng_state = cur_seed;
        cur_step = "create";
        snprintf(h->path, sizeof(h->path), "%s/h%ld.db", work_dir, n);
        remove_db(h->path);
        CHECK(copy_file(template_path, h->path) == 0, "cannot copy %s",
              template_path);
        MUST(tf_fund_open(&h->fund, h->path, &dg));
        setup_history(h);
        plan_history(h);
        run_history(h);

        /* Sometimes a surplus or spending dated before later entries:
         * taken, or refused with nothing written. */
        if (chance(30)) {
            char date[16];
            day_date(date, (int)rrange(20, h->last_day));
            backdated++;
            cur_step = "back-dated";
            if (chance(50))
                surplus_on(h, date, chance(30), 1);
            else
                spend_on(h, date, 1);
        }

        /* As of a date in the middle, then of everything. */
        {
            char mid[16];
            day_date(mid, (int)rrange(0, h->last_day));
            check_attribution(h, mid, 0);
        }
        check_attribution(h, NULL, 0);
        {
            char from[16], to[16];
            int a = (int)rrange(0, h->last_day),
                b = (int)rrange(0, h->last_day);
            day_date(from, a < b ? a : b);
            day_date(to, a < b ? b : a);
            check_statements(h, from, to);
            day_date(to, h->last_day);
            check_statements(h, NULL, to);
        }
        do_close = chance(40);
        if (do_close) {
            close_fund(h);
            check_attribution(h, NULL, 1);
            closed++;
        }
        cur_step = "verify";
        MUST(tf_verify(h->fund, print_failure, NULL, &failures, &dg));
        CHECK(failures == 0, "tf_verify found %ld failures", failures);
        entries += head(h->fund).count;
        reversed += h->nreversed;
        interests += h->ninterest_booked;
        remittances += h->npsc;
        tf_fund_close(h->fund);
        h->fund = NULL;
        remove_db(h->path);
    }
    free(h);
    printf("attribution property: %ld histories checked (%ld closed, %ld "
           "with a back-dated step), %lld entries (%ld reversals), %ld steps "
           "(%ld refused); checked %lld attribution rows, %lld transfer "
           "legs, %lld grant parts, %lld statements; %ld interest entries, "
           "%ld PSC remittances; %ld corrections (undo, reinstate, amend, "
           "disburse --correct, undisburse)\n",
           histories, closed, backdated, entries, reversed, steps, refused,
           rows_checked, legs_checked, grants_checked, statements_checked,
           interests, remittances, corrections);
    assert_true(histories < 1000 ||
                (entries > 0 && interests > 0 && remittances > 0));
    assert_true(histories < 1000 || corrections > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_histories),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
