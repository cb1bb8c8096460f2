/* The proctor's web console: sign in, pick sessions, watch the hall live, steer attempts.

   The server is the truth. After every (re)connect the console asks for a full
   snapshot of each watched session (`watch`) and replaces what it holds; the
   `candidate` events in between replace one candidate each. Nothing is ever
   patched together from messages that might have been missed.

   The console is a few plain scripts, loaded in order by proctor.html, that
   share one namespace, window.ProctorConsole. This one comes first: the
   namespace, the constants, the stored data and the console's state.
   console.js comes last and starts the console.

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

  /* The namespace every script of the console adds its functions to; a name given twice is a mistake. */
  const P = {
    provide(parts) {
      for (const [name, value] of Object.entries(parts)) {
        if (name in P) {
          throw new Error(`console: ${name} is defined twice`);
        }
        P[name] = value;
      }
    },
  };
  window.ProctorConsole = P;

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

  P.provide({
    I18N,
    AUTH_KEY,
    WATCH_KEY,
    LANG_KEY,
    ACK_TIMEOUT_MS: 15000,
    FEED_LIMIT: 200,
    WEBSOCKET_TRIES: 2,
    ENDED: new Set(['submitted', 'timed_out', 'ended_by_proctor']),
    STATUSES: ['not_started', 'in_progress', 'paused', 'submitted', 'timed_out', 'ended_by_proctor'],
    ACTION_EVENTS: { pause: 'pause', resume: 'resume', extend: 'extend', end: 'end_attempt', reset: 'reset_login',
      announce: 'announce' },
    $: (id) => document.getElementById(id),
    writeJson,
    S,
  });
})();
