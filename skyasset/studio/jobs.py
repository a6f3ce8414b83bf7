"""The studio's work queue: one worker thread per model, so generations run one at a time and others wait.

Each job writes into its own folder under the studio's private work folder, through the same
:func:`skyasset.generate` the CLI calls. Only the newest ``keep`` jobs are kept (the history strip); older ones
are deleted with their files.
"""

from __future__ import annotations

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

__all__ = ["Job", "JobQueue", "JobState"]

JobState = Literal["queued", "running", "done", "error"]


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
    def __init__(self, runner: Runner, work_folder: Path, *, keep: int = 24) -> None:
        self._runner = runner
        self._folder = work_folder
        self._keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="skyasset-studio-worker", daemon=True)
        self._worker.start()

    def submit(self, params: GenerateParams) -> Job:
        job_id = secrets.token_hex(8)
        folder = self._folder / job_id
        folder.mkdir()
        job = Job(id=job_id, params=params, folder=folder)
        with self._lock:
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

    def close(self, timeout: float = 30.0) -> None:
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
            job.state, job.stage, job.started = "running", "generating", time.time()

            def report(stage: str, fraction: float, job: Job = job) -> None:
                job.stage, job.progress = stage, max(0.0, min(1.0, fraction))

            try:
                self._runner(job, report)
            except SkyassetError as error:
                job.error = error.to_json()["error"]
            except Exception as exc:  # a bug: the page still gets an answer, the server keeps serving
                job.error = SkyassetError("internal_error", f"{type(exc).__name__}: {exc}").to_json()["error"]
            job.finished = time.time()
            job.progress = 1.0
            job.stage = job.state = "error" if job.error else "done"
            job.finished_event.set()
            with self._lock:
                self._evict()
