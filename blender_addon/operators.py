"""Operators: generate a sky (modal, polling the CLI on a timer), randomise the seed, check the CLI.

Generate has two drivers over one step function: ``invoke`` (the UI) adds a window timer and a modal
handler, and each TIMER event runs ``_step``; ``execute`` (scripts, ``blender --background``, tests) calls the
same ``_step`` in a loop until the CLI is done. Blender refuses INVOKE calls without a UI, so execute is how
background mode runs it; everything but the event plumbing is shared.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

import bpy
from bpy.props import FloatProperty

from . import cli_bridge, cloud_cache, paths, preferences, preview, properties, sun, sun_light, world_nodes

__all__ = [
    "SKYASSET_OT_generate",
    "SKYASSET_OT_randomize_seed",
    "SKYASSET_OT_check_cli",
    "SKYASSET_OT_cancel_generate",
    "SKYASSET_OT_preview",
    "CLASSES",
    "cancel_running_jobs",
    "is_generating",
]

# Jobs still running, so that disabling the add-on stops their CLI processes.
_running: set[cli_bridge.CliJob] = set()


def is_generating() -> bool:
    return bool(_running)


def cancel_running_jobs() -> None:
    for job in list(_running):
        job.cancel()
    _running.clear()


def _set_status(context: bpy.types.Context, text: str | None) -> None:
    if context.workspace is not None:
        context.workspace.status_text_set(text)


def apply_sky(
    scene: bpy.types.Scene, world: bpy.types.World, answer: dict[str, Any]
) -> tuple[bpy.types.Image, sun.SunEstimate | None]:
    """Put the CLI's sky into ``world`` (and aim the sun if asked); returns the image and the sun found."""
    settings = world.skyasset
    # An unsaved file's skies go to the system temp folder: packed, they do not vanish with it (or on Save As).
    pack = settings.pack or not bpy.data.filepath
    image = world_nodes.load_sky_image(cli_bridge.pick_sky_file(answer, prefer_hdr=settings.hdr), pack=pack)
    nodes = world_nodes.ensure_sky_nodes(world)
    nodes.texture.image = image
    nodes.background.inputs["Strength"].default_value = settings.strength
    nodes.mapping.inputs["Rotation"].default_value[2] = settings.rotation
    estimate = None
    reported = answer.get("sun")
    if settings.add_sun and reported and not sun.reports_a_sun(reported):
        # The CLI decided this sky has no sun (overcast, or --sun none): no light, and none left from before.
        sun_light.remove_sun(settings.sun_object)
        settings.sun_object = ""
    elif settings.add_sun:
        # The CLI decides the sun as it writes the sky; reading every pixel here instead took seconds and
        # gigabytes on Blender's main thread at 8192. Only an older CLI without it costs that.
        estimate = sun.from_report(reported) if reported else sun.estimate_sun(sun_light.image_radiance(image))
        settings.sun_direction = estimate.direction
        obj = sun_light.place_sun(
            scene,
            sun_light.world_direction(estimate.direction, settings.rotation),
            strength=estimate.irradiance * settings.strength,
            angle=estimate.angle,
        )
        settings.sun_object = obj.name
    return image, estimate


def _executable_and_cloud(op: bpy.types.Operator, context: bpy.types.Context) -> tuple[str, str] | None:
    """The CLI to run and the chosen cloud type, or None after reporting what is missing."""
    executable = preferences.resolve_executable(preferences.get_preferences(context))
    if executable is None:
        op.report(
            {"ERROR"},
            "skyasset not found: install it from your clone (pip install -e .) "
            "or set its path in Preferences > Add-ons > Skyasset",
        )
        return None
    settings = context.scene.world.skyasset
    cloud = settings.cloud  # the menu's identifier: the stored name if the model has it, else its first
    if cloud == "NONE":  # the list may be from before the path was fixed: ask once more before failing
        properties.refresh_cloud_types(context)
        cloud = settings.cloud
    if cloud == "NONE":
        op.report({"ERROR"}, f"No cloud types: {cloud_cache.cloud_types_error() or 'run Check in the preferences'}")
        return None
    return executable, cloud


