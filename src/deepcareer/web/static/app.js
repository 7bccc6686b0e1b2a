// Page behaviour, loaded as a file (the Content-Security-Policy forbids inline scripts).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("check-form");
  var code = document.getElementById("code");
  function check() {
    if (!form) return;
    if (window.htmx) { window.htmx.trigger(form, "submit"); } else { form.requestSubmit(); }
  }
  function hint() {
    var button = document.getElementById("hint-button");
    if (button) button.click();
  }
  if (code && window.DeepcareerEditor) {
    window.DeepcareerEditor.mount(code, { keys: { "Mod-Enter": check, "Mod-Shift-h": hint } });
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) return;  // the editor already handled it
    var mod = event.ctrlKey || event.metaKey;
    if (mod && event.key === "Enter") { event.preventDefault(); check(); }
    if (mod && event.shiftKey && (event.key === "H" || event.key === "h")) {
      event.preventDefault(); hint();
    }
  });
  // TeX in a README, a quiz question, its options and feedback (elements marked .math):
  // typeset by the vendored KaTeX. Other pages' dollars (pay figures) are left alone.
  if (window.renderMathInElement) {
    document.querySelectorAll("#readme, .math").forEach(function (el) {
      window.renderMathInElement(el, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
        ],
        ignoredTags: ["script", "noscript", "style", "textarea", "option", "code"],
        throwOnError: false,
      });
    });
  }
});

// A refused request (400: malformed, 413: too large) carries a sentence for the learner:
// show it where the result would go (htmx leaves error responses unswapped by default).
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 413) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A fresh report replaces what the last one left: the hint or locked-solution box above it is
// cleared, and focus moves to the report's heading (so a keyboard or screen-reader user, and a
// small screen, land on the result instead of staying at the button).
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || target.id !== "result") return;
  var hint = document.getElementById("hint");
  if (hint) hint.innerHTML = "";
  var heading = target.querySelector("h2");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    heading.scrollIntoView({ block: "start" });
  }
});

// A region that scrolls (a wide code block, formula, table or README on a small screen) must
// be reachable from the keyboard to be read: it joins the Tab order while it scrolls.
function focusableScrollers(root) {
  root.querySelectorAll("pre, .readme, table, .scroll, .katex-display").forEach(function (el) {
    var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
    var style = window.getComputedStyle(el);
    var clips = /(auto|scroll)/.test(style.overflowX + style.overflowY);
    if (scrolls && clips && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("data-scroller", "");
    } else if (!(scrolls && clips) && el.hasAttribute("data-scroller")) {
      el.removeAttribute("tabindex");
      el.removeAttribute("data-scroller");
    }
  });
}
window.addEventListener("load", function () { focusableScrollers(document); });
window.addEventListener("resize", function () { focusableScrollers(document); });
document.addEventListener("htmx:afterSettle", function () { focusableScrollers(document); });
