"""The sandboxed child: runs learner code on the cases it is sent.

Run as ``python -I _child.py WORKDIR [MODULE ...] [--warm-up]``, inside the operating-system sandbox
(``isolation.py``). It imports NumPy (and the MODULEs: a framework, for a child started
ahead of time for a framework track), then waits for one framed message on stdin
(the learner's source, its file name and the calls to make), so a child started
ahead of time is ready the moment a check comes in. It installs an audit hook that
forbids the network, subprocesses, ctypes, writes outside WORKDIR and reads of the
course content or the learner's home (a second layer: friendly messages where the
sandbox would otherwise give a bare error), then executes the learner's code and
streams one framed result per call to stdout.

This file is self-contained on purpose (stdlib and NumPy only): it must not
import ``deepcareer``, and the parent imports its framing helpers from here so
both sides speak the same protocol. It never receives expected values, the
reference solution or the misconception catalog.
"""

from __future__ import annotations

import io
import json
import linecache
import os
import struct
import sys
import traceback
from typing import Any, BinaryIO

_HEADER = struct.Struct(">II")  # (json length, blob count)
_BLOB = struct.Struct(">Q")
STDOUT_LIMIT = 8_000  # characters of learner output kept per run


def encode(meta: dict[str, Any], arrays: list[Any]) -> bytes:
    """Frame a JSON header and NumPy arrays as bytes (arrays as ``.npy``)."""
    import numpy as np

    body = json.dumps(meta).encode()
    parts = [_HEADER.pack(len(body), len(arrays)), body]
    for arr in arrays:
        buf = io.BytesIO()
        np.save(buf, np.asarray(arr), allow_pickle=False)
        data = buf.getvalue()
        parts.append(_BLOB.pack(len(data)))
        parts.append(data)
    return b"".join(parts)


def decode(stream: BinaryIO, limit: int = 64_000_000) -> tuple[dict[str, Any], list[Any]] | None:
    """Read one frame; ``None`` at a clean end of stream. Never unpickles.

    ``limit`` caps the JSON part; every array's ``.npy`` header is checked against
    the bytes that follow it before NumPy allocates anything, so a forged header
    cannot make the reader reserve more memory than the frame holds.
    """
    import numpy as np

    head = stream.read(_HEADER.size)
    if not head:
        return None
    if len(head) < _HEADER.size:
        raise ValueError("truncated frame header")
    n_json, n_blobs = _HEADER.unpack(head)
    if n_json > limit or n_blobs > 10_000:
        raise ValueError("frame too large")
    body = stream.read(n_json)
    if len(body) != n_json:
        raise ValueError("truncated frame")
    meta = json.loads(body)
    if not isinstance(meta, dict):
        raise ValueError("frame header is not an object")
    arrays = []
    for _ in range(n_blobs):
        raw = stream.read(_BLOB.size)
        if len(raw) != _BLOB.size:
            raise ValueError("truncated array size")
        (size,) = _BLOB.unpack(raw)
        data = stream.read(size)
        if len(data) != size:
            raise ValueError("truncated array")
        arrays.append(_load_npy(data, np))
    return meta, arrays


def _load_npy(data: bytes, np: Any) -> Any:
    fmt = np.lib.format
    fp = io.BytesIO(data)
    version = fmt.read_magic(fp)
    if version == (1, 0):
        shape, _fortran, dtype = fmt.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, _fortran, dtype = fmt.read_array_header_2_0(fp)
    else:
        raise ValueError("unsupported array format")
    count = 1
    for dim in shape:
        count *= int(dim)
    if dtype.hasobject or count * dtype.itemsize != len(data) - fp.tell():
        raise ValueError("array header does not match its data")
    return np.load(io.BytesIO(data), allow_pickle=False)


# --- values on the wire -------------------------------------------------------
# An argument is {"a": i} (the i-th array), {"v": json value}, {"t": [...]} (tuple)
# or {"l": [...]} (list). Outputs use the same form plus {"none": true} and
# {"bad": "type name"} for values that cannot travel without pickle.


