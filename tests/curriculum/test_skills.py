"""skills.yml: the contract ids exist, prerequisites form a DAG, aliases are unambiguous."""

from __future__ import annotations

from collections import Counter

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.validate import find_cycle

CONTRACT_IDS = [
    "cnn", "rnn", "lstm", "adam", "dropout", "batch-norm", "weight-init",
    "distributions-continuous", "distributions-discrete", "mle", "cost-functions",
    "training-data-assumptions", "max-likelihood-cost", "cross-entropy", "mse-cost", "mlp",
    "sigmoid-units", "neuroscience-inspiration", "gradient-descent", "chain-rule",
    "backpropagation", "bias-variance", "regularization", "linear-regression", "softmax", "tanh",
    "relu", "tensorflow", "pytorch",
]


def test_contract_skill_ids_exist(catalog: Catalog) -> None:
    missing = [s for s in CONTRACT_IDS if s not in catalog.skills]
    assert missing == []


def test_skill_prerequisites_are_known_and_acyclic(catalog: Catalog) -> None:
    graph = {s.id: list(s.prerequisites) for s in catalog.skills.values()}
    assert all(p in graph for pres in graph.values() for p in pres)
    assert find_cycle(graph) is None


def test_aliases_name_one_skill_each(catalog: Catalog) -> None:
    names = Counter()
    for skill in catalog.skills.values():
        for name in {skill.id, skill.title.lower(), *(a.lower() for a in skill.aliases)}:
            names[name] += 1
    assert [n for n, c in names.items() if c > 1] == []


def test_every_exercise_skill_is_declared(catalog: Catalog) -> None:
    for ex in catalog:
        assert set(ex.meta.skills) <= set(catalog.skills), ex.id
