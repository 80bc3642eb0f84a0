/* SPDX-License-Identifier: MIT */
/*
 * Approvals in the browser: an allocation run's page (its steps, who took
 * them and when, its decisions) and the payment requests, with the forms
 * of the steps the user may take; the dashboard's list of what awaits the
 * user. The buttons follow who may act (DESIGN.md section 11: nobody
 * certifies or approves what it proposed, nor approves what it
 * certified; a rejection is for the officer the step awaits), but the
 * core decides: a step refused by a rule answers 409 with its message,
 * whatever the page showed.
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

/* What a run or a payment request awaits. */
enum awaits { AWAITS_NOTHING, AWAITS_CERTIFICATION, AWAITS_APPROVAL };

/* The steps a user may take. */
enum { MAY_CERTIFY = 1, MAY_APPROVE = 2, MAY_REJECT = 4, MAY_UNDO = 8 };

static enum awaits awaited(tf_approvals mode, const char *state)
{
    if (!strcmp(state, "proposed") || !strcmp(state, "requested"))
        return mode == TF_APPROVALS_CERTIFY ? AWAITS_CERTIFICATION
                                            : AWAITS_APPROVAL;
    if (!strcmp(state, "certified"))
        return AWAITS_APPROVAL;
    return AWAITS_NOTHING;
}

/* The steps the user of rq may take on an item that awaits a, proposed
 * by proposer and certified by certifier ("" when not). */
static unsigned may_take(const struct web_request *rq, enum awaits a,
                         const char *proposer, const char *certifier)
{
    const char *me = rq->user.id;
    unsigned may = 0;

    if (a == AWAITS_CERTIFICATION) {
        if (web_user_has(rq, TF_ROLE_CERTIFYING)) {
            may |= MAY_REJECT;
            if (strcmp(me, proposer))
                may |= MAY_CERTIFY;
        }
    } else if (a == AWAITS_APPROVAL) {
        if (web_user_has(rq, TF_ROLE_APPROVING)) {
            may |= MAY_REJECT;
            if (strcmp(me, proposer) && strcmp(me, certifier))
                may |= MAY_APPROVE;
        }
    }
    return may;
}

static tf_approvals approvals(struct web_request *rq)
{
    tf_approvals mode = TF_APPROVALS_CERTIFY;

    tf_fund_approvals(rq->fund, &mode, NULL);
    return mode;
}

/* The forms of the steps may allows on the item at base ("/runs/3"); f is
 * the form shown again for the step failed. */
static void step_forms(struct web_request *rq, FILE *out, const char *base,
                       unsigned may, const struct page_form *f,
                       const char *failed)
{
    static const struct {
        unsigned may;
        const char *step, *button;
    } steps[] = {{MAY_CERTIFY, "certify", "Certify"},
                 {MAY_APPROVE, "approve", "Approve"},
                 {MAY_REJECT, "reject", "Reject"},
                 {MAY_UNDO, "undo", "Undo the run"}};
    char action[160], form[160];

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        const struct page_form *g =
            failed && !strcmp(failed, steps[i].step) ? f : NULL;
        if (!(may & steps[i].may) && !g)
            continue;
        snprintf(action, sizeof(action), "%s/%s", base, steps[i].step);
        page_form_error(out, g);
        page_form_open(rq, out, action, 0);
        /* Several forms on a page: ids made apart by the form's path. */
        snprintf(form, sizeof(form), "%s-%s", base + 1, steps[i].step);
        for (char *p = form; *p; p++)
            if (*p == '/')
                *p = '-';
        /* An undo is dated by the officer (--date of the command). */
        if (!strcmp(steps[i].step, "undo"))
            page_input_in(rq, out, g, form, "Date", "date", "date", 1,
                          "YYYY-MM-DD");
        else
            page_input_in(rq, out, g, form, "Date", "date", "date", 0,
                          "YYYY-MM-DD (today)");
        if (!strcmp(steps[i].step, "reject"))
            page_input_in(rq, out, g, form, "Reason", "reason", "text", 1,
                          NULL);
        html_raw(out, "<button type=\"submit\" class=\"");
        html_attr(out, steps[i].step);
        html_raw(out, "\">");
        html_txt(out, steps[i].button);
        html_raw(out, "</button></form>");
    }
}

