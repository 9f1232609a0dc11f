/* Offrec interop — JSON Lines I/O shared by the peers (PEER-PROTOCOL.md).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_PEERIO_H
#define OTR_PEERIO_H

#include <stdint.h>

#include <glib.h>

typedef struct {
    char *account, *peer, *key, *protocol;
    char *versions; /* "2", "3" or "23" */
    char *policy;   /* manual|opportunistic|always|never */
    guint32 instag; /* 0 = keep or make one beside --key */
    gsize max_message_size;
} PeerArgs;

/* Parses the command line of PEER-PROTOCOL.md; exits 2 with a message on
 * bad usage. */
void peer_args_parse(PeerArgs *a, int argc, char **argv);
/* Frees the strings peer_args_parse() filled in. */
void peer_args_clear(PeerArgs *a);

/* One parsed operation line. */
typedef struct PeerOp PeerOp;
/* Reads the next line from stdin; NULL at EOF. A malformed line gives an op
 * whose name is NULL and whose error says why. */
PeerOp *peer_op_read(void);
void peer_op_free(PeerOp *op);
const char *peer_op_name(const PeerOp *op);
const char *peer_op_error(const PeerOp *op);
/* Field accessors: NULL / FALSE when absent or of the wrong type. */
const char *peer_op_str(const PeerOp *op, const char *field);
gboolean peer_op_int(const PeerOp *op, const char *field, gint64 *v);

/* Event output: builds one JSON object and prints it as a line on stdout
 * (flushed). Fields are added in order; values are escaped properly. */
typedef struct PeerEv PeerEv;
PeerEv *peer_ev_new(const char *ev);
void peer_ev_str(PeerEv *e, const char *field, const char *value); /* NULL
                                                                     -> null */
void peer_ev_int(PeerEv *e, const char *field, gint64 v);
void peer_ev_bool(PeerEv *e, const char *field, gboolean v);
void peer_ev_emit(PeerEv *e); /* prints and frees */

/* Shortcuts. */
void peer_emit_done(void);
void peer_emit_error(const char *text);
void peer_emit_log(const char *text);

/* Lower-case hex of bytes (g_free); hex to bytes (NULL if not hex). */
char *peer_hex(const uint8_t *bytes, gsize len);
GBytes *peer_unhex(const char *hex);

#endif
