/* SPDX-License-Identifier: MIT */
/*
 * The pieces of tfund serve that decide what is safe, tested without a
 * server: the HTML writer's escaping (every text through html_txt and
 * html_attr, every URL value through html_url_seg), sessions and CSRF
 * tokens (random, compared whole, replaced at login, ended after 30
 * idle minutes), the login lockout (five failures, one minute), the
 * route table's matching (404, 405, parameters that cannot hold a '/'),
 * the command an event of a POST records, and the parts of pages kept
 * while the books stay as they were.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"
#include "html.h"
#include "route.h"
#include "testutil.h"
#include "session.h"
#include "tfund/users.h"
#include "web.h"

/* ---- The HTML writer ------------------------------------------------ */

/* What fn wrote, as a new string. */
#define CAPTURE(buf, call)                                                     \
    do {                                                                       \
        size_t len_ = 0;                                                       \
        FILE *out = open_memstream(&(buf), &len_);                             \
        assert_non_null(out);                                                  \
        call;                                                                  \
        assert_int_equal(fclose(out), 0);                                      \
    } while (0)

static void test_html_txt(void **state)
{
    char *s = NULL;

    (void)state;
    CAPTURE(s, html_txt(out, "<script>alert(1)</script>"));
    assert_string_equal(s, "&lt;script&gt;alert(1)&lt;/script&gt;");
    free(s);
    CAPTURE(s, html_txt(out, "a & b \"c\" 'd' <e>"));
    assert_string_equal(s, "a &amp; b &quot;c&quot; &#39;d&#39; &lt;e&gt;");
    free(s);
    /* Entities are text too: written as they were typed. */
    CAPTURE(s, html_txt(out, "&lt;&amp;"));
    assert_string_equal(s, "&amp;lt;&amp;amp;");
    free(s);
    CAPTURE(s, html_txt(out, "Zoë, Genève — 東京"));
    assert_string_equal(s, "Zoë, Genève — 東京");
    free(s);
    CAPTURE(s, html_txt(out, NULL));
    assert_string_equal(s, "");
    free(s);
    CAPTURE(s, html_txt(out, ""));
    assert_string_equal(s, "");
    free(s);
}

static void test_html_attr(void **state)
{
    char *s = NULL;

    (void)state;
    /* A value cannot leave its quotes. */
    CAPTURE(s, html_attr(out, "\" onmouseover=\"alert(1)"));
    assert_string_equal(s, "&quot; onmouseover=&quot;alert(1)");
    free(s);
    CAPTURE(s, html_attr(out, "' onfocus='x"));
    assert_string_equal(s, "&#39; onfocus=&#39;x");
    free(s);
    CAPTURE(s, html_hidden(out, "csrf", "a\"><script>"));
    assert_string_equal(s, "<input type=\"hidden\" name=\"csrf\" "
                           "value=\"a&quot;&gt;&lt;script&gt;\">");
    free(s);
    CAPTURE(s, html_option(out, "x\"y", "<b>", 1));
    assert_string_equal(
        s, "<option value=\"x&quot;y\" selected>&lt;b&gt;</option>");
    free(s);
    CAPTURE(s, html_option(out, "v", "t", 0));
    assert_string_equal(s, "<option value=\"v\">t</option>");
    free(s);
}

static void test_html_url(void **state)
{
    char *s = NULL;

    (void)state;
    CAPTURE(s, html_url_seg(out, "norway"));
    assert_string_equal(s, "norway");
    free(s);
    CAPTURE(s, html_url_seg(out, "a-b.c_d~e"));
    assert_string_equal(s, "a-b.c_d~e");
    free(s);
    /* Nothing of a value can end the path, start a query or an attribute. */
    CAPTURE(s, html_url_seg(out, "../x?y=1&z#\"<> /é"));
    assert_string_equal(s, "..%2Fx%3Fy%3D1%26z%23%22%3C%3E%20%2F%C3%A9");
    free(s);
    CAPTURE(s, html_link_open(out, "/donors/", "a/\"b", "/statement.xlsx"));
    assert_string_equal(s, "<a href=\"/donors/a%2F%22b/statement.xlsx\">");
    free(s);
    CAPTURE(s, html_link_open(out, "/sessions/", NULL, "?format=csv&x=1"));
    assert_string_equal(s, "<a href=\"/sessions/?format=csv&amp;x=1\">");
    free(s);
    CAPTURE(s,
            (html_raw(out, "<p>"), html_int(out, -42), html_link_close(out)));
    assert_string_equal(s, "<p>-42</a>");
    free(s);
}

