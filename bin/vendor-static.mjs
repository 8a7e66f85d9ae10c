// Copies the front-end files the pages use from node_modules/ (installed by `npm ci` from
// package-lock.json) into streetwave/static/vendor/, where collectstatic and WhiteNoise serve
// them from our own origin. No bundler: the pages load these files as they are published.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "streetwave", "static", "vendor");

// source under node_modules/ -> destination under vendor/. Licenses travel with the files.
// The source maps are copied because the scripts name them, and Django's manifest storage
// refuses a script whose map is missing.
const FILES = {
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  "leaflet/dist/leaflet.js.map": "leaflet/leaflet.js.map",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  // leaflet.css refers to these; we draw markers as CSS dots and never request them.
  "leaflet/dist/images": "leaflet/images",
  "leaflet/LICENSE": "leaflet/LICENSE",
  "leaflet.markercluster/dist/leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
  "leaflet.markercluster/dist/leaflet.markercluster.js.map":
    "markercluster/leaflet.markercluster.js.map",
  "leaflet.markercluster/dist/MarkerCluster.css": "markercluster/MarkerCluster.css",
  "leaflet.markercluster/MIT-LICENCE.txt": "markercluster/LICENSE",
  "topojson-client/dist/topojson-client.min.js": "topojson/topojson-client.min.js",
  "topojson-client/LICENSE": "topojson/LICENSE",
  // Natural Earth's 1:110m countries: about 38 KB compressed, enough for a world map.
  "world-atlas/countries-110m.json": "world-atlas/countries-110m.json",
  // 1:50m, about 230 KB compressed: loaded only once the map is zoomed in to a region.
  "world-atlas/countries-50m.json": "world-atlas/countries-50m.json",
  "world-atlas/LICENSE": "world-atlas/LICENSE",
  // Draws an operator's street-level PMTiles basemap; loaded only where one is configured.
  "protomaps-leaflet/dist/protomaps-leaflet.js": "protomaps-leaflet/protomaps-leaflet.js",
  "protomaps-leaflet/dist/protomaps-leaflet.js.map": "protomaps-leaflet/protomaps-leaflet.js.map",
  "protomaps-leaflet/LICENSE": "protomaps-leaflet/LICENSE",
  // Only the Arabic-script subset, in the two weights the pages use; Latin text falls back
  // to the system font, so English pages never download a font.
  "@fontsource/vazirmatn/files/vazirmatn-arabic-400-normal.woff2":
    "vazirmatn/vazirmatn-arabic-400-normal.woff2",
  "@fontsource/vazirmatn/files/vazirmatn-arabic-700-normal.woff2":
    "vazirmatn/vazirmatn-arabic-700-normal.woff2",
  "@fontsource/vazirmatn/LICENSE": "vazirmatn/LICENSE",
  // Faces found and covered on the organizer's phone before a photo is uploaded: face-api with
  // the TensorFlow.js runtime bundled in (no source map is named), and its smallest detector
  // (tiny_face_detector, 190 KB). Loaded only on the photo upload page, once a file is chosen.
  "@vladmandic/face-api/dist/face-api.js": "face-api/face-api.js",
  "@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json":
    "face-api/tiny_face_detector_model-weights_manifest.json",
  "@vladmandic/face-api/model/tiny_face_detector_model.bin":
    "face-api/tiny_face_detector_model.bin",
  "@vladmandic/face-api/LICENSE": "face-api/LICENSE",
};

rmSync(target, { recursive: true, force: true });
for (const [source, destination] of Object.entries(FILES)) {
  const to = join(target, destination);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(root, "node_modules", source), to, { recursive: true });
}
// face-api.js bundles TensorFlow.js, whose licence its package does not carry.
writeFileSync(
  join(target, "face-api", "NOTICE"),
  "face-api.js bundles TensorFlow.js 4.22.0 (tfjs-core, tfjs-converter, tfjs-backend-cpu,\n" +
    "tfjs-backend-webgl), Copyright Google LLC, under the Apache License 2.0:\n" +
    "https://www.apache.org/licenses/LICENSE-2.0\n",
);
// make's stamp: the copy is redone only when package-lock.json or this script changes.
writeFileSync(join(target, ".stamp"), "");
console.log(`vendored ${Object.keys(FILES).length} files into ${target}`);
