"""The pages: importing this package registers every page with NiceGUI."""

from modelyard.ui.pages import (
    ab_tests,
    admin,
    approvals,
    auth,
    connections,
    datasets,
    deployments,
    home,
    jobs,
    model_version,
    models,
    monitoring,
    projects,
    runs,
    sql,
)

__all__ = [
    "admin",
    "approvals",
    "auth",
    "connections",
    "datasets",
    "deployments",
    "home",
    "jobs",
    "model_version",
    "models",
    "monitoring",
    "projects",
    "runs",
    "sql",
    "ab_tests",
]
