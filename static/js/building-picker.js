// The report page's building picker: a filter box over the <select> of buildings (grouped by community).
// Without JavaScript the plain select and its button work alone; with it, typing narrows the options,
// and the button reloads the form for the building chosen (not on change: arrow keys would leave the page).
const form = document.querySelector("[data-building-picker]");
if (form) {
  const select = form.querySelector("[data-building-select]");
  const filter = form.querySelector("[data-building-filter]");
  const count = form.querySelector("[data-building-filter-count]");
  form.querySelector("[data-building-filter-field]").hidden = false;

  filter.addEventListener("input", () => {
    const words = filter.value.trim().toLowerCase();
    let shown = 0;
    let first = null;
    for (const group of select.querySelectorAll("optgroup")) {
      const groupMatches = group.label.toLowerCase().includes(words);
      let any = false;
      for (const option of group.querySelectorAll("option")) {
        const match = !words || groupMatches || option.textContent.toLowerCase().includes(words);
        option.hidden = !match;
        if (match) { any = true; shown += 1; first = first || option; }
      }
      group.hidden = !any;
    }
    count.textContent = words ? count.dataset.text.replace("{n}", shown) : "";
    if (first && select.selectedOptions[0]?.hidden) select.value = first.value;  // never submit a hidden choice
  });
}
