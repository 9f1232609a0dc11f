/* Offrec UI tests — the GTK front-end's dialogs built against GTK 3 (TAP).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Links gtk-ui's dialog sources (not the Pidgin glue) with a scripted
 * OffrecApi table and a minimal libpurple core, opens every dialog under
 * the Xvfb that xvfb_run.py started, and drives them through their widgets:
 * typed secrets reach the API and leave the entries, the fingerprint list
 * shows the API's rows and refuses to forget one in use, SMP events move
 * the progress bar and the result text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gtk-private.h"

/* ---- a scripted API -------------------------------------------------- */

static struct {
    char *question, *secret, *answer;
    int smp_starts, smp_responds, smp_aborts, keygens;
    gboolean bob_trusted, carol_known;
    OffrecPolicy global;
} fake = { .carol_known = TRUE, .global = OFFREC_POLICY_OPPORTUNISTIC };

#define BOB_HEX   "0123456789abcdef0123456789abcdef01234567"
#define BOB_HUMAN "01234567 89ABCDEF 01234567 89ABCDEF 01234567"
#define CAR_HEX   "fedcba9876543210fedcba9876543210fedcba98"
#define CAR_HUMAN "FEDCBA98 76543210 FEDCBA98 76543210 FEDCBA98"
#define OWN_HUMAN "AAAAAAAA BBBBBBBB CCCCCCCC DDDDDDDD EEEEEEEE"

static OffrecState
f_get_state(PurpleConversation *c)
{
    return fake.bob_trusted ? OFFREC_STATE_PRIVATE : OFFREC_STATE_UNVERIFIED;
}

static char *
f_status_text(PurpleConversation *c)
{
    return g_strdup("OTR status with bob@localhost: Unverified");
}

static gboolean
f_true(PurpleConversation *c)
{
    return TRUE;
}

static gboolean
f_smp_start(PurpleConversation *c, const char *q, const char *s)
{
    fake.smp_starts++;
    g_free(fake.question);
    g_free(fake.secret);
    fake.question = g_strdup(q);
    fake.secret = g_strdup(s);
    return TRUE;
}

static gboolean
f_smp_respond(PurpleConversation *c, const char *s)
{
    fake.smp_responds++;
    g_free(fake.answer);
    fake.answer = g_strdup(s);
    return TRUE;
}

static gboolean
f_smp_abort(PurpleConversation *c)
{
    fake.smp_aborts++;
    return TRUE;
}

static gboolean
f_smp_pending(PurpleConversation *c, char **q)
{
    if (q)
        *q = g_strdup("Where did we first meet?");
    return TRUE;
}

static void
f_select(PurpleConversation *c, OffrecSelect how, guint32 tag)
{
}

static GArray *
f_instances(PurpleConversation *c)
{
    return g_array_new(FALSE, TRUE, sizeof(guint32));
}

static guint32
f_selected(PurpleConversation *c)
{
    return 0;
}

static OffrecFingerprint *
fpr(const char *buddy,
    const char *hex,
    const char *human,
    gboolean trusted,
    gboolean in_use)
{
    OffrecFingerprint *f = g_new0(OffrecFingerprint, 1);

    f->account = g_strdup("alice@localhost/gtk3");
    f->protocol = g_strdup("prpl-jabber");
    f->buddy = g_strdup(buddy);
    g_strlcpy(f->hex, hex, sizeof f->hex);
    g_strlcpy(f->human, human, sizeof f->human);
    f->trusted = trusted;
    f->in_use = in_use;
    return f;
}

static GList *
f_fingerprints(PurpleAccount *a, const char *buddy)
{
    GList *l = NULL;

    if (!buddy || strcmp(buddy, "bob@localhost") == 0)
        l = g_list_append(l, fpr("bob@localhost", BOB_HEX, BOB_HUMAN,
                                 fake.bob_trusted, TRUE));
    if (fake.carol_known && (!buddy || strcmp(buddy, "carol@localhost") == 0))
        l = g_list_append(l, fpr("carol@localhost", CAR_HEX, CAR_HUMAN, TRUE,
                                 FALSE));
    return l;
}

