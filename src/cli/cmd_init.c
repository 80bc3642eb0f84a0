/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int run_init(int argc, char **argv)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"base", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *base = NULL;
    tf_fund *fund = NULL;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'n':
            name = optarg;
            break;
        case 'b':
            base = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_db_is_dir()))
        return rc;
    tf_diag_clear(&diag);
    /* The settings given are set in the creation's transaction, so that
     * creating the fund is one event. */
    {
        const char *settings[5] = {NULL};
        int n = 0;
        if (name) {
            settings[n++] = "fund_name";
            settings[n++] = name;
        }
        if (base) {
            settings[n++] = "base_currency";
            settings[n++] = base;
        }
        if ((err = tf_fund_create_with(&fund, cli_db_path, settings, &diag)))
            return cli_fail(err, &diag);
    }
    printf("created fund '%s' (base currency %s, 195 countries loaded)\n",
           cli_db_path, tf_fund_base(fund)->code);
    tf_fund_close(fund);
    return 0;
}

const struct tf_cmd cmd_init = {
    "init", "create a new fund database", run_init,
    "usage: tfund [--db PATH] init [--name NAME] [--base CURRENCY]\n"
    "\n"
    "Creates the fund file (mode 0600) with the default settings and the\n"
    "shipped country classification (UN members and observers, LDC\n"
    "inclusion and graduation dates). Refuses to overwrite a file.\n"
    "\n"
    "  --name NAME       the fund's name, shown on reports\n"
    "  --base CURRENCY   base currency of the books (default USD)\n"};
