// Material for MkDocs turns every word of a query into a prefix ("in" becomes "in*"), so the small words of a question
// typed in plain words ("what is an epoch in training?") match "interview", "input", "analysis" and the like, and
// outrank the words that carry the meaning. The index holds none of these words (lunr's English stop-word filter
// drops them when it is built), so in a query they can only add noise; a few words that only frame a question join
// them. This drops them from each query on its way to the search worker, unless nothing else would be left; quoted
// phrases and query syntax (+ - : ~ ^ *) pass untouched.
(function () {
  "use strict";
  const STOP_WORDS = new Set((
    "a able about across after all almost also am among an and any are as at be because been but by can cannot could " +
    "dear did do does either else ever every for from get got had has have he her hers him his how however i if in " +
    "into is it its just least let like likely may me might most must my neither no nor not of off often on only or " +
    "other our own rather said say says she should since so some than that the their them then there these they this " +
    "tis to too twas us wants was we were what when where which while who whom why will with would yet you your " +
    // The frame of a question typed in plain words, not its topic ("how does X work", "the difference between X and
    // Y", "why use X"): the index keeps these words, but in a query they pulled up whichever question section
    // shared them. Measured at 60 concept pages on tests/search_queries.yml (356 queries): hit@3 89.9 % -> 91.0 %,
    // and the 88 answered questions pasted whole stay in the top three.
    "use used using work works difference between better actually really explain"
  ).split(" "));
  const SEARCH_QUERY = 2; // the message type Material's search sends its worker with the query text

  function meaningful(query) {
    if (/["+\-:~^*]/.test(query)) return query;
    const words = query.split(/\s+/).filter(Boolean);
    const kept = words.filter((word) => !STOP_WORDS.has(word.toLowerCase().replace(/[?.!,;]+$/, "")));
    return kept.length ? kept.join(" ") : query;
  }

  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && message.type === SEARCH_QUERY && typeof message.data === "string") {
      message = { ...message, data: meaningful(message.data) };
    }
    return post.call(this, message, ...rest);
  };
})();
