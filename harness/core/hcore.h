/* hcore.h — the harness core: diagnostics, a run arena, hex, and strict JSON loading on cJSON.
 *
 * Strictness is ours to add (STYLE.md): cJSON's lookups ignore case, accept duplicate keys and
 * read every number as a double, so loaders here check keys case-sensitively, reject duplicates
 * and unknown keys, demand integers to be exact, and name the file and JSON path of a problem. */
#ifndef OSCAR_HCORE_H
#define OSCAR_HCORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "oscar/core.h"

#define OSCAR_DIAG_MAX 1024
#define OSCAR_JSON_FILE_MAX (64u << 20) /* largest JSON file we read: 64 MiB */
#define OSCAR_JSON_PATH_MAX 256

/* struct oscar_diag carries one human-readable error: where and why. */
struct oscar_diag {
    char msg[OSCAR_DIAG_MAX];
};

/* oscar_diag_set formats msg into d (truncating) and returns err, for `return oscar_diag_set(...)`.
 */
enum oscar_err oscar_diag_set(struct oscar_diag *d, enum oscar_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* struct oscar_arena hands out memory freed all at once (STYLE.md rule 18). */
struct oscar_arena_block;
struct oscar_arena {
    struct oscar_arena_block *head;
    size_t used_total;
    size_t cap_total; /* allocation cap; 0 = OSCAR_ARENA_DEFAULT_CAP */
};
#define OSCAR_ARENA_DEFAULT_CAP (256u << 20)

void oscar_arena_init(struct oscar_arena *a, size_t cap_total);
/* oscar_arena_alloc returns size zeroed bytes aligned for any type, or NULL past the cap. */
void *oscar_arena_alloc(struct oscar_arena *a, size_t size);
char *oscar_arena_strdup(struct oscar_arena *a, const char *s);
void oscar_arena_free(struct oscar_arena *a);

/* oscar_advise_huge asks for transparent huge pages on the whole 2 MiB pages inside [p, p +
 * bytes): for large tables and arrays probed or filled at random, fewer page faults and TLB
 * misses. Only a hint. */
void oscar_advise_huge(void *p, size_t bytes);

/* oscar_hex_decode decodes lower- or upper-case hex of even length into out. */
enum oscar_err oscar_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex,
                                size_t hex_len);
/* oscar_hex_encode writes lower-case hex of data (2*len+1 bytes incl. NUL) into out. */
void oscar_hex_encode(char *out, const uint8_t *data, size_t len);

/* struct oscar_bytes_field is a byte-string field read from a data file. */
struct oscar_bytes_field {
    bool present; /* the key exists */
    bool null;    /* its value is JSON null */
    uint8_t *data;
    size_t len;
};

/* struct oscar_json_loc says where a loader is: file, current record id and JSON path. */
struct oscar_json_loc {
    const char *file;
    const char *record; /* e.g. a vector id; may be NULL */
    char path[OSCAR_JSON_PATH_MAX];
    struct oscar_diag *diag;
};

/* oscar_json_fail formats "file: record: path: msg" into loc->diag; returns OSCAR_ERR_PARSE. */
enum oscar_err oscar_json_fail(const struct oscar_json_loc *loc, const char *key, const char *fmt,
                               ...) __attribute__((format(printf, 3, 4)));

/* oscar_copy_file copies the file src to dst (small files: scenarios kept as evidence). */
bool oscar_copy_file(const char *src, const char *dst);

/* oscar_json_write_file writes root (deleted, whatever happens) to path, indented; false on any
 * I/O error. */
bool oscar_json_write_file(const char *path, cJSON *root);

/* oscar_json_load_file reads and parses path, then rejects duplicate keys anywhere in the tree.
 * *out_root is [new]: the caller deletes it with cJSON_Delete in the same function. */
enum oscar_err oscar_json_load_file(cJSON **out_root, const char *path, struct oscar_diag *diag);

/* oscar_json_parse_text parses len bytes of JSON text named name (for error messages). */
enum oscar_err oscar_json_parse_text(cJSON **out_root, const char *text, size_t len,
                                     const char *name, struct oscar_diag *diag);

/* oscar_json_check_keys fails on a key of obj not in allowed, or a key of required missing.
 * Both lists end with NULL. obj must be an object. */
enum oscar_err oscar_json_check_keys(const cJSON *obj, const struct oscar_json_loc *loc,
                                     const char *const *allowed, const char *const *required);

/* oscar_json_expect_object fails unless item is a JSON object. */
enum oscar_err oscar_json_expect_object(const cJSON *item, const struct oscar_json_loc *loc,
                                        const char *key);

/* oscar_json_get_bytes reads obj[key] as hex (or null if nullable) into arena memory. A missing
 * key leaves out->present false. */
enum oscar_err oscar_json_get_bytes(struct oscar_bytes_field *out, const cJSON *obj,
                                    const char *key, bool nullable, struct oscar_arena *arena,
                                    const struct oscar_json_loc *loc);

/* oscar_json_get_int reads obj[key] as an exact integer in [min, max]; *out_present false if
 * missing. */
enum oscar_err oscar_json_get_int(int64_t *out, bool *out_present, const cJSON *obj,
                                  const char *key, int64_t min, int64_t max,
                                  const struct oscar_json_loc *loc);

/* oscar_json_get_string reads obj[key] as a string copied into the arena (NULL if missing). */
enum oscar_err oscar_json_get_string(const char **out, const cJSON *obj, const char *key,
                                     struct oscar_arena *arena, const struct oscar_json_loc *loc);

/* oscar_json_loc_push appends ".key" or "[index]" (key NULL) to a copy of parent. */
void oscar_json_loc_push(struct oscar_json_loc *child, const struct oscar_json_loc *parent,
                         const char *key, size_t index);

#endif
