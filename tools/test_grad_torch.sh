#!/bin/sh
# test_grad_torch.sh - the generated training step against PyTorch autograd.
#
#   tools/test_grad_torch.sh [GSC]        (GSC defaults to $GSC, then build/gsc)
#
# Compiles models/resnet18.gs at 64x64 with gsc --train into build/gradtorch/,
# builds tests/driver/model_main.c with -DGSC_TRAIN against it, and compares
# the gradients P_grad computes (cross-entropy, label 7, one example) with
# PyTorch's float64 autograd gradients of the same model (tools/grad_torch.py:
# train-mode batchnorm on a batch of one with eps 1e-6, conv biases, weights
# loaded by their state_dict names). Two weight sets: the seed's
# (gsc --emit=params, which must be P_init's byte for byte) and random ones
# (SEED, default 5) that the driver writes into the same params array after a
# first call (--second-params). For each of the 82 tensors
#   max |g - g_ref| / max(max |g_ref of the tensor|, 1e-3 max |g_ref of all|)
# must be at most 2e-3; PyTorch's own float32 gradients are scored the same
# way. Also: the losses agree, the input file is the driver's and PyTorch
# reads it as CHW (its logits match P_forward's), and a wrong gradient (the
# gradients of label 8) fails the check.
#
# Then K = 3 training steps on the same example from the seed's weights: the
# driver's --adamw (P_grad, then runtime/gsc_train.c's AdamW, lr 1e-5, weight
# decay 0.1, betas 0.9/0.999, eps 1e-8) against tools/grad_torch.py adamw
# (autograd, then torch.optim.AdamW with foreach=False) in float64, and
# PyTorch's float32 run against float64 as the yardstick. Per tensor, the
# update dP = P_3 - P_0 is compared, ||dP - dP_ref||_2 / ||dP_ref||_2 at most
# 5e-2 (an L2 measure relative to the update: Adam's first step is about
# lr * sign(g), so an element whose gradient is below float32's rounding error
# may step the other way; the L2 weighs it by its share of the tensor), and the
# loss of every step, relative, at most 1e-4. Measured (docs/training.md,
# "Checking gradients against PyTorch", says how the limits and lr were
# chosen): ours 8.0e-3 (bn1.weight: float32 AdamW itself on scales of 1) and
# 4.7e-6; PyTorch float32 1.4e-2 and 4.0e-5. The 20 conv biases are printed,
# not judged: each feeds a batchnorm, so its exact gradient is 0 and AdamW
# turns float32 rounding noise into steps of up to lr (ours and PyTorch's
# float32 run move them by 0.9 and 1.0 times 3 lr); the test checks that the
# float64 run leaves them within 1e-3 times 3 lr of where weight decay alone
# takes them (1.4e-7). The check can fail: PyTorch with lr 1% higher (0.12,
# losses 1.7e-3), PyTorch without weight decay (0.16) and ours with label 8
# (1.6, losses 0.24) are refused.
#
# Installs python3-torch with apt-get when /usr/bin/python3 lacks it and this
# runs as root; otherwise skips (0 passed, 0 failed, status 0). Work files go
# to a temporary directory (KEEP=1 keeps it and prints its name). The last line is always
# "N passed, M failed"; the status is 1 on failures.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GSC=${1:-${GSC:-$ROOT/build/gsc}}
PY=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
GT="$ROOT/tools/grad_torch.py"
TT="$ROOT/tools/train_torch.py"
OUT="$ROOT/build/gradtorch"
SEED=${SEED:-5}
LABEL=7
TOL=2e-3
LOSS_TOL=1e-5 # relative; P_grad's float32 forward is 3e-7 away at most here
DEFS="-D H=64 -D W=64"
K=3           # AdamW steps
LR=1e-5       # ... their learning rate and weight decay (docs/training.md says why)
WD=0.1
STEP_TOL=5e-2 # per tensor ||dP - dP_ref||_2 / ||dP_ref||_2, dP = P_K - P_0
STEP_LOSS_TOL=1e-4
SHAPE=3,64,64
# shellcheck source=tools/torch_test_lib.sh
. "$ROOT/tools/torch_test_lib.sh"
torch_test_setup test_grad_torch torch python3-torch
mkdir -p "$OUT"

