"""One exception hierarchy for everything deepcareer raises on purpose.

::

    DeepcareerError                 base: the CLI prints .message, exits with .exit_code
    ├── UsageError                  the command was called wrongly (exit 2)
    │   └── MissingExtraError       an exercise needs an optional framework (says how to get it)
    ├── ContentError                an exercise folder is malformed (author's bug)
    │   └── ExerciseNotFound        no exercise with that id (exit 2)
    ├── StoreError                  the progress database cannot be used (nothing changed)
    │   ├── StoreCorruptError       the file is damaged; a copy was kept (`deepcareer doctor`)
    │   ├── StoreMissingError       the home was initialised but the file is gone
    │   ├── StoreBusyError          other writers held it past the retry budget
    │   ├── StoreReadOnlyError      the file or its folder cannot be written (permissions)
    │   ├── StoreFullError          the disk is full
    │   ├── StoreIOError            the operating system reported an I/O error
    │   └── StoreBugError           deepcareer sent bad SQL or broke a constraint (our bug)
    ├── GradingError                the grader itself failed (not the learner's code)
    └── PortfolioError              the built site breaks a rule (names page and element)

A learner's mistake (syntax error, wrong answer, infinite loop) is *not* an
exception: it is a report with status ``error``, ``fail`` or ``timeout``.
"""

from __future__ import annotations


class DeepcareerError(Exception):
    """Base class; ``message`` is written for a person, not a developer."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(DeepcareerError):
    """The command or call was used wrongly."""

    exit_code = 2


class MissingExtraError(UsageError):
    """An exercise's track needs a framework that is not installed."""


class ContentError(DeepcareerError):
    """Course content is malformed (an author's mistake, found by validation)."""


class ExerciseNotFound(ContentError):
    """No exercise has the requested id."""

    exit_code = 2


class StoreError(DeepcareerError):
    """The progress database cannot be opened or written."""


class StoreCorruptError(StoreError):
    """The database file is damaged; a copy was kept, nothing was reset."""


class StoreMissingError(StoreError):
    """The home was initialised, but its database file has disappeared."""


# Only StoreCorruptError means "damaged". The others leave the file as it is and must never
# advise restoring a backup: the file is fine and holds attempts no backup has yet.


class StoreBusyError(StoreError):
    """Other writers kept the database locked for longer than the retry budget."""


class StoreReadOnlyError(StoreError):
    """The database file or its folder cannot be written (permissions, read-only disk)."""


class StoreFullError(StoreError):
    """The disk holding the database is full."""


class StoreIOError(StoreError):
    """The operating system reported an I/O error on the database file."""


class StoreBugError(StoreError):
    """deepcareer itself used the database wrongly (bad SQL, a broken constraint)."""


class GradingError(DeepcareerError):
    """The grader failed for a reason that is not the learner's code."""


class ServerError(DeepcareerError):
    """The class server cannot do what was asked: a service missing or unreachable, a
    request refused. The message says what to do."""


class ServerUnavailable(ServerError):
    """PostgreSQL (or Redis) cannot be reached just now; try again in a few seconds."""


class PortfolioError(DeepcareerError):
    """The portfolio would break an accessibility, weight or link rule; ``problems`` lists
    each as "page: element: what is wrong"."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        n = len(problems)
        super().__init__(f"The portfolio was not published: {n} problem{'s' if n != 1 else ''}.\n"
                         f"{shown}{more}")
