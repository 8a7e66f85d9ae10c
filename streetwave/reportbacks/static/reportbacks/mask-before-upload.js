// Faces covered on the organizer's phone, before the photo leaves it. When a photo is chosen it
// is drawn on a canvas (its orientation applied), face-api's tiny face detector looks for faces
// at two input sizes with a low score threshold (a missed face is worse than a covered sign),
// each face's region is grown as the server grows it (core/images.py, mask_box) and
// filled with the server's opaque grey, and the file field then holds that canvas as a new JPEG:
// no metadata block survives a canvas. The script and the model come from our own origin and are
// loaded only once a photo is chosen.
//
// The server masks again whatever it receives. The regions covered here go, when the form is
// sent, into its hidden "covered_on_phone" field, so that the server covers them again and lists
// them as faces covered on the phone. Where the detector cannot run (no WebGL and a slow fallback that fails, an old
// browser, a format this browser cannot read, such as HEIC outside Safari) the file is sent as it
// was chosen and the server alone masks it; without JavaScript nothing here runs.
(function () {
  "use strict";

  var form = document.querySelector("form[data-mask-before-upload]");
  if (!form || !window.fetch || !window.createImageBitmap || !window.DataTransfer) return;
  var input = form.querySelector("input[type=file][name=file]");
  var coveredField = form.querySelector("input[name=covered_on_phone]");
  var consenting = form.querySelector("textarea[name=consenting]");
  var status = form.querySelector("[data-mask-status]");
  var button = form.querySelector("button[type=submit]");
  var preview = null; // the <img> of what will be uploaded, made the first time
  if (!input || !status) return;
  var data = form.dataset;

  // The server's fill (core.images.FILL) and its 8x8 blocks: an all-grey block of the
  // JPEG decodes to that grey, so nothing of the face survives the re-encoding either.
  var FILL = "rgb(128, 128, 128)";
  var BLOCK = 8;
  // Two passes: 608 finds the large and middle-sized faces, 1,280 the small ones of a crowd
  // (a face about 35 px wide in a 2,000 px photo). Sizes are multiples of 32, as the model asks.
  var SIZES = [608, 1280];
  var SCORE_THRESHOLD = 0.1;
  var MAX_BYTES = 25 * 1024 * 1024;
  var QUALITIES = [0.92, 0.85, 0.75];
  var PREVIEW_WIDTH = 800;
  // The form's limit of regions in one field (forms.RegionsField).
  var MAX_REGIONS = 50;
  var TYPES = /^image\/(jpeg|png|webp|heic|heif)$/;
  var EXTENSIONS = /\.(jpe?g|jfif|png|webp|heic|heif|hif)$/i;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "en");

  var detector = null; // a promise of face-api with its model loaded, made once
  var job = null; // the photo chosen last: its original, its analysis, what the field holds

  function say(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  function script(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = function () {
        reject(new Error("the face detector did not load"));
      };
      document.head.appendChild(element);
    });
  }

  function fetched(url, read) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + " answered " + response.status);
      return response[read]();
    });
  }

  function backend(tf) {
    // WebGL where the browser has it; otherwise the slower plain JavaScript backend.
    return tf
      .setBackend("webgl")
      .catch(function () {
        return false;
      })
      .then(function (ready) {
        return ready ? true : tf.setBackend("cpu");
      })
      .then(function () {
        return tf.ready();
      });
  }

  function loadDetector() {
    if (!detector) {
      detector = script(data.faceApi)
        .then(function () {
          if (!window.faceapi) throw new Error("the face detector did not start");
          return backend(window.faceapi.tf);
        })
        .then(function () {
          // The weights are fetched by the URLs the page gives (hashed by collectstatic), not
          // by the names written in the manifest.
          return Promise.all([fetched(data.model, "json"), fetched(data.weights, "arrayBuffer")]);
        })
        .then(function (parts) {
          var faceapi = window.faceapi;
          var weights = faceapi.tf.io.decodeWeights(parts[1], parts[0][0].weights);
          faceapi.nets.tinyFaceDetector.loadFromWeightMap(weights);
          return faceapi;
        });
    }
    return detector;
  }

  // Boxes are {x, y, w, h} in the photo's pixels.
  function overlaps(a, b) {
    // The server's rule (faces.Box.overlaps): a third of their union or more is the same face.
    var w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
    var h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    if (w <= 0 || h <= 0) return false;
    var common = w * h;
    return common * 3 >= a.w * a.h + b.w * b.h - common;
  }

  function union(a, b) {
    var x = Math.min(a.x, b.x);
    var y = Math.min(a.y, b.y);
    return {
      x: x,
      y: y,
      w: Math.max(a.x + a.w, b.x + b.w) - x,
      h: Math.max(a.y + a.h, b.y + b.h) - y,
    };
  }

  function merge(boxes) {
    var merged = boxes.slice();
    var changed = true;
    while (changed) {
      changed = false;
      var out = [];
      merged.forEach(function (box) {
        for (var i = 0; i < out.length; i++) {
          if (overlaps(out[i], box)) {
            out[i] = union(out[i], box);
            changed = true;
            return;
          }
        }
        out.push(box);
      });
      merged = out;
    }
    return merged;
  }

  function blocks(box, width, height) {
    var x0 = Math.max(0, Math.floor(box.x / BLOCK) * BLOCK);
    var y0 = Math.max(0, Math.floor(box.y / BLOCK) * BLOCK);
    var x1 = Math.min(width, Math.ceil((box.x + box.w) / BLOCK) * BLOCK);
    var y1 = Math.min(height, Math.ceil((box.y + box.h) / BLOCK) * BLOCK);
    return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
  }

  function maskBox(face, width, height) {
    // As images.mask_box: 1.6 times as wide (ears, hair), twice as tall from 0.4 of the face
    // above it (hair) down to the neck, then out to whole 8x8 blocks.
    var grownW = face.w * 1.6;
    var grownH = face.h * 2.0;
    var box = {
      x: Math.trunc(face.x + face.w / 2 - grownW / 2),
      y: Math.trunc(face.y - face.h * 0.4),
      w: Math.trunc(grownW + 1),
      h: Math.trunc(grownH + 1),
    };
    return blocks(box, width, height);
  }

  function analyse(file) {
    return Promise.all([loadDetector(), createImageBitmap(file, { imageOrientation: "from-image" })])
      .then(function (parts) {
        var faceapi = parts[0];
        var bitmap = parts[1];
        var canvas = document.createElement("canvas");
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
        var context = canvas.getContext("2d");
        // Transparency laid on white, as the server does.
        context.fillStyle = "#fff";
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(bitmap, 0, 0);
        bitmap.close();
        var longSide = Math.max(canvas.width, canvas.height);
        var sizes = SIZES.filter(function (size, i) {
          return i === 0 || size <= Math.ceil(longSide / 32) * 32;
        });
        var boxes = [];
        return sizes
          .reduce(function (previous, size) {
            return previous.then(function () {
              var options = new faceapi.TinyFaceDetectorOptions({
                inputSize: size,
                scoreThreshold: SCORE_THRESHOLD,
              });
              return faceapi.detectAllFaces(canvas, options).then(function (found) {
                found.forEach(function (detection) {
                  var b = detection.box;
                  var x = Math.max(0, Math.floor(b.x));
                  var y = Math.max(0, Math.floor(b.y));
                  var right = Math.min(canvas.width, Math.ceil(b.x + b.width));
                  var bottom = Math.min(canvas.height, Math.ceil(b.y + b.height));
                  if (right > x && bottom > y) boxes.push({ x: x, y: y, w: right - x, h: bottom - y });
                });
              });
            });
          }, Promise.resolve())
          .then(function () {
            return { canvas: canvas, faces: merge(boxes) };
          });
      });
  }

  // The consenting field's regions, read as the server reads them: one a line, four
  // percentages (left, top, width, height), Persian or Arabic digits allowed.
  function regions(text) {
    var digits = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩";
    var plain = (text || "").replace(/[۰-۹٠-٩]/g, function (d) {
      return String(digits.indexOf(d) % 10);
    });
    return plain
      .replace(/٫/g, ".")
      .split(/\r?\n/)
      .map(function (line) {
        var parts = line.replace(/[,،]/g, " ").trim().split(/\s+/).map(Number);
        if (parts.length !== 4 || parts.some(isNaN)) return null;
        return { x: parts[0] / 100, y: parts[1] / 100, w: parts[2] / 100, h: parts[3] / 100 };
      })
      .filter(Boolean);
  }

  function consents(face, areas, width, height) {
    // As images.Region.contains_centre_of: a face whose centre lies in one is left uncovered.
    var cx = (face.x + face.w / 2) / width;
    var cy = (face.y + face.h / 2) / height;
    return areas.some(function (r) {
      return r.x <= cx && cx <= r.x + r.w && r.y <= cy && cy <= r.y + r.h;
    });
  }

  // The JPEG's segments before its scan, less every application block but JFIF's (APP1 to
  // APP15: EXIF, XMP, the browser's ICC profile, ...) and every comment. A browser's encoder
  // writes no camera data, but what it writes is its own choice; this keeps only the image.
  function plain(bytes) {
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error("not a JPEG");
    var kept = [bytes.subarray(0, 2)];
    var at = 2;
    while (at + 4 <= bytes.length) {
      if (bytes[at] !== 0xff) throw new Error("a JPEG without a marker at " + at);
      var marker = bytes[at + 1];
      if (marker === 0xda) {
        kept.push(bytes.subarray(at));
        return new Blob(kept, { type: "image/jpeg" });
      }
      var end = at + 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
      if ((marker < 0xe1 || marker > 0xef) && marker !== 0xfe) kept.push(bytes.subarray(at, end));
      at = end;
    }
    throw new Error("a JPEG without a scan");
  }

  function encode(canvas, qualities) {
    return new Promise(function (resolve, reject) {
      canvas.toBlob(
        function (blob) {
          if (!blob) reject(new Error("the photo could not be encoded"));
          else if (blob.size > MAX_BYTES && qualities.length > 1) resolve(encode(canvas, qualities.slice(1)));
          else resolve(blob);
        },
        "image/jpeg",
        qualities[0]
      );
    }).then(function (blob) {
      return blob.arrayBuffer().then(function (buffer) {
        return plain(new Uint8Array(buffer));
      });
    });
  }

  function render(analysis, consentText) {
    var source = analysis.canvas;
    var width = source.width;
    var height = source.height;
    var areas = regions(consentText);
    var covered = analysis.faces
      .filter(function (face) {
        return !consents(face, areas, width, height);
      })
      .map(function (face) {
        return maskBox(face, width, height);
      })
      .filter(function (box) {
        return box.w > 0 && box.h > 0;
      });
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d");
    context.drawImage(source, 0, 0);
    context.fillStyle = FILL;
    covered.forEach(function (box) {
      context.fillRect(box.x, box.y, box.w, box.h);
    });
    return encode(canvas, QUALITIES).then(function (blob) {
      return { blob: blob, canvas: canvas, covered: covered, width: width, height: height };
    });
  }

  function hold(result) {
    // A plain name: a phone's file name carries the time the photo was taken.
    var file = new File([result.blob], "photo.jpg", { type: "image/jpeg" });
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    job.result = result;
    var count = result.covered.length;
    say(count ? data.labelMasked.replace("{number}", numbers.format(count)) : data.labelNone);
    show(result.canvas);
    return result;
  }

  // What will leave the phone, small, for the organizer to check: a data: address, since the
  // pages' policy allows no blob: one.
  function show(canvas) {
    if (!preview) {
      preview = document.createElement("img");
      preview.alt = data.labelPreview || "";
      preview.className = "mask-preview";
      status.parentNode.insertBefore(preview, status.nextSibling);
    }
    var scale = Math.min(1, PREVIEW_WIDTH / canvas.width);
    var small = document.createElement("canvas");
    small.width = Math.max(1, Math.round(canvas.width * scale));
    small.height = Math.max(1, Math.round(canvas.height * scale));
    small.getContext("2d").drawImage(canvas, 0, 0, small.width, small.height);
    preview.src = small.toDataURL("image/jpeg", 0.8);
    preview.width = small.width;
    preview.height = small.height;
    preview.style.display = "block";
    preview.style.maxWidth = "100%";
    preview.style.height = "auto";
    preview.style.marginBlockEnd = "1rem";
  }

  function hide() {
    if (!preview) return;
    preview.remove();
    preview = null;
  }

  function fail(error) {
    if (window.console) console.warn("Faces are covered by the server only:", error);
    say(data.labelUnavailable);
    throw error;
  }

  function choose() {
    var file = input.files && input.files[0];
    job = null;
    hide();
    if (!file) {
      say("");
      return;
    }
    if (!(TYPES.test(file.type) || (!file.type && EXTENSIONS.test(file.name)))) {
      // Not a photo this page can read: the server says why it refuses it.
      say("");
      return;
    }
    say(data.labelWorking);
    var mine = { consent: consenting ? consenting.value : "" };
    job = mine;
    mine.analysis = analyse(file);
    mine.done = mine.analysis
      .then(function (analysis) {
        return render(analysis, mine.consent);
      })
      .then(function (result) {
        if (job === mine) hold(result);
        return result;
      })
      .catch(function (error) {
        if (job === mine) fail(error);
        throw error;
      });
    // Waited for when the form is sent; a failure has been said already.
    mine.done.catch(function () {});
  }

  function percentages(box, width, height) {
    // Hundredths of a percent, outward, kept inside the photo so that the server accepts them.
    var left = Math.floor((box.x / width) * 10000);
    var top = Math.floor((box.y / height) * 10000);
    var right = Math.min(9999, Math.ceil(((box.x + box.w) / width) * 10000));
    var bottom = Math.min(9999, Math.ceil(((box.y + box.h) / height) * 10000));
    if (right <= left || bottom <= top) return null;
    return [left, top, right - left, bottom - top]
      .map(function (n) {
        return (n / 100).toFixed(2);
      })
      .join(" ");
  }

  function listCovered(result) {
    if (!coveredField) return;
    var lines = [];
    result.covered.forEach(function (box) {
      var line = percentages(box, result.width, result.height);
      if (line && lines.length < MAX_REGIONS) lines.push(line);
    });
    coveredField.value = lines.join("\n");
  }

  input.addEventListener("change", choose);

  form.addEventListener("submit", function (event) {
    var mine = job;
    if (!mine) return;
    event.preventDefault();
    if (mine.sending) return;
    mine.sending = true;
    if (button) button.disabled = true;
    var consent = consenting ? consenting.value : "";
    var ready = mine.done;
    if (consent !== mine.consent) {
      // Faces marked as consenting after the photo was chosen: covered again without them.
      mine.consent = consent;
      say(data.labelWorking);
      ready = mine.analysis.then(function (analysis) {
        return render(analysis, consent).then(hold);
      });
    }
    ready
      .then(listCovered, function () {
        // The file is still the one chosen (or the last one masked): the server masks it.
      })
      .then(function () {
        form.submit();
      });
  });
})();
