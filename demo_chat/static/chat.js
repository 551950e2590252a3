// The chat demo's own script (loaded after client.js; the page's CSP allows no inline
// script): the copy buttons, "jump to latest", and the edit form's focus and Escape.
// A `button.copy` in a reply copies the reply's Markdown source (its `data-copy`); one
// in a code block copies the block's code text. `#jump-latest` shows while `#history`
// is scrolled up from its bottom (client.js's av-autoscroll then lets go of it, and
// follows the bottom again once the user is back there) and scrolls to the bottom.
// Listeners on the document serve elements that arrive in later frames too.
(function () {
  "use strict";

  function textOf(button) {
    if (button.hasAttribute("data-copy")) return button.getAttribute("data-copy");
    var block = button.closest(".code-block");
    var code = block && block.querySelector("pre code");
    return code ? code.textContent : "";
  }

  function copied(button, ok) {
    button.classList.remove("copied", "copy-failed");
    button.classList.add(ok ? "copied" : "copy-failed");
    setTimeout(function () {
      button.classList.remove("copied", "copy-failed");
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy");
    if (!button) return;
    event.preventDefault();
    if (!navigator.clipboard) return copied(button, false);
    navigator.clipboard.writeText(textOf(button)).then(
      function () { copied(button, true); },
      function () { copied(button, false); }
    );
  });

  // -- jump to latest ------------------------------------------------------------------
  var NEAR = 8; // px from the bottom that still count as at the bottom

  function history() { return document.getElementById("history"); }

  function jumpButton() { return document.getElementById("jump-latest"); }

  function atBottom(log) {
    return log.scrollHeight - log.scrollTop - log.clientHeight <= NEAR;
  }

  function showJump() {
    var log = history();
    var button = jumpButton();
    if (!log || !button) return;
    var away = !atBottom(log);
    if (button.hidden === away) button.hidden = !away;
  }

  // Scroll events do not bubble, but they are seen on the way down (capture).
  document.addEventListener("scroll", function (event) {
    if (event.target === history()) showJump();
  }, true);
  window.addEventListener("resize", showJump);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#jump-latest");
    if (!button) return;
    var log = history();
    if (log) log.scrollTop = log.scrollHeight;
    button.hidden = true;
  });

  // Escape in the edit form closes it, as its Cancel does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest(".edit-form");
    var cancel = form && form.querySelector("button.cancel-edit");
    if (cancel) cancel.click();
  });

  // -- the edit form takes the focus when it opens; the composer when it closes ----------
  var editing = false;
  new MutationObserver(function () {
    var box = document.getElementById("edit-prompt");
    if (box && !editing) {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    } else if (!box && editing && document.activeElement === document.body) {
      var prompt = document.getElementById("prompt");
      if (prompt) prompt.focus();
    }
    editing = Boolean(box);
    showJump();
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
