/* Offrec Finch front-end — shared declarations of offrec-gnt.so's files.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OFFREC_FINCH_PRIVATE_H
#define OFFREC_FINCH_PRIVATE_H

#include <glib.h>
#include <glib/gi18n-lib.h>

#include <gnt.h>
#include <gntbox.h>
#include <gntbutton.h>
#include <gntcheckbox.h>
#include <gntcombobox.h>
#include <gntentry.h>
#include <gntlabel.h>
#include <gntline.h>
#include <gntmenu.h>
#include <gntmenuitem.h>
#include <gntprogressbar.h>
#include <gnttree.h>
#include <gntwidget.h>

#include "offrec-api.h"
#include "purple.h"

#define OTR_FINCH_PLUGIN_ID "gnt-offrec"
#define OTR_FINCH_PREFS     "/plugins/core/core-offrec"

/* The one instance of the front-end: set in load(), cleared in unload(). */
typedef struct {
    PurplePlugin *plugin; /* this module */
    PurplePlugin *core;   /* offrec.so */
    const OffrecApi *api; /* the core plugin's table */
} OtrFinch;

/* NULL when the module is not loaded: every callback checks it. */
OtrFinch *otr_finch_get(void);

/* Common helpers (gnt-plugin.c). */
void otr_finch_wipe(void *p, size_t n);
/* Wipes an entry's buffer and clears it. */
void otr_finch_entry_wipe(GntEntry *entry);
/* A toplevel vertical window with a title; Escape closes it (destroy)
 * unless a child (an open combo, a menu) uses the key. */
GntWidget *otr_finch_window_new(const char *title);
/* A horizontal row of buttons appended to box; returns the row. */
GntWidget *otr_finch_button_row(GntWidget *box);
GntWidget *otr_finch_button_add(GntWidget *row,
                                const char *label,
                                GCallback cb,
                                gpointer data);
const char *otr_finch_state_name(OffrecState state);
const char *otr_finch_policy_name(OffrecPolicy policy);
/* The account an OffrecFingerprint belongs to, or NULL. */
PurpleAccount *otr_finch_fpr_account(const OffrecFingerprint *fp);

/* Conversation windows (gnt-conv.c). */
void otr_finch_conv_init(void);
void otr_finch_conv_uninit(void);

/* SMP wizard (gnt-smp.c). */
void otr_finch_smp_open(PurpleConversation *conv);
void otr_finch_smp_init(void);
void otr_finch_smp_uninit(void);

/* Known fingerprints window (gnt-fprs.c). */
void otr_finch_fprs_open(void);
void otr_finch_fprs_init(void);
void otr_finch_fprs_uninit(void);

/* Settings, my keys, per-buddy settings, key generation (gnt-prefs.c,
 * gnt-keys.c). */
GntWidget *otr_finch_prefs_frame(void);
void otr_finch_prefs_open(void);
void otr_finch_buddy_settings_open(PurpleBuddy *buddy);
void otr_finch_prefs_uninit(void);
void otr_finch_keys_open(void);
void otr_finch_keys_init(void);
void otr_finch_keys_uninit(void);

#endif /* OFFREC_FINCH_PRIVATE_H */
