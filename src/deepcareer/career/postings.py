"""Read a job posting: which skills and tools it asks for, required or preferred, with
the sentence that shows each; years of experience and degree; what is unknown.

Matching is by surface forms (ids, titles and aliases of ``skills.yml`` and
``terms.yml``), case-insensitive, on word boundaries that treat ``+`` and ``#`` as part of
a word (so ``C++`` is not ``C`` and ``C#`` is neither), with plurals and hyphen or space
variants. Ambiguous words (``R``, ``Go``, ``C``) count only when written as a name and
confirmed by context: another language in the same sentence or a context word from
``terms.yml``. A sentence that rules something out ("no experience with X required") and a
sentence about the company rather than the candidate ("our team built a transformer")
contribute nothing. Near misses are offered as "possible" and never scored.

Every match says whether deepcareer teaches it (``Match.taught``): skills are taught here;
terms (tools, platforms, methods such as LLMs, RAG or MLOps) are "not taught here", with the
nearest skills that teach a part of them when ``terms.yml`` names some, and
``Analysis.not_taught`` sums them up in one sentence.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from deepcareer.errors import UsageError

TERMS_FILE = Path(__file__).resolve().parent.parent / "content" / "terms.yml"
MAX_BYTES = 1_000_000

Requirement = Literal["required", "preferred", "unspecified"]

_PREFERRED_HEAD = re.compile(
    r"\b(nice[- ]to[- ]haves?|preferred|bonus|a plus|pluses|desirable|good to have|"
    r"ideally|extra credit|would be great)\b", re.I)
_REQUIRED_HEAD = re.compile(
    r"\b(requirements?|required|must[- ]haves?|qualifications|what you (bring|need|have)|"
    r"you (have|bring|will need)|skills|minimum|essential|basic qualifications|"
    r"who you are|about you|your profile|experience|what we('re| are) looking for)\b", re.I)
_PREFERRED_CUE = re.compile(
    r"\b(preferred|is a plus|are a plus|a plus|nice to have|bonus|ideally|desirable|"
    r"would be (great|nice)|not required but|optional)\b", re.I)
_REQUIRED_CUE = re.compile(r"\b(must|required|requires?|essential|mandatory|need to)\b", re.I)
_NEGATION = re.compile(
    r"\b(no (prior |previous )?(experience|knowledge|background)|not (required|needed|"
    r"necessary|expected)|(don't|do not|won't|will not) (need|expect)|without (any )?"
    r"(prior )?experience|no need|no\b[^.;]{0,40}\b(is|are) (required|needed|expected))",
    re.I)
_NOISE = re.compile(r"\b(attention to detail|pay(ing)? attention|attention span)\b", re.I)
_ABOUT_US = re.compile(r"^\s*(we|our|the team|this team|at [A-Z])\b", re.I)
_ASKS_CANDIDATE = re.compile(
    r"\b(you|your|experience|knowledge|familiar|familiarity|proficien|skills?|ability|"
    r"expertise|understanding|background|comfortable|fluen|hands-on|track record|"
    r"degree|years)\b", re.I)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15}
_YEARS = re.compile(
    r"\b(?:at least |minimum of |min\. |over |more than )?(\d{1,2}|" +
    "|".join(_NUMBER_WORDS) + r")\s*(?:\+|plus)?\s*(?:(?:-|–|to)\s*\d{1,2}\s*)?"
    r"(?:\+\s*)?years?\b", re.I)
_DEGREES = [
    ("bachelor", re.compile(r"\b(bachelor'?s?|b\.?sc?\.?|b\.?s\.?|ba|undergraduate degree|"
                            r"bs/ms|bs or ms|4-year degree)\b", re.I)),
    ("master", re.compile(r"\b(master'?s?|m\.?sc\.?|m\.?s\.?|ms/phd|ms or phd|graduate "
                          r"degree)\b", re.I)),
    ("phd", re.compile(r"\b(ph\.?d\.?|doctorate|doctoral)\b", re.I)),
]
_STOP_EN = {"the", "and", "with", "you", "for", "our", "will", "are", "experience", "to",
            "of", "in", "a", "we", "is", "on", "or", "your", "be", "as"}
_STOP_OTHER = {
    "de": {"und", "die", "der", "mit", "für", "sie", "wir", "erfahrung", "das", "ist",
           "eine", "von", "zu", "ihre", "im", "auf", "kenntnisse"},
    "fr": {"et", "les", "des", "avec", "pour", "vous", "nous", "une", "est", "dans", "le",
           "la", "expérience", "du", "sur", "vos", "connaissances"},
}
_TECHY = re.compile(r"(?<![\w+#.])([A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]{2,6}\d?|[A-Za-z]+\d+[A-Za-z\d]*|"
                    r"[A-Za-z]+(?:\.js|\+\+|#))(?![\w+#])")
_NOT_TECH = {"US", "USA", "EU", "UK", "AI", "ML", "DL", "OK", "CV", "HR", "PTO", "CEO", "CTO",
             "VP", "GPA", "FAQ", "EEO", "USD", "EUR", "Q1", "Q2", "Q3", "Q4", "R&D", "API",
             "APIs", "IT", "PhD", "MSc", "BSc", "BS", "MS", "BA", "MA", "TBD", "NYC", "SF",
             "LA", "ID", "OR", "AND", "ASAP", "KPI", "KPIs", "B2B", "H1B", "401k", "K8s"}


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    kind: str  # skill, or the term's kind (language, tool, ...)
    forms: tuple[str, ...]
    ambiguous: bool = False
    context: tuple[str, ...] = ()
    nearest: tuple[str, ...] = ()  # for a term: skill titles that teach part of it here


@dataclass
class Match:
    id: str
    title: str
    kind: str
    requirement: Requirement
    evidence: str  # the sentence that shows it
    # Whether deepcareer teaches it, as a sentence a face can show beside the title: skills
    # are taught here; terms (tools, platforms, methods, degrees) are not, and saying so
    # keeps a learner from thinking the curriculum covers what a posting asks.
    taught: str = ""


@dataclass
class Analysis:
    language: str
    skills: list[Match] = field(default_factory=list)  # from skills.yml
    terms: list[Match] = field(default_factory=list)  # from terms.yml
    years: int | None = None
    degree: str | None = None
    possible: list[dict[str, str]] = field(default_factory=list)  # fuzzy, never scored
    unknown: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_taught: str = ""  # one sentence naming what the posting asks that is not taught here

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _norm(text: str) -> str:
    """Lowercase, hyphens and slashes between letters as spaces, one space."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=[a-z])[-/](?=[a-z])", " ", text)
    return re.sub(r"\s+", " ", text)


