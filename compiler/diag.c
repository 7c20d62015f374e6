/*
 * diag.c - the one error path.
 *
 *   file:line:col: error: message
 *     12 |     let y = conv9(x)
 *        |             ^~~~~
 *   file:line:col: note: a related place (its line is shown unless it is
 *                        the line just shown)
 *
 * Every diagnostic about the input goes through report(). Warnings have a
 * kind (WarnKind): each can be silenced (-Wno-KIND), and -Werror makes them
 * errors; either way the message ends in the flag that controls it. The notes
 * of a silenced warning are silenced with it. Internal errors (bugs in gsc)
 * are separate and say so. Columns count bytes from 1.
 */
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

int diag_errors;
int diag_warnings;
int diag_max = 20;
bool diag_color;
bool diag_werror;
bool diag_wno[W__COUNT];

static const char *const warn_names[W__COUNT] = {
#define W(id, name) [W_##id] = name,
    GSC_WARNINGS(W)
#undef W
};

/* The line the last diagnostic showed, and whether the notes that follow
 * are silenced (they belong to a silenced warning). */
static const SrcFile *shown_file;
static int shown_line;
static bool notes_off;

enum { D_ERROR, D_WARNING, D_NOTE };

static const char *const kind_name[] = {"error", "warning", "note"};
static const char *const kind_color[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};

/* Offsets of the line starts, made on the first diagnostic of a file, so
 * that finding a line is a binary search (a 10 MB file with a diagnostic
 * per line stays linear). The file is gsc's own object; only this cache is
 * written. */
static void index_lines(SrcFile *f)
{
    int n = 1;
    for (size_t i = 0; i < f->len; i++)
        n += f->text[i] == '\n';
    f->line_start = xmalloc(sizeof(int) * (size_t)n);
    f->nlines = 0;
    f->line_start[f->nlines++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            f->line_start[f->nlines++] = (int)i + 1;
}

void span_linecol(Span sp, int *line, int *col)
{
    SrcFile *f = (SrcFile *)sp.file;
    if (!f->line_start)
        index_lines(f);
    int at = sp.lo < 0 ? 0 : (size_t)sp.lo > f->len ? (int)f->len : sp.lo;
    int lo = 0, hi = f->nlines - 1; /* the last line start <= at */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (f->line_start[mid] <= at)
            lo = mid;
        else
            hi = mid - 1;
    }
    *line = lo + 1;
    *col = at - f->line_start[lo] + 1;
}

/* Prints the source line of sp and a caret under the span (only its part
 * on the first line). Long lines are cut around the span. */
static void show_line(Span sp)
{
    const SrcFile *f = sp.file;
    int lo = sp.lo < 0 ? 0 : sp.lo;
    if ((size_t)lo > f->len)
        lo = (int)f->len;
    int start = lo, end = lo;
    while (start > 0 && f->text[start - 1] != '\n')
        start--;
    while ((size_t)end < f->len && f->text[end] != '\n')
        end++;
    int line, col;
    span_linecol(sp, &line, &col);
    /* Keep at most 160 columns around the caret. */
    int from = start, to = end;
    if (lo - from > 80)
        from = lo - 60;
    if (to - from > 160)
        to = from + 160;
    fprintf(stderr, "%5d | %s", line, from > start ? "..." : "");
    for (int i = from; i < to; i++) {
        unsigned char ch = (unsigned char)f->text[i];
        fputc(ch == '\t' ? ' ' : (ch < 32 || ch >= 127) ? '?' : ch, stderr);
    }
    fprintf(stderr, "%s\n      | %s", to < end ? "..." : "", from > start ? "   " : "");
    for (int i = from; i < lo; i++)
        fputc(' ', stderr);
    int n = sp.hi - lo;
    if (lo + n > to)
        n = to - lo;
    if (diag_color)
        fputs("\033[1;32m", stderr);
    fputc('^', stderr);
    for (int i = 1; i < n; i++)
        fputc('~', stderr);
    if (diag_color)
        fputs("\033[0m", stderr);
    fputc('\n', stderr);
}

