"""Issue 28, the hostile probe's ``skyasset-train`` findings: non-UTF-8 names, output suffixes, links at output
names (replaced themselves, never written through), FIFOs and devices where files are due.

Every case runs the real ``skyasset-train`` in a child process and reads its real stderr and exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skyasset.errors import SkyassetError
from tests._train_helpers import write_photo

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "skyasset-train"
SECRET = b"do not touch\n"


def _run(*args: object, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    argv = [str(BIN), *(os.fsdecode(a) if isinstance(a, (bytes, Path)) else str(a) for a in args)]
    env = {"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "HOME": str(Path.home())}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def _refused(proc: subprocess.CompletedProcess[str], code: str, *words: str) -> None:
    assert f"error [{code}]" in proc.stderr, proc.stderr
    assert proc.returncode == SkyassetError(code, "").exit_code, proc.stderr  # type: ignore[arg-type]
    for word in words:
        assert word in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("torch")
    from training.networks import Discriminator, Generator, get_config
    from training.snapshot import save_snapshot

    cfg = get_config("tiny")
    meta = {"kimg": 1.0, "G_kwargs": cfg.generator_kwargs(), "D_kwargs": cfg.discriminator_kwargs(), "classes": []}
    root = tmp_path_factory.mktemp("snap")
    G, D = Generator(**cfg.generator_kwargs()), Discriminator(**cfg.discriminator_kwargs())
    return save_snapshot(root / "s.pt", G_ema=G, D=D, meta=meta, kind="compact")


def _photos(src: Path, classes: tuple[str, ...] = ("Cu", "St")) -> Path:
    for i, code in enumerate(classes):
        for j in range(2):
            write_photo(Path(os.fsdecode(os.fsencode(src) + b"/" + os.fsencode(code))) / f"{j}.png", 10 * i + j)
    return src


def test_prepare_refuses_a_class_folder_named_with_non_utf8_bytes(tmp_path: Path) -> None:
    src = _photos(tmp_path / "src", ("Cu", os.fsdecode(b"S\xfft")))
    proc = _run("prepare", src, tmp_path / "a.zip", "--resolution", "32")
    _refused(proc, "dataset_invalid", "S\\xfft", "not valid UTF-8", "rename")
    assert not (tmp_path / "a.zip").exists()


def test_prepare_refuses_an_image_named_with_non_utf8_bytes(tmp_path: Path) -> None:
    src = _photos(tmp_path / "src")
    write_photo(Path(os.fsdecode(os.fsencode(src / "Cu") + b"/x\xfe.png")), 99)
    proc = _run("prepare", src, tmp_path / "a.zip", "--resolution", "32")
    _refused(proc, "dataset_invalid", "x\\xfe.png", "rename")


def test_class_codes_and_label_paths_must_be_utf8() -> None:
    from training.dataset import _check_relative_path, check_class_code

    for bad in (lambda: check_class_code("S\udcfft", "here"), lambda: _check_relative_path("a\udcff.png", "here")):
        with pytest.raises(SkyassetError) as info:
            bad()
        assert info.value.code == "dataset_invalid" and "\\xff" in info.value.message


@pytest.mark.parametrize("kind", ["fifo", "loop"])
def test_prepare_names_an_image_that_is_a_fifo_or_a_looping_link(tmp_path: Path, kind: str) -> None:
    src = _photos(tmp_path / "src")
    bad = src / "Cu" / "f.png"
    if kind == "fifo":
        os.mkfifo(bad)
    else:
        os.symlink(bad, bad)
    proc = _run("prepare", src, tmp_path / "a.zip", "--resolution", "32")
    _refused(proc, "dataset_invalid", str(bad))


def test_prepare_replaces_a_link_at_the_archive_name_never_its_target(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    src, out = _photos(tmp_path / "src"), tmp_path / "a.zip"
    os.symlink(secret, out)
    _refused(_run("prepare", src, out, "--resolution", "32"), "output_exists", "symbolic link", "--force")
    assert _run("prepare", src, out, "--resolution", "32", "--force").returncode == 0
    assert secret.read_bytes() == SECRET and not out.is_symlink() and zipfile.is_zipfile(out)


def test_grid_checks_the_suffix_and_never_writes_through_a_link(tmp_path: Path, snapshot: Path) -> None:
    _refused(_run("grid", snapshot, "--out", tmp_path / "somedir", "--size", "8"), "invalid_argument", ".png")
    assert not (tmp_path / "somedir").exists()
    secret, out = tmp_path / "secret.txt", tmp_path / "g.png"
    secret.write_bytes(SECRET)
    os.symlink(secret, out)
    proc = _run("grid", snapshot, "--out", out, "--columns", "1", "--size", "8")
    assert proc.returncode == 0, proc.stderr
    assert secret.read_bytes() == SECRET and not out.is_symlink() and out.read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir() if ".skyasset-tmp" in p.name] == []


def test_info_names_a_fifo_and_a_device(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "f.pt")
    for path, word in ((tmp_path / "f.pt", "is a FIFO"), (Path("/dev/zero"), "is a device")):
        proc = _run("info", path, timeout=60)
        _refused(proc, "invalid_argument", word)
        assert "no snapshot at" not in proc.stderr


def test_export_to_an_existing_path_names_the_cli_option(tmp_path: Path, snapshot: Path) -> None:
    (tmp_path / "b").write_text("x")
    proc = _run("export", snapshot, "--out", tmp_path / "b")
    _refused(proc, "output_exists", "--force")
    assert "overwrite=True" not in proc.stderr and (tmp_path / "b").read_text() == "x"


def test_outputs_that_are_links_count_as_existing(tmp_path: Path, snapshot: Path) -> None:
    from training.outputs import check_output_file, check_output_folder

    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    os.symlink(secret, tmp_path / "s.pt")
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    for check in (
        lambda: check_output_file(tmp_path / "s.pt", False),
        lambda: check_output_folder(tmp_path / "dangling", False),
    ):
        with pytest.raises(SkyassetError) as info:
            check()
        assert info.value.code == "output_exists" and "--force" in info.value.message
    _refused(_run("import-nvlabs", secret, "--out", tmp_path / "s.pt"), "output_exists", "symbolic link")
    with pytest.raises(SkyassetError) as bad_suffix:
        check_output_file(tmp_path / "m", True, option="--memorisation-png", suffixes=(".png",))
    assert bad_suffix.value.code == "invalid_argument" and "--memorisation-png" in bad_suffix.value.message
    assert secret.read_bytes() == SECRET
