/* SPDX-License-Identifier: MIT */
/*
 * The books (trial balance, journal, verification), the CSV imports and
 * the workbooks of reports/ as downloads.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "html.h"
#include "pages.h"
#include "tfund/audit.h"
#include "tfund/report.h"
#include "tfund/users.h"
#include "web.h"

#define JOURNAL_PAGE 100

/* ---- Trial balance -------------------------------------------------- */

struct balance_out {
    struct web_request *rq;
    web_table *t;
    int fmt;
    int64_t debits, credits;
    int overflow;
};

static int balance_row(void *ctx, const char *account, const char *pool,
                       int64_t balance)
{
    struct balance_out *o = ctx;
    char amt[TF_AMOUNT_BUFSZ], dr[TF_AMOUNT_BUFSZ] = "",
                               cr[TF_AMOUNT_BUFSZ] = "";

    if (o->fmt) {
        const char *cells[] = {account, pool,
                               tf_fund_fmt(o->rq->fund, amt, balance, 0)};
        web_table_row(o->t, cells);
        return 0;
    }
    if (balance > 0) {
        tf_fund_fmt(o->rq->fund, dr, balance, 1);
        if (tf_money_add(&o->debits, o->debits, balance))
            o->overflow = 1;
    } else {
        tf_fund_fmt(o->rq->fund, cr, -balance, 1);
        if (balance == INT64_MIN ||
            tf_money_add(&o->credits, o->credits, -balance))
            o->overflow = 1;
    }
    {
        const char *cells[] = {account, pool, dr, cr};
        web_table_row(o->t, cells);
    }
    return 0;
}

struct balance_part {
    int fmt;
    const char *as_of;
    tf_diag diag;
};

/* The trial balance (HTML: the form and the table; CSV or JSON: all of
 * it): the same for every staff user, so kept in the cache. */
static int balance_part(struct web_request *rq, FILE *out, void *ctx)
{
    static const char *const csv_cols[] = {"account", "pool", "balance"};
    static const char *const html_cols[] = {"account", "pool", "debit",
                                            "credit"};
    struct balance_part *b = ctx;
    struct balance_out o;
    tf_error err;

    memset(&o, 0, sizeof(o));
    o.rq = rq;
    o.fmt = b->fmt;
    if (!o.fmt) {
        html_raw(out, "<form method=\"get\" action=\"/balance\"><div "
                      "class=\"field\"><label for=\"f-as_of\">As of</label>"
                      "<input id=\"f-as_of\" name=\"as_of\" type=\"date\"");
        if (b->as_of) {
            html_raw(out, " value=\"");
            html_attr(out, b->as_of);
            html_raw(out, "\"");
        }
        html_raw(out, "></div><button type=\"submit\">Show</button> "
                      "<a href=\"/balance?format=csv\">CSV</a></form>");
    }
    o.t = o.fmt ? web_table_new(rq, out, o.fmt, csv_cols, "ssa")
                : web_table_new(rq, out, 0, html_cols, "ssaa");
    err = tf_ledger_each_balance(rq->fund, b->as_of, balance_row, &o, &b->diag);
    if (!err && !o.fmt) {
        char dr[TF_AMOUNT_BUFSZ], cr[TF_AMOUNT_BUFSZ];
        const char *cells[] = {
            "total", "",
            o.overflow ? "(too large)" : tf_fund_fmt(rq->fund, dr, o.debits, 1),
            o.overflow ? "(too large)"
                       : tf_fund_fmt(rq->fund, cr, o.credits, 1)};
        web_table_row(o.t, cells);
    }
    web_table_end(o.t);
    return err ? -1 : 0;
}

int page_balance(struct web_request *rq)
{
    struct balance_part b;
    char key[64];
    FILE *out;

    memset(&b, 0, sizeof(b));
    if ((b.fmt = web_format(rq)) < 0 || web_as_of(rq, &b.as_of))
        return 0;
    out = b.fmt ? web_begin(rq, 200, web_format_type(b.fmt))
                : page_begin(rq, 200, "Trial balance");
    if (!out)
        return 0;
    /* as_of is a valid date (web_as_of checked it): the key is short. */
    snprintf(key, sizeof(key), "balance %d %s", b.fmt, b.as_of ? b.as_of : "");
    tf_diag_clear(&b.diag);
    if (web_cache_part(web_server_cache(rq->server), rq, out, key, balance_part,
                       &b))
        return page_message(rq, 500, "Server error", b.diag.msg);
    return b.fmt ? 0 : page_end(rq);
}

