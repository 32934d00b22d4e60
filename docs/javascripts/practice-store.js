// Practice progress in localStorage, shared by the Practice page (practice.js) and the marks on All questions
// (questions-progress.js). One record per card id: the FSRS card (dates as ISO strings), the last grade and when it
// was given. Records of cards the guide no longer has are kept, never dropped: a card may come back.
(function () {
  "use strict";
  const KEY = "mlguide-practice";
  const FORMAT = "mlguide-practice";
  const VERSION = 1;
  const REVIEW = 2; // FSRS State.Review: the card has graduated from its learning steps

  const empty = () => ({ format: FORMAT, version: VERSION, cards: {} });

  // {state, problem}: the stored progress, or empty progress and why (storage disabled, unreadable data).
  function load() {
    let raw;
    try {
      raw = window.localStorage.getItem(KEY);
    } catch (error) {
      return { state: empty(), problem: "This browser does not let the page keep progress (storage is disabled, as in some private windows): it lasts until you leave the page. Export it to keep it." };
    }
    if (raw === null) return { state: empty(), problem: null };
    try {
      const state = JSON.parse(raw);
      if (state && state.format === FORMAT && state.version === VERSION && typeof state.cards === "object") {
        return { state, problem: null };
      }
    } catch (error) { /* reported below */ }
    try { window.localStorage.setItem(`${KEY}.unreadable`, raw); } catch (error) { /* nothing more we can do */ }
    return { state: empty(), problem: `The stored progress could not be read; it was kept aside under "${KEY}.unreadable" and practice starts afresh.` };
  }

  // null when saved, or the reason it could not be.
  function save(state) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(state));
      return null;
    } catch (error) {
      return "This browser did not let the page save progress (storage is full or disabled, as in private browsing): it lasts until you leave the page. Export it to keep it.";
    }
  }

  // "new", "learning" or "known" for a card's record (or undefined).
  function status(record) {
    if (!record || !record.fsrs) return "new";
    return record.fsrs.state === REVIEW ? "known" : "learning";
  }

  // Checks an exported file's text; returns {cards} or throws an Error whose message says what is wrong.
  function parseExport(text) {
    let data;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new Error("That file is not valid JSON, so it is not a progress file exported from this page.");
    }
    if (!data || data.format !== FORMAT) {
      throw new Error("That file is JSON, but not a progress file exported from this page.");
    }
    if (data.version !== VERSION) {
      throw new Error(`That progress file has format version ${JSON.stringify(data.version)}; this page reads version ${VERSION}.`);
    }
    if (!data.cards || typeof data.cards !== "object" || Array.isArray(data.cards)) {
      throw new Error("That progress file has no card records.");
    }
    const cards = {};
    for (const [id, record] of Object.entries(data.cards)) {
      const fsrs = record && record.fsrs;
      if (!fsrs || Number.isNaN(Date.parse(fsrs.due)) || typeof fsrs.state !== "number" || Number.isNaN(Date.parse(record.reviewed))) {
        throw new Error(`That progress file has a damaged record for the card "${id}".`);
      }
      cards[id] = record;
    }
    return { cards };
  }

  // Merges imported records into `state`, card by card keeping the more recently reviewed; returns how many changed.
  function merge(state, imported) {
    let changed = 0;
    for (const [id, record] of Object.entries(imported.cards)) {
      const mine = state.cards[id];
      if (!mine || Date.parse(record.reviewed) > Date.parse(mine.reviewed)) {
        state.cards[id] = record;
        changed += 1;
      }
    }
    return changed;
  }

  window.MLGuidePractice = { KEY, FORMAT, VERSION, empty, load, save, status, parseExport, merge };
})();
