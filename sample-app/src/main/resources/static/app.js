// The sample's page: lists the keys, puts and deletes them through the REST API, and applies
// the live feed (server-sent events from /api/events) as changes arrive. No build step.
'use strict';

const keys = new Map();
const FEED_LENGTH = 50;
const LOG_LENGTH = 200;
const $ = (id) => document.getElementById(id);

// What the feed did, newest last: the browser test prints it when the page is not as expected.
window.feedLog = [];
function log(entry) {
  window.feedLog.push(`${new Date().toISOString()} ${entry}`);
  if (window.feedLog.length > LOG_LENGTH) {
    window.feedLog.shift();
  }
}

// A value as the JSON API carries it: text, or Base64 for bytes that are not UTF-8.
function shown(pair) {
  return pair.encoding === 'base64' ? `(base64) ${pair.value}` : pair.value;
}

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
      const cells = [pair.key, shown(pair), String(pair.index)].map((text, i) => {
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

function addToFeed(text, type) {
  const item = document.createElement('li');
  item.className = type;
  item.textContent = text;
  const feed = $('feed');
  feed.prepend(item);
  while (feed.children.length > FEED_LENGTH) {
    feed.lastElementChild.remove();
  }
}

// The whole state: first on a new connection, again whenever changes may have been missed.
function replaceAll(snapshot) {
  keys.clear();
  snapshot.pairs.forEach((pair) => keys.set(pair.key, pair));
  render();
  if (snapshot.resync) {
    addToFeed(`resync: changes may have been missed, list replaced (${snapshot.reason ?? 'reconnected'})`, 'resync');
  }
  loadLeader();
}

function apply(change) {
  if (change.type === 'put') {
    keys.set(change.key, change);
    addToFeed(`put ${change.key} = ${shown(change)} (index ${change.index})`, 'put');
  }
  else {
    keys.delete(change.key);
    addToFeed(`delete ${change.key} (index ${change.index})`, 'delete');
  }
  render();
  if (change.key === 'sample/leader') {
    loadLeader();
  }
}

// EventSource reconnects by itself and sends the id of the last change it got as
// Last-Event-ID: the server resumes after it, or sends a resync snapshot if it cannot.
function connect() {
  const events = new EventSource('api/events');
  events.addEventListener('ready', (event) => {
    $('connection').textContent = 'live';
    $('connection').className = 'on';
    $('instance').textContent = JSON.parse(event.data).instance;
    log(`ready (resuming after ${events.lastEventId || 'nothing'})`);
  });
  events.addEventListener('snapshot', (event) => {
    const snapshot = JSON.parse(event.data);
    log(`snapshot of ${snapshot.pairs.length} keys${snapshot.resync ? `, resync: ${snapshot.reason}` : ''}`);
    replaceAll(snapshot);
  });
  events.addEventListener('change', (event) => {
    const change = JSON.parse(event.data);
    log(`change ${event.lastEventId}: ${change.type} ${change.key}`);
    apply(change);
  });
  events.addEventListener('error', () => {
    log(`error, readyState ${events.readyState}`);
    $('connection').textContent = 'reconnecting';
    $('connection').className = 'off';
  });
}

$('put-form').addEventListener('submit', putKey);
connect();
loadLeader();
setInterval(loadLeader, 5000);
