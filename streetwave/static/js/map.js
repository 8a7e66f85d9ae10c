/* The campaign map: Natural Earth country outlines as the base map (no tile server, nothing
   from another origin), the campaign's public actions as clustered markers, and popups with
   title, city, local time and a link. The element's data- attributes carry the URLs and the
   translated labels; without JavaScript the list of actions below the map stands in for it. */
(function () {
  "use strict";

  var element = document.querySelector("[data-map]");
  if (!element || !window.L || !window.topojson || !window.streetwaveGeo) return;
  var data = element.dataset;
  var rtl = document.documentElement.dir === "rtl";
  // Cluster counts in the reader's digits: ۱۲ in Persian.
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  element.hidden = false;
  var map = L.map(element, {
    // Added below in the corner that mirrors with the page's direction.
    zoomControl: false,
    attributionControl: false,
    // Outlines are drawn on one canvas: 177 countries stay cheap on slow machines.
    preferCanvas: true,
    minZoom: 1,
    maxZoom: 15,
    maxBounds: [
      [-85, -230],
      [85, 230],
    ],
  }).setView([30, 10], 2);
  L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
  L.control
    .attribution({ position: rtl ? "bottomleft" : "bottomright" })
    .addAttribution(escapeHtml(data.attribution || ""))
    .addTo(map);

  function escapeHtml(text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node.innerHTML;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  function drawOutlines(topology) {
    var countries = topojson.feature(topology, topology.objects.countries);
    L.geoJSON(countries.features.map(streetwaveGeo.fixAntimeridian), {
      interactive: false,
      style: { color: "#b3a98f", weight: 0.7, fillColor: "#f6f1e6", fillOpacity: 1 },
    }).addTo(map);
  }

  function line(className, text) {
    var node = document.createElement("p");
    node.className = className;
    var isolated = document.createElement("bdi");
    isolated.textContent = text;
    node.appendChild(isolated);
    return node;
  }

  // Built from DOM nodes with textContent: titles are user text and must never become markup.
  function popupContent(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(line("map-popup-title", properties.title));
    box.appendChild(line("map-popup-city", properties.city));
    box.appendChild(line("map-popup-time", properties.time));
    var status = data["label" + properties.status.charAt(0).toUpperCase() + properties.status.slice(1)];
    if (status) box.appendChild(line("map-popup-status", status));
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = data.labelDetails;
    box.appendChild(link);
    return box;
  }

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      html: "<span>" + numbers.format(count) + "</span>",
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40),
    });
  }

  function drawActions(collection) {
    var clusters = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      iconCreateFunction: clusterIcon,
    });
    L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        return L.marker(latlng, {
          title: feature.properties.title,
          icon: L.divIcon({
            className: "action-marker is-" + feature.properties.status,
            iconSize: L.point(16, 16),
          }),
        });
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () {
          return popupContent(feature.properties);
        });
      },
    }).addTo(clusters);
    clusters.addTo(map);
    if (collection.features.length) {
      map.fitBounds(clusters.getBounds(), { padding: [24, 24], maxZoom: 6 });
    }
  }

  function fail() {
    var notice = document.createElement("p");
    notice.className = "notice";
    notice.setAttribute("role", "status");
    notice.textContent = data.labelFailed;
    element.hidden = true;
    element.parentNode.insertBefore(notice, element.nextSibling);
  }

  var outlines = getJson(data.outlines).then(drawOutlines);
  var actions = getJson(data.mapSrc);
  // Markers go on top of the outlines, whichever arrives first.
  Promise.all([actions, outlines])
    .then(function (results) {
      drawActions(results[0]);
      element.setAttribute("data-map-ready", "");
    })
    .catch(fail);
})();
