"""`python -m modelyard.cli ...` runs the same CLI as `modelyard ...`."""

from modelyard.cli.main import app

app(prog_name="modelyard")
