/* Offrec — arithmetic in the 1536-bit MODP group for SMP (GMP).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Secret exponents use mpz_powm_sec. Proof checks, whose exponents are
 * public, use an interleaved sliding-window multi-exponentiation over our
 * own Montgomery arithmetic on limbs: one squaring per exponent bit for the
 * whole product instead of one per bit and factor.
 */
#include <string.h>

#include "group-private.h"

#if GMP_NAIL_BITS != 0
#error "GMP nails are not supported"
#endif

#define NL      (OTR_GROUP_BITS / GMP_NUMB_BITS) /* limbs of p */
#define WIN     5                                /* window width */
#define TAB_LEN (1 << (WIN - 1))                 /* odd powers 1..2^W-1 */
/* Room for a product of two reduced values plus a little. */
#define MPZ_ROOM_BITS (2 * OTR_GROUP_BITS + 2 * GMP_NUMB_BITS)

G_STATIC_ASSERT(OTR_GROUP_BITS % GMP_NUMB_BITS == 0);
G_STATIC_ASSERT(sizeof otr_dh_modulus == OTR_GROUP_BYTES);

typedef struct {
    mpz_t p, q, g, pm2;
    mp_limb_t pl[NL]; /* p as limbs, least significant first */
} Group;

static Group grp;

static const Group *
group(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        mpz_inits(grp.p, grp.q, grp.g, grp.pm2, NULL);
        mpz_import(grp.p, sizeof otr_dh_modulus, 1, 1, 1, 0, otr_dh_modulus);
        mpz_sub_ui(grp.q, grp.p, 1);
        mpz_fdiv_q_2exp(grp.q, grp.q, 1);
        mpz_set_ui(grp.g, 2);
        mpz_sub_ui(grp.pm2, grp.p, 2);
        for (size_t i = 0; i < NL; i++)
            grp.pl[i] = mpz_getlimbn(grp.p, (mp_size_t)i);
        /* Montgomery reduction below relies on p = -1 mod 2^64, so that
         * -p^-1 mod B is 1. */
        g_assert(grp.pl[0] == GMP_NUMB_MAX);
        g_once_init_leave(&once, 1);
    }
    return &grp;
}

mpz_srcptr
otr_group_p(void)
{
    return group()->p;
}

mpz_srcptr
otr_group_q(void)
{
    return group()->q;
}

mpz_srcptr
otr_group_g(void)
{
    return group()->g;
}

/* ---- Secret-safe mpz lifecycle ------------------------------------------ */

void
otr_group_init(mpz_ptr x)
{
    mpz_init2(x, MPZ_ROOM_BITS);
}

void
otr_group_wipe(mpz_ptr x)
{
    if (x->_mp_alloc > 0 && x->_mp_d)
        otr_wipe(x->_mp_d, (size_t)x->_mp_alloc * sizeof(mp_limb_t));
    mpz_set_ui(x, 0);
}

void
otr_group_clear(mpz_ptr x)
{
    otr_group_wipe(x);
    mpz_clear(x);
}

/* ---- Montgomery arithmetic on NL limbs (R = B^NL) ----------------------- */

/* r = t / R mod p, fully reduced; t has 2 NL limbs and is destroyed. */
static void
mont_redc(mp_limb_t *r, mp_limb_t *t, const mp_limb_t *p)
{
    mp_limb_t cy, bw;

    /* With -p^-1 = 1 mod B the multiplier of each step is t[i] itself.
     * The step's carry belongs at t[i + NL]; park it in the zeroed t[i]
     * and add all carries at once at the end. */
    for (size_t i = 0; i < NL; i++)
        t[i] = mpn_addmul_1(t + i, p, NL, t[i]);
    cy = mpn_add_n(r, t + NL, t, NL);
    /* The sum is below 2p: subtract p when it carried out or is >= p. */
    bw = mpn_sub_n(t, r, p, NL);
    mpn_cnd_swap(cy | (bw ^ 1), r, t, NL);
}

