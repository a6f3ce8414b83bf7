"""The one name of a sky: the file stem every front end (CLI, studio, Blender, Unity) gives a sky's files.

The stem is decided from the generation settings alone, so the same settings give the same name everywhere
(``cumulus_7_psi070_2048_fast``) and a setting that is in the name gives another name; the sun, the ground fill
and ``--hdr`` are not in it, so skies differing only in those share a name (``--force`` to overwrite):

    {cloud}_{seed}_psi{psi}[_mix-{cloud}{weight}]_{width}[_{layout}][_{method}][_{upscale}][_ev{stops}][_rot{deg}]

psi and the mix weight are written in hundredths (``psi070``: 0.7); the layout only when it is not
``equirect``, the method only when it is not the model's default, the upscaler only when it is not ``none``,
the exposure and rotation (the studio's look, applied to the files) only when not 0, with ``p`` for the point
(``ev-0p5``, ``rot90``). The sun and the ground fill are not in the name: they are in the sidecar.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from skyasset.errors import SkyassetError
from skyasset.settings import Mix, parse_mix
from skyasset.upscale.super_resolution import UpscaleMode, upscale_factor

if TYPE_CHECKING:
    from skyasset.generator import SkyGenerator

__all__ = ["cloud_name_part", "sky_stem"]

# What a cloud type may contribute to a file name: lower-case ASCII letters, digits, '_' and '-' (no dot, so
# a stem has none and every engine can derive the other files' names from it), short enough that a stem with
# two of them stays far below the file system's 255-byte limit.
_PLAIN_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)


def _plain(text: str) -> str | None:
    part = text.strip().lower().replace(" ", "-")
    return part if _PLAIN_NAME.fullmatch(part) else None


def cloud_name_part(cloud: str | None, gen: SkyGenerator | None = None) -> str:
    """A cloud type as a file-name part: the model's name for it (``cumulus`` for ``Cu``), when that is a plain
    name; else ``class3`` (its index); without the model, ``cloud`` as typed when plain; else ``sky``.

    The text comes from the request and, through the class list, from the model bundle: a class name such as
    ``../../x`` must never become part of a path, so anything but a plain name is replaced, not joined.
    """
    if cloud is None:
        return "sky"
    if gen is not None and gen.bundle.c_dim:
        try:
            index = gen.class_index(cloud)
        except SkyassetError:
            pass
        else:
            return _plain(gen.classes[index].name) or f"class{index}"
    return _plain(cloud) or "sky"


def _hundredths(value: float) -> str:
    return f"{round(value * 100):03d}"


def sky_stem(
    cloud: str | None,
    seed: int,
    psi: float,
    size: int,
    *,
    mix: Mix | str | None = None,
    layout: str = "equirect",
    method: str | None = None,
    upscale: UpscaleMode = "none",
    exposure: float = 0.0,
    rotate: float = 0.0,
    gen: SkyGenerator | None = None,
) -> str:
    """The file stem of the sky these settings make, e.g. ``cumulus_7_psi070_2048_fast`` (module docstring).

    Parameters
    ----------
    cloud, seed, psi, mix, layout, method, upscale, exposure, rotate
        As given to :func:`skyasset.generate` (``method`` ``None``: the model's default; ``rotate`` is named
        wrapped to [0, 360), so -90 and 270 name one sky).
    size
        The equirect width asked for; for ``flat`` the width written is the model's (times 4 when upscaled),
        which is used instead when ``gen`` is given.
    gen
        The model: it turns a class code into its name (``Cu`` and ``cumulus`` name the same sky) and tells
        which method is its default. Without it, names are taken as typed and a given method is always named.
    """
    parts = [cloud_name_part(cloud, gen), str(seed), f"psi{_hundredths(psi)}"]
    if mix is not None:
        chosen = parse_mix(mix) if isinstance(mix, str) else mix
        parts.append(f"mix-{cloud_name_part(chosen.cloud, gen)}{_hundredths(chosen.weight)}")
    if layout == "flat" and gen is not None:
        size = gen.resolution * upscale_factor(upscale)
    parts.append(str(size))
    if layout != "equirect":
        parts.append(_choice("layout", layout))
    default_method = gen.default_method if gen is not None else None
    if layout != "flat" and method is not None and method != default_method:
        parts.append(_choice("method", method))
    if upscale != "none":
        parts.append(_choice("upscale", upscale))
    if layout != "flat":  # flat images are written without the look
        if exposure:
            parts.append(f"ev{_short_number(exposure)}")
        if rotate % 360.0:
            parts.append(f"rot{_short_number(rotate % 360.0)}")
    return "_".join(parts)


def _short_number(value: float) -> str:
    """``value`` to two decimals, shortest form, ``p`` for the point (a stem holds no dot): 1.5 -> ``1p5``."""
    return f"{round(value, 2):g}".replace(".", "p")


def _choice(what: str, value: str) -> str:
    """A choice (layout, method, upscaler) as a name part; ``generate`` checks them against its lists first, so
    only a caller that skipped that check can get here with text that is not a plain name."""
    part = _plain(value)
    if part is None or part != value:
        raise SkyassetError("invalid_argument", f"Unknown {what} {value!r}: see `skyasset generate --help`.")
    return part