def pack_value(value: Any, arrays: list[Any]) -> Any:
    """Describe ``value`` for the wire, appending its arrays to ``arrays``."""
    import numpy as np

    if value is None:
        return {"none": True}
    if isinstance(value, bool | int | float | str) and not isinstance(value, np.generic):
        return {"v": value}
    if not isinstance(value, np.ndarray | np.generic) and hasattr(value, "__array__"):
        # A framework tensor (torch, TensorFlow): detach it from any graph and send its values.
        detached = value.detach() if hasattr(value, "detach") else value
        value = np.asarray(detached.cpu() if hasattr(detached, "cpu") else detached)
    if isinstance(value, np.ndarray | np.generic):
        if np.asarray(value).dtype.hasobject:
            return {"bad": "numpy array of Python objects"}
        arrays.append(np.asarray(value))
        return {"a": len(arrays) - 1}
    if isinstance(value, tuple):
        return {"t": [pack_value(v, arrays) for v in value]}
    if isinstance(value, list):
        if value and all(isinstance(v, bool | int | float) for v in value):
            arrays.append(np.asarray(value))  # a flat list of numbers travels as one array
            return {"l_arr": len(arrays) - 1}
        return {"l": [pack_value(v, arrays) for v in value]}
    return {"bad": type(value).__name__}


def unpack_value(desc: Any, arrays: list[Any]) -> Any:
    """Inverse of :func:`pack_value` (lists of numbers come back as lists)."""
    if "none" in desc:
        return None
    if "v" in desc:
        return desc["v"]
    if "a" in desc:
        return arrays[desc["a"]]
    if "l_arr" in desc:
        return arrays[desc["l_arr"]].tolist()
    if "t" in desc:
        return tuple(unpack_value(d, arrays) for d in desc["t"])
    if "l" in desc:
        return [unpack_value(d, arrays) for d in desc["l"]]
    return UnsendableOutput(desc.get("bad", "unknown"))


class UnsendableOutput:
    """Stands for an output of a type that cannot be sent back safely."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


# --- the sandbox proper -------------------------------------------------------


class _CappedText(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first few thousand characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n... [{self.dropped} more characters of output cut]"
        return out


_BLOCKED_EVENTS = {
    "socket.__new__": "opening a network socket",
    "socket.connect": "opening a network connection",
    "socket.bind": "opening a network port",
    "socket.getaddrinfo": "looking up network addresses",
    "socket.gethostbyname": "looking up network addresses",
    "subprocess.Popen": "starting another program",
    "os.system": "starting another program",
    "os.exec": "starting another program",
    "os.posix_spawn": "starting another program",
    "os.spawn": "starting another program",
    "os.fork": "forking the process",
    "os.forkpty": "forking the process",
    "pty.spawn": "starting another program",
    "os.kill": "sending signals to processes",
    "os.killpg": "sending signals to processes",
    "ctypes.dlopen": "loading native code with ctypes",
    "ctypes.dlsym": "loading native code with ctypes",
    "ctypes.call_function": "calling native code with ctypes",
    "ctypes.addressof": "raw memory access with ctypes",
    "ctypes.string_at": "raw memory access with ctypes",
    "ctypes.cdata": "raw memory access with ctypes",
    "sys.remote_exec": "attaching to another process",
}
_PATH_EVENTS = {  # event -> indices of path arguments that are written to
    "os.remove": (0,),
    "os.rename": (0, 1),
    "os.replace": (0, 1),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.link": (0, 1),
    "os.symlink": (0, 1),
    "os.truncate": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.move": (1,),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class SandboxViolation(PermissionError):
    """Raised inside the child when learner code does something forbidden."""


def _install_guard(workdir: str, forbidden: list[str]) -> None:
    """Add an audit hook that cannot be removed for the rest of the process."""
    work = os.path.realpath(workdir)
    banned = [os.path.realpath(p) for p in forbidden if p]

    def inside(path: str, root: str) -> bool:
        return path == root or path.startswith(root.rstrip(os.sep) + os.sep)

    def real(path: Any) -> str | None:
        if isinstance(path, int):
            return None  # an already-open descriptor
        try:
            return os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _BLOCKED_EVENTS:
            raise SandboxViolation(f"the grader does not allow {_BLOCKED_EVENTS[event]}")
        if event == "import" and args and str(args[0]).split(".")[0] == "deepcareer":
            raise SandboxViolation("the grader does not allow importing deepcareer itself")
        if event == "open":
            path = real(args[0])
            if path is None:
                return
            mode = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            writes = any(c in mode for c in "wax+") or bool(flags & _WRITE_FLAGS)
            if any(inside(path, b) for b in banned):
                raise SandboxViolation(f"the grader does not allow opening {path}")
            if writes and not inside(path, work):
                raise SandboxViolation("the grader only allows writing files in the work folder")
        elif event in ("os.listdir", "os.scandir") and args:
            path = real(args[0]) if args[0] is not None else os.getcwd()
            if path and any(inside(path, b) for b in banned):
                raise SandboxViolation(f"the grader does not allow listing {path}")
        elif event in _PATH_EVENTS:
            for i in _PATH_EVENTS[event]:
                if i < len(args):
                    path = real(args[i])
                    if path is not None and not inside(path, work):
                        raise SandboxViolation(
                            "the grader only allows changing files in the work folder"
                        )

    sys.addaudithook(hook)


def _learner_frames(tb: Any, filename: str) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(tb) if f.filename == filename]


def _describe_error(exc: BaseException, filename: str) -> dict[str, Any]:
    """Type, message and the learner's own line (grader frames left out)."""
    frames = _learner_frames(exc.__traceback__, filename)
    info: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)[:2000]}
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        info["line"] = exc.lineno
        info["text"] = (exc.text or "").rstrip()[:300]
        info["message"] = exc.msg
    elif frames:
        info["line"] = frames[-1].lineno
        info["text"] = (frames[-1].line or "")[:300]
        info["function"] = frames[-1].name
    if isinstance(exc, SandboxViolation):
        info["type"] = "SandboxViolation"
    if isinstance(exc, MemoryError):
        info["message"] = "ran out of the memory the grader allows"
    return info


