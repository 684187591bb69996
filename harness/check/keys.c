/* keys.c — see keys.h. */
#include "keys.h"

#include <stdlib.h>
#include <string.h>

/* The algorithm name in packet-oscore.c's value_string (Wireshark 4.0). */
static const char WIRESHARK_CCM[] = "AES-CCM-16-64-128 (CCM*)";

static bool usable(const struct oscar_context_spec *s)
{
    return s->aead_alg == OSCAR_COSE_ALG_AES_CCM_16_64_128 && s->master_secret.present &&
           s->hkdf_alg == OSCAR_COSE_ALG_HKDF_SHA256;
}

/* line formats the six quoted fields of one context into buf. */
static void line(char *buf, size_t cap, const struct oscar_context_spec *s)
{
    const struct oscar_bytes_field *f[5] = {&s->sender_id, &s->recipient_id, &s->master_secret,
                                            &s->master_salt, &s->id_context};
    size_t pos = 0;
    for (int i = 0; i < 5; i++) {
        char hex[2 * 256 + 1] = "";
        if (f[i]->present && !f[i]->null && f[i]->len <= 256) {
            oscar_hex_encode(hex, f[i]->data, f[i]->len);
        }
        int n = snprintf(buf + pos, cap - pos, "\"%s\",", hex);
        if (n < 0 || (size_t)n >= cap - pos) {
            buf[0] = '\0';
            return;
        }
        pos += (size_t)n;
    }
    snprintf(buf + pos, cap - pos, "\"%s\"", WIRESHARK_CCM);
}

size_t oscar_keys_write_uat(FILE *f, const struct oscar_context_spec *specs, size_t n)
{
    size_t skipped = 0;
    char buf[2048];
    for (size_t i = 0; i < n; i++) {
        if (!usable(&specs[i])) {
            skipped++;
            continue;
        }
        line(buf, sizeof(buf), &specs[i]);
        fprintf(f, "%s\n", buf);
    }
    return skipped;
}

size_t oscar_keys_write_args(FILE *f, const struct oscar_context_spec *specs, size_t n)
{
    size_t skipped = 0;
    char buf[2048];
    for (size_t i = 0; i < n; i++) {
        if (!usable(&specs[i])) {
            skipped++;
            continue;
        }
        line(buf, sizeof(buf), &specs[i]);
        fprintf(f, "-o 'uat:oscore_contexts:%s'\n", buf);
    }
    return skipped;
}

enum oscar_err oscar_keys_write_dir(const char *dir, const struct oscar_context_spec *specs,
                                    size_t n)
{
    char path[1600];
    snprintf(path, sizeof(path), "%s/oscore_contexts", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return OSCAR_ERR_IO;
    }
    fprintf(f, "# Wireshark profile file: copy into a profile folder to open capture.pcap "
               "decrypted\n");
    oscar_keys_write_uat(f, specs, n);
    bool ok = fclose(f) == 0;
    snprintf(path, sizeof(path), "%s/tshark-args.txt", dir);
    f = fopen(path, "w");
    if (f == NULL) {
        return OSCAR_ERR_IO;
    }
    oscar_keys_write_args(f, specs, n);
    ok = fclose(f) == 0 && ok;
    return ok ? OSCAR_OK : OSCAR_ERR_IO;
}
