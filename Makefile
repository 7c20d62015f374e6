# gsc - the GraphSpec compiler.
#
#   make            build build/gsc
#   make test       build everything and run the test suites (Check)
#   make test-align the generated API on buffers that are only float-aligned
#   make run        compile models/resnet18.gs to C, build it, run it on a
#                   deterministic input with the seed's weights (top-5, time)
#   make generated  regenerate generated/ (rn18.c/.h, tiny.c/.h)
#   make examples   build and run examples/ from generated/ with a C compiler only
#                   (-O3 -march=native -fopenmp where the compiler has them; it says which)
#   make bench      speed of the generated ResNet-18 (1 and 2 threads, per layer)
#   make bench-peers  the same against ONNX Runtime and PyTorch, alternating
#   make train      train models/fashion.gs on Fashion-MNIST with the generated
#                   training step (installs dataset-fashion-mnist if missing)
#   make test-long  5,000 random programs, 20,000 prover claims against Z3
#   make test-grad-torch  gsc --train's ResNet-18 gradients against PyTorch autograd
#   make test-optim-torch  the optimisers against torch.optim, 20 steps each
#   make test-train-torch  make train's first 20 steps against its PyTorch twin
#                   (tools/train_torch.py), parameters per tensor and losses per step
#   make fuzz       libFuzzer on the source and safetensors readers (FUZZ_SECONDS)
#   make install    PREFIX=/usr/local (and DESTDIR)
#   make asan       build build/asan/gsc with AddressSanitizer and UBSan
#   make golden     regenerate the expected diagnostics of tests/diag
#   make test-readme  README.md's command block, line by line, in order
#   make clean      remove build/
#
# Build tools (re2c, bison, pkg-config, Check) are installed with apt-get when
# missing and make runs as root; otherwise make prints the command to run.

CC      ?= cc
BUILD   := build
WARN    := -Wall -Wextra -Wpedantic -Werror
CFLAGS  ?= -O2 -g
GSC_CFLAGS := -std=c11 $(WARN) $(CFLAGS) -Icompiler -Iruntime -I$(BUILD)
RT_CFLAGS  := -std=c99 $(WARN) $(CFLAGS) -Iruntime
CHECK_LIBS  = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)

# gsc's sources in pipeline order (see README.md, Internals).
FRONT_SRCS := compiler/util.c compiler/diag.c compiler/ops.c $(BUILD)/lexer.c $(BUILD)/parser.c \
              compiler/resolve.c
CHECK_SRCS := compiler/dim.c compiler/prove.c compiler/check.c compiler/spec.c
BACK_SRCS  := compiler/grad.c compiler/eval.c compiler/lower.c compiler/plan.c compiler/emit.c compiler/report.c compiler/abi.c \
              runtime/gsc_init.c runtime/gsc_safetensors.c runtime/gsc_fast.c
GSC_SRCS   := $(FRONT_SRCS) $(CHECK_SRCS) $(BACK_SRCS)
RT_SRCS    := runtime/gsc_init.c runtime/gsc_safetensors.c runtime/gsc_kernels.c runtime/gsc_backward.c \
              runtime/gsc_fast.c runtime/gsc_train.c

GSC_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(notdir $(GSC_SRCS)))
MAIN_OBJ := $(BUILD)/obj/main.o

UNIT_TESTS := test_front test_prove test_model test_grad test_report test_runtime test_train test_diag test_codegen
UNIT_BINS  := $(addprefix $(BUILD)/,$(UNIT_TESTS))

.PHONY: all deps test test-align run train generated bench bench-peers examples test-readme test-export-torch test-grad-torch test-optim-torch test-train-torch test-random test-z3 test-long fuzz fuzz-quick fuzz-regress limits asan clang golden clean
.SUFFIXES:

all: $(BUILD)/gsc

# ------------------------------------------------------------ build tools

