// Progressive enhancement only: every page works without this file.
"use strict";

document.documentElement.classList.add("js");

// After htmx updates the address (a filter change), the language links follow it, so switching
// language keeps the filters.
document.addEventListener("htmx:pushedIntoHistory", () => {
  for (const link of document.querySelectorAll("a[hreflang]")) {
    const url = new URL(link.href);
    url.search = window.location.search;
    link.href = url.toString();
  }
});
