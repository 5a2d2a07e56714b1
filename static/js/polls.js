// Polls: let htmx show the poll again when an answer is refused (400), so the
// message appears in place instead of nothing happening. Safe to load twice.
(function () {
  "use strict";
  if (window.copPollsReady || !window.htmx) { return; }
  window.copPollsReady = true;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && event.detail.target && event.detail.target.hasAttribute("data-poll")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
