"""conv-arithmetic: against real torch layers and a receptive field measured by gradients."""

import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("conv-arithmetic")
REF = EX.reference


def _measured_rf(kernels, strides):
    # The receptive field of the last layer's centre unit: which input pixels get gradient.
    layers = [torch.nn.Conv1d(1, 1, k, s, bias=False) for k, s in zip(kernels, strides,
                                                                         strict=True)]
    for layer in layers:
        torch.nn.init.constant_(layer.weight, 1.0)
    x = torch.ones(1, 1, 512, requires_grad=True)
    out = x
    for layer in layers:
        out = layer(out)
    out[0, 0, out.shape[-1] // 2].backward()
    touched = torch.nonzero(x.grad[0, 0]).ravel()
    return int(touched.max() - touched.min() + 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_against_torch_layers(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "conv_output_size":
            n, k, s, p, d = case.args
            conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
            assert REF.conv_output_size(n, k, s, p, d) == conv(torch.zeros(1, 1, n, n)).shape[-1]
        elif case.call == "conv_params":
            c_in, c_out, k, bias = case.args
            conv = torch.nn.Conv2d(c_in, c_out, k, bias=bias)
            assert REF.conv_params(c_in, c_out, k, bias) == sum(p.numel()
                                                                for p in conv.parameters())
        else:
            kernels, strides = case.args
            assert REF.receptive_field(kernels, strides) == _measured_rf(kernels, strides)
