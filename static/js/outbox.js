// The outbox: every offline write is a mutation {id, type, payload, client_time} kept in
// IndexedDB until the server has answered for it. One path for online and offline writes.
import { getAll, getOne, tx } from "./db.js";

export const WAITING = "waiting";   // not yet answered by the server
export const REFUSED = "rejected";  // refused: the person must read why, then retry or discard
export const CONFLICT = "conflict"; // the server's version won: both are shown

// Whose outbox this is: mutations are sent with that person's session only.
export function currentUser() {
  if (typeof document !== "undefined" && document.body) return document.body.dataset.user || "";
  return "";
}

export function uuid() {
  return crypto.randomUUID();
}

// Queue a mutation (and its photos / voice notes) and try to send it at once if online.
// `about` names what it concerns in the person's words ({convention: "楼道不堆物", household:
// "6号楼 6门 302", problem: "楼道灯不亮"}), kept on this phone for the sync page, never sent.
export async function enqueue(type, payload, files = [], about = null) {
  const id = uuid();
  const attachments = [];
  const fileRows = [];
  for (const file of files) {
    if (!file) continue;
    const fileId = uuid();
    attachments.push(fileId);
    fileRows.push({ uuid: fileId, blob: file, name: file.name || "file", status: WAITING, mutation: id });
  }
  const mutation = {
    id, type, user: currentUser(), payload: { ...payload, attachments },
    client_time: new Date().toISOString(), attempts: 0, status: WAITING, last_error: null, created: Date.now(),
    about: about || null,
  };
  await tx(["outbox", "files"], "readwrite", (s) => {
    s.outbox.put(mutation);
    for (const row of fileRows) s.files.put(row);
  });
  announce();
  // Background Sync sends it even if the page is closed before the network comes back.
  navigator.serviceWorker?.ready.then((reg) => reg.sync?.register("outbox")).catch(() => {});
  if (navigator.onLine) {
    import("./sync.js").then((sync) => sync.flush()).catch(() => {});
  }
  return id;
}

export async function all(user = currentUser()) {
  const rows = await getAll("outbox", "user", user);
  return rows.sort((a, b) => a.created - b.created);
}

export async function pending(user = currentUser()) {
  return all(user);
}

export async function count(user = currentUser()) {
  return (await all(user)).filter((m) => m.status === WAITING).length;
}

// Items the server refused or that clash with its record: they wait for the person, not for the network.
export async function needsYou(user = currentUser()) {
  return (await all(user)).filter((m) => m.status === REFUSED || m.status === CONFLICT).length;
}

export async function discard(id) {
  const mutation = await getOne("outbox", id);
  if (!mutation) return;
  await tx(["outbox", "files"], "readwrite", (s) => {
    s.outbox.delete(id);
    for (const fileId of mutation.payload.attachments || []) s.files.delete(fileId);
  });
  announce();
}

// Put a refused item back in the queue (after the person fixed what was wrong). It goes as
// a NEW mutation id: the server keeps its answer per id (so a lost response is never applied
// twice), and the old id would only get the same refusal back. A refused item created
// nothing on the server, so the new id cannot double anything.
export async function retry(id) {
  const mutation = await getOne("outbox", id);
  if (!mutation) return null;
  const fresh = { ...mutation, id: uuid(), status: WAITING, last_error: null, server_version: null,
    attempts: 0, retried_from: id };
  await tx("outbox", "readwrite", (s) => {
    s.outbox.delete(id);
    s.outbox.put(fresh);
  });
  announce();
  return fresh.id;
}


// Tell every tab (and the service worker) that the outbox changed.
export function announce(detail = {}) {
  try {
    const channel = new BroadcastChannel("siheyuan-sync");
    channel.postMessage({ type: "changed", ...detail });
    channel.close();
  } catch (err) { /* BroadcastChannel missing: the page refreshes its own count */ }
  if (typeof window !== "undefined") {
    window.dispatchEvent(new CustomEvent("siheyuan:outbox", { detail }));
  }
}
