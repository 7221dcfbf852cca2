/* Small behaviours shared by staff pages. The Content-Security-Policy allows no inline script
   or event handler, so pages declare them with data attributes and this file wires them up.
   Every page works without it. */
(function () {
  "use strict";

  /* <form data-confirm="Question?">: ask before submitting. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  /* <form data-toggle-by="field"> with elements [data-types="a b"]: show only the elements
     whose types include the value of that field; without script all stay visible. */
  function syncToggles(form, field) {
    form.querySelectorAll("[data-types]").forEach(function (el) {
      el.hidden = el.getAttribute("data-types").split(" ").indexOf(field.value) < 0;
    });
  }
  function init() {
    document.querySelectorAll("form[data-toggle-by]").forEach(function (form) {
      var field = form.elements[form.getAttribute("data-toggle-by")];
      if (!field) return;
      field.addEventListener("change", function () { syncToggles(form, field); });
      syncToggles(form, field);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
