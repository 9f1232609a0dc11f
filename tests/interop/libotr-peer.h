/* Offrec interop — the libotr peer (libotr-peer.c) and its libotr
 * callbacks (libotr-ops.c): shared state.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_INTEROP_LIBOTR_PEER_H
#define OTR_INTEROP_LIBOTR_PEER_H

/* libotr's headers depend on their order: proto.h first. */
/* clang-format off */
#include <libotr/proto.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/tlv.h>
#include <libotr/userstate.h>
#include <libotr/version.h>
/* clang-format on */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>
#include <glib.h>

#include "peerio.h"

typedef struct {
    PeerArgs args;
    OtrlUserState us;
    OtrlPolicy policy;
    unsigned int timer_interval; /* seconds; 0 = no timer */
    gint64 timer_due;            /* monotonic µs; 0 = none */
    gboolean decrypted;          /* set by convert_msg while receiving */
    ConnContext *smp_ctx;        /* instance that asked us for a secret */
    /* Last state printed, to print a transition once. */
    char *last_state;
    gboolean ready; /* `ready` printed: events may follow */
} Peer;

extern Peer peer;             /* libotr-peer.c */
extern OtrlMessageAppOps ops; /* libotr-ops.c */

/* ---- libotr-peer.c ------------------------------------------------------- */

/* Prints a `state` event when the send target changed, or always when
 * force is set (a refresh). */
void report_state(gboolean force);
/* A `log` event once `ready` was printed, else a line on stderr. */
void logf_(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* ---- libotr-ops.c -------------------------------------------------------- */

/* Fills ops with the callbacks of libotr-ops.c. */
void ops_init(void);
/* Runs libotr's periodic clean-up when its timer is due. */
void poll_timer(void);

/* Callbacks the peer also calls directly. */
void op_create_privkey(void *opdata,
                       const char *accountname,
                       const char *protocol);
void op_create_instag(void *opdata,
                      const char *accountname,
                      const char *protocol);
void op_inject_message(void *opdata,
                       const char *accountname,
                       const char *protocol,
                       const char *recipient,
                       const char *message);
void op_received_symkey(void *opdata,
                        ConnContext *context,
                        unsigned int use,
                        const unsigned char *usedata,
                        size_t usedatalen,
                        const unsigned char *symkey);

#endif /* OTR_INTEROP_LIBOTR_PEER_H */
