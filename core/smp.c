/* Offrec — the Socialist Millionaires' Protocol (spec: "The Socialist
 * Millionaires' Protocol (SMP)"), TLVs 2-7, interoperable with libotr.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Alice (initiator) runs start -> receive SMP2 -> receive SMP4; Bob runs
 * receive SMP1 -> respond -> receive SMP3. Like libotr, Bob stays in
 * EXPECT1 between receiving SMP1 and his user's answer (smp->asked).
 * Proof hashes use the spec's version bytes 1..8 and every check happens
 * in libotr's order. Any misbehaviour of the peer aborts the exchange
 * (TLV 6), reports OTR_SMP_ERROR and returns to EXPECT1.
 */
#include <string.h>

#include "group-private.h"
#include "outbox-private.h"
#include "smp-private.h"

#define SMP1_LEN 6
#define SMP2_LEN 11
#define SMP3_LEN 8
#define SMP4_LEN 3
#define MSG_MAX  SMP2_LEN

struct OtrSmp {
    OtrSmpState state;
    gboolean asked;             /* peer's SMP1 verified, awaiting respond */
    gboolean received_question; /* this exchange began with TLV 7 */
    guint32 instance;
    /* x2, x3: our DH exponents (a2, a3 or b2, b3); g3o: the peer's g3
     * half; p, q: our P and Q; pab, qab: Pa/Pb and Qa/Qb. */
    mpz_t secret, x2, x3, g2, g3, g3o, p, q, pab, qab;
};

#define SMP_NUMS(s)                                                            \
    {                                                                          \
        (s)->secret, (s)->x2, (s)->x3, (s)->g2, (s)->g3, (s)->g3o, (s)->p,     \
            (s)->q, (s)->pab, (s)->qab                                         \
    }

/* A set of message values, secret-safe. */
typedef struct {
    mpz_t v[MSG_MAX];
    mpz_ptr ptr[MSG_MAX];
} Msg;

static void
msg_init(Msg *m)
{
    for (size_t i = 0; i < MSG_MAX; i++) {
        otr_group_init(m->v[i]);
        m->ptr[i] = m->v[i];
    }
}

static void
msg_clear(Msg *m)
{
    for (size_t i = 0; i < MSG_MAX; i++)
        otr_group_clear(m->v[i]);
}

/* ---- State ------------------------------------------------------------- */

static void
smp_set_state(OtrSmp *smp, OtrSmpState state)
{
    smp->state = state;
}

OtrSmp *
otr_smp_new(void)
{
    OtrSmp *smp = g_new0(OtrSmp, 1);
    mpz_ptr nums[] = SMP_NUMS(smp);

    for (size_t i = 0; i < G_N_ELEMENTS(nums); i++)
        otr_group_init(nums[i]);
    smp_set_state(smp, OTR_SMP_EXPECT1);
    return smp;
}

OtrSmp *
otr_smp_copy(const OtrSmp *smp)
{
    OtrSmp *c = otr_smp_new();
    mpz_ptr to[] = SMP_NUMS(c);
    mpz_srcptr from[] = SMP_NUMS(smp);

    for (size_t i = 0; i < G_N_ELEMENTS(to); i++)
        mpz_set(to[i], from[i]);
    c->state = smp->state;
    c->asked = smp->asked;
    c->received_question = smp->received_question;
    c->instance = smp->instance;
    return c;
}

void
otr_smp_reset(OtrSmp *smp)
{
    mpz_ptr nums[] = SMP_NUMS(smp);

    g_return_if_fail(smp != NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(nums); i++)
        otr_group_wipe(nums[i]);
    smp->asked = FALSE;
    smp_set_state(smp, OTR_SMP_EXPECT1);
}

void
otr_smp_free(OtrSmp *smp)
{
    if (!smp)
        return;
    mpz_ptr nums[] = SMP_NUMS(smp);

    for (size_t i = 0; i < G_N_ELEMENTS(nums); i++)
        otr_group_clear(nums[i]);
    otr_wipe(smp, sizeof *smp);
    g_free(smp);
}

OtrSmpState
otr_smp_state(const OtrSmp *smp)
{
    return smp->state;
}

void
otr_smp_set_instance(OtrSmp *smp, guint32 instance)
{
    smp->instance = instance;
}

gboolean
otr_smp_asked(const OtrSmp *smp)
{
    return smp->asked;
}

gboolean
otr_smp_received_question(const OtrSmp *smp)
{
    return smp->received_question;
}

