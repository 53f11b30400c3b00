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

  // --- the status line (a toast): what a key or button just did ------------------------------
  var toastTimer = null;
  function toast(text) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  // A like button says what it will do (data-done: "Liked: ..." or "Un-liked: ..."); the toast
  // shows it once the server has answered, so a failed request never claims success.
  var pendingDone = null;
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.like");
    if (button) pendingDone = button.getAttribute("data-done");
  }, true);
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!pendingDone) return;
    var text = pendingDone;
    pendingDone = null;
    toast(event.detail.successful ? text : "That did not work; reload the page and try again.");
  });

  // --- Cite: reveal the BibTeX, copy it ---------------------------------------------------
  function toggleCite(button) {
    var box = document.getElementById(button.getAttribute("aria-controls"));
    if (!box) return;
    box.hidden = !box.hidden;
    button.setAttribute("aria-expanded", box.hidden ? "false" : "true");
  }

  function copyText(button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    var text = source.textContent;
    function done(ok) {
      if (status) status.textContent = ok ? "Copied." : "Select the text and copy it (Ctrl+C).";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    // Plain http on a LAN address: no clipboard API; select the text for the reader instead.
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  }

  // --- the `?` overlay of keys -------------------------------------------------------------
  var keysReturn = null;
  function keysOverlay(show) {
    var overlay = document.getElementById("keys");
    if (!overlay) return;
    if (show) {
      keysReturn = document.activeElement;
      overlay.hidden = false;
      overlay.querySelector(".keys-close").focus();
    } else if (!overlay.hidden) {
      overlay.hidden = true;
      if (keysReturn && keysReturn.focus) keysReturn.focus();
    }
  }
  function keysOpen() {
    var overlay = document.getElementById("keys");
    return overlay && !overlay.hidden;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    var cite = target.closest("button.cite-toggle");
    if (cite) { toggleCite(cite); return; }
    var copy = target.closest("button.copy");
    if (copy) { copyText(copy); return; }
    if (target.closest("button.keys-open")) { keysOverlay(true); return; }
    if (target.closest("button.keys-close") || target.id === "keys") keysOverlay(false);
  });

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (keysOpen()) {  // the overlay is modal: any key but Tab closes it
      if (event.key === "Tab") return;
      keysOverlay(false);
      event.preventDefault();
      return;
    }
    switch (event.key) {
      case "?": keysOverlay(true); break;
      case "c": {
        var cite = document.querySelector("button.cite-toggle");
        if (!cite) return;
        toggleCite(cite);
        break;
      }
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
