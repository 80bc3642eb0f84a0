/* SPDX-License-Identifier: MIT */
/*
 * The frame of every page (head, navigation by role, flash message),
 * forms that keep what was typed and put the error beside its field, and
 * tables written as HTML for a page or as CSV and JSON with the command
 * line's columns.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "html.h"
#include "tfund/users.h"
#include "web.h"

int web_user_has(const struct web_request *rq, unsigned roles)
{
    return rq->logged_in && (rq->user.roles & roles);
}

int web_format(struct web_request *rq)
{
    const char *f = web_query(rq, "format");

    if (!f || !*f || !strcmp(f, "html"))
        return 0;
    if (!strcmp(f, "csv"))
        return 1;
    if (!strcmp(f, "json"))
        return 2;
    page_message(rq, 400, "Unknown format",
                 "The format may be html, csv or json.");
    return -1;
}

int web_as_of(struct web_request *rq, const char **as_of)
{
    const char *d = web_query(rq, "as_of");
    tf_diag diag;

    *as_of = NULL;
    if (!d || !*d)
        return 0;
    tf_diag_clear(&diag);
    if (tf_date_check(d, &diag)) {
        page_message(rq, 400, "Bad date", diag.msg);
        return -1;
    }
    *as_of = d;
    return 0;
}

const char *web_format_type(int fmt)
{
    return fmt == 1 ? "text/csv; charset=utf-8"
                    : "application/json; charset=utf-8";
}

FILE *web_list_begin(struct web_request *rq, int fmt, int status,
                     const char *title)
{
    return fmt ? web_begin(rq, 200, web_format_type(fmt))
               : page_begin(rq, status, title);
}

int web_list_end(struct web_request *rq, int fmt)
{
    return fmt ? 0 : page_end(rq);
}

void page_record_row(FILE *out, const char *term, const char *value)
{
    html_raw(out, "<dt>");
    html_txt(out, term);
    html_raw(out, "</dt><dd>");
    html_txt(out, value);
    html_raw(out, "</dd>");
}

tf_error web_transaction(struct web_request *rq,
                         tf_error (*write)(struct web_request *rq, void *ctx,
                                           tf_diag *diag),
                         void *ctx, tf_diag *diag)
{
    const char *dup = web_field(rq, "allow_duplicate");
    tf_error err;

    if ((err = tf_fund_begin(rq->fund, diag)))
        return err;
    /* The form's "both were paid" box: --allow-duplicate of the command
     * line, for this write only (the worker's fund serves the next
     * request too). */
    tf_fund_allow_duplicates(rq->fund,
                             dup && (!strcmp(dup, "1") || !strcmp(dup, "on")));
    err = write(rq, ctx, diag);
    tf_fund_allow_duplicates(rq->fund, 0);
    if (err) {
        tf_fund_rollback(rq->fund);
        return err;
    }
    return tf_fund_commit(rq->fund, diag);
}

int web_number(const char *text, int64_t *n)
{
    int64_t v = 0;

    /* At most 18 digits: no overflow, and no leading zero or sign. */
    if (!text || !*text || *text == '0' || strlen(text) > 18)
        return -1;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    *n = v;
    return 0;
}

/* ---- The frame ------------------------------------------------------ */

static void nav_link(FILE *out, const char *path, const char *text)
{
    html_link_open(out, path, NULL, NULL);
    html_txt(out, text);
    html_link_close(out);
}

static void navigation(struct web_request *rq, FILE *out)
{
    html_raw(out, "<nav>");
    if (!rq->logged_in) {
        nav_link(out, "/login", "Log in");
    } else if (rq->user.roles & TF_ROLE_DONOR) {
        nav_link(out, "/", "Home");
        html_link_open(out, "/donors/", rq->user.donor, NULL);
        html_raw(out, "My contributions");
        html_link_close(out);
        html_link_open(out, "/donors/", rq->user.donor, "/statement.xlsx");
        html_raw(out, "Statement (.xlsx)");
        html_link_close(out);
    } else {
        nav_link(out, "/", "Dashboard");
        nav_link(out, "/donors", "Donors");
        nav_link(out, "/pledges", "Pledges");
        nav_link(out, "/receipts", "Receipts");
        nav_link(out, "/sessions", "Sessions");
        nav_link(out, "/waitlist", "Waitlist");
        nav_link(out, "/payments", "Payments");
        nav_link(out, "/balance", "Balance");
        nav_link(out, "/journal", "Journal");
        nav_link(out, "/verify", "Verify");
        nav_link(out, "/log", "Log");
        if (rq->user.roles & (TF_ROLE_RECORDER | TF_ROLE_ADMIN))
            nav_link(out, "/import", "Import");
        nav_link(out, "/reports/fund.xlsx", "Fund report");
    }
    html_raw(out, "</nav>");
    if (rq->logged_in) {
        html_raw(out, "<form class=\"logout\" method=\"post\" "
                      "action=\"/logout\">");
        html_hidden(out, "csrf", rq->session.csrf);
        html_raw(out, "<span>");
        html_txt(out, rq->user.name);
        html_raw(out, "</span> <button type=\"submit\">Log out</button>"
                      "</form>");
    }
}

