// The sync status in every page's header: how many items wait, when the last sync succeeded.
// Also decides when to flush: on load, when the network returns, and every 30 seconds.
import { getMeta, setMeta } from "./db.js";
import { count, currentUser, needsYou } from "./outbox.js";
import { flush } from "./sync.js";
import { clockTime } from "./times.js";

const user = currentUser();
const widget = document.querySelector("[data-sync-status]");
const FLUSH_EVERY_MS = 30_000;

function timeLabel(ms) {
  if (!ms) return widget?.dataset.never || "—";
  return clockTime(ms);
}

export async function refresh() {
  if (!widget) return;
  const waiting = await count(user);
  const last = await getMeta(`last_sync:${user}`, 0);
  const signedOut = await getMeta("signed_out", false);
  const attention = await needsYou(user);
  widget.querySelector("[data-sync-count]").textContent = String(waiting);
  widget.querySelector("[data-sync-last]").textContent = timeLabel(last);
  // Refused items wait for the person: "2 条需要处理" instead of a "待发送 0" that says all is well.
  const needs = widget.querySelector("[data-sync-needs]");
  if (needs) {
    needs.textContent = needs.dataset.text.replace("{n}", attention);
    needs.hidden = !attention;
    widget.querySelector("[data-sync-queued]").hidden = attention > 0 && waiting === 0;
  }
  widget.classList.toggle("has-waiting", waiting > 0 || attention > 0);
  const warn = document.querySelector("[data-signed-out]");
  if (warn) warn.hidden = !signedOut || !waiting;
}

async function tryFlush() {
  if (navigator.onLine) await flush().catch((err) => console.warn("sync failed", err));
  await refresh();
}

if (user) {
  // The service worker flushes for whoever is signed in on this browser.
  setMeta("user", user);
  navigator.storage?.persist?.();
  window.addEventListener("online", tryFlush);
  window.addEventListener("siheyuan:outbox", refresh);
  window.addEventListener("siheyuan:synced", refresh);
  try {
    const channel = new BroadcastChannel("siheyuan-sync");
    channel.onmessage = refresh;
  } catch (err) { /* older browsers: the timer below keeps the count fresh */ }
  setInterval(tryFlush, FLUSH_EVERY_MS);
  tryFlush();
  // The sync page is where people go when offline: the worker keeps a copy even if it was never opened.
  navigator.serviceWorker?.ready.then((reg) => reg.active?.postMessage({ type: "keep-pages" })).catch(() => {});

  // Signing out with unsent items would strand them: ask first.
  const logout = document.querySelector("form[data-logout]");
  logout?.addEventListener("submit", async (event) => {
    if (logout.dataset.confirmed) return;
    event.preventDefault();
    const waiting = await count(user);
    if (!waiting || window.confirm(logout.dataset.warning.replace("{n}", waiting))) {
      logout.dataset.confirmed = "1";
      navigator.serviceWorker?.controller?.postMessage({ type: "clear-pages" });
      logout.submit();
    }
  });
}
