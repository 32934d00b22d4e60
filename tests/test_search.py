"""Search finds the right page: at least 90% of realistic queries have their page in the top three results."""

from __future__ import annotations

from pathlib import Path

import yaml

from test_browser import search_results, visit

QUERIES = yaml.safe_load((Path(__file__).with_name("search_queries.yml")).read_text(encoding="utf-8"))


def test_query_set_is_large_and_points_at_real_pages():
    assert sum(len(queries) for queries in QUERIES.values()) >= 50
    for src_uri in QUERIES:
        assert (Path(__file__).parents[1] / "docs" / src_uri).is_file(), src_uri


def test_hit_at_3_is_at_least_90_percent(browser, base_url):
    page, errors, _ = visit(browser, base_url)
    misses, total = [], 0
    for src_uri, queries in QUERIES.items():
        target = base_url + src_uri.removesuffix(".md") + "/"
        for query in queries:
            total += 1
            top3 = search_results(page, query)[:3]
            if target not in top3:
                misses.append(f"{query!r} -> {src_uri} not in {[u.removeprefix(base_url) for u in top3]}")
    hit_rate = 1 - len(misses) / total
    print(f"search hit@3: {hit_rate:.1%} of {total} queries")
    assert hit_rate >= 0.9, "\n".join(misses)
    assert errors == []
    page.context.close()