static void
emit(OtrSmp *smp,
     OtrOutbox *out,
     OtrSmpStatus status,
     int progress,
     const char *text,
     OtrError err)
{
    OtrEvent *ev = otr_outbox_push(out, OTR_EV_SMP, smp->instance, text);

    ev->smp_status = status;
    ev->progress = progress;
    ev->error = err;
}

/* The peer broke the protocol: abort on both sides and report it. */
static void
fail(OtrSmp *smp, OtrError err, OtrWriter *tlvs_out, OtrOutbox *out)
{
    otr_smp_reset(smp);
    otr_tlv_write(tlvs_out, OTR_TLV_SMP_ABORT, NULL, 0);
    emit(smp, out, OTR_SMP_ERROR, 0, NULL, err);
}

static void
send_msg(OtrWriter *tlvs_out,
         guint16 type,
         const char *question,
         size_t n,
         mpz_srcptr const *v)
{
    GByteArray *buf = g_byte_array_new();

    if (question)
        g_byte_array_append(buf, (const guint8 *)question,
                            (guint)strlen(question) + 1);
    otr_group_write_mpis(buf, n, v);
    otr_tlv_write(tlvs_out, type, buf->data, buf->len);
    otr_wipe(buf->data, buf->len);
    g_byte_array_unref(buf);
}

/* secret = SHA-256(0x01 || initiator fpr || responder fpr || ssid || user
 * secret), as libotr's init_respond_smp. */
static void
compute_secret(mpz_ptr out,
               const OtrSmpContext *ctx,
               gboolean initiator,
               const uint8_t *secret,
               size_t secret_len)
{
    size_t len = 1 + 2 * OTR_FPR_LEN + OTR_SSID_LEN + secret_len;
    uint8_t *buf = g_malloc(len);
    uint8_t md[OTR_SHA256_LEN];

    buf[0] = 0x01;
    memcpy(buf + 1, initiator ? ctx->our_fpr : ctx->their_fpr, OTR_FPR_LEN);
    memcpy(buf + 1 + OTR_FPR_LEN, initiator ? ctx->their_fpr : ctx->our_fpr,
           OTR_FPR_LEN);
    memcpy(buf + 1 + 2 * OTR_FPR_LEN, ctx->ssid, OTR_SSID_LEN);
    if (secret_len)
        memcpy(buf + 1 + 2 * OTR_FPR_LEN + OTR_SSID_LEN, secret, secret_len);
    otr_sha256(buf, len, md);
    mpz_import(out, sizeof md, 1, 1, 1, 0, md);
    otr_wipe(buf, len);
    otr_wipe(md, sizeof md);
    g_free(buf);
}

/* ---- Zero-knowledge proofs ---------------------------------------------- */

/* Knowledge of x with X = g^x: c = H(v, g^r), d = r - x c. */
static void
proof_know_log(const OtrHost *h,
               mpz_ptr c,
               mpz_ptr d,
               mpz_srcptr x,
               uint8_t version)
{
    mpz_t r, t;

    otr_group_init(r);
    otr_group_init(t);
    otr_group_random_exponent(h, r);
    otr_group_gpow_sec(t, r);
    otr_group_hash(c, version, t, NULL);
    otr_group_exp_sub_mul(d, r, x, c);
    otr_group_clear(r);
    otr_group_clear(t);
}

/* c == H(v, g^d X^c) */
static gboolean
check_know_log(mpz_srcptr c, mpz_srcptr d, mpz_srcptr X, uint8_t version)
{
    mpz_srcptr bases[] = { otr_group_g(), X };
    mpz_srcptr exps[] = { d, c };
    mpz_t t;
    gboolean ok;

    otr_group_init(t);
    otr_group_multi_exp(t, 2, bases, exps);
    otr_group_hash(t, version, t, NULL);
    ok = mpz_cmp(t, c) == 0;
    otr_group_clear(t);
    return ok;
}

/* P = g3^r, Q = g1^r g2^secret: c = H(v, g3^r1, g1^r1 g2^r2),
 * d1 = r1 - r c, d2 = r2 - secret c. */
