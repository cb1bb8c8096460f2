/* From the sign-in form to the start of the exam: the login call, beginning (or resuming)
   an attempt with its stored queues, and the identity screen with its start button. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S, t, store } = K;

  // ------------------------------------------------------------------ login

  function showLogin(message) {
    K.disconnectSocket();
    S.status = null;
    S.items = null;
    S.formWaiters = null;
    K.showScreen('login');
    K.showError('login-error', message);
    const number = $('participant-number');
    const token = $('session-token');
    (token.value && token.readOnly ? number : token).focus();
  }

  function loginMessage(code, message) {
    switch (code) {
      case 'bad_credentials':
      case 'already_connected':
      case 'session_closed':
      case 'session_not_open':
      case 'busy':
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
      K.showError('login-error', t('login_missing'));
      return;
    }
    const button = $('login-submit');
    button.disabled = true;
    button.textContent = t('login_busy');
    K.showError('login-error', '');
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
      K.showError('login-error', loginMessage(error.code || `http_${response.status}`, error.message));
      if (error.code === 'busy') {
        // The server is storing a start storm's writes: ask again when it says, a little spread out.
        const seconds = Number(response.headers.get('Retry-After')) || 5;
        clearTimeout(S.notOpenRetry);
        S.notOpenRetry = setTimeout(() => {
          if ($('password').value) onLoginSubmit({ preventDefault() {} });
        }, seconds * 1000 + Math.random() * 2000);
      }
      if (error.code === 'session_not_open') {
        // A sealed session opens at the hub's word or with its release code: try again by itself.
        clearTimeout(S.notOpenRetry);
        S.notOpenRetry = setTimeout(() => {
          if ($('password').value) onLoginSubmit({ preventDefault() {} });
        }, 5000);
      }
    } catch (e) {
      K.showError('login-error', t('err_network'));
    } finally {
      button.disabled = false;
      button.textContent = t('login_button');
    }
  }

  function beginAttempt(login) {
    S.login = login;
    store.set('login', login);
    try {
      K.dropOtherQueues(login);
    } catch (e) { /* storage disabled: nothing stored to drop */ }
    S.outbox = store.get(`outbox.${K.attemptKey(login)}`, {}) || {};
    S.flagOutbox = store.get(`flags.${K.attemptKey(login)}`, {}) || {};
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
    K.showScreen('connecting');
    K.connectSocket();
  }

  // ------------------------------------------------------------------ identity and start

  function showIdentity() {
    K.showScreen('identity');
    renderIdentity();
    $('start-btn').focus();
  }

  function renderIdentity() {
    $('id-name').textContent = S.info.name || '—';
    $('id-number').textContent = S.info.participant_number || '—';
    $('id-exam').textContent = S.info.exam_title || t('exam_default_title');
    $('instructions').textContent = S.info.instructions || t('instructions_default');
    $('score-note').hidden = S.info.show_score !== true;
  }

  function onStart() {
    if (!K.isConnected()) {
      return;
    }
    const button = $('start-btn');
    button.disabled = true;
    K.showError('start-error', '');
    K.call('start', {}, (ack) => {
      button.disabled = false;
      if (!ack) {
        K.showError('start-error', t('err_network'));
        return;
      }
      if (!ack.ok) {
        K.showError('start-error', ack.error && ack.error.message);
        K.handleCallError(ack.error);
        return;
      }
      S.status = 'in_progress';
      K.syncClock(ack.remaining_ms);
      K.refreshState();
    });
  }

  K.provide({ showLogin, loginMessage, onLoginSubmit, beginAttempt, showIdentity, renderIdentity, onStart });
})();
