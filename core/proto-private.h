/* Offrec — classifying incoming messages, query messages, whitespace tags
 * and OTR error messages (spec: "Unencoded messages", "Query messages").
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_PROTO_PRIVATE_H
#define OTR_PROTO_PRIVATE_H

#include "otr.h"

typedef enum {
    OTR_KIND_PLAINTEXT, /* no OTR marker at all */
    OTR_KIND_TAGGED,    /* plaintext carrying a whitespace tag */
    OTR_KIND_QUERY,     /* ?OTR?, ?OTRv2?, ?OTRv23?, ?OTR?v2? ... */
    OTR_KIND_ERROR,     /* ?OTR Error: ... */
    OTR_KIND_ENCODED,   /* ?OTR:....  (AKE or data message) */
    OTR_KIND_FRAGMENT,  /* ?OTR|...| (v3) or ?OTR,k,n,  (v2) */
    OTR_KIND_UNKNOWN,   /* starts with ?OTR but nothing we know */
} OtrMsgKind;

typedef struct {
    OtrMsgKind kind;
    guint versions;    /* QUERY / TAGGED: offered versions, OTR_V2|OTR_V3
                          (unknown versions ignored; v1 ignored) */
    size_t start;      /* ENCODED/FRAGMENT/ERROR: offset of "?OTR" */
    const char *error; /* ERROR: the text after "?OTR Error:" (borrowed) */
} OtrClassified;

/* Classify msg. The OTR marker may be embedded in surrounding text. */
void otr_classify(const char *msg, size_t len, OtrClassified *c);

/* "?OTRv23?" style query for the given versions; g_free. */
char *otr_query_message(guint versions);

/* Whitespace tag: the 16-byte base tag followed by one 8-byte tag per
 * version. */
char *otr_tag_append(const char *text, guint versions); /* g_free */
/* Copy of msg with every whitespace tag removed; *versions gets the
 * versions the tag(s) offered (0 when none). */
char *otr_tag_strip(const char *msg, guint *versions); /* g_free */

/* "?OTR Error: text"; g_free. */
char *otr_error_message(const char *text);

#endif
