// The visit form: saved to the outbox (works without signal), then cleared for the next door.
import { enqueue } from "./outbox.js";

const form = document.querySelector("[data-visit-form]");
const saved = document.querySelector("[data-visit-saved]");

function localIso(value) {
  // <input type=datetime-local> gives Beijing wall time; send it with its offset.
  return value ? `${value}:00+08:00` : null;
}

// Links to the form name the household after "#" (…/new?building=5#household=12): the page URL stays the
// one the service worker keeps for offline use, so the link works without signal too.
function preselect() {
  const wanted = new URLSearchParams(location.hash.slice(1)).get("household");
  const select = form?.querySelector("[name=household_id]");
  if (wanted && select && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
}
preselect();
window.addEventListener("hashchange", preselect);

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const household = form.querySelector("[name=household_id]");
  const householdId = Number(data.get("household_id"));
  if (!householdId) {
    household.setAttribute("aria-invalid", "true");
    household.focus();
    return;
  }
  household.setAttribute("aria-invalid", "false");
  const need = (data.get("need") || "").trim();
  const referral = (data.get("referral") || "").trim();
  const report = data.get("report_need") !== null;  // the need becomes a problem report on the server
  const photo = form.querySelector("[name=photo]").files[0];
  await enqueue("visit.add", {
    household_id: householdId,
    visited_at: localIso(data.get("visited_at")),
    kind: data.get("kind"),
    notes: data.get("notes") || "",
    needs: need ? [{ text: need, status: report ? "to_report" : referral ? "referred" : "open", referral }] : [],
    follow_up_on: data.get("follow_up_on") || null,
  }, photo ? [photo] : []);
  const label = household.options[household.selectedIndex].text;
  saved.textContent = saved.dataset.template.replace("{household}", label);
  saved.hidden = false;
  const keepTime = form.querySelector("[name=visited_at]").value;
  form.reset();
  form.querySelector("[name=visited_at]").value = keepTime;
  household.focus();
});
