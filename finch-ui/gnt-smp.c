/* Offrec Finch front-end — the "Authenticate buddy" wizard (SMP and manual
 * fingerprint verification), one gnt window per conversation.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "finch-private.h"

typedef enum {
    PAGE_CHOOSE,
    PAGE_QUESTION,
    PAGE_SECRET,
    PAGE_FINGERPRINT,
    PAGE_ANSWER,
    PAGE_PROGRESS,
    PAGE_RESULT,
} Page;

typedef struct {
    PurpleConversation *conv;
    GntWidget *win;
    GntWidget *question; /* entries of the current page, or NULL */
    GntWidget *secret;
    GntWidget *combo;
    GntWidget *bar;
    char *their_hex; /* fingerprint page: the fingerprint shown */
    Page page;
    gboolean answered_question; /* we are the responder to a question */
    gboolean replacing;         /* we destroy win ourselves */
} Wizard;

static GHashTable *wizards; /* PurpleConversation* -> Wizard* */

static void wizard_page(Wizard *w, Page page, const char *text);

/* The buddy's normalized name (XMPP: the bare JID). */
static const char *
buddy(Wizard *w)
{
    return purple_normalize(purple_conversation_get_account(w->conv),
                            purple_conversation_get_name(w->conv));
}

static void
wipe_entries(Wizard *w)
{
    if (w->question)
        otr_finch_entry_wipe(GNT_ENTRY(w->question));
    if (w->secret)
        otr_finch_entry_wipe(GNT_ENTRY(w->secret));
    w->question = w->secret = w->combo = w->bar = NULL;
}

static void
wizard_free(Wizard *w)
{
    g_free(w->their_hex);
    g_free(w);
}

/* The user closed the window: an exchange under way is aborted. */
static void
win_destroyed(GntWidget *win, Wizard *w)
{
    OtrFinch *fin = otr_finch_get();

    if (w->replacing)
        return;
    w->win = NULL;
    if (fin && (w->page == PAGE_ANSWER || w->page == PAGE_PROGRESS))
        fin->api->smp_abort(w->conv);
    if (wizards)
        g_hash_table_remove(wizards, w->conv);
}

static void
on_cancel(GntWidget *b, Wizard *w)
{
    OtrFinch *fin = otr_finch_get();

    if (fin && (w->page == PAGE_ANSWER || w->page == PAGE_PROGRESS)) {
        fin->api->smp_abort(w->conv);
        wizard_page(w, PAGE_RESULT, _("Authentication aborted."));
        return;
    }
    gnt_widget_destroy(w->win); /* frees w through win_destroyed */
}

static void
on_close(GntWidget *b, Wizard *w)
{
    gnt_widget_destroy(w->win);
}

static char *
take_text(GntWidget *entry)
{
    const char *t = entry ? gnt_entry_get_text(GNT_ENTRY(entry)) : NULL;

    return g_strdup(t ? t : "");
}

static void
free_secret(char *s)
{
    if (s) {
        otr_finch_wipe(s, strlen(s));
        g_free(s);
    }
}

static void
on_submit(GntWidget *b, Wizard *w)
{
    OtrFinch *fin = otr_finch_get();
    char *q = NULL, *s;
    gboolean ok;
    Page was = w->page;

    if (!fin)
        return;
    s = take_text(w->secret);
    if (was == PAGE_QUESTION)
        q = take_text(w->question);
    if (!*s || (q && !*q)) {
        free_secret(s);
        g_free(q);
        return; /* nothing typed yet: stay on the page */
    }
    wipe_entries(w);
    if (was == PAGE_ANSWER)
        ok = fin->api->smp_respond(w->conv, s);
    else
        ok = fin->api->smp_start(w->conv, q, s);
    free_secret(s);
    g_free(q);
    if (!ok) {
        wizard_page(w, PAGE_RESULT,
                    _("Authentication could not be started: is the "
                      "conversation private? Start it with OTR > Start "
                      "private conversation."));
        return;
    }
    w->answered_question = was == PAGE_ANSWER && w->answered_question;
    wizard_page(w, PAGE_PROGRESS, NULL);
}

static void
on_fpr_ok(GntWidget *b, Wizard *w)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *acct = purple_conversation_get_account(w->conv);
    gboolean trust;
    char *name;

    if (!fin || !w->their_hex)
        return;
    trust = GPOINTER_TO_INT(
                gnt_combo_box_get_selected_data(GNT_COMBO_BOX(w->combo))) == 2;
    name = g_strdup(buddy(w));
    if (fin->api->fingerprint_verify(acct, name, w->their_hex, trust))
        wizard_page(w, PAGE_RESULT,
                    trust ? _("You have verified the fingerprint: the "
                              "conversation is private.")
                          : _("The fingerprint is marked as not verified."));
    else
        wizard_page(w, PAGE_RESULT, _("The fingerprint could not be changed."));
    g_free(name);
}

