// Render the math of every page with the KaTeX copy served by this site (no CDN).
// mkdocs-material re-emits document$ after each instant navigation.

// Scale each display formula wider than its column down to fit (never below half
// size: then it scrolls). Measured again once the KaTeX fonts have loaded, since
// they change the widths.
function fitDisplayMath(root) {
  root.querySelectorAll(".katex-display").forEach((display) => {
    display.style.fontSize = "";
    let scale = 1;
    for (let step = 0; step < 4 && display.scrollWidth > display.clientWidth + 1; step++) {
      scale = Math.max(0.5, (scale * (display.clientWidth - 2)) / display.scrollWidth);
      display.style.fontSize = `${scale.toFixed(3)}em`;
      if (scale === 0.5) break;
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
  document.fonts.ready.then(() => fitDisplayMath(body));
});

window.addEventListener("resize", () => fitDisplayMath(document.body));
