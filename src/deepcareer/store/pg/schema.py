"""The class server's tables on PostgreSQL (SQLAlchemy Core). Change them only with a new
Alembic revision in ``store/pg/migrations`` (``deepcareer server init`` applies them).

The record is the truth: a submission is a row before it is a queue message, and its
grade is written into that same row, once (state ``done`` is never left), so a message
delivered twice or a worker killed halfway cannot lose or duplicate a result.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

ROLES = ("learner", "mentor", "instructor", "admin")
STATES = ("queued", "running", "done")
KINDS = ("exercise", "project")

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),  # stored lower-cased
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),  # the highest site-wide role
    Column("password_hash", Text, nullable=False),  # Argon2id, PHC string
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(f"role IN {ROLES}", name="ck_users_role"),
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's token
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
)

cohorts = Table(
    "cohorts", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

memberships = Table(
    "memberships", metadata,
    Column("cohort_id", BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"),
           primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           index=True),
    Column("role", String(20), nullable=False),  # learner | mentor | instructor
    Column("joined_at", DateTime(timezone=True), nullable=False),
)

invites = Table(
    "invites", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("cohort_id", BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"),
           nullable=False),
    Column("role", String(20), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("max_uses", Integer, nullable=False),
    Column("uses", Integer, nullable=False, server_default="0"),
    Column("created_by", BigInteger, ForeignKey("users.id"), nullable=False),
)

assignments = Table(
    "assignments", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("cohort_id", BigInteger, ForeignKey("cohorts.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # exercise | project
    Column("item_id", String(100), nullable=False),
    Column("due_at", DateTime(timezone=True)),
    UniqueConstraint("cohort_id", "kind", "item_id", name="uq_assignment_item"),
)

submissions = Table(
    "submissions", metadata,
    Column("id", String(36), primary_key=True),  # a UUID, chosen before the row is written
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("exercise_id", String(100), nullable=False),  # the exercise's or project's id
    Column("kind", String(10), nullable=False, server_default="exercise"),  # KINDS
    Column("code", Text, nullable=False),
    Column("code_sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("state", String(10), nullable=False),  # queued | running | done
    Column("enqueued_at", DateTime(timezone=True), nullable=False),  # last (re-)enqueue
    Column("started_at", DateTime(timezone=True)),
    Column("graded_at", DateTime(timezone=True)),
    Column("deliveries", Integer, nullable=False, server_default="0"),  # times a worker began
    Column("status", String(20)),  # the report's status once done
    Column("report", JSON),
    Column("duration_s", Float),
    Column("worker", String(200)),
    Column("isolation", String(10)),
    Column("counted", Boolean, nullable=False, server_default="true"),
    # The learner record's attempt number (``store/pg/learner.py``): 1, 2, 3... per learner,
    # given when the record is first read after grading, in commit order.
    Column("seq", BigInteger),
    # Seconds a worker may hold it after its claim before the sweeper hands it to another
    # (None: the exercise default, RUNNING_TIMEOUT; a project: twice its budget and more).
    Column("allowed_s", Float),
    CheckConstraint(f"state IN {STATES}", name="ck_submissions_state"),
    CheckConstraint(f"kind IN {KINDS}", name="ck_submissions_kind"),
    Index("ix_submissions_user_time", "user_id", "created_at"),
    Index("ix_submissions_state_enqueued", "state", "enqueued_at"),
    Index("ix_submissions_exercise_time", "exercise_id", "created_at"),
    Index("ix_submissions_user_exercise_time", "user_id", "exercise_id", "created_at"),
    Index("ix_submissions_user_seq", "user_id", "seq"),
)

audit = Table(
    "audit", metadata,
    Column("id", BigInteger, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor_id", BigInteger, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(60), nullable=False),
    Column("target", String(200), nullable=False, server_default=""),
    Column("detail", JSON),
)

# Each learner's mastery per skill, replayed from their graded submissions after each grade
# (the dashboard of a large cohort reads it instead of replaying everyone's history).
learner_skills = Table(
    "learner_skills", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", String(100), primary_key=True),
    Column("p", Float, nullable=False),
    Column("evidence", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Each learner's tally per exercise, kept after each grade: the dashboard's streaks, last
# activity and passes by deadline without scanning every submission.
learner_exercises = Table(
    "learner_exercises", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("exercise_id", String(100), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("fails_in_a_row", Integer, nullable=False),  # since the last pass
    Column("first_pass_at", DateTime(timezone=True)),
    Column("last_at", DateTime(timezone=True), nullable=False),
)

# The misconceptions each failed submission was told about, one row each (the week's most
# frequent across a cohort is then an indexed count, not a scan of every report).
findings = Table(
    "findings", metadata,
    Column("submission_id", String(36), ForeignKey("submissions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("misconception", String(200), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("exercise_id", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_findings_time", "created_at"),
)

# --- each learner's record besides their graded submissions (revision 0004) -------------
# What the local app keeps in its SQLite file (events, review cards and reviews, settings,
# the mastery cache), one set of rows per learner; ``store/pg/learner.py`` reads and writes
# them for one user at a time, every query scoped by ``user_id``. Event and review ids count
# per learner (as in a local record, where "quiz #3" is the learner's third such row).

learner_events = Table(
    "learner_events", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # 1, 2, 3... per learner
    Column("exercise_id", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # start | hint | solution | quiz
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("data", Text, nullable=False),  # JSON object
    Index("ix_learner_events_user_exercise", "user_id", "exercise_id", "kind"),
)

learner_cards = Table(
    "learner_cards", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(200), primary_key=True),  # kind:ref
    Column("kind", String(20), nullable=False),
    Column("ref", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("due", DateTime(timezone=True), nullable=False),
    Column("card", Text, nullable=False),  # FSRS card JSON
    Index("ix_learner_cards_user_due", "user_id", "due"),
)

learner_reviews = Table(
    "learner_reviews", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # 1, 2, 3... per learner
    Column("card_id", String(200), nullable=False),
    Column("rating", Integer, nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("source", String(20), nullable=False),
    Column("log", Text, nullable=False),
)

learner_settings = Table(
    "learner_settings", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)

learner_skill_states = Table(
    "learner_skill_states", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("skill", String(100), primary_key=True),
    Column("p", Float, nullable=False),
    Column("evidence", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
)
