// The /sync page: what is waiting, what the server refused and why; retry or discard.
import { CONFLICT, REFUSED, WAITING, all, discard, retry } from "./outbox.js";
import { flush } from "./sync.js";
import { dateTime } from "./times.js";

const text = document.querySelector("template[data-i18n]").dataset;
const summary = document.querySelector("[data-sync-summary]");
const problems = document.querySelector("[data-sync-problems]");
const waitingList = document.querySelector("[data-sync-waiting]");
const dialog = document.querySelector("[data-discard-dialog]");

const typeLabels = JSON.parse(text.types || "{}");
const choiceLabels = JSON.parse(text.choices || "{}");

// What the item is, in the person's words: its kind, what they wrote or chose, and its files.
function gist(payload) {
  // What the person wrote: the usual fields, else any words in the item (a type this page has no label for).
  const words = payload.text || payload.notes || payload.title
    || Object.entries(payload).filter(([k, v]) => typeof v === "string" && !k.endsWith("_time") && !k.endsWith("_at")
      && k !== "choice").map(([, v]) => v).join(" · ");
  const parts = [];
  if (payload.choice) parts.push(choiceLabels[payload.choice] || payload.choice);
  if (words) parts.push(words.length > 80 ? `${words.slice(0, 80)}…` : words);
  const files = (payload.attachments || []).length;
  if (files) parts.push(text.files.replace("{n}", files));
  return parts.join(" · ");
}

function describe(m) {
  const li = document.createElement("li");
  li.className = "card";
  const title = document.createElement("strong");
  title.textContent = `${typeLabels[m.type] || m.type} · ${dateTime(m.client_time)}`;
  li.append(title);
  const what = gist(m.payload || {});
  if (what) {
    const line = document.createElement("p");
    line.textContent = what;
    li.append(line);
  }
  // The raw item stays available for whoever helps the person (the community's IT contact).
  const more = document.createElement("details");
  const label = document.createElement("summary");
  label.textContent = text.details;
  const details = document.createElement("pre");
  details.className = "payload";
  details.textContent = JSON.stringify(m.payload, null, 1);
  more.append(label, details);
  li.append(more);
  if (m.last_error) {
    const reason = document.createElement("p");
    reason.className = "error";
    const fields = Object.entries(m.last_error.fields || {}).map(([k, v]) => `${k}: ${v}`).join("; ");
    reason.textContent = m.last_error.message + (fields ? ` (${fields})` : "");
    li.append(reason);
  }
  if (m.server_version) {
    const server = document.createElement("p");
    server.textContent = `${text.serverVersion}: ${gist(m.server_version) || JSON.stringify(m.server_version)}`;
    li.append(server);
  }
  return li;
}

function emptyItem() {
  const li = document.createElement("li");
  li.className = "muted";
  li.textContent = text.emptyList;
  return li;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

// Renders overlap (a flush ends while the list is read): only the latest one is shown, so an
// earlier read of the outbox never replaces a newer one.
let renders = 0;

async function render() {
  const mine = ++renders;
  const items = await all();
  if (mine !== renders) return;
  const waiting = items.filter((m) => m.status === WAITING);
  const refused = items.filter((m) => m.status === REFUSED || m.status === CONFLICT);
  summary.textContent = waiting.length ? text.waiting.replace("{n}", waiting.length) : text.none;
  problems.replaceChildren(...(refused.length ? [] : [emptyItem()]), ...refused.map((m) => {
    const li = describe(m);
    if (!m.applied) li.append(button(text.retry, async () => { await retry(m.id); await flush(); render(); }));
    li.append(button(text.discard, () => {
      dialog.returnValue = "";
      dialog.showModal();
      dialog.addEventListener("close", async () => {
        if (dialog.returnValue === "discard") { await discard(m.id); render(); }
      }, { once: true });
    }));
    return li;
  }));
  waitingList.replaceChildren(...(waiting.length ? waiting.map(describe) : [emptyItem()]));
}

document.querySelector("[data-sync-now]").addEventListener("click", async () => { await flush(); render(); });
window.addEventListener("siheyuan:synced", render);
window.addEventListener("siheyuan:outbox", render);
try {
  // the service worker's flushes (Background Sync) and other tabs' changes show here too
  new BroadcastChannel("siheyuan-sync").onmessage = render;
} catch (err) { /* older browsers: the page's own events above still render */ }
render();