static void
mont_mul(mp_limb_t *r,
         const mp_limb_t *a,
         const mp_limb_t *b,
         const mp_limb_t *p)
{
    mp_limb_t t[2 * NL];

    if (a == b)
        mpn_sqr(t, a, NL);
    else
        mpn_mul_n(t, a, b, NL);
    mont_redc(r, t, p);
    otr_wipe(t, sizeof t);
}

static void
mont_from_mpz(mp_limb_t *out, mpz_srcptr x, const Group *gr)
{
    mpz_t t;

    otr_group_init(t);
    mpz_mod(t, x, gr->p);
    mpz_mul_2exp(t, t, OTR_GROUP_BITS);
    mpz_mod(t, t, gr->p);
    for (size_t i = 0; i < NL; i++)
        out[i] = mpz_getlimbn(t, (mp_size_t)i);
    otr_group_clear(t);
}

static void
mont_to_mpz(mpz_ptr r, const mp_limb_t *a, const Group *gr)
{
    mp_limb_t t[2 * NL];
    mp_limb_t *d;

    memcpy(t, a, NL * sizeof(mp_limb_t));
    memset(t + NL, 0, NL * sizeof(mp_limb_t));
    d = mpz_limbs_write(r, NL);
    mont_redc(d, t, gr->pl);
    mpz_limbs_finish(r, NL);
    otr_wipe(t, sizeof t);
}

/* ---- Exponentiation ----------------------------------------------------- */

void
otr_group_powm_sec(mpz_ptr r, mpz_srcptr base, mpz_srcptr exp)
{
    const Group *gr = group();

    g_return_if_fail(mpz_sgn(exp) >= 0);
    if (mpz_sgn(exp) == 0) {
        mpz_set_ui(r, 1);
        return;
    }
    mpz_powm_sec(r, base, exp, gr->p);
}

/* ---- Fixed-base exponentiation of g, for secret exponents -------------
 *
 * A comb (Lim-Lee): the exponent's bits are laid out in rows of cols bits;
 * tab[j] = prod over the set bits i of j of g^(2^(i * cols)). Then g^e is
 * cols squarings and cols multiplications by tab[column bits], instead of
 * one squaring per exponent bit. Every step does the same operations
 * (side-channel silent GMP multiplication, Montgomery reduction with a
 * conditional swap) and reads the whole table (mpn_sec_tabselect), so the
 * time depends only on the table chosen, which depends only on the
 * exponent's limb count. */

typedef struct {
    guint rows, cols;
    mp_limb_t *tab; /* (1 << rows) entries of NL limbs, Montgomery form */
} Comb;

