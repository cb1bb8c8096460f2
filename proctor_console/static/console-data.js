/* What the console holds of each watched session: replaced whole by a snapshot, one
   candidate at a time by `candidate` events, and the questions asked of it (time left
   now, section names, the filters, the sort order of values). */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { S } = P;

  function ensureSession(id) {
    let s = S.sessions.get(id);
    if (!s) {
      s = { info: { session_id: id, name: `#${id}` }, candidates: new Map(), feed: [], newAlerts: new Set(), unseen: 0,
        stale: true };
      S.sessions.set(id, s);
    }
    return s;
  }

  function applySnapshot(ack) {
    const id = ack.session.session_id;
    const s = ensureSession(id);
    const received = performance.now();
    s.info = ack.session;
    s.stale = false;
    s.candidates = new Map();
    (ack.candidates || []).forEach((c) => s.candidates.set(c.attempt_id, { ...c, receivedAt: received }));
    s.siteState = ack.site && typeof ack.site.site === 'string' ? { ...ack.site } : null; // a site's session at a hub
    if (S.renderedSession === id) S.renderedSession = null; // rebuild: candidates may have come or gone
    P.scheduleRender();
  }

  function sessionOfAttempt(attemptId) {
    for (const [id, s] of S.sessions) {
      if (s.candidates.has(attemptId)) return id;
    }
    return null;
  }

  function onCandidate(candidate) {
    if (!candidate || typeof candidate.attempt_id !== 'number') return;
    const id = typeof candidate.session_id === 'number' ? candidate.session_id : sessionOfAttempt(candidate.attempt_id);
    const s = S.sessions.get(id);
    if (!s) return;
    const known = s.candidates.has(candidate.attempt_id);
    s.candidates.set(candidate.attempt_id, { ...candidate, receivedAt: performance.now() });
    if (!known && S.renderedSession === id) S.renderedSession = null;
    P.scheduleRender();
  }

  // Server event `site` (hub only): a watched session's site went on or off line.
  function onSite(data) {
    if (!data || typeof data.site !== 'string') return;
    S.sessions.forEach((s) => {
      if ([...s.candidates.values()].some((c) => c.site === data.site)) s.siteState = { ...data };
    });
    P.scheduleRender();
  }

  /** "14:02": an ISO time as the office's hour and minute (the office's zone, not the browser's). */
  function clockTime(iso) {
    const when = iso ? new Date(iso) : null;
    if (!when || Number.isNaN(when.getTime())) return '—';
    const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false,
      timeZone: P.officeZone().tz }).formatToParts(when);
    const part = (type) => (parts.find((x) => x.type === type) || {}).value || '00';
    return `${part('hour') === '24' ? '00' : part('hour')}:${part('minute')}`;
  }

  /** A site's candidate not connected at a hub: "terakhir terdengar 14:02" (when the kiosk or its site was last heard). */
  function presenceText(c) {
    if (!c.connected && c.site && c.last_heard) return P.t('last_heard', { time: clockTime(c.last_heard) });
    return P.t(presence(c));
  }

  function remainingNow(c) {
    if (typeof c.remaining_ms !== 'number') return null;
    if (c.status !== 'in_progress') return c.remaining_ms;
    return Math.max(0, c.remaining_ms - (performance.now() - c.receivedAt));
  }

  function sectionNames(s) {
    if (s.info && Array.isArray(s.info.sections)) {
      return s.info.sections.map((x) => (typeof x === 'string' ? x : x.name));
    }
    const names = [];
    s.candidates.forEach((c) => {
      Object.keys((c.score && c.score.sections) || {}).forEach((name) => {
        if (!names.includes(name)) names.push(name);
      });
    });
    return names;
  }

  function itemCount(s) {
    const items = s.info && s.info.items;
    return typeof items === 'number' && items > 0 ? items : null;
  }

  /** 'connected', 'disconnected' (was in, dropped) or 'absent' (never came in: neutral, not an alarm). */
  function presence(c) {
    if (c.connected) return 'connected';
    return c.ever_connected === false ? 'absent' : 'disconnected';
  }

  /** Points as the server formats them ("16.50"), with a decimal comma in Indonesian. */
  function pointsText(value) {
    if (value === null || value === undefined || value === '') return '—';
    const text = String(value);
    return S.lang === 'id' && /^-?\d+\.\d+$/.test(text) ? text.replace('.', ',') : text;
  }

  function matchesFilters(s, c) {
    if (S.filters.disconnected && presence(c) !== 'disconnected') return false;
    if (S.filters.alerts && !(c.violations > 0 || s.newAlerts.has(c.attempt_id))) return false;
    if (S.filters.not_started && c.status !== 'not_started') return false;
    return true;
  }

  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  function compareValues(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return collator.compare(String(a), String(b));
  }

  P.provide({
    ensureSession, applySnapshot, sessionOfAttempt, onCandidate, onSite, clockTime, presenceText, remainingNow, sectionNames, itemCount, matchesFilters,
    compareValues, presence, pointsText,
  });
})();
