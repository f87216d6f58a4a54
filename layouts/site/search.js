// The subscriber site's search of past editions: headlines and stories, all in the browser.
// The index is a script (search-index.js sets window.printpostSearch), not JSON fetched at
// run time, so search works from file:// as well as from any static host. Results are
// written with textContent only: copy is never read as HTML.
"use strict";
(() => {
  const form = document.getElementById("search");
  const editions = window.printpostSearch;
  if (!form || !Array.isArray(editions)) return;
  const input = form.querySelector("input[type=search]");
  const results = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  const root = form.dataset.root || "";
  const MOST = 50;

  // Case and accents aside: "resume" finds "Résumé".
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const stories = [];
  for (const edition of editions) {
    for (const story of edition.stories) {
      stories.push({edition, story, haystack: fold(story.headline + "\n" + story.text)});
    }
  }

  function snippet(text, word) {
    const at = fold(text).indexOf(word);
    const start = Math.max(0, at - 60);
    const end = Math.min(text.length, at + word.length + 100);
    const piece = document.createElement("span");
    piece.className = "search-snippet";
    if (at < 0) {
      piece.textContent = text.slice(0, 160) + (text.length > 160 ? "…" : "");
      return piece;
    }
    const mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + word.length);
    piece.append((start ? "…" : "") + text.slice(start, at), mark,
                 text.slice(at + word.length, end) + (end < text.length ? "…" : ""));
    return piece;
  }

  function search() {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    results.replaceChildren();
    if (!words.length) {
      status.textContent = "";
      return;
    }
    const found = stories.filter((entry) => words.every((word) => entry.haystack.includes(word)));
    status.textContent = found.length === 0 ? "No story has " + (words.length > 1 ? "all of these words." : "this word.")
      : found.length === 1 ? "1 story." : found.length + " stories" + (found.length > MOST ? ", the newest " + MOST + " shown." : ".");
    for (const {edition, story} of found.slice(0, MOST)) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = root + edition.page + "#" + story.id;
      link.textContent = story.headline;
      const where = document.createElement("span");
      where.className = "search-where";
      where.textContent = story.section + " · No. " + edition.issue + " · " + edition.date;
      item.append(link, where, snippet(story.text, words[0]));
      results.append(item);
    }
  }

  form.hidden = false;
  form.addEventListener("submit", (event) => { event.preventDefault(); search(); });
  input.addEventListener("input", search);
})();
