"""training.networks: shapes, NVlabs parameter names, resampling maths, non-fused == fused modconv."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from skyasset.errors import SkyassetError  # noqa: E402
from training.networks import CONFIGS, Discriminator, Generator, get_config  # noqa: E402
from training.networks.modconv import modulated_conv2d  # noqa: E402
from training.networks.resample import (  # noqa: E402
    conv2d_resample,
    downsample2d,
    setup_filter,
    upfirdn2d,
    upsample2d,
)

SMALL = dict(channel_base=256, channel_max=16)


def make_g(resolution: int, c_dim: int, **synthesis_kwargs) -> Generator:
    torch.manual_seed(0)
    return Generator(
        z_dim=16,
        c_dim=c_dim,
        w_dim=16,
        img_resolution=resolution,
        img_channels=3,
        mapping_kwargs=dict(num_layers=2),
        synthesis_kwargs={**SMALL, **synthesis_kwargs},
    )


def one_hot(labels: list[int], c_dim: int) -> torch.Tensor:
    return F.one_hot(torch.tensor(labels), c_dim).float()


@pytest.mark.parametrize("resolution", [32, 64, 128])
@pytest.mark.parametrize("c_dim", [0, 11])
def test_generator_shapes(resolution: int, c_dim: int) -> None:
    G = make_g(resolution, c_dim)
    n = 2
    z = torch.randn(n, 16)
    c = one_hot([3, 7], 11) if c_dim else None
    with torch.no_grad():
        ws = G.mapping(z, c)
        img = G.synthesis(ws, noise_mode="const")
        img2 = G(z, c, noise_mode="const")
    num_ws = 2 * (resolution.bit_length() - 1) - 2
    assert G.num_ws == num_ws
    assert ws.shape == (n, num_ws, 16)
    assert img.shape == (n, 3, resolution, resolution)
    assert torch.isfinite(img).all()
    torch.testing.assert_close(img, img2)


def test_resolution_1024_and_invalid() -> None:
    with torch.device("meta"):
        G = Generator(512, 11, 512, 1024, 3)
        D = Discriminator(11, 1024, 3)
    assert G.num_ws == 18
    assert [n for n, _ in G.synthesis.named_children()][-1] == "b1024"
    assert hasattr(D, "b1024") and not hasattr(D, "b4096")
    for bad in (48, 3):
        with pytest.raises(ValueError, match="power of two"):
            Generator(8, 0, 8, bad, 3)


def test_nvlabs_parameter_names_and_shapes() -> None:
    """Names/shapes of NVlabs stylegan2-ada-pytorch (ccsn256 = paper256), checked on the meta device."""
    config = get_config("ccsn256")
    with torch.device("meta"):
        G = Generator(**config.generator_kwargs())
        D = Discriminator(**config.discriminator_kwargs())
    g = {k: tuple(v.shape) for k, v in G.state_dict().items()}
    d = {k: tuple(v.shape) for k, v in D.state_dict().items()}
    expected_g = {
        "mapping.embed.weight": (512, 11),
        "mapping.embed.bias": (512,),
        "mapping.fc0.weight": (512, 1024),
        "mapping.fc7.bias": (512,),
        "mapping.w_avg": (512,),
        "synthesis.b4.const": (512, 4, 4),
        "synthesis.b4.resample_filter": (4, 4),
        "synthesis.b4.conv1.weight": (512, 512, 3, 3),
        "synthesis.b4.conv1.noise_const": (4, 4),
        "synthesis.b4.conv1.noise_strength": (),
        "synthesis.b4.conv1.affine.weight": (512, 512),
        "synthesis.b4.torgb.weight": (3, 512, 1, 1),
        "synthesis.b4.torgb.affine.bias": (512,),
        "synthesis.b8.conv0.affine.weight": (512, 512),
        "synthesis.b8.conv0.weight": (512, 512, 3, 3),
        "synthesis.b8.conv0.resample_filter": (4, 4),
        "synthesis.b8.conv0.bias": (512,),
        "synthesis.b64.conv0.weight": (256, 512, 3, 3),
        "synthesis.b256.conv1.noise_const": (256, 256),
        "synthesis.b256.torgb.weight": (3, 64, 1, 1),
        "synthesis.b256.torgb.bias": (3,),
    }
    expected_d = {
        "b256.fromrgb.weight": (64, 3, 1, 1),
        "b256.fromrgb.bias": (64,),
        "b256.resample_filter": (4, 4),
        "b256.conv0.weight": (64, 64, 3, 3),
        "b256.conv1.weight": (128, 64, 3, 3),
        "b256.skip.weight": (128, 64, 1, 1),
        "b8.conv1.weight": (512, 512, 3, 3),
        "b4.conv.weight": (512, 513, 3, 3),
        "b4.fc.weight": (512, 8192),
        "b4.out.weight": (512, 512),
        "b4.out.bias": (512,),
        "mapping.embed.weight": (512, 11),
        "mapping.fc7.weight": (512, 512),
    }
    assert {k: g.get(k) for k in expected_g} == expected_g
    assert {k: d.get(k) for k in expected_d} == expected_d
    assert "b256.skip.bias" not in d and "mapping.w_avg" not in d and not any(k.startswith("b4.mbstd") for k in d)
    assert not any(k.startswith("synthesis.b128.skip") for k in g)
    # G: mapping 2 + 8*2 + w_avg; b4: const, filter, conv1 (7), torgb (4); 6 blocks of filter, conv0, conv1, torgb.
    # D: b256 12 (fromrgb 3); 5 blocks of filter, conv0 (3), conv1 (3), skip (2); mapping 18; b4 conv, fc, out.
    assert (len(g), len(d)) == (19 + 13 + 6 * 19, 12 + 5 * 9 + 18 + 7)


def test_init_kwargs_rebuild_and_load_state_dict() -> None:
    G = make_g(32, 11)
    G2 = Generator(**G.init_kwargs)
    G2.load_state_dict(G.state_dict())
    z, c = torch.randn(2, 16), one_hot([0, 1], 11)
    with torch.no_grad():
        torch.testing.assert_close(G(z, c, noise_mode="const"), G2(z, c, noise_mode="const"))
    D = Discriminator(**get_config("tiny").discriminator_kwargs())
    Discriminator(**D.init_kwargs).load_state_dict(D.state_dict())


@pytest.mark.parametrize("c_dim", [0, 11])
def test_discriminator_runs_and_backpropagates(c_dim: int) -> None:
    torch.manual_seed(0)
    D = Discriminator(c_dim, 32, 3, channel_base=256, channel_max=16, mapping_kwargs=dict(num_layers=2))
    img = torch.randn(4, 3, 32, 32, requires_grad=True)
    c = one_hot([0, 1, 2, 10], 11) if c_dim else None
    logits = D(img, c)
    assert logits.shape == (4, 1) and torch.isfinite(logits).all()
    logits.sum().backward()
    assert img.grad is not None and img.grad.abs().sum() > 0
    assert all(p.grad is not None for p in D.parameters())
    if c_dim:  # projection conditioning: the label changes the logit
        assert not torch.allclose(logits, D(img, one_hot([5, 5, 5, 5], 11)))


def test_minibatch_stddev_groups() -> None:
    D = Discriminator(0, 32, 3, channel_base=256, channel_max=16, epilogue_kwargs=dict(mbstd_group_size=2))
    x = torch.randn(4, 16, 4, 4)
    y = D.b4.mbstd(x)
    assert y.shape == (4, 17, 4, 4)
    # Group size 2: samples 0 and 2 form one group, 1 and 3 the other.
    expected0 = (x[[0, 2]].var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
    torch.testing.assert_close(y[0, 16], torch.full((4, 4), float(expected0)))
    torch.testing.assert_close(y[2, 16], y[0, 16])


def test_upfirdn_constant_image_and_shapes() -> None:
    f = setup_filter([1, 3, 3, 1])
    assert float(f.sum()) == pytest.approx(1.0)
    x = torch.full((1, 2, 8, 8), 3.0)
    up = upsample2d(x, f)
    down = downsample2d(x, f)
    assert up.shape == (1, 2, 16, 16) and down.shape == (1, 2, 4, 4)
    torch.testing.assert_close(up[..., 2:-2, 2:-2], torch.full((1, 2, 12, 12), 3.0))
    torch.testing.assert_close(down[..., 1:-1, 1:-1], torch.full((1, 2, 2, 2), 3.0))
    # Negative padding crops.
    assert upfirdn2d(x, f, padding=(-1, -1, 0, 0)).shape == (1, 2, 5, 3)


@pytest.mark.parametrize("kernel", [1, 3])
def test_conv2d_resample_up_matches_generic_path(kernel: int) -> None:
    """Transposed-conv upsampling == zero-insert + FIR, then a 'valid' true convolution (flipped kernel).

    NVlabs' generic path flips the weight when upsampling (``flip_weight = (up == 1)``); its fast path, a
    transposed convolution with the unflipped weight, is the same operator. Weights trained by NVlabs rely on it.
    """
    torch.manual_seed(1)
    f = setup_filter([1, 3, 3, 1])
    x, w = torch.randn(2, 4, 6, 6), torch.randn(5, 4, kernel, kernel)
    p = kernel // 2
    reference = F.conv2d(upfirdn2d(x, f, up=2, padding=(2 + p, 1 + p, 2 + p, 1 + p), gain=4), w.flip([2, 3]))
    actual = conv2d_resample(x, w, f=f, up=2, padding=p)
    assert actual.shape == (2, 5, 12, 12)
    torch.testing.assert_close(actual, reference, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kernel", [1, 3])
def test_conv2d_resample_down_matches_generic_path(kernel: int) -> None:
    """Filter-then-strided-conv == 'same' convolution, then FIR + decimation."""
    torch.manual_seed(2)
    f = setup_filter([1, 3, 3, 1])
    x, w = torch.randn(2, 4, 8, 8), torch.randn(5, 4, kernel, kernel)
    p = kernel // 2
    reference = upfirdn2d(F.conv2d(F.pad(x, [p + 1] * 4), w), f, down=2)
    actual = conv2d_resample(x, w, f=f, down=2, padding=p)
    assert actual.shape == (2, 5, 4, 4)
    torch.testing.assert_close(actual, reference, atol=1e-5, rtol=1e-5)


def fused_modconv_reference(x, weight, styles, noise, up, f, demodulate):
    """The textbook form: a modulated (and demodulated) weight per sample, one convolution per sample."""
    outs = []
    for i in range(x.shape[0]):
        w = weight * styles[i].reshape(1, -1, 1, 1)
        if demodulate:
            w = w / (w.square().sum(dim=[1, 2, 3], keepdim=True) + 1e-8).sqrt()
        outs.append(conv2d_resample(x[i : i + 1], w, f=f, up=up, padding=weight.shape[-1] // 2))
    out = torch.cat(outs)
    return out + noise if noise is not None else out


@pytest.mark.parametrize(("up", "kernel", "demodulate"), [(1, 3, True), (2, 3, True), (1, 1, False)])
def test_non_fused_modconv_equals_fused_reference(up: int, kernel: int, demodulate: bool) -> None:
    torch.manual_seed(3)
    f = setup_filter([1, 3, 3, 1])
    x = torch.randn(3, 6, 8, 8)
    weight = torch.randn(7, 6, kernel, kernel)
    styles = torch.randn(3, 6) + 1.0
    noise = torch.randn(1, 1, 8 * up, 8 * up) if demodulate else None
    actual = modulated_conv2d(
        x, weight, styles, noise=noise, up=up, padding=kernel // 2, resample_filter=f, demodulate=demodulate
    )
    expected = fused_modconv_reference(x, weight, styles, noise, up, f, demodulate)
    assert actual.shape == (3, 7, 8 * up, 8 * up)
    torch.testing.assert_close(actual, expected, atol=1e-4, rtol=1e-4)


def test_modconv_fp16_prenormalisation_matches_fp32() -> None:
    torch.manual_seed(4)
    x, weight, styles = torch.randn(2, 8, 8, 8), torch.randn(8, 8, 3, 3) * 50, torch.randn(2, 8) * 50
    ref = modulated_conv2d(x, weight, styles, padding=1)
    try:
        half = modulated_conv2d(x.half(), weight, styles, padding=1)
    except RuntimeError as exc:  # pragma: no cover - depends on the CPU kernels of this torch build
        pytest.skip(f"fp16 convolution not available on this CPU: {exc}")
    assert half.dtype == torch.float16
    torch.testing.assert_close(half.float(), ref, atol=2e-2, rtol=2e-2)


def test_noise_modes() -> None:
    G = make_g(32, 0)
    for module in G.modules():
        if hasattr(module, "noise_strength"):
            module.noise_strength.data.fill_(0.5)
    ws = G.mapping(torch.randn(2, 16), None).detach()
    with torch.no_grad():
        const_a, const_b = G.synthesis(ws, noise_mode="const"), G.synthesis(ws, noise_mode="const")
        random_a, random_b = G.synthesis(ws, noise_mode="random"), G.synthesis(ws, noise_mode="random")
        none = G.synthesis(ws, noise_mode="none")
    torch.testing.assert_close(const_a, const_b)
    assert not torch.allclose(random_a, random_b)
    assert not torch.allclose(none, const_a)
    with pytest.raises(ValueError, match="noise_mode"):
        G.synthesis(ws, noise_mode="sometimes")  # type: ignore[arg-type]


def test_mapping_truncation_and_w_avg_tracking() -> None:
    G = make_g(32, 11)
    z, c = torch.randn(8, 16), one_hot(list(range(8)), 11)
    G.train()
    ws = G.mapping(z, c)  # training mode: updates w_avg
    expected_avg = ws[:, 0].mean(dim=0).detach() * (1 - 0.995)
    torch.testing.assert_close(G.mapping.w_avg, expected_avg)
    before = G.mapping.w_avg.clone()
    G.mapping(z, c, skip_w_avg_update=True)
    torch.testing.assert_close(G.mapping.w_avg, before)
    G.eval()
    with torch.no_grad():
        ws0 = G.mapping(z, c, truncation_psi=0)
        ws_half = G.mapping(z, c, truncation_psi=0.5, truncation_cutoff=2)
        ws1 = G.mapping(z, c)
    torch.testing.assert_close(ws0, G.mapping.w_avg.expand_as(ws0))
    torch.testing.assert_close(ws_half[:, 2:], ws1[:, 2:])
    torch.testing.assert_close(ws_half[:, :2], (ws1[:, :2] + G.mapping.w_avg) / 2)
    torch.testing.assert_close(G.mapping.map_w(z, c), ws1[:, 0])


def test_style_mixing_changes_only_fine_layers_input() -> None:
    G = make_g(32, 0)
    with torch.no_grad():
        ws_a, ws_b = G.mapping(torch.randn(1, 16), None), G.mapping(torch.randn(1, 16), None)
        mixed = torch.cat([ws_a[:, :4], ws_b[:, 4:]], dim=1)
        images = [G.synthesis(w, noise_mode="const") for w in (ws_a, ws_b, mixed)]
    assert not torch.allclose(images[2], images[0]) and not torch.allclose(images[2], images[1])


def test_configs_and_fp16_budget() -> None:
    assert {"tiny", "ccsn256", "ccsn256-small"} <= set(CONFIGS)
    ccsn256, small = get_config("ccsn256"), get_config("ccsn256-small")
    assert (ccsn256.channel_base, ccsn256.channel_max, ccsn256.z_dim, ccsn256.w_dim, ccsn256.c_dim) == (
        16384,
        512,
        512,
        512,
        11,
    )
    assert sum(ccsn256.fp16_bytes().values()) > 64e6  # why ccsn256-small exists
    assert sum(small.fp16_bytes().values()) <= 64e6
    assert get_config("tiny").resolution == 32
    with pytest.raises(SkyassetError, match="ccsn256-small") as err:
        get_config("ccsn512")
    assert err.value.code == "invalid_argument"
    # carried over from the removed `python -m training.export` CLI's test: the message and exit code 2
    assert "unknown network config 'ccsn512'" in err.value.message and err.value.exit_code == 2


def test_mixed_precision_blocks_match_fp32(monkeypatch: pytest.MonkeyPatch) -> None:
    """num_fp16_res + conv_clamp: the fp16 blocks (CUDA-only in real use, forced on the CPU here) track fp32."""
    import training.networks.discriminator as discriminator_module
    import training.networks.synthesis as synthesis_module

    torch.manual_seed(0)
    G = make_g(32, 11, num_fp16_res=2, conv_clamp=256)
    D = Discriminator(11, 32, 3, channel_base=256, channel_max=16, num_fp16_res=2, conv_clamp=256)
    z, c = torch.randn(4, 16), one_hot([0, 1, 2, 3], 11)
    ref_img = G(z, c, noise_mode="const")
    ref_logits = D(ref_img, c)

    def on_any_device(use_fp16: bool, force_fp32: bool, device: torch.device) -> bool:
        return use_fp16 and not force_fp32

    monkeypatch.setattr(synthesis_module, "use_half", on_any_device)
    monkeypatch.setattr(discriminator_module, "use_half", on_any_device)
    dtypes = []
    G.synthesis.b32.conv1.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    G.synthesis.b8.conv1.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    try:
        img = G(z, c, noise_mode="const")
    except RuntimeError as exc:  # pragma: no cover - depends on the CPU kernels of this torch build
        pytest.skip(f"fp16 convolution not available on this CPU: {exc}")
    logits = D(img, c)
    assert dtypes == [torch.float32, torch.float16]  # b8 runs first in fp32; b16 and b32 run in fp16
    assert img.dtype == torch.float32 and logits.dtype == torch.float32
    torch.testing.assert_close(img, ref_img, atol=2e-2 * float(ref_img.detach().abs().max()), rtol=0)
    torch.testing.assert_close(logits, ref_logits, atol=2e-2 * float(ref_logits.detach().abs().max()), rtol=0)
    (logits.sum() + img.sum()).backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in [*G.parameters(), *D.parameters()])
    forced = G(z, c, noise_mode="const", force_fp32=True)
    torch.testing.assert_close(forced, ref_img)