static void
fpr_free(gpointer p)
{
    OffrecFingerprint *f = p;

    g_free(f->account);
    g_free(f->protocol);
    g_free(f->buddy);
    g_free(f);
}

static void
f_fingerprints_free(GList *l)
{
    g_list_free_full(l, fpr_free);
}

static gboolean
f_verify(PurpleAccount *a, const char *b, const char *hex, gboolean t)
{
    if (strcmp(hex, BOB_HEX) == 0)
        fake.bob_trusted = t;
    return TRUE;
}

static gboolean
f_forget(PurpleAccount *a, const char *b, const char *hex)
{
    if (strcmp(hex, BOB_HEX) == 0)
        return FALSE; /* in use */
    fake.carol_known = FALSE;
    return TRUE;
}

static OffrecPolicy
f_policy_get(PurpleAccount *a, const char *b)
{
    return fake.global;
}

static gboolean
f_policy_set_buddy(PurpleAccount *a, const char *b, OffrecPolicy p)
{
    return TRUE;
}

static OffrecPolicy
f_policy_get_account(PurpleAccount *a)
{
    return OFFREC_POLICY_DEFAULT;
}

static void
f_policy_set_account(PurpleAccount *a, OffrecPolicy p)
{
}

static OffrecPolicy
f_policy_get_global(void)
{
    return fake.global;
}

static void
f_policy_set_global(OffrecPolicy p)
{
    fake.global = p;
}

static gboolean
f_avoid_get(PurpleAccount *a, const char *b)
{
    return TRUE;
}

static gboolean
f_avoid_set(PurpleAccount *a, const char *b, int v)
{
    return TRUE;
}

static char *
f_own(PurpleAccount *a)
{
    return g_strdup(OWN_HUMAN);
}

static gboolean
f_keygen_start(PurpleAccount *a)
{
    fake.keygens++;
    return TRUE;
}

static void
f_keygen_cancel(PurpleAccount *a)
{
}

static int
f_keygen_progress(PurpleAccount *a)
{
    return -1;
}

static gboolean
f_import(const char *dir, char **summary)
{
    return FALSE;
}

static void
f_ui(guint flags)
{
}

/* A version-1 table: members appended later stay NULL, and size says so. */
static const OffrecApi fake_api = {
    .version = 1,
    .size = G_STRUCT_OFFSET(OffrecApi, ui_unregister) + sizeof(gpointer),
    .get_state = f_get_state,
    .status_text = f_status_text,
    .start = f_true,
    .end = f_true,
    .smp_start = f_smp_start,
    .smp_respond = f_smp_respond,
    .smp_abort = f_smp_abort,
    .smp_pending = f_smp_pending,
    .select_instance = f_select,
    .instances = f_instances,
    .selected_instance = f_selected,
    .fingerprints = f_fingerprints,
    .fingerprints_free = f_fingerprints_free,
    .fingerprint_verify = f_verify,
    .fingerprint_forget = f_forget,
    .policy_get = f_policy_get,
    .policy_get_buddy = f_policy_get,
    .policy_set_buddy = f_policy_set_buddy,
    .policy_get_account = f_policy_get_account,
    .policy_set_account = f_policy_set_account,
    .policy_get_global = f_policy_get_global,
    .policy_set_global = f_policy_set_global,
    .avoid_logging_get = f_avoid_get,
    .avoid_logging_set_buddy = f_avoid_set,
    .own_fingerprint = f_own,
    .keygen_start = f_keygen_start,
    .keygen_cancel = f_keygen_cancel,
    .keygen_progress = f_keygen_progress,
    .import_pidgin_otr = f_import,
    .ui_register = f_ui,
    .ui_unregister = f_ui,
};

/* ---- TAP and widget helpers ------------------------------------------ */

static int n_test, n_fail;

