/* SPDX-License-Identifier: MIT */
/* Matching a request's path against the route table (route.h). */
#include <string.h>

#include "route.h"

/* Matches path against pattern; fills params. Returns 1 on a match. */
static int match(const char *pattern, const char *path,
                 char params[WEB_PARAMS_MAX][WEB_PARAM_LEN], int *nparams)
{
    const char *p = pattern, *s = path;

    *nparams = 0;
    while (*p) {
        if (p[0] == '{' && p[1] == '}') {
            size_t n = strcspn(s, "/");
            if (n == 0 || n >= WEB_PARAM_LEN || *nparams >= WEB_PARAMS_MAX)
                return 0;
            memcpy(params[*nparams], s, n);
            params[*nparams][n] = '\0';
            (*nparams)++;
            s += n;
            p += 2;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    return *s == '\0';
}

int web_route_match(const struct web_route *table, size_t n, const char *method,
                    const char *path, const struct web_route **out,
                    char params[WEB_PARAMS_MAX][WEB_PARAM_LEN], int *nparams)
{
    int other_method = 0;

    *out = NULL;
    *nparams = 0;
    if (!path || path[0] != '/')
        return 404;
    for (size_t i = 0; i < n; i++) {
        if (!match(table[i].pattern, path, params, nparams))
            continue;
        /* HEAD is answered as GET (the server leaves out the body). */
        if (!strcmp(table[i].method, method) ||
            (!strcmp(method, "HEAD") && !strcmp(table[i].method, "GET"))) {
            *out = &table[i];
            return 0;
        }
        other_method = 1;
    }
    *nparams = 0;
    return other_method ? 405 : 404;
}
