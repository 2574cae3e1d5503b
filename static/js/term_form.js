/* The term form shows only the chosen kind's fields (negotiation/forms.py KIND_FIELDS, carried on each
   field as data-kinds). Without this script every field is shown and the server reads only the kind's. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-term-form]");
  if (!form) { return; }
  var kind = form.querySelector("[name=kind]");
  if (!kind) { return; }
  function apply() {
    var chosen = kind.value;
    var parts = form.parentNode.querySelectorAll("[data-kinds]");
    for (var i = 0; i < parts.length; i++) {
      var kinds = parts[i].getAttribute("data-kinds").split(" ");
      parts[i].hidden = kinds.indexOf(chosen) < 0;
    }
  }
  kind.addEventListener("change", apply);
  document.documentElement.classList.add("term-form-js");
  apply();
})();
