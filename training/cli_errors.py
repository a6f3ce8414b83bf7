"""The one exception -> ``error [code]: message`` + exit code wrapper of every ``skyasset-train`` command.

Inputs are checked where they are read, each with its own code; this wrapper is the net under them. A
``SkyassetError`` answers with its code. An ``OSError`` that reached it is the machine's answer to a file
operation (no space, no permission, a file where a folder should be): ``io_error`` with its path. PIL's
decompression-bomb guard is a refused image: ``dataset_invalid``. Anything else is a bug: ``internal_error`` with
the exception and where it was raised, never a traceback.

SIGTERM is treated like Ctrl-C, a ``KeyboardInterrupt`` that lets clean-up run (a command's temporary folders
beside its outputs are removed on the way out), answered ``interrupted`` with exit code 130. Without it the
default handler ended the process on the spot and left them behind.
"""

from __future__ import annotations

import functools
import signal
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from skyasset.errors import SkyassetError
from skyasset.interrupts import INTERRUPTED_EXIT, SignalInterrupt

__all__ = ["handle_errors", "as_skyasset_error"]

F = TypeVar("F", bound=Callable[..., Any])
_PASS_THROUGH = (typer.Exit, typer.Abort)  # Typer's own ways to end a command: RuntimeErrors by class


def _short(text: object, limit: int = 300) -> str:
    shown = str(text)
    return shown if len(shown) <= limit else shown[:limit] + "..."


def as_skyasset_error(exc: Exception) -> SkyassetError:
    """The named error ``exc`` answers as (see the module docstring)."""
    if isinstance(exc, SkyassetError):
        return exc
    if isinstance(exc, OSError):
        where = " ".join(_short(name) for name in (exc.filename, exc.filename2) if name is not None)
        reason = exc.strerror or _short(exc)
        return SkyassetError(
            "io_error", f"cannot read or write {where or 'a file'} ({reason}); check the path, space and permissions"
        )
    from PIL import Image

    if isinstance(exc, Image.DecompressionBombError):
        return SkyassetError("dataset_invalid", f"an image was refused unread: {_short(exc)}")
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return SkyassetError(
        "internal_error",
        f"{type(exc).__name__}: {_short(exc)}{at}. This is a bug in skyasset-train: please report it with this line",
    )


def handle_errors(fn: F) -> F:
    """Turn an exception into ``error [code]: message`` on stderr and its exit code (see the module docstring)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = _raise_on_sigterm()
        try:
            return fn(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except KeyboardInterrupt:
            typer.echo("error [interrupted]: Interrupted (Ctrl-C or SIGTERM); no output was half-written.", err=True)
            raise typer.Exit(INTERRUPTED_EXIT) from None
        except Exception as exc:  # noqa: BLE001 - every exception gets an answer; see as_skyasset_error
            error = as_skyasset_error(exc)
            typer.echo(f"error [{error.code}]: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


def _sigterm(signum: int, frame: object) -> None:
    raise SignalInterrupt


def _raise_on_sigterm() -> Any:
    """Install :func:`_sigterm` for SIGTERM (main thread only); the handler it replaced, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _sigterm)
