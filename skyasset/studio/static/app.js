// The studio page: the form, the job polling, the downloads, the library of skies and the compare view.
import { createViewer } from "/static/viewer.js";

const $ = (id) => document.getElementById(id);
const viewer = createViewer($("viewer"));
let second = null; // the compare viewer, made when first needed
let info = null;
let current = null;
let skies = []; // the library: finished skies, newest first
// The studio refuses state-changing requests without this session token, which only its own page carries.
const token = document.querySelector('meta[name="skyasset-token"]').content;
const METHOD_TEXT = {
  native: "native: one canvas all the way round, no stitching (best).",
  ring: "ring: views around the horizon, blended where they overlap.",
  mirror: "mirror: the 2025 baseline (half the sky repeats).",
  stripe: "stripe: the 2025 baseline.",
};

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error?.message || response.statusText), { body });
  return body;
}

function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  return o;
}

function describeCloud() {
  const c = info.classes.find((k) => k.code === $("cloud").value);
  $("cloud-description").textContent = c ? c.description : "";
}

function describeMethod() {
  const chosen = $("method").value || info.default_method;
  $("method-description").textContent = METHOD_TEXT[chosen] || "";
}

function sunChanged() {
  const given = $("sun").value === "given";
  $("sun-elevation").disabled = !given;
  $("sun-azimuth").disabled = !given;
}

function applyPreset() {
  const preset = info.presets.find((p) => p.name === $("preset").value);
  $("preset-description").textContent = preset ? preset.description : "";
  if (!preset) return;
  $("cloud").value = preset.cloud;
  $("psi").value = preset.psi;
  $("psi-value").value = Number(preset.psi).toFixed(2);
  if (preset.sun === "auto" || preset.sun === "none") {
    $("sun").value = preset.sun;
  } else {
    const [elevation, azimuth] = preset.sun.split(",");
    $("sun").value = "given";
    $("sun-elevation").value = elevation;
    $("sun-azimuth").value = azimuth;
  }
  sunChanged();
  describeCloud();
}

async function init() {
  info = await api("/api/info");
  $("model").textContent = `${info.model.model_id} - ${info.model.resolution} px model - skyasset ${info.version}`;
  $("library").textContent = `Saved in ${info.library}; they stay there when the studio stops.`;
  for (const c of info.classes) {
    $("cloud").append(option(c.code, `${c.name} (${c.code})`));
    $("mix-cloud").append(option(c.code, c.name));
  }
  const cumulus = info.classes.find((c) => c.name.toLowerCase() === "cumulus");
  if (cumulus) $("cloud").value = cumulus.code;
  for (const p of info.presets) $("preset").append(option(p.name, p.name));
  $("method").append(option("", `default (${info.default_method})`));
  for (const m of info.methods) $("method").append(option(m, m));
  for (const l of info.layouts) $("layout").append(option(l, l));
  $("layout").value = "equirect";
  for (const u of info.upscale) $("upscale").append(option(u, u));
  $("seed").max = info.seed_max;
  describeCloud();
  describeMethod();
  await refreshHistory();
  // The sky named in the address (kept across a reload), else the newest: the viewer never starts black.
  const wanted = new URLSearchParams(location.hash.slice(1)).get("sky");
  const first = skies.find((j) => j.id === wanted) || skies[0];
  if (first) await show(first);
}

function params() {
  const mix = $("mix-cloud").value;
  const sun = $("sun").value === "given"
    ? `${Number($("sun-elevation").value)},${Number($("sun-azimuth").value)}`
    : $("sun").value;
  return {
    cloud: $("cloud").value,
    seed: Number($("seed").value),
    psi: Number($("psi").value),
    mix: mix ? `${mix}:${Number($("mix-weight").value).toFixed(2)}` : null,
    size: Number($("size").value),
    layout: $("layout").value,
    method: $("method").value || null,
    sun,
    hdr: $("hdr").checked,
    upscale: $("upscale").value,
    // The preview's look goes into the files, so the downloads look as the preview does.
    exposure: Number($("exposure").value),
    rotate: Number($("rotation").value),
  };
}

// The look each viewer's sky was made with: the sliders show the look asked for, so a viewer previews only the
// difference (a sky made at +1 stop is not brightened again).
const madeWith = new Map();

