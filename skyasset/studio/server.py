"""Run the studio: bind a local socket, serve the app with uvicorn, stop cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.studio.app import create_app

__all__ = ["LOCAL_HOSTS", "serve"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class _QuietServer(uvicorn.Server):
    """uvicorn's server without its own signal handling: :func:`serve` installs the studio's."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SkyassetError(
            "invalid_argument",
            f"Cannot listen on {host}:{port} ({exc.strerror}); choose another --port (0 = any free).",
        ) from None
    sock.listen(64)
    return sock


@contextlib.contextmanager
def _stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGINT/SIGTERM stop the server cleanly (jobs folder removed) instead of interrupting a request."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, lambda *_: stop())
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def serve(
    model: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    open_browser: bool = False,
    on_ready: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Load the model, listen on ``host:port`` and serve the studio until SIGINT/SIGTERM.

    Only loopback addresses are allowed unless ``allow_remote``: the studio has no authentication. ``on_ready``
    gets ``{"url", "host", "port", "model_id"}`` once the socket listens (port 0 picks a free port).
    """
    if host not in LOCAL_HOSTS and not allow_remote:
        raise SkyassetError(
            "invalid_argument",
            f"--host {host} would let other machines use this studio, which has no login. Use 127.0.0.1 "
            "(default), or pass --allow-remote if you mean it.",
        )
    if not 0 <= port <= 65535:
        raise SkyassetError("invalid_argument", f"--port must be in 0..65535, got {port}.")
    gen = SkyGenerator(model)
    sock = _bind(host, port)
    work = Path(tempfile.mkdtemp(prefix="skyasset-studio-"))
    try:
        app = create_app(gen, work, allowed_hosts=["*"] if allow_remote else None)
        server = _QuietServer(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
        bound_port = sock.getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        url = f"http://{url_host}:{bound_port}/"

        def stop() -> None:
            server.should_exit = True

        with _stop_on_signals(stop):
            if on_ready is not None:
                on_ready({"url": url, "host": host, "port": bound_port, "model_id": gen.bundle.model_id})
            if open_browser:
                threading.Timer(0.5, webbrowser.open, args=(url,)).start()
            server.run(sockets=[sock])
    finally:
        sock.close()
        shutil.rmtree(work, ignore_errors=True)
