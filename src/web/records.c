/* SPDX-License-Identifier: MIT */
/*
 * Donors, pledges, receipts and sessions: the lists (HTML, or CSV and
 * JSON with the command line's columns) and their entry forms. A form is
 * written as the command line's 'add' commands write: one row of the
 * import of its kind, fields named like the file's columns, in one
 * BEGIN IMMEDIATE transaction, so the rules and the messages are the
 * same; an error is shown beside the field it concerns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages.h"
#include "tfund/audit.h"
#include "tfund/users.h"
#include "web.h"

static const char *const donor_cols[] = {"id", "name", "type", "country", NULL};
static const char *const pledge_cols[] = {"ref",      "donor", "date", "amount",
                                          "currency", "pool",  "due",  NULL};
static const char *const receipt_cols[] = {
    "ref", "date", "amount", "currency", "pledge", "donor", "pool", NULL};
static const char *const session_cols[] = {
    "id",  "name",     "venue",      "start",         "days",
    "dsa", "terminal", "extra_days", "travel_budget", NULL};

static const char *const donor_types[] = {"state",      "igo",   "private",
                                          "foundation", "other", NULL};

/* The pools, NULL-terminated, for a select. */
struct pool_choices {
    const char *v[TF_POOL_COUNT + 1];
};

static struct pool_choices pool_choices(void)
{
    struct pool_choices c;

    for (int i = 0; i < TF_POOL_COUNT; i++)
        c.v[i] = tf_pools[i];
    c.v[TF_POOL_COUNT] = NULL;
    return c;
}

/* ---- Writing a record from a form ---------------------------------- */

/* A copy of s without leading and trailing spaces and tabs. */
static char *trimmed(const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return strndup(s, n);
}

/* The import of one row of a form. */
struct one_row {
    const char *kind;
    tf_csv *csv;
    tf_import_result *res;
    const char *what; /* the record's id or reference, for the event */
};

static tf_error import_row(struct web_request *rq, void *ctx, tf_diag *diag)
{
    struct one_row *row = ctx;
    tf_error err = tf_import_csv(rq->fund, row->kind, row->csv, row->res, NULL,
                                 NULL, diag);

    if (!err)
        tf_audit_summary(rq->fund, "%s: recorded", row->what);
    return err;
}

/* Imports the form's fields cols (the non-empty ones) as one row of kind.
 * Returns 0 (*known set when the record was already there) or the status
 * of the failure, with f filled. */
static int write_record(struct web_request *rq, const char *kind,
                        const char *const *cols, int *known,
                        struct page_form *f)
{
    char *values[16] = {NULL}, *text = NULL;
    size_t len = 0, ncols = 0;
    tf_import_result res;
    tf_csv *csv = NULL;
    tf_diag diag;
    tf_error err;
    FILE *fp;
    int first, status = 0;

