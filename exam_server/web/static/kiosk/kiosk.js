/* The kiosk page's last script: it wires the page's controls to the functions the
   scripts before it added to window.Kiosk, and starts the page (see state.js for
   what the page keeps on this computer). */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S, PREFIX } = K;

  function fillKeysHelp() {
    const template = $('keys-help-template');
    for (const box of document.querySelectorAll('.keys-help')) {
      box.replaceChildren(template.content.cloneNode(true));
    }
  }

  function wire() {
    $('login-form').addEventListener('submit', K.onLoginSubmit);
    $('lang-btn').addEventListener('click', K.switchLanguage);
    $('fullscreen-btn').addEventListener('click', K.requestFullscreen);
    $('start-btn').addEventListener('click', K.onStart);
    $('prev-btn').addEventListener('click', () => K.goTo(S.current - 1));
    $('next-btn').addEventListener('click', () => K.goTo(S.current + 1));
    $('flag-btn').addEventListener('click', K.toggleFlag);
    $('finish-btn').addEventListener('click', K.openSubmitDialog);
    $('submit-cancel').addEventListener('click', () => $('submit-dialog').close());
    $('submit-confirm').addEventListener('click', K.confirmSubmit);
    $('submit-dialog').addEventListener('cancel', (event) => {
      if (S.submitting) event.preventDefault();
    });
    $('back-btn').addEventListener('click', () => K.showLogin(''));
    $('q-options').addEventListener('click', (event) => {
      const button = event.target.closest('.option');
      if (button) {
        K.choose(button.classList.contains('selected') ? null : button.dataset.key);
      }
    });
    $('nav-grid').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-position]');
      if (button) K.goTo(Number(button.dataset.position));
    });
    document.addEventListener('keydown', K.onKeyDown);
    for (const type of ['copy', 'cut', 'paste']) {
      document.addEventListener(type, K.onClipboard);
    }
    $('question-content').addEventListener('contextmenu', (event) => event.preventDefault());
    $('question-content').addEventListener('dragstart', (event) => event.preventDefault());
    window.addEventListener('blur', () => K.report('focus_lost'));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') K.report('visibility_hidden');
    });
    document.addEventListener('fullscreenchange', K.onFullscreenChange);
    window.addEventListener('storage', (event) => {
      // Another tab of this kiosk signed in or out: this one follows.
      if (event.key === `${PREFIX}login` && !event.newValue && S.login) K.showLogin('');
    });
  }

  function main() {
    Object.freeze(K); // every script has added its part: nothing replaces one later
    fillKeysHelp();
    wire();
    K.applyLanguage();
    if (S.login && S.login.token && S.login.attempt_id && S.login.session_token) {
      K.beginAttempt(S.login);
    } else {
      S.login = null;
      K.showLogin('');
    }
    setInterval(K.tick, 250);
  }

  main();
})();