NEED_PKGS = $(shell command -v re2c >/dev/null || echo re2c; \
                    command -v bison >/dev/null || echo bison; \
                    command -v pkg-config >/dev/null || echo pkg-config; \
                    pkg-config --exists check 2>/dev/null || echo check; \
                    /usr/bin/python3 -c 'import numpy' 2>/dev/null || echo python3-numpy; \
                    /usr/bin/python3 -c 'import z3' 2>/dev/null || echo python3-z3)

deps:
	@missing="$(strip $(NEED_PKGS))"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing build tools: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "gsc needs: $$missing. Install them with:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y $$missing"; \
	    exit 1; \
	  fi; \
	fi

# ------------------------------------------------------------ gsc

$(BUILD)/parser.c $(BUILD)/parser.h: compiler/parser.y | deps
	@mkdir -p $(BUILD)
	bison -Wall -Werror --defines=$(BUILD)/parser.h -o $(BUILD)/parser.c $<

$(BUILD)/lexer.c: compiler/lexer.re $(BUILD)/parser.h | deps
	@mkdir -p $(BUILD)
	re2c -W -Werror --no-generation-date -o $@ $<

HDRS := compiler/gsc.h compiler/ops.h compiler/kernels.h $(BUILD)/parser.h runtime/gsc_runtime.h runtime/gsc_fast.h \
        runtime/gsc_train.h

$(BUILD)/obj/%.o: compiler/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GSC_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: runtime/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GSC_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: $(BUILD)/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GSC_CFLAGS) -c -o $@ $<

