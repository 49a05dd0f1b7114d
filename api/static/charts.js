/* Small inline-SVG charts drawn here (no chart library): the cause profile with parent and
pupil side by side, and horizontal bar charts for the leader's statistics. Each chart has a
title and description for screen readers; the pages also show the numbers as a table. */
"use strict";

(function () {
  const NS = "http://www.w3.org/2000/svg";
  let uid = 0;

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function frame(width, height, title, desc) {
    uid += 1;
    const svg = svgEl("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
      "aria-labelledby": `chart-t${uid} chart-d${uid}`, focusable: "false",
    });
    svg.append(svgEl("title", { id: `chart-t${uid}` }, title));
    svg.append(svgEl("desc", { id: `chart-d${uid}` }, desc));
    return svg;
  }

  /**
   * The profile: one row per area, a parent bar and a pupil bar (0-3) side by side.
   * rows: [{title, parent: level|null, pupil: level|null}]; levels: {"0": "Ingen tegn", ...}
   */
  function profileChart(rows, levels) {
    const brand = cssVar("--brand", "#00594f");
    const pupilColor = cssVar("--pupil-bar", "#8a4600");
    const left = 230;
    const right = 20;
    const plot = 420;
    const rowH = 64;
    const top = 34;
    const width = left + plot + right;
    const height = top + rows.length * rowH + 10;
    const desc = rows.map((r) => `${r.title}: forælder ${label(r.parent, levels)}, ` +
      `elev ${label(r.pupil, levels)}`).join(". ");
    const svg = frame(width, height, "Årsagsprofil: forælder og elev side om side", desc);
    uid += 1;
    const hatchId = `hatch${uid}`;
    const defs = svgEl("defs");
    const pattern = svgEl("pattern", { id: hatchId, width: 8, height: 8,
      patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    pattern.append(svgEl("rect", { width: 8, height: 8, fill: pupilColor }));
    pattern.append(svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 8, stroke: "#ffffff",
      "stroke-width": 2 }));
    defs.append(pattern);
    svg.append(defs);
    // Grid with the level names.
    for (let lvl = 0; lvl <= 3; lvl++) {
      const x = left + (plot * lvl) / 3;
      svg.append(svgEl("line", { x1: x, y1: top - 6, x2: x, y2: height - 10,
        stroke: "#767676", "stroke-width": 1, "stroke-dasharray": lvl ? "4 4" : "" }));
      svg.append(svgEl("text", { x, y: top - 12, "text-anchor": lvl === 3 ? "end" :
        (lvl === 0 ? "start" : "middle"), "font-size": 13, fill: "#1a1a1a" },
        levels[String(lvl)] || String(lvl)));
    }
    rows.forEach((r, i) => {
      const y = top + i * rowH + 6;
      svg.append(svgEl("text", { x: left - 10, y: y + 27, "text-anchor": "end",
        "font-size": 14, "font-weight": 600, fill: "#1a1a1a" }, shorten(r.title, 28)));
      bar(svg, y, r.parent, brand, "Forælder", levels);
      bar(svg, y + 26, r.pupil, `url(#${hatchId})`, "Elev", levels);
    });
    return svg;

    function bar(parent, y, level, fill, who, lv) {
      if (level === null || level === undefined) {
        parent.append(svgEl("text", { x: left + 6, y: y + 16, "font-size": 13, fill: "#4a4a4a" },
          `${who}: ukendt`));
        return;
      }
      const w = Math.max(4, (plot * level) / 3);
      parent.append(svgEl("rect", { x: left, y, width: w, height: 22, fill,
        stroke: "#1a1a1a", "stroke-width": 1 }));
      const inside = w > 150;
      parent.append(svgEl("text", { x: inside ? left + 8 : left + w + 6, y: y + 16,
        "font-size": 13, fill: inside ? "#ffffff" : "#1a1a1a",
        "paint-order": "stroke", stroke: inside ? "#000000" : "none", "stroke-width": inside ? 2 : 0,
      }, `${who}: ${label(level, lv)}`));
    }
  }

  function label(level, levels) {
    return level === null || level === undefined ? "ukendt" : (levels[String(level)] || level);
  }

  function shorten(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  /** Horizontal bars for counts: groups [{label, count}]. */
  function barChart(title, groups) {
    const brand = cssVar("--brand", "#00594f");
    const left = 150;
    const plot = 170;
    const right = 40;
    const rowH = 30;
    const height = groups.length * rowH + 12;
    const width = left + plot + right;
    const max = Math.max(1, ...groups.map((g) => g.count));
    const desc = groups.map((g) => `${g.label}: ${g.count}`).join(", ");
    const svg = frame(width, height, title, desc);
    groups.forEach((g, i) => {
      const y = 6 + i * rowH;
      const w = Math.max(2, (plot * g.count) / max);
      svg.append(svgEl("text", { x: left - 8, y: y + 17, "text-anchor": "end", "font-size": 14,
        fill: "#1a1a1a" }, shorten(String(g.label), 19)));
      svg.append(svgEl("rect", { x: left, y, width: w, height: 22, fill: brand }));
      svg.append(svgEl("text", { x: left + w + 6, y: y + 17, "font-size": 14, fill: "#1a1a1a" },
        String(g.count)));
    });
    return svg;
  }

  window.SkolebroCharts = { profileChart, barChart };
})();
