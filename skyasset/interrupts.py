"""Ctrl-C and SIGTERM, in one place: the handlers the CLI and the studio install, and what they answer.

The CLI treats SIGTERM (how engines cancel it) like Ctrl-C: a ``KeyboardInterrupt`` that lets clean-up run,
answered with an ``interrupted`` error and exit 130, never a traceback, also while it is still starting
(:func:`catch_startup_interrupts`) and never after its one answer (:func:`ignore_signals`). The studio instead
stops its server cleanly on either signal (:func:`stop_on_signals`) and answers the skies it did not finish
with :func:`studio_stopped_error`.

Only the standard library and :mod:`skyasset.errors` are imported here: the CLI installs its first handlers
from this module before it imports anything heavy.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

from skyasset.errors import EXIT_CODES, SkyassetError

__all__ = [
    "INTERRUPTED",
    "INTERRUPTED_EXIT",
    "OWN_SIGNAL_HANDLERS",
    "SignalInterrupt",
    "catch_startup_interrupts",
    "command_signals",
    "exit_if_interrupted_at_startup",
    "ignore_signals",
    "interrupted_error",
    "stop_on_signals",
    "studio_stopped_error",
    "studio_stopping_error",
]

INTERRUPTED_EXIT = EXIT_CODES["interrupted"]


class SignalInterrupt(KeyboardInterrupt):
    """What the CLI's handlers raise: a ``KeyboardInterrupt`` (every ``except KeyboardInterrupt`` catches it) that
    is not exactly one.

    CPython remembers a plain ``KeyboardInterrupt`` that leaves code run from a string (``exec(text)``, as
    ``dataclasses`` and ``collections.namedtuple`` do while modules import) as "unhandled", even when the CLI
    catches it later; at exit it then kills itself with SIGINT, after the ``interrupted`` answer and instead of exit
    130. It checks the exact type, so a subclass is never remembered.
    """


# Set by the CLI's SIGINT/SIGTERM handler. An interrupt can surface as another error (e.g. an ImportError
# from a module whose import it cut short); any failure after one is reported as the interruption it was.
INTERRUPTED = threading.Event()
# Set while the CLI's own signal handlers are installed (by `main`, not in-process test runners).
OWN_SIGNAL_HANDLERS = threading.Event()
_interrupted_at_startup = threading.Event()


def interrupted_error() -> SkyassetError:
    """The CLI's answer to a Ctrl-C or SIGTERM during a command."""
    return SkyassetError("interrupted", "Interrupted (Ctrl-C or SIGTERM); no skybox was half-written.")


def studio_stopping_error() -> SkyassetError:
    """The studio's answer to a sky asked for once it has begun to stop."""
    return SkyassetError("interrupted", "The studio is stopping; start it again to make more skies.")


def studio_stopped_error() -> SkyassetError:
    """The studio's answer for a queued or running sky that its stop cancelled."""
    return SkyassetError("interrupted", "The studio stopped before this sky was finished; no files were kept.")


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


# --- the CLI while it starts ----------------------------------------------------------------------------------


def _startup_interrupt(signum: int, frame: object) -> None:
    _interrupted_at_startup.set()
    raise SignalInterrupt


def catch_startup_interrupts() -> None:
    """Turn Ctrl-C and SIGTERM into ``KeyboardInterrupt`` before the CLI imports typer, rich and numpy."""
    if _is_main_thread():
        signal.signal(signal.SIGINT, _startup_interrupt)
        signal.signal(signal.SIGTERM, _startup_interrupt)


def exit_if_interrupted_at_startup(argv: list[str]) -> None:
    """After the CLI's import failed: answer ``interrupted`` and exit 130 if a signal cut it short.

    Returns (so the caller re-raises the real import failure) when no signal arrived.
    """
    if _interrupted_at_startup.is_set():
        _answer_startup_interrupt("--json" in argv)


def _answer_startup_interrupt(json_mode: bool) -> NoReturn:
    error = SkyassetError("interrupted", "Interrupted (Ctrl-C or SIGTERM) while starting; nothing was written.")
    if json_mode:  # the CLI's output module is not imported yet: the same answer, written here
        sys.stdout.write(json.dumps(error.to_json()) + "\n")
    else:
        sys.stderr.write(f"error: {error.message}\n")
    sys.exit(INTERRUPTED_EXIT)


# --- the CLI while a command runs ------------------------------------------------------------------------------


def _interrupt_unless_published(published: threading.Event) -> Callable[[int, object], None]:
    def raise_interrupt(signum: int, frame: object) -> None:
        if published.is_set():
            # The skybox is in place: nothing is left to stop, and the truthful answer (about to be written) is
            # success, so the signal is dropped rather than reported as an interruption.
            return
        INTERRUPTED.set()
        raise SignalInterrupt

    return raise_interrupt


@contextlib.contextmanager
def command_signals(*, leave_ignored: bool) -> Iterator[None]:
    """Run one CLI command with SIGINT and SIGTERM raising ``KeyboardInterrupt`` (so clean-up runs).

    Afterwards Ctrl-C gets Python's default handler and SIGTERM its previous one back; with ``leave_ignored``
    (the process entry point, about to exit) both stay ignored instead, so a signal after the answer cannot turn
    an answered run into a death by signal with another exit status. Outside the main thread (an in-process test
    runner) no handler is installed.
    """
    # Imported here, not at the top: the start-up handlers above must be in place before anything heavier loads.
    from skyasset.output_set import SET_PUBLISHED

    INTERRUPTED.clear()
    SET_PUBLISHED.clear()
    if not _is_main_thread():
        yield
        return
    raise_interrupt = _interrupt_unless_published(SET_PUBLISHED)
    signal.signal(signal.SIGINT, raise_interrupt)
    OWN_SIGNAL_HANDLERS.set()
    previous_term = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        OWN_SIGNAL_HANDLERS.clear()
        restored = previous_term if previous_term is not None else signal.SIG_DFL  # None: set outside Python
        signal.signal(signal.SIGTERM, signal.SIG_IGN if leave_ignored else restored)
        signal.signal(signal.SIGINT, signal.SIG_IGN if leave_ignored else signal.default_int_handler)


def ignore_signals() -> None:
    """Ignore Ctrl-C and SIGTERM from now on while the CLI's handlers are installed: its one answer is being
    written, and a signal must neither cut it nor add another."""
    if OWN_SIGNAL_HANDLERS.is_set() and _is_main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, signal.SIG_IGN)


# --- the studio ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGINT/SIGTERM call ``stop`` (the server ends cleanly, unfinished skies removed) instead of interrupting a
    request; the previous handlers come back afterwards, unless they are the CLI's and a signal stopped the
    server: then both stay ignored, so a second Ctrl-C while it closes cannot cut that short or add an answer.
    ``stop`` runs in a signal handler: plain assignments only."""
    if not _is_main_thread():
        yield
        return
    if INTERRUPTED.is_set():  # a signal came while the studio started, and some library swallowed its interrupt
        raise SignalInterrupt
    stopped_by_signal = threading.Event()

    def stop_server(signum: int, frame: object) -> None:
        stopped_by_signal.set()
        stop()

    previous: dict[int, Any] = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, stop_server)
    try:
        yield
    finally:
        if stopped_by_signal.is_set() and OWN_SIGNAL_HANDLERS.is_set():
            ignore_signals()
        else:
            for s, handler in previous.items():
                signal.signal(s, handler)
