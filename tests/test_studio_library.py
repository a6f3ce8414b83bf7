"""The studio's library on a real file system: where it lives, what it lists, what it refuses, and that a sky
appears whole or not at all."""

from __future__ import annotations

import json
import os
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from skyasset.errors import SkyassetError
from skyasset.studio.archive import zip_stream
from skyasset.studio.jobs import JobQueue
from skyasset.studio.library import RECORD_NAME, Library, SavedSky, check_sky_id, default_library_folder
from skyasset.studio.verdict import describe_scores

HOME = Path("/home/ada")


def make_sky(library: Library, sky_id: str, finished_at: float = 100.0) -> SavedSky:
    """A finished sky made the way the job queue makes one: files written into a fresh folder, then committed."""
    folder = library.folder_for_new(sky_id)
    (folder / "cumulus_7_psi070_2048.png").write_bytes(b"png" * 10)
    (folder / "cumulus_7_psi070_2048.json").write_bytes(b"{}")  # not write_text: one test breaks that
    files = [folder / "cumulus_7_psi070_2048.png", folder / "cumulus_7_psi070_2048.json"]
    sky = SavedSky(
        id=sky_id,
        folder=folder,
        params={"cloud": "Cu", "seed": 7, "psi": 0.7},
        result={"seed": 7},
        files=files,
        file_bytes=[p.stat().st_size for p in files],
        viewer=files[0],
        created_at=finished_at - 2,
        started_at=finished_at - 1,
        finished_at=finished_at,
    )
    return library.commit(sky)


@pytest.mark.parametrize(
    ("platform", "environ", "expected"),
    [
        ("linux", {}, HOME / ".local/share/skyasset/library"),
        ("linux", {"XDG_DATA_HOME": "/data/ada"}, Path("/data/ada/skyasset/library")),
        ("linux", {"XDG_DATA_HOME": "relative/dir"}, HOME / ".local/share/skyasset/library"),  # spec: ignore
        ("darwin", {"XDG_DATA_HOME": "/data/ada"}, HOME / "Library/Application Support/skyasset/library"),
        ("win32", {"LOCALAPPDATA": "C:/Users/ada/AppData/Local"}, Path("C:/Users/ada/AppData/Local/skyasset/library")),
        ("win32", {}, HOME / "AppData/Local/skyasset/library"),
    ],
)
def test_the_default_library_is_the_platforms_user_data_folder(
    platform: str, environ: dict[str, str], expected: Path
) -> None:
    assert default_library_folder(platform, environ, HOME) == expected


def test_skies_are_listed_oldest_first_after_a_restart(tmp_path: Path) -> None:
    first = Library(tmp_path / "lib")
    make_sky(first, "00000000000000bb", finished_at=200.0)
    older = make_sky(first, "00000000000000aa", finished_at=100.0)
    first.close()
    again = Library(tmp_path / "lib")  # a new studio process on the same folder
    skies = again.skies()
    assert [s.id for s in skies] == ["00000000000000aa", "00000000000000bb"]
    assert skies[0] == older
    assert skies[0].params == {"cloud": "Cu", "seed": 7, "psi": 0.7}
    assert all(p.parent == tmp_path / "lib" / "00000000000000aa" and p.is_file() for p in skies[0].files)
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == ["00000000000000aa", "00000000000000bb"]


