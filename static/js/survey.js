/* Progressive enhancement of the questionnaire: the form works without this file.
   - shows/hides conditional questions live, evaluating the same condition language as the
     server (surveyapp/definitions/conditions.py) from the parsed tree in data-relevant;
   - shows how many questions are answered (recomputed when the page is shown again);
   - moves focus to the error summary or notice after a failed submission. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function isEmpty(v) {
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
  }

  // Mirrors conditions._evaluate: a comparison with an unanswered question is false.
  function holds(tree, answers) {
    var op = tree[0];
    if (op === "and") { return holds(tree[1], answers) && holds(tree[2], answers); }
    if (op === "or") { return holds(tree[1], answers) || holds(tree[2], answers); }
    if (op === "not") { return !holds(tree[1], answers); }
    var value = answers[tree[1]];
    if (op === "count") {
      var chosen = isEmpty(value) ? [] : (Array.isArray(value) ? value : [value]);
      return compare(tree[2], chosen.length, tree[3]);
    }
    if (op === "answered") { return !isEmpty(value); }
    if (isEmpty(value)) { return false; }
    if (op === "has") {
      var list = Array.isArray(value) ? value : [value];
      return list.some(function (v) { return Number(v) === tree[2]; });
    }
    if (Array.isArray(value)) { return false; }
    var n = Number(value);
    if (typeof value === "string" && value.trim() === "") { return false; }
    if (isNaN(n)) { return false; }
    if (op === "in") { return tree[2].indexOf(n) >= 0; }
    if (op === "not in") { return tree[2].indexOf(n) < 0; }
    return compare(op, n, tree[2]);
  }

  function compare(op, n, m) {
    switch (op) {
      case "==": return n === m;
      case "!=": return n !== m;
      case "<": return n < m;
      case "<=": return n <= m;
      case ">": return n > m;
      case ">=": return n >= m;
    }
    return false;
  }

  // The answers of one question block: {name: number | [numbers] | string}.
  function valuesOf(block) {
    var values = {};
    var inputs = block.querySelectorAll("input, textarea");
    Array.prototype.forEach.call(inputs, function (input) {
      var name = input.name;
      if (input.type === "radio") {
        if (!(name in values)) { values[name] = null; }
        if (input.checked) { values[name] = Number(input.value); }
      } else if (input.type === "checkbox") {
        if (!(name in values)) { values[name] = []; }
        if (input.checked) { values[name].push(Number(input.value)); }
      } else {
        var text = input.value.trim();
        if (block.getAttribute("data-type") === "number" && text !== "" && isNaN(Number(text))) {
          text = "";
        }
        values[name] = text;
      }
    });
    return values;
  }

  function init() {
    var form = document.getElementById("survey-form");
    if (!form) { return; }
    var blocks = Array.prototype.slice.call(form.querySelectorAll(".q"));
    blocks.forEach(function (block) {
      var source = block.getAttribute("data-relevant");
      try {
        block.condition = source ? JSON.parse(source) : null;
      } catch (e) {
        block.condition = null;  // show the question; the server decides in the end
      }
    });
    var progress = document.getElementById("progress");
    var progressText = document.getElementById("progress-text");
    var progressBar = document.getElementById("progress-bar");
    var template = progress ? progress.getAttribute("data-template") : "";

    function update() {
      // In question order, like the server: hidden questions' answers do not count.
      var answers = {};
      var total = 0;
      var done = 0;
      blocks.forEach(function (block) {
        var relevant = !block.condition || holds(block.condition, answers);
        block.hidden = !relevant;
        if (!relevant) { return; }
        var values = valuesOf(block);
        Object.keys(values).forEach(function (name) {
          answers[name] = values[name];
          total += 1;
          if (!isEmpty(values[name])) { done += 1; }
        });
      });
      if (progress && total) {
        progressText.textContent = template.replace("{n}", done).replace("{total}", total);
        progressBar.max = total;
        progressBar.value = done;
        progress.hidden = false;
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("input", update);
    // Back to this page (from the back-forward cache, or with the answers the browser restores
    // after the scripts ran): what is shown must follow the answers now in the form.
    window.addEventListener("pageshow", update);
    update();

    var focusTarget = document.getElementById("error-summary") || document.getElementById("notice");
    if (focusTarget) { focusTarget.focus(); }
  }

  // For tests and other scripts: the evaluator, to check it agrees with the server's.
  window.surveyConditions = { holds: holds };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
