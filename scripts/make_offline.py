"""Zip the offline edition (`make offline`): a folder that works opened from file://, search included.

Usage: make_offline.py EDITION_DIR ZIP   ->   ZIP, holding EDITION_DIR as one top folder, `ml-interview-guide/`

`make offline` builds the edition with `OFFLINE=true` (Material's offline plugin) into `.cache/offline/`, zips it
here, then rebuilds the site, which publishes the zip with its size on every page (hooks/offline.py). Entries are
sorted and dated 1980-01-01, so an unchanged edition zips to the same bytes.
"""

from __future__ import annotations

import sys
import time
import zipfile
from pathlib import Path

TOP = "ml-interview-guide"
STORED = {".png", ".jpg", ".woff2", ".gz", ".pdf", ".zip"}  # already compressed: deflating them only costs time


def make_zip(edition: Path, out: Path) -> Path:
    if not (edition / "index.html").is_file():
        raise SystemExit(f"make_offline.py: {edition}: no index.html; build the edition first (OFFLINE=true)")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in sorted(p for p in edition.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{TOP}/{path.relative_to(edition).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if path.suffix in STORED else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    partial.replace(out)  # a build never publishes a half-written zip
    return out


if __name__ == "__main__":
    start = time.perf_counter()
    zip_path = make_zip(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {zip_path} ({zip_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