def test_an_unfinished_sky_is_never_listed_and_is_removed_on_close(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    folder = library.folder_for_new("00000000000000cc")
    (folder / "half.png").write_bytes(b"x")
    assert library.skies() == []
    library.discard(folder)
    assert not folder.exists()
    library.folder_for_new("00000000000000dd")
    library.close()
    assert sorted(os.listdir(tmp_path / "lib")) == []


def test_the_record_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while the record is written leaves neither a record nor a sky in the library."""
    library = Library(tmp_path / "lib")

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(SkyassetError) as caught:
        make_sky(library, "00000000000000ee")
    assert caught.value.code == "io_error" and "space" in caught.value.message
    monkeypatch.undo()
    assert library.skies() == []
    assert not (tmp_path / "lib" / "00000000000000ee").exists()
    leftovers = [p.name for p in (tmp_path / "lib").rglob("*") if p.name.startswith(".") and p.is_file()]
    assert leftovers == [], leftovers


def test_delete_removes_the_sky_and_names_an_unknown_one(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    make_sky(library, "00000000000000aa")
    library.delete("00000000000000aa")
    assert library.skies() == [] and not (tmp_path / "lib" / "00000000000000aa").exists()
    with pytest.raises(SkyassetError) as caught:
        library.delete("00000000000000aa")
    assert caught.value.code == "input_not_found" and "00000000000000aa" in caught.value.message


@pytest.mark.parametrize("bad", ["..", "../../etc", "0123456789ABCDEF", "0123456789abcde", "/tmp", "", "a" * 17])
def test_bad_ids_are_refused_before_they_reach_a_path(tmp_path: Path, bad: str) -> None:
    library = Library(tmp_path / "lib")
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / RECORD_NAME).write_text("{}")
    with pytest.raises(SkyassetError) as caught:
        library.delete(bad)
    assert caught.value.code == "invalid_argument" and "16 lowercase hex digits" in caught.value.message
    with pytest.raises(SkyassetError):
        library.folder_for_new(bad)
    with pytest.raises(SkyassetError):
        check_sky_id(bad)
    assert (tmp_path / "victim" / RECORD_NAME).is_file()


@pytest.mark.parametrize("name", ["../../outside.png", "/etc/passwd", "sub/x.png", "..", RECORD_NAME, ""])
def test_a_record_naming_a_file_outside_its_folder_is_skipped(
    tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    library = Library(tmp_path / "lib")
    sky = make_sky(library, "00000000000000aa")
    record = json.loads((sky.folder / RECORD_NAME).read_text())
    record["files"][0]["name"] = name
    (sky.folder / RECORD_NAME).write_text(json.dumps(record))
    assert library.skies() == []
    assert "00000000000000aa" in caplog.text and "not a readable sky" in caplog.text


@pytest.mark.parametrize("damage", ["", "{", '{"format": "other"}', '{"format": "skyasset-studio-sky", "version": 9}'])
def test_a_damaged_record_is_skipped_not_fatal(tmp_path: Path, damage: str) -> None:
    library = Library(tmp_path / "lib")
    good = make_sky(library, "00000000000000aa")
    bad = make_sky(library, "00000000000000bb")
    (bad.folder / RECORD_NAME).write_text(damage)
    assert library.skies() == [good]


def test_saved_settings_without_a_seed_do_not_stop_the_studio_starting(tmp_path: Path) -> None:
    """The record itself is well formed; its params are not: the queue lists the good sky and skips that one."""
    library = Library(tmp_path / "lib")
    good = make_sky(library, "00000000000000aa")
    bad = make_sky(library, "00000000000000bb")
    record = json.loads((bad.folder / RECORD_NAME).read_text())
    del record["params"]["seed"]
    (bad.folder / RECORD_NAME).write_text(json.dumps(record))
    queue = JobQueue(lambda job, report: None, library)
    try:
        assert [job.id for job in queue.recent()] == [good.id]
    finally:
        queue.close()


def test_a_sky_deleted_by_another_studio_is_forgotten_here_too(tmp_path: Path) -> None:
    """Two studios on one library: the second deletes a sky; the first answers "not found" once and drops it."""
    library = Library(tmp_path / "lib")
    kept = make_sky(library, "00000000000000aa")
    gone = make_sky(library, "00000000000000bb")
    queue = JobQueue(lambda job, report: None, library)
    try:
        Library(tmp_path / "lib").delete(gone.id)  # the other studio
        with pytest.raises(SkyassetError) as err:
            queue.delete(gone.id)
        assert err.value.code == "input_not_found"
        assert [job.id for job in queue.recent()] == [kept.id]
    finally:
        queue.close()


def test_a_library_path_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SkyassetError) as caught:
        Library(tmp_path / "file")
    assert "--library" in caught.value.message


def test_the_zip_holds_exactly_the_files_in_order(tmp_path: Path) -> None:
    files = []
    for name, data in [("a.png", os.urandom(3_000_000)), ("a.hdr", b"#?RADIANCE\n" * 1000), ("a.json", b"{}")]:
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    pieces = list(zip_stream(files))
    assert len(pieces) > 3 and all(pieces)  # sent in pieces as it is made
    with zipfile.ZipFile(BytesIO(b"".join(pieces))) as archive:
        assert archive.namelist() == ["a.png", "a.hdr", "a.json"]
        assert archive.testzip() is None
        for path in files:
            assert archive.read(path.name) == path.read_bytes()
        assert archive.getinfo("a.png").compress_type == zipfile.ZIP_STORED  # already compressed
        assert archive.getinfo("a.hdr").compress_type == zipfile.ZIP_DEFLATED


@pytest.mark.parametrize(
    ("seam", "period", "words"),
    [
        (0.85, -0.02, "Seamless all round, no repeating pattern."),
        (2.0, 0.1, "A faint seam"),
        (5.0, 0.1, "A visible seam"),
        (0.9, 0.45, "some clouds repeat"),
        (0.9, 0.95, "the clouds repeat around the horizon"),
    ],
)
def test_scores_in_plain_words(seam: float, period: float, words: str) -> None:
    assert words in describe_scores(seam, period)
