"""The cached cloud-type list behind the Cloud menu: asked of the CLI (now or in a thread), kept until invalidated.

It knows the CLI's path and model only as arguments, never the preferences: the preferences invalidate it when
either changes, and :mod:`.properties` reads them and asks this cache.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import bpy

from . import cli_bridge

__all__ = [
    "LOADING_TEXT",
    "cached_items",
    "cloud_types_error",
    "cloud_types_loading",
    "cloud_types_ready",
    "invalidate_cloud_types",
    "query_now",
    "start_request",
    "stop_requests",
    "store_cli_missing",
    "wait_for_request",
]

LOADING_TEXT = "Loading cloud types..."

# Blender keeps only pointers to enum item strings: the tuples must stay referenced here.
_cloud_items: list[tuple[str, str, str]] = []
_cloud_error: list[str] = []

# The panel's first draw must not wait for the CLI (about a second, up to the timeout), so it asks in a thread.
# The thread only runs the CLI; its answer is moved into the cache on the main thread (`_collect`), tagged with
# the request it answers so that an answer from before `invalidate_cloud_types` is dropped.
_lock = threading.Lock()
_request: dict[str, Any] = {"id": 0, "thread": None}  # the newest request and its thread (None when none is under way)
_answers: list[tuple[int, list[tuple[str, str, str]], str | None]] = []


def _items_of(types: list[cli_bridge.CloudType]) -> list[tuple[str, str, str]]:
    return [(t.name, t.name.capitalize(), f"{t.code}: {t.description}") for t in types]


def _store(items: list[tuple[str, str, str]], error: str | None) -> None:
    _cloud_items[:] = items
    _cloud_error[:] = [error] if error else []


def _collect() -> None:
    """Move a finished background answer into the cache (main thread only)."""
    with _lock:
        answers = list(_answers)
        _answers.clear()
        current = _request["id"]
    for request_id, items, error in answers:
        if request_id == current:
            _store(items, error)
            _request["thread"] = None


def cached_items() -> list[tuple[str, str, str]]:
    """The cached list (empty while unknown, or when the CLI gave none)."""
    return _cloud_items


def wait_for_request(timeout: float) -> None:
    """Wait up to ``timeout`` s for a background request under way (if any), then take in its answer."""
    thread = _request["thread"]
    if isinstance(thread, threading.Thread):
        thread.join(timeout)
    _collect()


def cloud_types_ready() -> bool:
    """Whether the cloud-type list (or the reason there is none) is known, without asking the CLI."""
    _collect()
    return bool(_cloud_items or _cloud_error)


def cloud_types_loading() -> bool:
    _collect()
    return _request["thread"] is not None


def cloud_types_error() -> str | None:
    return _cloud_error[0] if _cloud_error else None


def store_cli_missing() -> None:
    _store([], "skyasset not found: set its path in the add-on preferences")


def start_request(executable: str, model: Path | None) -> None:
    """Ask the CLI for its cloud types in a thread; returns at once. The Properties editor is redrawn when the
    answer arrives."""
    request_id = _request["id"]

    def ask() -> None:
        try:
            answer: tuple[list[tuple[str, str, str]], str | None] = (
                _items_of(cli_bridge.query_classes(executable, model)),
                None,
            )
        except cli_bridge.CliError as error:
            answer = ([], error.message)
        except Exception as error:  # noqa: BLE001 - any failure must still answer, or the panel waits forever
            answer = ([], f"skyasset classes failed: {error}")
        with _lock:
            _answers.append((request_id, *answer))

    thread = threading.Thread(target=ask, name="skyasset-classes", daemon=True)
    _request["thread"] = thread
    thread.start()
    if not bpy.app.timers.is_registered(_poll_answer):
        bpy.app.timers.register(_poll_answer, first_interval=0.1)


def _poll_answer() -> float | None:
    """Timer: wait for the background answer, then redraw the Properties editors that show the panel."""
    if cloud_types_loading():
        return 0.1
    window_manager = getattr(bpy.context, "window_manager", None)
    for window in getattr(window_manager, "windows", []):
        for area in window.screen.areas:
            if area.type == "PROPERTIES":
                area.tag_redraw()
    return None


def query_now(executable: str, model: Path | None) -> None:
    """Ask the CLI for its cloud types now (about a second) and cache them, or the reason there are none."""
    try:
        _store(_items_of(cli_bridge.query_classes(executable, model)), None)
    except cli_bridge.CliError as error:
        _store([], error.message)


def stop_requests() -> None:
    """On unregister: forget any request under way and its timer (the thread ends with its CLI call)."""
    invalidate_cloud_types()
    if bpy.app.timers.is_registered(_poll_answer):
        bpy.app.timers.unregister(_poll_answer)


def invalidate_cloud_types() -> None:
    """Forget the cached list (and its error): the next draw or Generate asks the CLI again. Called when the
    executable or model preference changes, so fixing the path takes effect without Check or a restart."""
    with _lock:
        _request["id"] = int(_request["id"]) + 1  # an answer still on its way is for the old settings
        _answers.clear()
    _request["thread"] = None
    _store([], None)
