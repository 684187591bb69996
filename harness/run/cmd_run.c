/* cmd_run.c — `oscar run`: pick scenarios and pairings, run each, write the reports, print a line
 * per test and the closing `N passed, N failed, N skipped`. Ctrl-C stops after the current test
 * and still writes everything obtained so far. */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../main/cli.h"
#include "run_internal.h"

#ifndef OSCAR_SOURCE_DIR
#define OSCAR_SOURCE_DIR "."
#endif
#ifndef OSCAR_BINARY_DIR
#define OSCAR_BINARY_DIR "build"
#endif

#define MAX_SCENARIOS 256
#define MAX_IMPLS 16

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* find_scenarios lists scenarios/<group>/ *.json (not scenarios/contexts). */
static size_t find_scenarios(const char **out, size_t cap, const char *dir, struct oscar_arena *a)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "contexts") == 0 ||
            strcmp(e->d_name, "group") == 0 || strcmp(e->d_name, "ace") == 0) {
            continue;
        }
        char sub[1400];
        snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) {
            continue;
        }
        DIR *sd = opendir(sub);
        struct dirent *f;
        while (sd != NULL && (f = readdir(sd)) != NULL && n < cap) {
            size_t len = strlen(f->d_name);
            if (len > 5 && strcmp(f->d_name + len - 5, ".json") == 0 && f->d_name[0] != '.') {
                char path[1700];
                snprintf(path, sizeof(path), "%s/%s", sub, f->d_name);
                out[n++] = oscar_arena_strdup(a, path);
            }
        }
        if (sd != NULL) {
            closedir(sd);
        }
    }
    closedir(d);
    qsort(out, n, sizeof(out[0]), cmp_str);
    return n;
}

static bool has_suite(const struct oscar_scenario *s, const char *suite)
{
    for (size_t i = 0; i < s->num_suites; i++) {
        if (strcmp(s->suites[i], suite) == 0) {
            return true;
        }
    }
    return false;
}

static const char *listed(const char *const *keys, const char *const *values, size_t n,
                          const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i], id) == 0) {
            return values[i];
        }
    }
    return NULL;
}

struct run_state {
    struct oscar_result *results;
    size_t num;
    size_t cap;
};

static struct oscar_result *new_result(struct run_state *st)
{
    if (st->num == st->cap) {
        size_t ncap = st->cap ? 2 * st->cap : 64;
        struct oscar_result *r = realloc(st->results, ncap * sizeof(*r));
        if (r == NULL) {
            return NULL;
        }
        st->results = r;
        st->cap = ncap;
    }
    struct oscar_result *r = &st->results[st->num++];
    memset(r, 0, sizeof(*r));
    return r;
}

static void print_result(const struct oscar_result *r)
{
    printf("%-6s %-44s %s x %s (%.2f s)%s%s\n", oscar_status_str(r->status), r->test, r->client,
           r->server, r->seconds, r->reason[0] ? ": " : "", r->reason);
    fflush(stdout);
}