/* ---- Journal -------------------------------------------------------- */

struct journal_out {
    struct web_request *rq;
    FILE *out;
    web_table *t;
    int fmt, first;
    long skip, left; /* HTML: entries to pass, then to show */
};

static int journal_entry(void *ctx, const tf_entry *e)
{
    struct journal_out *o = ctx;
    char id[24], amt[TF_AMOUNT_BUFSZ], orig[TF_AMOUNT_BUFSZ];

    snprintf(id, sizeof(id), "%" PRId64, e->id);
    if (o->fmt == 0) {
        if (o->skip > 0) {
            o->skip--;
            return 0;
        }
        if (o->left-- <= 0)
            return 1;
    }
    if (o->fmt == 2) {
        /* One object per entry with its postings, as 'journal --format
         * json' writes. */
        fprintf(o->out, "%s\n  ", o->first ? "" : ",");
        fputs("{\"id\":", o->out);
        fputs(id, o->out);
        fputs(",\"date\":", o->out);
        web_json_str(o->out, e->date);
        fputs(",\"kind\":", o->out);
        web_json_str(o->out, e->kind);
        fputs(",\"memo\":", o->out);
        web_json_str(o->out, e->memo);
        fputs(",\"ref\":", o->out);
        if (e->ref)
            web_json_str(o->out, e->ref);
        else
            fputs("null", o->out);
        fputs(",\"prev_hash\":", o->out);
        web_json_str(o->out, e->prev_hash);
        fputs(",\"hash\":", o->out);
        web_json_str(o->out, e->hash);
        if (e->reverses)
            fprintf(o->out, ",\"reverses\":%" PRId64, e->reverses);
        fputs(",\"postings\":[", o->out);
        for (size_t i = 0; i < e->npostings; i++) {
            const tf_posting *p = &e->postings[i];
            fputs(i ? ",{\"account\":" : "{\"account\":", o->out);
            web_json_str(o->out, p->account);
            fputs(",\"pool\":", o->out);
            web_json_str(o->out, p->pool);
            fputs(",\"amount\":", o->out);
            web_json_str(o->out, tf_fund_fmt(o->rq->fund, amt, p->amount, 0));
            if (p->orig_currency) {
                const tf_currency *c = tf_currency_find(p->orig_currency);
                tf_amount_format(orig, sizeof(orig), p->orig_amount,
                                 c ? c->minor : 2, 0);
                fputs(",\"orig_currency\":", o->out);
                web_json_str(o->out, p->orig_currency);
                fputs(",\"orig_amount\":", o->out);
                web_json_str(o->out, orig);
            }
            if (p->rate) {
                fputs(",\"rate\":", o->out);
                web_json_str(o->out, p->rate);
            }
            fputc('}', o->out);
        }
        fputs("]}", o->out);
        o->first = 0;
        return 0;
    }
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        const tf_currency *c =
            p->orig_currency ? tf_currency_find(p->orig_currency) : NULL;
        const char *cells[] = {i == 0 || o->fmt ? id : "",
                               i == 0 || o->fmt ? e->date : "",
                               i == 0 || o->fmt ? e->kind : "",
                               i == 0 || o->fmt ? e->ref : "",
                               i == 0 || o->fmt ? e->memo : "",
                               p->account,
                               p->pool,
                               amt,
                               orig,
                               p->orig_currency,
                               p->rate};
        tf_fund_fmt(o->rq->fund, amt, p->amount, o->fmt == 0);
        orig[0] = '\0';
        if (p->orig_currency)
            tf_amount_format(orig, sizeof(orig), p->orig_amount,
                             c ? c->minor : 2, o->fmt == 0);
        web_table_row(o->t, cells);
    }
    return 0;
}

