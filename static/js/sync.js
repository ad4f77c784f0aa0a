// Sending the outbox and pulling changes. Runs in pages and in the service worker
// (Background Sync), so it touches neither window nor document directly.
import { getAll, getMeta, getOne, put, setMeta, tx } from "./db.js";
import { CONFLICT, REFUSED, WAITING, announce, currentUser, uuid } from "./outbox.js";

const BATCH = 200;

async function clientId() {
  let id = await getMeta("client_id");
  if (!id) {
    id = uuid();
    await setMeta("client_id", id);
  }
  return id;
}

// The person whose session this browser holds: the page says so; the service worker asks meta.
async function activeUser(user) {
  if (user) return user;
  const fromPage = currentUser();
  return fromPage || (await getMeta("user", ""));
}

class Stop extends Error {}

async function request(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch (err) {
    throw new Stop("offline");
  }
  if (response.status === 401) {
    await setMeta("signed_out", true);
    throw new Stop("signed_out");
  }
  return response;
}

async function freshToken() {
  const response = await request("/api/v1/csrf");
  if (!response.ok) throw new Stop("server");
  return (await response.json()).csrf_token;
}

async function errorMessage(response) {
  try {
    return (await response.json()).error;
  } catch (err) {
    return { code: "server_error", message: `HTTP ${response.status}` };
  }
}

// The refused files of an item, as recorded by any flusher (each name and reason once).
function mergeErrors(...lists) {
  const byKey = new Map();
  for (const error of lists.flat()) if (error) byKey.set(`${error.name}\n${error.message}`, error);
  return [...byKey.values()];
}

// Write an answer over each item as it is stored *now*, not as it was read when this flush began.
// Two flushers can run at once where the Web Locks API is missing (Safari before 15.4, on phones
// that no longer update): the other one may have recorded a refused photo, or the server's answer,
// in between — and a stale copy written back would lose that note. `decide(stored, sentCopy)`
// returns the row to store, null to delete it, or undefined to leave it as it is.
async function answer(items, decide) {
  return tx(["outbox", "files"], "readwrite", async (s, done) => {
    const kept = [];
    for (const item of items) {
      const stored = await done(s.outbox.get(item.id));
      const row = decide(stored, item, s);
      if (row === null) s.outbox.delete(item.id);
      else if (row !== undefined) s.outbox.put(row);
      if (row) kept.push(row);
    }
    return kept;
  });
}

// Send each waiting file first. A refused file is dropped from its mutation (and the
// refusal kept for the person to see); the mutation itself still goes. Returns false when the
// item is no longer waiting (another flusher had it answered meanwhile): it is not sent again.
async function uploadFiles(mutation, token) {
  const kept = [];
  const fileErrors = [];
  for (const fileId of mutation.payload.attachments || []) {
    const row = await getOne("files", fileId);
    if (!row || row.status === "sent") { kept.push(fileId); continue; }
    if (row.status === REFUSED) continue;
    const body = new FormData();
    body.append("file", row.blob, row.name);
    const response = await request(`/api/v1/uploads/${fileId}`, {
      method: "PUT", body, headers: { "X-CSRFToken": token },
    });
    if (response.ok) {
      row.status = "sent";
      await put("files", row);
      kept.push(fileId);
    } else if (response.status === 400 || response.status === 413) {
      const error = await errorMessage(response);
      row.status = REFUSED;
      row.error = error;
      await put("files", row);
      fileErrors.push({ name: row.name, message: error.message });
    } else {
      throw new Stop("server");
    }
  }
  const [saved] = await answer([mutation], (stored) => {
    if (!stored || stored.status !== WAITING) return undefined;
    return { ...stored, payload: { ...stored.payload, attachments: kept },
      file_errors: mergeErrors(stored.file_errors, mutation.file_errors, fileErrors) };
  });
  if (!saved) return false;
  mutation.payload = saved.payload;
  mutation.file_errors = saved.file_errors;
  return true;
}

async function record(results, sent) {
  const byId = new Map(sent.map((m) => [m.id, m]));
  const answered = results.filter((result) => byId.has(result.id));
  const resultOf = new Map(answered.map((result) => [result.id, result]));
  await answer(answered.map((result) => byId.get(result.id)), (stored, mutation, s) => {
    const result = resultOf.get(mutation.id);
    if (result.status === "applied" || result.status === "duplicate") {
      for (const fileId of mutation.payload.attachments || []) s.files.delete(fileId);
      if (!stored) return undefined; // discarded, or recorded and cleared by another flusher
      const fileErrors = mergeErrors(stored.file_errors, mutation.file_errors);
      if (!fileErrors.length) return null;
      // Applied, but a photo was refused: keep a note so the person sees it.
      return { ...stored, file_errors: fileErrors, status: REFUSED, applied: true, last_error: {
        code: "bad_upload", message: fileErrors.map((e) => `${e.name}: ${e.message}`).join("; ") } };
    }
    if (!stored || stored.status !== WAITING) return undefined; // the other flusher's answer stands
    if (result.status === "rejected" && result.retry) {
      return { ...stored, attempts: stored.attempts + 1, last_error: result.error };
    }
    return { ...stored, attempts: stored.attempts + 1,
      status: result.status === "conflict" ? CONFLICT : REFUSED,
      last_error: result.error, server_version: result.server_version || null };
  });
}

