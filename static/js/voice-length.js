// A voice note's length beside its marker on a card ("🎤 语音 0:12"), read from the recording itself.
// A phone's MediaRecorder writes WebM without a duration in its header: Chromium reports Infinity until
// asked to seek past the end, after which it knows the real length.
const format = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, "0")}`;

function show(audio) {
  const label = document.querySelector(`[data-voice-length="${audio.dataset.voice}"]`);
  if (!label) return;
  const write = () => {
    if (!Number.isFinite(audio.duration)) return false;
    label.textContent = format(audio.duration);
    return true;
  };
  audio.addEventListener("loadedmetadata", () => {
    if (write()) return;
    audio.addEventListener("durationchange", function found() {
      if (!write()) return;
      audio.removeEventListener("durationchange", found);
      audio.currentTime = 0;
    });
    audio.currentTime = 1e101;  // makes the browser read to the end and learn the length
  }, { once: true });
  if (audio.readyState >= 1) audio.dispatchEvent(new Event("loadedmetadata"));
}

document.querySelectorAll("audio[data-voice]").forEach(show);