#define COMB_SHORT_ROWS 6 /* D-H exponents: up to 6 * 54 = 324 bits */
#define COMB_SHORT_COLS 54
#define COMB_LONG_ROWS  7 /* SMP exponents: up to 7 * 220 = 1540 bits */
#define COMB_LONG_COLS  220
/* Limbs the comb reads from an exponent (zero beyond its size). */
#define COMB_MAX_LIMBS                                                         \
    ((COMB_LONG_ROWS * COMB_LONG_COLS + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS)
/* Scratch of mpn_sec_mul / mpn_sec_sqr on NL limbs (checked at build). */
#define COMB_SCRATCH (4 * NL)

G_STATIC_ASSERT(COMB_SHORT_ROWS *COMB_SHORT_COLS <=
                COMB_MAX_LIMBS * GMP_NUMB_BITS);
G_STATIC_ASSERT(COMB_SHORT_ROWS <= COMB_LONG_ROWS);

static mp_limb_t comb_short_tab[1 << COMB_SHORT_ROWS][NL];
static mp_limb_t comb_long_tab[1 << COMB_LONG_ROWS][NL];

static void
mont_mul_sec(mp_limb_t *r,
             const mp_limb_t *a,
             const mp_limb_t *b,
             const mp_limb_t *p,
             mp_limb_t *scratch)
{
    mp_limb_t t[2 * NL];

    if (a == b)
        mpn_sec_sqr(t, a, NL, scratch);
    else
        mpn_sec_mul(t, a, NL, b, NL, scratch);
    mont_redc(r, t, p);
    otr_wipe(t, sizeof t);
}

/* Public precomputation: g^(2^(i * cols)) for each row i, then every
 * product of them. */
static void
comb_build(Comb *c, const Group *gr)
{
    mp_limb_t row[COMB_LONG_ROWS][NL];
    size_t n = (size_t)1 << c->rows;
    mpz_t one;

    g_assert(mpn_sec_mul_itch(NL, NL) <= COMB_SCRATCH &&
             mpn_sec_sqr_itch(NL) <= COMB_SCRATCH);
    mont_from_mpz(row[0], gr->g, gr);
    for (guint i = 1; i < c->rows; i++) {
        memcpy(row[i], row[i - 1], sizeof row[i]);
        for (guint k = 0; k < c->cols; k++)
            mont_mul(row[i], row[i], row[i], gr->pl);
    }
    mpz_init_set_ui(one, 1);
    mont_from_mpz(c->tab, one, gr);
    mpz_clear(one);
    for (size_t j = 1; j < n; j++) {
        guint top = (guint)g_bit_nth_msf((gulong)j, -1);

        mont_mul(c->tab + j * NL, c->tab + (j ^ ((size_t)1 << top)) * NL,
                 row[top], gr->pl);
    }
}

static const Comb *
comb_get(gboolean long_exp)
{
    static Comb combs[2] = {
        { COMB_SHORT_ROWS, COMB_SHORT_COLS, &comb_short_tab[0][0] },
        { COMB_LONG_ROWS, COMB_LONG_COLS, &comb_long_tab[0][0] },
    };
    static gsize once[2];
    Comb *c = &combs[long_exp ? 1 : 0];

    if (g_once_init_enter(&once[long_exp ? 1 : 0])) {
        comb_build(c, group());
        g_once_init_leave(&once[long_exp ? 1 : 0], 1);
    }
    return c;
}

/* r = g^exp for 0 <= exp < 2^(rows * cols). */
static void
comb_pow(mpz_ptr r, mpz_srcptr exp, const Comb *c)
{
    const Group *gr = group();
    mp_limb_t e[COMB_MAX_LIMBS];
    mp_limb_t acc[NL], sel[NL];
    mp_limb_t scratch[COMB_SCRATCH];
    size_t ents = (size_t)1 << c->rows;

    for (size_t i = 0; i < COMB_MAX_LIMBS; i++)
        e[i] = mpz_getlimbn(exp, (mp_size_t)i);
    memcpy(acc, c->tab, sizeof acc); /* tab[0] is 1 */
    for (guint col = c->cols; col-- > 0;) {
        mp_size_t which = 0;

        for (guint i = 0; i < c->rows; i++) {
            size_t bit = (size_t)i * c->cols + col;

            which |=
                (mp_size_t)((e[bit / GMP_NUMB_BITS] >> (bit % GMP_NUMB_BITS)) &
                            1)
                << i;
        }
        mpn_sec_tabselect(sel, c->tab, NL, (mp_size_t)ents, which);
        mont_mul_sec(acc, acc, acc, gr->pl, scratch);
        mont_mul_sec(acc, acc, sel, gr->pl, scratch);
    }
    mont_to_mpz(r, acc, gr);
    otr_wipe(e, sizeof e);
    otr_wipe(acc, sizeof acc);
    otr_wipe(sel, sizeof sel);
    otr_wipe(scratch, sizeof scratch);
}

void
otr_group_gpow_sec(mpz_ptr r, mpz_srcptr exp)
{
    size_t limbs = mpz_size(exp);

    g_return_if_fail(mpz_sgn(exp) >= 0);
    /* The table is chosen by limb count only, as mpz_powm_sec's time
     * depends on it too. */
    if (limbs * GMP_NUMB_BITS <= COMB_SHORT_ROWS * COMB_SHORT_COLS)
        comb_pow(r, exp, comb_get(FALSE));
    else if (limbs * GMP_NUMB_BITS <= COMB_LONG_ROWS * COMB_LONG_COLS)
        comb_pow(r, exp, comb_get(TRUE));
    else
        otr_group_powm_sec(r, group()->g, exp);
}

/* Sliding-window recoding: dig[b] = odd window value ending at bit b, or 0.
 */
static void
recode(mpz_srcptr e, size_t bits, guint8 *dig)
{
    size_t top = bits;

    while (top > 0) {
        size_t hi = top - 1;
        size_t lo;
        guint v = 0;

        if (!mpz_tstbit(e, hi)) {
            top--;
            continue;
        }
        lo = hi + 1 >= WIN ? hi + 1 - WIN : 0;
        while (!mpz_tstbit(e, lo))
            lo++;
        for (size_t b = hi + 1; b-- > lo;)
            v = (v << 1) | (guint)mpz_tstbit(e, b);
        dig[lo] = (guint8)v;
        top = lo;
    }
}

void
otr_group_multi_exp(mpz_ptr r,
                    size_t n,
                    mpz_srcptr const *bases,
                    mpz_srcptr const *exps)
{
    const Group *gr = group();
    mp_limb_t tab[OTR_GROUP_MULTI_MAX][TAB_LEN][NL];
    mp_limb_t acc[NL], sq[NL];
    size_t bits[OTR_GROUP_MULTI_MAX];
    size_t maxbits = 0;
    guint8 *dig = NULL;
    gboolean started = FALSE;

    g_return_if_fail(n >= 1 && n <= OTR_GROUP_MULTI_MAX);
    for (size_t i = 0; i < n; i++) {
        g_return_if_fail(mpz_sgn(exps[i]) >= 0);
        bits[i] = mpz_sgn(exps[i]) ? mpz_sizeinbase(exps[i], 2) : 0;
        maxbits = MAX(maxbits, bits[i]);
    }
    if (maxbits == 0) {
        mpz_set_ui(r, 1);
        return;
    }

    dig = g_malloc0(n * maxbits);
    for (size_t i = 0; i < n; i++) {
        if (bits[i] == 0)
            continue;
        recode(exps[i], bits[i], dig + i * maxbits);
        /* tab[i][k] = base^(2k+1), Montgomery form */
        mont_from_mpz(tab[i][0], bases[i], gr);
        mont_mul(sq, tab[i][0], tab[i][0], gr->pl);
        for (size_t k = 1; k < TAB_LEN; k++)
            mont_mul(tab[i][k], tab[i][k - 1], sq, gr->pl);
    }

    for (size_t b = maxbits; b-- > 0;) {
        if (started)
            mont_mul(acc, acc, acc, gr->pl);
        for (size_t i = 0; i < n; i++) {
            guint8 v = b < bits[i] ? dig[i * maxbits + b] : 0;

            if (v == 0)
                continue;
            if (started) {
                mont_mul(acc, acc, tab[i][v >> 1], gr->pl);
            } else {
                memcpy(acc, tab[i][v >> 1], sizeof acc);
                started = TRUE;
            }
        }
    }
    mont_to_mpz(r, acc, gr);

    otr_wipe(tab, sizeof tab);
    otr_wipe(acc, sizeof acc);
    otr_wipe(sq, sizeof sq);
    g_free(dig);
}

/* ---- Other operations --------------------------------------------------- */

void
otr_group_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b)
{
    mpz_mul(r, a, b);
    mpz_mod(r, r, group()->p);
}

