// Notices: record "read" when a notice is opened, and the door-to-door list's one-tap
// "told in person" — both through the outbox, so they work without signal and sync later.
import { enqueue } from "./outbox.js";

const article = document.querySelector("[data-notice-read]");
if (article && document.body.dataset.user) {
  // A GET page never writes; the receipt is a mutation sent from here (kept offline if needed).
  enqueue("notice.read", { notice_id: Number(article.dataset.noticeRead) }).catch(() => {});
}

const list = document.querySelector("[data-door-list]");
const status = document.querySelector("[data-door-status]");
list?.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-informed-form]");
  if (!form) return;
  event.preventDefault();
  const row = form.closest("[data-household]");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    await enqueue("notice.informed", {
      notice_id: Number(list.dataset.notice),
      household_id: Number(row.dataset.household),
      channel: "door",
    }, []);
  } catch (err) {
    button.disabled = false;
    form.submit(); // no IndexedDB: fall back to the plain form
    return;
  }
  form.hidden = true;
  row.querySelector("[data-done]").hidden = false;
  row.classList.add("informed");
  if (status) {
    status.textContent = status.dataset.saved;
    status.hidden = false;
  }
});
