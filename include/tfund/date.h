/* SPDX-License-Identifier: MIT */
/*
 * Dates are kept as text: "YYYY-MM-DD" (a real Gregorian date, year
 * 1900-2999) and times as "YYYY-MM-DDTHH:MM:SSZ" (UTC). Both compare
 * bytewise in calendar order, which is how the database sorts them.
 */
#ifndef TFUND_DATE_H
#define TFUND_DATE_H

#include <stddef.h>

#include "tfund/error.h"

#define TF_DATE_LEN 10
#define TF_TIME_LEN 20

/* TF_OK if text is a valid date, else TF_ERR_INPUT with a message such as
 * "date '2017-02-30' is not a calendar date" in diag. */
tf_error tf_date_check(const char *text, tf_diag *diag);

/* The same for a time "YYYY-MM-DDTHH:MM:SSZ". */
tf_error tf_time_check(const char *text, tf_diag *diag);

/* Writes today's UTC date into buf (at least TF_DATE_LEN + 1 bytes). */
void tf_date_today(char *buf);

/* Writes the current UTC time into buf (at least TF_TIME_LEN + 1 bytes). */
void tf_time_now(char *buf);

/* Adds days (may be negative) to a valid date, writing the result into
 * out (TF_DATE_LEN + 1 bytes). The result may leave 1900-2999 (check it
 * with tf_date_check() where that matters) but is held within 0001-01-01
 * and 9999-12-31 so that it keeps the YYYY-MM-DD form. An invalid date
 * gives "". */
void tf_date_add_days(char *out, const char *date, int days);

#endif
