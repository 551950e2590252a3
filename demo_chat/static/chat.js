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
