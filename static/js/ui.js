/* Small page behaviours that the Content-Security-Policy (script-src 'self') forbids as inline
 * handlers: [data-print] buttons print the page; select[data-autosubmit] submits its form on change. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-print]");
    if (el) { e.preventDefault(); window.print(); }
  });
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
})();
