"""The posting analyzer on 38 labelled synthetic postings, and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from deepcareer.career.postings import TERMS_FILE, analyze, vocabulary
from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import UsageError
from tests.conftest import run_cli

POSTINGS = Path(__file__).parent / "postings"


def extraction_scores() -> dict[str, float]:
    """Micro precision and recall of skills and terms, and how often years, degree and
    required/preferred agree with the labels (English postings only)."""
    labels = yaml.safe_load((POSTINGS / "labels.yml").read_text())
    tp = fp = fn = agree = compared = years = degree = n = 0
    for name, lab in labels.items():
        if lab.get("language", "en") != "en":
            continue
        n += 1
        a = analyze((POSTINGS / name).read_bytes())
        got = {m.id: m.requirement for m in a.skills + a.terms}
        want = set(lab.get("skills") or []) | set(lab.get("terms") or [])
        tp += len(set(got) & want)
        fp += len(set(got) - want)
        fn += len(want - set(got))
        for kind in ("required", "preferred"):
            for k in lab.get(kind) or []:
                if k in got:
                    compared += 1
                    agree += got[k] == kind
        years += a.years == lab.get("years")
        degree += a.degree == lab.get("degree")
    return {"postings": n, "precision": tp / (tp + fp), "recall": tp / (tp + fn),
            "requirement_agreement": agree / compared, "years": years / n, "degree": degree / n}


def test_extraction_precision_and_recall_reach_the_goal() -> None:
    scores = extraction_scores()
    print(f"\nposting analyzer on {scores['postings']} labelled postings: precision "
          f"{scores['precision']:.3f}, recall {scores['recall']:.3f}, required/preferred "
          f"agreement {scores['requirement_agreement']:.3f}, years {scores['years']:.3f}, "
          f"degree {scores['degree']:.3f}")
    assert scores["postings"] >= 30
    assert scores["precision"] >= 0.9 and scores["recall"] >= 0.9
    assert scores["years"] >= 0.85 and scores["degree"] >= 0.85


def _ids(text: str) -> set[str]:
    a = analyze(text)
    return {m.id for m in a.skills + a.terms}


def test_hard_words() -> None:
    assert {"cpp", "python"} <= _ids("Requirements:\n- Strong C++ and Python\n")
    assert not {"c", "cpp"} & _ids("Requirements:\n- Five years of C# and .NET\n")
    assert "r" in _ids("Requirements:\n- Fluent in Python or R\n")
    assert "r" not in _ids("Requirements:\n- Experience in an R&D team\n")
    assert "go" in _ids("Requirements:\n- Backend services in Go (golang)\n")
    assert "go" not in _ids("Requirements:\n- You will own our go-to-market analytics\n")
    assert {"cnn", "rnn"} <= _ids("You have trained CNNs and RNNs in PyTorch.")
    assert "backpropagation" in _ids("You can explain back-propagation.")


def test_negations_and_company_facts_do_not_count() -> None:
    assert "kubernetes" not in _ids("No prior experience with Kubernetes is required.")
    assert "attention" not in _ids("Our team built a transformer for contract review.")
    assert "attention" not in _ids("You have great attention to detail.")


def test_required_preferred_years_degree() -> None:
    a = analyze("Requirements:\n- 3+ years of experience with PyTorch\n- MS or PhD in CS\n"
                "Nice to have:\n- Docker\n")
    req = {m.id: m.requirement for m in a.skills + a.terms}
    assert req["pytorch"] == "required" and req["docker"] == "preferred"
    assert a.years == 3 and a.degree == "master"
    evidence = next(m for m in a.skills if m.id == "pytorch").evidence
    assert evidence == "3+ years of experience with PyTorch"


@pytest.mark.parametrize(("raw", "fragment"), [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b"%PDF-1.7\x00\x00\x01binary", "binary"),
    (b"x" * 1_000_001, "under 1 MB"),
])
def test_bad_input_gets_a_clear_message(raw: bytes, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        analyze(raw)
    assert fragment in info.value.message


def test_another_language_is_said_plainly() -> None:
    a = analyze((POSTINGS / "33-de-ml-ingenieur.txt").read_bytes())
    assert a.language == "de" and not a.skills and "English postings only" in a.warnings[0]


def test_a_2026_ml_engineer_post_maps_transformer_and_llm_terms() -> None:
    """Transformer skills map to the skills taught here; LLM-era tools and methods are
    reported as not taught here, with the nearest taught skills where there are some."""
    a = analyze((POSTINGS / "35-ml-engineer-llm-platform.txt").read_bytes())
    skills = {m.id: m for m in a.skills}
    terms = {m.id: m for m in a.terms}
    assert {"transformers", "self-attention", "tokenization", "fine-tuning-lora",
            "embeddings"} <= set(skills)
    assert {"llms", "rag", "vector-databases", "hugging-face", "llm-serving"} <= set(terms)
    assert all(m.taught == "taught here" for m in skills.values())
    assert all(m.taught.startswith(("not taught here", "a qualification")) for m in
               terms.values())
    assert "Transformers" in terms["llms"].taught and "Embeddings" in terms["rag"].taught
    assert terms["docker"].taught == "not taught here"
    assert terms["bachelors"].taught == "a qualification, not taught here"
    assert a.not_taught.startswith("Not taught here: ")
    assert "Large language models" in a.not_taught and "Bachelor" not in a.not_taught
    for m in terms.values():  # each term the post asks is listed once, skills never are
        if m.id != "bachelors":
            assert a.not_taught.count(m.title) >= 1
    assert not any(f"{m.title}, " in a.not_taught.split("(")[0] for m in skills.values())


def test_terms_name_only_existing_nearest_skills(catalog: Catalog) -> None:
    raw = yaml.safe_load(Path(TERMS_FILE).read_text(encoding="utf-8"))
    named = [s for t in raw for s in t.get("nearest_skills", [])]
    assert named and set(named) <= set(catalog.skills)
    skill_forms = {f for e in vocabulary() if e.kind == "skill" for f in e.forms}
    term_forms = [f for e in vocabulary() if e.kind != "skill" for f in e.forms]
    assert not skill_forms & set(term_forms)  # a word maps to a skill or a term, not both


def test_a_short_bullet_is_not_a_heading() -> None:
    a = analyze("Requirements:\n- PyTorch\n\nNice to have\n- RLHF experience\n- JAX\n")
    got = {m.id: m.requirement for m in a.skills + a.terms}
    assert got["pytorch"] == "required"
    assert got["jax"] == "preferred" and got["llm-alignment"] == "preferred"


def test_analyze_json_says_what_is_not_taught(home: Path) -> None:
    result = run_cli("career", "analyze", str(POSTINGS / "40-ml-engineer-inference-startup.txt"),
                     "--json", home=home)
    data = json.loads(result.stdout)
    assert "LLM inference and serving" in data["not_taught"]
    taught = {m["id"]: m["taught"] for m in data["skills"] + data["terms"]}
    assert taught["transformers"] == "taught here"
    assert taught["llm-serving"].startswith("not taught here")
