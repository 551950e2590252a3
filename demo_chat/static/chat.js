// The chat demo's own script (loaded after client.js; the page's CSP allows no inline
// script): the copy buttons, "jump to latest", and the edit form's focus and Escape.
// A `button.copy` in a code block copies the block's code text; one in a reply's bar
// copies the reply's Markdown source: its finished blocks' sources (each block's
// `data-md`, sent once with the block), joined in order. `#jump-latest` shows while
// `#history` is scrolled up from its bottom (client.js's av-autoscroll then lets go of
// it, and follows the bottom again once the user is back there) and scrolls to the
// bottom.
// Listeners on the document serve elements that arrive in later frames too.
(function () {
  "use strict";

  function textOf(button) {
    var block = button.closest(".code-block");
    if (block) {
      var code = block.querySelector("pre code");
      return code ? code.textContent : "";
    }
    var reply = button.closest("li");
    var markdown = reply && reply.querySelector(":scope > .markdown");
    if (!markdown) return "";
    var sources = markdown.querySelectorAll("[data-md]");
    var text = "";
    for (var i = 0; i < sources.length; i++) text += sources[i].getAttribute("data-md");
    return text;
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

// The sidebar's drawer on a narrow screen, and where the keyboard's focus goes. The
// drawer's state is the body's class (outside the live container, so no render or live
// navigation resets it) mirrored in the toggle's aria-expanded; following a link,
// starting a new chat, a tap beside the drawer and Escape close it. Focus: a send (Enter or the button, which is disabled
// at once) and a cancel (likewise) leave the focus on the message box, and so does a
// live navigation to another conversation from the sidebar, once it has landed.
(function () {
  "use strict";

  function toggle() { return document.getElementById("sidebar-toggle"); }

  function setOpen(open) {
    document.body.classList.toggle("sidebar-open", open);
    var button = toggle();
    if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function focusPrompt() {
    var prompt = document.getElementById("prompt");
    if (prompt && document.activeElement !== prompt) prompt.focus({ preventScroll: true });
  }

  var movingFrom = null;  // the URL a click on a conversation or "New chat" left

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    if (target.closest("#sidebar-toggle")) {
      setOpen(!document.body.classList.contains("sidebar-open"));
    } else if (target.closest("#conversations a, #new-chat")) {
      setOpen(false);
      movingFrom = location.href;
    } else if (target.closest("#cancel")) {
      setTimeout(focusPrompt, 0);
    }
    if (!target.closest("#sidebar, #sidebar-toggle")) setOpen(false);  // a tap beside it
  });

  document.addEventListener("keydown", function (event) {
    var item = event.target.closest && event.target.closest("#conversations li");
    var keep = item && item.querySelector("button.keep");
    if (event.key === "Escape" && keep) {  // leave a rename or a delete's confirmation
      keep.click();
    } else if (event.key === "Escape" && document.body.classList.contains("sidebar-open")) {
      setOpen(false);
      var button = toggle();
      if (button) button.focus();
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target && event.target.id === "composer") setTimeout(focusPrompt, 0);
  }, true);

  var renaming = null;
  var confirming = null;

  new MutationObserver(function () {
    var rename = document.querySelector("#conversations form.rename-form input");
    if (rename && rename !== renaming) {  // a rename just opened: type the new title
      rename.focus();
      rename.select();
    }
    renaming = rename;
    var confirm = document.querySelector("#conversations button.delete-confirm");
    if (confirm && confirm !== confirming) confirm.focus();  // Enter deletes, Escape keeps
    confirming = confirm;
    if (movingFrom !== null && location.href !== movingFrom && document.getElementById("prompt")) {
      movingFrom = null;  // the navigation landed: type in the conversation shown now
      focusPrompt();
    }
    var button = toggle();
    var open = document.body.classList.contains("sidebar-open");
    if (button && button.getAttribute("aria-expanded") !== String(open)) {
      button.setAttribute("aria-expanded", String(open));
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