/* ---- Sessions and CSRF tokens --------------------------------------- */

static int is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

static void test_tokens(void **state)
{
    char a[WEB_TOKEN_HEX + 1], b[WEB_TOKEN_HEX + 1];

    (void)state;
    web_token_new(a);
    web_token_new(b);
    assert_true(is_hex64(a));
    assert_true(is_hex64(b));
    assert_string_not_equal(a, b);
}

static void test_sessions(void **state)
{
    web_sessions *store = web_sessions_new(100);
    web_session anon, user, found;
    time_t t0 = 1000000;

    (void)state;
    assert_non_null(store);
    assert_int_equal(web_session_create(store, NULL, t0, &anon), 0);
    assert_true(is_hex64(anon.id));
    assert_true(is_hex64(anon.csrf));
    assert_string_not_equal(anon.id, anon.csrf);
    assert_string_equal(anon.user, "");

    /* Logging in makes another session: new id, new token. */
    assert_int_equal(web_session_create(store, "rec", t0, &user), 0);
    web_session_destroy(store, anon.id);
    assert_string_not_equal(user.id, anon.id);
    assert_string_not_equal(user.csrf, anon.csrf);
    assert_int_equal(web_session_find(store, anon.id, t0, &found), -1);
    assert_int_equal(web_session_find(store, user.id, t0 + 5, &found), 0);
    assert_string_equal(found.user, "rec");
    assert_string_equal(found.csrf, user.csrf);

    /* Ids the store never gave are unknown, whatever their form. */
    assert_int_equal(web_session_find(store, "ab", t0, &found), -1);
    assert_int_equal(web_session_find(store, NULL, t0, &found), -1);
    {
        char planted[WEB_TOKEN_HEX + 1];
        memset(planted, 'a', WEB_TOKEN_HEX);
        planted[WEB_TOKEN_HEX] = '\0';
        assert_int_equal(web_session_find(store, planted, t0, &found), -1);
        /* Upper case is another id. */
        char upper[WEB_TOKEN_HEX + 1];
        for (int i = 0; i <= WEB_TOKEN_HEX; i++)
            upper[i] =
                (char)(user.id[i] >= 'a' && user.id[i] <= 'f' ? user.id[i] - 32
                                                              : user.id[i]);
        if (strcmp(upper, user.id))
            assert_int_equal(web_session_find(store, upper, t0, &found), -1);
    }

    /* 30 idle minutes end it; use keeps it alive. */
    assert_int_equal(
        web_session_find(store, user.id, t0 + 5 + WEB_IDLE_SECS - 1, &found),
        0);
    assert_int_equal(web_session_find(store, user.id,
                                      t0 + 5 + 2 * WEB_IDLE_SECS - 2, &found),
                     0);
    assert_int_equal(
        web_session_find(store, user.id, t0 + 5 + 3 * WEB_IDLE_SECS, &found),
        -1);
    /* Gone for good, even if asked earlier again. */
    assert_int_equal(web_session_find(store, user.id, t0, &found), -1);
    web_sessions_free(store);
}

static void test_flash_and_destroy_user(void **state)
{
    web_sessions *store = web_sessions_new(100);
    web_session a, b, c, found;

    (void)state;
    assert_int_equal(web_session_create(store, "prog", 10, &a), 0);
    assert_int_equal(web_session_create(store, "prog", 10, &b), 0);
    assert_int_equal(web_session_create(store, "aud", 10, &c), 0);
    web_session_flash(store, a.id, "P-1 recorded");
    assert_int_equal(web_session_find(store, a.id, 11, &found), 0);
    assert_string_equal(found.flash, "P-1 recorded");
    /* A message is shown once. */
    assert_int_equal(web_session_find(store, a.id, 12, &found), 0);
    assert_string_equal(found.flash, "");
    web_session_destroy_user(store, "prog");
    assert_int_equal(web_session_find(store, a.id, 13, &found), -1);
    assert_int_equal(web_session_find(store, b.id, 13, &found), -1);
    assert_int_equal(web_session_find(store, c.id, 13, &found), 0);
    assert_int_equal(web_sessions_count(store), 1);
    web_sessions_free(store);
}

