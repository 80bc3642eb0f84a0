/* SPDX-License-Identifier: MIT */
/*
 * The record store: one table of statements (in the spirit of FreeBSD
 * pkg's prepared-statement array), one row per kind of record, and one
 * operation every kind uses: "add this record, or confirm that it is
 * already there with the same details". A reference seen again with other
 * details is refused, since nothing in the books is ever silently changed.
 * Every record the fund keeps by its reference is written here, so that
 * what a command inserted can be followed from one place.
 */
#ifndef TF_RECORD_H
#define TF_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

typedef enum tf_record_kind {
    TF_REC_COUNTRY,
    TF_REC_RATE,
    TF_REC_DONOR,
    TF_REC_PLEDGE,
    TF_REC_RECEIPT,
    TF_REC_SESSION,
    TF_REC_REQUEST,
    TF_REC_COST,
    TF_REC_SPEND,
    TF_REC_KIND_COUNT
} tf_record_kind;

/* A value of a record's column: text (NULL is SQL NULL, and compares as
 * ""), or an integer. */
typedef struct tf_value {
    const char *text;
    int64_t num;
    int is_num;
} tf_value;

#define TF_TEXT(s) ((tf_value){(s), 0, 0})
#define TF_NUM(n)  ((tf_value){NULL, (n), 1})

/* What the store holds under a key, against the details given. */
typedef enum tf_record_state {
    TF_RECORD_ABSENT,
    TF_RECORD_SAME,
    TF_RECORD_OTHER
} tf_record_state;

/*
 * Looks the record of kind up by its key (one or two values: a reference,
 * or a currency and a date) and compares the columns the store keeps for
 * it with details (the kind's number of compared columns, in the table's
 * order). stored (may be NULL) gets the first stored column as text when
 * the record is there.
 */
tf_error tf_record_look(tf_db *db, tf_record_kind kind, const tf_value *key,
                        const tf_value *details, tf_record_state *state,
                        char *stored, size_t size, tf_diag *diag);

/* Writes a new record of kind: row holds every column of the kind's insert,
 * key first. */
tf_error tf_record_insert(tf_db *db, tf_record_kind kind, const tf_value *row,
                          tf_diag *diag);

/* TF_ERR_INPUT: "<kind> '<key>' is already <recorded> with other details". */
tf_error tf_record_conflict(tf_record_kind kind, const char *key,
                            tf_diag *diag);

/*
 * The one operation: a record already there with the same details sets
 * *known and writes nothing; with other details it is refused
 * (tf_record_conflict); otherwise row is inserted. details are as for
 * tf_record_look, row as for tf_record_insert.
 */
tf_error tf_record_add(tf_db *db, tf_record_kind kind, const tf_value *key,
                       const tf_value *details, const tf_value *row, int *known,
                       tf_diag *diag);

#endif
