// modal.js - the one confirmation dialog (<dialog id=modal> in index.html).
import { clear } from './dom.js';

// Shared by the views: a modal with a form body; resolves to true on OK.
// onOk may return an error text to keep the dialog open and show it.
export function modal(title, body, okLabel, onOk) {
  const dlg = document.getElementById('modal');
  const err = document.getElementById('modal-error');
  document.getElementById('modal-title').textContent = title;
  clear(document.getElementById('modal-body')).appendChild(body);
  document.getElementById('modal-ok').textContent = okLabel || 'OK';
  err.textContent = '';
  return new Promise((resolve) => {
    const form = document.getElementById('modal-form');
    const submit = async (e) => {
      e.preventDefault();
      const which = e.submitter ? e.submitter.value : 'ok';
      if (which !== 'ok') { done(false); return; }
      const okBtn = document.getElementById('modal-ok');
      okBtn.disabled = true;
      const problem = onOk ? await onOk() : null;
      okBtn.disabled = false;
      if (problem) { err.textContent = problem; return; }
      done(true);
    };
    const cancel = () => done(false);
    function done(v) {
      form.removeEventListener('submit', submit);
      dlg.removeEventListener('cancel', cancel);
      dlg.close();
      resolve(v);
    }
    form.addEventListener('submit', submit);
    dlg.addEventListener('cancel', cancel);
    dlg.showModal();
  });
}

