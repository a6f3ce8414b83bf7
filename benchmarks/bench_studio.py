"""Click-to-visible-sky time of `skyasset studio` against the generate time of the API the CLI runs.

Starts the studio on a free port, drives Debian's Chromium (playwright, software WebGL) to generate ``--runs``
skies at ``--size``, and reads for each: the time from the click to the first frame of the sky in the viewer
(page-side), and the job's own ``timings.total_s`` (the figure `skyasset generate --json` reports). The same
skies are then generated in-process with ``skyasset.generate`` on a warm model, as the CLI does. Prints medians
and the overhead of the page (click-to-sky minus generate)::

    python benchmarks/bench_studio.py --runs 5 --size 2048 [--model PATH] [--screenshot docs/images/studio.png]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests._studio_server import studio  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="bundle folder (default: the bundled model)")
    ap.add_argument("--cloud", default="Cu")
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--screenshot", type=Path, default=None, help="save a screenshot of the page after the last run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    import skyasset
    from skyasset.generator import SkyGenerator
    from skyasset.models import resolve_model_path

    model = resolve_model_path(args.model)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    seeds = list(range(100, 100 + args.runs))
    click_to_sky, server_generate = [], []
    with studio(model) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"]
        )
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        tab.goto(url + "/")
        tab.wait_for_selector("body[data-ready='1']", timeout=30_000)
        tab.select_option("#cloud", args.cloud)
        tab.select_option("#size", str(args.size))
        for seed in [seeds[0], *seeds]:  # the first run warms up the page and the model; not counted
            tab.fill("#seed", str(seed))
            tab.evaluate("delete document.body.dataset.shownJob")
            tab.click("#generate")
            tab.wait_for_selector("body[data-shown-job]", timeout=300_000)
            job_id = tab.evaluate("document.body.dataset.shownJob")
            job = json.loads(tab.evaluate(f"fetch('/api/jobs/{job_id}').then(r => r.text())"))
            click_to_sky.append(float(tab.evaluate("document.body.dataset.clickToSky")))
            server_generate.append(job["result"]["timings"]["total_s"])
        if args.screenshot is not None:
            tab.check("#grid")
            tab.wait_for_timeout(300)
            tab.screenshot(path=str(args.screenshot))
        browser.close()
    click_to_sky, server_generate = click_to_sky[1:], server_generate[1:]

    gen = SkyGenerator(model)
    cli_generate = []
    with tempfile.TemporaryDirectory() as tmp:
        skyasset.generate(args.cloud, seeds[0], Path(tmp) / "warm.png", size=args.size, model=gen)
        for seed in seeds:
            t0 = time.perf_counter()
            skyasset.generate(args.cloud, seed, Path(tmp) / f"{seed}.png", size=args.size, model=gen)
            cli_generate.append(time.perf_counter() - t0)

    report = {
        "model": gen.bundle.model_id,
        "size": args.size,
        "runs": args.runs,
        "click_to_sky_s": round(statistics.median(click_to_sky), 3),
        "studio_generate_s": round(statistics.median(server_generate), 3),
        "api_generate_s": round(statistics.median(cli_generate), 3),
        "overhead_s": round(statistics.median(c - g for c, g in zip(click_to_sky, cli_generate, strict=True)), 3),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{report['model']} at {args.size}x{args.size // 2}, median of {args.runs}: click to visible sky "
            f"{report['click_to_sky_s']:.3f} s; generate {report['api_generate_s']:.3f} s (API, warm model; "
            f"{report['studio_generate_s']:.3f} s inside the studio); page overhead {report['overhead_s']:.3f} s"
        )


if __name__ == "__main__":
    main()