static void
proof_equal_coords(const OtrHost *h,
                   OtrSmp *smp,
                   mpz_ptr c,
                   mpz_ptr d1,
                   mpz_ptr d2,
                   mpz_srcptr r,
                   uint8_t version)
{
    mpz_t r1, r2, t1, t2;

    otr_group_init(r1);
    otr_group_init(r2);
    otr_group_init(t1);
    otr_group_init(t2);
    otr_group_random_exponent(h, r1);
    otr_group_random_exponent(h, r2);
    otr_group_gpow_sec(t1, r1);
    otr_group_powm_sec(t2, smp->g2, r2);
    otr_group_mul(t2, t1, t2);
    otr_group_powm_sec(t1, smp->g3, r1);
    otr_group_hash(c, version, t1, t2);
    otr_group_exp_sub_mul(d1, r1, r, c);
    otr_group_exp_sub_mul(d2, r2, smp->secret, c);
    otr_group_clear(r1);
    otr_group_clear(r2);
    otr_group_clear(t1);
    otr_group_clear(t2);
}

/* c == H(v, g3^d1 P^c, g1^d1 g2^d2 Q^c) */
static gboolean
check_equal_coords(const OtrSmp *smp,
                   mpz_srcptr c,
                   mpz_srcptr d1,
                   mpz_srcptr d2,
                   mpz_srcptr P,
                   mpz_srcptr Q,
                   uint8_t version)
{
    mpz_srcptr b1[] = { smp->g3, P };
    mpz_srcptr e1[] = { d1, c };
    mpz_srcptr b2[] = { otr_group_g(), smp->g2, Q };
    mpz_srcptr e2[] = { d1, d2, c };
    mpz_t t1, t2;
    gboolean ok;

    otr_group_init(t1);
    otr_group_init(t2);
    otr_group_multi_exp(t1, 2, b1, e1);
    otr_group_multi_exp(t2, 3, b2, e2);
    otr_group_hash(t1, version, t1, t2);
    ok = mpz_cmp(t1, c) == 0;
    otr_group_clear(t1);
    otr_group_clear(t2);
    return ok;
}

/* R = qab^x3 and g3 half = g1^x3: c = H(v, g1^r, qab^r), d = r - x3 c. */
static void
proof_equal_logs(const OtrHost *h,
                 OtrSmp *smp,
                 mpz_ptr c,
                 mpz_ptr d,
                 uint8_t version)
{
    mpz_t r, t1, t2;

    otr_group_init(r);
    otr_group_init(t1);
    otr_group_init(t2);
    otr_group_random_exponent(h, r);
    otr_group_gpow_sec(t1, r);
    otr_group_powm_sec(t2, smp->qab, r);
    otr_group_hash(c, version, t1, t2);
    otr_group_exp_sub_mul(d, r, smp->x3, c);
    otr_group_clear(r);
    otr_group_clear(t1);
    otr_group_clear(t2);
}

/* c == H(v, g1^d g3o^c, qab^d R^c) */
static gboolean
check_equal_logs(const OtrSmp *smp,
                 mpz_srcptr c,
                 mpz_srcptr d,
                 mpz_srcptr R,
                 uint8_t version)
{
    mpz_srcptr b1[] = { otr_group_g(), smp->g3o };
    mpz_srcptr b2[] = { smp->qab, R };
    mpz_srcptr e[] = { d, c };
    mpz_t t1, t2;
    gboolean ok;

    otr_group_init(t1);
    otr_group_init(t2);
    otr_group_multi_exp(t1, 2, b1, e);
    otr_group_multi_exp(t2, 2, b2, e);
    otr_group_hash(t1, version, t1, t2);
    ok = mpz_cmp(t1, c) == 0;
    otr_group_clear(t1);
    otr_group_clear(t2);
    return ok;
}

/* Our P = g3^r and Q = g1^r g2^secret, with a proof (version v). */
static void
make_pq(const OtrHost *h, OtrSmp *smp, mpz_ptr *m, uint8_t version)
{
    mpz_t r, t;

    otr_group_init(r);
    otr_group_init(t);
    otr_group_random_exponent(h, r);
    otr_group_powm_sec(smp->p, smp->g3, r);
    otr_group_gpow_sec(smp->q, r);
    otr_group_powm_sec(t, smp->g2, smp->secret);
    otr_group_mul(smp->q, smp->q, t);
    mpz_set(m[0], smp->p);
    mpz_set(m[1], smp->q);
    proof_equal_coords(h, smp, m[2], m[3], m[4], r, version);
    otr_group_clear(r);
    otr_group_clear(t);
}

/* ---- User actions ------------------------------------------------------- */

