/*
 * tmpdir.h - for the Check suites of the runtime: a private temporary
 * directory for the files the tests write (mkdtemp under $TMPDIR, else
 * /tmp), paths in it, whole files in and out, and the body of main: run the
 * suite, then remove the directory and whatever a failed test left in it.
 * Include after defining _POSIX_C_SOURCE 200809L (mkdtemp, opendir).
 */
#ifndef TEST_TMPDIR_H
#define TEST_TMPDIR_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

/* A path inside tmpdir, in buf[len]. */
static inline const char *tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
    return buf;
}

/* The whole file at path, in a fresh buffer of *len bytes (plus one). */
static inline unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *b;
    long n;
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

/* Writes buf[len] to path. */
static inline void spit(const char *path, const unsigned char *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
    fclose(fp);
}

/* Every file and (empty) directory in tmpdir, then tmpdir itself. */
static inline void tmpdir_remove(void)
{
    char path[512];
    struct dirent *e;
    DIR *d = opendir(tmpdir);
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        tmp_path(path, sizeof path, e->d_name);
        if (remove(path) != 0)
            rmdir(path);
    }
    if (d)
        closedir(d);
    rmdir(tmpdir);
}

/* main's body: tmpdir "<name>_XXXXXX", the suite, the clean-up. */
static inline int run_suite(Suite *s, const char *name)
{
    SRunner *sr;
    int failed;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s_XXXXXX", base && *base ? base : "/tmp",
             name);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tmpdir_remove();
    return failed != 0;
}

#endif
