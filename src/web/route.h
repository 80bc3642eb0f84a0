/* SPDX-License-Identifier: MIT */
/*
 * The routes of tfund serve (DESIGN.md section 12), a table like the
 * command line's: method, path pattern, the roles that may use it, and
 * the handler. A pattern is a path whose segments "{}" match one segment
 * of the request's path (not empty, no '/'), handed to the handler as a
 * parameter. The table itself is web_routes (pages.c).
 */
#ifndef TF_WEB_ROUTE_H
#define TF_WEB_ROUTE_H

#include <stddef.h>

struct web_request;

#define WEB_PARAMS_MAX 3
#define WEB_PARAM_LEN  128

/* Route flags. */
enum {
    WEB_PUBLIC = 1,     /* no login needed */
    WEB_DONOR_SELF = 2, /* a donor user only for its own donor (param 0) */
    WEB_UPLOAD = 4      /* a file upload: the larger body limit */
};

typedef int (*web_handler)(struct web_request *rq);

struct web_route {
    const char *method;
    const char *pattern;
    unsigned roles; /* tf_role bits allowed (ignored when WEB_PUBLIC) */
    unsigned flags;
    web_handler fn;
};

/* The routes of the server (pages.c), and their count. */
extern const struct web_route web_routes[];
extern const size_t web_nroutes;

/*
 * Finds the route for method and path in table[0..n): 0 and *out when
 * found, with the parameters copied into params (*nparams of them); 404
 * when no pattern matches the path (or a parameter is longer than
 * WEB_PARAM_LEN - 1); 405 when one matches with another method.
 */
int web_route_match(const struct web_route *table, size_t n, const char *method,
                    const char *path, const struct web_route **out,
                    char params[WEB_PARAMS_MAX][WEB_PARAM_LEN], int *nparams);

#endif
