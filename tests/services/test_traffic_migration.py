"""Migration 0006 gives every existing endpoint a revision 1, so history starts complete."""

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from modelyard.db.engine import MIGRATIONS_DIR


def _upgrade(connection, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, target)


def test_existing_endpoints_get_revision_one_with_their_approval(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")  # no foreign key checks here
    with engine.begin() as connection:
        _upgrade(connection, "0005")
        connection.execute(
            text(
                "INSERT INTO promotion_requests (id, workspace_id, model_version_id, "
                "target_stage, note, status, required_approvals, checks, requested_by_id, "
                "requested_by, created_at) VALUES (7, 1, 3, 'production', 'ready', 'approved', "
                "1, '[]', 1, 'mia', '2026-11-30 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO deployments (id, workspace_id, name, stage, model_version_id, "
                "created_by, created_at, updated_at) VALUES (1, 1, 'churn', 'production', 3, "
                "'mia', '2026-12-01 09:00:00', '2026-12-01 09:00:00')"
            )
        )
    with engine.begin() as connection:
        _upgrade(connection, "head")
        revision = connection.execute(
            text(
                "SELECT id, revision, arms, approval_request_ids, created_by, created_at "
                "FROM deployment_revisions"
            )
        ).one()
        pointer = connection.execute(text("SELECT revision_id FROM deployments")).scalar()
        role = connection.execute(
            text("SELECT dflt_value FROM pragma_table_info('predictions') WHERE name = 'role'")
        ).scalar()
    assert revision.revision == 1 and pointer == revision.id
    assert '"model_version_id": 3' in revision.arms and '"weight": 100' in revision.arms
    assert revision.approval_request_ids == "[7]" and revision.created_by == "mia"
    assert str(revision.created_at).startswith("2026-12-01 09:00:00")
    assert "live" in role
    engine.dispose()
