/* Offrec GTK front-end — the few GTK 2.24 / GTK 3 differences in one place.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pidgin 2.14 is GTK 2; the dialog sources (everything but plugin.c and
 * button.c, which need Pidgin's GTK 2 headers) also build against GTK 3.
 */
#ifndef OFFREC_GTK_COMPAT_H
#define OFFREC_GTK_COMPAT_H

#include <gdk/gdkkeysyms.h>

#include <gtk/gtk.h>

#if GTK_CHECK_VERSION(3, 0, 0)
#define otr_gtk_hbox_new(sp)     gtk_box_new(GTK_ORIENTATION_HORIZONTAL, (sp))
#define otr_gtk_vbox_new(sp)     gtk_box_new(GTK_ORIENTATION_VERTICAL, (sp))
#define otr_gtk_button_box_new() gtk_button_box_new(GTK_ORIENTATION_HORIZONTAL)
#define otr_gtk_grid_new()       gtk_grid_new()
#define otr_gtk_grid_attach(g, w, x, y)                                        \
    gtk_grid_attach(GTK_GRID(g), (w), (x), (y), 1, 1)
#define otr_gtk_grid_attach_wide(g, w, x, y, n)                                \
    gtk_grid_attach(GTK_GRID(g), (w), (x), (y), (n), 1)
#define otr_gtk_grid_spacing(g, sp)                                            \
    do {                                                                       \
        gtk_grid_set_row_spacing(GTK_GRID(g), (sp));                           \
        gtk_grid_set_column_spacing(GTK_GRID(g), 2 * (sp));                    \
    } while (0)
#define otr_gtk_label_left(l) gtk_widget_set_halign((l), GTK_ALIGN_START)
#define otr_gtk_hexpand(w)    gtk_widget_set_hexpand((w), TRUE)
#else
#define otr_gtk_hbox_new(sp)     gtk_hbox_new(FALSE, (sp))
#define otr_gtk_vbox_new(sp)     gtk_vbox_new(FALSE, (sp))
#define otr_gtk_button_box_new() gtk_hbutton_box_new()
#define otr_gtk_grid_new()       gtk_table_new(1, 1, FALSE)
#define otr_gtk_grid_attach(g, w, x, y)                                        \
    gtk_table_attach(GTK_TABLE(g), (w), (x), (x) + 1, (y), (y) + 1,            \
                     GTK_FILL | ((x) > 0 ? GTK_EXPAND : 0), GTK_FILL, 0, 0)
#define otr_gtk_grid_attach_wide(g, w, x, y, n)                                \
    gtk_table_attach(GTK_TABLE(g), (w), (x), (x) + (n), (y), (y) + 1,          \
                     GTK_FILL | GTK_EXPAND, GTK_FILL, 0, 0)
#define otr_gtk_grid_spacing(g, sp)                                            \
    do {                                                                       \
        gtk_table_set_row_spacings(GTK_TABLE(g), (sp));                        \
        gtk_table_set_col_spacings(GTK_TABLE(g), 2 * (sp));                    \
    } while (0)
#define otr_gtk_label_left(l) gtk_misc_set_alignment(GTK_MISC(l), 0.0, 0.5)
#define otr_gtk_hexpand(w)    ((void)(w))
#endif

#endif /* OFFREC_GTK_COMPAT_H */
