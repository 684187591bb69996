/* scenario.h — a test as data (scenarios/README.md): the contexts each node holds, the steps the
 * harness drives, and what the trace must show after each step. Loaded strictly; the file name
 * is the test ID. */
#ifndef OSCAR_SCENARIO_H
#define OSCAR_SCENARIO_H

#include "../core/contexts.h"
#include "../net/relay.h"

#define OSCAR_SCENARIO_MAX_STEPS 32
#define OSCAR_SCENARIO_MAX_RESPONSES 8
#define OSCAR_SCENARIO_MAX_OPTIONS 8
#define OSCAR_SCENARIO_MAX_CONTEXTS 8
#define OSCAR_SCENARIO_MAX_VARIANTS 8
#define OSCAR_SCENARIO_MAX_RULES 8

/* struct oscar_expect_response is what one response (in order) must show on the wire. */
struct oscar_expect_response {
    const char *code;       /* decrypted (inner) code "2.05", or NULL */
    const char *outer_code; /* code on the wire, or NULL */
    const char *payload;    /* text, or NULL */
    struct oscar_bytes_field payload_hex;
    int oscore;                 /* -1 any, 0 must be plain CoAP, 1 must be OSCORE-protected */
    int piv;                    /* -1 any, 0 no own Partial IV, 1 own Partial IV */
    const char *wire_verdict;   /* the reference decoder's verdict name, e.g. "accept" */
    const char *client_verdict; /* the client's reported verdict (its own claim; diagnostics) */
    size_t num_options;
    uint16_t option_numbers[OSCAR_SCENARIO_MAX_OPTIONS];
    struct oscar_bytes_field option_values[OSCAR_SCENARIO_MAX_OPTIONS];
    size_t num_absent;
    uint16_t absent[OSCAR_SCENARIO_MAX_OPTIONS];
};

enum oscar_step_kind {
    OSCAR_STEP_REQUEST, /* the client sends a request (peer control op "request") */
    OSCAR_STEP_SET_SEQ, /* the client's Sender Sequence Number is reset (plugtest 15) */
};

struct oscar_step {
    enum oscar_step_kind kind;
    const char *id;
    const char *request_json; /* the control line sent to the client (op "request" added) */
    const char *rfc;          /* the section this step's expectation enforces */
    int responses;            /* exact number of responses expected, -1: at least one */
    unsigned wait_ms;
    const char *server_verdict; /* server's verdict for the request on the wire, or NULL */
    bool has_sent;
    struct oscar_expect_response sent; /* what the request must look like on the wire */
    size_t num_expect;
    struct oscar_expect_response expect[OSCAR_SCENARIO_MAX_RESPONSES];
    /* set_seq */
    const char *context;
    const char *seq_of; /* step id whose request PIV the sequence number is reset to */
};

/* struct oscar_variant is a negative control: the same scenario with a fault switch on one node
 * must FAIL at step fails_at. */
struct oscar_variant {
    const char *bug;
    const char *node; /* "client" or "server" */
    const char *fails_at;
};

struct oscar_scenario {
    const char *path;
    const char *contexts_file; /* as written in the file, or NULL for inline contexts */
    const char *id;
    const char *title;
    const char *source;
    const char *rfc;
    const char *judged; /* "client", "server" or "both" */
    size_t num_suites;
    const char *suites[4];
    struct oscar_context_spec contexts[OSCAR_SCENARIO_MAX_CONTEXTS];
    size_t num_contexts;
    const char *client_contexts[OSCAR_SCENARIO_MAX_CONTEXTS];
    size_t num_client_contexts;
    const char *server_contexts[OSCAR_SCENARIO_MAX_CONTEXTS];
    size_t num_server_contexts;
    bool server_oscore_aware;
    bool ipv6; /* the nodes talk over IPv6 loopback ("ip": "ipv6") */
    struct oscar_step steps[OSCAR_SCENARIO_MAX_STEPS];
    size_t num_steps;
    struct oscar_variant variants[OSCAR_SCENARIO_MAX_VARIANTS];
    size_t num_variants;
    /* trace rules the stimulus breaks on purpose (e.g. plugtest 15 resets the client's sequence
     * number, reusing a nonce): not counted as failures in this test */
    const char *allowed_rules[4];
    size_t num_allowed_rules;
    /* network faults the relay applies (seeded by the run's --seed) */
    struct oscar_relay_rule relay[OSCAR_SCENARIO_MAX_RULES];
    size_t num_relay;
};

/* oscar_scenario_load reads path; contexts named by "contexts_file" are resolved relative to the
 * scenarios directory dir. */
enum oscar_err oscar_scenario_load(struct oscar_scenario *out, const char *path, const char *dir,
                                   struct oscar_arena *arena, struct oscar_diag *diag);

/* oscar_scenario_context finds a context by name, or NULL. */
const struct oscar_context_spec *oscar_scenario_context(const struct oscar_scenario *s,
                                                        const char *name);

#endif
