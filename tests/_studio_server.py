"""A real `skyasset studio` process on a free port, for the API and browser tests."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def studio(model: Path, *extra: str) -> Iterator[str]:
    """Start the studio on port 0; yield its base URL (``http://127.0.0.1:PORT``); SIGTERM it afterwards."""
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
        *extra,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"studio did not start: {proc.stderr.read()}")  # type: ignore[union-attr]
        yield json.loads(line)["url"].rstrip("/")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert rc == 0, f"studio exited {rc} on SIGTERM: {proc.stderr.read()}"  # type: ignore[union-attr]


def request(
    url: str, body: Any = None, *, raw: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
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
