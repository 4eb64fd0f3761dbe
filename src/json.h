/* json: a parsed JSON document (tokens from jsmn, Debian's libjsmn-dev, strict mode) and exact
 * readers for it: strings unescaped (no NUL inside), integers to the full uint64 and int64 range
 * with overflow refused, booleans. A writer side for the small documents hutch prints. Pure. */
#ifndef HUTCH_JSON_H
#define HUTCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum json_type { JSON_NONE, JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_PRIMITIVE };

struct json_tok {
    int type, start, end, size, parent;
};

struct json {
    const char *text;
    size_t len;
    struct json_tok *tok;
    int n;
};

/* The documents hutch reads are small: a config.json of more than this is refused. */
#define JSON_MAX_BYTES (4u << 20)

/* Parse TEXT (LEN bytes): exactly one value, an object or an array. 0, or -EINVAL / -ENOMEM /
 * -E2BIG with a message recorded that names WHAT and the byte offset of the fault. */
int json_parse(struct json *j, const char *text, size_t len, const char *what);
void json_free(struct json *j);

/* Token I's type (JSON_NONE for I out of range). */
enum json_type json_type(const struct json *j, int i);
/* The token after the whole value at I (its next sibling). */
int json_skip(const struct json *j, int i);
/* In the object at OBJ, the value of KEY; -1 when absent (or OBJ is no object). */
int json_get(const struct json *j, int obj, const char *key);
/* Iterate over an array's elements or an object's keys:
 *   for (int k = json_first(j, a), c = 0; c < json_count(j, a); c++, k = json_skip(j, k)) */
int json_first(const struct json *j, int i);
int json_count(const struct json *j, int i);
/* The value of the key at K (K as iterated over an object). */
static inline int json_value(int k)
{
    return k + 1;
}

/* Whether the primitive at I is null. */
bool json_null(const struct json *j, int i);
/* The string at I, unescaped, malloc'd into *OUT. -EINVAL when not a string or it holds \u0000;
 * -ENOMEM. No message: the caller names the field. */
int json_string(const struct json *j, int i, char **out);
/* Whether the string at I is exactly S (escapes undone). */
bool json_eq(const struct json *j, int i, const char *s);
/* Exact integers: -EINVAL when not an integer literal, -ERANGE past the type. */
int json_u64(const struct json *j, int i, uint64_t *v);
int json_i64(const struct json *j, int i, int64_t *v);
int json_bool(const struct json *j, int i, bool *v);
/* The raw text of the value at I (for annotations passed along as they came). */
const char *json_raw(const struct json *j, int i, size_t *len);

/* Writer: S as a JSON string literal, quotes included. */
void json_put_string(FILE *f, const char *s);

#endif
