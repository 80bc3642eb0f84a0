/* SPDX-License-Identifier: MIT */
/*
 * user add|list|disable|password|roles, and the roles every command needs
 * (DESIGN.md section 11): the table below is consulted when a command
 * opens the fund (cli_open), so a team fund refuses a command, before it
 * reads or writes anything, to a login mapped to no active user or to a
 * user without the role.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "tfund/users.h"

/* ---- The roles each command needs ---------------------------------- */

/* Flags of a row. */
enum {
    R_POSITIONAL = 1, /* sub is the first argument left by the options */
    R_DRY_RUN = 2,    /* with --dry-run the command only reads */
    R_DONOR_ARG = 4,  /* a donor user may run it for its donor's ID ... */
    R_DONOR_OPT = 8,  /* ... or with --donor its donor */
    R_SELF = 16,      /* any user may run it on itself */
    R_NO_FUND = 32    /* never opens the fund: nothing to check */
};

struct cmd_role {
    const char *command;
    const char *sub; /* NULL: the command has none; "*": any other */
    unsigned roles;  /* any of these; 0: any active user but a donor */
    unsigned flags;
    const struct option *opts; /* the command's options, to read its args */
};

static const struct option statement_opts[] = {
    {"from", required_argument, NULL, 'F'},
    {"to", required_argument, NULL, 't'},
    {"as-of", required_argument, NULL, 't'},
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};
static const struct option report_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"as-of", required_argument, NULL, 'a'},
    {"to", required_argument, NULL, 'a'},
    {"from", required_argument, NULL, 'F'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

#define ADMIN      TF_ROLE_ADMIN
#define RECORDER   TF_ROLE_RECORDER
#define PROGRAMME  TF_ROLE_PROGRAMME
#define CERTIFYING TF_ROLE_CERTIFYING
#define APPROVING  TF_ROLE_APPROVING
#define AUDITOR    TF_ROLE_AUDITOR
#define ANY_USER   0u

/* In order: the first row that matches a command decides. A command with
 * no matching row is refused in a team fund (a new command must be given
 * its role here; tests/e2e/users.sh checks that every command has one). */
static const struct cmd_role cmd_roles[] = {
    {"set", NULL, ADMIN, 0, NULL},
    {"settings", NULL, ANY_USER, 0, NULL},
    {"import", "countries", ADMIN, R_POSITIONAL, cli_help_opts},
    {"import", "*", RECORDER, R_POSITIONAL, cli_help_opts},
    {"donor", "add", RECORDER, 0, NULL},
    {"donor", "list", ANY_USER, 0, NULL},
    {"pledge", "add", RECORDER, 0, NULL},
    {"pledge", "list", ANY_USER, R_DONOR_OPT, cli_list_opts},
    {"receipt", "add", RECORDER, 0, NULL},
    {"receipt", "list", ANY_USER, R_DONOR_OPT, cli_list_opts},
    {"rate", "add", RECORDER, 0, NULL},
    {"session", "add", RECORDER, 0, NULL},
    {"session", "list", ANY_USER, 0, NULL},
    {"request", "add", RECORDER, 0, NULL},
    {"request", "list", ANY_USER, 0, NULL},
    {"request", "amend", PROGRAMME, 0, NULL},
    {"country", NULL, ANY_USER, 0, NULL},
    /* The programme officer proposes runs and payments (disburse, also
     * --correct) and corrects a grant's life; the certifying officer
     * certifies, the approving officer approves; each rejects what it was
     * asked to decide (the core checks which step a run or payment
     * awaits: tf_grant_may_reject). Nobody certifies or approves what it
     * proposed, nor approves what it certified (the core, by the audit
     * actor: the user). */
    {"allocate", NULL, PROGRAMME, R_DRY_RUN, cli_allocate_opts},
    {"allocation", "show", ANY_USER, 0, NULL},
    {"allocation", "envelope", ANY_USER, 0, NULL},
    {"allocation", "runs", ANY_USER, 0, NULL},
    {"allocation", "decisions", ANY_USER, 0, NULL},
    {"allocation", "undo", PROGRAMME, 0, NULL},
    {"allocation", "certify", CERTIFYING, 0, NULL},
    {"allocation", "approve", APPROVING, 0, NULL},
    {"allocation", "reject", CERTIFYING | APPROVING, 0, NULL},
    {"waitlist", NULL, ANY_USER, 0, NULL},
    {"headroom", NULL, ANY_USER, 0, NULL},
    {"disburse", NULL, PROGRAMME, 0, NULL},
    {"undisburse", NULL, PROGRAMME, 0, NULL},
    {"cancel", NULL, PROGRAMME, 0, NULL},
    {"reinstate", NULL, PROGRAMME, 0, NULL},
    {"payment", "list", ANY_USER, 0, NULL},
    {"payment", "certify", CERTIFYING, 0, NULL},
    {"payment", "approve", APPROVING, 0, NULL},
    {"payment", "reject", CERTIFYING | APPROVING, 0, NULL},
    {"surplus", NULL, APPROVING, R_DRY_RUN, cli_surplus_opts},
    {"spend", "list", ANY_USER, R_POSITIONAL, cli_spend_opts},
    {"spend", "*", RECORDER, R_POSITIONAL, cli_spend_opts},
    {"attribution", NULL, ANY_USER, 0, NULL},
    {"psc", "pay", APPROVING, 0, NULL},
    {"psc", "*", ANY_USER, 0, NULL},
    {"interest", "add", RECORDER, 0, NULL},
    {"interest", "*", ANY_USER, 0, NULL},
    {"statement", NULL, ANY_USER, R_DONOR_ARG, statement_opts},
    {"close", NULL, APPROVING, 0, NULL},
    {"report", "donor", ANY_USER, R_DONOR_ARG, report_opts},
    {"report", "*", ANY_USER, 0, NULL},
    {"balance", NULL, ANY_USER, 0, NULL},
    {"pools", NULL, ANY_USER, 0, NULL},
    {"journal", NULL, ANY_USER, 0, NULL},
    {"verify", NULL, ANY_USER, 0, NULL},
    {"log", NULL, ANY_USER, 0, NULL},
    {"history", NULL, ANY_USER, 0, NULL},
    {"export", NULL, ANY_USER, 0, NULL},
    {"period", "close", APPROVING, 0, NULL},
    {"reverse", NULL, RECORDER, 0, NULL},
    {"backup", NULL, ADMIN | AUDITOR, 0, NULL},
    {"user", "add", ADMIN, 0, NULL},
    {"user", "disable", ADMIN, 0, NULL},
    {"user", "list", ADMIN | AUDITOR, 0, NULL},
    {"user", "password", ADMIN, R_SELF, cli_help_opts},
    {"user", "roles", ANY_USER, R_NO_FUND, NULL},
    {"serve", NULL, ADMIN, 0, NULL},
    {"init", NULL, ANY_USER, R_NO_FUND, NULL},
    {"help", NULL, ANY_USER, R_NO_FUND, NULL},
};

/* The command's arguments as given (the command's own option parsing
 * reorders argv). */
static int saved_argc;
static char **saved_argv;

/* Who acts, once the fund is open: the user's id in a team fund, the
 * login in a single-user fund. */
static char actor_id[128];

void cli_note_args(int argc, char **argv)
{
    free(saved_argv);
    saved_argv = calloc((size_t)argc + 1, sizeof(char *));
    if (saved_argv) {
        memcpy(saved_argv, argv, (size_t)argc * sizeof(char *));
        saved_argc = argc;
    }
}

const char *cli_actor(void)
{
    return actor_id;
}

/* What the command's arguments say, read as its own getopt_long would. */
struct scan {
    const char *pos[4]; /* the first positional arguments */
    int npos;
    int dry_run;
    const char *donor; /* --donor's value */
    int unknown;       /* an option the table does not know, or no value */
};

static void scan_args(int argc, char **argv, const struct option *opts,
                      struct scan *s)
{
    char **copy = calloc((size_t)argc + 1, sizeof(char *));
    int saved_optind = optind, saved_opterr = opterr, saved_optopt = optopt;
    char *saved_optarg = optarg;
    int c;

    memset(s, 0, sizeof(*s));
    if (!copy) {
        s->unknown = 1;
        return;
    }
    memcpy(copy, argv, (size_t)argc * sizeof(char *));
    optind = 0;
    while ((c = cli_getopt(argc, copy, opts)) != -1) {
        if (c == '?' || c == ':')
            s->unknown = 1;
        else if (c == 'n' && opts == cli_allocate_opts)
            s->dry_run = 1;
        else if (c == 'n' && opts == cli_surplus_opts)
            s->dry_run = 1;
        else if (c == 'd' && opts == cli_list_opts)
            s->donor = optarg;
    }
    for (int i = optind; i < argc && s->npos < 4; i++)
        s->pos[s->npos++] = copy[i];
    free(copy);
    optind = saved_optind;
    opterr = saved_opterr;
    optopt = saved_optopt;
    optarg = saved_optarg;
}

/* The row of the table for the command with these arguments, and in
 * *scanned what its arguments say; NULL when none matches. */
static const struct cmd_role *find_role(const char *command, int argc,
                                        char **argv, struct scan *scanned)
{
    memset(scanned, 0, sizeof(*scanned));
    for (size_t i = 0; i < sizeof(cmd_roles) / sizeof(cmd_roles[0]); i++) {
        const struct cmd_role *r = &cmd_roles[i];
        const char *sub = NULL;
        if (strcmp(r->command, command))
            continue;
        if (r->flags & R_POSITIONAL) {
            scan_args(argc, argv, r->opts, scanned);
            sub = scanned->npos ? scanned->pos[0] : NULL;
        } else if (argc > 1) {
            sub = argv[1];
        }
        if (r->sub && strcmp(r->sub, "*") && (!sub || strcmp(r->sub, sub)))
            continue;
        if (!(r->flags & R_POSITIONAL) && r->opts) {
            /* Options after the subcommand, or of a command without one. */
            if (r->sub)
                scan_args(argc - 1, argv + 1, r->opts, scanned);
            else
                scan_args(argc, argv, r->opts, scanned);
        }
        return r;
    }
    return NULL;
}

/* "the recorder role", "the admin or auditor role". */
static void describe_roles(unsigned roles, char *buf, size_t size)
{
    size_t len = 0;
    int n = 0, total = 0;

    for (int i = 0; i < TF_ROLE_COUNT; i++)
        if (roles & (1u << i))
            total++;
    len += (size_t)snprintf(buf, size, "the ");
    for (int i = 0; i < TF_ROLE_COUNT && len < size; i++)
        if (roles & (1u << i)) {
            len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                    n == 0           ? ""
                                    : n + 1 == total ? " or "
                                                     : ", ",
                                    tf_role_name(1u << i));
            n++;
        }
    if (len < size)
        snprintf(buf + len, size - len, " role");
}

