"""The studio's web app (Starlette): the page, its static files, and a small JSON API over the job queue.

Routes
------
``GET /``                                 the page
``GET /static/{name}``                    one of the page's files, looked up in a fixed table (never a path)
``GET /api/info``                         model, cloud types, layouts, methods, presets, upscale modes, ranges,
                                          the library folder
``POST /api/generate``                    JSON parameters -> ``202 {"job": ...}`` or ``4xx {"error": ...}``
``GET /api/jobs``                         the history, newest first: the skies saved in the library (also those
                                          of earlier sessions, with their settings) and this session's jobs
``GET /api/jobs/{id}[?wait=S]``          one job: state, stage, progress, and when done its result and files;
                                          with ``wait`` the answer waits up to S seconds for the job to finish
``DELETE /api/jobs/{id}``                 delete a finished sky and its files from the library (409 while it runs)
``GET /api/jobs/{id}/files/{n}``          the n-th file the job wrote, as a download
``GET /api/jobs/{id}/zip``                every file of the sky's set in one zip, made while it is sent
``GET /api/jobs/{id}/viewer``             the image the 3D viewer shows
``GET /api/jobs/{id}/scores``             wrap-seam score and period correlation of the skybox, and a sentence
``GET /api/jobs/{id}/thumbnail``          a small JPEG for the history strip

Errors are the CLI's JSON error objects (``{"error": {"code", "message"}}``, docs/CLI_PROTOCOL.md) with HTTP 400
for a bad request, 403 for a request not from the studio's page (:mod:`skyasset.studio.guard`), 404 for an unknown
job, file or page, 409 for deleting a sky still being made, 413 for a body over 16 KB, 415 for a body that is not
JSON, 429 when the queue is full, 500 for a bug.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from importlib import resources
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive

from skyasset import __version__
from skyasset.api import LAYOUTS, METHODS
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from skyasset.seeds import MAX_SEED
from skyasset.studio.archive import zip_stream
from skyasset.studio.guard import RequestGuard, error_response
from skyasset.studio.jobs import Job, JobBusy, JobQueue, QueueFull
from skyasset.studio.library import SKY_ID, Library, check_sky_id
from skyasset.studio.params import MAX_SIZE, parse_params
from skyasset.studio.presets import presets_for
from skyasset.studio.runner import make_runner, sky_scores, thumbnail
from skyasset.studio.verdict import describe_scores
from skyasset.upscale.super_resolution import UPSCALE_MODES

__all__ = ["create_app"]

# name -> content type; the only files /static serves, read from the package once.
STATIC_FILES: dict[str, str] = {
    "app.js": "text/javascript; charset=utf-8",
    "viewer.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "three.module.min.js": "text/javascript; charset=utf-8",
}
MAX_BODY_BYTES = 16 * 1024
MAX_WAIT_S = 5.0
TOKEN_MARK = b"__SKYASSET_TOKEN__"  # in index.html, replaced by the session's token when the app is made


class _NotFound(Exception):
    """An unknown job, or a job without the thing asked for: answered as a 404 ``input_not_found``."""


class _BadBody(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _error(code: str, message: str, status: int, *, close: bool = False) -> Response:
    return error_response(message, status, code, close=close)


async def _read_body(request: Request) -> bytes:
    """The request body, refused (413) by its Content-Length before reading, or as soon as the chunks read so far
    pass the limit: a huge or endless (chunked) body is never held in memory."""
    too_large = f"Request body over {MAX_BODY_BYTES} bytes; send only the generation parameters."
    length = request.headers.get("content-length")
    if length is not None and (not length.isascii() or not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise _BadBody(too_large, 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BadBody(too_large, 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _has_lone_surrogate(value: object) -> bool:
    """True if a string (key or value) in decoded JSON holds a lone UTF-16 surrogate such as ``"\\ud800"``.

    Iterative: the body may nest as deep as the JSON parser allows, deeper than Python's recursion limit.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _parse_json(raw: bytes) -> object:
    example = 'send e.g. {"cloud": "cumulus", "seed": 7}'
    try:
        body = json.loads(raw.decode("utf-8") if raw else "null")
    except RecursionError:
        raise _BadBody(f"The request body nests too deeply to be generation parameters; {example}.") from None
    except ValueError:  # UnicodeDecodeError is one
        raise _BadBody(f"The request body is not JSON in UTF-8; {example}.") from None
    if _has_lone_surrogate(body):
        raise _BadBody(f"The request body has a lone UTF-16 surrogate (\\udXXX) in a string; {example}.")
    return body