FILE *page_begin(struct web_request *rq, int status, const char *title)
{
    char fund_name[256] = "tfund";
    FILE *out = web_begin(rq, status, "text/html; charset=utf-8");

    if (!out)
        return NULL;
    if (rq->fund)
        tf_setting_get(rq->fund, "fund_name", fund_name, sizeof(fund_name),
                       NULL);
    html_raw(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                  "<meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, "
                  "initial-scale=1\"><title>");
    html_txt(out, title);
    html_raw(out, " \xc2\xb7 ");
    html_txt(out, fund_name);
    html_raw(out, "</title><link rel=\"stylesheet\" href=\"/static/"
                  "style.css\"></head>\n<body><header>"
                  "<a class=\"brand\" href=\"/\">");
    html_txt(out, fund_name);
    html_raw(out, "</a>");
    navigation(rq, out);
    html_raw(out, "</header>\n<main><h1>");
    html_txt(out, title);
    html_raw(out, "</h1>\n");
    if (rq->has_session && rq->session.flash[0]) {
        html_raw(out, "<p class=\"flash\" role=\"status\">");
        html_txt(out, rq->session.flash);
        html_raw(out, "</p>\n");
    }
    return out;
}

int page_end(struct web_request *rq)
{
    if (rq->out)
        html_raw(rq->out, "</main>\n<footer>tfund</footer></body></html>\n");
    return 0;
}

int page_message(struct web_request *rq, int status, const char *title,
                 const char *msg)
{
    FILE *out = page_begin(rq, status, title);

    if (!out)
        return 0;
    html_raw(out, "<p class=\"message\">");
    html_txt(out, msg);
    html_raw(out, "</p>");
    if (status == 401) {
        html_raw(out, "<p>");
        nav_link(out, "/login", "Log in");
        html_raw(out, "</p>");
    }
    return page_end(rq);
}

/* ---- Forms ---------------------------------------------------------- */

void page_form_open(struct web_request *rq, FILE *out, const char *action,
                    int multipart)
{
    html_raw(out, "<form class=\"entry\" method=\"post\" action=\"");
    html_attr(out, action);
    html_raw(out, "\"");
    if (multipart)
        html_raw(out, " enctype=\"multipart/form-data\"");
    html_raw(out, ">");
    html_hidden(out, "csrf", rq->session.csrf);
}

static int is_error_field(const struct page_form *f, const char *name)
{
    return f && f->error_field && !strcmp(f->error_field, name);
}

static void field_error(FILE *out, const struct page_form *f, const char *name)
{
    if (!is_error_field(f, name))
        return;
    html_raw(out, "<span class=\"error\" id=\"error-");
    html_attr(out, name);
    html_raw(out, "\">");
    html_txt(out, f->error);
    html_raw(out, "</span>");
}

/* The id of a form's element: f-NAME, or f-FORM-NAME (form may be NULL). */
static void element_id(FILE *out, const char *form, const char *name)
{
    html_raw(out, "f-");
    if (form) {
        html_attr(out, form);
        html_raw(out, "-");
    }
    html_attr(out, name);
}

static void label_open_in(FILE *out, const struct page_form *f,
                          const char *form, const char *label, const char *name,
                          int required)
{
    html_raw(out, "<div class=\"field");
    if (is_error_field(f, name))
        html_raw(out, " invalid");
    html_raw(out, "\"><label for=\"");
    element_id(out, form, name);
    html_raw(out, "\">");
    html_txt(out, label);
    if (!required)
        html_raw(out, " <small>(optional)</small>");
    html_raw(out, "</label>");
}

