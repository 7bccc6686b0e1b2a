"""Each learner's record besides graded submissions: events, review cards and reviews,
settings and the mastery cache; an attempt number on submissions (``store/pg/learner.py``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _user() -> list[sa.Column]:
    return [sa.Column("user_id", sa.BigInteger(), nullable=False)]


def _owned() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.add_column("submissions", sa.Column("seq", sa.BigInteger()))
    op.create_index("ix_submissions_user_seq", "submissions", ["user_id", "seq"])
    op.create_table(
        "learner_events",
        sa.Column("id", sa.BigInteger(), nullable=False, autoincrement=False),
        *_user(),
        sa.Column("exercise_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _owned(),
        sa.PrimaryKeyConstraint("user_id", "id"),
    )
    op.create_index("ix_learner_events_user_exercise", "learner_events",
                    ["user_id", "exercise_id", "kind"])
    op.create_table(
        "learner_cards",
        *_user(),
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        _owned(),
        sa.PrimaryKeyConstraint("user_id", "id"),
    )
    op.create_index("ix_learner_cards_user_due", "learner_cards", ["user_id", "due"])
    op.create_table(
        "learner_reviews",
        sa.Column("id", sa.BigInteger(), nullable=False, autoincrement=False),
        *_user(),
        sa.Column("card_id", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("log", sa.Text(), nullable=False),
        _owned(),
        sa.PrimaryKeyConstraint("user_id", "id"),
    )
    op.create_table(
        "learner_settings",
        *_user(),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _owned(),
        sa.PrimaryKeyConstraint("user_id", "key"),
    )
    op.create_table(
        "learner_skill_states",
        *_user(),
        sa.Column("skill", sa.String(length=100), nullable=False),
        sa.Column("p", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        _owned(),
        sa.PrimaryKeyConstraint("user_id", "skill"),
    )


def downgrade() -> None:
    op.drop_table("learner_skill_states")
    op.drop_table("learner_settings")
    op.drop_table("learner_reviews")
    op.drop_index("ix_learner_cards_user_due", table_name="learner_cards")
    op.drop_table("learner_cards")
    op.drop_index("ix_learner_events_user_exercise", table_name="learner_events")
    op.drop_table("learner_events")
    op.drop_index("ix_submissions_user_seq", table_name="submissions")
    op.drop_column("submissions", "seq")