async def _until_disconnect(receive: Receive) -> None:
    """Return once the client has gone (its connection closed); reads and drops any request body meanwhile."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def _wait_finished(job: Job, receive: Receive, seconds: float) -> None:
    """Wait up to ``seconds`` for ``job`` to finish, in the event loop (no thread is held), and stop early when
    the client goes away: abandoned long polls must not tie anything up."""
    loop = asyncio.get_running_loop()
    finished = asyncio.Event()

    def wake() -> None:  # called from the worker thread
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
            loop.call_soon_threadsafe(finished.set)

    forget = job.when_finished(wake)
    try:
        with anyio.move_on_after(seconds):
            async with anyio.create_task_group() as group:

                async def first(waiter: Callable[[], Awaitable[object]]) -> None:
                    await waiter()
                    group.cancel_scope.cancel()

                group.start_soon(first, finished.wait)
                group.start_soon(first, lambda: _until_disconnect(receive))
    finally:
        forget()


def _static_bytes() -> dict[str, bytes]:
    root = resources.files("skyasset.studio") / "static"
    files = {name: (root / name).read_bytes() for name in STATIC_FILES if name != "three.module.min.js"}
    files["three.module.min.js"] = (root / "vendor" / "three.module.min.js").read_bytes()
    files["index.html"] = (root / "index.html").read_bytes()
    return files


def _zip_name(job: Job) -> str:
    """The set's name: its sidecar's (``cumulus_7_psi070_2048.json`` -> ``cumulus_7_psi070_2048.zip``)."""
    sidecars = [p for p in job.files if p.suffix == ".json"]
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", (sidecars or job.files)[0].stem)  # a header value: plain ASCII only
    return f"{stem}.zip"


def create_app(gen: SkyGenerator, library: Library, *, allowed_hosts: list[str] | None = None) -> Starlette:
    """The studio app for one loaded model; finished skies are kept in ``library``."""
    jobs = JobQueue(make_runner(gen), library)
    token = secrets.token_urlsafe(32)
    routes = [*_page_routes(token), _info_route(gen, library), *_JobApi(gen, jobs).routes()]
    guard = Middleware(RequestGuard, hosts=_guarded_hosts(allowed_hosts), token=token)
    app = Starlette(routes=routes, middleware=[guard], lifespan=_closing_jobs(jobs))
    _add_error_handlers(app)
    app.state.jobs = jobs
    app.state.token = token
    return app


def _guarded_hosts(allowed_hosts: list[str] | None) -> list[str] | None:
    """The Host headers the guard accepts: loopback names by default, any (None) for ``["*"]``."""
    return None if allowed_hosts == ["*"] else (allowed_hosts or ["127.0.0.1", "localhost", "[::1]"])


def _closing_jobs(jobs: JobQueue) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """The app's lifespan: when the server stops, the queue is closed (waiting jobs cancelled, the running one
    asked to stop)."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await anyio.to_thread.run_sync(jobs.close)

    return lifespan


def _page_routes(token: str) -> list[Route]:
    """``/`` (the page, carrying the session's token) and ``/static/{name}``."""
    static = _static_bytes()
    index = static["index.html"].replace(TOKEN_MARK, token.encode())

    async def page(_: Request) -> Response:
        return Response(index, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})

    async def static_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            return _error("input_not_found", f"No static file {name!r}.", 404)
        return Response(static[name], media_type=STATIC_FILES[name])

    return [Route("/", page), Route("/static/{name}", static_file)]


