/* keys.h — Wireshark's view of security contexts: the `oscore_contexts` UAT (Debian's tshark 4.0:
 * sender ID, recipient ID, master secret, master salt, ID context, algorithm), so every capture
 * Oscar writes opens decrypted. Wireshark decrypts AES-CCM-16-64-128 only and derives keys from
 * a Master Secret, so contexts with other algorithms or stated by keys are left out (counted). */
#ifndef OSCAR_KEYS_H
#define OSCAR_KEYS_H

#include <stdio.h>

#include "../core/contexts.h"

/* oscar_keys_write_uat writes one UAT line per usable context to f; returns how many were
 * skipped. */
size_t oscar_keys_write_uat(FILE *f, const struct oscar_context_spec *specs, size_t n);

/* oscar_keys_write_args writes the equivalent `-o uat:oscore_contexts:...` tshark arguments,
 * one per line, shell-quoted. */
size_t oscar_keys_write_args(FILE *f, const struct oscar_context_spec *specs, size_t n);

/* oscar_keys_write_dir writes DIR/oscore_contexts (a Wireshark profile file) and
 * DIR/tshark-args.txt; returns OSCAR_OK or OSCAR_ERR_IO. */
enum oscar_err oscar_keys_write_dir(const char *dir, const struct oscar_context_spec *specs,
                                    size_t n);

#endif
