"""Where each attempt and project run came from: the learner, our reference, or an import.

'learner' is the learner's own work, done in this home; 'reference' is a run of our
reference (``project run --reference``): it shows the bar, it proves nothing about the
learner; 'imported' rows were brought in by ``deepcareer import``, which cannot tell who
did them or under which grader, so they are kept as history but never count as evidence.
Rows logged before this revision were done here, hence the server default.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN with a constant default: SQLite changes only the schema, no table rewrite.
    for table in ("attempts", "runs"):
        op.add_column(table, sa.Column("origin", sa.Text, nullable=False,
                                       server_default="learner"))


def downgrade() -> None:
    for table in ("attempts", "runs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("origin")
