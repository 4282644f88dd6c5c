// foh UI: one store fed by the events WebSocket; the server is authoritative
// for every value (a click sends PATCH and waits for the PropertiesChanged).
const store = { channels: new Map(), lmh: [0, 0, 0], fft: null };
const $ = (sel) => document.querySelector(sel);

async function api(method, url, body) {
  const r = await fetch(url, { method, headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return r.json();
}

function row(n) {
  let tr = document.getElementById(`ch${n}`);
  if (!tr) {
    tr = document.createElement("tr");
    tr.id = `ch${n}`;
    for (let i = 0; i < 7; i++) tr.appendChild(document.createElement("td"));
    tr.cells[0].textContent = n;
    const b = document.createElement("button");
    b.addEventListener("click", () => api("PATCH", `/api/v1/channel/${n}`,
      { Mute: !store.channels.get(n).Mute }));
    tr.cells[6].appendChild(b);
    $("#channels tbody").appendChild(tr);
  }
  return tr;
}

function render(n) {
  const c = store.channels.get(n), tr = row(n);
  const f = (v) => (v === null || v === undefined ? "–" : v.toFixed(1));
  tr.cells[1].textContent = c.Name ?? "";
  tr.cells[2].textContent = f(c.peak_db);
  tr.cells[3].textContent = f(c.vu_db);
  tr.cells[4].textContent = f(c.lufs_m);
  tr.cells[5].textContent = f(c.gain_reduction_db);
  tr.cells[6].firstChild.textContent = c.Mute ? "muted" : "on";
}

async function load() {
  const list = await api("GET", "/api/v1/");
  for (const o of list.objects ?? []) {
    const m = o.url.match(/^\/api\/v1\/channel\/(\d+)$/);
    if (m) {
      store.channels.set(+m[1], await api("GET", o.url));
      render(+m[1]);
    }
  }
}

function draw() {
  const l = $("#lmh").getContext("2d");
  l.clearRect(0, 0, 300, 80);
  store.lmh.forEach((v, i) => { l.fillStyle = ["#e55", "#5e5", "#59f"][i]; l.fillRect(i * 100 + 10, 80 - v * 80, 80, v * 80); });
  if (store.fft) {
    const g = $("#fft").getContext("2d"), n = store.fft.length, w = 600 / n;
    g.clearRect(0, 0, 600, 120);
    g.fillStyle = "#fc4";
    store.fft.forEach((v, i) => g.fillRect(i * w, 120 - Math.min(1, v) * 120, w, Math.min(1, v) * 120));
  }
  requestAnimationFrame(draw);
}

function connect() {
  const ws = new WebSocket(`ws://${location.host}/api/v1/events`);
  ws.binaryType = "arraybuffer";
  ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "subscribe",
    topics: ["properties", "levels", "lmh", "fft"] })));
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data !== "string") {
      const n = new DataView(ev.data).getUint16(2, true);
      store.fft = new Float32Array(ev.data, 4, n);
      return;
    }
    const m = JSON.parse(ev.data);
    if (m.type === "hello" || m.type === "fohd") {
      $("#fohd").textContent = m.fohd ? "fohd running" : "fohd not running";
      $("#fohd").className = m.fohd ? "" : "down";
      if (m.fohd) load();
    } else if (m.type === "levels" && store.channels.has(m.channel)) {
      Object.assign(store.channels.get(m.channel), m);
      render(m.channel);
    } else if (m.type === "properties") {
      const c = m.url.match(/^\/api\/v1\/channel\/(\d+)$/);
      if (c && store.channels.has(+c[1])) {
        Object.assign(store.channels.get(+c[1]), m.changed);
        render(+c[1]);
      }
    } else if (m.type === "lmh") {
      store.lmh = [m.low, m.mid, m.high];
    }
  });
  ws.addEventListener("close", () => setTimeout(connect, 1000));
}

connect();
requestAnimationFrame(draw);
