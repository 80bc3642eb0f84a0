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
/* A donor's page (its pledges, receipts and statement), titled title. */
int donor_overview(struct web_request *rq, const char *donor,
                   const char *title);

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
