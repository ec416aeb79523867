// Large-text, high-contrast mode (适老化): one tap on every page, remembered across pages.
(function () {
  var root = document.documentElement;
  var button = document.getElementById("pt-elder-toggle");
  if (!button) return;
  function show() {
    var on = root.classList.contains("pt-elder");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "标准字号" : "大字模式";
  }
  button.hidden = false;
  show();
  button.addEventListener("click", function () {
    var on = !root.classList.contains("pt-elder");
    root.classList.toggle("pt-elder", on);
    try { localStorage.setItem("pt-elder", on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
    show();
  });
})();
