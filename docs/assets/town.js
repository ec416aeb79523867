// A town page opened at an anchor (a search result, a 我住在哪个村 chip, a printed QR code; see
// generator/anchors.py): a building's 楼栋长 sits in a folded 楼栋长 list, which older browsers (WeChat's X5)
// do not unfold for an address's #anchor. Unfold it and bring the place into view; CSS (:target) highlights it.
(function () {
  function land() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var folded = false;
    for (var node = target.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; folded = true; }
    }
    if (folded && target.scrollIntoView) target.scrollIntoView();
  }
  land();
  window.addEventListener("hashchange", land);
})();
