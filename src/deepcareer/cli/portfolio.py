"""``deepcareer portfolio ...``: build the site from your verified work, and preview it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, load_catalog, print_json, store_for

portfolio_app = typer.Typer(help="Your portfolio website, built from verified work.",
                            no_args_is_help=True)


@portfolio_app.command("build")
def portfolio_build(
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the site (default: <home>/portfolio/site).")] = None,
    quarto: Annotated[bool, typer.Option(
        "--quarto", help="Also export a Quarto website project (into OUT-quarto).")] = False,
    preview: Annotated[bool, typer.Option(
        "--preview", help="Build a private preview even with placeholders left (every "
        "page says so; not for publishing).")] = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Build a static website: home, a page per project, skills with their evidence, CV.

    You write workspace/portfolio/profile.md and one write-up per project (created with
    prompts on the first build); every number comes from your recorded runs. The build
    refuses to publish a page that breaks an accessibility, weight or link rule, or that
    still shows a placeholder (it names the file and field to fill in); --preview builds
    a clearly marked private preview meanwhile.

    Examples: deepcareer portfolio build; deepcareer portfolio build --preview;
    deepcareer portfolio build --out docs/
    """
    from deepcareer.app.portfolio import build

    with store_for(home) as store:
        built = build(store, load_catalog(), out, quarto=quarto, preview=preview)
    if json:
        print_json(built.to_dict())
        return
    from rich.markup import escape

    from deepcareer.cli.render import console
    from deepcareer.words import plural

    result, exported = built.result, built.quarto
    kind = "a private preview" if result.preview else "the site"
    console.print(f"Built {kind}: {plural(len(result.pages), 'page')} in [bold]"
                  f"{result.out}[/] ({plural(len(result.projects), 'project')}). Every page "
                  "passed the checks.")
    for path in result.created:
        console.print(f"Created {path}: write it in your own words, then build again.")
    if result.preview:
        console.print("[yellow]Not for publishing[/]: every page says it is a preview. "
                      "Still to fill in:")
        for item in result.todo:
            console.print(f"  - {escape(item)}")
    if not result.projects:
        console.print("No project yet: `deepcareer project list` to choose one.")
    console.print("Preview: [bold]deepcareer portfolio serve[/]. Publish: copy the folder "
                  "to any static host (GitHub Pages works, under a sub-path too).")
    if exported:
        console.print(f"Quarto project: {exported} (run `quarto render` there).")


@portfolio_app.command("serve")
def portfolio_serve(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free).")] = 0,
    home: HomeOpt = None,
) -> None:
    """Preview the built site on http://127.0.0.1 (this computer only). Ctrl-C stops.

    Example: deepcareer portfolio serve --port 8765
    """
    from deepcareer.app.portfolio import serve, site_folder

    with store_for(home) as store:
        path = store.home
    from deepcareer.cli.render import console

    serve(path, port, announce=lambda url: console.print(
        f"Serving {site_folder(path)} at [bold]{url}[/] (Ctrl-C stops)."))
