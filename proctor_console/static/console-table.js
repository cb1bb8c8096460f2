/* The table view: one row per candidate, a column per section score, sortable by any
   column (a second click reverses), rows made once and updated in place. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, el, ENDED, STATUSES } = P;

  function columns(s) {
    const sections = P.sectionNames(s).map((name) => ({
      key: `section:${name}`, label: name, num: true,
      value: (c) => Number(((c.score && c.score.sections) || {})[name]),
      text: (c) => P.pointsText(((c.score && c.score.sections) || {})[name]),
    }));
    return [
      { key: 'participant_number', label: t('col_number'), value: (c) => c.participant_number, mono: true },
      { key: 'name', label: t('col_name'), value: (c) => c.name },
      { key: 'seat', label: t('col_seat'), value: (c) => c.seat || null, text: (c) => c.seat || '—' },
      { key: 'status', label: t('col_status'), value: (c) => STATUSES.indexOf(c.status), text: (c) => P.statusText(c.status) },
      { key: 'connected', label: t('col_connected'), value: (c) => ['connected', 'disconnected', 'absent'].indexOf(P.presence(c)),
        text: (c) => P.presenceText(c) },
      { key: 'answered', label: t('col_answered'), num: true, value: (c) => c.answered,
        text: (c) => (P.itemCount(s) ? `${c.answered}/${P.itemCount(s)}` : String(c.answered)) },
      { key: 'flagged', label: t('col_flagged'), num: true, value: (c) => c.flagged },
      ...sections,
      { key: 'total', label: t('col_total'), num: true, value: (c) => Number(c.score && c.score.total),
        text: (c) => P.pointsText(c.score && c.score.total) },
      { key: 'remaining', label: t('col_remaining'), num: true, mono: true, value: (c) => P.remainingNow(c),
        text: (c) => (ENDED.has(c.status) ? '—' : P.clockText(P.remainingNow(c))) },
      { key: 'violations', label: t('col_violations'), num: true, value: (c) => c.violations },
    ];
  }

  function renderTableHead(s) {
    const head = $('table-head');
    head.replaceChildren();
    columns(s).forEach((col) => {
      const sorted = S.sort.key === col.key;
      const button = el('button', {
        className: 'sort', text: col.label, attrs: { type: 'button', title: t('sort_by', { column: col.label }) },
        data: { sort: col.key },
      });
      if (sorted) button.appendChild(el('span', { className: 'sort-mark', text: S.sort.dir > 0 ? ' ▲' : ' ▼', attrs: { 'aria-hidden': 'true' } }));
      button.addEventListener('click', () => sortBy(col.key));
      head.appendChild(el('th', {
        className: col.num ? 'num' : '', attrs: { scope: 'col', 'aria-sort': sorted ? (S.sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
        data: { key: col.key },
      }, [button]));
    });
    head.appendChild(el('th', { attrs: { scope: 'col' } }, [el('span', { className: 'sr-only', text: t('col_actions') })]));
  }

  function sortBy(key) {
    S.sort = { key, dir: S.sort.key === key ? -S.sort.dir : 1 };
    const s = S.sessions.get(S.current);
    if (s) renderTableHead(s);
    P.render();
  }

  function renderTable(s) {
    $('table-wrap').hidden = S.view !== 'table';
    const cols = columns(s);
    if ($('table-head').children.length !== cols.length + 1) renderTableHead(s);
    const col = cols.find((x) => x.key === S.sort.key) || cols[0];
    const sorted = [...s.candidates.values()].sort((a, b) => S.sort.dir * P.compareValues(col.value(a), col.value(b))
      || P.compareValues(a.participant_number, b.participant_number));
    sorted.forEach((c) => {
      let row = S.rows.get(c.attempt_id);
      if (!row || row.cells.length !== cols.length + 1) {
        const fresh = makeRow(c, cols);
        if (row) row.replaceWith(fresh);
        row = fresh;
        S.rows.set(c.attempt_id, row);
      }
      updateRow(row, s, c, cols);
    });
    P.reorder($('table-body'), sorted.map((c) => S.rows.get(c.attempt_id)));
  }

  function makeRow(c, cols) {
    const row = el('tr', { data: { attempt: c.attempt_id } });
    cols.forEach((col) => row.appendChild(el('td', { className: [col.num ? 'num' : '', col.mono ? 'mono' : ''].join(' ').trim(),
      data: { key: col.key } })));
    row.appendChild(el('td', { className: 'row-actions' }, [P.actionMenu(c)]));
    return row;
  }

  function updateRow(row, s, c, cols) {
    row.className = P.candidateClasses(s, c).join(' ');
    row.dataset.status = c.status;
    row.dataset.number = c.participant_number;
    row.hidden = !P.matchesFilters(s, c);
    cols.forEach((col, i) => {
      const value = col.text ? col.text(c) : col.value(c);
      P.setText(row.cells[i], value === null || value === undefined ? '—' : String(value));
      if (col.key === 'name' && row.cells[i].title !== String(c.name)) row.cells[i].title = String(c.name);
    });
    P.updateActionButtons(row.cells[cols.length], c);
    P.nameActionMenu(row.cells[cols.length], c);
  }

  P.provide({ renderTableHead, renderTable });
})();
