// The 360 viewer: an equirect on the inside of a sphere, looked at from its centre. Drag to look around,
// scroll to zoom. Renders only when something changed (a still sky costs no GPU time).
import * as THREE from "/static/three.module.min.js";

const RADIUS = 500;

function gridLines() {
  // Parallels every 15 degrees and meridians every 30, on a sphere just inside the sky; the horizon in yellow.
  const group = new THREE.Group();
  const r = RADIUS * 0.9;
  const faint = new THREE.LineBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.35 });
  const horizon = new THREE.LineBasicMaterial({ color: 0xffd400 });
  for (let lat = -75; lat <= 75; lat += 15) {
    const pts = [];
    const y = r * Math.sin(THREE.MathUtils.degToRad(lat));
    const rr = r * Math.cos(THREE.MathUtils.degToRad(lat));
    for (let i = 0; i <= 128; i++) {
      const a = (i / 128) * Math.PI * 2;
      pts.push(new THREE.Vector3(rr * Math.cos(a), y, rr * Math.sin(a)));
    }
    group.add(new THREE.Line(new THREE.BufferGeometry().setFromPoints(pts), lat === 0 ? horizon : faint));
  }
  for (let lon = 0; lon < 360; lon += 30) {
    const pts = [];
    const a = THREE.MathUtils.degToRad(lon);
    for (let i = 0; i <= 64; i++) {
      const lat = -Math.PI / 2 + (i / 64) * Math.PI;
      pts.push(new THREE.Vector3(r * Math.cos(lat) * Math.cos(a), r * Math.sin(lat), r * Math.cos(lat) * Math.sin(a)));
    }
    group.add(new THREE.Line(new THREE.BufferGeometry().setFromPoints(pts), faint));
  }
  group.visible = false;
  return group;
}

export function createViewer(container) {
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  container.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(75, 16 / 9, 1, 1100);
  const geometry = new THREE.SphereGeometry(RADIUS, 96, 48);
  geometry.scale(-1, 1, 1); // seen from inside
  const material = new THREE.MeshBasicMaterial({ color: 0x000000 });
  scene.add(new THREE.Mesh(geometry, material));
  const grid = gridLines();
  scene.add(grid);
  const flat = document.createElement("img");
  flat.className = "flat";
  flat.alt = "generated sky (flat layout)";
  flat.hidden = true;
  container.appendChild(flat);

  // lon 180 looks at the centre of the panorama (view 0 of a ring skybox).
  const view = { lon: 180, lat: 10 };
  let pending = false;
  const loader = new THREE.TextureLoader();

  function render() {
    pending = false;
    const phi = THREE.MathUtils.degToRad(90 - view.lat);
    const theta = THREE.MathUtils.degToRad(view.lon);
    camera.lookAt(Math.sin(phi) * Math.cos(theta), Math.cos(phi), Math.sin(phi) * Math.sin(theta));
    renderer.render(scene, camera);
  }
  function requestRender() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(render);
    }
  }
  function resize() {
    const w = container.clientWidth;
    const h = container.clientHeight;
    if (!w || !h) return;
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    requestRender();
  }
  new ResizeObserver(resize).observe(container);

  let drag = null;
  container.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, lon: view.lon, lat: view.lat };
    container.setPointerCapture(e.pointerId);
  });
  container.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const k = camera.fov / container.clientHeight;
    view.lon = drag.lon - (e.clientX - drag.x) * k;
    view.lat = Math.max(-85, Math.min(85, drag.lat + (e.clientY - drag.y) * k));
    requestRender();
  });
  container.addEventListener("pointerup", () => { drag = null; });
  container.addEventListener("wheel", (e) => {
    e.preventDefault();
    camera.fov = Math.max(30, Math.min(100, camera.fov + e.deltaY * 0.05));
    camera.updateProjectionMatrix();
    requestRender();
  }, { passive: false });

  return {
    // Show `url`: an equirect on the sphere, or for `flat` the image itself. Resolves after the first frame.
    show(url, kind) {
      return new Promise((resolve, reject) => {
        if (kind === "flat") {
          renderer.domElement.hidden = true;
          flat.hidden = false;
          flat.onload = () => resolve();
          flat.onerror = () => reject(new Error("could not load the image"));
          flat.src = url;
          return;
        }
        loader.load(url, (texture) => {
          texture.colorSpace = THREE.SRGBColorSpace;
          // A 90 degree view of a 2048..4096 px panorama magnifies it: mipmaps would cost time and add nothing.
          texture.generateMipmaps = false;
          texture.minFilter = THREE.LinearFilter;
          texture.anisotropy = renderer.capabilities.getMaxAnisotropy();
          if (material.map) material.map.dispose();
          material.map = texture;
          material.color.set(0xffffff);
          material.needsUpdate = true;
          flat.hidden = true;
          renderer.domElement.hidden = false;
          resize();
          render();
          requestAnimationFrame(() => resolve());
        }, undefined, () => reject(new Error("could not load the sky image")));
      });
    },
    setGrid(on) {
      grid.visible = on;
      requestRender();
    },
    look(lon, lat) {
      view.lon = lon;
      view.lat = lat;
      render();
    },
  };
}
