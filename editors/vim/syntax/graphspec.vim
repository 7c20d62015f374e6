" Vim syntax file
" Language:    GraphSpec, the input language of gsc (docs/language.md)
" Filenames:   *.gs
" Maintainer:  the gsc project (editors/README.md)
"
" Keywords, operations (compiler/ops.h), seq, dim/block/model names, layer
" declarations, keyword arguments, numbers, '#' comments, '->' and the
" comparison operators. Characters the lexer rejects ("stray") are errors.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syntax case match

" Anything compiler/lexer.re does not accept is reported as stray: first, so
" that every other item below takes precedence.
syntax match graphspecStray /[^ \t\r\na-zA-Z0-9_()\[\]{},:=+\-*\/%<>!#]/
syntax match graphspecStray /!\%(=\)\@!/

" The reserved words.
syntax keyword graphspecItem       dim block model nextgroup=graphspecDefName skipwhite
syntax keyword graphspecStatement  let return
syntax keyword graphspecAssert     assert
syntax keyword graphspecClause     where default

" The name an item defines: dim down2(h), block basic(...), model resnet18(...).
syntax match graphspecDefName /\h\w*/ contained

" The operations: the rows of compiler/ops.h.
syntax keyword graphspecOp conv2d conv_transpose2d batchnorm batchnorm_eval layernorm linear relu maxpool2d avgpool2d
syntax keyword graphspecOp global_avgpool adaptive_avgpool2d add concat flatten softmax
syntax keyword graphspecOp relu6 sigmoid tanh silu gelu gelu_tanh hardswish hardsigmoid clip leaky_relu
syntax keyword graphspecOp mul sub maximum minimum param identity narrow channel_shuffle
" seq(l0, l1, ...) chains layers; repeat(n, i -> layer) chains n copies.
syntax keyword graphspecSeq seq repeat
" tensors(M) and params(M), the counts that assertions compare.
syntax match graphspecCount /\<\%(tensors\|params\)\ze\s*(/

" A layer declaration or let binding: 'name =' at the start of a statement.
syntax match graphspecDecl /^\s*\zs\h\w*\ze\s*=\%(=\)\@!/
syntax match graphspecDecl /\%(\<let\s\+\)\@<=\h\w*/
" A quoted layer name, which may hold '-': "block1-0" (RegNet's names).
syntax match graphspecDecl /"\h[[:alnum:]_-]*"/
" A keyword argument inside a call: k=3, stride=2, pad=1, co=128.
syntax match graphspecKwArg /\%(\<default\s\+\)\@<=\h\w*/
syntax match graphspecKwArg /[(,]\s*\zs\h\w*\ze\s*=\%(=\)\@!/

" Integer literals (no sign, no fraction: sizes are naturals).
syntax match graphspecNumber /\<\d\+\>/

" '->' (arrow pairs and result shapes) and the comparisons of where/assert.
syntax match graphspecArrow    /->/
syntax match graphspecCompare  /==\|!=\|<=\|>=\|<\|>/
syntax match graphspecArith    /[+*\/%]\|-\%(>\)\@!/

" Comments run from '#' to the end of the line.
syntax keyword graphspecTodo  TODO FIXME XXX NOTE contained
syntax match   graphspecComment /#.*$/ contains=graphspecTodo,@Spell

highlight default link graphspecItem      Keyword
highlight default link graphspecStatement Statement
highlight default link graphspecAssert    Keyword
highlight default link graphspecClause    Keyword
highlight default link graphspecDefName   Function
highlight default link graphspecOp        Function
highlight default link graphspecSeq       Special
highlight default link graphspecCount     Special
highlight default link graphspecDecl      Identifier
highlight default link graphspecKwArg     Type
highlight default link graphspecNumber    Number
highlight default link graphspecArrow     Operator
highlight default link graphspecCompare   Operator
highlight default link graphspecArith     Operator
highlight default link graphspecTodo      Todo
highlight default link graphspecComment   Comment
highlight default link graphspecStray     Error

let b:current_syntax = 'graphspec'

let &cpo = s:cpo_save
unlet s:cpo_save
