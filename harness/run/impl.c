/* impl.c — implementation manifests (impl/NAME/impl.json), documented in impl/README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static const char *const IMPL_REQ[] = {"name", "client", "server", NULL};
static const char *const IMPL_OPT[] = {
    "description",       "as",          "gm",           "joiner",   "bug_flag",         "disabled",
    "expected_failures", "unavailable", "capabilities", "requires", "ready_timeout_ms", NULL};

static enum oscar_err load_argv(const char **argv, size_t *argc, const cJSON *list,
                                const struct oscar_json_loc *loc, const char *key,
                                struct oscar_arena *a)
{
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0 ||
        cJSON_GetArraySize(list) >= OSCAR_IMPL_ARGS_MAX) {
        return oscar_json_fail(loc, key, "expected a command line: a non-empty list of strings");
    }
    const cJSON *s;
    cJSON_ArrayForEach(s, list)
    {
        if (!cJSON_IsString(s)) {
            return oscar_json_fail(loc, key, "every argument must be a string");
        }
        argv[(*argc)++] = oscar_arena_strdup(a, s->valuestring);
    }
    return OSCAR_OK;
}

static enum oscar_err load_map(const char **keys, const char **values, size_t *n, size_t cap,
                               const cJSON *obj, const struct oscar_json_loc *loc, const char *key,
                               struct oscar_arena *a)
{
    if (obj == NULL) {
        return OSCAR_OK;
    }
    OSCAR_TRY(oscar_json_expect_object(obj, loc, key));
    for (const cJSON *e = obj->child; e != NULL; e = e->next) {
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0' || *n == cap) {
            return oscar_json_fail(loc, key,
                                   "entries are \"TEST_ID\": \"reason\" (a reason is "
                                   "required)");
        }
        keys[*n] = oscar_arena_strdup(a, e->string);
        values[*n] = oscar_arena_strdup(a, e->valuestring);
        (*n)++;
    }
    return OSCAR_OK;
}

enum oscar_err oscar_impl_load(struct oscar_impl *out, const char *root, const char *name,
                               struct oscar_arena *a, struct oscar_diag *diag)
{
    memset(out, 0, sizeof(*out));
    char dir[1024];
    char path[1100];
    snprintf(dir, sizeof(dir), "%s/impl/%s", root, name);
    snprintf(path, sizeof(path), "%s/impl.json", dir);
    cJSON *j = NULL;
    OSCAR_TRY(oscar_json_load_file(&j, path, diag));
    struct oscar_json_loc loc = {.file = oscar_arena_strdup(a, path), .diag = diag};
    enum oscar_err err = oscar_json_check_keys(j, &loc, IMPL_OPT, IMPL_REQ);
    if (err == OSCAR_OK) {
        err = oscar_json_get_string(&out->name, j, "name", a, &loc);
    }
    if (err == OSCAR_OK && strcmp(out->name, name) != 0) {
        err = oscar_json_fail(&loc, "name", "\"%s\" differs from the folder name %s", out->name,
                              name);
    }
    if (err == OSCAR_OK) {
        err = load_argv(out->client_argv, &out->client_argc,
                        cJSON_GetObjectItemCaseSensitive(j, "client"), &loc, "client", a);
    }
    if (err == OSCAR_OK) {
        err = load_argv(out->server_argv, &out->server_argc,
                        cJSON_GetObjectItemCaseSensitive(j, "server"), &loc, "server", a);
    }
    if (err == OSCAR_OK) {
        err = oscar_json_get_string(&out->bug_flag, j, "bug_flag", a, &loc);
    }
    if (err == OSCAR_OK) {
        err = oscar_json_get_string(&out->skip_reason, j, "unavailable", a, &loc);
    }
    if (err == OSCAR_OK) {
        err = load_map(out->disabled, out->disabled_reason, &out->num_disabled, 64,
                       cJSON_GetObjectItemCaseSensitive(j, "disabled"), &loc, "disabled", a);
    }
    if (err == OSCAR_OK) {
        err = load_map(out->xfail, out->xfail_reason, &out->num_xfail, 64,
                       cJSON_GetObjectItemCaseSensitive(j, "expected_failures"), &loc,
                       "expected_failures", a);
    }
    if (err == OSCAR_OK) {
        int64_t v;
        bool present;
        err = oscar_json_get_int(&v, &present, j, "ready_timeout_ms", 1, 600000, &loc);
        out->ready_timeout_ms = present ? (unsigned)v : 0;
    }
    out->dir = oscar_arena_strdup(a, dir);
    cJSON_Delete(j);
    return err;
}
