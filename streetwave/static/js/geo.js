/* Country outlines for a flat map. Natural Earth's polygons are stitched across the
   antimeridian: a ring of Russia or Fiji steps from 180° to -180°, and Antarctica's ring goes
   once around the pole. Drawn as they are on a flat map, those steps become lines across the
   whole world. Here each ring is made continuous, closed along the pole where it circles one,
   and cut at ±180°, the part beyond moved to the other edge of the map. */
(function () {
  "use strict";

  function hasJump(ring) {
    for (var i = 1; i < ring.length; i++) {
      if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) return true;
    }
    return false;
  }

  // A step of more than 180° in longitude is really the short way round the other side.
  function unwrap(ring) {
    var out = [[ring[0][0], ring[0][1]]];
    for (var i = 1; i < ring.length; i++) {
      var lon = ring[i][0];
      var previous = out[i - 1][0];
      while (lon - previous > 180) lon -= 360;
      while (lon - previous < -180) lon += 360;
      out.push([lon, ring[i][1]]);
    }
    return out;
  }

  // A ring that ends 360° from where it began goes round a pole: close it along the pole.
  function closeAroundPole(ring) {
    var first = ring[0];
    var last = ring[ring.length - 1];
    if (Math.abs(last[0] - first[0]) < 180) return ring;
    var latitudes = 0;
    for (var i = 0; i < ring.length; i++) latitudes += ring[i][1];
    var pole = latitudes < 0 ? -90 : 90;
    var closed = ring.concat([[last[0], pole]]);
    // In steps of 90°, so that no edge of the result spans more than half the world.
    var step = last[0] > first[0] ? -90 : 90;
    for (var lon = last[0] + step; step * (first[0] - lon) > 0; lon += step) closed.push([lon, pole]);
    return closed.concat([[first[0], pole], [first[0], first[1]]]);
  }

  // Sutherland–Hodgman against one vertical line: keep the side where side * (lon - edge) >= 0.
  function clipSide(ring, edge, side) {
    var out = [];
    for (var i = 0; i < ring.length; i++) {
      var a = ring[i];
      var b = ring[(i + 1) % ring.length];
      var aInside = side * (a[0] - edge) >= 0;
      var bInside = side * (b[0] - edge) >= 0;
      if (aInside) out.push(a);
      if (aInside !== bInside) {
        var t = (edge - a[0]) / (b[0] - a[0]);
        out.push([edge, a[1] + t * (b[1] - a[1])]);
      }
    }
    return out;
  }

  function area(ring) {
    var sum = 0;
    for (var i = 0; i < ring.length; i++) {
      var a = ring[i];
      var b = ring[(i + 1) % ring.length];
      sum += a[0] * b[1] - b[0] * a[1];
    }
    return sum / 2;
  }

  // The pieces of one polygon (outer ring first, then holes) inside -180..180.
  function splitPolygon(rings) {
    if (!rings.some(hasJump)) return [rings];
    var outer = closeAroundPole(unwrap(rings[0]));
    var holes = rings.slice(1).map(unwrap);
    var pieces = [];
    for (var shift = -360; shift <= 360; shift += 360) {
      var clipped = clipSide(clipSide(outer, shift - 180, 1), shift + 180, -1);
      // A piece that only touches the cut has no area: drawn, it would be a line along it.
      if (clipped.length < 3 || Math.abs(area(clipped)) < 1e-9) continue;
      var piece = [moved(clipped, shift)];
      holes.forEach(function (hole) {
        if (Math.abs(hole[0][0] - shift) <= 180) piece.push(moved(hole, shift));
      });
      pieces.push(piece);
    }
    return pieces;
  }

  function moved(ring, shift) {
    var out = ring.map(function (point) {
      return [point[0] - shift, point[1]];
    });
    out.push([out[0][0], out[0][1]]);
    return out;
  }

  function fixAntimeridian(feature) {
    var geometry = feature.geometry;
    var polygons = null;
    if (geometry && geometry.type === "Polygon") polygons = [geometry.coordinates];
    if (geometry && geometry.type === "MultiPolygon") polygons = geometry.coordinates;
    if (!polygons) return feature;
    var fixed = [];
    polygons.forEach(function (rings) {
      fixed.push.apply(fixed, splitPolygon(rings));
    });
    return {
      type: "Feature",
      id: feature.id,
      properties: feature.properties,
      geometry: { type: "MultiPolygon", coordinates: fixed },
    };
  }

  // What every map script of the site needs besides the outlines.
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

  window.streetwaveGeo = {
    fixAntimeridian: fixAntimeridian,
    escapeHtml: escapeHtml,
    getJson: getJson,
  };
})();
