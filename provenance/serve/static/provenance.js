// The pages' only script, loaded from the server itself (the Content-Security-Policy admits no
// other): the start page's drop zone and file-size check, and a busy button while a check runs.
// It never writes markup: only textContent, so nothing from an article can become code.
"use strict";

(function () {
  const form = document.getElementById("check-form");
  if (!form) {
    return;
  }
  const input = document.getElementById("file");
  const drop = document.getElementById("drop");
  const name = document.getElementById("file-name");
  const problem = document.getElementById("file-error");
  const button = document.getElementById("check-button");

  function limit() {
    return Number(form.dataset.maxBytes || "0");
  }

  function tooLarge(file) {
    return limit() > 0 && file.size > limit();
  }

  function chosen() {
    const file = input.files && input.files[0];
    name.textContent = file ? file.name : "";
    problem.hidden = true;
    problem.textContent = "";
    if (file && tooLarge(file)) {
      problem.textContent = file.name + " is larger than the limit of " + limit().toLocaleString("en") + " bytes";
      problem.hidden = false;
      return false;
    }
    return Boolean(file);
  }

  input.addEventListener("change", chosen);

  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  drop.addEventListener("dragleave", function () {
    drop.classList.remove("over");
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("over");
    const files = event.dataTransfer && event.dataTransfer.files;
    if (!files || files.length === 0) {
      return;
    }
    input.files = files;
    if (chosen()) {
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", function (event) {
    const file = input.files && input.files[0];
    if (file && tooLarge(file)) {
      event.preventDefault();
      chosen();
      return;
    }
    button.disabled = true;
    button.textContent = "Checking…";
  });

  // After a check, the verdict (or the reason it failed) is what the reader wants to see.
  const answer = document.querySelector(".card, #error");
  if (answer) {
    answer.scrollIntoView({block: "start"});
  }

  // Coming back to the page from the history restores it as it was left: the button works again.
  window.addEventListener("pageshow", function () {
    button.disabled = false;
    button.textContent = "Check";
  });
})();
