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

  // Screen readers hear what a drag did, as sighted people see it.
  function announce(what) {
    var announcer = document.getElementById("announcer");
    if (announcer) {
      announcer.textContent = announcer.dataset[what];
    }
  }

  // On a phone the board shows one column at a time: the switcher scrolls the board (not the
  // page) to a column and marks the column in view.
  function showColumn(status) {
    var column = document.getElementById("col-" + status);
    if (column) {
      column.parentElement.scrollTo({ left: column.offsetLeft - column.parentElement.offsetLeft });
    }
    markColumn(status);
  }

  function markColumn(status) {
    document.querySelectorAll(".column-switcher a").forEach(function (link) {
      link.setAttribute("aria-current", String(link.dataset.column === status));
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".column-switcher a");
    if (link) {
      event.preventDefault();
      showColumn(link.dataset.column);
    }
  });

  // Where the board is wider than its box, the edges it scrolls towards are shaded, so that a
  // column out of sight (Done, beside the open card panel on a small laptop) is not missed.
  function showScrollCue() {
    var board = document.getElementById("columns");
    var frame = board && board.parentElement;
    if (!frame || !frame.hasAttribute("data-board-scroll")) {
      return;
    }
    var hidden = board.scrollWidth - board.clientWidth;
    frame.classList.toggle("more-left", board.scrollLeft > 1);
    frame.classList.toggle("more-right", hidden - board.scrollLeft > 1);
  }

  var frame = document.querySelector("[data-board-scroll]");
  if (frame && window.ResizeObserver) {
    new ResizeObserver(showScrollCue).observe(frame); // the panel opening or closing, a resize
  }
  document.body.addEventListener("htmx:afterSettle", showScrollCue);

  document.addEventListener(
    "scroll",
    function (event) {
      var board = event.target;
      if (board.id !== "columns" || !board.clientWidth) {
        return;
      }
      showScrollCue();
      var index = Math.round(board.scrollLeft / board.clientWidth);
      var column = board.querySelectorAll(".column")[index];
      if (column) {
        markColumn(column.id.replace("col-", ""));
      }
    },
    true
  );

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status === 409) {
      announce("conflict");
    } else if (status === 204 && event.detail.elt.matches("li.card")) {
      announce("moved");
    }
  });

  // Fetching the columns again keeps the column a phone was showing.
  var scrolledTo = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id === "columns") {
      scrolledTo = event.detail.target.scrollLeft;
    }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var board = document.getElementById("columns");
    if (board && scrolledTo !== null) {
      board.scrollLeft = scrolledTo;
      scrolledTo = null;
    }
  });

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
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : 120,
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
