/* SPDX-License-Identifier: MIT */
/*
 * The command line: the dispatch table, shared option handling, opening
 * the fund, reporting errors in one voice and writing tables for people
 * (aligned text), for scripts (CSV) and for programs (JSON).
 */
#ifndef TF_CLI_H
#define TF_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "tfund/audit.h"
#include "tfund/tfund.h"

struct tf_cmd {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
    const char *usage; /* full help text, first line "usage: ..." */
};

/* Nonzero for a command that may change the fund (main.c's table): it
 * runs its writes in cli_begin ... cli_finish, whose commit appends the
 * event of what it wrote. */
int cli_writes(const struct tf_cmd *cmd);

/* The database path chosen by --db, $TFUND_DB or the default. */
extern const char *cli_db_path;

/* The command being run (for its usage). */
extern const struct tf_cmd *cli_current;
/* The word after the command (its form: 'show' of 'allocation show'),
 * NULL when there is none; for the usage line of a mistake. */
extern const char *cli_current_form;

/* Prints "tfund: message" for err on stderr; returns the exit status. */
int cli_fail(tf_error err, const tf_diag *diag);

/* Prints "tfund: <fmt>" and the command's usage line; returns 2. */
/* A positive decimal number naming a row (a run, a payment request, an
 * entry): 0, or -1 for anything else (signs, spaces, trailing text, a
 * number past int64_t). */
int cli_parse_id(const char *text, int64_t *id);

int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the command's full help on stdout; returns 0. */
int cli_help(void);

/* Writes the full help of c: its usage text, and what the command adds
 * from tables of the program (the kinds of import). */
void cli_write_usage(FILE *out, const struct tf_cmd *c);

/* The kinds of file and their columns, from the importer's own table. */
void cli_import_help(FILE *out);

/* " as entry N", or " as entries N (pledge) and M (receipt)", with
 * "reversed by entry R" where one is: the entries recorded under ref, as
 * 'add' commands print them for 'reverse'; "" when there are none. */
const char *cli_entries_text(tf_fund *fund, const char *ref, char *buf,
                             size_t size);

/* A whole number of at most 18 digits, or -1. */
long long cli_parse_count(const char *s);

/* Opens the fund at cli_db_path; on failure prints why and returns the
 * exit status (nonzero), else 0. */
int cli_open(tf_fund **fund);

/* When --db (or $TFUND_DB) names a directory, says so and returns 2;
 * else 0. */
int cli_db_is_dir(void);

/* Runs a command's writes in one transaction: cli_begin, then
 * cli_finish, which flushes what the command printed and commits when
 * err is TF_OK and the output went out (appending the event of what was
 * written, with the summary the command gave tf_audit_summary), or rolls
 * back (TF_ERR_IO when the output could not be written). Only a command that
 * cli_writes may begin. Returns err or the commit's error. */
tf_error cli_begin(tf_fund *fund, tf_diag *diag);

/* cli_open, then (diag cleared) cli_begin: the exit status when the fund
 * cannot be opened (why is printed), else 0 with the begin's result in
 * *err. */
int cli_open_begin(tf_fund **fund, tf_error *err, tf_diag *diag);
tf_error cli_finish(tf_fund *fund, tf_error err, tf_diag *diag);

/* Prints line on stdout and gives it to tf_audit_summary as the summary
 * of what the command wrote. */
void cli_announce(tf_fund *fund, const char *line);

/* Closes fund (NULL is safe) and returns the command's exit status: 0
 * when err is TF_OK, else cli_fail's. */
int cli_close(tf_fund *fund, tf_error err, const tf_diag *diag);

/* Nonzero when stderr is a terminal (progress is shown only then). */
int cli_progress_wanted(void);

/* Output formats. */
typedef enum cli_format { CLI_TEXT, CLI_CSV, CLI_JSON } cli_format;

/* Parses "text", "csv" or "json"; returns 0 on success. */
int cli_parse_format(const char *s, cli_format *out);

/*
 * A table written row by row. CSV and JSON stream; text is gathered to
 * align columns. kinds has one character per column: 's' text, 'a' an
 * amount (right-aligned; a JSON string holding the exact decimal), 'i' an
 * integer (right-aligned; a JSON number).
 */
typedef struct cli_table cli_table;

cli_table *cli_table_new(cli_format fmt, FILE *out, const char *const *cols,
                         const char *kinds);
