/* hcore.c — diagnostics, arena, hex and strict JSON for the harness (see hcore.h). */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "hcore.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum oscar_err oscar_diag_set(struct oscar_diag *d, enum oscar_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    return err;
}

struct oscar_arena_block {
    struct oscar_arena_block *next;
    size_t size;
    size_t used;
    _Alignas(max_align_t) unsigned char data[];
};

#define ARENA_BLOCK_MIN (64u << 10)
#define ARENA_BLOCK_MAX (64u << 20)
#define HUGE_PAGE ((size_t)2 << 20)

void oscar_advise_huge(void *p, size_t bytes)
{
    uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t end = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (end > start) {
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
}

void oscar_arena_init(struct oscar_arena *a, size_t cap_total)
{
    a->head = NULL;
    a->used_total = 0;
    a->cap_total = cap_total != 0 ? cap_total : OSCAR_ARENA_DEFAULT_CAP;
}

void *oscar_arena_alloc(struct oscar_arena *a, size_t size)
{
    size_t align = _Alignof(max_align_t);
    size_t need = (size + align - 1) / align * align;
    if (need < size || need > a->cap_total - a->used_total) {
        return NULL;
    }
    struct oscar_arena_block *b = a->head;
    if (b == NULL || b->size - b->used < need) {
        /* blocks grow with the arena (a quarter of what it holds, within bounds): few blocks
         * for a transcript of a million datagrams, and those in huge pages */
        size_t bsize = a->used_total / 4;
        bsize = bsize < ARENA_BLOCK_MIN ? ARENA_BLOCK_MIN : bsize;
        bsize = bsize > ARENA_BLOCK_MAX ? ARENA_BLOCK_MAX : bsize;
        bsize = need > bsize ? need : bsize;
        b = malloc(sizeof(*b) + bsize);
        if (b == NULL) {
            return NULL;
        }
        oscar_advise_huge(b, sizeof(*b) + bsize);
        b->next = a->head;
        b->size = bsize;
        b->used = 0;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->used_total += need;
    memset(p, 0, size);
    return p;
}

char *oscar_arena_strdup(struct oscar_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = oscar_arena_alloc(a, n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

void oscar_arena_free(struct oscar_arena *a)
{
    struct oscar_arena_block *b = a->head;
    while (b != NULL) {
        struct oscar_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

enum oscar_err oscar_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex,
                                size_t hex_len)
{
    if (hex_len % 2 != 0) {
        return OSCAR_ERR_PARSE;
    }
    if (hex_len / 2 > out_cap) {
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < hex_len; i += 2) {
        int hi = oscar_hex_digit(hex[i]);
        int lo = oscar_hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return OSCAR_ERR_PARSE;
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = hex_len / 2;
    return OSCAR_OK;
}

void oscar_hex_encode(char *out, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    out[2 * len] = '\0';
}

void oscar_json_loc_push(struct oscar_json_loc *child, const struct oscar_json_loc *parent,
                         const char *key, size_t index)
{
    *child = *parent;
    size_t n = strlen(child->path);
    if (key != NULL) {
        snprintf(child->path + n, sizeof(child->path) - n, ".%s", key);
    } else {
        snprintf(child->path + n, sizeof(child->path) - n, "[%zu]", index);
    }
}

enum oscar_err oscar_json_fail(const struct oscar_json_loc *loc, const char *key, const char *fmt,
                               ...)
{
    char what[OSCAR_DIAG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    char where[OSCAR_JSON_PATH_MAX + 64];
    /* Paths are rooted: "$", "$.vectors[6].kind". */
    snprintf(where, sizeof(where), "$%s%s%s", loc->path, key ? "." : "", key ? key : "");
    if (loc->record != NULL) {
        return oscar_diag_set(loc->diag, OSCAR_ERR_PARSE, "%s: vector %s: %s: %s", loc->file,
                              loc->record, where, what);
    }
    return oscar_diag_set(loc->diag, OSCAR_ERR_PARSE, "%s: %s: %s", loc->file, where, what);
}

/* check_duplicates walks the tree and fails on an object with a repeated key. An array element
 * that is an object with a string "id" names the record in messages (e.g. a vector id). */
static enum oscar_err check_duplicates(const cJSON *item, const struct oscar_json_loc *loc)
{
    if (cJSON_IsObject(item)) {
        for (const cJSON *a = item->child; a != NULL; a = a->next) {
            for (const cJSON *b = a->next; b != NULL; b = b->next) {
                if (strcmp(a->string, b->string) == 0) {
                    return oscar_json_fail(loc, a->string, "duplicate key");
                }
            }
            struct oscar_json_loc child;
            oscar_json_loc_push(&child, loc, a->string, 0);
            OSCAR_TRY(check_duplicates(a, &child));
        }
    } else if (cJSON_IsArray(item)) {
        size_t i = 0;
        for (const cJSON *a = item->child; a != NULL; a = a->next, i++) {
            struct oscar_json_loc child;
            oscar_json_loc_push(&child, loc, NULL, i);
            const cJSON *id = cJSON_IsObject(a) ? cJSON_GetObjectItemCaseSensitive(a, "id") : NULL;
            if (cJSON_IsString(id)) {
                child.record = id->valuestring;
            }
            OSCAR_TRY(check_duplicates(a, &child));
        }
    }
    return OSCAR_OK;
}

enum oscar_err oscar_json_parse_text(cJSON **out_root, const char *text, size_t len,
                                     const char *name, struct oscar_diag *diag)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (root != NULL) {
        /* Only white space may follow the value (cJSON's own check needs a NUL in range). */
        size_t rest = (size_t)(end - text);
        while (rest < len && (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\n' ||
                              text[rest] == '\r')) {
            rest++;
        }
        if (rest != len) {
            cJSON_Delete(root);
            root = NULL;
            end = text + rest;
        }
    }
    if (root == NULL) {
        size_t off = end != NULL && end >= text ? (size_t)(end - text) : 0;
        if (off > len) {
            off = len;
        }
        size_t line = 1;
        size_t col = 1;
        for (size_t i = 0; i < off; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return oscar_diag_set(diag, OSCAR_ERR_PARSE, "%s:%zu:%zu: invalid JSON near byte %zu", name,
                              line, col, off);
    }
    struct oscar_json_loc loc = {.file = name, .diag = diag};
    enum oscar_err err = check_duplicates(root, &loc);
    if (err != OSCAR_OK) {
        cJSON_Delete(root);
        return err;
    }
    *out_root = root;
    return OSCAR_OK;
}

enum oscar_err oscar_json_load_file(cJSON **out_root, const char *path, struct oscar_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    enum oscar_err err = OSCAR_OK;
    for (;;) {
        if (len == cap) {
            if (cap >= OSCAR_JSON_FILE_MAX) {
                err = oscar_diag_set(diag, OSCAR_ERR_PARSE, "%s: larger than %u bytes", path,
                                     OSCAR_JSON_FILE_MAX);
                break;
            }
            size_t ncap = cap ? cap * 2 : 64 * 1024;
            char *nbuf = realloc(buf, ncap);
            if (nbuf == NULL) {
                err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                err = oscar_diag_set(diag, OSCAR_ERR_IO, "%s: read error", path);
            }
            break;
        }
    }
    fclose(f);
    if (err == OSCAR_OK) {
        err = oscar_json_parse_text(out_root, buf, len, path, diag);
    }
    free(buf);
    return err;
}

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
        if (strcmp(s, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

enum oscar_err oscar_json_expect_object(const cJSON *item, const struct oscar_json_loc *loc,
                                        const char *key)
{
    if (!cJSON_IsObject(item)) {
        return oscar_json_fail(loc, key, "expected an object");
    }
    return OSCAR_OK;
}

enum oscar_err oscar_json_check_keys(const cJSON *obj, const struct oscar_json_loc *loc,
                                     const char *const *allowed, const char *const *required)
{
    OSCAR_TRY(oscar_json_expect_object(obj, loc, NULL));
    for (const cJSON *c = obj->child; c != NULL; c = c->next) {
        if (!in_list(c->string, allowed) && !in_list(c->string, required)) {
            return oscar_json_fail(loc, c->string, "unknown key");
        }
    }
    for (size_t i = 0; required != NULL && required[i] != NULL; i++) {
        if (cJSON_GetObjectItemCaseSensitive(obj, required[i]) == NULL) {
            return oscar_json_fail(loc, required[i], "missing required key");
        }
    }
    return OSCAR_OK;
}

enum oscar_err oscar_json_get_bytes(struct oscar_bytes_field *out, const cJSON *obj,
                                    const char *key, bool nullable, struct oscar_arena *arena,
                                    const struct oscar_json_loc *loc)
{
    memset(out, 0, sizeof(*out));
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL) {
        return OSCAR_OK;
    }
    out->present = true;
    if (cJSON_IsNull(item)) {
        if (!nullable) {
            return oscar_json_fail(loc, key, "null is not allowed here");
        }
        out->null = true;
        return OSCAR_OK;
    }
    if (!cJSON_IsString(item)) {
        return oscar_json_fail(loc, key, "expected a hex string%s", nullable ? " or null" : "");
    }
    size_t hex_len = strlen(item->valuestring);
    if (hex_len % 2 != 0) {
        return oscar_json_fail(loc, key, "odd-length hex (%zu digits)", hex_len);
    }
    out->data = oscar_arena_alloc(arena, hex_len / 2 + 1);
    if (out->data == NULL) {
        return oscar_diag_set(loc->diag, OSCAR_ERR_NOMEM, "%s: out of memory", loc->file);
    }
    if (oscar_hex_decode(out->data, hex_len / 2, &out->len, item->valuestring, hex_len) !=
        OSCAR_OK) {
        return oscar_json_fail(loc, key, "not a hex string");
    }
    return OSCAR_OK;
}

/* JSON numbers are doubles in cJSON: integers beyond 2^53 are not exact (STYLE.md). */
#define EXACT_INT_MAX 9007199254740992.0

enum oscar_err oscar_json_get_int(int64_t *out, bool *out_present, const cJSON *obj,
                                  const char *key, int64_t min, int64_t max,
                                  const struct oscar_json_loc *loc)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out_present = item != NULL;
    if (item == NULL) {
        return OSCAR_OK;
    }
    if (!cJSON_IsNumber(item)) {
        return oscar_json_fail(loc, key, "expected an integer");
    }
    double v = item->valuedouble;
    if (v != floor(v) || fabs(v) > EXACT_INT_MAX) {
        return oscar_json_fail(loc, key, "not an exact integer");
    }
    if (v < (double)min || v > (double)max) {
        return oscar_json_fail(loc, key, "out of range [%lld, %lld]", (long long)min,
                               (long long)max);
    }
    *out = (int64_t)v;
    return OSCAR_OK;
}

enum oscar_err oscar_json_get_string(const char **out, const cJSON *obj, const char *key,
                                     struct oscar_arena *arena, const struct oscar_json_loc *loc)
{
    *out = NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL) {
        return OSCAR_OK;
    }
    if (!cJSON_IsString(item)) {
        return oscar_json_fail(loc, key, "expected a string");
    }
    *out = oscar_arena_strdup(arena, item->valuestring);
    if (*out == NULL) {
        return oscar_diag_set(loc->diag, OSCAR_ERR_NOMEM, "%s: out of memory", loc->file);
    }
    return OSCAR_OK;
}

bool oscar_json_write_file(const char *path, cJSON *root)
{
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *f = fopen(path, "w");
    bool ok = f != NULL && text != NULL && fputs(text, f) >= 0;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    cJSON_free(text);
    return ok;
}

bool oscar_copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    FILE *out = in != NULL ? fopen(dst, "wb") : NULL;
    bool ok = in != NULL && out != NULL;
    char buf[8192];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
        ok = fwrite(buf, 1, n, out) == n;
    }
    if (in != NULL) {
        fclose(in);
    }
    if (out != NULL) {
        ok = fclose(out) == 0 && ok;
    }
    return ok;
}
