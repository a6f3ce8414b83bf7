"""The studio's work queue: one worker thread per model, so generations run one at a time and others wait.

Each job writes into its own folder under the studio's private work folder, through the same
:func:`skyasset.generate` the CLI calls. Only the newest ``keep`` jobs are kept (the history strip); older ones
are deleted with their files. At most ``max_queued`` jobs wait (:class:`QueueFull` beyond), so a flood of requests
cannot pile up hours of work, and closing the queue cancels the waiting jobs and asks the running one to stop.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from skyasset.errors import SkyassetError
from skyasset.studio.params import GenerateParams

__all__ = ["MAX_QUEUED", "Job", "JobQueue", "JobState", "QueueFull"]

JobState = Literal["queued", "running", "done", "error"]
MAX_QUEUED = 8  # waiting jobs; the page sends one at a time, so only a script or a flood reaches this


class QueueFull(Exception):
    """``submit`` while ``max_queued`` jobs already wait: nothing was created."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


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
        if self.result is not None:
            answer["result"] = self.result
            answer["files"] = [
                {"index": i, "name": path.name, "url": f"/api/jobs/{self.id}/files/{i}", "bytes": size}
                for i, (path, size) in enumerate(zip(self.files, self.file_bytes, strict=True))
            ]
            answer["viewer"] = f"/api/jobs/{self.id}/viewer" if self.viewer is not None else None
        return answer


Runner = Callable[[Job, Callable[[str, float], None]], None]
"""Does a job's work: fills ``job.result``, ``job.files`` and ``job.viewer``; reports ``(stage, fraction)``."""


class JobQueue:
    def __init__(self, runner: Runner, work_folder: Path, *, keep: int = 24, max_queued: int = MAX_QUEUED) -> None:
        self._runner = runner
        self._folder = work_folder
        self._keep = keep
        self._max_queued = max_queued
        # A plain flag, not an Event: the SIGTERM handler sets it, and it must take no lock the interrupted main
        # thread might hold. The worker and the runner's progress callback read it.
        self.closing = False
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="skyasset-studio-worker", daemon=True)
        self._worker.start()

    def submit(self, params: GenerateParams) -> Job:
        """Queue a job; :class:`QueueFull` if ``max_queued`` already wait, ``interrupted`` once closing."""
        if self.closing:
            raise SkyassetError("interrupted", "The studio is stopping; start it again to make more skies.")
        job_id = secrets.token_hex(8)
        folder = self._folder / job_id
        job = Job(id=job_id, params=params, folder=folder)
        with self._lock:
            if sum(j.state == "queued" for j in self._jobs.values()) >= self._max_queued:
                raise QueueFull(self._max_queued)
            folder.mkdir()
            self._jobs[job_id] = job
            self._evict()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        with self._lock:
            return list(reversed(self._jobs.values()))

    def close(self, timeout: float = 2.0) -> None:
        """Cancel the waiting jobs, ask the running one to stop, and wait up to ``timeout`` s for the worker.

        A running generation stops at its next check (between upscaling tiles, before writing); one busy writing
        a large skybox cannot be cut short, and the caller removes the work folder regardless.
        """
        self.closing = True
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._finish(job, _stopped())
        self._queue.put(None)
        self._worker.join(timeout)

    def _evict(self) -> None:
        finished = [j for j in self._jobs.values() if j.state in ("done", "error")]
        while len(self._jobs) > self._keep and finished:
            old = finished.pop(0)
            del self._jobs[old.id]
            shutil.rmtree(old.folder, ignore_errors=True)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self.closing:
                self._finish(job, _stopped())
                continue
            job.state, job.stage, job.started = "running", "generating", time.time()

            def report(stage: str, fraction: float, job: Job = job) -> None:
                if self.closing:
                    raise _stopped()
                job.stage, job.progress = stage, max(0.0, min(1.0, fraction))

            error: SkyassetError | None = None
            try:
                self._runner(job, report)
            except SkyassetError as exc:
                error = exc
            except Exception as exc:  # a bug: the page still gets an answer, the server keeps serving
                error = SkyassetError("internal_error", f"{type(exc).__name__}: {exc}")
            self._finish(job, error)

    def _finish(self, job: Job, error: SkyassetError | None) -> None:
        if error is not None:
            job.error = error.to_json()["error"]
        job.finished = time.time()
        job.progress = 1.0
        job.stage = job.state = "error" if job.error else "done"
        job.mark_finished()
        with self._lock:
            self._evict()


def _stopped() -> SkyassetError:
    return SkyassetError("interrupted", "The studio stopped before this sky was finished; no files were kept.")
