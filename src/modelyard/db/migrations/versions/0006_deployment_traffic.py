"""deployment traffic: revisions (arms, canary, history), prediction roles

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:50:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import modelyard.db.tables

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deployment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("arms", sa.JSON(), nullable=False),
        sa.Column("canary", sa.JSON(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("approval_request_ids", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", modelyard.db.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployments.id"],
            name=op.f("fk_deployment_revisions_deployment_id_deployments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment_revisions")),
        sa.UniqueConstraint(
            "deployment_id", "revision", name=op.f("uq_deployment_revisions_deployment_id_revision")
        ),
    )
    with op.batch_alter_table("deployment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deployment_revisions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deployment_revisions_deployment_id"), ["deployment_id"], unique=False
        )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=10), server_default="live", nullable=False)
        )
        batch_op.add_column(sa.Column("shadow_of", sa.String(length=36), nullable=True))
    _first_revisions()


def _first_revisions() -> None:
    """Every existing endpoint gets revision 1 (its one version at 100 %): history is complete."""
    connection = op.get_bind()
    deployments = connection.execute(
        sa.text("SELECT id, model_version_id, created_by, created_at FROM deployments")
    ).all()
    revisions = sa.table(
        "deployment_revisions",
        sa.column("deployment_id", sa.Integer),
        sa.column("revision", sa.Integer),
        sa.column("arms", sa.JSON),
        sa.column("canary", sa.JSON),
        sa.column("action", sa.String),
        sa.column("note", sa.Text),
        sa.column("approval_request_ids", sa.JSON),
        sa.column("created_by", sa.String),
        sa.column("created_at", modelyard.db.tables.UtcDateTime(timezone=True)),
    )
    for deployment_id, version_id, created_by, created_at in deployments:
        approved = connection.execute(
            sa.text(
                "SELECT id FROM promotion_requests WHERE model_version_id = :v "
                "AND status = 'approved' ORDER BY id DESC LIMIT 1"
            ),
            {"v": version_id},
        ).scalar()
        when = created_at
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        if not isinstance(when, datetime):
            when = datetime.now(UTC)
        connection.execute(
            revisions.insert().values(
                deployment_id=deployment_id,
                revision=1,
                arms=[{"model_version_id": version_id, "weight": 100, "role": "live"}],
                canary=None,
                action="create",
                note="revision recorded when traffic weights were introduced",
                approval_request_ids=[approved] if approved else [],
                created_by=created_by,
                created_at=when if when.tzinfo else when.replace(tzinfo=UTC),
            )
        )
        connection.execute(
            sa.text(
                "UPDATE deployments SET revision_id = (SELECT id FROM deployment_revisions "
                "WHERE deployment_id = :d AND revision = 1) WHERE id = :d"
            ),
            {"d": deployment_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_column("shadow_of")
        batch_op.drop_column("role")
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_column("revision_id")
    with op.batch_alter_table("deployment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployment_revisions_deployment_id"))
        batch_op.drop_index(batch_op.f("ix_deployment_revisions_created_at"))
    op.drop_table("deployment_revisions")
