"""The restricted NVlabs pickle loader: rebuilds tensors and plain data, refuses anything that would run code."""

from __future__ import annotations

import io
import os
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skyasset.errors import SkyassetError  # noqa: E402
from tests._train_helpers import one_torch_thread  # noqa: E402, F401
from training.nvlabs_pickle import load_nvlabs_pickle, restricted_loads  # noqa: E402


class _Evil:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _EvalEvil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').write('x')",))


def test_refuses_os_system_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"G": _Evil(marker)}))
    pickle.loads(pickle.dumps(_Evil(tmp_path / "control")))  # the payload really works with plain pickle
    assert (tmp_path / "control").exists()
    with pytest.raises(SkyassetError) as info:
        load_nvlabs_pickle(path)
    assert info.value.code == "unsafe_pickle"
    assert "system" in info.value.message
    assert not marker.exists()


def test_refuses_eval_nested_deep_in_state(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"G_ema": {"_parameters": {"w": torch.zeros(2)}, "extra": [1, {"x": _EvalEvil(marker)}]}})
    with pytest.raises(SkyassetError) as info:
        restricted_loads(payload)
    assert info.value.code == "unsafe_pickle"
    assert "eval" in info.value.message
    assert not marker.exists()


def test_refuses_unknown_class_and_garbage() -> None:
    with pytest.raises(SkyassetError, match="collections.Counter"):
        restricted_loads(pickle.dumps({"a": __import__("collections").Counter("ab")}))
    with pytest.raises(SkyassetError) as info:
        restricted_loads(b"not a pickle at all")
    assert info.value.code == "unsafe_pickle"


# --- A crafted pickle with the structure NVlabs' torch_utils.persistence writes -------------------------------


class _Fc(torch.nn.Module):
    def __init__(self, i: int, o: int) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i))
        self.bias = torch.nn.Parameter(torch.zeros(o))
        self.weight_gain = np.float32(1 / np.sqrt(i))  # NVlabs stores numpy scalars like this


