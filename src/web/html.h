/* SPDX-License-Identifier: MIT */
/*
 * The HTML writer of the web front end (after cgit's html.c): every byte
 * of a page goes through these functions. Markup is written only from
 * string literals (html_raw refuses anything else at compile time); every
 * text from the books or from a request goes through html_txt or
 * html_attr, which escape it, and every value in a URL through
 * html_url_seg, which percent-encodes it. A page never prints data with
 * printf.
 */
#ifndef TF_WEB_HTML_H
#define TF_WEB_HTML_H

#include <stdio.h>

/* Literal markup: only a string literal compiles ("" lit ""). */
#define html_raw(out, lit) html_raw_((out), "" lit "")
void html_raw_(FILE *out, const char *markup);

/* Text, with & < > " ' escaped (safe in element content and in a quoted
 * attribute value). NULL writes nothing. */
void html_txt(FILE *out, const char *text);

/* The same for an attribute value (always written between double
 * quotes by the callers). */
void html_attr(FILE *out, const char *value);

/* A decimal integer. */
void html_int(FILE *out, long long v);

/* A path segment or query value, percent-encoded: only the unreserved
 * characters of RFC 3986 (letters, digits, - . _ ~) pass as they are. */
void html_url_seg(FILE *out, const char *seg);

/* <input type="hidden" name="NAME" value="VALUE"> */
void html_hidden(FILE *out, const char *name, const char *value);

/* <option value="VALUE"[ selected]>TEXT</option> */
void html_option(FILE *out, const char *value, const char *text, int selected);

/* <a href="PATH SEG TAIL">: path and tail are literals of the program,
 * seg (may be NULL) is percent-encoded. html_link_close ends it. */
void html_link_open(FILE *out, const char *path, const char *seg,
                    const char *tail);
void html_link_close(FILE *out);

#endif
