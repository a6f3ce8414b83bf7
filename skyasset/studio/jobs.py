"""The studio's work queue: one worker thread per model, so generations run one at a time and others wait.

Each job writes into its own unfinished folder of the studio's :class:`~skyasset.studio.library.Library`, through
the same :func:`skyasset.generate` the CLI calls; a finished sky moves into the library, where it stays across
restarts until deleted. The skies already in the library are loaded as finished jobs when the queue starts. At
most ``max_queued`` jobs wait (:class:`QueueFull` beyond), so a flood of requests cannot pile up hours of work, and
closing the queue cancels the waiting jobs and asks the running one to stop. Failed jobs are kept in memory only,
the newest ``keep_failed`` of them.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from skyasset.errors import SkyassetError
from skyasset.interrupts import studio_stopped_error, studio_stopping_error
from skyasset.studio.library import Library, SavedSky
from skyasset.studio.params import GenerateParams

__all__ = ["MAX_QUEUED", "Job", "JobBusy", "JobQueue", "JobState", "QueueFull"]

JobState = Literal["queued", "running", "done", "error"]
_log = logging.getLogger("skyasset.studio")
MAX_QUEUED = 8  # waiting jobs; the page sends one at a time, so only a script or a flood reaches this


class QueueFull(Exception):
    """``submit`` while ``max_queued`` jobs already wait: nothing was created."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class JobBusy(Exception):
    """``delete`` of a job that is still queued or running: nothing was removed."""


@dataclass
class Job:
    id: str
    params: GenerateParams
    folder: Path
    state: JobState = "queued"
    stage: str = "queued"
    progress: float = 0.0
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    files: list[Path] = field(default_factory=list)
    file_bytes: list[int] = field(default_factory=list)  # measured once: every poll and history answer lists them
    viewer: Path | None = None
    scores: dict[str, float] | None = None
    scores_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # two polls: one measurement
    thumbnail: bytes | None = field(default=None, repr=False)
    finished_event: threading.Event = field(default_factory=threading.Event, repr=False)
    _watchers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _watch_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def when_finished(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from the worker thread) once the job finishes, or now if it has; returns a remover.

        Long polls wait on this in the event loop instead of blocking a worker thread on ``finished_event``.
        """
        with self._watch_lock:
            if not self.finished_event.is_set():
                self._watchers.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._watch_lock, contextlib.suppress(ValueError):
            self._watchers.remove(callback)

    @classmethod
    def from_saved(cls, sky: SavedSky) -> Job:
        """A finished job for a sky of the library."""
        job = cls(
            id=sky.id,
            params=GenerateParams.from_json(sky.params),
            folder=sky.folder,
            state="done",
            stage="done",
            progress=1.0,
            created=sky.created_at,
            started=sky.started_at,
            finished=sky.finished_at,
            result=sky.result,
            files=list(sky.files),
            file_bytes=list(sky.file_bytes),
            viewer=sky.viewer,
        )
        job.finished_event.set()
        return job

    def to_saved(self) -> SavedSky:
        """The finished job as the library keeps it."""
        assert self.result is not None and self.viewer is not None and self.finished is not None
        return SavedSky(
            id=self.id,
            params=self.params.to_json(),
            folder=self.folder,
            result=self.result,
            files=self.files,
            file_bytes=self.file_bytes,
            viewer=self.viewer,
            created_at=self.created,
            started_at=self.started,
            finished_at=self.finished,
        )

    def mark_finished(self) -> None:
        with self._watch_lock:
            self.finished_event.set()
            watchers, self._watchers = self._watchers, []
        for callback in watchers:
            callback()

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "id": self.id,
            "state": self.state,
            "stage": self.stage,
            "progress": round(self.progress, 3),
            "params": self.params.to_json(),
            "queued_s": round((self.started or time.time()) - self.created, 3),
            "created_at": self.created,
            "started_at": self.started,
            "finished_at": self.finished,
        }
        if self.started is not None:
            answer["seconds"] = round((self.finished or time.time()) - self.started, 3)
        if self.error is not None:
            answer["error"] = self.error
        if self.state == "done" and self.result is not None:  # in the library: its files no longer move
            answer["result"] = self.result
            answer["files"] = [
                {"index": i, "name": path.name, "url": f"/api/jobs/{self.id}/files/{i}", "bytes": size}
                for i, (path, size) in enumerate(zip(self.files, self.file_bytes, strict=True))
            ]
            answer["viewer"] = f"/api/jobs/{self.id}/viewer" if self.viewer is not None else None
            answer["zip"] = f"/api/jobs/{self.id}/zip"
        return answer


Runner = Callable[[Job, Callable[[str, float], None]], None]
"""Does a job's work: fills ``job.result``, ``job.files`` and ``job.viewer``; reports ``(stage, fraction)``."""


