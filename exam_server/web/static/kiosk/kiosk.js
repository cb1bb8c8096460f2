/* The candidate's kiosk: login, identity, the exam, the end screen.

   The server decides everything (time, status, scores). The page shows it,
   keeps the candidate's unacknowledged answers on this computer until the
   server confirms them, and reconnects by itself.

   localStorage (nothing that reveals the exam's content):
     kiosk.v1.lang              chosen language
     kiosk.v1.login             {token, attempt_id, session_token, participant_number}: a reload resumes
                                without a new login
     kiosk.v1.seq.<attempt>     the last answer seq used for that attempt (never goes back)
     kiosk.v1.outbox.<attempt>  {position: {choice, seq}}: answers not yet acknowledged
     kiosk.v1.flags.<attempt>   {position: flagged}: doubtful marks not yet acknowledged
   <attempt> is "<session token>.<attempt id>": attempt ids start again in a new database,
   session tokens do not repeat, so queued answers can only ever go to their own attempt.
*/
'use strict';

(() => {
  const I18N = window.KIOSK_I18N;
  const PREFIX = 'kiosk.v1.';
  const ACK_TIMEOUT_MS = 10000;
  const RESEND_AFTER_MS = 8000;
  const ENDED = new Set(['submitted', 'timed_out', 'ended_by_proctor']);
  const LOGOUT_CODES = new Set(['unauthorized', 'session_closed']);
  const DROP_CODES = new Set(['time_up', 'submitted', 'invalid_position', 'invalid_choice', 'bad_request', 'not_started']);
  const NAV_KEYS = { N: 'next', P: 'prev', R: 'flag' };

  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ storage

  const store = {
    get(key, fallback) {
      try {
        const raw = localStorage.getItem(PREFIX + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem(PREFIX + key, JSON.stringify(value));
      } catch (e) { /* storage full or disabled: memory still holds it */ }
    },
    remove(key) {
      try {
        localStorage.removeItem(PREFIX + key);
      } catch (e) { /* nothing to remove */ }
    },
  };

  // ------------------------------------------------------------------ state

  const S = {
    lang: I18N[store.get('lang', 'id')] ? store.get('lang', 'id') : 'id',
    login: store.get('login', null),
    socket: null,
    connected: false,
    screen: null,
    status: null,
    info: {},
    sections: [],
    total: 0,
    items: null,
    formWaiters: null,
    current: 1,
    answers: {},
    flags: new Set(),
    outbox: {},
    flagOutbox: {},
    flagsInFlight: new Set(),
    mine: {},
    myFlags: {},
    acked: new Set(),
    reports: [],
    lastReport: {},
    serverDrops: [],
    clock: { offset: 0, deadline: null, remaining: null },
    paused: false,
    submitting: false,
    timeUpSince: null,
    lastTimeUpPoll: 0,
    stateRetry: null,
  };

  // ------------------------------------------------------------------ language

  function t(key, params) {
    let text = I18N[S.lang][key] ?? I18N.id[key] ?? key;
    if (params) {
      text = text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
    }
    return text;
  }

  function applyLanguage() {
    document.documentElement.lang = S.lang;
    document.title = t('app_title');
    for (const el of document.querySelectorAll('[data-i18n]')) {
      el.textContent = t(el.dataset.i18n);
    }
    const button = $('lang-btn');
    button.textContent = t('switch_language');
    button.lang = S.lang === 'id' ? 'en' : 'id';
    button.setAttribute('aria-label', t('switch_language_label'));
    $('nav-grid').setAttribute('aria-label', t('nav_title'));
    renderAll();
  }

  function switchLanguage() {
    S.lang = S.lang === 'id' ? 'en' : 'id';
    store.set('lang', S.lang);
    applyLanguage();
  }

  // ------------------------------------------------------------------ screens

  function showScreen(name) {
    S.screen = name;
    for (const el of document.querySelectorAll('.screen')) {
      el.hidden = el.id !== `screen-${name}`;
    }
    document.body.dataset.screen = name;
    renderHeader();
    renderOverlays();
    renderBanner();
  }

  function showLogin(message) {
    disconnectSocket();
    S.status = null;
    S.items = null;
    S.formWaiters = null;
    showScreen('login');
    showError('login-error', message);
    const number = $('participant-number');
    const token = $('session-token');
    (token.value && token.readOnly ? number : token).focus();
  }

  function showError(id, message) {
    const el = $(id);
    el.textContent = message || '';
    el.hidden = !message;
  }

  // ------------------------------------------------------------------ login

  function loginMessage(code, message) {
    switch (code) {
      case 'bad_credentials':
      case 'already_connected':
      case 'session_closed':
      case 'rate_limited':
      case 'unauthorized':
        return t(`err_${code}`);
      case 'seb_required':
        return message ? `${t('err_seb_required')} ${message}` : t('err_seb_required');
      case 'bad_request':
        return t('login_missing');
      default:
        return message || t('err_server');
    }
  }

  async function onLoginSubmit(event) {
    event.preventDefault();
    const body = {
      session_token: $('session-token').value.trim().toUpperCase(),
      participant_number: $('participant-number').value.trim(),
      password: $('password').value,
    };
    if (!body.session_token || !body.participant_number || !body.password) {
      showError('login-error', t('login_missing'));
      return;
    }
    const button = $('login-submit');
    button.disabled = true;
    button.textContent = t('login_busy');
    showError('login-error', '');
    try {
      const response = await fetch('/api/v1/candidate/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        cache: 'no-store',
        credentials: 'same-origin',
      });
      let data = null;
      try {
        data = await response.json();
      } catch (e) { /* not JSON: handled below */ }
      if (response.ok && data && data.token) {
        $('password').value = '';
        beginAttempt({ token: data.token, attempt_id: data.attempt_id, session_token: body.session_token,
                       participant_number: body.participant_number });
        return;
      }
      const error = (data && data.error) || {};
      showError('login-error', loginMessage(error.code || `http_${response.status}`, error.message));
    } catch (e) {
      showError('login-error', t('err_network'));
    } finally {
      button.disabled = false;
      button.textContent = t('login_button');
    }
  }

  function attemptKey(login) {
    return `${login.session_token}.${login.attempt_id}`;
  }

  /* Queues of other attempts are of no use on this workstation any more (their candidate
     signs in elsewhere, and the server has what was acknowledged): drop them. */
  function dropOtherQueues(login) {
    const own = attemptKey(login);
    const stale = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const match = /^kiosk\.v1\.(?:outbox|flags|seq)\.(.+)$/.exec(localStorage.key(i) || '');
      if (match && match[1] !== own) {
        stale.push(match[0]);
      }
    }
    for (const key of stale) {
      localStorage.removeItem(key);
    }
  }

  function beginAttempt(login) {
    S.login = login;
    store.set('login', login);
    try {
      dropOtherQueues(login);
    } catch (e) { /* storage disabled: nothing stored to drop */ }
    S.outbox = store.get(`outbox.${attemptKey(login)}`, {}) || {};
    S.flagOutbox = store.get(`flags.${attemptKey(login)}`, {}) || {};
    // What was chosen on this page wins over a `state` that may have been read just before it was stored.
    S.mine = Object.fromEntries(Object.entries(S.outbox).map(([position, entry]) => [position, entry.choice]));
    S.myFlags = { ...S.flagOutbox };
    S.acked = new Set();
    S.answers = {};
    S.flags = new Set();
    S.items = null;
    S.formWaiters = null;
    S.current = 1;
    S.status = null;
    S.info = {};
    S.serverDrops = [];
    showScreen('connecting');
    connectSocket();
  }

  /* Forget the stored login. The queues go too when the attempt has ended; when only the
     login was refused they stay, and are sent after the next login to the same attempt
     (their seq keeps a newer answer given elsewhere from being overwritten). */
  function forgetLogin({ keepQueues = false } = {}) {
    if (S.login && !keepQueues) {
      store.remove(`outbox.${attemptKey(S.login)}`);
      store.remove(`flags.${attemptKey(S.login)}`);
    }
    store.remove('login');
    S.login = null;
    S.outbox = {};
    S.flagOutbox = {};
    S.mine = {};
    S.myFlags = {};
    S.reports = [];
  }

  function saveLocal(name, value) {
    if (S.login) {
      store.set(`${name}.${attemptKey(S.login)}`, value);
    }
  }

  // ------------------------------------------------------------------ socket

  function connectSocket() {
    disconnectSocket();
    const socket = window.io('/candidate', {
      auth: { token: S.login.token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: 10000,
    });
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('time', (data) => data && syncClock(data.remaining_ms, data.server_time));
    socket.on('paused', onPaused);
    socket.on('resumed', onResumed);
    socket.on('announcement', (data) => data && showAnnouncement(data.text));
    socket.on('ended', (data) => showEnd((data && data.status) || 'submitted', data && data.result));
    S.socket = socket;
  }

  function disconnectSocket() {
    if (S.socket) {
      S.socket.off();
      S.socket.disconnect();
      S.socket = null;
    }
    S.connected = false;
  }

  function isConnected() {
    return Boolean(S.socket && S.socket.connected);
  }

  function call(event, payload, onAck) {
    S.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => onAck(err ? null : ack, err));
  }

  function onConnect() {
    S.connected = true;
    S.flagsInFlight.clear();
    for (const entry of Object.values(S.outbox)) {
      entry.sentAt = 0;
    }
    renderBanner();
    flushOutbox();
    flushFlags();
    flushReports();
    refreshState();
  }

  function onDisconnect(reason) {
    S.connected = false;
    renderBanner();
    renderSaveStatus();
    if (reason !== 'io server disconnect' || !S.socket) {
      return; // socket.io reconnects by itself
    }
    // The server closed this connection: a newer connection of the same login took over,
    // or the proctor reset the login. Ask again; a reset login is refused and the sign-in form shows.
    const now = Date.now();
    S.serverDrops = S.serverDrops.filter((at) => now - at < 60000).concat(now);
    if (S.serverDrops.length > 3) {
      // Another window of this kiosk holds the same login: give way instead of fighting it.
      store.remove('login');
      S.login = null;
      showLogin(t('err_already_connected'));
      return;
    }
    const socket = S.socket;
    setTimeout(() => {
      if (S.socket === socket && !socket.connected) {
        socket.connect();
      }
    }, 1000);
  }

  function refusalOf(err) {
    const data = err && err.data;
    if (data && typeof data === 'object' && data.code) {
      return { code: data.code, message: data.message || '' };
    }
    // Some servers put the {code, message} object into the message text itself.
    const text = String((err && err.message) || '');
    const code = /["']code["']\s*:\s*["']([a-z_]+)["']/.exec(text);
    const message = /["']message["']\s*:\s*["'](.*?)["']\s*}/.exec(text);
    return { code: code ? code[1] : '', message: message ? message[1] : text };
  }

  function onConnectError(err) {
    if (S.socket && S.socket.active) {
      // The server cannot be reached: socket.io tries again by itself, with backoff.
      renderBanner();
      return;
    }
    const { code, message } = refusalOf(err);
    if (LOGOUT_CODES.has(code)) {
      forgetLogin({ keepQueues: true });
      showLogin(loginMessage(code, message));
      return;
    }
    // Refused for another reason (e.g. a server error): try again shortly.
    renderBanner();
    setTimeout(() => {
      if (S.socket && !S.socket.connected && !S.socket.active) {
        S.socket.connect();
      }
    }, 3000);
  }

  function handleCallError(error) {
    const code = error && error.code;
    if (code === 'unauthorized' && S.socket) {
      // This connection is not known to the server (any more): open a fresh one.
      S.socket.disconnect().connect();
    } else if (code === 'paused') {
      onPaused({});
    } else if (code === 'time_up' || code === 'submitted') {
      refreshState();
    }
  }

  // ------------------------------------------------------------------ state from the server

  function refreshState() {
    if (!isConnected()) {
      return;
    }
    clearTimeout(S.stateRetry);
    call('state', {}, (ack) => {
      if (!ack) {
        S.stateRetry = setTimeout(refreshState, 2000);
        return;
      }
      if (!ack.ok) {
        handleCallError(ack.error);
        return;
      }
      applyState(ack);
    });
  }

  function applyState(state) {
    S.info = {
      name: typeof state.name === 'string' ? state.name : '',
      participant_number: state.participant_number || (S.login && S.login.participant_number) || '',
      exam_title: state.exam_title || '',
      instructions: typeof state.instructions === 'string' ? state.instructions : '',
      show_score: state.show_score,
    };
    S.sections = Array.isArray(state.sections) ? state.sections : [];
    S.total = Number(state.items) || 0;
    S.status = state.status;
    S.paused = state.status === 'paused';
    S.answers = {};
    for (const [position, choice] of Object.entries(state.answers || {})) {
      if (choice !== null) {
        S.answers[position] = choice;
      }
    }
    S.flags = new Set((state.flags || []).map(Number));
    // What this page chose (sent or still to send) wins over what the server had seen when it answered.
    for (const [position, choice] of Object.entries(S.mine)) {
      setLocalAnswer(position, choice);
    }
    for (const [position, flagged] of Object.entries(S.myFlags)) {
      setLocalFlag(Number(position), flagged);
    }
    syncClock(state.remaining_ms, state.server_time);
    if (ENDED.has(state.status)) {
      showEnd(state.status, null);
    } else if (state.status === 'not_started') {
      showIdentity();
    } else {
      loadForm(() => showExam());
    }
  }

  function loadForm(then) {
    if (S.items) {
      then();
      return;
    }
    if (S.formWaiters) {
      S.formWaiters.push(then); // already asked for: one request serves every caller
      return;
    }
    S.formWaiters = [then];
    call('form', {}, (ack) => {
      const waiters = S.formWaiters || [];
      S.formWaiters = null;
      if (!ack || !ack.ok) {
        if (ack) {
          handleCallError(ack.error);
        } else {
          setTimeout(refreshState, 2000);
        }
        return;
      }
      S.items = ack.items.slice().sort((a, b) => a.position - b.position);
      S.total = S.total || S.items.length;
      for (const waiter of waiters) {
        waiter();
      }
    });
  }

  // ------------------------------------------------------------------ the clock

  function serverNow() {
    return Date.now() + S.clock.offset;
  }

  function syncClock(remaining, serverTime) {
    if (typeof remaining !== 'number') {
      return;
    }
    if (typeof serverTime === 'number') {
      S.clock.offset = serverTime - Date.now();
    }
    S.clock.remaining = Math.max(0, remaining);
    S.clock.deadline = serverNow() + S.clock.remaining;
    renderClock();
  }

  function remainingMs() {
    if (S.clock.deadline === null) {
      return null;
    }
    if (S.paused || S.status === 'not_started') {
      return S.clock.remaining;
    }
    return Math.max(0, S.clock.deadline - serverNow());
  }

  function formatTime(ms) {
    const seconds = Math.ceil(ms / 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  }

  function tick() {
    renderClock();
    const left = remainingMs();
    const running = S.screen === 'exam' && !S.paused && left === 0;
    if (running && S.timeUpSince === null) {
      S.timeUpSince = Date.now();
    } else if (!running) {
      S.timeUpSince = null;
    }
    // The server ends the attempt and says so with `ended`; should that be missed, ask again.
    if (running && Date.now() - S.timeUpSince > 3000 && Date.now() - S.lastTimeUpPoll > 3000) {
      S.lastTimeUpPoll = Date.now();
      refreshState();
    }
    renderOverlays();
    resendOverdue();
  }

  function onPaused(data) {
    const left = remainingMs();
    S.paused = true;
    S.status = 'paused';
    if (data && typeof data.remaining_ms === 'number') {
      syncClock(data.remaining_ms);
    } else if (left !== null) {
      S.clock.remaining = left;
    }
    renderOverlays();
    renderClock();
  }

  function onResumed(data) {
    S.paused = false;
    if (S.status === 'paused') {
      S.status = 'in_progress';
    }
    if (data && typeof data.remaining_ms === 'number') {
      syncClock(data.remaining_ms);
    }
    renderOverlays();
    for (const entry of Object.values(S.outbox)) {
      entry.sentAt = 0;
    }
    flushOutbox();
    flushFlags();
  }

  // ------------------------------------------------------------------ identity and start

  function showIdentity() {
    showScreen('identity');
    renderIdentity();
    $('start-btn').focus();
  }

  function onStart() {
    if (!isConnected()) {
      return;
    }
    const button = $('start-btn');
    button.disabled = true;
    showError('start-error', '');
    call('start', {}, (ack) => {
      button.disabled = false;
      if (!ack) {
        showError('start-error', t('err_network'));
        return;
      }
      if (!ack.ok) {
        showError('start-error', ack.error && ack.error.message);
        handleCallError(ack.error);
        return;
      }
      S.status = 'in_progress';
      syncClock(ack.remaining_ms);
      refreshState();
    });
  }

  // ------------------------------------------------------------------ the exam

  function showExam() {
    if (S.screen !== 'exam') {
      S.current = Math.min(Math.max(1, S.current), S.items.length);
      showScreen('exam');
      renderQuestion();
    } else {
      renderAnswerState();
    }
    renderGrid();
  }

  function canAnswer() {
    return S.screen === 'exam' && !S.paused && !S.submitting && remainingMs() !== 0 && !$('submit-dialog').open;
  }

  function goTo(position) {
    if (!S.items || position < 1 || position > S.items.length || position === S.current) {
      return;
    }
    S.current = position;
    renderQuestion();
    renderGrid();
  }

  function setLocalAnswer(position, choice) {
    if (choice === null || choice === undefined) {
      delete S.answers[position];
    } else {
      S.answers[position] = choice;
    }
  }

  function setLocalFlag(position, flagged) {
    if (flagged) {
      S.flags.add(position);
    } else {
      S.flags.delete(position);
    }
  }

  function nextSeq() {
    const key = `seq.${attemptKey(S.login)}`;
    const seq = Math.max((Number(store.get(key, 0)) || 0) + 1, Date.now());
    store.set(key, seq);
    return seq;
  }

  function choose(choice) {
    if (!canAnswer()) {
      return;
    }
    const position = S.current;
    if ((S.answers[position] ?? null) === choice) {
      return;
    }
    setLocalAnswer(position, choice);
    S.mine[position] = choice;
    S.outbox[position] = { choice, seq: nextSeq(), sentAt: 0 };
    S.acked.delete(String(position));
    persistOutbox();
    renderAnswerState();
    renderGrid();
    sendAnswer(position);
  }

  function persistOutbox() {
    const plain = {};
    for (const [position, entry] of Object.entries(S.outbox)) {
      plain[position] = { choice: entry.choice, seq: entry.seq };
    }
    saveLocal('outbox', plain);
    renderBanner();
  }

  function sendAnswer(position) {
    const entry = S.outbox[position];
    if (!entry || !isConnected() || S.paused) {
      return;
    }
    entry.sentAt = Date.now();
    const seq = entry.seq;
    call('answer', { position: Number(position), choice: entry.choice, seq }, (ack) => onAnswerAck(position, seq, ack));
  }

  function onAnswerAck(position, seq, ack) {
    const entry = S.outbox[position];
    if (!ack || !entry || entry.seq !== seq) {
      return; // no answer (resent later), or a newer choice whose own ack decides
    }
    if (ack.ok) {
      delete S.outbox[position];
      persistOutbox();
      if (ack.stale) {
        delete S.mine[position];
        refreshState(); // a newer answer is stored (from another workstation): show it
      } else {
        S.acked.add(String(position));
      }
      renderAnswerState();
      renderGrid();
      return;
    }
    const code = ack.error && ack.error.code;
    if (DROP_CODES.has(code)) {
      delete S.outbox[position];
      delete S.mine[position];
      persistOutbox();
      refreshState();
    }
    handleCallError(ack.error);
  }

  function flushOutbox() {
    for (const position of Object.keys(S.outbox)) {
      sendAnswer(position);
    }
  }

  function resendOverdue() {
    if (!isConnected()) {
      return;
    }
    const now = Date.now();
    for (const [position, entry] of Object.entries(S.outbox)) {
      if (now - (entry.sentAt || 0) > RESEND_AFTER_MS) {
        sendAnswer(position);
      }
    }
  }

  function toggleFlag() {
    if (!canAnswer()) {
      return;
    }
    const position = S.current;
    const flagged = !S.flags.has(position);
    setLocalFlag(position, flagged);
    S.myFlags[position] = flagged;
    S.flagOutbox[position] = flagged;
    saveLocal('flags', S.flagOutbox);
    renderAnswerState();
    renderGrid();
    sendFlag(position);
  }

  function sendFlag(position) {
    const key = String(position);
    if (!(key in S.flagOutbox) || S.flagsInFlight.has(key) || !isConnected() || S.paused) {
      return;
    }
    const flagged = S.flagOutbox[key];
    S.flagsInFlight.add(key);
    call('flag', { position: Number(position), flagged }, (ack) => {
      S.flagsInFlight.delete(key);
      const refused = ack && !ack.ok && DROP_CODES.has(ack.error && ack.error.code);
      if ((refused || (ack && ack.ok)) && S.flagOutbox[key] === flagged) {
        delete S.flagOutbox[key];
        if (refused) {
          delete S.myFlags[key];
          refreshState();
        }
        saveLocal('flags', S.flagOutbox);
      }
      if (ack && !ack.ok) {
        handleCallError(ack.error);
      }
      if (key in S.flagOutbox && S.flagOutbox[key] !== flagged) {
        sendFlag(key); // changed again while this one was on its way
      }
    });
  }

  function flushFlags() {
    for (const position of Object.keys(S.flagOutbox)) {
      sendFlag(position);
    }
  }

  // ------------------------------------------------------------------ submit

  function openSubmitDialog() {
    if (S.screen !== 'exam' || S.paused) {
      return;
    }
    const answered = Object.keys(S.answers).length;
    const total = S.items ? S.items.length : S.total;
    $('submit-counts').textContent = t('submit_counts', { blank: total - answered, doubtful: S.flags.size });
    $('submit-counts').dataset.blank = String(total - answered);
    $('submit-counts').dataset.doubtful = String(S.flags.size);
    showError('submit-error', '');
    setSubmitBusy(false);
    $('submit-dialog').showModal();
    $('submit-confirm').focus();
  }

  function setSubmitBusy(busy) {
    S.submitting = busy;
    $('submit-confirm').disabled = busy;
    $('submit-cancel').disabled = busy;
    $('submit-confirm').textContent = t(busy ? 'submit_busy' : 'submit_confirm');
  }

  function waitForOutbox(timeoutMs) {
    return new Promise((resolve) => {
      const started = Date.now();
      const check = () => {
        if (!Object.keys(S.outbox).length) {
          resolve(true);
        } else if (Date.now() - started > timeoutMs || !isConnected()) {
          resolve(false);
        } else {
          setTimeout(check, 100);
        }
      };
      check();
    });
  }

  async function confirmSubmit() {
    if (S.submitting) {
      return;
    }
    if (!isConnected()) {
      showError('submit-error', t('submit_offline'));
      return;
    }
    setSubmitBusy(true);
    flushOutbox();
    // Every answer must be stored before the attempt is closed.
    if (!(await waitForOutbox(15000))) {
      setSubmitBusy(false);
      showError('submit-error', t(isConnected() ? 'submit_unsaved' : 'submit_offline'));
      return;
    }
    call('submit', {}, (ack) => {
      setSubmitBusy(false);
      if (ack && ack.ok) {
        $('submit-dialog').close();
        showEnd(ack.status || 'submitted', ack.result);
        return;
      }
      if (ack && ack.error && ENDED.has(S.status)) {
        $('submit-dialog').close();
        return;
      }
      showError('submit-error', ack ? t('submit_failed', { message: ack.error && ack.error.message }) : t('err_network'));
      if (ack) {
        handleCallError(ack.error);
      }
    });
  }

  // ------------------------------------------------------------------ the end

  function showEnd(status, result) {
    S.status = status;
    S.paused = false;
    S.result = result || null;
    if ($('submit-dialog').open) {
      $('submit-dialog').close();
    }
    forgetLogin();
    disconnectSocket();
    showScreen('end');
    renderEnd();
    $('back-btn').focus();
  }

  // ------------------------------------------------------------------ announcements

  function showAnnouncement(text) {
    if (typeof text !== 'string' || !text) {
      return;
    }
    const toast = document.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', 'status');
    const title = document.createElement('strong');
    title.textContent = t('announcement');
    const body = document.createElement('p');
    body.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.textContent = t('dismiss');
    close.addEventListener('click', () => toast.remove());
    toast.append(title, body, close);
    $('toasts').append(toast);
  }

  // ------------------------------------------------------------------ kiosk integrity reports

  function report(type, detail) {
    if (!S.login || !['identity', 'exam'].includes(S.screen)) {
      return;
    }
    const now = Date.now();
    if (now - (S.lastReport[type] || 0) < 1000) {
      return; // one event often fires several times in a row
    }
    S.lastReport[type] = now;
    const where = S.screen === 'exam' ? `question ${S.current}` : S.screen;
    S.reports.push({ type, detail: String(detail || where).slice(0, 500) });
    flushReports();
  }

  function flushReports() {
    while (isConnected() && S.reports.length) {
      S.socket.emit('report', S.reports.shift());
    }
  }

  function onClipboard(event) {
    report(event.type === 'paste' ? 'paste' : 'copy', event.type);
    if (event.target instanceof Node && $('screen-exam').contains(event.target)) {
      event.preventDefault();
    }
  }

  function requestFullscreen() {
    const root = document.documentElement;
    if (!document.fullscreenElement && root.requestFullscreen) {
      root.requestFullscreen().catch(() => { /* refused by the browser: nothing to do */ });
    }
  }

  function onFullscreenChange() {
    $('fullscreen-btn').hidden = Boolean(document.fullscreenElement);
    if (!document.fullscreenElement) {
      report('fullscreen_exit');
    }
  }

  // ------------------------------------------------------------------ keyboard

  function isTyping(target) {
    return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  }

  function onKeyDown(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    const dialog = $('submit-dialog');
    if (dialog.open) {
      if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
        event.preventDefault();
        confirmSubmit();
      }
      return;
    }
    if (S.screen !== 'exam' || isTyping(event.target) || !S.items || S.paused || remainingMs() === 0) {
      return;
    }
    const action = keyAction(event.key);
    if (!action) {
      return;
    }
    event.preventDefault();
    action();
  }

  function keyAction(key) {
    if (key === 'ArrowRight') return () => goTo(S.current + 1);
    if (key === 'ArrowLeft') return () => goTo(S.current - 1);
    if (key === 'Backspace' || key === 'Delete') return () => choose(null);
    if (typeof key !== 'string' || !/^[a-z]$/i.test(key)) return null;
    const upper = key.toUpperCase();
    const named = NAV_KEYS[upper];
    if (named === 'next') return () => goTo(S.current + 1);
    if (named === 'prev') return () => goTo(S.current - 1);
    if (named === 'flag') return toggleFlag;
    const item = S.items[S.current - 1];
    if (item && item.options.some((option) => option.key === upper)) {
      return () => choose(upper);
    }
    return null;
  }

  // ------------------------------------------------------------------ rendering

  function renderAll() {
    renderHeader();
    renderBanner();
    renderOverlays();
    if (S.screen === 'identity') renderIdentity();
    if (S.screen === 'exam' && S.items) {
      renderQuestionHead();
      renderAnswerState();
      renderGrid();
    }
    if (S.screen === 'end') renderEnd();
  }

  function renderHeader() {
    const inExam = ['identity', 'exam'].includes(S.screen);
    $('exam-title').textContent = (inExam && S.info.exam_title) || t('app_title');
    const who = $('who');
    who.hidden = !inExam;
    who.textContent = [S.info.name, S.info.participant_number].filter(Boolean).join(' · ');
    $('clock').hidden = S.screen !== 'exam';
    renderClock();
  }

  function renderClock() {
    const left = remainingMs();
    const value = $('clock-value');
    value.textContent = left === null ? '--:--:--' : formatTime(left);
    $('clock').dataset.remainingMs = left === null ? '' : String(left);
    $('clock').classList.toggle('low', left !== null && left < 5 * 60 * 1000);
    $('clock').classList.toggle('frozen', S.paused);
  }

  function renderBanner() {
    const loggedIn = Boolean(S.login) && S.screen !== 'login' && S.screen !== 'end';
    $('conn-banner').hidden = !loggedIn || isConnected();
    const pending = Object.keys(S.outbox).length;
    $('pending-count').textContent = pending ? t('pending_count', { n: pending }) : '';
  }

  function renderOverlays() {
    const inExam = S.screen === 'exam';
    $('pause-overlay').hidden = !(inExam && S.paused);
    $('timeup-overlay').hidden = !(inExam && !S.paused && remainingMs() === 0);
  }

  function renderIdentity() {
    $('id-name').textContent = S.info.name || '—';
    $('id-number').textContent = S.info.participant_number || '—';
    $('id-exam').textContent = S.info.exam_title || t('exam_default_title');
    $('instructions').textContent = S.info.instructions || t('instructions_default');
    $('score-note').hidden = S.info.show_score !== true;
  }

  function sectionOf(position) {
    const item = S.items && S.items[position - 1];
    return item ? item.section : '';
  }

  function renderQuestionHead() {
    $('q-number').textContent = t('question_of', { n: S.current, total: S.items.length });
    $('q-section').textContent = sectionOf(S.current);
  }

  function renderQuestion() {
    const item = S.items[S.current - 1];
    renderQuestionHead();
    // Stems and options are sanitised on import by the server; they are the only HTML put in the page.
    $('q-stem').innerHTML = item.stem;
    const options = $('q-options');
    options.replaceChildren();
    for (const option of item.options) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'option';
      button.setAttribute('role', 'radio');
      button.dataset.key = option.key;
      const key = document.createElement('span');
      key.className = 'option-key';
      key.textContent = option.key;
      const text = document.createElement('span');
      text.className = 'option-text';
      text.innerHTML = option.text;
      button.append(key, text);
      options.append(button);
    }
    document.querySelector('.question-pane').scrollTop = 0;
    renderAnswerState();
  }

  function saveState(position) {
    const key = String(position);
    if (key in S.outbox) return 'saving';
    if (S.acked.has(key) || S.answers[key] !== undefined) return 'saved';
    return '';
  }

  function renderAnswerState() {
    if (!S.items) {
      return;
    }
    const chosen = S.answers[S.current] ?? null;
    for (const button of $('q-options').querySelectorAll('.option')) {
      const selected = button.dataset.key === chosen;
      button.classList.toggle('selected', selected);
      button.setAttribute('aria-checked', String(selected));
    }
    const flagged = S.flags.has(S.current);
    const flag = $('flag-btn');
    flag.setAttribute('aria-pressed', String(flagged));
    flag.classList.toggle('on', flagged);
    flag.textContent = t(flagged ? 'flag_on' : 'flag');
    $('prev-btn').disabled = S.current <= 1;
    $('next-btn').disabled = S.current >= S.items.length;
    renderSaveStatus();
  }

  function renderSaveStatus() {
    const status = $('save-status');
    if (!S.items || S.screen !== 'exam') {
      return;
    }
    const state = saveState(S.current);
    status.dataset.state = state;
    status.textContent = state ? t(state) : '';
  }

  function renderGrid() {
    if (!S.items) {
      return;
    }
    const grid = $('nav-grid');
    if (grid.childElementCount !== S.items.length + sectionHeadings().length) {
      buildGrid(grid);
    }
    for (const button of grid.querySelectorAll('button')) {
      const position = Number(button.dataset.position);
      const answered = S.answers[position] !== undefined;
      const flagged = S.flags.has(position);
      const current = position === S.current;
      const pending = saveState(position) === 'saving';
      button.className = 'nav';
      button.classList.add(flagged ? 'doubtful' : answered ? 'answered' : 'blank');
      button.classList.toggle('current', current);
      button.classList.toggle('pending', pending);
      if (current) {
        button.setAttribute('aria-current', 'step');
      } else {
        button.removeAttribute('aria-current');
      }
      const states = [t(answered ? 'state_answered' : 'state_blank')];
      if (flagged) states.push(t('state_doubtful'));
      if (pending) states.push(t('state_pending'));
      button.setAttribute('aria-label', `${t('question_short', { n: position })}: ${states.join(', ')}`);
    }
  }

  function sectionHeadings() {
    return S.sections.length > 1 ? S.sections : [];
  }

  function buildGrid(grid) {
    grid.replaceChildren();
    const headings = new Map(sectionHeadings().map((s) => [s.first, s.name]));
    for (const item of S.items) {
      if (headings.has(item.position)) {
        const heading = document.createElement('div');
        heading.className = 'nav-section';
        heading.textContent = headings.get(item.position);
        grid.append(heading);
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.position = String(item.position);
      button.textContent = String(item.position);
      grid.append(button);
    }
  }

  function renderEnd() {
    $('end-title').textContent = t(`end_${S.status}`) || t('end_submitted');
    const result = S.result;
    $('result').hidden = !result;
    if (!result) {
      return;
    }
    const rows = $('result-rows');
    rows.replaceChildren();
    for (const section of result.sections || []) {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = section.name;
      const points = document.createElement('td');
      points.textContent = `${section.points} / ${section.max_points}`;
      const passed = document.createElement('td');
      passed.textContent = passedText(section.passed);
      row.append(name, points, passed);
      rows.append(row);
    }
    $('result-total').textContent = String(result.total);
    $('result-total-passed').textContent = passedText(result.passed);
    const overall = $('result-overall');
    overall.textContent = t(result.passed ? 'overall_passed' : 'overall_failed');
    overall.className = `overall ${result.passed ? 'passed' : 'failed'}`;
  }

  function passedText(passed) {
    if (passed === true) return t('passed');
    if (passed === false) return t('failed');
    return t('no_threshold');
  }

  // ------------------------------------------------------------------ wiring

  function fillKeysHelp() {
    const template = $('keys-help-template');
    for (const box of document.querySelectorAll('.keys-help')) {
      box.replaceChildren(template.content.cloneNode(true));
    }
  }

  function wire() {
    $('login-form').addEventListener('submit', onLoginSubmit);
    $('lang-btn').addEventListener('click', switchLanguage);
    $('fullscreen-btn').addEventListener('click', requestFullscreen);
    $('start-btn').addEventListener('click', onStart);
    $('prev-btn').addEventListener('click', () => goTo(S.current - 1));
    $('next-btn').addEventListener('click', () => goTo(S.current + 1));
    $('flag-btn').addEventListener('click', toggleFlag);
    $('finish-btn').addEventListener('click', openSubmitDialog);
    $('submit-cancel').addEventListener('click', () => $('submit-dialog').close());
    $('submit-confirm').addEventListener('click', confirmSubmit);
    $('submit-dialog').addEventListener('cancel', (event) => {
      if (S.submitting) event.preventDefault();
    });
    $('back-btn').addEventListener('click', () => showLogin(''));
    $('q-options').addEventListener('click', (event) => {
      const button = event.target.closest('.option');
      if (button) {
        choose(button.classList.contains('selected') ? null : button.dataset.key);
      }
    });
    $('nav-grid').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-position]');
      if (button) goTo(Number(button.dataset.position));
    });
    document.addEventListener('keydown', onKeyDown);
    for (const type of ['copy', 'cut', 'paste']) {
      document.addEventListener(type, onClipboard);
    }
    $('question-content').addEventListener('contextmenu', (event) => event.preventDefault());
    $('question-content').addEventListener('dragstart', (event) => event.preventDefault());
    window.addEventListener('blur', () => report('focus_lost'));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') report('visibility_hidden');
    });
    document.addEventListener('fullscreenchange', onFullscreenChange);
    window.addEventListener('storage', (event) => {
      // Another tab of this kiosk signed in or out: this one follows.
      if (event.key === `${PREFIX}login` && !event.newValue && S.login) showLogin('');
    });
  }

  function main() {
    fillKeysHelp();
    wire();
    applyLanguage();
    if (S.login && S.login.token && S.login.attempt_id && S.login.session_token) {
      beginAttempt(S.login);
    } else {
      S.login = null;
      showLogin('');
    }
    setInterval(tick, 250);
  }

  main();
})();
