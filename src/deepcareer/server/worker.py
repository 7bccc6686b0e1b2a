"""The Celery application a grading worker runs: ``deepcareer server worker`` (or
``celery -A deepcareer.server.worker worker``), configured from the environment."""

from __future__ import annotations

from deepcareer.server.config import Settings
from deepcareer.server.queue import make_celery

celery_app = make_celery(Settings.from_env())
