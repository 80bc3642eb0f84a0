/* SPDX-License-Identifier: MIT */
/*
 * Sessions: the meetings travel is funded for, with their dates and the
 * daily subsistence and terminal amounts of a trip. Plain records, with
 * no entries of their own.
 */
#include <stdio.h>
#include <string.h>

#include "books/fund_internal.h"
#include "store/record.h"
#include "tfund/date.h"

static int empty(const char *s)
{
    return !s || !*s;
}

/* ---- Sessions ------------------------------------------------------- */

tf_error tf_session_add(tf_fund *fund, const tf_session *s, int *known,
                        tf_diag *diag)
{
    *known = 0;
    if (!tf_id_valid(s->id))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "session id '%s' must be 1-64 letters, digits, "
                           "'.', '_' or '-', starting with a letter or digit",
                           s->id);
    if (empty(s->name) || empty(s->venue))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "a session needs a name and a venue");
    if (tf_date_check(s->start, diag))
        return TF_ERR_INPUT;
    if (s->days < 1 || s->days > 366)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "days must be a whole number from 1 to 366");
    if (s->extra_days < 0 || s->extra_days > 366)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "extra_days must be a whole number from 0 to 366");
    if (s->dsa < 0 || s->terminal < 0)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "dsa and terminal may not be negative");
    {
        /* Figures that would overflow a session's sums are refused where
         * they come in (DESIGN.md section 10): at most 1,000,000 a day or
         * a trip, 10,000,000,000 for the session's travel. */
        int64_t unit = 1;
        for (int i = 0; i < tf_fund_base(fund)->minor; i++)
            unit *= 10;
        if (s->dsa > 1000000 * unit || s->terminal > 1000000 * unit)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "a dsa or terminal of more than 1,000,000 %s "
                               "is beyond any session's (a slip?)",
                               tf_fund_base(fund)->code);
        if (s->travel_budget > INT64_C(10000000000) * unit)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "a travel_budget of more than 10,000,000,000 "
                               "%s is beyond any session's (a slip?)",
                               tf_fund_base(fund)->code);
    }

    {
        /* A session without a travel budget stores none (NULL), which
         * reads back as -1. */
        const tf_value row[] = {TF_TEXT(s->id),
                                TF_TEXT(s->name),
                                TF_TEXT(s->venue),
                                TF_TEXT(s->start),
                                TF_NUM(s->days),
                                TF_NUM(s->dsa),
                                TF_NUM(s->terminal),
                                TF_NUM(s->extra_days),
                                s->travel_budget >= 0 ? TF_NUM(s->travel_budget)
                                                      : TF_TEXT(NULL)};
        const tf_value details[] = {
            row[1], row[2], row[3], row[4],
            row[5], row[6], row[7], TF_NUM(s->travel_budget)};
        return tf_record_add(fund->db, TF_REC_SESSION, row, details, row, known,
                             diag);
    }
}

tf_error tf_session_each(tf_fund *fund, const char *id,
                         int (*fn)(void *ctx, const tf_session *s), void *ctx,
                         tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT id, name, venue, start, days, "
                                "extra_days, dsa, terminal, "
                                "coalesce(travel_budget, -1) FROM sessions "
                                "WHERE ?1 IS NULL OR id = ?1 ORDER BY start, "
                                "id",
                                diag);
    int rc, n = 0;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_session s = {
            tf_col_text(st, 0), tf_col_text(st, 1), tf_col_text(st, 2),
            tf_col_text(st, 3), tf_col_int(st, 4),  tf_col_int(st, 5),
            tf_col_int(st, 6),  tf_col_int(st, 7),  tf_col_int(st, 8)};
        n++;
        if (fn(ctx, &s))
            break;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (id && n == 0)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown session '%s'", id);
    return TF_OK;
}
