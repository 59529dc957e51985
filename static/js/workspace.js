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

  // The card panel is a dialog: opening it moves the focus in, Esc or the close button shuts it
  // and gives the focus back to the card it was opened from.
  var openedFrom = null;
  var returnTo = null; // the card to give the focus back to, by id: the board may redraw it

  function panel() {
    return document.getElementById("panel");
  }

  function closePanel() {
    var open = panel();
    if (!open || !open.firstElementChild) {
      return;
    }
    var card = open.querySelector("[data-card]");
    open.replaceChildren();
    returnTo = card ? card.dataset.card : null;
    var back = returnTo && document.querySelector("#card-" + returnTo + " .card-title");
    if (!back && openedFrom && document.contains(openedFrom)) {
      back = openedFrom; // not an archived card's title, which the board no longer has
    }
    (back || document.getElementById("main")).focus();
  }

  // The board fetched its columns again (after a move, say) while the focus was on a card it
  // replaced: the focus goes to the same card in its new place.
  document.body.addEventListener("htmx:afterSettle", function () {
    if (returnTo && (!document.activeElement || document.activeElement === document.body)) {
      var back = document.querySelector("#card-" + returnTo + " .card-title");
      if (back) {
        back.focus();
      }
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "panel" && !panel().contains(event.detail.elt)) {
      openedFrom = event.detail.elt;
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var open = panel();
    if (event.detail.target === open && !open.contains(document.activeElement)) {
      var heading = open.querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel() && panel().firstElementChild) {
      closePanel();
    }
  });

  // Behaviour named by data attributes, so no page carries inline script.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-panel]")) {
      closePanel();
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