function rememberLook(v, job) {
  madeWith.set(v, { stops: job.result?.exposure_stops || 0, degrees: job.result?.rotation_deg || 0 });
  applyPreviewSettings();
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function fmt(seconds) {
  return `${seconds.toFixed(2)} s`;
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function describeJob(job) {
  const p = job.params;
  const mix = p.mix ? ` + ${p.mix}` : "";
  return `${job.result?.cloud_name || p.cloud} seed ${p.seed}, psi ${p.psi}${mix}, ${p.size} px ${p.layout}`
    + `, ${job.result?.method || p.method || "default"}, sun ${p.sun}${p.hdr ? ", HDR" : ""}`
    + `${p.upscale !== "none" ? `, upscale ${p.upscale}` : ""}`;
}

function showDownloads(job) {
  const total = job.files.reduce((sum, f) => sum + f.bytes, 0);
  const zip = document.createElement("a");
  zip.href = job.zip;
  zip.id = "download-zip";
  zip.className = "primary";
  zip.textContent = `Download all ${job.files.length} files (zip, ${megabytes(total)})`;
  $("downloads-all").replaceChildren(zip);
  const links = $("downloads");
  links.replaceChildren();
  for (const f of job.files) {
    const a = document.createElement("a");
    a.href = f.url;
    a.download = f.name;
    a.textContent = `${f.name} (${megabytes(f.bytes)})`;
    links.append(a);
  }
}

async function show(job, clickedAt) {
  current = job.id;
  const r = job.result;
  await viewer.show(job.viewer, job.params.layout === "flat" ? "flat" : "equirect");
  rememberLook(viewer, job);
  const figures = [describeJob(job), `generate ${fmt(r.timings.total_s)}`];
  if (clickedAt !== undefined) {
    const visible = (performance.now() - clickedAt) / 1000;
    figures.push(`click to sky ${fmt(visible)}`);
    document.body.dataset.clickToSky = visible.toFixed(4);
  }
  $("figures").textContent = figures.join(" - ");
  $("status").textContent = job.params.layout === "flat"
    ? "The generator's flat image (not a skybox)."
    : "Measuring the seam and repetition...";
  if (job.params.layout !== "flat") {
    api(`/api/jobs/${job.id}/scores`).then((s) => {
      if (current !== job.id) return;
      $("status").textContent = s.summary;
      figures.push(`wrap seam ${s.wrap_seam.toFixed(2)} (about 1 or less: no seam)`,
        `period correlation ${s.period_correlation.toFixed(2)} (below 0.3: no repetition)`);
      $("figures").textContent = figures.join(" - ");
    }).catch(() => { if (current === job.id) $("status").textContent = "Could not measure this sky."; });
  }
  showDownloads(job);
  history.replaceState(null, "", `#sky=${job.id}`);
  document.body.dataset.shownJob = job.id;
  for (const item of $("history").children) item.classList.toggle("current", item.dataset.job === job.id);
}

async function compareWith(job) {
  if (!$("compare").checked) {
    $("compare").checked = true;
    compareChanged();
  }
  await second.show(job.viewer, job.params.layout === "flat" ? "flat" : "equirect");
  rememberLook(second, job);
  document.body.dataset.comparedJob = job.id;
}

async function remove(job) {
  if (!confirm(`Delete this sky and its ${job.files.length} files from the library?\n${describeJob(job)}`)) return;
  await api(`/api/jobs/${job.id}`, {
    method: "DELETE",
    headers: { "Content-Type": "application/json", "X-Skyasset-Token": token },
  });
  await refreshHistory();
  if (current === job.id) {
    current = null;
    if (skies[0]) await show(skies[0]);
  }
}

function historyItem(job) {
  const item = document.createElement("div");
  item.className = "sky";
  item.dataset.job = job.id;
  item.classList.toggle("current", job.id === current);
  const open = document.createElement("button");
  open.type = "button";
  open.className = "open";
  open.title = `Show: ${describeJob(job)}`;
  const img = document.createElement("img");
  img.src = `/api/jobs/${job.id}/thumbnail`;
  img.alt = `${job.params.cloud} seed ${job.params.seed}`;
  img.loading = "lazy";
  const label = document.createElement("span");
  label.textContent = `${job.params.cloud} ${job.params.seed} psi ${job.params.psi} ${job.params.layout}`;
  open.append(img, label);
  open.addEventListener("click", () => show(job).catch((e) => showError(e.message)));
  const compare = document.createElement("button");
  compare.type = "button";
  compare.className = "compare";
  compare.textContent = "compare";
  compare.addEventListener("click", () => compareWith(job).catch((e) => showError(e.message)));
  const del = document.createElement("button");
  del.type = "button";
  del.className = "delete";
  del.textContent = "delete";
  del.title = "Delete this sky and its files";
  del.addEventListener("click", () => remove(job).catch((e) => showError(e.message)));
  const actions = document.createElement("span");
  actions.className = "actions";
  actions.append(compare, del);
  item.append(open, actions);
  return item;
}

async function refreshHistory() {
  const { jobs } = await api("/api/jobs");
  skies = jobs.filter((j) => j.state === "done");
  $("history").replaceChildren(...skies.map(historyItem));
}

async function generate(event) {
  event.preventDefault();
  showError("");
  const clickedAt = performance.now();
  $("generate").disabled = true;
  $("progress").hidden = false;
  try {
    let { job } = await api("/api/generate", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Skyasset-Token": token },
      body: JSON.stringify(params()),
    });
    while (job.state === "queued" || job.state === "running") {
      $("progress-bar").value = job.progress;
      $("progress-text").textContent = job.state === "running"
        ? job.stage
        : job.ahead > 0 ? `waiting for ${job.ahead} earlier sk${job.ahead === 1 ? "y" : "ies"}` : "starting";
      job = await api(`/api/jobs/${job.id}?wait=0.25`); // answers at once when the job finishes
    }
    if (job.state === "error") throw new Error(job.error.message);
    $("progress-bar").value = 1;
    await show(job, clickedAt);
    await refreshHistory();
  } catch (e) {
    showError(e.message);
  } finally {
    $("generate").disabled = false;
    $("progress").hidden = true;
  }
}

function viewers() {
  return second ? [viewer, second] : [viewer];
}

function compareChanged() {
  const on = $("compare").checked;
  if (on && !second) {
    second = createViewer($("viewer-b"));
    // Both cameras turn together, so the same part of both skies is side by side.
    viewer.onViewChange((lon, lat, fov) => second.setView(lon, lat, fov));
    second.onViewChange((lon, lat, fov) => viewer.setView(lon, lat, fov));
    applyPreviewSettings();
  }
  $("viewer-b").hidden = !on;
  $("compare-hint").hidden = !on;
  $("viewers").classList.toggle("split", on);
}

function applyPreviewSettings() {
  const stops = Number($("exposure").value);
  const degrees = Number($("rotation").value);
  $("exposure-value").value = `${stops > 0 ? "+" : ""}${stops.toFixed(1)}`;
  $("rotation-value").value = `${degrees}\u00b0`;
  for (const v of viewers()) {
    const made = madeWith.get(v) || { stops: 0, degrees: 0 };
    v.setExposure(stops - made.stops);
    v.setRotation(degrees - made.degrees);
    v.setLit($("lit").checked);
    v.setGrid($("grid").checked);
  }
}

$("controls").addEventListener("submit", generate);
$("dice").addEventListener("click", () => {
  $("seed").value = Math.floor(Math.random() * (info ? info.seed_max : 2147483647));
});
$("cloud").addEventListener("change", () => { describeCloud(); $("preset").value = ""; });
$("preset").addEventListener("change", applyPreset);
$("method").addEventListener("change", describeMethod);
$("sun").addEventListener("change", sunChanged);
$("psi").addEventListener("input", () => { $("psi-value").value = Number($("psi").value).toFixed(2); });
$("mix-weight").addEventListener("input", () => { $("mix-value").value = Number($("mix-weight").value).toFixed(2); });
for (const id of ["grid", "lit", "exposure", "rotation"]) $(id).addEventListener("input", applyPreviewSettings);
$("compare").addEventListener("change", compareChanged);
init().then(() => { document.body.dataset.ready = "1"; }).catch((e) => showError(`Could not reach the studio: ${e.message}`));