/* cells has one string per column (NULL is written as empty). */
void cli_table_row(cli_table *t, const char *const *cells);
/* Writes what is gathered, frees t; returns 0 or -1 on a write error. */
int cli_table_end(cli_table *t);

/* Frees t without writing what it gathered. NULL is safe. */
void cli_table_free(cli_table *t);

/* The end of a listing: what t gathered written (cli_table_end) when err
 * is TF_OK, else dropped (cli_table_free); t is freed. */
void cli_table_done(cli_table *t, tf_error err);

/* Writes the manual page tfund(1) in roff; returns the exit status. */
int cli_print_man(FILE *out);

/* Every command, NULL-terminated, in the order help lists them. */
extern const struct tf_cmd *const cli_commands[];

/* The commands, one per cmd_<name>.c. */
extern const struct tf_cmd cmd_init, cmd_set, cmd_settings, cmd_import,
    cmd_donor, cmd_pledge, cmd_receipt, cmd_rate, cmd_session, cmd_balance,
    cmd_pools, cmd_journal, cmd_verify, cmd_export, cmd_backup, cmd_period,
    cmd_reverse, cmd_help, cmd_request, cmd_allocate, cmd_allocation,
    cmd_disburse, cmd_cancel, cmd_surplus, cmd_spend, cmd_attribution,
    cmd_close, cmd_report, cmd_log, cmd_history, cmd_statement, cmd_psc,
    cmd_interest, cmd_country, cmd_waitlist, cmd_headroom, cmd_undisburse,
    cmd_reinstate, cmd_payment;

/* ---- Users and roles (cmd_user.c) ---------------------------------- */

extern const struct tf_cmd cmd_user, cmd_serve;

/* Keeps a copy of the command's arguments as given, for cli_authorize. */
void cli_note_args(int argc, char **argv);

/* Checks, once the fund is open, that the actor may run the command with
 * its arguments (the role table of cmd_user.c): 0 if so, else prints why
 * and returns the exit status (1). cli_open calls it. */
int cli_authorize(tf_fund *fund);

/* Who acts: the user's id in a team fund, the login in a single-user
 * fund ("" before cli_open). */
const char *cli_actor(void);

/* getopt_long with the conventions of every command (no automatic
 * messages, "-h" for help). Returns what getopt_long returns. */
int cli_getopt(int argc, char **argv, const struct option *opts);

/* Reports the option getopt_long refused; returns 2. */
int cli_bad_option(char **argv);

/* What every command does with an option c its own switch does not
 * handle: -h/--help prints the help (returns 0), anything else is
 * refused (cli_bad_option, returns 2). */
int cli_other_option(int c, char **argv);

/* As cli_other_option, and --format ('f') read into *fmt: returns -1 when
 * the format is known (the command goes on), else the exit status. */
int cli_shared_option(int c, char **argv, cli_format *fmt);

/* The options of a command that takes only --format and --help: *fmt
 * set; -1 when the command goes on (its arguments from optind), else the
 * exit status. */
int cli_format_options(int argc, char **argv, cli_format *fmt);

/* The options of a command that takes only --help: returns -1 when the
 * command goes on (its arguments from optind), else the exit status. */
int cli_help_options(int argc, char **argv);

/* Option tables that the role check of cmd_user.c reads the arguments
 * with, as the commands themselves do: --help alone (cli.c), allocate's
 * (cmd_allocate.c), surplus's and spend's (cmd_surplus.c), and pledge
 * and receipt list's (cmd_records.c). */
extern const struct option cli_help_opts[], cli_allocate_opts[],
    cli_surplus_opts[], cli_spend_opts[], cli_list_opts[];

/* Validates a DATE given on the command line for option name; returns 0
 * or prints the error and returns 2. */
int cli_check_date(const char *option, const char *date);

/* The options of the commands that show the books as of a date and take
 * no argument ([--as-of DATE] [--format text|csv|json] [--help]): sets
 * *as_of (NULL when not given) and *fmt. Returns -1 when the command goes
 * on, otherwise the exit status it returns (help printed, bad usage). */
int cli_as_of_options(int argc, char **argv, const char **as_of,
                      cli_format *fmt);

/* The name tf_csv_open_stream is given for one-row imports built from
 * command-line options, so that errors name the option, not a file. */
#define CLI_ARGS_NAME "<command line>"

#endif
