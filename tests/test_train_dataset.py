"""Dataset prep: class folders / dataset.json -> archive, duplicates, unconditional variant, loader."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from skyasset.errors import SkyassetError
from tests._train_helpers import CCSN, write_photo
from training.dataset import ImageArchive, prepare_dataset


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for i in range(3):
        write_photo(src / "Cu" / f"cu{i}.png", i)
    for i in range(2):
        write_photo(src / "St" / f"st{i}.png", 10 + i)
    shutil.copy(src / "Cu" / "cu0.png", src / "Cu" / "cu0_copy.png")  # within-class duplicate
    shutil.copy(src / "Cu" / "cu1.png", src / "St" / "st_dup.png")  # cross-class duplicate
    return src


def test_prepare_class_folders_dedup_and_counts(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds.zip"
    report = prepare_dataset(tree, out, resolution=16, image_format="png")
    assert report.duplicates_within_class == [["Cu/cu0", "Cu/cu0_copy"]]
    assert report.duplicates_cross_class == [["Cu/cu1", "St/st_dup"]]
    assert sorted(report.removed) == ["Cu/cu0_copy", "Cu/cu1", "St/st_dup"]  # 'drop' removes both copies
    assert report.class_counts == {"Cu": 2, "St": 2}
    with zipfile.ZipFile(out) as zf:
        meta = json.loads(zf.read("dataset.json"))
    assert meta["labels"] == [["Cu/cu0.png", 0], ["Cu/cu2.png", 0], ["St/st0.png", 1], ["St/st1.png", 1]]
    assert [c["code"] for c in meta["classes"]] == ["Cu", "St"]
    assert meta["classes"][0]["name"] == "cumulus"
    ds = ImageArchive(out)
    img, c = ds[2]
    assert img.shape == (3, 16, 16) and img.dtype == np.uint8
    assert c.tolist() == [0.0, 1.0] and ds.c_dim == 2

    keep = prepare_dataset(tree, tmp_path / "keep.zip", resolution=16, cross_class="keep-first")
    assert keep.class_counts == {"Cu": 3, "St": 2}


def test_center_crop_keeps_the_middle(tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "src" / "Cu"
    src.mkdir(parents=True)
    arr = np.zeros((8, 24, 3), np.uint8)
    arr[:, 8:16] = 255  # a white middle third: the centre crop is all white
    Image.fromarray(arr).save(src / "wide.png")
    prepare_dataset(tmp_path / "src", tmp_path / "c.zip", resolution=8, image_format="png")
    prepare_dataset(tmp_path / "src", tmp_path / "s.zip", resolution=8, image_format="png", crop="stretch")
    assert ImageArchive(tmp_path / "c.zip")[0][0].min() == 255
    assert ImageArchive(tmp_path / "s.zip")[0][0].min() < 50


def test_unconditional_and_dataset_json_input(tree: Path, tmp_path: Path) -> None:
    report = prepare_dataset(tree, tmp_path / "u.zip", resolution=8, unconditional=True)
    assert report.class_counts == {"all": 5}  # 6 distinct files minus nothing cross-class; one copy dropped
    ds = ImageArchive(tmp_path / "u.zip")
    assert ds.c_dim == 0 and len(ds) == 5 and ds[0][1].shape == (0,)
    labelled = ImageArchive(tmp_path / "u.zip", use_labels=False)
    assert labelled.c_dim == 0

    flat = tmp_path / "flat"
    for i in range(4):
        write_photo(flat / f"img{i}.jpg", 100 + i)
    (flat / "dataset.json").write_text(json.dumps({"labels": [[f"img{i}.jpg", i % 2] for i in range(4)]}))
    r = prepare_dataset(flat, tmp_path / "f.zip", resolution=8)
    assert r.class_counts == {"0": 2, "1": 2}
    assert ImageArchive(tmp_path / "f.zip").labels.tolist() == [0, 1, 0, 1]


def test_prepare_errors(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(SkyassetError) as e:
        prepare_dataset(tmp_path / "missing", tmp_path / "x.zip")
    assert e.value.code == "input_not_found"
    out = tmp_path / "x.zip"
    prepare_dataset(tree, out, resolution=8)
    with pytest.raises(SkyassetError) as e:
        prepare_dataset(tree, out, resolution=8)
    assert e.value.code == "output_exists"
    with pytest.raises(SkyassetError) as e:
        prepare_dataset(tree, out, resolution=24, force=True)
    assert e.value.code == "invalid_argument"
    with pytest.raises(SkyassetError) as e:
        ImageArchive(tmp_path / "nope.zip")
    assert e.value.code == "input_not_found"


@pytest.mark.skipif(not CCSN.is_dir(), reason="CCSN photos not found at ../shared/datasets/ccsn")
def test_ccsn_cross_class_duplicates_are_the_known_three(tmp_path: Path) -> None:
    report = prepare_dataset(CCSN, tmp_path / "ccsn.zip", resolution=8, max_images=2)
    pairs = sorted(tuple(sorted(g)) for g in report.duplicates_cross_class)
    assert pairs == [("Ac/Ac-N186", "As/As-N139"), ("Ac/Ac-N202", "As/As-N175"), ("Cc/Cc-N179", "Cs/Cs-N244")]
    assert len(report.duplicates_within_class) == 14  # 17 identical pairs, 3 of them across classes
    assert report.class_counts == {c: 2 for c in ["Ac", "As", "Cb", "Cc", "Ci", "Cs", "Ct", "Cu", "Ns", "Sc", "St"]}