struct acting {
    char id[128], donor[128];
    unsigned roles;
};

static int note_actor(void *ctx, const tf_user *u)
{
    struct acting *a = ctx;

    snprintf(a->id, sizeof(a->id), "%s", u->id);
    snprintf(a->donor, sizeof(a->donor), "%s", u->donor ? u->donor : "");
    a->roles = u->roles;
    return 0;
}

int cli_authorize(tf_fund *fund)
{
    const struct cmd_role *r;
    struct acting a;
    struct scan s;
    char what[160], need[160];
    unsigned roles;
    int team = 0, argc = saved_argc;
    char **argv = saved_argv;
    tf_diag diag;
    tf_error err;

    memset(&a, 0, sizeof(a));
    tf_diag_clear(&diag);
    if (!argv || !cli_current)
        return cli_fail(TF_ERR_USAGE, NULL);
    err = tf_actor_resolve(fund, &team, note_actor, &a, &diag);
    if (err && err != TF_ERR_RULE)
        return cli_fail(err, &diag);
    if (!err)
        snprintf(actor_id, sizeof(actor_id), "%s", a.id);
    if (!err && !team)
        return 0; /* a single-user fund: every command is allowed */

    r = find_role(cli_current->name, argc, argv, &s);
    if (r && r->sub && strcmp(r->sub, "*"))
        snprintf(what, sizeof(what), "%s %s", r->command, r->sub);
    else if (r && r->sub && (r->flags & R_POSITIONAL) && s.npos)
        snprintf(what, sizeof(what), "%s %.64s", r->command, s.pos[0]);
    else if (r && r->sub && argc > 1)
        snprintf(what, sizeof(what), "%s %.64s", r->command, argv[1]);
    else
        snprintf(what, sizeof(what), "%s", cli_current->name);
    if (!r) {
        fprintf(
            stderr, "tfund: '%s%s%.64s' is open to no role in a team fund\n",
            cli_current->name, argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
        return 1;
    }
    roles = r->roles;
    if ((r->flags & R_DRY_RUN) && s.dry_run && !s.unknown)
        roles = ANY_USER;
    if (roles)
        describe_roles(roles, need, sizeof(need));
    else
        snprintf(need, sizeof(need), "an active user of this fund");
    if (err) {
        /* No active user is mapped to this login. */
        fprintf(stderr, "tfund: '%s' needs %s: %s\n", what, need, diag.msg);
        return 1;
    }
    if (a.roles & TF_ROLE_DONOR) {
        const char *id = NULL;
        if ((r->flags & R_DONOR_ARG) && !s.unknown && s.npos == 1)
            id = s.pos[0];
        else if ((r->flags & R_DONOR_OPT) && !s.unknown)
            id = s.donor;
        if (id && !strcmp(id, a.donor))
            return 0;
        fprintf(stderr,
                "tfund: '%s' is refused to user '%s': a donor user reads "
                "only its donor's statement ('report donor %s'), pledges "
                "and receipts ('--donor %s')\n",
                what, a.id, a.donor, a.donor);
        return 1;
    }
    if (!roles || (a.roles & roles))
        return 0;
    if ((r->flags & R_SELF) && !s.unknown && s.npos == 1 &&
        !strcmp(s.pos[0], a.id))
        return 0;
    fprintf(stderr, "tfund: '%s' needs %s, which user '%s' does not have\n",
            what, need, a.id);
    return 1;
}

/* ---- tfund user ------------------------------------------------------ */

static int user_add(int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},
        {"login", required_argument, NULL, 'l'},
        {"donor", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *roles_text = NULL;
    char login[128], roles[128];
    tf_user u;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    long count = 0;
    int c, rc;

    memset(&u, 0, sizeof(u));
    tf_diag_clear(&diag);
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'n':
            u.name = optarg;
            break;
        case 'r':
            roles_text = optarg;
            break;
        case 'l':
            u.login = optarg;
            break;
        case 'd':
            u.donor = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("user add needs one ID");
    u.id = argv[optind];
    if (!u.name)
        return cli_usage("user add needs --name");
    if (!roles_text)
        return cli_usage("user add needs --role");
    if (tf_roles_parse(roles_text, &u.roles, &diag))
        return cli_usage("--role: %s", diag.msg);
    if ((rc = cli_open(&fund)))
        return rc;
    err = cli_begin(fund, &diag);
    if (!err)
        err = tf_users_count(fund, &count, &diag);
    /* The first user keeps the fund in the hands of whoever makes it a
     * team fund: mapped to this login unless --login says otherwise. */
    if (!err && count == 0 && !u.login)
        u.login = tf_actor_login(login, sizeof(login));
    if (!err)
        err = tf_user_add(fund, &u, cli_actor(), &diag);
    if (!err)
        tf_audit_summary(fund, "user %s added (%s)%s", u.id,
                         tf_roles_format(u.roles, roles, sizeof(roles)),
                         count == 0 ? ": the fund is a team fund" : "");
    err = cli_finish(fund, err, &diag);
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("user %s added (%s)%s%s%s\n", u.id,
           tf_roles_format(u.roles, roles, sizeof(roles)),
           u.login ? ", login '" : "", u.login ? u.login : "",
           u.login ? "'" : "");
    if (count == 0)
        printf("the fund is now a team fund: every command needs a user "
               "with its role\n");
    printf("set a password for the browser with 'tfund user password %s'\n",
           u.id);
    return 0;
}

struct list_out {
    cli_table *t;
};

static int list_user(void *ctx, const tf_user *u)
{
    struct list_out *o = ctx;
    char roles[128];
    const char *cells[] = {u->id,
                           u->name,
                           tf_roles_format(u->roles, roles, sizeof(roles)),
                           u->login,
                           u->donor,
                           u->has_password ? "set" : "none",
                           u->disabled ? "disabled" : "active",
                           u->created};

    cli_table_row(o->t, cells);
    return 0;
}

static int user_list(int argc, char **argv)
{
    static const char *const cols[] = {"id",    "name",     "roles", "login",
                                       "donor", "password", "state", "created"};
    cli_format fmt = CLI_TEXT;
    struct list_out o;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_format_options(argc, argv, &fmt)) >= 0)
        return rc;
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    o.t = cli_table_new(fmt, stdout, cols, "ssssssss");
    err = tf_user_each(fund, NULL, list_user, &o, &diag);
    cli_table_end(o.t);
    return cli_close(fund, err, &diag);
}

