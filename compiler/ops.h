/*
 * ops.h - the operator table. One row per GraphSpec operation.
 *
 * Every stage that handles operations expands this table: ops.c (names,
 * arities, signatures), check.c (shape rules), eval.c (the interpreter) and
 * lower.c (the kernels of both backends) each build an array indexed by
 * OpKind from it, so a row without its function in one of them is a compile
 * error. Switches over OpKind name every operation (no default), so -Wswitch
 * finds the ones a new row must extend.
 *
 * X(ID, name, min_inputs, max_inputs, nparams, attributes)
 *   min/max_inputs  tensor operands when the operation is applied (-1: any)
 *   nparams         parameter tensors the operation declares (ABI order
 *                   is op_params() in check.c, which an op with nparams > 0 needs);
 *                   a conv2d with bias=0 declares only the first (layer_tensors)
 *   attributes      the operation's integer arguments, in slot order:
 *                     ARROW(ID, a, b)  a positional arrow pair   conv2d(64 -> 128)
 *                     POS(ID, c)       one positional value      batchnorm(64)
 *                     KW(ID, k)        a required keyword        k=3
 *                     OPT(ID, s, 1)    a keyword with a default  stride=1
 *                     RKW(ID, m)       a required real keyword   min=0.0
 *                     ROPT(ID, e, 1e-5) a real keyword with a default  eps=1e-5
 *                     AXES(ID, k)      a required keyword per axis: k=3 or k=(kh, kw);
 *                                      two slots, ID_k (the height) and ID_k_w
 *                     AXES_OPT(ID, s, 1) the same with a default: stride=(2, 1)
 *                     PADS(ID, p, 0)   padding: pad=1, pad=(h, w) or
 *                                      pad=(top, left, bottom, right); four slots,
 *                                      ID_p (top), ID_p_left, ID_p_bottom, ID_p_right
 *                   Integer attributes are sizes (Dim, proved for all sizes);
 *                   real ones are literals (GNode.r), written with a '.' or
 *                   an exponent: 1e-5, 0.1, -1.0, 6.0.
 *                   Each attribute is also an enum constant ID_name (gsc.h),
 *                   its slot in GNode.attr / GNode.a: n->a[CONV2D_k].
 */
X(CONV2D,        "conv2d",         1,  1, 2, ARROW(CONV2D, cin, cout) AXES(CONV2D, k) AXES_OPT(CONV2D, stride, 1)
                                             PADS(CONV2D, pad, 0) AXES_OPT(CONV2D, dilation, 1) OPT(CONV2D, groups, 1)
                                             OPT(CONV2D, bias, 1))
/* PyTorch's ConvTranspose2d (groups 1): weight [cin, cout, kh, kw], out = (h - 1)*stride - top - bottom
 * + (k - 1)*dilation + output_pad + 1, output_pad < stride (check.c, shape_CONV_TRANSPOSE2D) */
X(CONV_TRANSPOSE2D,"conv_transpose2d",1, 1, 2, ARROW(CONV_TRANSPOSE2D, cin, cout) AXES(CONV_TRANSPOSE2D, k)
                                             AXES_OPT(CONV_TRANSPOSE2D, stride, 1) PADS(CONV_TRANSPOSE2D, pad, 0)
                                             AXES_OPT(CONV_TRANSPOSE2D, output_pad, 0)
                                             AXES_OPT(CONV_TRANSPOSE2D, dilation, 1) OPT(CONV_TRANSPOSE2D, bias, 1))
X(BATCHNORM,     "batchnorm",      1,  1, 2, POS(BATCHNORM, c))
X(BATCHNORM_EVAL,"batchnorm_eval", 1,  1, 4, POS(BATCHNORM_EVAL, c) ROPT(BATCHNORM_EVAL, eps, 1e-5))
/* normalised over the channels at each position of [c, h, w], or over a vector [c] */
X(LAYERNORM,     "layernorm",      1,  1, 2, POS(LAYERNORM, c) ROPT(LAYERNORM, eps, 1e-5))
X(LINEAR,        "linear",         1,  1, 2, ARROW(LINEAR, in, out))
X(RELU,          "relu",           1,  1, 0, )
X(MAXPOOL2D,     "maxpool2d",      1,  1, 0, AXES(MAXPOOL2D, k) AXES_OPT(MAXPOOL2D, stride, 1) PADS(MAXPOOL2D, pad, 0)
                                             OPT(MAXPOOL2D, ceil, 0))
