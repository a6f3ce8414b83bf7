"""The shell commands of the user-facing docs: extracted from their fenced blocks and sorted into the ones a test
may run as written and the ones it must not (with the reason), for tests/test_docs_commands.py."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SHELL_LANGUAGES = frozenset({"bash", "sh", "console", "shell"})
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<lang>[\w-]*)[ \t]*$")


@dataclass(frozen=True)
class DocCommand:
    """One simple command (one part of an ``a && b`` chain) as a doc writes it."""

    doc: str
    line: int  # 1-based line of the block line the command starts on
    text: str
    chain: tuple[str, ...]  # every part of the command line this one belongs to, in order
    index: int  # this command's position in ``chain``

    @property
    def test_id(self) -> str:
        return f"{self.doc}:{self.line}:{self.index}"


@dataclass(frozen=True)
class Verdict:
    run: bool
    reason: str  # why it is skipped; for a run, what it checks


def shell_blocks(markdown: str) -> list[tuple[int, str, list[str]]]:
    """``(first body line, language, body lines)`` of each fenced shell block, de-indented (list items indent them)."""
    blocks: list[tuple[int, str, list[str]]] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence, lang = opening["indent"], opening["fence"], opening["lang"].lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if lang in SHELL_LANGUAGES:
            blocks.append((i + 2, lang, body))
        i = j + 1
    return blocks


def _strip_comment(line: str) -> str:
    """``line`` without a trailing ``# comment`` (a ``#`` after whitespace, outside quotes)."""
    quote = ""
    for k, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (k == 0 or line[k - 1] in " \t"):
            return line[:k].rstrip()
    return line.rstrip()


def _split_chain(command_line: str) -> list[str]:
    """``a && b`` -> ``[a, b]``, splitting only outside quotes and ``$(...)``."""
    parts: list[str] = []
    quote, depth, start = "", 0, 0
    k = 0
    while k < len(command_line):
        char = command_line[k]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif command_line.startswith("$(", k):
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif command_line.startswith("&&", k) and depth == 0:
            parts.append(command_line[start:k].strip())
            start = k + 2
            k += 1
        k += 1
    parts.append(command_line[start:].strip())
    return [part for part in parts if part]


def commands(doc: str, markdown: str) -> list[DocCommand]:
    """Every command of the doc's fenced shell blocks (``console`` blocks: only the ``$ `` lines)."""
    found: list[DocCommand] = []
    for first_line, lang, body in shell_blocks(markdown):
        pending, pending_line = "", 0
        for offset, raw in enumerate(body):
            line = raw
            if lang == "console" and not pending:
                if not line.startswith("$ "):
                    continue  # the command's printed output
                line = line[2:]
            line = _strip_comment(line)
            if not pending:
                pending_line = first_line + offset
            if line.endswith("\\"):
                pending += line[:-1].rstrip() + " "
                continue
            command_line = (pending + line.strip()).strip()
            pending = ""
            chain = tuple(_split_chain(command_line))
            found.extend(DocCommand(doc, pending_line, part, chain, n) for n, part in enumerate(chain))
    return found


def _output_is_relative(command: str) -> bool:
    """A ``skyasset generate`` whose ``-o``/``--out`` file or ``--out-dir`` folder is inside the working directory."""
    argv = shlex.split(command)
    for flag in ("-o", "--out", "--out-dir"):
        if flag in argv[:-1]:
            out = Path(argv[argv.index(flag) + 1])
            return not out.is_absolute() and ".." not in out.parts and not str(out).startswith("~")
    return False


def _has_bpy() -> bool:
    return importlib.util.find_spec("bpy") is not None


# First match wins. A command no rule matches fails the test: a new command in the docs must be sorted here.
_SKIPS: list[tuple[str, str]] = [
    (
        r"^(python3? -m venv|py -m venv|\. \S*activate|source \S*activate)\b",
        "makes or activates a virtual environment: the test runs in the one it was started from",
    ),
    (r"\bpip install\b", "installs packages: the package under test is already installed"),
    (r"^bash \.ci/run$", "the whole CI: installs everything and runs every test"),
    (r"^skyasset studio\b", "starts a web server and a browser (tests/test_studio_browser.py drives the studio)"),
    (r"^(skyasset-train|torchrun)\b", "training tooling: needs PyTorch, the CCSN photos and minutes to hours"),
    (r"--model my_model\b", "uses the model exported by the command before it (skyasset-train export)"),
    (r"<[\w -]+>|\.\.\.", "holds a placeholder to fill in (<...> or ...)"),
    (r"path/to/", "names placeholder paths (path/to/...)"),
    (r"^skyasset bench\b", "a benchmark: minutes, and the model variants or photos it names"),
    (r"--upscale best\b", "Real-ESRGAN: minutes per sky on a CPU, and the optional 'best' extra"),
    (r"^skyasset convert (photo\.jpg|pano\.hdr)\b", "converts your own photo or panorama"),
    (r"^python -m pytest\b", "runs the test suite itself"),
]

_RUNS: list[tuple[str, Callable[[str], bool], str]] = [
    (r"^skyasset( --help| --version)?$", lambda _: True, "prints help or the version"),
    (r"^skyasset (classes|model info)( --json)?$", lambda _: True, "reads the installed default model"),
    (r"^skyasset generate\b", _output_is_relative, "generates a sky into the working directory"),
    (r"^command -v skyasset$", lambda _: True, "finds the installed executable on PATH"),
    (r"^mkdir -p dist$", lambda _: True, "makes the add-on build's output folder"),
    (r"^blender --command extension build ", lambda _: shutil.which("blender") is not None, "builds the add-on zip"),
    (r"^python \"\$\(python -c 'import bpy; .*blender_ext\.py\" build ", lambda _: _has_bpy(), "builds the add-on zip"),
]


def classify(command: str) -> Verdict | None:
    """Run it, skip it (and why), or None when no rule knows the command."""
    for pattern, reason in _SKIPS:
        if re.search(pattern, command):
            return Verdict(False, reason)
    for pattern, runnable, purpose in _RUNS:
        if re.search(pattern, command):
            if runnable(command):
                return Verdict(True, purpose)
            if command.startswith("blender "):
                return Verdict(False, "needs a Blender binary on PATH (the bpy wheel's builder is run instead)")
            if "import bpy" in command:
                return Verdict(False, "needs the bpy wheel (pip install bpy==4.2.23)")
            return Verdict(False, f"not safe as written here: {purpose} only with a relative output")
    return None
