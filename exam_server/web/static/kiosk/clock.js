/* The countdown: the server's remaining time, kept in step with the server's clock,
   frozen while the proctor pauses, and the quarter-second tick that drives it. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S } = K;

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

  function renderClock() {
    const left = remainingMs();
    const value = $('clock-value');
    value.textContent = left === null ? '--:--:--' : formatTime(left);
    $('clock').dataset.remainingMs = left === null ? '' : String(left);
    $('clock').classList.toggle('low', left !== null && left < 5 * 60 * 1000);
    $('clock').classList.toggle('frozen', S.paused);
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
      K.refreshState();
    }
    K.renderOverlays();
    K.resendOverdue();
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
    K.renderOverlays();
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
    K.renderOverlays();
    for (const entry of Object.values(S.outbox)) {
      entry.sentAt = 0;
    }
    K.flushOutbox();
    K.flushFlags();
  }

  K.provide({ syncClock, remainingMs, renderClock, tick, onPaused, onResumed });
})();
