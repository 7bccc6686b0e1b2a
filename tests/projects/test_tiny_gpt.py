"""The tiny-GPT project: its reference scores causally past its context, its rotary
positions and sampling behave, a GPT without its causal mask is caught, and the report
shows samples at several temperatures."""

from __future__ import annotations

import importlib.util
import types

import numpy as np
import pytest

from deepcareer.projects.report import report_data
from deepcareer.projects.runs import run_project
from deepcareer.projects.spec import get_project
from deepcareer.store.db import Store
from tests.conftest import track_skip

pytestmark = track_skip("pytorch")

TINY_GPT = get_project("tiny-gpt")


def _reference(**sizes: int) -> types.ModuleType:
    """A fresh copy of the reference module, with smaller sizes for a quick test."""
    spec = importlib.util.spec_from_file_location("tiny_gpt_reference", TINY_GPT.reference)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, value in sizes.items():
        assert hasattr(module, name), name
        setattr(module, name, value)
    return module


def _small_gpt() -> tuple[types.ModuleType, object]:
    import torch

    ref = _reference(WIDTH=32, LAYERS=2, HEADS=4, CONTEXT=16)
    torch.manual_seed(0)
    return ref, ref.TinyGPT(98, seed=3).eval()


def test_the_spec_asks_for_samples_at_several_temperatures() -> None:
    spec = TINY_GPT.spec
    assert spec.task == "language-model" and spec.dataset.name == "stdlib-text"
    assert [e.name for e in spec.experiments] == ["gpt", "lstm"] and spec.main == "gpt"
    assert len(spec.sample_temperatures) >= 2
    assert {"self-attention", "transformers", "positional-encoding"} <= set(spec.skills)


def test_predict_past_the_context_is_causal_and_matches_one_pass_within_it() -> None:
    """Rows longer than the context are scored in overlapping windows: a position's
    scores never change when only later characters do, and within the first context
    they are those of one pass over the prefix."""
    import torch

    ref, model = _small_gpt()
    rng = np.random.default_rng(0)
    X = rng.integers(0, 98, size=(5, 57))  # 57 > 16: four windows and a short last one
    pred = ref.predict(model, X)
    assert pred.shape == (5, 57, 98) and pred.dtype == np.float32
    np.testing.assert_allclose(np.exp(pred).sum(axis=-1), 1.0, rtol=1e-4)
    for cut in (3, 16, 17, 30, 41, 56):
        later = X.copy()
        later[:, cut:] = rng.integers(0, 98, size=(5, 57 - cut))
        changed = ref.predict(model, later)
        np.testing.assert_allclose(changed[:, :cut], pred[:, :cut], atol=1e-5)
        assert not np.allclose(changed[:, cut:], pred[:, cut:], atol=1e-3)
    with torch.no_grad():
        first = torch.log_softmax(model(torch.as_tensor(X[:, :16])), dim=-1).numpy()
    np.testing.assert_allclose(pred[:, :16], first, atol=1e-5)


def test_rotary_positions_make_scores_depend_on_distance_only() -> None:
    import torch

    ref = _reference()
    torch.manual_seed(1)
    q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)
    T = 12
    rq, rk = ref.rotate(q.expand(1, 1, T, 8)), ref.rotate(k.expand(1, 1, T, 8))
    scores = (rq[0, 0] @ rk[0, 0].T).numpy()  # (T, T): query position x key position
    for shift in (1, 4):
        np.testing.assert_allclose(np.diagonal(scores, -shift)[:-1],
                                   np.diagonal(scores, -shift)[1:], atol=1e-5)
    np.testing.assert_allclose(rq.norm(dim=-1).numpy(), q.norm().item(), rtol=1e-5)
    assert not np.allclose(scores[3, 0], scores[3, 2])  # distance does matter


def test_sampling_is_seeded_and_temperature_sharpens_it() -> None:
    ref, model = _small_gpt()
    prompt = np.arange(10, dtype=np.int64)
    a = ref.sample(model, prompt, 60, temperature=0.8)
    assert a.shape == (60,) and a.dtype == np.int64 and a.min() >= 0 and a.max() < 98
    np.testing.assert_array_equal(a, ref.sample(model, prompt, 60, temperature=0.8))
    cold = ref.sample(model, prompt, 60, temperature=0.05)
    hot = ref.sample(model, prompt, 60, temperature=5.0)
    assert len(set(cold.tolist())) < len(set(hot.tolist()))


def _short(source: str) -> str:
    """The reference trained for a few updates only (a quick run through the harness)."""
    assert "STEPS = 1000" in source
    return source.replace("STEPS = 1000", "STEPS = 15")


@pytest.mark.slow  # trains in the sandbox
def test_a_gpt_without_its_causal_mask_is_caught(pstore: Store) -> None:
    source = TINY_GPT.reference.read_text()
    assert source.count("is_causal=True") == 1
    peeking = _short(source).replace("is_causal=True", "is_causal=False")
    result = run_project(pstore, TINY_GPT, peeking, experiments=["gpt"], record=False)
    assert result.status == "leak" and not result.passed, result.message
    (check,) = [c for c in result.checks if c["check"] == "looks-ahead"]
    assert check["severity"] == "leak" and "causal mask" in str(check["message"])

    honest = run_project(pstore, TINY_GPT, _short(source), experiments=["gpt"],
                         record=False)
    assert not [c for c in honest.checks if c["severity"] in ("leak", "refused")], (
        honest.checks)
    (gpt,) = honest.experiments
    assert gpt.metric is not None and gpt.metric > 3.0  # 15 updates teach little
    # The default sample and one per temperature of the spec, all shown in the report.
    temperatures = [f"{t:g}" for t in TINY_GPT.spec.sample_temperatures]
    assert gpt.sample and sorted(gpt.extra["samples"]) == sorted(temperatures)
    assert all(len(text) == 300 for text in gpt.extra["samples"].values())
    samples = report_data(TINY_GPT, honest)["samples"]
    assert set(samples) == {"gpt", *(f"gpt, temperature {t}" for t in temperatures)}


def test_the_report_labels_each_sample_with_its_temperature() -> None:
    from deepcareer.projects.runs import ExperimentResult, RunResult

    gpt = ExperimentResult("gpt", "gpt", "plain", "ok", metric=2.0, sample="def f",
                           extra={"samples": {"0.5": "def g", "1.5": "de#"}})
    lstm = ExperimentResult("lstm", "lstm", "plain", "ok", metric=2.1, sample="class A")
    run = RunResult("tiny-gpt", 0, "pass", 2.0, True, 1.0, "0" * 64, [gpt, lstm])
    assert report_data(TINY_GPT, run)["samples"] == {
        "gpt": "def f", "gpt, temperature 0.5": "def g", "gpt, temperature 1.5": "de#",
        "lstm": "class A"}