/* ---- Runs ---------------------------------------------------------- */

/* A run as its page shows it (copies). */
struct run_view {
    int64_t id;
    char session[80], date[16], actor[256], options[256], basis[16];
    char share[64];
    int has_envelope;
    int64_t envelope[TF_POOL_COUNT];
    long considered, funded, waitlisted, rejected;
    int64_t funded_charge;
    char state[16], certifier[256]; /* the latest step; who certified */
    int found;
};

/* A run's options (as stored: "order=submitted budget=days cap=-1
 * strict=0") in words, for its page; what cannot be read is shown as
 * stored. */
static const char *options_in_words(tf_fund *fund, const char *stored,
                                    char *buf, size_t size)
{
    char order[16], budget[16], a[TF_AMOUNT_BUFSZ], capped[TF_AMOUNT_BUFSZ + 8];
    long long cap;
    int strict;

    if (sscanf(stored, "order=%15s budget=%15s cap=%lld strict=%d", order,
               budget, &cap, &strict) != 4)
        return stored;
    if (cap < 0)
        snprintf(capped, sizeof(capped), "no cap");
    else
        snprintf(capped, sizeof(capped), "cap %s",
                 tf_fund_fmt(fund, a, (int64_t)cap, 1));
    snprintf(buf, size, "%s; %s; %s%s",
             !strcmp(order, "cost")     ? "by charge, lowest first"
             : !strcmp(order, "region") ? "by regional group"
                                        : "in order of submission",
             !strcmp(budget, "all") ? "may spend everything available"
                                    : "the session's share by its days",
             capped,
             strict ? "; stops at the first request that does not fit" : "");
    return buf;
}

static int got_run(void *ctx, const tf_run_info *r)
{
    struct run_view *v = ctx;

    if (r->id != v->id)
        return 0;
    snprintf(v->session, sizeof(v->session), "%s", r->session);
    snprintf(v->date, sizeof(v->date), "%s", r->date);
    snprintf(v->actor, sizeof(v->actor), "%s", r->actor);
    snprintf(v->options, sizeof(v->options), "%s", r->options);
    snprintf(v->basis, sizeof(v->basis), "%s", r->basis);
    snprintf(v->share, sizeof(v->share), "%s", r->share);
    v->has_envelope = r->has_envelope;
    memcpy(v->envelope, r->envelope, sizeof(v->envelope));
    v->considered = r->considered;
    v->funded = r->funded;
    v->waitlisted = r->waitlisted;
    v->rejected = r->rejected;
    v->funded_charge = r->funded_charge;
    v->found = 1;
    return 1;
}

static int note_step(void *ctx, const tf_run_step *s)
{
    struct run_view *v = ctx;

    snprintf(v->state, sizeof(v->state), "%s", s->step);
    if (!strcmp(s->step, "certified"))
        snprintf(v->certifier, sizeof(v->certifier), "%s", s->actor);
    return 0;
}

/* Run id into *v: 0, 404 unknown, 500 (the message in diag). */
static int load_run(struct web_request *rq, int64_t id, struct run_view *v,
                    tf_diag *diag)
{
    memset(v, 0, sizeof(*v));
    v->id = id;
    if (tf_run_each(rq->fund, NULL, got_run, v, diag) ||
        (v->found && tf_run_steps(rq->fund, id, note_step, v, diag)))
        return 500;
    return v->found ? 0 : 404;
}

/* The run of the URL: 0 and *id, *v, or -1 after answering. */
static int run_of_url(struct web_request *rq, int64_t *id, struct run_view *v)
{
    tf_diag diag;
    int status;

    tf_diag_clear(&diag);
    if (web_number(rq->params[0], id)) {
        page_message(rq, 404, "Not found", "There is no such run.");
        return -1;
    }
    if ((status = load_run(rq, *id, v, &diag))) {
        page_message(rq, status, status == 404 ? "Not found" : "Server error",
                     status == 404 ? "There is no such run." : diag.msg);
        return -1;
    }
    return 0;
}