static void label_open(FILE *out, const struct page_form *f, const char *label,
                       const char *name, int required)
{
    label_open_in(out, f, NULL, label, name, required);
}

void page_input(struct web_request *rq, FILE *out, const struct page_form *f,
                const char *label, const char *name, const char *type,
                int required, const char *hint)
{
    page_input_in(rq, out, f, NULL, label, name, type, required, hint);
}

void page_input_in(struct web_request *rq, FILE *out, const struct page_form *f,
                   const char *form, const char *label, const char *name,
                   const char *type, int required, const char *hint)
{
    page_input_or(rq, out, f, form, label, name, type, required, hint, NULL);
}

void page_input_or(struct web_request *rq, FILE *out, const struct page_form *f,
                   const char *form, const char *label, const char *name,
                   const char *type, int required, const char *hint,
                   const char *fallback)
{
    const char *value = web_field(rq, name);

    if (!value)
        value = fallback;

    label_open_in(out, f, form, label, name, required);
    html_raw(out, "<input id=\"");
    element_id(out, form, name);
    html_raw(out, "\" name=\"");
    html_attr(out, name);
    html_raw(out, "\" type=\"");
    html_attr(out, type);
    html_raw(out, "\"");
    if (value) {
        html_raw(out, " value=\"");
        html_attr(out, value);
        html_raw(out, "\"");
    }
    if (hint) {
        html_raw(out, " placeholder=\"");
        html_attr(out, hint);
        html_raw(out, "\"");
    }
    if (required)
        html_raw(out, " required");
    if (is_error_field(f, name)) {
        html_raw(out, " aria-invalid=\"true\" aria-describedby=\"error-");
        html_attr(out, name);
        html_raw(out, "\"");
    }
    html_raw(out, ">");
    field_error(out, f, name);
    html_raw(out, "</div>\n");
}

void page_select(struct web_request *rq, FILE *out, const struct page_form *f,
                 const char *label, const char *name,
                 const char *const *choices, int required)
{
    const char *value = web_field(rq, name);

    label_open(out, f, label, name, required);
    html_raw(out, "<select id=\"f-");
    html_attr(out, name);
    html_raw(out, "\" name=\"");
    html_attr(out, name);
    html_raw(out, "\"");
    if (required)
        html_raw(out, " required");
    html_raw(out, ">");
    html_option(out, "", required ? "(choose)" : "", !value || !*value);
    for (size_t i = 0; choices[i]; i++)
        html_option(out, choices[i], choices[i],
                    value && !strcmp(value, choices[i]));
    html_raw(out, "</select>");
    field_error(out, f, name);
    html_raw(out, "</div>\n");
}

void page_checkbox(struct web_request *rq, FILE *out, const struct page_form *f,
                   const char *label, const char *name)
{
    const char *value = web_field(rq, name);

    html_raw(out, "<div class=\"field");
    if (is_error_field(f, name))
        html_raw(out, " invalid");
    html_raw(out, "\"><label><input type=\"checkbox\" id=\"f-");
    html_attr(out, name);
    html_raw(out, "\" name=\"");
    html_attr(out, name);
    html_raw(out, "\" value=\"1\"");
    if (value && (!strcmp(value, "1") || !strcmp(value, "on")))
        html_raw(out, " checked");
    html_raw(out, "> ");
    html_txt(out, label);
    html_raw(out, "</label>");
    field_error(out, f, name);
    html_raw(out, "</div>\n");
}

void page_form_error(FILE *out, const struct page_form *f)
{
    if (!f || !f->error_field || *f->error_field)
        return;
    html_raw(out, "<p class=\"error\" role=\"alert\">");
    html_txt(out, f->error);
    html_raw(out, "</p>");
}

int page_write_failed(struct page_form *f, tf_error err, const tf_diag *diag)
{
    const char *m = diag && diag->msg[0] ? diag->msg : tf_strerror(err);
    const char *end;
    size_t n;
    int status;

    switch (err) {
    case TF_ERR_INPUT:
    case TF_ERR_NOTFOUND:
    case TF_ERR_USAGE:
        status = 400;
        break;
    case TF_ERR_RULE:
        status = 409;
        break;
    case TF_ERR_BUSY:
        status = 503;
        break;
    default:
        status = 500;
        break;
    }
    f->field[0] = '\0';
    f->error_field = f->field;
    snprintf(f->error, sizeof(f->error), "%s", m);
    /* The one-row imports behind the forms name the column, which is the
     * field of the same name. */
    if (!strncmp(m, "column '", 8) && (end = strchr(m + 8, '\'')) &&
        end[1] == ':' && (n = (size_t)(end - m - 8)) < sizeof(f->field)) {
        memcpy(f->field, m + 8, n);
        f->field[n] = '\0';
        snprintf(f->error, sizeof(f->error), "%s",
                 end + (end[2] == ' ' ? 3 : 2));
    } else if (!strncmp(m, "missing column '", 16) &&
               (end = strchr(m + 16, '\'')) &&
               (n = (size_t)(end - m - 16)) < sizeof(f->field)) {
        memcpy(f->field, m + 16, n);
        f->field[n] = '\0';
        snprintf(f->error, sizeof(f->error), "required");
    }
    return status;
}

