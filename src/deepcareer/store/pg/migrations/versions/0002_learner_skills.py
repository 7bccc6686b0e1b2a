"""Each learner's mastery per skill, kept after each grade; an index for streaks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learner_skills",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("skill_id", sa.String(length=100), nullable=False),
        sa.Column("p", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "skill_id"),
    )
    op.create_index("ix_submissions_user_exercise_time", "submissions",
                    ["user_id", "exercise_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_submissions_user_exercise_time", table_name="submissions")
    op.drop_table("learner_skills")
