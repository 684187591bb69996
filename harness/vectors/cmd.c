/* cmd.c — `oscar vectors`: run vector files, print a line per vector and the closing summary. */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../main/cli.h"
#include "vectors.h"

#define MAX_FILES 256
#define MAX_ONLY 64

static const char *kind_name(enum oscar_vector_kind k)
{
    switch (k) {
    case OSCAR_VECTOR_KEY_DERIVATION:
        return "key_derivation";
    case OSCAR_VECTOR_REQUEST_PROTECTION:
        return "request_protection";
    case OSCAR_VECTOR_RESPONSE_PROTECTION:
        return "response_protection";
    }
    return "?";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* list_dir collects dir/ *.json, sorted, into files (paths from the arena). */
static enum oscar_err list_dir(const char **files, size_t *num_files, const char *dir,
                               struct oscar_arena *a, struct oscar_diag *diag)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "%s: cannot open vector directory", dir);
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0 || e->d_name[0] == '.') {
            continue;
        }
        if (*num_files == MAX_FILES) {
            break;
        }
        size_t len = strlen(dir) + n + 2;
        char *p = oscar_arena_alloc(a, len);
        if (p == NULL) {
            closedir(d);
            return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
        }
        snprintf(p, len, "%s/%s", dir, e->d_name);
        files[(*num_files)++] = p;
    }
    closedir(d);
    qsort(files, *num_files, sizeof(files[0]), cmp_str);
    return OSCAR_OK;
}

struct vec_opts {
    const char *only[MAX_ONLY];
    size_t num_only;
    bool negative;
    bool verbose;
};

static bool selected(const struct vec_opts *o, const char *id);

static bool selected_any(const void *arg, const char *id)
{
    return selected(arg, id);
}

static bool selected(const struct vec_opts *o, const char *id)
{
    if (o->num_only == 0) {
        return true;
    }
    for (size_t i = 0; i < o->num_only; i++) {
        if (strcmp(o->only[i], id) == 0) {
            return true;
        }
    }
    return false;
}

/* negative_controls corrupts every stated field, the key and the Common IV in turn; each must
 * make the vector fail. Returns true when all were detected. */
static bool negative_controls(const struct oscar_vector_file *f, const struct oscar_vector *v,
                              size_t num_checks, size_t *out_tried, char *why, size_t why_cap,
                              struct oscar_diag *diag)
{
    *out_tried = 0;
    struct oscar_vector_result r;
    /* each check twice (a flipped bit, a missing byte), then the key, then the nonce */
    for (size_t t = 0; t < 2 * num_checks + 2; t++) {
        struct oscar_vector_mutation m;
        if (t < 2 * num_checks) {
            m.kind = t < num_checks ? OSCAR_MUTATE_EXPECTED : OSCAR_MUTATE_EXPECTED_LENGTH;
            m.target = t % num_checks;
        } else {
            m.kind = t == 2 * num_checks ? OSCAR_MUTATE_KEY : OSCAR_MUTATE_NONCE;
            m.target = 0;
        }
        if (oscar_vector_run(&r, f, v, &m, NULL, diag) != OSCAR_OK) {
            snprintf(why, why_cap, "%s", diag->msg);
            return false;
        }
        (*out_tried)++;
        if (r.pass) {
            if (t < 2 * num_checks) {
                snprintf(why, why_cap, "%s expected check #%zu went unnoticed",
                         t < num_checks ? "flipping a bit of" : "shortening", t % num_checks);
            } else {
                snprintf(why, why_cap, "flipping a bit of the %s went unnoticed",
                         t == 2 * num_checks ? "key" : "Common IV (nonce)");
            }
            return false;
        }
    }
    return true;
}

