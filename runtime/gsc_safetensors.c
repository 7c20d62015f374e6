/*
 * gsc_safetensors.c - read, validate and write .safetensors weight files.
 *
 * Does: parse a safetensors file from memory or disk with full validation
 * (the input is untrusted: no input makes it crash or read out of bounds),
 * load it into a model's flat parameter array by name against the model's
 * tensor table, and write a parameter array back out atomically. The
 * general forms the checkpoints of gsc_train.c use (declared in
 * gsc_train.h): F32 tensors from anywhere in memory with __metadata__
 * string pairs, written atomically, loaded all-or-nothing, and the
 * __metadata__ pairs returned to the caller (gsc_st_open_meta).
 * Does not: convert dtypes (only F32 loads into a model), or map files
 * (it reads them whole with stdio, so it needs nothing beyond C99).
 *
 * The JSON parser is not a general one: it accepts exactly the safetensors
 * schema, strictly (see gsc_runtime.h), so it needs no recursion and no
 * intermediate tree.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gsc_runtime.h"
#include "gsc_train.h"

/* ---------------------------------------------------------------- errors */

/* Formats the message into err (if there is room for one) and returns -1,
 * so error paths read `return fail(err, errlen, "...")`. Public (in
 * gsc_train.h) so that gsc_train.c reports errors the same way. */
int gsc_st_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

#define fail gsc_st_fail

/* ---------------------------------------------------------------- dtypes */

static const struct {
    const char *name;
    int size;
} dtypes[] = {
    {"BOOL", 1}, {"U8", 1},      {"I8", 1},      {"F8_E5M2", 1},
    {"F8_E4M3", 1}, {"I16", 2},  {"U16", 2},     {"F16", 2},
    {"BF16", 2}, {"I32", 4},     {"U32", 4},     {"F32", 4},
    {"I64", 8},  {"U64", 8},     {"F64", 8},
};

/* Bytes per element, or 0 for a dtype this reader does not know. */
static int dtype_size(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(dtypes[i].name, name) == 0)
            return dtypes[i].size;
    return 0;
}

/* ------------------------------------------------------------ byte order */

