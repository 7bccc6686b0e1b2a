"""Quiz: when evaluation can be trusted: i.i.d. data, honest splits and fair baselines."""

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _kfold(rng):
    k = int(rng.choice([4, 5, 8, 10]))
    n = k * int(rng.integers(20, 200))
    return {"n": n, "k": k}, float(n - n // k), distinct(n - n // k, {
        "giving the validation fold's size": n // k,
        "holding out one fold for validation AND one for testing": n - 2 * n // k},
        rel_tol=1e-4)


def _f1(rng):
    while True:
        tp, fp, fn = (int(v) for v in rng.integers(5, 60, size=3))
        if fp != fn:
            break
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    return {"tp": tp, "fp": fp, "fn": fn}, f1, distinct(f1, {
        "the arithmetic mean of precision and recall": (precision + recall) / 2,
        "accuracy over the predicted and actual positives": tp / (tp + fp + fn)}, rel_tol=5e-3)


QUIZ = Quiz(
    id="evaluation",
    title="Trustworthy evaluation",
    skills=["training-data-assumptions", "data-splits", "classic-ml"],
    questions=[
        Choice(
            skill="training-data-assumptions",
            prompt="You forecast next week's sales and shuffle all weeks randomly into train "
            "and test. The test error is excellent. Why be suspicious?",
            options=["Shuffling always lowers accuracy",
                     "Consecutive weeks are not independent; the model saw the neighbours of "
                     "each test week, which it will not have for the real future",
                     "Test sets must be exactly 20 %", "Sales data cannot be modelled"],
            answer=1,
            why_not={0: "Shuffling here makes the score better, not worse, which is the "
                        "problem.",
                     2: "The size of the test set is not what makes this one dishonest.",
                     3: "It can, with a split that respects time."},
            explanation="Time series break the i.i.d. assumption: split by time (train on the "
            "past, test on the later weeks).",
        ),
        Choice(
            skill="training-data-assumptions",
            prompt="A spam filter trained when 10 % of mail was spam is deployed when 60 % is "
            "spam; the messages themselves look the same. What kind of shift is this?",
            options=["Covariate shift", "Label (prior) shift", "Concept drift",
                     "No shift at all"],
            answer=1,
            why_not={0: "Covariate shift changes the inputs' distribution; here the class "
                        "proportions change.",
                     2: "Concept drift changes what a spam message IS; here only how many "
                        "there are.",
                     3: "The class balance changed, which moves a calibrated threshold."},
            explanation="Label shift changes $P(y)$ with $P(x|y)$ fixed; re-weighting or "
            "re-calibrating the threshold for the new prior helps.",
        ),
        Numeric(
            skill="data-splits",
            prompt="{k}-fold cross-validation on {n} examples: how many examples does each "
            "model train on?",
            make=_kfold,
            explanation="Each fold serves once as validation; the model trains on the other "
            "$k - 1$ folds: $n - n/k$ examples.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="data-splits",
            prompt="Your dataset has several photos of each patient. How should you split it?",
            options=["Randomly by photo", "By patient: all of a patient's photos in the same "
                     "split", "By photo date", "It does not matter"],
            answer=1,
            why_not={0: "Photos of the same patient in train and test let the model recognise "
                        "patients instead of the condition.",
                     2: "Dates may still put one patient on both sides.",
                     3: "It matters a lot: the test score would be optimistic."},
            explanation="Split by the unit you want to generalise to (a group split); otherwise "
            "near-duplicates leak across the split.",
        ),
        Numeric(
            skill="classic-ml",
            prompt="A classifier has {tp} true positives, {fp} false positives and {fn} false "
            "negatives. What is its F1 score?",
            make=_f1,
            explanation="$F_1 = 2PR/(P + R)$, the harmonic mean of precision $P$ and recall "
            "$R$; equivalently $2TP/(2TP + FP + FN)$.",
            rel_tol=1e-3,
        ),
        Choice(
            skill="classic-ml",
            prompt="A new deep model reaches 0.91 AUC on your tabular task. What should you "
            "compare it with before celebrating?",
            options=["Another deep model only",
                     "A tuned gradient-boosting model and a regularised linear model on the "
                     "same split",
                     "The AUC reported in a paper on different data",
                     "Nothing; 0.91 is high"],
            answer=1,
            why_not={0: "Comparing only deep models hides whether depth helps at all.",
                     2: "Different data makes the numbers incomparable.",
                     3: "Whether 0.91 is good depends on what simple models reach."},
            explanation="Strong classic baselines on the same split tell you what the network "
            "adds; on tables they are often hard to beat.",
        ),
    ],
)
