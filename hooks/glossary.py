"""The hover glossary: every abbreviation in `includes/abbreviations.md` expands on hover on every page.

The file holds one `*[TERM]: expansion` line per abbreviation (blank lines and `<!-- -->` comments aside). It is loaded
once per build into the `abbr` extension's `glossary` option rather than appended to each page's Markdown: appended,
its ~300 definition lines were re-scanned by every block processor once per line, about 0.45 s per page.
A malformed line or a term defined twice fails the build, naming the file, the line and the term.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

GLOSSARY = Path("includes/abbreviations.md")
DEFINITION = re.compile(r"\*\[(?P<term>[^\]\s][^\]]*)\]: (?P<expansion>\S.*)")


def load_glossary(path: Path) -> dict[str, str]:
    """{term: expansion} from `path`, in file order."""
    glossary: dict[str, str] = {}
    text = re.sub(r"<!--.*?-->", lambda comment: "\n" * comment.group().count("\n"), path.read_text(encoding="utf-8"),
                  flags=re.S)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = DEFINITION.fullmatch(line.rstrip())
        if not match:
            raise PluginError(f"{path}:{number}: not an abbreviation (expected '*[TERM]: expansion'): {line!r}")
        term = match["term"]
        if term in glossary:
            raise PluginError(f"{path}:{number}: {term!r} is defined twice")
        glossary[term] = match["expansion"]
    if not glossary:
        raise PluginError(f"{path}: no abbreviations")
    return glossary


def on_config(config):
    path = Path(config.config_file_path).parent / GLOSSARY
    if "abbr" not in config.markdown_extensions:
        raise PluginError(f"mkdocs.yml: the glossary in {GLOSSARY} needs the 'abbr' Markdown extension")
    config.mdx_configs.setdefault("abbr", {})["glossary"] = load_glossary(path)
    return config
