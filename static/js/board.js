// Drag and drop on the board. Each drop posts the card's new column, its place (right after
// the card above it, or the top) and the version the page showed; the server answers by
// telling the board to fetch its columns again, or with the current card when the version
// was stale. Without JavaScript every card keeps its "Move" link.
(function () {
  "use strict";

  function persist(event) {
    var card = event.item;
    var above = card.previousElementSibling;
    var values = { version: card.dataset.version, status: event.to.dataset.status };
    if (above) {
      values.after = above.dataset.id;
    } else {
      values.position = 1;
    }
    htmx.ajax("POST", card.dataset.move, { source: card, values: values, swap: "none" });
  }

  function makeSortable(list) {
    if (list.dataset.sortable) {
      return;
    }
    list.dataset.sortable = "on";
    Sortable.create(list, {
      group: "board",
      draggable: ".card",
      filter: "input, button, select, textarea, form",
      preventOnFilter: false,
      forceFallback: true,
      fallbackTolerance: 4,
      animation: 120,
      onEnd: function (event) {
        if (event.from !== event.to || event.oldIndex !== event.newIndex) {
          persist(event);
        }
      },
    });
  }

  // Someone else's change shows without a reload: now and then the board asks for its version
  // and fetches its columns again when it changed, but never in the middle of a drag or while
  // something is being typed on the board.
  function busy(columns) {
    var active = document.activeElement;
    if (active && columns.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    if (columns.querySelector(".sortable-chosen, .cards form")) {
      return true;
    }
    return Array.prototype.some.call(columns.querySelectorAll(".quick-add input[name=title]"), function (input) {
      return input.value !== "";
    });
  }

  function poll() {
    var columns = document.getElementById("columns");
    if (!columns || document.hidden || busy(columns)) {
      return;
    }
    fetch(columns.dataset.versionUrl, { credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (version) {
        var current = document.getElementById("columns");
        if (version && current && version !== current.dataset.version && !busy(current)) {
          htmx.trigger(document.body, "board-changed");
        }
      })
      .catch(function () {}); // offline or logged out for a moment: the next poll tries again
  }

  var board = document.getElementById("columns");
  var seconds = board ? Number(board.dataset.pollSeconds) : 0;
  if (seconds > 0) {
    window.setInterval(poll, seconds * 1000);
  }

  htmx.onLoad(function (root) {
    var lists = root.matches && root.matches("ol.cards") ? [root] : root.querySelectorAll("ol.cards");
    Array.prototype.forEach.call(lists, makeSortable);
  });
})();
