/* Offrec — the outbox the core fills for its caller.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "crypto-private.h"
#include "outbox-private.h"

void
otr_outbox_init(OtrOutbox *out)
{
    out->events = g_array_new(FALSE, TRUE, sizeof(OtrEvent));
}

/* TRUE when an event's text may hold something secret: received
 * plaintext, an SMP question, or lines that quote either. Outgoing WIRE
 * text is ciphertext or was sent in the clear anyway. */
static gboolean
text_is_secret(OtrEventType type)
{
    switch (type) {
    case OTR_EV_WIRE:
        return FALSE;
    case OTR_EV_DISPLAY:
    case OTR_EV_STATE:
    case OTR_EV_ERROR:
    case OTR_EV_NOTICE:
    case OTR_EV_LOG:
    case OTR_EV_SMP:
    case OTR_EV_EXTRA_KEY:
    case OTR_EV_NEED_KEY:
    case OTR_EV_FINGERPRINT:
        return TRUE;
    }
    return TRUE;
}

static void
event_clear(OtrEvent *ev)
{
    if (ev->text) {
        if (text_is_secret(ev->type))
            otr_wipe(ev->text, strlen(ev->text));
        g_free(ev->text);
    }
    if (ev->context)
        g_bytes_unref(ev->context);
    otr_wipe(ev, sizeof *ev);
}

void
otr_outbox_clear(OtrOutbox *out)
{
    if (!out->events)
        return;
    for (guint i = 0; i < out->events->len; i++)
        event_clear(&g_array_index(out->events, OtrEvent, i));
    g_array_set_size(out->events, 0);
    g_array_unref(out->events);
    out->events = NULL;
}

guint
otr_outbox_len(const OtrOutbox *out)
{
    return out->events ? out->events->len : 0;
}

const OtrEvent *
otr_outbox_get(const OtrOutbox *out, guint i)
{
    g_return_val_if_fail(i < otr_outbox_len(out), NULL);
    return &g_array_index(out->events, OtrEvent, i);
}

OtrEvent *
otr_outbox_push_take(OtrOutbox *out,
                     OtrEventType type,
                     guint32 instance,
                     char *text)
{
    OtrEvent ev = { 0 };

    if (!out->events)
        otr_outbox_init(out);
    ev.type = type;
    ev.instance = instance;
    ev.text = text;
    g_array_append_val(out->events, ev);
    return &g_array_index(out->events, OtrEvent, out->events->len - 1);
}

OtrEvent *
otr_outbox_push(OtrOutbox *out,
                OtrEventType type,
                guint32 instance,
                const char *text)
{
    return otr_outbox_push_take(out, type, instance, g_strdup(text));
}

OtrEvent *
otr_outbox_error(OtrOutbox *out,
                 guint32 instance,
                 OtrError err,
                 const char *text)
{
    OtrEvent *ev = otr_outbox_push(out, OTR_EV_ERROR, instance, text);

    ev->error = err;
    return ev;
}