struct steps_out {
    web_table *t;
};

static int step_row(void *ctx, const tf_run_step *s)
{
    struct steps_out *o = ctx;
    const char *cells[] = {s->step, s->date, s->actor, s->note};

    web_table_row(o->t, cells);
    return 0;
}

/* What a run decided or proposes, counted from its decisions. */
struct counts {
    long considered, funded, waitlisted, rejected;
    int64_t funded_charge;
};

static int count_decision(void *ctx, const tf_request *r)
{
    struct counts *c = ctx;

    c->considered++;
    if (tf_status_is(r->status, TF_STATUS_FUNDED)) {
        c->funded++;
        tf_money_add(&c->funded_charge, c->funded_charge, r->charge);
    } else if (tf_status_is(r->status, TF_STATUS_WAITLISTED)) {
        c->waitlisted++;
    } else {
        c->rejected++;
    }
    return 0;
}

/* The run's page (status; f, failed: a step's form shown again). */
static int run_page(struct web_request *rq, int status,
                    const struct page_form *f, const char *failed)
{
    static const char *const step_cols[] = {"step", "date", "by", "note"};
    static const char *const env_cols[] = {"pool", "envelope"};
    struct run_view v;
    struct decisions d;
    struct steps_out so;
    struct counts c;
    char title[128], n[24], a[TF_AMOUNT_BUFSZ], base[64], words[256];
    int64_t id;
    int fmt = f ? 0 : web_format(rq);
    enum awaits aw;
    tf_diag diag;
    FILE *out;

    if (fmt < 0 || run_of_url(rq, &id, &v))
        return 0;
    snprintf(title, sizeof(title), "Run %" PRId64 " of %s", id, v.session);
    if (!(out = web_list_begin(rq, fmt, status, title)))
        return 0;
    tf_diag_clear(&diag);
    if (fmt) {
        /* 'allocation decisions RUN': its columns and rows. */
        decisions_begin(&d, rq, out, fmt);
        tf_run_decisions(rq->fund, id, decisions_row, &d, &diag);
        decisions_end(&d);
        return 0;
    }
    aw = awaited(approvals(rq), v.state);
    /* A proposal has no decisions yet: what it proposes is counted. */
    if (aw != AWAITS_NOTHING ||
        !strcmp(v.state, tf_status_name(TF_STATUS_REJECTED))) {
        memset(&c, 0, sizeof(c));
        tf_run_decisions(rq->fund, id, count_decision, &c, &diag);
        v.considered = c.considered;
        v.funded = c.funded;
        v.waitlisted = c.waitlisted;
        v.rejected = c.rejected;
        v.funded_charge = c.funded_charge;
    }
    html_raw(out, "<dl class=\"record\"><dt>Session</dt><dd>");
    html_link_open(out, "/sessions/", v.session, NULL);
    html_txt(out, v.session);
    html_link_close(out);
    html_raw(out, "</dd>");
    page_record_row(out, "Date", v.date);
    page_record_row(out, aw != AWAITS_NOTHING ? "Proposed by" : "By", v.actor);
    page_record_row(
        out, "Options",
        options_in_words(rq->fund, v.options, words, sizeof(words)));
    page_record_row(out, "State",
                    aw == AWAITS_CERTIFICATION ? "awaits its certification"
                    : aw == AWAITS_APPROVAL    ? "awaits its approval"
                    : v.state[0]               ? v.state
                                               : "in force");
    if (aw != AWAITS_NOTHING)
        html_raw(out, "<dt>Proposes</dt><dd>");
    else
        html_raw(out, "<dt>Decided</dt><dd>");
    html_int(out, v.considered);
    html_raw(out, ": ");
    html_int(out, v.funded);
    html_raw(out, " funded for ");
    html_txt(out, tf_fund_fmt(rq->fund, a, v.funded_charge, 1));
    html_raw(out, ", ");
    html_int(out, v.waitlisted);
    html_raw(out, " waitlisted, ");
    html_int(out, v.rejected);
    html_raw(out, " rejected</dd></dl>");
    if (v.has_envelope) {
        web_table *t;
        html_raw(out, "<h2>Envelope</h2><p>");
        if (v.basis[0]) {
            html_txt(out, v.basis);
            html_raw(out, "; ");
        }
        html_raw(out, "share ");
        html_txt(out, v.share);
        html_raw(out, "</p>");
        t = web_table_new(rq, out, 0, env_cols, "sa");
        for (int k = 0; k < TF_POOL_COUNT; k++) {
            const char *cells[] = {tf_pools[k], a};
            if (k == TF_POOL_PREP)
                continue;
            tf_fund_fmt(rq->fund, a, v.envelope[k], 1);
            web_table_row(t, cells);
        }
        web_table_end(t);
    }
    html_raw(out, "<h2>Steps</h2>");
    so.t = web_table_new(rq, out, 0, step_cols, "ssss");
    tf_run_steps(rq->fund, id, step_row, &so, &diag);
    web_table_end(so.t);
    snprintf(base, sizeof(base), "/runs/%" PRId64, id);
    if (aw != AWAITS_NOTHING || (failed && strcmp(failed, "undo"))) {
        unsigned may = may_take(rq, aw, v.actor, v.certifier);
        html_raw(out, "<h2>Approval</h2>");
        if (!may && !failed) {
            html_raw(out, "<p>");
            html_txt(out, aw == AWAITS_CERTIFICATION
                              ? "It awaits a certifying officer"
                              : "It awaits an approving officer");
            html_raw(out, " other than the one who proposed it");
            if (aw == AWAITS_APPROVAL && v.certifier[0])
                html_raw(out, " or certified it");
            html_raw(out, ".</p>");
        }
        step_forms(rq, out, base, may, f, failed);
    } else if (!strcmp(v.state, "approved") || !v.state[0] ||
               (failed && !strcmp(failed, "undo"))) {
        /* A run in force: the programme officer may undo it. */
        if (web_user_has(rq, TF_ROLE_PROGRAMME) || failed) {
            html_raw(out, "<h2>Undo</h2><p>Every request still at this run's "
                          "decision goes back to pending, a funded one with "
                          "its commitment released. Refused if any of its "
                          "grants has been disbursed.</p>");
            step_forms(rq, out, base, MAY_UNDO, f, failed);
        }
    }
    html_raw(out, "<h2>Decisions</h2><p class=\"downloads\">");
    snprintf(n, sizeof(n), "%" PRId64, id);
    html_link_open(out, "/runs/", n, "?format=csv");
    html_raw(out, "CSV");
    html_link_close(out);
    html_link_open(out, "/runs/", n, "?format=json");
    html_raw(out, "JSON");
    html_link_close(out);
    html_raw(out, "</p>");
    decisions_begin(&d, rq, out, 0);
    tf_run_decisions(rq->fund, id, decisions_row, &d, &diag);
    decisions_end(&d);
    return page_end(rq);
}

