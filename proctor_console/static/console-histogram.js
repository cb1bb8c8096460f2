/* The histogram of total scores in the session heading: candidates who have started,
   in bins 1, 2 or 5 times a power of ten wide, drawn as SVG (redrawn only when a bin
   or the language changed). */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t } = P;

  /** Bins of the total score of every candidate who has started: a width of 1, 2 or 5 times a power of ten. */
  function histogramBins(totals) {
    if (!totals.length) return [];
    // The range always holds 0 and spans at least 10 points, so a few early scores do not fill one wide bar.
    const lo = Math.min(0, Math.floor(Math.min(...totals)));
    const hi = Math.max(lo + 10, Math.ceil(Math.max(...totals)));
    const rough = Math.max(1, (hi - lo) / 10);
    const power = 10 ** Math.floor(Math.log10(rough));
    const width = [1, 2, 5, 10].map((m) => m * power).find((w) => w >= rough);
    const start = Math.floor(lo / width) * width;
    const count = Math.max(1, Math.floor((hi - start) / width) + 1);
    const bins = Array.from({ length: count }, (_, i) => ({ from: start + i * width, to: start + (i + 1) * width, n: 0 }));
    totals.forEach((v) => { bins[Math.min(count - 1, Math.floor((v - start) / width))].n += 1; });
    return bins;
  }

  function renderHistogram(s) {
    const svg = $('histogram');
    const ns = 'http://www.w3.org/2000/svg';
    const totals = [...s.candidates.values()].filter((c) => c.status !== 'not_started')
      .map((c) => Number(c.score && c.score.total)).filter(Number.isFinite);
    const bins = histogramBins(totals);
    const key = JSON.stringify([S.lang, bins]);
    if (svg.dataset.key === key) return;
    svg.dataset.key = key;
    svg.replaceChildren();
    const node = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      Object.entries(attrs).forEach(([k, v]) => n.setAttribute(k, String(v)));
      if (text !== undefined) n.textContent = text;
      svg.appendChild(n);
      return n;
    };
    if (!bins.length) {
      node('text', { x: 160, y: 64, 'text-anchor': 'middle', class: 'hist-empty' }, t('histogram_empty'));
      svg.setAttribute('aria-label', t('histogram_empty'));
      return;
    }
    const most = Math.max(...bins.map((b) => b.n));
    const slot = 320 / bins.length;
    bins.forEach((b, i) => {
      const h = b.n ? Math.max(2, (b.n / most) * 84) : 0;
      const bar = node('rect', { x: i * slot + 1, y: 98 - h, width: Math.max(1, slot - 2), height: h, class: 'hist-bar' });
      bar.dataset.from = b.from;
      bar.dataset.count = b.n;
      bar.appendChild(document.createElementNS(ns, 'title')).textContent = `${P.pointsText(b.from)} – ${P.pointsText(b.to)}: ${b.n}`;
      if (b.n) node('text', { x: i * slot + slot / 2, y: 96 - h, 'text-anchor': 'middle', class: 'hist-count' }, String(b.n));
      // At most six labels: each stays wide enough to read at the console's size.
      if (bins.length <= 6 || i % Math.ceil(bins.length / 6) === 0) {
        node('text', { x: i * slot + slot / 2, y: 116, 'text-anchor': 'middle', class: 'hist-label' }, P.pointsText(b.from));
      }
    });
    svg.setAttribute('aria-label', t('histogram_label', { bins: bins.map((b) => `${P.pointsText(b.from)}: ${b.n}`).join(', ') }));
  }

  P.provide({ renderHistogram });
})();
