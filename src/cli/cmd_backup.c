/* SPDX-License-Identifier: MIT */
/* tfund backup: a consistent copy of the fund. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int run_backup(int argc, char **argv)
{
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_help();
    if (argc != 2)
        return cli_usage("backup needs a FILE");
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_fund_backup(fund, argv[1], &diag);
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("backed up '%s' to '%s'\n", cli_db_path, argv[1]);
    return 0;
}

const struct tf_cmd cmd_backup = {
    "backup", "copy the fund into a new file", run_backup,
    "usage: tfund backup FILE\n"
    "\n"
    "Copies the whole fund into FILE (which must not exist) with SQLite's\n"
    "online backup, consistent even while another process writes. The copy\n"
    "is written to a temporary file beside FILE, synced to disk and only\n"
    "then given its name; interrupted (Ctrl-C, SIGTERM) it is removed.\n"
    "Exit status 1 when FILE exists, 2 when FILE is a device, a FIFO, a\n"
    "symbolic link or a folder.\n"};
