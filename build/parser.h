/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison interface for Yacc-like parsers in C

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

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

#ifndef YY_YY_BUILD_PARSER_H_INCLUDED
# define YY_YY_BUILD_PARSER_H_INCLUDED
/* Debug traces.  */
#ifndef YYDEBUG
# define YYDEBUG 0
#endif
#if YYDEBUG
extern int yydebug;
#endif
/* "%code requires" blocks.  */
#line 9 "compiler/parser.y"

#include "gsc.h"

typedef struct {
    int lo, hi;
} Loc;

/* Parser state, shared with the lexer (%param). */
typedef struct Parser {
    const SrcFile *file;
    const char *cur, *tok, *lim, *marker;
    int *opens;        /* offsets of unclosed ( [ { */
    int nopens, capopens;
    Vec items;         /* Item* */
} Parser;

#define YYLTYPE Loc
#define YYLLOC_DEFAULT(Cur, Rhs, N)                      \
    do {                                                 \
        if (N) {                                         \
            (Cur).lo = YYRHSLOC(Rhs, 1).lo;              \
            (Cur).hi = YYRHSLOC(Rhs, N).hi;              \
        } else {                                         \
            (Cur).lo = (Cur).hi = YYRHSLOC(Rhs, 0).hi;   \
        }                                                \
    } while (0)

#line 77 "build/parser.h"

/* Token kinds.  */
#ifndef YYTOKENTYPE
# define YYTOKENTYPE
  enum yytokentype
  {
    YYEMPTY = -2,
    YYEOF = 0,                     /* "end of file"  */
    YYerror = 256,                 /* error  */
    YYUNDEF = 257,                 /* "invalid token"  */
    INT = 258,                     /* "integer"  */
    IDENT = 259,                   /* "name"  */
    DIM = 260,                     /* "'dim'"  */
    BLOCK = 261,                   /* "'block'"  */
    MODEL = 262,                   /* "'model'"  */
    LET = 263,                     /* "'let'"  */
    RETURN = 264,                  /* "'return'"  */
    ASSERT = 265,                  /* "'assert'"  */
    WHERE = 266,                   /* "'where'"  */
    DEFAULT = 267,                 /* "'default'"  */
    ARROW = 268,                   /* "'->'"  */
    EQ = 269,                      /* "'=='"  */
    NE = 270,                      /* "'!='"  */
    LE = 271,                      /* "'<='"  */
    GE = 272                       /* "'>='"  */
  };
  typedef enum yytokentype yytoken_kind_t;
#endif

/* Value type.  */
#if ! defined YYSTYPE && ! defined YYSTYPE_IS_DECLARED
union YYSTYPE
{
#line 174 "compiler/parser.y"

    int64_t num;
    const char *str;
    Node *node;
    Vec *vec;
    Item *item;
    Stmt *stmt;
    Param *param;
    int op;

#line 122 "build/parser.h"

};
typedef union YYSTYPE YYSTYPE;
# define YYSTYPE_IS_TRIVIAL 1
# define YYSTYPE_IS_DECLARED 1
#endif

/* Location type.  */
#if ! defined YYLTYPE && ! defined YYLTYPE_IS_DECLARED
typedef struct YYLTYPE YYLTYPE;
struct YYLTYPE
{
  int first_line;
  int first_column;
  int last_line;
  int last_column;
};
# define YYLTYPE_IS_DECLARED 1
# define YYLTYPE_IS_TRIVIAL 1
#endif




int yyparse (Parser *P);

/* "%code provides" blocks.  */
#line 37 "compiler/parser.y"

int yylex(YYSTYPE *val, Loc *loc, Parser *P);

#line 154 "build/parser.h"

#endif /* !YY_YY_BUILD_PARSER_H_INCLUDED  */
