// Voice notes with MediaRecorder: tap to start, tap to stop. Resolves to a Blob (webm/ogg/mp4).
export function supported() {
  return typeof MediaRecorder !== "undefined" && !!navigator.mediaDevices?.getUserMedia;
}

export async function start() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const recorder = new MediaRecorder(stream);
  const chunks = [];
  recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
  recorder.start();
  return {
    stop() {
      return new Promise((resolve) => {
        recorder.addEventListener("stop", () => {
          stream.getTracks().forEach((track) => track.stop());
          resolve(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
        }, { once: true });
        recorder.stop();
      });
    },
  };
}
