/*
 * ops.h - the operator table. One row per GraphSpec operation.
 *
 * Every stage that handles operations expands this table, so the enum, the
 * spelling, the argument signature, the shape rule, the interpreter and the C
 * emitter cannot drift apart: adding a row without its functions in each stage
 * is a compile error.
 *
 * X(ID, name, min_inputs, max_inputs, nparams, signature)
 *   min/max_inputs  tensor operands when the operation is applied (-1: any)
 *   nparams         parameter tensors the operation declares (ABI order
 *                   is op_params() in check.c, which an op with nparams > 0 needs)
 *   signature       the operation's integer arguments, comma separated:
 *                     "a->b"   one positional arrow pair   conv2d(64 -> 128)
 *                     "(c)"    one positional value        batchnorm(64)
 *                     "k"      a required keyword          k=3
 *                     "s=1"    a keyword with a default    stride=1
 *                   Attribute slots are numbered in signature order (an
 *                   arrow pair takes two slots).
 */
X(CONV2D,        "conv2d",         1,  1, 2, "cin->cout,k,stride=1,pad=0")
X(BATCHNORM,     "batchnorm",      1,  1, 2, "(c)")
X(LINEAR,        "linear",         1,  1, 2, "in->out")
X(RELU,          "relu",           1,  1, 0, "")
X(MAXPOOL2D,     "maxpool2d",      1,  1, 0, "k,stride=1,pad=0")
X(AVGPOOL2D,     "avgpool2d",      1,  1, 0, "k,stride=1,pad=0")
X(GLOBAL_AVGPOOL,"global_avgpool", 1,  1, 0, "")
X(ADD,           "add",            2,  2, 0, "")
X(CONCAT,        "concat",         2, -1, 0, "")
X(FLATTEN,       "flatten",        1,  1, 0, "")
X(SOFTMAX,       "softmax",        1,  1, 0, "")
