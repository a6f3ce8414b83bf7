"""`skyasset studio`'s HTTP API against a real server process: results equal the CLI's, errors are the CLI's."""

from __future__ import annotations

import http.client
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import skyasset
from skyasset.errors import SkyassetError
from tests._studio_server import TOKEN_HEADER, get_json, page_token, request, studio, wait_for_job


@pytest.fixture(scope="module")
def base(tiny_bundle_path: Path) -> Iterator[str]:
    with studio(tiny_bundle_path) as url:
        yield url


def _names_only(sidecar: dict[str, Any]) -> dict[str, Any]:
    for f in sidecar["files"]:
        f["path"] = Path(f["path"]).name
    return sidecar


def submit(base: str, body: Any) -> tuple[int, dict[str, Any]]:
    status, raw = request(f"{base}/api/generate", body)
    return status, json.loads(raw)


def test_info_describes_the_model_and_the_choices(base: str, tiny_bundle_path: Path) -> None:
    status, info = get_json(f"{base}/api/info")
    assert status == 200
    assert info["model"]["model_id"] == "tiny-random-test"
    assert [c["code"] for c in info["classes"]][:2] == ["Ac", "As"]
    assert all(c["description"] for c in info["classes"])
    assert "equirect" in info["layouts"] and "faces" in info["layouts"]
    assert info["seed_max"] == 2**31 - 1


@pytest.mark.parametrize("layout", ["equirect", "faces", "flat"])
def test_downloads_are_the_files_the_cli_writes(base: str, tiny_bundle_path: Path, tmp_path: Path, layout: str) -> None:
    params = {"cloud": "cumulus", "seed": 11, "psi": 0.8, "size": 512, "layout": layout, "hdr": layout == "faces"}
    status, answer = submit(base, params)
    assert status == 202 and answer["job"]["state"] in ("queued", "running", "done")
    job = wait_for_job(base, answer["job"]["id"])
    assert job["state"] == "done", job
    cli = skyasset.generate(
        "cumulus",
        11,
        out_dir=tmp_path,  # named by the core, as the studio names its files
        psi=0.8,
        size=512,
        layout=layout,
        hdr=layout == "faces",  # type: ignore[arg-type]
        model=str(tiny_bundle_path),
    )
    assert len(cli.outputs) == len(job["files"])
    for f, mine in zip(job["files"], cli.outputs, strict=True):
        status, body = request(base + f["url"])
        assert status == 200
        if mine.suffix == ".json":  # the sidecar: same content; its paths name each writer's own folder
            assert _names_only(json.loads(body)) == _names_only(json.loads(mine.read_text()))
        else:
            assert body == mine.read_bytes(), f"{f['name']} differs from the CLI's {mine.name}"
    status, viewer = request(base + job["viewer"])
    assert status == 200 and len(viewer) > 1000
    status, thumb = request(f"{base}/api/jobs/{job['id']}/thumbnail")
    assert status == 200 and thumb[:2] == b"\xff\xd8" and len(thumb) < len(viewer)
    status, scores = get_json(f"{base}/api/jobs/{job['id']}/scores")
    if layout != "flat":
        assert status == 200 and 0.0 < scores["wrap_seam"] < 3.0 and -1.0 <= scores["period_correlation"] <= 1.0
    else:
        assert status == 404
    assert "path" not in job["result"]["model"]  # no server paths in answers


def test_jobs_run_one_at_a_time_and_all_finish(base: str) -> None:
    ids = []
    for seed in (1, 2, 3):
        status, answer = submit(base, {"cloud": "St", "seed": seed, "size": 1024})
        assert status == 202
        ids.append(answer["job"]["id"])
    jobs = [wait_for_job(base, i) for i in ids]
    assert all(j["state"] == "done" for j in jobs)
    spans = sorted((j["started_at"], j["finished_at"]) for j in jobs)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans
    status, history = get_json(f"{base}/api/jobs")
    assert [j["id"] for j in history["jobs"][:3]] == ids[::-1]  # newest first


