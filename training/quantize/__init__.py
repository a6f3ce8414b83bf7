"""Quantized variants of a model bundle: fp16, int8 weight-only, int8 static QDQ, and the baseline's methods.

``quantize_bundle(fp32_bundle, out_dir, variant)`` writes one variant; ``skyasset-train quantize`` is the
command line. See docs/QUANTIZATION.md for what each variant is and what it measured.
"""

from __future__ import annotations

from training.quantize.variants import QUANT_VARIANTS, QuantVariant, quantize_bundle

__all__ = ["QUANT_VARIANTS", "QuantVariant", "quantize_bundle"]
