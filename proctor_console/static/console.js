/* The console page's last script: it binds the page's controls and keys to the
   functions the scripts before it added to window.ProctorConsole, and starts the
   console (see console-state.js for what it keeps in the browser). */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, LANG_KEY } = P;

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || S.screen !== 'console') return;
    if ($('action-dialog').open) return;
    const tag = (event.target && event.target.tagName) || '';
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag)) return;
    const key = event.key.toLowerCase();
    if (key === 'g') P.setView('grid');
    else if (key === 't') P.setView('table');
    else if (key === 'a') $('announce-text').focus();
    else if ((key === '[' || key === ']') && S.order.length > 1) {
      const i = S.order.indexOf(S.current);
      P.switchTo(S.order[(i + (key === ']' ? 1 : S.order.length - 1)) % S.order.length]);
    } else return;
    event.preventDefault();
  }

  function bind() {
    $('login-form').addEventListener('submit', P.onLogin);
    $('session-form').addEventListener('submit', P.onSessionForm);
    $('picker-back').addEventListener('click', () => { P.show('console'); P.scheduleRender(); });
    $('add-session-btn').addEventListener('click', P.openPicker);
    $('logout-btn').addEventListener('click', () => P.logout());
    $('lang-btn').addEventListener('click', () => {
      S.lang = S.lang === 'id' ? 'en' : 'id';
      P.writeJson(localStorage, LANG_KEY, S.lang);
      P.applyLanguage();
    });
    $('view-grid').addEventListener('click', () => P.setView('grid'));
    $('view-table').addEventListener('click', () => P.setView('table'));
    [['filter-disconnected', 'disconnected'], ['filter-alerts', 'alerts'], ['filter-not-started', 'not_started']]
      .forEach(([id, name]) => $(id).addEventListener('change', (e) => {
        S.filters[name] = e.target.checked;
        P.render();
      }));
    $('pause-all-btn').addEventListener('click', () => S.current !== null && P.openDialog({ kind: 'pause', sessionId: S.current }));
    $('resume-all-btn').addEventListener('click', () => S.current !== null && P.openDialog({ kind: 'resume', sessionId: S.current }));
    $('announce-btn').addEventListener('click', P.onAnnounce);
    $('dialog-form').addEventListener('submit', P.onDialogSubmit);
    $('dialog-cancel').addEventListener('click', P.closeDialog);
    $('action-dialog').addEventListener('close', () => { S.dialog = null; });
    document.addEventListener('keydown', onKey);
    window.setInterval(P.tick, 1000);
  }

  // ------------------------------------------------------------------ start

  Object.freeze(P); // every script has added its part: nothing replaces one later
  bind();
  P.applyLanguage();
  if (S.auth && S.auth.token) {
    P.startConsole();
  } else {
    P.show('login');
    $('username').focus();
  }
})();
