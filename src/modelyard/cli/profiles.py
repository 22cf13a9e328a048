"""`modelyard datasets profile|suggestions|report|clean|sample`: EDA and the versions it
leads to. Registered on the `datasets` group by :mod:`.datasets`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from modelyard.cli.context import get_client
from modelyard.cli.output import Column, JsonFlag, print_json, print_table
from modelyard.cli.progress import job_result, show_started, wait_with_progress
from modelyard.cli.versions import show_version
from modelyard.domain.entities import ProfileSummary
from modelyard.errors import InvalidInputError

QUALITY_PARTS = ("completeness", "uniqueness", "validity", "consistency", "outliers")
SUGGESTION_COLUMNS: list[Column] = [
    ("#", lambda s: s[0]),
    ("step", lambda s: s[1].get("kind")),
    ("columns", lambda s: ", ".join(s[1].get("columns") or []) or None),
    ("reason", lambda s: s[1].get("reason") or None),
]

VersionId = Annotated[int, typer.Argument(metavar="VERSION_ID", help="Dataset version id.")]


def profile(
    ctx: typer.Context,
    version_id: VersionId,
    target: Annotated[
        str | None, typer.Option(help="Column to analyse as the target (class balance, MI).")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the job to its end.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Profile a version (a job); then print its quality score and cleaning suggestions."""
    client = get_client(ctx)
    job = client.datasets.profile(version_id, target)
    if not wait:
        return show_started(job, as_json=as_json)
    job_result(ctx, wait_with_progress(client, job))
    summary = client.datasets.get_profile(version_id)
    if as_json:
        return print_json(summary)
    show_quality(summary)
    show_suggestions(version_id, (summary.profile or {}).get("suggestions", []))


def show_quality(summary: ProfileSummary) -> None:
    """The score, its five parts, and what cost points."""
    quality = (summary.profile or {}).get("quality", {})
    typer.echo(f"Quality score: {summary.quality_score:.1f}/100")
    for part in QUALITY_PARTS:
        if quality.get(part) is not None:
            typer.echo(f"  {part + ':':<14} {quality[part]:5.1f}")
    issues = quality.get("issues") or []
    if issues:
        typer.echo("Issues:")
    for issue in issues:
        typer.echo(f"  - {issue}")


def show_suggestions(version_id: int, steps: list[dict[str, Any]]) -> None:
    if not steps:
        return typer.echo("No cleaning suggested.")
    typer.echo("Suggested cleaning:")
    print_table(list(enumerate(steps, start=1)), SUGGESTION_COLUMNS)
    typer.echo(f"Apply them all with: modelyard datasets clean {version_id} --suggested")


def suggestions(ctx: typer.Context, version_id: VersionId, as_json: JsonFlag = False) -> None:
    """List the cleaning steps the newest profile of a version suggests."""
    steps = get_client(ctx).datasets.suggestions(version_id)
    if as_json:
        return print_json(steps)
    show_suggestions(version_id, steps)


def report(
    ctx: typer.Context,
    version_id: VersionId,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", dir_okay=False, help="HTML file to write (default: profile-vID.html)."
        ),
    ] = None,
) -> None:
    """Save the newest profile of a version as a self-contained offline HTML report."""
    target = out or Path(f"profile-v{version_id}.html")
    try:
        get_client(ctx).datasets.download_report(version_id, target)
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot write {target}: {exc.strerror}.", code="cli.cannot_write"
        ) from exc
    typer.echo(f"Wrote the profile report of version id {version_id} to {target}.")


def clean(
    ctx: typer.Context,
    version_id: VersionId,
    suggested: Annotated[
        bool, typer.Option("--suggested", help="Apply every suggestion of the newest profile.")
    ] = False,
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            metavar="JSON_OR_FILE",
            help='Steps as JSON, or a JSON file: [{"kind": "impute", "columns": ["age"], '
            '"method": "median"}, ...] (`datasets suggestions --json` prints this shape).',
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Apply cleaning steps to a version: a new version with the steps in its lineage."""
    if suggested == (steps is not None):
        raise typer.BadParameter(
            "give either --suggested or --steps.", param_hint="--suggested / --steps"
        )
    client = get_client(ctx)
    chosen = client.datasets.suggestions(version_id) if suggested else _read_steps(steps or "")
    if suggested and not chosen:
        raise InvalidInputError(
            f"The newest profile of version id {version_id} suggests no cleaning.",
            code="cleaning.nothing_suggested",
        )
    version = client.datasets.clean(version_id, chosen)
    show_version(version, f"Cleaned ({len(chosen)} steps) into", as_json=as_json)


def _read_steps(value: str) -> list[dict[str, Any]]:
    """Steps from a JSON text or file: a list, or ``{"steps": [...]}``."""
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else value
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(
            f"--steps is neither a readable JSON file nor valid JSON: {exc}.", code="cli.bad_json"
        ) from exc
    found = data.get("steps") if isinstance(data, dict) else data
    if not isinstance(found, list) or not all(isinstance(step, dict) for step in found):
        raise InvalidInputError(
            '--steps must hold a list of steps such as [{"kind": "deduplicate_rows"}].',
            code="cli.bad_json",
        )
    return found


def sample(
    ctx: typer.Context,
    version_id: VersionId,
    size: Annotated[int, typer.Option(min=1, help="Rows in the sample.")],
    method: Annotated[
        str, typer.Option(help="random, stratified, systematic or cluster.")
    ] = "random",
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
    column: Annotated[
        str | None, typer.Option(help="Stratified: the column whose shares to keep.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Sample a version to SIZE rows: a new version with the sampling in its lineage."""
    version = get_client(ctx).datasets.sample(version_id, method, size, seed=seed, column=column)
    show_version(version, f"Sampled ({method}) into", as_json=as_json)
