// Joining: the poster's Print button; the join page hides the password when a login card is asked
// for; on the review page, with no signal a decision goes to the outbox (join.decide) and is sent later.
import { enqueue } from "./outbox.js";

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

const card = document.querySelector("input[name=wants_card]");
const passwords = document.querySelector("[data-password-fields]");
if (card && passwords) {
  const show = () => { passwords.hidden = card.checked; };
  card.addEventListener("change", show);
  show();
}

document.querySelector("[data-join-requests]")?.addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-decide]");
  if (!form || navigator.onLine) return; // with signal: the ordinary form post
  event.preventDefault();
  const item = form.closest("[data-join-request]");
  const approve = form.dataset.decide === "approve";
  let reason = "";
  if (!approve) {
    const select = form.querySelector("select");
    reason = form.querySelector("input[name=other]").value.trim() || select.options[select.selectedIndex].text;
  }
  await enqueue("join.decide", { request_id: Number(item.dataset.joinRequest), approve, reason });
  item.querySelector("[data-decide-forms]").hidden = true;
  item.querySelector("[data-decided]").hidden = false;
});
