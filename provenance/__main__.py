"""python -m provenance: the command-line interface."""

from .cli import cli

cli()
