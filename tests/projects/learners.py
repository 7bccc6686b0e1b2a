"""Small learner files for project tests: each does one thing right or wrong."""

# A plain NumPy softmax regression: quick (well under a second) and deterministic.
GOOD = '''
import numpy as np

def fit(train, run):
    rng = np.random.default_rng(run.seed)
    X, y = train.X, train.y
    k = len(train.classes)
    W, b = rng.normal(0, 0.01, (X.shape[1], k)), np.zeros(k)
    Y = np.eye(k)[y]
    run.params(lr=0.5, epochs=60)
    for epoch in run.epochs(60):
        z = X @ W + b
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        run.log(loss=float(-np.log(p[np.arange(len(y)), y]).mean()))
        g = (p - Y) / len(y)
        W -= 0.5 * X.T @ g
        b -= 0.5 * g.sum(axis=0)
    return W, b

def predict(model, X):
    W, b = model
    return X @ W + b
'''

# The planted leak of the issue: a scaler fitted on the test split inside predict.
LEAKY_SCALER = GOOD.replace('''def predict(model, X):
    W, b = model
    return X @ W + b''', '''def predict(model, X):
    W, b = model
    X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)  # fitted on the test rows
    return X @ W + b''')

# fit reloads the whole dataset, held-out rows included.
READS_TEST = GOOD.replace('''    X, y = train.X, train.y''', '''\
    from sklearn.datasets import load_digits
    d = load_digits()
    X, y = d.data / 16.0, d.target''')

SYNTAX_ERROR = "def fit(train, run)\n    return 1\n"

NO_PREDICT = "def fit(train, run):\n    return 1\n"

RETURNS_NONE = GOOD.replace("    return X @ W + b", "    X @ W + b")

WRONG_SHAPE = GOOD.replace("    return X @ W + b", "    return (X @ W + b)[:, :3]")

RAISES_IN_FIT = GOOD.replace("    W, b = rng.normal", "    1 / 0\n    W, b = rng.normal")

LOOPS = ("def fit(train, run):\n    while True:\n        pass\n\n"
         "def predict(model, X):\n    return X\n")

MEMORY_BOMB = ("def fit(train, run):\n    hog = [bytearray(1 << 30) for _ in range(64)]\n"
               "    return hog\n\ndef predict(model, X):\n    return X\n")

NETWORK = ("import socket\n\ndef fit(train, run):\n"
           "    socket.create_connection(('example.org', 80))\n"
           "\ndef predict(model, X):\n    return X\n")

NAN_LOSS = GOOD.replace("run.log(loss=float(-np.log(p[np.arange(len(y)), y]).mean()))",
                        "run.log(loss=float('nan'))")

PRINTS = GOOD.replace("    return W, b", "    print('trained, last loss logged')\n    return W, b")

# Softmax regression on features standardised with training statistics: passes the
# tabular project (about 97 % on breast cancer) in well under a second.
STANDARDISED = GOOD.replace('''    X, y = train.X, train.y''', '''\
    mean, std = train.X.mean(axis=0), train.X.std(axis=0) + 1e-8
    X, y = (train.X - mean) / std, train.y''').replace('''    return W, b

def predict(model, X):
    W, b = model
    return X @ W + b''', '''    return W, b, mean, std

def predict(model, X):
    W, b, mean, std = model
    return ((X - mean) / std) @ W + b''')

# --- games of issue 16: a learner after the badge without the work -------------------
# Each must be caught (not passed, a named check) or made impossible by the sandbox.

# Look each test row up in the full dataset, loaded inside predict.
LOOKUP_IN_PREDICT = GOOD.replace('''def predict(model, X):
    W, b = model
    return X @ W + b''', '''def predict(model, X):
    from sklearn.datasets import %(loader)s
    d = %(loader)s()
    full = d.data / %(scale)s
    return d.target[[int(np.abs(full - row).sum(axis=1).argmin()) for row in X]]''')

LOOKUP_DIGITS_IN_PREDICT = LOOKUP_IN_PREDICT % {"loader": "load_digits", "scale": "16.0"}
LOOKUP_CANCER_IN_PREDICT = LOOKUP_IN_PREDICT % {"loader": "load_breast_cancer",
                                                "scale": "1.0"}

# The same, with the dataset loaded when the file is imported.
LOOKUP_AT_IMPORT = '''
import numpy as np
from sklearn.datasets import load_digits

DIGITS = load_digits()

def fit(train, run):
    return None

def predict(model, X):
    full = DIGITS.data / 16.0
    return DIGITS.target[[int(np.abs(full - row).sum(axis=1).argmin()) for row in X]]
'''

