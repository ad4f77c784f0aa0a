// The page's entry module: registers the service worker, keeps the offline banner true and,
// for signed-in people, starts the sync status (which flushes the outbox).

const banner = document.querySelector("[data-offline-banner]");

function showNetworkState() {
  if (banner) banner.hidden = navigator.onLine;
}
window.addEventListener("online", showNetworkState);
window.addEventListener("offline", showNetworkState);
showNetworkState();

if ("serviceWorker" in navigator) {
  // A module worker, so it can import the same sync code the pages use (Background Sync).
  navigator.serviceWorker.register("/sw.js", { scope: "/", type: "module" }).catch((err) => {
    console.warn("service worker registration failed", err);
  });
}

if (document.body.dataset.user) {
  import("./sync-status.js");
} else {
  // Pages are cached per person: clear them on sign-out so the next person on this phone
  // cannot read the previous one's pages offline. (Signed-in pages do this in sync-status.js.)
  document.querySelector("form[data-logout]")?.addEventListener("submit", () => {
    navigator.serviceWorker?.controller?.postMessage({ type: "clear-pages" });
  });
}