static int user_disable(int argc, char **argv)
{
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_help_options(argc, argv)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("user disable needs one ID");
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        err = tf_user_disable(fund, argv[optind], cli_actor(), &diag);
        if (!err)
            tf_audit_summary(fund, "user %s disabled", argv[optind]);
        err = cli_finish(fund, err, &diag);
    }
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("user %s disabled\n", argv[optind]);
    return 0;
}

/* Reads one line into buf without its line end; -1 at end of input, -2
 * when longer than size - 1 bytes. */
static int read_line(FILE *in, char *buf, size_t size)
{
    size_t n;

    if (!fgets(buf, (int)size, in))
        return -1;
    n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(in)) {
        int ch;
        while ((ch = fgetc(in)) != EOF && ch != '\n')
            ;
        explicit_bzero(buf, size);
        return -2;
    }
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Reads a password from the terminal without echo, or as one line of
 * standard input when that is not a terminal. Returns 0, or the exit
 * status after saying why. */
static int read_password(char *pw, size_t size)
{
    char again[TF_PASSWORD_MAX + 2];
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO), rc;

    if (!tty) {
        rc = read_line(stdin, pw, size);
        if (rc == -1) {
            fprintf(stderr, "tfund: no password on standard input\n");
            return 2;
        }
        if (rc == -2) {
            fprintf(stderr, "tfund: the password is longer than %d bytes\n",
                    TF_PASSWORD_MAX);
            return 2;
        }
        return 0;
    }
    if (tcgetattr(STDIN_FILENO, &old) != 0) {
        fprintf(stderr, "tfund: cannot read the terminal: %s\n",
                strerror(errno));
        return 3;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    /* Echo goes off before the prompt shows, so that nothing typed after
     * it is ever shown or lost. */
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
        fprintf(stderr, "tfund: cannot turn the terminal's echo off: %s\n",
                strerror(errno));
        return 3;
    }
    fputs("new password: ", stderr);
    fflush(stderr);
    rc = read_line(stdin, pw, size);
    if (rc == 0) {
        fputs("again: ", stderr);
        fflush(stderr);
        rc = read_line(stdin, again, sizeof(again));
    }
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (rc == -2) {
        fprintf(stderr, "tfund: the password is longer than %d bytes\n",
                TF_PASSWORD_MAX);
        rc = 2;
    } else if (rc == -1) {
        fprintf(stderr, "tfund: no password given\n");
        rc = 2;
    } else if (strcmp(pw, again)) {
        fprintf(stderr, "tfund: the two passwords differ; nothing changed\n");
        rc = 2;
    }
    explicit_bzero(again, sizeof(again));
    return rc;
}

