/*
 * test_diag.c - golden diagnostics. For every tests/diag/NAME.gs, runs
 * `build/gsc --check -q --no-color NAME.gs` (-q: the
 * success line is not part of the corpus) and compares what it prints on
 * stderr with NAME.err and its exit status with NAME.status.
 * ARGS come from a first line "# args: ..." in the case, if any.
 * `make golden` regenerates the expected files; `git diff` shows changes.
 * GSC names the gsc to test (default build/gsc). Run from the repository root.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_CASES 1024

static char *cases[MAX_CASES];
static int ncases;
static const char *gsc = "build/gsc";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_cases(void)
{
    DIR *d = opendir("tests/diag");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && ncases < MAX_CASES) {
        size_t n = strlen(e->d_name);
        if (n > 3 && !strcmp(e->d_name + n - 3, ".gs")) {
            char *p = malloc(n + 16);
            snprintf(p, n + 16, "tests/diag/%s", e->d_name);
            cases[ncases++] = p;
        }
    }
    closedir(d);
    qsort(cases, (size_t)ncases, sizeof(char *), cmp_str);
}

static char *with_ext(const char *gs, const char *ext)
{
    size_t n = strlen(gs);
    char *p = malloc(n + 16);
    memcpy(p, gs, n - 3);
    strcpy(p + n - 3, ext);
    return p;
}

START_TEST(golden)
{
    const char *gs = cases[_i];
    char *errf = with_ext(gs, ".err"), *statf = with_ext(gs, ".status");
    char *want = slurp(errf), *want_status = slurp(statf);
    ck_assert_msg(want != NULL, "%s is missing (make golden)", errf);
    ck_assert_msg(want_status != NULL, "%s is missing (make golden)", statf);
    char out[] = "/tmp/gsc-diag-XXXXXX";
    int fd = mkstemp(out);
    ck_assert(fd >= 0);
    char cmd[4096];
    char *text = slurp(gs);
    char args[256] = "";
    if (text && !strncmp(text, "# args: ", 8))
        snprintf(args, sizeof args, "%.*s", (int)strcspn(text + 8, "\n"), text + 8);
    free(text);
    const char *g = getenv("GSC") && *getenv("GSC") ? getenv("GSC") : gsc;
    snprintf(cmd, sizeof cmd, "%s --check -q --no-color %s %s 2>%s >/dev/null", g, gs, args, out);
    int st = system(cmd);
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    char *got = slurp(out);
    remove(out);
    ck_assert_msg(status == atoi(want_status), "%s: exit status %d, expected %d", gs, status, atoi(want_status));
    ck_assert_msg(!strcmp(got, want), "%s: diagnostics differ.\n--- expected\n%s--- got\n%s", gs, want, got);
    if (status != 0)
        ck_assert_msg(strstr(got, ": error: ") != NULL, "%s: fails without an error message", gs);
    free(got);
    free(want);
    free(want_status);
    free(errf);
    free(statf);
}
END_TEST

/* Runs gsc with ARGS (stderr to a string); the exit status in *status. */
static char *run_gsc(const char *args, int *status)
{
    char out[] = "/tmp/gsc-diag-XXXXXX";
    int fd = mkstemp(out);
    ck_assert(fd >= 0);
    char cmd[4096];
    const char *g = getenv("GSC") && *getenv("GSC") ? getenv("GSC") : gsc;
    snprintf(cmd, sizeof cmd, "%s --no-color %s 2>%s >/dev/null", g, args, out);
    int st = system(cmd);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    char *got = slurp(out);
    remove(out);
    return got;
}

/* A symbol without -D or a default: --check proves the model for all sizes
 * (what the corpus shows, with -q), and says so; compiling to C and --eval
 * need the size and refuse. */
START_TEST(no_value_only_for_check)
{
    int st;
    char *got = run_gsc("--check tests/diag/no_default.gs", &st);
    ck_assert_int_eq(st, 0);
    ck_assert_msg(strstr(got, "shape facts proved for all c >= 1, H >= 1, W >= 1; 0 parameter tensors, 0 parameters "
                              "at every size\n") != NULL, "got: %s", got);
    free(got);
    got = run_gsc("--check tests/diag/check_free_sizes.gs", &st);
    ck_assert_int_eq(st, 0);
    ck_assert_msg(strstr(got, "; 4 parameter tensors, their shapes depending on the sizes (give them with -D") != NULL,
                  "got: %s", got);
    free(got);
    got = run_gsc("--check tests/diag/check_free_sizes.gs -D c=8 -D H=4 -D W=4", &st);
    ck_assert_int_eq(st, 0);
    ck_assert_msg(strstr(got, "; 4 parameter tensors, 106 parameters at c=8 H=4 W=4\n") != NULL, "got: %s", got);
    free(got);
    const char *modes[] = {"tests/diag/no_default.gs -o /tmp/gsc-diag-no-default.c",
                           "--emit=summary tests/diag/no_default.gs", "--eval tests/diag/no_default.gs --input /dev/null",
                           "--check tests/diag/no_default.gs -D H=4"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        got = run_gsc(modes[i], &st);
        ck_assert_msg(st == 1, "%s: exit status %d", modes[i], st);
        ck_assert_msg(strstr(got, "error: 'W' has no value: give it with -D W=N or a default in the model") != NULL,
                      "%s: got: %s", modes[i], got);
        free(got);
    }
    FILE *f = fopen("/tmp/gsc-diag-no-default.c", "r");
    ck_assert_msg(f == NULL, "a C file was written without sizes");
}
END_TEST

START_TEST(corpus_is_there)
{
    ck_assert_msg(ncases >= 20, "only %d cases in tests/diag", ncases);
}
END_TEST

int main(void)
{
    find_cases();
    Suite *s = suite_create("diagnostics");
    TCase *tc = tcase_create("golden");
    tcase_add_test(tc, corpus_is_there);
    tcase_add_test(tc, no_value_only_for_check);
    tcase_add_loop_test(tc, golden, 0, ncases);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
