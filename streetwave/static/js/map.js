/* The campaign map: Natural Earth country outlines as the base map (no tile server, nothing
   from another origin), the names of the larger cities as one zooms in, the campaign's public
   actions as clustered markers, and popups with title, city, local time, phase and a link.
   Finer outlines (1:50m) are fetched only once the map is zoomed in to a region; a street-level
   basemap (a PMTiles file on our own origin, drawn by protomaps-leaflet) only where the
   operator configured one. The element's data- attributes carry the URLs and the translated
   labels; without JavaScript the list of actions below the map stands in for it. */
(function () {
  "use strict";

  var element = document.querySelector("[data-map]");
  if (!element || !window.L || !window.topojson || !window.streetwaveGeo) return;
  var data = element.dataset;
  var rtl = document.documentElement.dir === "rtl";
  var language = document.documentElement.lang || "en";
  // Cluster counts in the reader's digits: ۱۲ in Persian.
  var numbers = new Intl.NumberFormat(language);
  // From this zoom on, the 1:50m outlines replace the 1:110m ones.
  var FINE_OUTLINES_ZOOM = 4;
  // City names are fetched once the map is zoomed in this far.
  var LABELS_ZOOM = 3;
  // At most this many names at once, the most populous first.
  var MAX_LABELS = 150;
  var OUTLINE_STYLE = { color: "#b3a98f", weight: 0.7, fillColor: "#f6f1e6", fillOpacity: 1 };

  element.hidden = false;
  // The campaign page heads the map with a section that is hidden until there is a map.
  var section = element.closest("[data-map-section]");
  if (section) section.hidden = false;
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
    .addAttribution(streetwaveGeo.escapeHtml(data.attribution || ""))
    .addTo(map);
  // An operator's basemap over the outlines (which still show where it has no tiles), the
  // city names over both, the markers over everything; the names are never clickable.
  map.createPane("basemap").style.zIndex = 420;
  map.createPane("cityLabels").style.zIndex = 450;
  map.getPane("cityLabels").style.pointerEvents = "none";

  function outlinesLayer(topology) {
    var countries = topojson.feature(topology, topology.objects.countries);
    return L.geoJSON(countries.features.map(streetwaveGeo.fixAntimeridian), {
      interactive: false,
      style: OUTLINE_STYLE,
    });
  }

  /* Outlines: 1:110m at first; 1:50m fetched the first time the map is zoomed in, and shown
     whenever it is. */
  var coarse = null;
  var fine = null;
  var fineRequested = false;

  function showOutlines() {
    var zoomedIn = map.getZoom() >= FINE_OUTLINES_ZOOM;
    if (zoomedIn && !fineRequested && data.outlinesFine) {
      fineRequested = true;
      streetwaveGeo.getJson(data.outlinesFine)
        .then(function (topology) {
          fine = outlinesLayer(topology);
          showOutlines();
          element.setAttribute("data-fine-outlines", "");
        })
        // The coarse outlines stay: the map is still usable.
        .catch(function () {});
    }
    var wanted = zoomedIn && fine ? fine : coarse;
    [coarse, fine].forEach(function (layer) {
      if (!layer) return;
      if (layer === wanted && !map.hasLayer(layer)) {
        layer.addTo(map);
        layer.bringToBack();
      } else if (layer !== wanted && map.hasLayer(layer)) {
        map.removeLayer(layer);
      }
    });
  }

  /* City names from the gazetteer, in the page's language: [[lat, lon, name, zoom from], ...],
     the most populous first. A name is placed only where it overlaps no name already placed. */
  var cities = null;
  var citiesRequested = false;
  var labels = L.layerGroup().addTo(map);

  function labelIcon(name) {
    var text = document.createElement("span");
    text.textContent = name;
    text.dir = "auto";
    return L.divIcon({ className: "city-label", html: text, iconSize: null });
  }

  function showLabels() {
    var zoom = map.getZoom();
    if (zoom >= LABELS_ZOOM && !citiesRequested && data.cityLabels) {
      citiesRequested = true;
      streetwaveGeo.getJson(data.cityLabels)
        .then(function (answer) {
          cities = answer.cities;
          showLabels();
        })
        .catch(function () {});
    }
    labels.clearLayers();
    if (!cities || zoom < LABELS_ZOOM) return;
    var bounds = map.getBounds().pad(0.1);
    var placed = [];
    for (var i = 0; i < cities.length && placed.length < MAX_LABELS; i++) {
      var city = cities[i];
      if (city[3] > zoom || !bounds.contains([city[0], city[1]])) continue;
      var point = map.latLngToContainerPoint([city[0], city[1]]);
      // An estimate of the name's box: wide enough that two names never touch.
      var half = 4 + city[2].length * 3.6;
      var box = { left: point.x - half, right: point.x + half, top: point.y - 10, bottom: point.y + 10 };
      var overlaps = placed.some(function (other) {
        return (
          box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom
        );
      });
      if (overlaps) continue;
      placed.push(box);
      L.marker([city[0], city[1]], {
        icon: labelIcon(city[2]),
        interactive: false,
        keyboard: false,
        pane: "cityLabels",
      }).addTo(labels);
    }
    element.setAttribute("data-city-labels-shown", String(placed.length));
  }

  /* An operator's street-level basemap: protomaps-leaflet draws the PMTiles file, which
     the browser reads with Range requests from our own origin. */
  function loadBasemap() {
    if (!data.basemap || !data.basemapScript) return;
    var script = document.createElement("script");
    script.src = data.basemapScript;
    script.onload = function () {
      if (!window.protomapsL) return;
      var basemap = protomapsL.leafletLayer({
        url: data.basemap,
        flavor: "light",
        lang: language,
        pane: "basemap",
        // A world view keeps the outlines; the streets come as one zooms in.
        minZoom: FINE_OUTLINES_ZOOM + 1,
        // Its own credits are part of our attribution line.
        attribution: "",
      });
      // No background fill: beyond the extract's area the outlines below stay visible.
      basemap.backgroundColor = undefined;
      basemap.addTo(map);
      element.setAttribute("data-basemap-ready", "");
    };
    document.head.appendChild(script);
  }

  function line(className, text) {
    var node = document.createElement("p");
    node.className = className;
    var isolated = document.createElement("bdi");
    isolated.textContent = text;
    node.appendChild(isolated);
    return node;
  }

  /* Where an action stands now: from its times and this browser's clock, so that a map left
     open, or a cached copy of its data, stays right; the phase the server computed otherwise. */
  function phaseOf(properties) {
    var starts = Date.parse(properties.starts);
    var ends = Date.parse(properties.ends);
    if (!isNaN(starts) && !isNaN(ends)) {
      var now = Date.now();
      return now < starts ? "upcoming" : now < ends ? "now" : "ended";
    }
    return properties.phase || null;
  }

  function capitalized(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  // Built from DOM nodes with textContent: titles are user text and must never become markup.
  function popupContent(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    box.appendChild(line("map-popup-title", properties.title));
    box.appendChild(line("map-popup-city", properties.city));
    box.appendChild(line("map-popup-time", properties.time));
    var cancelled = properties.status === "cancelled";
    var phase = phaseOf(properties);
    var state = cancelled
      ? data.labelCancelled
      : properties.status === "completed"
        ? data.labelCompleted
        : phase && data["label" + capitalized(phase)];
    if (state) {
      var stateLine = line("map-popup-status", state);
      stateLine.setAttribute("data-phase", cancelled ? "cancelled" : phase || "");
      box.appendChild(stateLine);
    }
    var link = document.createElement("a");
    link.href = properties.url;
    // Only an action still ahead or under way invites an RSVP.
    var open = !cancelled && properties.status !== "completed" && phase !== "ended";
    link.textContent = open ? data.labelDetails : data.labelDetailsOnly;
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
        var properties = feature.properties;
        var phase = phaseOf(properties);
        return L.marker(latlng, {
          title: properties.title,
          icon: L.divIcon({
            className:
              "action-marker is-" + properties.status + (phase === "ended" ? " is-ended" : ""),
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

  var outlines = streetwaveGeo.getJson(data.outlines).then(function (topology) {
    coarse = outlinesLayer(topology);
    showOutlines();
  });
  var actions = streetwaveGeo.getJson(data.mapSrc);
  // Markers go on top of the outlines, whichever arrives first.
  Promise.all([actions, outlines])
    .then(function (results) {
      drawActions(results[0]);
      map.on("zoomend", showOutlines);
      map.on("moveend", showLabels);
      showOutlines();
      showLabels();
      loadBasemap();
      element.setAttribute("data-map-ready", "");
    })
    .catch(fail);
})();
