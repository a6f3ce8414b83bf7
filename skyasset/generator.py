"""SkyGenerator: cloud type + seed -> sky images, through the bundle's ONNX graphs."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import numpy as np

from skyasset.bundle import Bundle, load_bundle
from skyasset.classes import CloudClass
from skyasset.errors import SkyassetError
from skyasset.models import resolve_model_path
from skyasset.seeds import integers_from_seed, z_from_seed
from skyasset.session import make_session
from skyasset.settings import Mix, check_psi

if TYPE_CHECKING:
    from typing_extensions import Unpack  # in typing from Python 3.11; annotations only, never imported at runtime

__all__ = ["SkyGenerator"]


RING_LAYOUT_RESOLUTION = 8  # styles up to 8 px place the clouds; finer ones set tone, colour and texture
RING_STREAM = 16  # seed sub-streams 17, 18, ... are the ring's other views (0: the seed; 1-2: retired, unused)
CANVAS_TURN_STREAM = 3  # seed sub-stream of the canvas's constant turns


class RingStyle(TypedDict, total=False):
    """The style keywords of :meth:`SkyGenerator.ring_styles`, which :meth:`~SkyGenerator.ring_views` and
    :meth:`~SkyGenerator.canvas` pass on (defaults there)."""

    psi: float
    mix: Mix | None
    layout_resolution: int


class SkyGenerator:
    """Generate sky images from a model bundle.

    Parameters
    ----------
    model
        A :class:`Bundle`, a bundle folder, or ``None`` for ``$SKYASSET_MODEL`` / the packaged default.
    providers
        ONNX Runtime execution providers; ``None`` picks accelerators when installed, else the CPU.
    """

    def __init__(
        self,
        model: Bundle | str | os.PathLike[str] | None = None,
        *,
        providers: Sequence[str] | None = None,
    ) -> None:
        self.bundle = model if isinstance(model, Bundle) else load_bundle(resolve_model_path(model))
        self._providers = providers
        b = self.bundle
        self._mapping, self._synthesis = (
            make_session(g.path, providers, decode_weights_at_load=g.decode_weights_at_load)
            for g in (b.graphs["mapping"], b.graphs["synthesis"])
        )
        self._check_graph_io()
        self._canvas: Any = None  # the canvas graph's session, made on first use (most calls never need it)
        # A graph may fix its batch (int8-qdq folds per-sample factors into its weights: batch 1); feed it
        # that many samples per run.
        batch = self._synthesis.get_inputs()[0].shape[0]
        self._synthesis_batch_limit = batch if isinstance(batch, int) and batch > 0 else 2**31

    def check(self) -> None:
        """Run the bundle once (seed 0, first class): what only running can show, e.g. the real image size
        of a graph with dynamic shapes, or damaged weights that make NaN. Raises the ``bundle_*`` errors."""
        cloud = self.classes[0].code if self.bundle.c_dim else None
        self.generate(cloud, [0], psi=1.0)

    # ----------------------------------------------------------------------------------------------
    @property
    def classes(self) -> tuple[CloudClass, ...]:
        return self.bundle.classes

    @property
    def resolution(self) -> int:
        return self.bundle.resolution

    @property
    def providers(self) -> list[str]:
        return list(self._synthesis.get_providers())

    def class_index(self, cloud: str) -> int:
        """Index of a cloud type given by code (``Cu``) or name (``cumulus``), case-insensitively."""
        key = cloud.strip().lower()
        for i, c in enumerate(self.classes):
            if key in (c.code.lower(), c.name.lower()):
                return i
        valid = ", ".join(f"{c.code} ({c.name})" for c in self.classes) or "none: the model is unconditional"
        raise SkyassetError("unknown_cloud", f"Unknown cloud type '{cloud}'. Valid cloud types: {valid}.")

    # ----------------------------------------------------------------------------------------------
    def map(self, z: np.ndarray, class_index: int | None) -> np.ndarray:
        """Run the mapping network: ``z [N, z_dim]`` -> ``w [N, w_dim]``."""
        b = self.bundle
        feeds = {"z": np.ascontiguousarray(z, dtype=np.float32)}
        if b.c_dim:
            if class_index is None:
                raise SkyassetError(
                    "invalid_argument",
                    "Choose a cloud type with --cloud (see `skyasset classes`), e.g. --cloud cumulus.",
                )
            c = np.zeros((len(z), b.c_dim), np.float32)
            c[:, class_index] = 1.0
            feeds["c"] = c
        return self._mapping.run(["w"], feeds)[0]

    def style(self, z: np.ndarray, cloud: str | None, *, psi: float = 1.0, mix: Mix | None = None) -> np.ndarray:
        """``w [N, w_dim]`` for latents ``z``: class mapping, optional blend with a second class, truncation.

        Truncation pulls ``w`` toward the (equally blended) class-mean ``w`` by ``psi``: 1 = no truncation,
        0 = the class-mean image.
        """
        b = self.bundle
        check_psi(psi)
        index = self.class_index(cloud) if (cloud is not None and b.c_dim) else None
        if b.c_dim and index is None:
            raise SkyassetError(
                "invalid_argument", "Choose a cloud type with --cloud (see `skyasset classes`), e.g. --cloud cumulus."
            )
        other = self.class_index(mix.cloud) if mix is not None else None  # named wrong is wrong at any weight
        w = self.map(z, index)
        centre = b.class_w_avg[index] if index is not None else b.w_avg
        if mix is not None and other is not None and mix.weight > 0:
            w = (1.0 - mix.weight) * w + mix.weight * self.map(z, other)
            centre = (1.0 - mix.weight) * centre + mix.weight * b.class_w_avg[other]
        return (centre + psi * (w - centre)).astype(np.float32)

    def synthesize(self, w: np.ndarray, *, batch_size: int = 8) -> np.ndarray:
        """Run the synthesis network: ``w [N, w_dim]`` (one style for every layer) or per-layer styles
        ``[N, num_ws, w_dim]`` -> images float32 ``[N, H, W, 3]`` in [0, 1]."""
        if batch_size < 1:
            raise SkyassetError("invalid_argument", f"batch_size must be >= 1, got {batch_size}.")
        batch_size = min(batch_size, self._synthesis_batch_limit)
        out = []
        for start in range(0, len(w), batch_size):
            chunk = w[start : start + batch_size]
            ws = chunk if chunk.ndim == 3 else np.repeat(chunk[:, None, :], self.bundle.num_ws, axis=1)
            img = self._synthesis.run(["img"], {"ws": np.ascontiguousarray(ws, dtype=np.float32)})[0]
            expected = (len(chunk), 3, self.resolution, self.resolution)
            if img.shape != expected:  # a graph with dynamic sizes can only be caught when it runs
                raise SkyassetError(
                    "bundle_inconsistent",
                    f"Model bundle {self.bundle.path}: the synthesis graph made images of shape {img.shape}, but "
                    f"the metadata says {expected}. Re-export the bundle from its snapshot.",
                )
            if not np.isfinite(img).all():
                raise SkyassetError(
                    "bundle_invalid",
                    f"Model bundle {self.bundle.path} produced non-finite pixels (NaN or infinity): its weights "
                    "are damaged. Re-export the bundle from its snapshot or reinstall the default model.",
                )
            out.append(img)
        images = np.concatenate(out, axis=0) if out else np.zeros((0, 3, self.resolution, self.resolution))
        return np.clip(images.transpose(0, 2, 3, 1) * 0.5 + 0.5, 0.0, 1.0).astype(np.float32)

    # ----------------------------------------------------------------------------------------------
    def generate(
        self,
        cloud: str | None,
        seeds: int | Sequence[int],
        *,
        psi: float = 1.0,
        mix: Mix | None = None,
        batch_size: int = 8,
    ) -> np.ndarray:
        """Images for one cloud type and one or more seeds: float32 ``[N, H, W, 3]`` in [0, 1].

        Each image depends only on its own seed, so the batch size never changes pixels.
        """
        many = isinstance(seeds, (list, tuple, range, np.ndarray))
        seed_list: list[int] = list(seeds) if many else [seeds]  # type: ignore[arg-type, list-item]
        z = np.stack([z_from_seed(s, self.bundle.z_dim) for s in seed_list]) if seed_list else None
        if z is None:
            return np.zeros((0, self.resolution, self.resolution, 3), np.float32)
        return self.synthesize(self.style(z, cloud, psi=psi, mix=mix), batch_size=batch_size)

    def ring_views(
        self, cloud: str | None, seed: int, n_views: int, *, batch_size: int = 8, **style: Unpack[RingStyle]
    ) -> np.ndarray:
        """``n_views`` views of one sky: each with its own cloud layout, all with the seed's light and colour.

        View 0 is the seed's own image (what ``generate`` and a flat preview show). View ``i > 0`` takes the
        styles of the synthesis layers up to ``layout_resolution`` px (where the clouds are placed) from an
        independent latent, sub-stream ``i`` of the seed, and every finer layer's style (tone, colour,
        texture) from the seed's latent. Views on a closed latent loop would share their layout too, so a ring
        of them would repeat one tile around the horizon; independent latents differ in colour as well.
        ``style`` is :meth:`ring_styles`'s keywords.
        """
        return self.synthesize(self.ring_styles(cloud, seed, n_views, **style), batch_size=batch_size)

    def ring_styles(
        self,
        cloud: str | None,
        seed: int,
        n_views: int,
        *,
        psi: float = 1.0,
        mix: Mix | None = None,
        layout_resolution: int = RING_LAYOUT_RESOLUTION,
    ) -> np.ndarray:
        """Per-layer styles ``[n_views, num_ws, w_dim]`` of :meth:`ring_views` (and of :meth:`canvas`'s tiles)."""
        if n_views < 1:
            raise SkyassetError("invalid_argument", f"n_views must be >= 1, got {n_views}.")
        z_dim = self.bundle.z_dim
        z = np.stack([z_from_seed(seed, z_dim, RING_STREAM + i if i else 0) for i in range(n_views)])
        w = self.style(z, cloud, psi=psi, mix=mix)
        ws = np.repeat(w[:, None, :], self.bundle.num_ws, axis=1)
        # Layers up to resolution r take the first 2 log2(r) - 2 styles (4 px: 2, 8 px: 4, ...).
        shared = 0 if layout_resolution < 4 else min(self.bundle.num_ws, 2 * int(np.log2(layout_resolution)) - 2)
        ws[1:, shared:] = w[0]
        return ws

    # ----------------------------------------------------------------------------------------------
    @property
    def has_canvas(self) -> bool:
        """Whether the bundle has the canvas graph that ``--method native`` needs."""
        return "canvas" in self.bundle.graphs

    @property
    def default_method(self) -> Literal["native", "ring"]:
        """``native`` for a bundle with a canvas graph (no stitching, no repeats: see README), else ``ring``."""
        return "native" if self.has_canvas else "ring"

    def _canvas_session(self) -> Any:
        if not self.has_canvas:
            raise SkyassetError(
                "invalid_argument",
                f"Model bundle {self.bundle.path} has no canvas graph, which --method native needs. Use "
                "--method ring, or re-export the bundle with `skyasset-train export` (it adds the canvas graph).",
            )
        if self._canvas is None:
            graph = self.bundle.graphs["canvas"]
            session = make_session(graph.path, self._providers, decode_weights_at_load=graph.decode_weights_at_load)
            self._check_canvas_io(session)
            self._canvas = session
        return self._canvas

    def require_canvas(self) -> None:
        """Refuse a bundle without a canvas graph (or with a damaged one) before any work: the error says what to
        do instead. Loads the graph, so the first :meth:`canvas` call does not."""
        self._canvas_session()

    @property
    def canvas_tiles(self) -> int:
        """How many views wide the canvas graph renders (0 without one)."""
        return int(self._canvas_session().get_inputs()[0].shape[0]) if self.has_canvas else 0

    def canvas(self, cloud: str | None, seed: int, **style: Unpack[RingStyle]) -> np.ndarray:
        """One sky all the way round: float32 ``[H, tiles * H, 3]`` in [0, 1], its last column leading into its
        first, from the bundle's canvas graph (one pass, no stitching; docs/BUNDLE.md).

        Tile i has the styles of :meth:`ring_views`'s view i (its own cloud layout, the seed's light and colour),
        blended smoothly between tile centres, and the learned constant turned by a seeded 0-3 columns per tile.
        """
        tiles = int(self._canvas_session().get_inputs()[0].shape[0])  # a bundle without one fails here
        return self.canvas_from_styles(self.ring_styles(cloud, seed, tiles, **style), seed)

    def canvas_from_styles(self, ws: np.ndarray, seed: int) -> np.ndarray:
        """:meth:`canvas` from its tiles' styles ``[tiles, num_ws, w_dim]`` (the first rows of :meth:`ring_styles`),
        for a caller that needs those styles for more views too."""
        session = self._canvas_session()
        tiles = int(session.get_inputs()[0].shape[0])
        if ws.shape[0] != tiles:
            raise SkyassetError("invalid_argument", f"The canvas graph takes {tiles} tiles' styles, got {ws.shape[0]}.")
        turns = integers_from_seed(seed, CANVAS_TURN_STREAM, tiles, 4)
        img = session.run(["img"], {"ws_tiles": np.ascontiguousarray(ws, np.float32), "turns": turns})[0]
        if not np.isfinite(img).all():
            raise SkyassetError(
                "bundle_invalid",
                f"Model bundle {self.bundle.path} produced non-finite pixels (NaN or infinity) in its canvas graph: "
                "its weights are damaged. Re-export the bundle from its snapshot or reinstall the default model.",
            )
        return np.clip(img[0].transpose(1, 2, 0) * 0.5 + 0.5, 0.0, 1.0).astype(np.float32)

    # ----------------------------------------------------------------------------------------------
    def _check_canvas_io(self, session: Any) -> None:
        b = self.bundle
        inputs = {a.name: a.shape for a in session.get_inputs()}
        ws_shape, turns_shape = inputs.get("ws_tiles"), inputs.get("turns")
        outputs = {a.name: a.shape for a in session.get_outputs()}
        tiles = ws_shape[0] if ws_shape else None
        ok = (
            isinstance(tiles, int)
            and tiles >= 2
            and list(ws_shape or []) == [tiles, b.num_ws, b.w_dim]
            and list(turns_shape or []) == [tiles]
            and list(outputs.get("img") or []) == [1, 3, b.resolution, tiles * b.resolution]
        )
        if not ok:
            raise SkyassetError(
                "bundle_inconsistent",
                f"Model bundle {b.path}: the canvas graph has inputs {inputs} and outputs {outputs}, but the "
                f"metadata implies ws_tiles=[T, {b.num_ws}, {b.w_dim}], turns=[T] and img=[1, 3, {b.resolution}, "
                f"T * {b.resolution}]. Re-export the bundle from its snapshot.",
            )

    def _check_graph_io(self) -> None:
        b = self.bundle

        def dims(shape: list[object]) -> list[object]:
            return [d if isinstance(d, int) else None for d in shape]

        expected_inputs = {"z": [None, b.z_dim]} | ({"c": [None, b.c_dim]} if b.c_dim else {})
        checks = [
            ("mapping", self._mapping.get_inputs(), expected_inputs),
            ("mapping", self._mapping.get_outputs(), {"w": [None, b.w_dim]}),
            ("synthesis", self._synthesis.get_inputs(), {"ws": [None, b.num_ws, b.w_dim]}),
            ("synthesis", self._synthesis.get_outputs(), {"img": [None, 3, b.resolution, b.resolution]}),
        ]
        unfed = sorted({a.name for a in self._mapping.get_inputs()} - set(expected_inputs))
        if unfed:
            why = " (the metadata's c_dim is 0: an unconditional model)" if "c" in unfed and not b.c_dim else ""
            raise SkyassetError(
                "bundle_inconsistent",
                f"Model bundle {b.path}: the mapping graph needs input(s) {', '.join(unfed)} that the metadata does "
                f"not provide{why}. Re-export the bundle from its snapshot.",
            )
        for graph, actual, expected in checks:
            found = {a.name: dims(a.shape) for a in actual}
            for name, shape in expected.items():
                got = found.get(name)
                ok = (
                    got is not None
                    and len(got) == len(shape)
                    and all(g is None or e is None or g == e for g, e in zip(got, shape, strict=True))
                )
                if not ok:
                    raise SkyassetError(
                        "bundle_inconsistent",
                        f"Model bundle {b.path}: the {graph} graph has {name}={got}, but the metadata implies "
                        f"{shape}. Re-export the bundle from its snapshot.",
                    )
