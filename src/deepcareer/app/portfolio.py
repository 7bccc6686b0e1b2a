"""The portfolio as use cases: build the site from verified work, export it for Quarto,
and find the built site to preview or serve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepcareer.errors import UsageError

if TYPE_CHECKING:
    from deepcareer.curriculum.catalog import Catalog
    from deepcareer.portfolio.build import BuildResult
    from deepcareer.store.db import Store


@dataclass(frozen=True)
class Built:
    result: BuildResult
    quarto: Path | None

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {"out": str(r.out), "pages": [str(p) for p in r.pages],
                "projects": r.projects, "created": [str(p) for p in r.created],
                "preview": r.preview, "todo": r.todo,
                "quarto": str(self.quarto) if self.quarto else None}


def build(store: Store, catalog: Catalog, out: Path | None = None, *,
          quarto: bool = False, preview: bool = False) -> Built:
    """Build the static site (only verified work is published; every page passes the
    accessibility, weight and link checks, and no placeholder is left, or the build
    refuses naming each), and with ``quarto`` also a Quarto website project beside it.
    ``preview`` builds despite placeholders, every page marked as a private preview."""
    from deepcareer.portfolio.build import build_site

    result = build_site(store, catalog, out, preview=preview)
    exported = None
    if quarto:
        from deepcareer.portfolio.build import load_profile
        from deepcareer.portfolio.quarto import export_quarto

        exported = result.out.with_name(f"{result.out.name}-quarto")
        export_quarto(result.out, exported, load_profile(store.home, []).name)
    return Built(result, exported)


def site_folder(home: Path) -> Path:
    return home / "portfolio" / "site"


def is_built(home: Path) -> bool:
    return (site_folder(home) / "index.html").exists()


def site_file(home: Path, path: str) -> Path | None:
    """A file of the built site, or None: nothing outside it, whatever the path says."""
    site = site_folder(home).resolve()
    target = (site / (path or "index.html")).resolve()
    return target if site in target.parents and target.is_file() else None


def serve(home: Path, port: int, announce: Any) -> None:
    """Preview the built site on 127.0.0.1 until interrupted."""
    from deepcareer.portfolio.serve import serve as run

    site = site_folder(home)
    if not is_built(home):
        raise UsageError("Build the site first: deepcareer portfolio build")
    run(site, port, announce=announce)