# ------------------------------------------------------------ build
# shellcheck disable=SC2086 # $DEFS is two options
if "$GSC" --train "$ROOT/models/resnet18.gs" $DEFS -o "$OUT/rn18.c" > "$T/build.log" 2>&1 &&
    "$CC" -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -I"$OUT" -I"$ROOT/runtime" -DGSC_TRAIN \
        -DGSC_HEADER='"rn18.h"' -DGSC_P=rn18 -DGSC_PU=RN18 -o "$OUT/rn18_train" "$ROOT/tests/driver/model_main.c" \
        "$OUT/rn18.c" "$ROOT/runtime/gsc_init.c" "$ROOT/runtime/gsc_kernels.c" "$ROOT/runtime/gsc_backward.c" \
        "$ROOT/runtime/gsc_fast_backward.c" \
        "$ROOT/runtime/gsc_safetensors.c" "$ROOT/runtime/gsc_fast.c" "$ROOT/runtime/gsc_winograd.c" "$ROOT/runtime/gsc_train.c" -lm \
        >> "$T/build.log" 2>&1 &&
    "$GSC" --emit=abi "$ROOT/models/resnet18.gs" $DEFS > "$T/abi.json" 2>> "$T/build.log" &&
    "$GSC" --emit=params "$ROOT/models/resnet18.gs" $DEFS -o "$T/w0.safetensors" >> "$T/build.log" 2>&1; then
    ok "gsc --train models/resnet18.gs $DEFS -o build/gradtorch/rn18.c, the driver with -DGSC_TRAIN"
else
    bad "building the training step" "$T/build.log"
    finish
fi
RUN="$OUT/rn18_train"

# ------------------------------------------------------------ weights and input
# The seed's weights through P_init, the forward on the driver's input, and the random set.
if "$RUN" --save-input "$T/x.bin" --save-params "$T/w0_c.safetensors" --output "$T/y0.bin" > "$T/w.log" 2>&1 &&
    cmp "$T/w0.safetensors" "$T/w0_c.safetensors" >> "$T/w.log" 2>&1; then
    ok "gsc --emit=params writes P_init's weights, byte for byte"
else
    bad "gsc --emit=params against P_init" "$T/w.log"
fi
if ! "$RUN" --random-params "$SEED" --save-params "$T/w$SEED.safetensors" --output "$T/y$SEED.bin" \
        > "$T/w.log" 2>&1; then
    bad "the driver's random weights (seed $SEED)" "$T/w.log"
    finish
fi

if "$PY" "$GT" input --shape $SHAPE "$T/x.bin" > "$T/in.log" 2>&1; then
    ok "input: $(sed "s|$T/||" "$T/in.log")"
else
    bad "the driver's input as PyTorch reads it" "$T/in.log"
fi

