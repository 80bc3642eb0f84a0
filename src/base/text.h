/* SPDX-License-Identifier: MIT */
/* Checks of text the core is given (not public; tf_id_valid is in
 * tfund/text.h). */
#ifndef TF_TEXT_H
#define TF_TEXT_H

#include "tfund/error.h"

/* Strict non-negative integer of at most 9 digits; -1 if not. */
long tf_parse_count(const char *text);

/* A reference (of a pledge, a receipt, ...; what names it in messages):
 * 1 to 100 bytes, no control character. TF_ERR_INPUT otherwise. */
tf_error tf_ref_check(const char *what, const char *ref, tf_diag *diag);

#endif
