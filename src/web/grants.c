/* SPDX-License-Identifier: MIT */
/*
 * A session's allocation run (a dry run shows its decisions and the
 * envelope; a real one is proposed, or posted when approvals are none),
 * a request and its life after the run (disburse and its correction,
 * undisburse, cancel, reinstate, and before it an amendment),
 * and the waitlist of the sessions still to come. Each write calls the
 * core function the command line calls, in one transaction, with the
 * same summary for its event.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages.h"
#include "tfund/audit.h"
#include "tfund/users.h"
#include "web.h"

static const char *const orders[] = {"submitted", "cost", "region", NULL};
static const char *const budgets[] = {"days", "all", NULL};

/* A form's yes/no field: absent or "" or "0" is no; "1" or "on" is yes.
 * Returns 0, or -1 for anything else. */
static int read_flag(struct web_request *rq, const char *name, int *on)
{
    const char *v = web_field(rq, name);

    *on = 0;
    if (!v || !*v || !strcmp(v, "0"))
        return 0;
    if (!strcmp(v, "1") || !strcmp(v, "on")) {
        *on = 1;
        return 0;
    }
    return -1;
}

/* A date field: "" or absent gives fallback (may be NULL). Returns 0 and
 * *date, or -1 with the field's error in f. */
static int read_date(struct web_request *rq, const char *name,
                     const char *fallback, const char **date,
                     struct page_form *f)
{
    const char *v = web_field(rq, name);
    tf_diag diag;

    *date = fallback;
    if (!v || !*v)
        return 0;
    tf_diag_clear(&diag);
    if (tf_date_check(v, &diag)) {
        f->error_field = name;
        snprintf(f->error, sizeof(f->error), "%s", diag.msg);
        return -1;
    }
    *date = v;
    return 0;
}

/* ---- The allocation form and its run ---------------------------------- */