int page_run(struct web_request *rq)
{
    return run_page(rq, 200, NULL, NULL);
}

/* A step of a run or a payment request, as its command takes it. */
struct step {
    int64_t id;
    const char *step, *date, *reason;
    char line[600];
};

static tf_error run_step_write(struct web_request *rq, void *ctx, tf_diag *diag)
{
    struct step *s = ctx;
    char a[TF_AMOUNT_BUFSZ];
    tf_alloc_result res;
    tf_error err;

    if (!strcmp(s->step, "certify")) {
        err = tf_allocation_certify(rq->fund, s->id, s->date, diag);
        snprintf(s->line, sizeof(s->line), "run %" PRId64 " certified on %s",
                 s->id, s->date);
    } else if (!strcmp(s->step, "reject")) {
        err = tf_allocation_reject(rq->fund, s->id, s->date, s->reason, diag);
        snprintf(s->line, sizeof(s->line), "run %" PRId64 " %s on %s: %s",
                 s->id, tf_status_name(TF_STATUS_REJECTED), s->date, s->reason);
    } else if (!strcmp(s->step, "undo")) {
        tf_undo_result u;
        err = tf_allocation_undo(rq->fund, s->id, s->date, &u, diag);
        if (!err)
            snprintf(s->line, sizeof(s->line),
                     "run %" PRId64 " of %s undone on %s: %ld grant(s) back "
                     "to pending, commitments of %s released; %ld waitlisted "
                     "or rejected back to pending",
                     s->id, u.session, s->date, u.funded,
                     tf_fund_fmt(rq->fund, a, u.released, 1), u.other);
    } else {
        err = tf_allocation_approve(rq->fund, s->id, s->date, &res, diag);
        if (!err)
            snprintf(s->line, sizeof(s->line),
                     "run %" PRId64 " approved on %s: %ld funded for %s "
                     "committed, %ld waitlisted, %ld rejected",
                     s->id, s->date, res.funded,
                     tf_fund_fmt(rq->fund, a, res.funded_charge, 1),
                     res.waitlisted, res.rejected);
    }
    if (!err)
        tf_audit_summary(rq->fund, "%s", s->line);
    return err;
}

