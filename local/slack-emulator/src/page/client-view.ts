// @ts-nocheck -- browser code (the project's tsconfig has no DOM lib). Embedded in the page
// with Function#toString, so it is self-contained: its only inputs are its arguments.

/** HTML for messages, ephemerals and thread summaries, given the two pure renderers. */
export function clientView(renderMrkdwn, renderBlocks) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const date = (ts) => new Date(Number(ts) * 1000);
  const time = (ts) => date(ts).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  const fullTime = (ts) => date(ts).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });

  function names(state, me) {
    const users = { [state.bot.userId]: state.bot.name, USLACKBOT: 'Slackbot' };
    for (const u of state.users) users[u.id] = u.name;
    const channels = {};
    for (const c of state.channels) channels[c.id] = c.name;
    const groups = {};
    for (const g of state.usergroups) groups[g.id] = g.handle;
    return { users, channels, groups, me };
  }

  function person(state, id) {
    if (id === state.bot.userId) return { name: state.bot.name, initials: 'RG', bot: true };
    if (id === 'USLACKBOT') return { name: 'Slackbot', initials: 'SB', bot: true };
    const u = state.users.find((x) => x.id === id);
    const real = u ? u.realName : id;
    const initials = real.split(/\s+/).map((w) => w[0] || '').join('').slice(0, 2).toUpperCase();
    return { name: real, handle: u ? u.name : id, initials, bot: false };
  }

  function avatar(state, id, small) {
    const p = person(state, id);
    let hash = 0;
    for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
    const bg = id === 'USLACKBOT' ? 'linear-gradient(135deg,#e01e5a,#ecb22e)' : p.bot ? 'linear-gradient(135deg,#2eb67d,#1264a3)' : `hsl(${hash},55%,42%)`;
    return `<span class="avatar${small ? ' avatar-sm' : ''}" style="background:${bg}" title="${esc(p.name)}">${esc(p.initials)}</span>`;
  }

  // A shared file: images inline (as Slack previews them), anything else as a link.
  function file(f) {
    const url = esc(f.url_private || '');
    const title = esc(f.title || f.name || 'file');
    if (/^image\//.test(f.mimetype || '')) {
      const size = f.original_w ? ` width="${Number(f.original_w)}" height="${Number(f.original_h)}"` : '';
      return `<div class="file file-image"><div class="file-title">${title}</div><a href="${url}" target="_blank" rel="noopener"><img src="${url}" alt="${esc(f.alt_txt || f.title || f.name || 'image')}"${size}></a></div>`;
    }
    return `<a class="file file-chip" href="${url}" target="_blank" rel="noopener">\ud83d\udcc4 ${title} <span>${esc(f.filetype || '')} · ${Number(f.size || 0)} bytes</span></a>`;
  }

  function body(ctx, m) {
    const text = (t, plain) => renderMrkdwn(t, ctx.names, plain);
    const files = m.files || [];
    let html = m.blocks && m.blocks.length ? renderBlocks(m.blocks, text) : m.text || files.length === 0 ? `<div class="text">${text(m.text || '', false)}</div>` : '';
    for (const a of m.attachments || []) {
      const color = /^#?[0-9a-f]{3,6}$/i.test(a.color || '') ? (a.color[0] === '#' ? a.color : `#${a.color}`) : a.color === 'danger' ? '#e01e5a' : a.color === 'good' ? '#2eb67d' : a.color === 'warning' ? '#ecb22e' : '#dddddd';
      const inner = a.blocks ? renderBlocks(a.blocks, text) : text(a.text || a.fallback || '', false);
      html += `<div class="attachment" style="border-color:${color}">${inner}</div>`;
    }
    for (const f of files) html += file(f);
    return html;
  }

  function header(ctx, m, extra) {
    const p = person(ctx.state, m.user);
    const badge = p.bot && m.user !== 'USLACKBOT' ? '<span class="app-badge">APP</span>' : '';
    const edited = m.edited ? `<span class="edited" title="edited ${m.edited.count} time${m.edited.count === 1 ? '' : 's'}">(edited)</span>` : '';
    return `<div class="msg-head"><span class="author">${esc(p.name)}</span>${badge}<span class="time" title="${esc(fullTime(m.ts))}">${esc(time(m.ts))}</span>${edited}${extra || ''}</div>`;
  }

  function threadSummary(ctx, m) {
    if (!m.replies || m.replies.length === 0) return '';
    const users = [...new Set(m.replies.map((r) => r.user))].slice(0, 4);
    const last = m.replies[m.replies.length - 1];
    const n = m.replies.length;
    return `<button type="button" class="thread-summary" data-open-thread="${esc(m.ts)}">${users.map((u) => avatar(ctx.state, u, true)).join('')}<span class="thread-count">${n} ${n === 1 ? 'reply' : 'replies'}</span><span class="thread-last">Last reply at ${esc(time(last.ts))}</span><span class="thread-view">View thread \u203a</span></button>`;
  }

  function message(ctx, m, opts) {
    const inThread = opts && opts.inThread;
    let context = '';
    if (m.reply_broadcast && !inThread) {
      const root = ctx.state.messages.find((x) => x.ts === m.thread_ts && x.channel === m.channel);
      const snippet = root ? (root.text || '').replace(/\s+/g, ' ').slice(0, 80) : 'a thread';
      context = `<div class="broadcast-note">replied to a thread: <a href="#" data-open-thread="${esc(m.thread_ts)}">${renderMrkdwn(snippet, ctx.names, true)}</a></div>`;
    }
    if (m.reply_broadcast && inThread) context = '<div class="broadcast-note">Also sent to the channel</div>';
    const deleted = m.user === 'USLACKBOT' && m.text === 'This message was deleted.' ? ' deleted' : '';
    const summary = inThread ? '' : threadSummary(ctx, m);
    return `<div class="msg${deleted}" data-ts="${esc(m.ts)}" data-channel="${esc(m.channel)}">${avatar(ctx.state, m.user)}<div class="msg-main">${context}${header(ctx, m)}${body(ctx, m)}${summary}</div></div>`;
  }

  function ephemeral(ctx, e, opts) {
    const where = e.thread_ts && !(opts && opts.inThread) ? ` · in a thread <a href="#" class="link" data-open-thread="${esc(e.thread_ts)}">View thread</a>` : '';
    const head = `<div class="eph-note">\ud83d\udc41\ufe0f Only visible to you${where} <button type="button" class="link" data-dismiss="${esc(e.ts)}">Dismiss</button></div>`;
    const from = e.from || ctx.state.bot.userId;
    return `<div class="msg ephemeral" data-ts="${esc(e.ts)}" data-channel="${esc(e.channel)}" data-ephemeral="1">${avatar(ctx.state, from)}<div class="msg-main">${head}${header(ctx, { ...e, user: from })}${body(ctx, e)}</div></div>`;
  }

  function dayDivider(ts) {
    const d = date(ts);
    const today = new Date();
    const label = d.toDateString() === today.toDateString() ? 'Today' : d.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric' });
    return `<div class="day"><span>${esc(label)}</span></div>`;
  }

  const renderText = (text, plain, names) => renderMrkdwn(String(text || ''), names, plain);

  /** The app's Home tab as the viewer's last views.publish left it. */
  function home(ctx, published) {
    const blocks = published && Array.isArray(published.blocks) ? published.blocks : [];
    const text = (t, plain) => renderText(t, plain, ctx.names);
    return blocks.length ? `<div class="home-view">${renderBlocks(blocks, text)}</div>` : '<div class="empty">Opening the Home tab asks rollgate for it (app_home_opened)\u2026</div>';
  }

  return { esc, renderText, names, person, avatar, message, ephemeral, dayDivider, date, home };
}
