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
})();