int page_journal(struct web_request *rq)
{
    static const char *const cols[] = {
        "entry", "date",   "kind",        "ref",           "memo", "account",
        "pool",  "amount", "orig_amount", "orig_currency", "rate"};
    struct journal_out o;
    const char *as_of, *page_text = web_query(rq, "page");
    int64_t count = 0;
    long page = 1, pages;
    tf_diag diag;
    tf_error err;

    memset(&o, 0, sizeof(o));
    o.rq = rq;
    o.first = 1;
    if ((o.fmt = web_format(rq)) < 0 || web_as_of(rq, &as_of))
        return 0;
    if (page_text) {
        char *end;
        page = strtol(page_text, &end, 10);
        if (*end || page < 1 || page > 100000000L)
            return page_message(rq, 400, "Bad page", "page is 1, 2, ...");
    }
    tf_diag_clear(&diag);
    if ((err = tf_ledger_head(rq->fund, &count, NULL, &diag)))
        return page_message(rq, 500, "Server error", diag.msg);
    pages = count ? (long)((count + JOURNAL_PAGE - 1) / JOURNAL_PAGE) : 1;
    /* The whole journal may be large: downloads are written to a file,
     * not kept in memory. */
    o.out = o.fmt ? web_begin_file(rq, 200, web_format_type(o.fmt))
                  : page_begin(rq, 200, "Journal");
    if (!o.out)
        return 0;
    if (o.fmt == 0) {
        html_raw(o.out, "<p class=\"downloads\">");
        html_int(o.out, (long long)count);
        html_raw(o.out, " entries; page ");
        html_int(o.out, page);
        html_raw(o.out, " of ");
        html_int(o.out, pages);
        html_raw(o.out, ". ");
        if (page > 1) {
            html_raw(o.out, "<a href=\"/journal?page=");
            html_int(o.out, page - 1);
            html_raw(o.out, "\">previous</a>");
        }
        if (page < pages) {
            html_raw(o.out, "<a href=\"/journal?page=");
            html_int(o.out, page + 1);
            html_raw(o.out, "\">next</a>");
        }
        html_raw(o.out, "<a href=\"/journal?format=csv\">CSV</a>"
                        "<a href=\"/journal?format=json\">JSON</a></p>");
        o.skip = (page - 1) * JOURNAL_PAGE;
        o.left = JOURNAL_PAGE;
    }
    if (o.fmt == 2)
        fputc('[', o.out);
    else
        o.t = web_table_new(rq, o.out, o.fmt, cols,
                            o.fmt ? "isssssaaass" : "ssssssaaass");
    err = tf_ledger_each_entry(rq->fund, as_of, journal_entry, &o, &diag);
    if (o.fmt == 2)
        fputs(o.first ? "]\n" : "\n]\n", o.out);
    else
        web_table_end(o.t);
    if (err)
        return page_message(rq, 500, "Server error", diag.msg);
    return o.fmt ? 0 : page_end(rq);
}

/* ---- Verification --------------------------------------------------- */

struct failures {
    web_table *t;
    long n;
};

static void verify_failure(void *ctx, int64_t entry, const char *what)
{
    struct failures *f = ctx;
    char id[24] = "";
    const char *cells[] = {id, what};

    if (entry > 0)
        snprintf(id, sizeof(id), "%" PRId64, entry);
    web_table_row(f->t, cells);
    f->n++;
}

int page_verify(struct web_request *rq)
{
    static const char *const cols[] = {"entry", "failure"};
    struct failures f = {NULL, 0};
    char hash[TF_HASH_BUFSZ] = "";
    int64_t count = 0;
    long failures = 0;
    int fmt = web_format(rq);
    tf_diag diag;
    tf_error err;
    FILE *out;

    if (fmt < 0)
        return 0;
    out = fmt ? web_begin(rq, 200, web_format_type(fmt))
              : page_begin(rq, 200, "Verify the books");
    if (!out)
        return 0;
    tf_diag_clear(&diag);
    if (!fmt)
        html_raw(out, "<h2>Failures</h2>");
    f.t = web_table_new(rq, out, fmt, cols, fmt ? "is" : "ss");
    err = tf_verify(rq->fund, verify_failure, &f, &failures, &diag);
    web_table_end(f.t);
    if (!err)
        err = tf_ledger_head(rq->fund, &count, hash, &diag);
    if (err)
        return page_message(rq, 500, "Server error", diag.msg);
    if (fmt)
        return 0;
    if (failures) {
        html_raw(out, "<p class=\"error\">");
        html_int(out, failures);
        html_raw(out, " failure(s) found.");
    } else {
        html_raw(out, "<p class=\"flash\">ok: ");
        html_int(out, (long long)count);
        html_raw(out, " entries, every check passed; the journal's head is ");
        html_int(out, (long long)count);
        html_raw(out, ":");
        html_txt(out, hash);
        html_raw(out, ".");
    }
    html_raw(out, "</p>");
    return page_end(rq);
}

/* ---- The event log --------------------------------------------------- */

#define LOG_PAGE 200

struct log_out {
    web_table *t;
    int64_t seen; /* events that matched */
    int64_t skip, left;
};