void allocate_form(struct web_request *rq, FILE *out, const char *session,
                   const struct page_form *f)
{
    char action[200];

    snprintf(action, sizeof(action), "/sessions/%s/allocate", session);
    html_raw(out, "<h2>Allocate</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, action, 0);
    page_input(rq, out, f, "Date of the run", "date", "date", 0,
               "YYYY-MM-DD (today)");
    page_select(rq, out, f, "Order within a tier", "order", orders, 0);
    page_select(rq, out, f, "Budget share", "budget", budgets, 0);
    page_input(rq, out, f, "Cap on the run's total charge", "cap", "text", 0,
               NULL);
    page_checkbox(rq, out, f,
                  "Strict: stop funding at the first that does not fit",
                  "strict");
    html_raw(out, "<button type=\"submit\" name=\"dry_run\" value=\"1\">Dry "
                  "run</button> <button type=\"submit\">Propose the "
                  "run</button></form><p>A dry run shows what the run would "
                  "decide and writes nothing. A run is proposed: nothing is "
                  "committed until it is certified and approved by other "
                  "officers (posted at once when the fund's setting "
                  "<code>approvals</code> is <code>none</code>).</p>");
}

struct alloc_form {
    tf_alloc_options opt;
    const char *session;
    char today[TF_DATE_LEN + 1];
    tf_alloc_result res;
};

/* Reads the allocation form into a. Returns 0, or 400 with f filled. */
static int read_allocate(struct web_request *rq, struct alloc_form *a,
                         struct page_form *f)
{
    const char *order = web_field(rq, "order"),
               *budget = web_field(rq, "budget"), *cap = web_field(rq, "cap");
    tf_diag diag;

    memset(&a->opt, 0, sizeof(a->opt));
    a->opt.cap = -1;
    tf_date_today(a->today);
    if (read_date(rq, "date", a->today, &a->opt.date, f))
        return 400;
    if (!order || !*order || !strcmp(order, "submitted"))
        a->opt.order = TF_ORDER_SUBMITTED;
    else if (!strcmp(order, "cost"))
        a->opt.order = TF_ORDER_COST;
    else if (!strcmp(order, "region"))
        a->opt.order = TF_ORDER_REGION;
    else {
        f->error_field = "order";
        snprintf(f->error, sizeof(f->error),
                 "the order is submitted, cost or region");
        return 400;
    }
    if (budget && *budget && strcmp(budget, "days") && strcmp(budget, "all")) {
        f->error_field = "budget";
        snprintf(f->error, sizeof(f->error), "the budget is days or all");
        return 400;
    }
    a->opt.budget_all = budget && !strcmp(budget, "all");
    tf_diag_clear(&diag);
    if (cap && *cap && tf_fund_parse(rq->fund, &a->opt.cap, cap, 0, &diag)) {
        f->error_field = "cap";
        snprintf(f->error, sizeof(f->error), "%s", diag.msg);
        return 400;
    }
    if (read_flag(rq, "strict", &a->opt.strict)) {
        f->error_field = "strict";
        snprintf(f->error, sizeof(f->error), "strict is 1 or empty");
        return 400;
    }
    if (read_flag(rq, "dry_run", &a->opt.dry_run)) {
        f->error_field = "";
        snprintf(f->error, sizeof(f->error), "dry_run is 1 or empty");
        return 400;
    }
    return 0;
}

/* The envelope a run started from, and what it drew, per pool. */
static void envelope_table(struct web_request *rq, FILE *out,
                           const tf_alloc_result *res)
{
    static const char *const cols[] = {"pool",      "envelope",  "used",
                                       "available", "allowance", "drawn"};
    const tf_envelope *e = &res->env;
    web_table *t = web_table_new(rq, out, 0, cols, "saaaaa");

    for (int k = 0; k < TF_POOL_COUNT; k++) {
        char a[5][TF_AMOUNT_BUFSZ];
        const char *cells[] = {tf_pools[k],
                               tf_fund_fmt(rq->fund, a[0], e->envelope[k], 1),
                               tf_fund_fmt(rq->fund, a[1], e->used[k], 1),
                               tf_fund_fmt(rq->fund, a[2], e->available[k], 1),
                               tf_fund_fmt(rq->fund, a[3], e->allowance[k], 1),
                               tf_fund_fmt(rq->fund, a[4], res->drawn[k], 1)};
        if (k == TF_POOL_PREP)
            continue;
        web_table_row(t, cells);
    }
    web_table_end(t);
}

/* "its2 on 2017-05-15: 12 considered: ..." (as the command line says). */
static void run_summary(tf_fund *fund, char *buf, size_t size,
                        const char *session, const tf_alloc_options *opt,
                        const tf_alloc_result *res)
{
    char amt[TF_AMOUNT_BUFSZ];

    snprintf(buf, size,
             "%s on %s: %ld considered: %ld funded (%ld LDC, %ld other "
             "developing) for %s, %ld waitlisted, %ld rejected",
             session, opt->date, res->considered, res->funded,
             res->funded_tier[1], res->funded_tier[2],
             tf_fund_fmt(fund, amt, res->funded_charge, 1), res->waitlisted,
             res->rejected);
}

/* The dry run's page: what the run would decide, the envelope, and the
 * button that proposes the same run. */
static int dry_run_page(struct web_request *rq, struct alloc_form *a)
{
    struct decisions d;
    char *table = NULL, line[600], cap[TF_AMOUNT_BUFSZ];
    size_t len = 0;
    tf_diag diag;
    tf_error err;
    FILE *buf, *out;
    struct page_form f;

    memset(&f, 0, sizeof(f));
    if (!(buf = open_memstream(&table, &len)))
        return page_message(rq, 500, "Server error", "Out of memory.");
    decisions_begin(&d, rq, buf, 0);
    tf_diag_clear(&diag);
    err = tf_allocate(rq->fund, a->session, &a->opt, &a->res, decisions_row, &d,
                      &diag);
    decisions_end(&d);
    fclose(buf);
    if (err) {
        free(table);
        return session_page(rq, page_write_failed(&f, err, &diag), &f);
    }
    if (!(out = page_begin(rq, 200, "Dry run")))
        goto done;
    run_summary(rq->fund, line, sizeof(line), a->session, &a->opt, &a->res);
    html_raw(out, "<p class=\"flash\">Dry run, nothing written: ");
    html_txt(out, line);
    html_raw(out, ".</p><p>");
    html_link_open(out, "/sessions/", a->session, NULL);
    html_raw(out, "Back to the session");
    html_link_close(out);
    html_raw(out, "</p><h2>Envelope</h2><p>");
    if (!strcmp(a->res.env.basis, "fixed")) {
        html_raw(out, "This run would fix the envelope: available \xc3\x97 ");
        html_txt(out, a->res.env.share);
    } else if (!strcmp(a->res.env.basis, "reset")) {
        html_raw(out, "This run would reset the envelope (budget all).");
    } else {
        html_raw(out, "The envelope stored by run ");
        html_int(out, (long long)a->res.env.run);
        html_raw(out, " is kept.");
    }
    html_raw(out, "</p>");
    envelope_table(rq, out, &a->res);
    if (web_user_has(rq, TF_ROLE_PROGRAMME)) {
        char action[200];
        snprintf(action, sizeof(action), "/sessions/%s/allocate", a->session);
        page_form_open(rq, out, action, 0);
        html_hidden(out, "date", a->opt.date);
        html_hidden(out, "order", orders[a->opt.order]);
        html_hidden(out, "budget", a->opt.budget_all ? "all" : "days");
        cap[0] = '\0';
        if (a->opt.cap >= 0)
            tf_fund_fmt(rq->fund, cap, a->opt.cap, 0);
        html_hidden(out, "cap", cap);
        html_hidden(out, "strict", a->opt.strict ? "1" : "");
        html_raw(out, "<button type=\"submit\">Propose this run</button>"
                      "</form>");
    }
    html_raw(out, "<h2>Decisions</h2>");
    fwrite(table, 1, len, out);
    page_end(rq);
done:
    free(table);
    return 0;
}

static tf_error allocate_write(struct web_request *rq, void *ctx, tf_diag *diag)
{
    struct alloc_form *a = ctx;
    char line[600];
    tf_error err;

    if ((err = tf_allocate(rq->fund, a->session, &a->opt, &a->res, NULL, NULL,
                           diag)))
        return err;
    run_summary(rq->fund, line, sizeof(line), a->session, &a->opt, &a->res);
    tf_audit_summary(rq->fund, "%s (run %" PRId64 ", envelope %s%s)", line,
                     a->res.run, a->res.env.basis,
                     a->res.proposed ? ", proposed" : "");
    return TF_OK;
}

static int session_known(void *ctx, const tf_session *s)
{
    (void)s;
    *(int *)ctx = 1;
    return 1;
}

int post_allocate(struct web_request *rq)
{
    struct alloc_form a;
    int known = 0;
    struct page_form f;
    char run[24], line[600];
    tf_diag diag;
    tf_error err;
    int status;

    memset(&f, 0, sizeof(f));
    memset(&a, 0, sizeof(a));
    a.session = rq->params[0];
    if (!tf_id_valid(a.session) ||
        tf_session_each(rq->fund, a.session, session_known, &known, NULL) ||
        !known)
        return page_message(rq, 404, "Not found", "There is no such session.");
    if ((status = read_allocate(rq, &a, &f)))
        return session_page(rq, status, &f);
    if (a.opt.dry_run)
        return dry_run_page(rq, &a);
    /* Writes: the programme officer's (a dry run is anyone's). */
    if (!web_user_has(rq, TF_ROLE_PROGRAMME))
        return page_message(rq, 403, "Not allowed",
                            "An allocation run needs the programme role; a "
                            "dry run is open to every officer.");
    tf_diag_clear(&diag);
    if ((err = web_transaction(rq, allocate_write, &a, &diag)))
        return session_page(rq, page_write_failed(&f, err, &diag), &f);
    run_summary(rq->fund, line, sizeof(line), a.session, &a.opt, &a.res);
    if (a.res.proposed)
        web_flash(rq,
                  "run %" PRId64 " proposed: %s; nothing is committed until "
                  "it is approved",
                  a.res.run, line);
    else
        web_flash(rq, "run %" PRId64 ": %s", a.res.run, line);
    snprintf(run, sizeof(run), "%" PRId64, a.res.run);
    return web_redirect(rq, "/runs/", run, NULL);
}

/* ---- A request and its life ---------------------------------------- */

/* Nonzero if ref may name a request in a URL: text of at most 100 bytes,
 * no control character, no space at either end, not "." or "..". */
static int ref_ok(const char *ref)
{
    size_t n = strlen(ref);

    if (n == 0 || n > 100 || ref[0] == ' ' || ref[n - 1] == ' ' ||
        !strcmp(ref, ".") || !strcmp(ref, ".."))
        return 0;
    for (const unsigned char *p = (const unsigned char *)ref; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

struct one_request {
    tf_fund *fund;
    char session[80], country[8], delegate[256], submitted[32];
    char status[16], reason[64], fare[TF_AMOUNT_BUFSZ + 8];
    char charge[TF_AMOUNT_BUFSZ], tier[8];
    /* The details an amendment starts from: the fare as typed (no
     * grouping), its currency, the gender. */
    char fare_amount[TF_AMOUNT_BUFSZ], fare_currency[8], gender[32];
    int found;
};

static int got_request(void *ctx, const tf_request *r)
{
    struct one_request *o = ctx;
    const tf_currency *cur = tf_currency_find(r->fare_currency);
    char amt[TF_AMOUNT_BUFSZ];

    snprintf(o->session, sizeof(o->session), "%s", r->session);
    snprintf(o->country, sizeof(o->country), "%s", r->country);
    snprintf(o->delegate, sizeof(o->delegate), "%s", r->delegate);
    snprintf(o->submitted, sizeof(o->submitted), "%s", r->submitted);
    snprintf(o->status, sizeof(o->status), "%s", r->status);
    snprintf(o->reason, sizeof(o->reason), "%s", r->reason ? r->reason : "");
    tf_amount_format(amt, sizeof(amt), r->fare_orig, cur ? cur->minor : 2, 1);
    snprintf(o->fare, sizeof(o->fare), "%s %s", amt, r->fare_currency);
    tf_amount_format(o->fare_amount, sizeof(o->fare_amount), r->fare_orig,
                     cur ? cur->minor : 2, 0);
    snprintf(o->fare_currency, sizeof(o->fare_currency), "%s",
             r->fare_currency);
    snprintf(o->gender, sizeof(o->gender), "%s", r->gender ? r->gender : "");
    o->charge[0] = o->tier[0] = '\0';
    if (r->has_figures)
        tf_fund_fmt(o->fund, o->charge, r->charge, 1);
    if (r->tier && r->has_figures)
        snprintf(o->tier, sizeof(o->tier), "%d", r->tier);
    o->found = 1;
    return 1;
}

/* The request named in the URL into *o: 0, or -1 after answering 404. */
static int load_request(struct web_request *rq, struct one_request *o)
{
    const char *ref = rq->params[0];

    memset(o, 0, sizeof(*o));
    o->fund = rq->fund;
    if (!ref_ok(ref) ||
        tf_request_each(rq->fund, NULL, ref, got_request, o, NULL) ||
        !o->found) {
        page_message(rq, 404, "Not found", "There is no such request.");
        return -1;
    }
    return 0;
}

/* The form of one step of a request's life, posting to /requests/REF/what
 * (f: its error, when it is the one shown again). */
static void life_form(struct web_request *rq, FILE *out, const char *what,
                      const char *title, const char *button,
                      const struct page_form *f)
{
    const char *ref = rq->params[0];
    char *action = NULL;
    size_t len = 0;
    FILE *a = open_memstream(&action, &len);

    if (!a)
        return;
    html_raw(a, "/requests/");
    html_url_seg(a, ref);
    html_raw(a, "/");
    html_url_seg(a, what);
    fclose(a);
    html_raw(out, "<h2>");
    html_txt(out, title);
    html_raw(out, "</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, action, 0);
    free(action);
    if (!strcmp(what, "disburse")) {
        page_input_in(rq, out, f, what, "Date", "date", "date", 0,
                      "YYYY-MM-DD (the cost's date)");
        page_input(rq, out, f, "Actual cost", "amount", "text", 0,
                   "empty: the imported cost");
        page_input(rq, out, f, "Currency", "currency", "text", 0, "USD");
        page_checkbox(rq, out, f,
                      "Force: accept a cost beyond the tolerance over the "
                      "committed",
                      "force");
        page_checkbox(rq, out, f,
                      "Correct: replace a disbursed grant's actual cost (the "
                      "amount, currency and date are needed)",
                      "correct");
    } else {
        page_input_in(rq, out, f, what, "Date", "date", "date", 0,
                      "YYYY-MM-DD (today)");
    }
    html_raw(out, "<button type=\"submit\">");
    html_txt(out, button);
    html_raw(out, "</button></form>");
}

/* The amendment form of a pending or waitlisted request, filled with its
 * current details (o) unless the form f is shown again. */
static void amend_form(struct web_request *rq, FILE *out,
                       const struct one_request *o, const struct page_form *f)
{
    char *action = NULL;
    size_t len = 0;
    FILE *a = open_memstream(&action, &len);

    if (!a)
        return;
    html_raw(a, "/requests/");
    html_url_seg(a, rq->params[0]);
    html_raw(a, "/amend");
    fclose(a);
    html_raw(out, "<h2>Amend the request</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, action, 0);
    free(action);
    page_input_or(rq, out, f, "amend", "Fare", "fare", "text", 0, NULL,
                  o->fare_amount);
    page_input_or(rq, out, f, "amend", "Fare currency", "fare_currency", "text",
                  0, NULL, o->fare_currency);
    page_input_or(rq, out, f, "amend", "Delegate", "delegate", "text", 0, NULL,
                  o->delegate);
    page_input_or(rq, out, f, "amend", "Gender", "gender", "text", 0, NULL,
                  o->gender);
    page_checkbox(rq, out, f,
                  "Allow a duplicate: the new delegate is another person of "
                  "the same name",
                  "allow_duplicate");
    html_raw(out, "<button type=\"submit\">Amend</button></form><p>The old "
                  "details stay as they were recorded; an amendment that "
                  "changes nothing writes nothing.</p>");
}

/* The page of a request: its details, payment requests and, for the
 * programme officer, the steps its state allows (failed: the form f
 * belongs to). */
static int request_page(struct web_request *rq, int status,
                        const struct page_form *f, const char *failed)
{
    const char *ref = rq->params[0];
    struct one_request o;
    char title[160];
    FILE *out;

    if (load_request(rq, &o))
        return 0;
    snprintf(title, sizeof(title), "Request %s", ref);
    if (!(out = page_begin(rq, status, title)))
        return 0;
    html_raw(out, "<dl class=\"record\"><dt>Session</dt><dd>");
    html_link_open(out, "/sessions/", o.session, NULL);
    html_txt(out, o.session);
    html_link_close(out);
    html_raw(out, "</dd>");
    page_record_row(out, "Country", o.country);
    page_record_row(out, "Delegate", o.delegate);
    page_record_row(out, "Submitted", o.submitted);
    page_record_row(out, "Fare", o.fare);
    page_record_row(out, "Status", o.status);
    if (o.reason[0])
        page_record_row(out, "Reason", o.reason);
    if (o.tier[0])
        page_record_row(out, "Tier", o.tier);
    if (o.charge[0])
        page_record_row(out, "Charge", o.charge);
    html_raw(out, "</dl><h2>Payment requests</h2>");
    payments_table(rq, out, 0, ref);
    if (web_user_has(rq, TF_ROLE_PROGRAMME) || failed) {
        int funded = tf_status_is(o.status, TF_STATUS_FUNDED),
            waiting = tf_status_is(o.status, TF_STATUS_PENDING) ||
                      tf_status_is(o.status, TF_STATUS_WAITLISTED),
            open = funded || waiting,
            disbursed = tf_status_is(o.status, TF_STATUS_DISBURSED),
            cancelled = tf_status_is(o.status, TF_STATUS_CANCELLED);
#define FORM_OF(w) (failed && !strcmp(failed, w) ? f : NULL)
        if (waiting || (failed && !strcmp(failed, "amend")))
            amend_form(rq, out, &o, FORM_OF("amend"));
        if (funded || disbursed || (failed && !strcmp(failed, "disburse")))
            life_form(rq, out, "disburse",
                      disbursed ? "Correct the disbursement"
                                : "Disburse the actual cost",
                      disbursed ? "Correct" : "Disburse", FORM_OF("disburse"));
        if (disbursed || (failed && !strcmp(failed, "undisburse")))
            life_form(rq, out, "undisburse", "Take back the disbursement",
                      "Undisburse", FORM_OF("undisburse"));
        if (open || (failed && !strcmp(failed, "cancel")))
            life_form(rq, out, "cancel", "Cancel the request", "Cancel",
                      FORM_OF("cancel"));
        if (cancelled || (failed && !strcmp(failed, "reinstate")))
            life_form(rq, out, "reinstate", "Reinstate the request",
                      "Reinstate", FORM_OF("reinstate"));
#undef FORM_OF
    }
    return page_end(rq);
}

int page_request(struct web_request *rq)
{
    return request_page(rq, 200, NULL, NULL);
}

struct life {
    const char *ref, *what, *date;
    tf_disburse_options o;
    tf_disburse_result res;
    int64_t released;
    char line[1024];
};

static tf_error life_write(struct web_request *rq, void *ctx, tf_diag *diag)
{
    struct life *l = ctx;
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ], t[TF_AMOUNT_BUFSZ];
    tf_fund *fund = rq->fund;
    tf_error err;
    int n;

    if (!strcmp(l->what, "cancel")) {
        if ((err = tf_cancel(fund, l->ref, l->date, &l->released, diag)))
            return err;
        snprintf(l->line, sizeof(l->line), "%s cancelled on %s%s%s", l->ref,
                 l->date, l->released ? ", commitment released: " : "",
                 l->released ? tf_fund_fmt(fund, a, l->released, 1) : "");
    } else if (!strcmp(l->what, "undisburse")) {
        if ((err = tf_undisburse(fund, l->ref, l->date, &l->res, diag)))
            return err;
        snprintf(l->line, sizeof(l->line),
                 "%s back to funded on %s: disbursement entry reversed "
                 "(entry %" PRId64 "), commitment of %s re-established",
                 l->ref, l->date, l->res.reversed,
                 tf_fund_fmt(fund, a, l->res.committed, 1));
    } else if (!strcmp(l->what, "reinstate")) {
        if ((err = tf_reinstate(fund, l->ref, l->date, diag)))
            return err;
        snprintf(l->line, sizeof(l->line), "%s reinstated on %s: pending",
                 l->ref, l->date);
    } else {
        if ((err = tf_disburse_ex(fund, l->ref, &l->o, &l->res, diag)))
            return err;
        if (l->res.payment) {
            snprintf(l->line, sizeof(l->line),
                     "payment request %" PRId64 " for %s recorded on %s%s: "
                     "nothing is paid until it is approved",
                     l->res.payment, l->ref, l->res.date,
                     l->o.correct ? " (a correction)" : "");
        } else {
            n = snprintf(l->line, sizeof(l->line),
                         "%s %s on %s: actual %s + PSC %s = %s", l->ref,
                         l->o.correct ? "disbursement corrected"
                                      : tf_status_name(TF_STATUS_DISBURSED),
                         l->res.date, tf_fund_fmt(fund, a, l->res.actual, 1),
                         tf_fund_fmt(fund, b, l->res.psc, 1),
                         tf_fund_fmt(fund, t, l->res.charge, 1));
            if (l->res.released && n > 0 && (size_t)n < sizeof(l->line))
                n += snprintf(l->line + n, sizeof(l->line) - (size_t)n,
                              "; %s of the commitment released",
                              tf_fund_fmt(fund, a, l->res.released, 1));
            if (l->res.overrun && n > 0 && (size_t)n < sizeof(l->line))
                n += snprintf(l->line + n, sizeof(l->line) - (size_t)n,
                              "; overrun of %s drawn from available",
                              tf_fund_fmt(fund, a, l->res.overrun, 1));
            if (l->res.reversed && n > 0 && (size_t)n < sizeof(l->line))
                snprintf(l->line + n, sizeof(l->line) - (size_t)n,
                         " (entry %" PRId64 " reversed)", l->res.reversed);
        }
        if (l->o.force) {
            size_t len = strlen(l->line);
            snprintf(l->line + len, sizeof(l->line) - len,
                     " (force: beyond cost_tolerance allowed)");
        }
    }
    tf_audit_summary(fund, "%s", l->line);
    return TF_OK;
}

/* POST /requests/REF/what: the step of the request's life, as the
 * command of the same name. */
static int post_life(struct web_request *rq, const char *what)
{
    struct one_request o;
    struct page_form f;
    struct life l;
    char today[TF_DATE_LEN + 1];
    tf_diag diag;
    tf_error err;

    memset(&f, 0, sizeof(f));
    memset(&l, 0, sizeof(l));
    if (load_request(rq, &o))
        return 0;
    l.ref = rq->params[0];
    l.what = what;
    tf_date_today(today);
    /* A disbursement of the imported cost is dated on the cost's date. */
    if (read_date(rq, "date", strcmp(what, "disburse") ? today : NULL, &l.date,
                  &f))
        return request_page(rq, 400, &f, what);
    if (!strcmp(what, "disburse")) {
        const char *amount = web_field(rq, "amount"),
                   *currency = web_field(rq, "currency");
        int has_amount = amount && *amount,
            has_currency = currency && *currency;
        l.o.date = l.date;
        if (has_amount != has_currency) {
            f.error_field = has_amount ? "currency" : "amount";
            snprintf(f.error, sizeof(f.error),
                     "the amount and the currency go together (both empty: "
                     "the imported cost)");
            return request_page(rq, 400, &f, what);
        }
        if (read_flag(rq, "force", &l.o.force)) {
            f.error_field = "force";
            snprintf(f.error, sizeof(f.error), "force is 1 or empty");
            return request_page(rq, 400, &f, what);
        }
        if (read_flag(rq, "correct", &l.o.correct)) {
            f.error_field = "correct";
            snprintf(f.error, sizeof(f.error), "correct is 1 or empty");
            return request_page(rq, 400, &f, what);
        }
        if (l.o.correct && (!has_amount || !l.date)) {
            f.error_field = has_amount ? "date" : "amount";
            snprintf(f.error, sizeof(f.error),
                     "a correction needs the amount, the currency and the "
                     "date");
            return request_page(rq, 400, &f, what);
        }
        if (has_amount) {
            const tf_currency *cur = tf_currency_find(currency);
            tf_diag_clear(&diag);
            if (!cur) {
                f.error_field = "currency";
                snprintf(f.error, sizeof(f.error), "unknown currency '%s'",
                         currency);
                return request_page(rq, 400, &f, what);
            }
            if (tf_amount_parse(&l.o.amount, amount, cur, 0, &diag) ||
                tf_amount_bound("actual cost", l.o.amount, TF_TRIP_MAX, cur,
                                &diag)) {
                f.error_field = "amount";
                snprintf(f.error, sizeof(f.error), "%s", diag.msg);
                return request_page(rq, 400, &f, what);
            }
            l.o.currency = currency;
        }
    }
    tf_diag_clear(&diag);
    if ((err = web_transaction(rq, life_write, &l, &diag)))
        return request_page(rq, page_write_failed(&f, err, &diag), &f, what);
    web_flash(rq, "%s", l.line);
    return web_redirect(rq, "/requests/", l.ref, NULL);
}

int post_disburse(struct web_request *rq)
{
    return post_life(rq, "disburse");
}

int post_cancel(struct web_request *rq)
{
    return post_life(rq, "cancel");
}

int post_reinstate(struct web_request *rq)
{
    return post_life(rq, "reinstate");
}

int post_undisburse(struct web_request *rq)
{
    return post_life(rq, "undisburse");
}

struct amend {
    tf_request_amendment am;
    const char *fare;
    int changed;
    char line[600];
};

static tf_error amend_write(struct web_request *rq, void *ctx, tf_diag *diag)
{
    struct amend *m = ctx;
    tf_error err;
    int n;

    if ((err = tf_request_amend(rq->fund, &m->am, &m->changed, diag)))
        return err;
    n = snprintf(m->line, sizeof(m->line), "%s %s", m->am.ref,
                 m->changed ? "amended:" : "unchanged: nothing new");
    if (m->changed && m->am.delegate && n > 0 && (size_t)n < sizeof(m->line))
        n += snprintf(m->line + n, sizeof(m->line) - (size_t)n,
                      " delegate '%s'", m->am.delegate);
    if (m->changed && m->fare && n > 0 && (size_t)n < sizeof(m->line))
        n += snprintf(m->line + n, sizeof(m->line) - (size_t)n, " fare %s %s",
                      m->fare, m->am.fare_currency);
    if (m->changed && m->am.gender && n > 0 && (size_t)n < sizeof(m->line))
        n += snprintf(m->line + n, sizeof(m->line) - (size_t)n, " gender '%s'",
                      m->am.gender);
    if (tf_fund_duplicates(rq->fund) && n > 0 && (size_t)n < sizeof(m->line))
        snprintf(m->line + n, sizeof(m->line) - (size_t)n,
                 " (a duplicate, allow_duplicate)");
    tf_audit_summary(rq->fund, "%s", m->line);
    return TF_OK;
}

/* A form's text field: NULL when absent or empty (kept as recorded). */
static const char *field_or_null(struct web_request *rq, const char *name)
{
    const char *v = web_field(rq, name);

    return v && *v ? v : NULL;
}

/* POST /requests/REF/amend: 'tfund request amend'. */
int post_amend(struct web_request *rq)
{
    struct one_request o;
    struct page_form f;
    struct amend m;
    int allow;
    tf_diag diag;
    tf_error err;

    memset(&f, 0, sizeof(f));
    memset(&m, 0, sizeof(m));
    if (load_request(rq, &o))
        return 0;
    m.am.ref = rq->params[0];
    m.fare = field_or_null(rq, "fare");
    m.am.fare_currency = field_or_null(rq, "fare_currency");
    m.am.delegate = field_or_null(rq, "delegate");
    m.am.gender = field_or_null(rq, "gender");
    if (read_flag(rq, "allow_duplicate", &allow)) {
        f.error_field = "allow_duplicate";
        snprintf(f.error, sizeof(f.error), "allow_duplicate is 1 or empty");
        return request_page(rq, 400, &f, "amend");
    }
    if (!m.fare != !m.am.fare_currency) {
        f.error_field = m.fare ? "fare_currency" : "fare";
        snprintf(f.error, sizeof(f.error),
                 "the fare and its currency go together");
        return request_page(rq, 400, &f, "amend");
    }
    if (!m.fare && !m.am.delegate && !m.am.gender) {
        f.error_field = "fare";
        snprintf(f.error, sizeof(f.error),
                 "an amendment needs the fare, the delegate or the gender");
        return request_page(rq, 400, &f, "amend");
    }
    if (m.fare) {
        const tf_currency *cur = tf_currency_find(m.am.fare_currency);
        tf_diag_clear(&diag);
        if (!cur) {
            f.error_field = "fare_currency";
            snprintf(f.error, sizeof(f.error), "unknown currency '%s'",
                     m.am.fare_currency);
            return request_page(rq, 400, &f, "amend");
        }
        if (tf_amount_parse(&m.am.fare, m.fare, cur, 0, &diag)) {
            f.error_field = "fare";
            snprintf(f.error, sizeof(f.error), "%s", diag.msg);
            return request_page(rq, 400, &f, "amend");
        }
    }
    tf_diag_clear(&diag);
    if ((err = web_transaction(rq, amend_write, &m, &diag)))
        return request_page(rq, page_write_failed(&f, err, &diag), &f, "amend");
    web_flash(rq, "%s", m.line);
    return web_redirect(rq, "/requests/", m.am.ref, NULL);
}

/* ---- The waitlist ----------------------------------------------------- */

struct wl {
    struct web_request *rq;
    web_table *t;
    int group;
};

static int waitlist_row(void *ctx, const tf_waitlist_row *w)
{
    struct wl *c = ctx;
    const tf_request *r = w->request;
    char pos[24], tier[8], charge[TF_AMOUNT_BUFSZ], shortfall[TF_AMOUNT_BUFSZ];
    const char *cells[] = {w->session, pos,       r->ref, r->country,
                           tier,       r->reason, charge, shortfall};

    snprintf(pos, sizeof(pos), "%ld", w->position);
    snprintf(tier, sizeof(tier), "%d", r->tier);
    tf_fund_fmt(c->rq->fund, charge, r->charge, c->group);
    if (w->shortfall < 0)
        shortfall[0] = '\0';
    else
        tf_fund_fmt(c->rq->fund, shortfall, w->shortfall, c->group);
    web_table_row(c->t, cells);
    return 0;
}

/* GET /waitlist (?date=D, ?session=S): 'tfund waitlist'. */
int page_waitlist(struct web_request *rq)
{
    static const char *const cols[] = {"session", "position", "ref",
                                       "country", "tier",     "reason",
                                       "charge",  "shortfall"};
    const char *session = web_query(rq, "session"),
               *date = web_query(rq, "date");
    char today[TF_DATE_LEN + 1];
    int fmt = web_format(rq);
    struct wl c;
    tf_diag diag;
    tf_error err;
    char *table = NULL;
    size_t len = 0;
    FILE *buf, *out;

    if (fmt < 0)
        return 0;
    tf_date_today(today);
    if (!date || !*date)
        date = today;
    if (session && !*session)
        session = NULL;
    tf_diag_clear(&diag);
    if (tf_date_check(date, &diag))
        return page_message(rq, 400, "Bad date", diag.msg);
    if (session && !tf_id_valid(session))
        return page_message(rq, 404, "Not found", "There is no such session.");
    /* The table first: a refusal answers with its own page. */
    if (!(buf = open_memstream(&table, &len)))
        return page_message(rq, 500, "Server error", "Out of memory.");
    memset(&c, 0, sizeof(c));
    c.rq = rq;
    c.group = fmt == 0;
    c.t = web_table_new(rq, buf, fmt, cols, "sissisaa");
    web_table_link(c.t, 2, "/requests/", NULL);
    err = tf_waitlist(rq->fund, session, date, waitlist_row, &c, &diag);
    web_table_end(c.t);
    fclose(buf);
    if (err) {
        free(table);
        if (err == TF_ERR_NOTFOUND)
            return page_message(rq, 404, "Not found", diag.msg);
        if (err == TF_ERR_RULE)
            return page_message(rq, 409, "Refused", diag.msg);
        return page_message(rq, 500, "Server error", diag.msg);
    }
    if ((out = web_list_begin(rq, fmt, 200, "Waitlist"))) {
        if (!fmt) {
            html_raw(out, "<form method=\"get\" action=\"/waitlist\" "
                          "class=\"filters\"><div class=\"field\"><label "
                          "for=\"f-date\">As a run on</label><input "
                          "id=\"f-date\" name=\"date\" type=\"date\" value=\"");
            html_attr(out, date);
            html_raw(out, "\"></div><div class=\"field\"><label "
                          "for=\"f-session\">Session</label><input "
                          "id=\"f-session\" name=\"session\" type=\"text\"");
            if (session) {
                html_raw(out, " value=\"");
                html_attr(out, session);
                html_raw(out, "\"");
            }
            html_raw(out, "></div><button type=\"submit\">Show</button>"
                          "</form><p>The waitlisted requests of every "
                          "session still to come, in the order its next run "
                          "would consider them, what that run would decide "
                          "(reason empty: funded) and what keeps each "
                          "out.</p><p class=\"downloads\">");
            html_raw(out, "<a href=\"/waitlist?format=csv&amp;date=");
            html_url_seg(out, date);
            html_raw(out,
                     "\">CSV</a><a href=\"/waitlist?format=json&amp;date=");
            html_url_seg(out, date);
            html_raw(out, "\">JSON</a></p>");
        }
        fwrite(table, 1, len, out);
        web_list_end(rq, fmt);
    }
    free(table);
    return 0;
}
