// Discussions: small progressive enhancements on top of htmx. Everything works without it.
// Refused replies need nothing here: the server's message is swapped in next to the form
// (core/refusals.py) and the text box is left as it was.
(function () {
  "use strict";

  // -- Drafts: a half-written thread or reply is kept in this browser until it is posted. --
  var DRAFT = "cop-draft:";
  var SENT = "cop-draft-sent";

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" &&
        (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || (el.tagName === "INPUT" && el.type === "text"));
    });
  }

  function saveDraft(form) {
    var store = storage("localStorage");
    if (!store || !form.dataset.draft) return;
    var values = {};
    var typed = false;
    draftFields(form).forEach(function (el) {
      values[el.name] = el.value;
      if (el.tagName !== "SELECT" && el.value.trim()) typed = true;
    });
    if (typed) store.setItem(DRAFT + form.dataset.draft, JSON.stringify(values));
    else store.removeItem(DRAFT + form.dataset.draft);
  }

  function forgetDraft(form) {
    var store = storage("localStorage");
    if (store && form.dataset.draft) store.removeItem(DRAFT + form.dataset.draft);
    var note = form.querySelector(".draft-note");
    if (note) note.remove();
  }

  // Put a kept draft back, unless the page already shows text (the server's own, after a refusal).
  function restoreDraft(form) {
    var store = storage("localStorage");
    if (!store || !form.dataset.draft) return;
    var saved;
    try { saved = JSON.parse(store.getItem(DRAFT + form.dataset.draft) || "null"); } catch (e) { saved = null; }
    if (!saved) return;
    var fields = draftFields(form);
    var shown = fields.some(function (el) { return el.tagName !== "SELECT" && el.value.trim(); });
    if (shown) return;
    fields.forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(saved, el.name)) el.value = saved[el.name];
    });
    var note = document.createElement("p");
    note.className = "draft-note small text-body-secondary mb-1";
    note.setAttribute("role", "status");
    note.textContent = "Your unsent draft is back. ";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-link btn-sm p-0 align-baseline";
    discard.textContent = "Discard it";
    discard.addEventListener("click", function () {
      fields.forEach(function (el) { if (el.tagName !== "SELECT") el.value = ""; });
      forgetDraft(form);
    });
    note.appendChild(discard);
    form.insertBefore(note, form.firstChild);
  }

  function draftForms(root) {
    return Array.prototype.slice.call((root || document).querySelectorAll("form[data-draft]"));
  }

  // A plain (non-htmx) submit: if the next page no longer shows this form, it was posted.
  (function settleSentDraft() {
    var session = storage("sessionStorage");
    var sent = session && session.getItem(SENT);
    if (!sent) return;
    session.removeItem(SENT);
    var stillHere = draftForms().some(function (form) { return form.dataset.draft === sent; });
    var store = storage("localStorage");
    if (!stillHere && store) store.removeItem(DRAFT + sent);
  })();

  draftForms().forEach(restoreDraft);

  document.addEventListener("input", function (evt) {
    var form = evt.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });
  document.addEventListener("change", function (evt) {
    var form = evt.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var session = storage("sessionStorage");
    if (form.dataset && form.dataset.draft && !form.hasAttribute("data-hx-post") && session) {
      session.setItem(SENT, form.dataset.draft);
    }
  });

  // A reply posted inline: clear the form and its draft, fold its <details>, focus the new reply.
  // A refused one (any 4xx) keeps everything: the message is already next to the form.
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (!form || !form.classList || !form.classList.contains("reply-form")) return;
    if (!evt.detail.successful) return;
    var errors = form.querySelector(".reply-errors");
    if (errors) errors.innerHTML = "";
    var preview = form.querySelector(".reply-preview");
    if (preview) preview.innerHTML = "";
    forgetDraft(form);
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
    draftForms(slot).forEach(restoreDraft);
    var box = slot.querySelector("textarea");
    if (box) box.focus();
  }, true);

  // -- @mentions: typing @ and part of a name offers the community's members (<text-expander>). --
  var optionCount = 0;

  function mentionList(people) {
    var list = document.createElement("ul");
    list.className = "mention-menu list-group shadow";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    people.forEach(function (person) {
      var item = document.createElement("li");
      optionCount += 1;
      item.id = "mention-option-" + optionCount;
      item.className = "list-group-item py-1 px-2 small";
      item.setAttribute("role", "option");
      item.setAttribute("data-value", "@" + person.username);
      item.textContent = person.name + " ";
      var handle = document.createElement("span");
      handle.className = "text-body-secondary";
      handle.textContent = "@" + person.username;
      item.appendChild(handle);
      list.appendChild(item);
    });
    return list;
  }

  // text-expander's events do not bubble: listen in the capture phase.
  document.addEventListener("text-expander-change", function (evt) {
    var expander = evt.target;
    var url = expander.getAttribute && expander.getAttribute("data-mention-url");
    if (evt.detail.key !== "@" || !url || !evt.detail.text) return;
    var lookup = window.fetch(url + "?q=" + encodeURIComponent(evt.detail.text), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { people: [] };
    }).then(function (data) {
      var people = data.people || [];
      return { matched: people.length > 0, fragment: mentionList(people) };
    }).catch(function () {
      return { matched: false, fragment: null };
    });
    evt.detail.provide(lookup);
  }, true);

  document.addEventListener("text-expander-value", function (evt) {
    if (evt.detail.key === "@") evt.detail.value = evt.detail.item.getAttribute("data-value");
  }, true);

  document.addEventListener("text-expander-committed", function (evt) {
    var form = evt.detail.input && evt.detail.input.form;
    if (form && form.dataset.draft) saveDraft(form);
  }, true);
})();
