"""The one check of a value against a fixed set of choices, so every "Unknown ..." error reads alike."""

from __future__ import annotations

from typing import TypeVar

from skyasset.errors import SkyassetError

__all__ = ["check_choice"]

Choice = TypeVar("Choice", bound=str)


def check_choice(what: str, value: str, choices: tuple[Choice, ...]) -> Choice:
    """``value`` if it is one of ``choices``; else ``invalid_argument``: ``Unknown <what> 'x'. Choose one of a, b.``"""
    if value not in choices:
        raise SkyassetError("invalid_argument", f"Unknown {what} '{value}'. Choose one of {', '.join(choices)}.")
    return value
