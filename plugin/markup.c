/* Offrec — between libpurple's HTML messages and OTR's plain text.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What we encrypt is the typed text with its formatting stripped (<br> as
 * newline, whitespace kept) and only &, < and > escaped: plain text without
 * those characters reads the same in plain-text OTR clients and in
 * pidgin-otr (which treats what it decrypts as HTML), and text with them
 * shows right in pidgin-otr and in Offrec. What we decrypt is shown as
 * HTML when it looks like HTML (pidgin-otr and Offrec peers), otherwise it
 * is escaped (plain-text clients).
 *
 * What goes to the session for OTR detection on receipt is the plain text
 * of the message (entities decoded, the whitespace tag intact).
 */
#include <string.h>

#include "plugin-private.h"

/* The OTR whitespace tag's base (16 bytes) and version tags (8 each). */
static const char tag_base[] = " \t  \t\t\t\t \t \t \t  ";

char *
otr_plugin_markup_to_plain(const char *html)
{
    char *plain = NULL;

    if (!html)
        return g_strdup("");
    /* Cheap path: nothing to convert. */
    if (!strpbrk(html, "<&"))
        return g_strdup(html);
    purple_markup_html_to_xhtml(html, NULL, &plain);
    return plain ? plain : g_strdup("");
}

static char *
escape_min(const char *text)
{
    GString *s = g_string_sized_new(strlen(text) + 16);

    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&':
            g_string_append(s, "&amp;");
            break;
        case '<':
            g_string_append(s, "&lt;");
            break;
        case '>':
            g_string_append(s, "&gt;");
            break;
        default:
            g_string_append_c(s, *p);
        }
    }
    return g_string_free(s, FALSE);
}

char *
otr_plugin_markup_to_otr(const char *html)
{
    char *plain = otr_plugin_markup_to_plain(html);
    char *out = escape_min(plain);

    otr_plugin_wipe(plain, strlen(plain));
    g_free(plain);
    return out;
}

gboolean
otr_plugin_markup_is_otr(const char *text)
{
    while (text && (*text == ' ' || *text == '\n' || *text == '\r'))
        text++;
    return text && g_str_has_prefix(text, "?OTR");
}

/* Tags a Pidgin-like client produces. */
static const char *const html_tags[] = {
    "b>",    "i>",      "u>",    "s>",    "br>",   "br/>",  "br />",
    "p>",    "a ",      "font ", "span ", "span>", "font>", "body",
    "html",  "strong>", "em>",   "img ",  "sub>",  "sup>",  "pre>",
    "code>", "del>",    "ins>",  "hr>",   "hr/>",  "div",
};

static gboolean
looks_like_html(const char *text)
{
    const char *p = text;

    while ((p = strchr(p, '<')) != NULL) {
        const char *t = p + 1;

        if (*t == '/')
            t++;
        for (guint i = 0; i < G_N_ELEMENTS(html_tags); i++) {
            if (g_ascii_strncasecmp(t, html_tags[i], strlen(html_tags[i])) == 0)
                return TRUE;
        }
        p++;
    }
    /* Entities alone (a pidgin-otr peer escaping "<" as "&lt;") */
    return strstr(text, "&lt;") || strstr(text, "&gt;") ||
           strstr(text, "&amp;") || strstr(text, "&quot;");
}

char *
otr_plugin_markup_from_plain(const char *plain)
{
    char *esc, *html;

    if (!plain)
        return g_strdup("");
    if (looks_like_html(plain))
        return g_strdup(plain);
    esc = escape_min(plain);
    html = purple_strdup_withhtml(esc);
    g_free(esc);
    return html;
}

static gboolean
is_tag_char(char c)
{
    return c == ' ' || c == '\t';
}

/* The HTML with the first whitespace tag (base + version tags) removed;
 * NULL when there is none. */
char *
otr_plugin_markup_strip_tag(const char *html)
{
    const char *at = html ? strstr(html, tag_base) : NULL;
    const char *end;
    GString *s;

    if (!at)
        return NULL;
    end = at + strlen(tag_base);
    for (;;) {
        guint n = 0;

        while (n < 8 && is_tag_char(end[n]))
            n++;
        if (n < 8)
            break;
        end += 8;
    }
    s = g_string_new_len(html, at - html);
    g_string_append(s, end);
    return g_string_free(s, FALSE);
}

/* When wire is plain followed by a whitespace tag, the tag; else NULL. */
const char *
otr_plugin_markup_tag_suffix(const char *plain, const char *wire)
{
    size_t n = strlen(plain);

    if (strncmp(plain, wire, n) != 0)
        return NULL;
    if (strncmp(wire + n, tag_base, strlen(tag_base)) != 0)
        return NULL;
    return wire + n;
}
