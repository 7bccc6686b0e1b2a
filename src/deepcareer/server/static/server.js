// The class server's pages: the local app's code editor on the file's <textarea> (Ctrl+Enter
// submits), and a submission's page that shows its report the moment it is written (a
// server-sent event; without JavaScript the page refreshes itself instead).
(function () {
  "use strict";
  function live() {
    var waiting = document.getElementById("waiting");
    if (!waiting || !window.EventSource) return;
    var events = new EventSource(waiting.getAttribute("data-events"));
    events.addEventListener("done", function () {
      events.close();
      window.location.reload();
    });
  }
  function ready() {
    live();
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