static void run_pairing(struct run_state *st, const struct run_config *rc,
                        struct oscar_scenario *const *scen, size_t ns, bool negative,
                        struct oscar_arena *a)
{
    char pair_dir[1024];
    snprintf(pair_dir, sizeof(pair_dir), "%s/%sx%s", rc->out_dir, rc->client->name,
             rc->server->name);
    mkdir(pair_dir, 0755);
    for (size_t i = 0; i < ns && !interrupted; i++) {
        const struct oscar_scenario *s = scen[i];
        size_t nv = negative ? s->num_variants : 0;
        for (size_t v = rc->variants_only ? 1 : 0; v <= nv && !interrupted; v++) {
            const struct oscar_variant *var = v == 0 ? NULL : &s->variants[v - 1];
            struct oscar_result *r = new_result(st);
            if (r == NULL) {
                return;
            }
            char name[256];
            if (var == NULL) {
                snprintf(name, sizeof(name), "%s", s->id);
            } else {
                snprintf(name, sizeof(name), "%s~%s@%s", s->id, var->bug, var->node);
            }
            r->test = oscar_arena_strdup(a, name);
            r->client = rc->client->name;
            r->server = rc->server->name;
            snprintf(r->dir, sizeof(r->dir), "%s/%s", pair_dir, name);
            snprintf(r->repro, sizeof(r->repro),
                     "%s/harness/oscar run --test %s --client %s --server %s --seed %llu%s%s",
                     rc->bin_dir, s->id, rc->client->name, rc->server->name,
                     (unsigned long long)rc->seed, var != NULL ? " --negative-control " : "",
                     var != NULL ? name + strlen(s->id) + 1 : "");
            const char *why =
                rc->client->skip_reason != NULL ? rc->client->skip_reason : rc->server->skip_reason;
            const char *dis = listed(rc->client->disabled, rc->client->disabled_reason,
                                     rc->client->num_disabled, s->id);
            if (dis == NULL) {
                dis = listed(rc->server->disabled, rc->server->disabled_reason,
                             rc->server->num_disabled, s->id);
            }
            if (why != NULL || dis != NULL) {
                r->status = OSCAR_STATUS_SKIP;
                snprintf(r->reason, sizeof(r->reason), "%s", why != NULL ? why : dis);
                print_result(r);
                continue;
            }
            oscar_run_one(r, rc, s, var, a);
            if (var != NULL) {
                /* a negative control passes when the fault made the right step fail */
                if (r->status == OSCAR_STATUS_FAIL && r->step != NULL &&
                    strcmp(r->step, var->fails_at) == 0) {
                    char caught[1024];
                    snprintf(caught, sizeof(caught), "caught as expected: %.990s", r->reason);
                    snprintf(r->reason, sizeof(r->reason), "%.1000s", caught);
                    r->status = OSCAR_STATUS_PASS;
                } else if (r->status == OSCAR_STATUS_FAIL || r->status == OSCAR_STATUS_PASS) {
                    char got[1024];
                    snprintf(got, sizeof(got), "%s", r->reason);
                    snprintf(r->reason, sizeof(r->reason),
                             "fault %.40s on the %.10s was not caught at step %.40s (%s%.800s%s)",
                             var->bug, var->node, var->fails_at,
                             r->status == OSCAR_STATUS_PASS ? "the test passed" : "failed: ",
                             r->status == OSCAR_STATUS_PASS ? "" : got, "");
                    r->status = OSCAR_STATUS_FAIL;
                }
            } else {
                const char *xf = listed(rc->client->xfail, rc->client->xfail_reason,
                                        rc->client->num_xfail, s->id);
                if (xf != NULL) {
                    r->expected_fail = true;
                    r->status = r->status == OSCAR_STATUS_FAIL   ? OSCAR_STATUS_XFAIL
                                : r->status == OSCAR_STATUS_PASS ? OSCAR_STATUS_XPASS
                                                                 : r->status;
                }
            }
            print_result(r);
        }
    }
}

void run_opts_init(struct run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->seed = 1;
    o->negative = true;
}

bool run_opts_take(struct run_opts *o, int ch, const char *arg)
{
    switch (ch) {
    case 't':
        if (o->num_tests < OSCAR_RUN_MAX_TESTS) {
            o->tests[o->num_tests++] = arg;
        }
        return true;
    case 'o':
        o->out = arg;
        return true;
    case 'r':
        o->seed = strtoull(arg, NULL, 0);
        return true;
    case 'n':
        o->negative = false;
        return true;
    case 'v':
        o->only_variant = arg;
        return true;
    default:
        return false;
    }
}

bool run_opts_picks(const struct run_opts *o, const char *id)
{
    bool pick = o->num_tests == 0;
    for (size_t k = 0; k < o->num_tests; k++) {
        pick = pick || strcmp(o->tests[k], id) == 0;
    }
    return pick;
}

