// /api/docs/: Redoc (from drf-spectacular-sidecar) renders the OpenAPI schema. Started from this file,
// not an inline script, so the strict Content-Security-Policy holds; search is off because it runs in a
// worker made from a blob: address, which that policy refuses.
(function () {
  "use strict";
  var root = document.getElementById("api-reference");

  // Redoc names each operation in its side menu by the operation alone (aria-label) while the item shows
  // "get communities_list": a screen reader user saying what they see would not find it (axe's
  // label-content-name-mismatch). Dropping the label lets the item be named by what it shows.
  function nameMenuItemsByWhatTheyShow() {
    root.querySelectorAll('[role="menuitem"][aria-label]').forEach(function (item) {
      var shown = item.textContent.replace(/\s+/g, " ").trim();
      if (shown && item.getAttribute("aria-label").indexOf(shown) === -1) {
        item.removeAttribute("aria-label");
      }
    });
  }
  new MutationObserver(nameMenuItemsByWhatTheyShow).observe(root, { childList: true, subtree: true });

  window.Redoc.init(root.dataset.schemaUrl, { disableSearch: true }, root);
})();
