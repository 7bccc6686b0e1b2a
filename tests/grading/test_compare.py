"""Comparison messages and the gradient ratio patterns."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from deepcareer.grading._child import UnsendableOutput, decode, encode, pack_value, unpack_value
from deepcareer.grading.compare import close, compare, ratio_pattern, summarize


def test_none_asks_for_a_return() -> None:
    m = compare(None, np.zeros(3))
    assert m is not None and m.kind == "none" and "return" in m.message


def test_shape_and_dtype_are_named() -> None:
    assert "shape (3,)" in compare(np.zeros(3), np.zeros((1, 3))).message  # type: ignore[union-attr]
    m = compare(np.zeros(3, dtype=int), np.zeros(3))
    assert m is not None and m.kind == "dtype" and "integers" in m.message


def test_message_shows_one_expected_value_never_the_array() -> None:
    expected = np.array([0.123456, 0.654321])
    m = compare(np.array([0.5, 0.5]), expected)
    assert m is not None
    # Both numbers at the worst index, not the expected array.
    assert "index [0]" in m.message and "returned 0.5" in m.message
    assert "0.123456" in m.message and "0.654" not in m.message


def test_scalar_mismatch_shows_both_numbers() -> None:
    m = compare(3.0, 2.5)
    assert m is not None and "returned 3, expected a value near 2.5" in m.message
    m = compare(np.int64(3), np.int64(2))
    assert m is not None and "returned 3, expected 2" in m.message
    assert "1 of 1" not in m.message
    m = compare(np.array([1, 2, 3]), np.array([1, 5, 3]))
    assert m is not None and "index [1]" in m.message and "returned 2" in m.message


def test_a_bool_is_named_as_a_bool() -> None:
    m = compare(np.array([True, False]), np.array([0.5, 0.0]))
    assert m is not None and "booleans (True/False)" in m.message
    assert "fractions" not in m.message
    m = compare(np.bool_(True), 0.7)
    assert m is not None and "booleans" in m.message


def test_integer_result_shows_the_numbers() -> None:
    m = compare(np.int64(2), 2.5)
    assert m is not None and "returned 2 where 2.5" in m.message


def test_float32_result_off_by_rounding_says_so() -> None:
    exp = np.array([0.0967266, 0.5934280])
    m = compare(exp.astype(np.float32) + np.float32(3e-6), exp)
    assert m is not None and "float32" in m.message and "float64" in m.message


def test_tuples_name_the_wrong_output() -> None:
    m = compare((np.ones(2), np.zeros(2)), (np.ones(2), np.ones(2)), names=["dx", "dW"])
    assert m is not None and m.message.startswith("dW:")


def test_float32_gets_a_looser_tolerance() -> None:
    exp = np.float32([1.0, 2.0])
    assert compare(exp * np.float32(1 + 3e-5), exp) is None
    assert compare(np.float64([1.0, 2.0]) * (1 + 3e-5), np.float64([1.0, 2.0])) is not None


def test_ratio_patterns() -> None:
    rng = np.random.default_rng(0)
    g = rng.normal(size=(4, 3))
    assert "sign" in ratio_pattern(-g, g)
    assert "twice" in ratio_pattern(2 * g, g)
    assert "square" not in ratio_pattern(g / 2, g)  # no guessed cause for a bare 2
    assert "batch" not in ratio_pattern(g / 2, g, batch=2)  # a batch of 2 is too ambiguous
    assert "batch size" in ratio_pattern(g / 4, g, batch=4)
    assert "averaged over the batch" in ratio_pattern(g * 4, g, batch=4)
    assert "same factor (3" in ratio_pattern(3 * g, g)
    assert ratio_pattern(g + rng.normal(size=g.shape), g) == ""


def test_gradient_message_names_element_and_pattern() -> None:
    g = np.arange(1.0, 7.0).reshape(2, 3)
    m = compare(2 * g, g, gradient=True)
    assert m is not None and "index [1, 2]" in m.message and "twice" in m.message


def test_summarize_is_short() -> None:
    assert len(summarize(np.zeros((100, 100)))) < 120
    assert summarize(None) == "None"
    assert summarize(UnsendableOutput("dict")) == "a dict"


@given(arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
              shape=array_shapes(min_dims=0, max_dims=3, max_side=4)))
def test_wire_round_trip_is_exact(arr: np.ndarray) -> None:
    import io

    values: list[object] = []
    desc = pack_value((arr, 3, "s", None, [1.0, 2.0]), values)
    frame = decode(io.BytesIO(encode({"v": desc}, values)))
    assert frame is not None
    meta, arrays_back = frame
    out = unpack_value(meta["v"], arrays_back)
    np.testing.assert_array_equal(out[0], arr)
    assert out[0].dtype == arr.dtype
    assert out[1:] == (3, "s", None, [1.0, 2.0])


def test_lists_of_ragged_arrays_compare_item_by_item() -> None:
    expected = [np.array([3, 0]), np.array([4, 1]), np.array([2])]
    assert compare([np.array([3, 0]), np.array([4, 1]), np.array([2])], expected) is None
    m = compare([np.array([3, 0]), np.array([4, 1])], expected)
    assert m is not None and "returned 2 values, expected 3" in m.message
    m = compare([np.array([3, 0]), np.array([1, 4]), np.array([2])], expected)
    assert m is not None and m.message.startswith("output 1:")


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    shape=st.sampled_from([(), (3,), (2, 2)]),
    dtype=st.sampled_from([np.float64, np.float32]),
    tuple_of=st.integers(min_value=0, max_value=2),
)
def test_the_fast_path_of_close_gives_compares_verdict(data, shape, dtype, tuple_of) -> None:
    specials = st.sampled_from([0.0, 1.0, -1.0, 1e-9, np.nan, np.inf, -np.inf])
    elems = st.one_of(st.floats(-1e3, 1e3), specials)

    def arr():
        values = data.draw(st.lists(elems, min_size=int(np.prod(shape)),
                                    max_size=int(np.prod(shape))))
        a = np.array(values, dtype=dtype).reshape(shape)
        return a if shape else dtype(a)

    def pair():
        e = arr()
        g = e + data.draw(st.sampled_from([0.0, 1e-9, 1e-6, 1e-3, 1.0])) if data.draw(
            st.booleans()) else arr()
        return g, e

    pairs = [pair() for _ in range(max(tuple_of, 1))]
    got = tuple(p[0] for p in pairs) if tuple_of else pairs[0][0]
    expected = tuple(p[1] for p in pairs) if tuple_of else pairs[0][1]
    with np.errstate(all="ignore"):
        assert close(got, expected) == (compare(got, expected) is None)
