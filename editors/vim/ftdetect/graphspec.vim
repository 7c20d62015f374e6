" GraphSpec (gsc) files: *.gs
" Vim's own filetype.vim maps *.gs to GrADS scripts ("grads"); 'set filetype='
" (not 'setfiletype') overrides that. See editors/README.md to keep GrADS.
autocmd BufNewFile,BufRead *.gs set filetype=graphspec
