/* The keyboard: A–E choose, Backspace/Delete clear, arrows or N/P move, R marks doubtful,
   Enter confirms the submit dialog. Ignored while typing, paused or out of time. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S, NAV_KEYS } = K;

  function isTyping(target) {
    return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  }

  function onKeyDown(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    const dialog = $('submit-dialog');
    if (dialog.open) {
      if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
        event.preventDefault();
        K.confirmSubmit();
      }
      return;
    }
    if (S.screen !== 'exam' || isTyping(event.target) || !S.items || S.paused || K.remainingMs() === 0) {
      return;
    }
    const action = keyAction(event.key);
    if (!action) {
      return;
    }
    event.preventDefault();
    action();
  }

  function keyAction(key) {
    if (key === 'ArrowRight') return () => K.goTo(S.current + 1);
    if (key === 'ArrowLeft') return () => K.goTo(S.current - 1);
    if (key === 'Backspace' || key === 'Delete') return () => K.choose(null);
    if (typeof key !== 'string' || !/^[a-z]$/i.test(key)) return null;
    const upper = key.toUpperCase();
    const named = NAV_KEYS[upper];
    if (named === 'next') return () => K.goTo(S.current + 1);
    if (named === 'prev') return () => K.goTo(S.current - 1);
    if (named === 'flag') return K.toggleFlag;
    const item = S.items[S.current - 1];
    if (item && item.options.some((option) => option.key === upper)) {
      return () => K.choose(upper);
    }
    return null;
  }

  K.provide({ onKeyDown });
})();
