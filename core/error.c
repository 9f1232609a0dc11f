/* Offrec — error descriptions.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "otr.h"

const char *
otr_error_str(OtrError err)
{
    switch (err) {
    case OTR_OK:
        return "no error";
    case OTR_ERR_NOMEM:
        return "out of memory";
    case OTR_ERR_INVALID:
        return "invalid argument";
    case OTR_ERR_MALFORMED:
        return "malformed message";
    case OTR_ERR_BAD_MAC:
        return "message authentication failed";
    case OTR_ERR_BAD_SIG:
        return "signature verification failed";
    case OTR_ERR_BAD_VALUE:
        return "invalid value in message";
    case OTR_ERR_STATE:
        return "message not expected now";
    case OTR_ERR_REPLAY:
        return "replayed message";
    case OTR_ERR_UNREADABLE:
        return "unreadable encrypted message";
    case OTR_ERR_CRYPTO:
        return "cryptographic library failure";
    case OTR_ERR_TOO_BIG:
        return "message too large";
    case OTR_ERR_FINISHED:
        return "private conversation has ended";
    case OTR_ERR_POLICY:
        return "not allowed by policy";
    case OTR_ERR_NO_KEY:
        return "no private key";
    case OTR_ERR_NO_SESSION:
        return "no private conversation";
    case OTR_ERR_CANCELLED:
        return "cancelled";
    }
    return "unknown error";
}
