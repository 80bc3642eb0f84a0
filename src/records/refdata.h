/* SPDX-License-Identifier: MIT */
/* The country classification as a CSV file (not public): its columns and
 * one row read and checked, for the shipped table and for imports. */
#ifndef TF_REFDATA_H
#define TF_REFDATA_H

#include "tfund/csv.h"
#include "tfund/fund.h"

enum {
    TF_CC_ISO3,
    TF_CC_M49,
    TF_CC_NAME,
    TF_CC_STATUS,
    TF_CC_GROUP,
    TF_CC_FROM,
    TF_CC_UNTIL,
    TF_CC_SIDS,
    TF_CC_LLDC,
    TF_CC_DEV,
    TF_COUNTRY_NCOLS
};

extern const tf_csv_column tf_country_columns[TF_COUNTRY_NCOLS];

/* Reads the current row of csv (its header mapped on tf_country_columns)
 * into c, whose strings point into the row. TF_ERR_INPUT, naming the
 * file, line and column, for a field it refuses. */
tf_error tf_country_read(const tf_csv *csv, tf_country *c, tf_diag *diag);

#endif