class JobQueue:
    def __init__(
        self, runner: Runner, library: Library, *, keep_failed: int = 24, max_queued: int = MAX_QUEUED
    ) -> None:
        self._runner = runner
        self.library = library
        self._keep_failed = keep_failed
        self._max_queued = max_queued
        # A plain flag, not an Event: the SIGTERM handler sets it, and it must take no lock the interrupted main
        # thread might hold. The worker and the runner's progress callback read it.
        self.closing = False
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        for sky in library.skies():
            try:
                self._jobs[sky.id] = Job.from_saved(sky)
            except ValueError as exc:  # a damaged sky.json must not keep the studio from starting
                _log.warning("skyasset studio: skipped %s, not a readable sky (%s)", sky.folder, exc)
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="skyasset-studio-worker", daemon=True)
        self._worker.start()

    def submit(self, params: GenerateParams) -> Job:
        """Queue a job; :class:`QueueFull` if ``max_queued`` already wait, ``interrupted`` once closing."""
        if self.closing:
            raise studio_stopping_error()
        job_id = secrets.token_hex(8)
        with self._lock:
            if sum(j.state == "queued" for j in self._jobs.values()) >= self._max_queued:
                raise QueueFull(self._max_queued)
            job = Job(id=job_id, params=params, folder=self.library.folder_for_new(job_id))
            self._jobs[job_id] = job
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        """Every job and saved sky, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def ahead(self, job: Job) -> int:
        """How many jobs run or wait before ``job`` (0 for one that runs, or will start at once)."""
        if job.state != "queued":
            return 0
        with self._lock:
            return sum(
                j.state in ("queued", "running") and j.created < job.created and j is not job
                for j in self._jobs.values()
            )

    def delete(self, job_id: str) -> None:
        """Forget a finished job and delete its sky from the library; :class:`JobBusy` while it is not finished,
        ``input_not_found`` for an unknown id."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.finished_event.is_set():
                raise JobBusy(job_id)
            if job is not None and job.state == "error":
                del self._jobs[job_id]
                return
            try:
                self.library.delete(job_id)
            except SkyassetError as exc:
                # Gone from the library already (another studio on the same folder deleted it): forget it here
                # too, or it would stay listed and every delete would answer "not found".
                if exc.code == "input_not_found" and job is not None:
                    del self._jobs[job_id]
                raise
            self._jobs.pop(job_id, None)

    def close(self, timeout: float = 2.0) -> bool:
        """Cancel the waiting jobs, ask the running one to stop, and wait up to ``timeout`` s for the worker.

        A running generation stops at its next check (between upscaling tiles, before writing); one busy writing
        a large skybox cannot be cut short, and the library drops its unfinished folder regardless. Returns
        :attr:`stopped`: ``False`` when a job is still running (in native code that no check reaches).
        """
        self.closing = True
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._finish(job, studio_stopped_error())
        self._queue.put(None)
        self._worker.join(timeout)
        self.library.close()
        return self.stopped

    @property
    def stopped(self) -> bool:
        """True once the worker thread has ended: no job runs any more (only after :meth:`close`)."""
        return not self._worker.is_alive()

    def _evict_failed(self) -> None:
        failed = [j for j in self._jobs.values() if j.state == "error"]
        for old in failed[: max(0, len(failed) - self._keep_failed)]:
            del self._jobs[old.id]

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self.closing:
                self._finish(job, studio_stopped_error())
                continue
            job.state, job.stage, job.started = "running", "generating", time.time()

            def report(stage: str, fraction: float, job: Job = job) -> None:
                if self.closing:
                    raise studio_stopped_error()
                job.stage, job.progress = stage, max(0.0, min(1.0, fraction))

            error: SkyassetError | None = None
            try:
                self._runner(job, report)
                if self.closing:
                    raise studio_stopped_error()
                job.finished = time.time()
                saved = self.library.commit(job.to_saved())
                job.folder, job.files, job.viewer = saved.folder, saved.files, saved.viewer
            except SkyassetError as exc:
                error = exc
            except Exception as exc:  # a bug: the page still gets an answer, the server keeps serving
                error = SkyassetError("internal_error", f"{type(exc).__name__}: {exc}")
            self._finish(job, error)

    def _finish(self, job: Job, error: SkyassetError | None) -> None:
        if error is not None:
            job.error = error.to_json()["error"]
            job.result = None
            self.library.discard(job.folder)
        job.finished = job.finished or time.time()
        job.progress = 1.0
        job.stage = job.state = "error" if job.error else "done"
        job.mark_finished()
        with self._lock:
            self._evict_failed()
