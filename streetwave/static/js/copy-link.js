// "Copy the link" buttons (data-copy: the id of the field holding the link). Without the
// Clipboard API, or without JavaScript, the buttons stay hidden and the link stays a field whose
// text one selects and copies by hand.
(function () {
  "use strict";
  var fields = document.querySelectorAll("input.private-link-field");
  fields.forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field) return;
    function say(text) { if (status) status.textContent = text || ""; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { say(button.dataset.copied); },
        function () { field.focus(); say(button.dataset.failed); }
      );
    });
  });
})();
