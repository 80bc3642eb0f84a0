/* SPDX-License-Identifier: MIT */
/*
 * Excel reports (DESIGN.md section 8): the donor statement, the fund
 * statement and the session allocation report, each an .xlsx workbook
 * with a cover sheet. Every figure comes from the core API and equals the
 * books to the cent; totals are formulas with their values cached.
 *
 * as_of is a date "YYYY-MM-DD": the books as of that day (entries dated
 * after it do not count). NULL means today (UTC). The workbook's document
 * properties carry the as-of date, not the time of writing, so the same
 * books and date give the same properties. The cover's "generated at" is
 * the current time, or $SOURCE_DATE_EPOCH when that is set.
 *
 * A workbook is written to a temporary file beside path and renamed into
 * place when complete, so a failure never leaves half a report. Errors:
 * TF_ERR_NOTFOUND (unknown donor or session), TF_ERR_INPUT (bad date or
 * file name), TF_ERR_IO (the file cannot be written), and those of the
 * core queries.
 */
#ifndef TFUND_REPORT_H
#define TFUND_REPORT_H

#include "tfund/fund.h"

/* The donor statement of donor_id for the days from..to (from NULL:
 * since the first entry; to NULL: today) (docs/statements.md): a cover
 * with the balance at both ends and the movements between them, what the
 * donor still owes in its own currencies, the balance by pool, sources
 * and uses since the start, its shares of the pools' spending, receipts,
 * pledges, and the delegates its pools funded with its share of each.
 * The delegate list is streamed, so memory stays flat however many
 * grants there are. */
tf_error tf_report_donor_period(tf_fund *fund, const char *donor_id,
                                const char *path, const char *from,
                                const char *to, tf_diag *diag);

/* The same since the first entry, to as_of. */
tf_error tf_report_donor(tf_fund *fund, const char *donor_id, const char *path,
                         const char *as_of, tf_diag *diag);

/* One donor statement per donor, written as dir/<donor-id>.xlsx; dir is
 * created if missing. *count (may be NULL) gets the number written. */
tf_error tf_report_donors_period(tf_fund *fund, const char *dir,
                                 const char *from, const char *to, long *count,
                                 void (*progress)(void *ctx, long done,
                                                  long total),
                                 void *ctx, tf_diag *diag);

tf_error tf_report_donors(tf_fund *fund, const char *dir, const char *as_of,
                          long *count,
                          void (*progress)(void *ctx, long done, long total),
                          void *ctx, tf_diag *diag);

/* The fund statement for from..to: cover, financial position at the end
 * and financial performance over the period by pool, contributions of
 * every donor, pools, allocations by session and the trial balance. */
tf_error tf_report_fund_period(tf_fund *fund, const char *path,
                               const char *from, const char *to, tf_diag *diag);

tf_error tf_report_fund(tf_fund *fund, const char *path, const char *as_of,
                        tf_diag *diag);

/* The allocation report of one session as it stood on as_of: cover with
 * a chart, the grants and the other requests with their decisions and
 * figures, totals by tier, region, gender and status, and what the pools
 * have left. */
tf_error tf_report_session(tf_fund *fund, const char *session_id,
                           const char *path, const char *as_of, tf_diag *diag);

#endif
