"""The pages: importing this package registers every page with NiceGUI."""

from modelyard.ui.pages import (
    admin,
    auth,
    connections,
    datasets,
    deployments,
    home,
    jobs,
    models,
    monitoring,
    projects,
    sql,
)

__all__ = [
    "admin",
    "auth",
    "connections",
    "datasets",
    "deployments",
    "home",
    "jobs",
    "models",
    "monitoring",
    "projects",
    "sql",
]
