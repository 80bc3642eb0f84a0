/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes every CSV import kind through the real import: the first byte
 * picks the kind, the rest is the file. One fund is made once, in a
 * temporary file, with a little of everything (rates, donors, sessions,
 * pledges, receipts, requests) so that inputs can reach the rules that
 * look records up; each input is imported in a transaction that is then
 * rolled back, so every input meets the same books.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tfund/tfund.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seed_files[][2] = {
    {"rates", "currency,date,per_usd\n"
              "EUR,2017-01-01,0.9506\nEUR,2018-01-01,0.8333\n"
              "JPY,2017-01-01,117.0\nKWD,2017-01-01,0.3050\n"
              "CHF,2017-01-01,1.0170\n"},
    {"donors", "id,name,type,country\n"
               "norway,Norway,state,NOR\nsweden,Sweden,state,SWE\n"
               "acme,\"Acme, Inc.\",private,\n"},
    {"sessions", "id,name,venue,start,days,dsa,terminal,extra_days,"
                 "travel_budget\n"
                 "s1,Session one,Geneva,2017-05-08,2,402,110,1,\n"
                 "s2,Session two,New York,2018-03-05,5,374,118,0,50000\n"},
    {"pledges", "ref,donor,date,amount,currency,pool,due\n"
                "P1,norway,2017-01-16,150000.00,EUR,travel,2017-03-31\n"
                "P2,sweden,2017-02-01,90000,JPY,unrestricted,\n"
                "P3,acme,2017-02-01,10.500,KWD,prep,\n"},
    {"receipts", "ref,date,amount,currency,pledge,donor,pool\n"
                 "R1,2017-02-20,100000.00,EUR,P1,,\n"
                 "R2,2017-03-01,20000.00,USD,,acme,ldc-travel\n"},
    {"requests", "ref,session,country,delegate,submitted,fare,"
                 "fare_currency,gender\n"
                 "Q1,s1,NPL,Sita Rai,2017-03-20T09:00:00Z,1450.00,USD,F\n"
                 "Q2,s1,BRA,Ana Lima,2017-03-21T09:00:00Z,900.00,EUR,F\n"
                 "Q3,s2,KHM,Visal Ouk,2017-12-01T10:00:00Z,1200.00,USD,M\n"},
};

static tf_fund *fund;
static char path[64];

static void remove_fund(void)
{
    char side[80];

    tf_fund_close(fund);
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

static void setup(void)
{
    tf_import_result res;
    tf_diag diag;
    int fd;

    snprintf(path, sizeof(path), "/tmp/tfund-fuzz-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    unlink(path); /* tf_fund_create makes the file itself */
    tf_diag_clear(&diag);
    if (tf_fund_create(&fund, path, &diag)) {
        fprintf(stderr, "fuzz_import: %s\n", diag.msg);
        abort();
    }
    atexit(remove_fund);
    for (size_t i = 0; i < sizeof(seed_files) / sizeof(seed_files[0]); i++) {
        const char *text = seed_files[i][1];
        FILE *fp = fmemopen((void *)text, strlen(text), "r");
        tf_csv *csv = NULL;

        tf_diag_clear(&diag);
        if (tf_csv_open_stream(&csv, fp, seed_files[i][0], &diag) ||
            tf_fund_begin(fund, &diag) ||
            tf_import_csv(fund, seed_files[i][0], csv, &res, NULL, NULL,
                          &diag) ||
            tf_fund_commit(fund, &diag)) {
            fprintf(stderr, "fuzz_import: seeding %s: %s\n", seed_files[i][0],
                    diag.msg);
            abort();
        }
        tf_csv_free(csv);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const kinds[] = {"countries", "rates",    "donors",
                                        "pledges",   "receipts", "sessions",
                                        "requests",  "costs",    "spend"};
    tf_import_result res;
    tf_diag diag;
    tf_csv *csv = NULL;
    const char *kind;
    char *copy;
    FILE *fp;

    if (!fund)
        setup();
    if (size < 1)
        return 0;
    kind = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
    data++;
    size--;
    /* fmemopen wants a buffer of at least one byte it may hold on to. */
    copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    fp = size ? fmemopen(copy, size, "r") : fmemopen(copy, 1, "r");
    tf_diag_clear(&diag);
    if (tf_csv_open_stream(&csv, fp, "fuzz.csv", &diag) == TF_OK) {
        if (tf_fund_begin(fund, &diag) == TF_OK) {
            tf_error err =
                tf_import_csv(fund, kind, csv, &res, NULL, NULL, &diag);
            /* An import that fails must say why. */
            if (err != TF_OK && diag.msg[0] == '\0')
                abort();
            if (err == TF_OK && res.rows != res.added + res.known + res.updated)
                abort();
            tf_fund_rollback(fund);
        }
        tf_csv_free(csv);
    }
    free(copy);
    return 0;
}
