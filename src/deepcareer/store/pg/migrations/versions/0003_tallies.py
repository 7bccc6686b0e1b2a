"""Per learner and exercise tallies, and the findings of failed submissions, kept after each
grade for the dashboard of large cohorts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_exercises",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("fails_in_a_row", sa.Integer(), nullable=False),
        sa.Column("first_pass_at", sa.DateTime(timezone=True)),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "exercise_id"),
    )
    op.create_table(
        "findings",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("misconception", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("exercise_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("submission_id", "misconception"),
    )
    op.create_index("ix_findings_time", "findings", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_findings_time", table_name="findings")
    op.drop_table("findings")
    op.drop_table("learner_exercises")
