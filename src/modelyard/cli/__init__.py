"""The `modelyard` command line: Typer commands over the SDK, plus local `serve`."""

__all__: list[str] = []
