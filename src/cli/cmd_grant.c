/* SPDX-License-Identifier: MIT */
/*
 * A grant's life after its run: disburse (and its correction), undisburse,
 * cancel and reinstate.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* REF [--date DATE], the options of cancel, undisburse and reinstate;
 * -1 to go on, else the exit status. */
static int ref_date_options(int argc, char **argv, const char **date,
                            const char *what)
{
    static const struct option opts[] = {{"date", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            *date = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("%s needs one request REF", what);
    return -1;
}

static int run_disburse(int argc, char **argv)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},
        {"amount", required_argument, NULL, 'a'},
        {"currency", required_argument, NULL, 'c'},
        {"correct", no_argument, NULL, 'C'},
        {"force", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *amount = NULL, *currency = NULL;
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ], t[TF_AMOUNT_BUFSZ];
    char line[1024];
    tf_disburse_options o;
    tf_disburse_result res;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc, n;

    memset(&o, 0, sizeof(o));
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            o.date = optarg;
            break;
        case 'a':
            amount = optarg;
            break;
        case 'c':
            currency = optarg;
            break;
        case 'C':
            o.correct = 1;
            break;
        case 'F':
            o.force = 1;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("disburse needs one request REF");
    if (!amount != !currency)
        return cli_usage("--amount and --currency go together");
    if (o.correct && (!amount || !o.date))
        return cli_usage("--correct needs --amount, --currency and --date");
    if (amount) {
        const tf_currency *cur = tf_currency_find(currency);
        tf_diag sub;
        tf_diag_clear(&sub);
        if (!cur)
            return cli_usage("--currency: unknown currency '%s'", currency);
        if (tf_amount_parse(&o.amount, amount, cur, 0, &sub) ||
            tf_amount_bound("actual cost", o.amount, TF_TRIP_MAX, cur, &sub))
            return cli_usage("--amount: %s", sub.msg);
        o.currency = currency;
    }
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        err = tf_disburse_ex(fund, argv[optind], &o, &res, &diag);
        if (!err && res.payment) {
            snprintf(line, sizeof(line),
                     "payment request %" PRId64 " for %s recorded on %s%s: "
                     "nothing is paid until it is approved ('tfund payment "
                     "approve %" PRId64 "')",
                     res.payment, argv[optind], res.date,
                     o.correct ? " (a correction)" : "", res.payment);
            cli_announce(fund, line);
        } else if (!err) {
            n = snprintf(line, sizeof(line),
                         "%s %s on %s: actual %s + PSC %s = %s", argv[optind],
                         o.correct ? "disbursement corrected"
                                   : tf_status_name(TF_STATUS_DISBURSED),
                         res.date, tf_fund_fmt(fund, a, res.actual, 1),
                         tf_fund_fmt(fund, b, res.psc, 1),
                         tf_fund_fmt(fund, t, res.charge, 1));
            if (res.released && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n,
                              "; %s of the commitment released",
                              tf_fund_fmt(fund, a, res.released, 1));
            if (res.overrun && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n,
                              "; overrun of %s drawn from available",
                              tf_fund_fmt(fund, a, res.overrun, 1));
            if (res.reversed && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n,
                              " (entry %" PRId64 " reversed)", res.reversed);
            if (o.force && n > 0 && (size_t)n < sizeof(line))
                snprintf(line + n, sizeof(line) - (size_t)n,
                         " (--force: beyond cost_tolerance allowed)");
            cli_announce(fund, line);
        }
        err = cli_finish(fund, err, &diag);
    }
    return cli_close(fund, err, &diag);
}

/* The write of a REF [--date DATE] command: *line (size bytes) says
 * what it did. */
typedef tf_error ref_date_step(tf_fund *fund, const char *ref, const char *date,
                               char *line, size_t size, tf_diag *diag);

/* Runs undisburse, cancel or reinstate (what): its options, then step in
 * one write, the line it wrote printed as the event's summary. */
static int ref_date_command(int argc, char **argv, const char *what,
                            ref_date_step *step)
{
    char today[16], line[512];
    const char *date;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    tf_date_today(today);
    date = today;
    if ((rc = ref_date_options(argc, argv, &date, what)) >= 0)
        return rc;
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        err = step(fund, argv[optind], date, line, sizeof(line), &diag);
        if (!err)
            cli_announce(fund, line);
        err = cli_finish(fund, err, &diag);
    }
    return cli_close(fund, err, &diag);
}