$(BUILD)/gsc: $(GSC_OBJS) $(MAIN_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ -lm

# ------------------------------------------------------------ tests

$(BUILD)/test_front: tests/unit/test_front.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm

$(BUILD)/test_prove: tests/unit/test_prove.c $(GSC_OBJS) | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm

$(BUILD)/test_grad: tests/unit/test_grad.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm

$(BUILD)/test_report: tests/unit/test_report.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm

$(BUILD)/test_model: tests/unit/test_model.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm

$(BUILD)/test_diag: tests/unit/test_diag.c | deps
	$(CC) $(GSC_CFLAGS) -D_POSIX_C_SOURCE=200809L $(CHECK_CFLAGS) -o $@ $^ $(CHECK_LIBS)

$(BUILD)/test_codegen: tests/unit/test_codegen.c | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm

$(BUILD)/test_runtime: tests/unit/test_runtime.c tests/unit/tmpdir.h $(RT_SRCS) runtime/gsc_runtime.h runtime/gsc_train.h \
                       | deps
	$(CC) $(RT_CFLAGS) -D_DEFAULT_SOURCE $(CHECK_CFLAGS) -o $@ tests/unit/test_runtime.c $(RT_SRCS) $(CHECK_LIBS) -lm

$(BUILD)/test_train: tests/unit/test_train.c tests/unit/tmpdir.h $(RT_SRCS) runtime/gsc_runtime.h runtime/gsc_train.h | deps
	$(CC) $(RT_CFLAGS) -D_DEFAULT_SOURCE $(CHECK_CFLAGS) -o $@ tests/unit/test_train.c $(RT_SRCS) $(CHECK_LIBS) -lm

test: $(BUILD)/gsc $(UNIT_BINS) $(BUILD)/prove_cli asan clang
	@fail=0; for t in $(UNIT_BINS); do \
	  echo "== $$t"; $$t || fail=1; \
	done; \
	for t in test_front test_prove test_model; do \
	  echo "== build/asan/$$t (AddressSanitizer and UBSan; gsc never frees its arena, so no leak check)"; \
	  ASAN_OPTIONS=detect_leaks=0 build/asan/$$t || fail=1; \
	done; \
	echo "== build/asan/test_train (AddressSanitizer and UBSan, leaks checked)"; \
	build/asan/test_train || fail=1; \
	echo "== $(BUILD)/test_diag with gsc built with AddressSanitizer and UBSan"; \
	GSC=build/asan/gsc $(BUILD)/test_diag || fail=1; \
	echo "== $(BUILD)/test_codegen: the generated C under AddressSanitizer and UBSan"; \
	GSC_SANITIZE=1 $(BUILD)/test_codegen || fail=1; \
	echo "== make test-align (buffers only float-aligned, on every SIMD path this CPU runs)"; \
	$(MAKE) -s --no-print-directory test-align || fail=1; \
	echo "== tests/readme/commands.sh (README.md's command block, in order)"; \
	tests/readme/commands.sh $(BUILD)/gsc > $(BUILD)/readme.log 2>&1 && tail -n 1 $(BUILD)/readme.log || \
	  { cat $(BUILD)/readme.log; fail=1; }; \
	echo "== tests/ref/check.sh (independent numpy implementation)"; \
	tests/ref/check.sh $(BUILD)/gsc || fail=1; \
	for f in tests/random/regress/*.gs; do [ -f "$$f" ] || continue; \
	  echo "== $$f (a reduced random-program finding)"; \
	  eval "$$(sed -n 's/^# reproduce (from the repository root): //p' $$f)" || fail=1; \
	done; \
	echo "== tests/random/run.py ($(RANDOM_N) random programs: generated C against the interpreter)"; \
	python3 tests/random/run.py $(RANDOM_N) --jobs 2 || fail=1; \
	echo "== tests/z3/soundness.py ($(Z3_N) random shape claims: the prover against Z3)"; \
	/usr/bin/python3 tests/z3/soundness.py $(Z3_N) --cli $(BUILD)/prove_cli || fail=1; \
	echo "== tests/fuzz/regress.sh (fuzz findings and corpora, gsc with sanitizers)"; \
	tests/fuzz/regress.sh build/asan/gsc || fail=1; \
	echo "== tests/limits/run.sh (deep nesting, 10 MB sources, 2,000 blocks, mutations, -D ranges)"; \
	LIMITS_TIMEOUT=10 tests/limits/run.sh || fail=1; \
	echo "== make examples (built the fast way: -O3, and -march=native -fopenmp where $(CC) has them)"; \
	if $(MAKE) -s examples > $(BUILD)/examples.log 2>&1 && grep -q '^== examples built with .* -O3' $(BUILD)/examples.log && \
	   grep -q '^forward pass: ' $(BUILD)/examples.log; then grep '^== examples built\|^forward pass' $(BUILD)/examples.log; \
	else cat $(BUILD)/examples.log; echo "make examples FAILED"; fail=1; fi; \
	if [ $$fail = 0 ]; then echo "all suites passed"; else echo "some suites FAILED"; exit 1; fi

# ------------------------------------------------------------ random programs; the prover against Z3

$(BUILD)/prove_cli: tests/z3/prove_cli.c $(BUILD)/obj/util.o $(BUILD)/obj/diag.o $(BUILD)/obj/dim.o $(BUILD)/obj/prove.o
	$(CC) $(GSC_CFLAGS) -o $@ $^

RANDOM_N ?= 200
Z3_N     ?= 2000

test-random: $(BUILD)/gsc
	python3 tests/random/run.py $(RANDOM_N) --jobs 2

test-z3: $(BUILD)/prove_cli
	/usr/bin/python3 tests/z3/soundness.py $(Z3_N) --cli $(BUILD)/prove_cli

# The long suites (about half an hour): 5,000 random programs, 20,000 claims.
test-long: $(BUILD)/gsc $(BUILD)/prove_cli
	python3 tests/random/run.py 5000 --seed 100000 --jobs 2 --native-every 10
	/usr/bin/python3 tests/z3/soundness.py 20000 --seed 100000 --cli $(BUILD)/prove_cli

# ------------------------------------------------------------ buffers of any alignment

# tests/driver/misaligned.c runs a generated model with every buffer 64-byte
# aligned, then with some or all of them at malloc + 4, 8, 12, 36 bytes, and
# compares the outputs bit for bit. Per SIMD path (chosen at compile time):
# portable C (-O2), AVX2+FMA (when /proc/cpuinfo has avx2 and fma, as in
# tests/unit/test_codegen.c) and -march=native -fopenmp (the AVX-512 path on a
# CPU with avx512f). ResNet-18 at 224x224 (generated/rn18.c) only on the SIMD
# paths; the portable one runs it at 64x64. The runtime is compiled once per path.
ALIGN     := $(BUILD)/align
ALIGN_RT  := gsc_init.o gsc_kernels.o gsc_fast.o
ALIGN_CPU_AVX2 := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && echo avx2)
ALIGN_PATHS    := portable $(ALIGN_CPU_AVX2) native
ALIGN_CFLAGS_portable := -O2
ALIGN_CFLAGS_avx2     := -O3 -mavx2 -mfma
ALIGN_CFLAGS_native   := -O3 -march=native -fopenmp
ALIGN_MODELS_portable := align_cnn align_residual_mlp align_rn18_64
ALIGN_MODELS_avx2     := rn18 align_cnn align_residual_mlp
ALIGN_MODELS_native   := rn18 align_cnn align_residual_mlp align_rn18_64
ALIGN_BINS := $(foreach p,$(ALIGN_PATHS),$(addprefix $(ALIGN)/$(p)/,$(ALIGN_MODELS_$(p))))
align_uc = $(shell echo $(1) | tr a-z A-Z)

$(BUILD)/align_cnn.c: models/cnn.gs $(BUILD)/gsc
	$(BUILD)/gsc models/cnn.gs -o $@
$(BUILD)/align_residual_mlp.c: models/residual_mlp.gs $(BUILD)/gsc
	$(BUILD)/gsc models/residual_mlp.gs -o $@
$(BUILD)/align_rn18_64.c: models/resnet18.gs $(BUILD)/gsc
	$(BUILD)/gsc models/resnet18.gs -D H=64 -D W=64 -o $@

# $(1): the path. The driver for model M is $(ALIGN)/$(1)/M.
define ALIGN_PATH_RULES
$(ALIGN)/$(1)/%.o: runtime/%.c runtime/gsc_runtime.h runtime/gsc_fast.h
	@mkdir -p $$(@D)
	$$(CC) -std=c99 $$(WARN) $$(ALIGN_CFLAGS_$(1)) -Iruntime -c -o $$@ $$<
$(ALIGN)/$(1)/rn18: tests/driver/misaligned.c generated/rn18.c generated/rn18.h $(addprefix $(ALIGN)/$(1)/,$(ALIGN_RT))
	$$(CC) -std=c99 $$(WARN) $$(ALIGN_CFLAGS_$(1)) -Igenerated -Iruntime -DGSC_HEADER='"rn18.h"' -DGSC_P=rn18 \
	  -DGSC_PU=RN18 -o $$@ tests/driver/misaligned.c generated/rn18.c $$(filter %.o,$$^) -lm
$(ALIGN)/$(1)/align_%: tests/driver/misaligned.c $(BUILD)/align_%.c $(addprefix $(ALIGN)/$(1)/,$(ALIGN_RT))
	$$(CC) -std=c99 $$(WARN) $$(ALIGN_CFLAGS_$(1)) -I$(BUILD) -Iruntime -DGSC_HEADER='"align_$$*.h"' \
	  -DGSC_P=align_$$* -DGSC_PU=$$(call align_uc,align_$$*) -o $$@ tests/driver/misaligned.c $(BUILD)/align_$$*.c \
	  $$(filter %.o,$$^) -lm
endef
$(foreach p,$(ALIGN_PATHS),$(eval $(call ALIGN_PATH_RULES,$(p))))

test-align: $(ALIGN_BINS)
	@fail=0; \
	for b in $(ALIGN_BINS); do \
	  p=$${b%/*}; p=$${p##*/}; echo "== $$b (the $$p build)"; $$b || fail=1; \
	done; \
	if command -v clang >/dev/null; then \
	  clang -std=c99 $(WARN) -fsyntax-only -Igenerated -Iruntime -DGSC_HEADER='"rn18.h"' -DGSC_P=rn18 -DGSC_PU=RN18 \
	    tests/driver/misaligned.c && echo "tests/driver/misaligned.c: clang's warnings: none" || fail=1; \
	fi; \
	exit $$fail