# MNIST-1D regenerated with the paper's public arguments, each test row looked up.
MNIST1D_REGENERATED = '''
import numpy as np

def fit(train, run):
    return None

def predict(model, X):
    from mnist1d.data import get_dataset_args, make_dataset
    d = make_dataset(get_dataset_args())
    full = np.concatenate([d["x"], d["x_test"]])
    labels = np.concatenate([d["y"], d["y_test"]])
    return labels[[int(np.abs(full - row).sum(axis=1).argmin()) for row in X]]
'''

# Whatever the home's dataset cache holds (the test fills in the home's path).
READS_HOME_CACHE = '''
import os
import numpy as np

def fit(train, run):
    return None

def predict(model, X):
    folder = os.path.join(%(home)r, "cache", "datasets")
    found = [np.load(os.path.join(folder, n)) for n in sorted(os.listdir(folder))]
    full, labels = found[0]["x_test"], found[0]["y_test"]
    return labels[[int(np.abs(full - row).sum(axis=1).argmin()) for row in X]]
'''

# Switch off the harness's in-process layers (the guard's tables and folders, the leak
# recorder's state), as a tester did with gc, then load the data inside fit.
DISARM = '''
def _disarm():
    import gc, sys
    guard = sys.modules.get("_dc_guard")
    for name in ("_BLOCKED_EVENTS", "_PATH_EVENTS"):
        getattr(guard, name, {}).clear()
    for o in gc.get_objects():
        if isinstance(o, dict) and "leaks" in o and ("watching" in o or "in_fit" in o):
            o["watching"] = o["in_fit"] = False
        if type(o).__name__ == "function" and o.__name__ in ("hook", "record") and (
                o.__closure__):
            for cell in o.__closure__:
                value = cell.cell_contents
                if isinstance(value, list | set):
                    value.clear()
                elif isinstance(value, str):
                    cell.cell_contents = "/"
'''
DISARMED_THEN_LOADS = DISARM + READS_TEST.replace(
    "    from sklearn.datasets import load_digits",
    "    _disarm()\n    from sklearn.datasets import load_digits")

# fit trains on the test features it finds in its working folder.
READS_TEST_X_IN_FIT = GOOD.replace('''    X, y = train.X, train.y''', '''\
    import os
    X_test = np.load(os.path.join(os.getcwd(), run.experiment, "test_X.npy"))
    X, y = train.X, train.y''')

# A language model that reads the character it is scored on: position t puts all its
# probability on X[:, t + 1] (0 bits per character).
PEEKS_AHEAD = '''
import numpy as np

def fit(train, run):
    return len(train.vocab)

def predict(model, X):
    n, T = X.shape
    out = np.full((n, T, model), -30.0, dtype=np.float32)
    ahead = np.concatenate([X[:, 1:], X[:, -1:]], axis=1)  # X[:, t + 1]
    out[np.arange(n)[:, None], np.arange(T)[None, :], ahead] = 0.0
    return out
'''

# An honest counting model: a bigram table, position t uses X[:, t] only.
BIGRAM = '''
import numpy as np

def fit(train, run):
    V = len(train.vocab)
    counts = np.ones((V, V))
    np.add.at(counts, (train.X[:-1], train.X[1:]), 1.0)
    return np.log(counts / counts.sum(axis=1, keepdims=True))

def predict(model, X):
    return model[X]  # (n, T, V): row t from X[:, t] alone
'''

# Passes tabular-classic with some seeds only: seed shopping.
SEED_LUCK = STANDARDISED.replace("    for epoch in run.epochs(60):", '''\
    lucky = run.seed % 3 == 0
    if not lucky:
        W = rng.normal(0, 1.0, W.shape)  # a bad start that 2 epochs cannot repair
    for epoch in run.epochs(60 if lucky else 2):''')

# fit forges the harness's "fitted" request on the event pipe to get the test features
# early (the pipe's descriptor is the child's second argument).
FORGES_FITTED = GOOD.replace('''    X, y = train.X, train.y''', '''\
    import json, os, sys, time
    fd = int(sys.argv[2])
    for event in ("fitted", "perturbed"):  # the clean rows come after the noisy copy
        os.write(fd, (json.dumps({"event": event, "experiment": run.experiment}) + "\\n"
                      ).encode())
        time.sleep(0.2)
    path = os.path.join(os.getcwd(), run.experiment, "test_X.npy")
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.05)
    X_test = np.load(path)
    X, y = train.X, train.y''')

