// The chat demo's own script (loaded after client.js; the page's CSP allows no inline
// script): the copy buttons. A `button.copy` in a reply copies the reply's Markdown
// source (its `data-copy`); one in a code block copies the block's code text. One
// listener on the document serves buttons that arrive in later frames too.
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
