// A deregistration's claim state, right on any day. The page says what was true on the day it was built; an
// element that was still open carries its deadline (data-deadline="2026-12-01", see templates/_macros.html
// `claim`) and both texts. Once the visitor's day in China (Asia/Shanghai, UTC+8 all year) is past the deadline,
// show the "closed" text instead. Only ever from open to closed: a phone whose clock is behind never reopens
// what the build already closed. search.js calls window.ptClaims on the results it adds.
(function () {
  var CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

  function chinaToday() {
    return new Date(Date.now() + CHINA_OFFSET_MS).toISOString().slice(0, 10);  // YYYY-MM-DD, like the deadline
  }

  function update(root) {
    var today = chinaToday();
    var claims = (root || document).querySelectorAll("[data-deadline]");
    for (var i = 0; i < claims.length; i++) {
      var claim = claims[i];
      if (today <= claim.getAttribute("data-deadline")) continue;
      var parts = claim.querySelectorAll("[data-claim]");
      for (var j = 0; j < parts.length; j++) parts[j].hidden = parts[j].getAttribute("data-claim") !== "closed";
      claim.removeAttribute("data-deadline");
      var box = claim.closest ? claim.closest(".pt-deadline--open") : null;
      if (box) box.className = box.className.replace("pt-deadline--open", "pt-deadline--closed");
    }
  }

  window.ptClaims = update;
  update(document);
})();