# ------------------------------------------------------------ the check, per weight set
# check NAME WEIGHTS DRIVER-OPTIONS: PyTorch's gradients, then the driver's against them.
check() {
    name=$1 w=$2 tag=$3
    shift 3
    if ! "$PY" "$GT" grad --abi "$T/abi.json" --params "$T/$w.safetensors" --input "$T/x.bin" --shape $SHAPE \
            --label $LABEL --out64 "$T/r64_$tag.bin" --out32 "$T/r32_$tag.bin" --logits "$T/yt_$tag.bin" \
            > "$T/torch_$tag.log" 2>&1; then
        bad "$name: PyTorch's gradients" "$T/torch_$tag.log"
        return
    fi
    if "$PY" "$GT" compare "$T/y$tag.bin" "$T/yt_$tag.bin" --tolerance 1e-4 > "$T/y_$tag.log" 2>&1; then
        ok "$name: P_forward's logits against PyTorch's float64 ones: $(sed 's/worst tensor all, //' "$T/y_$tag.log")"
    else
        bad "$name: P_forward's logits against PyTorch's" "$T/y_$tag.log"
    fi
    "$RUN" "$@" --grad $LABEL --output "$T/g_$tag.bin" --compare "$T/r64_$tag.bin" --tolerance $TOL \
        > "$T/c_$tag.log" 2>&1
    st=$?
    if "$PY" "$GT" compare --abi "$T/abi.json" --tolerance $TOL --table "$T/errors_$tag.txt" \
            "$T/g_$tag.bin" "$T/r64_$tag.bin" > "$T/cmp_$tag.log" 2>&1 && [ $st = 0 ]; then
        ok "$name: P_grad against PyTorch float64: $(cat "$T/cmp_$tag.log")"
    else
        cat "$T/cmp_$tag.log" >> "$T/c_$tag.log"
        bad "$name: P_grad against PyTorch float64 (driver status $st)" "$T/c_$tag.log"
    fi
    if "$PY" "$GT" compare --abi "$T/abi.json" --tolerance $TOL "$T/r32_$tag.bin" "$T/r64_$tag.bin" \
            > "$T/cmp32_$tag.log" 2>&1; then
        ok "$name: PyTorch float32 against PyTorch float64: $(cat "$T/cmp32_$tag.log")"
    else
        bad "$name: PyTorch float32 against PyTorch float64" "$T/cmp32_$tag.log"
    fi
    lc=$(sed -n 's/^loss //p' "$T/c_$tag.log")
    l64=$(sed -n 's/^loss float64 //p' "$T/torch_$tag.log")
    l32=$(sed -n 's/^loss float32 //p' "$T/torch_$tag.log")
    if awk -v a="$lc" -v b="$l64" -v t=$LOSS_TOL 'BEGIN { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b
            if (a == "" || b == "" || d > t * s) exit 1 }'; then
        ok "$name: loss P_grad $lc, PyTorch float64 $l64 (float32 $l32)"
    else
        bad "$name: loss P_grad '$lc', PyTorch float64 '$l64' (relative tolerance $LOSS_TOL)" "$T/c_$tag.log"
    fi
}

check "seed weights" w0 0
check "random weights (seed $SEED, --second-params)" "w$SEED" "$SEED" --second-params "$SEED"

# ------------------------------------------------------------ the check can fail
if [ -f "$T/r64_0.bin" ]; then
    "$RUN" --grad 8 --compare "$T/r64_0.bin" --tolerance $TOL > "$T/neg.log" 2>&1
    st=$?
    if [ $st = 1 ] && grep -q "^gradients: worst tensor" "$T/neg.log"; then
        e=$(sed -n 's/^gradients: worst tensor .*, error \([^ ]*\) .*/\1/p' "$T/neg.log")
        ok "a wrong gradient fails: label 8's against label 7's reference (error $e)"
    else
        bad "label 8's gradients against label 7's reference were not refused (status $st)" "$T/neg.log"
    fi
fi

# ------------------------------------------------------------ AdamW steps
# K steps on the one example from the seed's weights, each P_grad (or autograd) and then AdamW:
# the driver with runtime/gsc_train.c, PyTorch's torch.optim.AdamW in float64 and float32.
# adamw_torch TAG OPTIONS: PyTorch's run, final parameters to $T/aw_TAG.bin, log to $T/aw_TAG.log.
adamw_torch() {
    tag=$1
    shift
    "$PY" "$GT" adamw --abi "$T/abi.json" --params "$T/w0.safetensors" --input "$T/x.bin" --shape $SHAPE \
        --steps $K --dump-params "$T/aw_$tag.bin" "$@" > "$T/aw_$tag.log" 2>&1 &&
        [ "$(grep -c '^step [0-9]*: loss ' "$T/aw_$tag.log")" = $K ]
}
# adamw_ours TAG LABEL: the driver's run.
adamw_ours() {
    "$RUN" --grad "$2" --adamw $K --lr $LR --wd $WD --dump-params "$T/aw_$1.bin" > "$T/aw_$1.log" 2>&1 &&
        [ "$(grep -c '^step [0-9]*: loss ' "$T/aw_$1.log")" = $K ]
}
# steps_cmp A B: the update of run A against run B, per tensor (status 0 within $STEP_TOL), log $T/s_A_B.log.
steps_cmp() {
    "$PY" "$GT" compare-steps --abi "$T/abi.json" --params "$T/w0.safetensors" --shape $SHAPE \
        --tolerance $STEP_TOL --table "$T/steps_$1_$2.txt" "$T/aw_$1.bin" "$T/aw_$2.bin" > "$T/s_$1_$2.log" 2>&1
}
# losses_cmp A B: the loss of every step of run A against run B (relative), log $T/l_A_B.log.
losses_cmp() {
    "$PY" "$TT" compare-losses --tolerance $STEP_LOSS_TOL "$T/aw_$1.log" "$T/aw_$2.log" > "$T/l_$1_$2.log" 2>&1
}
# worst TAG: the worst of a comparison's log, without its details in parentheses.
worst() { sed 's/ (.*//; s/^[0-9]* steps, //' "$T/$1.log"; }
first_loss() { sed -n 's/^step 1: loss //p' "$T/aw_$1.log"; }
last_loss() { sed -n "s/^step $K: loss //p" "$T/aw_$1.log"; }

