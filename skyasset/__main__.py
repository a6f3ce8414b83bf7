"""`python -m skyasset` runs the CLI."""

from skyasset.cli import main

main()