static int log_event(void *ctx, const tf_event *e)
{
    struct log_out *o = ctx;
    char seq[24];
    const char *cells[] = {seq, e->at, e->actor, e->command, e->summary};

    o->seen++;
    if (o->skip > 0) {
        o->skip--;
        return 0;
    }
    if (o->left == 0)
        return 0;
    if (o->left > 0)
        o->left--;
    snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
    web_table_row(o->t, cells);
    return 0;
}

/* A link to /log with the filters and page. */
static void log_link(FILE *out, const tf_event_filter *flt, long page,
                     const char *text)
{
    html_raw(out, "<a href=\"/log?page=");
    html_int(out, page);
    if (flt->since) {
        html_raw(out, "&amp;since=");
        html_url_seg(out, flt->since);
    }
    if (flt->actor) {
        html_raw(out, "&amp;actor=");
        html_url_seg(out, flt->actor);
    }
    if (flt->ref) {
        html_raw(out, "&amp;ref=");
        html_url_seg(out, flt->ref);
    }
    html_raw(out, "\">");
    html_txt(out, text);
    html_raw(out, "</a>");
}

static void log_filter_input(FILE *out, const char *label, const char *name,
                             const char *type, const char *value)
{
    html_raw(out, "<div class=\"field\"><label for=\"f-");
    html_attr(out, name);
    html_raw(out, "\">");
    html_txt(out, label);
    html_raw(out, "</label><input id=\"f-");
    html_attr(out, name);
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
    html_raw(out, "></div>");
}

/* GET /log: the events, as 'tfund log' lists them (?since=DATE,
 * ?actor=WHO, ?ref=REF; ?format=csv|json for all of them). The page
 * shows LOG_PAGE events at a time, the latest page first. */
int page_log(struct web_request *rq)
{
    static const char *const cols[] = {"seq", "at", "actor", "command",
                                       "summary"};
    tf_event_filter flt = {NULL, NULL, NULL};
    const char *page_text = web_query(rq, "page");
    struct log_out o;
    int64_t count = 0;
    long page = 0, pages;
    int fmt = web_format(rq);
    tf_diag diag;
    tf_error err;
    FILE *out;

    if (fmt < 0)
        return 0;
    tf_diag_clear(&diag);
    flt.since = web_query(rq, "since");
    flt.actor = web_query(rq, "actor");
    flt.ref = web_query(rq, "ref");
    if (flt.since && !*flt.since)
        flt.since = NULL;
    if (flt.actor && !*flt.actor)
        flt.actor = NULL;
    if (flt.ref && !*flt.ref)
        flt.ref = NULL;
    if (flt.since && tf_date_check(flt.since, &diag))
        return page_message(rq, 400, "Bad date", diag.msg);
    if (page_text) {
        char *end;
        page = strtol(page_text, &end, 10);
        if (*end || page < 1 || page > 100000000L)
            return page_message(rq, 400, "Bad page", "page is 1, 2, ...");
    }
    memset(&o, 0, sizeof(o));
    o.left = -1;
    if (fmt) {
        /* Every event: written to a file, not kept in memory. */
        if (!(out = web_begin_file(rq, 200, web_format_type(fmt))))
            return 0;
        o.t = web_table_new(rq, out, fmt, cols, "issss");
        err = tf_event_each(rq->fund, &flt, log_event, &o, &diag);
        web_table_end(o.t);
        return err ? page_message(rq, 500, "Server error", diag.msg) : 0;
    }
    /* The number of matching events, for the pages (the latest first). */
    if (flt.since || flt.actor || flt.ref) {
        o.left = 0;
        o.t = NULL;
        err = tf_event_each(rq->fund, &flt, log_event, &o, &diag);
        count = o.seen;
    } else {
        err = tf_event_head(rq->fund, &count, NULL, &diag);
    }
    if (err)
        return page_message(rq, 500, "Server error", diag.msg);
    pages = count ? (long)((count + LOG_PAGE - 1) / LOG_PAGE) : 1;
    if (page == 0 || page > pages)
        page = pages;
    if (!(out = page_begin(rq, 200, "Event log")))
        return 0;
    html_raw(out, "<form method=\"get\" action=\"/log\" class=\"filters\">");
    log_filter_input(out, "Since", "since", "date", flt.since);
    log_filter_input(out, "Actor", "actor", "text", flt.actor);
    log_filter_input(out, "Reference", "ref", "text", flt.ref);
    html_raw(out, "<button type=\"submit\">Show</button></form>");
    html_raw(out, "<p class=\"downloads\">");
    html_int(out, (long long)count);
    html_raw(out, " events; page ");
    html_int(out, page);
    html_raw(out, " of ");
    html_int(out, pages);
    html_raw(out, ". ");
    if (page > 1)
        log_link(out, &flt, page - 1, "earlier");
    if (page < pages)
        log_link(out, &flt, page + 1, "later");
    html_raw(out, "<a href=\"/log?format=csv\">CSV</a>"
                  "<a href=\"/log?format=json\">JSON</a></p>");
    memset(&o, 0, sizeof(o));
    o.skip = (int64_t)(page - 1) * LOG_PAGE;
    o.left = LOG_PAGE;
    o.t = web_table_new(rq, out, 0, cols, "issss");
    err = tf_event_each(rq->fund, &flt, log_event, &o, &diag);
    web_table_end(o.t);
    if (err)
        return page_message(rq, 500, "Server error", diag.msg);
    return page_end(rq);
}

