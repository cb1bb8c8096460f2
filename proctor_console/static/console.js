/* The proctor's web console: sign in, pick sessions, watch the hall live, steer attempts.

   The server is the truth. After every (re)connect the console asks for a full
   snapshot of each watched session (`watch`) and replaces what it holds; the
   `candidate` events in between replace one candidate each. Nothing is ever
   patched together from messages that might have been missed.

   sessionStorage (gone when the tab closes):
     proctor.v1.auth       {token, role, username}
     proctor.v1.watching   {order: [session_id], current: session_id}
   localStorage:
     proctor.v1.lang       chosen language

   Every text that comes from the server or a person (names, seats, announcement
   texts, error messages) is written with textContent, never as HTML.
*/
'use strict';

(() => {
  const I18N = window.PROCTOR_I18N;
  const AUTH_KEY = 'proctor.v1.auth';
  const WATCH_KEY = 'proctor.v1.watching';
  const LANG_KEY = 'proctor.v1.lang';
  const ACK_TIMEOUT_MS = 15000;
  const FEED_LIMIT = 200;
  const WEBSOCKET_TRIES = 2;
  const ENDED = new Set(['submitted', 'timed_out', 'ended_by_proctor']);
  const STATUSES = ['not_started', 'in_progress', 'paused', 'submitted', 'timed_out', 'ended_by_proctor'];
  const ACTION_EVENTS = { pause: 'pause', resume: 'resume', extend: 'extend', end: 'end_attempt', reset: 'reset_login',
    announce: 'announce' };

  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ storage

  function readJson(storage, key, fallback) {
    try {
      const raw = storage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function writeJson(storage, key, value) {
    try {
      if (value === null) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage disabled: memory still holds it */ }
  }

  // ------------------------------------------------------------------ state

  const savedLang = readJson(localStorage, LANG_KEY, 'id');
  const savedWatch = readJson(sessionStorage, WATCH_KEY, { order: [], current: null });

  const S = {
    lang: I18N[savedLang] ? savedLang : 'id',
    auth: readJson(sessionStorage, AUTH_KEY, null),
    socket: null,
    connected: false,
    everConnected: false,
    websocketFailures: 0,
    polling: false,
    sessions: new Map(),   // session_id -> {info, candidates: Map, feed: [], newAlerts: Set, unseen, stale}
    order: Array.isArray(savedWatch.order) ? savedWatch.order.filter(Number.isInteger) : [],
    current: Number.isInteger(savedWatch.current) ? savedWatch.current : null,
    view: 'grid',
    sort: { key: 'participant_number', dir: 1 },
    filters: { disconnected: false, alerts: false, not_started: false },
    tiles: new Map(),      // attempt_id -> tile element (current session)
    rows: new Map(),       // attempt_id -> table row (current session)
    renderedSession: null,
    renderQueued: false,
    dialog: null,
    screen: null,
  };

  // ------------------------------------------------------------------ text

  function t(key, values) {
    const dict = I18N[S.lang] || I18N.id;
    let text = dict[key] !== undefined ? dict[key] : (I18N.id[key] !== undefined ? I18N.id[key] : key);
    if (values) {
      text = text.replace(/\{(\w+)\}/g, (m, name) => (values[name] !== undefined ? String(values[name]) : m));
    }
    return text;
  }

  function has(key) {
    return (I18N[S.lang] || I18N.id)[key] !== undefined;
  }

  function statusText(status) {
    return has(`status_${status}`) ? t(`status_${status}`) : String(status);
  }

  function alertText(type) {
    return has(`alert_${type}`) ? t(`alert_${type}`) : String(type);
  }

  function clockText(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  }

  function timeOfDay(epochMs) {
    const locale = S.lang === 'id' ? 'id-ID' : 'en-GB';
    return new Date(epochMs).toLocaleTimeString(locale, { hour12: false });
  }

  /** A new element; every text goes in as text. */
  function el(tag, options, children) {
    const node = document.createElement(tag);
    const o = options || {};
    if (o.className) node.className = o.className;
    if (o.text !== undefined) node.textContent = o.text;
    if (o.attrs) Object.entries(o.attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (o.data) Object.entries(o.data).forEach(([k, v]) => { node.dataset[k] = v; });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function applyLanguage() {
    document.documentElement.lang = S.lang;
    document.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
    $('lang-btn').textContent = t('switch_language');
    $('lang-btn').lang = S.lang === 'id' ? 'en' : 'id';
    document.title = t('app_title');
    showWho();
    setConnectionState();
    if (S.screen === 'picker') loadSessions();
    S.renderedSession = null; // rebuild tiles and rows with the new labels
    scheduleRender();
  }

  // ------------------------------------------------------------------ screens

  function show(screen) {
    S.screen = screen;
    ['login', 'picker', 'console'].forEach((name) => { $(`screen-${name}`).hidden = name !== screen; });
    $('logout-btn').hidden = screen === 'login';
  }

  function showWho() {
    const who = $('who');
    if (!S.auth) {
      who.hidden = true;
      return;
    }
    who.textContent = t('signed_in_as', { user: S.auth.username || '', role: t(`role_${S.auth.role}`) });
    who.hidden = false;
  }

  function showError(node, text, code) {
    node.textContent = text;
    node.dataset.code = code || '';
    node.hidden = !text;
  }

  // ------------------------------------------------------------------ sign in

  async function onLogin(event) {
    event.preventDefault();
    const username = $('username').value.trim();
    const password = $('password').value;
    if (!username || !password) {
      showError($('login-error'), t('login_missing'), 'missing');
      return;
    }
    const button = $('login-submit');
    button.disabled = true;
    button.textContent = t('login_busy');
    try {
      const { response, body } = await api('POST', '/api/v1/staff/login', { username, password }, false);
      if (!response.ok || !body || !body.token) {
        const code = body && body.error ? body.error.code : '';
        const text = has(`err_${code}`) ? t(`err_${code}`) : ((body && body.error && body.error.message) || t('err_server'));
        showError($('login-error'), text, code || 'server');
        return;
      }
      showError($('login-error'), '');
      $('password').value = '';
      S.auth = { token: body.token, role: body.role, username };
      writeJson(sessionStorage, AUTH_KEY, S.auth);
      startConsole();
    } catch (e) {
      showError($('login-error'), t('err_network'), 'network');
    } finally {
      button.disabled = false;
      button.textContent = t('login_button');
    }
  }

  async function api(method, url, body, authorised = true) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authorised && S.auth) headers.Authorization = `Bearer ${S.auth.token}`;
    const response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
      credentials: 'same-origin',
    });
    let parsed = null;
    try {
      parsed = await response.json();
    } catch (e) { /* not JSON: the status says enough */ }
    return { response, body: parsed };
  }

  function startConsole() {
    showWho();
    connect();
    if (S.order.length) {
      if (!S.order.includes(S.current)) S.current = S.order[0];
      S.order.forEach((id) => ensureSession(id));
      show('console');
      scheduleRender();
    } else {
      openPicker();
    }
  }

  function logout(message) {
    if (S.socket) {
      S.socket.removeAllListeners();
      S.socket.disconnect();
      S.socket = null;
    }
    S.connected = false;
    S.everConnected = false;
    S.auth = null;
    S.sessions.clear();
    S.order = [];
    S.current = null;
    S.renderedSession = null;
    writeJson(sessionStorage, AUTH_KEY, null);
    writeJson(sessionStorage, WATCH_KEY, null);
    showWho();
    setConnectionState();
    show('login');
    showError($('login-error'), message || '', message ? 'unauthorized' : '');
    $('username').focus();
  }

  // ------------------------------------------------------------------ session picker

  function openPicker() {
    show('picker');
    showError($('picker-error'), '');
    $('picker-back').hidden = S.order.length === 0;
    loadSessions();
  }

  async function loadSessions() {
    const list = $('session-list');
    $('picker-loading').hidden = false;
    let result;
    try {
      result = await api('GET', '/api/v1/sessions');
    } catch (e) {
      $('picker-loading').hidden = true;
      list.hidden = true;
      return; // offline: the session-id field still works once the link is back
    }
    $('picker-loading').hidden = true;
    if (result.response.status === 401) {
      logout(t('err_unauthorized'));
      return;
    }
    if (!result.response.ok || !result.body || !Array.isArray(result.body.sessions)) {
      list.hidden = true; // no session list on this server: the session-id field is the way in
      $('session-list-empty').hidden = true;
      return;
    }
    renderSessionList(result.body.sessions);
  }

  function renderSessionList(sessions) {
    const rows = $('session-rows');
    rows.replaceChildren();
    sessions.forEach((s) => {
      const watching = S.order.includes(s.session_id);
      const button = el('button', {
        className: watching ? 'tool' : 'primary', text: watching ? t('watching') : t('watch_button'),
        attrs: { type: 'button' }, data: { sessionId: s.session_id },
      });
      button.addEventListener('click', () => watchSession(s.session_id));
      const status = s.status === 'open' ? t('session_open') : (s.status === 'closed' ? t('session_closed') : String(s.status));
      rows.appendChild(el('tr', { data: { sessionId: s.session_id } }, [
        el('td', { className: 'mono', text: String(s.session_id) }),
        el('td', { text: String(s.name || '') }),
        el('td', { text: String(s.exam_code || '') }),
        el('td', { text: status }),
        el('td', { className: 'num', text: String(s.candidates === undefined ? '' : s.candidates) }),
        el('td', {}, [button]),
      ]));
    });
    $('session-list').hidden = sessions.length === 0;
    $('session-list-empty').hidden = sessions.length !== 0;
  }

  function onSessionForm(event) {
    event.preventDefault();
    const id = Number($('session-id').value);
    if (!Number.isInteger(id) || id < 1) {
      showError($('picker-error'), t('session_id_invalid'), 'invalid');
      return;
    }
    watchSession(id);
  }

  function watchSession(id) {
    if (S.order.includes(id)) {
      switchTo(id);
      show('console');
      return;
    }
    showError($('picker-error'), '');
    requestSnapshot(id, (ack) => {
      if (!S.order.includes(id)) S.order.push(id);
      S.current = id;
      saveWatching();
      addFeed(id, 'note', t('feed_watch', { name: ack.session.name }));
      show('console');
      scheduleRender();
    }, (code, message) => {
      showError($('picker-error'), message, code);
    });
  }

  function saveWatching() {
    writeJson(sessionStorage, WATCH_KEY, { order: S.order, current: S.current });
  }

  // ------------------------------------------------------------------ socket

  function connect() {
    if (S.socket || !S.auth) return;
    const socket = window.io('/proctor', {
      auth: { token: S.auth.token },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 20000,
    });
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('candidate', onCandidate);
    socket.on('alert', onAlert);
    // The server asks for a fresh snapshot when updates may have been lost
    // (its message queue was down for a while): same as after a reconnect.
    socket.on('resync', onConnect);
    S.socket = socket;
    setConnectionState();
  }

  function onConnect() {
    S.connected = true;
    S.websocketFailures = 0;
    const again = S.everConnected;
    S.everConnected = true;
    setConnectionState();
    // A fresh snapshot of every watched session: what happened while away is in it.
    S.order.slice().forEach((id) => requestSnapshot(id, () => {
      if (again) addFeed(id, 'note', t('feed_reconnected'));
    }, (code, message) => {
      addFeed(id, 'refused', message);
      if (code === 'forbidden' || code === 'not_found') closeSession(id);
    }));
  }

  function onDisconnect(reason) {
    S.connected = false;
    S.sessions.forEach((s) => { s.stale = true; });
    setConnectionState();
    scheduleRender();
    if (reason === 'io server disconnect' && S.socket) {
      // The server closed this socket on purpose; try again (the token is checked on connect).
      window.setTimeout(() => S.socket && !S.socket.connected && S.socket.connect(), 2000);
    }
  }

  function onConnectError(error) {
    const data = error && error.data;
    if (data && data.code) {
      // Refused by the server: the sign-in is no longer good.
      if (data.code === 'unauthorized') {
        logout(t('err_unauthorized'));
        return;
      }
      setConnectionState(data.message);
      window.setTimeout(() => S.socket && !S.socket.connected && S.socket.connect(), 5000);
      return;
    }
    // The transport failed. If websocket never worked from here, a proxy may be
    // blocking it: fall back to long-polling (which upgrades when it can).
    if (!S.everConnected && !S.polling) {
      S.websocketFailures += 1;
      if (S.websocketFailures >= WEBSOCKET_TRIES && S.socket) {
        S.polling = true;
        S.socket.io.opts.transports = ['polling', 'websocket'];
      }
    }
    setConnectionState();
  }

  function setConnectionState(detail) {
    const node = $('conn-state');
    if (!S.auth) {
      node.hidden = true;
      return;
    }
    let text;
    let state;
    if (S.connected) {
      state = S.polling ? 'polling' : 'ok';
      text = S.polling ? t('conn_polling') : '';
    } else {
      state = S.everConnected ? 'lost' : 'connecting';
      text = S.everConnected ? t('conn_lost') : t('conn_connecting');
      if (detail) text = `${text} (${detail})`;
    }
    node.textContent = text;
    node.dataset.state = state;
    node.hidden = !text;
    document.body.classList.toggle('offline', !S.connected);
  }

  /** Emit with an acknowledgement; calls done(ack) or failed(code, message). */
  function call(event, payload, done, failed) {
    if (!S.socket) {
      failed('network', t('err_network'));
      return;
    }
    S.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (error, ack) => {
      if (error) {
        failed('timeout', t('err_timeout'));
      } else if (!ack || ack.ok !== true) {
        const code = ack && ack.error ? ack.error.code : 'server';
        if (code === 'unauthorized') {
          logout(t('err_unauthorized'));
          return;
        }
        failed(code, (ack && ack.error && ack.error.message) || t('err_server'));
      } else {
        done(ack);
      }
    });
  }

  function requestSnapshot(id, done, failed) {
    call('watch', { session_id: id }, (ack) => {
      applySnapshot(ack);
      if (done) done(ack);
    }, failed);
  }

  // ------------------------------------------------------------------ data

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
    if (S.renderedSession === id) S.renderedSession = null; // rebuild: candidates may have come or gone
    scheduleRender();
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
    scheduleRender();
  }

  function onAlert(alert) {
    if (!alert || typeof alert.attempt_id !== 'number') return;
    const id = sessionOfAttempt(alert.attempt_id);
    const s = S.sessions.get(id);
    if (!s) return;
    const c = s.candidates.get(alert.attempt_id);
    const who = c ? `${c.participant_number} ${c.name}` : `#${alert.attempt_id}`;
    let text = t('feed_alert', { who, type: alertText(alert.type) });
    if (alert.detail) text += ` — ${alert.detail}`;
    s.newAlerts.add(alert.attempt_id);
    if (id !== S.current) s.unseen += 1;
    addFeed(id, 'alert', text, typeof alert.at === 'number' ? alert.at : Date.now(), alert.attempt_id);
    scheduleRender();
  }

  function addFeed(id, kind, text, at, attemptId) {
    const s = ensureSession(id);
    const entry = { kind, text, at: at || Date.now(), attemptId };
    s.feed.unshift(entry);
    if (s.feed.length > FEED_LIMIT) s.feed.length = FEED_LIMIT;
    if (id === S.current) {
      const feed = $('feed');
      feed.insertBefore(feedItem(entry), feed.firstChild);
      while (feed.children.length > FEED_LIMIT) feed.removeChild(feed.lastChild);
    }
  }

  function feedItem(entry) {
    const item = el('li', { className: `feed-item feed-${entry.kind}` }, [
      el('time', { text: timeOfDay(entry.at), attrs: { datetime: new Date(entry.at).toISOString() } }),
      el('span', { className: 'feed-text', text: entry.text }),
    ]);
    if (entry.attemptId !== undefined) item.dataset.attempt = entry.attemptId;
    return item;
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

  function matchesFilters(s, c) {
    if (S.filters.disconnected && c.connected) return false;
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

  // ------------------------------------------------------------------ rendering

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
    $('session-name').textContent = String(s.info.name || '');
    $('session-exam').textContent = [s.info.exam_code, s.info.exam_title].filter(Boolean).join(' — ');
    $('session-token').textContent = String(s.info.token || '');
    $('session-status').textContent = s.info.status === 'open' ? t('session_open')
      : (s.info.status === 'closed' ? t('session_closed') : String(s.info.status || ''));
    document.body.classList.toggle('stale', Boolean(s.stale));
    renderCounts(s);
    renderHistogram(s);
    renderGrid(s);
    renderTable(s);
    const shown = [...s.candidates.values()].filter((c) => matchesFilters(s, c)).length;
    $('shown-count').textContent = t('shown_count', { shown, total: s.candidates.size });
    $('empty-note').hidden = shown !== 0 || s.candidates.size === 0;
  }

  function rebuild(s) {
    S.tiles.clear();
    S.rows.clear();
    $('grid').replaceChildren();
    $('table-body').replaceChildren();
    renderTableHead(s);
    $('feed').replaceChildren(...s.feed.map(feedItem));
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
        className: 'tab', attrs: { type: 'button', role: 'tab', 'aria-selected': String(id === S.current) },
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
    saveWatching();
    scheduleRender();
  }

  function closeSession(id) {
    S.order = S.order.filter((x) => x !== id);
    S.sessions.delete(id);
    if (S.current === id) S.current = S.order.length ? S.order[0] : null;
    S.renderedSession = null;
    saveWatching();
    if (S.current === null) openPicker();
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
      bar.appendChild(document.createElementNS(ns, 'title')).textContent = `${b.from} – ${b.to}: ${b.n}`;
      if (b.n) node('text', { x: i * slot + slot / 2, y: 96 - h, 'text-anchor': 'middle', class: 'hist-count' }, String(b.n));
      if (bins.length <= 12 || i % Math.ceil(bins.length / 12) === 0) {
        node('text', { x: i * slot + slot / 2, y: 112, 'text-anchor': 'middle', class: 'hist-label' }, String(b.from));
      }
    });
    svg.setAttribute('aria-label', t('histogram_label', { bins: bins.map((b) => `${b.from}: ${b.n}`).join(', ') }));
  }

  // --- seat grid

  function seatOrder(a, b) {
    return compareValues(a.seat || null, b.seat || null) || compareValues(a.participant_number, b.participant_number);
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
    tile.querySelector('.tile-actions').append(...actionButtons(c.attempt_id));
    return tile;
  }

  function seenAlerts(attemptId) {
    const s = S.sessions.get(S.current);
    if (s && s.newAlerts.delete(attemptId)) scheduleRender();
  }

  function candidateClasses(s, c) {
    return [`status-${STATUSES.includes(c.status) ? c.status : 'unknown'}`, c.connected ? 'is-connected' : 'is-disconnected',
      s.newAlerts.has(c.attempt_id) ? 'alert-new' : '', c.violations > 0 ? 'has-alerts' : ''].filter(Boolean);
  }

  function scoresText(s, c) {
    const sections = (c.score && c.score.sections) || {};
    const parts = sectionNames(s).map((name) => `${name} ${sections[name] !== undefined ? sections[name] : '—'}`);
    parts.push(`${t('total')} ${c.score ? c.score.total : '—'}`);
    return parts.join(' · ');
  }

  function answeredText(s, c) {
    const items = itemCount(s);
    let text = items ? t('answered_of', { answered: c.answered, items }) : t('answered_only', { answered: c.answered });
    if (c.flagged) text += ` · ${t('flagged', { flagged: c.flagged })}`;
    return text;
  }

  function updateTile(tile, s, c) {
    tile.className = ['tile', ...candidateClasses(s, c)].join(' ');
    tile.dataset.status = c.status;
    tile.dataset.number = c.participant_number;
    tile.dataset.connected = String(Boolean(c.connected));
    tile.hidden = !matchesFilters(s, c);
    setText(tile.querySelector('.seat'), c.seat ? t('seat', { seat: c.seat }) : t('no_seat'));
    setText(tile.querySelector('.name'), String(c.name));
    setText(tile.querySelector('.number'), String(c.participant_number));
    setText(tile.querySelector('.status'), statusText(c.status));
    setText(tile.querySelector('.conn'), c.connected ? t('connected') : t('disconnected'));
    const progress = tile.querySelector('.progress');
    const items = itemCount(s);
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
    setText(time, ENDED.has(c.status) ? '—' : clockText(remainingNow(c)));
    const badge = tile.querySelector('[data-role="badge"]');
    setText(badge, `⚠ ${c.violations}`);
    badge.setAttribute('aria-label', t('violations', { count: c.violations }));
    badge.dataset.count = c.violations;
    badge.classList.toggle('badge-zero', !(c.violations > 0));
    badge.classList.toggle('badge-new', s.newAlerts.has(c.attempt_id));
    updateActionButtons(tile.querySelector('.tile-actions'), c);
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function actionButtons(attemptId) {
    return ['toggle', 'extend', 'end', 'reset'].map((kind) => {
      const button = el('button', { className: `act act-${kind}`, attrs: { type: 'button' }, data: { action: kind } });
      button.addEventListener('click', () => {
        const s = S.sessions.get(S.current);
        const c = s && s.candidates.get(attemptId);
        if (!c) return;
        const action = kind === 'toggle' ? (c.status === 'paused' ? 'resume' : 'pause') : kind;
        openDialog({ kind: action, sessionId: S.current, candidate: c });
      });
      return button;
    });
  }

  function updateActionButtons(container, c) {
    const ended = ENDED.has(c.status);
    container.querySelectorAll('button[data-action]').forEach((button) => {
      const kind = button.dataset.action;
      if (kind === 'toggle') {
        const resume = c.status === 'paused';
        setText(button, resume ? t('act_resume') : t('act_pause'));
        button.dataset.does = resume ? 'resume' : 'pause';
        button.disabled = !(c.status === 'in_progress' || c.status === 'paused');
      } else {
        setText(button, t(`act_${kind}`));
        button.disabled = (kind === 'extend' || kind === 'end') && ended;
      }
    });
  }

  // --- table

  function columns(s) {
    const sections = sectionNames(s).map((name) => ({
      key: `section:${name}`, label: name, num: true,
      value: (c) => Number(((c.score && c.score.sections) || {})[name]),
      text: (c) => String(((c.score && c.score.sections) || {})[name] ?? '—'),
    }));
    return [
      { key: 'participant_number', label: t('col_number'), value: (c) => c.participant_number, mono: true },
      { key: 'name', label: t('col_name'), value: (c) => c.name },
      { key: 'seat', label: t('col_seat'), value: (c) => c.seat || null, text: (c) => c.seat || '—' },
      { key: 'status', label: t('col_status'), value: (c) => STATUSES.indexOf(c.status), text: (c) => statusText(c.status) },
      { key: 'connected', label: t('col_connected'), value: (c) => (c.connected ? 0 : 1),
        text: (c) => (c.connected ? t('connected') : t('disconnected')) },
      { key: 'answered', label: t('col_answered'), num: true, value: (c) => c.answered,
        text: (c) => (itemCount(s) ? `${c.answered}/${itemCount(s)}` : String(c.answered)) },
      { key: 'flagged', label: t('col_flagged'), num: true, value: (c) => c.flagged },
      ...sections,
      { key: 'total', label: t('col_total'), num: true, value: (c) => Number(c.score && c.score.total),
        text: (c) => String(c.score ? c.score.total : '—') },
      { key: 'remaining', label: t('col_remaining'), num: true, mono: true, value: (c) => remainingNow(c),
        text: (c) => (ENDED.has(c.status) ? '—' : clockText(remainingNow(c))) },
      { key: 'violations', label: t('col_violations'), num: true, value: (c) => c.violations },
    ];
  }

  function renderTableHead(s) {
    const head = $('table-head');
    head.replaceChildren();
    columns(s).forEach((col) => {
      const sorted = S.sort.key === col.key;
      const button = el('button', {
        className: 'sort', text: col.label, attrs: { type: 'button', title: t('sort_by', { column: col.label }) },
        data: { sort: col.key },
      });
      if (sorted) button.appendChild(el('span', { className: 'sort-mark', text: S.sort.dir > 0 ? ' ▲' : ' ▼', attrs: { 'aria-hidden': 'true' } }));
      button.addEventListener('click', () => sortBy(col.key));
      head.appendChild(el('th', {
        className: col.num ? 'num' : '', attrs: { scope: 'col', 'aria-sort': sorted ? (S.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
        data: { key: col.key },
      }, [button]));
    });
    head.appendChild(el('th', { attrs: { scope: 'col' } }, [el('span', { className: 'sr-only', text: t('col_actions') })]));
  }

  function sortBy(key) {
    S.sort = { key, dir: S.sort.key === key ? -S.sort.dir : 1 };
    const s = S.sessions.get(S.current);
    if (s) renderTableHead(s);
    render();
  }

  function renderTable(s) {
    $('table-wrap').hidden = S.view !== 'table';
    const cols = columns(s);
    if ($('table-head').children.length !== cols.length + 1) renderTableHead(s);
    const col = cols.find((x) => x.key === S.sort.key) || cols[0];
    const sorted = [...s.candidates.values()].sort((a, b) => S.sort.dir * compareValues(col.value(a), col.value(b))
      || compareValues(a.participant_number, b.participant_number));
    sorted.forEach((c) => {
      let row = S.rows.get(c.attempt_id);
      if (!row || row.cells.length !== cols.length + 1) {
        const fresh = makeRow(c, cols);
        if (row) row.replaceWith(fresh);
        row = fresh;
        S.rows.set(c.attempt_id, row);
      }
      updateRow(row, s, c, cols);
    });
    reorder($('table-body'), sorted.map((c) => S.rows.get(c.attempt_id)));
  }

  function makeRow(c, cols) {
    const row = el('tr', { data: { attempt: c.attempt_id } });
    cols.forEach((col) => row.appendChild(el('td', { className: [col.num ? 'num' : '', col.mono ? 'mono' : ''].join(' ').trim(),
      data: { key: col.key } })));
    row.appendChild(el('td', { className: 'row-actions' }, actionButtons(c.attempt_id)));
    return row;
  }

  function updateRow(row, s, c, cols) {
    row.className = candidateClasses(s, c).join(' ');
    row.dataset.status = c.status;
    row.dataset.number = c.participant_number;
    row.hidden = !matchesFilters(s, c);
    cols.forEach((col, i) => {
      const value = col.text ? col.text(c) : col.value(c);
      setText(row.cells[i], value === null || value === undefined ? '—' : String(value));
    });
    updateActionButtons(row.cells[cols.length], c);
  }

  // --- countdowns between updates

  function tick() {
    const s = S.sessions.get(S.current);
    if (!s || S.screen !== 'console') return;
    s.candidates.forEach((c) => {
      if (c.status !== 'in_progress') return;
      const text = clockText(remainingNow(c));
      const tile = S.tiles.get(c.attempt_id);
      if (tile) setText(tile.querySelector('.time'), text);
      const row = S.rows.get(c.attempt_id);
      const cell = row && row.querySelector('td[data-key="remaining"]');
      if (cell) setText(cell, text);
    });
  }

  // ------------------------------------------------------------------ actions

  function targetText(action) {
    if (action.candidate) {
      const c = action.candidate;
      return `${c.participant_number} — ${c.name}${c.seat ? ` (${t('seat', { seat: c.seat })})` : ''}`;
    }
    const s = S.sessions.get(action.sessionId);
    return t('dialog_session_target', { name: s ? s.info.name : `#${action.sessionId}` });
  }

  function openDialog(action) {
    const dialog = $('action-dialog');
    if (dialog.open) return;
    S.dialog = action;
    const whole = !action.candidate && (action.kind === 'pause' || action.kind === 'resume');
    $('dialog-title').textContent = t(whole ? `dialog_${action.kind}_all` : `dialog_${action.kind}`);
    $('dialog-target').textContent = targetText(action);
    const warning = action.kind === 'end' ? t('dialog_end_warning') : (action.kind === 'reset' ? t('dialog_reset_warning') : '');
    $('dialog-warning').textContent = warning;
    $('dialog-warning').hidden = !warning;
    $('dialog-minutes-row').hidden = action.kind !== 'extend';
    $('dialog-text-row').hidden = action.kind !== 'announce';
    $('dialog-minutes').value = '5';
    $('dialog-text').value = action.text || '';
    $('dialog-reason').value = '';
    showError($('dialog-error'), '');
    const confirm = $('dialog-confirm');
    confirm.disabled = false;
    confirm.textContent = t(`confirm_${action.kind}`);
    confirm.className = action.kind === 'end' || action.kind === 'reset' ? 'danger' : 'primary';
    dialog.dataset.action = action.kind;
    dialog.showModal();
    const first = action.kind === 'extend' ? $('dialog-minutes') : (action.kind === 'announce' ? $('dialog-text') : $('dialog-reason'));
    first.focus();
  }

  function closeDialog() {
    const dialog = $('action-dialog');
    if (dialog.open) dialog.close();
    S.dialog = null;
  }

  function dialogPayload(action) {
    const reason = $('dialog-reason').value.trim();
    const body = {};
    if (action.candidate) body.attempt_id = action.candidate.attempt_id;
    else body.session_id = action.sessionId;
    if (action.kind === 'extend') {
      const minutes = Number($('dialog-minutes').value);
      if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 600) return { error: t('minutes_invalid') };
      body.minutes = minutes;
    }
    if (action.kind === 'announce') {
      const text = $('dialog-text').value.trim();
      if (!text) return { error: t('announce_empty') };
      body.text = text;
    }
    if (reason) body.reason = reason;
    return { body };
  }

  function onDialogSubmit(event) {
    event.preventDefault();
    const action = S.dialog;
    if (!action) return;
    const { body, error } = dialogPayload(action);
    if (error) {
      showError($('dialog-error'), error, 'invalid');
      return;
    }
    const confirm = $('dialog-confirm');
    confirm.disabled = true;
    confirm.textContent = t('busy');
    const target = targetText(action);
    const label = action.kind === 'extend' ? t('done_extend', { minutes: body.minutes })
      : (action.kind === 'announce' ? t('done_announce', { text: body.text }) : t(`done_${action.kind}`));
    call(ACTION_EVENTS[action.kind], body, () => {
      let text = t('feed_action', { action: label, target: action.candidate ? target : t('target_session') });
      if (body.reason) text += ` (${t('feed_reason', { reason: body.reason })})`;
      addFeed(action.sessionId, 'action', text);
      if (action.kind === 'announce') $('announce-text').value = '';
      closeDialog();
    }, (code, message) => {
      confirm.disabled = false;
      confirm.textContent = t(`confirm_${action.kind}`);
      showError($('dialog-error'), message, code);
      addFeed(action.sessionId, 'refused', t('feed_refused', { action: t(`act_${action.kind}`), target, message }));
    });
  }

  function onAnnounce() {
    const text = $('announce-text').value.trim();
    if (!text) {
      $('announce-text').focus();
      return;
    }
    if (S.current !== null) openDialog({ kind: 'announce', sessionId: S.current, text });
  }

  // ------------------------------------------------------------------ view, filters, keys

  function setView(view) {
    S.view = view;
    $('view-grid').setAttribute('aria-pressed', String(view === 'grid'));
    $('view-table').setAttribute('aria-pressed', String(view === 'table'));
    render();
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || S.screen !== 'console') return;
    if ($('action-dialog').open) return;
    const tag = (event.target && event.target.tagName) || '';
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag)) return;
    const key = event.key.toLowerCase();
    if (key === 'g') setView('grid');
    else if (key === 't') setView('table');
    else if (key === 'a') $('announce-text').focus();
    else if ((key === '[' || key === ']') && S.order.length > 1) {
      const i = S.order.indexOf(S.current);
      switchTo(S.order[(i + (key === ']' ? 1 : S.order.length - 1)) % S.order.length]);
    } else return;
    event.preventDefault();
  }

  function bind() {
    $('login-form').addEventListener('submit', onLogin);
    $('session-form').addEventListener('submit', onSessionForm);
    $('picker-back').addEventListener('click', () => { show('console'); scheduleRender(); });
    $('add-session-btn').addEventListener('click', openPicker);
    $('logout-btn').addEventListener('click', () => logout());
    $('lang-btn').addEventListener('click', () => {
      S.lang = S.lang === 'id' ? 'en' : 'id';
      writeJson(localStorage, LANG_KEY, S.lang);
      applyLanguage();
    });
    $('view-grid').addEventListener('click', () => setView('grid'));
    $('view-table').addEventListener('click', () => setView('table'));
    [['filter-disconnected', 'disconnected'], ['filter-alerts', 'alerts'], ['filter-not-started', 'not_started']]
      .forEach(([id, name]) => $(id).addEventListener('change', (e) => {
        S.filters[name] = e.target.checked;
        render();
      }));
    $('pause-all-btn').addEventListener('click', () => S.current !== null && openDialog({ kind: 'pause', sessionId: S.current }));
    $('resume-all-btn').addEventListener('click', () => S.current !== null && openDialog({ kind: 'resume', sessionId: S.current }));
    $('announce-btn').addEventListener('click', onAnnounce);
    $('dialog-form').addEventListener('submit', onDialogSubmit);
    $('dialog-cancel').addEventListener('click', closeDialog);
    $('action-dialog').addEventListener('close', () => { S.dialog = null; });
    document.addEventListener('keydown', onKey);
    window.setInterval(tick, 1000);
  }

  // ------------------------------------------------------------------ start

  bind();
  applyLanguage();
  if (S.auth && S.auth.token) {
    startConsole();
  } else {
    show('login');
    $('username').focus();
  }
})();
