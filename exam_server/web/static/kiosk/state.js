/* The candidate's kiosk: login, identity, the exam, the end screen.

   The server decides everything (time, status, scores). The page shows it,
   keeps the candidate's unacknowledged answers on this computer until the
   server confirms them, and reconnects by itself.

   The page is a few plain scripts, loaded in order by kiosk.html, that share
   one namespace, window.Kiosk. This one comes first: the namespace, the
   constants, the stored data and the page's state, and the texts. kiosk.js
   comes last and starts the page.

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

  /* The namespace every script of the page adds its functions to; a name given twice is a mistake. */
  const K = {
    provide(parts) {
      for (const [name, value] of Object.entries(parts)) {
        if (name in K) {
          throw new Error(`kiosk: ${name} is defined twice`);
        }
        K[name] = value;
      }
    },
  };
  window.Kiosk = K;

  K.provide({
    PREFIX,
    ACK_TIMEOUT_MS: 10000,
    RESEND_AFTER_MS: 8000,
    ENDED: new Set(['submitted', 'timed_out', 'ended_by_proctor']),
    LOGOUT_CODES: new Set(['unauthorized', 'session_closed']),
    DROP_CODES: new Set(['time_up', 'submitted', 'invalid_position', 'invalid_choice', 'bad_request', 'not_started']),
    NAV_KEYS: { N: 'next', P: 'prev', R: 'flag' },
    $: (id) => document.getElementById(id),
  });

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

  // ------------------------------------------------------------------ the attempt's queues

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

  function nextSeq() {
    const key = `seq.${attemptKey(S.login)}`;
    const seq = Math.max((Number(store.get(key, 0)) || 0) + 1, Date.now());
    store.set(key, seq);
    return seq;
  }

  K.provide({ store, S, t, attemptKey, dropOtherQueues, forgetLogin, saveLocal, nextSeq });
})();
