/* SPDX-License-Identifier: MIT */
/* Checks of identifiers, references and counts given as text (text.h). */
#include <string.h>

#include "base/text.h"
#include "tfund/text.h"

int tf_id_valid(const char *id)
{
    size_t n = 0;

    if (!id ||
        !((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z') ||
          (id[0] >= '0' && id[0] <= '9')))
        return 0;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return n <= 64;
}
long tf_parse_count(const char *text)
{
    long v = 0;

    if (!text || !*text || strlen(text) > 9)
        return -1;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* References are free text but printable and short: they appear in
 * messages, journals and spreadsheets. */
tf_error tf_ref_check(const char *what, const char *ref, tf_diag *diag)
{
    size_t n = 0;

    if (!ref || !*ref)
        return tf_diag_set(diag, TF_ERR_INPUT, "%s reference is empty", what);
    for (const unsigned char *p = (const unsigned char *)ref; *p; p++, n++)
        if (*p < 0x20 || *p == 0x7f)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "%s reference has a control character", what);
    if (n > 100)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "%s reference is longer than 100 bytes", what);
    return TF_OK;
}
