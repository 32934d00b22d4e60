"""Links between pages of the built site, as site paths: where a page's relative link leads, and how one page links
to a site path. Not a hook itself: `hooks/cards.py`, `hooks/anki_deck.py` and `hooks/page_weight.py` use it.

A page's URL is MkDocs' `page.url`: 'area/concept/' with directory URLs, 'area/concept.html' in the offline edition,
'' for the home page. A site path is the same kind of string, with an optional '#fragment'.
"""

from __future__ import annotations

import posixpath


def folder(url: str) -> str:
    """The site folder a page's relative links start from: 'a/b/' for 'a/b/' and for 'a/b/c.html'; '' at the top."""
    if url.endswith("/") or not url:
        return url
    return posixpath.dirname(url) + "/" if "/" in url else ""


def resolve(page_url: str, href: str) -> str:
    """The site path a relative link `href` of the page at `page_url` leads to ('' is the home page)."""
    path, _, fragment = href.partition("#")
    target = page_url
    if path:
        target = posixpath.normpath(posixpath.join(folder(page_url) or ".", path))
        target = "" if target == "." else target + ("/" if path.endswith("/") else "")
    return target + (f"#{fragment}" if fragment else "")


def relative(from_url: str, site_path: str) -> str:
    """`site_path` as a relative link from the page at `from_url`."""
    target, _, fragment = site_path.partition("#")
    link = posixpath.relpath(target.rstrip("/") or ".", folder(from_url).rstrip("/") or ".")
    link = "./" if link == "." else link + ("/" if target.endswith("/") or not target else "")
    return link + (f"#{fragment}" if fragment else "")
