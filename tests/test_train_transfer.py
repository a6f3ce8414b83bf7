"""Snapshots (tensors + JSON, weights_only) and the unconditional -> conditional splice with its report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from skyasset.errors import SkyassetError  # noqa: E402
from tests._train_helpers import one_torch_thread  # noqa: E402, F401
from training.networks import Discriminator, Generator, get_config  # noqa: E402
from training.snapshot import build_networks, load_snapshot, save_snapshot  # noqa: E402
from training.transfer import transfer_into  # noqa: E402


def _nets(c_dim: int, seed: int) -> tuple[Generator, Discriminator, Generator]:
    cfg = get_config("tiny")
    gk, dk = cfg.generator_kwargs(), cfg.discriminator_kwargs()
    gk["c_dim"] = dk["c_dim"] = c_dim
    torch.manual_seed(seed)
    G, D = Generator(**gk), Discriminator(**dk)
    G_ema = Generator(**gk)
    with torch.no_grad():
        for p in G_ema.parameters():
            p.normal_()
    return G, D, G_ema


def _save(path: Path, G, D, G_ema, kind: str = "full") -> Path:
    meta = {"kimg": 1.5, "G_kwargs": G.init_kwargs, "D_kwargs": D.init_kwargs, "augment_p": 0.25}
    return save_snapshot(path, G_ema=G_ema, D=D, G=G, meta=meta, kind=kind)  # type: ignore[arg-type]


def test_snapshot_round_trip_full_and_compact(tmp_path: Path) -> None:
    G, D, G_ema = _nets(11, 0)
    snap = load_snapshot(_save(tmp_path / "full.pt", G, D, G_ema))
    assert snap.kind == "full" and snap.kimg == 1.5 and snap.meta["augment_p"] == 0.25
    G2, D2, E2 = build_networks(snap)
    for a, b in ((G, G2), (D, D2), (G_ema, E2)):
        for (n, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
            assert torch.equal(x, y), n
    compact = load_snapshot(_save(tmp_path / "compact.pt", G, D, G_ema, "compact"))
    assert compact.G is None and all(t.dtype == torch.float16 for t in compact.D.values() if t.is_floating_point())
    G3, _, E3 = build_networks(compact)  # G resumes from G_ema
    assert torch.equal(G3.state_dict()["synthesis.b4.const"], E3.state_dict()["synthesis.b4.const"])
    assert os.path.getsize(tmp_path / "compact.pt") < 0.6 * os.path.getsize(tmp_path / "full.pt")


def test_snapshot_loader_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    torch.save({"format": "skyasset-train-snapshot", "version": 1, "meta": Evil()}, path)
    with pytest.raises(SkyassetError) as e:
        load_snapshot(path)
    assert e.value.code == "snapshot_invalid" and not marker.exists()


def _expected(src: dict, dst: dict) -> tuple[set, set, set]:
    copied = {k for k in dst if k in src and src[k].shape == dst[k].shape}
    skipped = {k for k in dst if k in src and src[k].shape != dst[k].shape}
    fresh = {k for k in dst if k not in src}
    return copied, skipped, fresh


@pytest.mark.parametrize("parts", ["G+D", "G", "D"])
def test_unconditional_to_conditional_splice(tmp_path: Path, parts: str) -> None:
    src_G, src_D, src_E = _nets(0, 1)
    path = _save(tmp_path / "uncond.pt", src_G, src_D, src_E)
    G, D, G_ema = _nets(11, 2)
    fresh_G, fresh_D = (
        {k: v.clone() for k, v in G.state_dict().items()},
        {k: v.clone() for k, v in D.state_dict().items()},
    )
    report = transfer_into(path, G=G, D=D, G_ema=G_ema, parts=parts)  # type: ignore[arg-type]

    checks = [("G", G, src_G, fresh_G), ("D", D, src_D, fresh_D)]
    for name, net, src, fresh in checks:
        active = parts == "G+D" or parts == name
        assert (name in report.networks) == active
        dst = net.state_dict()
        if not active:
            assert all(torch.equal(dst[k], fresh[k]) for k in dst)  # untouched
            continue
        copied, skipped, fresh_names = _expected(src.state_dict(), dst)
        r = report.networks[name]
        assert set(r.copied) == copied and {s["name"] for s in r.skipped} == skipped and set(r.fresh) == fresh_names
        for k in copied:  # bit-exact copies
            assert torch.equal(dst[k], src.state_dict()[k]), k
        for k in skipped | fresh_names:  # fresh initialisation kept
            assert torch.equal(dst[k], fresh[k]), k
    if parts != "D":
        r = report.networks["G"]
        assert "mapping.embed.weight" in r.fresh and any(s["name"] == "mapping.fc0.weight" for s in r.skipped)
        assert "synthesis.b4.const" in r.copied
        assert r.counts()["copied"] == len(src_G.state_dict()) - 1  # all but mapping.fc0.weight
        assert torch.equal(G_ema.state_dict()["synthesis.b4.const"], src_E.state_dict()["synthesis.b4.const"])
    if parts != "G":
        r = report.networks["D"]
        assert any(n.startswith("mapping.") for n in r.fresh)  # D's class embedding is new
        assert r.counts()["skipped"] >= 1  # b4.out changes from 1 output to cmap_dim
