"""``--method native``: the canvas graph (one pass that goes all the way round) and its panorama."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from typer.testing import CliRunner

from skyasset.api import generate
from skyasset.assets.metrics import period_correlation, wrap_seam_score
from skyasset.assets.native import NativeOptions, assemble_native, canvas_horizon, canvas_scales, row_scales
from skyasset.assets.panorama import assemble_panorama
from skyasset.bundle import load_bundle
from skyasset.cli.app import app
from skyasset.errors import SkyassetError
from skyasset.generator import SkyGenerator
from training.canvas import MARGIN, CanvasSynthesis
from training.networks import Generator, get_config

TILES = 6


@pytest.fixture(scope="module")
def tiny_G() -> Generator:
    """The tiny generator of tests/data/make_tiny_bundle.py (same seed, so the same weights)."""
    torch.manual_seed(2026)
    return Generator(**get_config("tiny").generator_kwargs()).eval().requires_grad_(False)


def _tile_inputs(G: Generator, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    c = torch.zeros([TILES, G.c_dim])
    c[:, 7] = 1
    ws = G.mapping(torch.randn([TILES, G.z_dim], generator=gen), c)
    return ws, torch.randint(0, 4, [TILES], generator=gen)


def test_canvas_of_one_style_is_the_generator_on_a_widened_constant(tiny_G: Generator) -> None:
    """Ties the canvas to the real synthesis network: with every tile on the same style and no turns it must
    be the plain generator run over a constant repeated T + 2 MARGIN times (middle T tiles), exactly, so a
    wrong style index, gain or demodulation in the canvas shows here."""
    c = torch.zeros([1, tiny_G.c_dim])
    c[:, 3] = 1
    w = tiny_G.mapping(torch.randn([1, tiny_G.z_dim], generator=torch.Generator().manual_seed(4)), c)
    with torch.no_grad():
        canvas = CanvasSynthesis(tiny_G.synthesis, TILES).eval()(
            w.expand(TILES, -1, -1).contiguous(), torch.zeros(TILES, dtype=torch.long)
        )
        const = tiny_G.synthesis.b4.const.data.clone()
        try:
            tiny_G.synthesis.b4.const.data = const.repeat(1, 1, TILES + 2 * MARGIN)
            wide = tiny_G.synthesis(w, noise_mode="none")
        finally:
            tiny_G.synthesis.b4.const.data = const
    side = wide.shape[2]
    middle = wide[..., side * MARGIN : side * (MARGIN + TILES)]
    assert canvas.shape == middle.shape
    assert float((canvas - middle).abs().max()) < 1e-4 * float(middle.max() - middle.min())


def test_canvas_is_a_loop_turning_the_tiles_turns_the_canvas(tiny_G: Generator) -> None:
    """Tile styles and constant turns moved one tile along give the same canvas moved one tile along: the canvas
    has no start and no end, so its wrap is as seamless as any other column (which a canvas with edges is not)."""
    canvas = CanvasSynthesis(tiny_G.synthesis, TILES).eval()
    ws, turns = _tile_inputs(tiny_G, 1)
    side = tiny_G.img_resolution
    with torch.no_grad():
        img = canvas(ws, turns)
        moved = canvas(torch.roll(ws, 1, dims=0), torch.roll(turns, 1))
    assert img.shape == (1, 3, side, TILES * side)
    error = float((moved - torch.roll(img, side, dims=3)).abs().max())
    assert error < 1e-3 * float(img.max() - img.min())
    # The turns matter: the same styles with the constant turned otherwise give another sky.
    with torch.no_grad():
        other = canvas(ws, (turns + 1) % 4)
    assert float((other - img).abs().mean()) > 0.05 * float(img.abs().mean())


def test_canvas_graph_in_the_bundle_matches_pytorch_for_any_turns(tiny_bundle_path: Path, tiny_G: Generator) -> None:
    bundle = load_bundle(tiny_bundle_path)
    session = ort.InferenceSession(str(bundle.graphs["canvas"].path), providers=["CPUExecutionProvider"])
    canvas = CanvasSynthesis(tiny_G.synthesis, TILES, "const", noise_seed=2026).eval()  # as make_tiny_bundle
    for seed in (3, 4):  # inputs other than the export's own trace inputs
        ws, turns = _tile_inputs(tiny_G, seed)
        with torch.no_grad():
            expected = canvas(ws, turns).numpy()
        actual = session.run(["img"], {"ws_tiles": ws.numpy(), "turns": turns.numpy()})[0]
        assert np.abs(actual - expected).max() < 1e-4 * np.ptp(expected)


def test_generator_canvas_is_seeded_and_goes_round(tiny_bundle_path: Path) -> None:
    gen = SkyGenerator(tiny_bundle_path, providers=["CPUExecutionProvider"])
    assert gen.has_canvas and gen.canvas_tiles == TILES
    a = gen.canvas("Cu", 11, psi=0.7)
    r = gen.resolution
    assert a.shape == (r, TILES * r, 3) and a.dtype == np.float32 and 0.0 <= a.min() and a.max() <= 1.0
    np.testing.assert_array_equal(a, gen.canvas("cumulus", 11, psi=0.7))
    assert np.abs(a - gen.canvas("Cu", 12, psi=0.7)).mean() > 0.01
    # The wrap (last column -> first) is a step like those between neighbouring columns elsewhere, not a jump
    # between unrelated columns (half a canvas apart: ~0.25 on this random model, against steps of <= 0.07).
    steps = np.abs(np.diff(a, axis=1)).mean(axis=(0, 2))
    wrap = np.abs(a[:, 0] - a[:, -1]).mean()
    half = a.shape[1] // 2
    unrelated = np.abs(a[:, :half] - a[:, half:]).mean()
    assert wrap < 1.2 * steps.max() and wrap < 0.4 * unrelated


def _striped_canvas(side: int = 64, tiles: int = TILES, horizon: float = 0.75) -> np.ndarray:
    """Blue sky with one white stripe at the centre of tile 0 and dark ground below ``horizon``."""
    canvas = np.zeros((side, side * tiles, 3), np.float32)
    canvas[:] = (0.35, 0.55, 0.9)
    canvas[:, side // 2 - 2 : side // 2 + 2] = 1.0
    canvas[int(horizon * side) :] = (0.1, 0.09, 0.08)
    return canvas


def test_native_panorama_puts_tile_zero_at_the_centre_and_the_horizon_on_the_horizon() -> None:
    canvas = _striped_canvas()
    assert canvas_horizon(canvas).row == pytest.approx(0.75, abs=0.03)
    pano = assemble_native(canvas, 512, NativeOptions(ground="solid"))
    h, w = pano.shape[:2]
    assert (h, w) == (256, 512)
    row = int(h * 0.45)  # just above the horizon, inside the canvas's sky
    brightest = int(np.argmax(pano[row].sum(axis=1)))
    assert abs(brightest - w // 2) <= 3  # tile 0's centre looks at yaw 0: the panorama's centre
    assert pano[row, w // 2 + w // 8].sum() < pano[row, brightest].sum() - 0.3  # and only there
    # The sky band sits above the horizon (row h / 2), the solid ground fill below it.
    assert pano[h // 2 - 8 : h // 2 - 2].mean() > 0.4
    np.testing.assert_allclose(pano[h // 2 + 8 :].reshape(-1, 3).mean(axis=0), (0.35, 0.36, 0.38), atol=0.02)


def test_native_panorama_reaches_as_high_as_its_cylinder_says() -> None:
    """A canvas H tall with its horizon at the bottom spans atan(H / (s f)) above the horizon at each longitude,
    f = W / (2 pi) and s the canvas's vertical scale there, which wanders round the sky by ROW_WANDER."""
    side = 64
    canvas = np.full((side, side * TILES, 3), 0.5, np.float32)
    canvas[:2] = 1.0  # a bright line along the canvas's top edge
    pano = assemble_native(canvas, 1024, NativeOptions(detect=False, top_feather=0.02))
    h, w = pano.shape[:2]
    longitude = ((np.arange(w) + 0.5) / w - 0.5) * 2.0 * math.pi
    expected = np.degrees(np.arctan(side / (side * TILES / (2 * math.pi) * canvas_scales(canvas, longitude))))
    bright = pano[: h // 2, :, 0] > 0.6  # the line, and the cap above it filled with its colour
    rows = h // 2 - 1 - np.argmax(bright[::-1], axis=0)  # each column's lowest bright row: the line
    elevation = 90.0 - (rows + 0.5) / (h / 2) * 90.0
    assert np.abs(elevation - expected).max() < 1.5
    assert np.ptp(expected) > 5.0  # the canvas's top is no circle round the viewer


def test_row_scales_span_their_range_smoothly_and_go_round() -> None:
    longitude = np.linspace(-math.pi, math.pi, 3601)
    scales = row_scales(longitude, seed=3, wander=1.3)
    assert scales.min() == pytest.approx(1 / 1.3, rel=1e-3) and scales.max() == pytest.approx(1.3, rel=1e-3)
    assert scales[0] == pytest.approx(scales[-1])  # periodic: no step where the panorama's ends meet
    assert np.abs(np.diff(np.log(scales))).max() < 0.01  # no jumps: at most 4 cycles round the sky
    np.testing.assert_array_equal(scales, row_scales(longitude, seed=3, wander=1.3))
    assert not np.allclose(scales, row_scales(longitude, seed=4, wander=1.3))


def test_native_panorama_is_seamless_and_has_no_period() -> None:
    rng = np.random.default_rng(0)
    side = 48
    # Smooth random clouds across a canvas that wraps (a periodic blur of noise).
    noise = rng.random((side, side * TILES)).astype(np.float32)
    spectrum = np.fft.fft2(noise)
    fy, fx = np.meshgrid(np.fft.fftfreq(side), np.fft.fftfreq(side * TILES), indexing="ij")
    clouds = np.real(np.fft.ifft2(spectrum * np.exp(-(fx**2 + fy**2) * 400.0)))
    clouds = (clouds - clouds.min()) / np.ptp(clouds)
    canvas = np.stack([0.4 + 0.6 * clouds, 0.55 + 0.45 * clouds, np.full_like(clouds, 0.95)], axis=-1)
    pano = assemble_panorama(canvas[None].astype(np.float32), "native", 1024, NativeOptions(detect=False))
    assert wrap_seam_score(pano) < 1.2
    assert period_correlation(pano) < 0.3


def test_native_options_are_checked() -> None:
    with pytest.raises(SkyassetError, match="top_feather"):
        NativeOptions(top_feather=0.0)
    with pytest.raises(SkyassetError, match="ground"):
        NativeOptions(ground="lava")  # type: ignore[arg-type]
    with pytest.raises(SkyassetError, match="360 degrees across"):
        assemble_native(np.zeros((64, 32, 3), np.float32))
    with pytest.raises(SkyassetError, match="NativeOptions do not fit"):
        assemble_panorama(np.zeros((1, 32, 192, 3), np.float32), "ring", 256, NativeOptions())


def test_generate_native_writes_a_skybox(tiny_bundle_path: Path, tmp_path: Path) -> None:
    result = generate("Cu", 5, tmp_path / "sky.png", method="native", layout="faces", size=512, model=tiny_bundle_path)
    assert result.method == "native" and sum(p.suffix == ".png" for p in result.outputs) == 6
    assert all(p.is_file() for p in result.outputs)


def _without_canvas(bundle: Path) -> Path:
    meta_path = bundle / "skyasset-bundle.json"
    meta = json.loads(meta_path.read_text())
    del meta["graphs"]["canvas"]
    meta_path.write_text(json.dumps(meta))
    (bundle / "canvas.onnx").unlink()
    return bundle


def test_native_on_a_bundle_without_canvas_says_how_to_fix_and_writes_nothing(
    tiny_bundle_copy: Path, tmp_path: Path
) -> None:
    bundle = _without_canvas(tiny_bundle_copy)
    out = tmp_path / "out"
    args = ["generate", "--cloud", "Cu", "--seed", "1", "--method", "native", "--model", str(bundle)]
    run = CliRunner().invoke(app, [*args, "--out", str(out / "sky.png"), "--json"])
    assert run.exit_code == 2
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "invalid_argument" and "no canvas graph" in error["message"]
    assert "--method ring" in error["message"] and "skyasset-train export" in error["message"]
    assert not out.exists()
    # The rest of the bundle works as before.
    assert SkyGenerator(tiny_bundle_copy).generate("Cu", [0]).shape[0] == 1


def test_the_default_method_is_native_with_a_canvas_graph_else_ring(
    tiny_bundle_path: Path, tiny_bundle_copy: Path, tmp_path: Path
) -> None:
    args = ["generate", "-c", "Cu", "-s", "3", "--size", "256", "--json"]
    with_canvas = CliRunner().invoke(app, [*args, "--model", str(tiny_bundle_path), "-o", str(tmp_path / "a.png")])
    assert with_canvas.exit_code == 0, with_canvas.stdout
    assert json.loads(with_canvas.stdout)["method"] == "native"
    bundle = _without_canvas(tiny_bundle_copy)
    without = CliRunner().invoke(app, [*args, "--model", str(bundle), "-o", str(tmp_path / "b.png")])
    assert without.exit_code == 0, without.stdout
    assert json.loads(without.stdout)["method"] == "ring"
    bench = ["bench", "skybox", "--classes", "Cu", "--seeds", "1", "--width", "256", "--face-size", "64", "--json"]
    for model, expected in ((tiny_bundle_path, "native"), (bundle, "ring")):
        run = CliRunner().invoke(app, [*bench, "--model", str(model)])
        assert run.exit_code == 0, run.stdout
        assert json.loads(run.stdout)["method"] == expected
    refused = CliRunner().invoke(app, [*bench, "--model", str(bundle), "--method", "native"])
    assert refused.exit_code == 2
    assert "no canvas graph" in json.loads(refused.stdout)["error"]["message"]


def test_a_damaged_canvas_graph_is_caught_at_load(tiny_bundle_copy: Path) -> None:
    path = tiny_bundle_copy / "canvas.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(SkyassetError) as info:
        load_bundle(tiny_bundle_copy)
    assert info.value.code == "bundle_checksum_mismatch" and "canvas.onnx" in info.value.message


def test_export_without_canvas(tiny_G: Generator, tmp_path: Path) -> None:
    from training.export import export_bundle

    out = export_bundle(
        tiny_G, tmp_path / "b", model_id="t", license="CC0-1.0", mean_samples=8, canvas_tiles=0, verbose=False
    )
    assert "canvas" not in load_bundle(out).graphs and not (out / "canvas.onnx").exists()
    with pytest.raises(SkyassetError, match="canvas_tiles"):
        export_bundle(tiny_G, tmp_path / "c", model_id="t", license="CC0-1.0", canvas_tiles=1)
    shutil.rmtree(out)


def test_canvas_noise_is_canvas_wide_and_continues_across_the_seam(tiny_G: Generator) -> None:
    import copy

    G = copy.deepcopy(tiny_G)
    for name, p in G.synthesis.named_parameters():
        if name.endswith("noise_strength"):
            p.data.fill_(0.5)  # the random tiny model's strengths are 0
    noisy = CanvasSynthesis(G.synthesis, TILES, "const", noise_seed=1).eval()
    side_of = {b: getattr(noisy, b).shape[0] for b in noisy.noise_names.values()}
    assert side_of  # every noise input of the tiny config has a buffer
    for name, side in side_of.items():
        noise = getattr(noisy, name)
        kept = noise[:, 2 * side : -2 * side]
        assert kept.shape[1] == TILES * side
        # The spare tiles repeat the kept noise's far ends: the noise wraps like the canvas.
        torch.testing.assert_close(noise[:, : 2 * side], kept[:, -2 * side :])
        torch.testing.assert_close(noise[:, -2 * side :], kept[:, : 2 * side])
        # One noise per canvas, not one view's noise tiled: tiles differ.
        assert float((kept[:, :side] - kept[:, side : 2 * side]).abs().mean()) > 0.5
    ws, turns = _tile_inputs(G, 2)
    with torch.no_grad():
        quiet = CanvasSynthesis(G.synthesis, TILES).eval()(ws, turns)
        loud = noisy(ws, turns)
    assert float((loud - quiet).abs().mean()) > 0.01