if adamw_ours c $LABEL && adamw_torch 64 --label $LABEL --lr $LR --wd $WD --dtype float64 &&
    adamw_torch 32 --label $LABEL --lr $LR --wd $WD --dtype float32; then
    torch_losses="PyTorch float64 $(first_loss 64) -> $(last_loss 64)"
    ok "AdamW lr $LR wd $WD, $K steps: loss $(first_loss c) -> $(last_loss c) ($torch_losses)"
    for pair in "c 64 ours against PyTorch float64" "32 64 the yardstick: PyTorch float32 against float64"; do
        # shellcheck disable=SC2086 # the pair is two words and a name
        set -- $pair
        a=$1 b=$2
        shift 2
        if steps_cmp "$a" "$b"; then
            ok "AdamW, $*: parameters after $K steps, $(cat "$T/s_${a}_$b.log")"
        else
            bad "AdamW, $*: parameters after $K steps" "$T/s_${a}_$b.log"
        fi
        if losses_cmp "$a" "$b"; then
            ok "AdamW, $*: losses, $(cat "$T/l_${a}_$b.log")"
        else
            bad "AdamW, $*: losses" "$T/l_${a}_$b.log"
        fi
    done
    # The exact gradient of a conv bias that feeds a batchnorm is 0: float64 leaves them where they were.
    if "$PY" "$GT" biases --abi "$T/abi.json" --params "$T/w0.safetensors" --shape $SHAPE --steps $K --lr $LR \
            --wd $WD --tolerance 1e-3 "$T/aw_64.bin" > "$T/b_64.log" 2>&1; then
        ok "AdamW, PyTorch float64: $(cat "$T/b_64.log")"
    else
        bad "AdamW, PyTorch float64 moved the conv biases before a batchnorm" "$T/b_64.log"
    fi

    # The check can fail: a learning rate 1% higher, no weight decay, the wrong label.
    lr_hi=$(awk -v lr=$LR 'BEGIN { printf "%.9g", lr * 1.01 }')
    if adamw_torch lr --label $LABEL --lr "$lr_hi" --wd $WD && ! steps_cmp c lr && ! losses_cmp c lr &&
        grep -q '^worst tensor' "$T/s_c_lr.log" && grep -q 'worst relative' "$T/l_c_lr.log"; then
        ok "AdamW: PyTorch with lr $lr_hi is refused: $(worst s_c_lr); losses $(worst l_c_lr)"
    else
        bad "AdamW: PyTorch with lr $lr_hi was not refused (parameters and losses)" "$T/s_c_lr.log"
    fi
    if adamw_torch wd0 --label $LABEL --lr $LR --wd 0 && ! steps_cmp c wd0 && grep -q '^worst tensor' "$T/s_c_wd0.log"
    then
        ok "AdamW: PyTorch without weight decay is refused: $(worst s_c_wd0)"
    else
        bad "AdamW: PyTorch without weight decay was not refused" "$T/s_c_wd0.log"
    fi
    if adamw_ours c8 8 && ! steps_cmp c8 64 && ! losses_cmp c8 64 && grep -q '^worst tensor' "$T/s_c8_64.log"; then
        ok "AdamW: ours with label 8 against PyTorch's label 7 is refused: $(worst s_c8_64); losses $(worst l_c8_64)"
    else
        bad "AdamW: ours with label 8 against label 7 was not refused" "$T/s_c8_64.log"
    fi
else
    cat "$T/aw_c.log" "$T/aw_64.log" "$T/aw_32.log" > "$T/aw.log" 2>&1
    bad "AdamW steps: the driver's --adamw $K or PyTorch's" "$T/aw.log"
fi

finish
