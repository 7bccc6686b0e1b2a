"""Quiz: when classic machine learning beats deep learning, and how to read claims critically."""

from deepcareer.mentor.quiz import Choice, Numeric, Quiz


def _baseline(rng):
    negatives = int(rng.integers(80, 99))
    params = {"neg": negatives}
    return params, negatives / 100.0, {"chance level (50 %)": 0.5,
                                       "the share of POSITIVES": (100 - negatives) / 100.0}


QUIZ = Quiz(
    id="classic-ml",
    title="Deep learning, classic machine learning and hype",
    skills=["classic-ml", "bias-variance"],
    questions=[
        Choice(
            skill="classic-ml",
            prompt="You have 800 rows of tabular data with 15 numeric columns. Which should you "
            "try first?",
            options=["a 12-layer transformer", "a regularised logistic regression or gradient "
                     "boosting, as a baseline", "a convolutional network", "nothing: 800 rows "
                     "are too few for any model"],
            answer=1,
            why_not={0: "Deep models need much more data to beat simple ones on small tables, "
                        "and give no baseline to compare with.",
                     2: "Convolutions encode a spatial structure that table columns do not have.",
                     3: "Simple models do well with hundreds of rows; measure before deciding."},
            explanation="On small tabular data, linear models and gradient-boosted trees are "
            "strong, fast and easy to validate; a network must beat them to be worth it.",
        ),
        Choice(
            skill="classic-ml",
            prompt="A press release says a network 'beats doctors' with 99 % accuracy. What do "
            "you ask first?",
            options=["How many layers does it have?", "On what data was it tested, against "
                     "what baseline, and with which metric and class balance?",
                     "Which framework was used?", "Was it trained on a GPU?"],
            answer=1,
            why_not={0: "Depth says nothing about whether the claim holds.",
                     2: "The framework does not change what was measured.",
                     3: "Hardware affects speed, not the validity of the comparison."},
            explanation="Accuracy without the test set, the class balance and a baseline means "
            "little; read claims by their evaluation, not their architecture.",
        ),
        Numeric(
            skill="classic-ml",
            prompt="In a dataset {neg} % of the examples are negative. What accuracy does a model "
            "that always predicts 'negative' reach (as a fraction between 0 and 1)?",
            make=_baseline,
            explanation="The majority-class baseline scores the majority's share; any claimed "
            "accuracy must be compared with it.",
            rel_tol=1e-9,
        ),
    ],
)
