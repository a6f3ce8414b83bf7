// The 360 viewer: an equirect on the inside of a sphere, looked at from its centre. Drag to look around,
// scroll to zoom. Renders only when something changed (a still sky costs no GPU time).
// Exposure and rotation are preview settings (the renderer's tone-mapping exposure and the sky's turn), and the
// lit preview puts a sphere and a cube on a plane, lit by the sky as their environment (PMREM), in front of it.
import * as THREE from "/static/three.module.min.js";

const RADIUS = 500;
const LIT_TARGET = new THREE.Vector3(0, 0.6, 0);
const LIT_DISTANCE = 4.2;

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

function previewObjects() {
  // A mirror-like sphere shows the sky's reflection, a rough cube its diffuse light, a pale plane the ground.
  const group = new THREE.Group();
  const sphere = new THREE.Mesh(
    new THREE.SphereGeometry(0.6, 64, 32),
    new THREE.MeshStandardMaterial({ color: 0xffffff, metalness: 1.0, roughness: 0.08 }),
  );
  sphere.position.set(-0.8, 0.6, 0);
  const cube = new THREE.Mesh(
    new THREE.BoxGeometry(0.9, 0.9, 0.9),
    new THREE.MeshStandardMaterial({ color: 0xd8d2c8, metalness: 0.0, roughness: 0.55 }),
  );
  cube.position.set(0.85, 0.45, 0.1);
  cube.rotation.y = 0.6;
  const plane = new THREE.Mesh(
    new THREE.CircleGeometry(3.2, 96),
    new THREE.MeshStandardMaterial({ color: 0x9a9a96, metalness: 0.0, roughness: 0.9 }),
  );
  plane.rotation.x = -Math.PI / 2;
  group.add(sphere, cube, plane);
  group.visible = false;
  return group;
}

export function createViewer(container) {
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  // Linear tone mapping at exposure 1 is the identity: the sky shows as written until the exposure is moved.
  renderer.toneMapping = THREE.LinearToneMapping;
  renderer.toneMappingExposure = 1;
  container.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(75, 16 / 9, 0.1, 1100);
  const geometry = new THREE.SphereGeometry(RADIUS, 96, 48);
  geometry.scale(-1, 1, 1); // seen from inside
  const material = new THREE.MeshBasicMaterial({ color: 0x000000 });
  const sky = new THREE.Mesh(geometry, material);
  scene.add(sky);
  const grid = gridLines();
  scene.add(grid);
  const objects = previewObjects();
  scene.add(objects);
  const pmrem = new THREE.PMREMGenerator(renderer);
  let environment = null; // the PMREM of the shown sky, made when the lit preview first needs it
  const flat = document.createElement("img");
  flat.className = "flat";
  flat.alt = "generated sky (flat layout)";
  flat.hidden = true;
  container.appendChild(flat);

  // lon 180 looks at the centre of the panorama (view 0 of a ring skybox).
  const view = { lon: 180, lat: 10 };
  let lit = false;
  let rotation = 0; // degrees the sky is turned
  let pending = false;
  let onView = null;
  const loader = new THREE.TextureLoader();

  function aim() {
    const phi = THREE.MathUtils.degToRad(90 - view.lat);
    const theta = THREE.MathUtils.degToRad(view.lon);
    const look = new THREE.Vector3(Math.sin(phi) * Math.cos(theta), Math.cos(phi), Math.sin(phi) * Math.sin(theta));
    if (!lit) {
      camera.position.set(0, 0, 0);
      camera.lookAt(look);
      return;
    }
    // Orbit the objects: the camera stands behind them, looking the way the plain view looks, from above.
    const elevation = THREE.MathUtils.degToRad(Math.max(3, Math.min(80, 18 + (10 - view.lat))));
    const across = new THREE.Vector3(Math.cos(theta), 0, Math.sin(theta));
    camera.position.copy(LIT_TARGET)
      .addScaledVector(across, -LIT_DISTANCE * Math.cos(elevation))
      .add(new THREE.Vector3(0, LIT_DISTANCE * Math.sin(elevation), 0));
    camera.lookAt(LIT_TARGET);
  }
  function render() {
    pending = false;
    aim();
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

  function updateEnvironment() {
    if (!lit || !material.map || environment) return;
    environment = pmrem.fromEquirectangular(material.map);
    scene.environment = environment.texture;
  }
  function dropEnvironment() {
    if (environment) environment.dispose();
    environment = null;
    scene.environment = null;
  }
  function applyRotation() {
    // Negative about +Y: what was at azimuth A shows at A + rotation (turning right), as `generate --rotate` turns
    // the files, so a sky made with a rotation previews at 0 exactly as one turned here.
    const turn = -THREE.MathUtils.degToRad(rotation);
    sky.rotation.y = turn;
    // three.js samples an equirect environment half a turn from the inside-out sphere's texture coordinates.
    scene.environmentRotation.set(0, turn + Math.PI, 0);
  }

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
    if (onView) onView(view.lon, view.lat, camera.fov);
  });
  container.addEventListener("pointerup", () => { drag = null; });
  container.addEventListener("wheel", (e) => {
    e.preventDefault();
    camera.fov = Math.max(30, Math.min(100, camera.fov + e.deltaY * 0.05));
    camera.updateProjectionMatrix();
    requestRender();
    if (onView) onView(view.lon, view.lat, camera.fov);
  }, { passive: false });
  applyRotation();

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
          dropEnvironment();
          updateEnvironment();
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
    // Exposure in stops: 0 shows the sky as written, +1 twice as bright.
    setExposure(stops) {
      renderer.toneMappingExposure = 2 ** stops;
      requestRender();
    },
    // Turn the sky by `degrees` about the vertical, turning right (the page sends the look with the request).
    setRotation(degrees) {
      rotation = degrees;
      applyRotation();
      requestRender();
    },
    // The lit preview: a sphere and a cube on a plane, lit by the sky, instead of the plain look-around.
    setLit(on) {
      lit = on;
      objects.visible = on;
      updateEnvironment();
      requestRender();
    },
    // Follow another viewer's camera (compare side by side); `listener` hears this one's drags and zooms.
    setView(lon, lat, fov) {
      view.lon = lon;
      view.lat = lat;
      camera.fov = fov;
      camera.updateProjectionMatrix();
      requestRender();
    },
    onViewChange(listener) {
      onView = listener;
    },
    resize,
    look(lon, lat) {
      view.lon = lon;
      view.lat = lat;
      render();
    },
    // Draw now (tests and screenshots read the canvas right after a change).
    renderNow: render,
  };
}
