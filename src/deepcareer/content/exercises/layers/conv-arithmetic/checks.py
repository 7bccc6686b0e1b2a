"""Cases and misconceptions for convolution arithmetic."""


from deepcareer.grading.spec import Case, Checks, Misconception


def _no_padding_twice(n, k, s, p, d):
    return (n + p - (d * (k - 1) + 1)) // s + 1


def _no_dilation(n, k, s, p, d):
    return (n + 2 * p - k) // s + 1


def _no_plus_one(n, k, s, p, d):
    return (n + 2 * p - (d * (k - 1) + 1)) // s


def _params_no_cin(c_in, c_out, k, bias):
    return c_out * (k * k + (1 if bias else 0))


def _params_bias_per_weight(c_in, c_out, k, bias):
    return c_out * c_in * k * k * (2 if bias else 1)


def _rf_sum(kernels, strides):
    return 1 + sum(k - 1 for k in kernels)


def _rf_own_stride(kernels, strides):
    rf, jump = 1, 1
    for k, s in zip(kernels, strides):
        jump *= s
        rf += (k - 1) * jump
    return rf


def _random_cases(rng):
    n, k = int(rng.integers(16, 64)), int(rng.choice([1, 3, 5, 7]))
    return [
        Case("conv_output_size", [n, k, int(rng.integers(1, 4)), int(rng.integers(0, 3)),
                                  int(rng.integers(1, 3))], name="random layer"),
        Case("conv_params", [int(rng.integers(1, 64)), int(rng.integers(1, 128)), k, True],
             name="random layer"),
        Case("receptive_field", [[int(v) for v in rng.choice([1, 3, 5], size=4)],
                                 [int(v) for v in rng.choice([1, 2], size=4)]],
             name="random stack of 4"),
    ]


CHECKS = Checks(
    cases=[
        Case("conv_output_size", [32, 3, 1, 1, 1], name="the README example (same padding)"),
        Case("conv_output_size", [32, 3, 2, 1, 1], name="stride 2"),
        Case("conv_output_size", [7, 3, 2, 0, 1], name="no padding, stride 2"),
        Case("conv_output_size", [28, 3, 1, 2, 2], name="dilation 2"),
        Case("conv_params", [3, 64, 3, True], name="the README example"),
        Case("conv_params", [64, 128, 1, False], name="a 1 x 1 convolution without bias"),
        Case("receptive_field", [[3, 3, 3], [1, 1, 1]], name="three 3 x 3 layers"),
        Case("receptive_field", [[7, 3, 3], [2, 2, 1]], name="the README example"),
    ],
    hidden=[
        Case("conv_output_size", [224, 7, 2, 3, 1]),
        Case("conv_params", [16, 16, 5, True]),
        Case("receptive_field", [[3, 2, 3, 2], [1, 2, 1, 2]]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="conv-arithmetic.padding-once",
            title="adding the padding once instead of on both sides",
            explanation="p zeros go on each side of the axis, so the padded length is n + 2p.",
            hints=["How long is a 32-pixel row padded by 1?", "Both sides.", "n + 2 * p."],
            replace={"conv_output_size": _no_padding_twice},
        ),
        Misconception(
            id="conv-arithmetic.ignores-dilation",
            title="ignoring dilation in the kernel's span",
            explanation="A dilated kernel spreads its k taps d pixels apart: it spans "
            "d (k - 1) + 1 pixels.",
            hints=["How many pixels does a 3-tap kernel with dilation 2 cover?", "Five.",
                   "effective = d * (k - 1) + 1."],
            replace={"conv_output_size": _no_dilation},
        ),
        Misconception(
            id="conv-arithmetic.missing-plus-one",
            title="forgetting the +1 (the first position)",
            explanation="floor((L - span) / s) counts the steps; the number of positions is one "
            "more.",
            hints=["A 3-wide kernel on a 3-wide input fits how many times?", "Once, not zero.",
                   "... // s + 1."],
            replace={"conv_output_size": _no_plus_one},
        ),
        Misconception(
            id="conv-arithmetic.params-no-input-channels",
            title="counting k x k weights per filter, ignoring input channels",
            explanation="A filter covers every input channel: k * k * c_in weights.",
            hints=["How many weights does one filter over an RGB image have?",
                   "3 x 3 x 3 = 27.", "c_out * (c_in * k * k + 1)."],
            replace={"conv_params": _params_no_cin},
        ),
        Misconception(
            id="conv-arithmetic.bias-per-weight",
            title="one bias per weight instead of one per filter",
            explanation="A filter has a single bias, added to its whole output map.",
            hints=["How many biases does a layer with 64 filters have?", "64.",
                   "+ 1 per output channel."],
            replace={"conv_params": _params_bias_per_weight},
        ),
        Misconception(
            id="conv-arithmetic.rf-ignores-stride",
            title="adding (k - 1) per layer without the strides",
            explanation="After a stride-2 layer, one step in the feature map is two input "
            "pixels, so every later kernel reaches twice as far.",
            hints=["Look at the README stack with strides.", "Track the jump between units.",
                   "rf += (k - 1) * jump; jump *= s."],
            replace={"receptive_field": _rf_sum},
        ),
        Misconception(
            id="conv-arithmetic.rf-own-stride",
            title="scaling a layer's growth by its own stride",
            explanation="A layer's kernel moves over the previous layer's grid; its own stride "
            "affects the layers AFTER it.",
            hints=["Update the jump after using it.", "Which strides came before this layer?",
                   "rf += (k - 1) * jump, then jump *= s."],
            replace={"receptive_field": _rf_own_stride},
        ),
    ],
)
