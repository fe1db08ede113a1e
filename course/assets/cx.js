/* Course interactions: self-check feedback and lesson progress kept in this browser (localStorage).
   Progress is stored per lesson id (module-1/what-is-cx), the same in every language.
   Self-check options are shuffled so that the right answer's place gives nothing away. The order
   comes from a random seed kept in this browser and the question's id (lesson and number, the
   same in every language): a learner who comes back, or switches language, sees the same order,
   and another learner most likely a different one. Only the option elements move, so the native
   radio group (arrow keys, screen readers) follows the order shown. Without storage there is no
   way to keep an order, so the authored one stays; without the script it stays too. */
(function () {
  "use strict";

  var STORE = "cx-course-progress";
  var SEED_STORE = "cx-quiz-seed";

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

  function randomSeed() {
    var words = new Uint32Array(2);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(words);
    } else {
      words[0] = Math.floor(Math.random() * 4294967296);
      words[1] = Math.floor(Math.random() * 4294967296);
    }
    return words[0].toString(16) + "-" + words[1].toString(16);
  }

  /* This browser's seed, made on the first visit; null when it cannot be kept. */
  function learnerSeed() {
    try {
      var seed = window.localStorage.getItem(SEED_STORE);
      if (!seed) {
        seed = randomSeed();
        window.localStorage.setItem(SEED_STORE, seed);
      }
      return window.localStorage.getItem(SEED_STORE) === seed ? seed : null;
    } catch (error) {
      return null;
    }
  }

  /* FNV-1a: a 32-bit hash of the text, the same in every browser. */
  function hash(text) {
    var value = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      value ^= text.charCodeAt(i);
      value = Math.imul(value, 0x01000193) >>> 0;
    }
    return value >>> 0;
  }

  /* Mulberry32: small, fast and well spread; Math.random cannot be seeded. */
  function generator(seed) {
    var state = seed >>> 0;
    return function () {
      state = (state + 0x6d2b79f5) >>> 0;
      var t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* The order in which to show `count` options: a Fisher-Yates shuffle (every order equally
     likely), driven by the learner's seed and the question's id. */
  function quizOrder(seed, quizId, count) {
    var random = generator(hash(seed + "|" + quizId));
    var order = [];
    for (var i = 0; i < count; i++) {
      order.push(i);
    }
    for (var j = count - 1; j > 0; j--) {
      var k = Math.floor(random() * (j + 1));
      var swap = order[j];
      order[j] = order[k];
      order[k] = swap;
    }
    return order;
  }

  function shuffleOptions(quiz, seed) {
    var options = Array.prototype.slice.call(quiz.querySelectorAll(".cx-quiz__option"));
    if (!seed || !quiz.dataset.quizId || options.length < 2) {
      return;
    }
    var order = quizOrder(seed, quiz.dataset.quizId, options.length);
    var parent = options[0].parentNode;
    var before = options[options.length - 1].nextSibling;
    order.forEach(function (index) {
      parent.insertBefore(options[index], before);
    });
    quiz.dataset.shuffled = "true";
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
    var quizzes = document.querySelectorAll("[data-quiz]");
    if (quizzes.length) {
      var seed = learnerSeed();
      quizzes.forEach(function (quiz) {
        shuffleOptions(quiz, seed);
        setupQuiz(quiz);
      });
    }
    document.querySelectorAll(".cx-done[data-lesson]").forEach(setupDone);
    updateMeters();
  }

  /* For tests: the order a given seed gives a question, without touching the page. */
  window.cxQuizOrder = quizOrder;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
