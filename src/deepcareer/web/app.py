"""The FastAPI app: thin pages and a JSON API over the same library calls as the CLI.

One store per request (SQLite, WAL), so the terminal and the browser see each other's
work at once. Pages are server-rendered Jinja2; HTMX swaps in check results and hints
when JavaScript is on, and every form still works as a plain POST when it is off.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from deepcareer.curriculum.schema import SLUG
from deepcareer.errors import DeepcareerError, ExerciseNotFound
from deepcareer.store.db import Store, open_store
from deepcareer.web.bodies import form_fields, json_object
from deepcareer.web.security import Guard

HERE = Path(__file__).resolve().parent


def _check_id(value: str) -> str:
    """Ids in paths are slugs; anything else (``..``, ``/``, ``%00``) is refused early."""
    if not SLUG.match(value) or len(value) > 100:
        raise HTTPException(404, "No such page.")
    return value


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


@contextlib.asynccontextmanager
async def _warm_sandbox(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves, checks take sandboxed children started ahead of time."""
    from deepcareer.grading import sandbox

    with sandbox.warm():
        yield


def create_app(home: Path, token: str, host: str = "127.0.0.1", port: int = 8765) -> FastAPI:
    from deepcareer.curriculum.catalog import default_catalog

    app = FastAPI(title="deepcareer", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_warm_sandbox)
    app.add_middleware(Guard, token=token, host=host, port=port)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    catalog = default_catalog()

    def store() -> Store:
        return open_store(home)

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
        from deepcareer.mentor.progress import exercise_progress

        with store() as s:
            rows = exercise_progress(s, catalog)
        return page(request, "exercises.html", rows=rows, catalog=catalog)

    @app.get("/exercises/{exercise_id}", response_class=HTMLResponse)
    def exercise(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer import practice
        from deepcareer.web import views

        ex = catalog.get(_check_id(exercise_id))
        practice.keep_ready(ex)  # a framework child imports while the learner reads and types
        with store() as s:
            return page(request, "exercise.html", **views.exercise(s, catalog, ex, _markdown()))

    @app.post("/exercises/{exercise_id}/check", response_class=HTMLResponse)
    async def check_form(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer.web import views

        ex = catalog.get(_check_id(exercise_id))
        code = (await form_fields(request, required=("code",)))["code"]

        def grade() -> dict[str, Any]:  # in a worker thread: grading must not block the loop
            with store() as s:
                report = views.check(s, ex, code)
                return views.exercise(s, catalog, ex, _markdown(), code=code, report=report)

        context = await run_in_threadpool(grade)
        name = "_report.html" if request.headers.get("hx-request") else "exercise.html"
        return page(request, name, **context)

    @app.post("/exercises/{exercise_id}/hint", response_class=HTMLResponse)
    def hint(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer import practice

        ex = catalog.get(_check_id(exercise_id))
        with store() as s:
            h = practice.next_hint(s, ex.id, catalog)
        return page(request, "_hint.html", hint=h, ex=ex)

    @app.post("/exercises/{exercise_id}/solution", response_class=HTMLResponse)
    def solution(request: Request, exercise_id: str) -> HTMLResponse:
        from deepcareer import practice

        ex = catalog.get(_check_id(exercise_id))
        with store() as s:
            access = practice.solution(s, ex.id, catalog=catalog)
        return page(request, "_solution.html", access=access, ex=ex)

    @app.get("/review", response_class=HTMLResponse)
    def review(request: Request) -> HTMLResponse:
        from deepcareer.mentor.review import due_cards, next_due

        with store() as s:
            due, upcoming = due_cards(s), next_due(s)
        return page(request, "review.html", due=due, upcoming=upcoming)

    @app.get("/quiz", response_class=HTMLResponse)
    def quizzes(request: Request) -> HTMLResponse:
        from deepcareer.mentor.quiz import load_quizzes

        return page(request, "quizzes.html", quizzes=load_quizzes())

    @app.get("/quiz/{quiz_id}", response_class=HTMLResponse)
    def quiz(request: Request, quiz_id: str) -> HTMLResponse:
        import secrets

        from deepcareer.mentor.quiz import get_quiz, questions_for

        chosen = get_quiz(_check_id(quiz_id))
        seed = secrets.randbelow(2**31)
        return page(request, "quiz.html", quiz=chosen, seed=seed,
                    asked=questions_for(chosen, seed), verdicts=None)

    @app.post("/quiz/{quiz_id}", response_class=HTMLResponse)
    async def quiz_answer(request: Request, quiz_id: str) -> HTMLResponse:
        from deepcareer.mentor.quiz import get_quiz, judge, questions_for, record_quiz

        chosen = get_quiz(_check_id(quiz_id))
        form = await form_fields(request)
        seed_text = form.get("seed", "")
        if not (seed_text.isascii() and seed_text.isdigit() and len(seed_text) <= 10
                and int(seed_text) < 2**32):
            raise HTTPException(400, "The quiz form is incomplete; open the quiz again.")
        seed = int(seed_text)
        asked = questions_for(chosen, seed)
        verdicts = [judge(a, form.get(f"q{n}", "")) for n, a in enumerate(asked)]

        def save() -> int:
            with store() as s:
                return record_quiz(s, chosen, seed, verdicts)

        score = await run_in_threadpool(save)
        return page(request, "quiz.html", quiz=chosen, seed=seed, asked=asked,
                    verdicts=verdicts, score=score, answers=form)

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
        if name not in {"learning_curves.png", "confusion.png", "report.html"}:
            raise HTTPException(404, "No such file.")
        from deepcareer.projects.report import report_dir

        path = report_dir(home, _check_id(project_id)) / name
        if not path.is_file():
            raise HTTPException(404, "No such file.")
        return FileResponse(path)

    @app.get("/portfolio", response_class=HTMLResponse)
    def portfolio(request: Request) -> HTMLResponse:
        site = home / "portfolio" / "site"
        return page(request, "portfolio.html", built=(site / "index.html").exists())

    @app.post("/portfolio/build", response_class=HTMLResponse)
    def portfolio_build(request: Request) -> HTMLResponse:
        from deepcareer.portfolio.build import build_site

        with store() as s:
            result = build_site(s, catalog)
        return page(request, "portfolio.html", built=True, result=result)

    @app.get("/portfolio/site/{path:path}")
    def portfolio_file(path: str) -> FileResponse:
        """The built site, read-only; nothing outside it, whatever the path says."""
        site = (home / "portfolio" / "site").resolve()
        target = (site / (path or "index.html")).resolve()
        if site not in target.parents or not target.is_file():
            raise HTTPException(404, "No such file.")
        return FileResponse(target)

    @app.get("/career", response_class=HTMLResponse)
    def career(request: Request, role: str | None = None) -> HTMLResponse:
        from deepcareer.web import views

        with store() as s:
            return page(request, "career.html", **views.career(s, catalog, role))

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
        from deepcareer.web import views

        ex = catalog.get(_check_id(exercise_id))
        body = await json_object(request, {"code": str}, '{"code": "def f(x): ..."}')

        def grade() -> dict[str, Any]:
            with store() as s:
                return views.check(s, ex, body["code"]).to_dict()

        return JSONResponse(await run_in_threadpool(grade))

    @app.get("/api/next")
    def api_next() -> JSONResponse:
        from deepcareer.mentor.planner import plan

        with store() as s:
            return JSONResponse(plan(s, catalog).to_dict())

    return app
