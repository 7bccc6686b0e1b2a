"""Project runs: what was trained, how, on what, with which result.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.String(100), nullable=False, index=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("metric", sa.Float, nullable=True),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("reproduces", sa.Integer, nullable=True),
        sa.Column("verified_by", sa.Integer, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("code_sha256", sa.String(64), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("runs")
