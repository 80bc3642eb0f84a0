/* SPDX-License-Identifier: MIT */
/*
 * tfund [--db PATH] COMMAND [ARGS]: dispatches to the commands in
 * cmd_*.c through the table below.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tfund/audit.h"

const struct tf_cmd *const cli_commands[] = {
    &cmd_init,        &cmd_set,      &cmd_settings,  &cmd_import,
    &cmd_donor,       &cmd_pledge,   &cmd_receipt,   &cmd_rate,
    &cmd_session,     &cmd_request,  &cmd_country,   &cmd_allocate,
    &cmd_allocation,  &cmd_waitlist, &cmd_headroom,  &cmd_disburse,
    &cmd_undisburse,  &cmd_cancel,   &cmd_reinstate, &cmd_payment,
    &cmd_surplus,     &cmd_spend,    &cmd_psc,       &cmd_interest,
    &cmd_attribution, &cmd_close,    &cmd_report,    &cmd_statement,
    &cmd_balance,     &cmd_pools,    &cmd_journal,   &cmd_verify,
    &cmd_export,      &cmd_period,   &cmd_reverse,   &cmd_log,
    &cmd_history,     &cmd_backup,   &cmd_user,      &cmd_serve,
    &cmd_help,        NULL};

/* The commands that may change the fund. Only they may begin a write
 * transaction (cli_begin), and the event each commit appends records the
 * command as given. */
static const struct tf_cmd *const writers[] = {&cmd_init,
                                               &cmd_set,
                                               &cmd_import,
                                               &cmd_donor,
                                               &cmd_pledge,
                                               &cmd_receipt,
                                               &cmd_rate,
                                               &cmd_session,
                                               &cmd_request,
                                               &cmd_allocate,
                                               &cmd_allocation,
                                               &cmd_disburse,
                                               &cmd_undisburse,
                                               &cmd_cancel,
                                               &cmd_reinstate,
                                               &cmd_payment,
                                               &cmd_surplus,
                                               &cmd_spend,
                                               &cmd_psc,
                                               &cmd_interest,
                                               &cmd_close,
                                               &cmd_period,
                                               &cmd_reverse,
                                               &cmd_user,
                                               NULL};

int cli_writes(const struct tf_cmd *cmd)
{
    for (size_t i = 0; writers[i]; i++)
        if (writers[i] == cmd)
            return 1;
    return 0;
}

static const char main_usage[] =
    "usage: tfund [--db PATH] COMMAND [ARGS]\n"
    "\n"
    "Keeps the books of a voluntary trust fund and allocates its travel\n"
    "grants. The fund lives in one SQLite file: --db PATH, else $TFUND_DB,\n"
    "else ./trustfund.db.\n"
    "\n"
    "Commands:\n";

static void print_main_usage(FILE *out)
{
    fputs(main_usage, out);
    for (size_t i = 0; cli_commands[i]; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i]->name,
                cli_commands[i]->summary);
    fputs("\n'tfund help COMMAND' or 'tfund COMMAND --help' tells more.\n"
          "Exit status: 0 done, 1 refused by a rule of the fund, 2 bad usage "
          "or input,\n3 a system failure (disk, memory, database).\n",
          out);
}

static const struct tf_cmd *find_command(const char *name)
{
    for (size_t i = 0; cli_commands[i]; i++)
        if (!strcmp(cli_commands[i]->name, name))
            return cli_commands[i];
    return NULL;
}

/* Edit distance, to suggest the command a typo meant. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] =
                sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof(size_t));
    }
    return prev[lb];
}

static int unknown_command(const char *name)
{
    const struct tf_cmd *best = NULL;
    size_t bestd = 3;

    for (size_t i = 0; cli_commands[i]; i++) {
        size_t d = distance(name, cli_commands[i]->name);
        if (d < bestd) {
            bestd = d;
            best = cli_commands[i];
        }
    }
    fprintf(stderr, "tfund: '%s' is not a tfund command", name);
    if (best)
        fprintf(stderr, "; did you mean '%s'?\n", best->name);
    else
        fputs(" (see 'tfund --help')\n", stderr);
    return 2;
}

static int run_help(int argc, char **argv)
{
    const struct tf_cmd *cmd;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_main_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--man"))
        return cli_print_man(stdout);
    cmd = find_command(argv[1]);
    if (!cmd)
        return unknown_command(argv[1]);
    cli_write_usage(stdout, cmd);
    return 0;
}

const struct tf_cmd cmd_help = {
    "help", "show help for tfund or one command", run_help,
    "usage: tfund help [COMMAND | --man]\n"
    "\n"
    "Shows the list of commands, or the full help of one; --man writes the\n"
    "manual page tfund(1), which holds the same texts.\n"};

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    const struct tf_cmd *cmd;
    int c, rc, db_given = 0;

    cli_db_path = getenv("TFUND_DB");
    if (!cli_db_path || !*cli_db_path)
        cli_db_path = "trustfund.db";
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (db_given++) {
                fputs("tfund: option --db is given twice\n", stderr);
                return 2;
            }
            cli_db_path = optarg;
            break;
        case 'h':
            print_main_usage(stdout);
            return 0;
        case 'V':
            puts("tfund " TFUND_VERSION);
            return 0;
        default:
            fprintf(stderr, "tfund: unknown option or missing value: '%s'\n",
                    argv[optind - 1]);
            print_main_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        print_main_usage(stderr);
        return 2;
    }
    cmd = find_command(argv[optind]);
    if (!cmd)
        return unknown_command(argv[optind]);
    cli_current = cmd;
    argc -= optind;
    argv += optind;
    if (argc > 1 && argv[1][0] != '-')
        cli_current_form = argv[1];
    /* What the event of a write records: the command as given, without
     * the fund's path (--db) and without any secret. */
    if (cli_writes(cmd)) {
        static const char *const secret[] = {"--password", NULL};
        char *text = tf_audit_command_line(argc, argv, secret);
        if (!text) {
            fputs("tfund: out of memory\n", stderr);
            return 3;
        }
        tf_audit_set_process_command(text);
        free(text);
    }
    /* 0, not 1: makes GNU getopt start afresh for the command's options. */
    optind = 0;
    cli_note_args(argc, argv);
    rc = cmd->fn(argc, argv);
    /* Output that never reached its reader is a failure, not a success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tfund: cannot write the output: %s\n",
                strerror(errno ? errno : EIO));
        return rc ? rc : 3;
    }
    return rc;
}