# Each bad request, and the same mistake made on the command line.
BAD = [
    ({"cloud": "nosuch", "seed": 1}, ["-c", "nosuch", "-s", "1"]),
    ({"cloud": "Cu", "seed": -1}, ["-c", "Cu", "-s", "-1"]),
    ({"cloud": "Cu", "seed": 2**31}, ["-c", "Cu", "-s", str(2**31)]),
    ({"cloud": "Cu", "seed": 1, "psi": 5}, ["-c", "Cu", "-s", "1", "--psi", "5"]),
    ({"cloud": "Cu", "seed": 1, "size": 100}, ["-c", "Cu", "-s", "1", "--size", "100"]),
    ({"cloud": "Cu", "seed": 1, "layout": "sphere"}, ["-c", "Cu", "-s", "1", "--layout", "sphere"]),
    ({"cloud": "Cu", "seed": 1, "method": "stitch"}, ["-c", "Cu", "-s", "1", "--method", "stitch"]),
    ({"cloud": "Cu", "seed": 1, "upscale": "turbo"}, ["-c", "Cu", "-s", "1", "--upscale", "turbo"]),
    ({"cloud": "Cu", "seed": 1, "sun": "95,10"}, ["-c", "Cu", "-s", "1", "--sun", "95,10"]),
    ({"cloud": "Cu", "seed": 1, "exposure": 11}, ["-c", "Cu", "-s", "1", "--exposure", "11"]),
    ({"cloud": "Cu", "seed": 1, "mix": "nosuch:0.3"}, ["-c", "Cu", "-s", "1", "--mix", "nosuch:0.3"]),
    ({"cloud": "Cu", "seed": 1, "mix": "St:7"}, ["-c", "Cu", "-s", "1", "--mix", "St:7"]),
    ({"seed": 1}, ["-s", "1"]),
]


@pytest.mark.parametrize(("body", "argv"), BAD, ids=[json.dumps(b) for b, _ in BAD])
def test_bad_parameters_get_the_cli_error(
    base: str, tiny_bundle_path: Path, tmp_path: Path, body: dict[str, Any], argv: list[str]
) -> None:
    """Each setting is checked in one place (skyasset.settings), so the studio, the CLI and the Python API refuse
    a bad value with the same code and the same message."""
    status, answer = submit(base, body)
    assert status == 400, answer
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "skyasset",
            "generate",
            *argv,
            "--model",
            str(tiny_bundle_path),
            "-o",
            str(tmp_path / "x.png"),
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    expected = json.loads(cli.stdout)["error"]
    assert cli.returncode != 0
    with pytest.raises(SkyassetError) as from_api:
        settings = {k: v for k, v in body.items() if k not in ("cloud", "seed")}
        skyasset.generate(body.get("cloud"), body["seed"], tmp_path / "x.png", model=tiny_bundle_path, **settings)
    assert answer["error"]["code"] == expected["code"] == from_api.value.code
    assert answer["error"]["message"] == expected["message"] == from_api.value.message
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        b'{"cloud": "Cu", "seed": "7"}',
        b'{"cloud": "Cu", "seed": 7, "hdr": "yes"}',
        b'{"cloud": "Cu", "seed": 7, "sead": 8}',
        b'{"cloud": "Cu", "seed": true}',
        b'{"cloud": "Cu", "seed": 7.5}',
        b'{"cloud": "Cu", "seed": 7, "size": 2048.0}',
        b"{" + b" " * 20000 + b"}",
    ],
)
def test_malformed_requests_are_refused_by_name(base: str, raw: bytes) -> None:
    status, body = request(f"{base}/api/generate", raw=raw, headers={"Content-Type": "application/json"})
    assert status == (413 if len(raw) > 16 * 1024 else 400)  # too large: refused by its length, before reading
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_argument" and error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/jobs/0123456789abcdef",
        "/api/jobs/../../etc/passwd",
        "/api/jobs/0123456789abcdef/files/0",
        "/static/../app.py",
        "/static/index.html",
        "/static/%2e%2e/app.py",
        "/nope",
    ],
)
def test_unknown_paths_are_404_json_and_never_reach_the_file_system(base: str, path: str) -> None:
    status, body = request(base + path)
    assert status == 404
    assert json.loads(body)["error"]["code"] == "input_not_found"


