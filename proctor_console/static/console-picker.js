/* The session picker: the sessions assigned to this proctor (or a session id typed in),
   and adding one to the watched tabs once its first snapshot has arrived. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, el, WATCH_KEY } = P;

  function openPicker() {
    P.show('picker');
    P.showError($('picker-error'), '');
    $('picker-back').hidden = S.order.length === 0;
    loadSessions();
  }

  async function loadSessions() {
    const list = $('session-list');
    $('picker-loading').hidden = false;
    let result;
    try {
      result = await P.api('GET', '/api/v1/sessions');
    } catch (e) {
      $('picker-loading').hidden = true;
      list.hidden = true;
      return; // offline: the session-id field still works once the link is back
    }
    $('picker-loading').hidden = true;
    if (result.response.status === 401) {
      P.logout(t('err_unauthorized'));
      return;
    }
    if (!result.response.ok || !result.body || !Array.isArray(result.body.sessions)) {
      list.hidden = true; // no session list on this server: the session-id field is the way in
      $('session-list-empty').hidden = true;
      return;
    }
    // Newest first, whatever order the server keeps: today's sitting is the one looked for.
    const sessions = [...result.body.sessions].sort((a, b) => (Number(b.created_at) || 0) - (Number(a.created_at) || 0)
      || b.session_id - a.session_id);
    renderSessionList(sessions, Array.isArray(result.body.sites) ? result.body.sites : null);
  }

  /** At a hub: the sessions grouped under their sites (each with its link state), the hub's own last. */
  function renderSessionList(sessions, sites) {
    const rows = $('session-rows');
    rows.replaceChildren();
    if (!sites || sites.length === 0) {
      sessions.forEach((s) => rows.appendChild(sessionRow(s)));
    } else {
      sites.forEach((site) => {
        rows.appendChild(siteRow(site));
        sessions.filter((s) => s.site === site.site).forEach((s) => rows.appendChild(sessionRow(s)));
      });
      const own = sessions.filter((s) => !s.site);
      if (own.length) {
        rows.appendChild(el('tr', { className: 'site-row' }, [el('th', { attrs: { colspan: '7' }, text: t('hub_sessions') })]));
        own.forEach((s) => rows.appendChild(sessionRow(s)));
      }
    }
    $('session-list').hidden = sessions.length === 0 && !(sites && sites.length);
    $('session-list-empty').hidden = sessions.length !== 0;
  }

  function siteRow(site) {
    const state = site.online ? t('site_daring') : t('site_luring', { time: P.clockTime(site.last_seen) });
    const text = [t('site_heading', { site: String(site.site), name: String(site.name || '') }), state,
      t('site_backlog', { backlog: Number(site.backlog) || 0 })].join(' · ');
    return el('tr', { className: `site-row ${site.online ? 'site-on' : 'site-off'}`, data: { site: String(site.site) } },
      [el('th', { attrs: { colspan: '7' }, text })]);
  }

  function sessionRow(s) {
    const watching = S.order.includes(s.session_id);
    const button = el('button', {
      className: watching ? 'tool' : 'primary', text: watching ? t('watching') : t('watch_button'),
      attrs: { type: 'button' }, data: { sessionId: s.session_id },
    });
    button.addEventListener('click', () => watchSession(s.session_id));
    const status = s.status === 'open' ? t('session_open') : (s.status === 'closed' ? t('session_closed') : String(s.status));
    return el('tr', { data: { sessionId: s.session_id } }, [
      el('td', { className: 'mono', text: String(s.session_id) }),
      el('td', { text: [String(s.name || ''), s.hall ? t('hall', { hall: s.hall }) : ''].filter(Boolean).join(' · ') }),
      el('td', { text: [s.exam_code, s.exam_title].filter(Boolean).join(' — ') }),
      el('td', { text: openedText(s.created_at) }),
      el('td', { text: status }),
      el('td', { className: 'num', text: String(s.candidates === undefined ? '' : s.candidates) }),
      el('td', {}, [button]),
    ]);
  }

  function openedText(epochMs) {
    if (!Number.isFinite(Number(epochMs)) || !epochMs) return '—';
    return P.dateTimeText(Number(epochMs));
  }

  function onSessionForm(event) {
    event.preventDefault();
    const id = Number($('session-id').value);
    if (!Number.isInteger(id) || id < 1) {
      P.showError($('picker-error'), t('session_id_invalid'), 'invalid');
      return;
    }
    watchSession(id);
  }

  function watchSession(id) {
    if (S.order.includes(id)) {
      P.switchTo(id);
      P.show('console');
      return;
    }
    P.showError($('picker-error'), '');
    P.requestSnapshot(id, (ack) => {
      if (!S.order.includes(id)) S.order.push(id);
      S.current = id;
      saveWatching();
      P.addFeed(id, 'note', t('feed_watch', { name: ack.session.name }));
      P.show('console');
      P.scheduleRender();
    }, (code, message) => {
      P.showError($('picker-error'), message, code);
    });
  }

  function saveWatching() {
    P.writeJson(sessionStorage, WATCH_KEY, { order: S.order, current: S.current });
  }

  P.provide({ openPicker, loadSessions, onSessionForm, saveWatching });
})();
