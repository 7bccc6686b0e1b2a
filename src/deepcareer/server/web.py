"""The class server's web face: sign-in, invites, cohorts, exercises, reports, dashboards.

A thin face over ``deepcareer.app`` (accounts, classroom, classwork, cohorts), like the local
web app, whose stylesheet and templates (report, hint, solution, quiz, answers) it shares.
Every state change needs a live session, its CSRF token in the form, and (when the browser
sends one) an Origin equal to this server's; every page that shows someone's work asks the
application layer whether the viewer may see it. The terminal uses ``/api/`` with a bearer
token instead of a cookie.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from deepcareer.app import accounts, class_projects, classroom, classwork, cohorts, live
from deepcareer.errors import DeepcareerError, ExerciseNotFound, UsageError
from deepcareer.server.config import Settings
from deepcareer.server.logs import log

HERE = Path(__file__).resolve().parent
WEB = HERE.parent / "web"
COOKIE = "deepcareer_session"
#: A page waiting for its report: one stream of up to an hour, a comment every 15 s.
LIVE_ROUND_S = 15.0
LIVE_ROUNDS = 240
LIVE_RETRY_MS = 3000
#: The longest a terminal's request for its report waits for the grade. Each request costs
#: the web server about 3 ms of CPU whether it waited or not, so the longer a learner may
#: wait in one, the fewer a burst costs (a learner at the end of a 5,000-check queue waits
#: minutes); 60 s is what common proxies allow a quiet request by default.
LONG_POLL_S = 60.0
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
#: Sent with every answer unless the route set its own.
SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
     "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)


def create_app(settings: Settings, enqueue: classroom.Enqueue | None = None,
               queue_length: Callable[[], int | None] | None = None) -> FastAPI:
    """The server app. ``enqueue`` defaults to Celery on ``settings.redis_url``."""
    from deepcareer.app.session import catalog as default_catalog
    from deepcareer.web.bodies import form_fields, json_object
    from deepcareer.web.views import markdown, readme_html
    from deepcareer.words import plural

    engine = classroom.connect(settings.database_url)
    if enqueue is None or queue_length is None:
        from deepcareer.server import queue

        celery = queue.make_celery(settings)
        enqueue = enqueue or queue.enqueuer(celery)
        queue_length = queue_length or (lambda: queue.queue_length(celery))
    feed = live.GradedFeed(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await feed.close()

    app = FastAPI(title="deepcareer class server", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    app.mount("/server-static", StaticFiles(directory=HERE / "static"), name="server-static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.loader = ChoiceLoader([FileSystemLoader(HERE / "templates"),
                                         FileSystemLoader(WEB / "templates")])
    templates.env.filters["plural"] = plural
    catalog = default_catalog()
    assignable = class_projects.assignable_projects()
    md = markdown()

    def page(request: Request, template: str, status: int = 200, **context: Any
             ) -> HTMLResponse:
        session = getattr(request.state, "session", None)
        return templates.TemplateResponse(
            request, template, {"me": session.user if session else None,
                            "csrf": session.csrf if session else "", **context},
            status_code=status)

    def refusal(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=status)
        return page(request, "error.html", status, message=message)

    class Guard:
        """Same-origin state changes, the session, and headers that keep pages to us.

        A plain ASGI middleware rather than ``@app.middleware("http")``: Starlette's
        ``BaseHTTPMiddleware`` runs every request in a task group of its own, which under
        a cohort's burst was the largest single cost of the web server's CPU."""

        def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
            self.app = app

        async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any],
                           send: Callable[..., Awaitable[None]]) -> None:
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            request = Request(scope, receive)
            refused = await self.refused(request)
            if refused is not None:
                await refused(scope, receive, send)
                return

            async def with_headers(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableHeaders(scope=message)
                    for name, value in SECURITY_HEADERS:
                        headers.setdefault(name, value)
                await send(message)

            await self.app(scope, receive, with_headers)

        @staticmethod
        async def refused(request: Request) -> Response | None:
            """A refusal for a cross-site state change or a database that is away; else
            None, with the request's session (None without a cookie) in its state."""
            origin = request.headers.get("origin")
            if request.method in UNSAFE and origin and \
                    origin.rstrip("/") != _own_origin(request):
                return refusal(request, 403,
                               "This request came from another site and was refused.")
            cookie = request.cookies.get(COOKIE)
            try:  # no cookie (the terminal, a first visit): no session to look up
                request.state.session = await run_in_threadpool(
                    accounts.session, engine, cookie) if cookie else None
            except DeepcareerError:
                request.state.session = None
            except Exception as exc:  # the database went away: a sentence, not a traceback
                if _unreachable(exc):
                    return refusal(request, 503, "The class server's database is not "
                                   "reachable just now; try again in a few seconds.")
                raise
            return None

    app.add_middleware(Guard)

    @app.exception_handler(accounts.NotAllowed)
    async def _not_allowed(request: Request, exc: accounts.NotAllowed) -> Response:
        return refusal(request, 403, exc.message)

    @app.exception_handler(DeepcareerError)
    async def _refused(request: Request, exc: DeepcareerError) -> Response:
        return refusal(request, 404 if isinstance(exc, ExerciseNotFound) else 400, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return refusal(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if _unreachable(exc):
            log().warning("database unreachable", extra={"event": "db_unreachable"})
            return refusal(request, 503, "The class server's database is not reachable just "
                           "now; try again in a few seconds.")
        log().error("unexpected error", exc_info=exc, extra={"event": "error"})
        return refusal(request, 500, "Something went wrong on the server; it is logged.")

    def signed_in(request: Request) -> accounts.Session:
        session = request.state.session
        if session is None:
            raise StarletteHTTPException(401, "Please sign in first.")
        return session

    async def form(request: Request, *required: str) -> dict[str, str]:
        """A state-changing form: fields, after the CSRF token is checked."""
        session = signed_in(request)
        fields = await form_fields(request, required=required)
        if not accounts.csrf_ok(session, fields.get("csrf")):
            raise accounts.NotAllowed("This form has expired; reload the page and try again.")
        return fields

    def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        return run_in_threadpool(fn, *args, **kwargs)

    # --- health ----------------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            states = classroom.counts(engine)
        except Exception as exc:
            return JSONResponse({"ready": False, "database": _first(exc)}, status_code=503)
        waiting = queue_length()
        ready = waiting is not None
        return JSONResponse({"ready": ready, "database": "ok",
                             "queue": waiting if ready else "unreachable",
                             "submissions": states}, status_code=200 if ready else 503)

    # --- accounts --------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        session = request.state.session
        if session is None:
            return page(request, "signin.html")
        mine = await call(cohorts.my_cohorts, engine, session.user)
        recent = await call(classroom.my_submissions, engine, session.user)
        todo = await call(cohorts.my_assignments, engine, session.user)
        return page(request, "home.html", cohorts=mine, recent=recent, assignments=todo,
                    exercises=list(catalog), projects=assignable)

    @app.post("/signin")
    async def signin(request: Request) -> Response:
        fields = await form_fields(request, required=("email", "password"))
        try:
            session = await call(accounts.sign_in, engine, fields["email"], fields["password"])
        except accounts.SignInFailed as exc:
            return page(request, "signin.html", 401, message=exc.message,
                        email=fields["email"])
        return _with_cookie(request, RedirectResponse("/", 303), session.token)

    @app.post("/signout")
    async def signout(request: Request) -> Response:
        await form(request)
        await call(accounts.sign_out, engine, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/join/{token}", response_class=HTMLResponse)
    def join_page(request: Request, token: str) -> HTMLResponse:
        return page(request, "join.html", token=token)

    @app.post("/join/{token}")
    async def join(request: Request, token: str) -> Response:
        session = request.state.session
        if session is not None:  # an account already: join this cohort too
            await form(request)
            await call(accounts.join, engine, session.user, token)
            return RedirectResponse("/", 303)
        fields = await form_fields(request, required=("email", "name", "password"))
        try:
            await call(accounts.sign_up, engine, token, fields["email"], fields["name"],
                       fields["password"])
        except accounts.NotAllowed:
            raise
        except DeepcareerError as exc:
            return page(request, "join.html", 400, token=token, message=exc.message,
                        email=fields["email"], name=fields["name"])
        new = await call(accounts.sign_in, engine, fields["email"], fields["password"])
        return _with_cookie(request, RedirectResponse("/", 303), new.token)

    # --- cohorts (instructors and mentors) -------------------------------------------

    @app.post("/cohorts")
    async def new_cohort(request: Request) -> Response:
        fields = await form(request, "name")
        cohort_id = await call(accounts.create_cohort, engine, signed_in(request).user,
                               fields["name"])
        return RedirectResponse(f"/cohorts/{cohort_id}", 303)

    @app.get("/cohorts/{cohort_id}", response_class=HTMLResponse)
    async def cohort(request: Request, cohort_id: int) -> HTMLResponse:
        board = await call(cohorts.dashboard, engine, signed_in(request).user, cohort_id)
        return page(request, "cohort.html", board=board, exercises=list(catalog),
                    projects=assignable,
                    link=request.query_params.get("invite"), bands=cohorts.BANDS,
                    heatmap_limit=cohorts.HEATMAP_LEARNERS)

    @app.post("/cohorts/{cohort_id}/invites")
    async def new_invite(request: Request, cohort_id: int) -> Response:
        fields = await form(request)
        role = fields.get("role") or "learner"
        token = await call(accounts.invite, engine, signed_in(request).user, cohort_id, role)
        link = f"{_own_origin(request)}/join/{token}"
        return RedirectResponse(f"/cohorts/{cohort_id}?invite={link}", 303)

    @app.post("/cohorts/{cohort_id}/assignments")
    async def new_assignment(request: Request, cohort_id: int) -> Response:
        fields = await form(request)
        # "project:mnist1d" or "exercise:softmax" from the page's list; a bare id is an
        # exercise (scripts written before projects could be assigned).
        chosen = fields.get("item") or fields.get("exercise") or ""
        kind, _, item = chosen.rpartition(":")
        if not item:
            raise UsageError("Choose an exercise or a project to assign.")
        due = _date(fields.get("due", ""))
        await call(cohorts.add_assignment, engine, signed_in(request).user, cohort_id,
                   kind or "exercise", item, due)
        return RedirectResponse(f"/cohorts/{cohort_id}", 303)

    @app.get("/cohorts/{cohort_id}/results.csv")
    async def results(request: Request, cohort_id: int) -> Response:
        text = await call(cohorts.results_csv, engine, signed_in(request).user, cohort_id)
        return Response(text, media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="cohort-{cohort_id}-results.csv"'})

    @app.get("/learners/{learner_id}", response_class=HTMLResponse)
    async def learner(request: Request, learner_id: int) -> HTMLResponse:
        report = await call(classroom.learner_report, engine, signed_in(request).user,
                            learner_id)
        return page(request, "learner.html", report=report)

    # --- exercises and submissions ---------------------------------------------------

    async def exercise_page(request: Request, exercise_id: str, code: str | None = None,
                            **context: Any) -> HTMLResponse:
        user = signed_in(request).user
        ex = catalog.get(exercise_id)
        state = await call(classwork.open_exercise, engine, user, ex, catalog)
        return page(request, "exercise_server.html", ex=ex, state=state,
                    readme=readme_html(ex.readme_path, md),
                    code=ex.starter if code is None else code, **context)

    @app.get("/exercises/{exercise_id}", response_class=HTMLResponse)
    async def exercise(request: Request, exercise_id: str) -> HTMLResponse:
        return await exercise_page(request, exercise_id)

    @app.post("/exercises/{exercise_id}/hint", response_class=HTMLResponse)
    async def hint(request: Request, exercise_id: str) -> HTMLResponse:
        """The next hint of the local ladder (logged), with the learner's code kept."""
        fields = await form(request)
        ex = catalog.get(exercise_id)
        shown = await call(classwork.hint, engine, signed_in(request).user, ex.id, catalog)
        return await exercise_page(request, ex.id, fields.get("code"), hint=shown)

    @app.post("/exercises/{exercise_id}/solution", response_class=HTMLResponse)
    async def solution(request: Request, exercise_id: str) -> HTMLResponse:
        """The reference once earned by the local rule (logged when shown), else why not."""
        fields = await form(request)
        ex = catalog.get(exercise_id)
        access = await call(classwork.solution, engine, signed_in(request).user, ex.id,
                            catalog)
        return await exercise_page(request, ex.id, fields.get("code"), access=access)

    # --- quizzes and reviews (the learner's own record) ------------------------------

    @app.get("/quiz/{quiz_id}", response_class=HTMLResponse)
    async def quiz(request: Request, quiz_id: str) -> HTMLResponse:
        from deepcareer.app.quiz import sit

        signed_in(request)
        sitting = sit(quiz_id)
        return page(request, "quiz.html", quiz=sitting.quiz, seed=sitting.seed,
                    asked=sitting.asked, verdicts=None)

    @app.post("/quiz/{quiz_id}", response_class=HTMLResponse)
    async def quiz_answer(request: Request, quiz_id: str) -> HTMLResponse:
        from deepcareer.app.quiz import parse_seed, sit

        fields = await form(request)
        sitting = sit(quiz_id, parse_seed(fields.get("seed", "")))
        replies = [fields.get(f"q{n}", "") for n in range(len(sitting.asked))]
        result = await call(classwork.answer_quiz, engine, signed_in(request).user, sitting,
                            replies)
        return page(request, "quiz.html", quiz=sitting.quiz, seed=sitting.seed,
                    asked=sitting.asked, verdicts=result.verdicts, score=result.score,
                    recorded=result.recorded, answers=fields)

    @app.get("/review", response_class=HTMLResponse)
    async def review(request: Request) -> HTMLResponse:
        session = await call(classwork.reviews, engine, signed_in(request).user, catalog)
        return page(request, "review_server.html", session=session)

    @app.get("/review/card/{card_text}", response_class=HTMLResponse)
    async def review_card(request: Request, card_text: str) -> Response:
        from deepcareer.app.review import ask

        card = await call(classwork.review_card, engine, signed_in(request).user, card_text,
                          catalog)
        if card.kind != "quiz":
            return RedirectResponse(f"/exercises/{card.exercise_id}", 303)
        asked, seed = ask(card)
        return page(request, "review_card_server.html", card=card, asked=asked, seed=seed)

    @app.post("/review/card/{card_text}", response_class=HTMLResponse)
    async def review_answer(request: Request, card_text: str) -> HTMLResponse:
        from deepcareer.app.quiz import parse_seed

        fields = await form(request)
        user = signed_in(request).user
        card = await call(classwork.review_card, engine, user, card_text, catalog)
        seed = parse_seed(fields.get("seed", ""))
        asked, verdict, rating = await call(classwork.answer_card, engine, user, card, seed,
                                            fields.get("answer", ""))
        return page(request, "review_card_server.html", card=card, asked=asked, seed=seed,
                    verdict=verdict, rating=rating, answer=fields.get("answer", ""))

    @app.post("/exercises/{exercise_id}/submit")
    async def submit(request: Request, exercise_id: str) -> Response:
        fields = await form(request, "code")
        user = signed_in(request).user
        await call(accounts.require_rate, engine, user)
        sub = await call(classroom.submit, engine, enqueue, user.id, exercise_id,
                         fields["code"])
        log().info("submitted", extra={"event": "submitted", "submission": sub,
                                       "user": user.id})
        return RedirectResponse(f"/submissions/{sub}", 303)

    @app.get("/projects/{project_id}", response_class=HTMLResponse)
    async def project(request: Request, project_id: str) -> HTMLResponse:
        signed_in(request)
        found = class_projects.assignable(project_id)
        return page(request, "project_server.html", project=found,
                    readme=readme_html(found.readme, md),
                    code=found.template.read_text(encoding="utf-8"),
                    minutes=round(class_projects.allowed_seconds(found) / 60))

    @app.post("/projects/{project_id}/submit")
    async def submit_project(request: Request, project_id: str) -> Response:
        fields = await form(request, "code")
        user = signed_in(request).user
        await call(accounts.require_rate, engine, user)
        sub = await call(classroom.submit, engine, enqueue, user.id, project_id,
                         fields["code"], kind="project")
        log().info("submitted", extra={"event": "submitted", "submission": sub,
                                       "user": user.id, "kind": "project"})
        return RedirectResponse(f"/submissions/{sub}", 303)

    @app.get("/submissions/{submission_id}", response_class=HTMLResponse)
    async def submission(request: Request, submission_id: str) -> HTMLResponse:
        row = await call(classroom.submission_for, engine, signed_in(request).user,
                         submission_id)
        if row.get("kind") == "project":
            found = class_projects.assignable(row["exercise_id"])
            tries = await call(class_projects.tries, engine, int(row["user_id"]), found.id)
            return page(request, "project_submission.html", sub=row, project=found,
                        tries=tries, report=row["report"] if row["state"] == "done" else None)
        ex = catalog.get(row["exercise_id"])
        return page(request, "submission.html", sub=row, ex=ex,
                    report=row["report"] if row["state"] == "done" else None)

    @app.get("/submissions/{submission_id}/events")
    async def submission_events(request: Request, submission_id: str) -> Response:
        """Server-sent events: ``done`` once the submission is graded (the page then shows
        its report), comments meanwhile so proxies keep the stream open."""
        await call(classroom.submission_for, engine, signed_in(request).user, submission_id)

        async def stream() -> AsyncIterator[str]:
            yield f"retry: {LIVE_RETRY_MS}\n\n"
            for _ in range(LIVE_ROUNDS):
                if await live.until_graded(feed, engine, submission_id, LIVE_ROUND_S):
                    yield "event: done\ndata: graded\n\n"
                    return
                if await request.is_disconnected():
                    return
                yield ": still waiting\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store",
                                          "X-Accel-Buffering": "no"})

    # --- the terminal ----------------------------------------------------------------

    def api_user(request: Request) -> accounts.User:
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        user = accounts.api_user(engine, token)
        if user is None:
            raise StarletteHTTPException(401, "Sign in first: deepcareer login URL")
        return user

    @app.post("/api/token")
    async def api_token(request: Request) -> JSONResponse:
        body = await json_object(request, {"email": str, "password": str},
                                 '{"email": "ada@example.org", "password": "..."}')
        try:
            session = await call(accounts.sign_in, engine, body["email"], body["password"])
        except accounts.SignInFailed as exc:
            return JSONResponse({"detail": exc.message}, status_code=401)
        await call(accounts.sign_out, engine, session.token)  # a token, not a browser session
        token = await call(accounts.issue_api_token, engine, session.user)
        return JSONResponse({"token": token, "name": session.user.name})

    @app.post("/api/submissions")
    async def api_submit(request: Request) -> JSONResponse:
        user = await call(api_user, request)
        body = await json_object(request, {"exercise": str, "code": str},
                                 '{"exercise": "softmax", "code": "..."} (and "kind": '
                                 '"project" for a project)')
        kind = body.get("kind") or "exercise"
        if not isinstance(kind, str):
            raise UsageError('"kind" is "exercise" or "project".')

        def record() -> str:  # one trip to a worker thread for both
            accounts.require_rate(engine, user)
            return classroom.submit(engine, enqueue, user.id, body["exercise"], body["code"],
                                    kind=kind)

        sub = await call(record)
        log().info("submitted", extra={"event": "submitted", "submission": sub,
                                       "user": user.id})
        return JSONResponse({"id": sub, "state": "queued"}, status_code=202)

    @app.get("/api/submissions/{submission_id}")
    async def api_submission(request: Request, submission_id: str) -> JSONResponse:
        """One submission; with ``?wait=S`` (at most 60) the answer waits up to S seconds
        for the grade, woken by its notice: a terminal waiting for its report asks once
        or twice, not every half second."""
        wait = _seconds(request.query_params.get("wait"), LONG_POLL_S)

        def look() -> tuple[accounts.User, dict[str, Any]]:  # one trip to a worker thread
            user = api_user(request)
            return user, classroom.submission_for(engine, user, submission_id)

        with feed.watching(submission_id) as heard:  # before the read: no notice missed
            user, row = await call(look)
            if wait and row["state"] != "done" and await live.until_graded(
                    feed, engine, submission_id, wait, heard):
                row = await call(classroom.submission_for, engine, user, submission_id)
        return JSONResponse({"id": row["id"], "state": row["state"],
                             "kind": row.get("kind", "exercise"), "report": row["report"]})

    return app


def _seconds(text: str | None, most: float) -> float:
    """A ``wait`` parameter: seconds between 0 and ``most``; anything else is refused."""
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"wait is a number of seconds (at most {most:g}), not "
                         f"{text[:20]!r}.") from None
    if not 0 <= value <= most:  # NaN fails too
        raise UsageError(f"wait is between 0 and {most:g} seconds.")
    return value


def _own_origin(request: Request) -> str:
    host = request.headers.get("host", request.url.netloc)
    return f"{request.url.scheme}://{host}"


def _with_cookie(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(COOKIE, token, max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")
    return response


def _date(text: str) -> datetime | None:
    """A deadline from a date field (YYYY-MM-DD, end of that day, UTC); '' for none."""
    from deepcareer.errors import UsageError

    if not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise UsageError(f"A deadline is a date like 2027-03-01, not {text[:20]!r}.") from None
    return day.replace(hour=23, minute=59, second=59, tzinfo=UTC)


def _unreachable(exc: BaseException) -> bool:
    """PostgreSQL gone (refused, restarting, a connection dropped): answer 503 and recover
    by itself (the pool checks connections before use)."""
    from sqlalchemy.exc import OperationalError

    from deepcareer.errors import ServerUnavailable

    return isinstance(exc, OperationalError | ServerUnavailable)


def _first(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
