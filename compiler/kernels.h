/*
 * kernels.h - the runtime kernels that lowered calls name. One row per C
 * function of runtime/gsc_fast.h or runtime/gsc_runtime.h that lower.c may
 * call; the enum KernelId, the C names and the argument signatures all come
 * from here, so the emitter and the planner read a call's arguments by what
 * they are, not by where they sit.
 *
 * K(ID, c_name, signature)
 *   signature: one letter per argument, in the C function's order:
 *     g  the call's geometry (GscFastConv or GscFastPool, a file-scope constant)
 *     r  a buffer the call reads
 *     R  a buffer the call reads and its result may overwrite ("in place ok")
 *     w  a buffer the call writes
 *     s  scratch: a buffer the call writes and reads, dead afterwards
 *     a  a gradient buffer the call adds into
 *     p  weights: prepared (an offset into P_prepare's output) or, in P_grad,
 *        the parameters themselves
 *     G  parameter gradients the call adds into (an offset into grads)
 *     i  an integer (a size)
 *     x  a real number (a float: an operation's real attribute)
 *     f  flags (GSC_FAST_*; an activation GSC_ACT_* for gsc_act, an operation
 *        GSC_EW_* for gsc_binary)
 *     l  the class label of P_grad
 *   A letter followed by '?' may be NULL. A signature that starts with '='
 *   is a function that returns the loss.
 */