OtrError
otr_smp_start(OtrSmp *smp,
              const OtrHost *h,
              const OtrSmpContext *ctx,
              const char *question,
              const uint8_t *secret,
              size_t secret_len,
              OtrWriter *tlvs_out,
              OtrOutbox *out)
{
    Msg m;

    g_return_val_if_fail(smp && h && ctx && tlvs_out && out, OTR_ERR_INVALID);
    g_return_val_if_fail(secret || secret_len == 0, OTR_ERR_INVALID);
    /* SMP1 is under 1 KiB; the question must fit in the TLV with it. */
    if (question && strlen(question) > G_MAXUINT16 - 2048)
        return OTR_ERR_TOO_BIG;

    /* Spec: restarting while an exchange runs sends an abort first. */
    if (smp->state != OTR_SMP_EXPECT1)
        otr_tlv_write(tlvs_out, OTR_TLV_SMP_ABORT, NULL, 0);
    otr_smp_reset(smp);
    smp->received_question = FALSE;

    msg_init(&m);
    compute_secret(smp->secret, ctx, TRUE, secret, secret_len);
    otr_group_random_exponent(h, smp->x2);
    otr_group_random_exponent(h, smp->x3);
    otr_group_gpow_sec(m.v[0], smp->x2);
    proof_know_log(h, m.v[1], m.v[2], smp->x2, 1);
    otr_group_gpow_sec(m.v[3], smp->x3);
    proof_know_log(h, m.v[4], m.v[5], smp->x3, 2);
    send_msg(tlvs_out, question ? OTR_TLV_SMP1Q : OTR_TLV_SMP1, question,
             SMP1_LEN, (mpz_srcptr const *)m.ptr);
    msg_clear(&m);

    smp_set_state(smp, OTR_SMP_EXPECT2);
    emit(smp, out, OTR_SMP_PROGRESS, 25, NULL, OTR_OK);
    return OTR_OK;
}

OtrError
otr_smp_respond(OtrSmp *smp,
                const OtrHost *h,
                const OtrSmpContext *ctx,
                const uint8_t *secret,
                size_t secret_len,
                OtrWriter *tlvs_out,
                OtrOutbox *out)
{
    Msg m;

    g_return_val_if_fail(smp && h && ctx && tlvs_out && out, OTR_ERR_INVALID);
    g_return_val_if_fail(secret || secret_len == 0, OTR_ERR_INVALID);
    if (smp->state != OTR_SMP_EXPECT1 || !smp->asked)
        return OTR_ERR_STATE;

    msg_init(&m);
    compute_secret(smp->secret, ctx, FALSE, secret, secret_len);
    otr_group_gpow_sec(m.v[0], smp->x2);
    proof_know_log(h, m.v[1], m.v[2], smp->x2, 3);
    otr_group_gpow_sec(m.v[3], smp->x3);
    proof_know_log(h, m.v[4], m.v[5], smp->x3, 4);
    make_pq(h, smp, m.ptr + 6, 5);
    send_msg(tlvs_out, OTR_TLV_SMP2, NULL, SMP2_LEN, (mpz_srcptr const *)m.ptr);
    msg_clear(&m);

    smp->asked = FALSE;
    smp_set_state(smp, OTR_SMP_EXPECT3);
    emit(smp, out, OTR_SMP_PROGRESS, 50, NULL, OTR_OK);
    return OTR_OK;
}

OtrError
otr_smp_abort(OtrSmp *smp, OtrWriter *tlvs_out, OtrOutbox *out)
{
    g_return_val_if_fail(smp && tlvs_out, OTR_ERR_INVALID);
    otr_smp_reset(smp);
    otr_tlv_write(tlvs_out, OTR_TLV_SMP_ABORT, NULL, 0);
    return OTR_OK;
}

/* ---- Received messages -------------------------------------------------- */

/* Bob, SMP1 in EXPECT1 (libotr's step 2a). m holds the parsed values. */
static OtrError
on_smp1(OtrSmp *smp, const OtrHost *h, mpz_ptr *m)
{
    if (!otr_group_elem_valid(m[0]) || !otr_group_expon_valid(m[2]) ||
        !otr_group_elem_valid(m[3]) || !otr_group_expon_valid(m[5]))
        return OTR_ERR_BAD_VALUE;
    mpz_set(smp->g3o, m[3]);
    if (!check_know_log(m[1], m[2], m[0], 1) ||
        !check_know_log(m[4], m[5], m[3], 2))
        return OTR_ERR_BAD_VALUE;
    otr_group_random_exponent(h, smp->x2);
    otr_group_random_exponent(h, smp->x3);
    otr_group_powm_sec(smp->g2, m[0], smp->x2);
    otr_group_powm_sec(smp->g3, m[3], smp->x3);
    return OTR_OK;
}

