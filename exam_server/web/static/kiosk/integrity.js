/* Kiosk integrity reports: leaving the window, hiding the page, leaving full screen,
   copying or pasting are reported to the proctor (at most once a second per kind),
   and copying out of the exam is blocked. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S } = K;

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
    while (K.isConnected() && S.reports.length) {
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

  K.provide({ report, flushReports, onClipboard, requestFullscreen, onFullscreenChange });
})();