static int user_password(int argc, char **argv)
{
    char pw[TF_PASSWORD_MAX + 2];
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_help_options(argc, argv)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("user password needs one ID (the password is read "
                         "from the terminal or standard input)");
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    /* Known before the password is asked for. */
    err = tf_user_each(fund, argv[optind], NULL, NULL, &diag);
    if (err) {
        tf_fund_close(fund);
        return cli_fail(err, &diag);
    }
    if ((rc = read_password(pw, sizeof(pw)))) {
        explicit_bzero(pw, sizeof(pw));
        tf_fund_close(fund);
        return rc;
    }
    err = cli_begin(fund, &diag);
    if (!err) {
        err = tf_user_set_password(fund, argv[optind], pw, cli_actor(), &diag);
        if (!err)
            tf_audit_summary(fund, "password of user %s set", argv[optind]);
        err = cli_finish(fund, err, &diag);
    }
    explicit_bzero(pw, sizeof(pw));
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("password of user %s set\n", argv[optind]);
    return 0;
}

static int user_roles(int argc, char **argv)
{
    static const char *const cols[] = {"command", "role"};
    cli_format fmt = CLI_TEXT;
    cli_table *t;
    int rc;

    if ((rc = cli_format_options(argc, argv, &fmt)) >= 0)
        return rc;
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    t = cli_table_new(fmt, stdout, cols, "ss");
    for (size_t i = 0; i < sizeof(cmd_roles) / sizeof(cmd_roles[0]); i++) {
        const struct cmd_role *r = &cmd_roles[i];
        char command[96], role[256], names[128];
        if (r->flags & R_NO_FUND)
            continue;
        snprintf(command, sizeof(command), "%s%s%s", r->command,
                 r->sub ? " " : "",
                 !r->sub                         ? ""
                 : strcmp(r->sub, "*")           ? r->sub
                 : !strcmp(r->command, "import") ? "KIND (other kinds)"
                 : !strcmp(r->command, "report") ? "KIND (other reports)"
                 : (r->flags & R_POSITIONAL)     ? "REF"
                                                 : "(its other forms)");
        if (r->roles)
            snprintf(role, sizeof(role), "%s",
                     tf_roles_format(r->roles, names, sizeof(names)));
        else
            snprintf(role, sizeof(role), "any user but a donor");
        if (r->flags & R_DRY_RUN)
            snprintf(role + strlen(role), sizeof(role) - strlen(role),
                     " (--dry-run: any user but a donor)");
        if (r->flags & (R_DONOR_ARG | R_DONOR_OPT))
            snprintf(role + strlen(role), sizeof(role) - strlen(role),
                     "; donor for its own donor");
        if (r->flags & R_SELF)
            snprintf(role + strlen(role), sizeof(role) - strlen(role),
                     "; any user for itself");
        {
            const char *cells[] = {command, role};
            cli_table_row(t, cells);
        }
    }
    return cli_table_end(t) ? 3 : 0;
}

