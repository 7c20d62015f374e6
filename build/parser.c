/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison implementation for Yacc-like parsers in C

   Copyright (C) 1984, 1989-1990, 2000-2015, 2018-2021 Free Software Foundation,
   Inc.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* As a special exception, you may create a larger work that contains
   part or all of the Bison parser skeleton and distribute that work
   under terms of your choice, so long as that work isn't itself a
   parser generator using the skeleton or a modified version thereof
   as a parser skeleton.  Alternatively, if you modify or redistribute
   the parser skeleton itself, you may (at your option) remove this
   special exception, which will cause the skeleton and the resulting
   Bison output files to be licensed under the GNU General Public
   License without this special exception.

   This special exception was added by the Free Software Foundation in
   version 2.2 of Bison.  */

/* C LALR(1) parser skeleton written by Richard Stallman, by
   simplifying the original so-called "semantic" parser.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

/* All symbols defined below should begin with yy or YY, to avoid
   infringing on user name space.  This should be done even for local
   variables, as they might otherwise be expanded by user macros.
   There are some unavoidable exceptions within include files to
   define necessary library symbols; they are noted "INFRINGES ON
   USER NAME SPACE" below.  */

/* Identify Bison output, and Bison version.  */
#define YYBISON 30802

/* Bison version string.  */
#define YYBISON_VERSION "3.8.2"

/* Skeleton name.  */
#define YYSKELETON_NAME "yacc.c"

/* Pure parsers.  */
#define YYPURE 2

/* Push parsers.  */
#define YYPUSH 0

/* Pull parsers.  */
#define YYPULL 1





# ifndef YY_CAST
#  ifdef __cplusplus
#   define YY_CAST(Type, Val) static_cast<Type> (Val)
#   define YY_REINTERPRET_CAST(Type, Val) reinterpret_cast<Type> (Val)
#  else
#   define YY_CAST(Type, Val) ((Type) (Val))
#   define YY_REINTERPRET_CAST(Type, Val) ((Type) (Val))
#  endif
# endif
# ifndef YY_NULLPTR
#  if defined __cplusplus
#   if 201103L <= __cplusplus
#    define YY_NULLPTR nullptr
#   else
#    define YY_NULLPTR 0
#   endif
#  else
#   define YY_NULLPTR ((void*)0)
#  endif
# endif

#include "parser.h"
/* Symbol kind.  */
enum yysymbol_kind_t
{
  YYSYMBOL_YYEMPTY = -2,
  YYSYMBOL_YYEOF = 0,                      /* "end of file"  */
  YYSYMBOL_YYerror = 1,                    /* error  */
  YYSYMBOL_YYUNDEF = 2,                    /* "invalid token"  */
  YYSYMBOL_INT = 3,                        /* "integer"  */
  YYSYMBOL_IDENT = 4,                      /* "name"  */
  YYSYMBOL_DIM = 5,                        /* "'dim'"  */
  YYSYMBOL_BLOCK = 6,                      /* "'block'"  */
  YYSYMBOL_MODEL = 7,                      /* "'model'"  */
  YYSYMBOL_LET = 8,                        /* "'let'"  */
  YYSYMBOL_RETURN = 9,                     /* "'return'"  */
  YYSYMBOL_ASSERT = 10,                    /* "'assert'"  */
  YYSYMBOL_WHERE = 11,                     /* "'where'"  */
  YYSYMBOL_DEFAULT = 12,                   /* "'default'"  */
  YYSYMBOL_ARROW = 13,                     /* "'->'"  */
  YYSYMBOL_EQ = 14,                        /* "'=='"  */
  YYSYMBOL_NE = 15,                        /* "'!='"  */
  YYSYMBOL_LE = 16,                        /* "'<='"  */
  YYSYMBOL_GE = 17,                        /* "'>='"  */
  YYSYMBOL_18_ = 18,                       /* '+'  */
  YYSYMBOL_19_ = 19,                       /* '-'  */
  YYSYMBOL_20_ = 20,                       /* '*'  */
  YYSYMBOL_21_ = 21,                       /* '/'  */
  YYSYMBOL_22_ = 22,                       /* '%'  */
  YYSYMBOL_23_ = 23,                       /* '('  */
  YYSYMBOL_24_ = 24,                       /* ')'  */
  YYSYMBOL_25_ = 25,                       /* '='  */
  YYSYMBOL_26_ = 26,                       /* '{'  */
  YYSYMBOL_27_ = 27,                       /* '}'  */
  YYSYMBOL_28_ = 28,                       /* ','  */
  YYSYMBOL_29_ = 29,                       /* ':'  */
  YYSYMBOL_30_ = 30,                       /* '<'  */
  YYSYMBOL_31_ = 31,                       /* '>'  */
  YYSYMBOL_32_ = 32,                       /* '['  */
  YYSYMBOL_33_ = 33,                       /* ']'  */
  YYSYMBOL_YYACCEPT = 34,                  /* $accept  */
  YYSYMBOL_program = 35,                   /* program  */
  YYSYMBOL_item = 36,                      /* item  */
  YYSYMBOL_idents_opt = 37,                /* idents_opt  */
  YYSYMBOL_idents = 38,                    /* idents  */
  YYSYMBOL_groups = 39,                    /* groups  */
  YYSYMBOL_formals_opt = 40,               /* formals_opt  */
  YYSYMBOL_formals = 41,                   /* formals  */
  YYSYMBOL_formal = 42,                    /* formal  */
  YYSYMBOL_where_opt = 43,                 /* where_opt  */
  YYSYMBOL_conds = 44,                     /* conds  */
  YYSYMBOL_cond = 45,                      /* cond  */
  YYSYMBOL_cmpop = 46,                     /* cmpop  */
  YYSYMBOL_defaults_opt = 47,              /* defaults_opt  */
  YYSYMBOL_defaults = 48,                  /* defaults  */
  YYSYMBOL_default = 49,                   /* default  */
  YYSYMBOL_stmts = 50,                     /* stmts  */
  YYSYMBOL_stmt = 51,                      /* stmt  */
  YYSYMBOL_shape = 52,                     /* shape  */
  YYSYMBOL_exprs = 53,                     /* exprs  */
  YYSYMBOL_expr = 54,                      /* expr  */
  YYSYMBOL_args_opt = 55,                  /* args_opt  */
  YYSYMBOL_args = 56,                      /* args  */
  YYSYMBOL_arg = 57                        /* arg  */
};
typedef enum yysymbol_kind_t yysymbol_kind_t;



/* Unqualified %code blocks.  */
#line 41 "compiler/parser.y"

#include <stdlib.h>
#include <string.h>

#define YYMAXDEPTH 200000

static Span sp(Parser *P, Loc l) { return (Span){P->file, l.lo, l.hi}; }

static Node *new_node(Parser *P, NodeKind k, Loc l)
{
    Node *n = arena_alloc(sizeof *n);
    n->kind = k;
    n->span = sp(P, l);
    return n;
}

static Node *new_bin(Parser *P, NodeKind k, int op, Node *a, Node *b, Loc l)
{
    Node *n = new_node(P, k, l);
    n->op = op;
    n->lhs = a;
    n->rhs = b;
    return n;
}

static Vec *new_vec(void *first)
{
    Vec *v = arena_alloc(sizeof *v);
    if (first)
        vec_push(v, first);
    return v;
}

/* Moves a Vec of pointers into an arena array. */
static void **vec_array(Vec *v, int *n)
{
    *n = v ? v->n : 0;
    if (!*n)
        return NULL;
    void **a = arena_alloc(sizeof(void *) * (size_t)v->n);
    memcpy(a, v->v, sizeof(void *) * (size_t)v->n);
    free(v->v);
    v->v = NULL;
    return a;
}

static Param *new_param(Parser *P, const char *name, Loc l, Node *shape, Node *def)
{
    Param *p = arena_alloc(sizeof *p);
    p->name = name;
    p->span = sp(P, l);
    p->shape = shape;
    p->defval = def;
    return p;
}

/* Copies a Vec of Param* into an array of Param. */
static Param *param_array(Vec *v, int *n)
{
    Param **pp = (Param **)vec_array(v, n);
    Param *a = arena_alloc(sizeof(Param) * (size_t)(*n ? *n : 1));
    for (int i = 0; i < *n; i++)
        a[i] = *pp[i];
    return a;
}

static Item *new_item(Parser *P, ItemKind k, const char *name, Loc nl, Loc l)
{
    Item *it = arena_alloc(sizeof *it);
    it->kind = k;
    it->name = name;
    it->name_span = sp(P, nl);
    it->span = sp(P, l);
    return it;
}

/* A block or model header: the paren groups before the result. The last
 * group holds the tensor inputs (name: shape); an earlier group holds the
 * integer parameters. resolve.c reports groups of the wrong form. */
static void set_groups(Item *it, Vec *groups)
{
    int ng;
    Vec **g = (Vec **)vec_array(groups, &ng);
    if (ng >= 2)
        it->params = param_array(g[ng - 2], &it->nparams);
    it->inputs = param_array(g[ng - 1], &it->ninputs);
    it->nbody = ng > 2 ? -ng : 0; /* resolve.c: too many groups */
}

static Stmt *new_stmt(Parser *P, StmtKind k, const char *name, Loc nl, Node *shape, Node *e, Loc l)
{
    Stmt *s = arena_alloc(sizeof *s);
    s->kind = k;
    s->name = name;
    s->name_span = sp(P, nl);
    s->shape = shape;
    s->expr = e;
    s->span = sp(P, l);
    return s;
}

static void set_body(Item *it, Vec *stmts)
{
    Stmt **ss = (Stmt **)vec_array(stmts, &it->nbody);
    it->body = arena_alloc(sizeof(Stmt) * (size_t)(it->nbody ? it->nbody : 1));
    for (int i = 0; i < it->nbody; i++)
        it->body[i] = *ss[i];
}

/* After error recovery, forgets brackets left open by the skipped text:
 * keeps the stack up to the innermost '{' (statement level) or empties it
 * (item level). */
static void sync_opens(Parser *P, bool in_body)
{
    int n = P->nopens;
    while (n > 0 && in_body && P->file->text[P->opens[n - 1]] != '{')
        n--;
    P->nopens = in_body ? n : 0;
}

static void yyerror(Loc *l, Parser *P, const char *msg)
{
    error_at(sp(P, *l), "%s", msg);
}

#line 287 "build/parser.c"

#ifdef short
# undef short
#endif

/* On compilers that do not define __PTRDIFF_MAX__ etc., make sure
   <limits.h> and (if available) <stdint.h> are included
   so that the code can choose integer types of a good width.  */

#ifndef __PTRDIFF_MAX__
# include <limits.h> /* INFRINGES ON USER NAME SPACE */
# if defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stdint.h> /* INFRINGES ON USER NAME SPACE */
#  define YY_STDINT_H
# endif
#endif

