// The page at GET /: one self-contained HTML document (inline CSS and JS, nothing external).
// Its renderers are the same functions the tests exercise in Node, embedded by source.
import { clientDialogs } from './client-dialogs.js';
import { clientMain } from './client-main.js';
import { clientView } from './client-view.js';
import { PAGE_STYLES } from './page-styles.js';
import { renderBlocks } from './render-blocks.js';
import { renderMrkdwn } from './render-mrkdwn.js';

const BODY = `
<div class="app">
  <aside class="sidebar">
    <div class="team"><div class="team-name" id="team-name">rollgate-local</div><div class="team-sub">Slack emulator · local mode</div></div>
    <div class="section-label">Channels</div>
    <nav id="channels"></nav>
    <div class="section-label">Apps</div>
    <nav><a href="#" class="chan" id="home-link" data-home="1">\u{1f3e0} rollgate · Home</a></nav>
    <div class="section-label">Direct messages</div>
    <nav id="ims"></nav>
    <div class="section-label">Acting as</div>
    <label class="me"><span id="me-avatar"></span><select id="user-select" aria-label="Act as"></select></label>
    <div class="sidebar-foot"><div id="conn" class="warn">● connecting…</div><div id="bot-url"></div><a href="/_emulator/calls" target="_blank">Web API calls (JSON)</a></div>
  </aside>
  <main class="channel">
    <header class="channel-header"><div class="channel-title"># <span id="channel-name"></span></div><div class="channel-topic">Canary rollouts · buttons and commands go to rollgate as signed requests</div></header>
    <div class="timeline" id="timeline"></div>
    <div class="timeline home-tab hidden" id="home"></div>
    <form class="composer" id="composer" autocomplete="off">
      <div class="composer-box"><input id="command" aria-label="Command" spellcheck="false"><button class="send" type="submit">Send</button></div>
      <div class="composer-hint">Enter sends as the person selected on the left · ↑ recalls ·
        <button type="button" class="chip" data-fill="/rollout help">/rollout help</button>
        <button type="button" class="chip" data-fill="/rollout list">/rollout list</button>
        <button type="button" class="chip" data-fill="/rollout start ">/rollout start …</button>
        <button type="button" class="chip" data-fill="/rollout status ">/rollout status …</button>
      </div>
    </form>
  </main>
  <aside class="thread hidden" id="thread">
    <header><div><b>Thread</b><span id="thread-channel"></span></div><button type="button" class="close" id="close-thread" aria-label="Close thread">×</button></header>
    <div class="thread-body" id="thread-body"></div>
  </aside>
</div>
<div class="modal-backdrop hidden" id="modal" tabindex="-1"><div class="modal" role="dialog" aria-modal="true">
  <h2 id="modal-title"></h2><div id="modal-text"></div>
  <div class="modal-actions"><button type="button" class="btn" id="modal-deny"></button><button type="button" class="btn btn-primary" id="modal-confirm"></button></div>
</div></div>
<div class="modal-backdrop hidden" id="view-modal" tabindex="-1"><div class="modal view-modal" role="dialog" aria-modal="true" aria-labelledby="view-modal-title">
  <header class="view-modal-head"><h2 id="view-modal-title"></h2><button type="button" class="close" id="view-modal-x" aria-label="Close">×</button></header>
  <div id="view-modal-body"></div>
  <div class="view-modal-error hidden" id="view-modal-error"></div>
  <div class="modal-actions"><button type="button" class="btn" id="view-modal-close"></button><button type="button" class="btn btn-primary" id="view-modal-submit"></button></div>
</div></div>
<div id="toasts"></div>`;

export function renderPage(): string {
  const script = [
    renderMrkdwn.toString(),
    renderBlocks.toString(),
    `const view = (${clientView.toString()})(renderMrkdwn, renderBlocks);`,
    `const dialogs = (${clientDialogs.toString()})();`,
    `(${clientMain.toString()})(view, dialogs);`,
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>#rollouts · rollgate local Slack</title>
<style>${PAGE_STYLES}</style></head>
<body>${BODY}
<script>
"use strict";
${script}
</script></body></html>`;
}
