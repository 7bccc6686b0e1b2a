"""Goals, time spent, streaks, insights and the mentor report."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from deepcareer.app import practice
from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import UsageError
from deepcareer.mentor.goals import get_goal, set_goal, streak, time_spent, week_summary
from deepcareer.mentor.insights import (
    area_mastery,
    mastery_history,
    plot_mastery,
    recurring_misconceptions,
    skill_areas,
)
from deepcareer.mentor.mastery import mastery
from deepcareer.mentor.report import report_data, to_html, to_markdown, write_report
from deepcareer.store.db import open_store
from tests.conftest import run_cli
from tests.mentor.test_mastery import Clock


def test_goal_round_trip_and_bad_values(tmp_path: Path) -> None:
    with open_store(tmp_path / "h", clock=Clock()) as store:  # 2026-01-05: dates stay future
        assert get_goal(store).hours_per_week is None
        set_goal(store, hours=6, role="data scientist")
        goal = set_goal(store, target_date="2027-06-30")  # keeps the other parts
        assert (goal.hours_per_week, goal.role, goal.target_date) == \
               (6, "data scientist", "2027-06-30")
        with pytest.raises(UsageError, match="between 0 and 80"):
            set_goal(store, hours=200)
        with pytest.raises(UsageError, match="not a date"):
            set_goal(store, target_date="next summer")
        with pytest.raises(UsageError, match="2026-01-04 has already passed"):
            set_goal(store, target_date="2026-01-04")
        with pytest.raises(UsageError, match="between 0 and 80"):
            set_goal(store, hours=-5)
        with pytest.raises(UsageError, match="Did you mean: data-scientist"):
            set_goal(store, role="data scientst", hours=3)
        assert get_goal(store) == goal  # a refused change saves none of its parts


def test_time_spent_counts_sessions_not_gaps() -> None:
    from datetime import UTC, datetime

    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    times = [t0, t0 + timedelta(minutes=10), t0 + timedelta(minutes=25),  # one session
             t0 + timedelta(hours=5)]  # a new session after a long break
    assert time_spent(times) == timedelta(minutes=5 + 10 + 15 + 5)
    assert time_spent([]) == timedelta()


def test_streak_ends_today_or_yesterday() -> None:
    today = date(2026, 1, 10)
    days = {today - timedelta(days=k) for k in (1, 2, 3, 5)}
    assert streak(days, today) == 3
    assert streak(days | {today}, today) == 4
    assert streak(set(), today) == 0


def test_week_summary_against_the_goal(tmp_path: Path) -> None:
    clock = Clock()  # Monday 2026-01-05 09:00
    with open_store(tmp_path / "h", clock=clock) as store:
        set_goal(store, hours=2)
        for _day in range(3):
            for minute in (0, 20, 40):
                store.add_attempt(exercise_id="softmax", content_version=1, status="fail",
                                  findings=[], report={})
                clock.advance(minutes=20 if minute < 40 else 0)
            clock.advance(days=1)
        summary = week_summary(store)
    assert summary["week_start"] == "2026-01-05"
    assert summary["hours_this_week"] == pytest.approx(3 * (5 + 40) / 60, abs=0.01)
    assert summary["week_share_of_goal"] == pytest.approx(summary["hours_this_week"] / 2, 1e-2)
    assert summary["streak_days"] == 3


def test_insights_report_and_plot(tmp_path: Path, catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    wrong = ex.reference_source.replace("np.max(logits", "np.min(logits")
    clock = Clock()
    with open_store(tmp_path / "h", clock=clock) as store:
        set_goal(store, hours=5, role="NLP engineer", target_date="2027-01-01")
        for i in range(2):  # two different wrong attempts (a resubmission is not evidence)
            practice.check_source(store, ex, wrong + f"\n# try {i}\n")
            clock.advance(hours=20)
        # The learner's own passing code (our solution verbatim would not count).
        practice.check_source(store, ex, ex.reference_source + "\n# mine\n")
        (rec,) = recurring_misconceptions(store, catalog)
        assert (rec.misconception, rec.count, rec.exercises) == \
               ("softmax.min-shift", 2, ["softmax"])
        skills = mastery(store, catalog)
        areas = area_mastery(skills, catalog)
        assert set(areas) == set(skill_areas(catalog).values())
        history = mastery_history(store, catalog)
        assert [d.isoformat() for d, _ in history] == ["2026-01-05", "2026-01-06", "2026-01-07"]
        data = report_data(store, catalog)
        md_path = write_report(store, catalog, tmp_path / "r" / "report.md", "md")
        html_path = write_report(store, catalog, tmp_path / "r" / "report.html", "html")
    assert any("subtracting the minimum" in q for q in data["questions"])
    assert any("NLP engineer by 2027-01-01" in q for q in data["questions"])
    md = md_path.read_text()
    assert "## Questions to discuss" in md and "(report.png)" in md
    assert (tmp_path / "r" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = html_path.read_text()
    assert '<html lang="en">' in page and "<title>Learning report</title>" in page
    assert "data:image/png;base64," in page and 'alt="' in page and "<figcaption>" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1]
    assert to_markdown(data).startswith("# Learning report")
    assert "none yet" in to_html(data)  # no projects yet, said plainly
    data["projects"] = [{"project": "mnist1d", "run": 4, "status": "pass", "metric": 0.951,
                         "verified": True}]
    assert "mnist1d: run #4 pass, 0.951 (reproduced by a re-run)" in to_markdown(data)


def test_an_empty_history_still_plots_and_reports(tmp_path: Path, catalog: Catalog) -> None:
    png = plot_mastery([], tmp_path / "empty.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    with open_store(tmp_path / "h") as store:
        data = report_data(store, catalog)
    assert data["exercises_passed"] == 0 and data["questions"]


def test_cli_goal_progress_report(home: Path) -> None:
    assert run_cli("goal", "--hours", "6", "--role", "data scientist", home=home).returncode == 0
    shown = json.loads(run_cli("goal", "--json", home=home).stdout)
    assert shown == {"hours_per_week": 6.0, "role": "data scientist", "target_date": None}
    bad = run_cli("goal", "--by", "someday", home=home)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout
    progress = json.loads(run_cli("progress", "--json", "--plot", home=home).stdout)
    assert progress["week"]["goal"]["hours_per_week"] == 6.0
    assert Path(progress["plot"]).exists()
    out = home / "r.html"
    done = run_cli("report", "--format", "html", "--out", str(out), home=home)
    assert done.returncode == 0 and out.exists()
    assert run_cli("report", "--format", "pdf", home=home).returncode == 2


def test_time_in_sqlite_equals_time_in_python(tmp_path: Path) -> None:
    import random

    from deepcareer.mentor.goals import activity_times, time_spent_in_store

    clock = Clock()
    rng = random.Random(3)
    with open_store(tmp_path / "h", clock=clock) as store:
        for _ in range(60):
            clock.advance(minutes=rng.choice([1, 7, 29, 31, 90, 600]))
            if rng.random() < 0.5:
                store.add_attempt(exercise_id="mse", content_version=1, status="pass",
                                  findings=[], report={})
            else:
                store.add_event("mse", "hint", {})
        in_python = time_spent(activity_times(store))
        in_sql = time_spent_in_store(store)
    assert abs((in_sql - in_python).total_seconds()) < 1.0


def test_the_running_total_equals_a_full_sum(tmp_path: Path) -> None:
    import random

    from deepcareer.mentor.goals import time_spent_in_store, total_time

    clock = Clock()
    rng = random.Random(5)
    with open_store(tmp_path / "h", clock=clock) as store:
        for _ in range(5):
            for _ in range(rng.randint(1, 8)):
                clock.advance(minutes=rng.choice([3, 12, 45, 300]))
                store.add_event("mse", "hint", {})
            assert abs((total_time(store) - time_spent_in_store(store)).total_seconds()) < 1
        clock.advance(days=-3)  # a row earlier than the last one counted
        store.add_event("mse", "hint", {})
        assert abs((total_time(store) - time_spent_in_store(store)).total_seconds()) < 1
