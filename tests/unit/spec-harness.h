/* Offrec tests — two sessions talking through otr.h, and a decoder for
 * the wire messages as the spec lays them out (for test-spec.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_SPEC_HARNESS_H
#define OTR_SPEC_HARNESS_H

#include "otr.h"
#include "testutil.h"

#define ALICE_TAG 0x1001u
#define BOB_TAG   0x2002u

typedef struct {
    OtrEventType type;
    char *text;
    gboolean priv;
    OtrMsgState state;
    guint32 use;
    uint8_t key[OTR_EXTRA_KEY_LEN];
} Rec;

typedef struct {
    TestHost th;
    OtrSession *s;
    GPtrArray *queue; /* wires not yet delivered */
    GPtrArray *sent;  /* every wire sent */
    GArray *recs;     /* events other than wires and logs */
} Side;

typedef struct {
    Side a, b;
} Duo;

typedef struct {
    guint16 version;
    uint8_t type;
    guint32 sender, receiver;
    /* Data messages only. */
    uint8_t flags;
    guint32 skeyid, rkeyid;
    GBytes *next_dh;
    uint8_t ctr[8];
    size_t mac_end; /* bytes covered by the MAC */
    uint8_t mac[20];
    GBytes *old_macs;
    GBytes *raw;
} Msg;

void rec_clear(gpointer p);
void side_init(Side *sd,
               guint32 seed,
               const char *me,
               const char *them,
               guint32 tag,
               OtrPolicy policy,
               guint versions,
               int key);
void side_clear(Side *sd);
void duo_init(Duo *d, OtrPolicy pa, OtrPolicy pb, guint versions);
void duo_clear(Duo *d);
void collect(Side *sd, OtrOutbox *out);
void recv_wire(Side *sd, const char *wire);
OtrError send_text(Side *sd, const char *text);
void start(Side *sd);
void end_session(Side *sd);
guint deliver(Side *from, Side *to);
void pump(Duo *d);
void forget(Side *sd);
void duo_private(Duo *d);
guint count_type(const Side *sd, OtrEventType type);
const Rec *find_display(const Side *sd, const char *text);
guint count_sent_prefix(const Side *sd, const char *prefix);
void msg_clear(Msg *m);
guint32 be32(const uint8_t *p);
gboolean msg_parse(const char *wire, Msg *m);
char *msg_encode(const uint8_t *raw, gsize n);
gboolean mac_verifies(const Msg *m, const uint8_t key[20]);

#endif
