// The studio page: the form, the job polling, the downloads and the history strip.
import { createViewer } from "/static/viewer.js";

const $ = (id) => document.getElementById(id);
const viewer = createViewer($("viewer"));
let info = null;
let current = null;
// The studio refuses state-changing requests without this session token, which only its own page carries.
const token = document.querySelector('meta[name="skyasset-token"]').content;

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

async function init() {
  info = await api("/api/info");
  $("model").textContent = `${info.model.model_id} - ${info.model.resolution} px model - skyasset ${info.version}`;
  for (const c of info.classes) {
    $("cloud").append(option(c.code, `${c.name} (${c.code})`));
    $("mix-cloud").append(option(c.code, c.name));
  }
  const cumulus = info.classes.find((c) => c.name.toLowerCase() === "cumulus");
  if (cumulus) $("cloud").value = cumulus.code;
  for (const l of info.layouts) $("layout").append(option(l, l));
  $("layout").value = "equirect";
  for (const u of info.upscale) $("upscale").append(option(u, u));
  $("seed").max = info.seed_max;
  describeCloud();
  await refreshHistory();
}

function params() {
  const mix = $("mix-cloud").value;
  return {
    cloud: $("cloud").value,
    seed: Number($("seed").value),
    psi: Number($("psi").value),
    mix: mix ? `${mix}:${Number($("mix-weight").value).toFixed(2)}` : null,
    size: Number($("size").value),
    layout: $("layout").value,
    hdr: $("hdr").checked,
    upscale: $("upscale").value,
  };
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function fmt(seconds) {
  return `${seconds.toFixed(2)} s`;
}

async function show(job, clickedAt) {
  current = job.id;
  const r = job.result;
  await viewer.show(job.viewer, job.params.layout === "flat" ? "flat" : "equirect");
  const figures = [`generate ${fmt(r.timings.total_s)}`];
  if (clickedAt !== undefined) {
    const visible = (performance.now() - clickedAt) / 1000;
    figures.unshift(`click to sky ${fmt(visible)}`);
    document.body.dataset.clickToSky = visible.toFixed(4);
  }
  $("figures").textContent = figures.join(" - ");
  if (job.params.layout !== "flat") {
    api(`/api/jobs/${job.id}/scores`).then((s) => {
      if (current !== job.id) return;
      figures.push(`wrap seam ${s.wrap_seam.toFixed(2)}`, `period ${s.period_correlation.toFixed(2)}`);
      $("figures").textContent = figures.join(" - ");
    }).catch(() => {});
  }
  const links = $("downloads");
  links.replaceChildren();
  for (const f of job.files) {
    const a = document.createElement("a");
    a.href = f.url;
    a.download = f.name;
    a.textContent = `${f.name} (${(f.bytes / 1e6).toFixed(1)} MB)`;
    links.append(a);
  }
  document.body.dataset.shownJob = job.id;
  for (const b of $("history").children) b.classList.toggle("current", b.dataset.job === job.id);
}

async function refreshHistory() {
  const { jobs } = await api("/api/jobs");
  const strip = $("history");
  strip.replaceChildren();
  for (const job of jobs.filter((j) => j.state === "done")) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.job = job.id;
    b.classList.toggle("current", job.id === current);
    const img = document.createElement("img");
    img.src = `/api/jobs/${job.id}/thumbnail`;
    img.alt = `${job.params.cloud} seed ${job.params.seed}`;
    img.loading = "lazy";
    const label = document.createElement("span");
    label.textContent = `${job.params.cloud} ${job.params.seed} psi ${job.params.psi} ${job.params.layout}`;
    b.append(img, label);
    b.addEventListener("click", () => show(job).catch((e) => showError(e.message)));
    strip.append(b);
  }
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
      $("progress-text").textContent = job.state === "queued" ? "waiting for the previous sky" : job.stage;
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

$("controls").addEventListener("submit", generate);
$("dice").addEventListener("click", () => {
  $("seed").value = Math.floor(Math.random() * (info ? info.seed_max : 2147483647));
});
$("cloud").addEventListener("change", describeCloud);
$("psi").addEventListener("input", () => { $("psi-value").value = Number($("psi").value).toFixed(2); });
$("mix-weight").addEventListener("input", () => { $("mix-value").value = Number($("mix-weight").value).toFixed(2); });
$("grid").addEventListener("change", () => viewer.setGrid($("grid").checked));
init().then(() => { document.body.dataset.ready = "1"; }).catch((e) => showError(`Could not reach the studio: ${e.message}`));