static tf_error payment_step_write(struct web_request *rq, void *ctx,
                                   tf_diag *diag)
{
    struct step *s = ctx;
    char a[TF_AMOUNT_BUFSZ];
    tf_disburse_result res;
    tf_error err;

    if (!strcmp(s->step, "certify")) {
        err = tf_payment_certify(rq->fund, s->id, s->date, diag);
        snprintf(s->line, sizeof(s->line),
                 "payment %" PRId64 " certified on %s", s->id, s->date);
    } else if (!strcmp(s->step, "reject")) {
        err = tf_payment_reject(rq->fund, s->id, s->date, s->reason, diag);
        snprintf(s->line, sizeof(s->line), "payment %" PRId64 " %s on %s: %s",
                 s->id, tf_status_name(TF_STATUS_REJECTED), s->date, s->reason);
    } else {
        err = tf_payment_approve(rq->fund, s->id, s->date, &res, diag);
        if (!err)
            snprintf(s->line, sizeof(s->line),
                     "payment %" PRId64 " approved on %s: charge %s paid "
                     "(entry %" PRId64 ")",
                     s->id, s->date, tf_fund_fmt(rq->fund, a, res.charge, 1),
                     res.entry);
    }
    if (!err)
        tf_audit_summary(rq->fund, "%s", s->line);
    return err;
}

/* Reads a step's form (date, and for a rejection its reason) into s.
 * Returns 0, or 400 with f filled. */
static int read_step(struct web_request *rq, struct step *s, char *today,
                     struct page_form *f)
{
    const char *date = web_field(rq, "date"), *reason = web_field(rq, "reason");
    tf_diag diag;

    tf_date_today(today);
    s->date = date && *date ? date : today;
    if (!strcmp(s->step, "undo") && (!date || !*date)) {
        f->error_field = "date";
        snprintf(f->error, sizeof(f->error), "an undo needs its date");
        return 400;
    }
    tf_diag_clear(&diag);
    if (tf_date_check(s->date, &diag)) {
        f->error_field = "date";
        snprintf(f->error, sizeof(f->error), "%s", diag.msg);
        return 400;
    }
    s->reason = reason;
    if (!strcmp(s->step, "reject") && (!reason || !*reason)) {
        f->error_field = "reason";
        snprintf(f->error, sizeof(f->error), "a rejection needs a reason");
        return 400;
    }
    return 0;
}

static int post_run_step(struct web_request *rq, const char *step)
{
    char today[TF_DATE_LEN + 1], n[24];
    struct run_view v;
    struct page_form f;
    struct step s;
    tf_diag diag;
    tf_error err;
    int status;

    memset(&f, 0, sizeof(f));
    memset(&s, 0, sizeof(s));
    s.step = step;
    if (run_of_url(rq, &s.id, &v))
        return 0;
    if ((status = read_step(rq, &s, today, &f)))
        return run_page(rq, status, &f, step);
    tf_diag_clear(&diag);
    if ((err = web_transaction(rq, run_step_write, &s, &diag)))
        return run_page(rq, page_write_failed(&f, err, &diag), &f, step);
    web_flash(rq, "%s", s.line);
    snprintf(n, sizeof(n), "%" PRId64, s.id);
    return web_redirect(rq, "/runs/", n, NULL);
}

