"""Quiz: the assumptions training data must satisfy, and how splits keep evaluation honest."""

from deepcareer.mentor.quiz import Choice, Numeric, Quiz


def _split_sizes(rng):
    n = int(rng.integers(20, 200)) * 20
    train, val = 0.7, 0.15
    params = {"n": n, "train": int(train * 100), "val": int(val * 100)}
    wrong = {"taking the percentage of what is left after training": val * (1 - train) * n,
             "giving validation the training share": train * n}
    return params, val * n, wrong


QUIZ = Quiz(
    id="training-data",
    title="Assumptions about training data",
    skills=["training-data-assumptions", "data-splits"],
    questions=[
        Choice(
            skill="training-data-assumptions",
            prompt="A model trained on photos from one hospital's scanner is deployed at another "
            "hospital and its accuracy drops. What is the most likely cause?",
            options=["overfitting to the training set", "distribution shift between the "
                     "training data and the deployment data", "too small a learning rate",
                     "label noise in the test set"],
            answer=1,
            why_not={0: "Overfitting would already show as a gap between training and "
                        "held-out scores at the first hospital.",
                     2: "The learning rate affects training, not the change between sites.",
                     3: "The drop happens on new data from a new source, not on a noisy test set."},
            explanation="Learning assumes training and test examples come from the same "
            "distribution (i.i.d.). A new scanner changes the input distribution: covariate shift.",
        ),
        Choice(
            skill="data-splits",
            prompt="You standardise the features with the mean and standard deviation of the "
            "WHOLE dataset, then split into train and test. What is wrong?",
            options=["nothing, standardisation is unsupervised", "the test set leaked into the "
                     "preprocessing, so the test score is optimistic", "standardisation must use "
                     "the median", "the test set should be standardised with its own statistics"],
            answer=1,
            why_not={0: "Unsupervised or not, the statistics carry information about the test "
                        "rows into training.",
                     2: "Median or mean, the problem is WHICH rows the statistics come from.",
                     3: "Each split must go through the transformation learned on training data."},
            explanation="Split first; fit every preprocessing step on the training split only.",
        ),
        Numeric(
            skill="data-splits",
            prompt="A dataset of {n} examples is split {train}% train, {val}% validation and the "
            "rest test. How many examples are in the validation set?",
            make=_split_sizes,
            explanation="Percentages are of the whole dataset: 15 % of n.",
            rel_tol=1e-9,
        ),
    ],
)
