/* The console's link to the server: the /proctor socket, a fresh snapshot of every
   watched session after each (re)connect, the fall-back to long-polling when websocket
   is blocked, the connection line in the header, and calls with an acknowledgement. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, ACK_TIMEOUT_MS, WEBSOCKET_TRIES } = P;

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
    socket.on('candidate', P.onCandidate);
    socket.on('alert', P.onAlert);
    socket.on('site', P.onSite);
    // The server asks for a fresh snapshot when updates may have been lost
    // (its message queue was down for a while): same as after a reconnect.
    socket.on('resync', onConnect);
    // An admin took this proctor off a session: the server sends no more of it.
    socket.on('unwatched', onUnwatched);
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
      if (again) P.addFeed(id, 'note', t('feed_reconnected'));
    }, (code, message) => {
      P.addFeed(id, 'refused', message);
      if (code === 'forbidden' || code === 'not_found') P.closeSession(id);
    }));
  }

  function onUnwatched(data) {
    const id = data && data.session_id;
    const s = S.sessions.get(id);
    if (!s) return;
    const text = t('feed_unassigned', { name: s.info.name });
    P.closeSession(id);
    if (S.current === null) P.showError($('picker-error'), text);
    else P.addFeed(S.current, 'note', text);
  }

  function onDisconnect(reason) {
    S.connected = false;
    S.sessions.forEach((s) => { s.stale = true; });
    setConnectionState();
    P.scheduleRender();
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
        P.logout(t('err_unauthorized'));
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
          P.logout(t('err_unauthorized'));
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
      P.applySnapshot(ack);
      if (done) done(ack);
    }, failed);
  }

  P.provide({ connect, setConnectionState, call, requestSnapshot });
})();
