"""Cited pay figures (``content/pay.yml``): shown as cited, never extrapolated.

A figure is shown with its statistic, period, region, source and link. Figures the source
article quoted without a checkable origin are marked "cited by the source, unverified".
No figure is adjusted, averaged, converted or invented; a role with no figure says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from deepcareer.curriculum.records import RecordError, build
from deepcareer.errors import ContentError

PAY_FILE = Path(__file__).resolve().parent.parent / "content" / "pay.yml"


@dataclass(frozen=True)
class PayFact:
    occupation: str
    figure: float
    currency: str
    statistic: str
    period: str
    region: str
    source: str
    status: Literal["verified", "cited-by-source-unverified"]
    onet: str | None = None  # None: the source's own job title, not an O*NET occupation
    role: str | None = None
    link: str = ""
    cited_link: str = ""  # where the citing source says it got the figure
    quote: str = ""  # the citing source's sentence, verbatim
    note: str = ""

    def describe(self) -> str:
        flag = "" if self.status == "verified" else " (cited by the source, unverified)"
        return (f"{self.occupation}: {self.currency} {self.figure:,.0f}, {self.statistic}, "
                f"{self.region}, {self.period}; {self.source}{flag}")


@cache
def load_pay(path: Path = PAY_FILE) -> list[PayFact]:
    from deepcareer import yamlio

    try:
        raw = yamlio.load_yaml(path.read_text(encoding="utf-8"))
        if not isinstance(raw, list):
            raise RecordError("expected a list of pay facts")
        return [build(PayFact, item, f"pay[{i}]") for i, item in enumerate(raw)]
    except (OSError, yamlio.YAMLError, RecordError) as exc:
        raise ContentError(f"{path}: {exc}") from exc


def pay_for(onet_code: str) -> list[PayFact]:
    """Verified figures for this occupation code (the first six digits must match)."""
    return [p for p in load_pay() if p.status == "verified" and p.onet
            and p.onet[:7] == onet_code[:7]]


def cited_by_source() -> list[PayFact]:
    return [p for p in load_pay() if p.status != "verified"]
