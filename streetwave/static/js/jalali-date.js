/* In Persian, the Jalali date beside each date input of a form, kept current as the date
   changes. The browser's own date input stays (it follows the browser's locale); the server
   renders the same line when the page is built, so this only follows the changes. */
(function () {
  "use strict";

  var outputs = document.querySelectorAll("[data-jalali-for]");
  if (!outputs.length || !window.Intl) return;
  var format;
  try {
    format = new Intl.DateTimeFormat("fa-IR-u-ca-persian-nu-arabext", {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
  } catch (error) {
    return;
  }

  // "شنبه ۲۵ خرداد ۱۳۹۸", in the order and words the server writes it.
  function jalali(value) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return "";
    var day = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    if (isNaN(day.getTime())) return "";
    var parts = {};
    format.formatToParts(day).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return [weekday(parts.weekday), parts.day, parts.month, parts.year].join(" ");
  }

  // The browser's names of Sunday and Thursday join their two words ("یکشنبه"); the server and
  // the style of the Persian texts keep them apart with a zero-width non-joiner ("یک‌شنبه").
  function weekday(name) {
    return name.replace(/^(یک|پنج)شنبه$/, "$1\u200cشنبه");
  }

  outputs.forEach(function (output) {
    var input = document.getElementById(output.getAttribute("data-jalali-for"));
    if (!input) return;
    function update() {
      output.textContent = jalali(input.value);
    }
    input.addEventListener("input", update);
    input.addEventListener("change", update);
  });
})();
