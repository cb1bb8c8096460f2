/* The kiosk's link to the server: the /candidate socket, reconnecting after a drop or
   a refusal, calls with an acknowledgement, and what a refused call means. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { S, t, store, ACK_TIMEOUT_MS, LOGOUT_CODES } = K;

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
    socket.on('time', (data) => data && K.syncClock(data.remaining_ms, data.server_time));
    socket.on('paused', K.onPaused);
    socket.on('resumed', K.onResumed);
    socket.on('announcement', (data) => data && K.showAnnouncement(data.text));
    socket.on('ended', (data) => K.showEnd((data && data.status) || 'submitted', data && data.result));
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
    K.renderBanner();
    K.flushOutbox();
    K.flushFlags();
    K.flushReports();
    K.refreshState();
  }

  function onDisconnect(reason) {
    S.connected = false;
    K.renderBanner();
    K.renderSaveStatus();
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
      K.showLogin(t('err_already_connected'));
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
      K.renderBanner();
      return;
    }
    const { code, message } = refusalOf(err);
    if (LOGOUT_CODES.has(code)) {
      K.forgetLogin({ keepQueues: true });
      K.showLogin(K.loginMessage(code, message));
      return;
    }
    // Refused for another reason (e.g. a server error): try again shortly.
    K.renderBanner();
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
      K.onPaused({});
    } else if (code === 'time_up' || code === 'submitted') {
      K.refreshState();
    }
  }

  K.provide({ connectSocket, disconnectSocket, isConnected, call, handleCallError });
})();
