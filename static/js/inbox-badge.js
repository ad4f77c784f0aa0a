// The unread badge in the header: refreshed on every page load and after every sync.
const badge = document.querySelector("[data-inbox-unread]");

async function refresh() {
  if (!badge || !navigator.onLine) return;
  try {
    const response = await fetch("/api/v1/notifications/unread", { credentials: "same-origin" });
    if (!response.ok) return;
    const { unread } = await response.json();
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  } catch (err) {
    // offline: keep the number the page was rendered with
  }
}

window.addEventListener("siheyuan:synced", refresh);
window.addEventListener("pageshow", (event) => { if (event.persisted) refresh(); });