/* ---- Imports -------------------------------------------------------- */

static void import_form(struct web_request *rq, FILE *out,
                        const struct page_form *f)
{
    page_form_error(out, f);
    page_form_open(rq, out, "/import", 1);
    page_select(rq, out, f, "Kind", "kind", tf_import_kinds, 1);
    html_raw(out, "<div class=\"field");
    if (f && f->error_field && !strcmp(f->error_field, "file"))
        html_raw(out, " invalid");
    html_raw(out, "\"><label for=\"f-file\">CSV file</label><input "
                  "id=\"f-file\" name=\"file\" type=\"file\" "
                  "accept=\".csv,text/csv\" required>");
    if (f && f->error_field && !strcmp(f->error_field, "file")) {
        html_raw(out, "<span class=\"error\">");
        html_txt(out, f->error);
        html_raw(out, "</span>");
    }
    html_raw(out, "</div>");
    page_checkbox(rq, out, f,
                  "Allow duplicates: record receipts or requests that look "
                  "like ones already recorded (both meant)",
                  "allow_duplicate");
    html_raw(out, "<button type=\"submit\">Import</button></form>"
                  "<p>One transaction: one bad row and nothing is written; "
                  "the error names the line and column. Rows already in the "
                  "books with the same details add nothing. Files of more "
                  "than 8 MiB: use <code>tfund import</code>.</p>");
}

static int render_import(struct web_request *rq, int status,
                         const struct page_form *f)
{
    FILE *out = page_begin(rq, status, "Import a CSV file");

    if (!out)
        return 0;
    import_form(rq, out, f);
    return page_end(rq);
}

int page_import(struct web_request *rq)
{
    return render_import(rq, 200, NULL);
}

/* The uploaded file's name for messages: its last part, at most 100
 * bytes, only characters that need no explaining. */
static void upload_name(const char *filename, char *out, size_t size)
{
    const char *base = strrchr(filename, '/');
    size_t n = 0;

    base = base ? base + 1 : filename;
    if (strrchr(base, '\\'))
        base = strrchr(base, '\\') + 1;
    for (; *base && n + 1 < size && n < 100; base++)
        out[n++] =
            (*base >= 'A' && *base <= 'Z') || (*base >= 'a' && *base <= 'z') ||
                    (*base >= '0' && *base <= '9') || strchr("._- ", *base)
                ? *base
                : '_';
    if (n == 0)
        n = (size_t)snprintf(out, size, "upload.csv");
    out[n] = '\0';
}

/* The import of an uploaded file. */
struct upload {
    const char *kind, *name;
    tf_csv *csv;
    tf_import_result *res;
};

static tf_error import_upload(struct web_request *rq, void *ctx, tf_diag *diag)
{
    struct upload *up = ctx;
    tf_import_result *res = up->res;
    tf_error err =
        tf_import_csv(rq->fund, up->kind, up->csv, res, NULL, NULL, diag);

    if (!err)
        tf_audit_summary(rq->fund,
                         "%s: %ld rows: %ld added, %ld already known%s",
                         up->name, res->rows, res->added, res->known,
                         res->updated ? " (some countries updated)" : "");
    return err;
}

