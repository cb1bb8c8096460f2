/* The seat grid: one tile per candidate in seat order, made once from the tile template
   and updated in place (status, connection, progress, scores, time left, alert badge). */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, setText, ENDED, STATUSES } = P;

  function seatOrder(a, b) {
    return P.compareValues(a.seat || null, b.seat || null) || P.compareValues(a.participant_number, b.participant_number);
  }

  function renderGrid(s) {
    const grid = $('grid');
    grid.hidden = S.view !== 'grid';
    const sorted = [...s.candidates.values()].sort(seatOrder);
    sorted.forEach((c) => {
      let tile = S.tiles.get(c.attempt_id);
      if (!tile) {
        tile = makeTile(c);
        S.tiles.set(c.attempt_id, tile);
      }
      updateTile(tile, s, c);
    });
    reorder(grid, sorted.map((c) => S.tiles.get(c.attempt_id)));
  }

  function reorder(parent, nodes) {
    const current = [...parent.children];
    if (current.length === nodes.length && current.every((n, i) => n === nodes[i])) return;
    nodes.forEach((n) => parent.appendChild(n));
  }

  function makeTile(c) {
    const tile = $('tile-template').content.firstElementChild.cloneNode(true);
    tile.dataset.attempt = c.attempt_id;
    tile.querySelector('[data-role="badge"]').addEventListener('click', () => seenAlerts(c.attempt_id));
    tile.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
    tile.querySelector('.tile-actions').append(...P.actionButtons(c.attempt_id));
    return tile;
  }

  function seenAlerts(attemptId) {
    const s = S.sessions.get(S.current);
    if (s && s.newAlerts.delete(attemptId)) P.scheduleRender();
  }

  function candidateClasses(s, c) {
    return [`status-${STATUSES.includes(c.status) ? c.status : 'unknown'}`, `is-${P.presence(c)}`,
      s.newAlerts.has(c.attempt_id) ? 'alert-new' : '', c.violations > 0 ? 'has-alerts' : '',
      s.siteState && s.siteState.online === false && c.site === s.siteState.site ? 'site-offline' : ''].filter(Boolean);
  }

  function scoresText(s, c) {
    const sections = (c.score && c.score.sections) || {};
    const parts = P.sectionNames(s).map((name) => `${name} ${P.pointsText(sections[name])}`);
    parts.push(`${t('total')} ${P.pointsText(c.score && c.score.total)}`);
    return parts.join(' · ');
  }

  function answeredText(s, c) {
    const items = P.itemCount(s);
    let text = items ? t('answered_of', { answered: c.answered, items }) : t('answered_only', { answered: c.answered });
    if (c.flagged) text += ` · ${t('flagged', { flagged: c.flagged })}`;
    return text;
  }

  function updateTile(tile, s, c) {
    tile.className = ['tile', ...candidateClasses(s, c)].join(' ');
    tile.dataset.status = c.status;
    tile.dataset.number = c.participant_number;
    tile.dataset.connected = String(Boolean(c.connected));
    tile.hidden = !P.matchesFilters(s, c);
    setText(tile.querySelector('.seat'), c.seat ? t('seat', { seat: c.seat }) : t('no_seat'));
    setText(tile.querySelector('.name'), String(c.name));
    setText(tile.querySelector('.number'), String(c.participant_number));
    const absent = P.presence(c) === 'absent' && c.status === 'not_started';
    setText(tile.querySelector('.status'), absent ? t('not_signed_in') : P.statusText(c.status));
    setText(tile.querySelector('.conn'), P.presenceText(c));
    tile.querySelector('.conn-part').hidden = absent; // "Belum masuk" says it all
    const progress = tile.querySelector('.progress');
    const items = P.itemCount(s);
    progress.hidden = !items;
    if (items) {
      progress.max = items;
      progress.value = Math.min(items, c.answered);
    }
    const answered = tile.querySelector('.answered');
    setText(answered, answeredText(s, c));
    answered.dataset.answered = c.answered;
    setText(tile.querySelector('.scores'), scoresText(s, c));
    const time = tile.querySelector('.time');
    time.dataset.attempt = c.attempt_id;
    setText(time, ENDED.has(c.status) ? '—' : P.clockText(P.remainingNow(c)));
    const badge = tile.querySelector('[data-role="badge"]');
    setText(badge, `⚠ ${c.violations}`);
    badge.setAttribute('aria-label', t('violations', { count: c.violations }));
    badge.dataset.count = c.violations;
    badge.classList.toggle('badge-zero', !(c.violations > 0));
    badge.classList.toggle('badge-new', s.newAlerts.has(c.attempt_id));
    P.updateActionButtons(tile.querySelector('.tile-actions'), c);
  }

  P.provide({ renderGrid, reorder, candidateClasses });
})();