X(AVGPOOL2D,     "avgpool2d",      1,  1, 0, AXES(AVGPOOL2D, k) AXES_OPT(AVGPOOL2D, stride, 1) PADS(AVGPOOL2D, pad, 0)
                                             OPT(AVGPOOL2D, ceil, 0) OPT(AVGPOOL2D, count_pad, 1))
X(GLOBAL_AVGPOOL,"global_avgpool", 1,  1, 0, )
/* PyTorch's adaptive_avg_pool2d: size=n or size=(oh, ow), constants >= 1 */
X(ADAPTIVE_AVGPOOL2D,"adaptive_avgpool2d",1, 1, 0, AXES(ADAPTIVE_AVGPOOL2D, size))
/* upsampling by constant integer factors >= 1 per axis: F.interpolate's 'nearest' (each cell
 * replicated into a scale block) and 'bilinear' (align_corners 0: half-pixel centres, or 1) */
X(UPSAMPLE,      "upsample",       1,  1, 0, AXES(UPSAMPLE, scale))
X(UPSAMPLE_BILINEAR,"upsample_bilinear",1, 1, 0, AXES(UPSAMPLE_BILINEAR, scale) OPT(UPSAMPLE_BILINEAR, align_corners, 0))
X(ADD,           "add",            2,  2, 0, )
X(CONCAT,        "concat",         2, -1, 0, )
X(FLATTEN,       "flatten",        1,  1, 0, )
X(SOFTMAX,       "softmax",        1,  1, 0, )
/* activations: elementwise, the shape of the operand (docs/semantics.md) */
X(RELU6,         "relu6",          1,  1, 0, )
X(SIGMOID,       "sigmoid",        1,  1, 0, )
X(TANH,          "tanh",           1,  1, 0, )
X(SILU,          "silu",           1,  1, 0, )
X(GELU,          "gelu",           1,  1, 0, )
X(GELU_TANH,     "gelu_tanh",      1,  1, 0, )
X(HARDSWISH,     "hardswish",      1,  1, 0, )
X(HARDSIGMOID,   "hardsigmoid",    1,  1, 0, )
/* clip: a bound not given is float32's largest value (as ONNX's Clip): clip(x, min=0.1) */
X(CLIP,          "clip",           1,  1, 0, ROPT(CLIP, min, -3.4028235e+38) ROPT(CLIP, max, 3.4028235e+38))
X(LEAKY_RELU,    "leaky_relu",     1,  1, 0, ROPT(LEAKY_RELU, alpha, 0.01))
/* elementwise binary operations with typed broadcasting, as add (check.c, rule_broadcast) */
X(MUL,           "mul",            2,  2, 0, )
X(SUB,           "sub",            2,  2, 0, )
X(MAXIMUM,       "maximum",        2,  2, 0, )
X(MINIMUM,       "minimum",        2,  2, 0, )
/* a parameter tensor [c, h, w] of its own (nn.Parameter), a value where its name is used; init a constant */
X(PARAM,         "param",          0,  0, 1, POS(PARAM, c) POS(PARAM, h) POS(PARAM, w) RKW(PARAM, init))
/* identity (dropout at inference); channel split and shuffle: channels gathered */
X(IDENTITY,      "identity",       1,  1, 0, )
X(NARROW,        "narrow",         1,  1, 0, KW(NARROW, start) KW(NARROW, length))
X(CHANNEL_SHUFFLE,"channel_shuffle",1, 1, 0, POS(CHANNEL_SHUFFLE, groups))
