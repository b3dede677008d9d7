// "Gestion des comptes" tabs: "Copier les informations du responsable" and "Tout
// sélectionner" at once, without a round trip. Without this script both buttons submit the
// form, and the page comes back filled in, nothing saved: the script only saves the wait.
(function () {
  "use strict";
  function field(id) {
    return document.getElementById(id);
  }
  function typed(id) {
    var input = field(id);
    return input ? input.value.trim() : "";
  }
  function announce(button) {
    var region = document.querySelector("[data-announce]");
    if (region) {
      region.textContent = button.getAttribute("data-done") || "";
    }
  }
  function copyResponsible(contact) {
    var name = [typed("first_name"), typed("last_name")].filter(Boolean).join(" ");
    var copied = { _name: name, _email: typed("email"), _phone: typed("phone") };
    Object.keys(copied).forEach(function (suffix) {
      var input = field(contact + suffix);
      if (input) {
        input.value = copied[suffix];
      }
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy], [data-select-all]");
    if (!button || !button.form) {
      return;
    }
    event.preventDefault();
    if (button.hasAttribute("data-copy")) {
      copyResponsible(button.getAttribute("data-copy"));
    } else {
      button.form.querySelectorAll("[data-service]").forEach(function (box) {
        box.checked = true;
      });
    }
    announce(button);
  });
})();