static void
check(gboolean ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s %d - ", ok ? "ok" : "not ok", ++n_test);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    if (!ok)
        n_fail++;
}

static void
spin(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        while (gtk_events_pending())
            gtk_main_iteration();
        g_usleep(10000);
    }
}

static GtkWidget *
window_titled(const char *title)
{
    GList *l, *all = gtk_window_list_toplevels();
    GtkWidget *w = NULL;

    for (l = all; l; l = l->next)
        if (g_strcmp0(gtk_window_get_title(l->data), title) == 0 &&
            gtk_widget_get_visible(l->data))
            w = l->data;
    g_list_free(all);
    return w;
}

static gboolean
mapped(GtkWidget *w)
{
    int i;

    for (i = 0; w && i < 200 && !gtk_widget_get_mapped(w); i++)
        spin(10);
    return w && gtk_widget_get_mapped(w);
}

static void
collect(GtkWidget *w, gpointer data)
{
    GList **out = data;

    *out = g_list_append(*out, w);
    if (GTK_IS_CONTAINER(w))
        gtk_container_forall(GTK_CONTAINER(w), collect, data);
}

/* Every descendant of type t, in tree order. */
static GList *
find_all(GtkWidget *top, GType t)
{
    GList *all = NULL, *l, *out = NULL;

    collect(top, &all);
    for (l = all; l; l = l->next)
        if (G_TYPE_CHECK_INSTANCE_TYPE(l->data, t))
            out = g_list_append(out, l->data);
    g_list_free(all);
    return out;
}

/* TRUE if some label under top contains text. */
static gboolean
has_label(GtkWidget *top, const char *text)
{
    GList *ls = find_all(top, GTK_TYPE_LABEL), *l;
    gboolean found = FALSE;

    for (l = ls; l && !found; l = l->next)
        found = strstr(gtk_label_get_text(l->data), text) != NULL;
    g_list_free(ls);
    return found;
}

static GtkWidget *
named(GtkWidget *top, const char *name)
{
    GList *ws = find_all(top, GTK_TYPE_WIDGET), *l;
    GtkWidget *found = NULL;

    for (l = ws; l && !found; l = l->next)
        if (g_strcmp0(gtk_widget_get_name(l->data), name) == 0)
            found = l->data;
    g_list_free(ws);
    return found;
}

static GtkWidget *
button_labelled(GtkWidget *top, const char *label)
{
    GList *bs = find_all(top, GTK_TYPE_BUTTON), *l;
    GtkWidget *found = NULL;

    for (l = bs; l && !found; l = l->next) {
        const char *t = gtk_button_get_label(l->data);

        if (t && strcmp(t, label) == 0)
            found = l->data;
    }
    g_list_free(bs);
    return found;
}

/* ---- the tests -------------------------------------------------------- */

static void
test_settings(void)
{
    GtkWidget *w, *view, *forget;
    GList *views;
    GtkTreeModel *model;
    GtkTreeIter it;

    otr_gtk_settings_open(2);
    w = window_titled("Off-the-Record Messaging");
    check(mapped(w), "settings window opens");
    check(w && has_label(w, "My private keys") &&
              has_label(w, "Known fingerprints") && has_label(w, OWN_HUMAN),
          "settings show the pages and the own fingerprint");
    views = w ? find_all(w, GTK_TYPE_TREE_VIEW) : NULL;
    view = views ? views->data : NULL;
    g_list_free(views);
    model = view ? gtk_tree_view_get_model(GTK_TREE_VIEW(view)) : NULL;
    check(model && gtk_tree_model_iter_n_children(model, NULL) == 2,
          "known fingerprints lists the API's two fingerprints");
    if (!model)
        return;
    gtk_tree_model_get_iter_first(model, &it); /* sorted: bob first */
    gtk_tree_selection_select_iter(gtk_tree_view_get_selection(
                                       GTK_TREE_VIEW(view)),
                                   &it);
    forget = button_labelled(w, "_Forget fingerprint");
    if (forget)
        gtk_button_clicked(GTK_BUTTON(forget));
    check(forget && has_label(w, "in use") &&
              gtk_tree_model_iter_n_children(model, NULL) == 2,
          "forgetting the fingerprint in use is refused and said so");
    gtk_tree_model_get_iter_first(model, &it);
    gtk_tree_model_iter_next(model, &it);
    gtk_tree_selection_select_iter(gtk_tree_view_get_selection(
                                       GTK_TREE_VIEW(view)),
                                   &it);
    if (forget)
        gtk_button_clicked(GTK_BUTTON(forget));
    check(gtk_tree_model_iter_n_children(model, NULL) == 1,
          "forgetting an unused fingerprint removes its row");
    gtk_widget_destroy(w);
}

