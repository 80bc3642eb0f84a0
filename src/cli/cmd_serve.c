/* SPDX-License-Identifier: MIT */
/*
 * tfund serve: the fund in a browser (src/web/). Only a team fund is
 * served, and only an admin starts the server; every request is then
 * made by the user logged in to it.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tfund/users.h"
#include "web/serve.h"

struct password_count {
    long n;
};

static int count_password(void *ctx, const tf_user *u)
{
    struct password_count *c = ctx;

    if (u->has_password && !u->disabled)
        c->n++;
    return 0;
}

static int run_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"insecure-remote", no_argument, NULL, 'i'},
        {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct web_options wo;
    struct password_count pw = {0};
    long users = 0;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    memset(&wo, 0, sizeof(wo));
    wo.listen = "127.0.0.1:8080";
    wo.threads = 4;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'l':
            wo.listen = optarg;
            break;
        case 'c':
            wo.tls_cert = optarg;
            break;
        case 'k':
            wo.tls_key = optarg;
            break;
        case 'i':
            wo.insecure_remote = 1;
            break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64)
                return cli_usage("--threads takes 1 to 64");
            wo.threads = (int)n;
            break;
        }
        default:
            return cli_other_option(c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_users_count(fund, &users, &diag);
    if (!err)
        err = tf_user_each(fund, NULL, count_password, &pw, &diag);
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    if (users == 0) {
        fprintf(stderr, "tfund: serve works in a team fund only, with users "
                        "who log in: add an admin first ('tfund user add ID "
                        "--name NAME --role admin')\n");
        return 1;
    }
    if (pw.n == 0)
        fprintf(stderr, "tfund: no active user has a password yet: nobody "
                        "can log in ('tfund user password ID')\n");
    wo.db_path = cli_db_path;
    wo.announce = stdout;
    return web_serve(&wo);
}

const struct tf_cmd cmd_serve = {
    "serve", "serve the fund to browsers", run_serve,
    "usage: tfund serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "                   [--insecure-remote] [--threads N]\n"
    "\n"
    "Serves a team fund to browsers until interrupted (SIGINT or SIGTERM):\n"
    "its users log in with their id and password ('tfund user password')\n"
    "and see and do what their roles allow, as on the command line; a\n"
    "donor user sees only its own donor. Only an admin starts the server.\n"
    "\n"
    "--listen ADDR:PORT  where to listen (default 127.0.0.1:8080; IPv6 as\n"
    "                    [::1]:8080; port 0 picks a free one, printed)\n"
    "--tls-cert FILE, --tls-key FILE\n"
    "                    serve HTTPS only, with this PEM certificate and key\n"
    "--insecure-remote   allow an address other than loopback without TLS\n"
    "                    (behind a TLS proxy); refused otherwise\n"
    "--threads N         workers, each with its own connection to the fund\n"
    "                    (default 4)\n"
    "\n"
    "Pages (every list also answers ?format=csv and ?format=json with the\n"
    "command line's columns):\n"
    "  GET /healthz                       ok, without login\n"
    "  GET /login, POST /login, POST /logout\n"
    "  GET /                              dashboard: pools, pledges\n"
    "                                     outstanding, next sessions and\n"
    "                                     their envelopes, what awaits you\n"
    "  GET /donors, /donors/ID, POST /donors\n"
    "  GET /donors/ID/statement.xlsx      the donor statement (?as_of=DATE)\n"
    "  GET /pledges, POST /pledges; GET /receipts, POST /receipts\n"
    "  GET /sessions, /sessions/ID, POST /sessions\n"
    "  GET /import, POST /import          a CSV file (fields kind, file)\n"
    "  POST /sessions/ID/allocate         date, order, budget, cap, strict,\n"
    "                                     dry_run: a dry run's table, or the\n"
    "                                     run proposed (allocate)\n"
    "  GET /runs/N, POST /runs/N/certify, /approve, /reject (reason)\n"
    "                                     a run, its steps and decisions\n"
    "  POST /runs/N/undo                  date: the run undone\n"
    "                                     (allocation undo)\n"
    "  GET /requests/REF, POST /requests/REF/disburse (date, amount,\n"
    "                                     currency, force, correct),\n"
    "                                     /cancel, /reinstate, /undisburse\n"
    "  POST /requests/REF/amend           fare, fare_currency, delegate,\n"
    "                                     gender, allow_duplicate (request\n"
    "                                     amend)\n"
    "  GET /payments, POST /payments/N/certify, /approve, /reject\n"
    "                                     payment requests (payment)\n"
    "  GET /waitlist                      the waitlist (?date=, ?session=)\n"
    "  GET /balance, /journal, /verify    the books\n"
    "  GET /reports/fund.xlsx, /sessions/ID/report.xlsx\n"
    "\n"
    "Sessions: the cookie tfund_session (256 random bits, HttpOnly,\n"
    "SameSite=Strict, Secure under TLS) ends after 30 idle minutes and is\n"
    "replaced at login; every form carries a CSRF token; five failed logins\n"
    "lock a user id for a minute. Forms take at most 64 KiB, files 8 MiB\n"
    "(413 beyond). Status codes: 303 after a successful POST, 400 bad input\n"
    "(the form again, the message by the field), 401 not logged in, 403\n"
    "not allowed, 404 unknown, 409 refused by a rule of the fund.\n"};