int oscar_cmd_run(int argc, char **argv)
{
    /* the multi-node Group OSCORE scenarios have a runner of their own (harness/group) */
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--suite") == 0 && strcmp(argv[i + 1], "group") == 0) {
            return oscar_cmd_group_run(argc, argv);
        }
        if (strcmp(argv[i], "--suite") == 0 && strcmp(argv[i + 1], "ace") == 0) {
            return oscar_cmd_ace_run(argc, argv);
        }
    }
    const char *suite = NULL;
    const char *client_name = "ref";
    const char *server_name = "ref";
    const char *matrix = NULL;
    static const struct option longopts[] = {
        {"suite", required_argument, NULL, 'S'},
        {"client", required_argument, NULL, 'c'},
        {"server", required_argument, NULL, 's'},
        {"matrix", required_argument, NULL, 'm'},
        OSCAR_RUN_LONGOPTS,
        OSCAR_RUN_LONGOPT_VARIANT,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct run_opts opts;
    run_opts_init(&opts);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (run_opts_take(&opts, ch, optarg)) {
            continue;
        }
        switch (ch) {
        case 'S':
            suite = optarg;
            break;
        case 'c':
            client_name = optarg;
            break;
        case 's':
            server_name = optarg;
            break;
        case 'm':
            matrix = optarg;
            break;
        case 'h':
            printf(
                "usage: oscar run [--suite NAME] [--test ID]... [--client IMPL] [--server IMPL]\n"
                "                 [--matrix IMPL,IMPL,...] [--out DIR] [--seed N]\n"
                "                 [--no-negative-controls] [--negative-control BUG@NODE]\n"
                "Runs scenarios/ between implementations (impl/NAME/impl.json; default ref x\n"
                "ref), judged from the capture. Writes DIR/results.json, junit.xml,\n"
                "summary.txt and a folder per test (capture.pcap, events.log, peer logs).\n"
                "Exit 0 only when nothing failed.\n");
            return OSCAR_EXIT_OK;
        default:
            return OSCAR_EXIT_USAGE;
        }
    }
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    struct oscar_diag diag = {{0}};
    const char *root = getenv("OSCAR_ROOT") != NULL ? getenv("OSCAR_ROOT") : OSCAR_SOURCE_DIR;
    char scen_dir[1024];
    snprintf(scen_dir, sizeof(scen_dir), "%s/scenarios", root);
    const char *paths[MAX_SCENARIOS];
    size_t np = find_scenarios(paths, MAX_SCENARIOS, scen_dir, &arena);
    struct oscar_scenario *scen[MAX_SCENARIOS];
    size_t ns = 0;
    int exit_code = OSCAR_EXIT_OK;
    for (size_t i = 0; i < np; i++) {
        struct oscar_scenario *s = oscar_arena_alloc(&arena, sizeof(*s));
        if (s == NULL || oscar_scenario_load(s, paths[i], scen_dir, &arena, &diag) != OSCAR_OK) {
            fprintf(stderr, "oscar run: %s\n", s == NULL ? "out of memory" : diag.msg);
            exit_code = OSCAR_EXIT_INPUT;
            continue;
        }
        bool pick = suite == NULL || has_suite(s, suite);
        if (opts.num_tests != 0) {
            pick = run_opts_picks(&opts, s->id);
        }
        if (pick) {
            scen[ns++] = s;
        }
    }
    if (opts.only_variant != NULL) {
        /* keep just the named negative control of the selected scenarios */
        for (size_t i = 0; i < ns; i++) {
            size_t keep = 0;
            for (size_t v = 0; v < scen[i]->num_variants; v++) {
                char name[160];
                snprintf(name, sizeof(name), "%s@%s", scen[i]->variants[v].bug,
                         scen[i]->variants[v].node);
                if (strcmp(name, opts.only_variant) == 0) {
                    scen[i]->variants[keep++] = scen[i]->variants[v];
                }
            }
            scen[i]->num_variants = keep;
        }
    }
    if (ns == 0) {
        fprintf(stderr, "oscar run: no scenario selected under %s\n", scen_dir);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    const char *names[MAX_IMPLS];
    size_t nimpl = 0;
    char matrix_copy[512];
    if (matrix != NULL) {
        snprintf(matrix_copy, sizeof(matrix_copy), "%s", matrix);
        for (char *tok = matrix_copy; tok != NULL;) {
            if (nimpl == MAX_IMPLS) {
                fprintf(stderr, "oscar run: --matrix takes at most %d implementations\n",
                        MAX_IMPLS);
                oscar_arena_free(&arena);
                return OSCAR_EXIT_USAGE;
            }
            char *comma = strchr(tok, ',');
            if (comma != NULL) {
                *comma = '\0';
            }
            names[nimpl++] = tok;
            tok = comma != NULL ? comma + 1 : NULL;
        }
    }
    struct oscar_impl impls[MAX_IMPLS];
    struct oscar_impl client_impl;
    struct oscar_impl server_impl;
    if (matrix != NULL) {
        for (size_t i = 0; i < nimpl; i++) {
            if (oscar_impl_load(&impls[i], root, names[i], &arena, &diag) != OSCAR_OK) {
                fprintf(stderr, "oscar run: %s\n", diag.msg);
                oscar_arena_free(&arena);
                return OSCAR_EXIT_INPUT;
            }
        }
    } else if (oscar_impl_load(&client_impl, root, client_name, &arena, &diag) != OSCAR_OK ||
               oscar_impl_load(&server_impl, root, server_name, &arena, &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar run: %s\n", diag.msg);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    char out_dir[900];
    if (opts.out != NULL) {
        snprintf(out_dir, sizeof(out_dir), "%s", opts.out);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", gmtime(&now));
        snprintf(out_dir, sizeof(out_dir), "out/run-%s", stamp);
    }
    mkdir("out", 0755);
    mkdir(out_dir, 0755);
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    struct run_state st = {0};
    struct run_config rc = {
        .root = root,
        .bin_dir = OSCAR_BINARY_DIR,
        .out_dir = out_dir,
        .seed = opts.seed,
        .variants_only = opts.only_variant != NULL,
    };
    if (matrix != NULL) {
        for (size_t c = 0; c < nimpl && !interrupted; c++) {
            for (size_t s = 0; s < nimpl && !interrupted; s++) {
                rc.client = &impls[c];
                rc.server = &impls[s];
                run_pairing(&st, &rc, scen, ns, opts.negative, &arena);
            }
        }
    } else {
        rc.client = &client_impl;
        rc.server = &server_impl;
        run_pairing(&st, &rc, scen, ns, opts.negative, &arena);
    }
    if (oscar_report_write(out_dir, st.results, st.num, &rc, suite != NULL ? suite : "all",
                           &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar run: %s\n", diag.msg);
        exit_code = OSCAR_EXIT_INPUT;
    }
    size_t passed = 0;
    size_t failed = 0;
    size_t skipped = 0;
    for (size_t i = 0; i < st.num; i++) {
        switch (st.results[i].status) {
        case OSCAR_STATUS_PASS:
        case OSCAR_STATUS_XFAIL:
            passed++;
            break;
        case OSCAR_STATUS_FAIL:
        case OSCAR_STATUS_XPASS:
        case OSCAR_STATUS_ERROR:
            failed++;
            break;
        case OSCAR_STATUS_SKIP:
        case OSCAR_STATUS_UNIMPL:
            skipped++;
            break;
        }
    }
    printf("reports: %s/results.json, %s/junit.xml, %s/summary.txt\n", out_dir, out_dir, out_dir);
    if (interrupted) {
        printf("interrupted: %zu tests were run before Ctrl-C\n", st.num);
    }
    printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    free(st.results);
    oscar_arena_free(&arena);
    if (exit_code != OSCAR_EXIT_OK) {
        return exit_code;
    }
    return failed != 0 || interrupted ? OSCAR_EXIT_FAIL : OSCAR_EXIT_OK;
}
