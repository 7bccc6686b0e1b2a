"""Progress storage: one SQLite file per home, an append-only log of what happened.

Attempts and events are never updated or deleted; mastery, schedules and
progress are computed from them, so they can always be recomputed.
"""

from deepcareer.store.db import Store, open_store

__all__ = ["Store", "open_store"]