class SKYASSET_OT_generate(bpy.types.Operator):
    """Generate a sky with the skyasset CLI and use it as this world's background"""

    bl_idname = "skyasset.generate"
    bl_label = "Generate Sky"
    bl_options = {"REGISTER", "UNDO"}  # one undo step for the node and image changes

    timeout: FloatProperty(  # type: ignore[valid-type]
        name="Timeout",
        description="Give up (and stop the CLI) after this many seconds",
        default=900.0,
        min=1.0,
        options={"HIDDEN", "SKIP_SAVE"},
    )

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        # One sky at a time: a second Generate while one runs would race it for the same world and file.
        return context.scene is not None and context.scene.world is not None and not _running

    def _start(self, context: bpy.types.Context) -> bool:
        world = context.scene.world
        settings = world.skyasset
        prefs = preferences.get_preferences(context)
        found = _executable_and_cloud(self, context)
        if found is None:
            return False
        executable, cloud = found
        size = int(settings.size)
        # Not bpy.app.tempdir: Blender deletes that session folder on exit, and the sky must outlive it.
        folder = paths.output_folder(bpy.path.abspath(prefs.output_dir), bpy.data.filepath, tempfile.gettempdir())
        request = cli_bridge.GenerateRequest(
            cloud=cloud,
            seed=settings.seed,
            psi=settings.psi,
            size=size,
            hdr=settings.hdr,
            upscale=settings.upscale,
            out=None,
            out_dir=folder,  # the CLI names the files after the settings, as the studio and Unity do
            model=preferences.model_path(prefs),
        )
        try:
            self._job = cli_bridge.CliJob(cli_bridge.build_generate_args(executable, request))
        except cli_bridge.CliError as error:
            self.report({"ERROR"}, error.message)
            return False
        _running.add(self._job)
        self._world_name = world.name
        self._label = f"{cloud} seed {settings.seed}"
        return True

    def _step(self, context: bpy.types.Context) -> set[str]:
        """One poll of the CLI: keep running, or finish (apply the sky / report the error)."""
        state = self._job.poll()
        if state == "running" and self._job.elapsed > self.timeout:
            self._job.cancel()
            self._end(context)
            self.report({"ERROR"}, f"skyasset did not finish within {self.timeout:.0f} s: cancelled")
            return {"CANCELLED"}
        if state == "running":
            _set_status(context, f"Skyasset: generating {self._label}... {self._job.elapsed:.0f} s (Esc to cancel)")
            return {"RUNNING_MODAL"}
        self._end(context)
        try:
            answer = self._job.result()
            world = bpy.data.worlds.get(self._world_name)
            if world is None:
                raise cli_bridge.CliError("world_removed", f"World '{self._world_name}' no longer exists.")
            image, estimate = apply_sky(context.scene, world, answer)
        except cli_bridge.CliError as error:
            self.report({"WARNING"} if error.code == "cancelled" else {"ERROR"}, error.message)
            return {"CANCELLED"}
        summary = f"{answer.get('cloud_name', '?')} seed {answer.get('seed', '?')} ({self._job.elapsed:.1f} s)"
        world.skyasset.last_result = f"{summary}: {Path(image.filepath).name}"
        if estimate is not None and not estimate.distinct:
            self.report({"WARNING"}, "No distinct sun in this sky (overcast?): the Sun light is weak")
        elif estimate is None and world.skyasset.add_sun:
            self.report({"INFO"}, "No sun in this sky (overcast, or --sun none): no Sun light")
        self.report({"INFO"}, f"Sky: {summary}")
        return {"FINISHED"}

    def _end(self, context: bpy.types.Context) -> None:
        _running.discard(self._job)
        timer = getattr(self, "_timer", None)
        if timer is not None:
            context.window_manager.event_timer_remove(timer)
            self._timer = None
        _set_status(context, None)

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if not self._start(context):
            return {"CANCELLED"}
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        _set_status(context, f"Skyasset: generating {self._label}... (Esc to cancel)")
        return {"RUNNING_MODAL"}

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> set[str]:
        if event.type == "ESC":
            self._job.cancel()
            self._end(context)
            self.report({"WARNING"}, "Sky generation cancelled")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        return self._step(context)

    def execute(self, context: bpy.types.Context) -> set[str]:
        """Run to completion without a UI: the same steps the timer would run, in a loop."""
        if not self._start(context):
            return {"CANCELLED"}
        while (result := self._step(context)) == {"RUNNING_MODAL"}:
            time.sleep(0.05)
        return result


class SKYASSET_OT_cancel_generate(bpy.types.Operator):
    """Stop the sky being generated; the last sky stays in place"""

    bl_idname = "skyasset.cancel_generate"
    bl_label = "Cancel"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return bool(_running)

    def execute(self, context: bpy.types.Context) -> set[str]:
        for job in list(_running):
            job.cancel()  # the Generate operator's next poll sees it, reports and cleans up
        return {"FINISHED"}


class SKYASSET_OT_preview(bpy.types.Operator):
    """Show the generator's own image for this cloud type, seed and variety (about a second), before the full sky"""

    bl_idname = "skyasset.preview"
    bl_label = "Preview"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and context.scene.world is not None

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.world.skyasset
        prefs = preferences.get_preferences(context)
        found = _executable_and_cloud(self, context)
        if found is None:
            return {"CANCELLED"}
        executable, cloud = found
        try:
            preview.show(executable, cloud, settings.seed, settings.psi, preferences.model_path(prefs))
        except cli_bridge.CliError as error:
            self.report({"ERROR"}, error.message)
            return {"CANCELLED"}
        return {"FINISHED"}


class SKYASSET_OT_randomize_seed(bpy.types.Operator):
    """Pick a random seed"""

    bl_idname = "skyasset.randomize_seed"
    bl_label = "Random Seed"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.scene is not None and context.scene.world is not None

    def execute(self, context: bpy.types.Context) -> set[str]:
        context.scene.world.skyasset.seed = random.randrange(2**31)
        return {"FINISHED"}


class SKYASSET_OT_check_cli(bpy.types.Operator):
    """Run the skyasset CLI once: is it there, which model does it use, which cloud types does it offer"""

    bl_idname = "skyasset.check_cli"
    bl_label = "Check skyasset"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        prefs = preferences.get_preferences(context)
        executable = preferences.resolve_executable(prefs)
        if executable is None:
            self.report({"ERROR"}, "skyasset not found on PATH: install it or set the executable path")
            return {"CANCELLED"}
        properties.refresh_cloud_types(context)
        error = cloud_cache.cloud_types_error()
        if error:
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        model = preferences.model_path(prefs)
        try:
            info = cli_bridge.run_cli(cli_bridge.build_model_info_args(executable, model))["model"]
            about = f"model {info['model_id']} ({info['variant']}, {info['resolution']} px)"
        except cli_bridge.CliError as problem:
            about = f"no usable model ({problem.message})"
        count = len(properties.cloud_items(None, context))
        self.report({"INFO"}, f"skyasset at {executable}: {count} cloud types, {about}")
        return {"FINISHED"}


CLASSES = (
    SKYASSET_OT_generate,
    SKYASSET_OT_cancel_generate,
    SKYASSET_OT_preview,
    SKYASSET_OT_randomize_seed,
    SKYASSET_OT_check_cli,
)
