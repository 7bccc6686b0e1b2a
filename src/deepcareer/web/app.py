"""The FastAPI app: thin pages and a JSON API over the same library calls as the CLI.

One store per request (SQLite, WAL), so the terminal and the browser see each other's
work at once. Pages are server-rendered Jinja2; HTMX swaps in check results and hints
when JavaScript is on, and every form still works as a plain POST when it is off.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from deepcareer.app.session import open_home
from deepcareer.curriculum.schema import SLUG
from deepcareer.errors import DeepcareerError, ExerciseNotFound
from deepcareer.web.bodies import form_fields, json_object
from deepcareer.web.security import Guard
from deepcareer.web.views import markdown

if TYPE_CHECKING:
    from deepcareer.store.db import Store

HERE = Path(__file__).resolve().parent


def _check_id(value: str) -> str:
    """Ids in paths are slugs; anything else (``..``, ``/``, ``%00``) is refused early."""
    if not SLUG.match(value) or len(value) > 100:
        raise HTTPException(404, "No such page.")
    return value


@contextlib.asynccontextmanager
async def _warm_sandbox(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves, checks take sandboxed children started ahead of time."""
    from deepcareer.app.practice import warm

    with warm():
        yield


def _check_card(value: str) -> str:
    """Review cards are slugs joined by ``:`` and ``.`` (``drill:softmax.no-max-shift``)."""
    from deepcareer.app.review import CARD_TEXT

    if not CARD_TEXT.match(value):
        raise HTTPException(404, "No such card.")
    return value