int post_run_certify(struct web_request *rq)
{
    return post_run_step(rq, "certify");
}

int post_run_approve(struct web_request *rq)
{
    return post_run_step(rq, "approve");
}

int post_run_reject(struct web_request *rq)
{
    return post_run_step(rq, "reject");
}

int post_run_undo(struct web_request *rq)
{
    return post_run_step(rq, "undo");
}

/* ---- A session's runs ------------------------------------------------ */

struct runs_out {
    struct web_request *rq;
    web_table *t;
};

static int run_row(void *ctx, const tf_run_info *r)
{
    struct runs_out *o = ctx;
    char id[24], n[4][24], charge[TF_AMOUNT_BUFSZ];
    const char *cells[] = {id,   r->date, r->actor, n[0],        n[1],
                           n[2], n[3],    charge,   r->last_step};

    snprintf(id, sizeof(id), "%" PRId64, r->id);
    snprintf(n[0], sizeof(n[0]), "%ld", r->considered);
    snprintf(n[1], sizeof(n[1]), "%ld", r->funded);
    snprintf(n[2], sizeof(n[2]), "%ld", r->waitlisted);
    snprintf(n[3], sizeof(n[3]), "%ld", r->rejected);
    tf_fund_fmt(o->rq->fund, charge, r->funded_charge, 1);
    web_table_row(o->t, cells);
    return 0;
}

void session_runs(struct web_request *rq, FILE *out, const char *session)
{
    const char *cols[] = {"run",
                          "date",
                          "actor",
                          "decided",
                          tf_status_name(TF_STATUS_FUNDED),
                          tf_status_name(TF_STATUS_WAITLISTED),
                          tf_status_name(TF_STATUS_REJECTED),
                          "funded_charge",
                          "last_step"};
    struct runs_out o = {rq, NULL};

    html_raw(out, "<h2>Allocation runs</h2>");
    o.t = web_table_new(rq, out, 0, cols, "sssiiiias");
    web_table_link(o.t, 0, "/runs/", NULL);
    tf_run_each(rq->fund, session, run_row, &o, NULL);
    web_table_end(o.t);
}

/* ---- Payment requests ---------------------------------------------- */

struct pay_out {
    web_table *t;
};

static int payment_row(void *ctx, const tf_payment *p)
{
    struct pay_out *o = ctx;
    char id[24], amount[TF_AMOUNT_BUFSZ] = "", entry[24] = "";
    const char *cells[] = {id,
                           p->request,
                           p->date,
                           amount,
                           p->currency ? p->currency : "",
                           p->correct ? "correction" : "payment",
                           p->actor,
                           p->state,
                           p->step_date,
                           p->step_actor,
                           entry};

    snprintf(id, sizeof(id), "%" PRId64, p->id);
    if (p->currency) {
        const tf_currency *cur = tf_currency_find(p->currency);
        tf_amount_format(amount, sizeof(amount), p->amount,
                         cur ? cur->minor : 2, 0);
    }
    if (p->entry)
        snprintf(entry, sizeof(entry), "%" PRId64, p->entry);
    web_table_row(o->t, cells);
    return 0;
}

void payments_table(struct web_request *rq, FILE *out, int fmt, const char *ref)
{
    static const char *const cols[] = {"payment",  "ref",  "date",  "amount",
                                       "currency", "kind", "actor", "state",
                                       "since",    "by",   "entry"};
    struct pay_out o;

    o.t = web_table_new(rq, out, fmt, cols, "isssssssssi");
    web_table_link(o.t, 1, "/requests/", NULL);
    tf_payment_each(rq->fund, ref, payment_row, &o, NULL);
    web_table_end(o.t);
}

/* The payment requests that await a step, each with the forms of the
 * steps the user may take. */
struct pending_out {
    struct web_request *rq;
    FILE *out;
    tf_approvals mode;
    const struct page_form *f;
    int64_t failed_id;
    const char *failed;
    long n;
};

