// foh rooms page: create a room, publish a microphone into foh or listen to
// the room's programme over WebRTC, signalled on /api/rooms/signal.
// /rooms/<id>?role=publisher|listener&key=<k>&autostart=1 joins at once;
// &ec=0&ns=0&agc=0 turn the browser's voice processing off (the seed's
// constraints, all on, are the defaults). window.room holds the live state
// (level, dominant frequency, stats) for people and tests alike.
const $ = (s) => document.querySelector(s);
const params = new URLSearchParams(location.search);
const pathRoom = (location.pathname.match(/^\/rooms\/([a-z0-9_-]{1,32})$/) || [])[1] || "";

const room = window.room = {
  state: "idle", error: null, peer: null, node: null, ice: "new",
  level_db: -Infinity, peak_db: -Infinity, freq_hz: 0, stats: {}, server: null,
  joins: 0,
};

let ws = null, pc = null, stream = null, audioCtx = null, analyser = null, audioEl = null;
let statsTimer = null, meterRaf = null, retryTimer = null, wanted = false, lastBytes = null;

function setStatus(text, cls = "") {
  room.state = text;
  const el = $("#status");
  el.textContent = text;
  el.className = cls;
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

// The seed's default audio constraints; the checkboxes (or ?ec=0...) change them.
function constraints() {
  return {
    audio: {
      sampleRate: 48000,
      channelCount: $("#c-stereo").checked ? 2 : 1,
      echoCancellation: $("#c-ec").checked,
      noiseSuppression: $("#c-ns").checked,
      autoGainControl: $("#c-agc").checked,
      latency: 0.01,
    },
  };
}

// Levels: RMS and peak in dBFS, and the loudest FFT bin, from an analyser.
function watch(mediaStream) {
  room.stream = mediaStream;	// what the meters read (tests tap it too)
  audioCtx = audioCtx || new AudioContext({ sampleRate: 48000, latencyHint: "interactive" });
  if (audioCtx.state === "suspended") audioCtx.resume();
  analyser = audioCtx.createAnalyser();
  analyser.fftSize = 4096;
  analyser.smoothingTimeConstant = 0;
  audioCtx.createMediaStreamSource(mediaStream).connect(analyser);
  const td = new Float32Array(analyser.fftSize), fd = new Float32Array(analyser.frequencyBinCount);
  const canvas = $("#meter"), g = canvas.getContext("2d");
  const tick = () => {
    analyser.getFloatTimeDomainData(td);
    let sum = 0, peak = 0;
    for (const v of td) { sum += v * v; peak = Math.max(peak, Math.abs(v)); }
    room.level_db = 10 * Math.log10(sum / td.length + 1e-20);
    room.peak_db = 20 * Math.log10(peak + 1e-10);
    analyser.getFloatFrequencyData(fd);
    let best = 0;
    for (let i = 1; i < fd.length; i++) if (fd[i] > fd[best]) best = i;
    room.freq_hz = best * audioCtx.sampleRate / analyser.fftSize;
    const x = Math.max(0, Math.min(1, (room.level_db + 60) / 60)) * canvas.width;
    g.fillStyle = "#000"; g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = room.peak_db > -1 ? "#f44" : "#4c4"; g.fillRect(0, 0, x, canvas.height);
    $("#level").textContent = `${room.level_db.toFixed(1)} dBFS RMS, peak ${room.peak_db.toFixed(1)}`;
    meterRaf = setTimeout(tick, 50);
  };
  tick();
}

function showStats() {
  const rows = Object.entries(room.stats).concat(room.server ? [
    ["server bitrate kbps", room.server.bitrate_kbps], ["server packets lost", room.server.packets_lost],
    ["server jitter ms", room.server.jitter_ms], ["server RTT ms", room.server.rtt_ms]] : []);
  $("#stats tbody").replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement("tr");
    for (const t of [k, v === null || v === undefined ? "–" : String(v)]) {
      const td = document.createElement("td"); td.textContent = t; tr.appendChild(td);
    }
    return tr;
  }));
}