def create_app(home: Path, token: str, host: str = "127.0.0.1", port: int = 8765) -> FastAPI:
    from deepcareer.app.session import catalog as default_catalog
    from deepcareer.words import plural

    app = FastAPI(title="deepcareer", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_warm_sandbox)
    app.add_middleware(Guard, token=token, host=host, port=port)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["plural"] = plural
    catalog = default_catalog()

    def store() -> Store:
        return open_home(home)

    def page(request: Request, name: str, http_status: int = 200, **context: Any
             ) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"nav": name, **context},
                                          status_code=http_status)

    def refusal(request: Request, status: int, message: str,
                headers: Mapping[str, str] | None = None) -> Response:
        """A sentence for the person: JSON under /api/ (``detail``, as FastAPI's own
        errors, and ``error``, as before), a fragment for HTMX, else the error page."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message, "error": message}, status_code=status,
                                headers=headers)
        name = "_error.html" if request.headers.get("hx-request") else "error.html"
        response = page(request, name, http_status=status, message=message)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(DeepcareerError)
    async def _learner_error(request: Request, exc: DeepcareerError) -> Response:
        return refusal(request, 404 if isinstance(exc, ExerciseNotFound) else 400, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return refusal(request, exc.status_code, str(exc.detail), exc.headers)

    # --- pages ----------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        from deepcareer.web import views

        with store() as s:
            return page(request, "dashboard.html", **views.dashboard(s, catalog))

    @app.get("/skills", response_class=HTMLResponse)
    def skills(request: Request) -> HTMLResponse:
        from deepcareer.web import views

        with store() as s:
            return page(request, "skills.html", **views.skill_map(s, catalog))

    @app.get("/exercises", response_class=HTMLResponse)
    def exercises(request: Request) -> HTMLResponse:
        from deepcareer.app.progress import exercise_rows

        with store() as s:
            rows = exercise_rows(s, catalog)
        return page(request, "exercises.html", rows=rows, catalog=catalog)

    @app.get("/exercises/{exercise_id}", response_class=HTMLResponse)
    def exercise(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer.app import practice
        from deepcareer.web import views

        ex = catalog.get(_check_id(exercise_id))
        practice.keep_ready(ex)  # a framework child imports while the learner reads and types
        with store() as s:
            return page(request, "exercise.html", **views.exercise(s, catalog, ex, markdown()))

    @app.post("/exercises/{exercise_id}/check", response_class=HTMLResponse)
    async def check_form(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer.web import views

        ex = catalog.get(_check_id(exercise_id))
        code = (await form_fields(request, required=("code",)))["code"]

        def grade() -> dict[str, Any]:  # in a worker thread: grading must not block the loop
            from deepcareer.app.practice import check_and_save

            with store() as s:
                report = check_and_save(s, ex, code)
                return views.exercise(s, catalog, ex, markdown(), code=code, report=report)

        context = await run_in_threadpool(grade)
        name = "_report.html" if request.headers.get("hx-request") else "exercise.html"
        return page(request, name, **context)

    @app.post("/exercises/{exercise_id}/hint", response_class=HTMLResponse)
    def hint(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer.app import practice

        ex = catalog.get(_check_id(exercise_id))
        with store() as s:
            h = practice.next_hint(s, ex.id, catalog)
        return page(request, "_hint.html", hint=h, ex=ex)

    @app.post("/exercises/{exercise_id}/solution", response_class=HTMLResponse)
    def solution(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer.app import practice

        ex = catalog.get(_check_id(exercise_id))
        with store() as s:
            access = practice.solution(s, ex.id, catalog=catalog)
        return page(request, "_solution.html", access=access, ex=ex)

    @app.get("/review", response_class=HTMLResponse)
    def review(request: Request) -> HTMLResponse:
        from deepcareer.app.review import session

        with store() as s:
            return page(request, "review.html", session=session(s, catalog))

    def card_page(request: Request, card_text: str, **context: Any) -> HTMLResponse:
        """A card to work on now, due or not: an editor for code, a form for a question."""
        from deepcareer.app import review as reviews

        with store() as s:
            card = reviews.card(s, catalog, _check_card(card_text))
            if card.kind == "quiz":
                asked, seed = reviews.ask(card, context.pop("seed", None))
                return page(request, "review_card.html", card=card, asked=asked, seed=seed,
                            **context)
            code = context.pop("code", None) or reviews.starter(catalog, card)
            began = context.pop("began", None) or s.clock().isoformat()
            return page(request, "review_card.html", card=card, code=code, began=began,
                        **context)

    @app.get("/review/card/{card_text}", response_class=HTMLResponse)
    def review_card(request: Request, card_text: str) -> HTMLResponse:
        return card_page(request, card_text)

    @app.post("/review/card/{card_text}", response_class=HTMLResponse)
    async def review_card_post(request: Request, card_text: str) -> HTMLResponse:
        """One step of a card: check the code, take a hint, skip, or answer a question.
        The form carries when the card was begun and how many checks and hints it took
        (they only shape the rating, never the evidence: the check itself is graded)."""
        from deepcareer.app import review as reviews
        from deepcareer.app.quiz import parse_seed

        form = await form_fields(request)
        action = form.get("action", "check")

        def act() -> dict[str, Any]:
            with store() as s:
                card = reviews.card(s, catalog, _check_card(card_text))
                if card.kind == "quiz":
                    seed = parse_seed(form.get("seed", ""))
                    _asked, verdict, rating = reviews.answer(s, card, seed,
                                                             form.get("answer", ""))
                    return {"seed": seed, "verdict": verdict,
                            "rating": None if verdict.unreadable else rating,
                            "answer": form.get("answer", "")}
                attempt = reviews.Attempt(card, _when(form.get("began"), s.clock()),
                                          checks=_count(form.get("checks")),
                                          hints=_count(form.get("hints")))
                code = form.get("code") or reviews.starter(catalog, card)
                out: dict[str, Any] = {"code": code, "began": attempt.began.isoformat()}
                if action == "hint":
                    out["hint"] = reviews.hint(catalog, attempt)
                elif action == "skip":
                    out["rating"] = reviews.skip(s, attempt)
                    out["skipped"] = True
                else:
                    outcome = reviews.check(s, catalog, attempt, code)
                    out |= {"report": outcome.report, "rating": outcome.rating,
                            "same_mistake": outcome.same_mistake}
                return out | {"checks": attempt.checks, "hints": attempt.hints}

        context = await run_in_threadpool(act)
        return card_page(request, card_text, **context)

    @app.get("/review/next")
    def review_next() -> Response:
        """The first due card, or the review page when nothing is due."""
        from fastapi.responses import RedirectResponse

        from deepcareer.app.review import session

        with store() as s:
            due = session(s, catalog).due
        return RedirectResponse(f"/review/card/{due[0].id}" if due else "/review", 303)

    @app.get("/quiz", response_class=HTMLResponse)
    def quizzes(request: Request) -> HTMLResponse:
        from deepcareer.app.quiz import quizzes as listing

        return page(request, "quizzes.html", quizzes=listing())

    @app.get("/quiz/{quiz_id}", response_class=HTMLResponse)
    def quiz(request: Request, quiz_id: str) -> HTMLResponse:
        from deepcareer.app.quiz import sit

        sitting = sit(_check_id(quiz_id))
        return page(request, "quiz.html", quiz=sitting.quiz, seed=sitting.seed,
                    asked=sitting.asked, verdicts=None)

    @app.post("/quiz/{quiz_id}", response_class=HTMLResponse)
    async def quiz_answer(request: Request, quiz_id: str) -> HTMLResponse:
        from deepcareer.app.quiz import answer, parse_seed, sit

        form = await form_fields(request)
        sitting = sit(_check_id(quiz_id), parse_seed(form.get("seed", "")))
        replies = [form.get(f"q{n}", "") for n in range(len(sitting.asked))]

        def save() -> Any:
            with store() as s:
                return answer(s, sitting, replies)

        result = await run_in_threadpool(save)
        return page(request, "quiz.html", quiz=sitting.quiz, seed=sitting.seed,
                    asked=sitting.asked, verdicts=result.verdicts, score=result.score,
                    recorded=result.recorded, answers=form)

    @app.get("/projects", response_class=HTMLResponse)
    def projects(request: Request) -> HTMLResponse:
        from deepcareer.web import views

        with store() as s:
            return page(request, "projects.html", **views.projects(s))

    @app.get("/projects/{project_id}", response_class=HTMLResponse)
    def project(request: Request, project_id: str) -> HTMLResponse:
        from deepcareer.web import views

        with store() as s:
            return page(request, "project.html", **views.project(s, _check_id(project_id)))

    @app.get("/files/reports/{project_id}/{name}")
    def report_file(project_id: str, name: str) -> FileResponse:
        """A project report's plot: only known names, only inside the reports folder."""
        from deepcareer.app.projects import report_file as find

        path = find(home, _check_id(project_id), name)
        if path is None:
            raise HTTPException(404, "No such file.")
        return FileResponse(path)

    @app.get("/portfolio", response_class=HTMLResponse)
    def portfolio(request: Request) -> HTMLResponse:
        from deepcareer.app.portfolio import is_built

        return page(request, "portfolio.html", built=is_built(home))

    @app.post("/portfolio/build", response_class=HTMLResponse)
    def portfolio_build(request: Request) -> HTMLResponse:
        from deepcareer.app.portfolio import build

        # In the browser the site is always a private preview on this computer: built even
        # with placeholders left, each page marked, and the list of what to fill in shown.
        with store() as s:
            built = build(s, catalog, preview=True)
        return page(request, "portfolio.html", built=True, result=built.result)

    @app.get("/portfolio/site/{path:path}")
    def portfolio_file(path: str) -> FileResponse:
        """The built site, read-only; nothing outside it, whatever the path says."""
        from deepcareer.app.portfolio import site_file

        target = site_file(home, path)
        if target is None:
            raise HTTPException(404, "No such file.")
        return FileResponse(target)

    @app.get("/career", response_class=HTMLResponse)
    def career(request: Request, role: str | None = None) -> HTMLResponse:
        from deepcareer.web import views

        with store() as s:
            return page(request, "career.html", **views.career(s, catalog, role))

    @app.post("/goal")
    async def set_goal(request: Request) -> Response:
        """The goal form: any field left empty keeps its value; a wrong one (an unknown
        role, a past date, hours out of range) is shown with the nearest fix."""
        from fastapi.responses import RedirectResponse

        from deepcareer.app.progress import goal

        form = await form_fields(request)
        hours_text = form.get("hours", "").strip()
        try:
            hours = float(hours_text) if hours_text else None
        except ValueError:
            raise HTTPException(400, f"{hours_text!r} is not a number of hours a week.") from None

        def save() -> str | None:
            with store() as s:
                return goal(s, hours=hours, role=form.get("role", "").strip() or None,
                            by=form.get("by", "").strip() or None).role

        await run_in_threadpool(save)
        return RedirectResponse("/career", 303)

    @app.post("/career/analyze", response_class=HTMLResponse)
    async def career_analyze(request: Request) -> HTMLResponse:
        from deepcareer.web import views

        posting = (await form_fields(request)).get("posting", "")
        full = not request.headers.get("hx-request")

        def read() -> dict[str, Any]:
            with store() as s:
                context = views.analyze(s, catalog, posting)
                return {**views.career(s, catalog, None), **context} if full else context

        context = await run_in_threadpool(read)
        return page(request, "career.html" if full else "_analysis.html", **context)

    # --- JSON API (the same calls) ---------------------------------------------

    @app.post("/api/exercises/{exercise_id}/check")
    async def api_check(request: Request, exercise_id: str) -> JSONResponse:

        ex = catalog.get(_check_id(exercise_id))
        body = await json_object(request, {"code": str}, '{"code": "def f(x): ..."}')

        def grade() -> dict[str, Any]:
            from deepcareer.app.practice import check_and_save

            with store() as s:
                return check_and_save(s, ex, body["code"]).to_dict()

        return JSONResponse(await run_in_threadpool(grade))

    @app.get("/api/next")
    def api_next() -> JSONResponse:
        from deepcareer.app.progress import next_step

        with store() as s:
            return JSONResponse(next_step(s, catalog).to_dict())

    return app


def _when(text: str | None, default: Any) -> Any:
    """A time sent back by a form, or ``default`` when it is missing or malformed."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text or "")
    except ValueError:
        return default


def _count(text: str | None) -> int:
    """A small count sent back by a form (0 when missing or malformed)."""
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 4 else 0