static tf_error undisburse_step(tf_fund *fund, const char *ref,
                                const char *date, char *line, size_t size,
                                tf_diag *diag)
{
    char a[TF_AMOUNT_BUFSZ];
    tf_disburse_result res;
    tf_error err = tf_undisburse(fund, ref, date, &res, diag);

    if (!err)
        snprintf(line, size,
                 "%s back to funded on %s: disbursement entry reversed "
                 "(entry %" PRId64 "), commitment of %s re-established",
                 ref, date, res.reversed,
                 tf_fund_fmt(fund, a, res.committed, 1));
    return err;
}

static int run_undisburse(int argc, char **argv)
{
    return ref_date_command(argc, argv, "undisburse", undisburse_step);
}

static tf_error cancel_step(tf_fund *fund, const char *ref, const char *date,
                            char *line, size_t size, tf_diag *diag)
{
    char amt[TF_AMOUNT_BUFSZ];
    int64_t released = 0;
    tf_error err = tf_cancel(fund, ref, date, &released, diag);

    if (!err)
        snprintf(line, size, "%s cancelled on %s%s%s", ref, date,
                 released ? ", commitment released: " : "",
                 released ? tf_fund_fmt(fund, amt, released, 1) : "");
    return err;
}

static int run_cancel(int argc, char **argv)
{
    return ref_date_command(argc, argv, "cancel", cancel_step);
}

static tf_error reinstate_step(tf_fund *fund, const char *ref, const char *date,
                               char *line, size_t size, tf_diag *diag)
{
    tf_error err = tf_reinstate(fund, ref, date, diag);

    if (!err)
        snprintf(line, size, "%s reinstated on %s: pending", ref, date);
    return err;
}

static int run_reinstate(int argc, char **argv)
{
    return ref_date_command(argc, argv, "reinstate", reinstate_step);
}

const struct tf_cmd cmd_disburse = {
    "disburse", "pay a funded grant its actual travel cost", run_disburse,
    "usage: tfund disburse REF [--date DATE] [--amount AMOUNT --currency CUR]\n"
    "                      [--force]\n"
    "       tfund disburse REF --correct --amount AMOUNT --currency CUR\n"
    "                      --date DATE [--force]\n"
    "\n"
    "Records the actual cost after travel: from the imported costs row\n"
    "(converted at the row's date; the disbursement is dated on the row's\n"
    "date unless --date says otherwise), or --amount in --currency\n"
    "converted at DATE (default today). PSC = actual x psc_rate; the actual\n"
    "charge consumes the grant's draws in order, the rest of the commitment\n"
    "is released, and an overrun is drawn from the available of the tier's\n"
    "pools in draw order, or refused (exit 1) if they fall short. An actual\n"
    "charge above the committed by more than the setting cost_tolerance\n"
    "(0.5: 50%) is refused as a likely slip (exit 2) unless --force.\n"
    "--correct replaces a disbursed grant's actual cost: its disbursement\n"
    "entry is reversed on DATE and the new one posted. A date in a closed\n"
    "period is refused (exit 1).\n"};

const struct tf_cmd cmd_undisburse = {
    "undisburse", "take back a disbursement: the grant is funded again",
    run_undisburse,
    "usage: tfund undisburse REF [--date DATE]\n"
    "\n"
    "A disbursed grant back to funded: its disbursement entry is reversed\n"
    "on DATE (default today), which takes the payment back and re-\n"
    "establishes the commitment. Refused (exit 1) when the pools cannot\n"
    "hold the commitment again, on DATE or today, or in a closed period.\n"};

const struct tf_cmd cmd_cancel = {
    "cancel", "cancel a request, releasing its commitment", run_cancel,
    "usage: tfund cancel REF [--date DATE]\n"
    "\n"
    "A funded grant is cancelled and its commitments released (freeing its\n"
    "quota slot and its money for the session's waitlist); a pending or\n"
    "waitlisted request is just cancelled. A disbursed, rejected or\n"
    "cancelled request cannot be, nor a date in a closed period.\n"};

const struct tf_cmd cmd_reinstate = {
    "reinstate", "bring a cancelled request back to pending", run_reinstate,
    "usage: tfund reinstate REF [--date DATE]\n"
    "\n"
    "A cancelled request back to pending on DATE (default today), with no\n"
    "figures, for the session's next run to decide (a grant cancelled while\n"
    "funded is not funded again by this: its money went back to the pools).\n"};

/* ---- payment ---------------------------------------------------------- */

struct pay_out {
    tf_fund *fund;
    cli_table *t;
};