/* Narrow types that promote to a signed type and that can represent a
   signed or unsigned integer of at least N bits.  In tables they can
   save space and decrease cache pressure.  Promoting to a signed type
   helps avoid bugs in integer arithmetic.  */

#ifdef __INT_LEAST8_MAX__
typedef __INT_LEAST8_TYPE__ yytype_int8;
#elif defined YY_STDINT_H
typedef int_least8_t yytype_int8;
#else
typedef signed char yytype_int8;
#endif

#ifdef __INT_LEAST16_MAX__
typedef __INT_LEAST16_TYPE__ yytype_int16;
#elif defined YY_STDINT_H
typedef int_least16_t yytype_int16;
#else
typedef short yytype_int16;
#endif

/* Work around bug in HP-UX 11.23, which defines these macros
   incorrectly for preprocessor constants.  This workaround can likely
   be removed in 2023, as HPE has promised support for HP-UX 11.23
   (aka HP-UX 11i v2) only through the end of 2022; see Table 2 of
   <https://h20195.www2.hpe.com/V2/getpdf.aspx/4AA4-7673ENW.pdf>.  */
#ifdef __hpux
# undef UINT_LEAST8_MAX
# undef UINT_LEAST16_MAX
# define UINT_LEAST8_MAX 255
# define UINT_LEAST16_MAX 65535
#endif

#if defined __UINT_LEAST8_MAX__ && __UINT_LEAST8_MAX__ <= __INT_MAX__
typedef __UINT_LEAST8_TYPE__ yytype_uint8;
#elif (!defined __UINT_LEAST8_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST8_MAX <= INT_MAX)
typedef uint_least8_t yytype_uint8;
#elif !defined __UINT_LEAST8_MAX__ && UCHAR_MAX <= INT_MAX
typedef unsigned char yytype_uint8;
#else
typedef short yytype_uint8;
#endif

#if defined __UINT_LEAST16_MAX__ && __UINT_LEAST16_MAX__ <= __INT_MAX__
typedef __UINT_LEAST16_TYPE__ yytype_uint16;
#elif (!defined __UINT_LEAST16_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST16_MAX <= INT_MAX)
typedef uint_least16_t yytype_uint16;
#elif !defined __UINT_LEAST16_MAX__ && USHRT_MAX <= INT_MAX
typedef unsigned short yytype_uint16;
#else
typedef int yytype_uint16;
#endif

#ifndef YYPTRDIFF_T
# if defined __PTRDIFF_TYPE__ && defined __PTRDIFF_MAX__
#  define YYPTRDIFF_T __PTRDIFF_TYPE__
#  define YYPTRDIFF_MAXIMUM __PTRDIFF_MAX__
# elif defined PTRDIFF_MAX
#  ifndef ptrdiff_t
#   include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  endif
#  define YYPTRDIFF_T ptrdiff_t
#  define YYPTRDIFF_MAXIMUM PTRDIFF_MAX
# else
#  define YYPTRDIFF_T long
#  define YYPTRDIFF_MAXIMUM LONG_MAX
# endif
#endif

#ifndef YYSIZE_T
# ifdef __SIZE_TYPE__
#  define YYSIZE_T __SIZE_TYPE__
# elif defined size_t
#  define YYSIZE_T size_t
# elif defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  define YYSIZE_T size_t
# else
#  define YYSIZE_T unsigned
# endif
#endif

#define YYSIZE_MAXIMUM                                  \
  YY_CAST (YYPTRDIFF_T,                                 \
           (YYPTRDIFF_MAXIMUM < YY_CAST (YYSIZE_T, -1)  \
            ? YYPTRDIFF_MAXIMUM                         \
            : YY_CAST (YYSIZE_T, -1)))

#define YYSIZEOF(X) YY_CAST (YYPTRDIFF_T, sizeof (X))


/* Stored state numbers (used for stacks). */
typedef yytype_int8 yy_state_t;

/* State numbers in computations.  */
typedef int yy_state_fast_t;

#ifndef YY_
# if defined YYENABLE_NLS && YYENABLE_NLS
#  if ENABLE_NLS
#   include <libintl.h> /* INFRINGES ON USER NAME SPACE */
#   define YY_(Msgid) dgettext ("bison-runtime", Msgid)
#  endif
# endif
# ifndef YY_
#  define YY_(Msgid) Msgid
# endif
#endif


#ifndef YY_ATTRIBUTE_PURE
# if defined __GNUC__ && 2 < __GNUC__ + (96 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_PURE __attribute__ ((__pure__))
# else
#  define YY_ATTRIBUTE_PURE
# endif
#endif

#ifndef YY_ATTRIBUTE_UNUSED
# if defined __GNUC__ && 2 < __GNUC__ + (7 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_UNUSED __attribute__ ((__unused__))
# else
#  define YY_ATTRIBUTE_UNUSED
# endif
#endif

/* Suppress unused-variable warnings by "using" E.  */
#if ! defined lint || defined __GNUC__
# define YY_USE(E) ((void) (E))
#else
# define YY_USE(E) /* empty */
#endif

/* Suppress an incorrect diagnostic about yylval being uninitialized.  */
#if defined __GNUC__ && ! defined __ICC && 406 <= __GNUC__ * 100 + __GNUC_MINOR__
# if __GNUC__ * 100 + __GNUC_MINOR__ < 407
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")
# else
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")              \
    _Pragma ("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
# endif
# define YY_IGNORE_MAYBE_UNINITIALIZED_END      \
    _Pragma ("GCC diagnostic pop")
#else
# define YY_INITIAL_VALUE(Value) Value
#endif
#ifndef YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_END
#endif
#ifndef YY_INITIAL_VALUE
# define YY_INITIAL_VALUE(Value) /* Nothing. */
#endif

#if defined __cplusplus && defined __GNUC__ && ! defined __ICC && 6 <= __GNUC__
# define YY_IGNORE_USELESS_CAST_BEGIN                          \
    _Pragma ("GCC diagnostic push")                            \
    _Pragma ("GCC diagnostic ignored \"-Wuseless-cast\"")
# define YY_IGNORE_USELESS_CAST_END            \
    _Pragma ("GCC diagnostic pop")
#endif
#ifndef YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_END
#endif


#define YY_ASSERT(E) ((void) (0 && (E)))

#if 1

/* The parser invokes alloca or malloc; define the necessary symbols.  */

# ifdef YYSTACK_ALLOC
   /* Pacify GCC's 'empty if-body' warning.  */
#  define YYSTACK_FREE(Ptr) do { /* empty */; } while (0)
#  ifndef YYSTACK_ALLOC_MAXIMUM
    /* The OS might guarantee only one guard page at the bottom of the stack,
       and a page size can be as small as 4096 bytes.  So we cannot safely
       invoke alloca (N) if N exceeds 4096.  Use a slightly smaller number
       to allow for a few compiler-allocated temporary stack slots.  */
#   define YYSTACK_ALLOC_MAXIMUM 4032 /* reasonable circa 2006 */
#  endif
# else
#  define YYSTACK_ALLOC YYMALLOC
#  define YYSTACK_FREE YYFREE
#  ifndef YYSTACK_ALLOC_MAXIMUM
#   define YYSTACK_ALLOC_MAXIMUM YYSIZE_MAXIMUM
#  endif
#  if (defined __cplusplus && ! defined EXIT_SUCCESS \
       && ! ((defined YYMALLOC || defined malloc) \
             && (defined YYFREE || defined free)))
#   include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
#   ifndef EXIT_SUCCESS
#    define EXIT_SUCCESS 0
#   endif
#  endif
#  ifndef YYMALLOC
#   define YYMALLOC malloc
#   if ! defined malloc && ! defined EXIT_SUCCESS
void *malloc (YYSIZE_T); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
#  ifndef YYFREE
#   define YYFREE free
#   if ! defined free && ! defined EXIT_SUCCESS
void free (void *); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
# endif
# define YYCOPY_NEEDED 1
#endif /* 1 */

#if (! defined yyoverflow \
     && (! defined __cplusplus \
         || (defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL \
             && defined YYSTYPE_IS_TRIVIAL && YYSTYPE_IS_TRIVIAL)))

/* A type that is properly aligned for any stack member.  */
union yyalloc
{
  yy_state_t yyss_alloc;
  YYSTYPE yyvs_alloc;
  YYLTYPE yyls_alloc;
};

/* The size of the maximum gap between one aligned stack and the next.  */
# define YYSTACK_GAP_MAXIMUM (YYSIZEOF (union yyalloc) - 1)

/* The size of an array large to enough to hold all stacks, each with
   N elements.  */
# define YYSTACK_BYTES(N) \
     ((N) * (YYSIZEOF (yy_state_t) + YYSIZEOF (YYSTYPE) \
             + YYSIZEOF (YYLTYPE)) \
      + 2 * YYSTACK_GAP_MAXIMUM)

# define YYCOPY_NEEDED 1

/* Relocate STACK from its old location to the new one.  The
   local variables YYSIZE and YYSTACKSIZE give the old and new number of
   elements in the stack, and YYPTR gives the new location of the
   stack.  Advance YYPTR to a properly aligned location for the next
   stack.  */
# define YYSTACK_RELOCATE(Stack_alloc, Stack)                           \
    do                                                                  \
      {                                                                 \
        YYPTRDIFF_T yynewbytes;                                         \
        YYCOPY (&yyptr->Stack_alloc, Stack, yysize);                    \
        Stack = &yyptr->Stack_alloc;                                    \
        yynewbytes = yystacksize * YYSIZEOF (*Stack) + YYSTACK_GAP_MAXIMUM; \
        yyptr += yynewbytes / YYSIZEOF (*yyptr);                        \
      }                                                                 \
    while (0)

#endif

#if defined YYCOPY_NEEDED && YYCOPY_NEEDED
/* Copy COUNT objects from SRC to DST.  The source and destination do
   not overlap.  */
# ifndef YYCOPY
#  if defined __GNUC__ && 1 < __GNUC__
#   define YYCOPY(Dst, Src, Count) \
      __builtin_memcpy (Dst, Src, YY_CAST (YYSIZE_T, (Count)) * sizeof (*(Src)))
#  else
#   define YYCOPY(Dst, Src, Count)              \
      do                                        \
        {                                       \
          YYPTRDIFF_T yyi;                      \
          for (yyi = 0; yyi < (Count); yyi++)   \
            (Dst)[yyi] = (Src)[yyi];            \
        }                                       \
      while (0)
#  endif
# endif
#endif /* !YYCOPY_NEEDED */

/* YYFINAL -- State number of the termination state.  */
#define YYFINAL  2
/* YYLAST -- Last index in YYTABLE.  */
#define YYLAST   125