static void
on_method(GntWidget *b, Wizard *w)
{
    wizard_page(w, GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "page")),
                NULL);
}

static void
on_ask_back(GntWidget *b, Wizard *w)
{
    wizard_page(w, PAGE_CHOOSE, NULL);
}

static void
add_label(GntWidget *box, const char *text)
{
    gnt_box_add_widget(GNT_BOX(box), gnt_label_new(text));
}

static GntWidget *
add_entry(GntWidget *box, const char *label, gboolean masked, Wizard *w)
{
    GntWidget *e = gnt_entry_new(NULL);

    add_label(box, label);
    gnt_entry_set_masked(GNT_ENTRY(e), masked);
    gnt_widget_set_size(e, 40, 1);
    gnt_box_add_widget(GNT_BOX(box), e);
    return e;
}

static void
method_button(GntWidget *box, const char *label, Page page, Wizard *w)
{
    GntWidget *row = otr_finch_button_row(box);
    GntWidget *b = otr_finch_button_add(row, label, G_CALLBACK(on_method), w);

    g_object_set_data(G_OBJECT(b), "page", GINT_TO_POINTER(page));
}

static void
page_choose(Wizard *w, GntWidget *box)
{
    char *t =
        g_strdup_printf(_("How do you want to authenticate %s?"), buddy(w));

    add_label(box, t);
    g_free(t);
    method_button(box, _("Question and answer"), PAGE_QUESTION, w);
    add_label(box, _("Ask a question only your buddy can answer."));
    method_button(box, _("Shared secret"), PAGE_SECRET, w);
    add_label(box, _("Type a secret you both know."));
    method_button(box, _("Manual fingerprint verification"), PAGE_FINGERPRINT,
                  w);
    add_label(box, _("Compare fingerprints over another safe channel."));
    otr_finch_button_add(otr_finch_button_row(box), _("Cancel"),
                         G_CALLBACK(on_cancel), w);
}

static void
submit_row(GntWidget *box, Wizard *w, gboolean back)
{
    GntWidget *row = otr_finch_button_row(box);

    otr_finch_button_add(row, _("Authenticate"), G_CALLBACK(on_submit), w);
    if (back)
        otr_finch_button_add(row, _("Back"), G_CALLBACK(on_ask_back), w);
    otr_finch_button_add(row, _("Cancel"), G_CALLBACK(on_cancel), w);
}

static void
page_fingerprint(Wizard *w, GntWidget *box)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *acct = purple_conversation_get_account(w->conv);
    char *mine = fin->api->own_fingerprint(acct);
    char *name = g_strdup(buddy(w));
    GList *fprs = fin->api->fingerprints(acct, name);
    OffrecFingerprint *theirs = NULL;
    GntWidget *row;
    char *t;

    for (GList *l = fprs; l; l = l->next) {
        OffrecFingerprint *fp = l->data;

        if (!theirs || fp->in_use)
            theirs = fp;
    }
    t = g_strdup_printf(_("Your fingerprint (%s):\n%s"),
                        purple_account_get_username(acct),
                        mine ? mine : _("(no private key yet)"));
    add_label(box, t);
    g_free(t);
    g_clear_pointer(&w->their_hex, g_free);
    if (!theirs) {
        t = g_strdup_printf(_("There is no fingerprint of %s yet: start a "
                              "private conversation first."),
                            name);
        add_label(box, t);
        g_free(t);
        otr_finch_button_add(otr_finch_button_row(box), _("Close"),
                             G_CALLBACK(on_close), w);
        goto out;
    }
    w->their_hex = g_strdup(theirs->hex);
    t = g_strdup_printf(_("Purported fingerprint of %s:\n%s"), name,
                        theirs->human);
    add_label(box, t);
    g_free(t);
    add_label(box, _("Check it with your buddy over another channel (in "
                     "person, by phone)."));
    w->combo = gnt_combo_box_new();
    gnt_combo_box_add_data(GNT_COMBO_BOX(w->combo), GINT_TO_POINTER(1),
                           _("I have not verified"));
    gnt_combo_box_add_data(GNT_COMBO_BOX(w->combo), GINT_TO_POINTER(2),
                           _("I have verified"));
    gnt_combo_box_set_selected(GNT_COMBO_BOX(w->combo),
                               GINT_TO_POINTER(theirs->trusted ? 2 : 1));
    row = gnt_hbox_new(FALSE);
    gnt_box_add_widget(GNT_BOX(row), w->combo);
    gnt_box_add_widget(GNT_BOX(row),
                       gnt_label_new(_("that this is the right fingerprint.")));
    gnt_box_add_widget(GNT_BOX(box), row);
    row = otr_finch_button_row(box);
    otr_finch_button_add(row, _("OK"), G_CALLBACK(on_fpr_ok), w);
    otr_finch_button_add(row, _("Cancel"), G_CALLBACK(on_cancel), w);
