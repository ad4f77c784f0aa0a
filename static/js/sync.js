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

// Send each waiting file first. A refused file is dropped from its mutation (and the
// refusal kept for the person to see); the mutation itself still goes.
async function uploadFiles(mutation, token) {
  const kept = [];
  const fileErrors = mutation.file_errors || [];
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
  mutation.payload = { ...mutation.payload, attachments: kept };
  mutation.file_errors = fileErrors;
  await put("outbox", mutation);
}

async function record(results, sent) {
  const byId = new Map(sent.map((m) => [m.id, m]));
  await tx(["outbox", "files"], "readwrite", (s) => {
    for (const result of results) {
      const mutation = byId.get(result.id);
      if (!mutation) continue;
      if (result.status === "applied" || result.status === "duplicate") {
        if (mutation.file_errors && mutation.file_errors.length) {
          // Applied, but a photo was refused: keep a note so the person sees it.
          s.outbox.put({ ...mutation, status: REFUSED, applied: true, last_error: {
            code: "bad_upload", message: mutation.file_errors.map((e) => `${e.name}: ${e.message}`).join("; ") } });
        } else {
          s.outbox.delete(mutation.id);
        }
        for (const fileId of mutation.payload.attachments || []) s.files.delete(fileId);
      } else if (result.status === "rejected" && result.retry) {
        s.outbox.put({ ...mutation, attempts: mutation.attempts + 1, last_error: result.error });
      } else {
        s.outbox.put({ ...mutation, attempts: mutation.attempts + 1,
          status: result.status === "conflict" ? CONFLICT : REFUSED,
          last_error: result.error, server_version: result.server_version || null });
      }
    }
  });
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
  const send = async (chunk) => {
    for (const mutation of chunk) await uploadFiles(mutation, token);
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
      const error = await errorMessage(response);
      await put("outbox", { ...chunk[0], attempts: chunk[0].attempts + 1, status: REFUSED, last_error: error });
      return;
    }
    if (!response.ok) {
      const error = await errorMessage(response);
      await tx("outbox", "readwrite", (s) => {
        for (const m of chunk) s.outbox.put({ ...m, attempts: m.attempts + 1, last_error: error });
      });
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

// Send everything waiting. Two tabs, or a tab and the service worker, never flush at once:
// the lock makes the second wait, and by then there is nothing left for it to send.
export async function flush({ user } = {}) {
  const who = await activeUser(user);
  if (!who) return { sent: 0 };
  const run = async () => {
    let outcome;
    try {
      outcome = await flushNow(who);
      await setMeta(`last_sync:${who}`, Date.now());
      await pull({ user: who }).catch(() => {});
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

// Download what changed in my scope since the last pull into the offline copy.
export async function pull({ user } = {}) {
  const who = await activeUser(user);
  if (!who) return { changed: 0 };
  const since = await getMeta(`cursor:${who}`, 0);
  const response = await request(`/api/v1/sync?since=${since}`);
  if (!response.ok) throw new Stop("server");
  const { changes, cursor } = await response.json();
  let changed = 0;
  await tx(["rows", "meta"], "readwrite", (s) => {
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
  if (typeof window !== "undefined") {
    window.dispatchEvent(new CustomEvent("siheyuan:synced", { detail: { pulled: changed, cursor } }));
  }
  return { changed, cursor };
}
