// A problem's page: with no signal, an update or comment goes to the outbox and is sent later.
// Opening it reads its news: while the header counts something unread, my inbox items about this
// problem are marked read (issue.mark_read, through the outbox like a notice's read receipt).
import { enqueue } from "./outbox.js";

const opened = document.querySelector("[data-problem-read]");
const unread = Number(document.querySelector("[data-inbox-unread]")?.textContent || "0");
if (opened && unread > 0) {
  enqueue("issue.mark_read", { problem_ids: [Number(opened.dataset.problemRead)] }).catch(() => {});
}

const form = document.querySelector("[data-update-form]");
const saved = document.querySelector("[data-update-saved]");

form?.addEventListener("submit", async (event) => {
  if (navigator.onLine) return; // with signal: the ordinary form post
  event.preventDefault();
  const area = form.querySelector("textarea");
  const text = area.value.trim();
  if (!text) {
    area.setAttribute("aria-invalid", "true");
    area.focus();
    return;
  }
  area.setAttribute("aria-invalid", "false");
  const internal = form.querySelector("input[type=checkbox]")?.checked || false;
  await enqueue("issue.comment", { problem_id: Number(form.dataset.problem), text, internal });
  form.reset();
  saved.textContent = saved.dataset.text;
  saved.hidden = false;
});