static void
test_wizard(PurpleConversation *conv)
{
    GtkWidget *w, *bar, *q, *a, *s;
    GList *bars;
    gboolean wiped;

    otr_gtk_auth_open(conv);
    w = window_titled("Authenticate bob@localhost");
    check(mapped(w), "authenticate wizard opens");
    if (!w)
        return;
    q = named(w, "offrec-question");
    a = named(w, "offrec-answer");
    s = named(w, "offrec-secret");
    check(GTK_IS_ENTRY(q) && GTK_IS_ENTRY(a) && GTK_IS_ENTRY(s) &&
              gtk_widget_is_focus(q),
          "wizard has question (focused), answer, secret");
    if (!GTK_IS_ENTRY(q) || !GTK_IS_ENTRY(a))
        return;
    gtk_entry_set_text(GTK_ENTRY(q), "Our first cat?");
    gtk_entry_set_text(GTK_ENTRY(a), "Mr Whiskers");
    gtk_dialog_response(GTK_DIALOG(w), 1);
    spin(50);
    wiped = gtk_entry_get_text_length(GTK_ENTRY(a)) == 0;
    check(fake.smp_starts == 1 &&
              g_strcmp0(fake.question, "Our first cat?") == 0 &&
              g_strcmp0(fake.secret, "Mr Whiskers") == 0,
          "question and answer reach smp_start");
    check(wiped, "the answer entry is wiped after use");
    otr_gtk_auth_smp_event(conv, OFFREC_SMP_PROGRESS, 50);
    bars = find_all(w, GTK_TYPE_PROGRESS_BAR);
    bar = bars ? bars->data : NULL;
    g_list_free(bars);
    check(bar && gtk_progress_bar_get_fraction(GTK_PROGRESS_BAR(bar)) > 0.49 &&
              gtk_progress_bar_get_fraction(GTK_PROGRESS_BAR(bar)) < 0.51,
          "SMP progress moves the bar");
    otr_gtk_auth_smp_event(conv, OFFREC_SMP_SUCCESS, 100);
    check(has_label(w, "Authentication successful"),
          "success is shown in the wizard");
    gtk_widget_destroy(w);
    check(fake.smp_aborts == 0, "closing a finished wizard aborts nothing");

    otr_gtk_auth_smp_event(conv, OFFREC_SMP_ASKED, 0);
    w = window_titled("Authenticate bob@localhost");
    check(mapped(w) && has_label(w, "Where did we first meet?"),
          "responder wizard shows the buddy's question");
    if (!w)
        return;
    a = named(w, "offrec-answer");
    if (GTK_IS_ENTRY(a))
        gtk_entry_set_text(GTK_ENTRY(a), "In Paris");
    gtk_dialog_response(GTK_DIALOG(w), 1);
    check(fake.smp_responds == 1 && g_strcmp0(fake.answer, "In Paris") == 0,
          "the answer reaches smp_respond");
    gtk_dialog_response(GTK_DIALOG(w), GTK_RESPONSE_CANCEL);
    check(fake.smp_aborts == 1, "Cancel while running aborts SMP");
}