# ------------------------------------------------------------ benchmarks (results in bench/README.md)

bench: $(BUILD)/gsc
	sh bench/run.sh $(BUILD)/gsc

bench-peers: $(BUILD)/gsc
	sh bench/peers.sh $(BUILD)/gsc

# ------------------------------------------------------------ fuzzing (libFuzzer, clang) and limits

FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 1

fuzz: $(BUILD)/lexer.c $(BUILD)/parser.c        # make fuzz FUZZ_SECONDS=1800 FUZZ_JOBS=2
	FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-quick: $(BUILD)/lexer.c $(BUILD)/parser.c  # about a minute: build, then 20 s per target
	@if command -v clang >/dev/null; then tests/fuzz/run.sh 40; \
	else echo "clang not installed: skipping fuzz-quick"; fi

fuzz-regress: asan
	tests/fuzz/regress.sh build/asan/gsc

limits: $(BUILD)/gsc asan
	LIMITS_TIMEOUT=10 tests/limits/run.sh

test-readme: $(BUILD)/gsc
	tests/readme/commands.sh $(BUILD)/gsc

golden: $(BUILD)/gsc
	@for f in tests/diag/*.gs; do \
	  args=$$(sed -n '1s/^# args: //p' $$f); \
	  $(BUILD)/gsc --check -q --no-color $$f $$args 2> $${f%.gs}.err >/dev/null; \
	  echo "$$?" > $${f%.gs}.status; \
	done; echo "regenerated tests/diag/*.err"
	$(BUILD)/gsc tests/codegen/small.gs -o tests/codegen/small.c

# ------------------------------------------------------------ generated C

generated: $(BUILD)/gsc
	$(BUILD)/gsc models/resnet18.gs -o generated/rn18.c
	$(BUILD)/gsc --emit=params examples/embedded/tiny.gs -o $(BUILD)/tiny.safetensors
	$(BUILD)/gsc --embed-weights $(BUILD)/tiny.safetensors examples/embedded/tiny.gs -o generated/tiny.c

# ------------------------------------------------------------ examples (a C compiler and generated/ only)

# The fast way (-O3 -march=native -fopenmp), each of -march=native and -fopenmp
# only when $(CC) has it (probed once, when first used); EX_CFLAGS=... overrides.
cc_has = $(shell echo 'int main(void) { return 0; }' | $(CC) -x c $(1) -o /dev/null - 2>/dev/null && echo $(1))
ifeq ($(origin EX_CFLAGS),undefined)
EX_CFLAGS = $(eval EX_CFLAGS := -O3 $(call cc_has,-march=native) $(call cc_has,-fopenmp))$(EX_CFLAGS)
endif

# Rebuild the examples when the flags change.
$(BUILD)/examples.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(EX_CFLAGS)' | cmp -s - $@ || echo '$(CC) $(EX_CFLAGS)' > $@

.PHONY: FORCE
FORCE:

examples: $(BUILD)/classify $(BUILD)/tiny_demo
	@echo "== examples built with $(CC) $(strip $(EX_CFLAGS))$(if $(findstring -fopenmp,$(EX_CFLAGS)),, (no -fopenmp: one thread))$(if $(findstring -march=native,$(EX_CFLAGS)),, (no -march=native: portable SIMD path))"
	@echo "== examples/classify on examples/classify/sample.ppm (seed weights)"
	@$(BUILD)/classify examples/classify/sample.ppm
	@echo "== examples/embedded (weights compiled in)"
	@$(BUILD)/tiny_demo

$(BUILD)/classify: examples/classify/classify.c generated/rn18.c generated/rn18.h $(RT_SRCS) runtime/gsc_runtime.h \
                  $(BUILD)/examples.flags
	@mkdir -p $(BUILD)
	$(CC) -std=c99 $(WARN) $(EX_CFLAGS) -Igenerated -Iruntime -o $@ examples/classify/classify.c generated/rn18.c \
	  $(RT_SRCS) -lm

$(BUILD)/tiny_demo: examples/embedded/main.c generated/tiny.c generated/tiny.h $(RT_SRCS) runtime/gsc_runtime.h \
                   $(BUILD)/examples.flags
	@mkdir -p $(BUILD)
	$(CC) -std=c11 $(WARN) $(EX_CFLAGS) -Igenerated -Iruntime -o $@ examples/embedded/main.c generated/tiny.c \
	  runtime/gsc_fast.c runtime/gsc_kernels.c runtime/gsc_init.c -lm

test-export-torch: $(BUILD)/gsc
	tools/test_export_torch.sh $(BUILD)/gsc

test-grad-torch: $(BUILD)/gsc   # installs python3-torch when missing (as root)
	tools/test_grad_torch.sh $(BUILD)/gsc

# The optimisers against torch.optim (installs python3-torch when missing and root).
$(BUILD)/optim_driver: tools/optim_driver.c runtime/gsc_train.c runtime/gsc_safetensors.c runtime/gsc_runtime.h \
                       runtime/gsc_train.h
	@mkdir -p $(BUILD)
	$(CC) $(RT_CFLAGS) -o $@ tools/optim_driver.c runtime/gsc_train.c runtime/gsc_safetensors.c -lm

test-optim-torch: $(BUILD)/optim_driver
	@if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing python3-torch and python3-numpy"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy \
	      >/dev/null || exit 1; \
	  fi; \
	fi
	/usr/bin/python3 tools/test_optim_torch.py $(BUILD)/optim_driver

RUN_CFLAGS ?= -O3 -march=native -fopenmp

$(BUILD)/rn18.c $(BUILD)/rn18.h: models/resnet18.gs $(BUILD)/gsc
	$(BUILD)/gsc models/resnet18.gs -o $(BUILD)/rn18.c

$(BUILD)/rn18_run: $(BUILD)/rn18.c tests/driver/model_main.c $(RT_SRCS) runtime/gsc_runtime.h
	$(CC) -std=c99 $(WARN) $(RUN_CFLAGS) -I$(BUILD) -Iruntime -DGSC_HEADER='"rn18.h"' -DGSC_P=rn18 -DGSC_PU=RN18 \
	  -o $@ tests/driver/model_main.c $(BUILD)/rn18.c $(RT_SRCS) -lm

# ------------------------------------------------------------ make train: Fashion-MNIST

FMNIST_SRC := /usr/share/datasets/fashion-mnist
FMNIST     := $(BUILD)/data/fashion-mnist
TRAIN_ARGS ?=

$(BUILD)/train/fashion.c $(BUILD)/train/fashion.h: models/fashion.gs $(BUILD)/gsc
	@mkdir -p $(BUILD)/train
	$(BUILD)/gsc --train models/fashion.gs -o $(BUILD)/train/fashion.c

$(BUILD)/train/train: examples/train/train.c $(BUILD)/train/fashion.c $(RT_SRCS) runtime/gsc_runtime.h \
                      runtime/gsc_train.h
	$(CC) -std=c99 $(WARN) $(RUN_CFLAGS) -I$(BUILD)/train -Iruntime -DGSC_HEADER='"fashion.h"' -DGSC_P=fashion \
	  -DGSC_PU=FASHION -o $@ examples/train/train.c $(BUILD)/train/fashion.c $(RT_SRCS) -lm

$(FMNIST)/train-images-idx3-ubyte:
	@if [ ! -f $(FMNIST_SRC)/train-images-idx3-ubyte.gz ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing dataset-fashion-mnist (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null || exit 1; \
	  else echo "make train needs Fashion-MNIST: sudo apt-get install -y dataset-fashion-mnist"; exit 1; fi; \
	fi
	@mkdir -p $(FMNIST)
	@for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do \
	  gzip -dc $(FMNIST_SRC)/$$f.gz > $(FMNIST)/$$f.tmp && mv $(FMNIST)/$$f.tmp $(FMNIST)/$$f || exit 1; done
	@echo "unpacked Fashion-MNIST into $(FMNIST)"

train: $(BUILD)/train/train $(FMNIST)/train-images-idx3-ubyte
	$(BUILD)/train/train --data $(FMNIST) --checkpoint $(BUILD)/train/fashion.safetensors $(TRAIN_ARGS)

# The trainer against tools/train_torch.py (installs python3-torch when missing and root).
test-train-torch: $(BUILD)/gsc $(BUILD)/train/train $(FMNIST)/train-images-idx3-ubyte
	TRAIN=$(BUILD)/train/train DATA=$(FMNIST) tools/test_train_torch.sh $(BUILD)/gsc

run: $(BUILD)/rn18_run
	@echo "ResNet-18 (models/resnet18.gs), 3x224x224, seed weights, deterministic input:"
	@$(BUILD)/rn18_run --runs 3

# ------------------------------------------------------------ sanitizers

# gsc must build warning-free with clang too (when it is installed).
clang:
	@if command -v clang >/dev/null; then \
	  $(MAKE) -s BUILD=build/clang CC=clang build/clang/gsc && echo "gsc builds with clang: ok"; \
	else echo "clang not installed: skipping the clang build"; fi

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

asan:
	@$(MAKE) -s BUILD=build/asan CFLAGS="$(ASAN_FLAGS)" build/asan/gsc build/asan/test_front build/asan/test_prove \
	  build/asan/test_model build/asan/test_train

clean:
	rm -rf $(BUILD)

# ------------------------------------------------------------ install

PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL ?= install
GSC_SHARE := $(DESTDIR)$(PREFIX)/share/gsc
GSC_DOC   := $(DESTDIR)$(PREFIX)/share/doc/gsc
VIMFILES  := $(DESTDIR)$(PREFIX)/share/vim/vimfiles

.PHONY: install uninstall

install: $(BUILD)/gsc
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(GSC_SHARE)/runtime $(GSC_SHARE)/tools $(GSC_DOC) \
	  $(VIMFILES)/syntax $(VIMFILES)/ftdetect
	$(INSTALL) -m 755 $(BUILD)/gsc $(DESTDIR)$(PREFIX)/bin/gsc
	$(INSTALL) -m 644 runtime/gsc_runtime.h runtime/gsc_fast.h runtime/gsc_init.c runtime/gsc_kernels.c \
	  runtime/gsc_fast.c runtime/gsc_safetensors.c runtime/gsc_backward.c runtime/gsc_train.h runtime/gsc_train.c \
	  $(GSC_SHARE)/runtime
	$(INSTALL) -m 755 tools/export_torch.py $(GSC_SHARE)/tools
	$(INSTALL) -m 644 README.md docs/language.md docs/c-api.md docs/semantics.md docs/training.md docs/resnet18.svg \
	  $(GSC_DOC)
	$(INSTALL) -m 644 editors/README.md $(GSC_DOC)/editors.md
	$(INSTALL) -m 644 editors/vim/syntax/graphspec.vim $(VIMFILES)/syntax/graphspec.vim
	$(INSTALL) -m 644 editors/vim/ftdetect/graphspec.vim $(VIMFILES)/ftdetect/graphspec.vim

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/gsc $(VIMFILES)/syntax/graphspec.vim $(VIMFILES)/ftdetect/graphspec.vim
	rm -rf $(GSC_SHARE) $(GSC_DOC)