int post_import(struct web_request *rq)
{
    const char *kind = web_field(rq, "kind");
    const struct web_field *file = web_file(rq, "file");
    struct page_form f;
    tf_import_result res;
    char name[128], msg[256];
    tf_csv *csv = NULL;
    tf_diag diag;
    tf_error err;
    int known_kind = 0;

    memset(&f, 0, sizeof(f));
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; kind && tf_import_kinds[i]; i++)
        if (!strcmp(kind, tf_import_kinds[i]))
            known_kind = 1;
    if (!known_kind) {
        f.error_field = "kind";
        snprintf(f.error, sizeof(f.error), "choose the kind of file");
        return render_import(rq, 400, &f);
    }
    /* The shipped country table is reference data: the admin's. */
    if (!web_user_has(rq, !strcmp(kind, "countries") ? TF_ROLE_ADMIN
                                                     : TF_ROLE_RECORDER)) {
        f.error_field = "kind";
        snprintf(f.error, sizeof(f.error), "importing %s needs the %s role",
                 kind, !strcmp(kind, "countries") ? "admin" : "recorder");
        return render_import(rq, 403, &f);
    }
    if (!file || !file->filename[0]) {
        f.error_field = "file";
        snprintf(f.error, sizeof(f.error), "choose a file");
        return render_import(rq, 400, &f);
    }
    upload_name(file->filename, name, sizeof(name));
    tf_diag_clear(&diag);
    err = tf_csv_open_stream(&csv, fmemopen(file->value, file->len, "r"), name,
                             &diag);
    if (!err) {
        struct upload up = {kind, name, csv, &res};
        err = web_transaction(rq, import_upload, &up, &diag);
    }
    tf_csv_free(csv);
    if (err) {
        int status = page_write_failed(&f, err, &diag);
        tf_diag_format(&diag, msg, sizeof(msg));
        f.error_field = "";
        snprintf(f.error, sizeof(f.error), "%s; nothing was imported from '%s'",
                 msg, name);
        return render_import(rq, status, &f);
    }
    web_flash(rq, "%s: %ld rows: %ld added, %ld already known%s", name,
              res.rows, res.added, res.known,
              res.updated ? " (some countries updated)" : "");
    return web_redirect(rq, "/import", NULL, NULL);
}

/* ---- Workbooks ------------------------------------------------------ */

enum report_kind { REPORT_FUND, REPORT_DONOR, REPORT_SESSION };

static int send_report(struct web_request *rq, enum report_kind kind,
                       const char *id)
{
    static const char xlsx[] =
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const char *tmp = getenv("TMPDIR"), *as_of;
    char dir[512], path[700], filename[160];
    int n;
    struct stat st;
    tf_diag diag;
    tf_error err;
    int fd;

    if (web_as_of(rq, &as_of))
        return 0;
    if (id && !tf_id_valid(id))
        return page_message(rq, 404, "Not found", "There is no such page.");
    if (kind == REPORT_FUND)
        snprintf(filename, sizeof(filename), "fund.xlsx");
    else if (kind == REPORT_DONOR)
        snprintf(filename, sizeof(filename), "%s-statement.xlsx", id);
    else
        snprintf(filename, sizeof(filename), "%s-report.xlsx", id);
    n = snprintf(dir, sizeof(dir), "%s/tfund-report-",
                 tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n + 7 > sizeof(dir))
        return page_message(rq, 500, "Server error",
                            "the temporary folder's name is too long");
    memset(dir + n, 'X', 6); /* mkdtemp's six random characters */
    dir[n + 6] = '\0';
    if (!mkdtemp(dir))
        return page_message(rq, 500, "Server error",
                            "cannot make a temporary folder");
    snprintf(path, sizeof(path), "%s/%s", dir, filename);
    tf_diag_clear(&diag);
    if (kind == REPORT_FUND)
        err = tf_report_fund(rq->fund, path, as_of, &diag);
    else if (kind == REPORT_DONOR)
        err = tf_report_donor(rq->fund, id, path, as_of, &diag);
    else
        err = tf_report_session(rq->fund, id, path, as_of, &diag);
    fd = err ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    unlink(path);
    rmdir(dir);
    if (err == TF_ERR_NOTFOUND)
        return page_message(rq, 404, "Not found", diag.msg);
    if (err == TF_ERR_INPUT)
        return page_message(rq, 400, "Bad request", diag.msg);
    if (err || fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return page_message(rq, 500, "Server error",
                            err ? diag.msg : "cannot read the workbook");
    }
    return web_send_file(rq, fd, (long long)st.st_size, xlsx, filename);
}

int get_fund_report(struct web_request *rq)
{
    return send_report(rq, REPORT_FUND, NULL);
}

int get_donor_statement(struct web_request *rq)
{
    return send_report(rq, REPORT_DONOR, rq->params[0]);
}

int get_session_report(struct web_request *rq)
{
    return send_report(rq, REPORT_SESSION, rq->params[0]);
}
