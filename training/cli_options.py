"""``TrainingOptions`` as Typer options: the ``train`` command's signature is made from the dataclass's fields.

Each field whose ``OptionSpec.cli`` is set becomes one option of the same name (``tick_kimg`` -> ``--tick-kimg``)
with the field's default and help. On the command line a Literal field is plain text (``TrainingOptions.check``
refuses a wrong value with its own message), a path field a ``Path`` and a list a comma list.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import typer

from training.options import OptionSpec, TrainingOptions

__all__ = ["training_options_command", "parse_comma_list"]


def parse_comma_list(text: str) -> list[str]:
    """``fid,kid`` -> ``["fid", "kid"]``; '' or 'none' -> ``[]``."""
    return [] if text.strip().lower() in ("", "none") else [item.strip() for item in text.split(",")]


def _optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(annotation, False)``."""
    if get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation):
        (inner,) = (arg for arg in get_args(annotation) if arg is not type(None))
        return inner, True
    return annotation, False


def _cli_type(field_type: Any, spec: OptionSpec) -> Any:
    """The type Typer parses a field's option as."""
    inner, optional = _optional(field_type)
    if spec.path:
        inner = Path
    elif inner == list[str] or get_origin(inner) is Literal:
        inner = str  # a comma list, or a choice that TrainingOptions.check refuses with its own message
    return inner | None if optional else inner


def _parameter(f: Field[Any], field_type: Any) -> inspect.Parameter:
    """The keyword parameter of the ``train`` command for the field ``f``."""
    spec: OptionSpec = f.metadata["spec"]
    choices = " | ".join(TrainingOptions.choices(f.name))
    option = typer.Option(*spec.flags, help=spec.help.format(choices=choices))
    default = f.default_factory() if f.default_factory is not MISSING else f.default
    if default is MISSING:
        default = inspect.Parameter.empty  # a required option
    elif field_type == list[str]:
        default = ",".join(default)
    return inspect.Parameter(
        f.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[_cli_type(field_type, spec), option],
    )


def _field_value(value: Any, field_type: Any, spec: OptionSpec) -> Any:
    """A parsed command-line value as the dataclass keeps it: a path as text, a comma list as a list."""
    if spec.path and value is not None:
        return str(value)
    return parse_comma_list(value) if field_type == list[str] else value


def _training_parameters() -> list[inspect.Parameter]:
    """One keyword parameter per command-line field of ``TrainingOptions``, in field order."""
    field_types = TrainingOptions.field_types()
    return [_parameter(f, field_types[f.name]) for f in fields(TrainingOptions) if f.metadata["spec"].cli]


def _options_from_cli(values: dict[str, Any]) -> TrainingOptions:
    """The (checked) ``TrainingOptions`` of the parsed command-line values."""
    field_types, specs = TrainingOptions.field_types(), TrainingOptions.specs()
    return TrainingOptions(**{k: _field_value(v, field_types[k], specs[k]) for k, v in values.items()})


def training_options_command(*extra: inspect.Parameter) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every ``TrainingOptions`` option, then ``extra``; Typer's call ends up as
    ``fn(options, **extras)``."""
    names = [p.name for p in extra]

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def command(**values: Any) -> None:
            extras = {name: values.pop(name) for name in names}
            fn(_options_from_cli(values), **extras)

        # Typer reads the parameters from the signature; fn's own annotations (options, extras) are not options
        command.__signature__ = inspect.Signature([*_training_parameters(), *extra])  # type: ignore[attr-defined]
        command.__annotations__ = {}
        return command

    return decorate
