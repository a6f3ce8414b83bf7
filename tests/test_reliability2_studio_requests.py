"""Issue 28, the studio's requests: no other web page can start work, bodies and slow requests are bounded, and
every refusal is the JSON error object. Against a real `skyasset studio` process, over real sockets."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests._studio_server import TOKEN_HEADER, get_json, page_token, request, studio

REQUEST_TIMEOUT_S = 5.0  # skyasset.studio.server.REQUEST_TIMEOUT_S
SKY = {"cloud": "Cu", "seed": 3, "size": 256}


@pytest.fixture(scope="module")
def base(tiny_bundle_path: Path) -> Iterator[str]:
    with studio(tiny_bundle_path) as url:
        yield url


def _address(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def _post(base: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any], str]:
    conn = http.client.HTTPConnection(*_address(base), timeout=30)
    try:
        conn.request("POST", "/api/generate", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read()), response.getheader("Content-Type", "")
    finally:
        conn.close()


def _job_count(base: str) -> int:
    status, history = get_json(f"{base}/api/jobs")
    assert status == 200
    return len(history["jobs"])


def _cross_origin_attempts(base: str) -> list[tuple[str, dict[str, str]]]:
    token = page_token(base)
    json_type = {"Content-Type": "application/json"}
    return [
        ("text/plain, as a no-cors fetch sends", {"Content-Type": "text/plain;charset=UTF-8", "Origin": "null"}),
        ("text/plain with the token", {"Content-Type": "text/plain", TOKEN_HEADER: token}),
        ("form-encoded", {"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"}),
        ("JSON from Origin null", {**json_type, "Origin": "null", TOKEN_HEADER: token}),
        ("JSON from another origin", {**json_type, "Origin": "http://evil.example", TOKEN_HEADER: token}),
        ("JSON from another port", {**json_type, "Origin": "http://127.0.0.1:1", TOKEN_HEADER: token}),
        ("a cross-site fetch", {**json_type, "Sec-Fetch-Site": "cross-site", TOKEN_HEADER: token}),
        ("JSON without the token", dict(json_type)),
        ("JSON with a wrong token", {**json_type, TOKEN_HEADER: "x" + token[1:]}),
        ("JSON from the own origin without the token", {**json_type, "Origin": base}),
    ]


def test_requests_not_from_the_studio_page_start_no_job(base: str) -> None:
    before = _job_count(base)
    body = json.dumps(SKY).encode()
    for what, headers in _cross_origin_attempts(base):
        status, answer, content_type = _post(base, body, headers)
        assert status in (403, 415), (what, status, answer)
        assert answer["error"]["code"] == "invalid_argument" and answer["error"]["message"], what
        assert content_type.startswith("application/json"), what
    assert _job_count(base) == before, "a refused request started a job"


def test_the_page_token_from_the_own_origin_or_a_non_browser_client_is_accepted(base: str) -> None:
    token = page_token(base)
    for headers in (
        {"Content-Type": "application/json", TOKEN_HEADER: token, "Origin": base, "Sec-Fetch-Site": "same-origin"},
        {"Content-Type": "application/json; charset=utf-8", TOKEN_HEADER: token},  # curl, a script: no Origin
    ):
        status, answer, _ = _post(base, json.dumps(SKY).encode(), headers)
        assert status == 202, answer


def _raw(base: str, data: bytes, *, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(_address(base), timeout=timeout)
    sock.sendall(data)
    return sock


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


def _headers(base: str, extra: str) -> bytes:
    host, port = _address(base)
    return (
        f"POST /api/generate HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"{TOKEN_HEADER}: {page_token(base)}\r\n{extra}\r\n"
    ).encode()


def test_a_huge_body_is_refused_by_its_length_before_it_is_sent(base: str) -> None:
    # Only the headers go out: today's server waited to read the whole GiB before answering.
    with _raw(base, _headers(base, f"Content-Length: {1 << 30}\r\n"), timeout=5.0) as sock:
        status, headers, body = _read_answer(sock)
    assert status == 413 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "invalid_argument"


def test_a_chunked_body_is_refused_once_it_passes_the_limit(base: str) -> None:
    before = _job_count(base)
    with _raw(base, _headers(base, "Transfer-Encoding: chunked\r\n"), timeout=5.0) as sock:
        chunk = b"[" + b" " * 4094 + b"]"
        for _ in range(5):  # 20 KB, and the body never ends: the answer must come without its end
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        status, _, body = _read_answer(sock)
    assert status == 413 and json.loads(body)["error"]["code"] == "invalid_argument"
    assert _job_count(base) == before


def test_half_sent_requests_are_closed(base: str) -> None:
    host, port = _address(base)
    partial_headers = f"GET /api/info HTTP/1.1\r\nHost: {host}:{port}\r\nX-Slow: ".encode()
    partial_body = _headers(base, "Content-Length: 100\r\n") + b'{"cloud": '
    socks = [_raw(base, partial_headers) for _ in range(40)] + [_raw(base, partial_body) for _ in range(20)]
    started = time.monotonic()
    try:
        for sock in socks:
            sock.settimeout(max(0.1, started + REQUEST_TIMEOUT_S + 5.0 - time.monotonic()))
            try:
                left = sock.recv(65536)
            except ConnectionResetError:
                left = b""
            except TimeoutError:
                pytest.fail("a half-sent request was still open after the request timeout")
            assert left == b"" or left.startswith(b"HTTP/1.1 400"), left
        assert time.monotonic() - started < REQUEST_TIMEOUT_S + 5.0
    finally:
        for sock in socks:
            sock.close()
    status, _ = get_json(f"{base}/api/info")  # and the studio still answers
    assert status == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 15000,
        b"{" + b'"a": {' * 2000 + b"}" * 2001,
        b'{"cloud": "\\ud800", "seed": 1}',
        b'{"cloud": "Cu", "seed": 1, "mix": "\\udfff:0.3"}',
        b'{"\\ud800": 1, "seed": 1}',
        b'{"cloud": "Cu\xff", "seed": 1}',
        b'{"cloud": "Cu", "seed": 1' + b"0" * 5000 + b"}",
    ],
    ids=["15000-brackets", "deep-objects", "surrogate-value", "surrogate-mix", "surrogate-key", "not-utf8", "huge-int"],
)
def test_pathological_json_is_invalid_argument(base: str, raw: bytes) -> None:
    status, body = request(f"{base}/api/generate", raw=raw)
    assert status == 400, body
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_argument" and error["message"]


def test_refusals_of_the_server_itself_are_json(base: str) -> None:
    status, body = request(f"{base}/api/info", headers={"Host": "attacker.example"})
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_argument"
    status, body = request(f"{base}/api/generate")  # GET on a POST route
    assert status == 405 and json.loads(body)["error"]["code"] == "invalid_argument"
    with _raw(base, b"NOT HTTP AT ALL\r\n\r\n", timeout=5.0) as sock:
        status, headers, body = _read_answer(sock)
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "invalid_argument"
