/* runner.h — `oscar run`: runs scenarios between implementations named by impl/NAME/impl.json
 * manifests, through the relay, and judges them from the capture. */
#ifndef OSCAR_RUNNER_H
#define OSCAR_RUNNER_H

#include "scenario.h"

enum oscar_status {
    OSCAR_STATUS_PASS,
    OSCAR_STATUS_FAIL,
    OSCAR_STATUS_XFAIL,
    OSCAR_STATUS_XPASS,
    OSCAR_STATUS_SKIP,
    OSCAR_STATUS_UNIMPL,
    OSCAR_STATUS_ERROR,
};

const char *oscar_status_str(enum oscar_status s);

#define OSCAR_IMPL_ARGS_MAX 32

/* struct oscar_impl is a manifest: how to start the implementation's shim in each role. */
struct oscar_impl {
    const char *name;
    const char *dir;
    const char *client_argv[OSCAR_IMPL_ARGS_MAX];
    size_t client_argc;
    const char *server_argv[OSCAR_IMPL_ARGS_MAX];
    size_t server_argc;
    const char *bug_flag;      /* e.g. "--bug"; NULL: the implementation has no fault switches */
    const char *skip_reason;   /* set when the manifest says the implementation is unavailable */
    unsigned ready_timeout_ms; /* 0: the default of 5 s */
    size_t num_disabled;
    const char *disabled[64];
    const char *disabled_reason[64];
    size_t num_xfail;
    const char *xfail[64];
    const char *xfail_reason[64];
};

/* oscar_impl_load reads impl/NAME/impl.json under root. */
enum oscar_err oscar_impl_load(struct oscar_impl *out, const char *root, const char *name,
                               struct oscar_arena *a, struct oscar_diag *diag);

/* struct oscar_result is the outcome of one test x pairing. */
struct oscar_result {
    const char *test; /* scenario id, or id~bug=NAME for a negative control */
    const char *client;
    const char *server;
    enum oscar_status status;
    bool expected_fail;
    const char *step; /* failing step id, or NULL */
    const char *rfc;  /* the section the failing check enforces */
    char reason[1024];
    double seconds;
    char dir[1400];   /* artifacts */
    char repro[1024]; /* one command that reruns just this test */
};

int oscar_cmd_run(int argc, char **argv);

/* oscar_cmd_ace_run is `oscar run --suite ace` (harness/ace/arun.c). */
int oscar_cmd_ace_run(int argc, char **argv);

struct oscar_transcript;
struct oscar_context_spec;

/* oscar_ace_derive_specs states the OSCORE-profile context of every /authz-info exchange of t
 * (read without keys) from the client's side, the tokens decrypted with token_key (the key the
 * AS shares with the GM; RFC 9203 §4.3); returns how many (bytes in arena). */
size_t oscar_ace_derive_specs(const uint8_t token_key[16], const struct oscar_transcript *t,
                              struct oscar_context_spec *out, size_t cap,
                              struct oscar_arena *arena);

/* oscar_ace_rejudge_one judges a finished ACE test folder again (run.json, scenario.json,
 * capture.pcap) and prints its line; 0 pass, 1 fail, 2 unusable. */
int oscar_ace_rejudge_one(const char *dir);

/* oscar_cmd_group_run is `oscar run --suite group` (harness/group/grun.c). */
int oscar_cmd_group_run(int argc, char **argv);

/* oscar_group_rejudge_one judges a finished group test folder again (run.json, scenario.json,
 * capture.pcap, events.log) and prints its line; 0 pass, 1 fail, 2 unusable. */
int oscar_group_rejudge_one(const char *dir);

/* oscar_group_check applies the Group OSCORE rules to any capture of a group scenario's members:
 * `oscar check PCAP --group-scenario FILE --nodes FILE` (nodes: {"name": "ip:port"}). */
int oscar_group_check(const char *pcap, const char *scenario, const char *nodes_path);

#endif