static int run_user(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("missing subcommand");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help"))
        return cli_help();
    if (!strcmp(argv[1], "add"))
        return user_add(argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return user_list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "disable"))
        return user_disable(argc - 1, argv + 1);
    if (!strcmp(argv[1], "password"))
        return user_password(argc - 1, argv + 1);
    if (!strcmp(argv[1], "roles"))
        return user_roles(argc - 1, argv + 1);
    return cli_usage("unknown subcommand '%s'", argv[1]);
}

const struct tf_cmd cmd_user = {
    "user", "add, list or disable the users of a team fund", run_user,
    "usage: tfund user add ID --name NAME --role ROLE[,ROLE...]\n"
    "                     [--login OSLOGIN] [--donor DONOR]\n"
    "       tfund user list [--format text|csv|json]\n"
    "       tfund user disable ID\n"
    "       tfund user password ID\n"
    "       tfund user roles [--format text|csv|json]\n"
    "\n"
    "A fund without users is a single-user fund: whoever runs tfund on it\n"
    "may do everything. The first 'user add' must make an admin with a\n"
    "login (the login running it unless --login says otherwise); from then\n"
    "on the fund is a team fund, and every command needs an active user\n"
    "mapped to the operating-system login that runs it, holding the\n"
    "command's role ('user roles' lists them). Otherwise it is refused with\n"
    "exit status 1, naming the role.\n"
    "\n"
    "Roles:\n"
    "  admin       users and settings (no money commands)\n"
    "  recorder    rates, donors, pledges, receipts, sessions, requests,\n"
    "              costs, preparation spending and their reversals\n"
    "  programme   allocation runs, cancellations, disbursements\n"
    "  certifying  certifies runs and disbursements\n"
    "  approving   approves them; surplus, closing the fund and periods\n"
    "  auditor     reads everything, writes nothing\n"
    "  donor       bound to one donor (--donor): reads only that donor's\n"
    "              statement, pledges and receipts; no other role with it\n"
    "Every other role reads all the books.\n"
    "\n"
    "--login maps the user to an operating-system login for the command\n"
    "line (one active user per login); a user without one works only in the\n"
    "browser ('tfund serve'). 'user password' reads the password from the\n"
    "terminal without echo (twice), or as one line of standard input when\n"
    "that is not a terminal, never from the command line; it is stored as\n"
    "an Argon2id hash. An admin sets anyone's password, any user its own.\n"
    "A user is never changed in place: each change is a new version, and\n"
    "a disabled user stays disabled. The last active admin with a login\n"
    "cannot be disabled.\n"};
