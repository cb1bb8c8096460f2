/* The feed of events beside the board: kiosk alerts as they come in, the proctor's own
   actions and refusals, notes on watching and reconnecting. Each session keeps its own
   (newest first, at most FEED_LIMIT); the current session's is on the page. */
'use strict';

(() => {
  const P = window.ProctorConsole;
  const { $, S, t, el, FEED_LIMIT } = P;

  function onAlert(alert) {
    if (!alert || typeof alert.attempt_id !== 'number') return;
    const id = P.sessionOfAttempt(alert.attempt_id);
    const s = S.sessions.get(id);
    if (!s) return;
    const c = s.candidates.get(alert.attempt_id);
    const who = c ? `${c.participant_number} ${c.name}` : `#${alert.attempt_id}`;
    let text = t('feed_alert', { who, type: P.alertText(alert.type) });
    const detail = (alert.detail_text && alert.detail_text[S.lang]) || alert.detail;
    if (detail) text += ` — ${detail}`;
    s.newAlerts.add(alert.attempt_id);
    if (id !== S.current) s.unseen += 1;
    addFeed(id, 'alert', text, typeof alert.at === 'number' ? alert.at : Date.now(), alert.attempt_id);
    P.scheduleRender();
  }

  function addFeed(id, kind, text, at, attemptId) {
    const s = P.ensureSession(id);
    const entry = { kind, text, at: at || Date.now(), attemptId };
    s.feed.unshift(entry);
    if (s.feed.length > FEED_LIMIT) s.feed.length = FEED_LIMIT;
    if (id === S.current) {
      const feed = $('feed');
      feed.insertBefore(feedItem(entry), feed.firstChild);
      while (feed.children.length > FEED_LIMIT) feed.removeChild(feed.lastChild);
    }
  }

  function feedItem(entry) {
    const item = el('li', { className: `feed-item feed-${entry.kind}` }, [
      el('time', { text: P.timeOfDay(entry.at), attrs: { datetime: new Date(entry.at).toISOString() } }),
      el('span', { className: 'feed-text', text: entry.text }),
    ]);
    if (entry.attemptId !== undefined) item.dataset.attempt = entry.attemptId;
    return item;
  }

  P.provide({ onAlert, addFeed, feedItem });
})();
