/* The end of the exam: the submit dialog (every answer stored first), and the end
   screen with the result when the exam shows it. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S, t, ENDED } = K;

  // ------------------------------------------------------------------ submit

  function openSubmitDialog() {
    if (S.screen !== 'exam' || S.paused) {
      return;
    }
    const answered = Object.keys(S.answers).length;
    const total = S.items ? S.items.length : S.total;
    $('submit-counts').textContent = t('submit_counts', { blank: total - answered, doubtful: S.flags.size });
    $('submit-counts').dataset.blank = String(total - answered);
    $('submit-counts').dataset.doubtful = String(S.flags.size);
    K.showError('submit-error', '');
    setSubmitBusy(false);
    $('submit-dialog').showModal();
    $('submit-confirm').focus();
  }

  function setSubmitBusy(busy) {
    S.submitting = busy;
    $('submit-confirm').disabled = busy;
    $('submit-cancel').disabled = busy;
    $('submit-confirm').textContent = t(busy ? 'submit_busy' : 'submit_confirm');
  }

  function waitForOutbox(timeoutMs) {
    return new Promise((resolve) => {
      const started = Date.now();
      const check = () => {
        if (!Object.keys(S.outbox).length) {
          resolve(true);
        } else if (Date.now() - started > timeoutMs || !K.isConnected()) {
          resolve(false);
        } else {
          setTimeout(check, 100);
        }
      };
      check();
    });
  }

  async function confirmSubmit() {
    if (S.submitting) {
      return;
    }
    if (!K.isConnected()) {
      K.showError('submit-error', t('submit_offline'));
      return;
    }
    setSubmitBusy(true);
    K.flushOutbox();
    // Every answer must be stored before the attempt is closed.
    if (!(await waitForOutbox(15000))) {
      setSubmitBusy(false);
      K.showError('submit-error', t(K.isConnected() ? 'submit_unsaved' : 'submit_offline'));
      return;
    }
    K.call('submit', {}, (ack) => {
      setSubmitBusy(false);
      if (ack && ack.ok) {
        $('submit-dialog').close();
        showEnd(ack.status || 'submitted', ack.result);
        return;
      }
      if (ack && ack.error && ENDED.has(S.status)) {
        $('submit-dialog').close();
        return;
      }
      K.showError('submit-error', ack ? t('submit_failed', { message: ack.error && ack.error.message }) : t('err_network'));
      if (ack) {
        K.handleCallError(ack.error);
      }
    });
  }

  // ------------------------------------------------------------------ the end

  function showEnd(status, result) {
    S.status = status;
    S.paused = false;
    S.result = result || null;
    if ($('submit-dialog').open) {
      $('submit-dialog').close();
    }
    K.forgetLogin();
    K.disconnectSocket();
    K.showScreen('end');
    renderEnd();
    $('back-btn').focus();
  }

  function renderEnd() {
    $('end-title').textContent = t(`end_${S.status}`) || t('end_submitted');
    const result = S.result;
    $('result').hidden = !result;
    if (!result) {
      return;
    }
    const rows = $('result-rows');
    rows.replaceChildren();
    for (const section of result.sections || []) {
      const row = document.createElement('tr');
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = section.name;
      const points = document.createElement('td');
      points.textContent = `${section.points} / ${section.max_points}`;
      const passed = document.createElement('td');
      passed.textContent = passedText(section.passed);
      row.append(name, points, passed);
      rows.append(row);
    }
    $('result-total').textContent = String(result.total);
    $('result-total-passed').textContent = passedText(result.passed);
    const overall = $('result-overall');
    overall.textContent = t(result.passed ? 'overall_passed' : 'overall_failed');
    overall.className = `overall ${result.passed ? 'passed' : 'failed'}`;
  }

  function passedText(passed) {
    if (passed === true) return t('passed');
    if (passed === false) return t('failed');
    return t('no_threshold');
  }

  K.provide({ openSubmitDialog, confirmSubmit, showEnd, renderEnd });
})();
