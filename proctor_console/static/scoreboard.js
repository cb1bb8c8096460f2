/* The public live score board of one session, for a projector in the waiting room.

   Connects to /scoreboard (no sign-in), asks for the session's board (`watch`)
   after every (re)connect and replaces what it shows; `row` events replace one
   candidate's row in between. Points come only with attempts that have ended
   (CONTRACT version 2, section 7): those rows are ranked by total (highest
   first), then participant number, equal totals sharing a rank; rows still
   running follow, unranked, with "—" for points. Every text is written as text.
*/
'use strict';

(() => {
  const I18N = window.PROCTOR_I18N;
  const LANG_KEY = 'proctor.v1.lang';
  const ACK_TIMEOUT_MS = 15000;
  const FLASH_MS = 2500;
  const $ = (id) => document.getElementById(id);

  let savedLang = 'id';
  try {
    savedLang = JSON.parse(localStorage.getItem(LANG_KEY)) || 'id';
  } catch (e) { /* storage disabled */ }

  const S = {
    lang: I18N[savedLang] ? savedLang : 'id',
    sessionId: Number(document.body.dataset.sessionId),
    socket: null,
    info: null,
    rows: new Map(),
    changed: new Map(),   // attempt_id -> time of its last change (for a short highlight)
    state: { key: 'board_connecting', values: null, code: 'connecting' },
    everConnected: false,
    websocketFailures: 0,
    updatedAt: null,
    refused: false,
  };

  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  function t(key, values) {
    const dict = I18N[S.lang] || I18N.id;
    let text = dict[key] !== undefined ? dict[key] : (I18N.id[key] !== undefined ? I18N.id[key] : key);
    if (values) text = text.replace(/\{(\w+)\}/g, (m, name) => (values[name] !== undefined ? String(values[name]) : m));
    return text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setState(key, values, code) {
    S.state = key ? { key, values, code } : null;
    const node = $('board-state');
    node.hidden = !key;
    node.dataset.code = code || '';
    if (key) node.textContent = t(key, values);
  }

  // ------------------------------------------------------------------ ranking

  /** Whether the server sent the row's points: only once its attempt has ended. */
  function hasPoints(row) {
    return row.took_part !== false && row.total !== null && row.total !== undefined;
  }

  function byNumber(a, b) {
    return collator.compare(String(a.participant_number), String(b.participant_number));
  }

  /** Rows with points ranked by total (highest first), then participant number, equal totals sharing a rank;
      then the rows without points, by participant number and with no rank. */
  function ranked() {
    const scored = [...S.rows.values()].filter(hasPoints)
      .sort((a, b) => (Number(b.total) - Number(a.total)) || byNumber(a, b));
    const running = [...S.rows.values()].filter((row) => !hasPoints(row)).sort(byNumber);
    let rank = 0;
    let previous = null;
    return scored.map((row, i) => {
      if (previous === null || Number(row.total) !== previous) rank = i + 1;
      previous = Number(row.total);
      return { row, rank };
    }).concat(running.map((row) => ({ row, rank: null })));
  }

  // ------------------------------------------------------------------ rendering

  function sections() {
    return (S.info && Array.isArray(S.info.sections)) ? S.info.sections.map((s) => (typeof s === 'string' ? s : s.name)) : [];
  }

  function renderHead() {
    const head = $('board-head-row');
    head.replaceChildren();
    const cells = [
      ['rank', t('board_rank')], ['number', t('col_number')], ['name', t('col_name')], ['status', t('col_status')],
      ['answered', t('col_answered')], ...sections().map((name) => ['section', name]), ['total', t('col_total')],
    ];
    cells.forEach(([key, label]) => {
      const th = el('th', ['rank', 'answered', 'section', 'total'].includes(key) ? 'num' : '', label);
      th.scope = 'col';
      head.appendChild(th);
    });
  }

  function statusText(status) {
    const key = `status_${status}`;
    return (I18N[S.lang] || I18N.id)[key] !== undefined ? t(key) : String(status);
  }

  function render() {
    document.documentElement.lang = S.lang;
    document.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
    $('lang-btn').textContent = t('switch_language');
    $('lang-btn').lang = S.lang === 'id' ? 'en' : 'id';
    document.title = S.info ? `${t('board_title')} — ${S.info.name}` : t('board_title');
    if (S.state) setState(S.state.key, S.state.values, S.state.code);
    if (!S.info || S.refused) {
      $('board').hidden = true;
      $('board-empty').hidden = true;
      $('board-note').hidden = true;
      return;
    }
    $('board-subtitle').textContent = [S.info.exam_title, S.info.name].filter(Boolean).join(' — ');
    $('board-updated').textContent = S.updatedAt ? t('board_updated', { time: timeOfDay(S.updatedAt) }) : '';
    renderHead();
    const items = typeof S.info.items === 'number' ? S.info.items : null;
    const now = Date.now();
    const body = $('board-rows');
    body.replaceChildren(...ranked().map(({ row, rank }) => {
      const tr = el('tr', `status-${row.status}`);
      tr.dataset.attempt = row.attempt_id;
      tr.dataset.number = row.participant_number;
      if (now - (S.changed.get(row.attempt_id) || 0) < FLASH_MS) tr.classList.add('changed');
      tr.appendChild(el('td', 'num rank', rank === null ? '—' : String(rank)));
      tr.appendChild(el('td', 'mono', String(row.participant_number)));
      tr.appendChild(el('td', 'name', String(row.name)));
      tr.appendChild(el('td', 'status', row.took_part === false ? t('not_signed_in') : statusText(row.status)));
      const answered = el('td', 'num answered', items ? `${row.answered}/${items}` : String(row.answered));
      answered.dataset.answered = row.answered;
      tr.appendChild(answered);
      sections().forEach((name) => tr.appendChild(el('td', 'num', pointsText((row.sections || {})[name]))));
      const total = el('td', 'num total', hasPoints(row) ? pointsText(row.total) : '—');
      if (!hasPoints(row)) total.title = t('board_points_later');
      tr.appendChild(total);
      return tr;
    }));
    $('board').hidden = S.rows.size === 0;
    $('board-empty').hidden = S.rows.size !== 0;
    $('board-note').hidden = S.rows.size === 0;
  }

  /** Points as the server formats them ("16.50"), with a decimal comma in Indonesian. */
  function pointsText(value) {
    if (value === null || value === undefined || value === '') return '—';
    const text = String(value);
    return S.lang === 'id' && /^-?\d+\.\d+$/.test(text) ? text.replace('.', ',') : text;
  }

  function timeOfDay(epochMs) {
    return new Date(epochMs).toLocaleTimeString(S.lang === 'id' ? 'id-ID' : 'en-GB', { hour12: false });
  }

  // ------------------------------------------------------------------ socket

  function watch() {
    S.socket.timeout(ACK_TIMEOUT_MS).emit('watch', { session_id: S.sessionId }, (error, ack) => {
      if (error) {
        setState('board_lost', null, 'timeout');
        return;
      }
      if (!ack || ack.ok !== true) {
        const code = ack && ack.error ? ack.error.code : 'error';
        S.refused = true;
        S.info = null;
        S.rows.clear();
        if (code === 'not_public') setState('board_not_public', null, code);
        else if (code === 'not_found') setState('board_not_found', null, code);
        else setState('board_error', { message: (ack && ack.error && ack.error.message) || code }, code);
        render();
        if (code === 'not_public' || code === 'not_found') S.socket.disconnect(); // nothing will come: stop trying
        return;
      }
      S.refused = false;
      S.info = ack.session;
      S.rows = new Map((ack.rows || []).map((row) => [row.attempt_id, row]));
      S.updatedAt = Date.now();
      setState(null);
      render();
    });
  }

  function connect() {
    if (!Number.isInteger(S.sessionId) || S.sessionId < 1) {
      setState('board_not_found', null, 'not_found');
      return;
    }
    const socket = window.io('/scoreboard', {
      transports: ['websocket'], reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
    });
    S.socket = socket;
    socket.on('connect', () => {
      S.everConnected = true;
      watch();
    });
    socket.on('disconnect', () => {
      if (!S.refused) setState('board_lost', null, 'lost');
    });
    socket.on('connect_error', () => {
      if (!S.everConnected) {
        S.websocketFailures += 1;
        if (S.websocketFailures >= 2) socket.io.opts.transports = ['polling', 'websocket'];
      }
      setState(S.everConnected ? 'board_lost' : 'board_connecting', null, S.everConnected ? 'lost' : 'connecting');
    });
    socket.on('row', (row) => {
      if (!S.info || !row || typeof row.attempt_id !== 'number') return;
      S.rows.set(row.attempt_id, row);
      S.changed.set(row.attempt_id, Date.now());
      S.updatedAt = Date.now();
      scheduleRender();
    });
  }

  let queued = false;
  function scheduleRender() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(() => {
      queued = false;
      render();
    });
  }

  $('lang-btn').addEventListener('click', () => {
    S.lang = S.lang === 'id' ? 'en' : 'id';
    try {
      localStorage.setItem(LANG_KEY, JSON.stringify(S.lang));
    } catch (e) { /* storage disabled */ }
    render();
  });
  // Highlights fade: redraw now and then while some row is highlighted.
  window.setInterval(() => {
    const now = Date.now();
    if ([...S.changed.values()].some((at) => now - at < FLASH_MS + 1000)) render();
  }, 1000);

  render();
  connect();
})();
