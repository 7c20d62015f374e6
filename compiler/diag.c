/*
 * diag.c - the one error path.
 *
 *   file:line:col: error: message
 *     12 |     let y = conv9(x)
 *        |             ^~~~~
 *
 * Every diagnostic about the input goes through diag_report(). Internal errors
 * (bugs in gsc) are separate and say so. Columns count bytes from 1.
 */
#include "gsc.h"

#include <stdlib.h>
#include <string.h>

int diag_errors;
int diag_max = 20;
bool diag_color;

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

static void report(int kind, Span sp, const char *fmt, va_list ap)
{
    if (sp.file) {
        int line, col;
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
    if (diag_color)
        fputs("\033[0m", stderr);
    fputc('\n', stderr);
    if (sp.file)
        show_line(sp);
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
    report(D_ERROR, sp, fmt, ap);
    va_end(ap);
    count_error();
}

void verror_at(Span sp, const char *fmt, va_list ap)
{
    report(D_ERROR, sp, fmt, ap);
    count_error();
}

void warn_at(Span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(D_WARNING, sp, fmt, ap);
    va_end(ap);
}

void note_at(Span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(D_NOTE, sp, fmt, ap);
    va_end(ap);
}

void error_plain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(D_ERROR, (Span){0}, fmt, ap);
    va_end(ap);
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
