"""Publish front-end assets from npm packages into the site, so that no page loads anything from a CDN.

`hooks/vendor_assets.yml` lists, per package in `node_modules/`, which files go where in the site (KaTeX's stylesheet
and fonts; the iframe-worker shim that search needs on file://). The files are added to the build as generated
files, never committed to `docs/`. A package that is not installed, or a glob that
matches nothing, fails the build naming the package and the path.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

MANIFEST = Path(__file__).with_name("vendor_assets.yml")


def vendor_files(root: Path) -> list[tuple[Path, str]]:
    """(absolute source path, site path) for every asset the manifest names."""
    pairs = []
    for name, entry in yaml.safe_load(MANIFEST.read_text(encoding="utf-8")).items():
        base = root / "node_modules" / entry["package"] / entry["base"]
        if not base.is_dir():
            raise PluginError(f"{MANIFEST.name}: {name}: {base} is missing; run `npm ci` (or `make setup`)")
        for pattern in entry["files"]:
            matches = sorted(base.glob(pattern))
            if not matches:
                raise PluginError(f"{MANIFEST.name}: {name}: {pattern!r} matches nothing in {base}")
            pairs += [(path, f"{entry['dest']}/{path.relative_to(base).as_posix()}") for path in matches]
    return pairs


def on_files(files, config):
    root = Path(config["config_file_path"]).parent
    for source, site_path in vendor_files(root):
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    return files
