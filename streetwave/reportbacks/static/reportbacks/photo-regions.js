// Drawing regions to cover on a processed photo: drag a rectangle over the photo and its
// percentages (left top width height) are added to the form's field, the same line a person
// types without JavaScript. The server checks and covers them; nothing is sent from here.
(function () {
  "use strict";

  function percent(value, whole) {
    return Math.min(100, Math.max(0, (value / whole) * 100));
  }

  function attach(image) {
    var card = image.closest("article");
    var field = card && card.querySelector("textarea[name=regions]");
    if (!field) return;
    var hint = card.querySelector("[data-photo-regions-hint]");
    if (hint) hint.hidden = false;
    var frame = document.createElement("div");
    frame.className = "photo-regions-frame";
    image.parentNode.insertBefore(frame, image);
    frame.appendChild(image);
    var box = null;
    var start = null;

    function point(event) {
      var rect = image.getBoundingClientRect();
      return {
        x: Math.min(rect.width, Math.max(0, event.clientX - rect.left)),
        y: Math.min(rect.height, Math.max(0, event.clientY - rect.top)),
        width: rect.width,
        height: rect.height,
      };
    }

    function place(a, b) {
      box.style.left = Math.min(a.x, b.x) + "px";
      box.style.top = Math.min(a.y, b.y) + "px";
      box.style.width = Math.abs(b.x - a.x) + "px";
      box.style.height = Math.abs(b.y - a.y) + "px";
    }

    frame.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      frame.setPointerCapture(event.pointerId);
      start = point(event);
      box = document.createElement("div");
      box.className = "photo-regions-box";
      frame.appendChild(box);
      place(start, start);
    });
    frame.addEventListener("pointermove", function (event) {
      if (start) place(start, point(event));
    });
    frame.addEventListener("pointerup", function (event) {
      if (!start) return;
      var end = point(event);
      var left = percent(Math.min(start.x, end.x), end.width);
      var top = percent(Math.min(start.y, end.y), end.height);
      var width = percent(Math.abs(end.x - start.x), end.width);
      var height = percent(Math.abs(end.y - start.y), end.height);
      start = null;
      if (width < 0.5 || height < 0.5) {
        box.remove();
        return;
      }
      var line = [left, top, width, height].map(function (n) { return n.toFixed(1); }).join(" ");
      field.value = (field.value.trim() ? field.value.trim() + "\n" : "") + line;
    });
  }

  document.querySelectorAll("img[data-photo-regions]").forEach(attach);
})();
