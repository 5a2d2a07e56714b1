// The project's own JavaScript: small and optional; every page works without it.
(function () {
  "use strict";
  // Tell the server the browser's time zone so visitors who are not logged in
  // see times in their own zone (accounts/middleware.py reads the cookie).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var cookie = "tz=" + encodeURIComponent(zone);
    if (zone && document.cookie.indexOf(cookie) === -1) {
      document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* very old browser: times stay in UTC */ }

  // htmx requests carry the CSRF token from Django's csrftoken cookie, so no page holds it
  // and visitors' pages can be cached whole (core/pagecache.py).
  document.body.addEventListener("htmx:configRequest", function (event) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]); }
  });
})();

// Filter panels (<details data-open-on-wide>) start open on wide screens and folded on
// phones, so results come first there. Without JavaScript they start folded unless the
// page opened them (a filter is applied).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 992px)").matches) return;
  document.querySelectorAll("details[data-open-on-wide]").forEach(function (details) {
    details.open = true;
  });
})();
