/*
 * util.c - memory, strings and files. Everything here dies cleanly on
 * out-of-memory; nothing here reports input errors (that is diag.c).
 */
#include "gsc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static NORETURN void out_of_memory(void)
{
    fputs("gsc: error: out of memory\n", stderr);
    exit(3);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

/* The arena: chunks that are never freed (gsc is a short-lived process). */
typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} Chunk;

static Chunk *arena;

void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!arena || arena->cap - arena->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        Chunk *c = xmalloc(sizeof(Chunk) + cap);
        c->next = arena;
        c->used = 0;
        c->cap = cap;
        arena = c;
    }
    void *p = arena->data + arena->used;
    arena->used += n;
    return memset(p, 0, n);
}

char *arena_strndup(const char *s, size_t n)
{
    char *p = arena_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_printf(const char *fmt, ...)
{
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *s = arena_strndup(b.s ? b.s : "", b.len);
    buf_free(&b);
    return s;
}

char *arena_upper(const char *s)
{
    char *u = arena_printf("%s", s);
    for (char *q = u; *q; q++)
        *q = (char)toupper((unsigned char)*q);
    return u;
}

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void buf_putc(Buf *b, char c)
{
    buf_reserve(b, 1);
    b->s[b->len++] = c;
    b->s[b->len] = 0;
}

void buf_puts(Buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_free(Buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

void vec_push(Vec *v, void *p)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->v = xrealloc(v->v, (size_t)v->cap * sizeof(void *));
    }
    v->v[v->n++] = p;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    Buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        buf_reserve(&b, n);
        memcpy(b.s + b.len, tmp, n);
        b.len += n;
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (err) {
        buf_free(&b);
        errno = EIO;
        return NULL;
    }
    buf_reserve(&b, 0);
    b.s[b.len] = 0;
    *len = b.len;
    return b.s;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
    if (!strcmp(path, "-"))
        return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
    size_t n = strlen(path);
    char *tmp = xmalloc(n + 32);
    snprintf(tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(tmp);
        return -1;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        free(tmp);
        errno = e;
        return -1;
    }
    free(tmp);
    return 0;
}

int edit_distance(const char *a, const char *b, int max)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return max + 1;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        int best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int v = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return row[lb];
}

/* ------------------------------------------------------------ string maps */

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of key: its own, or the empty one where it would go. */
static int strmap_slot(const StrMap *m, const char *key)
{
    unsigned h = name_hash(key) & (unsigned)(m->cap - 1);
    while (m->keys[h] && strcmp(m->keys[h], key))
        h = (h + 1) & (unsigned)(m->cap - 1);
    return (int)h;
}

int *strmap_get(const StrMap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    int k = strmap_slot(m, key);
    return m->keys[k] ? &m->vals[k] : NULL;
}

int *strmap_put(StrMap *m, const char *key)
{
    if (2 * (m->n + 1) > m->cap) {
        StrMap old = *m;
        m->cap = old.cap ? 2 * old.cap : 64;
        m->keys = xcalloc((size_t)m->cap, sizeof(char *));
        m->vals = xcalloc((size_t)m->cap, sizeof(int));
        for (int i = 0; i < old.cap; i++) {
            if (old.keys[i]) {
                int k = strmap_slot(m, old.keys[i]);
                m->keys[k] = old.keys[i];
                m->vals[k] = old.vals[i];
            }
        }
        free(old.keys);
        free(old.vals);
    }
    int k = strmap_slot(m, key);
    if (!m->keys[k]) {
        m->keys[k] = key;
        m->n++;
    }
    return &m->vals[k];
}

void strmap_free(StrMap *m)
{
    free(m->keys);
    free(m->vals);
    *m = (StrMap){0};
}