int oscar_cmd_vectors(int argc, char **argv)
{
    struct vec_opts o = {0};
    static const struct option longopts[] = {
        {"only", required_argument, NULL, 'o'},
        {"negative-controls", no_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:nvh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            if (o.num_only == MAX_ONLY) {
                fprintf(stderr, "oscar vectors: at most %d --only\n", MAX_ONLY);
                return OSCAR_EXIT_USAGE;
            }
            o.only[o.num_only++] = optarg;
            break;
        case 'n':
            o.negative = true;
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'h':
            printf("usage: oscar vectors [--only ID]... [--negative-controls] [--verbose] "
                   "[FILE...]\n"
                   "Runs OSCORE test vector files (schema of RFC 8613 Appendix C as in "
                   "vectors/rfc8613.json)\n"
                   "and Group OSCORE vector files (vectors/group-oscore-*.json: draft-28 §4.3\n"
                   "compression examples, IETF 109 hackathon keys, derived group and pairwise\n"
                   "mode messages).\n"
                   "With no FILE, runs every *.json in %s.\n"
                   "Exit: 0 all passed, 1 a vector failed, 2 unusable input.\n",
                   oscar_vectors_dir());
            return OSCAR_EXIT_OK;
        default:
            return OSCAR_EXIT_USAGE;
        }
    }
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    struct oscar_diag diag = {{0}};
    const char *files[MAX_FILES];
    size_t num_files = 0;
    int exit_code = OSCAR_EXIT_OK;
    if (optind == argc) {
        if (list_dir(files, &num_files, oscar_vectors_dir(), &arena, &diag) != OSCAR_OK) {
            fprintf(stderr, "oscar vectors: %s\n", diag.msg);
            oscar_arena_free(&arena);
            return OSCAR_EXIT_INPUT;
        }
    } else {
        for (int i = optind; i < argc && num_files < MAX_FILES; i++) {
            files[num_files++] = argv[i];
        }
    }
    size_t passed = 0;
    size_t failed = 0;
    size_t matched = 0;
    for (size_t fi = 0; fi < num_files; fi++) {
        struct oscar_group_vector_opts go = {selected_any, &o, o.negative,
                                             o.verbose ? stdout : NULL};
        struct oscar_group_vector_tally gt = {0};
        bool is_group = false;
        if (oscar_group_vectors_run(files[fi], &go, &gt, &is_group, &diag) != OSCAR_OK) {
            fprintf(stderr, "oscar vectors: %s\n", diag.msg);
            exit_code = OSCAR_EXIT_INPUT;
            continue;
        }
        passed += gt.passed;
        failed += gt.failed;
        matched += gt.matched;
        if (is_group) {
            continue;
        }
        struct oscar_vector_file vf;
        if (oscar_vectors_load(&vf, files[fi], &arena, &diag) != OSCAR_OK) {
            fprintf(stderr, "oscar vectors: %s\n", diag.msg);
            exit_code = OSCAR_EXIT_INPUT;
            continue;
        }
        for (size_t vi = 0; vi < vf.num_vectors; vi++) {
            const struct oscar_vector *v = &vf.vectors[vi];
            if (!selected(&o, v->id)) {
                continue;
            }
            matched++;
            struct oscar_vector_result r;
            if (oscar_vector_run(&r, &vf, v, NULL, o.verbose ? stdout : NULL, &diag) != OSCAR_OK) {
                fprintf(stderr, "oscar vectors: %s\n", diag.msg);
                exit_code = OSCAR_EXIT_INPUT;
                continue;
            }
            if (!r.pass) {
                failed++;
                printf("FAIL %-12s %-20s %zu of %zu checks failed; %s (%s)\n", v->id,
                       kind_name(v->kind), r.num_failed, r.num_checks, r.first_failure, files[fi]);
                continue;
            }
            if (o.negative) {
                char why[OSCAR_DIAG_MAX];
                size_t tried;
                if (!negative_controls(&vf, v, r.num_checks, &tried, why, sizeof(why), &diag)) {
                    failed++;
                    printf("FAIL %-12s %-20s negative control: %s (%s)\n", v->id,
                           kind_name(v->kind), why, files[fi]);
                    continue;
                }
                passed++;
                printf("PASS %-12s %-20s %zu corruptions and %zu tampered messages all "
                       "detected\n",
                       v->id, kind_name(v->kind), tried, r.num_tamper);
                continue;
            }
            passed++;
            printf("PASS %-12s %-20s %zu checks, %zu tampered messages rejected\n", v->id,
                   kind_name(v->kind), r.num_checks, r.num_tamper);
        }
    }
    if (o.num_only != 0 && matched < o.num_only && exit_code == OSCAR_EXIT_OK) {
        fprintf(stderr, "oscar vectors: %zu of %zu --only ids not found\n", o.num_only - matched,
                o.num_only);
        exit_code = OSCAR_EXIT_INPUT;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    fflush(stdout);
    oscar_arena_free(&arena);
    if (exit_code != OSCAR_EXIT_OK) {
        return exit_code;
    }
    return failed ? OSCAR_EXIT_FAIL : OSCAR_EXIT_OK;
}
