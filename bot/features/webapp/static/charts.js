// Charts of the Mini App as SVG drawn here from the API's numbers (no chart library): a line (or bars) per
// series over the months and, under it, the like-for-like change against the month before as bars
// around zero (green up, red down).
"use strict";

const svgEl = (tag, attrs = {}, title = null) => {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (title !== null) {
    const tip = document.createElementNS("http://www.w3.org/2000/svg", "title");
    tip.textContent = title;
    node.append(tip);
  }
  return node;
};
const svgText = (x, y, anchor, text) => {
  const node = svgEl("text", {x, y, "text-anchor": anchor});
  node.textContent = text;
  return node;
};

const shortMonth = (month) => month.slice(5) + "." + month.slice(2, 4);
const palette = ["#3d7ab8", "#3f9d4b", "#d99a1e", "#b04fb0", "#d0493b", "#2aa5a0"];

function chart(series, labels, {bars = false, changes = null} = {}) {
  // series: [{values: [n…], color}] over the months `labels`; changes: [percent or null] per month.
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const changeMax = changes ? Math.max(1, ...changes.filter((v) => v !== null).map(Math.abs)) : 0;
  const left = 10 + 6 * Math.max(max.toLocaleString().length, changes ? `±${changeMax}%`.length : 0);
  const width = 320, top = 8, plot = 94, axis = 18, strip = changes ? 44 : 0;
  const height = top + plot + axis + strip;
  const step = (width - left - 6) / Math.max(1, labels.length - (bars ? 0 : 1));
  const x = (i) => left + (bars ? step * (i + 0.5) : step * i);
  const y = (v) => top + plot * (1 - v / max);
  const svg = svgEl("svg", {viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img"});
  for (const v of [0, max]) {
    svg.append(svgEl("line", {x1: left, x2: width - 4, y1: y(v), y2: y(v), class: "grid-line"}));
    svg.append(svgText(left - 4, y(v) + 3, "end", v.toLocaleString()));
  }
  labels.forEach((month, i) => {  // every other month, counted from the last
    const last = i === labels.length - 1 && !bars;  // the last point is at the right edge
    if ((labels.length - 1 - i) % 2 === 0) svg.append(svgText(x(i) + (last ? 4 : 0), top + plot + 14, last ? "end" : "middle",
      shortMonth(month)));
  });
  series.forEach((s, n) => {
    const color = s.color || palette[n % palette.length];
    if (bars) {
      const w = Math.max(2, step * 0.7 / series.length);
      s.values.forEach((v, i) => svg.append(svgEl("rect", {x: x(i) - step * 0.35 + n * w, y: y(v), width: w,
        height: Math.max(0, y(0) - y(v)), fill: color}, `${shortMonth(labels[i])}: ${v.toLocaleString()}`)));
      return;
    }
    svg.append(svgEl("polyline", {points: s.values.map((v, i) => `${x(i)},${y(v)}`).join(" "), class: "line", stroke: color}));
    s.values.forEach((v, i) => svg.append(svgEl("circle", {cx: x(i), cy: y(v), r: 2.5, fill: color},
      `${shortMonth(labels[i])}: ${v.toLocaleString()}`)));
  });
  if (changes) {
    const mid = top + plot + axis + strip / 2, half = strip / 2 - 4;
    svg.append(svgEl("line", {x1: left, x2: width - 4, y1: mid, y2: mid, class: "grid-line"}));
    svg.append(svgText(left - 4, mid - half + 8, "end", `±${changeMax}%`));
    const w = Math.max(2, Math.min(14, step * 0.6));
    changes.forEach((v, i) => {
      if (v === null) return;
      const h = Math.max(1, half * Math.abs(v) / changeMax);
      svg.append(svgEl("rect", {x: x(i) - w / 2, width: w, y: v >= 0 ? mid - h : mid, height: h, class: v >= 0 ? "up" : "down"},
        `${shortMonth(labels[i])}: ${v > 0 ? "+" : ""}${v}%`));
    });
  }
  return svg;
}
