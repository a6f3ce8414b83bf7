"""Upscaler tooling: Real-ESRGAN teacher conversion (ncnn -> PyTorch -> ONNX) and the distilled fast student."""
