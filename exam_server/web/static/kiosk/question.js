/* The exam screen: the current question with its options, the answer and save state
   shown on it, moving between questions, and the navigation grid of every question. */
'use strict';

(() => {
  const K = window.Kiosk;
  const { $, S, t } = K;

  function showExam() {
    if (S.screen !== 'exam') {
      S.current = Math.min(Math.max(1, S.current), S.items.length);
      K.showScreen('exam');
      renderQuestion();
    } else {
      renderAnswerState();
    }
    renderGrid();
  }

  function canAnswer() {
    return S.screen === 'exam' && !S.paused && !S.submitting && K.remainingMs() !== 0 && !$('submit-dialog').open;
  }

  function goTo(position) {
    if (!S.items || position < 1 || position > S.items.length || position === S.current) {
      return;
    }
    S.current = position;
    renderQuestion();
    renderGrid();
  }

  // ------------------------------------------------------------------ the question

  function sectionOf(position) {
    const item = S.items && S.items[position - 1];
    return item ? item.section : '';
  }

  function renderQuestionHead() {
    $('q-number').textContent = t('question_of', { n: S.current, total: S.items.length });
    $('q-section').textContent = sectionOf(S.current);
  }

  function renderQuestion() {
    const item = S.items[S.current - 1];
    renderQuestionHead();
    // Stems and options are sanitised on import by the server; they are the only HTML put in the page.
    $('q-stem').innerHTML = item.stem;
    const options = $('q-options');
    options.replaceChildren();
    for (const option of item.options) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'option';
      button.setAttribute('role', 'radio');
      button.dataset.key = option.key;
      const key = document.createElement('span');
      key.className = 'option-key';
      key.textContent = option.key;
      const text = document.createElement('span');
      text.className = 'option-text';
      text.innerHTML = option.text;
      button.append(key, text);
      options.append(button);
    }
    document.querySelector('.question-pane').scrollTop = 0;
    renderAnswerState();
  }

  function saveState(position) {
    const key = String(position);
    if (key in S.outbox) return 'saving';
    if (S.acked.has(key) || S.answers[key] !== undefined) return 'saved';
    return '';
  }

  function renderAnswerState() {
    if (!S.items) {
      return;
    }
    const chosen = S.answers[S.current] ?? null;
    for (const button of $('q-options').querySelectorAll('.option')) {
      const selected = button.dataset.key === chosen;
      button.classList.toggle('selected', selected);
      button.setAttribute('aria-checked', String(selected));
    }
    const flagged = S.flags.has(S.current);
    const flag = $('flag-btn');
    flag.setAttribute('aria-pressed', String(flagged));
    flag.classList.toggle('on', flagged);
    flag.textContent = t(flagged ? 'flag_on' : 'flag');
    $('prev-btn').disabled = S.current <= 1;
    $('next-btn').disabled = S.current >= S.items.length;
    renderSaveStatus();
  }

  function renderSaveStatus() {
    const status = $('save-status');
    if (!S.items || S.screen !== 'exam') {
      return;
    }
    const state = saveState(S.current);
    status.dataset.state = state;
    status.textContent = state ? t(state) : '';
  }

  // ------------------------------------------------------------------ the navigation grid

  function renderGrid() {
    if (!S.items) {
      return;
    }
    const grid = $('nav-grid');
    if (grid.childElementCount !== S.items.length + sectionHeadings().length) {
      buildGrid(grid);
    }
    for (const button of grid.querySelectorAll('button')) {
      const position = Number(button.dataset.position);
      const answered = S.answers[position] !== undefined;
      const flagged = S.flags.has(position);
      const current = position === S.current;
      const pending = saveState(position) === 'saving';
      button.className = 'nav';
      button.classList.add(flagged ? 'doubtful' : answered ? 'answered' : 'blank');
      button.classList.toggle('current', current);
      button.classList.toggle('pending', pending);
      if (current) {
        button.setAttribute('aria-current', 'step');
      } else {
        button.removeAttribute('aria-current');
      }
      const states = [t(answered ? 'state_answered' : 'state_blank')];
      if (flagged) states.push(t('state_doubtful'));
      if (pending) states.push(t('state_pending'));
      button.setAttribute('aria-label', `${t('question_short', { n: position })}: ${states.join(', ')}`);
    }
    if (grid.dataset.shown !== String(S.current)) {
      grid.dataset.shown = String(S.current);
      showCurrentNumber(grid);
    }
  }

  // On a small screen the list of numbers scrolls inside the side pane: when the
  // question changes, its number is brought into that list's view (the page itself
  // is not scrolled, and a list the candidate scrolled stays put until then).
  function showCurrentNumber(grid) {
    const here = grid.querySelector('.nav.current');
    if (!here || grid.scrollHeight <= grid.clientHeight) {
      return;
    }
    const list = grid.getBoundingClientRect();
    const box = here.getBoundingClientRect();
    if (box.top < list.top) {
      grid.scrollTop -= list.top - box.top + 8;
    } else if (box.bottom > list.bottom) {
      grid.scrollTop += box.bottom - list.bottom + 8;
    }
  }

  function sectionHeadings() {
    return S.sections.length > 1 ? S.sections : [];
  }

  function buildGrid(grid) {
    grid.replaceChildren();
    const headings = new Map(sectionHeadings().map((s) => [s.first, s.name]));
    for (const item of S.items) {
      if (headings.has(item.position)) {
        const heading = document.createElement('div');
        heading.className = 'nav-section';
        heading.textContent = headings.get(item.position);
        grid.append(heading);
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.position = String(item.position);
      button.textContent = String(item.position);
      grid.append(button);
    }
  }

  K.provide({ showExam, canAnswer, goTo, renderQuestionHead, renderAnswerState, renderSaveStatus, renderGrid });
})();