# --- what a call did besides returning -----------------------------------------
MAX_WARNINGS = 4  # numerical warnings (and changed arguments) reported per call
_NUMERIC = ("overflow", "invalid value", "divide by zero")


def _fresh(value: Any) -> Any:
    """A copy of an argument that shares no array with the case (tuples and lists too)."""
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value.copy() if hasattr(value, "copy") else value


def _same(before: Any, after: Any) -> bool:
    """Whether an argument still holds what it was given (NaN equal to NaN)."""
    import numpy as np

    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return False
        try:
            return bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
        except TypeError:
            return bool(np.array_equal(before, after))
    if isinstance(before, list):
        return (isinstance(after, list) and len(after) == len(before)
                and all(_same(b, a) for b, a in zip(before, after, strict=True)))
    if isinstance(before, tuple):  # immutable itself, but it may hold arrays
        return all(_same(b, a) for b, a in zip(before, after, strict=True))
    return True


def _mutated(fn: Any, originals: list[Any], given: list[Any],
             kw_originals: dict[str, Any], kw_given: dict[str, Any]) -> list[str]:
    """Names of the arguments the call changed in place (the learner's parameter names).

    Compared after the call rather than prevented with read-only arrays: a read-only
    array turns ``x -= 1`` into a ValueError about a flag the learner never set, while
    "your function changed its argument `x`" names the actual mistake.
    """
    import inspect

    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    changed = [params[i] if i < len(params) else f"argument {i + 1}"
               for i, (b, a) in enumerate(zip(originals, given, strict=True)) if not _same(b, a)]
    changed += [k for k, v in kw_originals.items() if not _same(v, kw_given.get(k))]
    return [str(c)[:80] for c in changed]


class _numeric_warnings:  # a context manager, named like the function it stands for
    """Record NumPy's floating-point warnings (overflow, invalid, divide) during one call.

    Each becomes "overflow encountered in exp" plus, when it was raised on a line of
    the learner's file, that line: the grader fails the case with it instead of
    leaving it in the printed output, where nobody reads it.
    """

    def __init__(self, filename: str) -> None:
        import warnings

        import numpy as np

        self.filename = filename
        self.found: list[str] = []
        self._catch = warnings.catch_warnings(record=True)
        self._errstate = np.errstate(over="warn", invalid="warn", divide="warn",
                                     under="ignore")

    def __enter__(self) -> list[str]:
        import warnings

        self._log = self._catch.__enter__()
        # "default": each warning once per line. A training loop that overflows on every one
        # of a million steps costs one record, not a million (nor a timeout).
        warnings.simplefilter("default")
        self._errstate.__enter__()
        return self.found

    def __exit__(self, *exc: Any) -> None:
        self._errstate.__exit__(*exc)
        self._catch.__exit__(*exc)
        for w in self._log or []:
            text = str(w.message)
            if not issubclass(w.category, RuntimeWarning) or not text.startswith(_NUMERIC):
                continue
            if w.filename == self.filename:
                line = (linecache.getline(self.filename, w.lineno) or "").strip()[:200]
                text += f" (line {w.lineno}: `{line}`)" if line else f" (line {w.lineno})"
            if text not in self.found:
                self.found.append(text[:300])


