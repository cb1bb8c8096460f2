/* Signing in and out: the sign-in form, the JSON API helper, which of the three screens
   shows, starting the console after sign-in (or after a reload) and logging out. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, has, AUTH_KEY, WATCH_KEY } = P;

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

  // ------------------------------------------------------------------ sign in

  async function onLogin(event) {
    event.preventDefault();
    const username = $('username').value.trim();
    const password = $('password').value;
    if (!username || !password) {
      P.showError($('login-error'), t('login_missing'), 'missing');
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
        P.showError($('login-error'), text, code || 'server');
        return;
      }
      P.showError($('login-error'), '');
      $('password').value = '';
      S.auth = { token: body.token, role: body.role, username };
      P.writeJson(sessionStorage, AUTH_KEY, S.auth);
      startConsole();
    } catch (e) {
      P.showError($('login-error'), t('err_network'), 'network');
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
    P.connect();
    if (S.order.length) {
      if (!S.order.includes(S.current)) S.current = S.order[0];
      S.order.forEach((id) => P.ensureSession(id));
      show('console');
      P.scheduleRender();
    } else {
      P.openPicker();
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
    P.writeJson(sessionStorage, AUTH_KEY, null);
    P.writeJson(sessionStorage, WATCH_KEY, null);
    showWho();
    P.setConnectionState();
    show('login');
    P.showError($('login-error'), message || '', message ? 'unauthorized' : '');
    $('username').focus();
  }

  P.provide({ show, showWho, onLogin, api, startConsole, logout });
})();
