/* report.c — what every run writes under its output folder: results.json (schema in
 * reports/results.schema.json), junit.xml (one testcase per test x pairing), summary.txt with the
 * client x server matrix. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run_internal.h"

static const char *const status_names[] = {
    [OSCAR_STATUS_PASS] = "PASS",   [OSCAR_STATUS_FAIL] = "FAIL", [OSCAR_STATUS_XFAIL] = "XFAIL",
    [OSCAR_STATUS_XPASS] = "XPASS", [OSCAR_STATUS_SKIP] = "SKIP", [OSCAR_STATUS_UNIMPL] = "UNIMPL",
    [OSCAR_STATUS_ERROR] = "ERROR",
};

const char *oscar_status_str(enum oscar_status s)
{
    return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

static void xml_escape(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') {
                fputc('?', f);
            } else {
                fputc(*s, f);
            }
        }
    }
}

static enum oscar_err write_json(const char *path, const struct oscar_result *r, size_t n,
                                 const struct run_config *rc, const char *suite)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "oscar-results/1");
    cJSON_AddStringToObject(root, "suite", suite);
    cJSON_AddNumberToObject(root, "seed", (double)rc->seed);
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON_AddStringToObject(root, "finished", when);
    cJSON *counts = cJSON_AddObjectToObject(root, "counts");
    size_t c[OSCAR_STATUS_ERROR + 1] = {0};
    cJSON *list = cJSON_AddArrayToObject(root, "results");
    for (size_t i = 0; i < n; i++) {
        c[r[i].status]++;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "test", r[i].test);
        cJSON_AddStringToObject(o, "client", r[i].client);
        cJSON_AddStringToObject(o, "server", r[i].server);
        cJSON_AddStringToObject(o, "status", oscar_status_str(r[i].status));
        cJSON_AddStringToObject(o, "expected", r[i].expected_fail ? "FAIL" : "PASS");
        cJSON_AddNumberToObject(o, "seconds", r[i].seconds);
        if (r[i].step != NULL) {
            cJSON_AddStringToObject(o, "step", r[i].step);
        }
        if (r[i].rfc != NULL) {
            cJSON_AddStringToObject(o, "rfc", r[i].rfc);
        }
        if (r[i].reason[0] != '\0') {
            cJSON_AddStringToObject(o, "reason", r[i].reason);
        }
        cJSON_AddStringToObject(o, "artifacts", r[i].dir);
        cJSON_AddStringToObject(o, "repro", r[i].repro);
        cJSON_AddItemToArray(list, o);
    }
    for (int s = 0; s <= OSCAR_STATUS_ERROR; s++) {
        cJSON_AddNumberToObject(counts, oscar_status_str((enum oscar_status)s), (double)c[s]);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *f = fopen(path, "w");
    bool ok = f != NULL && text != NULL && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    cJSON_free(text);
    return ok ? OSCAR_OK : OSCAR_ERR_IO;
}

static enum oscar_err write_junit(const char *path, const struct oscar_result *r, size_t n,
                                  const char *suite)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return OSCAR_ERR_IO;
    }
    size_t failures = 0;
    size_t errors = 0;
    size_t skipped = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        failures += r[i].status == OSCAR_STATUS_FAIL || r[i].status == OSCAR_STATUS_XPASS;
        errors += r[i].status == OSCAR_STATUS_ERROR;
        skipped += r[i].status == OSCAR_STATUS_SKIP || r[i].status == OSCAR_STATUS_UNIMPL ||
                   r[i].status == OSCAR_STATUS_XFAIL;
        total += r[i].seconds;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites>\n<testsuite name=\"");
    xml_escape(f, suite);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
            n, failures, errors, skipped, total);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  <testcase classname=\"");
        xml_escape(f, r[i].client);
        fputs("x", f);
        xml_escape(f, r[i].server);
        fprintf(f, "\" name=\"");
        xml_escape(f, r[i].test);
        fprintf(f, "\" time=\"%.3f\">\n", r[i].seconds);
        switch (r[i].status) {
        case OSCAR_STATUS_PASS:
            break;
        case OSCAR_STATUS_FAIL:
        case OSCAR_STATUS_XPASS:
            fprintf(f, "    <failure message=\"");
            xml_escape(f, r[i].reason);
            fprintf(f, "\" type=\"%s\">", oscar_status_str(r[i].status));
            xml_escape(f, r[i].rfc != NULL ? r[i].rfc : "");
            fputs("\nrepro: ", f);
            xml_escape(f, r[i].repro);
            fprintf(f, "</failure>\n");
            break;
        case OSCAR_STATUS_ERROR:
            fprintf(f, "    <error message=\"");
            xml_escape(f, r[i].reason);
            fprintf(f, "\"/>\n");
            break;
        case OSCAR_STATUS_SKIP:
        case OSCAR_STATUS_UNIMPL:
        case OSCAR_STATUS_XFAIL:
            fprintf(f, "    <skipped message=\"%s: ", oscar_status_str(r[i].status));
            xml_escape(f, r[i].reason);
            fprintf(f, "\"/>\n");
            break;
        }
        fprintf(f, "    <system-out>artifacts: ");
        xml_escape(f, r[i].dir);
        fprintf(f, "</system-out>\n  </testcase>\n");
    }
    fprintf(f, "</testsuite>\n</testsuites>\n");
    return fclose(f) == 0 ? OSCAR_OK : OSCAR_ERR_IO;
}

static enum oscar_err write_summary(const char *path, const struct oscar_result *r, size_t n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return OSCAR_ERR_IO;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%-6s %-40s %s x %s%s%s\n", oscar_status_str(r[i].status), r[i].test,
                r[i].client, r[i].server, r[i].reason[0] ? ": " : "", r[i].reason);
    }
    /* client x server matrix: passed/total per pairing */
    fprintf(f, "\nmatrix (passed/run, client rows x server columns)\n");
    const char *clients[16];
    const char *servers[16];
    size_t nc = 0;
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < nc; k++) {
            seen = seen || strcmp(clients[k], r[i].client) == 0;
        }
        if (!seen && nc < 16) {
            clients[nc++] = r[i].client;
        }
        seen = false;
        for (size_t k = 0; k < ns; k++) {
            seen = seen || strcmp(servers[k], r[i].server) == 0;
        }
        if (!seen && ns < 16) {
            servers[ns++] = r[i].server;
        }
    }
    fprintf(f, "%-12s", "");
    for (size_t k = 0; k < ns; k++) {
        fprintf(f, " %-12s", servers[k]);
    }
    fputc('\n', f);
    for (size_t c = 0; c < nc; c++) {
        fprintf(f, "%-12s", clients[c]);
        for (size_t k = 0; k < ns; k++) {
            size_t pass = 0;
            size_t run = 0;
            for (size_t i = 0; i < n; i++) {
                if (strcmp(r[i].client, clients[c]) == 0 && strcmp(r[i].server, servers[k]) == 0) {
                    run++;
                    pass += r[i].status == OSCAR_STATUS_PASS || r[i].status == OSCAR_STATUS_XFAIL;
                }
            }
            char cell[32];
            snprintf(cell, sizeof(cell), "%zu/%zu", pass, run);
            fprintf(f, " %-12s", cell);
        }
        fputc('\n', f);
    }
    return fclose(f) == 0 ? OSCAR_OK : OSCAR_ERR_IO;
}

enum oscar_err oscar_report_write(const char *out_dir, const struct oscar_result *results,
                                  size_t num_results, const struct run_config *rc,
                                  const char *suite, struct oscar_diag *diag)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/results.json", out_dir);
    if (write_json(path, results, num_results, rc, suite) != OSCAR_OK) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "cannot write %s", path);
    }
    snprintf(path, sizeof(path), "%s/junit.xml", out_dir);
    if (write_junit(path, results, num_results, suite) != OSCAR_OK) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "cannot write %s", path);
    }
    snprintf(path, sizeof(path), "%s/summary.txt", out_dir);
    if (write_summary(path, results, num_results) != OSCAR_OK) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "cannot write %s", path);
    }
    return OSCAR_OK;
}
