/* run_internal.h — pieces of `oscar run` shared between its files. */
#ifndef OSCAR_RUN_INTERNAL_H
#define OSCAR_RUN_INTERNAL_H

#include <sys/wait.h>

#include "../check/decode.h"
#include "runner.h"

struct run_config {
    const char *root;    /* source tree (scenarios/, impl/) */
    const char *bin_dir; /* build tree ({bin} in manifests) */
    const char *out_dir;
    uint64_t seed;
    const struct oscar_impl *client;
    const struct oscar_impl *server;
    bool variants_only; /* --negative-control: run just the named variant, not the test */
};

#define OSCAR_RUN_MAX_TESTS 64

/* struct run_opts holds the options every suite of `oscar run` reads alike. */
struct run_opts {
    const char *tests[OSCAR_RUN_MAX_TESTS]; /* --test ID, repeatable; none: every test */
    size_t num_tests;
    const char *out;          /* --out DIR */
    const char *only_variant; /* --negative-control BUG@NODE: only that control */
    uint64_t seed;            /* --seed N, 1 by default */
    bool negative;            /* false under --no-negative-controls */
};

/* OSCAR_RUN_LONGOPTS are the getopt_long entries of run_opts (--negative-control apart, which
 * not every suite takes); OSCAR_RUN_LONGOPT_VARIANT is that one. */
/* clang-format off */
#define OSCAR_RUN_LONGOPTS                                                                         \
    {"test", required_argument, NULL, 't'},                                                        \
    {"out", required_argument, NULL, 'o'},                                                         \
    {"seed", required_argument, NULL, 'r'},                                                        \
    {"no-negative-controls", no_argument, NULL, 'n'}
#define OSCAR_RUN_LONGOPT_VARIANT {"negative-control", required_argument, NULL, 'v'}
/* clang-format on */

/* run_opts_init sets the defaults. */
void run_opts_init(struct run_opts *o);

/* run_opts_take stores the option ch (with its argument) when it is one of run_opts'; false
 * when ch belongs to the suite. */
bool run_opts_take(struct run_opts *o, int ch, const char *arg);

/* run_opts_picks says whether the test id was asked for (every test when no --test). */
bool run_opts_picks(const struct run_opts *o, const char *id);

/* oscar_run_one runs scenario s (or its negative control variant) for the configured pairing;
 * res->dir must be set. */
void oscar_run_one(struct oscar_result *res, const struct run_config *rc,
                   const struct oscar_scenario *s, const struct oscar_variant *variant,
                   struct oscar_arena *a);

struct judge_input {
    const struct oscar_scenario *s;
    const struct oscar_transcript *tr;
    const cJSON *const *client_events;
    size_t num_client_events;
    const cJSON *const *server_events;
    size_t num_server_events;
    struct oscar_endpoint client_ep;
    /* a capture without the peers' events (oscar check --scenario): each request is the client's
     * next new request on the wire, and what only a peer's report can say is left unjudged */
    bool offline;
};

struct judge_verdict {
    bool failed;
    const char *step;
    const char *rfc;
    char reason[1024];
    size_t unjudged; /* offline: expectations about a peer's own report, not judged */
};

/* oscar_judge evaluates every step's expectations on the decoded capture. */
void oscar_judge(struct judge_verdict *out, const struct judge_input *in);

/* oscar_rejudge judges finished test folders again (rejudge.c); returns an exit code. */
int oscar_rejudge(int num_dirs, char **dirs);

/* Reports (report.c). */
/* oscar_scenario_files lists the *.json files of dir (not hidden), sorted, paths in a. */
size_t oscar_scenario_files(const char **out, size_t cap, const char *dir, struct oscar_arena *a);

/* oscar_expand_placeholders replaces each subst[i][0] (e.g. "{bin}") in arg by subst[i][1] (a
 * NULL value leaves the key as it is); the result is in a. */
char *oscar_expand_placeholders(const char *arg, const char *const (*subst)[2], size_t num,
                                struct oscar_arena *a);

enum oscar_err oscar_report_write(const char *out_dir, const struct oscar_result *results,
                                  size_t num_results, const struct run_config *rc,
                                  const char *suite, struct oscar_diag *diag);

#endif
