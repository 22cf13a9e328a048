"""`modelyard schedules ...`: batch scoring on a cron schedule."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, Limit, Offset, print_json, show_item, show_page
from modelyard.cli.progress import show_started
from modelyard.sdk.scoring import ScoreFormat

app = typer.Typer(
    help="Cron schedules that score a dataset version with a model.", no_args_is_help=True
)

SCHEDULE_COLUMNS: list[Column] = [
    ("id", lambda s: s.id),
    ("name", lambda s: s.name),
    ("cron", lambda s: s.cron),
    ("timezone", lambda s: s.timezone),
    ("enabled", lambda s: "yes" if s.is_enabled else "no"),
    ("model", lambda s: s.params.get("model_version_id") or f"@{s.params.get('endpoint')}"),
    ("data", lambda s: s.params.get("dataset_version_id")),
    ("format", lambda s: s.params.get("format")),
    ("next run (UTC)", lambda s: s.next_run_at),
    ("last job", lambda s: s.last_job_id),
]
SCHEDULE_FIELDS: list[Column] = [
    *SCHEDULE_COLUMNS,
    ("last run (UTC)", lambda s: s.last_run_at),
    ("last error", lambda s: s.last_error),
    ("created by", lambda s: s.created_by),
]
ScheduleId = Annotated[int, typer.Argument(metavar="SCHEDULE_ID", help="Schedule id.")]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Schedule name, unique in the workspace.")],
    cron: Annotated[str, typer.Option("--cron", help="Cron expression, e.g. '0 6 * * *'.")],
    dataset_version_id: Annotated[
        int, typer.Option("--dataset-version", help="Dataset version id to score.")
    ],
    model_version_id: Annotated[
        int | None, typer.Option("--model", help="Model version id to score with.")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="Or: the endpoint whose version is used.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Output format: csv or parquet.")] = "csv",
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone.")] = "UTC",
    is_disabled: Annotated[bool, typer.Option("--disabled", help="Create it disabled.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Schedule batch scoring of a dataset version each time CRON fires."""
    schedule = get_client(ctx).schedules.create(
        name,
        cron,
        dataset_version_id=dataset_version_id,
        model_version_id=model_version_id,
        endpoint=endpoint,
        format=cast(ScoreFormat, fmt),  # the server says which formats exist
        timezone=timezone,
        is_enabled=not is_disabled,
    )
    show_item(schedule, SCHEDULE_FIELDS, as_json=as_json)


@app.command("list")
def list_schedules(
    ctx: typer.Context,
    model_version_id: Annotated[
        int | None, typer.Option("--model", help="Only this model version's schedules.")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """List schedules with their next run."""
    page = get_client(ctx).schedules.list(
        model_version_id=model_version_id, offset=offset, limit=limit
    )
    show_page(page, SCHEDULE_COLUMNS, as_json=as_json, noun="schedules")


@app.command("show")
def show(ctx: typer.Context, schedule_id: ScheduleId, as_json: JsonFlag = False) -> None:
    """Show one schedule."""
    show_item(get_client(ctx).schedules.get(schedule_id), SCHEDULE_FIELDS, as_json=as_json)


@app.command("enable")
def enable(ctx: typer.Context, schedule_id: ScheduleId, as_json: JsonFlag = False) -> None:
    """Enable a schedule; its next run is computed from now."""
    show_item(get_client(ctx).schedules.enable(schedule_id), SCHEDULE_FIELDS, as_json=as_json)


@app.command("disable")
def disable(ctx: typer.Context, schedule_id: ScheduleId, as_json: JsonFlag = False) -> None:
    """Disable a schedule: it stops firing until enabled again."""
    show_item(get_client(ctx).schedules.disable(schedule_id), SCHEDULE_FIELDS, as_json=as_json)


@app.command("delete")
def delete(ctx: typer.Context, schedule_id: ScheduleId, as_json: JsonFlag = False) -> None:
    """Delete a schedule (the jobs it started stay)."""
    get_client(ctx).schedules.delete(schedule_id)
    if as_json:
        return print_json({"deleted": schedule_id})
    typer.echo(f"Deleted schedule {schedule_id}.")


@app.command("run")
def run(ctx: typer.Context, schedule_id: ScheduleId, as_json: JsonFlag = False) -> None:
    """Start the schedule's scoring job now."""
    show_started(get_client(ctx).schedules.run(schedule_id), as_json=as_json)


@app.command("preview")
def preview(
    ctx: typer.Context,
    cron: Annotated[str, typer.Argument(metavar="CRON", help="Cron expression to check.")],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone.")] = "UTC",
    count: Annotated[int, typer.Option("--count", min=1, max=50, help="How many times.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Check a cron expression: print the next times it fires (UTC)."""
    runs = get_client(ctx).schedules.preview(cron, timezone=timezone, count=count)
    if as_json:
        return print_json([when.isoformat() for when in runs])
    for when in runs:
        typer.echo(when.strftime("%Y-%m-%d %H:%M UTC"))
