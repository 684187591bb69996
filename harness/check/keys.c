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

/* write_lines writes each usable context in both directions (Wireshark looks a request up by
 * the entry's Sender ID, so an entry written from the server's view alone would not match),
 * each distinct line once, with prefix and suffix around it. */
static size_t write_lines(FILE *f, const struct oscar_context_spec *specs, size_t n,
                          const char *prefix, const char *suffix)
{
    size_t skipped = 0;
    char(*done)[2048] = calloc(2 * n + 1, sizeof(*done));
    size_t num_done = 0;
    for (size_t i = 0; i < n; i++) {
        if (!usable(&specs[i])) {
            skipped++;
            continue;
        }
        struct oscar_context_spec m = specs[i];
        m.sender_id = specs[i].recipient_id;
        m.recipient_id = specs[i].sender_id;
        const struct oscar_context_spec *views[2] = {&specs[i], &m};
        for (int k = 0; k < 2; k++) {
            char buf[2048];
            line(buf, sizeof(buf), views[k]);
            bool seen = false;
            for (size_t d = 0; done != NULL && d < num_done; d++) {
                seen = seen || strcmp(done[d], buf) == 0;
            }
            if (seen) {
                continue;
            }
            if (done != NULL) {
                memcpy(done[num_done++], buf, sizeof(buf));
            }
            fprintf(f, "%s%s%s\n", prefix, buf, suffix);
        }
    }
    free(done);
    return skipped;
}

size_t oscar_keys_write_uat(FILE *f, const struct oscar_context_spec *specs, size_t n)
{
    return write_lines(f, specs, n, "", "");
}

size_t oscar_keys_write_args(FILE *f, const struct oscar_context_spec *specs, size_t n)
{
    return write_lines(f, specs, n, "-o 'uat:oscore_contexts:", "'");
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
