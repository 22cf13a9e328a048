"""ab tests

Revision ID: 0007
Revises: 0005 (the integrator rechains it after 0006)
Create Date: 2026-12-02 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import modelyard.db.tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ab_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("control_version_id", sa.Integer(), nullable=False),
        sa.Column("treatment_version_id", sa.Integer(), nullable=False),
        sa.Column("treatment_share", sa.Float(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("min_samples", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", modelyard.db.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", modelyard.db.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("winner_version_id", sa.Integer(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("promotion_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_ab_tests_workspace_id_workspaces")
        ),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployments.id"],
            name=op.f("fk_ab_tests_deployment_id_deployments"),
        ),
        sa.ForeignKeyConstraint(
            ["control_version_id"],
            ["model_versions.id"],
            name=op.f("fk_ab_tests_control_version_id_model_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["treatment_version_id"],
            ["model_versions.id"],
            name=op.f("fk_ab_tests_treatment_version_id_model_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["winner_version_id"],
            ["model_versions.id"],
            name=op.f("fk_ab_tests_winner_version_id_model_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["promotion_request_id"],
            ["promotion_requests.id"],
            name=op.f("fk_ab_tests_promotion_request_id_promotion_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ab_tests")),
    )
    with op.batch_alter_table("ab_tests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ab_tests_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ab_tests_deployment_id"), ["deployment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ab_tests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ab_tests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ab_tests_status"))
        batch_op.drop_index(batch_op.f("ix_ab_tests_deployment_id"))
        batch_op.drop_index(batch_op.f("ix_ab_tests_workspace_id"))
    op.drop_table("ab_tests")
