/* SPDX-License-Identifier: MIT */
/*
 * The route table of tfund serve, and the pages of the session (login,
 * logout), the health check, the style sheet and the dashboard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "cache.h"
#include "html.h"
#include "pages.h"
#include "tfund/users.h"
#include "web.h"

#define STAFF    TF_ROLES_STAFF
#define ANYONE   (TF_ROLES_STAFF | TF_ROLE_DONOR)
#define RECORDER TF_ROLE_RECORDER
#define ADMIN    TF_ROLE_ADMIN

#define PROGRAMME  TF_ROLE_PROGRAMME
#define CERTIFYING TF_ROLE_CERTIFYING
#define APPROVING  TF_ROLE_APPROVING

/* Every route of section 12, with the role of the command line's command
 * for each write (cmd_roles[] in src/cli/cmd_user.c). An allocation's
 * dry run is open to every officer, its real run to the programme
 * officer only (post_allocate checks which it is). A rejection is open to
 * both officers; the core lets only the one the step awaits take it. Two
 * routes the table of section 12 does not name: a request's page, where
 * its life's forms are, and the payment requests with their steps. */
const struct web_route web_routes[] = {
    {"GET", "/healthz", 0, WEB_PUBLIC, page_healthz},
    {"GET", "/static/style.css", 0, WEB_PUBLIC, page_style},
    {"GET", "/login", 0, WEB_PUBLIC, page_login},
    {"POST", "/login", 0, WEB_PUBLIC, post_login},
    {"POST", "/logout", ANYONE, 0, post_logout},
    {"GET", "/", ANYONE, 0, page_dashboard},
    {"GET", "/donors", ANYONE, 0, page_donors},
    {"POST", "/donors", RECORDER, 0, post_donors},
    {"GET", "/donors/{}", ANYONE, WEB_DONOR_SELF, page_donor},
    {"GET", "/donors/{}/statement.xlsx", ANYONE, WEB_DONOR_SELF,
     get_donor_statement},
    {"GET", "/pledges", ANYONE, 0, page_pledges},
    {"POST", "/pledges", RECORDER, 0, post_pledges},
    {"GET", "/receipts", ANYONE, 0, page_receipts},
    {"POST", "/receipts", RECORDER, 0, post_receipts},
    {"GET", "/sessions", STAFF, 0, page_sessions},
    {"POST", "/sessions", RECORDER, 0, post_sessions},
    {"GET", "/sessions/{}", STAFF, 0, page_session},
    {"GET", "/sessions/{}/report.xlsx", STAFF, 0, get_session_report},
    {"GET", "/import", RECORDER | ADMIN, 0, page_import},
    {"POST", "/import", RECORDER | ADMIN, WEB_UPLOAD, post_import},
    {"GET", "/balance", STAFF, 0, page_balance},
    {"GET", "/journal", STAFF, 0, page_journal},
    {"GET", "/verify", STAFF, 0, page_verify},
    {"GET", "/log", STAFF, 0, page_log},
    {"GET", "/reports/fund.xlsx", STAFF, 0, get_fund_report},
    {"POST", "/sessions/{}/allocate",
     PROGRAMME | CERTIFYING | APPROVING | RECORDER | ADMIN, 0, post_allocate},
    {"GET", "/runs/{}", STAFF, 0, page_run},
    {"POST", "/runs/{}/certify", CERTIFYING, 0, post_run_certify},
    {"POST", "/runs/{}/approve", APPROVING, 0, post_run_approve},
    {"POST", "/runs/{}/reject", CERTIFYING | APPROVING, 0, post_run_reject},
    {"POST", "/runs/{}/undo", PROGRAMME, 0, post_run_undo},
    {"GET", "/requests/{}", STAFF, 0, page_request},
    {"POST", "/requests/{}/disburse", PROGRAMME, 0, post_disburse},
    {"POST", "/requests/{}/cancel", PROGRAMME, 0, post_cancel},
    {"POST", "/requests/{}/reinstate", PROGRAMME, 0, post_reinstate},
    {"POST", "/requests/{}/undisburse", PROGRAMME, 0, post_undisburse},
    {"POST", "/requests/{}/amend", PROGRAMME, 0, post_amend},
    {"GET", "/payments", STAFF, 0, page_payments},
    {"POST", "/payments/{}/certify", CERTIFYING, 0, post_payment_certify},
    {"POST", "/payments/{}/approve", APPROVING, 0, post_payment_approve},
    {"POST", "/payments/{}/reject", CERTIFYING | APPROVING, 0,
     post_payment_reject},
    {"GET", "/waitlist", STAFF, 0, page_waitlist},
};
const size_t web_nroutes = sizeof(web_routes) / sizeof(web_routes[0]);