# --- what a call did inside a framework -----------------------------------------
# A trained model's predictions do not show how they were obtained: a linear model can
# reach the accuracy asked of a CNN, and a loop without zero_grad can still learn. So the
# child watches each call into PyTorch or Keras and reports facts, never judgements (the
# parent decides what they mean): which kinds of layer ran, in what order; what state the
# gradients were in at each backward pass and optimizer step; what was saved and how it
# was loaded; how a Keras model's output and loss fit together.
MAX_SEQUENCE = 200  # kinds of layer kept per call, consecutive repeats merged
_TORCH_KINDS = {
    "affine": {"linear", "matmul", "mm", "addmm", "bmm", "__matmul__", "__rmatmul__",
               "einsum", "bilinear", "baddbmm", "addmv", "mv", "tensordot"},
    "conv": {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "convolution"},
    "recurrent": {"lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_cell", "gru_cell",
                  "rnn_tanh_cell", "rnn_relu_cell"},
    "nonlinear": {"relu", "relu_", "sigmoid", "sigmoid_", "tanh", "tanh_", "gelu", "elu",
                  "elu_", "leaky_relu", "leaky_relu_", "silu", "softplus", "hardtanh",
                  "selu", "celu", "mish", "prelu", "relu6", "hardswish", "hardsigmoid",
                  "threshold", "rrelu", "logsigmoid", "softsign", "tanhshrink", "clamp_min",
                  "maximum"},
}
_TORCH_KIND = {name: kind for kind, names in _TORCH_KINDS.items() for name in names}
_KERAS_KIND = {"Dense": "affine", "EinsumDense": "affine",
               "Conv1D": "conv", "Conv2D": "conv", "Conv3D": "conv", "DepthwiseConv2D": "conv",
               "SeparableConv1D": "conv", "SeparableConv2D": "conv",
               "Conv1DTranspose": "conv", "Conv2DTranspose": "conv",
               "LSTM": "recurrent", "GRU": "recurrent", "SimpleRNN": "recurrent",
               "RNN": "recurrent", "ConvLSTM2D": "recurrent",
               "ReLU": "nonlinear", "LeakyReLU": "nonlinear", "PReLU": "nonlinear",
               "ELU": "nonlinear"}
# Activations that add no hidden non-linearity (an output softmax is not a hidden layer).
_NOT_HIDDEN = {"linear", "softmax", "log_softmax", None}


