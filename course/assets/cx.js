/* Course interactions: self-check feedback and lesson progress kept in this browser (localStorage).
   Progress is stored per lesson id (module-1/what-is-cx), the same in every language. */
(function () {
  "use strict";

  var STORE = "cx-course-progress";

  function readProgress() {
    try {
      var value = JSON.parse(window.localStorage.getItem(STORE) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (error) {
      return {};
    }
  }

  function writeProgress(progress) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(progress));
    } catch (error) {
      /* Private browsing or storage disabled: progress simply is not kept. */
    }
  }

  function setupQuiz(quiz) {
    var button = quiz.querySelector(".cx-quiz__check");
    var output = quiz.querySelector(".cx-quiz__feedback");
    button.addEventListener("click", function () {
      var chosen = quiz.querySelector("input[type=radio]:checked");
      output.textContent = "";
      delete output.dataset.result;
      if (!chosen) {
        output.textContent = quiz.dataset.chooseLabel;
        return;
      }
      var explain = quiz.querySelector('.cx-quiz__explain[data-option="' + chosen.value + '"]');
      var correct = explain.dataset.correct === "true";
      var label = correct ? quiz.dataset.correctLabel : quiz.dataset.incorrectLabel;
      var explanation = explain.textContent.trim();
      output.dataset.result = correct ? "correct" : "incorrect";
      /* Many explanations already open with "Correct." : say it once. */
      if (explanation.toLowerCase().indexOf(label.replace(/\.$/, "").toLowerCase()) !== 0) {
        var verdict = document.createElement("strong");
        verdict.textContent = label;
        output.appendChild(verdict);
      }
      var text = document.createElement("span");
      text.textContent = explanation;
      output.appendChild(text);
    });
  }

  function showDone(box, done) {
    var button = box.querySelector("button");
    button.setAttribute("aria-pressed", done ? "true" : "false");
    button.textContent = done ? box.dataset.labelDone : box.dataset.labelTodo;
    box.querySelector(".cx-done__status").textContent = done ? box.dataset.status : "";
  }

  function setupDone(box) {
    var id = box.dataset.lesson;
    showDone(box, Boolean(readProgress()[id]));
    box.querySelector("button").addEventListener("click", function () {
      var progress = readProgress();
      if (progress[id]) {
        delete progress[id];
      } else {
        progress[id] = new Date().toISOString();
      }
      writeProgress(progress);
      showDone(box, Boolean(progress[id]));
      updateMeters();
    });
  }

  function updateMeters() {
    var progress = readProgress();
    document.querySelectorAll("[data-progress-lessons]").forEach(function (meter) {
      var lessons = meter.dataset.progressLessons.split(" ").filter(Boolean);
      var done = lessons.filter(function (id) { return progress[id]; }).length;
      meter.querySelector("progress").value = done;
      meter.querySelector(".cx-progress__text").textContent = meter.dataset.template
        .replace("{done}", done)
        .replace("{total}", lessons.length);
    });
  }

  function init() {
    /* Abbreviations explain themselves on focus too, not only on hover. */
    document.querySelectorAll(".md-typeset abbr[title]").forEach(function (abbr) {
      abbr.setAttribute("tabindex", "0");
    });
    document.querySelectorAll("[data-quiz]").forEach(setupQuiz);
    document.querySelectorAll(".cx-done[data-lesson]").forEach(setupDone);
    updateMeters();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