def test_file_index_out_of_range(base: str) -> None:
    _, answer = submit(base, {"cloud": "Cu", "seed": 4, "size": 256})
    job = wait_for_job(base, answer["job"]["id"])
    status, body = request(f"{base}/api/jobs/{job['id']}/files/{len(job['files'])}")
    assert status == 404 and json.loads(body)["error"]["code"] == "input_not_found"


def test_other_host_names_are_refused(base: str) -> None:
    status, body = request(f"{base}/api/info", headers={"Host": "attacker.example"})
    assert status == 400  # DNS rebinding: a page on another name must not reach the studio
    assert json.loads(body)["error"]["code"] == "invalid_argument"


def test_page_and_static_files(base: str) -> None:
    status, page = request(f"{base}/")
    assert status == 200 and b"skyasset studio" in page and b"/static/app.js" in page
    for name in ("app.js", "viewer.js", "style.css", "three.module.min.js"):
        status, body = request(f"{base}/static/{name}")
        assert status == 200 and len(body) > 100


def test_a_non_loopback_host_needs_allow_remote(tiny_bundle_path: Path) -> None:
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "skyasset",
            "studio",
            "--model",
            str(tiny_bundle_path),
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-open",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 2
    error = json.loads(cli.stdout)["error"]
    assert error["code"] == "invalid_argument" and "--allow-remote" in error["message"]


def test_missing_model_is_the_cli_error(tmp_path: Path) -> None:
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "skyasset",
            "studio",
            "--model",
            str(tmp_path / "none"),
            "--port",
            "0",
            "--no-open",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 3
    assert json.loads(cli.stdout)["error"]["code"] == "bundle_not_found"


def _delete(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        sent = {"Content-Type": "application/json", TOKEN_HEADER: page_token(base)} if headers is None else headers
        conn.request("DELETE", path, headers=sent)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_a_sky_is_deleted_with_its_files_and_bad_ids_are_named(base: str) -> None:
    _, answer = submit(base, {"cloud": "Cu", "seed": 5, "size": 256, "layout": "faces"})
    job = wait_for_job(base, answer["job"]["id"])
    status, zipped = request(base + job["zip"])
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert sorted(archive.namelist()) == sorted(f["name"] for f in job["files"])
    assert _delete(base, f"/api/jobs/{job['id']}", headers={})[0] == 415  # only the page may delete
    status, answer = _delete(base, f"/api/jobs/{job['id']}")
    assert status == 200 and answer == {"deleted": job["id"]}
    assert request(f"{base}/api/jobs/{job['id']}")[0] == 404
    assert request(base + job["zip"])[0] == 404
    assert job["id"] not in [j["id"] for j in get_json(f"{base}/api/jobs")[1]["jobs"]]
    status, answer = _delete(base, f"/api/jobs/{job['id']}")
    assert status == 404 and answer["error"]["code"] == "input_not_found"
    for bad in ("0123456789ABCDEF", "nothex", "..%2f..%2fetc"):
        status, answer = _delete(base, f"/api/jobs/{bad}")
        assert status in (400, 404) and answer["error"]["code"] in ("invalid_argument", "input_not_found"), answer
        if status == 400:
            assert "16 lowercase hex digits" in answer["error"]["message"]


def test_the_first_job_waits_for_nobody(base: str) -> None:
    _, answer = submit(base, {"cloud": "Cu", "seed": 6, "size": 256})
    assert answer["job"]["ahead"] == 0
    wait_for_job(base, answer["job"]["id"])