@cache
def vocabulary() -> tuple[Entry, ...]:
    """Skills (id, title, aliases) and terms (id, title, aliases) as surface forms."""
    from deepcareer import yamlio
    from deepcareer.curriculum.catalog import default_catalog

    skills = default_catalog().skills
    entries = [Entry(s.id, s.title, "skill",
                     tuple({_norm(f) for f in (s.id.replace("-", " "), s.title, *s.aliases)}))
               for s in skills.values()]
    if TERMS_FILE.exists():
        raw = yamlio.load_yaml(TERMS_FILE.read_text(encoding="utf-8")) or []
        for t in raw:
            forms = {_norm(f) for f in (t.get("title", ""), *t.get("aliases", [])) if f}
            nearest = tuple(skills[s].title for s in t.get("nearest_skills", []) if s in skills)
            entries.append(Entry(str(t["id"]), str(t.get("title", t["id"])),
                                 str(t.get("kind", "tool")), tuple(sorted(forms)),
                                 bool(t.get("ambiguous", False)),
                                 tuple(_norm(c) for c in t.get("context", [])), nearest))
    return tuple(entries)


@cache
def _patterns() -> tuple[tuple[Entry, re.Pattern[str]], ...]:
    out = []
    for e in vocabulary():
        forms = sorted(e.forms, key=len, reverse=True)
        alts = []
        for f in forms:
            body = re.escape(f).replace(r"\ ", r"[\s-]?") if " " in f else re.escape(f)
            plural = "(?:e?s)?" if f[-1:].isalpha() and len(f) > 2 else ""
            alts.append(body + plural)
        pattern = r"(?<![\w+#])(?:" + "|".join(alts) + r")(?![\w+#]|\.\w)"
        out.append((e, re.compile(pattern)))
    return tuple(out)


