// Calendar: let htmx show the RSVP box the server sends back with a 400 (it
// explains what was wrong); htmx leaves error responses unswapped by default.
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "rsvp-box") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
