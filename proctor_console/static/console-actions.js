/* The proctor's actions: the buttons on each tile and row (pause or resume, extend,
   end, reset login), the session-wide pause, resume and announcement, and the dialog
   each of them opens, which sends the action with its reason and notes the outcome. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, el, setText, ENDED, ACTION_EVENTS } = P;

  // ------------------------------------------------------------------ buttons

  function actionButtons(attemptId) {
    return ['toggle', 'extend', 'end', 'reset'].map((kind) => {
      const button = el('button', { className: `act act-${kind}`, attrs: { type: 'button' }, data: { action: kind } });
      button.addEventListener('click', () => {
        const s = S.sessions.get(S.current);
        const c = s && s.candidates.get(attemptId);
        if (!c) return;
        const action = kind === 'toggle' ? (c.status === 'paused' ? 'resume' : 'pause') : kind;
        openDialog({ kind: action, sessionId: S.current, candidate: c });
      });
      return button;
    });
  }

  // In the table the actions sit behind one "Aksi" button, so that a row stays one
  // line high. The list floats over the page (fixed, placed under or above the
  // button) so that the table's own scrolling box does not clip it.
  function actionMenu(c) {
    const list = el('div', { className: 'row-menu-list' }, actionButtons(c.attempt_id));
    const summary = el('summary', { className: 'act row-menu-button', text: t('col_actions') });
    const menu = el('details', { className: 'row-menu' }, [summary, list]);
    menu.addEventListener('toggle', () => {
      if (!menu.open) return;
      closeMenus(menu);
      placeMenu(menu);
    });
    list.addEventListener('click', (event) => { if (event.target.closest('button')) menu.open = false; });
    menu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && menu.open) {
        menu.open = false;
        summary.focus();
        event.stopPropagation();
      }
    });
    return menu;
  }

  function placeMenu(menu) {
    const box = menu.querySelector('summary').getBoundingClientRect();
    const list = menu.querySelector('.row-menu-list');
    const below = box.bottom + 4 + list.offsetHeight <= window.innerHeight;
    list.style.top = `${below ? box.bottom + 4 : Math.max(4, box.top - 4 - list.offsetHeight)}px`;
    list.style.left = `${Math.max(4, Math.min(box.right, window.innerWidth - 4) - list.offsetWidth)}px`;
  }

  function closeMenus(except) {
    document.querySelectorAll('details.row-menu[open]').forEach((menu) => { if (menu !== except) menu.open = false; });
  }

  function nameActionMenu(container, c) {
    const summary = container.querySelector('summary');
    if (!summary) return;
    setText(summary, t('col_actions'));
    summary.setAttribute('aria-label', t('actions_for', { who: `${c.participant_number} ${c.name}` }));
  }

  // A click elsewhere closes an open menu; a scroll or a resize moves it along with its row.
  document.addEventListener('click', (event) => { if (!event.target.closest('details.row-menu')) closeMenus(); });
  const followRow = () => document.querySelectorAll('details.row-menu[open]').forEach(placeMenu);
  window.addEventListener('scroll', followRow, true);
  window.addEventListener('resize', followRow);

  function updateActionButtons(container, c) {
    const ended = ENDED.has(c.status);
    container.querySelectorAll('button[data-action]').forEach((button) => {
      const kind = button.dataset.action;
      if (kind === 'toggle') {
        const resume = c.status === 'paused';
        setText(button, resume ? t('act_resume') : t('act_pause'));
        button.dataset.does = resume ? 'resume' : 'pause';
        button.disabled = !(c.status === 'in_progress' || c.status === 'paused');
      } else {
        setText(button, t(`act_${kind}`));
        button.disabled = (kind === 'extend' || kind === 'end') && ended;
      }
    });
  }

  // ------------------------------------------------------------------ the dialog

  function targetText(action) {
    if (action.candidate) {
      const c = action.candidate;
      return `${c.participant_number} — ${c.name}${c.seat ? ` (${t('seat', { seat: c.seat })})` : ''}`;
    }
    const s = S.sessions.get(action.sessionId);
    return t('dialog_session_target', { name: s ? s.info.name : `#${action.sessionId}` });
  }

  function openDialog(action) {
    const dialog = $('action-dialog');
    if (dialog.open) return;
    S.dialog = action;
    const whole = !action.candidate && (action.kind === 'pause' || action.kind === 'resume');
    $('dialog-title').textContent = t(whole ? `dialog_${action.kind}_all` : `dialog_${action.kind}`);
    $('dialog-target').textContent = targetText(action);
    const warning = action.kind === 'end' ? t('dialog_end_warning') : (action.kind === 'reset' ? t('dialog_reset_warning') : '');
    $('dialog-warning').textContent = warning;
    $('dialog-warning').hidden = !warning;
    $('dialog-minutes-row').hidden = action.kind !== 'extend';
    $('dialog-text-row').hidden = action.kind !== 'announce';
    $('dialog-minutes').value = '5';
    $('dialog-text').value = action.text || '';
    $('dialog-reason').value = '';
    P.showError($('dialog-error'), '');
    const confirm = $('dialog-confirm');
    confirm.disabled = false;
    confirm.textContent = t(`confirm_${action.kind}`);
    confirm.className = action.kind === 'end' || action.kind === 'reset' ? 'danger' : 'primary';
    dialog.dataset.action = action.kind;
    dialog.showModal();
    const first = action.kind === 'extend' ? $('dialog-minutes') : (action.kind === 'announce' ? $('dialog-text') : $('dialog-reason'));
    first.focus();
  }

  function closeDialog() {
    const dialog = $('action-dialog');
    if (dialog.open) dialog.close();
    S.dialog = null;
  }

  function dialogPayload(action) {
    const reason = $('dialog-reason').value.trim();
    const body = {};
    if (action.candidate) body.attempt_id = action.candidate.attempt_id;
    else body.session_id = action.sessionId;
    if (action.kind === 'extend') {
      const minutes = Number($('dialog-minutes').value);
      if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 600) return { error: t('minutes_invalid') };
      body.minutes = minutes;
    }
    if (action.kind === 'announce') {
      const text = $('dialog-text').value.trim();
      if (!text) return { error: t('announce_empty') };
      body.text = text;
    }
    if (reason) body.reason = reason;
    return { body };
  }

  function onDialogSubmit(event) {
    event.preventDefault();
    const action = S.dialog;
    if (!action) return;
    const { body, error } = dialogPayload(action);
    if (error) {
      P.showError($('dialog-error'), error, 'invalid');
      return;
    }
    const confirm = $('dialog-confirm');
    confirm.disabled = true;
    confirm.textContent = t('busy');
    const target = targetText(action);
    const label = action.kind === 'extend' ? t('done_extend', { minutes: body.minutes })
      : (action.kind === 'announce' ? t('done_announce', { text: body.text }) : t(`done_${action.kind}`));
    P.call(ACTION_EVENTS[action.kind], body, () => {
      let text = t('feed_action', { action: label, target: action.candidate ? target : t('target_session') });
      if (body.reason) text += ` (${t('feed_reason', { reason: body.reason })})`;
      P.addFeed(action.sessionId, 'action', text);
      if (action.kind === 'announce') $('announce-text').value = '';
      closeDialog();
    }, (code, message) => {
      confirm.disabled = false;
      confirm.textContent = t(`confirm_${action.kind}`);
      P.showError($('dialog-error'), message, code);
      P.addFeed(action.sessionId, 'refused', t('feed_refused', { action: t(`act_${action.kind}`), target, message }));
    });
  }

  function onAnnounce() {
    const text = $('announce-text').value.trim();
    if (!text) {
      $('announce-text').focus();
      return;
    }
    if (S.current !== null) openDialog({ kind: 'announce', sessionId: S.current, text });
  }

  P.provide({ actionButtons, actionMenu, nameActionMenu, updateActionButtons, openDialog, closeDialog, onDialogSubmit, onAnnounce });
})();
