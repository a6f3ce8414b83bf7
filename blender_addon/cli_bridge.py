"""Talk to the ``skyasset`` CLI: find it, build its arguments, run it, read its one-line JSON answer.

Needs no Blender, so it is tested with plain pytest. The protocol is docs/CLI_PROTOCOL.md: the CLI prints
exactly one JSON object on stdout, ``{"error": {"code", "message"}}`` on failure, and exits non-zero on error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "CliError",
    "CloudType",
    "GenerateRequest",
    "CliJob",
    "JobState",
    "find_executable",
    "build_generate_args",
    "build_classes_args",
    "build_model_info_args",
    "parse_answer",
    "parse_classes",
    "pick_sky_file",
    "query_classes",
    "QUERY_TIMEOUT",
    "run_cli",
]

JobState = Literal["running", "done", "failed", "cancelled"]

# Blender runs its own Python; these would point the CLI's interpreter at Blender's standard library.
_LEAKY_ENV = ("PYTHONHOME", "PYTHONPATH")

QUERY_TIMEOUT = 60.0  # seconds for a short query (classes, model info); a cold first start can be slow


class CliError(Exception):
    """A failed CLI call: the protocol's error ``code`` (or one of ours) and a message that names the fix.

    Our own codes: ``cli_not_found`` (no executable), ``cli_failed`` (no JSON answer: crash, wrong program),
    ``cli_timeout``, ``cancelled``, ``no_sky_file`` (the answer lists no usable image).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


@dataclass(frozen=True)
class CloudType:
    """One entry of ``skyasset classes --json``."""

    code: str
    name: str
    description: str


UPSCALE_MODES = ("none", "fast", "best")


@dataclass(frozen=True)
class GenerateRequest:
    """Everything one ``skyasset generate`` call needs; ``build_generate_args`` turns it into argv."""

    cloud: str  # code or name, e.g. "cumulus"
    seed: int  # 0 .. 2**31-1, the protocol's one range
    out: Path | None  # output image, e.g. .../sky.png (multi-file layouts derive names); None: out_dir
    psi: float = 0.7  # truncation: 1 = full variety, 0 = the class-mean sky
    size: int = 2048  # equirect width in pixels
    hdr: bool = False  # also write an HDR expansion
    upscale: str = "none"  # none | fast | best: 4x super-resolution instead of interpolating small views
    layout: str = "equirect"  # Blender's Environment Texture wants an equirect panorama
    method: str | None = None  # None = the CLI's default panorama method
    model: Path | None = None  # None = the CLI's default ($SKYASSET_MODEL or the packaged model)
    force: bool = True  # regenerating the same cloud/seed overwrites the old file
    # Instead of out: a folder, the files named by the CLI after the settings (the answer's "stem"), so a sky
    # has the same name here as in the studio and in Unity.
    out_dir: Path | None = None


def find_executable(configured: str = "", home: Path | None = None) -> str | None:
    """The ``skyasset`` executable to run: ``configured`` when it names one, else the first on PATH, else
    ``~/.local/bin/skyasset`` (pipx and ``pip install --user``; Blender started from a desktop menu often
    has a PATH without it).

    ``configured`` may be a file path or a bare command name; ``~`` is expanded. Returns ``None`` when nothing
    runnable is found, so the caller can tell the user to set the path in the add-on preferences.
    """
    if configured.strip():
        path = Path(configured.strip()).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path.resolve())
        return shutil.which(configured.strip())
    user_bin = (home or Path.home()) / ".local" / "bin"
    return shutil.which("skyasset") or shutil.which("skyasset", path=str(user_bin))


