// Copy buttons beside calendar feed links. Without JavaScript (or a clipboard) the
// button stays hidden and the link can still be selected in its field.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.querySelector('[data-copy-status="' + field.id + '"]');
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = "Copied. Paste it into your calendar's “subscribe from URL”."; },
        function () { field.select(); status.textContent = "Copying was blocked: the link is selected, press Ctrl+C."; }
      );
    });
  });
})();
