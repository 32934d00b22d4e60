// Material for MkDocs fetches the whole search index (search/search_index.json, the largest file on the site by far)
// as soon as any page starts, so on a slow connection it competes with the page the reader came for: on the Practice
// page it held the first card back by seconds. This holds that one request until the reader reaches for search
// (focuses the search box, taps the search button, types a search shortcut) or the page has loaded and gone idle,
// whichever comes first; then it goes out unchanged. It runs before Material's bundle (a deferred script in the
// head), since the bundle asks for the index while it starts. The offline edition loads the index as a script, not
// with a request, so it is unaffected.
(function () {
  "use strict";
  const INDEX = /\/search\/search_index\.json$/;
  const IDLE_AFTER_LOAD_MS = 3000; // the longest the request waits for an idle moment once the page has loaded

  let release;
  const wanted = new Promise((resolve) => { release = resolve; });
  const go = () => release();

  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("[data-md-component=search-query]")) go();
  });
  document.addEventListener("pointerdown", (event) => {
    if (event.target.closest && event.target.closest("label[for=__search]")) go();
  });
  document.addEventListener("keydown", (event) => {
    if (["f", "s", "/"].includes(event.key)) go(); // Material's search shortcuts
  });
  window.addEventListener("load", () => {
    if ("requestIdleCallback" in window) requestIdleCallback(go, { timeout: IDLE_AFTER_LOAD_MS });
    else setTimeout(go, IDLE_AFTER_LOAD_MS);
  });

  // Material requests the index with XMLHttpRequest: remember each request's URL, and send the index's when wanted.
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  const urls = new WeakMap();
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    urls.set(this, new URL(url, location.href).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...body) {
    if (!INDEX.test(urls.get(this) || "")) return send.apply(this, body);
    wanted.then(() => send.apply(this, body));
  };
})();
