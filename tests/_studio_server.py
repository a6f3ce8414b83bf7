"""A real `skyasset studio` process on a free port, for the API and browser tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TOKEN_HEADER = "X-Skyasset-Token"
_tokens: dict[str, str] = {}


@contextmanager
def studio(model: Path, *extra: str, env: dict[str, str] | None = None, library: Path | None = None) -> Iterator[str]:
    """Start the studio on port 0; yield its base URL (``http://127.0.0.1:PORT``); SIGTERM it afterwards.

    ``env`` is added to this process's environment (e.g. ``TMPDIR``). Skies go to ``library``, by default a fresh
    temporary folder removed afterwards: tests never write into the user's own library."""
    own_library = library is None
    library = Path(tempfile.mkdtemp(prefix="skyasset-test-library-")) if library is None else library
    cmd = [
        sys.executable,
        "-m",
        "skyasset",
        "studio",
        "--model",
        str(model),
        "--port",
        "0",
        "--no-open",
        "--json",
        "--library",
        str(library),
        *extra,
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"studio did not start: {proc.stderr.read()}")  # type: ignore[union-attr]
        yield json.loads(line)["url"].rstrip("/")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30)
            assert rc == 0, f"studio exited {rc} on SIGTERM: {proc.stderr.read()}"  # type: ignore[union-attr]
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        finally:
            if own_library:
                shutil.rmtree(library, ignore_errors=True)


def page_token(base: str) -> str:
    """The session token, read from the studio's page as its own script and any other client read it."""
    if base not in _tokens:
        with urllib.request.urlopen(base + "/", timeout=60) as response:
            page = response.read().decode()
        found = re.search(r'<meta name="skyasset-token" content="([^"]+)">', page)
        assert found, "the page carries no skyasset-token"
        _tokens[base] = found.group(1)
    return _tokens[base]


def request(
    url: str, body: Any = None, *, raw: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """GET ``url``, or POST ``body`` (as JSON) or ``raw``: POSTs send the page's token and JSON type unless
    ``headers`` name their own."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = dict(headers or {})
    if data is not None:
        parts = urlsplit(url)
        headers.setdefault("Content-Type", "application/json")
        headers.setdefault(TOKEN_HEADER, page_token(f"{parts.scheme}://{parts.netloc}"))
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url: str) -> tuple[int, Any]:
    status, body = request(url)
    return status, json.loads(body)


def wait_for_job(base: str, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = get_json(f"{base}/api/jobs/{job_id}")
        assert status == 200
        if job["state"] in ("done", "error"):
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} did not finish in {timeout} s")
