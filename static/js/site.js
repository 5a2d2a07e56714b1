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
