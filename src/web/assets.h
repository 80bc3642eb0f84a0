/* SPDX-License-Identifier: MIT */
/* Files served from the program itself (assets.c). */
#ifndef TF_WEB_ASSETS_H
#define TF_WEB_ASSETS_H

extern const char web_style_css[];
extern const unsigned long web_style_css_len;

#endif
