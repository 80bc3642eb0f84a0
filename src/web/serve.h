/* SPDX-License-Identifier: MIT */
/* tfund serve: the web front end's entry point (server.c). */
#ifndef TF_WEB_SERVE_H
#define TF_WEB_SERVE_H

#include <stdio.h>

struct web_options {
    const char *db_path;
    const char *listen; /* "ADDR:PORT", "[ADDR6]:PORT" */
    const char *tls_cert, *tls_key;
    int insecure_remote; /* allow a non-loopback address without TLS */
    int threads;         /* workers, each with its own connection */
    FILE *announce;      /* "listening on URL" is written here */
};

/* Body limits of a POST: forms, and uploaded files (POST /import). */
#define WEB_FORM_MAX   (64 * 1024)
#define WEB_UPLOAD_MAX (8 * 1024 * 1024)

/* Serves the fund until SIGINT or SIGTERM; returns the exit status (2 bad
 * options, 3 cannot listen, 0 stopped). */
int web_serve(const struct web_options *opt);

#endif
