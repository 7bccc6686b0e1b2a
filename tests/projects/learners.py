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