static void
test_dialogs(PurpleConversation *conv, PurpleAccount *acct)
{
    GtkWidget *w;

    otr_gtk_keychange_open(conv, BOB_HUMAN, CAR_HUMAN);
    w = window_titled("bob@localhost is using a different key");
    check(mapped(w) && has_label(w, BOB_HUMAN) && has_label(w, CAR_HUMAN) &&
              button_labelled(w, "_Verify now") &&
              button_labelled(w, "_Continue"),
          "key-change warning shows old and new fingerprints");
    if (w)
        gtk_widget_destroy(w);

    otr_gtk_keygen_open(acct);
    w = window_titled("Generating private key");
    check(mapped(w) && fake.keygens == 1 && button_labelled(w, "_Cancel"),
          "key generation dialog opens with Cancel");
    otr_gtk_keygen_event(acct, 60, OFFREC_KEYGEN_PROGRESS);
    otr_gtk_keygen_event(acct, 100, OFFREC_KEYGEN_DONE);
    check(w && has_label(w, OWN_HUMAN) && button_labelled(w, "_Close"),
          "key generation result shows the new fingerprint");
    if (w)
        gtk_widget_destroy(w);

    otr_gtk_buddy_settings_open(acct, "bob@localhost");
    w = window_titled("OTR Settings for bob@localhost");
    check(mapped(w), "per-buddy settings dialog opens");
    if (w)
        gtk_widget_destroy(w);

    otr_gtk_whats_this();
    w = window_titled("What is OTR?");
    check(mapped(w), "\"What's this?\" opens");
    if (w)
        gtk_widget_destroy(w);
}

/* ---- a minimal libpurple core ---------------------------------------- */

static guint
input_add(int fd, PurpleInputCondition cond, PurpleInputFunction f, gpointer d)
{
    return 0; /* no network in this test */
}

static PurpleEventLoopUiOps loop_ops = {
    g_timeout_add, g_source_remove,       input_add, g_source_remove,
    NULL,          g_timeout_add_seconds, NULL,      NULL,
    NULL,
};

int
main(int argc, char **argv)
{
    char *dir = g_dir_make_tmp("offrec-gtk3-XXXXXX", NULL);
    PurpleAccount *acct;
    PurpleConversation *conv;

    gtk_init(&argc, &argv);
    printf("TAP version 13\n");
    purple_util_set_user_dir(dir);
    purple_debug_set_enabled(FALSE);
    purple_eventloop_set_ui_ops(&loop_ops);
    if (!purple_core_init("offrec-gtk3-test")) {
        printf("1..0 # SKIP libpurple did not initialise\n");
        return 0;
    }
    otr_gtk_prefs_init();
    purple_prefs_add_none(OTR_CORE_PREF_ROOT);
    purple_prefs_add_bool(OTR_CORE_PREF_AVOID, TRUE);
    purple_prefs_add_bool(OTR_CORE_PREF_CONFIRM, TRUE);
    purple_prefs_add_bool(OTR_CORE_PREF_KNOWN, FALSE);
    purple_set_blist(purple_blist_new());
    acct = purple_account_new("alice@localhost/gtk3", "prpl-jabber");
    purple_accounts_add(acct);
    /* purple_conversation_new wants a connection; the dialogs only read
     * the type, account and name of the (public, 2.x) struct. */
    conv = g_new0(PurpleConversation, 1);
    conv->type = PURPLE_CONV_TYPE_IM;
    conv->account = acct;
    conv->name = g_strdup("bob@localhost");
    otr_gtk_set_api(&fake_api, &fake);
    otr_gtk_set_icon_dir(g_getenv("OFFREC_GTK_ICON_DIR"));
    printf("# GTK %u.%u.%u\n", gtk_get_major_version(), gtk_get_minor_version(),
           gtk_get_micro_version());

    test_settings();
    test_wizard(conv);
    test_dialogs(conv, acct);
    otr_gtk_close_all_windows();
    printf("1..%d\n", n_test);
    g_free(conv->name);
    g_free(conv);
    purple_core_quit();
    g_free(fake.question);
    g_free(fake.secret);
    g_free(fake.answer);
    return n_fail ? 1 : 0;
}