def _studio_info(gen: SkyGenerator, library: Library) -> dict[str, Any]:
    """What the page builds its controls from: the model, its choices and ranges, the library folder."""
    return {
        "version": __version__,
        "model": {
            "model_id": gen.bundle.model_id,
            "variant": gen.bundle.variant,
            "resolution": gen.resolution,
            "provenance": gen.bundle.provenance,
        },
        "classes": [c.to_json() for c in gen.classes],
        "layouts": list(LAYOUTS),
        "upscale": list(UPSCALE_MODES),
        "methods": [m for m in METHODS if m != "native" or gen.has_canvas],
        "default_method": gen.default_method,
        "presets": presets_for(gen),
        "library": str(library.root),
        "seed_max": MAX_SEED,
        "psi": {"min": -1.0, "max": 2.0, "default": 0.7},
        "size": {"min": 64, "max": MAX_SIZE, "multiple_of": 8, "default": 2048},
    }


def _info_route(gen: SkyGenerator, library: Library) -> Route:
    info = _studio_info(gen, library)

    async def api_info(_: Request) -> Response:
        return JSONResponse(info)

    return Route("/api/info", api_info)


class _JobApi:
    """The routes over the job queue: ask for a sky, follow it, fetch or delete what it made."""

    def __init__(self, gen: SkyGenerator, jobs: JobQueue) -> None:
        self.gen = gen
        self.jobs = jobs

    def routes(self) -> list[Route]:
        return [
            Route("/api/generate", self.api_generate, methods=["POST"]),
            Route("/api/jobs", self.api_jobs),
            Route("/api/jobs/{job_id}", self.api_job),
            Route("/api/jobs/{job_id}", self.api_delete, methods=["DELETE"]),
            Route("/api/jobs/{job_id}/files/{index:int}", self.api_file),
            Route("/api/jobs/{job_id}/zip", self.api_zip),
            Route("/api/jobs/{job_id}/viewer", self.api_viewer),
            Route("/api/jobs/{job_id}/scores", self.api_scores),
            Route("/api/jobs/{job_id}/thumbnail", self.api_thumbnail),
        ]

    def _job_json(self, job: Job) -> dict[str, Any]:
        return {**job.to_json(), "ahead": self.jobs.ahead(job)}

    def _job(self, request: Request) -> Job:
        job_id = request.path_params["job_id"]
        job = self.jobs.get(job_id) if SKY_ID.fullmatch(job_id) else None
        if job is None:
            raise _NotFound(f"No sky or job {job_id!r} in this studio (it may have been deleted).")
        return job

    def _finished(self, request: Request, missing: str) -> tuple[Job, Path]:
        """The job of the request and its picture, once it is done; else 404 saying ``missing``."""
        job = self._job(request)
        if job.state != "done" or job.viewer is None:
            raise _NotFound(f"Job {job.id} has {missing}.")
        return job, job.viewer

    async def api_generate(self, request: Request) -> Response:
        try:
            body = _parse_json(await _read_body(request))
        except _BadBody as bad:  # the rest of a refused body is not read: close rather than drain it
            return _error("invalid_argument", str(bad), bad.status, close=bad.status == 413)
        except ClientDisconnect:  # gone (or timed out) mid-body: nobody reads this answer
            return _error("invalid_argument", "The request body was not sent in full.", 400, close=True)
        try:
            params = parse_params(body, self.gen)
            job = self.jobs.submit(params)
        except SkyassetError as error:
            return _error(error.code, error.message, 503 if error.code == "interrupted" else 400)
        except QueueFull as full:
            return _error(
                "invalid_argument",
                f"{full.limit} skies are already waiting, the most the studio queues; "
                "wait for one to finish, then send this again.",
                429,
            )
        return JSONResponse({"job": self._job_json(job)}, status_code=202)

    async def api_jobs(self, _: Request) -> Response:
        return JSONResponse({"jobs": [j.to_json() for j in self.jobs.recent()]})

    async def api_delete(self, request: Request) -> Response:
        job_id = request.path_params["job_id"]
        try:
            await anyio.to_thread.run_sync(self.jobs.delete, check_sky_id(job_id))
        except JobBusy:
            return _error("invalid_argument", f"Sky {job_id} is still being made; delete it once it is done.", 409)
        except SkyassetError as error:
            status = {"input_not_found": 404, "invalid_argument": 400}.get(error.code, 500)
            return _error(error.code, error.message, status)
        return JSONResponse({"deleted": job_id})

    async def api_job(self, request: Request) -> Response:
        job = self._job(request)
        try:  # long poll: ?wait=S answers as soon as the job finishes, or after S seconds with its progress
            wait = min(max(float(request.query_params.get("wait", "0")), 0.0), MAX_WAIT_S)
        except ValueError:
            return _error("invalid_argument", "wait must be a number of seconds (0..5).", 400)
        if wait > 0 and not job.finished_event.is_set():
            await _wait_finished(job, request.receive, wait)
        return JSONResponse(self._job_json(job))

    async def api_file(self, request: Request) -> Response:
        index = request.path_params["index"]
        job, _ = self._finished(request, f"no file {index}")
        if not 0 <= index < len(job.files):
            raise _NotFound(f"Job {job.id} has no file {index}.")
        path = job.files[index]
        return FileResponse(path, filename=path.name)

    async def api_zip(self, request: Request) -> Response:
        job, _ = self._finished(request, "no files yet")
        name = _zip_name(job)
        return StreamingResponse(
            zip_stream(list(job.files)),  # a plain iterator: Starlette reads it in a worker thread
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def api_scores(self, request: Request) -> Response:
        job, _ = self._finished(request, "no skybox to score")
        if job.params.layout == "flat" or job.result is None:
            raise _NotFound(f"Job {job.id} has no skybox to score.")
        # Measured on request, not in the job: decoding the panorama again would delay the visible sky.
        written = [dict(f, path=str(path)) for f, path in zip(job.result["files"], job.files, strict=True)]

        def score_once() -> dict[str, float]:
            with job.scores_lock:
                if job.scores is None:
                    job.scores = sky_scores(written, job.params.layout)
                return job.scores

        scores = await anyio.to_thread.run_sync(score_once)
        return JSONResponse({**scores, "summary": describe_scores(scores["wrap_seam"], scores["period_correlation"])})

    async def api_thumbnail(self, request: Request) -> Response:
        job, picture = self._finished(request, "no picture yet")
        if job.thumbnail is None:
            job.thumbnail = await anyio.to_thread.run_sync(thumbnail, picture)
        return Response(job.thumbnail, media_type="image/jpeg")

    async def api_viewer(self, request: Request) -> Response:
        return FileResponse(self._finished(request, "no viewer image yet")[1])


async def _not_found(_: Request, __: Exception) -> Response:
    return _error("input_not_found", "No such page or API route.", 404)


async def _missing(_: Request, error: Exception) -> Response:
    return _error("input_not_found", str(error), 404)


async def _http_error(_: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    return _error("invalid_argument", f"HTTP {status}: {getattr(error, 'detail', '')}", status)


async def _bug(_: Request, error: Exception) -> Response:
    return _error("internal_error", f"{type(error).__name__}: {error}", 500)


def _add_error_handlers(app: Starlette) -> None:
    """Every error as the CLI's JSON error object: unknown routes, HTTP errors, missing jobs, and bugs."""
    app.add_exception_handler(404, _not_found)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(_NotFound, _missing)
    app.add_exception_handler(Exception, _bug)