static int payment_row(void *ctx, const tf_payment *p)
{
    struct pay_out *o = ctx;
    char id[24], amount[TF_AMOUNT_BUFSZ] = "", entry[24] = "";
    const char *cells[11];

    snprintf(id, sizeof(id), "%" PRId64, p->id);
    if (p->currency) {
        const tf_currency *cur = tf_currency_find(p->currency);
        tf_amount_format(amount, sizeof(amount), p->amount,
                         cur ? cur->minor : 2, 0);
    }
    if (p->entry)
        snprintf(entry, sizeof(entry), "%" PRId64, p->entry);
    cells[0] = id;
    cells[1] = p->request;
    cells[2] = p->date;
    cells[3] = p->currency ? amount : "";
    cells[4] = p->currency ? p->currency : "";
    cells[5] = p->correct ? "correction" : "payment";
    cells[6] = p->actor;
    cells[7] = p->state;
    cells[8] = p->step_date;
    cells[9] = p->step_actor;
    cells[10] = entry;
    cli_table_row(o->t, cells);
    return 0;
}

static int payment_list(int argc, char **argv)
{
    static const char *const cols[] = {"payment",  "ref",  "date",  "amount",
                                       "currency", "kind", "actor", "state",
                                       "since",    "by",   "entry"};
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_format fmt = CLI_TEXT;
    struct pay_out o;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        if (c == 'h')
            return cli_help();
        if (c != 'f' || cli_parse_format(optarg, &fmt))
            return cli_bad_option(argv);
    }
    if (argc - optind > 1)
        return cli_usage("payment list takes at most one request REF");
    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    o.t = cli_table_new(fmt, stdout, cols, "isssssssssi");
    err = tf_payment_each(o.fund, argc - optind ? argv[optind] : NULL,
                          payment_row, &o, &diag);
    cli_table_done(o.t, err);
    return cli_close(o.fund, err, &diag);
}

static int payment_step(int argc, char **argv, const char *step)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},
        {"reason", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *date, *reason = NULL;
    char today[16], line[512], a[TF_AMOUNT_BUFSZ];
    tf_disburse_result res;
    int64_t id;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    tf_date_today(today);
    date = today;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            date = optarg;
            break;
        case 'r':
            reason = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("payment %s needs one payment number", step);
    if (cli_parse_id(argv[optind], &id))
        return cli_usage("'%s' is not a payment number", argv[optind]);
    if (!strcmp(step, "reject") != !!reason || (reason && !*reason))
        return cli_usage(reason ? "--reason goes with reject"
                                : "payment reject needs --reason TEXT");
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        if (!strcmp(step, "certify")) {
            err = tf_payment_certify(fund, id, date, &diag);
            snprintf(line, sizeof(line), "payment %" PRId64 " certified on %s",
                     id, date);
        } else if (!strcmp(step, "reject")) {
            err = tf_payment_reject(fund, id, date, reason, &diag);
            snprintf(line, sizeof(line),
                     "payment %" PRId64 " rejected on %s: %s", id, date,
                     reason);
        } else {
            err = tf_payment_approve(fund, id, date, &res, &diag);
            snprintf(line, sizeof(line),
                     "payment %" PRId64
                     " approved on %s: charge %s paid (entry "
                     "%" PRId64 ")",
                     id, date, tf_fund_fmt(fund, a, res.charge, 1), res.entry);
        }
        if (!err)
            cli_announce(fund, line);
        err = cli_finish(fund, err, &diag);
    }
    return cli_close(fund, err, &diag);
}

static int run_payment(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_help();
    if (argc < 2)
        return cli_usage("payment needs list, certify, approve or reject");
    if (!strcmp(argv[1], "list"))
        return payment_list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "certify") || !strcmp(argv[1], "approve") ||
        !strcmp(argv[1], "reject"))
        return payment_step(argc - 1, argv + 1, argv[1]);
    return cli_usage("unknown payment command '%s' (list, certify, approve or "
                     "reject)",
                     argv[1]);
}

const struct tf_cmd cmd_payment = {
    "payment", "payment requests: list, certify, approve, reject", run_payment,
    "usage: tfund payment list [REF] [--format text|csv|json]\n"
    "       tfund payment certify N [--date DATE]\n"
    "       tfund payment approve N [--date DATE]\n"
    "       tfund payment reject N --reason TEXT [--date DATE]\n"
    "\n"
    "With approvals on (the setting approvals), disburse records a payment\n"
    "request instead of paying: its checks are made then, and it is posted\n"
    "only when approved. certify (certify-approve only), then approve, each\n"
    "by another actor than the one who requested it (and approve not by\n"
    "the certifier); the approval posts the disbursement on DATE (default\n"
    "today; an --amount converted at DATE), refused (exit 1) if disburse\n"
    "would refuse it then. reject voids it, with a reason. One payment\n"
    "request a grant at a time. CSV columns of list: payment,ref,date,\n"
    "amount,currency,kind,actor,state,since,by,entry.\n"};
