// Discussions: small progressive enhancements on top of htmx. Everything works without it.
(function () {
  "use strict";

  // A reply posted inline: clear the form, fold its <details> and move focus to the new reply.
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.classList || !form.classList.contains("reply-form")) return;
    if (!evt.detail.successful) return;
    var errors = form.querySelector(".reply-errors");
    if (errors) errors.innerHTML = "";
    var preview = form.querySelector(".reply-preview");
    if (preview) preview.innerHTML = "";
    form.reset();
    var details = form.closest("details");
    if (details) details.open = false;
    var fresh = document.querySelectorAll(".post.just-posted");
    if (fresh.length) {
      var last = fresh[fresh.length - 1];
      last.setAttribute("tabindex", "-1");
      last.focus();
      fresh.forEach(function (el) { el.classList.remove("just-posted"); });
    }
  });

  // "Reply" under a post: copy the page's one reply form into it the first time it opens.
  // ("toggle" does not bubble, so listen in the capture phase.)
  document.addEventListener("toggle", function (evt) {
    var details = evt.target;
    if (!details.classList || !details.classList.contains("reply-details") || !details.open) return;
    var slot = details.querySelector(".reply-slot");
    var template = document.getElementById("reply-form-template");
    if (!slot || !template || slot.dataset.loaded) return;
    slot.innerHTML = template.innerHTML.split("__parent__").join(details.dataset.parent);
    slot.dataset.loaded = "1";
    if (window.htmx) window.htmx.process(slot);
    var box = slot.querySelector("textarea");
    if (box) box.focus();
  }, true);

  // Refused replies (400, 429) and refused reactions: show the message instead of dropping it.
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status !== 400 && status !== 429) return;
    var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!form) return;
    var box = form.querySelector(".reply-errors");
    if (!box) {
      box = document.createElement("div");
      box.className = "reply-errors small text-danger";
      box.setAttribute("role", "alert");
      form.appendChild(box);
    }
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
    evt.detail.target = box;
    evt.detail.swapOverride = "innerHTML";
  });
})();