/* ---- Health and assets ------------------------------------------------ */

int page_healthz(struct web_request *rq)
{
    FILE *out = web_begin(rq, 200, "text/plain; charset=utf-8");

    if (out)
        html_raw(out, "ok\n");
    return 0;
}

int page_style(struct web_request *rq)
{
    FILE *out = web_begin(rq, 200, "text/css; charset=utf-8");

    if (out)
        fwrite(web_style_css, 1, web_style_css_len, out);
    rq->cacheable = 1;
    return 0;
}

/* ---- Logging in and out ------------------------------------------------ */

static void login_form(struct web_request *rq, int status, const char *error)
{
    const char *user = web_field(rq, "user");
    FILE *out = page_begin(rq, status, "Log in");

    if (!out)
        return;
    if (error) {
        html_raw(out, "<p class=\"error\" role=\"alert\">");
        html_txt(out, error);
        html_raw(out, "</p>");
    }
    html_raw(out, "<form class=\"entry\" method=\"post\" action=\"/login\">");
    html_hidden(out, "csrf", rq->session.csrf);
    html_raw(out, "<div class=\"field\"><label for=\"f-user\">User</label>"
                  "<input id=\"f-user\" name=\"user\" type=\"text\" "
                  "autocomplete=\"username\" required");
    if (user) {
        html_raw(out, " value=\"");
        html_attr(out, user);
        html_raw(out, "\"");
    }
    html_raw(out, "></div><div class=\"field\"><label for=\"f-password\">"
                  "Password</label><input id=\"f-password\" name=\"password\" "
                  "type=\"password\" autocomplete=\"current-password\" "
                  "required></div><button type=\"submit\">Log in</button>"
                  "</form>");
    page_end(rq);
}

int page_login(struct web_request *rq)
{
    if (rq->logged_in)
        return web_redirect(rq, "/", NULL, NULL);
    /* The form's CSRF token lives in a session of its own, which logging
     * in replaces. */
    if (!rq->has_session) {
        if (web_session_create(web_server_sessions(rq->server), NULL,
                               time(NULL), &rq->session)) {
            page_message(rq, 500, "Server error", "Out of memory.");
            return 0;
        }
        rq->has_session = 1;
        web_set_session_cookie(rq, rq->session.id);
    }
    login_form(rq, 200, NULL);
    return 0;
}

int post_login(struct web_request *rq)
{
    web_sessions *store = web_server_sessions(rq->server);
    const char *user = web_field(rq, "user"),
               *password = web_field(rq, "password");
    char msg[200];
    web_session fresh;
    tf_diag diag;
    time_t now = time(NULL);
    int left;

    if (!user || !*user || strlen(user) > WEB_USER_MAX || !password) {
        login_form(rq, 400, "Give your user id and password.");
        return 0;
    }
    if ((left = web_login_locked(store, user, now)) > 0) {
        snprintf(msg, sizeof(msg),
                 "Too many failed logins: user '%s' is locked for %d more "
                 "second%s.",
                 user, left, left == 1 ? "" : "s");
        login_form(rq, 403, msg);
        return 0;
    }
    tf_diag_clear(&diag);
    if (tf_user_authenticate(rq->fund, user, password, NULL, NULL, &diag)) {
        int locked = web_login_failed(store, user, now);
        if (locked)
            snprintf(msg, sizeof(msg),
                     "Unknown user or wrong password. After %d failed "
                     "logins, user '%s' is locked for %d seconds.",
                     WEB_LOCK_FAILS, user, locked);
        else
            snprintf(msg, sizeof(msg), "Unknown user or wrong password.");
        login_form(rq, 401, msg);
        return 0;
    }
    web_login_succeeded(store, user);
    /* A new session: the id the browser had before is never kept. */
    web_session_destroy(store, rq->session.id);
    if (web_session_create(store, user, now, &fresh)) {
        page_message(rq, 500, "Server error", "Out of memory.");
        return 0;
    }
    web_set_session_cookie(rq, fresh.id);
    return web_redirect(rq, "/", NULL, NULL);
}

