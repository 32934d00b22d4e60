// On the All-questions page, each answered question's practice state (new, learning, known), from the progress the
// Practice page keeps in this browser (practice-store.js).
(function () {
  "use strict";
  const { state } = window.MLGuidePractice.load();
  document.querySelectorAll("[data-practice-card]").forEach((mark) => {
    const status = window.MLGuidePractice.status(state.cards[mark.dataset.practiceCard]);
    mark.textContent = status;
    mark.className = `practice-state practice-state--${status}`;
    mark.title = `Practice: ${status}`;
  });
})();