static void report(int kind, Span sp, const char *suffix, const char *fmt, va_list ap)
{
    int line = 0, col = 0;
    if (sp.file) {
        span_linecol(sp, &line, &col);
        if (diag_color)
            fputs("\033[1m", stderr);
        fprintf(stderr, "%s:%d:%d: ", sp.file->name, line, col);
    } else {
        if (diag_color)
            fputs("\033[1m", stderr);
        fputs("gsc: ", stderr);
    }
    if (diag_color)
        fprintf(stderr, "%s%s:\033[0m\033[1m ", kind_color[kind], kind_name[kind]);
    else
        fprintf(stderr, "%s: ", kind_name[kind]);
    vfprintf(stderr, fmt, ap);
    if (suffix)
        fprintf(stderr, " [%s]", suffix);
    if (diag_color)
        fputs("\033[0m", stderr);
    fputc('\n', stderr);
    bool same = kind == D_NOTE && sp.file == shown_file && line == shown_line;
    if (sp.file && !same)
        show_line(sp);
    shown_file = sp.file;
    shown_line = line;
}

static void count_error(void)
{
    if (++diag_errors >= diag_max) {
        fprintf(stderr, "gsc: too many errors (%d), stopping\n", diag_errors);
        exit(1);
    }
}

void error_at(Span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_at(sp, fmt, ap);
    va_end(ap);
}

void verror_at(Span sp, const char *fmt, va_list ap)
{
    notes_off = false;
    report(D_ERROR, sp, NULL, fmt, ap);
    count_error();
}

bool warn_at(WarnKind k, Span sp, const char *fmt, ...)
{
    notes_off = diag_wno[k];
    if (notes_off)
        return false;
    va_list ap;
    va_start(ap, fmt);
    char flag[64];
    snprintf(flag, sizeof flag, "-W%s%s", diag_werror ? "error=" : "", warn_names[k]);
    report(diag_werror ? D_ERROR : D_WARNING, sp, flag, fmt, ap);
    va_end(ap);
    if (diag_werror)
        count_error();
    else
        diag_warnings++;
    return true;
}

bool warn_flag(const char *flag)
{
    if (!strcmp(flag, "-Werror") || !strcmp(flag, "-Wno-error")) {
        diag_werror = flag[2] == 'e';
        return true;
    }
    bool no = !strncmp(flag, "-Wno-", 5);
    const char *name = flag + (no ? 5 : 2);
    for (int k = 0; k < W__COUNT; k++) {
        if (!strcmp(name, warn_names[k])) {
            diag_wno[k] = no;
            return true;
        }
    }
    return false;
}

void warn_kinds(Buf *b)
{
    for (int k = 0; k < W__COUNT; k++)
        buf_printf(b, "%s%s", k ? ", " : "", warn_names[k]);
}

void note_at(Span sp, const char *fmt, ...)
{
    if (notes_off)
        return;
    va_list ap;
    va_start(ap, fmt);
    report(D_NOTE, sp, NULL, fmt, ap);
    va_end(ap);
}

void error_plain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    notes_off = false;
    report(D_ERROR, (Span){0}, NULL, fmt, ap);
    va_end(ap);
    count_error();
}

void error_file(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    notes_off = false;
    if (diag_color)
        fprintf(stderr, "\033[1m%s: %serror:\033[0m\033[1m ", name, kind_color[D_ERROR]);
    else
        fprintf(stderr, "%s: error: ", name);
    vfprintf(stderr, fmt, ap);
    fputs(diag_color ? "\033[0m\n" : "\n", stderr);
    va_end(ap);
    shown_file = NULL;
    count_error();
}

void internal_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gsc: internal error (a bug in gsc, please report it): ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(3);
}