class _Watch:
    """The facts gathered during one call (see :func:`_watching`)."""

    def __init__(self) -> None:
        self.sequence: list[str] = []
        self.steps = 0
        self.stale_backwards = 0  # backward passes that found the last step's gradients
        self.early_steps = 0  # steps with no backward pass since the previous step
        self.cleared_steps = 0  # steps after a backward whose gradients were gone by then
        self.backward_since_step = False
        self.stepped = False
        self.params: list[Any] = []
        self.unsafe_saves: list[str] = []
        self.unsafe_loads = 0
        self.keras_fits: list[dict[str, Any]] = []
        self.keras_losses: list[str] = []

    def kind(self, kind: str) -> None:
        if (not self.sequence or self.sequence[-1] != kind) and len(self.sequence) < MAX_SEQUENCE:
            self.sequence.append(kind)

    def facts(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sequence": self.sequence}
        if self.steps:
            # A backward pass after the last step: its gradients never reached a step,
            # the mark of a loop that steps before it differentiates.
            out.update(steps=self.steps, stale_backwards=self.stale_backwards,
                       early_steps=self.early_steps, cleared_steps=self.cleared_steps,
                       trailing_backward=self.backward_since_step)
        if self.unsafe_saves:
            out["unsafe_saves"] = self.unsafe_saves[:MAX_WARNINGS]
        if self.unsafe_loads:
            out["unsafe_loads"] = self.unsafe_loads
        if self.keras_fits:
            out["keras_fits"] = self.keras_fits[:MAX_WARNINGS]
        if self.keras_losses:
            out["keras_losses"] = self.keras_losses[:MAX_WARNINGS]
        return out


_WATCH: list[_Watch] = []  # the call being watched, if any
_PATCHED: set[str] = set()


def _grads_empty(params: list[Any]) -> bool:
    """True when no parameter holds a gradient (None everywhere, or zeros)."""
    return all(p.grad is None or not bool(p.grad.any()) for p in params)


def _patch_torch() -> Any:
    """Hooks on torch, installed once: optimizer steps, torch.save and torch.load.

    Returns the TorchFunctionMode class that sees every op (entered per call).
    """
    import torch
    from torch.overrides import TorchFunctionMode

    def before_step(opt: Any, args: Any, kwargs: Any) -> None:
        # args holds the optimizer itself; anything more is a closure (LBFGS), which runs
        # its own backward pass inside the step.
        if not _WATCH or len(args) > 1 or kwargs:
            return
        w = _WATCH[-1]
        params = [p for g in opt.param_groups for p in g["params"]]
        if not any(p is q for q in w.params for p in params[:1]):
            w.params.extend(params)
        w.steps += 1
        if not w.backward_since_step:
            w.early_steps += 1
        elif _grads_empty(params):
            w.cleared_steps += 1
        w.backward_since_step = False
        w.stepped = True

    from torch.optim.optimizer import register_optimizer_step_pre_hook

    register_optimizer_step_pre_hook(before_step)
    save, load = torch.save, torch.load

    def watched_save(obj: Any, f: Any, *args: Any, **kwargs: Any) -> Any:
        done = save(obj, f, *args, **kwargs)
        if _WATCH:
            buf = io.BytesIO()
            try:
                save(obj, buf)
                buf.seek(0)
                load(buf, weights_only=True)
            except Exception:  # what weights_only=True refuses: pickled Python objects
                _WATCH[-1].unsafe_saves.append(type(obj).__name__[:80])
        return done

    def watched_load(*args: Any, **kwargs: Any) -> Any:
        if _WATCH and kwargs.get("weights_only") is False:
            _WATCH[-1].unsafe_loads += 1
        return load(*args, **kwargs)

    torch.save, torch.load = watched_save, watched_load

    class Ops(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: Any = (),
                               kwargs: Any = None) -> Any:
            name = getattr(func, "__name__", "")
            if _WATCH:
                w = _WATCH[-1]
                kind = _TORCH_KIND.get(name)
                if kind:
                    w.kind(kind)
                elif name == "backward":
                    w.kind("backward")  # ends a forward pass in the sequence
                    if w.stepped and w.params and not _grads_empty(w.params):
                        w.stale_backwards += 1
                    w.stepped = False
                    w.backward_since_step = True
            return func(*args, **(kwargs or {}))

    return Ops


def _patch_keras() -> None:
    """Hooks on Keras, installed once: layers called, fit's loss, eager loss values."""
    import keras
    import numpy as np

    layer_call, fit, loss_call = keras.layers.Layer.__call__, keras.Model.fit, \
        keras.losses.Loss.__call__

    def activation_of(layer: Any) -> str | None:
        act = getattr(layer, "activation", None)
        return getattr(act, "__name__", None) if act is not None else None

    def watched_layer_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _WATCH:
            w = _WATCH[-1]
            kind = _KERAS_KIND.get(type(self).__name__)
            if kind:
                w.kind(kind)
            if kind in ("affine", "conv", None) and activation_of(self) not in _NOT_HIDDEN:
                w.kind("nonlinear")
        return layer_call(self, *args, **kwargs)

    def from_logits(loss: Any) -> tuple[str, Any]:
        if isinstance(loss, str):
            return loss, False
        try:
            config = loss.get_config()
            return str(config.get("name", type(loss).__name__)), config.get("from_logits")
        except Exception:
            return getattr(loss, "__name__", type(loss).__name__), False

    def watched_fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _WATCH:
            name, logits = from_logits(getattr(self, "loss", None))
            last = self.layers[-1] if getattr(self, "layers", None) else None
            output = (getattr(last, "activation", None) if last is not None else None)
            if type(last).__name__ == "Softmax":
                out_name: str | None = "softmax"
            else:
                out_name = getattr(output, "__name__", None)
            _WATCH[-1].keras_fits.append({"loss": name[:80], "from_logits": logits,
                                          "output": out_name})
        return fit(self, *args, **kwargs)

    def watched_loss_call(self: Any, y_true: Any, y_pred: Any, *args: Any, **kwargs: Any) -> Any:
        if _WATCH and (hasattr(y_pred, "numpy") or isinstance(y_pred, np.ndarray)):
            try:
                name, logits = from_logits(self)
                values = np.asarray(y_pred, dtype=float)
                if "crossentropy" in name and values.size:
                    in_unit = bool(np.all((values >= 0) & (values <= 1)))
                    rows_one = values.ndim >= 1 and values.shape[-1] > 1 and bool(
                        np.allclose(values.sum(axis=-1), 1.0, atol=1e-4))
                    if logits and in_unit and rows_one:
                        _WATCH[-1].keras_losses.append(f"probabilities:{name}")
                    elif logits is False and not in_unit:
                        _WATCH[-1].keras_losses.append(f"logits:{name}")
            except Exception:  # symbolic tensors (inside fit) have no values to look at
                pass
        return loss_call(self, y_true, y_pred, *args, **kwargs)

    keras.layers.Layer.__call__ = watched_layer_call
    keras.Model.fit = watched_fit
    keras.losses.Loss.__call__ = watched_loss_call


class _watching:  # a context manager, named like the function it stands for
    """Watch one call into the frameworks already imported (never imports one itself)."""

    _ops: Any = None

    def __enter__(self) -> _Watch:
        import contextlib

        watch = _Watch()
        self._mode = None
        if "torch" in sys.modules:
            if "torch" not in _PATCHED:
                _PATCHED.add("torch")
                with contextlib.suppress(Exception):
                    _watching._ops = _patch_torch()
            if _watching._ops is not None:
                self._mode = _watching._ops()
                self._mode.__enter__()
        if "keras" in sys.modules and "keras" not in _PATCHED:
            _PATCHED.add("keras")
            with contextlib.suppress(Exception):
                _patch_keras()
        _WATCH.append(watch)
        return watch

    def __exit__(self, *exc: Any) -> None:
        _WATCH.clear()
        if self._mode is not None:
            self._mode.__exit__(*exc)


def _tensor_lists(result: Any) -> list[list[Any]]:
    """[output index, how many, whether any holds a graph] for each returned list of 0-d
    framework tensors: per-step numbers (losses) kept as tensors instead of floats.

    The output index is -1 when the function returned a single value."""
    import numpy as np

    outputs = list(enumerate(result)) if isinstance(result, tuple) else [(-1, result)]
    found = []
    for i, value in outputs:
        if not isinstance(value, list):
            continue
        scalars = [v for v in value if not isinstance(v, np.ndarray | np.generic)
                   and hasattr(v, "__array__") and getattr(v, "ndim", None) == 0]
        if scalars:
            graph = any(bool(getattr(v, "requires_grad", False)) for v in scalars)
            found.append([i, len(scalars), graph])
    return found


def _warm_up(name: str) -> None:
    """Run a tiny step of the framework once, so the first real op does not pay for what is
    set up lazily (kernels, autograd's engine, Keras' own import): a child started ahead of
    time then spends its idle wait on it instead of the learner's check."""
    import contextlib

    with contextlib.suppress(Exception):
        if name == "torch":
            import torch

            layer = torch.nn.Linear(4, 2).double()
            opt = torch.optim.SGD(layer.parameters(), lr=0.1)
            loss = torch.nn.functional.cross_entropy(layer(torch.ones(3, 4).double()),
                                                     torch.zeros(3, dtype=torch.long))
            loss.backward()
            opt.step()
            opt.zero_grad()
        elif name == "tensorflow":
            import tensorflow as tf

            w = tf.Variable(tf.ones((4, 2), dtype=tf.float64))
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
                    labels=tf.zeros((3, 2), tf.float64),
                    logits=tf.ones((3, 4), tf.float64) @ w))
            tape.gradient(loss, w)
            import keras  # most TensorFlow exercises build with Keras: import it now

            keras.layers.Dense(2)(tf.ones((1, 4)))


