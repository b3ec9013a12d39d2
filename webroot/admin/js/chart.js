// A line chart in SVG, drawn here (no library): one line per node and a thicker one for the cluster, over the last
// 10 minutes, the y axis from 0 to a rounded maximum. The SVG stretches to its box; lines keep their width
// (vector-effect), and the labels are HTML beside it, so nothing is distorted.

import { el } from '/js/dom.js';
import { WINDOW_MS } from './series.js';
import { compact } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 150;

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** 1, 2, 5, 10, 20, 50... the smallest at or above `value` (at least 1). */
export function niceMax(value) {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

export class LineChart {
  /**
   * @param {string} key what the chart shows, a field of the series' points: published, delivered, connections
   * @param {string} title
   * @param {(n: number) => string} format how the newest value is written
   */
  constructor(key, title, format) {
    this.key = key;
    this.format = format;
    this.lines = svg('g', { class: 'lines' });
    const grid = svg('g', { class: 'grid' });
    for (const y of [0, HEIGHT / 2, HEIGHT]) grid.append(svg('line', { x1: 0, x2: WIDTH, y1: y, y2: y }));
    this.plot = svg('svg', {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': title,
    });
    this.plot.append(grid, this.lines);
    this.max = el('span', { class: 'y-label y-max' }, '1');
    this.mid = el('span', { class: 'y-label y-mid' }, '0.5');
    this.latest = el('span', { class: 'chart-latest' }, '–');
    this.legend = el('ul', { class: 'legend' });
    this.element = el('figure', { class: 'chart', dataset: { chart: key } },
      el('figcaption', {}, el('span', { class: 'chart-title' }, title), this.latest),
      el('div', { class: 'plot' }, this.plot, this.max, this.mid),
      el('div', { class: 'x-axis', 'aria-hidden': 'true' }, el('span', {}, '−10 min'), el('span', {}, '−5 min'), el('span', {}, 'now')),
      this.legend);
  }

  /**
   * @param {number} now the right edge, in ms
   * @param {{label: string, hue?: number, total?: boolean, points: object[]}[]} series
   */
  draw(now, series) {
    const start = now - WINDOW_MS;
    let highest = 0;
    for (const { points } of series) {
      for (const point of points) {
        const value = point[this.key];
        if (value !== null && value > highest) highest = value;
      }
    }
    const top = niceMax(highest);
    this.max.textContent = compact(top);
    this.mid.textContent = compact(top / 2);
    const x = (t) => ((t - start) / WINDOW_MS) * WIDTH;
    const y = (v) => HEIGHT - (v / top) * HEIGHT;
    const paths = [];
    const legend = [];
    for (const line of series) {
      const d = pathOf(line.points, this.key, x, y);
      const colour = line.total ? 'var(--accent)' : `hsl(${line.hue} 70% 48%)`;
      const path = svg('path', { d, class: line.total ? 'line line-total' : 'line', 'vector-effect': 'non-scaling-stroke' });
      path.setAttribute('stroke', line.total ? 'currentColor' : colour);
      paths.push(path);
      const swatch = el('span', { class: line.total ? 'swatch swatch-total' : 'swatch' });
      if (!line.total) swatch.style.setProperty('--swatch', colour);
      legend.push(el('li', {}, swatch, line.label));
    }
    this.lines.replaceChildren(...paths);
    this.legend.replaceChildren(...legend);
    const total = series.find((line) => line.total);
    const last = total?.points.findLast((point) => point[this.key] !== null);
    this.latest.textContent = last ? this.format(last[this.key]) : '–';
    this.element.dataset.latest = last ? String(last[this.key]) : '';
  }
}

/** An SVG path through the points; a missing value (a node that did not answer) breaks the line. */
function pathOf(points, key, x, y) {
  let d = '';
  let drawing = false;
  for (const point of points) {
    const value = point[key];
    if (value === null || value === undefined) {
      drawing = false;
      continue;
    }
    d += `${drawing ? 'L' : 'M'}${x(point.t).toFixed(1)} ${y(value).toFixed(1)}`;
    drawing = true;
  }
  return d;
}
