"""Our side of bench/project_training.py: one tracked, sandboxed run through the library.

The same as `deepcareer project run ID --reference`, minus the command line's own start-up
(typer and the CLI's imports), so the ratio against the plain script measures what
tracking and sandboxing cost. Prints the run's result as JSON.

Usage: python bench/_ours_reference.py PROJECT HOME [EXPERIMENT ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    from deepcareer.projects.runs import run_project
    from deepcareer.projects.spec import get_project
    from deepcareer.store.db import open_store

    project = get_project(sys.argv[1])
    with open_store(Path(sys.argv[2])) as store:
        result = run_project(store, project, project.reference.read_text(),
                             experiments=sys.argv[3:] or None)
    print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
