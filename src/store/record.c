/* SPDX-License-Identifier: MIT */
/* The record store (record.h): the statements of every kind of record. */
#include <stdio.h>
#include <string.h>

#include "store/record.h"

static const struct record_def {
    const char *noun, *verb; /* "donor", "registered": for the conflict */
    int nkey;                /* key columns: ?1 (and ?2) of look */
    int ndetails;            /* the columns look returns and compares */
    int ncols;               /* the values insert binds */
    const char *look;
    const char *insert;
} defs[TF_REC_KIND_COUNT] = {
    [TF_REC_COUNTRY] = {"country", "recorded", 1, 9, 10,
                        "SELECT m49, name, un_status, region_group, "
                        "ldc_from, ldc_until, sids, lldc, developing FROM "
                        "countries WHERE iso3 = ?1",
                        /* Reference data: a known row with other details
                         * is replaced (the country's classification
                         * changed), not refused. */
                        "INSERT OR REPLACE INTO countries (iso3, m49, name, "
                        "un_status, region_group, ldc_from, ldc_until, "
                        "sids, lldc, developing) VALUES (?1, ?2, ?3, ?4, "
                        "?5, ?6, ?7, ?8, ?9, ?10)"},
    [TF_REC_RATE] = {"rate", "recorded", 2, 1, 3,
                     "SELECT per_usd FROM rates WHERE currency = ?1 AND "
                     "date = ?2",
                     "INSERT INTO rates (currency, date, per_usd) VALUES "
                     "(?1, ?2, ?3)"},
    [TF_REC_DONOR] = {"donor", "registered", 1, 3, 4,
                      "SELECT name, type, country FROM donors WHERE id = ?1",
                      "INSERT INTO donors (id, name, type, country) VALUES "
                      "(?1, ?2, ?3, ?4)"},
    [TF_REC_PLEDGE] = {"pledge", "recorded", 1, 7, 11,
                       "SELECT donor, date, amount, currency, pool, due, "
                       "implicit FROM pledges WHERE ref = ?1",
                       "INSERT INTO pledges (ref, donor, date, amount, "
                       "currency, pool, due, rate, base_amount, implicit, "
                       "entry) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                       "?10, ?11)"},
    [TF_REC_RECEIPT] = {"receipt", "recorded", 1, 4, 9,
                        "SELECT date, amount, currency, pledge FROM receipts "
                        "WHERE ref = ?1",
                        "INSERT INTO receipts (ref, pledge, date, amount, "
                        "currency, rate, base_amount, relieved, entry) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
    [TF_REC_SESSION] = {"session", "registered", 1, 8, 9,
                        "SELECT name, venue, start, days, dsa, terminal, "
                        "extra_days, coalesce(travel_budget, -1) FROM "
                        "sessions WHERE id = ?1",
                        "INSERT INTO sessions (id, name, venue, start, days, "
                        "dsa, terminal, extra_days, travel_budget) VALUES "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
    [TF_REC_REQUEST] = {"request", "recorded", 1, 7, 8,
                        "SELECT session, country, delegate, submitted, fare, "
                        "fare_currency, gender FROM requests WHERE ref = ?1",
                        "INSERT INTO requests (ref, session, country, "
                        "delegate, submitted, fare, fare_currency, gender) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
    [TF_REC_COST] = {"the cost of", "recorded", 1, 3, 4,
                     "SELECT date, amount, currency FROM costs WHERE ref "
                     "= ?1",
                     "INSERT INTO costs (ref, date, amount, currency) "
                     "VALUES (?1, ?2, ?3, ?4)"},
    [TF_REC_SPEND] = {"spending", "recorded", 1, 4, 8,
                      "SELECT date, amount, currency, memo FROM spends "
                      "WHERE ref = ?1",
                      "INSERT INTO spends (ref, date, amount, currency, "
                      "memo, base_amount, psc, entry) VALUES (?1, ?2, ?3, "
                      "?4, ?5, ?6, ?7, ?8)"},
};

/* Binds v as ?i of st; text is not copied (the caller's values outlive
 * the statement's run). */
static void bind(tf_stmt *st, int i, const tf_value *v)
{
    if (v->is_num)
        tf_stmt_int(st, i, v->num);
    else
        tf_stmt_text_ref(st, i, v->text);
}

/* Does column i of the row st stands on hold v? Text compares with NULL
 * as "". */
static int same(tf_stmt *st, int i, const tf_value *v)
{
    const char *t;

    if (v->is_num)
        return tf_col_int(st, i) == v->num;
    t = tf_col_text(st, i);
    return !strcmp(t ? t : "", v->text ? v->text : "");
}

tf_error tf_record_look(tf_db *db, tf_record_kind kind, const tf_value *key,
                        const tf_value *details, tf_record_state *state,
                        char *stored, size_t size, tf_diag *diag)
{
    const struct record_def *d = &defs[kind];
    tf_stmt *st = tf_db_prepare(db, d->look, diag);
    int rc;

    *state = TF_RECORD_ABSENT;
    if (!st)
        return TF_ERR_DB;
    for (int i = 0; i < d->nkey; i++)
        bind(st, i + 1, &key[i]);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0) {
        *state = TF_RECORD_SAME;
        for (int i = 0; i < d->ndetails; i++)
            if (!same(st, i, &details[i]))
                *state = TF_RECORD_OTHER;
        if (stored)
            snprintf(stored, size, "%s",
                     tf_col_text(st, 0) ? tf_col_text(st, 0) : "");
    }
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_record_insert(tf_db *db, tf_record_kind kind, const tf_value *row,
                          tf_diag *diag)
{
    const struct record_def *d = &defs[kind];
    tf_stmt *st = tf_db_prepare(db, d->insert, diag);

    if (!st)
        return TF_ERR_DB;
    for (int i = 0; i < d->ncols; i++)
        bind(st, i + 1, &row[i]);
    return tf_stmt_run(st, diag);
}

tf_error tf_record_conflict(tf_record_kind kind, const char *key, tf_diag *diag)
{
    return tf_diag_set(diag, TF_ERR_INPUT,
                       "%s '%s' is already %s with other details",
                       defs[kind].noun, key, defs[kind].verb);
}

tf_error tf_record_add(tf_db *db, tf_record_kind kind, const tf_value *key,
                       const tf_value *details, const tf_value *row, int *known,
                       tf_diag *diag)
{
    tf_record_state state;
    tf_error err =
        tf_record_look(db, kind, key, details, &state, NULL, 0, diag);

    *known = 0;
    if (err)
        return err;
    if (state == TF_RECORD_SAME) {
        *known = 1;
        return TF_OK;
    }
    if (state == TF_RECORD_OTHER)
        return tf_record_conflict(kind, key[0].text, diag);
    return tf_record_insert(db, kind, row, diag);
}
