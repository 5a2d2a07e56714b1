// The chat room's live updates. Without this script (or without WebSockets) the room still
// works: every control is a form, and reloading shows what is new.
(function () {
  "use strict";
  // Before the start: the page opens the room by itself when the chat begins.
  var upcoming = document.getElementById("chat-upcoming");
  if (upcoming) {
    var wait = parseFloat(upcoming.dataset.opensIn || "0");
    if (wait >= 0 && wait < 86400) { window.setTimeout(function () { window.location.reload(); }, wait * 1000 + 500); }
    return;
  }
  var room = document.getElementById("chat-room");
  if (!room || !window.WebSocket || !window.fetch) { return; }
  var stream = document.getElementById("chat-stream");
  var log = room.querySelector(".chat-log");
  var status = document.getElementById("chat-status");
  var form = document.getElementById("chat-form");
  var body = document.getElementById("chat-body");
  var formError = document.getElementById("chat-form-error");
  var chatId = parseInt(room.dataset.chat, 10);
  var lastSeq = parseInt(room.dataset.lastSeq || "0", 10);
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var socket = null;
  var retries = 0;
  var nextRef = 1;
  var waiting = {};
  var ended = false;

  function say(text) { status.textContent = text; }

  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 80; }

  function addPromptChoice(item) {
    var select = document.getElementById("chat-prompt");
    var number = item.dataset.prompt;
    if (!number) { return; }
    if (!select) {
      var box = document.createElement("div");
      box.className = "mb-2";
      box.id = "chat-prompt-choice";
      box.innerHTML = '<label for="chat-prompt" class="form-label small mb-1">Answering</label>' +
        '<select name="prompt" id="chat-prompt" class="form-select form-select-sm"></select>';
      form.insertBefore(box, form.querySelector("label[for=chat-body]"));
      select = box.querySelector("select");
    }
    if (select.querySelector('option[value="' + number + '"]')) { return; }
    var option = document.createElement("option");
    var text = (item.querySelector(".chat-body") || {}).textContent || "";
    option.value = number;
    option.textContent = "A" + number + " to Q" + number + ": " + text.trim().slice(0, 60);
    select.appendChild(option);
    if (document.activeElement !== select) { select.value = number; }
  }

  function insert(seq, html) {
    if (stream.querySelector('[data-seq="' + seq + '"]')) { return; }
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var item = template.content.firstElementChild;
    var stick = nearBottom();
    var before = null;
    for (var i = stream.children.length - 1; i >= 0; i--) {
      if (parseInt(stream.children[i].dataset.seq, 10) < seq) { break; }
      before = stream.children[i];
    }
    if (item.dataset.author && item.dataset.author === room.dataset.user) {
      var own = item.querySelector('[data-chat-action="helpful"]');
      if (own) { own.remove(); }  // nobody marks their own answer helpful
    }
    stream.insertBefore(item, before);
    if (seq > lastSeq) { lastSeq = seq; }
    var empty = document.getElementById("chat-empty");
    if (empty) { empty.remove(); }
    if (item.classList.contains("chat-prompt")) {
      var count = document.getElementById("chat-prompt-count");
      count.textContent = stream.querySelectorAll(".chat-prompt").length;
      if (form) { addPromptChoice(item); }
    }
    if (stick) { log.scrollTop = log.scrollHeight; }
  }

  function setState(state) {
    var badge = document.getElementById("chat-state");
    room.dataset.state = state;
    if (state === "closed") {
      ended = true;
      badge.textContent = "Ended";
      badge.className = "badge text-bg-secondary";
      say("The chat has ended. Reload the page to read its archive.");
      if (form) { form.querySelector("button[type=submit]").disabled = true; }
    } else if (state === "paused") {
      badge.textContent = "Paused";
      badge.className = "badge text-bg-warning";
      say("The hosts paused the chat. Keep your answer; send it when it resumes.");
    } else {
      badge.textContent = "Live";
      badge.className = "badge text-bg-success";
      say("Live: new messages appear as they are posted.");
    }
  }

  var handlers = {
    message: function (data) { insert(data.seq, data.html); },
    hidden: function (data) {
      data.ids.forEach(function (id) {
        var item = document.getElementById("m" + id);
        if (!item) { return; }
        var hadFocus = item.contains(document.activeElement);
        item.remove();
        if (hadFocus) { log.focus(); }  // focus stays in the room, not lost to the page
      });
    },
    helpful: function (data) {
      var item = document.getElementById("m" + data.id);
      var count = item && item.querySelector(".chat-count");
      if (count) { count.textContent = data.count; }
    },
    pinned: function (data) { document.getElementById("chat-pinned").innerHTML = data.html; },
    presence: function (data) { document.getElementById("chat-presence").innerHTML = data.html; },
    state: function (data) { setState(data.state); },
    ack: function (data) {
      if (waiting[data.ref] === "post") {
        body.value = "";
        formError.textContent = "";
        body.classList.remove("is-invalid");
        replyTo(null);
      }
      delete waiting[data.ref];
      var active = document.activeElement;
      if (active === document.body || (form && form.contains(active) && active !== body)) { body.focus(); }
    },
    error: function (data) {
      if (waiting[data.ref] === "post") {
        formError.textContent = data.message;
        body.classList.add("is-invalid");
      } else {
        say(data.message);
      }
      delete waiting[data.ref];
    }
  };

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + room.dataset.socketPath);
    socket.onopen = function () {
      retries = 0;
      socket.send(JSON.stringify({ action: "resume", chat: chatId, after: lastSeq }));
      if (room.dataset.state === "paused") { setState("paused"); } else { say("Live: new messages appear as they are posted."); }
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (handlers[data.type]) { handlers[data.type](data); }
    };
    socket.onclose = function (event) {
      socket = null;
      waiting = {};  // unanswered sends: the text is still in the box, to send again
      if (event.code >= 4400 && event.code < 4500) {
        say("You can no longer follow this room. Reload the page.");
        return;
      }
      if (ended) { return; }
      say("Live updates stopped; trying again. Reloading the page also shows what is new.");
      retries = Math.min(retries + 1, 5);
      window.setTimeout(connect, 400 * Math.pow(2, retries));
    };
  }

  function replyTo(link) {
    var parent = document.getElementById("chat-parent");
    var banner = document.getElementById("chat-replying");
    var choice = document.getElementById("chat-prompt-choice");
    if (!parent) { return; }
    parent.value = link ? link.dataset.replyTo : "";
    document.getElementById("chat-replying-name").textContent = link ? link.dataset.replyName : "";
    banner.classList.toggle("d-none", !link);
    if (choice) { choice.classList.toggle("d-none", !!link); }
    document.querySelector("label[for=chat-body]").textContent = link ? "Your reply" : "Your answer";
  }

  room.addEventListener("click", function (event) {
    var link = event.target.closest("[data-reply-to]");
    if (link && form) {
      event.preventDefault();
      replyTo(link);
      body.focus();
      return;
    }
    if (event.target.closest("#chat-reply-cancel")) {
      event.preventDefault();
      replyTo(null);
      body.focus();
    }
  });

  room.addEventListener("submit", function (event) {
    var target = event.target;
    if (target === form) {
      if (!socket || socket.readyState !== WebSocket.OPEN) { return; }  // an ordinary POST then
      event.preventDefault();
      // One answer at a time; the button stays enabled (and focused) while it travels.
      if (ended || Object.keys(waiting).some(function (key) { return waiting[key] === "post"; })) { return; }
      var ref = String(nextRef++);
      var prompt = document.getElementById("chat-prompt");
      waiting[ref] = "post";
      socket.send(JSON.stringify({
        action: "post", chat: chatId, ref: ref, body: body.value,
        prompt: prompt ? parseInt(prompt.value, 10) : null,
        parent: parseInt(document.getElementById("chat-parent").value, 10) || null
      }));
      return;
    }
    if (!target.dataset.chatAction) { return; }
    event.preventDefault();
    var button = target.querySelector("button");
    fetch(target.action, {
      method: "POST", body: new FormData(target), credentials: "same-origin",
      headers: { "X-Chat-Fetch": "1", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { say(data.error || "That did not work. Reload the page and try again."); return; }
        if (target.dataset.chatAction === "helpful" && button) {
          button.setAttribute("aria-pressed", data.marked ? "true" : "false");
        }
        if (data.message) { say(data.message); }
      });
    }).catch(function () { say("That did not reach the server. Check your connection and try again."); });
  });

  connect();
})();
