#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

_Static_assert(sizeof(jsmntok_t) == sizeof(struct json_tok), "jsmn's token layout");
_Static_assert((int)JSMN_OBJECT == (int)JSON_OBJECT && (int)JSMN_ARRAY == (int)JSON_ARRAY &&
               (int)JSMN_STRING == (int)JSON_STRING && (int)JSMN_PRIMITIVE == (int)JSON_PRIMITIVE,
               "token types");

int json_parse(struct json *j, const char *text, size_t len, const char *what)
{
    memset(j, 0, sizeof *j);
    if (len > JSON_MAX_BYTES)
        return err_setx(E2BIG, "%s: larger than %u bytes", what, JSON_MAX_BYTES);
    jsmn_parser p;
    jsmn_init(&p);
    int n = jsmn_parse(&p, text, len, NULL, 0);
    if (n > 0) {
        j->tok = calloc((size_t)n, sizeof *j->tok);
        if (!j->tok)
            return err_set(ENOMEM, "%s", what);
        jsmn_init(&p);
        n = jsmn_parse(&p, text, len, (jsmntok_t *)j->tok, (unsigned)n);
    }
    if (n < 0 || n == 0) {
        json_free(j);
        if (n == JSMN_ERROR_PART || n == 0)
            return err_setx(EINVAL, "%s: not valid JSON (it ends early)", what);
        return err_setx(EINVAL, "%s: not valid JSON (near byte %u)", what, p.pos);
    }
    j->text = text;
    j->len = len;
    j->n = n;
    if ((j->tok[0].type != JSON_OBJECT && j->tok[0].type != JSON_ARRAY) || json_skip(j, 0) != n) {
        json_free(j);
        return err_setx(EINVAL, "%s: not valid JSON (one object expected)", what);
    }
    /* jsmn leaves a primitive's characters loosely checked: only true, false, null, numbers. */
    for (int i = 0; i < n; i++) {
        if (j->tok[i].type != JSON_PRIMITIVE)
            continue;
        const char *s = text + j->tok[i].start;
        size_t l = (size_t)(j->tok[i].end - j->tok[i].start);
        bool word = (l == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "null", 4))) ||
                    (l == 5 && !memcmp(s, "false", 5));
        bool number = l > 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
        for (size_t k = 0; number && k < l; k++)
            number = strchr("0123456789+-.eE", s[k]) != NULL;
        if (!word && !number) {
            int at = j->tok[i].start;
            json_free(j);
            return err_setx(EINVAL, "%s: not valid JSON (near byte %d)", what, at);
        }
    }
    return 0;
}

void json_free(struct json *j)
{
    free(j->tok);
    j->tok = NULL;
    j->n = 0;
}

enum json_type json_type(const struct json *j, int i)
{
    return i >= 0 && i < j->n ? (enum json_type)j->tok[i].type : JSON_NONE;
}

int json_skip(const struct json *j, int i)
{
    if (i < 0 || i >= j->n)
        return j->n;
    if (j->tok[i].type == JSON_STRING && j->tok[i].size > 0)
        return json_skip(j, i + 1); /* an object's key: the value after it too */
    /* Tokens come in document order: the value ends where the first token past its end is. */
    int end = j->tok[i].end, k = i + 1;
    while (k < j->n && j->tok[k].start < end)
        k++;
    return k;
}

int json_first(const struct json *j, int i)
{
    (void)j;
    return i + 1;
}

int json_count(const struct json *j, int i)
{
    enum json_type t = json_type(j, i);
    return t == JSON_OBJECT || t == JSON_ARRAY ? j->tok[i].size : 0;
}

bool json_eq(const struct json *j, int i, const char *s)
{
    if (json_type(j, i) != JSON_STRING)
        return false;
    const char *t = j->text + j->tok[i].start;
    size_t l = (size_t)(j->tok[i].end - j->tok[i].start);
    if (!memchr(t, '\\', l))
        return strlen(s) == l && memcmp(s, t, l) == 0;
    char *u;
    if (json_string(j, i, &u) < 0)
        return false;
    bool eq = strcmp(u, s) == 0;
    free(u);
    return eq;
}