def check_text(raw: bytes | str) -> str:
    """The posting as text, or a clear UsageError for empty, huge or binary input."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise UsageError(f"The posting is {len(raw) / 1e6:.1f} MB; paste the posting's "
                             "text only (under 1 MB).")
        if b"\x00" in raw[:8192]:
            raise UsageError("That file looks binary (a PDF or a Word file?). Copy the "
                             "posting's text into a .txt file and analyze that.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    else:
        text = raw
        if len(text.encode("utf-8", "replace")) > MAX_BYTES:
            raise UsageError("The posting is over 1 MB; paste the posting's text only.")
    if not text.strip():
        raise UsageError("The posting is empty: paste its text into a file (or pipe it in).")
    printable = sum(c.isprintable() or c.isspace() for c in text[:20000])
    if printable < 0.9 * min(len(text), 20000):
        raise UsageError("That does not look like text (a PDF or a Word file?). Copy the "
                         "posting's text into a .txt file and analyze that.")
    return text


def detect_language(text: str) -> str:
    words = re.findall(r"[a-zäöüßéèàçêô']+", text.lower())
    if not words:
        return "en"
    scores = {"en": sum(w in _STOP_EN for w in words)}
    for lang, stops in _STOP_OTHER.items():
        scores[lang] = sum(w in stops for w in words)
    return max(scores, key=lambda k: scores[k])


def _sentences(text: str) -> list[tuple[str, Requirement]]:
    """Sentences with the requirement their section heading implies."""
    out: list[tuple[str, Requirement]] = []
    section: Requirement = "unspecified"
    for line in text.splitlines():
        stripped = line.strip().strip("*#:-•·").strip()
        if not stripped:
            continue
        # A short bullet ("- RLHF experience") is an item of the list above it, not a
        # heading, unless it ends with a colon.
        bullet = re.match(r"\s*[-*•·]\s+", line) is not None
        is_heading = len(stripped) < 60 and (line.rstrip().endswith(":") or line.lstrip(
        ).startswith("#") or stripped.isupper() or (not bullet and len(stripped.split()) <= 6
                                                    and not re.search(r"[.,;]", stripped)))
        if is_heading and _PREFERRED_HEAD.search(stripped):
            section = "preferred"
            if line.rstrip().endswith(":") and len(stripped) < 40:
                continue
        elif is_heading and _REQUIRED_HEAD.search(stripped):
            section = "required"
            if line.rstrip().endswith(":") and len(stripped) < 40:
                continue
        elif is_heading and line.rstrip().endswith(":"):
            section = "unspecified"
            continue
        for piece in re.split(r"(?<=[.!?;])\s+(?=[A-Z])", stripped):
            if piece.strip():
                out.append((piece.strip(), section))
    return out


def _requirement(sentence: str, section: Requirement, start: int) -> Requirement:
    """Inline cues beat the section: 'X (preferred)', 'Y is a plus', 'Z is required'."""
    clause = re.split(r"[;]|\. ", sentence)
    # Look at the clause around the match: cues bind to the nearest phrase.
    pos = 0
    for part in clause:
        if pos <= start <= pos + len(part) + 1:
            if _PREFERRED_CUE.search(part):
                return "preferred"
            if _REQUIRED_CUE.search(part):
                return "required"
            break
        pos += len(part) + 1
    if _PREFERRED_CUE.search(sentence):
        return "preferred"
    if _REQUIRED_CUE.search(sentence):
        return "required"
    return section


def _ambiguous_ok(entry: Entry, original: str, start: int, end: int, sentence_norm: str,
                  langs_here: int) -> bool:
    """An ambiguous word counts only as a name confirmed by its context."""
    word = original[start:end]
    if not word[:1].isupper():
        return False  # 'go further', 'r' as a letter
    after = original[end:end + 2]
    if (after[:1] and after[:1] in "&-'’") or (
            word.isupper() and len(word) > 1 and entry.id == "go"):
        return False  # R&D, go-to-market, GO
    if any(c in sentence_norm for c in entry.context):
        return True
    return langs_here >= 2  # 'Python, R or SQL': listed with another language


def analyze(raw: bytes | str) -> Analysis:
    text = check_text(raw)
    lang = detect_language(text)
    result = Analysis(language=lang)
    if lang != "en":
        result.warnings.append(f"This posting looks like it is in {lang!r}; deepcareer reads "
                               "English postings only, so nothing was extracted.")
        return result
    found: dict[str, Match] = {}
    rank = {"required": 2, "preferred": 1, "unspecified": 0}
    sentences = _sentences(text)
    for sentence, section in sentences:
        norm = _norm(_NOISE.sub(lambda m: "x" * len(m.group(0)), sentence))
        if _NEGATION.search(norm):
            continue
        if _ABOUT_US.search(sentence) and not _ASKS_CANDIDATE.search(sentence):
            continue
        spaced = _spaced(sentence)
        hits = []
        for entry, pattern in _patterns():
            for m in pattern.finditer(norm):
                hits.append((entry, m.start(), m.end()))
        langs_here = len({e.id for e, _, _ in hits if e.kind == "language"})
        for entry, start, end in hits:
            o_start = spaced[start]
            if entry.ambiguous and not _ambiguous_ok(entry, sentence, o_start,
                                                     o_start + (end - start), norm,
                                                     langs_here):
                continue
            req = _requirement(sentence, section, o_start)
            have = found.get(entry.id)
            if have is None or rank[req] > rank[have.requirement]:
                found[entry.id] = Match(entry.id, entry.title, entry.kind, req, sentence)
    result.years = _years(sentences)
    degrees = _degrees(sentences)
    result.degree = degrees[0] if degrees else None
    terms = {e.id: e for e in vocabulary()}
    for level, term in (("bachelor", "bachelors"), ("master", "masters"), ("phd", "phd")):
        if level in degrees and term in terms and term not in found:
            found[term] = Match(term, terms[term].title, terms[term].kind, "required",
                                next(s for s, _ in sentences if any(
                                    p.search(s) for n, p in _DEGREES if n == level)
                                    or (level == "master" and _ADVANCED.search(s))
                                    or (level == "bachelor" and "degree" in s.lower())))
    result.skills = [m for m in found.values() if m.kind == "skill"]
    result.terms = [m for m in found.values() if m.kind != "skill"]
    _say_what_is_taught(result, terms)
    result.unknown, result.possible = _unknown(text, found)
    return result


DEGREE_TERMS = frozenset({"bachelors", "masters", "phd"})


def taught_here(match: Match, entry: Entry | None) -> str:
    """The sentence a face shows beside a match: taught here, not taught here (with the
    nearest skills that are), or a qualification rather than something to learn."""
    if match.kind == "skill":
        return "taught here"
    if match.id in DEGREE_TERMS:
        return "a qualification, not taught here"
    if entry is not None and entry.nearest:
        return "not taught here (nearest taught: " + ", ".join(entry.nearest) + ")"
    return "not taught here"


def _say_what_is_taught(result: Analysis, entries: dict[str, Entry]) -> None:
    for m in (*result.skills, *result.terms):
        m.taught = taught_here(m, entries.get(m.id))
    missing = [m.title + (f" (nearest taught: {', '.join(entries[m.id].nearest)})"
                          if m.id in entries and entries[m.id].nearest else "")
               for m in sorted(result.terms, key=lambda m: m.title.lower())
               if m.id not in DEGREE_TERMS]
    if missing:
        result.not_taught = ("Not taught here: " + ", ".join(missing) + ". deepcareer has no "
                             "exercises for these; learn them elsewhere, and count on the "
                             "skills above for what it does teach.")


def _spaced(original: str) -> list[int]:
    """Index map from the normalised sentence back to the original (same length here,
    except collapsed whitespace)."""
    out = []
    prev_space = False
    for i, c in enumerate(original):
        if c.isspace():
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        out.append(i)
    out.append(len(original))
    return out


def _years(sentences: list[tuple[str, Requirement]]) -> int | None:
    """The first experience figure asked of the candidate ("5+ years", "2-4 years", "at
    least five years"); later ones are usually parts of it ("including 2+ years ...")."""
    for sentence, section in sentences:
        if _NEGATION.search(sentence) or re.search(r"\b(founded|ago|this year|a year|per "
                                                   r"year|years old)\b", sentence, re.I):
            continue
        if section == "unspecified" and not _ASKS_CANDIDATE.search(sentence):
            continue
        for m in _YEARS.finditer(sentence):
            token = m.group(1).lower()
            value = int(token) if token.isdigit() else _NUMBER_WORDS[token]
            if 0 < value <= 30:
                return value
    return None


_DEGREE_ORDER = ["bachelor", "master", "phd"]
_ADVANCED = re.compile(r"\b(advanced|graduate|postgraduate) degree\b", re.I)


def _degrees(sentences: list[tuple[str, Requirement]]) -> list[str]:
    """Degree levels asked of the candidate: in requirement sentences, not ruled out."""
    found: list[str] = []
    for sentence, section in sentences:
        if _NEGATION.search(sentence):
            continue
        if section == "unspecified" and not re.search(
                r"\b(degree|required|require|candidate|you|or equivalent|related field)\b",
                sentence, re.I):
            continue
        hits = [name for name, pattern in _DEGREES if pattern.search(sentence)]
        if _ADVANCED.search(sentence):
            hits.append("master")
        if not hits and re.search(r"\bdegree\b", sentence, re.I):
            hits.append("bachelor")
        found += [h for h in hits if h not in found]
    return sorted(found, key=_DEGREE_ORDER.index)


def _unknown(text: str, found: dict[str, Match]) -> tuple[list[str], list[dict[str, str]]]:
    """Tool-looking words we do not know; close ones offered as 'possible'."""
    forms = {f: e for e in vocabulary() for f in e.forms}
    unknown: list[str] = []
    possible: list[dict[str, str]] = []
    for m in _TECHY.finditer(text):
        word = m.group(1)
        if word in _NOT_TECH or _norm(word) in forms or word in unknown:
            continue
        close = difflib.get_close_matches(_norm(word), list(forms), n=1, cutoff=0.85)
        if close and forms[close[0]].id not in found:
            possible.append({"word": word, "maybe": forms[close[0]].id})
        elif not close:
            unknown.append(word)
    return unknown[:30], possible[:10]


def status_against(analysis: Analysis, evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The learner's evidence for each skill the posting asks for; gaps first."""
    rows = []
    for m in analysis.skills:
        ev = evidence.get(m.id)
        level = ev.level if ev is not None else "none"
        rows.append({"skill": m.id, "title": m.title, "requirement": m.requirement,
                     "level": level, "gap": level != "verified"})
    order = {"required": 0, "preferred": 1, "unspecified": 2}
    rows.sort(key=lambda r: (not r["gap"], order[str(r["requirement"])], str(r["skill"])))
    return rows
