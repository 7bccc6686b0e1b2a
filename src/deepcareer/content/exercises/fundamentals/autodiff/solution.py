"""A tiny reverse-mode automatic differentiation engine over scalars."""

import math

import numpy as np


class Value:
    """A number that remembers how it was computed, so gradients can flow back to it."""

    def __init__(self, data, children=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.children = children  # the Values this one was computed from
        self.local_grads = local_grads  # d(self) / d(child) for each child

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        # BEGIN SOLUTION: d(a + b)/da = 1, d(a + b)/db = 1
        return Value(self.data + other.data, (self, other), (1.0, 1.0))
        # END SOLUTION

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        # BEGIN SOLUTION: d(a * b)/da = b, d(a * b)/db = a
        return Value(self.data * other.data, (self, other), (other.data, self.data))
        # END SOLUTION

    __radd__ = __add__
    __rmul__ = __mul__

    def tanh(self):
        # BEGIN SOLUTION: the derivative in terms of the output t: 1 - t^2
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,))
        # END SOLUTION

    def backward(self):
        """Fill .grad of every Value this one depends on with d(self)/d(that Value)."""
        # BEGIN SOLUTION: topological order, then the chain rule from the output back
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for child in v.children:
                    visit(child)
                order.append(v)  # after everything it depends on

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for child, local in zip(v.children, v.local_grads):
                child.grad += local * v.grad  # += : a Value used twice gets both paths
        # END SOLUTION


# The functions the grader calls. They only use Value; you do not need to change them.


def neuron_grads(x, w, b):
    """out = tanh(sum_i w_i x_i + b). Returns (out, d out/d w, d out/d b)."""
    xs = [Value(v) for v in x]
    ws = [Value(v) for v in w]
    bias = Value(b)
    out = sum((wi * xi for wi, xi in zip(ws, xs)), bias).tanh()
    out.backward()
    return out.data, np.array([wi.grad for wi in ws]), bias.grad


def shared_grads(a, b):
    """f = a * b + a + a * a, where a is used three times. Returns (f, df/da, df/db)."""
    va, vb = Value(a), Value(b)
    f = va * vb + va + va * va
    f.backward()
    return f.data, va.grad, vb.grad


def diamond_grads(a, b):
    """c = a * b + 1 is used twice: f = c * c + tanh(c). Returns (f, df/da, df/db)."""
    va, vb = Value(a), Value(b)
    c = va * vb + 1.0
    f = c * c + c.tanh()
    f.backward()
    return f.data, va.grad, vb.grad


def chain_grads(x, depth):
    """out = tanh applied `depth` times to 1.5 * (previous), starting at x. Returns (out, dx)."""
    v = Value(x)
    out = v
    for _ in range(depth):
        out = (out * 1.5).tanh()
    out.backward()
    return out.data, v.grad
