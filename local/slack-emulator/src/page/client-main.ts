// @ts-nocheck -- browser code (the project's tsconfig has no DOM lib). Embedded in the page
// with Function#toString, so it is self-contained: its inputs are `view` (client-view) and
// `dialogs` (client-dialogs).

/** The page's behaviour: state, live refresh, the user switcher, commands, clicks, threads. */
export function clientMain(view, dialogs) {
  const toast = dialogs.toast;
  const $ = (id) => document.getElementById(id);
  const ui = { state: null, me: localStorage.getItem('rollgate.me'), channel: null, thread: null, dismissed: new Set(), history: [], historyAt: -1 };
  try {
    ui.history = JSON.parse(localStorage.getItem('rollgate.history') || '[]');
  } catch {
    ui.history = [];
  }

  async function control(path, body) {
    const res = await fetch(`/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.message || json.error || `HTTP ${res.status}`);
    return json;
  }

  function timeline(items, afterTs) {
    let html = '';
    let lastDay = afterTs ? view.date(afterTs).toDateString() : '';
    for (const item of items) {
      const day = view.date(item.m.ts).toDateString();
      if (day !== lastDay) html += view.dayDivider(item.m.ts);
      lastDay = day;
      html += item.eph ? view.ephemeral(ui.ctx, item.m, item.opts) : view.message(ui.ctx, item.m, item.opts);
    }
    return html;
  }

  const byTs = (a, b) => (a.m.ts < b.m.ts ? -1 : a.m.ts > b.m.ts ? 1 : 0);
  const mine = (e, threadTs) => e.user === ui.me && e.channel === ui.channel && !ui.dismissed.has(e.ts) && (e.thread_ts || null) === (threadTs || null);

  function renderSidebar(s) {
    $('team-name').textContent = s.team.domain;
    $('channels').innerHTML = s.channels.map((c) => `<a href="#" class="chan${c.id === ui.channel && !ui.home ? ' active' : ''}" data-channel="${view.esc(c.id)}"># ${view.esc(c.name)}</a>`).join('');
    // The app's direct messages with the person acting (conversations.open), as its Messages tab.
    const ims = (s.ims || []).filter((im) => im.user === ui.me);
    $('ims').innerHTML = ims.length
      ? ims.map((im) => `<a href="#" class="chan${im.id === ui.channel && !ui.home ? ' active' : ''}" data-channel="${view.esc(im.id)}">\u{1f4ac} ${view.esc(s.bot.name)}</a>`).join('')
      : '<div class="muted" style="padding:2px 16px;font-size:13px">none yet</div>';
    const select = $('user-select');
    if (select.options.length !== s.users.length) {
      select.innerHTML = s.users.map((u) => `<option value="${view.esc(u.id)}">${view.esc(u.realName)} (@${view.esc(u.name)})</option>`).join('');
    }
    select.value = ui.me;
    $('me-avatar').innerHTML = view.avatar(s, ui.me);
    $('bot-url').textContent = s.botUrl ? `Bot: ${s.botUrl}` : 'No bot URL set: commands cannot be delivered';
    $('bot-url').className = s.botUrl ? 'muted' : 'warn';
  }

  function renderHome(s) {
    $('channel-name').textContent = 'rollgate \u00b7 Home';
    $('home').innerHTML = view.home(ui.ctx, s.views[ui.me]);
  }

  /** Tells rollgate the person opened its Home tab; it answers with views.publish (the page refreshes on that). */
  function openHome() {
    ui.home = true;
    ui.thread = null;
    control('home-opened', { user: ui.me }).then(
      (reply) => {
        if (reply.error || reply.status < 200 || reply.status > 299) toast(`\u26a0\ufe0f rollgate did not answer app_home_opened (${reply.error || `HTTP ${reply.status}`})`, 'error');
      },
      (err) => toast(`\u26a0\ufe0f ${err.message}`, 'error'),
    );
    render();
  }

  /** The person's open modal (views.open), over the page; typed text survives re-renders of the same view. */
  function renderModal(s) {
    const modal = s.modals && s.modals[ui.me];
    const box = $('view-modal');
    box.classList.toggle('hidden', !modal);
    if (!modal) {
      ui.modalKey = null;
      ui.modalId = null;
      $('view-modal-body').innerHTML = '';
      return;
    }
    const errors = (s.modalErrors && s.modalErrors[ui.me]) || {};
    const key = `${modal.id}|${modal.hash}|${JSON.stringify(errors)}`;
    if (key === ui.modalKey) return;
    // What the person typed survives a re-render of the same modal (errors shown), never into another one.
    const typed = {};
    if (ui.modalId === modal.id) for (const el of document.querySelectorAll('#view-modal-body [data-input-block]')) typed[el.dataset.inputBlock] = el.value;
    ui.modalKey = key;
    ui.modalId = modal.id;
    const label = (t, fallback) => view.esc(t && typeof t.text === 'string' ? t.text : fallback);
    $('view-modal-title').innerHTML = label(modal.title, 'App');
    const text = (t, plain) => view.renderText(t, plain, ui.ctx.names);
    $('view-modal-body').innerHTML = renderBlocks(Array.isArray(modal.blocks) ? modal.blocks : [], text, errors);
    for (const el of document.querySelectorAll('#view-modal-body [data-input-block]')) if (typed[el.dataset.inputBlock] !== undefined) el.value = typed[el.dataset.inputBlock];
    $('view-modal-error').textContent = errors._ || '';
    $('view-modal-error').classList.toggle('hidden', !errors._);
    $('view-modal-close').innerHTML = label(modal.close, 'Cancel');
    $('view-modal-submit').innerHTML = label(modal.submit, 'Submit');
    $('view-modal-submit').classList.toggle('hidden', !modal.submit);
    const first = document.querySelector('#view-modal-body [data-input-block]');
    if (first) first.focus();
  }

  async function submitModal() {
    const values = {};
    for (const el of document.querySelectorAll('#view-modal-body [data-input-block]')) values[el.dataset.inputBlock] = el.value;
    $('view-modal-submit').disabled = true;
    try {
      const result = await control('submit-view', { user: ui.me, values });
      if (result.outcome === 'failed') toast(`\u26a0\ufe0f rollgate did not handle the submission (${result.error || `HTTP ${result.status}`})`, 'error');
    } catch (err) {
      toast(`\u26a0\ufe0f ${err.message}`, 'error');
    } finally {
      $('view-modal-submit').disabled = false;
    }
  }

  const closeModal = () => control('close-view', { user: ui.me }).catch((err) => toast(`\u26a0\ufe0f ${err.message}`, 'error'));

  function renderChannel(s) {
    const im = (s.ims || []).find((i) => i.id === ui.channel);
    const channel = s.channels.find((c) => c.id === ui.channel) || (im ? { id: im.id, name: `${s.bot.name} (direct messages)` } : undefined);
    $('channel-name').textContent = channel ? channel.name : ui.channel;
    const items = s.messages.filter((m) => m.channel === ui.channel).map((m) => ({ m }));
    // Ephemeral answers to clicks in a thread show here too, so nobody misses an error.
    for (const e of s.ephemerals) if (mine(e, e.thread_ts)) items.push({ m: e, eph: true });
    items.sort(byTs);
    const box = $('timeline');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    box.innerHTML = items.length ? timeline(items) : '<div class="empty">No messages yet. Type <code>/rollout help</code> below to talk to rollgate.</div>';
    if (atBottom || !ui.rendered) box.scrollTop = box.scrollHeight;
    $('command').placeholder = `Message #${channel ? channel.name : ''}: type /rollout start APP VERSION`;
  }

  function renderThread(s) {
    const panel = $('thread');
    const root = ui.thread && s.messages.find((m) => m.ts === ui.thread && m.channel === ui.channel && !m.thread_ts);
    panel.classList.toggle('hidden', !root);
    document.body.classList.toggle('with-thread', Boolean(root));
    if (!root) return;
    const channel = s.channels.find((c) => c.id === ui.channel);
    $('thread-channel').textContent = `#${channel ? channel.name : ''}`;
    const replies = root.replies.map((m) => ({ m, opts: { inThread: true } }));
    for (const e of s.ephemerals) if (mine(e, root.ts)) replies.push({ m: e, eph: true, opts: { inThread: true } });
    replies.sort(byTs);
    const n = root.replies.length;
    const box = $('thread-body');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    box.innerHTML = `${view.message(ui.ctx, root, { inThread: true })}<div class="replies-divider"><span>${n} ${n === 1 ? 'reply' : 'replies'}</span></div>${timeline(replies, root.ts)}`;
    if (atBottom || ui.threadJustOpened) box.scrollTop = box.scrollHeight;
    ui.threadJustOpened = false;
  }

  function render() {
    const s = ui.state;
    if (!s) return;
    if (!s.users.some((u) => u.id === ui.me)) ui.me = s.users[0] && s.users[0].id;
    if (!s.channels.some((c) => c.id === ui.channel) && !(s.ims || []).some((i) => i.id === ui.channel && i.user === ui.me)) ui.channel = s.channels[0] && s.channels[0].id;
    ui.ctx = { state: s, names: view.names(s, ui.me) };
    renderSidebar(s);
    for (const id of ['timeline', 'composer']) $(id).classList.toggle('hidden', Boolean(ui.home));
    $('home').classList.toggle('hidden', !ui.home);
    $('home-link').classList.toggle('active', Boolean(ui.home));
    if (ui.home) renderHome(s);
    else renderChannel(s);
    renderThread(s);
    renderModal(s);
    ui.rendered = true;
  }

  let refreshing = null;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        const res = await fetch('/_emulator/state');
        ui.state = await res.json();
        render();
      } while (again);
    })().finally(() => (refreshing = null));
    return refreshing;
  }

  function connect() {
    const events = new EventSource('/_emulator/events');
    events.addEventListener('change', () => refresh());
    events.onopen = () => {
      $('conn').textContent = '\u25cf live';
      $('conn').className = 'live';
      refresh();
    };
    events.onerror = () => {
      $('conn').textContent = '\u25cf reconnecting\u2026';
      $('conn').className = 'warn';
    };
  }

  async function sendCommand(line) {
    const match = line.trim().match(/^(\/\S+)\s*([\s\S]*)$/);
    if (!match) {
      toast('Only slash commands reach the bot here: try /rollout help', 'warn');
      return false;
    }
    ui.history = [line.trim(), ...ui.history.filter((h) => h !== line.trim())].slice(0, 30);
    localStorage.setItem('rollgate.history', JSON.stringify(ui.history));
    // A failure shows as Slackbot's ephemeral in the channel, as in Slack.
    await control('command', { user: ui.me, channel: ui.channel, command: match[1], text: match[2] });
    return true;
  }

  /** A button on the Home tab or in a modal: block_actions with a view container (no message, no response_url). */
  async function clickView(button, surface) {
    button.classList.add('busy');
    button.disabled = true;
    try {
      const body = { user: ui.me, surface, action_id: button.dataset.actionId, block_id: button.dataset.blockId };
      if (button.dataset.value !== undefined) body.value = button.dataset.value;
      const result = await control('click-view', body);
      if (result.error || result.status < 200 || result.status > 299) toast(`\u26a0\ufe0f rollgate did not handle that click (${result.error || `HTTP ${result.status}`})`, 'error');
    } catch (err) {
      toast(`\u26a0\ufe0f ${err.message}`, 'error');
    } finally {
      button.classList.remove('busy');
      button.disabled = false;
    }
  }

  async function click(button) {
    const surface = button.closest('#home') ? 'home' : button.closest('#view-modal-body') ? 'modal' : null;
    const renderText0 = (t) => view.renderText(t.text, t.type === 'plain_text', ui.ctx.names);
    if (surface && button.dataset.confirm && !(await dialogs.askConfirm(JSON.parse(button.dataset.confirm), renderText0))) return;
    if (surface) return clickView(button, surface);
    const msg = button.closest('[data-ts]');
    if (button.dataset.url) window.open(button.dataset.url, '_blank', 'noopener');
    const renderText = (t) => view.renderText(t.text, t.type === 'plain_text', ui.ctx.names);
    if (button.dataset.confirm && !(await dialogs.askConfirm(JSON.parse(button.dataset.confirm), renderText))) return;
    button.classList.add('busy');
    button.disabled = true;
    try {
      const body = { user: ui.me, ts: msg.dataset.ts, channel: msg.dataset.channel, action_id: button.dataset.actionId, block_id: button.dataset.blockId };
      if (button.dataset.value !== undefined) body.value = button.dataset.value;
      const result = await control('click', body);
      if (result.error || result.status < 200 || result.status > 299) {
        toast(`\u26a0\ufe0f rollgate did not handle that click (${result.error || `HTTP ${result.status}`})`, 'error');
      }
    } catch (err) {
      toast(`\u26a0\ufe0f ${err.message}`, 'error');
    } finally {
      button.classList.remove('busy');
      button.disabled = false;
    }
  }

  document.addEventListener('click', (ev) => {
    const target = ev.target.closest('button, a');
    if (!target) return;
    if (target.dataset.actionId !== undefined) return void click(target);
    if (target.dataset.openThread) {
      ev.preventDefault();
      ui.thread = target.dataset.openThread;
      ui.threadJustOpened = true;
      return render();
    }
    if (target.dataset.dismiss) {
      ui.dismissed.add(target.dataset.dismiss);
      return render();
    }
    if (target.dataset.home) {
      ev.preventDefault();
      return openHome();
    }
    if (target.dataset.channel && target.classList.contains('chan')) {
      ev.preventDefault();
      ui.home = false;
      ui.channel = target.dataset.channel;
      ui.thread = null;
      return render();
    }
    if (target.dataset.fill) {
      $('command').value = target.dataset.fill;
      $('command').focus();
    }
  });
  $('view-modal-submit').onclick = () => submitModal();
  $('view-modal-close').onclick = closeModal;
  $('view-modal-x').onclick = closeModal;
  $('close-thread').onclick = () => {
    ui.thread = null;
    render();
  };
  $('user-select').onchange = (ev) => {
    ui.me = ev.target.value;
    localStorage.setItem('rollgate.me', ui.me);
    if (ui.home) openHome();
    else render();
  };
  $('composer').onsubmit = async (ev) => {
    ev.preventDefault();
    const input = $('command');
    if (!input.value.trim() || input.disabled) return;
    input.disabled = true;
    try {
      if (await sendCommand(input.value)) input.value = '';
      ui.historyAt = -1;
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      input.disabled = false;
      input.focus();
    }
  };
  $('command').onkeydown = (ev) => {
    if (ev.key !== 'ArrowUp' && ev.key !== 'ArrowDown') return;
    if (ev.key === 'ArrowUp' && ev.target.value && ui.historyAt < 0) return;
    ui.historyAt = Math.max(-1, Math.min(ui.history.length - 1, ui.historyAt + (ev.key === 'ArrowUp' ? 1 : -1)));
    ev.target.value = ui.historyAt >= 0 ? ui.history[ui.historyAt] : '';
    ev.preventDefault();
  };
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && $('modal').classList.contains('hidden') && ui.thread) {
      ui.thread = null;
      render();
    }
  });
  connect();
  refresh();
}
