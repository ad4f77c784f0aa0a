// A small promise wrapper around IndexedDB (no library needed for this much).
// Works in pages and in the service worker. Stores:
//   outbox  — mutations waiting to be sent {id, user, type, payload, client_time, attempts, status, last_error, files}
//   files   — photos and voice notes as Blobs {uuid, blob, name, status, error}
//   rows    — the offline copy pulled from the server {key: "kind:id", kind, id, data}
//   meta    — small values (cursor, last sync time) {key, value}
const DB_NAME = "siheyuan";
const DB_VERSION = 1;
let opening = null;

export function openDb() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("outbox")) {
        db.createObjectStore("outbox", { keyPath: "id" }).createIndex("user", "user");
      }
      if (!db.objectStoreNames.contains("files")) db.createObjectStore("files", { keyPath: "uuid" });
      if (!db.objectStoreNames.contains("rows")) {
        db.createObjectStore("rows", { keyPath: "key" }).createIndex("kind", "kind");
      }
      if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Run `work(stores)` in one transaction over `names`; resolves when it has committed.
export async function tx(names, mode, work) {
  const db = await openDb();
  const transaction = db.transaction(names, mode);
  const stores = Object.fromEntries([].concat(names).map((n) => [n, transaction.objectStore(n)]));
  const result = await work(stores, done);
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result;
}

export const getAll = (store, index, key) =>
  tx(store, "readonly", (s, d) => d(index ? s[store].index(index).getAll(key) : s[store].getAll()));
export const getOne = (store, key) => tx(store, "readonly", (s, d) => d(s[store].get(key)));
export const put = (store, value) => tx(store, "readwrite", (s, d) => d(s[store].put(value)));
export const remove = (store, key) => tx(store, "readwrite", (s, d) => d(s[store].delete(key)));

export async function getMeta(key, fallback = null) {
  const row = await getOne("meta", key);
  return row ? row.value : fallback;
}
export const setMeta = (key, value) => put("meta", { key, value });
