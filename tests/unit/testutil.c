/* Offrec tests — seeded randomness and a fake clock for the core.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "testutil.h"

static void
th_random(void *user, uint8_t *buf, size_t len)
{
    TestHost *th = user;

    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)g_rand_int_range(th->rand, 0, 256);
}

static gint64
th_now(void *user)
{
    TestHost *th = user;

    return th->now;
}

static void
th_log(void *user, const char *line)
{
    TestHost *th = user;

    if (th->log)
        g_ptr_array_add(th->log, g_strdup(line));
}

const OtrHostOps test_host_ops = {
    .random = th_random,
    .now = th_now,
    .log = th_log,
};

void
test_host_init(TestHost *th, guint32 seed)
{
    th->rand = g_rand_new_with_seed(seed);
    th->now = 1000;
    th->log = NULL;
}

void
test_host_clear(TestHost *th)
{
    g_rand_free(th->rand);
    if (th->log)
        g_ptr_array_unref(th->log);
}

const OtrPrivKey *
test_key(int index)
{
    static OtrPrivKey *keys[4];

    g_assert(index >= 0 && index < 4);
    if (!keys[index]) {
        TestHost th;
        OtrError err = OTR_OK;

        otr_init();
        test_host_init(&th, 0x5eed0000u + (guint32)index);
        keys[index] =
            otr_privkey_generate(&test_host_ops, &th, NULL, NULL, NULL, &err);
        g_assert_cmpint(err, ==, OTR_OK);
        g_assert_nonnull(keys[index]);
        test_host_clear(&th);
    }
    return keys[index];
}
