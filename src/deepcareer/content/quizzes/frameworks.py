"""Quiz: how PyTorch and TensorFlow behave where a learner's intuition often slips."""

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _accumulated(rng):
    a, x = (int(v) for v in rng.integers(2, 6, size=2))
    calls = int(rng.integers(2, 4))
    once = 2 * a * x
    return {"a": a, "x": x, "n": calls}, float(calls * once), distinct(calls * once, {
        "thinking each backward() replaces the gradient": once,
        "forgetting the power rule's factor 2": calls * a * x}, rel_tol=1e-3)


def _dense_params(rng):
    d_in = int(rng.integers(3, 200))
    units = int(rng.integers(2, 100))
    n = units * (d_in + 1)
    return {"d": d_in, "u": units}, float(n), distinct(n, {
        "forgetting the biases": units * d_in,
        "one bias per input rather than per unit": units * d_in + d_in}, rel_tol=1e-4)


QUIZ = Quiz(
    id="frameworks",
    title="PyTorch and TensorFlow behaviour",
    skills=["pytorch", "tensorflow"],
    questions=[
        Numeric(
            skill="pytorch",
            prompt="`x = torch.tensor({x}.0, requires_grad=True)`; then `({a} * x ** 2)."
            "backward()` is called {n} times without zeroing the gradient. What is `x.grad`?",
            make=_accumulated,
            explanation="PyTorch ADDS each backward pass into `.grad`; that is why a training "
            "loop calls `optimizer.zero_grad()` every step.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="pytorch",
            prompt="Your PyTorch classifier ends with `nn.Softmax` and you train it with "
            "`nn.CrossEntropyLoss`. What is wrong?",
            options=["Nothing: that is the standard pairing",
                     "CrossEntropyLoss applies log-softmax itself, so the softmax is applied "
                     "twice and gradients shrink",
                     "CrossEntropyLoss needs one-hot targets",
                     "Softmax cannot be backpropagated in PyTorch"],
            answer=1,
            why_not={0: "The loss expects raw logits.",
                     2: "It takes class indices (or probabilities); that is not the problem.",
                     3: "It can; it is just redundant and harmful here."},
            explanation="Feed logits to `CrossEntropyLoss`; apply a softmax only when you need "
            "probabilities for display or sampling.",
        ),
        Choice(
            skill="pytorch",
            prompt="What does `model.eval()` do?",
            options=["Turns off gradient tracking",
                     "Switches layers such as dropout and batch norm to inference behaviour",
                     "Evaluates the model on the test set", "Freezes the weights"],
            answer=1,
            why_not={0: "That is `torch.no_grad()` (or `inference_mode`), a separate switch.",
                     2: "It runs nothing; it only sets a mode flag on every module.",
                     3: "Parameters still have `requires_grad=True`; an optimiser could still "
                        "change them."},
            explanation="Use both at evaluation time: `model.eval()` for the layers' behaviour "
            "and `torch.no_grad()` to skip building the graph.",
        ),
        Numeric(
            skill="tensorflow",
            prompt="A Keras `Dense({u})` layer receives inputs with {d} features. How many "
            "parameters does it have?",
            make=_dense_params,
            explanation="A kernel of shape (inputs, units) and one bias per unit: "
            "$u(d + 1)$.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="tensorflow",
            prompt="Inside `with tf.GradientTape() as tape:` you compute a loss; outside the "
            "block you compute a regulariser and add it. `tape.gradient(total, weights)` "
            "returns None. Why?",
            options=["GradientTape does not support addition",
                     "The tape records only operations run inside its context, so the total "
                     "is not connected to the weights on the tape",
                     "The weights are not Variables",
                     "Gradients can be taken only once"],
            answer=1,
            why_not={0: "Addition is differentiable and recorded when it happens on the tape.",
                     2: "If they were not Variables the loss part would also be missing; the "
                        "issue is where the sum was computed.",
                     3: "A non-persistent tape allows one call, but it would raise, not return "
                        "None."},
            explanation="Compute everything the gradient must flow through inside the `with` "
            "block (or watch tensors explicitly).",
        ),
        Choice(
            skill="tensorflow",
            prompt="A `@tf.function` training step contains `print(loss)`. It prints once, "
            "then never again. Why?",
            options=["The loss stopped changing",
                     "Python side effects run only while the function is traced into a graph; "
                     "later calls run the graph",
                     "TensorFlow buffers output until the end of training",
                     "print is not allowed in TensorFlow"],
            answer=1,
            why_not={0: "The loss keeps changing; the print is not part of the graph.",
                     2: "Nothing is buffered; the Python print is simply not executed.",
                     3: "It is allowed; it just runs at trace time only."},
            explanation="Use `tf.print` for values at every call; Python code inside a "
            "`tf.function` runs when it is traced.",
        ),
        Choice(
            skill="tensorflow",
            prompt="A Keras model outputs raw scores (no softmax). Which loss is right?",
            options=["`SparseCategoricalCrossentropy()` with its defaults",
                     "`SparseCategoricalCrossentropy(from_logits=True)`",
                     "`MeanSquaredError()`", "`BinaryCrossentropy()` on the class index"],
            answer=1,
            why_not={0: "The default expects probabilities and would treat the scores as "
                        "such.",
                     2: "MSE on class indices is not a classification loss.",
                     3: "Binary cross-entropy is for two classes with a probability output."},
            explanation="`from_logits=True` makes the loss apply a stable log-softmax itself.",
        ),
    ],
)
