// Door-to-door votes: the building head records a household's choice; it goes through the
// outbox (vote.cast), so it works without signal and is sent when the phone is back online.
// A conflict (the household already voted itself) is shown beside the household. Who answered
// the door goes with the vote; a signature drawn with a finger goes as a PNG attachment of the
// same outbox item (uploaded first, like a visit's photos), so it too waits for the signal.
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

// A signature pad: strokes drawn with a finger, mouse or pen; `signed` once anything is drawn.
function pad(canvas) {
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#000";
  let last = null;
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture?.(event.pointerId);
    last = at(event);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = at(event);
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...next);
    ctx.stroke();
    last = next;
    canvas.dataset.signed = "1";
  });
  for (const end of ["pointerup", "pointercancel", "pointerleave"]) canvas.addEventListener(end, () => { last = null; });
}

function clear(canvas) {
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  delete canvas.dataset.signed;
}

async function signatureOf(form) {
  const canvas = form.querySelector("canvas.signature-pad");
  if (!canvas?.dataset.signed) return null;
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  return blob ? new File([blob], "signature.png", { type: "image/png" }) : null;
}

for (const canvas of document.querySelectorAll("canvas.signature-pad")) pad(canvas);
for (const button of document.querySelectorAll("[data-clear-signature]")) {
  button.addEventListener("click", () => clear(button.closest("details").querySelector("canvas")));
}

for (const form of document.querySelectorAll("form.record-vote")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = event.submitter?.value;
    if (!choice) return;
    const signature = await signatureOf(form);
    const id = await enqueue("vote.cast", {
      convention_id: Number(form.dataset.convention),
      household_id: Number(form.dataset.household),
      choice,
      channel: "door_to_door",
      answered_by: form.elements.answered_by?.value || null,
      client_time: new Date().toISOString(),
    }, signature ? [signature] : [], { convention: document.querySelector("h1")?.textContent.trim(),
      household: form.querySelector("legend")?.textContent.trim() });
    mine.set(id, form);
    const label = event.submitter.textContent.trim();
    say(form, `${texts.saved} ${label}`, "saved");
  });
}

window.addEventListener("siheyuan:synced", () => { refresh(); });
window.addEventListener("siheyuan:outbox", () => { refresh(); });
