// Loaded before the feature-server seed's JS client (seed-client.js, as the
// seed's README gives it): counts what every WebSocket the page opens
// receives and writes the counts into the page, where chromium's
// --dump-dom shows them to the test. The client itself is untouched.
const seen = { snapshot: 0, meta: 0, fft: 0, fftBins: 0, other: 0 };
const Original = window.WebSocket;
window.WebSocket = class extends Original {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (ev) => {
      if (typeof ev.data === "string") {
        const t = JSON.parse(ev.data).type;
        if (t in seen) seen[t]++; else seen.other++;
      } else {
        seen.fft++;
        seen.fftBins = new DataView(ev.data).getUint16(2, true);
      }
      document.documentElement.dataset.seen = JSON.stringify(seen);
    });
  }
};