static void test_store_is_bounded(void **state)
{
    web_sessions *store = web_sessions_new(8);
    web_session first, s, found;

    (void)state;
    assert_int_equal(web_session_create(store, NULL, 100, &first), 0);
    for (int i = 1; i <= 20; i++)
        assert_int_equal(web_session_create(store, NULL, 100 + i, &s), 0);
    assert_true(web_sessions_count(store) <= 8);
    /* The least recently used went first. */
    assert_int_equal(web_session_find(store, first.id, 200, &found), -1);
    assert_int_equal(web_session_find(store, s.id, 200, &found), 0);
    web_sessions_free(store);
}

static void test_store_keeps_logged_in(void **state)
{
    web_sessions *store = web_sessions_new(8);
    web_session a, b, s, found;

    (void)state;
    assert_int_equal(web_session_create(store, "rec", 100, &a), 0);
    assert_int_equal(web_session_create(store, "aud", 101, &b), 0);
    /* A flood of login forms pushes out login forms only. */
    for (int i = 0; i < 50; i++)
        assert_int_equal(web_session_create(store, NULL, 200 + i, &s), 0);
    assert_int_equal(web_session_find(store, a.id, 300, &found), 0);
    assert_int_equal(web_session_find(store, b.id, 300, &found), 0);
    assert_int_equal(web_session_find(store, s.id, 300, &found), 0);
    assert_true(web_sessions_count(store) <= 8);
    web_sessions_free(store);
}

static void test_csrf(void **state)
{
    web_sessions *store = web_sessions_new(10);
    web_session s, other;
    char token[WEB_TOKEN_HEX + 1];

    (void)state;
    assert_int_equal(web_session_create(store, "rec", 1, &s), 0);
    assert_int_equal(web_session_create(store, "rec", 1, &other), 0);
    assert_true(web_csrf_ok(&s, s.csrf));
    assert_false(web_csrf_ok(&s, other.csrf));
    assert_false(web_csrf_ok(&s, NULL));
    assert_false(web_csrf_ok(&s, ""));
    assert_false(web_csrf_ok(NULL, s.csrf));
    /* A prefix, or the token with more after it, is not the token. */
    snprintf(token, sizeof(token), "%.63s", s.csrf);
    assert_false(web_csrf_ok(&s, token));
    {
        char longer[WEB_TOKEN_HEX + 2];
        snprintf(longer, sizeof(longer), "%s0", s.csrf);
        assert_false(web_csrf_ok(&s, longer));
    }
    /* One digit changed anywhere. */
    for (int i = 0; i < WEB_TOKEN_HEX; i += 9) {
        snprintf(token, sizeof(token), "%s", s.csrf);
        token[i] = token[i] == '0' ? '1' : '0';
        assert_false(web_csrf_ok(&s, token));
    }
    /* The session id is not the token. */
    assert_false(web_csrf_ok(&s, s.id));
    web_sessions_free(store);
}

static void test_lockout(void **state)
{
    web_sessions *store = web_sessions_new(10);
    time_t t = 5000;

    (void)state;
    assert_int_equal(web_login_locked(store, "cert", t), 0);
    for (int i = 1; i < WEB_LOCK_FAILS; i++) {
        assert_int_equal(web_login_failed(store, "cert", t + i), 0);
        assert_int_equal(web_login_locked(store, "cert", t + i), 0);
    }
    /* The fifth failure locks for a minute. */
    assert_int_equal(web_login_failed(store, "cert", t + 10), WEB_LOCK_SECS);
    assert_int_equal(web_login_locked(store, "cert", t + 10), WEB_LOCK_SECS);
    assert_int_equal(web_login_locked(store, "cert", t + 69), 1);
    /* Others are not locked. */
    assert_int_equal(web_login_locked(store, "appr", t + 10), 0);
    /* After the minute it may try again, and the count starts afresh. */
    assert_int_equal(web_login_locked(store, "cert", t + 70), 0);
    for (int i = 1; i < WEB_LOCK_FAILS; i++)
        assert_int_equal(web_login_failed(store, "cert", t + 70 + i), 0);
    assert_int_equal(web_login_locked(store, "cert", t + 80), 0);
    /* A good login forgets the failures. */
    web_login_succeeded(store, "cert");
    for (int i = 1; i < WEB_LOCK_FAILS; i++)
        assert_int_equal(web_login_failed(store, "cert", t + 90 + i), 0);
    assert_int_equal(web_login_locked(store, "cert", t + 99), 0);
    assert_int_equal(web_login_failed(store, "cert", t + 100), WEB_LOCK_SECS);
    web_sessions_free(store);
}

