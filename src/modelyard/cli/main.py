"""The `modelyard` command: the root app, its error mapper and every command group.

Commands that act on a server go through the SDK (``modelyard.Client``); `serve` runs the
server in this process. Heavy libraries are imported inside the commands that need them,
so `modelyard --help` answers instantly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from modelyard import __version__
from modelyard.cli import (
    ab_tests,
    approvals,
    auth,
    automl,
    connections,
    datasets,
    endpoints,
    feedback,
    jobs,
    models,
    predict,
    projects,
    runs,
    schedules,
    scoring,
    serve,
    sql,
    training,
)
from modelyard.cli.errors import ErrorMappingGroup
from modelyard.cli.output import DEBUG_KEY, JsonFlag, print_json

app = typer.Typer(
    name="modelyard",
    cls=ErrorMappingGroup,
    help="Modelyard: data to deployed model for tabular data. Start with `modelyard serve`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
) -> None:
    """Modelyard: data to deployed model for tabular data. Start with `modelyard serve`."""
    ctx.meta[DEBUG_KEY] = debug


@app.command()
def version(as_json: JsonFlag = False) -> None:
    """Print Modelyard's version."""
    if as_json:
        return print_json({"version": __version__})
    typer.echo(f"modelyard {__version__}")


app.command()(serve.serve)
app.command()(auth.login)
app.command()(auth.logout)
app.add_typer(projects.app, name="projects")
app.add_typer(datasets.app, name="datasets")
app.add_typer(sql.app, name="sql")
app.add_typer(connections.app, name="connections")
app.command()(training.recommend)
app.command()(training.train)
app.add_typer(jobs.app, name="jobs")
app.add_typer(models.app, name="models")
app.add_typer(approvals.app, name="approvals")
app.command()(endpoints.deploy)
app.add_typer(endpoints.app, name="endpoints")
app.command()(predict.predict)
app.command()(scoring.score)
app.add_typer(feedback.app, name="feedback")
app.add_typer(automl.app, name="automl")
app.add_typer(ab_tests.app, name="ab-tests")
app.add_typer(schedules.app, name="schedules")
app.add_typer(runs.app, name="runs")

if __name__ == "__main__":
    app()
