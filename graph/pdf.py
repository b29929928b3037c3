"""HTML to PDF with headless Chromium's print (Debian's ``chromium``, ``make chromium``).

Chromium prints exactly what the browser shows, CJK names included (fonts-noto-cjk), and
is already what the browser tests use, so PDFs need no second layout engine. It runs
with networking features off and a throw-away profile, on a local file: the document is
self-contained, so printing needs no network. ``$SURVKG_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from graph.errors import Unavailable

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-extensions",
         "--disable-sync", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw")
#: Seconds a print may take before it is abandoned.
TIMEOUT = 90
#: Prints at once (each is a whole browser); more wait, then get :class:`Unavailable`.
_SLOTS = threading.BoundedSemaphore(2)


def chromium() -> str:
    for name in (os.environ.get("SURVKG_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        found = shutil.which(name) if name else None
        if found:
            return found
    raise Unavailable("PDF needs Chromium: run `make chromium` (Debian's chromium) or set "
                      "SURVKG_CHROMIUM to a Chromium binary")


def html_to_pdf(html: str, timeout: float = TIMEOUT) -> bytes:
    """Print ``html`` (a self-contained document) to PDF bytes."""
    exe = chromium()
    if not _SLOTS.acquire(timeout=timeout):
        raise Unavailable("too many PDFs being printed; try again shortly")
    try:
        return _print(exe, html, timeout)
    finally:
        _SLOTS.release()


def _print(exe: str, html: str, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="survkg-pdf-") as tmp:
        src, out = Path(tmp) / "doc.html", Path(tmp) / "doc.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [exe, *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
               src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise Unavailable(f"Chromium did not finish printing within {timeout:g} s") from exc
        if not out.exists() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise Unavailable("Chromium produced no PDF (exit "
                              f"{proc.returncode}): {' | '.join(tail)}")
        return out.read_bytes()