/* The file is little-endian; a big-endian host swaps each element. */
static int host_is_le(void)
{
    const uint32_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void swap4(unsigned char *p, size_t nelem)
{
    size_t i;
    for (i = 0; i < nelem; i++, p += 4) {
        unsigned char t = p[0];
        p[0] = p[3];
        p[3] = t;
        t = p[1];
        p[1] = p[2];
        p[2] = t;
    }
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

/* ----------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is invalid:
 * truncated, a stray continuation byte, overlong, a surrogate or > U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    uint32_t cp, min;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f, min = 0x80;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f, min = 0x800;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    while (i < n) {
        len = utf8_seq(p + i, n - i);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ------------------------------------------------------------ JSON lexing */

/* The header being parsed: s[0..n) is the JSON, nothing beyond it is read. */
typedef struct {
    const unsigned char *s;
    size_t n, pos;
    char *err;
    size_t errlen;
} Json;

static int jfail(Json *j, const char *fmt, ...) GSC_PRINTF(2, 3);

/* An error at the current position, as a byte offset into the JSON. */
static int jfail(Json *j, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fail(j->err, j->errlen, "safetensors header, JSON byte %llu: %s",
                (unsigned long long)j->pos, msg);
}

static void skip_ws(Json *j)
{
    while (j->pos < j->n && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
                             j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
        j->pos++;
}

/* Skips whitespace, then consumes c or fails. */
static int expect(Json *j, char c)
{
    skip_ws(j);
    if (j->pos >= j->n)
        return jfail(j, "expected '%c', found the end of the header", c);
    if (j->s[j->pos] != (unsigned char)c)
        return jfail(j, "expected '%c'", c);
    j->pos++;
    return 0;
}

/* After an element of an object or array: 1 for ',', 0 for the closer,
 * -1 on anything else. */
static int next_or_close(Json *j, char closer)
{
    skip_ws(j);
    if (j->pos < j->n && j->s[j->pos] == ',') {
        j->pos++;
        return 1;
    }
    if (j->pos < j->n && j->s[j->pos] == (unsigned char)closer) {
        j->pos++;
        return 0;
    }
    return jfail(j, "expected ',' or '%c'", closer);
}

static int hex4(Json *j, uint32_t *v)
{
    int i;
    *v = 0;
    if (j->n - j->pos < 4)
        return jfail(j, "truncated \\u escape");
    for (i = 0; i < 4; i++) {
        unsigned char c = j->s[j->pos++];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return jfail(j, "bad hex digit in \\u escape");
        *v = (*v << 4) | (uint32_t)d;
    }
    return 0;
}

/* \uXXXX, after the "\u": a UTF-16 unit, or a surrogate pair. U+0000 is
 * refused because names are C strings. */
static int unicode_escape(Json *j, uint32_t *cp)
{
    uint32_t lo;
    if (hex4(j, cp) < 0)
        return -1;
    if (*cp >= 0xdc00 && *cp <= 0xdfff)
        return jfail(j, "lone low surrogate in \\u escape");
    if (*cp >= 0xd800 && *cp <= 0xdbff) {
        if (j->n - j->pos < 2 || j->s[j->pos] != '\\' ||
            j->s[j->pos + 1] != 'u')
            return jfail(j, "high surrogate not followed by a low one");
        j->pos += 2;
        if (hex4(j, &lo) < 0)
            return -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return jfail(j, "high surrogate not followed by a low one");
        *cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    if (*cp == 0)
        return jfail(j, "\\u0000 is not allowed in a string");
    return 0;
}

/* One escape after the backslash; appends its UTF-8 to out. */
static int escape(Json *j, char *out, size_t *len)
{
    uint32_t cp;
    unsigned char c;
    if (j->pos >= j->n)
        return jfail(j, "unterminated string");
    c = j->s[j->pos++];
    switch (c) {
    case '"': case '\\': case '/': out[(*len)++] = (char)c; return 0;
    case 'b': out[(*len)++] = '\b'; return 0;
    case 'f': out[(*len)++] = '\f'; return 0;
    case 'n': out[(*len)++] = '\n'; return 0;
    case 'r': out[(*len)++] = '\r'; return 0;
    case 't': out[(*len)++] = '\t'; return 0;
    case 'u':
        if (unicode_escape(j, &cp) < 0)
            return -1;
        *len += utf8_put(out + *len, cp);
        return 0;
    default:
        j->pos--;
        return jfail(j, "bad escape '\\%c'", c >= 0x20 && c < 0x7f ? c : '?');
    }
}

/* Bytes from the opening quote's successor to the closing quote; the
 * decoded string is never longer, which sizes its buffer. */
static size_t string_span(const Json *j)
{
    size_t i = j->pos;
    while (i < j->n && j->s[i] != '"')
        i += j->s[i] == '\\' ? 2 : 1;
    return (i < j->n ? i : j->n) - j->pos;
}

/* string = '"' chars '"'. *out is a fresh NUL-terminated UTF-8 string. */
static int parse_string(Json *j, char **out)
{
    size_t len = 0, seq;
    char *s;
    *out = NULL;
    if (expect(j, '"') < 0)
        return -1;
    s = malloc(string_span(j) + 1);
    if (!s)
        return jfail(j, "out of memory");
    for (;;) {
        unsigned char c;
        if (j->pos >= j->n) {
            free(s);
            return jfail(j, "unterminated string");
        }
        c = j->s[j->pos];
        if (c == '"')
            break;
        if (c < 0x20) {
            free(s);
            return jfail(j, "control character in a string");
        }
        if (c == '\\') {
            j->pos++;
            if (escape(j, s, &len) < 0) {
                free(s);
                return -1;
            }
            continue;
        }
        seq = utf8_seq(j->s + j->pos, j->n - j->pos);
        if (seq == 0) {
            free(s);
            return jfail(j, "invalid UTF-8 in a string");
        }
        memcpy(s + len, j->s + j->pos, seq);
        len += seq;
        j->pos += seq;
    }
    j->pos++;
    s[len] = '\0';
    *out = s;
    return 0;
}

/* A non-negative integer in plain JSON form: no sign, no leading zeros, no
 * fraction or exponent, at most INT64_MAX (shapes are int64_t). */
static int parse_uint(Json *j, uint64_t *v)
{
    skip_ws(j);
    *v = 0;
    if (j->pos >= j->n || j->s[j->pos] < '0' || j->s[j->pos] > '9')
        return jfail(j, "expected a non-negative integer");
    if (j->s[j->pos] == '0' && j->pos + 1 < j->n && j->s[j->pos + 1] >= '0' &&
        j->s[j->pos + 1] <= '9')
        return jfail(j, "leading zero in a number");
    while (j->pos < j->n && j->s[j->pos] >= '0' && j->s[j->pos] <= '9') {
        uint64_t d = (uint64_t)(j->s[j->pos] - '0');
        if (*v > ((uint64_t)INT64_MAX - d) / 10)
            return jfail(j, "integer too large");
        *v = *v * 10 + d;
        j->pos++;
    }
    if (j->pos < j->n && (j->s[j->pos] == '.' || j->s[j->pos] == 'e' ||
                          j->s[j->pos] == 'E'))
        return jfail(j, "expected a non-negative integer, not a fraction");
    return 0;
}

/* '[' (uint (',' uint)*)? ']' with at most max elements. */
static int parse_uint_array(Json *j, uint64_t *v, int max, int *count,
                            const char *what)
{
    int more;
    *count = 0;
    if (expect(j, '[') < 0)
        return -1;
    skip_ws(j);
    if (j->pos < j->n && j->s[j->pos] == ']') {
        j->pos++;
        return 0;
    }
    do {
        if (*count == max)
            return jfail(j, "%s has more than %d elements", what, max);
        if (parse_uint(j, &v[(*count)++]) < 0)
            return -1;
        more = next_or_close(j, ']');
    } while (more == 1);
    return more;
}

/* ----------------------------------------------------------- JSON schema */

/* A tensor entry as parsed, before it is checked against the buffer. */
typedef struct {
    GscStTensor t;
    uint64_t begin, end;
} Entry;

static int parse_dtype(Json *j, Entry *e, int *seen)
{
    char *s;
    if (*seen)
        return jfail(j, "duplicate key \"dtype\"");
    *seen = 1;
    if (parse_string(j, &s) < 0)
        return -1;
    if (dtype_size(s) == 0) {
        jfail(j, "unknown dtype \"%.20s\"", s);
        free(s);
        return -1;
    }
    strcpy(e->t.dtype, s); /* fits: every known dtype is under 8 bytes */
    free(s);
    return 0;
}

static int parse_shape(Json *j, Entry *e, int *seen)
{
    uint64_t v[GSC_ST_MAX_RANK];
    int i;
    if (*seen)
        return jfail(j, "duplicate key \"shape\"");
    *seen = 1;
    if (parse_uint_array(j, v, GSC_ST_MAX_RANK, &e->t.rank, "shape") < 0)
        return -1;
    for (i = 0; i < e->t.rank; i++)
        e->t.shape[i] = (int64_t)v[i];
    return 0;
}

static int parse_offsets(Json *j, Entry *e, int *seen)
{
    uint64_t v[2];
    int n;
    if (*seen)
        return jfail(j, "duplicate key \"data_offsets\"");
    *seen = 1;
    if (parse_uint_array(j, v, 2, &n, "data_offsets") < 0)
        return -1;
    if (n != 2)
        return jfail(j, "data_offsets needs exactly 2 elements");
    e->begin = v[0];
    e->end = v[1];
    return 0;
}

/* One field of a tensor entry: "dtype", "shape" or "data_offsets". */
static int parse_field(Json *j, Entry *e, int seen[3])
{
    char *key;
    int rc;
    if (parse_string(j, &key) < 0)
        return -1;
    if (expect(j, ':') < 0)
        rc = -1;
    else if (strcmp(key, "dtype") == 0)
        rc = parse_dtype(j, e, &seen[0]);
    else if (strcmp(key, "shape") == 0)
        rc = parse_shape(j, e, &seen[1]);
    else if (strcmp(key, "data_offsets") == 0)
        rc = parse_offsets(j, e, &seen[2]);
    else
        rc = jfail(j, "unknown field \"%.40s\" in a tensor entry", key);
    free(key);
    return rc;
}

/* '{' field (',' field)* '}' with all three fields, each once. */
static int parse_entry(Json *j, Entry *e)
{
    int seen[3] = {0, 0, 0};
    int more;
    if (expect(j, '{') < 0)
        return -1;
    do {
        if (parse_field(j, e, seen) < 0)
            return -1;
        more = next_or_close(j, '}');
    } while (more == 1);
    if (more < 0)
        return -1;
    if (!seen[0] || !seen[1] || !seen[2])
        return jfail(j, "tensor entry lacks \"%s\"",
                     !seen[0] ? "dtype" : !seen[1] ? "shape" : "data_offsets");
    return 0;
}

/* ------------------------------------------------ duplicate-key checking */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first name that occurs twice in names[n], or NULL. Sorting keeps this
 * O(n log n): a header may hold millions of keys. Reorders names. */
static const char *find_duplicate(char **names, size_t n)
{
    size_t i;
    if (n < 2)
        return NULL;
    qsort(names, n, sizeof *names, cmp_str);
    for (i = 1; i < n; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            return names[i];
    return NULL;
}

/* A growable list of strings (metadata keys). */
typedef struct {
    char **v;
    size_t n, cap;
} StrList;

static int strlist_push(StrList *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = cap <= SIZE_MAX / sizeof *v ? realloc(l->v, cap * sizeof *v)
                                               : NULL;
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static void strlist_free(StrList *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* --------------------------------------------------------------- metadata */

/* The __metadata__ pairs as parsed: keys always (for the duplicate check),
 * values only when the caller asked for them (keep). */
typedef struct {
    StrList keys, vals;
    int keep;
} MetaLists;

static void meta_lists_free(MetaLists *m)
{
    strlist_free(&m->keys);
    strlist_free(&m->vals);
}

/* One "key": "value" pair of __metadata__. */
static int parse_meta_pair(Json *j, MetaLists *m)
{
    char *key, *val;
    if (parse_string(j, &key) < 0)
        return -1;
    if (strlist_push(&m->keys, key) < 0) {
        free(key);
        return jfail(j, "out of memory");
    }
    if (expect(j, ':') < 0)
        return -1;
    skip_ws(j);
    if (j->pos < j->n && j->s[j->pos] != '"')
        return jfail(j, "__metadata__ values must be strings");
    if (parse_string(j, &val) < 0)
        return -1;
    if (!m->keep) {
        free(val);
        return 0;
    }
    if (strlist_push(&m->vals, val) < 0) {
        free(val);
        return jfail(j, "out of memory");
    }
    return 0;
}

/* The first string that occurs twice among n names (each stride bytes
 * after the previous one: an array of strings or of structs holding one),
 * or NULL; *oom on allocation failure. Sorts a copy, so the names keep
 * their order. */
static const char *duplicate_name(const char *const *first, size_t stride,
                                  size_t n, int *oom)
{
    char **names;
    const char *dup;
    size_t i;
    *oom = 0;
    if (n < 2)
        return NULL;
    names = n <= SIZE_MAX / sizeof *names ? malloc(n * sizeof *names) : NULL;
    if (!names) {
        *oom = 1;
        return NULL;
    }
    for (i = 0; i < n; i++)
        names[i] = (char *)*(const char *const *)((const char *)first +
                                                   i * stride);
    dup = find_duplicate(names, n);
    free(names);
    return dup;
}

/* '{' (pair (',' pair)*)? '}' with distinct keys. */
static int parse_metadata(Json *j, MetaLists *m)
{
    const char *dup = NULL;
    int more = 0, oom = 0;
    if (expect(j, '{') < 0)
        return -1;
    skip_ws(j);
    if (j->pos < j->n && j->s[j->pos] == '}')
        j->pos++;
    else
        do {
            if (parse_meta_pair(j, m) < 0)
                return -1;
            more = next_or_close(j, '}');
        } while (more == 1);
    if (more == 0)
        dup = duplicate_name((const char *const *)m->keys.v, sizeof(char *),
                             m->keys.n, &oom);
    if (oom)
        return jfail(j, "out of memory");
    if (dup)
        return jfail(j, "duplicate key \"%.100s\" in __metadata__", dup);
    return more;
}

/* ----------------------------------------------------------------- header */

/* The tensors parsed so far, and the metadata; names are owned. */
typedef struct {
    Entry *v;
    size_t n, cap;
    int seen_metadata;
    MetaLists meta;
} EntryList;

static void entries_free(EntryList *l)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        free(l->v[i].t.name);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
    meta_lists_free(&l->meta);
}

/* Appends a zeroed entry (taking ownership of name) or returns NULL. */
static Entry *entries_push(EntryList *l, char *name)
{
    Entry *e;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        Entry *v = cap <= SIZE_MAX / sizeof *v && cap <= INT_MAX
                       ? realloc(l->v, cap * sizeof *v)
                       : NULL;
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    e = &l->v[l->n++];
    memset(e, 0, sizeof *e);
    e->t.name = name;
    return e;
}

/* One top-level member: "__metadata__": {...} or "name": {tensor entry}. */
static int parse_member(Json *j, EntryList *l)
{
    char *key;
    Entry *e;
    if (parse_string(j, &key) < 0)
        return -1;
    if (strcmp(key, "__metadata__") == 0) {
        free(key);
        if (l->seen_metadata)
            return jfail(j, "duplicate key \"__metadata__\"");
        l->seen_metadata = 1;
        return expect(j, ':') < 0 ? -1 : parse_metadata(j, &l->meta);
    }
    e = entries_push(l, key);
    if (!e) {
        free(key);
        return jfail(j, "out of memory");
    }
    if (expect(j, ':') < 0)
        return -1;
    return parse_entry(j, e);
}

/* header = ws '{' (member (',' member)*)? '}' ws, and nothing else. */
static int parse_header(Json *j, EntryList *l)
{
    int more = 0;
    if (expect(j, '{') < 0)
        return -1;
    skip_ws(j);
    if (j->pos < j->n && j->s[j->pos] == '}')
        j->pos++;
    else
        do {
            if (parse_member(j, l) < 0)
                return -1;
            more = next_or_close(j, '}');
        } while (more == 1);
    if (more < 0)
        return -1;
    skip_ws(j);
    if (j->pos != j->n)
        return jfail(j, "trailing bytes after the header object");
    return 0;
}

/* ------------------------------------------------------- buffer checking */

/* product(shape) * size, or -1 if it overflows uint64. A zero dimension
 * makes the product 0 however large the others are. */
static int tensor_bytes(const GscStTensor *t, int size, uint64_t *out)
{
    uint64_t p = (uint64_t)size;
    int i;
    for (i = 0; i < t->rank; i++)
        if (t->shape[i] == 0) {
            *out = 0;
            return 0;
        }
    for (i = 0; i < t->rank; i++) {
        uint64_t d = (uint64_t)t->shape[i];
        if (p > UINT64_MAX / d)
            return -1;
        p *= d;
    }
    *out = p;
    return 0;
}

/* Offsets inside the buffer and consistent with dtype and shape. */
static int check_entry(Entry *e, const unsigned char *data, uint64_t datalen,
                       char *err, size_t errlen)
{
    uint64_t want;
    const char *nm = e->t.name;
    if (e->begin > e->end)
        return fail(err, errlen, "safetensors: tensor \"%.100s\": data_offsets "
                    "[%llu, %llu] end before they begin", nm,
                    (unsigned long long)e->begin, (unsigned long long)e->end);
    if (e->end > datalen)
        return fail(err, errlen, "safetensors: tensor \"%.100s\": data_offsets "
                    "end %llu is past the data buffer (%llu bytes)", nm,
                    (unsigned long long)e->end, (unsigned long long)datalen);
    if (tensor_bytes(&e->t, dtype_size(e->t.dtype), &want) < 0)
        return fail(err, errlen, "safetensors: tensor \"%.100s\": the shape's "
                    "size overflows", nm);
    if (want != e->end - e->begin)
        return fail(err, errlen, "safetensors: tensor \"%.100s\": shape and "
                    "dtype give %llu bytes but data_offsets span %llu", nm,
                    (unsigned long long)want,
                    (unsigned long long)(e->end - e->begin));
    e->t.data = data + e->begin;
    e->t.nbytes = want;
    return 0;
}

static int cmp_begin(const void *a, const void *b)
{
    const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Sorted by begin, every non-empty tensor must start at or after the end of
 * the previous non-empty one. Empty tensors occupy no bytes. */
static int check_overlap(EntryList *l, char *err, size_t errlen)
{
    const Entry **s, *prev = NULL;
    size_t i;
    int rc = 0;
    if (l->n < 2)
        return 0;
    s = malloc(l->n * sizeof *s);
    if (!s)
        return fail(err, errlen, "safetensors: out of memory");
    for (i = 0; i < l->n; i++)
        s[i] = &l->v[i];
    qsort(s, l->n, sizeof *s, cmp_begin);
    for (i = 0; i < l->n && rc == 0; i++) {
        if (s[i]->begin == s[i]->end)
            continue;
        if (prev && s[i]->begin < prev->end)
            rc = fail(err, errlen, "safetensors: tensors \"%.100s\" and "
                      "\"%.100s\" overlap", prev->t.name, s[i]->t.name);
        prev = s[i];
    }
    free(s);
    return rc;
}

/* Distinct tensor names (the JSON object's keys). */
static int check_names(EntryList *l, char *err, size_t errlen)
{
    char **names;
    const char *dup;
    size_t i;
    int rc = 0;
    if (l->n < 2)
        return 0;
    names = malloc(l->n * sizeof *names);
    if (!names)
        return fail(err, errlen, "safetensors: out of memory");
    for (i = 0; i < l->n; i++)
        names[i] = l->v[i].t.name;
    dup = find_duplicate(names, l->n);
    if (dup)
        rc = fail(err, errlen, "safetensors: duplicate tensor \"%.100s\"", dup);
    free(names);
    return rc;
}

/* Every per-buffer check, then the list moves into *out. */
static int finish(EntryList *l, const unsigned char *data, uint64_t datalen,
                  GscStFile *out, char *err, size_t errlen)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (check_entry(&l->v[i], data, datalen, err, errlen) < 0)
            return -1;
    if (check_names(l, err, errlen) < 0 || check_overlap(l, err, errlen) < 0)
        return -1;
    out->tensors = l->n ? malloc(l->n * sizeof *out->tensors) : NULL;
    if (l->n && !out->tensors)
        return fail(err, errlen, "safetensors: out of memory");
    for (i = 0; i < l->n; i++)
        out->tensors[i] = l->v[i].t;
    out->ntensors = (int)l->n;
    free(l->v); /* the names now belong to out */
    l->v = NULL;
    l->n = l->cap = 0;
    return 0;
}

/* ----------------------------------------------------------- public read */

/* What a file that is not safetensors is, when it is a PyTorch file: the zip
 * archive torch.save writes (PK\3\4), or the pickle of torch.save before
 * PyTorch 1.6 (protocol 2 to 5: 0x80 0x02..0x05). NULL otherwise. Asked
 * only when the header length is impossible, so a valid file always parses. */
static const char *torch_kind(const unsigned char *b, size_t len)
{
    if (len >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
        return "a zip archive";
    if (len >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5)
        return "a pickle, as torch.save wrote before PyTorch 1.6";
    return NULL;
}

static void meta_clear(GscStMeta *meta)
{
    if (meta) {
        meta->pairs = NULL;
        meta->npairs = 0;
    }
}

/* The parsed pairs move from l into *meta (the strings change owner). */
static int meta_take(EntryList *l, GscStMeta *meta, char *err, size_t errlen)
{
    size_t i, n = l->meta.keys.n;
    if (n == 0)
        return 0;
    meta->pairs = n <= INT_MAX ? malloc(n * sizeof *meta->pairs) : NULL;
    if (!meta->pairs)
        return fail(err, errlen, "safetensors: out of memory");
    for (i = 0; i < n; i++) {
        meta->pairs[i].key = l->meta.keys.v[i];
        meta->pairs[i].value = l->meta.vals.v[i];
    }
    meta->npairs = (int)n;
    l->meta.keys.n = l->meta.vals.n = 0; /* owned by *meta now */
    meta_lists_free(&l->meta);
    return 0;
}

int gsc_st_parse_meta(const void *buf, size_t len, GscStFile *out,
                      GscStMeta *meta, char *err, size_t errlen)
{
    const unsigned char *b = buf;
    EntryList l;
    uint64_t hlen;
    Json j;
    memset(&l, 0, sizeof l);
    l.meta.keep = meta != NULL;
    out->tensors = NULL;
    out->ntensors = 0;
    out->owned = NULL;
    meta_clear(meta);
    if (len < 8)
        return fail(err, errlen, "safetensors: %llu bytes is too short for "
                    "the 8-byte header length", (unsigned long long)len);
    hlen = get_le64(b);
    if ((hlen > GSC_ST_MAX_HEADER || hlen > len - 8) && torch_kind(b, len))
        return fail(err, errlen, "this is a PyTorch file (%s), not safetensors: "
                    "convert it with tools/export_torch.py FILE.pt "
                    "OUT.safetensors", torch_kind(b, len));
    if (hlen > GSC_ST_MAX_HEADER)
        return fail(err, errlen, "safetensors: header length %llu is over "
                    "the %u-byte limit", (unsigned long long)hlen,
                    GSC_ST_MAX_HEADER);
    if (hlen > len - 8)
        return fail(err, errlen, "safetensors: header length %llu is past "
                    "the end of the file (%llu bytes)",
                    (unsigned long long)hlen, (unsigned long long)len);
    j.s = b + 8;
    j.n = (size_t)hlen;
    j.pos = 0;
    j.err = err;
    j.errlen = errlen;
    if (parse_header(&j, &l) < 0 ||
        finish(&l, b + 8 + hlen, len - 8 - hlen, out, err, errlen) < 0) {
        entries_free(&l);
        return -1;
    }
    if (meta && meta_take(&l, meta, err, errlen) < 0) {
        entries_free(&l);
        gsc_st_close(out);
        return -1;
    }
    meta_lists_free(&l.meta);
    return 0;
}

int gsc_st_parse(const void *buf, size_t len, GscStFile *out, char *err,
                 size_t errlen)
{
    return gsc_st_parse_meta(buf, len, out, NULL, err, errlen);
}

/* The whole stream into a fresh buffer, growing it by doubling: portable
 * C99 has no reliable file size query (ftell is a long). */
static unsigned char *read_all(FILE *fp, size_t *len)
{
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap), *nb;
    while (buf) {
        got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n < cap)
            break;
        nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    if (buf && ferror(fp)) {
        free(buf);
        buf = NULL;
    }
    *len = n;
    return buf;
}

int gsc_st_open_meta(const char *path, GscStFile *out, GscStMeta *meta,
                     char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf;
    size_t len;
    char msg[256];
    out->tensors = NULL;
    out->ntensors = 0;
    out->owned = NULL;
    meta_clear(meta);
    if (!fp)
        return fail(err, errlen, "%s: cannot open", path);
    buf = read_all(fp, &len);
    fclose(fp);
    if (!buf)
        return fail(err, errlen, "%s: read error or out of memory", path);
    if (gsc_st_parse_meta(buf, len, out, meta, msg, sizeof msg) < 0) {
        free(buf);
        return fail(err, errlen, "%s: %s", path, msg);
    }
    out->owned = buf;
    return 0;
}

int gsc_st_open(const char *path, GscStFile *out, char *err, size_t errlen)
{
    return gsc_st_open_meta(path, out, NULL, err, errlen);
}

void gsc_st_close(GscStFile *f)
{
    int i;
    for (i = 0; i < f->ntensors; i++)
        free(f->tensors[i].name);
    free(f->tensors);
    free(f->owned);
    f->tensors = NULL;
    f->ntensors = 0;
    f->owned = NULL;
}

const GscStTensor *gsc_st_find(const GscStFile *f, const char *name)
{
    int i;
    for (i = 0; i < f->ntensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

const char *gsc_st_meta_get(const GscStMeta *m, const char *key)
{
    int i;
    for (i = 0; i < m->npairs; i++)
        if (strcmp(m->pairs[i].key, key) == 0)
            return m->pairs[i].value;
    return NULL;
}

void gsc_st_meta_free(GscStMeta *m)
{
    int i;
    for (i = 0; i < m->npairs; i++) {
        free((char *)m->pairs[i].key);
        free((char *)m->pairs[i].value);
    }
    free(m->pairs);
    meta_clear(m);
}

/* ----------------------------------------------------- loading parameters */

/* Problems collected into err, "; "-separated; once one does not fit, it
 * and all later ones are only counted, and summarised as "... and N more". */
typedef struct {
    char *buf;
    size_t cap, len;
    int n, full, dropped;
} Problems;

#define GSC_TRAILER_ROOM 32 /* kept free for " ... and N more" */

static void problem(Problems *p, const char *fmt, ...) GSC_PRINTF(2, 3);

static void problem(Problems *p, const char *fmt, ...)
{
    char msg[512];
    const char *sep = p->n ? "; " : "";
    size_t need;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->n++;
    need = strlen(sep) + strlen(msg);
    if (!p->buf || p->cap == 0)
        return;
    if (!p->full && p->len + need + GSC_TRAILER_ROOM < p->cap) {
        snprintf(p->buf + p->len, p->cap - p->len, "%s%s", sep, msg);
        p->len += need;
    } else if (p->len == 0) {
        /* The first one, truncated, leaving room for the count. */
        size_t room = p->cap > 2 * GSC_TRAILER_ROOM
                          ? p->cap - GSC_TRAILER_ROOM : p->cap;
        snprintf(p->buf, room, "%s", msg);
        p->len = strlen(p->buf);
        p->full = 1;
    } else {
        p->full = 1;
        p->dropped++;
    }
}

static void problems_end(Problems *p)
{
    if (p->buf && p->cap > p->len && p->dropped > 0)
        snprintf(p->buf + p->len, p->cap - p->len, " ... and %d more",
                 p->dropped);
}

/* "[64, 3, 7, 7]" into out[outlen]. */
static void format_shape(char *out, size_t outlen, const int64_t *shape,
                         int rank)
{
    size_t len;
    int i;
    snprintf(out, outlen, "[");
    for (i = 0; i < rank; i++) {
        len = strlen(out);
        snprintf(out + len, outlen - len, "%s%lld", i ? ", " : "",
                 (long long)shape[i]);
    }
    len = strlen(out);
    snprintf(out + len, outlen - len, "]");
}

static int same_shape(const GscStTensor *t, int rank, const int64_t *shape)
{
    int i;
    if (t->rank != rank)
        return 0;
    for (i = 0; i < rank; i++)
        if (t->shape[i] != shape[i])
            return 0;
    return 1;
}

/* A table row that cannot describe a tensor: a bug in the caller. */
static int bad_row(const GscTensorInfo *ti)
{
    int i;
    if (!ti->name || ti->rank < 0 || ti->rank > 4 || ti->offset < 0)
        return 1;
    for (i = 0; i < ti->rank; i++)
        if (ti->shape[i] < 0)
            return 1;
    return 0;
}

/* The problems of the file's tensor called name against the wanted shape. */
static void check_tensor(const GscStFile *f, const char *name, int rank,
                         const int64_t *shape, Problems *p)
{
    const GscStTensor *t = gsc_st_find(f, name);
    char have[200], want[200];
    if (!t) {
        problem(p, "missing %.100s", name);
        return;
    }
    if (strcmp(t->dtype, "F32") != 0)
        problem(p, "%.100s is %s not F32", name, t->dtype);
    if (!same_shape(t, rank, shape)) {
        format_shape(have, sizeof have, t->shape, t->rank);
        format_shape(want, sizeof want, shape, rank);
        problem(p, "%.100s has shape %s but the model wants %s", name, have,
                want);
    }
}

/* memcpy, since the file's data has no alignment; then swap if big-endian. */
static void copy_f32(float *dst, const GscStTensor *t)
{
    if (t->nbytes == 0)
        return; /* dst may be NULL */
    memcpy(dst, t->data, (size_t)t->nbytes);
    if (!host_is_le())
        swap4((unsigned char *)dst, (size_t)(t->nbytes / 4));
}

static void problems_init(Problems *p, char *err, size_t errlen)
{
    p->buf = err;
    p->cap = errlen;
    p->len = 0;
    p->n = 0;
    p->full = 0;
    p->dropped = 0;
    if (err && errlen)
        err[0] = '\0';
}

/* ---------------------------------------- general F32 tensors (gsc_train.h) */

/* Elements of a GscStF32, or -1 if it is malformed or its byte size
 * overflows int64. */
static int64_t f32_elems(const GscStF32 *t)
{
    int64_t n = 1;
    int i;
    if (!t->name || t->rank < 0 || t->rank > GSC_ST_MAX_RANK)
        return -1;
    for (i = 0; i < t->rank; i++)
        if (t->shape[i] < 0)
            return -1;
    for (i = 0; i < t->rank; i++) {
        if (t->shape[i] != 0 && n > INT64_MAX / 4 / t->shape[i])
            return -1;
        n *= t->shape[i];
    }
    if (n > 0 && !t->data)
        return -1;
    return n;
}

static int in_list(const GscStF32 *t, int nt, const char *name)
{
    int i;
    for (i = 0; i < nt; i++)
        if (t[i].name && strcmp(t[i].name, name) == 0)
            return 1;
    return 0;
}

/* The table's rows as GscStF32 entries over params (rows must be well
 * formed); NULL when out of memory, or when ntab is 0. */
static GscStF32 *table_list(const GscTensorInfo *tab, int ntab, float *params)
{
    GscStF32 *t = ntab > 0 ? calloc((size_t)ntab, sizeof *t) : NULL;
    int i, d;
    for (i = 0; t && i < ntab; i++) {
        t[i].name = tab[i].name;
        t[i].rank = tab[i].rank;
        for (d = 0; d < tab[i].rank; d++)
            t[i].shape[d] = tab[i].shape[d];
        t[i].data = params + tab[i].offset;
    }
    return t;
}

int gsc_st_load_params(const GscStFile *f, const GscTensorInfo *tab, int ntab,
                       float *params, char *err, size_t errlen)
{
    GscStF32 *t;
    Problems p;
    int i, rc;
    problems_init(&p, err, errlen);
    for (i = 0; i < ntab; i++)
        if (bad_row(&tab[i]))
            problem(&p, "table entry \"%.100s\" is malformed",
                    tab[i].name ? tab[i].name : "(null)");
    if (p.n) {
        problems_end(&p);
        return -1;
    }
    t = table_list(tab, ntab, params);
    if (ntab > 0 && !t)
        return fail(err, errlen, "safetensors: out of memory");
    rc = gsc_st_load_f32(f, t, ntab, err, errlen);
    free(t);
    return rc;
}

int gsc_st_load_f32(const GscStFile *f, const GscStF32 *t, int nt, char *err,
                    size_t errlen)
{
    Problems p;
    int i;
    problems_init(&p, err, errlen);
    for (i = 0; i < nt; i++) {
        if (f32_elems(&t[i]) < 0)
            problem(&p, "entry \"%.100s\" is malformed",
                    t[i].name ? t[i].name : "(null)");
        else
            check_tensor(f, t[i].name, t[i].rank, t[i].shape, &p);
    }
    for (i = 0; i < f->ntensors; i++)
        if (!in_list(t, nt, f->tensors[i].name))
            problem(&p, "unknown %.100s", f->tensors[i].name);
    if (p.n) {
        problems_end(&p);
        return -1;
    }
    for (i = 0; i < nt; i++)
        copy_f32(t[i].data, gsc_st_find(f, t[i].name));
    return 0;
}

/* ----------------------------------------------------------------- writer */

/* A growable byte buffer for the JSON header. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} Out;

static void out_put(Out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->cap - o->len < n + 1) {
        size_t cap = o->cap ? o->cap : 256;
        char *ns;
        while (cap - o->len < n + 1 && cap <= SIZE_MAX / 2)
            cap *= 2;
        ns = cap - o->len >= n + 1 ? realloc(o->s, cap) : NULL;
        if (!ns) {
            o->oom = 1;
            return;
        }
        o->s = ns;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static void out_str(Out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* A JSON string literal: quotes, backslashes and control bytes escaped;
 * other bytes (already valid UTF-8) as they are. */
static void out_json_string(Out *o, const char *s)
{
    char esc[8];
    out_put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            out_put(o, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            out_put(o, esc, 6);
        } else {
            out_put(o, s, 1);
        }
    }
    out_put(o, "\"", 1);
}

/* Elements in a table row, or -1 if the row is malformed or overflows. */
static int64_t row_elems(const GscTensorInfo *ti)
{
    int64_t n = 1;
    int i;
    if (bad_row(ti))
        return -1;
    for (i = 0; i < ti->rank; i++) {
        if (ti->shape[i] != 0 && n > INT64_MAX / 4 / ti->shape[i])
            return -1;
        n *= ti->shape[i];
    }
    return n;
}

/* What the writer can encode: well-formed tensors with valid UTF-8 names
 * that are distinct and not "__metadata__"; metadata keys and values valid
 * UTF-8, keys distinct. who names the public function in messages. */
static int check_output(const char *who, const GscStF32 *t, int nt,
                        const GscStPair *meta, int nmeta, char *err,
                        size_t errlen)
{
    const char *dup = NULL, *what = "tensor";
    int i, oom = 0;
    for (i = 0; i < nt; i++) {
        if (f32_elems(&t[i]) < 0)
            return fail(err, errlen, "%s: tensor %d (\"%.100s\") is malformed",
                        who, i, t[i].name ? t[i].name : "");
        if (!utf8_valid(t[i].name) || strcmp(t[i].name, "__metadata__") == 0)
            return fail(err, errlen, "%s: bad tensor name \"%.100s\"", who,
                        t[i].name);
    }
    for (i = 0; i < nmeta; i++)
        if (!meta[i].key || !meta[i].value || !utf8_valid(meta[i].key) ||
            !utf8_valid(meta[i].value))
            return fail(err, errlen, "%s: metadata pair %d is not two UTF-8 "
                        "strings", who, i);
    if (nt > 0)
        dup = duplicate_name(&t[0].name, sizeof *t, (size_t)nt, &oom);
    if (!dup && !oom && nmeta > 0) {
        dup = duplicate_name(&meta[0].key, sizeof *meta, (size_t)nmeta,
                             &oom);
        what = "metadata key";
    }
    if (oom)
        return fail(err, errlen, "%s: out of memory", who);
    if (dup)
        return fail(err, errlen, "%s: duplicate %s \"%.100s\"", who, what,
                    dup);
    return 0;
}

/* The JSON header: the metadata, then the tensors laid out back to back in
 * list order, padded with spaces to a multiple of 8 so the data that
 * follows is aligned. */
static int build_header(Out *o, const GscStF32 *t, int nt,
                        const GscStPair *meta, int nmeta)
{
    char num[64];
    uint64_t at = 0;
    int i, d;
    out_str(o, "{");
    if (nmeta > 0) {
        out_str(o, "\"__metadata__\":{");
        for (i = 0; i < nmeta; i++) {
            out_str(o, i ? "," : "");
            out_json_string(o, meta[i].key);
            out_str(o, ":");
            out_json_string(o, meta[i].value);
        }
        out_str(o, "}");
    }
    for (i = 0; i < nt; i++) {
        uint64_t nb = (uint64_t)f32_elems(&t[i]) * 4;
        if (nb > UINT64_MAX - at)
            return -1;
        out_str(o, i || nmeta ? "," : "");
        out_json_string(o, t[i].name);
        out_str(o, ":{\"dtype\":\"F32\",\"shape\":[");
        for (d = 0; d < t[i].rank; d++) {
            snprintf(num, sizeof num, "%s%lld", d ? "," : "",
                     (long long)t[i].shape[d]);
            out_str(o, num);
        }
        snprintf(num, sizeof num, "],\"data_offsets\":[%llu,%llu]}",
                 (unsigned long long)at, (unsigned long long)(at + nb));
        out_str(o, num);
        at += nb;
    }
    out_str(o, "}");
    while (o->len % 8 != 0)
        out_str(o, " ");
    return o->oom ? -1 : 0;
}

/* n floats little-endian: straight from params on a little-endian host,
 * through a swapped copy otherwise. */
static int write_f32(FILE *fp, const float *x, int64_t n)
{
    float tmp[1024];
    size_t chunk;
    if (host_is_le())
        return fwrite(x, sizeof *x, (size_t)n, fp) == (size_t)n ? 0 : -1;
    while (n > 0) {
        chunk = n < 1024 ? (size_t)n : 1024;
        memcpy(tmp, x, chunk * sizeof *x);
        swap4((unsigned char *)tmp, chunk);
        if (fwrite(tmp, sizeof *tmp, chunk, fp) != chunk)
            return -1;
        x += chunk;
        n -= (int64_t)chunk;
    }
    return 0;
}

/* Length, header, then each tensor's data. */
static int write_body(FILE *fp, const Out *hdr, const GscStF32 *t, int nt)
{
    unsigned char len8[8];
    int i;
    put_le64(len8, hdr->len);
    if (fwrite(len8, 1, 8, fp) != 8 || fwrite(hdr->s, 1, hdr->len, fp) !=
                                           hdr->len)
        return -1;
    for (i = 0; i < nt; i++)
        if (f32_elems(&t[i]) > 0 &&
            write_f32(fp, t[i].data, f32_elems(&t[i])) < 0)
            return -1;
    return 0;
}

/* Writes tmp completely, then renames it over path; on any failure tmp is
 * removed and path is untouched. fsync is not C99, so this guards against
 * a crash of the writer, not against a power cut before the OS flushes. */
static int write_atomic(const char *path, const char *tmp, const Out *hdr,
                        const GscStF32 *t, int nt, char *err, size_t errlen)
{
    FILE *fp = fopen(tmp, "wb");
    int bad, e;
    if (!fp)
        return fail(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
    bad = write_body(fp, hdr, t, nt) < 0;
    bad |= fclose(fp) != 0;
    if (bad) {
        e = errno; /* before remove() may change it */
        remove(tmp);
        return fail(err, errlen, "%s: write error: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        remove(tmp);
        return fail(err, errlen, "%s: cannot rename to %s: %s", tmp, path, strerror(e));
    }
    return 0;
}

/* gsc_st_write_f32, with who naming the public function in messages. */
static int write_tensors(const char *who, const char *path, const GscStF32 *t,
                         int nt, const GscStPair *meta, int nmeta, char *err,
                         size_t errlen)
{
    Out hdr = {NULL, 0, 0, 0};
    char *tmp;
    int rc;
    if (nt < 0 || nmeta < 0)
        return fail(err, errlen, "%s: negative count", who);
    if (check_output(who, t, nt, meta, nmeta, err, errlen) < 0)
        return -1;
    if (build_header(&hdr, t, nt, meta, nmeta) < 0) {
        free(hdr.s);
        return fail(err, errlen, "%s: out of memory or the tensors total "
                    "over 2^64 bytes", who);
    }
    tmp = malloc(strlen(path) + 5);
    if (!tmp) {
        free(hdr.s);
        return fail(err, errlen, "%s: out of memory", who);
    }
    strcpy(tmp, path);
    strcat(tmp, ".tmp");
    rc = write_atomic(path, tmp, &hdr, t, nt, err, errlen);
    free(tmp);
    free(hdr.s);
    return rc;
}

int gsc_st_write_f32(const char *path, const GscStF32 *t, int nt,
                     const GscStPair *meta, int nmeta, char *err,
                     size_t errlen)
{
    return write_tensors("gsc_st_write_f32", path, t, nt, meta, nmeta, err,
                         errlen);
}

int gsc_st_write(const char *path, const GscTensorInfo *tab, int ntab,
                 const float *params, char *err, size_t errlen)
{
    static const GscStPair pt = {"format", "pt"};
    GscStF32 *t;
    int i, rc;
    for (i = 0; i < ntab; i++)
        if (row_elems(&tab[i]) < 0)
            return fail(err, errlen, "gsc_st_write: table entry %d (\"%.100s\")"
                        " is malformed", i, tab[i].name ? tab[i].name : "");
    t = table_list(tab, ntab, (float *)params); /* only read */
    if (ntab > 0 && !t)
        return fail(err, errlen, "gsc_st_write: out of memory");
    rc = write_tensors("gsc_st_write", path, t, ntab, &pt, 1, err, errlen);
    free(t);
    return rc;
}
