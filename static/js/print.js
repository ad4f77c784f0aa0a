// Print pages (login cards, blackboard copies, convention results): a Print button, hidden until this script runs, since it needs JavaScript.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
