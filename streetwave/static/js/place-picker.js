/* The place picker of the action form: the city field searches the gazetteer as one types (names
   in the page's language, from our own server), a result centres the map on that city, and a tap
   on the map puts the pin, which can then be dragged. The pin writes the latitude and longitude
   fields, which stay visible below it as the way to type a point; with no city name, the city
   nearest to the pin is filled in. Country outlines are the only base map: no tile server,
   nothing from another origin. Without JavaScript the same fields work as plain inputs and the
   search runs when the form is sent. */
(function () {
  "use strict";

  var box = document.querySelector("[data-place-picker]");
  if (!box || !window.L || !window.topojson || !window.streetwaveGeo) return;
  var data = box.dataset;
  var cityName = document.getElementById(data.cityName);
  var cityId = document.getElementById(data.city);
  var latitude = document.getElementById(data.latitude);
  var longitude = document.getElementById(data.longitude);
  if (!cityName || !cityId || !latitude || !longitude) return;
  var results = box.querySelector("[data-place-results]");
  var status = box.querySelector("[data-place-status]");
  var decimals = parseInt(data.decimals, 10) || 4;
  var rtl = document.documentElement.dir === "rtl";
  var searchable = !cityName.disabled;

  // The picker sits between the city field and the coordinates it writes.
  cityName.closest(".field").after(box);
  box.hidden = false;
  document.documentElement.classList.add("has-place-picker");

  // Persian and Arabic digits and the Persian decimal separator, as the server accepts them.
  function western(text) {
    return String(text)
      .replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
      .replace(/\u066b/g, ".")
      .trim();
  }

  function typedPoint() {
    var lat = parseFloat(western(latitude.value));
    var lon = parseFloat(western(longitude.value));
    if (isNaN(lat) || isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return L.latLng(lat, lon);
  }

  function rounded(value) {
    return Number(value.toFixed(decimals)).toString();
  }

  var start = typedPoint() || L.latLng(30, 10);
  var map = L.map(box.querySelector("[data-place-map]"), {
    zoomControl: false,
    attributionControl: false,
    minZoom: 2,
    maxZoom: 16,
    maxBounds: [
      [-85, -230],
      [85, 230],
    ],
  }).setView(start, typedPoint() ? 10 : 2);
  L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
  L.control
    .attribution({ position: rtl ? "bottomleft" : "bottomright", prefix: false })
    .addAttribution(streetwaveGeo.escapeHtml(data.attribution || ""))
    .addTo(map);

  streetwaveGeo.getJson(data.outlines)
    .then(function (topology) {
      var countries = topojson.feature(topology, topology.objects.countries);
      L.geoJSON(countries.features.map(streetwaveGeo.fixAntimeridian), {
        interactive: false,
        style: { color: "#b3a98f", weight: 1, fillColor: "#f6f1e6", fillOpacity: 1 },
      }).addTo(map);
    })
    .catch(function () {
      // The pin and the fields work on a blank map too.
    });

  // The names of the larger cities around, in the page's language (the campaign map's list):
  // on outlines alone, a map zoomed in on a city is an empty page.
  var labels = L.layerGroup().addTo(map);
  var cityLabels = [];
  map.createPane("labels").style.zIndex = 450;

  function drawLabels() {
    labels.clearLayers();
    var zoom = map.getZoom();
    var bounds = map.getBounds().pad(0.2);
    var shown = 0;
    for (var i = 0; i < cityLabels.length && shown < 40; i++) {
      var row = cityLabels[i];
      if (row[3] > zoom || !bounds.contains([row[0], row[1]])) continue;
      var name = document.createElement("span");
      name.textContent = row[2];
      labels.addLayer(
        L.marker([row[0], row[1]], {
          pane: "labels",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "place-label", html: name, iconSize: null }),
        })
      );
      shown++;
    }
  }

  if (data.cityLabels) {
    streetwaveGeo.getJson(data.cityLabels)
      .then(function (answer) {
        cityLabels = answer.cities || [];
        drawLabels();
        map.on("moveend", drawLabels);
      })
      .catch(function () {});
  }

  // Leaflet finds its marker images from its stylesheet's address, which the fingerprinted
  // static files break: the template names them.
  var pinIcon = L.icon({
    iconUrl: data.icon,
    iconRetinaUrl: data.icon2x,
    shadowUrl: data.iconShadow,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    shadowSize: [41, 41],
  });
  var pin = null;
  // Where the picked city is: a ring marks it while the pin is placed within it.
  var cityMark = null;

  function placePin(point) {
    if (pin) {
      pin.setLatLng(point);
    } else {
      pin = L.marker(point, {
        icon: pinIcon,
        draggable: true,
        autoPan: true,
        alt: data.labelPin || "",
      });
      pin.addTo(map);
      pin.on("dragend", function () {
        pinMoved(pin.getLatLng());
      });
    }
  }

  function markCity(point) {
    if (cityMark) map.removeLayer(cityMark);
    cityMark = L.circleMarker(point, {
      radius: 6,
      color: "#a8251c",
      weight: 2,
      fillOpacity: 0.15,
      interactive: false,
    }).addTo(map);
  }

  function writePoint(point) {
    latitude.value = rounded(point.lat);
    longitude.value = rounded(L.Util.wrapNum(point.lng, [-180, 180], true));
  }

  function pinMoved(point) {
    writePoint(point);
    if (!searchable || cityId.value) return;
    // No city chosen: the nearest one to the pin becomes the city of the action.
    var url = data.searchUrl + "?near=" + rounded(point.lat) + "," + rounded(point.lng);
    streetwaveGeo.getJson(url)
      .then(function (answer) {
        var city = answer.cities[0];
        if (!city || cityId.value) return;
        clearTimeout(timer);
        cityName.value = city.name;
        cityId.value = String(city.id);
        status.textContent = data.labelNearest;
      })
      .catch(function () {});
  }

  if (typedPoint()) placePin(typedPoint());

  map.on("click", function (event) {
    placePin(event.latlng);
    pinMoved(event.latlng);
  });

  // Typed coordinates move the pin too: the fields and the map never disagree.
  [latitude, longitude].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = typedPoint();
      if (!point) return;
      placePin(point);
      map.setView(point, Math.max(map.getZoom(), 10), { animate: false });
    });
  });

  /* The search. */
  var found = [];
  var timer = null;
  var asked = 0;

  function closeResults() {
    results.hidden = true;
    results.textContent = "";
    found = [];
  }

  function showResults(cities) {
    closeResults();
    found = cities;
    if (!cities.length) {
      status.textContent = data.labelNoMatch;
      return;
    }
    status.textContent = data.labelResults;
    cities.forEach(function (city) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "place-result";
      var name = document.createElement("bdi");
      name.textContent = city.name;
      var country = document.createElement("span");
      country.className = "place-country";
      country.textContent = city.country;
      button.appendChild(name);
      button.appendChild(document.createTextNode(" "));
      button.appendChild(country);
      button.addEventListener("click", function () {
        pick(city);
      });
      item.appendChild(button);
      results.appendChild(item);
    });
    results.hidden = false;
  }

  function pick(city) {
    clearTimeout(timer);
    cityName.value = city.name;
    cityId.value = String(city.id);
    closeResults();
    var point = L.latLng(city.latitude, city.longitude);
    markCity(point);
    placePin(point);
    writePoint(point);
    map.setView(point, 11, { animate: false });
    status.textContent = data.labelPicked;
  }

  function search(pickFirst) {
    var query = cityName.value.trim();
    if (!query) {
      closeResults();
      status.textContent = "";
      return;
    }
    var ticket = ++asked;
    streetwaveGeo.getJson(data.searchUrl + "?q=" + encodeURIComponent(query))
      .then(function (answer) {
        // An older answer that arrives late must not replace a newer one.
        if (ticket !== asked) return;
        if (pickFirst && answer.cities.length) pick(answer.cities[0]);
        else showResults(answer.cities);
      })
      .catch(function () {
        if (ticket === asked) status.textContent = data.labelUnavailable;
      });
  }

  if (searchable) {
    cityName.addEventListener("input", function () {
      // Another name than the one picked: the server looks it up again unless a result is chosen.
      cityId.value = "";
      if (cityMark) {
        map.removeLayer(cityMark);
        cityMark = null;
      }
      clearTimeout(timer);
      timer = setTimeout(function () {
        search(false);
      }, 250);
    });
    cityName.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && found.length) {
        // Into the results, which are buttons: Tab and Enter work from there.
        event.preventDefault();
        results.querySelector("button").focus();
      } else if (event.key === "Enter") {
        // Enter chooses the first city; it does not send the half-filled form.
        if (!cityName.value.trim()) return;
        event.preventDefault();
        clearTimeout(timer);
        search(true);
      } else if (event.key === "Escape") {
        closeResults();
      }
    });
  }
})();