async function pollStats() {
  if (!pc) return;
  const s = { ice: pc.iceConnectionState, peer: room.peer };
  const report = await pc.getStats();
  report.forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "audio") {
      s.packets_lost = r.packetsLost; s.jitter_ms = +(r.jitter * 1000).toFixed(1);
      s.bytes = r.bytesReceived; s.jitter_buffer_ms = r.jitterBufferEmittedCount ?
        +(1000 * r.jitterBufferDelay / r.jitterBufferEmittedCount).toFixed(1) : null;
      // what NetEq aims at (mean since start), and its concealment
      s.jitter_target_ms = r.jitterBufferEmittedCount && r.jitterBufferTargetDelay !== undefined ?
        +(1000 * r.jitterBufferTargetDelay / r.jitterBufferEmittedCount).toFixed(1) : null;
      s.concealment_events = r.concealmentEvents;
    } else if (r.type === "outbound-rtp" && r.kind === "audio") {
      s.bytes = r.bytesSent; s.packets_sent = r.packetsSent;
    } else if (r.type === "remote-inbound-rtp") {
      s.rtt_ms = r.roundTripTime !== undefined ? +(r.roundTripTime * 1000).toFixed(1) : null;
      s.packets_lost = r.packetsLost;
    } else if (r.type === "candidate-pair" && r.nominated && r.currentRoundTripTime !== undefined) {
      s.rtt_ms = +(r.currentRoundTripTime * 1000).toFixed(1);
    }
  });
  const now = performance.now();
  if (lastBytes && s.bytes !== undefined)
    s.bitrate_kbps = +((s.bytes - lastBytes.bytes) * 8 / (now - lastBytes.t)).toFixed(1);
  if (s.bytes !== undefined) lastBytes = { bytes: s.bytes, t: now };
  room.stats = s;
  send({ type: "stats" });
  showStats();
}

function teardown() {
  clearInterval(statsTimer); clearTimeout(meterRaf); statsTimer = meterRaf = null;
  if (pc) { pc.close(); pc = null; }
  if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; }
  if (audioEl) { audioEl.srcObject = null; audioEl.remove(); audioEl = null; }
  if (ws) { ws.onclose = null; ws.close(); ws = null; }
  lastBytes = null;
}

// Recovery: webrtcbin (GStreamer 1.22) cannot take an ICE restart, so a
// failed connection is replaced by a fresh join after a short pause; foh
// drops the failed peer after [rooms] peer-timeout.
function retry(why) {
  teardown();
  if (!wanted) return;
  setStatus(`reconnecting (${why})`, "error");
  clearTimeout(retryTimer);
  retryTimer = setTimeout(join, 1000 + Math.random() * 1000);
}

function newPeerConnection(iceServers) {
  pc = new RTCPeerConnection({ iceServers: iceServers.map((u) => ({ urls: u })),
    bundlePolicy: "max-bundle" });
  pc.onicecandidate = (e) => {
    if (e.candidate && e.candidate.candidate)
      send({ type: "candidate", candidate: e.candidate.candidate,
        sdpMLineIndex: e.candidate.sdpMLineIndex ?? 0 });
  };
  pc.oniceconnectionstatechange = () => {
    room.ice = pc.iceConnectionState;
    if (room.ice === "connected" || room.ice === "completed") setStatus("live", "live");
    if (room.ice === "failed") retry("ICE failed");
  };
  pc.ontrack = (e) => {
    const ms = e.streams[0] || new MediaStream([e.track]);
    // Chrome feeds WebAudio from a remote track only while a media element plays it
    audioEl = document.createElement("audio");
    audioEl.autoplay = true;
    audioEl.srcObject = ms;
    document.body.appendChild(audioEl);
    audioEl.play().catch(() => {});
    watch(ms);
  };
  statsTimer = setInterval(pollStats, 1000);
}

