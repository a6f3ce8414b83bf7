"""The skybox scores in plain words, for the studio's status line (the numbers stay one click away).

Thresholds, from `skyasset bench skybox` (README): the wrap seam is the colour step across the wrap over the steps
between neighbouring columns, so about 1 means the wrap looks like any other column (native and ring skies: median
0.85, CCSN photos through ring: 1.12); the period correlation is how much the sky band matches itself turned by 60
degrees: real sky panoramas score about -0.05..0.25, a ring of six near-copies close to 1.
"""

from __future__ import annotations

__all__ = ["SEAMLESS_BELOW", "VISIBLE_SEAM_FROM", "describe_scores"]

SEAMLESS_BELOW = 1.5
VISIBLE_SEAM_FROM = 3.0
NO_REPEAT_BELOW = 0.3
REPEATS_FROM = 0.6


def describe_scores(wrap_seam: float, period_correlation: float) -> str:
    """One sentence an artist can act on: ``"Seamless all round, no repeating pattern."``"""
    if wrap_seam < SEAMLESS_BELOW:
        seam = "Seamless all round"
    elif wrap_seam < VISIBLE_SEAM_FROM:
        seam = "A faint seam where the panorama wraps (behind you at the start)"
    else:
        seam = "A visible seam where the panorama wraps; try another seed or the native method"
    if period_correlation < NO_REPEAT_BELOW:
        repeat = "no repeating pattern"
    elif period_correlation < REPEATS_FROM:
        repeat = "some clouds repeat around the horizon"
    else:
        repeat = "the clouds repeat around the horizon; try the native method"
    return f"{seam}, {repeat}."
