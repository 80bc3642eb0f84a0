/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

static int run_set(int argc, char **argv)
{
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_help_options(argc, argv)) >= 0)
        return rc;
    if (argc - optind != 2)
        return cli_usage("set needs a KEY and a VALUE");
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        char old[256] = "", now[256] = "";
        tf_diag sub;
        tf_diag_clear(&sub);
        tf_setting_get(fund, argv[optind], old, sizeof(old), &sub);
        err = tf_setting_set(fund, argv[optind], argv[optind + 1], &diag);
        if (!err)
            err = tf_setting_get(fund, argv[optind], now, sizeof(now), &diag);
        if (!err)
            tf_audit_summary(fund, "%s: '%s' -> '%s'", argv[optind], old, now);
        err = cli_finish(fund, err, &diag);
    }
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    return 0;
}

const struct tf_cmd cmd_set = {
    "set", "change a setting", run_set,
    "usage: tfund set KEY VALUE\n"
    "\n"
    "Keys:\n"
    "  fund_name          the fund's name on reports\n"
    "  base_currency      currency of the books (only before the first "
    "entry)\n"
    "  psc_rate           programme support cost rate (default 0.13)\n"
    "  reserve_rate       operating reserve, share of receipts (default 0)\n"
    "  quota_ldc          funded delegates per LDC per session (default 2)\n"
    "  quota_developing   per other developing country (default 1)\n"
    "\n"
    "A setting is never changed in place: each value set is the setting's\n"
    "next version, recorded with who set it and when ('tfund settings\n"
    "--history'). An allocation run uses, and records, the values in force\n"
    "when it runs.\n"
    "\n"
    "A reserve_rate whose reserve would leave a pool's available negative\n"
    "(its money already committed) is refused, exit status 1; fund_name is\n"
    "text without control characters.\n"};

struct settings_out {
    cli_table *t;
};

static int print_setting(void *ctx, const char *key, const char *value)
{
    struct settings_out *o = ctx;
    const char *cells[] = {key, value};

    cli_table_row(o->t, cells);
    return 0;
}

static int print_version(void *ctx, const tf_setting_version *v)
{
    struct settings_out *o = ctx;
    char seq[24] = "";
    const char *cells[] = {v->key, v->value, seq, v->event->at,
                           v->event->actor};

    if (v->event->seq)
        snprintf(seq, sizeof(seq), "%lld", (long long)v->event->seq);
    cli_table_row(o->t, cells);
    return 0;
}

static int run_settings(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"history", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char *const cols[] = {"key", "value"};
    static const char *const hcols[] = {"key", "value", "seq", "at", "actor"};
    cli_format fmt = CLI_TEXT;
    struct settings_out o;
    const char *key = NULL;
    int history = 0;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'H':
            history = 1;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &fmt)) >= 0)
                return rc;
        }
    }
    if (history && argc - optind == 1)
        key = argv[optind++];
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    if (history) {
        o.t = cli_table_new(fmt, stdout, hcols, "ssiss");
        err = tf_setting_history(fund, key, print_version, &o, &diag);
    } else {
        o.t = cli_table_new(fmt, stdout, cols, "ss");
        err = tf_setting_each(fund, print_setting, &o, &diag);
    }
    cli_table_end(o.t);
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_settings = {
    "settings", "list the settings", run_settings,
    "usage: tfund settings [--format text|csv|json]\n"
    "       tfund settings --history [KEY] [--format text|csv|json]\n"
    "\n"
    "Lists every setting and its value (see 'tfund help set'). With\n"
    "--history, every value each setting (or KEY) has had, in the order\n"
    "they were set, with the event that set it: its sequence number, time\n"
    "(UTC) and actor. CSV columns: key,value,seq,at,actor.\n"};
