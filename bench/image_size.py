"""The image's Python layer before and after the runtime/development split, without Docker.

Not a built image: no Docker engine is needed. It installs each lock into a fresh venv
under /tmp, the way the Dockerfile's `packages` stage does (`pip install --require-hashes
--no-deps -r LOCK`, bytecode compiled):

- requirements-dev.lock: what the image carried before the split (runtime + pytest,
  Playwright, ruff, ...), what a laptop and CI still install;
- requirements.lock: what the image installs now.

It prints each venv's site-packages size in MB (and the package count), and the size of
what the Dockerfile's `assets` stage hands over (static/vendor, as `make vendor` builds
it here). The base image (python:3.12-slim-trixie), the code and collectstatic's copy
are the same before and after and are not counted. Results also go to
bench/results/image_size.md.

    .venv/bin/python bench/image_size.py          (BENCH_IMAGE_KEEP=1 keeps the venvs)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = [
    ("before: requirements-dev.lock", ROOT / "requirements-dev.lock"),
    ("after: requirements.lock (the image)", ROOT / "requirements.lock"),
]
ASSETS = ROOT / "static" / "vendor"
RESULTS = ROOT / "bench" / "results" / "image_size.md"
# The interpreter behind this venv (3.12, as the image), unless told otherwise.
PYTHON = os.environ.get("BENCH_IMAGE_PYTHON", getattr(sys, "_base_executable", sys.executable))


def size_bytes(path: Path) -> int:
    """Bytes of the regular files under path (what a layer stores), links not followed."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def install(lock: Path, into: Path) -> tuple[int, int]:
    """A fresh venv with the lock installed as the image installs it: (bytes, packages)."""
    subprocess.run([PYTHON, "-m", "venv", "--without-pip", str(into)], check=True)
    python = into / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    empty = size_bytes(site)
    # This venv's pip: the one running this script, pointed at the new interpreter's site.
    env = {k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"}
    env.update(PIP_NO_CACHE_DIR="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_CONSTRAINT="")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-qq",  # errors only (a mirror in pip.conf may warn per package)
            "--require-hashes",
            "--no-deps",
            "-r",
            str(lock),
        ],
        check=True,
        env=env,
    )
    packages = len(list(site.glob("*.dist-info")))
    return size_bytes(site) - empty, packages


def mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def main() -> None:
    keep = os.environ.get("BENCH_IMAGE_KEEP") == "1"
    work = Path(tempfile.mkdtemp(prefix="flowdesk-image-size-"))
    rows = []
    try:
        for label, lock in LOCKS:
            started = time.perf_counter()
            venv = work / lock.stem
            size, packages = install(lock, venv)
            rows.append((label, size, packages))
            print(
                f"{label}: {mb(size)}, {packages} packages ({time.perf_counter() - started:.0f}s)"
            )
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    assets = size_bytes(ASSETS) if ASSETS.is_dir() else 0
    (_, before, _), (_, after, _) = rows
    lines = [
        "# The image's Python layer, before and after the runtime/development split",
        "",
        "Fresh venvs under /tmp, each lock installed as the Dockerfile's `packages` stage does "
        f"(`pip install --require-hashes --no-deps`, bytecode compiled as pip does by default), "
        f"Python {sys.version.split()[0]}. "
        "This is the Python layer, not a built image: the base image, the code and "
        "collectstatic's copy are the same before and after and are not counted.",
        "",
        "| | site-packages | packages |",
        "|---|---|---|",
        *(f"| {label} | {mb(size)} | {packages} |" for label, size, packages in rows),
        f"| saved | {mb(before - after)} ({100 * (before - after) / before:.0f} %) | |",
        "",
        f"The assets stage's output (static/vendor, `make vendor`): {mb(assets)}"
        + ("" if assets else " (not built here: run `make vendor`)"),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
