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

/* How a file writes its dates (tfund import --date-format). */
typedef enum tf_date_form {
    TF_DATE_YMD, /* YYYY-MM-DD, the default and the form kept in the books */
    TF_DATE_DMY, /* DD/MM/YYYY, day and month of one or two digits */
    TF_DATE_MDY  /* MM/DD/YYYY, likewise */
} tf_date_form;

/* The form named "YYYY-MM-DD", "DD/MM/YYYY" or "MM/DD/YYYY" into *out;
 * -1 for any other name. */
int tf_date_form_parse(const char *name, tf_date_form *out);

/* The name of a form, as tf_date_form_parse reads it. */
const char *tf_date_form_name(tf_date_form form);

/* Reads a date written in form and writes it as YYYY-MM-DD into out
 * (TF_DATE_LEN + 1 bytes). TF_ERR_INPUT with a message quoting text
 * ("date '31/02/2017' is not a calendar date") when it is not one. */
tf_error tf_date_read(char *out, const char *text, tf_date_form form,
                      tf_diag *diag);

/* Reads a time and writes it as YYYY-MM-DDTHH:MM:SSZ into out
 * (TF_TIME_LEN + 1 bytes): that form itself, or a date in form followed
 * by a space and H:MM or H:MM:SS (hours of one or two digits), taken as
 * UTC. TF_ERR_INPUT with a message quoting text otherwise. */
tf_error tf_time_read(char *out, const char *text, tf_date_form form,
                      tf_diag *diag);

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
