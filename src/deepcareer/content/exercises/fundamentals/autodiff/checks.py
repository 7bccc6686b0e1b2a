"""Cases and misconceptions for the scalar autodiff engine.

Each misconception is a buggy Value class; the three entry functions are rebuilt on it.
"""

import math

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _topological(root):
    """Every node reachable from root, each after all the nodes it depends on."""
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for c in v.children:
                visit(c)
            order.append(v)

    visit(root)
    return order


class Base:
    """The engine again, building results with type(self) so that subclasses stay buggy."""

    def __init__(self, data, children=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.children = children
        self.local_grads = local_grads

    def _wrap(self, other):
        return other if isinstance(other, Base) else type(self)(other)

    def __add__(self, other):
        other = self._wrap(other)
        return type(self)(self.data + other.data, (self, other), (1.0, 1.0))

    def __radd__(self, other):
        return self.__add__(other)

    def __mul__(self, other):
        other = self._wrap(other)
        return type(self)(self.data * other.data, (self, other), (other.data, self.data))

    def __rmul__(self, other):
        return self.__mul__(other)

    def tanh(self):
        t = math.tanh(self.data)
        return type(self)(t, (self,), (1.0 - t * t,))

    def backward(self):
        order = _topological(self)
        self.grad = 1.0
        for v in reversed(order):
            for child, local in zip(v.children, v.local_grads):
                child.grad += local * v.grad


def _entries(cls):
    def neuron_grads(x, w, b):
        xs, ws, bias = [cls(v) for v in x], [cls(v) for v in w], cls(b)
        out = sum((wi * xi for wi, xi in zip(ws, xs)), bias).tanh()
        out.backward()
        return out.data, np.array([wi.grad for wi in ws]), bias.grad

    def shared_grads(a, b):
        va, vb = cls(a), cls(b)
        f = va * vb + va + va * va
        f.backward()
        return f.data, va.grad, vb.grad

    def diamond_grads(a, b):
        va, vb = cls(a), cls(b)
        c = va * vb + 1.0
        f = c * c + c.tanh()
        f.backward()
        return f.data, va.grad, vb.grad

    def chain_grads(x, depth):
        v = cls(x)
        out = v
        for _ in range(depth):
            out = (out * 1.5).tanh()
        out.backward()
        return out.data, v.grad

    return {"neuron_grads": neuron_grads, "shared_grads": shared_grads,
            "diamond_grads": diamond_grads, "chain_grads": chain_grads}


class _Overwrite(Base):
    def backward(self):
        order = _topological(self)
        self.grad = 1.0
        for v in reversed(order):
            for child, local in zip(v.children, v.local_grads):
                child.grad = local * v.grad  # overwrites the other paths


class _NoTopoSort(Base):
    def backward(self):
        # Pushes gradient down recursively from each node as it is reached: a node with
        # two parents passes its gradient on before it has received all of it.
        self.grad = 1.0

        def push(v):
            for child, local in zip(v.children, v.local_grads):
                child.grad += local * v.grad
                push(child)

        push(self)


class _TanhOnInput(Base):
    def tanh(self):
        t = math.tanh(self.data)
        return type(self)(t, (self,), (1.0 - self.data * self.data,))


class _MulSelf(Base):
    def __mul__(self, other):
        other = self._wrap(other)
        return type(self)(self.data * other.data, (self, other), (self.data, other.data))


class _NoSeed(Base):
    def backward(self):
        order = _topological(self)
        for v in reversed(order):  # forgot self.grad = 1: everything stays 0
            for child, local in zip(v.children, v.local_grads):
                child.grad += local * v.grad


def _random_cases(rng):
    return [
        Case("neuron_grads", [rng.normal(size=3), rng.normal(size=3), float(rng.normal())],
             name="random neuron with 3 inputs"),
        Case("shared_grads", [float(rng.normal()), float(rng.normal())], name="random a and b"),
        Case("chain_grads", [float(rng.normal(scale=0.5)), 4], name="random start, depth 4"),
        Case("diamond_grads", [float(rng.normal()), float(rng.normal())], name="random a and b"),
    ]


CHECKS = Checks(
    cases=[
        Case("neuron_grads", [np.array([1.0, -2.0]), np.array([0.5, 0.25]), 0.1],
             name="the README example"),
        Case("shared_grads", [3.0, 2.0], name="the README example"),
        Case("shared_grads", [-1.5, 4.0], name="a = -1.5, b = 4"),
        Case("diamond_grads", [0.5, 2.0], name="a node used twice"),
        Case("chain_grads", [0.3, 1], name="one tanh"),
        Case("chain_grads", [0.2, 50], name="a chain of 50 tanh units"),
    ],
    hidden=[
        Case("neuron_grads", [np.array([0.5, 0.5, 0.5, 0.5]), np.array([1.0, -1.0, 2.0, 0.0]),
                              -0.2]),
        Case("shared_grads", [0.5, -2.0]),
        Case("chain_grads", [-0.4, 7]),
        Case("diamond_grads", [-1.0, 0.5]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="autodiff.overwrite-grad",
            title="setting a child's gradient instead of adding to it",
            explanation="When a value feeds several operations, the chain rule SUMS the "
            "gradients along every path. Assigning keeps only the last path.",
            hints=[
                "Look at shared_grads: a is used three times. How many contributions should "
                "a.grad collect?",
                "Gradients from different paths add up.",
                "child.grad += local * v.grad.",
            ],
            replace=_entries(_Overwrite),
        ),
        Misconception(
            id="autodiff.no-topological-order",
            title="pushing gradients down recursively without a topological order",
            explanation="A node must have received the gradient from ALL its consumers before it "
            "passes gradient on. Recursing from each parent as soon as it is reached sends "
            "partial gradients, and paths through shared nodes are counted more than once.",
            hints=[
                "In shared_grads, how many times does your code propagate through a?",
                "Order the nodes so that each comes after everything that uses it... in reverse.",
                "Build the topological order once, then loop over it in reverse.",
            ],
            replace=_entries(_NoTopoSort),
            reteach="Reverse-mode differentiation is one sweep over the graph in reverse "
            "topological order; every node is visited exactly once, after all its consumers. "
            "That is what makes backpropagation cost about as much as the forward pass.",
        ),
        Misconception(
            id="autodiff.tanh-local-on-input",
            title="a tanh local gradient computed from the input instead of the output",
            explanation="d tanh(x)/dx = 1 - tanh(x)^2: square the OUTPUT t, not the input x.",
            hints=[
                "What is the slope of tanh at x = 2? About 0.07, never negative.",
                "Use t = tanh(x) in the local gradient.",
                "(1.0 - t * t,).",
            ],
            replace=_entries(_TanhOnInput),
        ),
        Misconception(
            id="autodiff.mul-local-swapped",
            title="the local gradients of a product swapped",
            explanation="d(a * b)/da is b, not a: each factor's gradient is the OTHER factor.",
            hints=[
                "For f = a * b with a = 3, b = 2, what is df/da?",
                "Each factor's derivative is the other one.",
                "local_grads = (other.data, self.data).",
            ],
            replace=_entries(_MulSelf),
        ),
        Misconception(
            id="autodiff.unseeded-output",
            title="starting backward without setting the output's gradient to 1",
            explanation="d(out)/d(out) = 1 is where the chain rule starts; from a zero seed every "
            "gradient stays zero.",
            hints=[
                "Are all your gradients zero?",
                "What is the derivative of a value with respect to itself?",
                "self.grad = 1.0 before the backward sweep.",
            ],
            replace=_entries(_NoSeed),
        ),
    ],
)
