"""Per-world settings (``World.skyasset``) and the cached cloud-type list behind the Cloud menu."""

from __future__ import annotations

import threading
from typing import Any

import bpy
from bpy.props import (
    BoolProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    StringProperty,
)

from . import cli_bridge, preferences, sun_light, world_nodes

__all__ = [
    "SkyassetWorldSettings",
    "cloud_items",
    "cloud_types_error",
    "cloud_types_loading",
    "cloud_types_ready",
    "invalidate_cloud_types",
    "refresh_cloud_types",
    "request_cloud_types",
    "stop_requests",
]

SIZES = (512, 1024, 2048, 4096, 8192)

# Blender keeps only pointers to enum item strings: the tuples must stay referenced here.
_cloud_items: list[tuple[str, str, str]] = []
_cloud_error: list[str] = []
_no_items: dict[str, list[tuple[str, str, str]]] = {}  # one list per reason, kept for the same reason as above

# The panel's first draw must not wait for the CLI (about a second, up to the timeout), so it asks in a thread.
# The thread only runs the CLI; its answer is moved into the cache on the main thread (`_collect`), tagged with
# the request it answers so that an answer from before `invalidate_cloud_types` is dropped.
_lock = threading.Lock()
_request: dict[str, Any] = {"id": 0, "thread": None}  # the newest request and its thread (None when none is under way)
_answers: list[tuple[int, list[tuple[str, str, str]], str | None]] = []
LOADING_TEXT = "Loading cloud types..."


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


def _wait_for_request(timeout: float) -> None:
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


def request_cloud_types(context: bpy.types.Context) -> None:
    """Start asking the CLI for its cloud types in the background, unless they are known or being asked for.

    Returns at once; the Properties editor is redrawn when the answer arrives. For the panel's first draw.
    """
    if cloud_types_ready() or _request["thread"] is not None:
        return
    prefs = preferences.get_preferences(context)
    executable = preferences.resolve_executable(prefs)
    if executable is None:
        _store([], "skyasset not found: set its path in the add-on preferences")
        return
    model = preferences.model_path(prefs)
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


def stop_requests() -> None:
    """On unregister: forget any request under way and its timer (the thread ends with its CLI call)."""
    invalidate_cloud_types()
    if bpy.app.timers.is_registered(_poll_answer):
        bpy.app.timers.unregister(_poll_answer)


def refresh_cloud_types(context: bpy.types.Context) -> None:
    """Ask the CLI for its cloud types now (about a second) and cache them for the Cloud menu."""
    invalidate_cloud_types()
    prefs = preferences.get_preferences(context)
    executable = preferences.resolve_executable(prefs)
    if executable is None:
        _store([], "skyasset not found: set its path in the add-on preferences")
        return
    try:
        _store(_items_of(cli_bridge.query_classes(executable, preferences.model_path(prefs))), None)
    except cli_bridge.CliError as error:
        _store([], error.message)


def invalidate_cloud_types() -> None:
    """Forget the cached list (and its error): the next draw or Generate asks the CLI again. Called when the
    executable or model preference changes, so fixing the path takes effect without Check or a restart."""
    with _lock:
        _request["id"] = int(_request["id"]) + 1  # an answer still on its way is for the old settings
        _answers.clear()
    _request["thread"] = None
    _store([], None)


def cloud_types_error() -> str | None:
    return _cloud_error[0] if _cloud_error else None


def cloud_items(_self: object, context: bpy.types.Context | None) -> list[tuple[str, str, str]]:
    """Enum items for the Cloud menu, from the CLI on first use, then cached.

    Scripts and operators that read the menu before the list is known wait for it (a background request
    under way is waited for, not repeated); the panel draws a loading line instead (see ``request_cloud_types``).
    """
    if not cloud_types_ready() and context is not None:
        if _request["thread"] is not None:
            _wait_for_request(cli_bridge.QUERY_TIMEOUT)
        if not cloud_types_ready():
            refresh_cloud_types(context)
    if _cloud_items:
        return _cloud_items
    reason = cloud_types_error() or ""
    return _no_items.setdefault(reason, [("NONE", "(no cloud types)", reason)])