/* Alice, SMP2 in EXPECT2 (step 3): fills m3 with SMP3. */
static OtrError
on_smp2(OtrSmp *smp, const OtrHost *h, mpz_ptr *m, mpz_ptr *m3)
{
    if (!otr_group_elem_valid(m[0]) || !otr_group_elem_valid(m[3]) ||
        !otr_group_elem_valid(m[6]) || !otr_group_elem_valid(m[7]) ||
        !otr_group_expon_valid(m[2]) || !otr_group_expon_valid(m[5]) ||
        !otr_group_expon_valid(m[9]) || !otr_group_expon_valid(m[10]))
        return OTR_ERR_BAD_VALUE;
    mpz_set(smp->g3o, m[3]);
    if (!check_know_log(m[1], m[2], m[0], 3) ||
        !check_know_log(m[4], m[5], m[3], 4))
        return OTR_ERR_BAD_VALUE;
    otr_group_powm_sec(smp->g2, m[0], smp->x2);
    otr_group_powm_sec(smp->g3, m[3], smp->x3);
    if (!check_equal_coords(smp, m[8], m[9], m[10], m[6], m[7], 5))
        return OTR_ERR_BAD_VALUE;

    make_pq(h, smp, m3, 6);
    if (!otr_group_div(smp->pab, smp->p, m[6]) ||
        !otr_group_div(smp->qab, smp->q, m[7]))
        return OTR_ERR_BAD_VALUE;
    otr_group_powm_sec(m3[5], smp->qab, smp->x3);
    proof_equal_logs(h, smp, m3[6], m3[7], 7);
    return OTR_OK;
}

/* Bob, SMP3 in EXPECT3 (step 4): fills m4 with SMP4, *match. */
static OtrError
on_smp3(OtrSmp *smp, const OtrHost *h, mpz_ptr *m, mpz_ptr *m4, gboolean *match)
{
    if (!otr_group_elem_valid(m[0]) || !otr_group_elem_valid(m[1]) ||
        !otr_group_elem_valid(m[5]) || !otr_group_expon_valid(m[3]) ||
        !otr_group_expon_valid(m[4]) || !otr_group_expon_valid(m[7]))
        return OTR_ERR_BAD_VALUE;
    if (!check_equal_coords(smp, m[2], m[3], m[4], m[0], m[1], 6))
        return OTR_ERR_BAD_VALUE;
    if (!otr_group_div(smp->pab, m[0], smp->p) ||
        !otr_group_div(smp->qab, m[1], smp->q))
        return OTR_ERR_BAD_VALUE;
    if (!check_equal_logs(smp, m[6], m[7], m[5], 7))
        return OTR_ERR_BAD_VALUE;

    otr_group_powm_sec(m4[0], smp->qab, smp->x3);
    proof_equal_logs(h, smp, m4[1], m4[2], 8);
    /* Rab = Ra^b3; equal secrets iff Rab == Pa / Pb. m[0] is no longer
     * needed: reuse it. */
    otr_group_powm_sec(m[0], m[5], smp->x3);
    *match = mpz_cmp(m[0], smp->pab) == 0;
    return OTR_OK;
}

/* Alice, SMP4 in EXPECT4 (step 5). */
static OtrError
on_smp4(OtrSmp *smp, mpz_ptr *m, gboolean *match)
{
    if (!otr_group_elem_valid(m[0]) || !otr_group_expon_valid(m[2]))
        return OTR_ERR_BAD_VALUE;
    if (!check_equal_logs(smp, m[1], m[2], m[0], 8))
        return OTR_ERR_BAD_VALUE;
    otr_group_powm_sec(m[1], m[0], smp->x3);
    *match = mpz_cmp(m[1], smp->pab) == 0;
    return OTR_OK;
}

/* TLV 7: the question up to its NUL, then the SMP1 values. */
static OtrError
split_question(const OtrTlv *tlv,
               char **question,
               const uint8_t **rest,
               size_t *rest_len)
{
    const uint8_t *nul;
    size_t qlen;

    if (tlv->len == 0 || !(nul = memchr(tlv->data, 0, tlv->len)))
        return OTR_ERR_MALFORMED;
    qlen = (size_t)(nul - tlv->data);
    *question = g_utf8_make_valid((const char *)tlv->data, (gssize)qlen);
    *rest = nul + 1;
    *rest_len = tlv->len - qlen - 1;
    return OTR_OK;
}

