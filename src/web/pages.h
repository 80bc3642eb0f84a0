/* SPDX-License-Identifier: MIT */
/* The handlers of the routes (pages.c, records.c, books.c). */
#ifndef TF_WEB_PAGES_H
#define TF_WEB_PAGES_H

#include "web.h"

/* pages.c */
int page_healthz(struct web_request *rq);
int page_style(struct web_request *rq);
int page_login(struct web_request *rq);
int post_login(struct web_request *rq);
int post_logout(struct web_request *rq);
int page_dashboard(struct web_request *rq);

/* records.c: donors, pledges, receipts, sessions */
int page_donors(struct web_request *rq);
int post_donors(struct web_request *rq);
int page_donor(struct web_request *rq);
int page_pledges(struct web_request *rq);
int post_pledges(struct web_request *rq);
int page_receipts(struct web_request *rq);
int post_receipts(struct web_request *rq);
int page_sessions(struct web_request *rq);
int post_sessions(struct web_request *rq);
int page_session(struct web_request *rq);
/* The page of session rq->params[0] with status, the allocation form
 * shown again with f (NULL: as new). */
int session_page(struct web_request *rq, int status, const struct page_form *f);

/* A table of requests with their decisions and figures, with the columns
 * of 'allocation show' and 'allocation decisions': decisions_row is the
 * callback of tf_request_each, tf_run_decisions and tf_allocate. */
struct decisions {
    struct web_request *rq;
    web_table *t;
    int fmt;
    long n;
};
void decisions_begin(struct decisions *d, struct web_request *rq, FILE *out,
                     int fmt);
int decisions_row(void *ctx, const tf_request *r);
void decisions_end(struct decisions *d);
/* A donor's page (its pledges, receipts and statement), titled title. */
int donor_overview(struct web_request *rq, const char *donor,
                   const char *title);

/* grants.c: a session's allocation, a request's life, the waitlist */
/* The allocation form of session (f: shown again with its error). */
void allocate_form(struct web_request *rq, FILE *out, const char *session,
                   const struct page_form *f);
int post_allocate(struct web_request *rq);
int page_request(struct web_request *rq);
int post_disburse(struct web_request *rq);
int post_cancel(struct web_request *rq);
int post_reinstate(struct web_request *rq);
int post_undisburse(struct web_request *rq);
int post_amend(struct web_request *rq);
int page_waitlist(struct web_request *rq);

/* approvals.c: runs and payment requests and their steps */
int page_run(struct web_request *rq);
int post_run_certify(struct web_request *rq);
int post_run_approve(struct web_request *rq);
int post_run_reject(struct web_request *rq);
int post_run_undo(struct web_request *rq);
int page_payments(struct web_request *rq);
int post_payment_certify(struct web_request *rq);
int post_payment_approve(struct web_request *rq);
int post_payment_reject(struct web_request *rq);
/* The runs of session, each linked to its page (HTML). */
void session_runs(struct web_request *rq, FILE *out, const char *session);
/* The payment requests (of request ref; all when NULL) as a table of
 * format fmt with the columns of 'payment list'. */
void payments_table(struct web_request *rq, FILE *out, int fmt,
                    const char *ref);
/* The dashboard's list of what awaits the user's certification or
 * approval (nothing for a user without those roles). */
void awaiting_you(struct web_request *rq, FILE *out);

/* books.c: the books, imports and workbooks */
int page_balance(struct web_request *rq);
int page_journal(struct web_request *rq);
int page_verify(struct web_request *rq);
int page_log(struct web_request *rq);
int page_import(struct web_request *rq);
int post_import(struct web_request *rq);
int get_fund_report(struct web_request *rq);
int get_donor_statement(struct web_request *rq);
int get_session_report(struct web_request *rq);

#endif
