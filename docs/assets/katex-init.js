// Render the math of every page with the KaTeX copy served by this site (no CDN).
// mkdocs-material re-emits document$ after each instant navigation.

// Scale each display formula wider than its column down to fit (never below half size).
function fitDisplayMath(root) {
  root.querySelectorAll(".katex-display").forEach((display) => {
    display.style.fontSize = "";
    const width = display.clientWidth;
    const needed = display.scrollWidth;
    if (width > 0 && needed > width) {
      display.style.fontSize = `${Math.max(0.5, (width - 2) / needed).toFixed(3)}em`;
    }
  });
}

document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
  fitDisplayMath(body);
});

window.addEventListener("resize", () => fitDisplayMath(document.body));
