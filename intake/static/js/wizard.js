/* Progressive enhancement for the intake wizard. Everything works without this file:
   conditional questions are then shown with "Answer only if…" wording, and the server clears
   answers to questions that do not apply. */
(function () {
  "use strict";

  function isShown(el) {
    return !el.closest("[hidden]");
  }

  function chosenValues(form, name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (!isShown(input)) continue;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) continue;
      values.push(input.value);
    }
    return values;
  }

  function applies(form, el) {
    var names = el.getAttribute("data-when").split(" ");
    var chosen = [];
    names.forEach(function (name) { chosen = chosen.concat(chosenValues(form, name)); });
    var inList = el.getAttribute("data-in");
    if (inList !== null) {
      var wanted = inList.split(" ");
      return chosen.some(function (v) { return wanted.indexOf(v) !== -1; });
    }
    var unwanted = el.getAttribute("data-not-in").split(" ");
    return !chosen.some(function (v) { return unwanted.indexOf(v) !== -1; });
  }

  function update(form) {
    var conditional = form.querySelectorAll("[data-when]");
    // Twice, so a question that depends on a hidden question is hidden too.
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < conditional.length; i++) {
        var el = conditional[i];
        var show = applies(form, el);
        el.hidden = !show;
      }
    }
  }

  function setUp(form) {
    var conditional = form.querySelectorAll("[data-when]");
    if (!conditional.length) return;
    for (var i = 0; i < conditional.length; i++) {
      var hint = conditional[i].querySelector(".conditional-hint");
      if (hint) hint.classList.add("js-hidden");
    }
    form.addEventListener("change", function () { update(form); });
    update(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    var form = document.getElementById("step-form");
    if (form) setUp(form);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    var print = document.getElementById("print-button");
    if (print) print.addEventListener("click", function () { window.print(); });
  });
})();
