// 朗读: read a part of the page aloud with the device's Chinese voice. The button stays hidden
// when the device has no Chinese voice (or no speech at all): a button that does nothing is worse
// than none. Then the page says why, once per phone, and how to get a voice (the phone's
// text-to-speech settings), rather than letting 朗读 vanish with no word.
const buttons = [...document.querySelectorAll("[data-read-aloud]")];
const missing = document.querySelector("[data-read-aloud-missing]");
const TOLD = "siheyuan:no-chinese-voice-told";
const VOICES_WAIT_MS = 2000; // Chromium loads voices a moment after the page; none at all never fires an event

function chineseVoice() {
  const voices = window.speechSynthesis?.getVoices() || [];
  return voices.find((v) => /^zh[-_]CN/i.test(v.lang)) || voices.find((v) => /^zh/i.test(v.lang)) || null;
}

function read(button) {
  const synth = window.speechSynthesis;
  if (synth.speaking) {
    synth.cancel();
    return;
  }
  const target = document.getElementById(button.dataset.readAloud);
  if (!target) return;
  const utterance = new SpeechSynthesisUtterance(target.innerText.trim());
  // The language picks the device's Chinese voice (the one that made the button appear).
  utterance.lang = chineseVoice()?.lang || "zh-CN";
  utterance.rate = 0.9; // a little slower than the default, for older ears
  const idle = () => { button.textContent = button.dataset.start; button.setAttribute("aria-pressed", "false"); };
  utterance.addEventListener("end", idle);
  utterance.addEventListener("error", idle);
  button.textContent = button.dataset.stop;
  button.setAttribute("aria-pressed", "true");
  synth.speak(utterance);
}

function offer() {
  if (!chineseVoice()) return false;
  for (const button of buttons) {
    if (!button.hidden) continue;
    button.hidden = false;
    button.addEventListener("click", () => read(button));
  }
  return true;
}

function sayWhy() {
  if (!missing || chineseVoice()) return;
  try {
    if (localStorage.getItem(TOLD)) return;
    localStorage.setItem(TOLD, "1");
  } catch (err) { /* no storage (private mode): say it on this page anyway */ }
  missing.hidden = false;
}

if (buttons.length && !("speechSynthesis" in window)) {
  sayWhy();
} else if (buttons.length && !offer()) {
  // Voices load asynchronously in Chromium: look again when they arrive, and say why if none comes.
  window.speechSynthesis.addEventListener("voiceschanged", offer);
  setTimeout(sayWhy, VOICES_WAIT_MS);
}