    memset(&res, 0, sizeof(res));
    tf_diag_clear(&diag);
    for (; cols[ncols] && ncols < 16; ncols++) {
        const char *v = web_field(rq, cols[ncols]);
        values[ncols] = v ? trimmed(v) : NULL;
        if (values[ncols] && !*values[ncols]) {
            free(values[ncols]);
            values[ncols] = NULL;
        }
    }
    fp = open_memstream(&text, &len);
    if (!fp) {
        err = tf_diag_set(&diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    first = 1;
    for (size_t k = 0; k < ncols; k++)
        if (values[k]) {
            fputs(first ? "" : ",", fp);
            tf_csv_put(fp, cols[k], 0);
            first = 0;
        }
    fputc('\n', fp);
    first = 1;
    for (size_t k = 0; k < ncols; k++)
        if (values[k]) {
            fputs(first ? "" : ",", fp);
            tf_csv_put(fp, values[k], 0);
            first = 0;
        }
    fputc('\n', fp);
    if (fclose(fp) || first) {
        err = first ? tf_diag_set(&diag, TF_ERR_INPUT, "the form is empty")
                    : tf_diag_set(&diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    fp = fmemopen(text, len, "r");
    err = tf_csv_open_stream(&csv, fp, "form", &diag);
    if (!err) {
        struct one_row row = {kind, csv, &res, values[0] ? values[0] : kind};
        err = web_transaction(rq, import_row, &row, &diag);
    }
done:
    if (err)
        status = page_write_failed(f, err, &diag);
    *known = res.known > 0;
    tf_csv_free(csv);
    free(text);
    for (size_t k = 0; k < ncols; k++)
        free(values[k]);
    return status;
}

/* A list page of records with its entry form (donors, pledges, receipts,
 * sessions): the list, with the form after it for a recorder; a form
 * shown again with its error comes first. */
struct record_page {
    const char *kind;  /* the import kind that writes it */
    const char *title; /* the page's */
    const char *path;  /* where it lives */
    const char *noun;  /* in the flash: "pledge P-1: recorded" */
    const char *key;   /* the field that names it */
    const char *done;  /* "recorded", "registered" */
    const char *const *cols;
    void (*form)(struct web_request *rq, FILE *out, const struct page_form *f);
    void (*table)(struct web_request *rq, FILE *out, int fmt,
                  const char *donor);
    int by_donor; /* the list takes ?donor= (list_donor_of) */
};

static int list_donor_of(struct web_request *rq, const char **donor);

static int render_record_page(struct web_request *rq, int status,
                              const struct page_form *f,
                              const struct record_page *p)
{
    int fmt = f ? 0 : web_format(rq);
    const char *donor = NULL;
    FILE *out;

    if (fmt < 0 || (p->by_donor && list_donor_of(rq, &donor)))
        return 0;
    if (!(out = web_list_begin(rq, fmt, status, p->title)))
        return 0;
    if (f) /* shown again: the form and its errors come first */
        p->form(rq, out, f);
    p->table(rq, out, fmt, donor);
    if (!f && !fmt && web_user_has(rq, TF_ROLE_RECORDER))
        p->form(rq, out, f);
    return web_list_end(rq, fmt);
}

static int post_record_page(struct web_request *rq, const struct record_page *p)
{
    struct page_form f;
    int known = 0, status;

    memset(&f, 0, sizeof(f));
    status = write_record(rq, p->kind, p->cols, &known, &f);
    if (status)
        return render_record_page(rq, status, &f, p);
    if (known)
        web_flash(rq, "%s %s: already %s, nothing added", p->noun,
                  web_field(rq, p->key), p->done);
    else
        web_flash(rq, "%s %s: %s", p->noun, web_field(rq, p->key), p->done);
    return web_redirect(rq, p->path, NULL, NULL);
}

/* ---- Donors --------------------------------------------------------- */

struct lister {
    struct web_request *rq;
    web_table *t;
    int fmt;
    long n;
};

static int list_donor(void *ctx, const tf_donor *d)
{
    struct lister *l = ctx;
    const char *cells[] = {d->id, d->name, d->type, d->country};

    web_table_row(l->t, cells);
    l->n++;
    return 0;
}

static void donor_form(struct web_request *rq, FILE *out,
                       const struct page_form *f)
{
    html_raw(out, "<h2>Register a donor</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, "/donors", 0);
    page_input(rq, out, f, "Id", "id", "text", 1, "norway");
    page_input(rq, out, f, "Name", "name", "text", 1, NULL);
    page_select(rq, out, f, "Type", "type", donor_types, 1);
    page_input(rq, out, f, "Country (ISO 3166 alpha-3)", "country", "text", 0,
               "NOR");
    html_raw(out, "<button type=\"submit\">Register</button></form>");
}

static void donors_table(struct web_request *rq, FILE *out, int fmt,
                         const char *donor)
{
    static const char *const cols[] = {"id", "name", "type", "country"};
    struct lister l = {rq, NULL, fmt, 0};

    (void)donor;
    l.t = web_table_new(rq, out, fmt, cols, "ssss");
    web_table_link(l.t, 0, "/donors/", NULL);
    /* A donor user sees its own donor only. */
    tf_donor_each(rq->fund,
                  rq->user.roles & TF_ROLE_DONOR ? rq->user.donor : NULL,
                  list_donor, &l, NULL);
    web_table_end(l.t);
}

static const struct record_page donors_page = {
    "donors",     "Donors",   "/donors",  "donor",      "id",
    "registered", donor_cols, donor_form, donors_table, 0};

int page_donors(struct web_request *rq)
{
    return render_record_page(rq, 200, NULL, &donors_page);
}

int post_donors(struct web_request *rq)
{
    return post_record_page(rq, &donors_page);
}

/* ---- Pledges and receipts ------------------------------------------- */

static int list_pledge(void *ctx, const tf_pledge *p)
{
    struct lister *l = ctx;
    tf_list_row row;

    tf_pledge_row(l->rq->fund, p, l->fmt == 0, &row);
    web_table_row(l->t, row.cells);
    l->n++;
    return 0;
}

static int list_receipt(void *ctx, const tf_receipt *r)
{
    struct lister *l = ctx;
    tf_list_row row;

    tf_receipt_row(l->rq->fund, r, l->fmt == 0, &row);
    web_table_row(l->t, row.cells);
    l->n++;
    return 0;
}

static void pledges_table(struct web_request *rq, FILE *out, int fmt,
                          const char *donor)
{
    static const char *const cols[] = {TF_PLEDGE_COLS};
    struct lister l = {rq, NULL, fmt, 0};

    l.t = web_table_new(rq, out, fmt, cols, "sssssaaaasii");
    if (!(rq->user.roles & TF_ROLE_DONOR))
        web_table_link(l.t, 1, "/donors/", NULL);
    tf_pledge_list(rq->fund, donor, list_pledge, &l, NULL);
    web_table_end(l.t);
}

static void receipts_table(struct web_request *rq, FILE *out, int fmt,
                           const char *donor)
{
    static const char *const cols[] = {TF_RECEIPT_COLS};
    struct lister l = {rq, NULL, fmt, 0};

    l.t = web_table_new(rq, out, fmt, cols, "ssssssasaii");
    if (!(rq->user.roles & TF_ROLE_DONOR))
        web_table_link(l.t, 3, "/donors/", NULL);
    tf_receipt_list(rq->fund, donor, list_receipt, &l, NULL);
    web_table_end(l.t);
}

/* The donor a list is limited to: ?donor=, and a donor user's own only
 * (-1 after answering 403 for another). */
static int list_donor_of(struct web_request *rq, const char **donor)
{
    const char *q = web_query(rq, "donor");

    *donor = q && *q ? q : NULL;
    if (rq->user.roles & TF_ROLE_DONOR) {
        if (*donor && strcmp(*donor, rq->user.donor)) {
            page_message(rq, 403, "Not allowed",
                         "A donor user sees only its own donor.");
            return -1;
        }
        *donor = rq->user.donor;
    }
    return 0;
}

struct choices {
    char **v;
    size_t n, cap;
};

static int add_choice(void *ctx, const tf_donor *d)
{
    struct choices *c = ctx;

    if (c->n + 1 >= c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        char **grown = realloc(c->v, cap * sizeof(char *));
        if (!grown)
            return 1;
        c->v = grown;
        c->cap = cap;
    }
    if (!(c->v[c->n] = strdup(d->id)))
        return 1;
    c->v[++c->n] = NULL;
    return 0;
}

static void free_choices(struct choices *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
}

static void pledge_form(struct web_request *rq, FILE *out,
                        const struct page_form *f)
{
    struct choices donors = {NULL, 0, 0};
    struct pool_choices pools = pool_choices();

    tf_donor_each(rq->fund, NULL, add_choice, &donors, NULL);
    html_raw(out, "<h2>Record a pledge</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, "/pledges", 0);
    page_input(rq, out, f, "Reference", "ref", "text", 1, "P-001");
    /* A choice among a few hundred donors at most; more are typed. */
    if (donors.v && donors.n <= 500)
        page_select(rq, out, f, "Donor", "donor", (const char *const *)donors.v,
                    1);
    else
        page_input(rq, out, f, "Donor", "donor", "text", 1, NULL);
    page_input(rq, out, f, "Date signed", "date", "date", 1, "YYYY-MM-DD");
    page_input(rq, out, f, "Amount", "amount", "text", 1, "1500000.00");
    page_input(rq, out, f, "Currency", "currency", "text", 1, "USD");
    page_select(rq, out, f, "Pool", "pool", pools.v, 1);
    page_input(rq, out, f, "Due", "due", "date", 0, "YYYY-MM-DD");
    html_raw(out, "<button type=\"submit\">Record the pledge</button></form>");
    free_choices(&donors);
}

static const struct record_page pledges_page = {
    "pledges",  "Pledges",   "/pledges",  "pledge",      "ref",
    "recorded", pledge_cols, pledge_form, pledges_table, 1};

int page_pledges(struct web_request *rq)
{
    return render_record_page(rq, 200, NULL, &pledges_page);
}

int post_pledges(struct web_request *rq)
{
    return post_record_page(rq, &pledges_page);
}

static void receipt_form(struct web_request *rq, FILE *out,
                         const struct page_form *f)
{
    struct pool_choices pools = pool_choices();

    html_raw(out, "<h2>Record money received</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, "/receipts", 0);
    page_input(rq, out, f, "Reference", "ref", "text", 1, "R-001");
    page_input(rq, out, f, "Date received", "date", "date", 1, "YYYY-MM-DD");
    page_input(rq, out, f, "Amount", "amount", "text", 1, NULL);
    page_input(rq, out, f, "Currency", "currency", "text", 1, "USD");
    page_input(rq, out, f, "Pledge", "pledge", "text", 0, "P-001");
    page_input(rq, out, f, "Donor (without a pledge)", "donor", "text", 0,
               NULL);
    page_select(rq, out, f, "Pool (without a pledge)", "pool", pools.v, 0);
    page_checkbox(rq, out, f,
                  "Both were paid: record it even if another receipt has the "
                  "same donor, date, amount and currency",
                  "allow_duplicate");
    html_raw(out, "<button type=\"submit\">Record the receipt</button></form>");
}

static const struct record_page receipts_page = {
    "receipts", "Receipts",   "/receipts",  "receipt",      "ref",
    "recorded", receipt_cols, receipt_form, receipts_table, 1};

int page_receipts(struct web_request *rq)
{
    return render_record_page(rq, 200, NULL, &receipts_page);
}

int post_receipts(struct web_request *rq)
{
    return post_record_page(rq, &receipts_page);
}

/* ---- One donor ------------------------------------------------------ */

struct one_donor {
    char name[256], type[32], country[8];
    int found;
};

static int got_donor(void *ctx, const tf_donor *d)
{
    struct one_donor *o = ctx;

    snprintf(o->name, sizeof(o->name), "%s", d->name);
    snprintf(o->type, sizeof(o->type), "%s", d->type);
    snprintf(o->country, sizeof(o->country), "%s", d->country);
    o->found = 1;
    return 1;
}

int donor_overview(struct web_request *rq, const char *donor, const char *title)
{
    struct one_donor d;
    char today[TF_DATE_LEN + 1];
    FILE *out;

    memset(&d, 0, sizeof(d));
    if (!tf_id_valid(donor) ||
        tf_donor_each(rq->fund, donor, got_donor, &d, NULL) || !d.found) {
        page_message(rq, 404, "Not found", "There is no such donor.");
        return 0;
    }
    out = page_begin(rq, 200, title ? title : d.name);
    if (!out)
        return 0;
    html_raw(out, "<dl class=\"record\">");
    page_record_row(out, "Donor", d.name);
    page_record_row(out, "Id", donor);
    page_record_row(out, "Type", d.type);
    if (d.country[0])
        page_record_row(out, "Country", d.country);
    html_raw(out, "</dl>");

    html_raw(out, "<h2>Statement</h2><form method=\"get\" action=\"");
    html_raw(out, "/donors/");
    html_url_seg(out, donor);
    html_raw(out, "/statement.xlsx\"><div class=\"field\"><label "
                  "for=\"f-as_of\">As of</label><input id=\"f-as_of\" "
                  "name=\"as_of\" type=\"date\" value=\"");
    tf_date_today(today);
    html_attr(out, today);
    html_raw(out, "\"></div><button type=\"submit\">Download the statement "
                  "(.xlsx)</button></form>");

    html_raw(out, "<h2>Pledges</h2>");
    pledges_table(rq, out, 0, donor);
    html_raw(out, "<h2>Receipts</h2>");
    receipts_table(rq, out, 0, donor);
    return page_end(rq);
}

int page_donor(struct web_request *rq)
{
    return donor_overview(rq, rq->params[0], NULL);
}

/* ---- Sessions ------------------------------------------------------- */

static int list_session(void *ctx, const tf_session *s)
{
    struct lister *l = ctx;
    char days[24], extra[24], dsa[TF_AMOUNT_BUFSZ], term[TF_AMOUNT_BUFSZ];
    char budget[TF_AMOUNT_BUFSZ] = "";
    int group = l->fmt == 0;
    const char *cells[] = {s->id, s->name, s->venue, s->start, days,
                           extra, dsa,     term,     budget};

    snprintf(days, sizeof(days), "%lld", (long long)s->days);
    snprintf(extra, sizeof(extra), "%lld", (long long)s->extra_days);
    tf_fund_fmt(l->rq->fund, dsa, s->dsa, group);
    tf_fund_fmt(l->rq->fund, term, s->terminal, group);
    if (s->travel_budget >= 0)
        tf_fund_fmt(l->rq->fund, budget, s->travel_budget, group);
    web_table_row(l->t, cells);
    l->n++;
    return 0;
}

static void session_form(struct web_request *rq, FILE *out,
                         const struct page_form *f)
{
    html_raw(out, "<h2>Register a session</h2>");
    page_form_error(out, f);
    page_form_open(rq, out, "/sessions", 0);
    page_input(rq, out, f, "Id", "id", "text", 1, "its1");
    page_input(rq, out, f, "Name", "name", "text", 1, NULL);
    page_input(rq, out, f, "Venue", "venue", "text", 1, NULL);
    page_input(rq, out, f, "Start", "start", "date", 1, "YYYY-MM-DD");
    page_input(rq, out, f, "Days", "days", "number", 1, NULL);
    page_input(rq, out, f, "DSA per day", "dsa", "text", 1, NULL);
    page_input(rq, out, f, "Terminal expenses per trip", "terminal", "text", 1,
               NULL);
    page_input(rq, out, f, "Extra days of DSA", "extra_days", "number", 0, "1");
    page_input(rq, out, f, "Travel budget", "travel_budget", "text", 0, NULL);
    html_raw(out,
             "<button type=\"submit\">Register the session</button></form>");
}

static void sessions_table(struct web_request *rq, FILE *out, int fmt,
                           const char *donor)
{
    static const char *const cols[] = {"id",    "name",     "venue",
                                       "start", "days",     "extra_days",
                                       "dsa",   "terminal", "travel_budget"};
    struct lister l = {rq, NULL, fmt, 0};

    (void)donor;
    l.t = web_table_new(rq, out, fmt, cols, "ssssiiaaa");
    web_table_link(l.t, 0, "/sessions/", NULL);
    tf_session_each(rq->fund, NULL, list_session, &l, NULL);
    web_table_end(l.t);
}

static const struct record_page sessions_page = {
    "sessions",   "Sessions",   "/sessions",  "session",      "id",
    "registered", session_cols, session_form, sessions_table, 0};

int page_sessions(struct web_request *rq)
{
    return render_record_page(rq, 200, NULL, &sessions_page);
}

int post_sessions(struct web_request *rq)
{
    return post_record_page(rq, &sessions_page);
}

/* ---- One session and its requests ------------------------------------ */

struct one_session {
    char name[256], venue[256], start[16];
    int64_t days, extra_days, dsa, terminal, travel_budget;
    int found;
};

static int got_session(void *ctx, const tf_session *s)
{
    struct one_session *o = ctx;

    snprintf(o->name, sizeof(o->name), "%s", s->name);
    snprintf(o->venue, sizeof(o->venue), "%s", s->venue);
    snprintf(o->start, sizeof(o->start), "%s", s->start);
    o->days = s->days;
    o->extra_days = s->extra_days;
    o->dsa = s->dsa;
    o->terminal = s->terminal;
    o->travel_budget = s->travel_budget;
    o->found = 1;
    return 1;
}

/* The columns of 'allocation show' and 'allocation decisions'. */
static const char *const decision_cols[] = {
    "ref",  "session", "country",  "tier", "region_group", "status", "reason",
    "fare", "dsa",     "terminal", "cost", "psc",          "charge", "draws"};

void decisions_begin(struct decisions *d, struct web_request *rq, FILE *out,
                     int fmt)
{
    memset(d, 0, sizeof(*d));
    d->rq = rq;
    d->fmt = fmt;
    d->t = web_table_new(rq, out, fmt, decision_cols, "sssisssaaaaaas");
    web_table_link(d->t, 0, "/requests/", NULL);
}

void decisions_end(struct decisions *d)
{
    web_table_end(d->t);
    d->t = NULL;
}

int decisions_row(void *ctx, const tf_request *r)
{
    struct decisions *l = ctx;
    char tier[8] = "", fig[6][TF_AMOUNT_BUFSZ], draws[256] = "";
    int group = l->fmt == 0;
    size_t len = 0;

    memset(fig, 0, sizeof(fig));
    if (r->tier && !tf_status_is(r->status, TF_STATUS_REJECTED) &&
        r->has_figures)
        snprintf(tier, sizeof(tier), "%d", r->tier);
    if (r->has_figures) {
        tf_fund_fmt(l->rq->fund, fig[0], r->fare, group);
        tf_fund_fmt(l->rq->fund, fig[1], r->dsa, group);
        tf_fund_fmt(l->rq->fund, fig[2], r->terminal, group);
        tf_fund_fmt(l->rq->fund, fig[3], r->cost, group);
        tf_fund_fmt(l->rq->fund, fig[4], r->psc, group);
        tf_fund_fmt(l->rq->fund, fig[5], r->charge, group);
    }
    for (int i = 0; i < r->ndraws && len < sizeof(draws) - 64; i++) {
        char amt[TF_AMOUNT_BUFSZ];
        len += (size_t)snprintf(
            draws + len, sizeof(draws) - len, "%s%s:%s", i ? ";" : "",
            r->draws[i].pool,
            tf_fund_fmt(l->rq->fund, amt, r->draws[i].amount, 0));
    }
    {
        const char *cells[] = {r->ref,          r->session, r->country, tier,
                               r->region_group, r->status,  r->reason,  fig[0],
                               fig[1],          fig[2],     fig[3],     fig[4],
                               fig[5],          draws};
        web_table_row(l->t, cells);
    }
    l->n++;
    return 0;
}

int session_page(struct web_request *rq, int status, const struct page_form *f)
{
    const char *id = rq->params[0];
    struct one_session s;
    struct decisions l;
    int fmt = f ? 0 : web_format(rq);
    char a[TF_AMOUNT_BUFSZ];
    FILE *out;

    if (fmt < 0)
        return 0;
    memset(&s, 0, sizeof(s));
    if (!tf_id_valid(id) ||
        tf_session_each(rq->fund, id, got_session, &s, NULL) || !s.found) {
        page_message(rq, 404, "Not found", "There is no such session.");
        return 0;
    }
    if (!(out = web_list_begin(rq, fmt, status, s.name)))
        return 0;
    if (!fmt) {
        html_raw(out, "<dl class=\"record\">");
        page_record_row(out, "Id", id);
        page_record_row(out, "Venue", s.venue);
        page_record_row(out, "Start", s.start);
        html_raw(out, "<dt>Days</dt><dd>");
        html_int(out, (long long)s.days);
        html_raw(out, " (DSA for ");
        html_int(out, (long long)(s.days + s.extra_days));
        html_raw(out, ")</dd>");
        page_record_row(out, "DSA per day", tf_fund_fmt(rq->fund, a, s.dsa, 1));
        page_record_row(out, "Terminal expenses",
                        tf_fund_fmt(rq->fund, a, s.terminal, 1));
        if (s.travel_budget >= 0)
            page_record_row(out, "Travel budget",
                            tf_fund_fmt(rq->fund, a, s.travel_budget, 1));
        html_raw(out, "</dl><p class=\"downloads\">");
        html_link_open(out, "/sessions/", id, "/report.xlsx");
        html_raw(out, "Allocation report (.xlsx)");
        html_link_close(out);
        html_link_open(out, "/sessions/", id, "?format=csv");
        html_raw(out, "Requests (CSV)");
        html_link_close(out);
        html_raw(out, "</p>");
        /* The allocation: the programme officer's form, then the runs. */
        if (f || web_user_has(rq, TF_ROLE_PROGRAMME))
            allocate_form(rq, out, id, f);
        session_runs(rq, out, id);
        html_raw(out, "<h2>Requests</h2>");
    }
    decisions_begin(&l, rq, out, fmt);
    tf_request_each(rq->fund, id, NULL, decisions_row, &l, NULL);
    decisions_end(&l);
    return web_list_end(rq, fmt);
}

int page_session(struct web_request *rq)
{
    return session_page(rq, 200, NULL);
}