def build_generate_args(executable: str, request: GenerateRequest) -> list[str]:
    """The argv of ``skyasset generate ... --json`` for ``request`` (no shell, so no quoting needed)."""
    if not 0 <= request.seed < 2**31:
        raise CliError("invalid_argument", f"Seed must be in 0..2147483647, got {request.seed}.")
    if (request.out is None) == (request.out_dir is None):
        raise CliError("invalid_argument", "Give the request either an output file (out) or a folder (out_dir).")
    destination = ["--out", str(request.out)] if request.out is not None else ["--out-dir", str(request.out_dir)]
    args = [
        executable,
        "generate",
        "--cloud",
        request.cloud,
        "--seed",
        str(request.seed),
        "--psi",
        f"{request.psi:.4g}",
        "--layout",
        request.layout,
        "--size",
        str(request.size),
        *destination,
    ]
    if request.upscale not in UPSCALE_MODES:
        modes = ", ".join(UPSCALE_MODES)
        raise CliError("invalid_argument", f"Upscale must be one of {modes}, got {request.upscale!r}.")
    if request.upscale != "none":
        args += ["--upscale", request.upscale]
    if request.method:
        args += ["--method", request.method]
    if request.hdr:
        args.append("--hdr")
    if request.force:
        args.append("--force")
    if request.model is not None:
        args += ["--model", str(request.model)]
    return [*args, "--json"]


def build_classes_args(executable: str, model: Path | None = None) -> list[str]:
    """The argv of ``skyasset classes --json``."""
    args = [executable, "classes"]
    if model is not None:
        args += ["--model", str(model)]
    return [*args, "--json"]


def build_model_info_args(executable: str, model: Path | None = None) -> list[str]:
    """The argv of ``skyasset model info --json``."""
    args = [executable, "model", "info"]
    if model is not None:
        args += ["--model", str(model)]
    return [*args, "--json"]


def parse_answer(stdout: str, returncode: int, stderr: str = "") -> dict[str, Any]:
    """The CLI's JSON answer, or :class:`CliError` carrying the protocol's error code and message.

    The answer is the last non-empty stdout line that parses as a JSON object (the protocol promises exactly
    one line; tolerating stray lines before it costs nothing).
    """
    answer: dict[str, Any] | None = None
    for line in reversed(stdout.splitlines()):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            answer = value
            break
    if answer is None:
        detail = (stderr.strip().splitlines() or stdout.strip().splitlines() or ["no output"])[-1]
        raise CliError(
            "cli_failed",
            f"skyasset exited with code {returncode} without a JSON answer ({detail[:300]}). "
            "Check the executable path in the add-on preferences.",
        )
    error = answer.get("error")
    if isinstance(error, dict):
        raise CliError(str(error.get("code", "unknown")), str(error.get("message", "unknown error")))
    if returncode != 0:
        raise CliError("cli_failed", f"skyasset exited with code {returncode} but reported no error.")
    return answer


def parse_classes(answer: dict[str, Any]) -> list[CloudType]:
    """The cloud types in a ``classes --json`` answer."""
    rows = answer.get("classes")
    if not isinstance(rows, list) or not rows:
        raise CliError("cli_failed", "skyasset classes --json answered without a class list.")
    return [CloudType(str(r["code"]), str(r["name"]), str(r.get("description", ""))) for r in rows]


def pick_sky_file(answer: dict[str, Any], prefer_hdr: bool) -> Path:
    """The image to put in Blender's Environment Texture, chosen by role (never by file name).

    An equirect panorama is preferred (its HDR version when ``prefer_hdr`` and one was written), then the
    flat image. HDR files are recognised by format (``hdr``/``exr``), whatever their role is called.
    """
    files = [f for f in answer.get("files", []) if isinstance(f, dict) and "path" in f]
    cube_roles = ("face", "cross", "dice", "horizon")

    def is_hdr(entry: dict[str, Any]) -> bool:
        return str(entry.get("format", "")).lower() in {"hdr", "exr"}

    hdr = [f for f in files if is_hdr(f) and not str(f.get("role", "")).startswith(cube_roles)]
    ldr = [f for f in files if f.get("role") == "equirect" and not is_hdr(f)]
    flat = [f for f in files if f.get("role") == "flat"]
    for group in (hdr, ldr, flat) if prefer_hdr else (ldr, hdr, flat):
        if group:
            return Path(group[0]["path"])
    roles = ", ".join(str(f.get("role")) for f in files) or "none"
    raise CliError("no_sky_file", f"skyasset wrote no equirect or flat image (files: {roles}).")


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _LEAKY_ENV}


