"""`deepcareer server ...` (the class server) and `deepcareer login` / `deepcareer submit`
(a learner's terminal against it)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, print_json, store_for
from deepcareer.errors import UsageError

server_app = typer.Typer(
    help="The class server for cohorts: PostgreSQL for the record, Celery workers on Redis "
    "for grading.\n\nExample: deepcareer server init --admin-email you@example.org",
    no_args_is_help=True)

DbOpt = Annotated[str | None, typer.Option(
    "--database-url", help="PostgreSQL URL (default: $DEEPCAREER_DATABASE_URL).",
    show_default=False)]
RedisOpt = Annotated[str | None, typer.Option(
    "--redis-url", help="Redis URL (default: $DEEPCAREER_REDIS_URL).", show_default=False)]

SWEEP_EVERY_S = 10.0


def _settings(database_url: str | None, redis_url: str | None) -> Any:
    from deepcareer.server.config import Settings

    return Settings.from_env(database_url, redis_url)


def _password(prompt: str) -> str:
    """From $DEEPCAREER_PASSWORD (scripts, the demo) or typed twice, hidden."""
    given = os.environ.get("DEEPCAREER_PASSWORD")
    if given:
        return given
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@server_app.command("init")
def init(
    admin_email: Annotated[str | None, typer.Option(
        "--admin-email", help="Also create this instructor account (asks for a password, or "
        "reads $DEEPCAREER_PASSWORD).", show_default=False)] = None,
    admin_name: Annotated[str, typer.Option("--admin-name", help="Its display name.")]
    = "Instructor",
    database_url: DbOpt = None,
    redis_url: RedisOpt = None,
    json: JsonOpt = False,
) -> None:
    """Create or upgrade the server's tables in PostgreSQL; optionally the first instructor.

    Safe to run again after an upgrade: it applies the new migrations only.

    Example: deepcareer server init --admin-email you@uni.edu (with
    DEEPCAREER_DATABASE_URL and DEEPCAREER_REDIS_URL set, or --database-url and --redis-url)
    """
    from deepcareer.app import accounts, classroom

    settings = _settings(database_url, redis_url)
    engine = classroom.connect(settings.database_url)
    revision = classroom.init(engine)
    made = None
    if admin_email:
        made = accounts.create_user(engine, admin_email, admin_name,
                                    _password("Password for the instructor"), role="instructor")
    engine.dispose()
    if json:
        print_json({"revision": revision, "instructor": made.email if made else None})
        return
    typer.echo(f"The class server's tables are at revision {revision}.")
    if made:
        typer.echo(f"Instructor account {made.email} created: sign in at the server's address.")


@server_app.command("run")
def run(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0 for "
                                      "every interface, behind a TLS proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8800,
    database_url: DbOpt = None,
    redis_url: RedisOpt = None,
) -> None:
    """Serve the class server's pages and API, and sweep for submissions the queue lost.

    Run `deepcareer server worker` (here or on other machines) to grade.

    Example: deepcareer server run --host 0.0.0.0 --port 8800
    """
    import uvicorn

    from deepcareer.app import classroom
    from deepcareer.server import logs, queue
    from deepcareer.server.web import create_app

    settings = _settings(database_url, redis_url)
    logs.setup()
    app = create_app(settings)
    celery = queue.make_celery(settings)
    engine = classroom.connect(settings.database_url)
    stop = threading.Event()

    def sweeper() -> None:
        enqueue = queue.enqueuer(celery)
        while not stop.wait(SWEEP_EVERY_S):
            try:
                classroom.sweep(engine, enqueue, queue_empty=queue.queue_length(celery) == 0)
            except Exception as exc:
                typer.echo(f"sweeper: {exc}", err=True)

    threading.Thread(target=sweeper, name="sweeper", daemon=True).start()
    typer.echo(f"deepcareer class server on http://{host}:{port} (Ctrl-C to stop)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        stop.set()


@server_app.command("worker")
def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, help="Checks at "
                                             "once (one per core is right).")] = 2,
    queues: Annotated[str, typer.Option("--queues", "-Q", help="Which queues to take: "
                                        "grading (exercises), projects (training runs), "
                                        "or both, comma-separated.")] = "grading,projects",
    database_url: DbOpt = None,
    redis_url: RedisOpt = None,
) -> None:
    """Grade submissions from the queue, each in the OS sandbox, on this machine.

    Start as many as you like, on as many machines as share the two URLs. Projects
    (training runs of minutes) have their own queue, so they never hold up the checks;
    give them a big machine with --queues projects if a cohort trains a lot.

    Examples: deepcareer server worker --concurrency 4;
    deepcareer server worker --queues projects --concurrency 1
    """
    settings = _settings(database_url, redis_url)
    os.environ["DEEPCAREER_DATABASE_URL"] = settings.database_url
    os.environ["DEEPCAREER_REDIS_URL"] = settings.redis_url
    from deepcareer.server.worker import celery_app

    wanted = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(wanted) - {"grading", "projects"})
    if unknown or not wanted:
        raise UsageError(f"--queues takes grading, projects or both, not {queues!r}.")
    celery_app.worker_main(["worker", "--concurrency", str(concurrency), "--pool", "prefork",
                            "--queues", ",".join(wanted),
                            "--loglevel", "WARNING", "--without-gossip", "--without-mingle"])


def login(
    url: Annotated[str, typer.Argument(help="The class server's address, e.g. "
                                       "https://class.example.org.", show_default=False)],
    email: Annotated[str | None, typer.Option("--email", help="Your account's email (asked "
                                              "when missing).", show_default=False)] = None,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Sign in to your class server once; `deepcareer submit` then sends your work there.

    The password is asked for (or read from $DEEPCAREER_PASSWORD) and never stored; an API
    token is kept in your home, readable by you alone.

    Example: deepcareer login https://class.example.org --email ada@example.org
    """
    from deepcareer.app import remote

    email = email or str(typer.prompt("Email"))
    password = os.environ.get("DEEPCAREER_PASSWORD") or str(typer.prompt(
        "Password", hide_input=True))
    with store_for(home) as store:
        path = store.home
    found = remote.login(path, url, email, password)
    if json:
        print_json({"url": found.url, "name": found.name})
        return
    typer.echo(f"Signed in to {found.url} as {found.name}. Send work with: "
               "deepcareer submit EXERCISE")


