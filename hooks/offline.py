"""The offline edition (`make offline`) and the button that offers it on every page of the site.

- The offline edition is a second build with Material's `offline` plugin (`OFFLINE=true`), which forces
  `use_directory_urls: false` and inlines the search index, so the unzipped folder works from file://. The plugin
  adds the iframe-worker search shim from unpkg.com; `overrides/main.html` loads the copy `hooks/assets.py`
  vendors from npm instead. The edition ships the PDF when `make pdf` has printed one (`site/ml-interview-guide.pdf`,
  or the file OFFLINE_PDF names; OFFLINE_PDF=none leaves it out); without it, its PDF button says it needs
  `make pdf`.
- Ordinary builds publish the zip `make offline` wrote (`.cache/offline/ml-interview-guide-offline.zip`, or the
  file OFFLINE_ZIP names; OFFLINE_ZIP=none: no zip) at the site root, and every page's button gives its size, read
  from that very file, so the label is always true of what is served. Without a zip there is no button.
- The offline edition has no 404.html: no server serves it, and its site-absolute links lead out of the folder.
Templates read `offline_edition`: {"offline": bool, "pdf": bool, "zip": "<site path>" | None, "zip_size": "12.3 MB"}.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ZIP_NAME = "ml-interview-guide-offline.zip"
ZIP_DEFAULT = Path(".cache/offline") / ZIP_NAME
PDF_DEFAULT = Path("site/ml-interview-guide.pdf")

_edition: dict = {}


def human_size(size: int) -> str:
    """Bytes as the button shows them: '12.3 MB', '850 KB'."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"


def _path(root: Path, variable: str, default: Path) -> Path | None:
    """The file the environment variable names (it must exist; "none": no file), else the default if it exists."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return root / default if (root / default).is_file() else None
    if value.lower() == "none":
        return None
    path = Path(value) if Path(value).is_absolute() else root / value
    if not path.is_file():
        raise PluginError(f"hooks/offline.py: {variable}={value!r}: no such file (unset it, or say 'none')")
    return path


def _offline_enabled(config) -> bool:
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin and plugin.config.enabled)


def on_config(config):
    _edition.clear()
    _edition.update(offline=_offline_enabled(config), pdf=False, zip=None, zip_size=None)
    return config


def on_files(files, config):
    root = Path(config["config_file_path"]).parent
    pdf_name = config.plugins["print-site"].config["path_to_pdf"]
    if _edition["offline"]:
        pdf = _path(root, "OFFLINE_PDF", PDF_DEFAULT)
        if pdf:
            files.append(File.generated(config, pdf_name, abs_src_path=str(pdf)))
            _edition["pdf"] = True
        return files
    archive = _path(root, "OFFLINE_ZIP", ZIP_DEFAULT)
    if archive:
        if not zipfile.is_zipfile(archive):
            raise PluginError(f"hooks/offline.py: {archive}: not a zip archive; rerun `make offline`")
        files.append(File.generated(config, ZIP_NAME, abs_src_path=str(archive)))
        _edition.update(zip=ZIP_NAME, zip_size=human_size(archive.stat().st_size))
    return files


def on_env(env, config, files):
    env.globals["offline_edition"] = dict(_edition)
    return env


def on_post_build(config):
    if _edition["offline"]:  # no server answers with it, and its site-absolute links point outside the folder
        (Path(config["site_dir"]) / "404.html").unlink(missing_ok=True)
