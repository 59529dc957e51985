// Every page: marks that scripts run (so the header can fold into a menu on phones), opens and
// closes that menu, copies the values that copy buttons name, and takes an undo button away
// once it is too late to use it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".menu-toggle");
    if (toggle) {
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.dataset.copy).then(function () {
        copy.textContent = copy.dataset.copied;
      });
    }
  });

  // The server says how many seconds are left (the browser's clock may be off) and refuses a
  // late undo anyway; this only spares people a button that no longer works.
  function expireUndos(root) {
    var lines = Array.prototype.slice.call(root.querySelectorAll("[data-undo-seconds]"));
    if (root.matches && root.matches("[data-undo-seconds]")) {
      lines.push(root);
    }
    lines.forEach(function (line) {
      if (line.dataset.undoTimer) {
        return;
      }
      line.dataset.undoTimer = "on";
      window.setTimeout(function () {
        var form = line.querySelector("form");
        if (form) {
          form.remove();
        }
      }, Number(line.dataset.undoSeconds) * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    expireUndos(document);
  });
  document.addEventListener("htmx:load", function (event) {
    expireUndos(event.target);
  });
})();
