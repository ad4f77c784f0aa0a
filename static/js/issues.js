// The report form: goes to the outbox (works with no signal), with photos and a voice note.
import { enqueue } from "./outbox.js";
import * as recorder from "./recorder.js";

const form = document.querySelector("[data-report-form]");
const saved = document.querySelector("[data-report-saved]");
let voiceNote = null;

const box = document.querySelector("[data-recorder]");
if (box && recorder.supported()) {
  const text = box.querySelector("template[data-i18n]").dataset;
  const button = box.querySelector("[data-record]");
  const state = box.querySelector("[data-record-state]");
  let session = null;
  box.hidden = false;
  button.addEventListener("click", async () => {
    if (!session) {
      session = await recorder.start();
      button.textContent = text.stop;
      button.setAttribute("aria-pressed", "true");
    } else {
      const blob = await session.stop();
      session = null;
      voiceNote = new File([blob], "voice.webm", { type: blob.type });
      button.textContent = text.start;
      button.setAttribute("aria-pressed", "false");
      state.textContent = text.recorded;
    }
  });
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const text = (data.get("text") || "").trim();
  const photos = [...form.querySelector("[name=photos]").files].slice(0, 6);
  const voiceFile = form.querySelector("[name=voice]").files[0] || voiceNote;
  const area = form.querySelector("[name=text]");
  const choices = form.querySelector("[data-category-choices]");
  if (!data.get("category")) {
    choices.setAttribute("aria-invalid", "true");
    choices.querySelector("input")?.focus();
    return;
  }
  choices.removeAttribute("aria-invalid");
  if (!text && !photos.length && !voiceFile) {
    area.setAttribute("aria-invalid", "true");
    area.focus();
    return;
  }
  area.setAttribute("aria-invalid", "false");
  const household = Number(data.get("household_id") || 0);
  await enqueue("issue.report", {
    building_id: Number(form.dataset.building),
    household_id: household || null,
    category: data.get("category"),
    text,
    location: data.get("location") || "",
    source: data.get("source") || "app",
    hotline_order_no: data.get("hotline_order_no") || "",
  }, voiceFile ? [...photos, voiceFile] : photos);
  form.reset();
  voiceNote = null;
  saved.textContent = saved.dataset.text;
  saved.hidden = false;
  saved.focus?.();
});
