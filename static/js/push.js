// "Receive notices on this phone": subscribe through the service worker with the app's VAPID
// key and give the subscription to the server; turning it off unsubscribes and forgets it.
const box = document.querySelector("[data-push-switch]");
const toggle = box?.querySelector("[data-push-toggle]");
const state = box?.querySelector("[data-push-state]");

function say(key) {
  if (state) state.textContent = box.dataset[key];
}

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function api(method, body) {
  const token = document.querySelector("meta[name=csrf-token]")?.content || "";
  const response = await fetch("/api/v1/push/subscriptions", {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`push subscription ${response.status}`);
  return response.json();
}

async function current() {
  const registration = await navigator.serviceWorker.ready;
  return { registration, subscription: await registration.pushManager.getSubscription() };
}

async function turnOn() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    say("denied");
    return false;
  }
  const { registration } = await current();
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.publicKey),
  });
  await api("POST", { ...subscription.toJSON(), device_label: navigator.userAgent.slice(0, 200) });
  return true;
}

async function turnOff() {
  const { subscription } = await current();
  if (!subscription) return;
  await api("DELETE", { endpoint: subscription.endpoint }).catch(() => {});
  await subscription.unsubscribe();
}

async function init() {
  if (!box) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("unsupported");
    return;
  }
  const { subscription } = await current();
  toggle.checked = Boolean(subscription) && Notification.permission === "granted";
  toggle.disabled = false;
  say(toggle.checked ? "on" : "off");
  toggle.addEventListener("change", async () => {
    toggle.disabled = true;
    try {
      if (toggle.checked) {
        toggle.checked = await turnOn();
      } else {
        await turnOff();
      }
      if (toggle.checked || state.textContent !== box.dataset.denied) say(toggle.checked ? "on" : "off");
    } catch (err) {
      toggle.checked = false;
      say("failed");
    } finally {
      toggle.disabled = false;
    }
  });
}

init();