def apply_limits(limits: dict[str, int]) -> None:
    """Enter a new session (so the group can be killed) and lower the rlimits.

    ``limits`` maps ``resource.RLIMIT_*`` names to values; a limit that cannot move
    (a container may fix some) is kept as it is.
    """
    import contextlib
    import resource
    import signal

    os.setsid()
    if sys.platform.startswith("linux"):  # die with the process that started us
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    for name, value in limits.items():
        res = getattr(resource, name)
        _soft, hard = resource.getrlimit(res)
        new = value if hard == resource.RLIM_INFINITY else min(value, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(res, (new, new))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def main(workdir: str) -> None:
    os.chdir(workdir)
    # The result channel is our original stdout; learner code gets capped buffers.
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    import numpy as np  # noqa: F401  (before the request: a child started early is ready)

    # A child started ahead of time for a framework track imports the framework now, so the
    # check that comes in later does not wait for it (PyTorch takes a second or two).
    modules = [a for a in sys.argv[2:] if not a.startswith("--")]
    for name in modules:
        __import__(name)
        if "--warm-up" in sys.argv:  # a child kept waiting in a pool: it has the time
            _warm_up(name)
    out.write(encode({"kind": "ready"}, []))  # the parent may wait for this; decoding skips it

    frame = decode(sys.stdin.buffer)
    if frame is None:
        return
    meta, arrays = frame
    filename = str(meta.get("filename") or "learner.py")

    for name in meta.get("preload", []):  # frameworks load native code: before the guard
        __import__(name)

    captured = _CappedText(STDOUT_LIMIT)
    sys.stdout = sys.stderr = captured
    _install_guard(workdir, meta.get("forbidden", []))

    def send(msg: dict[str, Any], values: list[Any]) -> None:
        msg["stdout"] = captured.text()
        out.write(encode(msg, values))

    namespace: dict[str, Any] = {"__name__": "learner", "__file__": filename}
    # Register the source so tracebacks can quote the learner's own lines.
    linecache.cache[filename] = (len(meta["source"]), None,
                                 meta["source"].splitlines(True), filename)
    try:
        code = compile(meta["source"], filename, "exec")
        exec(code, namespace)
    except BaseException as exc:
        send({"kind": "load_error", "error": _describe_error(exc, filename)}, [])
        return

    for index, call in enumerate(meta["calls"]):
        out.write(encode({"kind": "started", "index": index}, []))
        fn = namespace.get(call["fn"])
        if not callable(fn):
            send({"kind": "missing", "index": index, "fn": call["fn"],
                  "defined": sorted(k for k, v in namespace.items()
                                    if callable(v) and not k.startswith("_"))}, [])
            continue
        originals = [unpack_value(a, arrays) for a in call["args"]]
        kw_originals = {k: unpack_value(v, arrays) for k, v in call["kwargs"].items()}
        # The learner gets fresh copies (nested ones included), so the case stays pristine
        # and, after the call, what the function did to its arguments can be seen.
        args = [_fresh(a) for a in originals]
        kwargs = {k: _fresh(v) for k, v in kw_originals.items()}
        try:
            with _numeric_warnings(filename) as seen, _watching() as watch:
                result = fn(*args, **kwargs)
        except BaseException as exc:
            if isinstance(exc, SystemExit | KeyboardInterrupt):
                exc = RuntimeError(f"the code called {type(exc).__name__}")
            send({"kind": "error", "index": index, "error": _describe_error(exc, filename)}, [])
            continue
        values: list[Any] = []
        desc = pack_value(result, values)
        msg: dict[str, Any] = {"kind": "result", "index": index, "value": desc}
        if seen:
            msg["warnings"] = seen[:MAX_WARNINGS]
        facts = watch.facts()
        kept = _tensor_lists(result)
        if kept:
            facts["tensor_lists"] = kept[:MAX_WARNINGS]
        if facts != {"sequence": []}:
            msg["observed"] = facts
        changed = _mutated(fn, originals, args, kw_originals, kwargs)
        if changed:
            msg["mutated"] = changed[:MAX_WARNINGS]
        send(msg, values)
    out.write(encode({"kind": "done", "stdout": captured.text()}, []))


if __name__ == "__main__":
    main(sys.argv[1])
    # Every frame is written (unbuffered). Skip interpreter teardown: frameworks such as
    # TensorFlow take most of a second to shut down, and nothing here needs cleaning up.
    os._exit(0)