out:
    fin->api->fingerprints_free(fprs);
    g_free(mine);
    g_free(name);
}

static void
page_answer(Wizard *w, GntWidget *box)
{
    OtrFinch *fin = otr_finch_get();
    char *question = NULL, *t;

    fin->api->smp_pending(w->conv, &question);
    t = g_strdup_printf(_("%s wants to authenticate you."), buddy(w));
    add_label(box, t);
    g_free(t);
    w->answered_question = question != NULL;
    if (question) {
        t = g_strdup_printf(_("Their question: %s"), question);
        add_label(box, t);
        g_free(t);
        w->secret =
            add_entry(box, _("Your answer (not shown, never sent):"), TRUE, w);
    } else {
        w->secret = add_entry(box,
                              _("The secret you agreed on (not shown, never "
                                "sent):"),
                              TRUE, w);
    }
    g_signal_connect(G_OBJECT(w->secret), "activate", G_CALLBACK(on_submit), w);
    submit_row(box, w, FALSE);
    g_free(question);
}

static void
page_result(Wizard *w, GntWidget *box, const char *text)
{
    GntWidget *row;

    add_label(box, text);
    row = otr_finch_button_row(box);
    otr_finch_button_add(row, _("Close"), G_CALLBACK(on_close), w);
    if (w->page == PAGE_RESULT && w->answered_question)
        otr_finch_button_add(row, _("Ask your own question"),
                             G_CALLBACK(on_ask_back), w);
}

/* The first widget that takes the keyboard, depth first. */
static GntWidget *
first_focus(GntWidget *box)
{
    for (GList *l = gnt_box_get_children(GNT_BOX(box)); l; l = l->next) {
        GntWidget *c = l->data;

        if (GNT_IS_ENTRY(c) || GNT_IS_BUTTON(c) || GNT_IS_COMBO_BOX(c))
            return c;
        if (GNT_IS_BOX(c) && (c = first_focus(c)))
            return c;
    }
    return NULL;
}

static void
wizard_page(Wizard *w, Page page, const char *text)
{
    GntWidget *box, *focus;
    gboolean fresh = w->win == NULL;
    char *t;

    wipe_entries(w);
    w->page = page;
    if (fresh) {
        t = g_strdup_printf(_("Authenticate %s"), buddy(w));
        w->win = otr_finch_window_new(t);
        g_free(t);
        g_signal_connect(G_OBJECT(w->win), "destroy", G_CALLBACK(win_destroyed),
                         w);
    } else {
        /* Same window, new page: it keeps its place on top. */
        gnt_box_remove_all(GNT_BOX(w->win));
    }
    box = w->win;
    switch (page) {
    case PAGE_CHOOSE:
        page_choose(w, box);
        break;
    case PAGE_QUESTION:
        add_label(box, _("Ask a question whose answer only your buddy "
                         "knows.\nThe answer is never sent: both answers "
                         "are compared, exactly."));
        w->question = add_entry(box, _("Question:"), FALSE, w);
        w->secret = add_entry(box, _("Answer (not shown):"), TRUE, w);
        g_signal_connect(G_OBJECT(w->secret), "activate", G_CALLBACK(on_submit),
                         w);
        submit_row(box, w, TRUE);
        break;
    case PAGE_SECRET:
        add_label(box, _("Type a secret known only to you and your buddy.\n"
                         "It is never sent: both are compared, exactly."));
        w->secret = add_entry(box, _("Shared secret (not shown):"), TRUE, w);
        g_signal_connect(G_OBJECT(w->secret), "activate", G_CALLBACK(on_submit),
                         w);
        submit_row(box, w, TRUE);
        break;
    case PAGE_FINGERPRINT:
        page_fingerprint(w, box);
        break;
    case PAGE_ANSWER:
        page_answer(w, box);
        break;
    case PAGE_PROGRESS:
        t = g_strdup_printf(_("Authenticating %s..."), buddy(w));
        add_label(box, t);
        g_free(t);
        w->bar = gnt_progress_bar_new();
        gnt_widget_set_size(w->bar, 40, 1);
        gnt_progress_bar_set_fraction(GNT_PROGRESS_BAR(w->bar), 0.2);
        gnt_box_add_widget(GNT_BOX(box), w->bar);
        otr_finch_button_add(otr_finch_button_row(box), _("Cancel"),
                             G_CALLBACK(on_cancel), w);
        break;
    case PAGE_RESULT:
        page_result(w, box, text ? text : "");
        break;
    }
    if (fresh) {
        gnt_widget_show(box);
        return;
    }
    gnt_box_readjust(GNT_BOX(box));
    focus = first_focus(box);
    if (focus)
        gnt_box_give_focus_to_child(GNT_BOX(box), focus);
    gnt_widget_draw(box);
}