# Appended to an honest learner: predict answers every row found in TABLE (a hash of the
# row's bytes -> its label, built offline from the public data and pasted into the file)
# and falls back to the learned model for the rest. %(table)s is filled in by the test.
LOOKUP_SUFFIX = '''

import hashlib

TABLE = %(table)s
_learned = predict

def predict(model, X):
    out = np.asarray(_learned(model, X))
    out = out.argmax(axis=1) if out.ndim == 2 else out.astype(int)
    for i, row in enumerate(X):
        key = hashlib.blake2b(np.ascontiguousarray(row).tobytes(), digest_size=8).hexdigest()
        if key in TABLE:
            out[i] = TABLE[key]
    return out
'''

# A NumPy project solved with scikit-learn, imported in plain sight.
SKLEARN_SVC = '''
from sklearn.svm import SVC

def fit(train, run):
    return SVC().fit(train.X, train.y)

def predict(model, X):
    return model.predict(X)
'''

# The same with the import hidden from a reading of the file: built from strings at run time.
SKLEARN_HIDDEN = '''
import importlib

def fit(train, run):
    module = importlib.import_module("sk" + "learn.linear_model")
    return getattr(module, "LogisticRegression")(max_iter=2000).fit(train.X, train.y)

def predict(model, X):
    return model.predict(X)
'''

# STANDARDISED returning probabilities (rows summing to 1): the report shows a log-loss.
PROBABILITIES = STANDARDISED.replace('''    return ((X - mean) / std) @ W + b''', '''\
    z = ((X - mean) / std) @ W + b
    z = z - z.max(axis=1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)''')

# Logs the hash of a string: under a fixed seed, the same on every run.
HASHES = GOOD.replace("    return W, b", "    run.log(hashed=hash('deepcareer') % 1000003)\n"
                      "    return W, b")

# --- memoising predict: state kept from the largest call, replayed on later ones --------
# The test-statistics check compares predictions of the whole test set with those of a
# half predicted on its own. A predict that keeps what it computed on its largest call
# so far (the whole test set, or its noisy copies) and reuses it on smaller calls gives
# a half the same answers, unless the half is predicted where that state is not.
_PREDICT = '''def predict(model, X):
    W, b = model
    return X @ W + b'''

# A scaler fitted on the rows of the largest call, kept in a global.
MEMOISED_SCALER = GOOD.replace(_PREDICT, '''_KEPT = {}

def predict(model, X):
    W, b = model
    if len(X) >= _KEPT.get("n", 0):  # the largest call so far: the whole test set
        _KEPT.update(n=len(X), mean=X.mean(axis=0), std=X.std(axis=0) + 1e-8)
    return ((X - _KEPT["mean"]) / _KEPT["std"]) @ W + b''')

# Scores spread through the test rows (each row's averaged with its nearest test rows'),
# answers remembered per row and given back on later calls.
MEMOISED_NEIGHBOURS = GOOD.replace(_PREDICT, '''_ANSWERS = {}
_LARGEST = [0]

def predict(model, X):
    W, b = model
    scores = X @ W + b
    if len(X) >= _LARGEST[0]:
        _LARGEST[0] = len(X)
        sq = (X * X).sum(axis=1)
        d = sq[:, None] + sq[None, :] - 2.0 * X @ X.T  # (n, n) squared distances
        near = np.argsort(d, axis=1)[:, :8]
        for row, s in zip(X, scores[near].mean(axis=1)):
            _ANSWERS[row.tobytes()] = s
    return np.stack([_ANSWERS.get(row.tobytes(), s) for row, s in zip(X, scores)])''')

# The scaler's statistics written to a file on the first call and read on later ones,
# in the working folder and in /tmp: files do not cross from one sandbox to another.
MEMOISED_IN_FILES = GOOD.replace(_PREDICT, '''import os

_PLACES = [os.path.join(os.getcwd(), "kept.npz"), "/tmp/kept.npz", "/dev/shm/kept.npz"]

def predict(model, X):
    W, b = model
    for place in _PLACES:
        if os.path.exists(place):
            kept = np.load(place)
            mean, std = kept["mean"], kept["std"]
            break
    else:
        mean, std = X.mean(axis=0), X.std(axis=0) + 1e-8
        for place in _PLACES:
            try:
                np.savez(place, mean=mean, std=std)
            except OSError:
                pass
    return ((X - mean) / std) @ W + b''')

