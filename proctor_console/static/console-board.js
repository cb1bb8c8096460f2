/* The console screen as a whole: one redraw per animation frame, the session tabs,
   the session's heading and counts, switching and closing sessions, the grid/table view,
   and the countdowns between updates. The histogram, the tiles and the table draw
   their own parts. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, el, ENDED } = P;

  function scheduleRender() {
    if (S.renderQueued) return;
    S.renderQueued = true;
    window.requestAnimationFrame(() => {
      S.renderQueued = false;
      render();
    });
  }

  function render() {
    renderTabs();
    const s = S.sessions.get(S.current);
    if (S.screen !== 'console' || !s) return;
    if (S.renderedSession !== S.current) rebuild(s);
    $('session-name').textContent = [String(s.info.name || ''),
      s.info.hall ? t('hall', { hall: s.info.hall }) : ''].filter(Boolean).join(' · ');
    $('session-exam').textContent = [s.info.exam_code, s.info.exam_title].filter(Boolean).join(' — ');
    $('session-token').textContent = String(s.info.token || '');
    $('session-status').textContent = s.info.status === 'open' ? t('session_open')
      : (s.info.status === 'closed' ? t('session_closed') : String(s.info.status || ''));
    renderSite(s);
    document.body.classList.toggle('stale', Boolean(s.stale));
    renderCounts(s);
    P.renderHistogram(s);
    P.renderGrid(s);
    P.renderTable(s);
    const shown = [...s.candidates.values()].filter((c) => P.matchesFilters(s, c)).length;
    $('shown-count').textContent = t('shown_count', { shown, total: s.candidates.size });
    $('empty-note').hidden = shown !== 0 || s.candidates.size === 0;
  }

  // A site's session seen at the hub: the site's link state, and when it was last heard from while off line.
  function renderSite(s) {
    const box = $('session-site');
    const site = s.siteState ? s.siteState.site : ([...s.candidates.values()].find((c) => c.site) || {}).site;
    box.hidden = !site;
    if (!site) return;
    const off = Boolean(s.siteState && s.siteState.online === false);
    box.classList.toggle('off', off);
    box.textContent = off ? t('site_offline', { site, time: P.clockTime(s.siteState.last_seen) })
      : t('site_online', { site });
  }

  function rebuild(s) {
    S.tiles.clear();
    S.rows.clear();
    $('grid').replaceChildren();
    $('table-body').replaceChildren();
    P.renderTableHead(s);
    $('feed').replaceChildren(...s.feed.map(P.feedItem));
    S.renderedSession = S.current;
  }

  function renderTabs() {
    const tabs = $('tabs');
    // Rebuilt only when something on it changed, so a click on a tab is never lost to a redraw.
    const key = JSON.stringify([S.lang, S.current, S.order.map((id) => {
      const s = S.sessions.get(id);
      return [id, s ? s.info.name : '', s ? s.unseen : 0];
    })]);
    if (tabs.dataset.key === key) return;
    tabs.dataset.key = key;
    tabs.replaceChildren();
    S.order.forEach((id) => {
      const s = S.sessions.get(id);
      const name = s ? String(s.info.name || `#${id}`) : `#${id}`;
      const tab = el('button', {
        className: 'tab', attrs: { type: 'button', 'aria-current': String(id === S.current) },
        data: { sessionId: id },
      }, [el('span', { className: 'tab-name', text: name })]);
      if (s && s.unseen > 0) tab.appendChild(el('span', { className: 'tab-alerts', text: String(s.unseen) }));
      tab.addEventListener('click', () => switchTo(id));
      const close = el('button', {
        className: 'tab-close', text: '×', attrs: { type: 'button', 'aria-label': t('close_tab', { name }) },
        data: { sessionId: id },
      });
      close.addEventListener('click', () => closeSession(id));
      tabs.appendChild(el('div', { className: 'tab-wrap' }, [tab, close]));
    });
  }

  function switchTo(id) {
    if (!S.order.includes(id)) return;
    S.current = id;
    const s = S.sessions.get(id);
    if (s) s.unseen = 0;
    P.saveWatching();
    scheduleRender();
  }

  function closeSession(id) {
    S.order = S.order.filter((x) => x !== id);
    S.sessions.delete(id);
    if (S.current === id) S.current = S.order.length ? S.order[0] : null;
    S.renderedSession = null;
    P.saveWatching();
    if (S.current === null) P.openPicker();
    else scheduleRender();
  }

  function renderCounts(s) {
    const counts = { connected: 0, in_progress: 0, paused: 0, finished: 0, not_started: 0 };
    s.candidates.forEach((c) => {
      if (c.connected) counts.connected += 1;
      if (c.status === 'in_progress') counts.in_progress += 1;
      else if (c.status === 'paused') counts.paused += 1;
      else if (ENDED.has(c.status)) counts.finished += 1;
      else if (c.status === 'not_started') counts.not_started += 1;
    });
    $('count-connected').textContent = String(counts.connected);
    $('count-in-progress').textContent = String(counts.in_progress);
    $('count-paused').textContent = String(counts.paused);
    $('count-finished').textContent = String(counts.finished);
    $('count-not-started').textContent = String(counts.not_started);
  }

  function setView(view) {
    S.view = view;
    $('view-grid').setAttribute('aria-pressed', String(view === 'grid'));
    $('view-table').setAttribute('aria-pressed', String(view === 'table'));
    render();
  }

  // --- countdowns between updates

  function tick() {
    const s = S.sessions.get(S.current);
    if (!s || S.screen !== 'console') return;
    s.candidates.forEach((c) => {
      if (c.status !== 'in_progress') return;
      const text = P.clockText(P.remainingNow(c));
      const tile = S.tiles.get(c.attempt_id);
      if (tile) P.setText(tile.querySelector('.time'), text);
      const row = S.rows.get(c.attempt_id);
      const cell = row && row.querySelector('td[data-key="remaining"]');
      if (cell) P.setText(cell, text);
    });
  }

  P.provide({ scheduleRender, render, switchTo, closeSession, setView, tick });
})();
