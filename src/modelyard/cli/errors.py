"""The CLI's one error mapper: our errors -> message and exit code 1; the rest -> generic."""

from __future__ import annotations

import traceback
from typing import Any

import typer
from typer.core import TyperGroup

from modelyard.cli.output import DEBUG_KEY, fail
from modelyard.errors import ModelyardError


class ErrorMappingGroup(TyperGroup):
    """The root command group: every command runs inside its ``invoke``, so errors end here."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors, --help and explicit exits: Typer prints and exits itself
        except ModelyardError as exc:
            fail(ctx, exc.to_dict())
        except Exception as exc:
            if ctx.meta.get(DEBUG_KEY):
                typer.echo(traceback.format_exc(), err=True)
            message = (
                f"Unexpected error ({type(exc).__name__}). Run again with `modelyard --debug ...` "
                "to see the traceback, and report it if it persists."
            )
            fail(ctx, {"code": "internal_error", "message": message, "details": {}})
