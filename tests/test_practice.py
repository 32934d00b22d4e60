"""The Practice page in Chromium: reveal and grade, progress that survives a reload, export, reset and import, bad
import files, storage that refuses to save, the keyboard alone, a phone by touch, the marks on All questions, and
axe-core with the answer shown."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_browser import TWO_FRAMES
from test_site_pages import violations

PRACTICE = "practice/"
ROC_PAGE = "evaluation/roc-auc"
STORE = "mlguide-practice"


def open_practice(browser, base_url, query: str = "", **context_options):
    context = browser.new_context(accept_downloads=True, **context_options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(base_url + PRACTICE + query, wait_until="networkidle")
    page.locator("[data-front]").wait_for()
    return page, errors


def stored(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{STORE}')") or "null")


def front(page) -> str:
    return page.locator("[data-front]").inner_text()


def test_a_graded_card_is_saved_and_not_shown_again_after_a_reload(browser, base_url):
    page, errors = open_practice(browser, base_url)
    first = front(page)
    assert page.locator("[data-back-box]").is_hidden()
    page.locator("[data-reveal]").click()
    assert page.locator("[data-back-box]").is_visible()
    page.locator('[data-grade="3"]').click()
    state = stored(page)
    (card_id, record), = state["cards"].items()
    assert record["last"] == 3
    assert page.evaluate(f"new Date({json.dumps(record['fsrs']['due'])}) > new Date()"), "a Good card is due later"
    page.reload(wait_until="networkidle")
    page.locator("[data-front]").wait_for()
    assert front(page) != first, "the card graded Good is not due, so another card comes first"
    assert stored(page)["cards"][card_id] == record
    assert "1 due today" in page.locator("[data-summary]").inner_text()  # its next step is minutes away
    assert errors == []
    page.context.close()


def test_a_page_deck_holds_that_pages_cards_and_the_deck_survives_a_reload(browser, base_url, site):
    cards = [c for c in json.loads((site / "cards.json").read_text())["cards"] if c["page"] == ROC_PAGE]
    page, _ = open_practice(browser, base_url, f"?page={ROC_PAGE}")
    assert page.locator("[data-kind]").input_value() == "page"
    assert page.locator("[data-summary]").inner_text().startswith(f"{len(cards)} cards:")
    page.locator("[data-kind]").select_option("level")
    page.locator("[data-value]").select_option("advanced")
    page.reload(wait_until="networkidle")
    page.locator("[data-front]").wait_for()
    assert page.locator("[data-value]").input_value() == "advanced"
    page.context.close()


def test_export_then_reset_then_import_restores_the_progress(browser, base_url, tmp_path):
    page, _ = open_practice(browser, base_url)
    for grade in ("3", "1", "4"):
        page.keyboard.press("Space")
        page.keyboard.press(grade)
    before = stored(page)
    assert len(before["cards"]) == 3
    with page.expect_download() as download:
        page.locator("[data-export]").click()
    exported = tmp_path / "progress.json"
    download.value.save_as(exported)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-reset]").click()
    assert stored(page)["cards"] == {}
    page.locator("[data-import-file]").set_input_files(str(exported))
    page.wait_for_function(f"JSON.parse(localStorage.getItem('{STORE}')).cards && "
                           f"Object.keys(JSON.parse(localStorage.getItem('{STORE}')).cards).length === 3")
    assert stored(page)["cards"] == before["cards"]
    assert "Imported 3 card records" in page.locator("[data-status]").inner_text()
    page.context.close()


def test_reset_asks_first_and_does_nothing_when_refused(browser, base_url):
    page, _ = open_practice(browser, base_url)
    page.keyboard.press("Space")
    page.keyboard.press("3")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("[data-reset]").click()
    assert len(stored(page)["cards"]) == 1
    page.context.close()


BAD_IMPORTS = {
    "not JSON": ("{ this is not json", "not valid JSON"),
    "another format": (json.dumps({"hello": "world"}), "not a progress file"),
    "a newer version": (json.dumps({"format": "mlguide-practice", "version": 99, "cards": {}}), "format version 99"),
    "a damaged record": (json.dumps({"format": "mlguide-practice", "version": 1, "cards": {"x": {"fsrs": {}}}}),
                         'damaged record for the card "x"'),
}


@pytest.mark.parametrize("case", BAD_IMPORTS)
def test_a_bad_import_file_changes_nothing_and_says_why(browser, base_url, tmp_path, case):
    text, reason = BAD_IMPORTS[case]
    page, _ = open_practice(browser, base_url)
    page.keyboard.press("Space")
    page.keyboard.press("3")
    before = stored(page)
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    page.locator("[data-import-file]").set_input_files(str(bad))
    status = page.locator("[data-status]")
    status.filter(has_text="Nothing was imported").wait_for()
    assert reason in status.inner_text() and "unchanged" in status.inner_text()
    assert stored(page) == before
    page.context.close()


def test_records_of_cards_that_no_longer_exist_are_kept_aside(browser, base_url, tmp_path):
    page, _ = open_practice(browser, base_url)
    page.keyboard.press("Space")
    page.keyboard.press("3")
    state = stored(page)
    (card_id, record), = state["cards"].items()
    old = {**record, "reviewed": "2020-01-01T00:00:00.000Z"}
    upload = tmp_path / "other-device.json"
    upload.write_text(json.dumps({**state, "cards": {card_id: old, "retired/page#fu-0000000000": old}}))
    page.locator("[data-import-file]").set_input_files(str(upload))
    page.locator("[data-status]").filter(has_text="kept aside").wait_for()
    after = stored(page)["cards"]
    assert after[card_id] == record, "the more recent record of a card wins"
    assert after["retired/page#fu-0000000000"] == old, "a record of an unknown card is kept, not dropped"
    page.context.close()


def test_storage_that_refuses_to_save_is_reported_and_practice_goes_on(browser, base_url):
    context = browser.new_context()
    context.add_init_script("Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); }")
    page = context.new_page()
    page.goto(base_url + PRACTICE, wait_until="networkidle")
    first = page.locator("[data-front]").inner_text()
    page.keyboard.press("Space")
    page.keyboard.press("4")
    assert "did not let the page save progress" in page.locator("[data-status]").inner_text()
    assert page.locator("[data-front]").inner_text() != first, "the session goes on without storage"
    context.close()


def test_the_whole_flow_works_from_the_keyboard(browser, base_url):
    page, _ = open_practice(browser, base_url)
    first = front(page)
    page.keyboard.press("Enter")
    assert page.locator("[data-back-box]").is_visible()
    assert page.evaluate("document.activeElement.matches('[data-back-box]')"), "focus moves to the answer"
    page.keyboard.press("2")
    assert front(page) != first and page.locator("[data-back-box]").is_hidden()
    page.keyboard.press("Space")
    page.keyboard.press("1")
    assert {r["last"] for r in stored(page)["cards"].values()} == {1, 2}
    page.locator("[data-kind]").focus()  # a deck is chosen with the arrow keys, the export is a button
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("[data-kind]").input_value() == "wrong"
    assert page.locator("[data-summary]").inner_text().startswith("1 cards:")
    page.locator("[data-export]").focus()
    with page.expect_download():
        page.keyboard.press("Enter")
    page.context.close()


def test_a_phone_works_by_touch(browser, base_url):
    page, errors = open_practice(browser, base_url, viewport={"width": 390, "height": 844}, has_touch=True,
                                 is_mobile=True)
    first = front(page)
    page.locator("[data-front]").tap()
    assert page.locator("[data-back-box]").is_visible()
    grade = page.locator('[data-grade="3"]')
    box = grade.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, "a grade is a touch target of at least 44 px"
    grade.tap()
    assert front(page) != first
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing is wider than the phone"
    assert errors == []
    page.context.close()


def test_all_questions_shows_each_questions_state(browser, base_url):
    page, _ = open_practice(browser, base_url, f"?page={ROC_PAGE}")
    assert page.locator("[data-meta]").inner_text().startswith("Interview question")
    page.keyboard.press("Space")
    page.keyboard.press("4")  # Easy: straight to review
    page.keyboard.press("Space")
    page.keyboard.press("1")
    graded = list(stored(page)["cards"])
    page.goto(base_url + "questions/", wait_until="networkidle")
    marks = page.locator("[data-practice-card]")
    states = {marks.nth(i).get_attribute("data-practice-card"): marks.nth(i).inner_text() for i in range(marks.count())}
    assert states[graded[0]] == "known"
    assert set(states.values()) == {"known", "new"} or states.get(graded[1]) == "learning"
    assert list(states.values()).count("new") == len(states) - sum(g in states for g in graded)
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violation_with_the_answer_shown(browser, base_url, scheme):
    page, _ = open_practice(browser, base_url, color_scheme=scheme)
    page.keyboard.press("Space")
    page.evaluate(TWO_FRAMES)
    problems = violations(Axe().axe_script, page, PRACTICE, scheme)
    page.context.close()
    assert not problems, "\n".join(problems)
