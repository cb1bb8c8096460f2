/* The console's texts and small page helpers: the dictionary lookup, status and alert
   names, clock and time-of-day formats, the element builder (every text goes in as
   text), error lines, and switching every label to the chosen language. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, I18N } = P;

  function t(key, values) {
    const dict = I18N[S.lang] || I18N.id;
    let text = dict[key] !== undefined ? dict[key] : (I18N.id[key] !== undefined ? I18N.id[key] : key);
    if (values) {
      text = text.replace(/\{(\w+)\}/g, (m, name) => (values[name] !== undefined ? String(values[name]) : m));
    }
    return text;
  }

  function has(key) {
    return (I18N[S.lang] || I18N.id)[key] !== undefined;
  }

  function statusText(status) {
    return has(`status_${status}`) ? t(`status_${status}`) : String(status);
  }

  function alertText(type) {
    return has(`alert_${type}`) ? t(`alert_${type}`) : String(type);
  }

  function clockText(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  }

  /** The office's zone (WIB/WITA/WIT) and its IANA id, served with the page: times are the office's. */
  function officeZone() {
    const data = document.body ? document.body.dataset : {};
    return { name: data.officeZone || 'WIB', tz: data.officeTz || 'Asia/Jakarta' };
  }

  /** "14.02.05 WIT": the office's time of day with its zone's name. */
  function timeOfDay(epochMs) {
    const locale = S.lang === 'id' ? 'id-ID' : 'en-GB';
    const zone = officeZone();
    const text = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit',
      hour12: false, timeZone: zone.tz }).format(new Date(epochMs));
    return `${text} ${zone.name}`;
  }

  /** "7 Desember 2026 14.02 WIT". */
  function dateTimeText(epochMs) {
    const locale = S.lang === 'id' ? 'id-ID' : 'en-GB';
    const zone = officeZone();
    const text = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric',
      hour: '2-digit', minute: '2-digit', hour12: false, timeZone: zone.tz }).format(new Date(epochMs));
    return `${text} ${zone.name}`;
  }

  /** A new element; every text goes in as text. */
  function el(tag, options, children) {
    const node = document.createElement(tag);
    const o = options || {};
    if (o.className) node.className = o.className;
    if (o.text !== undefined) node.textContent = o.text;
    if (o.attrs) Object.entries(o.attrs).forEach(([k, v]) => node.setAttribute(k, v));
    if (o.data) Object.entries(o.data).forEach(([k, v]) => { node.dataset[k] = v; });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function showError(node, text, code) {
    node.textContent = text;
    node.dataset.code = code || '';
    node.hidden = !text;
  }

  function applyLanguage() {
    document.documentElement.lang = S.lang;
    document.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
    $('lang-btn').textContent = t('switch_language');
    $('lang-btn').lang = S.lang === 'id' ? 'en' : 'id';
    document.title = t('app_title');
    P.showWho();
    P.setConnectionState();
    if (S.screen === 'picker') P.loadSessions();
    S.renderedSession = null; // rebuild tiles and rows with the new labels
    P.scheduleRender();
  }

  P.provide({ t, has, statusText, alertText, clockText, timeOfDay, dateTimeText, officeZone, el, setText, showError, applyLanguage });
})();
