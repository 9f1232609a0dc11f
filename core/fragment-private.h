/* Offrec — fragmentation of outgoing encoded messages and reassembly of
 * incoming v2 ("?OTR,k,n,piece,") and v3 ("?OTR|snd|rcv,k,n,piece,")
 * fragments (spec: "Fragmentation").
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_FRAGMENT_PRIVATE_H
#define OTR_FRAGMENT_PRIVATE_H

#include "otr.h"

/* Hard bounds on reassembly. */
#define OTR_FRAG_MAX_PIECES 10000
#define OTR_FRAG_MAX_BYTES  (2 * 1024 * 1024)

/* Split an encoded message ("?OTR:...") so that each piece, with its
 * fragment header, is at most max bytes. version 3 uses instance tags.
 * Returns a NULL-terminated vector (g_strfreev), a single element (the
 * message itself) when it fits, or NULL when max is too small for any
 * fragment to carry data. */
char **otr_fragment_split(const char *msg,
                          size_t max,
                          int version,
                          guint32 sender,
                          guint32 receiver);

typedef struct {
    int version;      /* 2 or 3 */
    guint32 sender;   /* v3 */
    guint32 receiver; /* v3 */
    guint16 k, n;
    const char *piece;
    size_t piece_len;
} OtrFragment;

/* Parse one fragment (text starts at "?OTR|" or "?OTR,"). */
OtrError otr_fragment_parse(const char *text, size_t len, OtrFragment *f);

/* One reassembly buffer (one per sender instance). */
typedef struct {
    GString *buf; /* NULL when empty */
    guint16 k, n;
} OtrReassembly;

typedef enum {
    OTR_FRAG_INCOMPLETE, /* stored (or discarded per spec); nothing yet */
    OTR_FRAG_COMPLETE,   /* *whole is the reassembled message (g_free) */
} OtrFragResult;

/* Apply the spec's rules: k==0, n==0 or k>n discarded; k==1 starts anew;
 * k==prev+1 with the same n appends; anything else discards the buffer.
 * Bounds exceeded: buffer dropped, OTR_ERR_TOO_BIG. */
OtrError otr_reassembly_add(OtrReassembly *ra,
                            const OtrFragment *f,
                            OtrFragResult *result,
                            char **whole);
void otr_reassembly_clear(OtrReassembly *ra);

#endif
