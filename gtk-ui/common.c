/* Offrec GTK front-end — the API table holder, trace, names, icons, helpers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "gtk-private.h"

static const OffrecApi *the_api;
static gpointer the_owner;
static char *icon_dir;
static GList *windows; /* every top-level window this module opened */

void
otr_gtk_set_api(const OffrecApi *api, gpointer owner)
{
    the_api = api;
    the_owner = owner;
}

const OffrecApi *
otr_gtk_api(void)
{
    return the_api;
}

gpointer
otr_gtk_owner(void)
{
    return the_owner;
}

/* The trace is what the UI tests read: what the widgets say, as text. */
void
otr_gtk_trace(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    purple_debug_info(OTR_GTK_TRACE_CATEGORY, "%s\n", s);
    g_free(s);
}

const char *
otr_gtk_state_label(OffrecState st)
{
    switch (st) {
    case OFFREC_STATE_NOT_PRIVATE:
        return _("Not private");
    case OFFREC_STATE_UNVERIFIED:
        return _("Unverified");
    case OFFREC_STATE_PRIVATE:
        return _("Private");
    case OFFREC_STATE_FINISHED:
        return _("Finished");
    }
    return "?";
}

/* Dark enough to read on a light toolbar, distinct without colour names. */
const char *
otr_gtk_state_color(OffrecState st)
{
    switch (st) {
    case OFFREC_STATE_NOT_PRIVATE:
        return "#a40000";
    case OFFREC_STATE_UNVERIFIED:
        return "#b35c00";
    case OFFREC_STATE_PRIVATE:
        return "#206b00";
    case OFFREC_STATE_FINISHED:
        return "#3465a4";
    }
    return "#000000";
}

const char *
otr_gtk_state_icon_file(OffrecState st)
{
    switch (st) {
    case OFFREC_STATE_NOT_PRIVATE:
        return "offrec-not-private.svg";
    case OFFREC_STATE_UNVERIFIED:
        return "offrec-unverified.svg";
    case OFFREC_STATE_PRIVATE:
        return "offrec-private.svg";
    case OFFREC_STATE_FINISHED:
        return "offrec-finished.svg";
    }
    return "offrec-not-private.svg";
}

void
otr_gtk_set_icon_dir(const char *dir)
{
    g_free(icon_dir);
    icon_dir = g_strdup(dir);
}

GtkWidget *
otr_gtk_state_image(OffrecState st, int size)
{
    const char *dir = g_getenv("OFFREC_GTK_ICON_DIR");
    GdkPixbuf *pix = NULL;
    GtkWidget *img;
    GError *err = NULL;
    char *path;

    if (!dir || !*dir)
        dir = icon_dir;
    if (!dir)
        return gtk_image_new();
    path = g_build_filename(dir, otr_gtk_state_icon_file(st), NULL);
    pix = gdk_pixbuf_new_from_file_at_size(path, size, size, &err);
    if (!pix) {
        otr_gtk_trace("icon %s: %s", path, err ? err->message : "?");
        g_clear_error(&err);
        g_free(path);
        return gtk_image_new();
    }
    g_free(path);
    img = gtk_image_new_from_pixbuf(pix);
    g_object_unref(pix);
    return img;
}

const char *
otr_gtk_policy_label(OffrecPolicy p)
{
    switch (p) {
    case OFFREC_POLICY_DEFAULT:
        return _("Use the default");
    case OFFREC_POLICY_NEVER:
        return _("Never use OTR");
    case OFFREC_POLICY_MANUAL:
        return _("Only when I start it");
    case OFFREC_POLICY_OPPORTUNISTIC:
        return _("Automatically when possible");
    case OFFREC_POLICY_ALWAYS:
        return _("Always: never send in plaintext");
    }
    return "?";
}

void
otr_gtk_wipe(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
}

/* GtkEntry keeps its text in its own buffer: overwrite it before clearing so
 * the secret does not linger in freed memory we can reach. */
void
otr_gtk_entry_wipe(GtkEntry *entry)
{
    guint16 n = gtk_entry_get_text_length(entry);
    char *fill;

    if (n == 0)
        return;
    fill = g_strnfill(n, 'x');
    gtk_entry_set_text(entry, fill);
    g_free(fill);
    gtk_entry_set_text(entry, "");
}

GtkWidget *
otr_gtk_selectable_label(const char *text)
{
    GtkWidget *l = gtk_label_new(NULL);
    char *m = g_markup_printf_escaped("<tt>%s</tt>", text ? text : "");

    gtk_label_set_markup(GTK_LABEL(l), m);
    gtk_label_set_selectable(GTK_LABEL(l), TRUE);
    otr_gtk_label_left(l);
    g_free(m);
    return l;
}

PurpleAccount *
otr_gtk_find_account(const char *user, const char *protocol)
{
    GList *l;

    for (l = purple_accounts_get_all(); l; l = l->next) {
        PurpleAccount *a = l->data;

        if (g_strcmp0(purple_account_get_username(a), user) == 0 &&
            g_strcmp0(purple_account_get_protocol_id(a), protocol) == 0)
            return a;
    }
    return NULL;
}

PurpleConversation *
otr_gtk_im_conv(PurpleAccount *account, const char *buddy, gboolean create)
{
    PurpleConversation *conv;

    if (!account || !buddy)
        return NULL;
    conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, buddy,
                                                 account);
    if (!conv && create)
        conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, buddy);
    return conv;
}

static void
window_gone(GtkWidget *w, gpointer data)
{
    windows = g_list_remove(windows, w);
}

void
otr_gtk_track_window(GtkWidget *window)
{
    windows = g_list_prepend(windows, window);
    g_signal_connect(window, "destroy", G_CALLBACK(window_gone), NULL);
}

void
otr_gtk_close_all_windows(void)
{
    while (windows)
        gtk_widget_destroy(GTK_WIDGET(windows->data));
    g_free(icon_dir);
    icon_dir = NULL;
}