def submit(
    exercise_id: Annotated[str, typer.Argument(
        help="Exercise or project id, e.g. softmax or digits-mlp (see `deepcareer list`, "
        "`deepcareer project list`).", show_default=False)],
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Send this file instead "
                                              "of your workspace file.")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the report.")]
    = True,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Send your file for an exercise or a project to your class server, which checks it
    in its own sandbox; the report comes back as with `deepcareer check`. A project is
    trained there twice with seeds the server draws (minutes: it waits for the report).

    Exit code 0 on pass (a project: verified), 1 otherwise.

    Examples: deepcareer submit softmax; deepcareer submit softmax --file my.py --json;
    deepcareer submit digits-mlp --no-wait
    """
    from deepcareer.app import class_projects, practice, remote
    from deepcareer.cli.common import load_catalog

    project = class_projects.is_project(exercise_id)
    with store_for(home) as store:
        where = store.home
        if project:
            item = class_projects.assignable(exercise_id).id
            source = class_projects.learner_source(where, item, file)
        else:
            item = load_catalog().get(exercise_id).id
            source, _path = practice.source_for(store, load_catalog().get(item), file)
    started = time.perf_counter()
    if project:
        result = remote.submit(where, item, source, wait=wait, kind="project",
                               timeout=class_projects.allowed_seconds(
                                   class_projects.assignable(item)) + 60)
    else:
        result = remote.submit(where, item, source, wait=wait)
    if json:
        print_json(result)
    elif not wait:
        typer.echo(f"Submitted ({result.get('id')}); the report will be on the server.")
    elif project:
        for line in class_projects.summary_lines(result):
            typer.echo(line)
        typer.echo(f"Trained by the class server in {time.perf_counter() - started:.1f} s.")
    else:
        from deepcareer.cli import render

        render.report(remote.as_report(result))
        typer.echo(f"Checked by the class server in {time.perf_counter() - started:.1f} s.")
    if wait and result.get("status") != "pass":
        raise typer.Exit(1)
    if not wait and not result.get("id"):
        raise UsageError("The server did not return a submission id.")
