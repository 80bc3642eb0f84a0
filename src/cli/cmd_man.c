/* SPDX-License-Identifier: MIT */
/*
 * tfund help --man: the manual page tfund(1), written from the same usage
 * texts as 'tfund help COMMAND', so the two never disagree. The build runs
 * it to make the installed page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char man_head[] =
    ".TH TFUND 1 \"\" \"tfund " TFUND_VERSION "\" \"User Commands\"\n"
    ".SH NAME\n"
    "tfund \\- keep the books of a voluntary trust fund and allocate its "
    "travel grants\n"
    ".SH SYNOPSIS\n"
    ".B tfund\n"
    "[\\fB\\-\\-db\\fR \\fIPATH\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
    ".SH DESCRIPTION\n"
    "tfund keeps the double-entry, append-only books of a voluntary trust "
    "fund set up \"primarily to support the travel and participation of "
    "representatives from developing countries, in particular the least "
    "developed countries\", allocates its travel grants before each "
    "meeting, routes surplus to the preparation of the conference, "
    "attributes every outflow to the donors whose money paid for it, and "
    "writes Excel statements for donors.\n"
    ".PP\n"
    "One SQLite file holds one fund. Amounts are exact: integers of the "
    "currency's minor unit, with every conversion, share and percentage "
    "computed with rationals and rounded once, half to even.\n"
    ".PP\n"
    "Output is for people by default; \\fB\\-\\-format csv\\fR and "
    "\\fB\\-\\-format json\\fR give machine-readable columns where a command "
    "offers them. Long imports show progress on standard error when it is "
    "a terminal.\n"
    ".SH OPTIONS\n"
    ".TP\n"
    "\\fB\\-\\-db\\fR \\fIPATH\\fR\n"
    "The fund database. Default: \\fB$TFUND_DB\\fR, else "
    "\\fB./trustfund.db\\fR.\n"
    ".TP\n"
    "\\fB\\-\\-help\\fR, \\fB\\-\\-version\\fR\n"
    "Print the list of commands, or the version.\n"
    ".SH COMMANDS\n";

static const char man_tail[] =
    ".SH FILES\n"
    "Imports are CSV files in UTF-8 with a header row and RFC 4180 "
    "quoting; columns are named and may come in any order. Dates are "
    "YYYY-MM-DD, times YYYY-MM-DDTHH:MM:SSZ, amounts plain decimals with at "
    "most the currency's minor digits. An import is one transaction: one "
    "bad row and nothing is written, the error naming file:line:column. "
    "See \\fBtfund help import\\fR for the columns of each kind.\n"
    ".PP\n"
    "The country classification (UN member and observer States, regional "
    "groups, LDC inclusion and graduation dates) is compiled in and loaded "
    "by \\fBinit\\fR; \\fBimport countries\\fR replaces rows of it.\n"
    ".SH ENVIRONMENT\n"
    ".TP\n"
    ".B TFUND_DB\n"
    "The fund database when \\fB\\-\\-db\\fR is not given.\n"
    ".TP\n"
    ".B NO_COLOR\n"
    "tfund writes no colour; the variable is respected by never doing so.\n"
    ".SH EXIT STATUS\n"
    ".TP\n"
    ".B 0\n"
    "Done.\n"
    ".TP\n"
    ".B 1\n"
    "A rule of the fund refused the step (an overrun beyond what is "
    "available, a request in the wrong state, a closed period), or "
    "\\fBverify\\fR found a failure. Nothing was written.\n"
    ".TP\n"
    ".B 2\n"
    "Bad usage or bad input: an unknown command or option, a malformed "
    "file, an unknown donor, session or request, a missing database. "
    "Nothing was written.\n"
    ".TP\n"
    ".B 3\n"
    "A system failure: disk full, an input/output error, out of memory. "
    "Nothing was written.\n"
    ".SH EXAMPLES\n"
    ".nf\n"
    "export TFUND_DB=$PWD/fund.db\n"
    "tfund init \\-\\-name \"Voluntary Trust Fund\"\n"
    "tfund import rates rates.csv\n"
    "tfund import donors donors.csv\n"
    "tfund import pledges pledges.csv\n"
    "tfund import receipts receipts.csv\n"
    "tfund import sessions sessions.csv\n"
    "tfund import requests requests.csv\n"
    "tfund allocate its1 \\-\\-date 2017\\-05\\-01\n"
    "tfund allocation show its1\n"
    "tfund disburse R\\-its1\\-001 \\-\\-date 2017\\-05\\-19\n"
    "tfund surplus \\-\\-date 2018\\-12\\-31\n"
    "tfund verify\n"
    "tfund export ledger | ledger \\-f \\- bal\n"
    ".fi\n"
    ".SH SEE ALSO\n"
    ".BR ledger (1),\n"
    ".BR hledger (1),\n"
    ".BR sqlite3 (1)\n";

/* Writes text for roff: escapes backslashes, leading dots and quotes,
 * and hyphens (so that options copy as ASCII). */
static void roff(FILE *out, const char *text)
{
    int bol = 1;

    for (const char *p = text; *p; p++) {
        if (bol && (*p == '.' || *p == '\''))
            fputs("\\&", out);
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == '-')
            fputs("\\-", out);
        else
            fputc(*p, out);
        bol = *p == '\n';
    }
}

/* The command's full help (cli_write_usage), written for roff. */
static int usage_roff(FILE *out, const struct tf_cmd *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    if (!fp)
        return -1;
    cli_write_usage(fp, c);
    if (fclose(fp) != 0) {
        free(text);
        return -1;
    }
    roff(out, text);
    free(text);
    return 0;
}

int cli_print_man(FILE *out)
{
    fputs(man_head, out);
    for (size_t i = 0; cli_commands[i]; i++) {
        const struct tf_cmd *c = cli_commands[i];
        fprintf(out, ".SS %s\n", c->name);
        roff(out, c->summary);
        fputs(".\n.PP\n.nf\n", out);
        if (usage_roff(out, c))
            return 3;
        fputs(".fi\n", out);
    }
    fputs(man_tail, out);
    return ferror(out) ? 3 : 0;
}