gboolean
otr_group_div(mpz_ptr r, mpz_srcptr a, mpz_srcptr b)
{
    const Group *gr = group();
    mpz_t inv;
    gboolean ok;

    otr_group_init(inv);
    ok = mpz_invert(inv, b, gr->p) != 0;
    if (ok)
        otr_group_mul(r, a, inv);
    otr_group_clear(inv);
    return ok;
}

void
otr_group_exp_sub_mul(mpz_ptr d, mpz_srcptr r, mpz_srcptr x, mpz_srcptr c)
{
    const Group *gr = group();
    mpz_t t;

    otr_group_init(t);
    mpz_mul(t, x, c);
    mpz_sub(t, r, t);
    mpz_mod(d, t, gr->q); /* non-negative */
    otr_group_clear(t);
}

gboolean
otr_group_elem_valid(mpz_srcptr x)
{
    return mpz_cmp_ui(x, 2) >= 0 && mpz_cmp(x, group()->pm2) <= 0;
}

gboolean
otr_group_expon_valid(mpz_srcptr e)
{
    return mpz_cmp_ui(e, 1) >= 0 && mpz_cmp(e, group()->q) < 0;
}

void
otr_group_random_exponent(const OtrHost *h, mpz_ptr e)
{
    uint8_t buf[OTR_GROUP_BYTES];

    do {
        otr_host_random(h, buf, sizeof buf);
        mpz_import(e, sizeof buf, 1, 1, 1, 0, buf);
    } while (mpz_sgn(e) == 0);
    otr_wipe(buf, sizeof buf);
}

