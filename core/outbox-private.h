/* Offrec — helpers that fill an OtrOutbox.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_OUTBOX_PRIVATE_H
#define OTR_OUTBOX_PRIVATE_H

#include "otr.h"

/* Appends an event of the given type and returns it for the caller to fill
 * in; text (may be NULL) is copied. */
OtrEvent *otr_outbox_push(OtrOutbox *out,
                          OtrEventType type,
                          guint32 instance,
                          const char *text);
/* Takes ownership of text. */
OtrEvent *otr_outbox_push_take(OtrOutbox *out,
                               OtrEventType type,
                               guint32 instance,
                               char *text);
OtrEvent *otr_outbox_error(OtrOutbox *out,
                           guint32 instance,
                           OtrError err,
                           const char *text);

#endif
