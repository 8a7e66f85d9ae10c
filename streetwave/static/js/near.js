/* "Use my position": asks the browser for its position and reloads the page as ?near=lat,lon,
   rounded to two decimals (about a kilometre). The position leaves the browser only in that
   address, to our own server; nothing is stored. */
(function () {
  "use strict";

  var box = document.querySelector("[data-near-me]");
  if (!box || !("geolocation" in navigator)) return;
  var button = box.querySelector("button");
  var status = box.querySelector("[data-near-status]");
  box.hidden = false;

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = box.getAttribute("data-label-locating");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var url = new URL(window.location.href);
        url.search = "";
        url.searchParams.set(
          "near",
          position.coords.latitude.toFixed(2) + "," + position.coords.longitude.toFixed(2)
        );
        url.hash = "find-heading";
        window.location.assign(url.toString());
      },
      function () {
        button.disabled = false;
        status.textContent = box.getAttribute("data-label-unavailable");
      },
      // A coarse, possibly cached fix is all we need, and is quicker on a phone.
      { enableHighAccuracy: false, timeout: 20000, maximumAge: 600000 }
    );
  });
})();
