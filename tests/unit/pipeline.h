/*
 * pipeline.h - for the Check suites: a source from text or a file, and the
 * pipeline up to specialisation, failing the test on any error.
 */
#ifndef TEST_PIPELINE_H
#define TEST_PIPELINE_H

#include "gsc.h"

#include <check.h>
#include <string.h>

static inline SrcFile *src_text(const char *text)
{
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = "t.gs";
    f->text = text;
    f->len = strlen(text);
    return f;
}

static inline SrcFile *src_file(const char *path)
{
    size_t len;
    SrcFile *f = arena_alloc(sizeof *f);
    f->name = path;
    f->text = read_file(path, &len);
    ck_assert_ptr_nonnull(f->text);
    f->len = len;
    return f;
}

/* Parse, resolve, check the file's last model, specialise with defs. */
static inline Graph *compile(const SrcFile *f, const char *const *defs, int ndefs)
{
    Program *p = parse_program(f);
    ck_assert_int_eq(diag_errors, 0);
    resolve_program(p);
    ck_assert_int_eq(diag_errors, 0);
    Item *m = NULL;
    for (int i = 0; i < p->nitems; i++)
        if (p->items[i].kind == IT_MODEL)
            m = &p->items[i];
    ck_assert_ptr_nonnull(m);
    Graph *g = check_model(p, m);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(specialise(g, defs, ndefs, false), 0);
    return g;
}

#endif
