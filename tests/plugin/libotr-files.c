/* Offrec plugin tests: writes pidgin-otr's key files with libotr itself. */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only helper for the import scenario: the files a pidgin-otr user has,
 * produced by libotr (the library pidgin-otr uses), in DIR:
 *
 *   libotr-files genkey DIR ACCOUNT PROTOCOL
 *       generates a DSA key into DIR/otr.private_key (adding to what is
 *       there), an instance tag into DIR/otr.instance_tags, and prints the
 *       key's fingerprint as 40 hex digits.
 *   libotr-files trust DIR ACCOUNT PROTOCOL BUDDY FPHEX TRUST
 *       adds BUDDY's fingerprint FPHEX (40 hex digits) with trust TRUST
 *       ("verified" or "") to DIR/otr.fingerprints.
 */
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/privkey.h>
#include <libotr/proto.h>
#include <stdio.h>
#include <string.h>

#include <gcrypt.h>
#include <glib.h>

static int
genkey(const char *dir, const char *account, const char *protocol)
{
    OtrlUserState us = otrl_userstate_create();
    char *keyfile = g_build_filename(dir, "otr.private_key", NULL);
    char *tagfile = g_build_filename(dir, "otr.instance_tags", NULL);
    unsigned char raw[20];
    int ret = 1;

    if (g_file_test(keyfile, G_FILE_TEST_EXISTS) &&
        otrl_privkey_read(us, keyfile) != 0)
        goto out;
    if (g_file_test(tagfile, G_FILE_TEST_EXISTS) &&
        otrl_instag_read(us, tagfile) != 0)
        goto out;
    if (otrl_privkey_generate(us, keyfile, account, protocol) != 0)
        goto out;
    if (otrl_instag_generate(us, tagfile, account, protocol) != 0)
        goto out;
    if (otrl_privkey_fingerprint_raw(us, raw, account, protocol) == NULL)
        goto out;
    for (size_t i = 0; i < sizeof raw; i++)
        printf("%02x", raw[i]);
    printf("\n");
    ret = 0;
out:
    if (ret != 0)
        fprintf(stderr, "libotr-files: genkey failed\n");
    g_free(keyfile);
    g_free(tagfile);
    otrl_userstate_free(us);
    return ret;
}

static int
trust(const char *dir,
      const char *account,
      const char *protocol,
      const char *buddy,
      const char *hex,
      const char *level)
{
    OtrlUserState us = otrl_userstate_create();
    char *fpfile = g_build_filename(dir, "otr.fingerprints", NULL);
    unsigned char raw[20];
    ConnContext *ctx;
    Fingerprint *fp;
    int ret = 1;

    if (strlen(hex) != 40)
        goto out;
    for (size_t i = 0; i < sizeof raw; i++) {
        unsigned int b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1)
            goto out;
        raw[i] = (unsigned char)b;
    }
    if (g_file_test(fpfile, G_FILE_TEST_EXISTS) &&
        otrl_privkey_read_fingerprints(us, fpfile, NULL, NULL) != 0)
        goto out;
    ctx = otrl_context_find(us, buddy, account, protocol, OTRL_INSTAG_MASTER, 1,
                            NULL, NULL, NULL);
    if (ctx == NULL)
        goto out;
    fp = otrl_context_find_fingerprint(ctx, raw, 1, NULL);
    if (fp == NULL)
        goto out;
    otrl_context_set_trust(fp, level);
    if (otrl_privkey_write_fingerprints(us, fpfile) != 0)
        goto out;
    ret = 0;
out:
    if (ret != 0)
        fprintf(stderr, "libotr-files: trust failed\n");
    g_free(fpfile);
    otrl_userstate_free(us);
    return ret;
}

int
main(int argc, char **argv)
{
    OTRL_INIT;
    if (argc == 5 && strcmp(argv[1], "genkey") == 0)
        return genkey(argv[2], argv[3], argv[4]);
    if (argc == 8 && strcmp(argv[1], "trust") == 0)
        return trust(argv[2], argv[3], argv[4], argv[5], argv[6], argv[7]);
    fprintf(stderr, "usage: libotr-files genkey DIR ACCOUNT PROTOCOL\n"
                    "       libotr-files trust DIR ACCOUNT PROTOCOL BUDDY "
                    "FPHEX TRUST\n");
    return 2;
}