/* YYNTOKENS -- Number of terminals.  */
#define YYNTOKENS  34
/* YYNNTS -- Number of nonterminals.  */
#define YYNNTS  24
/* YYNRULES -- Number of rules.  */
#define YYNRULES  63
/* YYNSTATES -- Number of states.  */
#define YYNSTATES  122

/* YYMAXUTOK -- Last valid token kind.  */
#define YYMAXUTOK   272


/* YYTRANSLATE(TOKEN-NUM) -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex, with out-of-bounds checking.  */
#define YYTRANSLATE(YYX)                                \
  (0 <= (YYX) && (YYX) <= YYMAXUTOK                     \
   ? YY_CAST (yysymbol_kind_t, yytranslate[YYX])        \
   : YYSYMBOL_YYUNDEF)

/* YYTRANSLATE[TOKEN-NUM] -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex.  */
static const yytype_int8 yytranslate[] =
{
       0,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,    22,     2,     2,
      23,    24,    20,    18,    28,    19,     2,    21,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,    29,     2,
      30,    25,    31,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,    32,     2,    33,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    26,     2,    27,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     1,     2,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17
};

#if YYDEBUG
/* YYRLINE[YYN] -- Source line where rule number YYN was defined.  */
static const yytype_int16 yyrline[] =
{
       0,   204,   204,   205,   209,   214,   221,   230,   234,   238,
     239,   243,   244,   248,   249,   253,   254,   258,   259,   263,
     264,   265,   269,   270,   274,   275,   279,   283,   284,   285,
     286,   287,   288,   292,   293,   297,   298,   302,   306,   307,
     311,   312,   313,   314,   315,   319,   326,   327,   331,   332,
     333,   340,   341,   342,   343,   344,   345,   349,   350,   354,
     355,   359,   360,   361
};
#endif

/** Accessing symbol of state STATE.  */
#define YY_ACCESSING_SYMBOL(State) YY_CAST (yysymbol_kind_t, yystos[State])

#if 1
/* The user-facing name of the symbol whose (internal) number is
   YYSYMBOL.  No bounds checking.  */
static const char *yysymbol_name (yysymbol_kind_t yysymbol) YY_ATTRIBUTE_UNUSED;

static const char *
yysymbol_name (yysymbol_kind_t yysymbol)
{
  static const char *const yy_sname[] =
  {
  "end of file", "error", "invalid token", "integer", "name", "'dim'",
  "'block'", "'model'", "'let'", "'return'", "'assert'", "'where'",
  "'default'", "'->'", "'=='", "'!='", "'<='", "'>='", "'+'", "'-'", "'*'",
  "'/'", "'%'", "'('", "')'", "'='", "'{'", "'}'", "','", "':'", "'<'",
  "'>'", "'['", "']'", "$accept", "program", "item", "idents_opt",
  "idents", "groups", "formals_opt", "formals", "formal", "where_opt",
  "conds", "cond", "cmpop", "defaults_opt", "defaults", "default", "stmts",
  "stmt", "shape", "exprs", "expr", "args_opt", "args", "arg", YY_NULLPTR
  };
  return yy_sname[yysymbol];
}
#endif

#define YYPACT_NINF (-69)

#define yypact_value_is_default(Yyn) \
  ((Yyn) == YYPACT_NINF)

#define YYTABLE_NINF (-1)

#define yytable_value_is_error(Yyn) \
  0

/* YYPACT[STATE-NUM] -- Index in YYTABLE of the portion describing
   STATE-NUM.  */
static const yytype_int8 yypact[] =
{
     -69,    28,   -69,   -69,     1,    20,    36,     7,   -69,    27,
      29,    29,   -69,    32,     7,   -69,    44,    77,    78,    18,
      23,    19,    66,   -69,   -69,   -69,   -69,     7,     7,     7,
       7,     7,   -69,   -69,     7,   -69,    46,    61,   -23,    68,
      65,   -69,    62,    78,    62,    14,    58,    72,    69,   -69,
     -69,    47,    47,   -69,   -69,   -69,    82,    73,   101,     7,
      62,   -69,    78,     7,    81,    84,    98,     7,     7,   -69,
      19,     7,   -69,    82,   -69,   -69,    15,    82,   -69,   -69,
       7,    99,    82,    82,   -69,    82,     7,   -69,     0,    85,
     -69,   106,    86,    82,   -69,    89,   111,     7,   -69,   -69,
       7,    91,    90,   -69,   -69,     7,    22,    82,   -69,     7,
     106,    17,    82,     7,    62,    82,   -69,   -69,    82,    92,
       7,    82
};

/* YYDEFACT[STATE-NUM] -- Default reduction number in state STATE-NUM.
   Performed when YYTABLE does not specify something else to do.  Zero
   means the default is an error.  */
static const yytype_int8 yydefact[] =
{
       2,     0,     1,     8,     0,     0,     0,     0,     3,     0,
       0,     0,    48,    49,     0,     7,     0,     9,    15,     0,
       0,    57,     0,    27,    28,    30,    32,     0,     0,     0,
       0,     0,    29,    31,     0,    11,     0,    10,    19,     0,
      16,    17,     0,    15,     0,    49,    61,     0,    58,    59,
      51,    52,    53,    54,    55,    56,    26,     0,     0,     0,
       0,    13,     0,     0,     0,     0,    22,     0,     0,    50,
       0,     0,    12,    20,    21,    18,     0,    46,    38,    14,
       0,    33,    63,    62,    60,     4,     0,    45,     0,    23,
      24,     0,     0,    47,    44,     0,     0,     0,     5,    39,
       0,     0,    34,    35,    38,     0,     0,    43,    25,     0,
       0,     0,    40,     0,     0,    37,    36,     6,    41,     0,
       0,    42
};

/* YYPGOTO[NTERM-NUM].  */
static const yytype_int8 yypgoto[] =
{
     -69,   -69,   -69,   -69,   -69,   108,    79,   -69,    59,   -69,
     -69,   -68,   -69,   -69,   -69,    10,    21,   -69,   -41,   -69,
     -14,   -69,   -69,    53
};

/* YYDEFGOTO[NTERM-NUM].  */
static const yytype_int8 yydefgoto[] =
{
       0,     1,     8,    36,    37,    19,    39,    40,    41,    81,
      89,    15,    34,    92,   102,   103,    88,    99,    64,    76,
      16,    47,    48,    49
};

/* YYTABLE[YYPACT[STATE-NUM]] -- What to do in state STATE-NUM.  If
   positive, shift that token.  If negative, reduce the rule whose
   number is the opposite.  If YYTABLE_NINF, syntax error.  */
static const yytype_int8 yytable[] =
{
      22,    94,    59,    66,    95,     9,    60,    46,    96,    97,
      12,    13,    90,    51,    52,    53,    54,    55,    94,    74,
      56,    95,    12,    45,    10,    96,    97,    98,     2,     3,
      14,    42,   108,     4,     5,     6,    44,    21,     7,    67,
      11,    43,    14,    86,   117,    73,    43,   113,    87,    77,
      17,   114,    18,    82,    83,    21,    46,    85,    23,    24,
      25,    26,    27,    28,    29,    30,    31,    29,    30,    31,
      57,    68,    93,   119,    32,    33,    27,    28,    29,    30,
      31,    35,    38,   107,    27,    28,    29,    30,    31,    58,
      50,   112,    61,    62,    63,   115,    69,    70,    71,   118,
      27,    28,    29,    30,    31,    72,   121,    78,    79,    80,
     101,    91,   104,   100,   105,   106,   109,   120,   110,    20,
     116,    75,    65,    84,     0,   111
};

static const yytype_int8 yycheck[] =
{
      14,     1,    25,    44,     4,     4,    29,    21,     8,     9,
       3,     4,    80,    27,    28,    29,    30,    31,     1,    60,
      34,     4,     3,     4,     4,     8,     9,    27,     0,     1,
      23,    13,   100,     5,     6,     7,    13,    23,    10,    25,
       4,    23,    23,    28,    27,    59,    23,    25,    33,    63,
      23,    29,    23,    67,    68,    23,    70,    71,    14,    15,
      16,    17,    18,    19,    20,    21,    22,    20,    21,    22,
      24,    13,    86,   114,    30,    31,    18,    19,    20,    21,
      22,     4,     4,    97,    18,    19,    20,    21,    22,    28,
      24,   105,    24,    28,    32,   109,    24,    28,    25,   113,
      18,    19,    20,    21,    22,     4,   120,    26,    24,    11,
       4,    12,    26,    28,    25,     4,    25,    25,    28,    11,
     110,    62,    43,    70,    -1,   104
};

/* YYSTOS[STATE-NUM] -- The symbol kind of the accessing symbol of
   state STATE-NUM.  */
static const yytype_int8 yystos[] =
{
       0,    35,     0,     1,     5,     6,     7,    10,    36,     4,
       4,     4,     3,     4,    23,    45,    54,    23,    23,    39,
      39,    23,    54,    14,    15,    16,    17,    18,    19,    20,
      21,    22,    30,    31,    46,     4,    37,    38,     4,    40,
      41,    42,    13,    23,    13,     4,    54,    55,    56,    57,
      24,    54,    54,    54,    54,    54,    54,    24,    28,    25,
      29,    24,    28,    32,    52,    40,    52,    25,    13,    24,
      28,    25,     4,    54,    52,    42,    53,    54,    26,    24,
      11,    43,    54,    54,    57,    54,    28,    33,    50,    44,
      45,    12,    47,    54,     1,     4,     8,     9,    27,    51,
      28,     4,    48,    49,    26,    25,     4,    54,    45,    25,
      28,    50,    54,    25,    29,    54,    49,    27,    54,    52,
      25,    54
};

/* YYR1[RULE-NUM] -- Symbol kind of the left-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr1[] =
{
       0,    34,    35,    35,    36,    36,    36,    36,    36,    37,
      37,    38,    38,    39,    39,    40,    40,    41,    41,    42,
      42,    42,    43,    43,    44,    44,    45,    46,    46,    46,
      46,    46,    46,    47,    47,    48,    48,    49,    50,    50,
      51,    51,    51,    51,    51,    52,    53,    53,    54,    54,
      54,    54,    54,    54,    54,    54,    54,    55,    55,    56,
      56,    57,    57,    57
};

/* YYR2[RULE-NUM] -- Number of symbols on the right-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr2[] =
{
       0,     2,     0,     2,     7,     8,    10,     2,     1,     0,
       1,     1,     3,     3,     4,     0,     1,     1,     3,     1,
       3,     3,     0,     2,     1,     3,     3,     1,     1,     1,
       1,     1,     1,     0,     2,     1,     3,     3,     0,     2,
       3,     4,     6,     2,     1,     3,     1,     3,     1,     1,
       4,     3,     3,     3,     3,     3,     3,     0,     1,     1,
       3,     1,     3,     3
};


enum { YYENOMEM = -2 };

#define yyerrok         (yyerrstatus = 0)
#define yyclearin       (yychar = YYEMPTY)

#define YYACCEPT        goto yyacceptlab
#define YYABORT         goto yyabortlab
#define YYERROR         goto yyerrorlab
#define YYNOMEM         goto yyexhaustedlab


#define YYRECOVERING()  (!!yyerrstatus)

#define YYBACKUP(Token, Value)                                    \
  do                                                              \
    if (yychar == YYEMPTY)                                        \
      {                                                           \
        yychar = (Token);                                         \
        yylval = (Value);                                         \
        YYPOPSTACK (yylen);                                       \
        yystate = *yyssp;                                         \
        YY_LAC_DISCARD ("YYBACKUP");                              \
        goto yybackup;                                            \
      }                                                           \
    else                                                          \
      {                                                           \
        yyerror (&yylloc, P, YY_("syntax error: cannot back up")); \
        YYERROR;                                                  \
      }                                                           \
  while (0)

/* Backward compatibility with an undocumented macro.
   Use YYerror or YYUNDEF. */
