// Care-mode report: a picture category, a voice note (tap to start and stop, or press and hold),
// maybe a photo, send. It goes through the outbox (issue.report), so it works without signal.
import { enqueue } from "./outbox.js";
import * as recorder from "./recorder.js";

const form = document.querySelector("[data-care-report]");
const sent = document.querySelector("[data-care-sent]");
const error = form?.querySelector("[data-care-error]");
const recordButton = form?.querySelector("[data-care-record]");
const recordState = form?.querySelector("[data-care-record-state]");
const playback = form?.querySelector("[data-care-playback]");
const photo = form?.querySelector("#care-photo");
const MAX_VOICE_BYTES = 5 * 1024 * 1024; // the server's limit for a voice note (checked there too)
const HOLD_MS = 600; // held longer than this: release stops the recording (press-and-hold)
let session = null;
let voice = null;
let recording = false; // what the person asked for; the recorder follows in order (serially)
let busy = Promise.resolve();

function serially(fn) {
  busy = busy.then(fn).catch((err) => say(String(err.message || err)));
  return busy;
}

function say(text) {
  error.textContent = text;
  error.hidden = !text;
}

async function startRecording() {
  say("");
  session = await recorder.start();
  recordButton.textContent = recordButton.dataset.stop;
  recordButton.setAttribute("aria-pressed", "true");
  recordState.textContent = recordState.dataset.recording;
}

async function stopRecording() {
  if (!session) return;
  const current = session;
  session = null;
  const blob = await current.stop();
  voice = new File([blob], "voice.webm", { type: blob.type || "audio/webm" });
  recordButton.textContent = recordButton.dataset.again;
  recordButton.setAttribute("aria-pressed", "false");
  recordState.textContent = recordState.dataset.recorded;
  playback.src = URL.createObjectURL(voice);
  playback.hidden = false;
}

if (form && !recorder.supported()) {
  recordButton.hidden = true;
  recordState.textContent = form.dataset.noRecorder;
} else if (form) {
  const toggle = () => {
    recording = !recording;
    serially(recording ? startRecording : stopRecording);
  };
  recordButton.addEventListener("pointerdown", () => {
    const pressedAt = Date.now();
    toggle();
    if (!recording) return; // that was the second tap
    recordButton.addEventListener("pointerup", () => {
      // released after a long press: that was press-and-hold, so the release stops it
      if (recording && Date.now() - pressedAt > HOLD_MS) toggle();
    }, { once: true });
  });
  recordButton.addEventListener("click", (event) => {
    if (event.detail === 0) toggle(); // a keyboard press (pointer presses are handled above)
  });
}

photo?.addEventListener("change", () => {
  const state = form.querySelector("[data-care-photo-state]");
  state.textContent = photo.files.length ? state.dataset.taken : "";
});

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const category = new FormData(form).get("category");
  if (!category) {
    say(form.dataset.needCategory);
    form.querySelector("input[name=category]").focus();
    return;
  }
  if (recording) {
    recording = false;
    serially(stopRecording);
  }
  await busy;
  const picture = photo.files[0] || null;
  if (!voice && !picture) {
    say(form.dataset.needVoice);
    recordButton.focus();
    return;
  }
  if (voice && voice.size > MAX_VOICE_BYTES) {
    say(form.dataset.tooLong);
    recordButton.focus();
    return;
  }
  say("");
  await enqueue("issue.report", {
    building_id: Number(form.dataset.building),
    category,
    text: "",
    source: "app",
  }, [picture, voice].filter(Boolean));
  form.hidden = true;
  sent.hidden = false;
  sent.focus();
});

// Only now can Send keep the report: until this module ran, the form would submit to the page itself.
if (form) form.querySelector("[data-care-send]").disabled = false;