static int pending_payment(void *ctx, const tf_payment *p)
{
    struct pending_out *o = ctx;
    enum awaits aw = awaited(o->mode, p->state);
    const char *certifier = !strcmp(p->state, "certified") ? p->step_actor : "";
    int is_failed = o->failed && p->id == o->failed_id;
    unsigned may;
    char base[64];

    if (aw == AWAITS_NOTHING && !is_failed)
        return 0;
    may = may_take(o->rq, aw, p->actor, certifier);
    html_raw(o->out, "<section class=\"step\" id=\"payment-");
    html_int(o->out, (long long)p->id);
    html_raw(o->out, "\"><h3>Payment request ");
    html_int(o->out, (long long)p->id);
    html_raw(o->out, ": ");
    html_txt(o->out, p->request);
    html_raw(o->out, "</h3><p>Requested by ");
    html_txt(o->out, p->actor);
    html_raw(o->out, " for ");
    html_txt(o->out, p->date[0] ? p->date : "the cost's date");
    html_raw(o->out, "; ");
    html_txt(o->out, aw == AWAITS_CERTIFICATION ? "awaits its certification"
                     : aw == AWAITS_APPROVAL    ? "awaits its approval"
                                                : p->state);
    html_raw(o->out, ".</p>");
    snprintf(base, sizeof(base), "/payments/%" PRId64, p->id);
    step_forms(o->rq, o->out, base, may, is_failed ? o->f : NULL,
               is_failed ? o->failed : NULL);
    html_raw(o->out, "</section>");
    o->n++;
    return 0;
}

static int payments_page(struct web_request *rq, int status,
                         const struct page_form *f, int64_t failed_id,
                         const char *failed)
{
    const char *ref = web_query(rq, "ref");
    int fmt = f ? 0 : web_format(rq);
    struct pending_out o;
    FILE *out;

    if (fmt < 0)
        return 0;
    if (ref && !*ref)
        ref = NULL;
    if (!(out = web_list_begin(rq, fmt, status, "Payment requests")))
        return 0;
    if (fmt) {
        payments_table(rq, out, fmt, ref);
        return 0;
    }
    memset(&o, 0, sizeof(o));
    o.rq = rq;
    o.out = out;
    o.mode = approvals(rq);
    o.f = f;
    o.failed_id = failed_id;
    o.failed = failed;
    html_raw(out, "<h2>Awaiting a step</h2>");
    tf_payment_each(rq->fund, ref, pending_payment, &o, NULL);
    if (!o.n)
        html_raw(out, "<p>None.</p>");
    html_raw(out, "<h2>All payment requests</h2><p class=\"downloads\">"
                  "<a href=\"/payments?format=csv\">CSV</a>"
                  "<a href=\"/payments?format=json\">JSON</a></p>");
    payments_table(rq, out, 0, ref);
    return page_end(rq);
}

int page_payments(struct web_request *rq)
{
    return payments_page(rq, 200, NULL, 0, NULL);
}

struct one_payment {
    int64_t id;
    int found;
};

static int got_payment(void *ctx, const tf_payment *p)
{
    struct one_payment *o = ctx;

    if (p->id == o->id)
        o->found = 1;
    return o->found;
}

static int post_payment_step(struct web_request *rq, const char *step)
{
    char today[TF_DATE_LEN + 1];
    struct one_payment p = {0, 0};
    struct page_form f;
    struct step s;
    tf_diag diag;
    tf_error err;
    int status;

    memset(&f, 0, sizeof(f));
    memset(&s, 0, sizeof(s));
    s.step = step;
    if (web_number(rq->params[0], &p.id) ||
        tf_payment_each(rq->fund, NULL, got_payment, &p, NULL) || !p.found)
        return page_message(rq, 404, "Not found",
                            "There is no such payment request.");
    s.id = p.id;
    if ((status = read_step(rq, &s, today, &f)))
        return payments_page(rq, status, &f, s.id, step);
    tf_diag_clear(&diag);
    if ((err = web_transaction(rq, payment_step_write, &s, &diag)))
        return payments_page(rq, page_write_failed(&f, err, &diag), &f, s.id,
                             step);
    web_flash(rq, "%s", s.line);
    return web_redirect(rq, "/payments", NULL, NULL);
}