void web_json_str(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p;
         p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* ---- Tables ---------------------------------------------------------- */

struct web_table {
    FILE *out;
    int format; /* 0 HTML, 1 CSV, 2 JSON */
    const char *const *cols;
    const char *kinds;
    size_t ncols;
    int first;
    int link_col;
    const char *link_path, *link_tail;
};

web_table *web_table_new(struct web_request *rq, FILE *out, int format,
                         const char *const *cols, const char *kinds)
{
    web_table *t = calloc(1, sizeof(*t));

    (void)rq;
    if (!t)
        return NULL;
    t->out = out;
    t->format = format;
    t->cols = cols;
    t->kinds = kinds;
    t->ncols = strlen(kinds);
    t->first = 1;
    t->link_col = -1;
    if (format == 1) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                fputc(',', out);
            tf_csv_put(out, cols[i], 0);
        }
        fputc('\n', out);
    } else if (format == 2) {
        fputc('[', out);
    } else {
        html_raw(out, "<div class=\"scroll\"><table><thead><tr>");
        for (size_t i = 0; i < t->ncols; i++) {
            if (t->kinds[i] == 's')
                html_raw(out, "<th>");
            else
                html_raw(out, "<th class=\"num\">");
            html_txt(out, cols[i]);
            html_raw(out, "</th>");
        }
        html_raw(out, "</tr></thead><tbody>\n");
    }
    return t;
}

void web_table_link(web_table *t, int col, const char *path, const char *tail)
{
    if (!t)
        return;
    t->link_col = col;
    t->link_path = path;
    t->link_tail = tail;
}

void web_table_row(web_table *t, const char *const *cells)
{
    if (!t)
        return;
    if (t->format == 1) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                fputc(',', t->out);
            tf_csv_put(t->out, cells[i] ? cells[i] : "", t->kinds[i] == 's');
        }
        fputc('\n', t->out);
    } else if (t->format == 2) {
        json_t *obj = json_object();
        char *text;
        for (size_t i = 0; obj && i < t->ncols; i++) {
            const char *c = cells[i] ? cells[i] : "";
            json_t *v = t->kinds[i] == 'i' && *c
                            ? json_integer(strtoll(c, NULL, 10))
                            : json_string(c);
            json_object_set_new(obj, t->cols[i], v ? v : json_null());
        }
        text = obj ? json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
        fprintf(t->out, "%s\n  %s", t->first ? "" : ",", text ? text : "{}");
        free(text);
        json_decref(obj);
    } else {
        html_raw(t->out, "<tr>");
        for (size_t i = 0; i < t->ncols; i++) {
            const char *c = cells[i] ? cells[i] : "";
            if (t->kinds[i] == 's')
                html_raw(t->out, "<td>");
            else
                html_raw(t->out, "<td class=\"num\">");
            if ((int)i == t->link_col && *c) {
                html_link_open(t->out, t->link_path, c, t->link_tail);
                html_txt(t->out, c);
                html_link_close(t->out);
            } else {
                html_txt(t->out, c);
            }
            html_raw(t->out, "</td>");
        }
        html_raw(t->out, "</tr>\n");
    }
    t->first = 0;
}

void web_table_end(web_table *t)
{
    if (!t)
        return;
    if (t->format == 2)
        fputs(t->first ? "]\n" : "\n]\n", t->out);
    else if (t->format == 0) {
        if (t->first) {
            html_raw(t->out, "<tr><td class=\"empty\" colspan=\"");
            html_int(t->out, (long long)t->ncols);
            html_raw(t->out, "\">none</td></tr>");
        }
        html_raw(t->out, "</tbody></table></div>\n");
    }
    free(t);
}