#define YYERRCODE YYUNDEF

/* YYLLOC_DEFAULT -- Set CURRENT to span from RHS[1] to RHS[N].
   If N is 0, then set CURRENT to the empty location which ends
   the previous symbol: RHS[0] (always defined).  */

#ifndef YYLLOC_DEFAULT
# define YYLLOC_DEFAULT(Current, Rhs, N)                                \
    do                                                                  \
      if (N)                                                            \
        {                                                               \
          (Current).first_line   = YYRHSLOC (Rhs, 1).first_line;        \
          (Current).first_column = YYRHSLOC (Rhs, 1).first_column;      \
          (Current).last_line    = YYRHSLOC (Rhs, N).last_line;         \
          (Current).last_column  = YYRHSLOC (Rhs, N).last_column;       \
        }                                                               \
      else                                                              \
        {                                                               \
          (Current).first_line   = (Current).last_line   =              \
            YYRHSLOC (Rhs, 0).last_line;                                \
          (Current).first_column = (Current).last_column =              \
            YYRHSLOC (Rhs, 0).last_column;                              \
        }                                                               \
    while (0)
#endif

#define YYRHSLOC(Rhs, K) ((Rhs)[K])


/* Enable debugging if requested.  */
#if YYDEBUG

# ifndef YYFPRINTF
#  include <stdio.h> /* INFRINGES ON USER NAME SPACE */
#  define YYFPRINTF fprintf
# endif

# define YYDPRINTF(Args)                        \
do {                                            \
  if (yydebug)                                  \
    YYFPRINTF Args;                             \
} while (0)


/* YYLOCATION_PRINT -- Print the location on the stream.
   This macro was not mandated originally: define only if we know
   we won't break user code: when these are the locations we know.  */

# ifndef YYLOCATION_PRINT

#  if defined YY_LOCATION_PRINT

   /* Temporary convenience wrapper in case some people defined the
      undocumented and private YY_LOCATION_PRINT macros.  */
#   define YYLOCATION_PRINT(File, Loc)  YY_LOCATION_PRINT(File, *(Loc))

#  elif defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL

/* Print *YYLOCP on YYO.  Private, do not rely on its existence. */

YY_ATTRIBUTE_UNUSED
static int
yy_location_print_ (FILE *yyo, YYLTYPE const * const yylocp)
{
  int res = 0;
  int end_col = 0 != yylocp->last_column ? yylocp->last_column - 1 : 0;
  if (0 <= yylocp->first_line)
    {
      res += YYFPRINTF (yyo, "%d", yylocp->first_line);
      if (0 <= yylocp->first_column)
        res += YYFPRINTF (yyo, ".%d", yylocp->first_column);
    }
  if (0 <= yylocp->last_line)
    {
      if (yylocp->first_line < yylocp->last_line)
        {
          res += YYFPRINTF (yyo, "-%d", yylocp->last_line);
          if (0 <= end_col)
            res += YYFPRINTF (yyo, ".%d", end_col);
        }
      else if (0 <= end_col && yylocp->first_column < end_col)
        res += YYFPRINTF (yyo, "-%d", end_col);
    }
  return res;
}

#   define YYLOCATION_PRINT  yy_location_print_

    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT(File, Loc)  YYLOCATION_PRINT(File, &(Loc))

#  else

#   define YYLOCATION_PRINT(File, Loc) ((void) 0)
    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT  YYLOCATION_PRINT

#  endif
# endif /* !defined YYLOCATION_PRINT */


# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)                    \
do {                                                                      \
  if (yydebug)                                                            \
    {                                                                     \
      YYFPRINTF (stderr, "%s ", Title);                                   \
      yy_symbol_print (stderr,                                            \
                  Kind, Value, Location, P); \
      YYFPRINTF (stderr, "\n");                                           \
    }                                                                     \
} while (0)


/*-----------------------------------.
| Print this symbol's value on YYO.  |
`-----------------------------------*/