static gboolean
expected(OtrSmpState state, guint16 type)
{
    switch (state) {
    case OTR_SMP_EXPECT1:
        return type == OTR_TLV_SMP1 || type == OTR_TLV_SMP1Q;
    case OTR_SMP_EXPECT2:
        return type == OTR_TLV_SMP2;
    case OTR_SMP_EXPECT3:
        return type == OTR_TLV_SMP3;
    case OTR_SMP_EXPECT4:
        return type == OTR_TLV_SMP4;
    }
    return FALSE;
}

OtrError
otr_smp_receive(OtrSmp *smp,
                const OtrHost *h,
                const OtrTlv *tlv,
                OtrWriter *tlvs_out,
                OtrOutbox *out)
{
    static const size_t counts[] = { [OTR_TLV_SMP1] = SMP1_LEN,
                                     [OTR_TLV_SMP2] = SMP2_LEN,
                                     [OTR_TLV_SMP3] = SMP3_LEN,
                                     [OTR_TLV_SMP4] = SMP4_LEN,
                                     [OTR_TLV_SMP1Q] = SMP1_LEN };
    const uint8_t *data;
    size_t len;
    char *question = NULL;
    gboolean match = FALSE;
    OtrError err = OTR_OK;
    Msg m, reply;

    g_return_val_if_fail(smp && h && tlv && tlvs_out && out, OTR_ERR_INVALID);
    g_return_val_if_fail(tlv->data || tlv->len == 0, OTR_ERR_INVALID);
    if (tlv->type < OTR_TLV_SMP1 || tlv->type > OTR_TLV_SMP1Q)
        return OTR_ERR_INVALID;

    if (tlv->type == OTR_TLV_SMP_ABORT) {
        otr_smp_reset(smp);
        emit(smp, out, OTR_SMP_ABORTED, 0, NULL, OTR_OK);
        return OTR_OK;
    }
    if (!expected(smp->state, tlv->type)) {
        fail(smp, OTR_ERR_STATE, tlvs_out, out);
        return OTR_OK;
    }

    data = tlv->data;
    len = tlv->len;
    if (tlv->type == OTR_TLV_SMP1Q &&
        split_question(tlv, &question, &data, &len) != OTR_OK) {
        fail(smp, OTR_ERR_MALFORMED, tlvs_out, out);
        return OTR_OK;
    }

    msg_init(&m);
    msg_init(&reply);
    err = otr_group_read_mpis(data, len, counts[tlv->type], m.ptr);
    if (err != OTR_OK)
        goto out;

    switch (smp->state) {
    case OTR_SMP_EXPECT1:
        otr_smp_reset(smp); /* a new request replaces one not answered */
        err = on_smp1(smp, h, m.ptr);
        if (err != OTR_OK)
            break;
        smp->asked = TRUE;
        smp->received_question = question != NULL;
        emit(smp, out, OTR_SMP_ASKED, 25, question, OTR_OK);
        break;
    case OTR_SMP_EXPECT2:
        err = on_smp2(smp, h, m.ptr, reply.ptr);
        if (err != OTR_OK)
            break;
        send_msg(tlvs_out, OTR_TLV_SMP3, NULL, SMP3_LEN,
                 (mpz_srcptr const *)reply.ptr);
        smp_set_state(smp, OTR_SMP_EXPECT4);
        emit(smp, out, OTR_SMP_PROGRESS, 75, NULL, OTR_OK);
        break;
    case OTR_SMP_EXPECT3:
        err = on_smp3(smp, h, m.ptr, reply.ptr, &match);
        if (err != OTR_OK)
            break;
        send_msg(tlvs_out, OTR_TLV_SMP4, NULL, SMP4_LEN,
                 (mpz_srcptr const *)reply.ptr);
        otr_smp_reset(smp);
        emit(smp, out, match ? OTR_SMP_SUCCESS : OTR_SMP_FAILURE, 100, NULL,
             OTR_OK);
        break;
    case OTR_SMP_EXPECT4:
        err = on_smp4(smp, m.ptr, &match);
        if (err != OTR_OK)
            break;
        otr_smp_reset(smp);
        emit(smp, out, match ? OTR_SMP_SUCCESS : OTR_SMP_FAILURE, 100, NULL,
             OTR_OK);
        break;
    }

out:
    if (err != OTR_OK)
        fail(smp, err, tlvs_out, out);
    msg_clear(&m);
    msg_clear(&reply);
    g_free(question);
    return OTR_OK;
}
