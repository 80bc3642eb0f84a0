/* SPDX-License-Identifier: MIT */
/*
 * tfund export ledger: the journal in the plain-text format of ledger-cli
 * and hledger, so that either tool can re-add tfund's books.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fund_internal.h"

struct export
{
    tf_fund *fund;
    FILE *out;
};

/* Payees and notes are one line: control characters become spaces and
 * runs of spaces fold, since two spaces or a ';' would start a comment. */
static void put_clean(FILE *out, const char *s)
{
    int space = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == ' ' || c == ';') {
            if (!space)
                fputc(c == ';' ? ',' : ' ', out);
            space = 1;
            continue;
        }
        fputc(c, out);
        space = 0;
    }
}

static int export_entry(void *ctx, const tf_entry *e)
{
    struct export *x = ctx;
    const char *code = tf_fund_base(x->fund)->code;
    char amt[TF_AMOUNT_BUFSZ];

    fprintf(x->out, "%s * (%" PRId64 ") ", e->date, e->id);
    put_clean(x->out, e->memo && *e->memo ? e->memo : e->kind);
    fprintf(x->out, "\n    ; kind: %s\n", e->kind);
    if (e->ref) {
        fputs("    ; ref: ", x->out);
        put_clean(x->out, e->ref);
        fputc('\n', x->out);
    }
    if (e->reverses)
        fprintf(x->out, "    ; reverses: %" PRId64 "\n", e->reverses);
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        tf_fund_fmt(x->fund, amt, p->amount, 0);
        fprintf(x->out, "    %-40s  %s %s  ; pool: %s\n", p->account, code, amt,
                p->pool);
    }
    fputc('\n', x->out);
    return ferror(x->out) ? 1 : 0;
}

tf_error tf_export_ledger(tf_fund *fund, FILE *out, const char *as_of,
                          tf_diag *diag)
{
    struct export x = {fund, out};
    char name[256];
    tf_error err;

    if ((err = tf_setting_get(fund, "fund_name", name, sizeof(name), diag)))
        return err;
    fputs("; ", out);
    put_clean(out, name);
    fprintf(out, ": journal exported by tfund, amounts in %s\n",
            tf_fund_base(fund)->code);
    fputs("; each posting's pool is its 'pool' tag (ledger bal --pivot "
          "pool)\n\n",
          out);
    err = tf_ledger_each_entry(fund, as_of, export_entry, &x, diag);
    if (!err && (fflush(out) != 0 || ferror(out)))
        err = tf_diag_set(diag, TF_ERR_IO, "cannot write the journal");
    return err;
}
