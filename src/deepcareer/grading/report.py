"""The report a check produces (contract: ``deepcareer check ID --json``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "error", "timeout", "not_attempted"]
REPORT_VERSION = 1


@dataclass
class CheckResult:
    """One named check (usually one case)."""

    name: str
    status: Literal["pass", "fail", "error"]
    message: str = ""


@dataclass
class Finding:
    """A misconception the learner's outputs point to."""

    misconception: str
    title: str
    confidence: Literal["diagnosed", "likely"]
    evidence: str
    hint: str
    explanation: str = ""
    reteach: str = ""  # set when the same misconception keeps coming back


@dataclass
class FrameworkCheck:
    """The learner's output beside one framework's on the fixed cases."""

    framework: str  # PyTorch | TensorFlow
    status: Literal["agrees", "disagrees", "not_installed"]
    message: str
    cases: int = 0


@dataclass
class Report:
    """Everything one check found; ``to_dict`` gives the JSON contract."""

    exercise: str
    status: Status
    message: str
    checks: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    duration_s: float = 0.0
    stdout: str = ""
    seed: int | None = None  # of the random cases, to reproduce a failure
    error_line: int | None = None
    frameworks: list[FrameworkCheck] = field(default_factory=list)
    isolation: str = ""  # the sandbox the code ran in: "os" (bubblewrap) or "guard" only

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": REPORT_VERSION,
            "exercise": self.exercise,
            "status": self.status,
            "message": self.message,
            "checks": [asdict(c) for c in self.checks],
            "findings": [asdict(f) for f in self.findings],
            "duration_s": round(self.duration_s, 3),
        }
        if self.stdout:
            data["stdout"] = self.stdout
        if self.seed is not None:
            data["seed"] = self.seed
        if self.error_line is not None:
            data["error_line"] = self.error_line
        if self.frameworks:
            data["frameworks"] = [asdict(f) for f in self.frameworks]
        if self.isolation:
            data["isolation"] = self.isolation
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            exercise=data["exercise"],
            status=data["status"],
            message=data["message"],
            checks=[CheckResult(**c) for c in data.get("checks", [])],
            findings=[Finding(**f) for f in data.get("findings", [])],
            duration_s=data.get("duration_s", 0.0),
            stdout=data.get("stdout", ""),
            seed=data.get("seed"),
            error_line=data.get("error_line"),
            frameworks=[FrameworkCheck(**f) for f in data.get("frameworks", [])],
            isolation=data.get("isolation", ""),
        )
