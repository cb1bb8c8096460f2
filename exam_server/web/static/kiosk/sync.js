/* The attempt as the server holds it: the `state` call, which screen it leads to, and the
   question form (fetched once, however many callers wait for it). */
'use strict';

(() => {
  const K = window.Kiosk;
  const { S, ENDED } = K;

  function refreshState() {
    if (!K.isConnected()) {
      return;
    }
    clearTimeout(S.stateRetry);
    K.call('state', {}, (ack) => {
      if (!ack) {
        S.stateRetry = setTimeout(refreshState, 2000);
        return;
      }
      if (!ack.ok) {
        K.handleCallError(ack.error);
        return;
      }
      applyState(ack);
    });
  }

  function applyState(state) {
    S.info = {
      name: typeof state.name === 'string' ? state.name : '',
      participant_number: state.participant_number || (S.login && S.login.participant_number) || '',
      exam_title: state.exam_title || '',
      instructions: typeof state.instructions === 'string' ? state.instructions : '',
      show_score: state.show_score,
    };
    S.sections = Array.isArray(state.sections) ? state.sections : [];
    S.total = Number(state.items) || 0;
    S.status = state.status;
    S.paused = state.status === 'paused';
    S.answers = {};
    for (const [position, choice] of Object.entries(state.answers || {})) {
      if (choice !== null) {
        S.answers[position] = choice;
      }
    }
    S.flags = new Set((state.flags || []).map(Number));
    // What this page chose (sent or still to send) wins over what the server had seen when it answered.
    for (const [position, choice] of Object.entries(S.mine)) {
      K.setLocalAnswer(position, choice);
    }
    for (const [position, flagged] of Object.entries(S.myFlags)) {
      K.setLocalFlag(Number(position), flagged);
    }
    K.syncClock(state.remaining_ms, state.server_time);
    if (ENDED.has(state.status)) {
      K.showEnd(state.status, null);
    } else if (state.status === 'not_started') {
      K.showIdentity();
    } else {
      loadForm(() => K.showExam());
    }
  }

  function loadForm(then) {
    if (S.items) {
      then();
      return;
    }
    if (S.formWaiters) {
      S.formWaiters.push(then); // already asked for: one request serves every caller
      return;
    }
    S.formWaiters = [then];
    K.call('form', {}, (ack) => {
      const waiters = S.formWaiters || [];
      S.formWaiters = null;
      if (!ack || !ack.ok) {
        if (ack) {
          K.handleCallError(ack.error);
        } else {
          setTimeout(refreshState, 2000);
        }
        return;
      }
      S.items = ack.items.slice().sort((a, b) => a.position - b.position);
      S.total = S.total || S.items.length;
      for (const waiter of waiters) {
        waiter();
      }
    });
  }

  K.provide({ refreshState });
})();