int post_logout(struct web_request *rq)
{
    web_session_destroy(web_server_sessions(rq->server), rq->session.id);
    rq->has_session = 0;
    web_set_session_cookie(rq, NULL);
    return web_redirect(rq, "/login", NULL, NULL);
}

/* ---- The dashboard ----------------------------------------------------- */

struct outstanding {
    struct web_request *rq;
    web_table *t;
    long shown, more;
};

static int outstanding_pledge(void *ctx, const tf_pledge *p)
{
    struct outstanding *o = ctx;
    const tf_currency *cur = tf_currency_find(p->currency);
    char amt[TF_AMOUNT_BUFSZ], left[TF_AMOUNT_BUFSZ];
    const char *cells[] = {p->ref,  p->donor,    p->date, p->due ? p->due : "",
                           p->pool, p->currency, amt,     left};

    if (p->amount <= p->received)
        return 0;
    if (o->shown >= 20) {
        o->more++;
        return 0;
    }
    tf_amount_format(amt, sizeof(amt), p->amount, cur ? cur->minor : 2, 1);
    tf_amount_format(left, sizeof(left), p->amount - p->received,
                     cur ? cur->minor : 2, 1);
    web_table_row(o->t, cells);
    o->shown++;
    return 0;
}

struct upcoming {
    struct web_request *rq;
    web_table *t;
    const char *today;
    long waitlisted;
};

struct counts {
    long n[TF_STATUS_COUNT];
};

/* The sessions still to come: their envelope, what their grants used and
 * what a run today could still spend (tf_headroom_each). */
struct headroom_out {
    struct web_request *rq;
    web_table *t;
};

static int headroom_row(void *ctx, const tf_headroom *h)
{
    struct headroom_out *o = ctx;
    int64_t sum[3] = {0, 0, 0};
    char a[5][TF_AMOUNT_BUFSZ];
    const char *cells[] = {h->session, h->env->last_day, a[0], a[1], a[2], a[3],
                           a[4]};
    int overflow = 0;

    for (int k = 0; k < TF_POOL_COUNT; k++) {
        overflow |= tf_money_add(&sum[0], sum[0], h->env->envelope[k]) != 0;
        overflow |= tf_money_add(&sum[1], sum[1], h->env->used[k]) != 0;
        overflow |= tf_money_add(&sum[2], sum[2], h->env->allowance[k]) != 0;
    }
    for (int i = 0; i < 3; i++)
        if (overflow)
            snprintf(a[i], sizeof(a[i]), "(too large)");
        else
            tf_fund_fmt(o->rq->fund, a[i], sum[i], 1);
    tf_fund_fmt(o->rq->fund, a[3], h->tier[1].room, 1);
    tf_fund_fmt(o->rq->fund, a[4], h->tier[2].room, 1);
    web_table_row(o->t, cells);
    return 0;
}

static int count_request(void *ctx, const tf_request *r)
{
    struct counts *c = ctx;
    int k = tf_status_find(r->status);

    if (k >= 0)
        c->n[k]++;
    return 0;
}

static int upcoming_session(void *ctx, const tf_session *s)
{
    struct upcoming *u = ctx;
    struct counts c;
    char days[24], n[TF_STATUS_COUNT][24];
    const char *cells[] = {s->id, s->name, s->venue, s->start, days,
                           n[0],  n[1],    n[2],     n[3],     n[4]};

    if (strcmp(s->start, u->today) < 0)
        return 0;
    memset(&c, 0, sizeof(c));
    tf_request_each(u->rq->fund, s->id, NULL, count_request, &c, NULL);
    snprintf(days, sizeof(days), "%lld", (long long)s->days);
    for (int k = 0; k < TF_STATUS_COUNT; k++)
        snprintf(n[k], sizeof(n[k]), "%ld", c.n[k]);
    u->waitlisted += c.n[TF_STATUS_WAITLISTED];
    web_table_row(u->t, cells);
    return 0;
}

/* The dashboard of staff users: the same for each of them, so kept in
 * the cache while the books stay as they were. Returns 0, or -1 with the
 * message in diag. */
