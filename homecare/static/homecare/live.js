// Live parts of pages (htmx): the broker's waiting list refreshes itself every 30 seconds.
//
// WCAG 2.2.2 asks for a way to pause content that updates by itself, so the "Update the list
// every ... seconds" checkbox (hidden unless this script runs) stops the refresh. A refresh is
// also skipped while focus is inside the list, so a keyboard user never loses their place.
(function () {
  var toggle = document.getElementById("live-updates");
  if (toggle) {
    toggle.closest(".app-live-toggle").hidden = false;
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (!element || element.id !== "waiting") {
      return;
    }
    var paused = toggle && !toggle.checked;
    if (paused || element.contains(document.activeElement)) {
      event.preventDefault();
    }
  });
})();
