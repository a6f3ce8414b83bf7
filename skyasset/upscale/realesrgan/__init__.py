"""Real-ESRGAN x4plus (``--upscale best``): its ncnn files (from the ``best`` extra) read, translated to ONNX
once into the user cache, and run by the runtime like any other graph."""
