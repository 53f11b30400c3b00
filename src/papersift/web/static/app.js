/* papersift: keyboard navigation and the CSRF header for htmx requests.
   Loaded from /static: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var token = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (token) event.detail.headers["X-CSRF-Token"] = token.content;
  });

  var current = -1;

  function papers() {
    return Array.prototype.slice.call(document.querySelectorAll("article.paper"));
  }

  function select(index) {
    var list = papers();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (item, n) {
      item.classList.toggle("selected", n === current);
    });
    list[current].focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "nearest" });
  }

  function selected() {
    // Nothing selected on a paper's own page: the keys act on that paper.
    if (current < 0) return document.querySelector("article.paper-page");
    return papers()[current] || null;
  }

  function press(key) {
    var item = selected();
    var button = item && item.querySelector('button[data-key="' + key + '"]');
    if (button) button.click();
  }

  function openSelected() {
    var item = selected();
    var link = item && item.querySelector("a.open");
    if (link) window.location.href = link.href;
  }

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "l": press("l"); break;
      case "d": press("d"); break;
      case "o":
      case "Enter":
        if (event.target.tagName === "A" || event.target.tagName === "BUTTON") return;
        openSelected();
        break;
      case "/": {
        var box = document.querySelector("main input[type=search]") || document.getElementById("q");
        if (box) { box.focus(); box.select(); }
        break;
      }
      default: return;
    }
    event.preventDefault();
  });

  // A re-ranked feed is a new list: start again from the top.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "feed") current = -1;
  });
})();
