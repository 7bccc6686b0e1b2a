"""The sandbox level each attempt and project run ran under.

'os' when bubblewrap isolated the child from the system, 'guard' when only the in-process
guard did (no bubblewrap on this machine). Rows logged before this revision ran under the
guard, hence the server default.

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


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite changes only the schema, no table rewrite.
    for table in ("attempts", "runs"):
        op.add_column(table, sa.Column("isolation", sa.Text, nullable=False,
                                       server_default="guard"))


def downgrade() -> None:
    for table in ("attempts", "runs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("isolation")