static void
yy_symbol_value_print (FILE *yyo,
                       yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, Parser *P)
{
  FILE *yyoutput = yyo;
  YY_USE (yyoutput);
  YY_USE (yylocationp);
  YY_USE (P);
  if (!yyvaluep)
    return;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/*---------------------------.
| Print this symbol on YYO.  |
`---------------------------*/

static void
yy_symbol_print (FILE *yyo,
                 yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp, Parser *P)
{
  YYFPRINTF (yyo, "%s %s (",
             yykind < YYNTOKENS ? "token" : "nterm", yysymbol_name (yykind));

  YYLOCATION_PRINT (yyo, yylocationp);
  YYFPRINTF (yyo, ": ");
  yy_symbol_value_print (yyo, yykind, yyvaluep, yylocationp, P);
  YYFPRINTF (yyo, ")");
}

/*------------------------------------------------------------------.
| yy_stack_print -- Print the state stack from its BOTTOM up to its |
| TOP (included).                                                   |
`------------------------------------------------------------------*/

static void
yy_stack_print (yy_state_t *yybottom, yy_state_t *yytop)
{
  YYFPRINTF (stderr, "Stack now");
  for (; yybottom <= yytop; yybottom++)
    {
      int yybot = *yybottom;
      YYFPRINTF (stderr, " %d", yybot);
    }
  YYFPRINTF (stderr, "\n");
}

# define YY_STACK_PRINT(Bottom, Top)                            \
do {                                                            \
  if (yydebug)                                                  \
    yy_stack_print ((Bottom), (Top));                           \
} while (0)


/*------------------------------------------------.
| Report that the YYRULE is going to be reduced.  |
`------------------------------------------------*/

static void
yy_reduce_print (yy_state_t *yyssp, YYSTYPE *yyvsp, YYLTYPE *yylsp,
                 int yyrule, Parser *P)
{
  int yylno = yyrline[yyrule];
  int yynrhs = yyr2[yyrule];
  int yyi;
  YYFPRINTF (stderr, "Reducing stack by rule %d (line %d):\n",
             yyrule - 1, yylno);
  /* The symbols being reduced.  */
  for (yyi = 0; yyi < yynrhs; yyi++)
    {
      YYFPRINTF (stderr, "   $%d = ", yyi + 1);
      yy_symbol_print (stderr,
                       YY_ACCESSING_SYMBOL (+yyssp[yyi + 1 - yynrhs]),
                       &yyvsp[(yyi + 1) - (yynrhs)],
                       &(yylsp[(yyi + 1) - (yynrhs)]), P);
      YYFPRINTF (stderr, "\n");
    }
}

# define YY_REDUCE_PRINT(Rule)          \
do {                                    \
  if (yydebug)                          \
    yy_reduce_print (yyssp, yyvsp, yylsp, Rule, P); \
} while (0)

/* Nonzero means print parse trace.  It is left uninitialized so that
   multiple parsers can coexist.  */
int yydebug;
#else /* !YYDEBUG */
# define YYDPRINTF(Args) ((void) 0)
# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)
# define YY_STACK_PRINT(Bottom, Top)
# define YY_REDUCE_PRINT(Rule)
#endif /* !YYDEBUG */


/* YYINITDEPTH -- initial size of the parser's stacks.  */
#ifndef YYINITDEPTH
# define YYINITDEPTH 200
#endif

/* YYMAXDEPTH -- maximum size the stacks can grow to (effective only
   if the built-in stack extension method is used).

   Do not make this value too large; the results are undefined if
   YYSTACK_ALLOC_MAXIMUM < YYSTACK_BYTES (YYMAXDEPTH)
   evaluated with infinite-precision integer arithmetic.  */

#ifndef YYMAXDEPTH
# define YYMAXDEPTH 10000
#endif


/* Given a state stack such that *YYBOTTOM is its bottom, such that
   *YYTOP is either its top or is YYTOP_EMPTY to indicate an empty
   stack, and such that *YYCAPACITY is the maximum number of elements it
   can hold without a reallocation, make sure there is enough room to
   store YYADD more elements.  If not, allocate a new stack using
   YYSTACK_ALLOC, copy the existing elements, and adjust *YYBOTTOM,
   *YYTOP, and *YYCAPACITY to reflect the new capacity and memory
   location.  If *YYBOTTOM != YYBOTTOM_NO_FREE, then free the old stack
   using YYSTACK_FREE.  Return 0 if successful or if no reallocation is
   required.  Return YYENOMEM if memory is exhausted.  */
static int
yy_lac_stack_realloc (YYPTRDIFF_T *yycapacity, YYPTRDIFF_T yyadd,
#if YYDEBUG
                      char const *yydebug_prefix,
                      char const *yydebug_suffix,
#endif
                      yy_state_t **yybottom,
                      yy_state_t *yybottom_no_free,
                      yy_state_t **yytop, yy_state_t *yytop_empty)
{
  YYPTRDIFF_T yysize_old =
    *yytop == yytop_empty ? 0 : *yytop - *yybottom + 1;
  YYPTRDIFF_T yysize_new = yysize_old + yyadd;
  if (*yycapacity < yysize_new)
    {
      YYPTRDIFF_T yyalloc = 2 * yysize_new;
      yy_state_t *yybottom_new;
      /* Use YYMAXDEPTH for maximum stack size given that the stack
         should never need to grow larger than the main state stack
         needs to grow without LAC.  */
      if (YYMAXDEPTH < yysize_new)
        {
          YYDPRINTF ((stderr, "%smax size exceeded%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (YYMAXDEPTH < yyalloc)
        yyalloc = YYMAXDEPTH;
      yybottom_new =
        YY_CAST (yy_state_t *,
                 YYSTACK_ALLOC (YY_CAST (YYSIZE_T,
                                         yyalloc * YYSIZEOF (*yybottom_new))));
      if (!yybottom_new)
        {
          YYDPRINTF ((stderr, "%srealloc failed%s", yydebug_prefix,
                      yydebug_suffix));
          return YYENOMEM;
        }
      if (*yytop != yytop_empty)
        {
          YYCOPY (yybottom_new, *yybottom, yysize_old);
          *yytop = yybottom_new + (yysize_old - 1);
        }
      if (*yybottom != yybottom_no_free)
        YYSTACK_FREE (*yybottom);
      *yybottom = yybottom_new;
      *yycapacity = yyalloc;
    }
  return 0;
}

/* Establish the initial context for the current lookahead if no initial
   context is currently established.

   We define a context as a snapshot of the parser stacks.  We define
   the initial context for a lookahead as the context in which the
   parser initially examines that lookahead in order to select a
   syntactic action.  Thus, if the lookahead eventually proves
   syntactically unacceptable (possibly in a later context reached via a
   series of reductions), the initial context can be used to determine
   the exact set of tokens that would be syntactically acceptable in the
   lookahead's place.  Moreover, it is the context after which any
   further semantic actions would be erroneous because they would be
   determined by a syntactically unacceptable token.

   YY_LAC_ESTABLISH should be invoked when a reduction is about to be
   performed in an inconsistent state (which, for the purposes of LAC,
   includes consistent states that don't know they're consistent because
   their default reductions have been disabled).  Iff there is a
   lookahead token, it should also be invoked before reporting a syntax
   error.  This latter case is for the sake of the debugging output.

   For parse.lac=full, the implementation of YY_LAC_ESTABLISH is as
   follows.  If no initial context is currently established for the
   current lookahead, then check if that lookahead can eventually be
   shifted if syntactic actions continue from the current context.
   Report a syntax error if it cannot.  */
#define YY_LAC_ESTABLISH                                                \
do {                                                                    \
  if (!yy_lac_established)                                              \
    {                                                                   \
      YYDPRINTF ((stderr,                                               \
                  "LAC: initial context established for %s\n",          \
                  yysymbol_name (yytoken)));                            \
      yy_lac_established = 1;                                           \
      switch (yy_lac (yyesa, &yyes, &yyes_capacity, yyssp, yytoken))    \
        {                                                               \
        case YYENOMEM:                                                  \
          YYNOMEM;                                                      \
        case 1:                                                         \
          goto yyerrlab;                                                \
        }                                                               \
    }                                                                   \
} while (0)

/* Discard any previous initial lookahead context because of Event,
   which may be a lookahead change or an invalidation of the currently
   established initial context for the current lookahead.

   The most common example of a lookahead change is a shift.  An example
   of both cases is syntax error recovery.  That is, a syntax error
   occurs when the lookahead is syntactically erroneous for the
   currently established initial context, so error recovery manipulates
   the parser stacks to try to find a new initial context in which the
   current lookahead is syntactically acceptable.  If it fails to find
   such a context, it discards the lookahead.  */
#if YYDEBUG
# define YY_LAC_DISCARD(Event)                                           \
do {                                                                     \
  if (yy_lac_established)                                                \
    {                                                                    \
      YYDPRINTF ((stderr, "LAC: initial context discarded due to "       \
                  Event "\n"));                                          \
      yy_lac_established = 0;                                            \
    }                                                                    \
} while (0)
#else
# define YY_LAC_DISCARD(Event) yy_lac_established = 0
#endif

/* Given the stack whose top is *YYSSP, return 0 iff YYTOKEN can
   eventually (after perhaps some reductions) be shifted, return 1 if
   not, or return YYENOMEM if memory is exhausted.  As preconditions and
   postconditions: *YYES_CAPACITY is the allocated size of the array to
   which *YYES points, and either *YYES = YYESA or *YYES points to an
   array allocated with YYSTACK_ALLOC.  yy_lac may overwrite the
   contents of either array, alter *YYES and *YYES_CAPACITY, and free
   any old *YYES other than YYESA.  */
static int
yy_lac (yy_state_t *yyesa, yy_state_t **yyes,
        YYPTRDIFF_T *yyes_capacity, yy_state_t *yyssp, yysymbol_kind_t yytoken)
{
  yy_state_t *yyes_prev = yyssp;
  yy_state_t *yyesp = yyes_prev;
  /* Reduce until we encounter a shift and thereby accept the token.  */
  YYDPRINTF ((stderr, "LAC: checking lookahead %s:", yysymbol_name (yytoken)));
  if (yytoken == YYSYMBOL_YYUNDEF)
    {
      YYDPRINTF ((stderr, " Always Err\n"));
      return 1;
    }
  while (1)
    {
      int yyrule = yypact[+*yyesp];
      if (yypact_value_is_default (yyrule)
          || (yyrule += yytoken) < 0 || YYLAST < yyrule
          || yycheck[yyrule] != yytoken)
        {
          /* Use the default action.  */
          yyrule = yydefact[+*yyesp];
          if (yyrule == 0)
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
        }
      else
        {
          /* Use the action from yytable.  */
          yyrule = yytable[yyrule];
          if (yytable_value_is_error (yyrule))
            {
              YYDPRINTF ((stderr, " Err\n"));
              return 1;
            }
          if (0 < yyrule)
            {
              YYDPRINTF ((stderr, " S%d\n", yyrule));
              return 0;
            }
          yyrule = -yyrule;
        }
      /* By now we know we have to simulate a reduce.  */
      YYDPRINTF ((stderr, " R%d", yyrule - 1));
      {
        /* Pop the corresponding number of values from the stack.  */
        YYPTRDIFF_T yylen = yyr2[yyrule];
        /* First pop from the LAC stack as many tokens as possible.  */
        if (yyesp != yyes_prev)
          {
            YYPTRDIFF_T yysize = yyesp - *yyes + 1;
            if (yylen < yysize)
              {
                yyesp -= yylen;
                yylen = 0;
              }
            else
              {
                yyesp = yyes_prev;
                yylen -= yysize;
              }
          }
        /* Only afterwards look at the main stack.  */
        if (yylen)
          yyesp = yyes_prev -= yylen;
      }
      /* Push the resulting state of the reduction.  */
      {
        yy_state_fast_t yystate;
        {
          const int yylhs = yyr1[yyrule] - YYNTOKENS;
          const int yyi = yypgoto[yylhs] + *yyesp;
          yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyesp
                     ? yytable[yyi]
                     : yydefgoto[yylhs]);
        }
        if (yyesp == yyes_prev)
          {
            yyesp = *yyes;
            YY_IGNORE_USELESS_CAST_BEGIN
            *yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        else
          {
            if (yy_lac_stack_realloc (yyes_capacity, 1,
#if YYDEBUG
                                      " (", ")",
#endif
                                      yyes, yyesa, &yyesp, yyes_prev))
              {
                YYDPRINTF ((stderr, "\n"));
                return YYENOMEM;
              }
            YY_IGNORE_USELESS_CAST_BEGIN
            *++yyesp = YY_CAST (yy_state_t, yystate);
            YY_IGNORE_USELESS_CAST_END
          }
        YYDPRINTF ((stderr, " G%d", yystate));
      }
    }
}

/* Context of a parse error.  */
typedef struct
{
  yy_state_t *yyssp;
  yy_state_t *yyesa;
  yy_state_t **yyes;
  YYPTRDIFF_T *yyes_capacity;
  yysymbol_kind_t yytoken;
  YYLTYPE *yylloc;
} yypcontext_t;

/* Put in YYARG at most YYARGN of the expected tokens given the
   current YYCTX, and return the number of tokens stored in YYARG.  If
   YYARG is null, return the number of expected tokens (guaranteed to
   be less than YYNTOKENS).  Return YYENOMEM on memory exhaustion.
   Return 0 if there are more than YYARGN expected tokens, yet fill
   YYARG up to YYARGN. */
static int
yypcontext_expected_tokens (const yypcontext_t *yyctx,
                            yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;

  int yyx;
  for (yyx = 0; yyx < YYNTOKENS; ++yyx)
    {
      yysymbol_kind_t yysym = YY_CAST (yysymbol_kind_t, yyx);
      if (yysym != YYSYMBOL_YYerror && yysym != YYSYMBOL_YYUNDEF)
        switch (yy_lac (yyctx->yyesa, yyctx->yyes, yyctx->yyes_capacity, yyctx->yyssp, yysym))
          {
          case YYENOMEM:
            return YYENOMEM;
          case 1:
            continue;
          default:
            if (!yyarg)
              ++yycount;
            else if (yycount == yyargn)
              return 0;
            else
              yyarg[yycount++] = yysym;
          }
    }
  if (yyarg && yycount == 0 && 0 < yyargn)
    yyarg[0] = YYSYMBOL_YYEMPTY;
  return yycount;
}




/* The kind of the lookahead of this context.  */
static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx)
{
  return yyctx->yytoken;
}

/* The location of the lookahead of this context.  */
static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx)
{
  return yyctx->yylloc;
}

/* User defined function to report a syntax error.  */
static int
yyreport_syntax_error (const yypcontext_t *yyctx, Parser *P);

/*-----------------------------------------------.
| Release the memory associated to this symbol.  |
`-----------------------------------------------*/

static void
yydestruct (const char *yymsg,
            yysymbol_kind_t yykind, YYSTYPE *yyvaluep, YYLTYPE *yylocationp, Parser *P)
{
  YY_USE (yyvaluep);
  YY_USE (yylocationp);
  YY_USE (P);
  if (!yymsg)
    yymsg = "Deleting";
  YY_SYMBOL_PRINT (yymsg, yykind, yyvaluep, yylocationp);

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}






/*----------.
| yyparse.  |
`----------*/

int
yyparse (Parser *P)
{
/* Lookahead token kind.  */
int yychar;


/* The semantic value of the lookahead symbol.  */
/* Default value used for initialization, for pacifying older GCCs
   or non-GCC compilers.  */
YY_INITIAL_VALUE (static YYSTYPE yyval_default;)
YYSTYPE yylval YY_INITIAL_VALUE (= yyval_default);

/* Location data for the lookahead symbol.  */
static YYLTYPE yyloc_default
# if defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL
  = { 1, 1, 1, 1 }
# endif
;
YYLTYPE yylloc = yyloc_default;

    /* Number of syntax errors so far.  */
    int yynerrs = 0;

    yy_state_fast_t yystate = 0;
    /* Number of tokens to shift before error messages enabled.  */
    int yyerrstatus = 0;

    /* Refer to the stacks through separate pointers, to allow yyoverflow
       to reallocate them elsewhere.  */

    /* Their size.  */
    YYPTRDIFF_T yystacksize = YYINITDEPTH;

    /* The state stack: array, bottom, top.  */
    yy_state_t yyssa[YYINITDEPTH];
    yy_state_t *yyss = yyssa;
    yy_state_t *yyssp = yyss;

    /* The semantic value stack: array, bottom, top.  */
    YYSTYPE yyvsa[YYINITDEPTH];
    YYSTYPE *yyvs = yyvsa;
    YYSTYPE *yyvsp = yyvs;

    /* The location stack: array, bottom, top.  */
    YYLTYPE yylsa[YYINITDEPTH];
    YYLTYPE *yyls = yylsa;
    YYLTYPE *yylsp = yyls;

    yy_state_t yyesa[20];
    yy_state_t *yyes = yyesa;
    YYPTRDIFF_T yyes_capacity = 20 < YYMAXDEPTH ? 20 : YYMAXDEPTH;

  /* Whether LAC context is established.  A Boolean.  */
  int yy_lac_established = 0;
  int yyn;
  /* The return value of yyparse.  */
  int yyresult;
  /* Lookahead symbol kind.  */
  yysymbol_kind_t yytoken = YYSYMBOL_YYEMPTY;
  /* The variables used to return semantic value and location from the
     action routines.  */
  YYSTYPE yyval;
  YYLTYPE yyloc;

  /* The locations where the error started and ended.  */
  YYLTYPE yyerror_range[3];



#define YYPOPSTACK(N)   (yyvsp -= (N), yyssp -= (N), yylsp -= (N))

  /* The number of symbols on the RHS of the reduced rule.
     Keep to zero when no symbol should be popped.  */
  int yylen = 0;

  YYDPRINTF ((stderr, "Starting parse\n"));

  yychar = YYEMPTY; /* Cause a token to be read.  */

  yylsp[0] = yylloc;
  goto yysetstate;


/*------------------------------------------------------------.
| yynewstate -- push a new state, which is found in yystate.  |
`------------------------------------------------------------*/
yynewstate:
  /* In all cases, when you get here, the value and location stacks
     have just been pushed.  So pushing a state here evens the stacks.  */
  yyssp++;


/*--------------------------------------------------------------------.
| yysetstate -- set current state (the top of the stack) to yystate.  |
`--------------------------------------------------------------------*/
yysetstate:
  YYDPRINTF ((stderr, "Entering state %d\n", yystate));
  YY_ASSERT (0 <= yystate && yystate < YYNSTATES);
  YY_IGNORE_USELESS_CAST_BEGIN
  *yyssp = YY_CAST (yy_state_t, yystate);
  YY_IGNORE_USELESS_CAST_END
  YY_STACK_PRINT (yyss, yyssp);

  if (yyss + yystacksize - 1 <= yyssp)
#if !defined yyoverflow && !defined YYSTACK_RELOCATE
    YYNOMEM;
#else
    {
      /* Get the current used size of the three stacks, in elements.  */
      YYPTRDIFF_T yysize = yyssp - yyss + 1;

# if defined yyoverflow
      {
        /* Give user a chance to reallocate the stack.  Use copies of
           these so that the &'s don't force the real ones into
           memory.  */
        yy_state_t *yyss1 = yyss;
        YYSTYPE *yyvs1 = yyvs;
        YYLTYPE *yyls1 = yyls;

        /* Each stack pointer address is followed by the size of the
           data in use in that stack, in bytes.  This used to be a
           conditional around just the two extra args, but that might
           be undefined if yyoverflow is a macro.  */
        yyoverflow (YY_("memory exhausted"),
                    &yyss1, yysize * YYSIZEOF (*yyssp),
                    &yyvs1, yysize * YYSIZEOF (*yyvsp),
                    &yyls1, yysize * YYSIZEOF (*yylsp),
                    &yystacksize);
        yyss = yyss1;
        yyvs = yyvs1;
        yyls = yyls1;
      }
# else /* defined YYSTACK_RELOCATE */
      /* Extend the stack our own way.  */
      if (YYMAXDEPTH <= yystacksize)
        YYNOMEM;
      yystacksize *= 2;
      if (YYMAXDEPTH < yystacksize)
        yystacksize = YYMAXDEPTH;

      {
        yy_state_t *yyss1 = yyss;
        union yyalloc *yyptr =
          YY_CAST (union yyalloc *,
                   YYSTACK_ALLOC (YY_CAST (YYSIZE_T, YYSTACK_BYTES (yystacksize))));
        if (! yyptr)
          YYNOMEM;
        YYSTACK_RELOCATE (yyss_alloc, yyss);
        YYSTACK_RELOCATE (yyvs_alloc, yyvs);
        YYSTACK_RELOCATE (yyls_alloc, yyls);
#  undef YYSTACK_RELOCATE
        if (yyss1 != yyssa)
          YYSTACK_FREE (yyss1);
      }
# endif

      yyssp = yyss + yysize - 1;
      yyvsp = yyvs + yysize - 1;
      yylsp = yyls + yysize - 1;

      YY_IGNORE_USELESS_CAST_BEGIN
      YYDPRINTF ((stderr, "Stack size increased to %ld\n",
                  YY_CAST (long, yystacksize)));
      YY_IGNORE_USELESS_CAST_END

      if (yyss + yystacksize - 1 <= yyssp)
        YYABORT;
    }
#endif /* !defined yyoverflow && !defined YYSTACK_RELOCATE */


  if (yystate == YYFINAL)
    YYACCEPT;

  goto yybackup;


/*-----------.
| yybackup.  |
`-----------*/
yybackup:
  /* Do appropriate processing given the current state.  Read a
     lookahead token if we need one and don't already have one.  */

  /* First try to decide what to do without reference to lookahead token.  */
  yyn = yypact[yystate];
  if (yypact_value_is_default (yyn))
    goto yydefault;

  /* Not known => get a lookahead token if don't already have one.  */

  /* YYCHAR is either empty, or end-of-input, or a valid lookahead.  */
  if (yychar == YYEMPTY)
    {
      YYDPRINTF ((stderr, "Reading a token\n"));
      yychar = yylex (&yylval, &yylloc, P);
    }

  if (yychar <= YYEOF)
    {
      yychar = YYEOF;
      yytoken = YYSYMBOL_YYEOF;
      YYDPRINTF ((stderr, "Now at end of input.\n"));
    }
  else if (yychar == YYerror)
    {
      /* The scanner already issued an error message, process directly
         to error recovery.  But do not keep the error token as
         lookahead, it is too special and may lead us to an endless
         loop in error recovery. */
      yychar = YYUNDEF;
      yytoken = YYSYMBOL_YYerror;
      yyerror_range[1] = yylloc;
      goto yyerrlab1;
    }
  else
    {
      yytoken = YYTRANSLATE (yychar);
      YY_SYMBOL_PRINT ("Next token is", yytoken, &yylval, &yylloc);
    }

  /* If the proper action on seeing token YYTOKEN is to reduce or to
     detect an error, take that action.  */
  yyn += yytoken;
  if (yyn < 0 || YYLAST < yyn || yycheck[yyn] != yytoken)
    {
      YY_LAC_ESTABLISH;
      goto yydefault;
    }
  yyn = yytable[yyn];
  if (yyn <= 0)
    {
      if (yytable_value_is_error (yyn))
        goto yyerrlab;
      yyn = -yyn;
      YY_LAC_ESTABLISH;
      goto yyreduce;
    }

  /* Count tokens shifted since error; after three, turn off error
     status.  */
  if (yyerrstatus)
    yyerrstatus--;

  /* Shift the lookahead token.  */
  YY_SYMBOL_PRINT ("Shifting", yytoken, &yylval, &yylloc);
  yystate = yyn;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END
  *++yylsp = yylloc;

  /* Discard the shifted token.  */
  yychar = YYEMPTY;
  YY_LAC_DISCARD ("shift");
  goto yynewstate;


/*-----------------------------------------------------------.
| yydefault -- do the default action for the current state.  |
`-----------------------------------------------------------*/
yydefault:
  yyn = yydefact[yystate];
  if (yyn == 0)
    goto yyerrlab;
  goto yyreduce;


/*-----------------------------.
| yyreduce -- do a reduction.  |
`-----------------------------*/
yyreduce:
  /* yyn is the number of a rule to reduce with.  */
  yylen = yyr2[yyn];

  /* If YYLEN is nonzero, implement the default value of the action:
     '$$ = $1'.

     Otherwise, the following line sets YYVAL to garbage.
     This behavior is undocumented and Bison
     users should not rely upon it.  Assigning to YYVAL
     unconditionally makes the parser a bit smaller, and it avoids a
     GCC warning that YYVAL may be used uninitialized.  */
  yyval = yyvsp[1-yylen];

  /* Default location. */
  YYLLOC_DEFAULT (yyloc, (yylsp - yylen), yylen);
  yyerror_range[1] = yyloc;
  YY_REDUCE_PRINT (yyn);
  {
    int yychar_backup = yychar;
    switch (yyn)
      {
  case 3: /* program: program item  */
#line 205 "compiler/parser.y"
                        { if ((yyvsp[0].item)) vec_push(&P->items, (yyvsp[0].item)); }
#line 1746 "build/parser.c"
    break;

  case 4: /* item: "'dim'" "name" '(' idents_opt ')' '=' expr  */
#line 209 "compiler/parser.y"
                                          {
        (yyval.item) = new_item(P, IT_DIM, (yyvsp[-5].str), (yylsp[-5]), (yyloc));
        (yyval.item)->params = param_array((yyvsp[-3].vec), &(yyval.item)->nparams);
        (yyval.item)->result = (yyvsp[0].node);
    }
#line 1756 "build/parser.c"
    break;

  case 5: /* item: "'block'" "name" groups "'->'" shape '{' stmts '}'  */
#line 214 "compiler/parser.y"
                                                 {
        (yyval.item) = new_item(P, IT_BLOCK, (yyvsp[-6].str), (yylsp[-6]), (yyloc));
        set_groups((yyval.item), (yyvsp[-5].vec));
        (yyval.item)->result = (yyvsp[-3].node);
        if ((yyval.item)->nbody < 0) error_at(sp(P, (yylsp[-5])), "a block has at most two parameter lists: (integer parameters)(tensor inputs)");
        set_body((yyval.item), (yyvsp[-1].vec));
    }
#line 1768 "build/parser.c"
    break;

  case 6: /* item: "'model'" "name" groups "'->'" shape where_opt defaults_opt '{' stmts '}'  */
#line 221 "compiler/parser.y"
                                                                        {
        (yyval.item) = new_item(P, IT_MODEL, (yyvsp[-8].str), (yylsp[-8]), (yyloc));
        set_groups((yyval.item), (yyvsp[-7].vec));
        (yyval.item)->result = (yyvsp[-5].node);
        if ((yyval.item)->nbody < 0) error_at(sp(P, (yylsp[-7])), "a model has at most two parameter lists: (integer parameters)(tensor input)");
        (yyval.item)->where = (Node **)vec_array((yyvsp[-4].vec), &(yyval.item)->nwhere);
        (yyval.item)->defaults = param_array((yyvsp[-3].vec), &(yyval.item)->ndefaults);
        set_body((yyval.item), (yyvsp[-1].vec));
    }
#line 1782 "build/parser.c"
    break;

  case 7: /* item: "'assert'" cond  */
#line 230 "compiler/parser.y"
                {
        (yyval.item) = new_item(P, IT_ASSERT, "assert", (yylsp[-1]), (yyloc));
        (yyval.item)->result = (yyvsp[0].node);
    }
#line 1791 "build/parser.c"
    break;

  case 8: /* item: error  */
#line 234 "compiler/parser.y"
          { (yyval.item) = NULL; sync_opens(P, false); }
#line 1797 "build/parser.c"
    break;

  case 9: /* idents_opt: %empty  */
#line 238 "compiler/parser.y"
                        { (yyval.vec) = new_vec(NULL); }
#line 1803 "build/parser.c"
    break;

  case 11: /* idents: "name"  */
#line 243 "compiler/parser.y"
                        { (yyval.vec) = new_vec(new_param(P, (yyvsp[0].str), (yylsp[0]), NULL, NULL)); }
#line 1809 "build/parser.c"
    break;

  case 12: /* idents: idents ',' "name"  */
#line 244 "compiler/parser.y"
                        { vec_push((yyvsp[-2].vec), new_param(P, (yyvsp[0].str), (yylsp[0]), NULL, NULL)); (yyval.vec) = (yyvsp[-2].vec); }
#line 1815 "build/parser.c"
    break;

  case 13: /* groups: '(' formals_opt ')'  */
#line 248 "compiler/parser.y"
                                { (yyval.vec) = new_vec((yyvsp[-1].vec)); }
#line 1821 "build/parser.c"
    break;

  case 14: /* groups: groups '(' formals_opt ')'  */
#line 249 "compiler/parser.y"
                                { vec_push((yyvsp[-3].vec), (yyvsp[-1].vec)); (yyval.vec) = (yyvsp[-3].vec); }
#line 1827 "build/parser.c"
    break;

  case 15: /* formals_opt: %empty  */
#line 253 "compiler/parser.y"
                        { (yyval.vec) = new_vec(NULL); }
#line 1833 "build/parser.c"
    break;

  case 17: /* formals: formal  */
#line 258 "compiler/parser.y"
                        { (yyval.vec) = new_vec((yyvsp[0].param)); }
#line 1839 "build/parser.c"
    break;

  case 18: /* formals: formals ',' formal  */
#line 259 "compiler/parser.y"
                        { vec_push((yyvsp[-2].vec), (yyvsp[0].param)); (yyval.vec) = (yyvsp[-2].vec); }
#line 1845 "build/parser.c"
    break;

  case 19: /* formal: "name"  */
#line 263 "compiler/parser.y"
                        { (yyval.param) = new_param(P, (yyvsp[0].str), (yylsp[0]), NULL, NULL); }
#line 1851 "build/parser.c"
    break;

  case 20: /* formal: "name" '=' expr  */
#line 264 "compiler/parser.y"
                        { (yyval.param) = new_param(P, (yyvsp[-2].str), (yylsp[-2]), NULL, (yyvsp[0].node)); }
#line 1857 "build/parser.c"
    break;

  case 21: /* formal: "name" ':' shape  */
#line 265 "compiler/parser.y"
                        { (yyval.param) = new_param(P, (yyvsp[-2].str), (yylsp[-2]), (yyvsp[0].node), NULL); }
#line 1863 "build/parser.c"
    break;

  case 22: /* where_opt: %empty  */
#line 269 "compiler/parser.y"
                        { (yyval.vec) = NULL; }
#line 1869 "build/parser.c"
    break;

  case 23: /* where_opt: "'where'" conds  */
#line 270 "compiler/parser.y"
                        { (yyval.vec) = (yyvsp[0].vec); }
#line 1875 "build/parser.c"
    break;

  case 24: /* conds: cond  */
#line 274 "compiler/parser.y"
                        { (yyval.vec) = new_vec((yyvsp[0].node)); }
#line 1881 "build/parser.c"
    break;

  case 25: /* conds: conds ',' cond  */
#line 275 "compiler/parser.y"
                        { vec_push((yyvsp[-2].vec), (yyvsp[0].node)); (yyval.vec) = (yyvsp[-2].vec); }
#line 1887 "build/parser.c"
    break;

  case 26: /* cond: expr cmpop expr  */
#line 279 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_CMP, (yyvsp[-1].op), (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 1893 "build/parser.c"
    break;

  case 27: /* cmpop: "'=='"  */
#line 283 "compiler/parser.y"
        { (yyval.op) = CMP_EQ; }
#line 1899 "build/parser.c"
    break;

  case 28: /* cmpop: "'!='"  */
#line 284 "compiler/parser.y"
        { (yyval.op) = CMP_NE; }
#line 1905 "build/parser.c"
    break;

  case 29: /* cmpop: '<'  */
#line 285 "compiler/parser.y"
        { (yyval.op) = CMP_LT; }
#line 1911 "build/parser.c"
    break;

  case 30: /* cmpop: "'<='"  */
#line 286 "compiler/parser.y"
        { (yyval.op) = CMP_LE; }
#line 1917 "build/parser.c"
    break;

  case 31: /* cmpop: '>'  */
#line 287 "compiler/parser.y"
        { (yyval.op) = CMP_GT; }
#line 1923 "build/parser.c"
    break;

  case 32: /* cmpop: "'>='"  */
#line 288 "compiler/parser.y"
        { (yyval.op) = CMP_GE; }
#line 1929 "build/parser.c"
    break;

  case 33: /* defaults_opt: %empty  */
#line 292 "compiler/parser.y"
                        { (yyval.vec) = NULL; }
#line 1935 "build/parser.c"
    break;

  case 34: /* defaults_opt: "'default'" defaults  */
#line 293 "compiler/parser.y"
                        { (yyval.vec) = (yyvsp[0].vec); }
#line 1941 "build/parser.c"
    break;

  case 35: /* defaults: default  */
#line 297 "compiler/parser.y"
                        { (yyval.vec) = new_vec((yyvsp[0].param)); }
#line 1947 "build/parser.c"
    break;

  case 36: /* defaults: defaults ',' default  */
#line 298 "compiler/parser.y"
                         { vec_push((yyvsp[-2].vec), (yyvsp[0].param)); (yyval.vec) = (yyvsp[-2].vec); }
#line 1953 "build/parser.c"
    break;

  case 37: /* default: "name" '=' expr  */
#line 302 "compiler/parser.y"
                        { (yyval.param) = new_param(P, (yyvsp[-2].str), (yylsp[-2]), NULL, (yyvsp[0].node)); }
#line 1959 "build/parser.c"
    break;

  case 38: /* stmts: %empty  */
#line 306 "compiler/parser.y"
                        { (yyval.vec) = new_vec(NULL); }
#line 1965 "build/parser.c"
    break;

  case 39: /* stmts: stmts stmt  */
#line 307 "compiler/parser.y"
                        { if ((yyvsp[0].stmt)) vec_push((yyvsp[-1].vec), (yyvsp[0].stmt)); (yyval.vec) = (yyvsp[-1].vec); }
#line 1971 "build/parser.c"
    break;

  case 40: /* stmt: "name" '=' expr  */
#line 311 "compiler/parser.y"
                                  { (yyval.stmt) = new_stmt(P, ST_LAYER, (yyvsp[-2].str), (yylsp[-2]), NULL, (yyvsp[0].node), (yyloc)); }
#line 1977 "build/parser.c"
    break;

  case 41: /* stmt: "'let'" "name" '=' expr  */
#line 312 "compiler/parser.y"
                                  { (yyval.stmt) = new_stmt(P, ST_LET, (yyvsp[-2].str), (yylsp[-2]), NULL, (yyvsp[0].node), (yyloc)); }
#line 1983 "build/parser.c"
    break;

  case 42: /* stmt: "'let'" "name" ':' shape '=' expr  */
#line 313 "compiler/parser.y"
                                  { (yyval.stmt) = new_stmt(P, ST_LET, (yyvsp[-4].str), (yylsp[-4]), (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 1989 "build/parser.c"
    break;

  case 43: /* stmt: "'return'" expr  */
#line 314 "compiler/parser.y"
                                  { (yyval.stmt) = new_stmt(P, ST_RETURN, "return", (yylsp[-1]), NULL, (yyvsp[0].node), (yyloc)); }
#line 1995 "build/parser.c"
    break;

  case 44: /* stmt: error  */
#line 315 "compiler/parser.y"
                                  { (yyval.stmt) = NULL; sync_opens(P, true); }
#line 2001 "build/parser.c"
    break;

  case 45: /* shape: '[' exprs ']'  */
#line 319 "compiler/parser.y"
                        {
        (yyval.node) = new_node(P, ND_SHAPE, (yyloc));
        (yyval.node)->args = (Node **)vec_array((yyvsp[-1].vec), &(yyval.node)->nargs);
    }
#line 2010 "build/parser.c"
    break;

  case 46: /* exprs: expr  */
#line 326 "compiler/parser.y"
                        { (yyval.vec) = new_vec((yyvsp[0].node)); }
#line 2016 "build/parser.c"
    break;

  case 47: /* exprs: exprs ',' expr  */
#line 327 "compiler/parser.y"
                        { vec_push((yyvsp[-2].vec), (yyvsp[0].node)); (yyval.vec) = (yyvsp[-2].vec); }
#line 2022 "build/parser.c"
    break;

  case 48: /* expr: "integer"  */
#line 331 "compiler/parser.y"
                        { (yyval.node) = new_node(P, ND_NUM, (yyloc)); (yyval.node)->num = (yyvsp[0].num); }
#line 2028 "build/parser.c"
    break;

  case 49: /* expr: "name"  */
#line 332 "compiler/parser.y"
                        { (yyval.node) = new_node(P, ND_NAME, (yyloc)); (yyval.node)->name = (yyvsp[0].str); (yyval.node)->name_span = sp(P, (yylsp[0])); }
#line 2034 "build/parser.c"
    break;

  case 50: /* expr: "name" '(' args_opt ')'  */
#line 333 "compiler/parser.y"
                           {
        (yyval.node) = new_node(P, ND_CALL, (yyloc));
        (yyval.node)->name = (yyvsp[-3].str);
        (yyval.node)->name_span = sp(P, (yylsp[-3]));
        (yyval.node)->args = (Node **)vec_array((yyvsp[-1].vec), &(yyval.node)->nargs);
        (yyval.node)->has_parens = true;
    }
#line 2046 "build/parser.c"
    break;

  case 51: /* expr: '(' expr ')'  */
#line 340 "compiler/parser.y"
                        { (yyval.node) = (yyvsp[-1].node); (yyval.node)->span = sp(P, (yyloc)); }
#line 2052 "build/parser.c"
    break;

  case 52: /* expr: expr '+' expr  */
#line 341 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_BIN, '+', (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 2058 "build/parser.c"
    break;

  case 53: /* expr: expr '-' expr  */
#line 342 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_BIN, '-', (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 2064 "build/parser.c"
    break;

  case 54: /* expr: expr '*' expr  */
#line 343 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_BIN, '*', (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 2070 "build/parser.c"
    break;

  case 55: /* expr: expr '/' expr  */
#line 344 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_BIN, '/', (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 2076 "build/parser.c"
    break;

  case 56: /* expr: expr '%' expr  */
#line 345 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_BIN, '%', (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 2082 "build/parser.c"
    break;

  case 57: /* args_opt: %empty  */
#line 349 "compiler/parser.y"
                        { (yyval.vec) = new_vec(NULL); }
#line 2088 "build/parser.c"
    break;

  case 59: /* args: arg  */
#line 354 "compiler/parser.y"
                        { (yyval.vec) = new_vec((yyvsp[0].node)); }
#line 2094 "build/parser.c"
    break;

  case 60: /* args: args ',' arg  */
#line 355 "compiler/parser.y"
                        { vec_push((yyvsp[-2].vec), (yyvsp[0].node)); (yyval.vec) = (yyvsp[-2].vec); }
#line 2100 "build/parser.c"
    break;

  case 62: /* arg: expr "'->'" expr  */
#line 360 "compiler/parser.y"
                        { (yyval.node) = new_bin(P, ND_ARROW, 0, (yyvsp[-2].node), (yyvsp[0].node), (yyloc)); }
#line 2106 "build/parser.c"
    break;

  case 63: /* arg: "name" '=' expr  */
#line 361 "compiler/parser.y"
                        {
        (yyval.node) = new_node(P, ND_KWARG, (yyloc));
        (yyval.node)->name = (yyvsp[-2].str);
        (yyval.node)->name_span = sp(P, (yylsp[-2]));
        (yyval.node)->rhs = (yyvsp[0].node);
    }
#line 2117 "build/parser.c"
    break;


#line 2121 "build/parser.c"

        default: break;
      }
    if (yychar_backup != yychar)
      YY_LAC_DISCARD ("yychar change");
  }
  /* User semantic actions sometimes alter yychar, and that requires
     that yytoken be updated with the new translation.  We take the
     approach of translating immediately before every use of yytoken.
     One alternative is translating here after every semantic action,
     but that translation would be missed if the semantic action invokes
     YYABORT, YYACCEPT, or YYERROR immediately after altering yychar or
     if it invokes YYBACKUP.  In the case of YYABORT or YYACCEPT, an
     incorrect destructor might then be invoked immediately.  In the
     case of YYERROR or YYBACKUP, subsequent parser actions might lead
     to an incorrect destructor call or verbose syntax error message
     before the lookahead is translated.  */
  YY_SYMBOL_PRINT ("-> $$ =", YY_CAST (yysymbol_kind_t, yyr1[yyn]), &yyval, &yyloc);

  YYPOPSTACK (yylen);
  yylen = 0;

  *++yyvsp = yyval;
  *++yylsp = yyloc;

  /* Now 'shift' the result of the reduction.  Determine what state
     that goes to, based on the state we popped back to and the rule
     number reduced by.  */
  {
    const int yylhs = yyr1[yyn] - YYNTOKENS;
    const int yyi = yypgoto[yylhs] + *yyssp;
    yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyssp
               ? yytable[yyi]
               : yydefgoto[yylhs]);
  }

  goto yynewstate;


/*--------------------------------------.
| yyerrlab -- here on detecting error.  |
`--------------------------------------*/
yyerrlab:
  /* Make sure we have latest lookahead translation.  See comments at
     user semantic actions for why this is necessary.  */
  yytoken = yychar == YYEMPTY ? YYSYMBOL_YYEMPTY : YYTRANSLATE (yychar);
  /* If not already recovering from an error, report this error.  */
  if (!yyerrstatus)
    {
      ++yynerrs;
      {
        yypcontext_t yyctx
          = {yyssp, yyesa, &yyes, &yyes_capacity, yytoken, &yylloc};
        if (yychar != YYEMPTY)
          YY_LAC_ESTABLISH;
        if (yyreport_syntax_error (&yyctx, P) == 2)
          YYNOMEM;
      }
    }

  yyerror_range[1] = yylloc;
  if (yyerrstatus == 3)
    {
      /* If just tried and failed to reuse lookahead token after an
         error, discard it.  */

      if (yychar <= YYEOF)
        {
          /* Return failure if at end of input.  */
          if (yychar == YYEOF)
            YYABORT;
        }
      else
        {
          yydestruct ("Error: discarding",
                      yytoken, &yylval, &yylloc, P);
          yychar = YYEMPTY;
        }
    }

  /* Else will try to reuse lookahead token after shifting the error
     token.  */
  goto yyerrlab1;


/*---------------------------------------------------.
| yyerrorlab -- error raised explicitly by YYERROR.  |
`---------------------------------------------------*/
yyerrorlab:
  /* Pacify compilers when the user code never invokes YYERROR and the
     label yyerrorlab therefore never appears in user code.  */
  if (0)
    YYERROR;
  ++yynerrs;

  /* Do not reclaim the symbols of the rule whose action triggered
     this YYERROR.  */
  YYPOPSTACK (yylen);
  yylen = 0;
  YY_STACK_PRINT (yyss, yyssp);
  yystate = *yyssp;
  goto yyerrlab1;


/*-------------------------------------------------------------.
| yyerrlab1 -- common code for both syntax error and YYERROR.  |
`-------------------------------------------------------------*/
yyerrlab1:
  yyerrstatus = 3;      /* Each real token shifted decrements this.  */

  /* Pop stack until we find a state that shifts the error token.  */
  for (;;)
    {
      yyn = yypact[yystate];
      if (!yypact_value_is_default (yyn))
        {
          yyn += YYSYMBOL_YYerror;
          if (0 <= yyn && yyn <= YYLAST && yycheck[yyn] == YYSYMBOL_YYerror)
            {
              yyn = yytable[yyn];
              if (0 < yyn)
                break;
            }
        }

      /* Pop the current state because it cannot handle the error token.  */
      if (yyssp == yyss)
        YYABORT;

      yyerror_range[1] = *yylsp;
      yydestruct ("Error: popping",
                  YY_ACCESSING_SYMBOL (yystate), yyvsp, yylsp, P);
      YYPOPSTACK (1);
      yystate = *yyssp;
      YY_STACK_PRINT (yyss, yyssp);
    }

  /* If the stack popping above didn't lose the initial context for the
     current lookahead token, the shift below will for sure.  */
  YY_LAC_DISCARD ("error recovery");

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END

  yyerror_range[2] = yylloc;
  ++yylsp;
  YYLLOC_DEFAULT (*yylsp, yyerror_range, 2);

  /* Shift the error token.  */
  YY_SYMBOL_PRINT ("Shifting", YY_ACCESSING_SYMBOL (yyn), yyvsp, yylsp);

  yystate = yyn;
  goto yynewstate;


/*-------------------------------------.
| yyacceptlab -- YYACCEPT comes here.  |
`-------------------------------------*/
yyacceptlab:
  yyresult = 0;
  goto yyreturnlab;


/*-----------------------------------.
| yyabortlab -- YYABORT comes here.  |
`-----------------------------------*/
yyabortlab:
  yyresult = 1;
  goto yyreturnlab;


/*-----------------------------------------------------------.
| yyexhaustedlab -- YYNOMEM (memory exhaustion) comes here.  |
`-----------------------------------------------------------*/
yyexhaustedlab:
  yyerror (&yylloc, P, YY_("memory exhausted"));
  yyresult = 2;
  goto yyreturnlab;


/*----------------------------------------------------------.
| yyreturnlab -- parsing is finished, clean up and return.  |
`----------------------------------------------------------*/
yyreturnlab:
  if (yychar != YYEMPTY)
    {
      /* Make sure we have latest lookahead translation.  See comments at
         user semantic actions for why this is necessary.  */
      yytoken = YYTRANSLATE (yychar);
      yydestruct ("Cleanup: discarding lookahead",
                  yytoken, &yylval, &yylloc, P);
    }
  /* Do not reclaim the symbols of the rule whose action triggered
     this YYABORT or YYACCEPT.  */
  YYPOPSTACK (yylen);
  YY_STACK_PRINT (yyss, yyssp);
  while (yyssp != yyss)
    {
      yydestruct ("Cleanup: popping",
                  YY_ACCESSING_SYMBOL (+*yyssp), yyvsp, yylsp, P);
      YYPOPSTACK (1);
    }
#ifndef yyoverflow
  if (yyss != yyssa)
    YYSTACK_FREE (yyss);
#endif
  if (yyes != yyesa)
    YYSTACK_FREE (yyes);

  return yyresult;
}

#line 369 "compiler/parser.y"


static bool is_closer(const char *nm)
{
    return !strcmp(nm, "')'") || !strcmp(nm, "']'") || !strcmp(nm, "'}'");
}

/* "unexpected '}', expected ')' or ','", plus a note at the unclosed bracket.
 * Long lists of expected tokens are cut down to the closing brackets (the
 * likely mistake) or dropped. */
static int yyreport_syntax_error(const yypcontext_t *ctx, Parser *P)
{
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    yysymbol_kind_t got = yypcontext_token(ctx);
    int closers = 0;
    for (int i = 0; i < n; i++)
        if (is_closer(yysymbol_name(exp[i])))
            exp[closers++] = exp[i];
    if (n > 5)
        n = closers;
    else
        closers = 0;
    Buf b = {0};
    if (got == YYSYMBOL_YYEOF)
        buf_puts(&b, "unexpected end of file");
    else
        buf_printf(&b, "unexpected %s", yysymbol_name(got));
    bool want_close = closers > 0;
    for (int i = 0; i < n; i++) {
        buf_printf(&b, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ", yysymbol_name(exp[i]));
        want_close |= is_closer(yysymbol_name(exp[i]));
    }
    Loc l = *yypcontext_location(ctx);
    error_at(sp(P, l), "%s", b.s);
    buf_free(&b);
    if (want_close && P->nopens > 0) {
        int at = P->opens[P->nopens - 1];
        note_at((Span){P->file, at, at + 1}, "to match this '%c'", P->file->text[at]);
    }
    return 0;
}

Program *parse_program(const SrcFile *file)
{
    Parser P = {0};
    P.file = file;
    P.cur = file->text;
    P.lim = file->text + file->len;
    yyparse(&P);
    free(P.opens);
    Program *prog = arena_alloc(sizeof *prog);
    prog->file = file;
    prog->nitems = P.items.n;
    prog->items = arena_alloc(sizeof(Item) * (size_t)(P.items.n ? P.items.n : 1));
    for (int i = 0; i < P.items.n; i++)
        prog->items[i] = *(Item *)P.items.v[i];
    free(P.items.v);
    return prog;
}
