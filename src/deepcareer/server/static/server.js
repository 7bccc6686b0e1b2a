// The class server's exercise page: the local app's code editor on the file's <textarea>
// (Ctrl+Enter submits). Without JavaScript the plain textarea still submits.
(function () {
  "use strict";
  function ready() {
    var code = document.getElementById("code");
    var form = document.getElementById("submit-form");
    if (!code || !form || !window.DeepcareerEditor) return;
    window.DeepcareerEditor.mount(code, { keys: { "Mod-Enter": function () {
      form.requestSubmit();
      return true;
    } } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
