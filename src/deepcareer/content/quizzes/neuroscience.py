"""Quiz: what artificial neurons took from biology, and what they left behind."""

from deepcareer.mentor.quiz import Choice, Numeric, Quiz


def _threshold(rng):
    weights = [int(v) for v in rng.integers(1, 4, size=3)]
    inputs = [1, 1, 0] if rng.random() < 0.5 else [1, 0, 1]
    total = sum(w * x for w, x in zip(weights, inputs))
    params = {"w": weights, "x": inputs, "theta": total}
    return params, 1.0, {"a strict comparison (firing only ABOVE the threshold)": 0.0}


QUIZ = Quiz(
    id="neuroscience",
    title="Biological and artificial neurons",
    skills=["neuroscience-inspiration", "perceptron"],
    questions=[
        Choice(
            skill="neuroscience-inspiration",
            prompt="Which part of a McCulloch-Pitts unit corresponds to a synapse's strength?",
            options=["the weight on an input", "the threshold", "the output value",
                     "the number of inputs"],
            answer=0,
            why_not={1: "The threshold plays the role of the firing threshold of the cell body.",
                     2: "The output is the unit's firing (or not), the analogue of a spike.",
                     3: "The number of inputs is the fan-in, a property of the wiring."},
            explanation="Each input is multiplied by a weight, the analogue of how strongly a "
            "synapse excites (positive) or inhibits (negative) the cell.",
        ),
        Choice(
            skill="neuroscience-inspiration",
            prompt="Which statement about modern networks and real neurons is accurate?",
            options=["Backpropagation is how the brain learns, as shown in 1986",
                     "Artificial units borrow the weighted-sum-then-threshold idea, but real "
                     "neurons spike in time and compute inside their dendrites",
                     "A ReLU unit is a faithful model of a cortical neuron",
                     "Deep networks have as many units as the human brain"],
            answer=1,
            why_not={0: "Rumelhart, Hinton and Williams described an algorithm for artificial "
                        "networks; whether brains do anything like it is an open question.",
                     2: "ReLU was adopted because it trains well, not because it matches "
                        "biology.",
                     3: "The brain has about 86 billion neurons and far more synapses; typical "
                        "networks are much smaller in units (if not always in parameters)."},
            explanation="Neuroscience inspired the weighted sum and the threshold; most of what "
            "makes deep learning work (backprop, ReLU, normalisation) was engineered, not copied.",
        ),
        Numeric(
            skill="perceptron",
            prompt="A threshold unit has weights {w} and threshold {theta}. It receives the "
            "inputs {x}. What does it output (0 or 1)?",
            make=_threshold,
            explanation="The unit fires when the weighted sum REACHES the threshold: sum >= theta.",
            rel_tol=1e-9,
        ),
    ],
)
