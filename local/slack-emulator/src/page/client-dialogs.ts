// @ts-nocheck -- browser code (the project's tsconfig has no DOM lib). Embedded in the page
// with Function#toString, so it is self-contained.

/** Toasts, and the confirm dialog Slack shows before sending a click that has `confirm`. */
export function clientDialogs() {
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

  function toast(text, kind) {
    const el = document.createElement('div');
    el.className = `toast ${kind || ''}`;
    el.textContent = text;
    $('toasts').appendChild(el);
    setTimeout(() => el.remove(), 6000);
  }

  /** Resolves true when the person confirms; `renderText(textObject)` renders the body. */
  function askConfirm(confirm, renderText) {
    return new Promise((resolve) => {
      const label = (t) => (t && typeof t.text === 'string' ? esc(t.text) : '');
      $('modal-title').innerHTML = label(confirm.title) || 'Are you sure?';
      $('modal-text').innerHTML = confirm.text ? renderText(confirm.text) : '';
      $('modal-confirm').innerHTML = label(confirm.confirm) || 'Yes';
      $('modal-deny').innerHTML = label(confirm.deny) || 'Cancel';
      $('modal-confirm').className = `btn ${confirm.style === 'danger' ? 'btn-danger' : 'btn-primary'}`;
      $('modal').classList.remove('hidden');
      $('modal-confirm').focus();
      const close = (answer) => {
        $('modal').classList.add('hidden');
        $('modal-confirm').onclick = $('modal-deny').onclick = $('modal').onclick = $('modal').onkeydown = null;
        resolve(answer);
      };
      $('modal-confirm').onclick = () => close(true);
      $('modal-deny').onclick = () => close(false);
      $('modal').onclick = (ev) => ev.target === $('modal') && close(false);
      $('modal').onkeydown = (ev) => ev.key === 'Escape' && close(false);
    });
  }

  return { toast, askConfirm };
}
