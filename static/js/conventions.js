// Door-to-door votes: the building head records a household's choice; it goes through the
// outbox (vote.cast), so it works without signal and is sent when the phone is back online.
// A conflict (the household already voted itself) is shown beside the household.
import { all, enqueue } from "./outbox.js";

const round = document.querySelector(".door-round");
const texts = round ? round.dataset : {};
const mine = new Map(); // mutation id -> form

function say(form, text, kind) {
  const status = form.querySelector(".record-status");
  status.textContent = text;
  status.dataset.kind = kind;
}

async function refresh() {
  if (!mine.size) return;
  const rows = new Map((await all()).map((m) => [m.id, m]));
  for (const [id, form] of mine) {
    const m = rows.get(id);
    if (!m) {
      say(form, texts.sent, "sent");
      mine.delete(id);
    } else if (m.status === "conflict") {
      say(form, `${texts.conflict} ${m.last_error?.message || m.last_error || ""}`.trim(), "conflict");
      form.closest("li")?.classList.add("has-conflict");
    } else if (m.status === "rejected") {
      say(form, `${m.last_error?.message || m.last_error || ""}`, "rejected");
    }
  }
}

for (const form of document.querySelectorAll("form.record-vote")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = event.submitter?.value;
    if (!choice) return;
    const id = await enqueue("vote.cast", {
      convention_id: Number(form.dataset.convention),
      household_id: Number(form.dataset.household),
      choice,
      channel: "door_to_door",
      client_time: new Date().toISOString(),
    }, [], { convention: document.querySelector("h1")?.textContent.trim(),
      household: form.querySelector("legend")?.textContent.trim() });
    mine.set(id, form);
    const label = event.submitter.textContent.trim();
    say(form, `${texts.saved} ${label}`, "saved");
  });
}

window.addEventListener("siheyuan:synced", () => { refresh(); });
window.addEventListener("siheyuan:outbox", () => { refresh(); });