// Pass over a chunk the server did not answer item by item (too large, or failing).
async function failed(chunk, change) {
  await answer(chunk, (stored) => (stored && stored.status === WAITING
    ? { ...stored, attempts: stored.attempts + 1, ...change } : undefined));
}

async function flushNow(user) {
  const all = await getAll("outbox", "user", user);
  const waiting = all.filter((m) => m.status === WAITING).sort((a, b) => a.created - b.created);
  if (!waiting.length) return { sent: 0 };
  const token = await freshToken();
  await setMeta("signed_out", false);
  const id = await clientId();
  let sent = 0;
  // POST a chunk; one the server finds too large (413: its byte limit) is sent in halves,
  // and a single item too large on its own is refused with the server's message, so one
  // oversized item never blocks everything queued behind it.
  const send = async (items) => {
    const chunk = [];
    for (const mutation of items) if (await uploadFiles(mutation, token)) chunk.push(mutation);
    if (!chunk.length) return;
    const body = JSON.stringify({
      client_id: id,
      mutations: chunk.map((m) => ({ id: m.id, type: m.type, payload: m.payload, client_time: m.client_time })),
    });
    const response = await request("/api/v1/sync", {
      method: "POST", body, headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    });
    if (response.status === 413 && chunk.length > 1) {
      const half = Math.ceil(chunk.length / 2);
      await send(chunk.slice(0, half));
      await send(chunk.slice(half));
      return;
    }
    if (response.status === 413) {
      await failed(chunk, { status: REFUSED, last_error: await errorMessage(response) });
      return;
    }
    if (!response.ok) {
      await failed(chunk, { last_error: await errorMessage(response) });
      throw new Stop("server");
    }
    const { results } = await response.json();
    await record(results, chunk);
    sent += results.length;
  };
  for (let start = 0; start < waiting.length; start += BATCH) {
    await send(waiting.slice(start, start + BATCH));
  }
  return { sent };
}

// Send everything waiting, then pull what changed. Two tabs, or a tab and the service worker,
// never flush at once: the lock makes the second wait, and by then there is nothing left for it to
// send. The page hears "siheyuan:synced" once per flush (the header's counts refresh on it).
export async function flush({ user } = {}) {
  const who = await activeUser(user);
  if (!who) return { sent: 0 };
  const run = async () => {
    let outcome;
    try {
      outcome = await flushNow(who);
      await setMeta(`last_sync:${who}`, Date.now());
      const pulled = await pullNow(who).catch(() => null);
      if (pulled) outcome = { ...outcome, pulled: pulled.changed, cursor: pulled.cursor };
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      outcome = { sent: 0, stopped: err.message };
    }
    announce({ type: "synced", ...outcome });
    if (typeof window !== "undefined") window.dispatchEvent(new CustomEvent("siheyuan:synced", { detail: outcome }));
    return outcome;
  };
  if (navigator.locks) return navigator.locks.request("siheyuan-flush", run);
  return run();
}

// Download what changed in my scope since the last pull into the offline copy (the cursor is the
// server's own string, kept as it came).
export async function pull({ user } = {}) {
  const who = await activeUser(user);
  if (!who) return { changed: 0 };
  const { changed, cursor } = await pullNow(who);
  if (typeof window !== "undefined") {
    window.dispatchEvent(new CustomEvent("siheyuan:synced", { detail: { pulled: changed, cursor } }));
  }
  return { changed, cursor };
}

async function pullNow(who) {
  const since = await getMeta(`cursor:${who}`, 0);
  const response = await request(`/api/v1/sync?since=${encodeURIComponent(since)}`);
  if (response.status === 400 && since) {
    // Not a cursor the server knows (kept from an older version): start over from 0.
    await setMeta(`cursor:${who}`, 0);
    return pullNow(who);
  }
  if (!response.ok) throw new Stop("server");
  const { changes, cursor, reset } = await response.json();
  let changed = 0;
  await tx(["rows", "meta"], "readwrite", (s) => {
    // The server starts over when my roles or household changed since the cursor (or it is another
    // account's): what this device held of me goes, rows no longer in my scope with it, and the
    // full set below replaces it, in the same transaction. A pull from 0 replaces everything too.
    if (reset || !since) s.rows.delete(IDBKeyRange.bound(`${who}/`, `${who}/\uffff`));
    for (const [kind, rows] of Object.entries(changes)) {
      for (const row of rows) {
        const key = `${who}/${kind}:${row.id}`;
        if (row.deleted) s.rows.delete(key);
        else s.rows.put({ key, kind: `${who}/${kind}`, id: row.id, data: row });
        changed += 1;
      }
    }
    s.meta.put({ key: `cursor:${who}`, value: cursor });
  });
  return { changed, cursor };
}