static int dashboard_part(struct web_request *rq, FILE *out, void *ctx)
{
    static const char *const pool_cols[] = {
        "pool", "receipts", "cash", "committed", "reserve", "available"};
    static const char *const pledge_cols[] = {
        "ref",  "donor",    "date",   "due",
        "pool", "currency", "amount", "outstanding"};
    /* The sessions' columns of request counts are named by their status
     * (pending, funded, waitlisted, rejected, disbursed). */
    const char *session_cols[] = {"id", "name", "venue", "start", "days",
                                  NULL, NULL,   NULL,    NULL,    NULL};
    tf_pool_figures figs[TF_POOL_COUNT];
    struct outstanding o;
    struct upcoming u;
    char today[TF_DATE_LEN + 1];
    tf_diag *diag = ctx;
    web_table *t;

    if (tf_ledger_pools(rq->fund, NULL, figs, diag))
        return -1;
    html_raw(out, "<h2>Pools</h2>");
    t = web_table_new(rq, out, 0, pool_cols, "saaaaa");
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        char a[5][TF_AMOUNT_BUFSZ];
        const char *cells[] = {
            figs[k].pool,
            tf_fund_fmt(rq->fund, a[0], figs[k].receipts, 1),
            tf_fund_fmt(rq->fund, a[1], figs[k].cash, 1),
            tf_fund_fmt(rq->fund, a[2], figs[k].committed, 1),
            tf_fund_fmt(rq->fund, a[3], figs[k].reserve, 1),
            tf_fund_fmt(rq->fund, a[4], figs[k].available, 1)};
        web_table_row(t, cells);
    }
    web_table_end(t);

    html_raw(out, "<h2>Pledges outstanding</h2>");
    memset(&o, 0, sizeof(o));
    o.rq = rq;
    o.t = web_table_new(rq, out, 0, pledge_cols, "ssssssaa");
    web_table_link(o.t, 1, "/donors/", NULL);
    if (tf_pledge_each(rq->fund, NULL, outstanding_pledge, &o, diag)) {
        web_table_end(o.t);
        return -1;
    }
    web_table_end(o.t);
    if (o.more) {
        html_raw(out, "<p>");
        html_int(out, o.more);
        html_raw(out, " more: <a href=\"/pledges\">all pledges</a></p>");
    }

    html_raw(out, "<h2>Next sessions</h2>");
    for (int k = 0; k < 5; k++)
        session_cols[5 + k] = tf_status_name((tf_status)k);
    tf_date_today(today);
    memset(&u, 0, sizeof(u));
    u.rq = rq;
    u.today = today;
    u.t = web_table_new(rq, out, 0, session_cols, "ssssiiiiii");
    web_table_link(u.t, 0, "/sessions/", NULL);
    if (tf_session_each(rq->fund, NULL, upcoming_session, &u, diag)) {
        web_table_end(u.t);
        return -1;
    }
    web_table_end(u.t);
    html_raw(out, "<p>");
    html_int(out, u.waitlisted);
    html_raw(out, " request");
    if (u.waitlisted != 1)
        html_raw(out, "s");
    html_raw(out, " waitlisted for the sessions to come: "
                  "<a href=\"/waitlist\">the waitlist</a>, in the order "
                  "their next runs would consider them.</p>");

    html_raw(out, "<h2>Envelopes of the sessions to come</h2>");
    {
        static const char *const cols[] = {"session",
                                           "last_day",
                                           "envelope",
                                           "used",
                                           "left",
                                           "LDC room",
                                           "other developing room"};
        struct headroom_out h = {rq, NULL};
        h.t = web_table_new(rq, out, 0, cols, "ssaaaaa");
        web_table_link(h.t, 0, "/sessions/", NULL);
        if (tf_headroom_each(rq->fund, NULL, today, headroom_row, &h, diag)) {
            web_table_end(h.t);
            return -1;
        }
        web_table_end(h.t);
    }
    return 0;
}

int page_dashboard(struct web_request *rq)
{
    tf_diag diag;
    FILE *out;

    if (rq->user.roles & TF_ROLE_DONOR)
        return donor_overview(rq, rq->user.donor, "Home");
    out = page_begin(rq, 200, "Dashboard");
    if (!out)
        return 0;
    /* Each user's own: never kept in the cache. */
    awaiting_you(rq, out);
    tf_diag_clear(&diag);
    if (web_cache_part(web_server_cache(rq->server), rq, out, "dashboard",
                       dashboard_part, &diag))
        return page_message(rq, 500, "Server error", diag.msg);
    return page_end(rq);
}
