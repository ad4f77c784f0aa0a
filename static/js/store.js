// The offline copy of what the server sent with GET /api/v1/sync, per person and kind.
import { getAll, getOne } from "./db.js";
import { currentUser } from "./outbox.js";

export async function all(kind, user = currentUser()) {
  const rows = await getAll("rows", "kind", `${user}/${kind}`);
  return rows.map((r) => r.data);
}

export async function get(kind, id, user = currentUser()) {
  const row = await getOne("rows", `${user}/${kind}:${id}`);
  return row ? row.data : null;
}
