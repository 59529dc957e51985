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

  htmx.onLoad(function (root) {
    var lists = root.matches && root.matches("ol.cards") ? [root] : root.querySelectorAll("ol.cards");
    Array.prototype.forEach.call(lists, makeSortable);
  });
})();
