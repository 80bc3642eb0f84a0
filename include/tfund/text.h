/* SPDX-License-Identifier: MIT */
/* Identifiers the fund is given: donor and session ids. */
#ifndef TFUND_TEXT_H
#define TFUND_TEXT_H

/* Nonzero if id is a safe identifier: 1-64 of [A-Za-z0-9._-], starting
 * with a letter or digit (ids become account names and file names). */
int tf_id_valid(const char *id);

#endif
