/* SPDX-License-Identifier: MIT */
/* Checks of text the core is given (not public; tf_id_valid is in
 * tfund/text.h). */
#ifndef TF_TEXT_H
#define TF_TEXT_H

#include <stddef.h>

#include "tfund/error.h"

/* The index of id in ids[0..n), sorted by strcmp; -1 when absent. */
long tf_sorted_index(char *const *ids, size_t n, const char *id);

/* Strict non-negative integer of at most 9 digits; -1 if not. */
long tf_parse_count(const char *text);

/* A reference (of a pledge, a receipt, ...; what names it in messages):
 * 1 to 100 bytes of text (as tf_text_check) that neither begins nor ends
 * with a space, since a reference is typed again to find the record.
 * TF_ERR_INPUT otherwise. */
tf_error tf_ref_check(const char *what, const char *ref, tf_diag *diag);

/*
 * Text a person typed and others will read (a name, a venue, a memo):
 * valid UTF-8 of at most max bytes (1 to max unless empty_ok) with no
 * control character: C0 (U+0000-U+001F, tab and line ends included),
 * DEL (U+007F) or C1 (U+0080-U+009F), which would move a terminal's
 * cursor, retitle its window or clear it when the text is shown. The
 * message names what the text is ("donor name") and where the character
 * is. TF_ERR_INPUT otherwise.
 */
tf_error tf_text_check(const char *what, const char *text, size_t max,
                       int empty_ok, tf_diag *diag);

#endif