int post_payment_certify(struct web_request *rq)
{
    return post_payment_step(rq, "certify");
}

int post_payment_approve(struct web_request *rq)
{
    return post_payment_step(rq, "approve");
}

int post_payment_reject(struct web_request *rq)
{
    return post_payment_step(rq, "reject");
}

/* ---- What awaits the user -------------------------------------------- */

struct awaiting {
    struct web_request *rq;
    FILE *out;
    tf_approvals mode;
    int64_t *runs; /* runs proposed or certified */
    size_t nruns, cap;
    long n;
};

static int note_open_run(void *ctx, const tf_run_info *r)
{
    struct awaiting *a = ctx;

    if (strncmp(r->last_step, "proposed ", 9) &&
        strncmp(r->last_step, "certified ", 10))
        return 0;
    if (a->nruns == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 8;
        int64_t *grown = realloc(a->runs, cap * sizeof(*grown));
        if (!grown)
            return 1;
        a->runs = grown;
        a->cap = cap;
    }
    a->runs[a->nruns++] = r->id;
    return 0;
}

static void awaiting_item(struct awaiting *a, const char *path, int64_t id,
                          const char *what, const char *by, enum awaits aw)
{
    char n[24];

    snprintf(n, sizeof(n), "%" PRId64, id);
    html_raw(a->out, "<li>");
    html_link_open(a->out, path, n, NULL);
    html_txt(a->out, what);
    html_link_close(a->out);
    html_raw(a->out, ", proposed by ");
    html_txt(a->out, by);
    html_raw(a->out, ": ");
    html_txt(a->out, aw == AWAITS_CERTIFICATION ? "awaits your certification"
                                                : "awaits your approval");
    html_raw(a->out, "</li>");
    a->n++;
}

static int awaiting_payment(void *ctx, const tf_payment *p)
{
    struct awaiting *a = ctx;
    enum awaits aw = awaited(a->mode, p->state);
    const char *certifier = !strcmp(p->state, "certified") ? p->step_actor : "";
    unsigned may = may_take(a->rq, aw, p->actor, certifier);
    char what[200];

    if (may & (MAY_CERTIFY | MAY_APPROVE)) {
        snprintf(what, sizeof(what), "Payment request %" PRId64 " for %s",
                 p->id, p->request);
        awaiting_item(a, "/payments#payment-", p->id, what, p->actor, aw);
    }
    return 0;
}

void awaiting_you(struct web_request *rq, FILE *out)
{
    struct awaiting a;

    if (!web_user_has(rq, TF_ROLE_CERTIFYING | TF_ROLE_APPROVING))
        return;
    memset(&a, 0, sizeof(a));
    a.rq = rq;
    a.out = out;
    a.mode = approvals(rq);
    html_raw(out, "<h2>Awaiting you</h2><ul class=\"awaiting\">");
    tf_run_each(rq->fund, NULL, note_open_run, &a, NULL);
    for (size_t i = 0; i < a.nruns; i++) {
        struct run_view v;
        tf_diag diag;
        enum awaits aw;
        char what[160];
        tf_diag_clear(&diag);
        if (load_run(rq, a.runs[i], &v, &diag))
            continue;
        aw = awaited(a.mode, v.state);
        if (!(may_take(rq, aw, v.actor, v.certifier) &
              (MAY_CERTIFY | MAY_APPROVE)))
            continue;
        snprintf(what, sizeof(what), "Run %" PRId64 " of %s, dated %s", v.id,
                 v.session, v.date);
        awaiting_item(&a, "/runs/", v.id, what, v.actor, aw);
    }
    free(a.runs);
    tf_payment_each(rq->fund, NULL, awaiting_payment, &a, NULL);
    html_raw(out, "</ul>");
    if (!a.n)
        html_raw(out, "<p>Nothing awaits your certification or "
                      "approval.</p>");
}
