/* rejudge.c — `oscar check --rejudge DIR...`: judge a finished test again from its output folder
 * alone (capture.pcap, events.log, run.json, scenario/), with the same code `oscar run` used, so
 * the two always agree. Prints one line per folder and the closing summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../main/cli.h"
#include "run_internal.h"

#define MAX_EVENTS 1024

struct events {
    cJSON *client[MAX_EVENTS];
    size_t num_client;
    cJSON *server[MAX_EVENTS];
    size_t num_server;
};

static bool load_events(struct events *ev, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return false;
    }
    static char line[65536]; /* one event per line; peers write far less */
    while (fgets(line, sizeof(line), f) != NULL) {
        bool client = strncmp(line, "client ", 7) == 0;
        bool server = strncmp(line, "server ", 7) == 0;
        cJSON *e = client || server ? cJSON_Parse(line + 7) : NULL;
        if (e == NULL) {
            continue;
        }
        if (client && ev->num_client < MAX_EVENTS) {
            ev->client[ev->num_client++] = e;
        } else if (server && ev->num_server < MAX_EVENTS) {
            ev->server[ev->num_server++] = e;
        } else {
            cJSON_Delete(e);
        }
    }
    fclose(f);
    return true;
}

static void free_events(struct events *ev)
{
    for (size_t i = 0; i < ev->num_client; i++) {
        cJSON_Delete(ev->client[i]);
    }
    for (size_t i = 0; i < ev->num_server; i++) {
        cJSON_Delete(ev->server[i]);
    }
}

/* rejudge_one prints the verdict for dir; returns 0 PASS, 1 FAIL, 2 unusable folder. */
static int rejudge_one(const char *dir)
{
    struct oscar_arena a;
    oscar_arena_init(&a, 0);
    struct oscar_diag diag = {{0}};
    char path[4300];
    int rc = 2;
    cJSON *run = NULL;
    struct events *ev = calloc(1, sizeof(*ev));
    struct oscar_scenario *s = calloc(1, sizeof(*s));
    struct oscar_transcript tr;
    bool have_tr = false;
    snprintf(path, sizeof(path), "%s/run.json", dir);
    if (ev == NULL || s == NULL || oscar_json_load_file(&run, path, &diag) != OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, diag.msg[0] ? diag.msg : "out of memory");
        goto out;
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(run, "kind");
    if (cJSON_IsString(kind) && strcmp(kind->valuestring, "group") == 0) {
        rc = oscar_group_rejudge_one(dir); /* a multi-node Group OSCORE test (harness/group) */
        goto out;
    }
    if (cJSON_IsString(kind) && strcmp(kind->valuestring, "ace") == 0) {
        rc = oscar_ace_rejudge_one(dir); /* an ACE test (harness/ace) */
        goto out;
    }
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(run, "scenario");
    const cJSON *cep = cJSON_GetObjectItemCaseSensitive(run, "client_endpoint");
    const cJSON *bug = cJSON_GetObjectItemCaseSensitive(run, "bug");
    const cJSON *bug_node = cJSON_GetObjectItemCaseSensitive(run, "bug_node");
    struct oscar_endpoint client_ep;
    if (!cJSON_IsString(scen) || !cJSON_IsString(cep) ||
        oscar_endpoint_parse(&client_ep, cep->valuestring) != OSCAR_OK) {
        printf("ERROR  %s: run.json lacks scenario or client_endpoint\n", dir);
        goto out;
    }
    char sdir[2100];
    snprintf(sdir, sizeof(sdir), "%s/scenario", dir);
    snprintf(path, sizeof(path), "%s/%s", sdir, scen->valuestring);
    if (oscar_scenario_load(s, path, sdir, &a, &diag) != OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, diag.msg);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/events.log", dir);
    if (!load_events(ev, path)) {
        printf("ERROR  %s: cannot read events.log\n", dir);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/capture.pcap", dir);
    if (oscar_transcript_decode(&tr, path, s->contexts, s->num_contexts, NULL, 0, &diag) !=
        OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, diag.msg);
        goto out;
    }
    have_tr = true;
    struct judge_input in = {
        .s = s,
        .tr = &tr,
        .client_events = (const cJSON *const *)ev->client,
        .num_client_events = ev->num_client,
        .server_events = (const cJSON *const *)ev->server,
        .num_server_events = ev->num_server,
        .client_ep = client_ep,
    };
    struct judge_verdict jv = {0};
    oscar_judge(&jv, &in);
    const struct oscar_variant *var = NULL;
    for (size_t i = 0; cJSON_IsString(bug) && cJSON_IsString(bug_node) && i < s->num_variants;
         i++) {
        if (strcmp(s->variants[i].bug, bug->valuestring) == 0 &&
            strcmp(s->variants[i].node, bug_node->valuestring) == 0) {
            var = &s->variants[i];
        }
    }
    if (var != NULL) {
        bool caught = jv.failed && strcmp(jv.step, var->fails_at) == 0;
        printf("%-6s %s: negative control %s@%s %s%s\n", caught ? "PASS" : "FAIL", dir, var->bug,
               var->node, caught ? "caught: " : "not caught at step ",
               caught ? jv.reason : var->fails_at);
        rc = caught ? 0 : 1;
    } else {
        printf("%-6s %s%s%s\n", jv.failed ? "FAIL" : "PASS", dir, jv.failed ? ": " : "",
               jv.failed ? jv.reason : "");
        rc = jv.failed ? 1 : 0;
    }
out:
    if (have_tr) {
        oscar_transcript_free(&tr);
    }
    if (ev != NULL) {
        free_events(ev);
    }
    free(ev);
    free(s);
    cJSON_Delete(run);
    oscar_arena_free(&a);
    return rc;
}

int oscar_rejudge(int num_dirs, char **dirs)
{
    size_t passed = 0;
    size_t failed = 0;
    size_t unusable = 0;
    for (int i = 0; i < num_dirs; i++) {
        int rc = rejudge_one(dirs[i]);
        passed += rc == 0;
        failed += rc == 1;
        unusable += rc == 2;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    if (unusable != 0) {
        return OSCAR_EXIT_INPUT;
    }
    return failed != 0 ? OSCAR_EXIT_FAIL : OSCAR_EXIT_OK;
}