static Wizard *
wizard_get(PurpleConversation *conv, gboolean make)
{
    Wizard *w = g_hash_table_lookup(wizards, conv);

    if (!w && make) {
        w = g_new0(Wizard, 1);
        w->conv = conv;
        g_hash_table_insert(wizards, conv, w);
    }
    return w;
}

void
otr_finch_smp_open(PurpleConversation *conv)
{
    OtrFinch *fin = otr_finch_get();
    Wizard *w;

    if (!fin || !wizards)
        return;
    w = wizard_get(conv, TRUE);
    if (fin->api->smp_pending(conv, NULL))
        wizard_page(w, PAGE_ANSWER, NULL);
    else if (w->page == PAGE_PROGRESS && w->win)
        gnt_widget_show(w->win); /* already running: bring it back */
    else
        wizard_page(w, PAGE_CHOOSE, NULL);
}

static void
smp_progress(PurpleConversation *conv, int ev, int pct, gpointer unused)
{
    Wizard *w;
    char *t = NULL;

    if (!otr_finch_get() || !wizards || !conv)
        return;
    if (ev == OFFREC_SMP_ASKED) {
        wizard_page(wizard_get(conv, TRUE), PAGE_ANSWER, NULL);
        return;
    }
    w = wizard_get(conv, FALSE);
    if (!w || !w->win)
        return;
    switch ((OffrecSmpEvent)ev) {
    case OFFREC_SMP_ASKED:
        break;
    case OFFREC_SMP_PROGRESS:
        if (w->page != PAGE_PROGRESS)
            wizard_page(w, PAGE_PROGRESS, NULL); /* answered with /otr */
        if (w->bar)
            gnt_progress_bar_set_fraction(GNT_PROGRESS_BAR(w->bar),
                                          CLAMP(pct, 0, 100) / 100.0);
        break;
    case OFFREC_SMP_SUCCESS:
        /* The core knows who verified whom (answered with /otr auth or
         * through this wizard alike). */
        w->answered_question = otr_finch_get()->api->smp_outcome(conv) ==
                               OFFREC_SMP_OUTCOME_THEY_VERIFIED;
        if (w->answered_question)
            t = g_strdup_printf(_("%s has authenticated you. You may want "
                                  "to authenticate %s too by asking your "
                                  "own question."),
                                buddy(w), buddy(w));
        else
            t = g_strdup_printf(_("Authentication successful: %s's "
                                  "fingerprint is now verified."),
                                buddy(w));
        wizard_page(w, PAGE_RESULT, t);
        break;
    case OFFREC_SMP_FAILURE:
        t = g_strdup_printf(_("Authentication of %s failed: the answers did "
                              "not match."),
                            buddy(w));
        w->answered_question = FALSE;
        wizard_page(w, PAGE_RESULT, t);
        break;
    case OFFREC_SMP_ABORTED:
        w->answered_question = FALSE;
        wizard_page(w, PAGE_RESULT, _("Authentication was aborted."));
        break;
    case OFFREC_SMP_ERROR:
        w->answered_question = FALSE;
        wizard_page(w, PAGE_RESULT,
                    _("Authentication failed: protocol error."));
        break;
    }
    g_free(t);
}

static void
destroy_wizard(gpointer data)
{
    Wizard *w = data;

    wipe_entries(w);
    if (w->win) {
        GntWidget *win = w->win;

        w->replacing = TRUE;
        w->win = NULL;
        gnt_widget_destroy(win);
    }
    wizard_free(w);
}

static void
conv_deleting(PurpleConversation *conv, gpointer unused)
{
    if (wizards)
        g_hash_table_remove(wizards, conv);
}

void
otr_finch_smp_init(void)
{
    OtrFinch *fin = otr_finch_get();

    wizards = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                    destroy_wizard);
    purple_signal_connect(fin->core, "otr-smp-progress", fin->plugin,
                          PURPLE_CALLBACK(smp_progress), NULL);
    purple_signal_connect(purple_conversations_get_handle(),
                          "deleting-conversation", fin->plugin,
                          PURPLE_CALLBACK(conv_deleting), NULL);
}

void
otr_finch_smp_uninit(void)
{
    GHashTable *t = wizards;

    wizards = NULL;
    if (t)
        g_hash_table_destroy(t);
}