# fit keeps the model in a global and returns nothing: predict does not work from what
# fit returned, so it cannot be replayed (and could remember anything).
MODEL_IN_A_GLOBAL = GOOD.replace("    return W, b\n", "    _MODEL[:] = [W, b]\n    return None\n"
                                 ).replace(_PREDICT, '''_MODEL = []

def predict(model, X):
    W, b = _MODEL
    return X @ W + b''')

# fit returns a lambda: it cannot be saved, so predict cannot be replayed.
RETURNS_A_LAMBDA = GOOD.replace("    return W, b\n", "    return lambda X: X @ W + b\n"
                                ).replace(_PREDICT, '''def predict(model, X):
    return model(X)''')

# A NumPy project solved with an SVC, and the harness's evidence cleared with gc: the
# modules it saw loaded and the libraries of the model it walked (both in this process).
SKLEARN_DISARMED = '''
import gc, sys

def fit(train, run):
    from sklearn.svm import SVC
    model = SVC().fit(train.X, train.y)
    main = sys.modules["__main__"]
    main._libraries_of = lambda model, limit=0: {"numpy"}
    for o in gc.get_objects():
        if isinstance(o, dict) and "imported" in o and "model_libs" in o:
            o["imported"].clear()
            o["learner"] = False
    return model

def predict(model, X):
    return model.predict(X)
'''

# --- approximate lookups of a pasted copy of the public data ----------------------------
# A nearest-neighbour search over the whole public dataset, pasted into the file: as
# smooth as a k-NN model, so noisy copies do not expose it. %(rows)s and %(labels)s are
# filled in by the test (zlib-compressed, base64 bytes); %(dtype)s and %(width)s too.
ANN_PASTED_BYTES = '''
import base64, zlib
import numpy as np

PUBLIC = np.frombuffer(zlib.decompress(base64.b64decode(%(rows)r)),
                       dtype=%(dtype)r).reshape(-1, %(width)d).astype(np.float64)
LABELS = np.frombuffer(zlib.decompress(base64.b64decode(%(labels)r)), dtype=np.uint8)

def fit(train, run):
    return float(np.abs(train.X).max()) / float(np.abs(PUBLIC).max())  # the copy's units

def predict(model, X):
    full = PUBLIC * model
    d = (X * X).sum(axis=1)[:, None] - 2.0 * X @ full.T + (full * full).sum(axis=1)[None]
    return LABELS[d.argmin(axis=1)].astype(np.int64)
'''

# The same copy written as a plain list of numbers (rounded to 4 significant digits),
# and kept inside the model fit returns.
ANN_PASTED_LIST = '''
import numpy as np

PUBLIC = %(rows)s
LABELS = %(labels)s

def fit(train, run):
    full = np.array(PUBLIC, dtype=np.float64)
    return full * (np.abs(train.X).max() / np.abs(full).max()), np.array(LABELS)

def predict(model, X):
    full, labels = model
    d = (X * X).sum(axis=1)[:, None] - 2.0 * X @ full.T + (full * full).sum(axis=1)[None]
    return labels[d.argmin(axis=1)]
'''

# An honest nearest-neighbour model: the training split only.
NEAREST_TRAINING_ROW = '''
import numpy as np

def fit(train, run):
    return train.X.astype(np.float64), train.y

def predict(model, X):
    full, labels = model
    d = (X * X).sum(axis=1)[:, None] - 2.0 * X @ full.T + (full * full).sum(axis=1)[None]
    return labels[d.argmin(axis=1)]
'''

# Native code from fit (ctypes is allowed in projects: training libraries load it): a
# shell through system(), the home's database opened with libc, a file written outside
# the scratch folder, a connection to a listener on 127.0.0.1. The test fills in the
# paths and the port; what each attempt gave is printed (the run's output is kept).
NATIVE_ESCAPE = GOOD.replace('''    X, y = train.X, train.y''', '''\
    import ctypes, socket, struct
    libc = ctypes.CDLL(None)
    libc.system(b"cat %(db)s > copied.db; echo escaped > %(outside)s")
    print("db fd", libc.open(b"%(db)s", 0))
    print("outside fd", libc.open(b"%(outside)s", 0o101, 0o644))  # O_WRONLY | O_CREAT
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    addr = struct.pack("!HH4s8x", socket.AF_INET, %(port)d, socket.inet_aton("127.0.0.1"))
    addr = struct.pack("=H", socket.AF_INET) + addr[2:]  # sa_family in host order
    print("connect", libc.connect(fd, addr, len(addr)))
    X, y = train.X, train.y''')