/* the fast kernels (runtime/gsc_fast.h): channel-blocked activations */
K(FAST_FROM_CHW,       "gsc_fast_from_chw",       "riiiw")
K(FAST_TO_CHW,         "gsc_fast_to_chw",         "riiiw")
K(FAST_PARAM_TO_BLOCKED, "gsc_fast_from_chw",     "piiiw") /* a param tensor as a blocked value */
K(FAST_CONV2D,         "gsc_fast_conv2d",         "grpr?fww?s")
K(FAST_CONV2D_OUT,     "gsc_fast_conv2d_out",     "grpr?fr?r?fws")
K(FAST_CONV2D_WINOGRAD, "gsc_fast_conv2d_winograd", "girpr?fww?s")
K(FAST_CONV_TRANSPOSE2D, "gsc_fast_conv_transpose2d", "giirpr?fws")
K(FAST_MOMENTS,        "gsc_fast_moments",        "riiiw")
K(FAST_BN_FOLD,        "gsc_fast_bn_fold",        "rppiw")
K(FAST_BN_EVAL_FOLD,   "gsc_fast_bn_eval_fold",   "ppppixw")
K(FAST_LAYERNORM,      "gsc_fast_layernorm",      "Riiippxw")
K(FAST_BN_APPLY,       "gsc_fast_bn_apply",       "Riiir?R?r?fw")
K(FAST_RELU,           "gsc_fast_relu",           "Riw")
K(FAST_ADD,            "gsc_fast_add",            "RRiw")
K(FAST_COPY_CHANNELS,  "gsc_fast_copy_channels",  "riiiwii")
K(FAST_MAXPOOL2D,      "gsc_fast_maxpool2d",      "grr?fw")
K(FAST_AVGPOOL2D,      "gsc_fast_avgpool2d",      "grw")
K(FAST_GLOBAL_AVGPOOL, "gsc_fast_global_avgpool", "riiiw")
K(FAST_ADAPTIVE_AVGPOOL2D, "gsc_fast_adaptive_avgpool2d", "riiiiiw")
K(FAST_UPSAMPLE,       "gsc_fast_upsample_nearest", "riiiiiw")
K(FAST_UPSAMPLE_BILINEAR, "gsc_fast_upsample_bilinear", "riiiiiiw")
K(FAST_LINEAR,         "gsc_fast_linear",         "ripiw")
K(FAST_ACT,            "gsc_fast_act",            "Rifw")
K(FAST_ACT_PARAM,      "gsc_fast_act_param",      "Riifxxw")
K(FAST_BINARY,         "gsc_fast_binary",         "riiiriiiiiifw")
K(FAST_GATHER_CHANNELS, "gsc_fast_gather_channels", "riiiiiiw")
/* the reference kernels (runtime/gsc_runtime.h): plain CHW; softmax serves both */
K(CONV2D,              "gsc_conv2d",              "riiipp?iiiiiw")
K(CONV2D_AXES,         "gsc_conv2d_axes",         "riiipp?iiiiiiiiiiiiw")
K(CONV_TRANSPOSE2D,    "gsc_conv_transpose2d",    "riiipp?iiiiiiiiiiiiiw")
K(BATCHNORM,           "gsc_batchnorm",           "Riippw")
K(BATCHNORM_EVAL,      "gsc_batchnorm_eval",      "Riippppxw")
K(LAYERNORM,           "gsc_layernorm",           "Riippxw")
K(RELU,                "gsc_relu",                "Riw")
K(MAXPOOL2D,           "gsc_maxpool2d",           "riiiiiiiw")
K(MAXPOOL2D_AXES,      "gsc_maxpool2d_axes",      "riiiiiiiiiiiiw")
K(AVGPOOL2D,           "gsc_avgpool2d",           "riiiiiiw")
K(AVGPOOL2D_AXES,      "gsc_avgpool2d_axes",      "riiiiiiiiiiiiiw")
K(GLOBAL_AVGPOOL,      "gsc_global_avgpool",      "riiw")
K(ADAPTIVE_AVGPOOL2D,  "gsc_adaptive_avgpool2d",  "riiiiiw")
K(UPSAMPLE,            "gsc_upsample_nearest",    "riiiiiw")
K(UPSAMPLE_BILINEAR,   "gsc_upsample_bilinear",   "riiiiiiw")
K(LINEAR,              "gsc_linear",              "rippiw")
K(ADD,                 "gsc_add",                 "RRiw")
K(SOFTMAX,             "gsc_softmax",             "Riw")
K(ACT,                 "gsc_act",                 "Rifw")
K(ACT_PARAM,           "gsc_act_param",           "Rifxxw")
K(BINARY,              "gsc_binary",              "riiiriiiiiifw")
K(GATHER_CHANNELS,     "gsc_gather_channels",     "riiiiiw")
/* training (P_grad): the backward kernels and the losses (runtime/gsc_backward.c) */
K(CONV2D_BACKWARD,     "gsc_conv2d_backward",     "riiipriiiiia?GG?")
K(CONV2D_BACKWARD_AXES, "gsc_conv2d_backward_axes", "riiipriiiiiiiiiiiia?GG?")
K(CONV_TRANSPOSE2D_BACKWARD, "gsc_conv_transpose2d_backward", "riiipriiiiiiiiiiiiia?GG?")
K(FAST_BATCHNORM_CHW,  "gsc_fast_batchnorm_chw",  "Riippw")
K(FAST_BATCHNORM_CHW_BACKWARD, "gsc_fast_batchnorm_chw_backward", "riipr?ra?GG")
K(BATCHNORM_EVAL_BACKWARD, "gsc_batchnorm_eval_backward", "riipppxra?GG")
K(LAYERNORM_BACKWARD,  "gsc_layernorm_backward",  "riipxra?GG")
K(LINEAR_BACKWARD,     "gsc_linear_backward",     "ripria?GG")
K(RELU_BACKWARD,       "gsc_relu_backward",       "rria")
K(ACCUMULATE,          "gsc_accumulate",          "ria")
K(ACCUMULATE_PARAM,    "gsc_accumulate",          "riG") /* a param tensor's gradient */
K(MAXPOOL2D_BACKWARD,  "gsc_maxpool2d_backward",  "riiiiiiira")
K(MAXPOOL2D_BACKWARD_AXES, "gsc_maxpool2d_backward_axes", "riiiiiiiiiiiira")
K(AVGPOOL2D_BACKWARD,  "gsc_avgpool2d_backward",  "iiiiiira")
K(AVGPOOL2D_BACKWARD_AXES, "gsc_avgpool2d_backward_axes", "iiiiiiiiiiiiira")
K(GLOBAL_AVGPOOL_BACKWARD, "gsc_global_avgpool_backward", "iira")
K(ADAPTIVE_AVGPOOL2D_BACKWARD, "gsc_adaptive_avgpool2d_backward", "iiiiira")
K(UPSAMPLE_BACKWARD,   "gsc_upsample_nearest_backward", "iiiiira")
K(UPSAMPLE_BILINEAR_BACKWARD, "gsc_upsample_bilinear_backward", "iiiiiira")
K(SOFTMAX_BACKWARD,    "gsc_softmax_backward",    "rria")
K(ACT_BACKWARD,        "gsc_act_backward",        "rrifa")
K(ACT_PARAM_BACKWARD,  "gsc_act_param_backward",  "rrifxxa")
K(BINARY_BACKWARD,     "gsc_binary_backward",     "riiiriiiiiifra?a?")
K(GATHER_CHANNELS_BACKWARD, "gsc_gather_channels_backward", "riiiiia")
K(XENT_LOSS,           "gsc_xent_loss",           "=rilw")
K(MSE_LOSS,            "gsc_mse_loss",            "=rriw")
/* training (P_grad): the convolution on plain CHW, threaded (runtime/gsc_fast_backward.c) */
K(FAST_CONV2D_CHW,     "gsc_fast_conv2d_chw",     "riiipp?iiiiiw")
K(FAST_CONV2D_CHW_BACKWARD, "gsc_fast_conv2d_chw_backward", "riiipriiiiia?GG?")
/* a plain copy: memcpy(w + offset, r, i floats), printed with sizeof(float) */
K(COPY,                "memcpy",                  "wri")
K(COPY_PARAM,          "memcpy",                  "wpi") /* a param tensor as a plain value */
/* zeroing a gradient before its first addition: memset(w, 0, i floats) */
K(ZERO,                "memset",                  "wi")