/* ---- Serialisation ------------------------------------------------------ */

static size_t
put_mpi(uint8_t *out, mpz_srcptr x)
{
    size_t n = 0;

    if (mpz_sgn(x) != 0) {
        g_return_val_if_fail(mpz_sgn(x) > 0, 4);
        g_return_val_if_fail(mpz_sizeinbase(x, 256) <= OTR_GROUP_BYTES, 4);
        mpz_export(out + 4, &n, 1, 1, 1, 0, x);
    }
    out[0] = (uint8_t)(n >> 24);
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    return 4 + n;
}

void
otr_group_hash(mpz_ptr out, uint8_t version, mpz_srcptr a, mpz_srcptr b)
{
    uint8_t buf[1 + 2 * (4 + OTR_GROUP_BYTES)];
    uint8_t md[OTR_SHA256_LEN];
    size_t len = 0;

    buf[len++] = version;
    len += put_mpi(buf + len, a);
    if (b)
        len += put_mpi(buf + len, b);
    otr_sha256(buf, len, md);
    mpz_import(out, sizeof md, 1, 1, 1, 0, md);
    otr_wipe(buf, len);
    otr_wipe(md, sizeof md);
}

void
otr_group_write_mpis(GByteArray *buf, size_t n, mpz_srcptr const *v)
{
    uint8_t tmp[4 + OTR_GROUP_BYTES];
    uint8_t cnt[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
                       (uint8_t)(n >> 8), (uint8_t)n };

    g_byte_array_append(buf, cnt, sizeof cnt);
    for (size_t i = 0; i < n; i++) {
        size_t len = put_mpi(tmp, v[i]);

        g_byte_array_append(buf, tmp, (guint)len);
    }
    otr_wipe(tmp, sizeof tmp);
}

static guint32
get_int(const uint8_t *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | (guint32)p[3];
}

OtrError
otr_group_read_mpis(const uint8_t *buf, size_t len, size_t n, mpz_ptr const *v)
{
    size_t pos = 4;

    if (!buf || len < 4 || get_int(buf) != n)
        return OTR_ERR_MALFORMED;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *d;
        size_t l;

        if (len - pos < 4)
            return OTR_ERR_MALFORMED;
        l = get_int(buf + pos);
        pos += 4;
        if (l > len - pos)
            return OTR_ERR_MALFORMED;
        d = buf + pos;
        pos += l;
        while (l > 0 && d[0] == 0) {
            d++;
            l--;
        }
        if (l > OTR_GROUP_BYTES)
            return OTR_ERR_MALFORMED;
        if (l == 0)
            mpz_set_ui(v[i], 0);
        else
            mpz_import(v[i], l, 1, 1, 1, 0, d);
    }
    return pos == len ? OTR_OK : OTR_ERR_MALFORMED;
}
