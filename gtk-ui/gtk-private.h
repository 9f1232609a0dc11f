/* Offrec GTK front-end — declarations shared by its source files.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Files split in two groups: plugin.c and button.c use Pidgin's headers and
 * are GTK 2 only; common.c, auth.c, keys.c, fprlist.c, settings.c and
 * dialogs.c use only GTK, libpurple and offrec-api.h and also build
 * against GTK 3 (tests/ui/pidgin/test-gtk3.c).
 *
 * The front-end holds no protocol state: everything it shows comes from the
 * core plugin's OffrecApi table and its signals.
 */
#ifndef OFFREC_GTK_PRIVATE_H
#define OFFREC_GTK_PRIVATE_H

#include <glib/gi18n-lib.h>

#include "compat.h"
#include "offrec-api.h"
#include "purple.h"

G_BEGIN_DECLS

#define OTR_GTK_PLUGIN_ID        "gtk-offrec"
#define OTR_GTK_PREF_ROOT        "/plugins/gtk/" OTR_GTK_PLUGIN_ID
#define OTR_GTK_PREF_SHOW_BUTTON OTR_GTK_PREF_ROOT "/show-button"
/* Core plugin prefs the API has no setter for (plugin/README-internal.md). */
#define OTR_CORE_PREF_ROOT     "/plugins/core/" OFFREC_PLUGIN_ID
#define OTR_CORE_PREF_AVOID    OTR_CORE_PREF_ROOT "/avoid-logging"
#define OTR_CORE_PREF_CONFIRM  OTR_CORE_PREF_ROOT "/confirm-after-key-change"
#define OTR_CORE_PREF_KNOWN    OTR_CORE_PREF_ROOT "/known-contacts-always"
#define OTR_GTK_TRACE_CATEGORY "offrec-gtk"

/* common.c: the API table, the debug trace, state names and icons. */
void otr_gtk_set_api(const OffrecApi *api, gpointer owner);
const OffrecApi *otr_gtk_api(void);
gpointer otr_gtk_owner(void); /* handle for purple_request/notify calls */
void otr_gtk_trace(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
const char *otr_gtk_state_label(OffrecState st);
const char *otr_gtk_state_color(OffrecState st);
const char *otr_gtk_state_icon_file(OffrecState st);
GtkWidget *otr_gtk_state_image(OffrecState st, int size);
void otr_gtk_set_icon_dir(const char *dir);
const char *otr_gtk_policy_label(OffrecPolicy p);
void otr_gtk_wipe(char *s);
void otr_gtk_entry_wipe(GtkEntry *entry);
GtkWidget *otr_gtk_selectable_label(const char *text);
PurpleAccount *otr_gtk_find_account(const char *user, const char *protocol);
PurpleConversation *otr_gtk_im_conv(PurpleAccount *account,
                                    const char *buddy,
                                    gboolean create);
void otr_gtk_close_all_windows(void);
void otr_gtk_track_window(GtkWidget *window);

/* auth.c: the Authenticate Buddy wizard, one per conversation. */
void otr_gtk_auth_open(PurpleConversation *conv);
void otr_gtk_auth_smp_event(PurpleConversation *conv,
                            OffrecSmpEvent ev,
                            int percent);
void otr_gtk_auth_forget(PurpleConversation *conv);

/* dialogs.c: the key-change warning, "What's this?", per-buddy settings. */
void otr_gtk_keychange_open(PurpleConversation *conv,
                            const char *old_fpr,
                            const char *new_fpr);
void otr_gtk_whats_this(void);
void otr_gtk_buddy_settings_open(PurpleAccount *account, const char *buddy);

/* keys.c: "My private keys" page and the non-modal key generation dialog. */
GtkWidget *otr_gtk_keys_page(void);
void otr_gtk_keygen_open(PurpleAccount *account);
void otr_gtk_keygen_event(PurpleAccount *account,
                          int percent,
                          OffrecKeygenEvent ev);

/* fprlist.c: the "Known fingerprints" page. */
GtkWidget *otr_gtk_fprlist_page(void);
void otr_gtk_fprlist_refresh_all(void);

/* settings.c: the settings notebook (Configure Plugin) and its window. */
GtkWidget *otr_gtk_settings_new(void);
void otr_gtk_settings_open(int page);
void otr_gtk_prefs_init(void);

/* button.c (Pidgin only): the conversation toolbar button. */
void otr_gtk_buttons_init(PurplePlugin *plugin, PurplePlugin *core);
void otr_gtk_buttons_uninit(void);
void otr_gtk_button_update(PurpleConversation *conv);

G_END_DECLS

#endif /* OFFREC_GTK_PRIVATE_H */