static void test_lockout_survives_many_names(void **state)
{
    web_sessions *store = web_sessions_new(10);
    char name[32];

    (void)state;
    for (int i = 0; i < WEB_LOCK_FAILS; i++)
        web_login_failed(store, "cert", 10);
    assert_int_equal(web_login_locked(store, "cert", 11), WEB_LOCK_SECS - 1);
    /* Failures under thousands of other names do not lift the lock. */
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "name%d", i);
        web_login_failed(store, name, 12);
    }
    assert_int_equal(web_login_locked(store, "cert", 13), WEB_LOCK_SECS - 3);
    web_sessions_free(store);
}

/* ---- Routes --------------------------------------------------------- */

static int handler_a(struct web_request *rq)
{
    (void)rq;
    return 1;
}

static int handler_b(struct web_request *rq)
{
    (void)rq;
    return 2;
}

static const struct web_route table[] = {
    {"GET", "/", 1, 0, handler_a},
    {"GET", "/donors", 1, 0, handler_a},
    {"POST", "/donors", 2, 0, handler_b},
    {"GET", "/donors/{}", 1, WEB_DONOR_SELF, handler_a},
    {"GET", "/donors/{}/statement.xlsx", 1, WEB_DONOR_SELF, handler_b},
    {"POST", "/runs/{}/{}", 4, 0, handler_b},
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

static int match(const char *method, const char *path,
                 const struct web_route **r,
                 char params[WEB_PARAMS_MAX][WEB_PARAM_LEN], int *n)
{
    return web_route_match(table, NTABLE, method, path, r, params, n);
}

static void test_routes(void **state)
{
    char params[WEB_PARAMS_MAX][WEB_PARAM_LEN];
    const struct web_route *r;
    int n;

    (void)state;
    assert_int_equal(match("GET", "/", &r, params, &n), 0);
    assert_ptr_equal(r, &table[0]);
    assert_int_equal(match("GET", "/donors", &r, params, &n), 0);
    assert_ptr_equal(r, &table[1]);
    assert_int_equal(n, 0);
    assert_int_equal(match("POST", "/donors", &r, params, &n), 0);
    assert_ptr_equal(r, &table[2]);
    assert_int_equal(match("GET", "/donors/norway", &r, params, &n), 0);
    assert_ptr_equal(r, &table[3]);
    assert_int_equal(n, 1);
    assert_string_equal(params[0], "norway");
    assert_int_equal(
        match("GET", "/donors/norway/statement.xlsx", &r, params, &n), 0);
    assert_ptr_equal(r, &table[4]);
    assert_string_equal(params[0], "norway");
    assert_int_equal(match("POST", "/runs/12/approve", &r, params, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(params[0], "12");
    assert_string_equal(params[1], "approve");
    /* HEAD is answered as GET. */
    assert_int_equal(match("HEAD", "/donors", &r, params, &n), 0);
    assert_ptr_equal(r, &table[1]);

    /* Another method: 405; no pattern: 404. */
    assert_int_equal(match("DELETE", "/donors", &r, params, &n), 405);
    assert_null(r);
    assert_int_equal(match("POST", "/donors/norway", &r, params, &n), 405);
    assert_int_equal(match("GET", "/nowhere", &r, params, &n), 404);
    assert_int_equal(match("GET", "", &r, params, &n), 404);
    assert_int_equal(match("GET", NULL, &r, params, &n), 404);
    assert_int_equal(match("GET", "donors", &r, params, &n), 404);
    /* A parameter is one segment: never empty, never with a '/'. */
    assert_int_equal(match("GET", "/donors/", &r, params, &n), 404);
    assert_int_equal(match("GET", "/donors//statement.xlsx", &r, params, &n),
                     404);
    assert_int_equal(match("GET", "/donors/a/b", &r, params, &n), 404);
    assert_int_equal(
        match("GET", "/donors/../../etc/statement.xlsx", &r, params, &n), 404);
    assert_int_equal(match("GET", "/donors/norway/", &r, params, &n), 404);
    assert_int_equal(
        match("GET", "/donors/norway/statement.xlsxx", &r, params, &n), 404);
    assert_int_equal(match("GET", "/donorsx", &r, params, &n), 404);
    /* A parameter too long for its buffer is no match. */
    {
        char path[WEB_PARAM_LEN + 16];
        memset(path, 'a', sizeof(path));
        memcpy(path, "/donors/", 8);
        path[8 + WEB_PARAM_LEN] = '\0';
        assert_int_equal(match("GET", path, &r, params, &n), 404);
        path[8 + WEB_PARAM_LEN - 1] = '\0';
        assert_int_equal(match("GET", path, &r, params, &n), 0);
        assert_int_equal(strlen(params[0]), WEB_PARAM_LEN - 1);
    }
}

/* The server's own table: every route is reachable, none shadows another,
 * and only the health check, the style sheet and the login are public. */
static void test_server_routes(void **state)
{
    char params[WEB_PARAMS_MAX][WEB_PARAM_LEN];
    const struct web_route *r;
    int n;

    (void)state;
    assert_true(web_nroutes >= 20);
    for (size_t i = 0; i < web_nroutes; i++) {
        const struct web_route *w = &web_routes[i];
        char path[256];
        size_t len = 0;
        for (const char *p = w->pattern; *p && len + 8 < sizeof(path);) {
            if (p[0] == '{' && p[1] == '}') {
                memcpy(path + len, "x1", 2);
                len += 2;
                p += 2;
            } else {
                path[len++] = *p++;
            }
        }
        path[len] = '\0';
        assert_int_equal(web_route_match(web_routes, web_nroutes, w->method,
                                         path, &r, params, &n),
                         0);
        assert_ptr_equal(r, w);
        assert_non_null(w->fn);
        if (w->flags & WEB_PUBLIC)
            assert_true(!strcmp(w->pattern, "/healthz") ||
                        !strcmp(w->pattern, "/static/style.css") ||
                        !strcmp(w->pattern, "/login"));
        else
            assert_int_not_equal(w->roles, 0);
        /* Writes are never open to donor users or auditors. */
        if (!strcmp(w->method, "POST") && strcmp(w->pattern, "/logout") &&
            strcmp(w->pattern, "/login")) {
            assert_int_equal(w->roles & TF_ROLE_DONOR, 0);
            assert_int_equal(w->roles & TF_ROLE_AUDITOR, 0);
        }
        /* A route that names a donor is checked against a donor user's. */
        if (!strncmp(w->pattern, "/donors/{}", 10))
            assert_true(w->flags & WEB_DONOR_SELF);
    }
}

/* ---- The command of a POST's event ------------------------------------ */

static void test_command_text(void **state)
{
    char csrf[] = "csrf", token[] = "0123abcd", ref[] = "ref", refv[] = "P-1",
         memo[] = "memo", memov[] = "it's <b>\nnew line", pw[] = "password",
         pwv[] = "hunter2 hunter2", file[] = "file", name[] = "my file.csv",
         data[] = "a,b\n1,2\n";
    struct web_field fields[] = {{csrf, token, 8, NULL},
                                 {ref, refv, 3, NULL},
                                 {memo, memov, sizeof(memov) - 1, NULL},
                                 {pw, pwv, sizeof(pwv) - 1, NULL},
                                 {file, data, sizeof(data) - 1, name}};
    struct web_request rq;
    char *text;

    (void)state;
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.path = "/pledges";
    rq.fields = fields;
    rq.nfields = 5;
    text = web_command_text(&rq);
    assert_non_null(text);
    /* The token never, a password masked, a control character escaped
     * so that the command stays one line, a file by its name and size. */
    assert_string_equal(text, "POST /pledges ref=P-1 $'memo=it\\'s "
                              "<b>\\nnew line' password='***' "
                              "'file=@my file.csv (8 bytes)'");
    free(text);
    rq.nfields = 0;
    text = web_command_text(&rq);
    assert_string_equal(text, "POST /pledges");
    free(text);
}

/* ---- Parts of pages kept while the books stay as they were ------------ */

struct renders {
    int n;
    const char *text;
};

static int render_part(struct web_request *rq, FILE *out, void *ctx)
{
    struct renders *r = ctx;

    (void)rq;
    r->n++;
    fputs(r->text, out);
    return 0;
}

static int render_fails(struct web_request *rq, FILE *out, void *ctx)
{
    struct renders *r = ctx;

    (void)rq;
    r->n++;
    fputs("half", out);
    return -1;
}

/* What web_cache_part wrote for key. */
static char *part(web_cache *c, struct web_request *rq, const char *key,
                  struct renders *r, int *rc)
{
    char *s = NULL;

    CAPTURE(s, *rc = web_cache_part(c, rq, out, key, render_part, r));
    return s;
}

static void test_cache(void **state)
{
    tf_fund *f = FUND(state);
    web_cache *c = web_cache_new(3, 1000);
    struct web_request rq;
    struct renders a = {0, "part A"}, b = {0, "part B"};
    tf_donor d = {"d1", "Donor one", "state", ""};
    long hits, misses;
    char *s;
    int rc, known = 0;

    assert_non_null(c);
    memset(&rq, 0, sizeof(rq));
    rq.fund = f;
    /* Rendered once, then served as it was. */
    for (int i = 0; i < 3; i++) {
        s = part(c, &rq, "a", &a, &rc);
        assert_int_equal(rc, 0);
        assert_string_equal(s, "part A");
        free(s);
    }
    assert_int_equal(a.n, 1);
    s = part(c, &rq, "b", &b, &rc);
    free(s);
    assert_int_equal(b.n, 1);
    /* A write moves the head of the event log: rendered again. */
    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    commit(f);
    a.text = "part A, now";
    s = part(c, &rq, "a", &a, &rc);
    assert_string_equal(s, "part A, now");
    free(s);
    assert_int_equal(a.n, 2);
    s = part(c, &rq, "a", &a, &rc);
    free(s);
    assert_int_equal(a.n, 2);
    /* A failed rendering is written (the caller answers otherwise) but
     * not kept. */
    for (int i = 0; i < 2; i++) {
        CAPTURE(s, rc = web_cache_part(c, &rq, out, "x", render_fails, &b));
        assert_int_equal(rc, -1);
        free(s);
    }
    assert_int_equal(b.n, 3);
    /* Bounded: at most 3 parts, at most 1000 bytes. */
    for (int i = 0; i < 10; i++) {
        char key[8];
        snprintf(key, sizeof(key), "k%d", i);
        s = part(c, &rq, key, &a, &rc);
        free(s);
    }
    {
        char big[1200];
        struct renders g = {0, big};
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        for (int i = 0; i < 2; i++) {
            s = part(c, &rq, "big", &g, &rc);
            assert_int_equal(strlen(s), sizeof(big) - 1);
            free(s);
        }
        assert_int_equal(g.n, 2); /* too large to keep */
    }
    web_cache_stats(c, &hits, &misses);
    assert_true(hits >= 3 && misses >= 14);
    /* Without a cache, rendered every time. */
    s = part(NULL, &rq, "a", &a, &rc);
    free(s);
    s = part(NULL, &rq, "a", &a, &rc);
    free(s);
    assert_int_equal(a.n, 14);
    web_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_txt),
        cmocka_unit_test(test_html_attr),
        cmocka_unit_test(test_html_url),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_flash_and_destroy_user),
        cmocka_unit_test(test_store_is_bounded),
        cmocka_unit_test(test_store_keeps_logged_in),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_lockout_survives_many_names),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_server_routes),
        cmocka_unit_test(test_command_text),
        cmocka_unit_test_setup_teardown(test_cache, fund_setup, fund_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
