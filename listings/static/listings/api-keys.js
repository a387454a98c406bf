// "Copy" for the key shown once on the API keys page.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy).textContent;
    navigator.clipboard.writeText(text).then(function () {
      var note = button.parentElement.querySelector("[data-copied]");
      if (note) note.hidden = false;
    });
  });
});
