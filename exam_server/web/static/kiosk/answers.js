/* The candidate's answers and doubtful marks: set on the page at once, queued in
   localStorage (with a seq that never goes back) until the server acknowledges them,
   sent again after a reconnect or when an acknowledgement is overdue. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { S, DROP_CODES, RESEND_AFTER_MS } = K;

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

  // ------------------------------------------------------------------ answers

  function choose(choice) {
    if (!K.canAnswer()) {
      return;
    }
    const position = S.current;
    if ((S.answers[position] ?? null) === choice) {
      return;
    }
    setLocalAnswer(position, choice);
    S.mine[position] = choice;
    S.outbox[position] = { choice, seq: K.nextSeq(), sentAt: 0 };
    S.acked.delete(String(position));
    persistOutbox();
    K.renderAnswerState();
    K.renderGrid();
    sendAnswer(position);
  }

  function persistOutbox() {
    const plain = {};
    for (const [position, entry] of Object.entries(S.outbox)) {
      plain[position] = { choice: entry.choice, seq: entry.seq };
    }
    K.saveLocal('outbox', plain);
    K.renderBanner();
  }

  function sendAnswer(position) {
    const entry = S.outbox[position];
    if (!entry || !K.isConnected() || S.paused) {
      return;
    }
    entry.sentAt = Date.now();
    const seq = entry.seq;
    K.call('answer', { position: Number(position), choice: entry.choice, seq }, (ack) => onAnswerAck(position, seq, ack));
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
        K.refreshState(); // a newer answer is stored (from another workstation): show it
      } else {
        S.acked.add(String(position));
      }
      K.renderAnswerState();
      K.renderGrid();
      return;
    }
    const code = ack.error && ack.error.code;
    if (DROP_CODES.has(code)) {
      delete S.outbox[position];
      delete S.mine[position];
      persistOutbox();
      K.refreshState();
    }
    K.handleCallError(ack.error);
  }

  function flushOutbox() {
    for (const position of Object.keys(S.outbox)) {
      sendAnswer(position);
    }
  }

  function resendOverdue() {
    if (!K.isConnected()) {
      return;
    }
    const now = Date.now();
    for (const [position, entry] of Object.entries(S.outbox)) {
      if (now - (entry.sentAt || 0) > RESEND_AFTER_MS) {
        sendAnswer(position);
      }
    }
  }

  // ------------------------------------------------------------------ doubtful marks

  function toggleFlag() {
    if (!K.canAnswer()) {
      return;
    }
    const position = S.current;
    const flagged = !S.flags.has(position);
    setLocalFlag(position, flagged);
    S.myFlags[position] = flagged;
    S.flagOutbox[position] = flagged;
    K.saveLocal('flags', S.flagOutbox);
    K.renderAnswerState();
    K.renderGrid();
    sendFlag(position);
  }

  function sendFlag(position) {
    const key = String(position);
    if (!(key in S.flagOutbox) || S.flagsInFlight.has(key) || !K.isConnected() || S.paused) {
      return;
    }
    const flagged = S.flagOutbox[key];
    S.flagsInFlight.add(key);
    K.call('flag', { position: Number(position), flagged }, (ack) => {
      S.flagsInFlight.delete(key);
      const refused = ack && !ack.ok && DROP_CODES.has(ack.error && ack.error.code);
      if ((refused || (ack && ack.ok)) && S.flagOutbox[key] === flagged) {
        delete S.flagOutbox[key];
        if (refused) {
          delete S.myFlags[key];
          K.refreshState();
        }
        K.saveLocal('flags', S.flagOutbox);
      }
      if (ack && !ack.ok) {
        K.handleCallError(ack.error);
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

  K.provide({ setLocalAnswer, setLocalFlag, choose, flushOutbox, resendOverdue, toggleFlag, flushFlags });
})();