def _get_cloud(self: SkyassetWorldSettings) -> int:
    names = [item[0] for item in cloud_items(self, bpy.context)]
    return names.index(self.cloud_name) if self.cloud_name in names else 0


def _set_cloud(self: SkyassetWorldSettings, index: int) -> None:
    items = cloud_items(self, bpy.context)
    if 0 <= index < len(items) and items[index][0] != "NONE":
        self.cloud_name = items[index][0]


def _update_strength(self: SkyassetWorldSettings, _context: bpy.types.Context) -> None:
    world_nodes.set_strength(self.id_data, self.strength)


def _update_rotation(self: SkyassetWorldSettings, _context: bpy.types.Context) -> None:
    world_nodes.set_rotation(self.id_data, self.rotation)
    sun_light.follow_rotation(self.sun_object, tuple(self.sun_direction), self.rotation)


class SkyassetWorldSettings(bpy.types.PropertyGroup):
    cloud: EnumProperty(  # type: ignore[valid-type]
        name="Cloud Type",
        description="Cloud genus to generate",
        items=cloud_items,
        get=_get_cloud,
        set=_set_cloud,
    )
    cloud_name: StringProperty(name="Cloud Name", default="cumulus", options={"HIDDEN"})  # type: ignore[valid-type]
    seed: IntProperty(  # type: ignore[valid-type]
        name="Seed", description="Same seed, same sky", default=7, min=0, max=2**31 - 1
    )
    psi: FloatProperty(  # type: ignore[valid-type]
        name="Variety",
        description="Truncation psi: 1 = full variety, 0 = the cloud type's average sky",
        default=0.7,
        min=0.0,
        max=1.0,
        subtype="FACTOR",
    )
    size: EnumProperty(  # type: ignore[valid-type]
        name="Size",
        description="Panorama width in pixels (height is half)",
        items=[(str(s), f"{s} x {s // 2}", "") for s in SIZES],
        default="2048",
    )
    upscale: EnumProperty(  # type: ignore[valid-type]
        name="Upscale",
        description="How a large sky gets its detail from the generator's small views",
        items=[
            ("none", "None", "Interpolate the views (fastest, softest)"),
            ("fast", "Fast", "Bundled 4x network: about as fast, barely different from None on a sky"),
            ("best", "Best", "Real-ESRGAN x4plus: sharpest, minutes on a CPU (needs skyasset[best])"),
        ],
        default="none",  # fast adds no visible detail to a sky (README: "What each upscale mode buys")
    )
    pack: BoolProperty(  # type: ignore[valid-type]
        name="Pack into .blend",
        description="Store the sky image inside the .blend file (always done while the file is unsaved, "
        "because its skies live in a temporary folder until then)",
        default=False,
    )
    hdr: BoolProperty(  # type: ignore[valid-type]
        name="HDR", description="Also write an HDR sky and light the scene with it", default=True
    )
    strength: FloatProperty(  # type: ignore[valid-type]
        name="Strength",
        description="Background strength of the sky",
        default=1.0,
        min=0.0,
        soft_max=10.0,
        update=_update_strength,
    )
    rotation: FloatProperty(  # type: ignore[valid-type]
        name="Rotation",
        description="Turn the sky about the vertical axis",
        default=0.0,
        subtype="ANGLE",
        update=_update_rotation,
    )
    add_sun: BoolProperty(  # type: ignore[valid-type]
        name="Sun",
        description="Add or update a Sun light aimed at the brightest region of the sky",
        default=False,
    )
    sun_direction: FloatVectorProperty(  # type: ignore[valid-type]
        name="Sun Direction",
        description="Where the sun is in the unrotated sky image",
        size=3,
        default=(0.0, 0.0, 1.0),
        options={"HIDDEN"},
    )
    sun_object: StringProperty(name="Sun Object", options={"HIDDEN"})  # type: ignore[valid-type]
    last_result: StringProperty(name="Last Sky", options={"HIDDEN"})  # type: ignore[valid-type]
