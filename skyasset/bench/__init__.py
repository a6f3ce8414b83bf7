"""The benchmarks behind ``skyasset bench ...`` and ``benchmarks/*.py``: measuring, not making.

- :mod:`skyasset.bench.model`: model bundles and their quantized variants (``bench model``), each measured in
  its own process (:mod:`skyasset.bench.model_worker`), with FID joined from the training tools
  (:mod:`skyasset.bench.fid`);
- :mod:`skyasset.bench.skybox`: the panorama methods' seam, edge and repetition scores (``bench skybox``), on
  views from :mod:`skyasset.bench.skybox_sources` (a generator or CCSN photos), against real skies
  (:mod:`skyasset.bench.reference_skies`);
- :mod:`skyasset.bench.upscale`: the 4x upscalers on held-out CCSN photos (``bench upscale``);
- :mod:`skyasset.bench.quality` (image-against-image measures) and :mod:`skyasset.bench.sheets` (labelled
  picture grids), shared by them.

Nothing is imported here: each benchmark pulls in only what it needs (the model benchmark's worker runs as
``python -m skyasset.bench.model_worker``).
"""
