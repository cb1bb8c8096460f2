/* The kiosk's frame: language, which screen shows, the header, the offline banner,
   the pause and time-up overlays, and the proctor's announcements. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S, t, store } = K;

  // ------------------------------------------------------------------ language

  function applyLanguage() {
    document.documentElement.lang = S.lang;
    document.title = t('app_title');
    for (const el of document.querySelectorAll('[data-i18n]')) {
      el.textContent = t(el.dataset.i18n);
    }
    const button = $('lang-btn');
    button.textContent = t('switch_language');
    button.lang = S.lang === 'id' ? 'en' : 'id';
    button.setAttribute('aria-label', t('switch_language_label'));
    $('nav-grid').setAttribute('aria-label', t('nav_title'));
    renderAll();
  }

  function switchLanguage() {
    S.lang = S.lang === 'id' ? 'en' : 'id';
    store.set('lang', S.lang);
    applyLanguage();
  }

  // ------------------------------------------------------------------ screens

  function showScreen(name) {
    S.screen = name;
    for (const el of document.querySelectorAll('.screen')) {
      el.hidden = el.id !== `screen-${name}`;
    }
    document.body.dataset.screen = name;
    renderHeader();
    renderOverlays();
    renderBanner();
  }

  function showError(id, message) {
    const el = $(id);
    el.textContent = message || '';
    el.hidden = !message;
  }

  // ------------------------------------------------------------------ rendering

  function renderAll() {
    renderHeader();
    renderBanner();
    renderOverlays();
    if (S.screen === 'identity') K.renderIdentity();
    if (S.screen === 'exam' && S.items) {
      K.renderQuestionHead();
      K.renderAnswerState();
      K.renderGrid();
    }
    if (S.screen === 'end') K.renderEnd();
  }

  function renderHeader() {
    const inExam = ['identity', 'exam'].includes(S.screen);
    $('exam-title').textContent = (inExam && S.info.exam_title) || t('app_title');
    const who = $('who');
    who.hidden = !inExam;
    who.textContent = [S.info.name, S.info.participant_number].filter(Boolean).join(' · ');
    $('clock').hidden = S.screen !== 'exam';
    K.renderClock();
  }

  function renderBanner() {
    const loggedIn = Boolean(S.login) && S.screen !== 'login' && S.screen !== 'end';
    $('conn-banner').hidden = !loggedIn || K.isConnected();
    const pending = Object.keys(S.outbox).length;
    $('pending-count').textContent = pending ? t('pending_count', { n: pending }) : '';
  }

  function renderOverlays() {
    const inExam = S.screen === 'exam';
    $('pause-overlay').hidden = !(inExam && S.paused);
    $('timeup-overlay').hidden = !(inExam && !S.paused && K.remainingMs() === 0);
  }

  // ------------------------------------------------------------------ announcements

  function showAnnouncement(text) {
    if (typeof text !== 'string' || !text) {
      return;
    }
    const toast = document.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', 'status');
    const title = document.createElement('strong');
    title.textContent = t('announcement');
    const body = document.createElement('p');
    body.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.textContent = t('dismiss');
    close.addEventListener('click', () => toast.remove());
    toast.append(title, body, close);
    $('toasts').append(toast);
  }

  K.provide({ applyLanguage, switchLanguage, showScreen, showError, renderBanner, renderOverlays, showAnnouncement });
})();