def _popen_kwargs() -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "stdin": subprocess.DEVNULL,
        "env": _environment(),
        "text": True,
        "encoding": "utf-8",
        "errors": "replace",
    }
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.CREATE_NO_WINDOW  # no console window flashing up
    return kwargs


def run_cli(args: list[str], timeout: float = QUERY_TIMEOUT) -> dict[str, Any]:
    """Run a short CLI command to completion and return its JSON answer (``classes``, ``model info``)."""
    try:
        done = subprocess.run(args, timeout=timeout, check=False, **_popen_kwargs())
    except FileNotFoundError:
        raise CliError("cli_not_found", f"Cannot run {args[0]!r}: no such program.") from None
    except subprocess.TimeoutExpired:
        raise CliError("cli_timeout", f"skyasset did not answer within {timeout:.0f} s.") from None
    return parse_answer(done.stdout, done.returncode, done.stderr)


def query_classes(executable: str, model: Path | None = None, timeout: float = QUERY_TIMEOUT) -> list[CloudType]:
    """The cloud types the CLI offers (the model's own list, or the built-in CCSN genera without a model)."""
    return parse_classes(run_cli(build_classes_args(executable, model), timeout))


class CliJob:
    """One CLI call running in the background; ``poll()`` never blocks, so a Blender timer can drive it.

    A reader thread collects stdout and stderr (a full stderr pipe would otherwise stall the CLI).
    """

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.started = time.monotonic()
        self._answer: dict[str, Any] | None = None
        self._error: CliError | None = None
        self._cancelled = False
        try:
            self._process = subprocess.Popen(args, **_popen_kwargs())
        except FileNotFoundError:
            raise CliError("cli_not_found", f"Cannot run {args[0]!r}: no such program.") from None
        except PermissionError:
            raise CliError("cli_not_found", f"{args[0]!r} is not executable.") from None
        self._output: tuple[str, str] = ("", "")
        self._reader = threading.Thread(target=self._read, name="skyasset-cli", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        self._output = self._process.communicate()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def poll(self) -> JobState:
        """``running`` until the CLI has exited and its output is read; then ``done`` or ``failed``."""
        if self._cancelled:
            return "cancelled"
        if self._reader.is_alive():
            return "running"
        if self._answer is None and self._error is None:
            stdout, stderr = self._output
            try:
                self._answer = parse_answer(stdout, self._process.returncode, stderr)
            except CliError as error:
                self._error = error
        return "done" if self._answer is not None else "failed"

    def wait(self, timeout: float | None = None, interval: float = 0.05) -> JobState:
        """Block until the job ends (for scripts and background mode); ``cli_timeout`` after ``timeout`` s."""
        while (state := self.poll()) == "running":
            if timeout is not None and self.elapsed > timeout:
                self.cancel()
                raise CliError("cli_timeout", f"skyasset did not finish within {timeout:.0f} s.")
            time.sleep(interval)
        return state

    def result(self) -> dict[str, Any]:
        """The JSON answer of a ``done`` job; raises the job's :class:`CliError` otherwise."""
        state = self.poll()
        if state == "done" and self._answer is not None:
            return self._answer
        if state == "cancelled":
            raise CliError("cancelled", "Generation was cancelled.")
        if state == "running":
            raise CliError("cli_failed", "The job is still running.")
        assert self._error is not None
        raise self._error

    def cancel(self, grace: float = 2.0) -> None:
        """Stop the CLI (terminate, then kill after ``grace`` seconds). The CLI writes atomically, so a
        cancelled run leaves no half-written image behind."""
        self._cancelled = True
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(grace)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._reader.join(grace)

    @property
    def returncode(self) -> int | None:
        return self._process.poll()
