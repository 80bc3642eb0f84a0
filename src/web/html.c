/* SPDX-License-Identifier: MIT */
/* The HTML writer (html.h). */
#include <stdio.h>
#include <string.h>

#include "html.h"

void html_raw_(FILE *out, const char *markup)
{
    fputs(markup, out);
}

static void escaped(FILE *out, const char *s)
{
    const char *run = s;

    if (!s)
        return;
    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        fwrite(run, 1, (size_t)(s - run), out);
        fputs(rep, out);
        run = s + 1;
    }
    fwrite(run, 1, (size_t)(s - run), out);
}

void html_txt(FILE *out, const char *text)
{
    escaped(out, text);
}

void html_attr(FILE *out, const char *value)
{
    escaped(out, value);
}

void html_int(FILE *out, long long v)
{
    fprintf(out, "%lld", v);
}

void html_url_seg(FILE *out, const char *seg)
{
    static const char hex[] = "0123456789ABCDEF";

    if (!seg)
        return;
    for (const unsigned char *p = (const unsigned char *)seg; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            fputc(c, out);
        } else {
            fputc('%', out);
            fputc(hex[c >> 4], out);
            fputc(hex[c & 15], out);
        }
    }
}

void html_hidden(FILE *out, const char *name, const char *value)
{
    html_raw(out, "<input type=\"hidden\" name=\"");
    html_attr(out, name);
    html_raw(out, "\" value=\"");
    html_attr(out, value);
    html_raw(out, "\">");
}

void html_option(FILE *out, const char *value, const char *text, int selected)
{
    html_raw(out, "<option value=\"");
    html_attr(out, value);
    if (selected)
        html_raw(out, "\" selected>");
    else
        html_raw(out, "\">");
    html_txt(out, text);
    html_raw(out, "</option>");
}

void html_link_open(FILE *out, const char *path, const char *seg,
                    const char *tail)
{
    html_raw(out, "<a href=\"");
    html_attr(out, path);
    html_url_seg(out, seg);
    html_attr(out, tail);
    html_raw(out, "\">");
}

void html_link_close(FILE *out)
{
    html_raw(out, "</a>");
}
