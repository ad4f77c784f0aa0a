// Care-mode vote: the three big buttons go through the outbox (vote.cast, the household's own
// vote), so a vote made without signal is kept and sent later. Without IndexedDB the form posts.
import { all, enqueue } from "./outbox.js";

const form = document.querySelector("[data-care-vote]");
const done = document.querySelector("[data-care-vote-done]");
let sentId = null;

async function showState() {
  if (!sentId) return;
  const item = (await all()).find((m) => m.id === sentId);
  const state = done.querySelector("[data-care-vote-state]");
  if (!item) state.textContent = done.dataset.sent;
  else if (item.status === "waiting") state.textContent = done.dataset.waiting;
  else state.textContent = item.last_error?.message || item.last_error || ""; // refused: say why
}

form?.addEventListener("submit", async (event) => {
  const button = event.submitter;
  if (!button?.value || form.dataset.plain) return;
  event.preventDefault();
  try {
    sentId = await enqueue("vote.cast", {
      convention_id: Number(form.dataset.convention),
      household_id: Number(form.dataset.household),
      choice: button.value,
      channel: "online",
      client_time: new Date().toISOString(),
    }, [], { convention: document.querySelector("h1")?.textContent.trim() });
  } catch (err) {
    form.dataset.plain = "1";
    form.requestSubmit(button); // no IndexedDB here: the plain form still works online
    return;
  }
  document.querySelector("[data-care-vote-page]").hidden = true;
  form.hidden = true;
  done.querySelector("[data-care-vote-choice]").textContent = button.textContent.trim();
  done.hidden = false;
  done.focus();
  showState();
});

window.addEventListener("siheyuan:synced", showState);
window.addEventListener("siheyuan:outbox", showState);