int json_get(const struct json *j, int obj, const char *key)
{
    if (json_type(j, obj) != JSON_OBJECT)
        return -1;
    for (int k = json_first(j, obj), c = 0; c < json_count(j, obj); c++, k = json_skip(j, k))
        if (json_eq(j, k, key))
            return json_value(k) < j->n ? json_value(k) : -1;
    return -1;
}

bool json_null(const struct json *j, int i)
{
    return json_type(j, i) == JSON_PRIMITIVE && j->tok[i].end - j->tok[i].start == 4 &&
           memcmp(j->text + j->tok[i].start, "null", 4) == 0;
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d > 15)
            return -EINVAL;
        *v = *v << 4 | d;
    }
    return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

int json_string(const struct json *j, int i, char **out)
{
    *out = NULL;
    if (json_type(j, i) != JSON_STRING)
        return -EINVAL;
    const char *s = j->text + j->tok[i].start, *end = j->text + j->tok[i].end;
    /* An escape never grows: \uXXXX (6 bytes) gives at most 3, a pair (12) gives 4. */
    char *buf = malloc((size_t)(end - s) + 1), *o = buf;
    if (!buf)
        return -ENOMEM;
    while (s < end) {
        char c = *s++;
        if (c == '\0')
            goto bad;
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        if (s >= end)
            goto bad;
        c = *s++;
        const char *simple = strchr("\"\\/bfnrt", c);
        if (simple && c) {
            *o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned cp, lo;
        if (c != 'u' || end - s < 4 || hex4(s, &cp) < 0)
            goto bad;
        s += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, &lo) < 0 ||
                lo < 0xDC00 || lo > 0xDFFF)
                goto bad;
            s += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            goto bad;
        }
        if (cp == 0)
            goto bad;
        o = put_utf8(o, cp);
    }
    *o = '\0';
    *out = buf;
    return 0;
bad:
    free(buf);
    return -EINVAL;
}

int json_u64(const struct json *j, int i, uint64_t *v)
{
    if (json_type(j, i) != JSON_PRIMITIVE)
        return -EINVAL;
    const char *s = j->text + j->tok[i].start, *end = j->text + j->tok[i].end;
    if (s == end || *s < '0' || *s > '9' || (*s == '0' && end - s > 1))
        return -EINVAL;
    uint64_t x = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -ERANGE;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

int json_i64(const struct json *j, int i, int64_t *v)
{
    if (json_type(j, i) != JSON_PRIMITIVE)
        return -EINVAL;
    bool neg = j->text[j->tok[i].start] == '-';
    struct json sub = *j;
    struct json_tok t = j->tok[i];
    t.start += neg;
    sub.tok = &t;
    sub.n = 1;
    uint64_t u;
    int r = json_u64(&sub, 0, &u);
    if (r < 0)
        return r;
    if (u > (uint64_t)INT64_MAX + neg)
        return -ERANGE;
    *v = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

int json_bool(const struct json *j, int i, bool *v)
{
    if (json_type(j, i) != JSON_PRIMITIVE)
        return -EINVAL;
    const char *s = j->text + j->tok[i].start;
    int l = j->tok[i].end - j->tok[i].start;
    if (l == 4 && memcmp(s, "true", 4) == 0)
        *v = true;
    else if (l == 5 && memcmp(s, "false", 5) == 0)
        *v = false;
    else
        return -EINVAL;
    return 0;
}

const char *json_raw(const struct json *j, int i, size_t *len)
{
    if (i < 0 || i >= j->n) {
        *len = 0;
        return "";
    }
    /* A string token's span leaves out its quotes. */
    int q = j->tok[i].type == JSON_STRING;
    *len = (size_t)(j->tok[i].end - j->tok[i].start + 2 * q);
    return j->text + j->tok[i].start - q;
}

void json_put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}
