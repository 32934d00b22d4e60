// The Practice page: the guide's cards (cards.json, from hooks/cards.py) one at a time, scheduled by FSRS (ts-fsrs,
// vendored), with progress in localStorage (practice-store.js). The deck is in the address (?deck=area&value=...,
// or ?page=<area>/<concept> from a page's "Practise this page" link), so a reload keeps it.
(function () {
  "use strict";
  const store = window.MLGuidePractice;
  const { fsrs, createEmptyCard, Rating, TypeConvert } = window.FSRS;
  const scheduler = fsrs({ enable_fuzz: true });
  const GRADES = { 1: Rating.Again, 2: Rating.Hard, 3: Rating.Good, 4: Rating.Easy };
  const CHOICES = {
    area: { label: "Area", of: (card) => [card.area] },
    tag: { label: "Tag", of: (card) => card.tags },
    level: { label: "Level", of: (card) => [card.level] },
    source: { label: "Source article", of: (card) => (card.source ? [card.source] : []) },
    page: { label: "Page", of: (card) => [card.page] },
  };

  const mount = document.getElementById("practice-app");
  const template = document.getElementById("practice-app-template");
  if (!mount || !template) return;
  mount.replaceChildren(template.content.cloneNode(true));
  const $ = (selector) => mount.querySelector(selector);
  const ui = {
    kind: $("[data-kind]"), choice: $("[data-choice]"), choiceLabel: $("[data-choice-label]"), value: $("[data-value]"),
    summary: $("[data-summary]"), card: $("[data-card]"), meta: $("[data-meta]"), front: $("[data-front]"),
    reveal: $("[data-reveal]"), backBox: $("[data-back-box]"), back: $("[data-back]"), link: $("[data-link]"),
    done: $("[data-done]"), status: $("[data-status]"), importFile: $("[data-import-file]"),
  };

  let cards = [];
  let titles = { source: {}, page: {} };
  let { state, problem } = store.load();
  let current = null;

  const say = (message) => { ui.status.textContent = message || ""; };
  const persist = () => { const trouble = store.save(state); if (trouble) say(trouble); };
  const endOfToday = () => { const d = new Date(); d.setHours(23, 59, 59, 999); return d; };
  const fsrsCard = (record) => (record ? TypeConvert.card(record.fsrs) : createEmptyCard(new Date()));

  function inDeck(card, kind, value) {
    const record = state.cards[card.id];
    if (kind === "due") return Boolean(record) && new Date(record.fsrs.due) <= endOfToday();
    if (kind === "wrong") return Boolean(record) && record.last === 1;
    if (CHOICES[kind]) return CHOICES[kind].of(card).includes(value);
    return true;
  }

  const deck = () => cards.filter((card) => inDeck(card, ui.kind.value, ui.value.value));

  // What comes next: cards due now (earliest first), then new cards in the guide's order. The "due today" and
  // "got wrong" decks show all their cards, earliest due first, even those not yet due.
  function queue() {
    const now = new Date();
    const chosen = deck();
    const due = (card) => new Date(state.cards[card.id].fsrs.due);
    if (ui.kind.value === "due" || ui.kind.value === "wrong") return chosen.sort((a, b) => due(a) - due(b));
    const seen = chosen.filter((card) => state.cards[card.id] && due(card) <= now).sort((a, b) => due(a) - due(b));
    return seen.concat(chosen.filter((card) => !state.cards[card.id]));
  }

  function summarise() {
    const chosen = deck();
    const count = (test) => chosen.filter(test).length;
    const dueToday = count((c) => state.cards[c.id] && new Date(state.cards[c.id].fsrs.due) <= endOfToday());
    const learned = count((c) => store.status(state.cards[c.id]) === "known");
    const remaining = count((c) => !state.cards[c.id]);
    ui.summary.textContent = `${chosen.length} cards: ${dueToday} due today, ${learned} learned, ${remaining} not yet seen.`;
  }

  function interval(from, to) {
    const minutes = Math.max(1, Math.round((to - from) / 60000));
    if (minutes < 60) return `${minutes} min`;
    if (minutes < 60 * 24) return `${Math.round(minutes / 60)} h`;
    const days = Math.round(minutes / 1440);
    return days < 60 ? `${days} d` : `${Math.round(days / 30)} mo`;
  }

  function show() {
    summarise();
    const next = queue()[0];
    current = next || null;
    ui.card.hidden = !next;
    ui.done.hidden = Boolean(next);
    if (!next) {
      const upcoming = deck().map((c) => state.cards[c.id]).filter(Boolean).map((r) => new Date(r.fsrs.due)).sort((a, b) => a - b)[0];
      ui.done.textContent = upcoming
        ? `Nothing more is due in this deck. The next card comes back on ${upcoming.toLocaleString()}.`
        : "This deck has no cards.";
      return;
    }
    const kind = next.kind === "question" ? "Interview question" : "Follow-up";
    ui.meta.textContent = `${kind} · ${next.title} · ${store.status(state.cards[next.id])}`;
    ui.front.innerHTML = next.front;
    ui.back.innerHTML = next.back;
    ui.link.href = next.url;
    ui.link.textContent = `On its page: ${next.title}`;
    ui.backBox.hidden = true;
    ui.reveal.hidden = false;
    const now = new Date();
    const options = scheduler.repeat(fsrsCard(state.cards[next.id]), now);
    mount.querySelectorAll("[data-grade]").forEach((button) => {
      const grade = GRADES[button.dataset.grade];
      button.querySelector("[data-interval]").textContent = interval(now, options[grade].card.due);
    });
    if (!performance.getEntriesByName("practice-first-card").length) performance.mark("practice-first-card");
  }

  function reveal() {
    if (!current || !ui.backBox.hidden) return;
    ui.backBox.hidden = false;
    ui.reveal.hidden = true;
    ui.backBox.focus();
  }

  function grade(key) {
    if (!current || ui.backBox.hidden) return;
    const now = new Date();
    const result = scheduler.next(fsrsCard(state.cards[current.id]), now, GRADES[key]);
    state.cards[current.id] = { fsrs: result.card, last: Number(key), reviewed: now.toISOString() };
    persist();
    show();
    (current ? ui.front : ui.done).focus();
  }

  function fillChoices() {
    const kind = ui.kind.value;
    const choice = CHOICES[kind];
    ui.choice.hidden = !choice;
    if (!choice) return;
    ui.choiceLabel.textContent = choice.label;
    const values = [...new Set(cards.flatMap(choice.of))];
    const name = (value) => (titles[kind] && titles[kind][value]) || value;
    ui.value.replaceChildren(...values.map((value) => new Option(name(value), value)));
  }

  function remember() {
    const params = new URLSearchParams();
    if (ui.kind.value !== "all") params.set("deck", ui.kind.value);
    if (CHOICES[ui.kind.value]) params.set("value", ui.value.value);
    history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
  }

  function exportProgress() {
    const blob = new Blob([JSON.stringify({ ...state, exported: new Date().toISOString() }, null, 1)], { type: "application/json" });
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(blob), download: `ml-interview-guide-progress-${new Date().toISOString().slice(0, 10)}.json`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    say(`Exported progress on ${Object.keys(state.cards).length} cards.`);
  }

  async function importProgress(file) {
    let imported;
    try {
      imported = store.parseExport(await file.text());
    } catch (error) {
      say(`Nothing was imported: ${error.message} Your progress is unchanged.`);
      return;
    }
    const known = new Set(cards.map((card) => card.id));
    const aside = Object.keys(imported.cards).filter((id) => !known.has(id)).length;
    const changed = store.merge(state, imported);
    persist();
    show();
    say(`Imported ${changed} card records (kept the more recent one where both had a card)` +
        (aside ? `; ${aside} name cards the guide no longer has, kept aside in case they come back.` : "."));
  }

  function reset() {
    if (!window.confirm("Reset all practice progress in this browser? This cannot be undone; export it first to keep a copy.")) return;
    state = store.empty();
    persist();
    show();
    say("Progress reset.");
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest("input, select, textarea, button, a, summary")) return;
    if ((event.key === " " || event.key === "Enter") && current && ui.backBox.hidden) {
      event.preventDefault();
      reveal();
    } else if (GRADES[event.key] && current && !ui.backBox.hidden) {
      event.preventDefault();
      grade(event.key);
    }
  });
  ui.reveal.addEventListener("click", reveal);
  ui.front.addEventListener("click", (event) => { if (!event.target.closest("a")) reveal(); });
  mount.querySelectorAll("[data-grade]").forEach((b) => b.addEventListener("click", () => grade(b.dataset.grade)));
  ui.kind.addEventListener("change", () => { fillChoices(); remember(); show(); });
  ui.value.addEventListener("change", () => { remember(); show(); });
  $("[data-export]").addEventListener("click", exportProgress);
  $("[data-import]").addEventListener("click", () => ui.importFile.click());
  ui.importFile.addEventListener("change", () => { if (ui.importFile.files[0]) importProgress(ui.importFile.files[0]); ui.importFile.value = ""; });
  $("[data-reset]").addEventListener("click", reset);

  async function cardData() {
    if (window.MLGUIDE_CARDS) return window.MLGUIDE_CARDS;
    const response = await fetch(new URL(template.dataset.cards, location.href));
    if (!response.ok) throw new Error(`cards.json: HTTP ${response.status}`);
    return response.json();
  }

  cardData().then((data) => {
    cards = data.cards;
    titles = { source: data.sources || {}, page: Object.fromEntries(cards.map((c) => [c.page, c.title])) };
    const params = new URLSearchParams(location.search);
    const kind = params.has("page") ? "page" : params.get("deck");
    if (kind && [...ui.kind.options].some((option) => option.value === kind)) ui.kind.value = kind;
    fillChoices();
    const value = params.get("page") || params.get("value");
    if (value && [...ui.value.options].some((option) => option.value === value)) ui.value.value = value;
    show();
    if (problem) say(problem);
  }).catch((error) => {
    ui.summary.textContent = `The cards could not be loaded (${error.message}). Reload the page to try again.`;
  });
})();
