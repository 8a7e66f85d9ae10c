/* The action page: share or copy its link, keep an RSVP button in view on a phone until the
   form shows, and draw a small map of the place once it comes near the screen. Without
   JavaScript the page has the plain link, the address with its geo: link, and the form. */
(function () {
  "use strict";

  // Share: the browser's own share sheet where there is one (phones), else copy the link.
  var share = document.querySelector("[data-share]");
  if (share) {
    var link = share.querySelector(".share-url");
    var status = share.querySelector(".share-status");
    var nativeButton = share.querySelector("[data-share-native]");
    var copyButton = share.querySelector("[data-share-copy]");

    var say = function (text) {
      status.textContent = text;
    };
    // Where the clipboard API is missing or refused: select the link, then the old copy command.
    var copyBySelection = function () {
      var range = document.createRange();
      range.selectNodeContents(link);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try {
        return document.execCommand("copy");
      } catch (error) {
        return false;
      }
    };
    var copied = function () {
      say(share.dataset.labelCopied);
    };
    var notCopied = function () {
      if (copyBySelection()) copied();
      else say(share.dataset.labelSelect);
    };

    if (navigator.share) {
      nativeButton.hidden = false;
      nativeButton.addEventListener("click", function () {
        navigator.share({ title: share.dataset.title, url: link.href }).catch(function () {
          // Closed by the reader or refused: the link stays on the page.
        });
      });
    } else {
      copyButton.hidden = false;
      copyButton.addEventListener("click", function () {
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(link.href).then(copied, notCopied);
        } else {
          notCopied();
        }
      });
    }
  }

  // The sticky RSVP bar (CSS, phones only) steps aside while the form is on screen.
  var jump = document.querySelector("[data-rsvp-jump]");
  var form = document.getElementById("rsvp");
  if (jump && form && "IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      jump.classList.toggle("is-hidden", entries[entries.length - 1].isIntersecting);
    }).observe(form);
  }

  // The map: Leaflet, TopoJSON and the outlines (~85 KB) load only when it nears the screen.
  var element = document.querySelector("[data-action-map]");
  if (!element || !window.fetch || !window.Promise) return;
  var data = element.dataset;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var node = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) {
        node[name] = attributes[name];
      });
      node.onload = resolve;
      node.onerror = reject;
      document.head.appendChild(node);
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  function draw(topology) {
    var rtl = document.documentElement.dir === "rtl";
    var place = [parseFloat(data.lat), parseFloat(data.lon)];
    var map = L.map(element, {
      zoomControl: false,
      attributionControl: false,
      preferCanvas: true,
      // A small map inside a page: the page scrolls, the map does not catch the wheel or a
      // finger moving over it on a phone.
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      minZoom: 2,
      maxZoom: 9,
    }).setView(place, 5);
    L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
    var credits = document.createElement("span");
    credits.textContent = data.attribution;
    L.control
      .attribution({ position: rtl ? "bottomleft" : "bottomright" })
      .addAttribution(credits.innerHTML)
      .addTo(map);
    var countries = topojson.feature(topology, topology.objects.countries);
    L.geoJSON(countries.features.map(streetwaveGeo.fixAntimeridian), {
      interactive: false,
      style: { color: "#b3a98f", weight: 0.8, fillColor: "#f6f1e6", fillOpacity: 1 },
    }).addTo(map);
    // From a text node: the name is data, never markup.
    var label = document.createElement("bdi");
    label.textContent = data.label;
    L.marker(place, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "place-marker", iconSize: L.point(18, 18) }),
    })
      .bindTooltip(label, { permanent: true, direction: "top", offset: L.point(0, -10) })
      .addTo(map);
    element.setAttribute("data-map-ready", "");
  }

  function start() {
    // Inserted scripts run in the order they are inserted when they are not async.
    var scripts = data.scripts.split(" ").map(function (src) {
      return load("script", { src: src, async: false });
    });
    var styles = load("link", { rel: "stylesheet", href: data.styles });
    Promise.all([getJson(data.outlines), styles].concat(scripts))
      .then(function (results) {
        draw(results[0]);
      })
      .catch(function () {
        // The address and the map-app link above say where it is.
        element.hidden = true;
      });
  }

  element.hidden = false;
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(
      function (entries) {
        if (!entries[entries.length - 1].isIntersecting) return;
        observer.disconnect();
        start();
      },
      { rootMargin: "300px 0px" }
    );
    observer.observe(element);
  } else {
    start();
  }
})();
