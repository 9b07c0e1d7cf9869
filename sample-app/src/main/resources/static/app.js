// The sample's page: lists the keys, puts and deletes them through the REST API, and applies
// the live feed (server-sent events from /api/events) as changes arrive. No build step.
'use strict';

const keys = new Map();
const FEED_LENGTH = 50;
const $ = (id) => document.getElementById(id);

// Calls the API; a failed call rejects with the problem detail the server sent.
async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ title: response.statusText }));
    throw Object.assign(new Error(problem.detail || problem.title), { problem, status: response.status });
  }
  return response.status === 204 ? null : response.json();
}

function keyPath(key) {
  return key.split('/').map(encodeURIComponent).join('/');
}

function showError(error) {
  $('error').textContent = error ? `${error.status || ''} ${error.problem?.title || 'Error'}: ${error.message}` : '';
}

function render() {
  const body = $('keys');
  body.replaceChildren(...[...keys.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((pair) => {
      const row = document.createElement('tr');
      row.dataset.key = pair.key;
      const cells = [pair.key, pair.value, String(pair.index)].map((text, i) => {
        const cell = document.createElement('td');
        cell.textContent = text;
        cell.className = ['key', 'value', 'index'][i];
        return cell;
      });
      const remove = document.createElement('button');
      remove.textContent = 'Delete';
      remove.addEventListener('click', () => removeKey(pair));
      const actions = document.createElement('td');
      actions.append(remove);
      row.append(...cells, actions);
      return row;
    }));
  $('count').textContent = `(${keys.size})`;
}

async function loadKeys() {
  try {
    const pairs = await api('api/list/');
    keys.clear();
    pairs.forEach((pair) => keys.set(pair.key, pair));
    render();
  }
  catch (error) {
    showError(error);
  }
}

async function loadLeader() {
  try {
    const status = await api('api/leader');
    $('instance').textContent = status.instance;
    $('leader').textContent = status.leader ?? 'none yet';
    $('leading').textContent = status.leading ? '(this instance)' : '';
  }
  catch (error) {
    $('leader').textContent = 'unknown';
  }
}

// Deletes only if nobody changed the key since this page saw it (If-Match with its index).
async function removeKey(pair) {
  try {
    await api(`api/kv/${keyPath(pair.key)}`, { method: 'DELETE', headers: { 'If-Match': `"${pair.index}"` } });
    showError(null);
  }
  catch (error) {
    showError(error);
  }
}

async function putKey(event) {
  event.preventDefault();
  const ttl = $('ttl').value.trim();
  try {
    await api(`api/kv/${keyPath($('key').value.trim())}${ttl ? `?ttl=${encodeURIComponent(ttl)}` : ''}`,
      { method: 'PUT', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: $('value').value });
    showError(null);
  }
  catch (error) {
    showError(error);
  }
}

function addToFeed(change) {
  const item = document.createElement('li');
  item.className = change.type;
  item.textContent = change.type === 'put' ? `put ${change.key} = ${change.value} (index ${change.index})`
    : change.type === 'delete' ? `delete ${change.key} (index ${change.index})`
      : 'resync: changes may have been missed, list reloaded';
  const feed = $('feed');
  feed.prepend(item);
  while (feed.children.length > FEED_LENGTH) {
    feed.lastElementChild.remove();
  }
}

function apply(change) {
  if (change.type === 'put') {
    keys.set(change.key, { key: change.key, value: change.value, index: change.index });
  }
  else if (change.type === 'delete') {
    keys.delete(change.key);
  }
  else {
    loadKeys();
  }
  render();
  addToFeed(change);
  if (change.key === 'sample/leader') {
    loadLeader();
  }
}

function connect() {
  const events = new EventSource('api/events');
  // Sent first on every (re)connection: load the list now, so nothing is missed in between.
  events.addEventListener('ready', (event) => {
    $('connection').textContent = 'live';
    $('connection').className = 'on';
    $('instance').textContent = JSON.parse(event.data).instance;
    loadKeys();
  });
  events.addEventListener('change', (event) => apply(JSON.parse(event.data)));
  events.addEventListener('error', () => {
    // EventSource reconnects by itself; the next 'ready' reloads the list.
    $('connection').textContent = 'reconnecting';
    $('connection').className = 'off';
  });
}

$('put-form').addEventListener('submit', putKey);
connect();
loadLeader();
setInterval(loadLeader, 5000);