class _Mapping(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc0 = _Fc(8, 8)
        self.fc1 = _Fc(8, 8)
        self.register_buffer("w_avg", torch.randn(8))
        self.register_buffer("scratch", torch.ones(3), persistent=False)


class _Gen(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.mapping = _Mapping()
        self.blocks = torch.nn.ModuleList([_Fc(8, 4)])  # a plain torch container, not persistent
        self.const = torch.nn.Parameter(torch.randn(4, 2, 2).to(torch.float16))
        self.act_gain = np.sqrt(2.0)  # numpy float64


def _nvlabs_like_pickle(nets: dict[str, torch.nn.Module], extras: dict, module_src: str) -> bytes:
    """Pickle ``nets`` the way NVlabs' persistent_class.__reduce__ does, faking its module names."""
    persistence = types.ModuleType("torch_utils.persistence")
    dnnlib_util = types.ModuleType("dnnlib.util")

    def _reconstruct_persistent_obj(meta):  # never called on load by the restricted loader
        raise AssertionError("must not run")

    _reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
    _reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"
    persistence._reconstruct_persistent_obj = _reconstruct_persistent_obj

    class EasyDict(dict):
        pass

    EasyDict.__module__ = "dnnlib.util"
    EasyDict.__qualname__ = "EasyDict"
    dnnlib_util.EasyDict = EasyDict

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, torch.nn.Module) and not type(obj).__module__.startswith("torch."):
                state = dict(obj.__dict__)
                state["_init_args"] = ()
                kwargs = getattr(obj, "init_kwargs", None) or dict(z_dim=8, mapping_kwargs=dict(num_layers=2))
                state["_init_kwargs"] = EasyDict(
                    {k: EasyDict(v) if isinstance(v, dict) else v for k, v in kwargs.items()}
                )
                meta = dict(type="class", version=4, module_src=module_src, class_name=type(obj).__name__, state=state)
                return (_reconstruct_persistent_obj, (meta,))
            return NotImplemented

    saved = {k: sys.modules.get(k) for k in ("torch_utils", "torch_utils.persistence", "dnnlib", "dnnlib.util")}
    sys.modules.update(
        {
            "torch_utils": types.ModuleType("torch_utils"),
            "torch_utils.persistence": persistence,
            "dnnlib": types.ModuleType("dnnlib"),
            "dnnlib.util": dnnlib_util,
        }
    )
    try:
        buf = io.BytesIO()
        data = dict(extras)
        data.update({k: v.eval().requires_grad_(False) for k, v in nets.items()})
        data["training_set_kwargs"] = EasyDict(path="ccsn.zip", use_labels=True, max_size=2543)
        Pickler(buf, protocol=4).dump(data)
        return buf.getvalue()
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def test_nvlabs_like_round_trip_is_bit_exact_and_never_runs_module_src(tmp_path: Path) -> None:
    marker = tmp_path / "module_src_ran"
    src = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    torch.manual_seed(0)
    g, d = _Gen(), _Mapping()
    path = tmp_path / "network-snapshot-000100.pkl"
    path.write_bytes(_nvlabs_like_pickle({"G": g, "G_ema": g, "D": d}, {"augment_pipe": None}, src))
    # Plain pickle would need the NVlabs modules; the restricted loader needs nothing and runs nothing.
    result = load_nvlabs_pickle(path)
    assert not marker.exists()
    assert set(result.networks) == {"G", "G_ema", "D"}
    assert result.extras["augment_pipe"] is None
    assert result.extras["training_set_kwargs"] == {"path": "ccsn.zip", "use_labels": True, "max_size": 2543}
    net = result.networks["G_ema"]
    assert net.class_name == "_Gen"
    assert net.init_kwargs == {"z_dim": 8, "mapping_kwargs": {"num_layers": 2}}
    expected = g.state_dict()
    assert list(net.state_dict) == list(expected)  # same names and order, non-persistent buffer left out
    assert "mapping.scratch" not in net.state_dict
    for name, tensor in expected.items():
        assert net.state_dict[name].dtype == tensor.dtype
        assert torch.equal(net.state_dict[name], tensor), name
    assert set(result.networks["D"].state_dict) == set(d.state_dict())


def test_import_nvlabs_cli_rebuilds_our_networks_bit_exactly(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from training.cli import app
    from training.networks import Discriminator, Generator, get_config
    from training.snapshot import build_networks, load_snapshot

    cfg = get_config("tiny")
    torch.manual_seed(3)
    G, D = Generator(**cfg.generator_kwargs()), Discriminator(**cfg.discriminator_kwargs())
    marker = tmp_path / "ran"
    pkl = tmp_path / "network-snapshot-000200.pkl"
    pkl.write_bytes(
        _nvlabs_like_pickle(
            {"G": G, "G_ema": G, "D": D}, {"augment_pipe": None}, f"open({str(marker)!r}, 'w').write('x')"
        )
    )
    out = tmp_path / "imported.pt"
    res = CliRunner().invoke(app, ["import-nvlabs", str(pkl), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert not marker.exists()
    snap = load_snapshot(out)
    G2, D2, E2 = build_networks(snap)
    for a, b in ((G, G2), (G, E2), (D, D2)):
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb)
        assert all(torch.equal(sa[k], sb[k]) for k in sa)
    res = CliRunner().invoke(app, ["import-nvlabs", str(pkl), "--out", str(out)])
    assert res.exit_code == 4 and "output_exists" in res.output


class _ForgedArray:
    """Pickles as numpy's own array reconstruction, with a forged placeholder shape and optional state."""

    def __init__(self, shape: tuple[int, ...], state: tuple | None) -> None:
        self.shape, self.state = shape, state

    def __reduce__(self):  # type: ignore[no-untyped-def]
        rebuild = (np._core.multiarray._reconstruct, (np.ndarray, self.shape, b"b"))
        return rebuild if self.state is None else (*rebuild, self.state)


def test_a_forged_huge_numpy_array_is_refused_not_allocated() -> None:
    # 10**13 bytes asked for by the placeholder shape: never allocated (it would be a MemoryError or worse).
    loaded = restricted_loads(pickle.dumps({"extra": _ForgedArray((10**13,), None)}))
    assert loaded["extra"].nbytes == 0
    # A state whose shape claims far more than its bytes hold is refused.
    state = (1, (10**13,), np.dtype("float32"), False, b"\0" * 8)
    with pytest.raises(SkyassetError) as caught:
        restricted_loads(pickle.dumps({"extra": _ForgedArray((0,), state)}))
    assert caught.value.code == "unsafe_pickle"
