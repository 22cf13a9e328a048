"""The pages: importing this package registers every page with NiceGUI."""

from modelyard.ui.pages import (
    admin,
    auth,
    datasets,
    deployments,
    home,
    jobs,
    models,
    monitoring,
    projects,
)

__all__ = [
    "admin",
    "auth",
    "datasets",
    "deployments",
    "home",
    "jobs",
    "models",
    "monitoring",
    "projects",
]
