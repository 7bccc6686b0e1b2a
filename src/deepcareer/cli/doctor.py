"""`deepcareer doctor`: is the progress database healthy, and if not, what can be recovered."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from deepcareer.cli.common import HomeOpt, JsonOpt, print_json

_TABLES = ("attempts", "events", "reviews", "runs", "cards")


def doctor(
    apply: Annotated[bool, typer.Option(
        "--apply", help="Put the recovered database in place (the damaged file is kept).")]
    = False,
    home: HomeOpt = None,
    json: JsonOpt = False,
) -> None:
    """Check your progress database; recover what a damaged one still holds.

    A healthy home: the integrity check, row counts and the newest backup. A damaged one:
    what the damaged file still yields, what the newest backup adds, and with --apply the
    recovered database is put in place (the damaged file is moved aside, never deleted).
    Exit code 0 when healthy or recovered, 1 when damage is found and not yet applied.

    Examples: deepcareer doctor; deepcareer doctor --apply --json
    """
    from deepcareer.app.data import doctor as examine

    result = examine(home, apply=apply)
    ok = result["state"] == "healthy" or result["applied"]
    if json:
        print_json(result)
    else:
        _show(result)
    raise typer.Exit(0 if ok else 1)


def _counts(counts: dict[str, Any]) -> str:
    return ", ".join(f"{counts[t]} {t}" for t in _TABLES if counts.get(t) is not None)


def _show(r: dict[str, Any]) -> None:
    from rich.markup import escape

    from deepcareer.cli.render import console

    console.print(f"Progress database: [bold]{escape(r['path'])}[/]")
    state = {"healthy": "[green]healthy[/]", "damaged": "[red]damaged[/]",
             "missing": "[red]missing[/]", "unusable": "[yellow]not usable now[/]"}
    console.print(f"State: {state.get(r['state'], r['state'])} ({escape(r['detail'])})")
    if r["state"] == "healthy":
        console.print(f"  {_counts(r['counts'])}")
    b = r["backup"]
    if b:
        console.print(f"Newest backup: {escape(b['name'])} ({b['label']}): "
                      f"{_counts(b['counts']) or 'unreadable'}")
    else:
        console.print("Newest backup: none yet")
    rec = r["recovered"]
    if not rec:
        return
    console.print("\nRecovered (what the damaged file still yields + what only the newest "
                  "backup has = total):")
    for table in _TABLES:
        t = rec[table]
        lost = f", {t['unreadable']} unreadable" if t["unreadable"] else ""
        refused = f", {t['refused']} refused as garbage" if t["refused"] else ""
        in_backup = "" if t["backup"] is None else f" (backup alone: {t['backup']})"
        console.print(f"  {table:9} {t['from_file']} + {t['from_backup']} = "
                      f"[bold]{t['total']}[/]{in_backup}{lost}{refused}")
    if r["applied"]:
        kept = f" The damaged file is kept at {escape(r['kept'])}." if r["kept"] else ""
        console.print(f"\n[green]The recovered database is in place[/] "
                      f"({_counts(r['counts'])}).{kept}")
    else:
        console.print(f"\nNothing was changed. Close other deepcareer windows and the web "
                      f"app, then run [bold]deepcareer doctor --apply --home "
                      f"'{escape(r['home'])}'[/] to put the recovered database in place "
                      "(the damaged file is kept beside it).")
