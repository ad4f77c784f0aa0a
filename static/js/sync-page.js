// The /sync page: what is waiting, what the server refused and why; only the actions that can work.
import { CONFLICT, REFUSED, WAITING, all, discard, retry } from "./outbox.js";
import { get } from "./store.js";
import { flush } from "./sync.js";
import { dateTime } from "./times.js";

const text = document.querySelector("template[data-i18n]").dataset;
const summary = document.querySelector("[data-sync-summary]");
const problems = document.querySelector("[data-sync-problems]");
const waitingList = document.querySelector("[data-sync-waiting]");
const dialog = document.querySelector("[data-discard-dialog]");

const typeLabels = JSON.parse(text.types || "{}");
const choiceLabels = JSON.parse(text.choices || "{}");
const channelLabels = JSON.parse(text.channels || "{}");
const fieldLabels = JSON.parse(text.fields || "{}");
const subjectLabels = JSON.parse(text.subjects || "{}");

// A value that is a code for machines (door_to_door, a uuid, an ISO time), not words for a person.
const CODE = /^[\w.:+-]*$/;
const SKIP = new Set(["choice", "channel", "attachments", "uuid", "client_time", "internal"]);

// What the person wrote or chose, in their words: choice and how it was taken, words, files.
function gist(payload) {
  const words = payload.text || payload.notes || payload.title || payload.reason
    || Object.entries(payload).filter(([k, v]) => typeof v === "string" && !SKIP.has(k) && !k.endsWith("_at")
      && !CODE.test(v)).map(([, v]) => v).join(" · ");
  const parts = [];
  if (payload.choice) parts.push(choiceLabels[payload.choice] || payload.choice);
  if (payload.channel && channelLabels[payload.channel]) parts.push(channelLabels[payload.channel]);
  if (words) parts.push(words.length > 80 ? `${words.slice(0, 80)}…` : words);
  const files = (payload.attachments || []).length;
  if (files) parts.push(text.files.replace("{n}", files));
  return parts.join(" · ");
}

// Where each subject's name is found on this phone when the page did not note it (the pulled rows).
const LOOKUPS = {
  convention: ["convention_id", "conventions", (row) => row.title],
  household: ["household_id", "households", (row) => row.label],
  problem: ["problem_id", "problems", (row) => row.text],
  notice: ["notice_id", "notices", (row) => row.title],
};

// What the item is about, in words: [label, name] pairs such as ["公约", "楼道不堆物"].
async function subjects(m) {
  const payload = m.payload || {};
  const found = [];
  for (const [name, [field, kind, words]] of Object.entries(LOOKUPS)) {
    let value = m.about?.[name];
    if (!value && payload[field] != null) {
      const row = await get(kind, payload[field]).catch(() => null);
      value = row ? words(row) : "";
      if (!value) value = text.unknown; // pulled rows do not reach this far: say so rather than show an id
    }
    if (value) found.push([subjectLabels[name], value.length > 40 ? `${value.slice(0, 40)}…` : value]);
  }
  return found;
}

// The server's reason with each field's label; a field this page has no label for gets none, never its API name.
function reason(error) {
  const fields = Object.entries(error.fields || {}).filter(([, v]) => v && v !== error.message)
    .map(([k, v]) => (fieldLabels[k] ? `${fieldLabels[k]}: ${v}` : v));
  return (error.message || "") + (fields.length ? ` (${fields.join("; ")})` : "");
}

function line(words, className = "") {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.textContent = words;
  return p;
}

async function describe(m) {
  const li = document.createElement("li");
  li.className = "card";
  const title = document.createElement("strong");
  title.textContent = `${typeLabels[m.type] || text.otherType} · ${dateTime(m.client_time)}`;
  li.append(title);
  for (const [label, name] of await subjects(m)) li.append(line(`${label}: ${name}`, "sync-subject"));
  const what = gist(m.payload || {});
  if (what) li.append(line(`${text.mine}: ${what}`));
  if (m.last_error) li.append(line(typeof m.last_error === "string" ? m.last_error : reason(m.last_error), "error"));
  if (m.server_version) li.append(line(`${text.serverVersion}: ${gist(m.server_version) || text.unknown}`));
  // The raw item stays available for whoever helps the person (the community's IT contact).
  const more = document.createElement("details");
  const label = document.createElement("summary");
  label.textContent = text.details;
  const details = document.createElement("pre");
  details.className = "payload";
  details.textContent = JSON.stringify(m.payload, null, 1);
  more.append(label, details);
  li.append(more);
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
  const waitingWords = waiting.length ? text.waiting.replace("{n}", waiting.length) : "";
  summary.textContent = refused.length ? `${text.needsYou.replace("{n}", refused.length)} ${waitingWords}`.trim()
    : waitingWords || text.none;
  const refusedItems = await Promise.all(refused.map(async (m) => {
    const li = await describe(m);
    li.append(...actions(m));
    return li;
  }));
  const waitingItems = await Promise.all(waiting.map(describe));
  if (mine !== renders) return;
  problems.replaceChildren(...(refused.length ? refusedItems : [emptyItem()]));
  waitingList.replaceChildren(...(waiting.length ? waitingItems : [emptyItem()]));
}

// Only what can work: a conflict is settled by keeping the server's version (sending it again
// would only clash again; the server kept the attempt in the history, not counted); a refusal may
// be sent again once someone fixed the cause, unless what it was for has closed.
function actions(m) {
  if (m.status === CONFLICT) {
    const note = line(m.type === "vote.cast" ? text.voteConflict : text.conflict, "hint");
    return [note, button(text.keepServer, () => askToDiscard(m))];
  }
  const buttons = [];
  if (!m.applied && m.last_error?.code !== "closed") {
    buttons.push(button(text.retry, async () => { await retry(m.id); await flush(); render(); }));
  }
  buttons.push(button(text.discard, () => askToDiscard(m)));
  return buttons;
}

// What is deleted from the phone is gone: ask first.
function askToDiscard(m) {
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue === "discard") { await discard(m.id); render(); }
  }, { once: true });
}

document.querySelector("[data-sync-now]").addEventListener("click", async () => { await flush(); render(); });
window.addEventListener("siheyuan:synced", render);
window.addEventListener("siheyuan:outbox", render);
try {
  // the service worker's flushes (Background Sync) and other tabs' changes show here too
  new BroadcastChannel("siheyuan-sync").onmessage = render;
} catch (err) { /* older browsers: the page's own events above still render */ }
render();
