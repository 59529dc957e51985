// The workspace answers a refused save with the form to show: 409 when someone else changed
// the card first, 422 when the input needs fixing. htmx swaps those in like any other answer.
(function () {
  "use strict";
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];

  // Behaviour named by data attributes, so no page carries inline script.
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-panel]");
    if (close) {
      close.closest("#panel").replaceChildren();
      return;
    }
    var refresh = event.target.closest("[data-board-refresh]");
    if (refresh) {
      // Cancel an in-place edit: the board fetches its columns again, the link is not followed.
      event.preventDefault();
      htmx.trigger(document.body, "board-changed");
    }
  });
})();
