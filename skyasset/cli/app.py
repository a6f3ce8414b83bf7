"""The `skyasset` Typer app: registers the commands; each lives in its own module."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from skyasset import __version__
from skyasset.cli.bench import bench_app
from skyasset.cli.classes import list_classes
from skyasset.cli.convert import convert_command
from skyasset.cli.generate import generate_command
from skyasset.cli.model import model_app
from skyasset.cli.output import emit_error
from skyasset.cli.studio import studio_command
from skyasset.errors import EXIT_CODES, SkyassetError
from skyasset.interrupts import INTERRUPTED_EXIT, command_signals, interrupted_error

app = typer.Typer(
    name="skyasset",
    help="Generate engine-ready skyboxes locally: pick a cloud type and a seed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skyasset {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Generate engine-ready skyboxes locally: pick a cloud type and a seed."""


app.command("classes")(list_classes)
app.command("generate")(generate_command)
app.command("convert")(convert_command)
app.command("studio")(studio_command)
app.add_typer(model_app, name="model")
app.add_typer(bench_app, name="bench")


def main(argv: list[str] | None = None, *, restore_signals: bool = True) -> int:
    """Console entry point. Usage errors in --json mode still answer with a JSON error object.

    Typer has shipped click both as a dependency and vendored, so its exceptions are recognised by shape
    (``exit_code`` + ``format_message``) rather than by class. ``restore_signals=False`` (the process entry
    point, about to exit) leaves Ctrl-C and SIGTERM ignored once the command is done, so a signal after the
    answer cannot turn an answered run into a death by signal with another exit status.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in args
    starved = _option_taking_json_as_value(args) if json_mode else None
    if starved:
        emit_error(SkyassetError("invalid_argument", f"Option {starved} needs a value before --json."), json_mode)
        return EXIT_CODES["invalid_argument"]
    with command_signals(leave_ignored=not restore_signals):
        try:
            rc = app(args=args, prog_name="skyasset", standalone_mode=False)
        except (KeyboardInterrupt, Exception) as exc:
            kind = type(exc).__name__
            if kind == "Exit":
                return int(getattr(exc, "exit_code", 0))
            if kind == "Abort" or isinstance(exc, KeyboardInterrupt):  # also the handlers' subclass of it
                return _interrupted(json_mode)
            if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
                if json_mode:
                    emit_error(SkyassetError("invalid_argument", exc.format_message()), json_mode)
                else:
                    exc.show()  # type: ignore[attr-defined]
                return 2
            raise
    if rc == INTERRUPTED_EXIT:  # typer turns Ctrl-C into Exit(130), which click returns in this mode
        return _interrupted(json_mode)
    return rc if isinstance(rc, int) else 0


def _interrupted(json_mode: bool) -> int:
    emit_error(interrupted_error(), json_mode)
    return INTERRUPTED_EXIT


def _option_taking_json_as_value(args: list[str]) -> str | None:
    """The option in ``--cloud --json`` that would swallow ``--json`` as its value (and so lose the JSON mode).

    Click may be vendored inside typer, so its objects are read by shape (``commands``, ``opts``, ``is_flag``).
    """
    command: Any = typer.main.get_command(app)
    rest = list(args)
    while rest and rest[0] in getattr(command, "commands", {}):
        command = command.commands[rest.pop(0)]
    takes_value = {
        name
        for p in getattr(command, "params", [])
        if getattr(p, "is_flag", True) is False
        for name in getattr(p, "opts", [])
    }
    for before, token in zip(rest, rest[1:], strict=False):
        if token == "--json" and before in takes_value:
            return before
    return None
