// Optional niceties of the new-password fields: show/hide the characters, and a strength
// gauge. The gauge asks the server, so it shows exactly the verdict the server enforces.
(function () {
  "use strict";
  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }
  document.querySelectorAll("[data-reveal]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    button.hidden = false;
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.textContent = shown ? button.dataset.showLabel : button.dataset.hideLabel;
    });
  });
  document.querySelectorAll("[data-gauge]").forEach(function (gauge) {
    var input = document.getElementById(gauge.dataset.for);
    var form = input.form;
    var text = gauge.querySelector("[data-gauge-text]");
    var timer = null;
    var sequence = 0;
    gauge.hidden = false;
    input.setAttribute("aria-describedby",
      (input.getAttribute("aria-describedby") + " " + text.id).trim());
    function update() {
      var mine = ++sequence;
      if (!input.value) {
        gauge.dataset.strength = "";
        text.textContent = gauge.dataset.emptyLabel;
        return;
      }
      var body = new URLSearchParams({ password: input.value, context: gauge.dataset.context || "" });
      fetch(gauge.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form) },
        body: body
      }).then(function (response) {
        if (!response.ok) { throw new Error("strength " + response.status); }
        return response.json();
      }).then(function (verdict) {
        if (mine !== sequence) { return; }
        gauge.dataset.strength = verdict.strength;
        text.textContent = verdict.label;
      }).catch(function () { /* the server still checks on submit */ });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 200);
    });
  });
})();
