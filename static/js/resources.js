// Resource library: the search and filter panel starts open on wide screens and
// folded on phones (the page works without this; the panel is then folded until
// a filter is applied).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 992px)").matches) {
    return;
  }
  document.querySelectorAll("details[data-open-on-wide]").forEach(function (details) {
    details.open = true;
  });
})();