async function onMessage(m) {
  if (m.type === "joined") {
    room.peer = m.peer; room.node = m.node || null; room.channel = m.channel; room.joins++;
    setStatus(`joined ${m.room} as ${m.role}`);
    newPeerConnection(m.ice_servers || []);
    if (m.role === "publisher") {
      stream = await navigator.mediaDevices.getUserMedia(constraints());
      const t = stream.getAudioTracks()[0];
      pc.addTransceiver(t, { direction: "sendonly", streams: [stream] });
      watch(stream);
      const offer = await pc.createOffer();
      // ask for stereo Opus with no comfort-noise tricks
      offer.sdp = offer.sdp.replace(/(a=fmtp:\d+ .*minptime=10;useinbandfec=1)/,
        "$1;stereo=1;sprop-stereo=1");
      await pc.setLocalDescription(offer);
      send({ type: "offer", sdp: offer.sdp });
    }
  } else if (m.type === "offer") {
    await pc.setRemoteDescription({ type: "offer", sdp: m.sdp });
    const answer = await pc.createAnswer();
    answer.sdp = answer.sdp.replace(/(a=fmtp:\d+ .*useinbandfec=1)/, "$1;stereo=1");
    await pc.setLocalDescription(answer);
    send({ type: "answer", sdp: answer.sdp });
  } else if (m.type === "answer") {
    // 10 ms Opus frames (Chrome's default is 20): half the packetization
    // delay, and foh's node can keep a shorter backlog
    const sdp = params.get("ptime") === "20" || /a=ptime:/.test(m.sdp) ? m.sdp :
      m.sdp.replace(/(m=audio [\s\S]*?\r?\n)(a=)/, "$1a=ptime:10\r\n$2");
    await pc.setRemoteDescription({ type: "answer", sdp });
  } else if (m.type === "candidate") {
    if (pc) await pc.addIceCandidate({ candidate: m.candidate, sdpMLineIndex: m.sdpMLineIndex });
  } else if (m.type === "stats") {
    room.server = m.peer;
  } else if (m.type === "error") {
    room.error = m.error;
    setStatus(`${m.error.replace(/^org\.foh\.[A-Za-z0-9]+\.Error\./, "")}: ${m.message}`, "error");
    // a refused join (wrong key, no such room, full) is not retried
    if (/WrongKey|NotFound|Full|Disabled|BadMessage/.test(m.error)) wanted = false;
  }
}

function join() {
  const id = $("#room").value.trim();
  if (!id) { setStatus("which room?", "error"); return; }
  teardown();
  wanted = true;
  room.error = null;
  $("#start").disabled = true; $("#stop").disabled = false;
  setStatus("connecting");
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/rooms/signal`);
  ws.onopen = () => send({ type: "join", room: id, role: $("#role").value, key: $("#key").value });
  ws.onmessage = (e) => onMessage(JSON.parse(e.data)).catch((err) => {
    room.error = String(err); setStatus(String(err), "error");
  });
  ws.onclose = () => { ws = null; if (wanted) retry("signalling closed"); };
}

function stop() {
  wanted = false;
  clearTimeout(retryTimer);
  send({ type: "leave" });
  teardown();
  $("#start").disabled = false; $("#stop").disabled = true;
  setStatus("idle");
}

async function create() {
  const body = {};
  if ($("#new-id").value.trim()) body.id = $("#new-id").value.trim();
  if ($("#new-channel").value !== "") body.channel = Number($("#new-channel").value);
  if ($("#new-listen-key").checked) body.listen_key = true;
  const r = await fetch("/api/rooms", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  const j = await r.json();
  const out = $("#created");
  out.replaceChildren();
  if (!r.ok) { out.textContent = j.message || r.statusText; return; }
  for (const [label, path] of [["publish", j.publish_url], ["listen", j.listen_url]]) {
    const p = document.createElement("p"), a = document.createElement("a");
    a.href = path; a.textContent = `${label}: ${location.origin}${path}`;
    p.appendChild(a); out.appendChild(p);
  }
  $("#room").value = j.id; $("#key").value = j.publish_key; $("#role").value = "publisher";
}

$("#create-btn").addEventListener("click", () => create().catch((e) => setStatus(String(e), "error")));
$("#start").addEventListener("click", join);
$("#stop").addEventListener("click", stop);
window.addEventListener("pagehide", () => { wanted = false; send({ type: "leave" }); });

$("#room").value = pathRoom || params.get("room") || "";
if (params.get("role") === "publisher" || params.get("role") === "listener") $("#role").value = params.get("role");
if (params.get("key")) $("#key").value = params.get("key");
for (const [p, id] of [["ec", "#c-ec"], ["ns", "#c-ns"], ["agc", "#c-agc"], ["stereo", "#c-stereo"]])
  if (params.get(p) === "0") $(id).checked = false;
if (params.get("autostart") === "1" && $("#room").value) join();
