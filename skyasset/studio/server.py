"""Run the studio: bind a local socket, serve the app with uvicorn, stop cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.interrupts import stop_on_signals
from skyasset.studio.app import create_app
from skyasset.studio.library import Library, default_library_folder

__all__ = ["LOCAL_HOSTS", "REQUEST_TIMEOUT_S", "serve"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# A request's headers and body must arrive within this many seconds of the connection (or of the previous answer
# on it). Every real request is a few KB from this machine and arrives at once; uvicorn itself only times out idle
# keep-alive connections, so without this a half-sent request would hold its connection forever.
REQUEST_TIMEOUT_S = 5.0
SHUTDOWN_GRACE_S = 2  # open requests (a long poll, a score) get this long to finish when the studio stops


class _TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for receiving each request, and JSON for malformed requests."""

    _since: float
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._restart_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._restart_clock()  # the next request on this connection gets its own time

    def _restart_clock(self) -> None:
        self._since = self.loop.time()
        if self._deadline is None:
            self._deadline = self.loop.call_later(REQUEST_TIMEOUT_S, self._check_deadline)

    def _check_deadline(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        left = self._since + REQUEST_TIMEOUT_S - self.loop.time()
        receiving = self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
        if receiving and left <= 0:
            # Headers or body still incomplete (an idle keep-alive connection is IDLE too): hang up. A route
            # waiting for the body sees the client disconnect.
            self.transport.close()
            return
        # The request is in (the route is working on it) or its time is not up yet: look again later.
        self._deadline = self.loop.call_later(left if receiving else REQUEST_TIMEOUT_S, self._check_deadline)

    def send_400_response(self, msg: str) -> None:
        body = json.dumps(
            SkyassetError("invalid_argument", f"Malformed HTTP request ({msg}); send one HTTP/1.1 request.").to_json()
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:  # mid-answer already: nothing valid can be said any more
            pass
        self.transport.close()


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


def serve(
    model: str | Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    open_browser: bool = False,
    library: str | Path | None = None,
    on_ready: Callable[[dict[str, Any]], None] | None = None,
) -> bool:
    """Load the model, listen on ``host:port`` and serve the studio until SIGINT/SIGTERM.

    Only loopback addresses are allowed unless ``allow_remote``: the studio has no authentication. Skies are kept
    in ``library`` (default: :func:`~skyasset.studio.library.default_library_folder`). ``on_ready`` gets
    ``{"url", "host", "port", "model_id", "library"}`` once the socket listens (port 0 picks a free port).

    Returns ``True`` when no job runs any more. ``False`` when the running job did not reach a cancellation
    point within the grace period (it is inside a long native call, e.g. encoding an 8192 px PNG or EXR): its
    thread still runs, and the caller should end the process with ``os._exit`` rather than let the interpreter
    finalize under it (:func:`skyasset.cli.studio.studio_command` says why). The server is closed and the
    unfinished sky removed either way.
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
    skies = Library(Path(library) if library is not None else default_library_folder())
    sock = _bind(host, port)
    try:
        app = create_app(gen, skies, allowed_hosts=["*"] if allow_remote else None)
        config = uvicorn.Config(
            app,
            http=_TimedH11Protocol,
            log_level="warning",
            lifespan="on",
            access_log=False,
            timeout_keep_alive=int(REQUEST_TIMEOUT_S),
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
        server = _QuietServer(config)
        jobs = app.state.jobs
        bound_port = sock.getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        url = f"http://{url_host}:{bound_port}/"

        def stop() -> None:
            # Plain assignments only: this runs in a signal handler, between any two bytecodes of the main thread.
            jobs.closing = True  # no queued job starts from now on; the running one stops at its next check
            server.should_exit = True

        with stop_on_signals(stop):
            if on_ready is not None:
                on_ready(
                    {
                        "url": url,
                        "host": host,
                        "port": bound_port,
                        "model_id": gen.bundle.model_id,
                        "library": str(skies.root),
                    }
                )
            if open_browser:
                threading.Timer(0.5, webbrowser.open, args=(url,)).start()
            server.run(sockets=[sock])
        return jobs.stopped
    finally:
        sock.close()
        skies.close()  # also when the app never started; closing twice is harmless
