// The chat console: polls the Slack double's state and draws the channel; every action goes back to the double,
// which signs it and sends it to the bot as Slack would. No framework, no build step.
import { escapeHtml, mrkdwn, renderBlocks, setUserNames } from '/console/block-kit.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 700;
const params = new URLSearchParams(location.search);
let user = params.get('user') ?? localStorage.getItem('quorum-console-user') ?? '';
let state = { messages: [], users: [], views: [], scenarios: [] };
let openThread;
let shownView;
const seenAlerts = new Map();

async function api(path, body) {
  const response = await fetch(`/console/api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

function nameOf(id) {
  if (id === state.botUserId) return 'Quorum';
  return state.users.find((each) => each.id === id)?.name ?? id;
}

function timeOf(ts) {
  return new Date(Number(ts.split('.')[0]) * 1000).toLocaleTimeString();
}

function messageHtml(message, inThread) {
  const replies = state.messages.filter((each) => each.threadTs === message.ts);
  const body =
    Array.isArray(message.blocks) && message.blocks.length > 0
      ? renderBlocks(message.blocks).html
      : mrkdwn(message.text);
  const files = (message.files ?? [])
    .map(
      (file) =>
        `<button type="button" class="file" data-file-id="${escapeHtml(file.id)}" data-file-title="${escapeHtml(file.title)}">📄 ${escapeHtml(file.title || file.name)}</button>`,
    )
    .join('');
  const thread =
    !inThread && replies.length > 0
      ? `<button type="button" class="replies" data-thread="${message.ts}">${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}</button>`
      : '';
  return (
    `<div class="message${message.ephemeral ? ' ephemeral' : ''}" data-ts="${message.ts}">` +
    `<div class="meta"><b>${escapeHtml(nameOf(message.user))}</b> ${timeOf(message.ts)}` +
    `${message.ephemeral ? ' · <i>Only visible to you</i>' : ''}${message.edited ? ' <span class="edited">(edited)</span>' : ''}</div>` +
    `<div class="content">${body}</div>${files}${thread}</div>`
  );
}

function draw() {
  const switcher = $('user');
  if (switcher.options.length !== state.users.length) {
    switcher.innerHTML = state.users
      .map((each) => `<option value="${each.id}">${escapeHtml(each.name)} — ${escapeHtml(each.role)}</option>`)
      .join('');
  }
  switcher.value = user;
  $('channel-header').textContent = `# ${state.channel?.name ?? 'incident'}`;
  const top = state.messages.filter((message) => !message.threadTs);
  const list = $('messages');
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  const html = top.map((message) => messageHtml(message, false)).join('');
  if (list.dataset.html !== html) {
    list.innerHTML = html;
    list.dataset.html = html;
    if (stick) list.scrollTop = list.scrollHeight;
  }
  if (openThread) {
    const parent = state.messages.find((message) => message.ts === openThread);
    const replies = state.messages.filter((message) => message.threadTs === openThread);
    const threadHtml = [parent, ...replies]
      .filter(Boolean)
      .map((message) => messageHtml(message, true))
      .join('');
    const pane = $('thread-messages');
    if (pane.dataset.html !== threadHtml) {
      pane.innerHTML = threadHtml;
      pane.dataset.html = threadHtml;
      pane.scrollTop = pane.scrollHeight;
    }
  }
  const scenarios = $('scenarios');
  if (scenarios.childElementCount !== state.scenarios.length) {
    scenarios.innerHTML = state.scenarios
      .map(
        (each) =>
          `<button type="button" data-scenario="${each.id}" title="${escapeHtml(each.description)}">${escapeHtml(each.label)}</button>`,
      )
      .join('');
  }
  drawModal();
}

function drawModal() {
  const view = state.views.at(-1);
  const backdrop = $('modal-backdrop');
  if (!view) {
    backdrop.hidden = true;
    backdrop.innerHTML = '';
    shownView = undefined;
    return;
  }
  if (shownView === view.id) return;
  shownView = view.id;
  const { html } = renderBlocks(view.view.blocks);
  const title = view.view.title?.text ?? '';
  const submit = view.view.submit?.text ?? 'Submit';
  const close = view.view.close?.text ?? 'Cancel';
  backdrop.innerHTML =
    `<div class="modal" role="dialog" data-view-id="${view.id}"><header>${escapeHtml(title)}</header>` +
    `<div class="body">${html}</div><footer><button type="button" class="sk" data-modal="close">${escapeHtml(close)}</button>` +
    `<button type="button" class="sk primary" data-modal="submit">${escapeHtml(submit)}</button></footer></div>`;
  backdrop.hidden = false;
  backdrop.querySelector('textarea, input')?.focus();
}

async function poll() {
  try {
    const response = await fetch(`/console/api/state?user=${encodeURIComponent(user)}`);
    state = await response.json();
    setUserNames([...state.users, { id: state.botUserId, name: 'Quorum' }]);
    if (!user) user = state.users[0]?.id ?? '';
    draw();
  } catch {
    // The demo is stopping or restarting: try again at the next tick.
  }
  setTimeout(poll, POLL_MS);
}

async function pollAlerts() {
  try {
    const response = await fetch('/console/api/alerts');
    const { alerts = [] } = await response.json();
    const now = new Set();
    for (const alert of alerts) {
      const key = alert.fingerprint;
      now.add(key);
      seenAlerts.set(key, {
        name: alert.labels?.alertname,
        instance: alert.labels?.instance,
        state: alert.status?.state ?? 'active',
      });
    }
    for (const [key, alert] of seenAlerts) if (!now.has(key)) alert.state = 'resolved';
    const items = [...seenAlerts.values()];
    $('alerts').innerHTML =
      items.length === 0
        ? '<li class="quiet">none firing</li>'
        : items
            .map((alert) => {
              const shown = alert.state === 'active' ? 'firing' : alert.state;
              return `<li class="${shown}" data-alert="${escapeHtml(alert.name ?? '')}" data-state="${shown}">${shown === 'firing' ? '🔴' : '🟢'} <b>${escapeHtml(alert.name ?? '')}</b> ${shown}${alert.instance ? `<br><small>${escapeHtml(alert.instance)}</small>` : ''}</li>`;
            })
            .join('');
  } catch {
    // Alertmanager not up yet.
  }
  setTimeout(pollAlerts, 1500);
}

/** Slack's confirm dialog for a button: title, text, confirm and deny labels; resolves with the choice. */
function confirmDialog(dialog) {
  return new Promise((resolve) => {
    const node = $('confirm');
    node.innerHTML =
      `<div class="modal" role="alertdialog"><header>${escapeHtml(dialog.title)}</header>` +
      `<div class="body">${mrkdwn(dialog.text)}</div><footer>` +
      `<button type="button" class="sk" data-confirm-choice="no">${escapeHtml(dialog.deny)}</button>` +
      `<button type="button" class="sk ${dialog.style === 'danger' ? 'danger' : 'primary'}" data-confirm-choice="yes">${escapeHtml(dialog.confirm)}</button></footer></div>`;
    node.hidden = false;
    node.onclick = (event) => {
      const choice = event.target.closest('[data-confirm-choice]')?.dataset.confirmChoice;
      if (!choice) return;
      node.hidden = true;
      node.innerHTML = '';
      resolve(choice === 'yes');
    };
  });
}

async function click(button) {
  if (button.dataset.url) window.open(button.dataset.url, '_blank', 'noopener');
  if (button.dataset.confirm && !(await confirmDialog(JSON.parse(button.dataset.confirm)))) return;
  const messageTs = button.closest('.message')?.dataset.ts;
  if (!messageTs) return;
  button.disabled = true;
  try {
    await api('action', {
      user,
      messageTs,
      actionId: button.dataset.actionId,
      value: button.dataset.value,
      blockId: button.dataset.blockId || undefined,
    });
  } finally {
    button.disabled = false;
  }
}

async function submitModal(modal) {
  // Slack checks min_length, max_length and required inputs in the client before anything is sent.
  for (const input of modal.querySelectorAll('textarea, input')) {
    if (!input.reportValidity()) return;
  }
  const values = {};
  for (const input of modal.querySelectorAll('[data-block-id][data-action-id]')) {
    if (input.tagName === 'BUTTON') continue;
    values[input.dataset.blockId] ??= {};
    values[input.dataset.blockId][input.dataset.actionId] = input.value;
  }
  const answer = await api('submit', { user, viewId: modal.dataset.viewId, values });
  for (const node of modal.querySelectorAll('[data-error-for]'))
    node.textContent = answer.errors?.[node.dataset.errorFor] ?? '';
  if (!answer.errors) {
    $('modal-backdrop').hidden = true;
    state.views = state.views.filter((view) => view.id !== modal.dataset.viewId);
  }
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('button');
  if (!target) return;
  if (target.dataset.thread) {
    openThread = target.dataset.thread;
    $('thread').hidden = false;
    $('thread-messages').dataset.html = '';
    draw();
  } else if (target.id === 'thread-close') {
    openThread = undefined;
    $('thread').hidden = true;
  } else if (target.dataset.scenario) {
    target.disabled = true;
    $('switch-said').textContent = `${target.textContent}…`;
    api('scenario', { id: target.dataset.scenario })
      .then((answer) => ($('switch-said').textContent = answer.said))
      .catch((error) => ($('switch-said').textContent = `failed: ${error.message}`))
      .finally(() => (target.disabled = false));
  } else if (target.dataset.modal === 'submit') {
    void submitModal(target.closest('.modal'));
  } else if (target.dataset.modal === 'close') {
    const modal = target.closest('.modal');
    void api('close', { user, viewId: modal.dataset.viewId });
    $('modal-backdrop').hidden = true;
  } else if (target.dataset.fileId) {
    fetch(`/files/${target.dataset.fileId}`)
      .then((response) => response.text())
      .then((text) => {
        $('file-title').textContent = target.dataset.fileTitle;
        $('file-content').textContent = text;
        $('file-viewer').hidden = false;
      });
  } else if (target.id === 'file-close') {
    $('file-viewer').hidden = true;
  } else if (target.dataset.actionId !== undefined && target.classList.contains('sk')) {
    void click(target);
  }
});

$('user').addEventListener('change', (event) => {
  user = event.target.value;
  localStorage.setItem('quorum-console-user', user);
  shownView = undefined;
  void fetch(`/console/api/state?user=${encodeURIComponent(user)}`)
    .then((response) => response.json())
    .then((next) => {
      state = next;
      draw();
    });
});

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  api('command', { user, text }).catch((error) => {
    $('switch-said').textContent = `command failed: ${error.message}`;
  });
});

void poll();
void pollAlerts();
