"""Projects as submissions: a kind per submission, and the time a worker may take on it
before the sweeper hands it to another (a project trains twice within its budget; an
exercise's check takes seconds).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("kind", sa.String(length=10), nullable=False,
                                           server_default="exercise"))
    op.add_column("submissions", sa.Column("allowed_s", sa.Float()))
    op.create_check_constraint("ck_submissions_kind", "submissions",
                               "kind IN ('exercise', 'project')")


def downgrade() -> None:
    op.drop_constraint("ck_submissions_kind", "submissions", type_="check")
    op.drop_column("submissions", "allowed_s")
    op.drop_column("submissions", "kind")
