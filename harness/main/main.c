/* main.c — the oscar command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oscar/crypto.h"
#include "cli.h"

#ifndef OSCAR_SOURCE_DIR
#define OSCAR_SOURCE_DIR "."
#endif
#ifndef OSCAR_VERSION
#define OSCAR_VERSION "0"
#endif

const char *oscar_vectors_dir(void)
{
    const char *env = getenv("OSCAR_VECTORS_DIR");
    return env != NULL && env[0] != '\0' ? env : OSCAR_SOURCE_DIR "/vectors";
}

static void usage(FILE *f)
{
    fprintf(f, "usage: oscar COMMAND [ARGS]\n"
               "commands:\n"
               "  vectors [FILE...]   run OSCORE test vectors (oscar vectors --help)\n"
               "  run                 run scenarios between implementations (oscar run --help)\n"
               "  check PCAP          judge a capture with the trace rules (oscar check --help)\n"
               "  keys --wireshark F  Wireshark/tshark keys for a contexts file\n"
               "  rules               list the trace rules with their RFC sections\n"
               "  bench               measure OSCORE protect+unprotect against raw AEAD\n"
               "  version             print versions\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return OSCAR_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "vectors") == 0) {
        return oscar_cmd_vectors(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "run") == 0) {
        return oscar_cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "check") == 0) {
        return oscar_cmd_check(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "keys") == 0) {
        return oscar_cmd_keys(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "rules") == 0) {
        return oscar_cmd_rules(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "bench") == 0) {
        return oscar_cmd_bench(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "version") == 0) {
        printf("oscar %s (crypto: %s)\n", OSCAR_VERSION, oscar_crypto_wolfssl()->name);
        return OSCAR_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return OSCAR_EXIT_OK;
    }
    fprintf(stderr, "oscar: unknown command '%s'\n", cmd);
    usage(stderr);
    return OSCAR_EXIT_USAGE;
}
