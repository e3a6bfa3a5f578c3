// The emulator's console: drives the service REST API of the page's own origin. Every value from the emulator is
// untrusted (device ids, payloads, properties) and reaches the page only as text: textContent, never innerHTML.
// Where the API requires authentication, the page asks once for a service connection string or a SAS token, keeps
// it in sessionStorage (gone with the tab, never in a URL) and sends it, or tokens it signs with it, in the
// Authorization header of every request, the telemetry stream included (read with fetch: EventSource sends no headers).
'use strict';

(function () {
  const POLL_MS = 1500;
  const MAX_TELEMETRY_ROWS = 200;
  const MAX_EVENTS = 200;
  const PAGE = 1000;

  const known = new Map(); // identity key -> {deviceId, moduleId, connected, via, lastActivity}
  let selected = null; // {deviceId, moduleId}
  let telemetry = null; // {close()} of the selected identity's live telemetry
  let unreachable = false;
  let loop = null; // timer of the next registry refresh

  const CREDENTIAL_KEY = 'iothub-console-credential';
  const TOKEN_LIFETIME_S = 3600;
  const SAS_PREFIX = 'SharedAccessSignature ';
  let signed = null; // {header, renewAt} of the token last signed with the stored connection string

  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([name, value]) => {
      if (name === 'className') {
        node.className = value;
      } else if (name.startsWith('on')) {
        node.addEventListener(name.substring(2), value);
      } else {
        node.setAttribute(name, value);
      }
    });
    children.forEach((child) => node.append(child instanceof Node ? child : document.createTextNode(String(child))));
    return node;
  }

  const keyOf = (identity) => identity.moduleId ? identity.deviceId + '/' + identity.moduleId : identity.deviceId;
  const enc = encodeURIComponent;
  const devicePath = (identity) => '/devices/' + enc(identity.deviceId)
    + (identity.moduleId ? '/modules/' + enc(identity.moduleId) : '');
  const twinPath = (identity) => '/twins/' + enc(identity.deviceId)
    + (identity.moduleId ? '/modules/' + enc(identity.moduleId) : '');
  const time = (date) => date.toLocaleTimeString([], { hour12: false });
  const pretty = (value) => JSON.stringify(value, null, 2);

  function setStatus(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  class AuthenticationRequired extends Error {}

  function parseConnectionString(text) {
    const fields = {};
    text.split(';').forEach((pair) => {
      const equals = pair.indexOf('=');
      if (equals > 0) {
        fields[pair.substring(0, equals).trim()] = pair.substring(equals + 1).trim();
      }
    });
    if (!fields.HostName || !fields.SharedAccessKeyName || !fields.SharedAccessKey) {
      throw new AuthenticationRequired('Paste a service connection string (HostName=...;SharedAccessKeyName=...;'
        + 'SharedAccessKey=...) or a SAS token (SharedAccessSignature sr=...)');
    }
    return fields;
  }

  const base64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

  // IoT Hub's service token: HMAC-SHA256 of "{url-encoded host}\n{expiry}" with the policy's key.
  async function sign(fields) {
    if (!window.crypto || !crypto.subtle) {
      throw new AuthenticationRequired('This page is not a secure context (plain HTTP to a host other than '
        + 'localhost), so it cannot sign tokens: paste a SAS token (SharedAccessSignature sr=...) instead');
    }
    const expiry = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_S;
    const resource = encodeURIComponent(fields.HostName);
    const keyBytes = Uint8Array.from(atob(fields.SharedAccessKey), (c) => c.charCodeAt(0));
    const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(resource + '\n' + expiry));
    return {
      header: SAS_PREFIX + 'sr=' + resource + '&sig=' + enc(base64(signature)) + '&se=' + expiry + '&skn='
        + enc(fields.SharedAccessKeyName),
      renewAt: (expiry - TOKEN_LIFETIME_S / 4) * 1000
    };
  }

  // The Authorization header for the stored credential, or null when there is none.
  async function authorization() {
    const credential = sessionStorage.getItem(CREDENTIAL_KEY);
    if (!credential) {
      return null;
    }
    if (credential.startsWith(SAS_PREFIX)) {
      return credential;
    }
    if (!signed || Date.now() >= signed.renewAt) {
      signed = await sign(parseConnectionString(credential));
    }
    return signed.header;
  }

  async function authorized(headers) {
    const header = await authorization();
    return header ? Object.assign({ Authorization: header }, headers) : Object.assign({}, headers);
  }

  async function refusal(response) {
    let reason = '';
    try {
      const json = await response.json();
      reason = (json && (json.ExceptionMessage || json.Message)) || '';
    } catch (notJson) {
      reason = '';
    }
    const detail = reason.replace(/^Tracking ID:\S+ /, '');
    return new AuthenticationRequired(sessionStorage.getItem(CREDENTIAL_KEY)
      ? 'The emulator refused the credential' + (detail ? ': ' + detail : '')
      : 'The service API requires authentication: paste the emulator\'s service connection string');
  }

  async function call(method, path, body, headers) {
    const init = { method, headers: await authorized(headers) };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!init.headers['Content-Type']) {
        init.headers['Content-Type'] = 'application/json';
      }
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (unreachable) {
      throw new Error('Cannot reach the emulator: ' + unreachable.message);
    }
    if (response.status === 401) {
      throw await refusal(response);
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (notJson) {
      json = text;
    }
    if (!response.ok) {
      const message = json && json.message ? json.message : text;
      throw new Error(response.status + ' ' + message);
    }
    return { json, headers: response.headers };
  }

  function parseJson(text, what) {
    try {
      return JSON.parse(text);
    } catch (ex) {
      throw new Error(what + ' is not JSON: ' + ex.message);
    }
  }

  function show(target, text, isError) {
    target.textContent = text;
    target.classList.toggle('error', !!isError);
  }

  // ---- registry and connection events ------------------------------------------------------------------------------

  function logEvent(text) {
    const events = $('events');
    events.prepend(el('li', {}, time(new Date()) + ' ' + text));
    while (events.children.length > MAX_EVENTS) {
      events.lastChild.remove();
    }
  }

  function observe(entry, firstSight) {
    const key = keyOf(entry);
    const connected = entry.connectionState === 'Connected';
    const via = entry.connectedVia || null;
    const previous = known.get(key);
    const state = previous || { deviceId: entry.deviceId, moduleId: entry.moduleId || null, lastActivity: null };
    if (previous && (previous.connected !== connected || previous.via !== via)) {
      state.lastActivity = new Date();
      logEvent(key + (connected ? ' connected via ' + via : ' disconnected'));
    } else if (!previous && connected && !firstSight) {
      state.lastActivity = new Date();
      logEvent(key + ' connected via ' + via);
    }
    state.connected = connected;
    state.via = via;
    known.set(key, state);
    return state;
  }

  async function refreshRegistry(firstSight) {
    const devices = (await call('GET', '/devices')).json;
    const seen = new Set();
    const rows = [];
    for (const device of devices) {
      rows.push(observe(device, firstSight));
      seen.add(keyOf(device));
      let modules = [];
      try {
        modules = (await call('GET', devicePath(device) + '/modules')).json;
      } catch (deletedMeanwhile) {
        modules = [];
      }
      for (const module of modules) {
        rows.push(observe(module, firstSight));
        seen.add(keyOf(module));
      }
    }
    for (const key of [...known.keys()]) {
      if (!seen.has(key)) {
        if (known.get(key).connected) {
          logEvent(key + ' disconnected (deleted)');
        }
        known.delete(key);
      }
    }
    renderRegistry(rows);
    if (selected && !known.has(keyOf(selected))) {
      select(null);
    } else if (selected) {
      renderConnection();
    }
  }

  function renderRegistry(rows) {
    const body = $('device-rows');
    const rendered = JSON.stringify(rows.map((state) => [keyOf(state), state.connected, state.via,
      state.lastActivity && state.lastActivity.getTime()]));
    if (rendered === body.getAttribute('data-rendered')) {
      return;
    }
    body.setAttribute('data-rendered', rendered);
    body.replaceChildren(...rows.map((state) => {
      const key = keyOf(state);
      const row = el('tr', {
        className: (state.moduleId ? 'module' : 'device') + (selected && keyOf(selected) === key ? ' selected' : ''),
        'data-id': key
      },
      el('td', { className: 'id' }, el('button', { type: 'button', className: 'select', onclick: () => select(state) },
        state.moduleId ? state.moduleId : state.deviceId)),
      el('td', { className: 'state ' + (state.connected ? 'state-connected' : 'state-disconnected') },
        state.connected ? 'Connected' : 'Disconnected'),
      el('td', { className: 'via' }, state.via || ''),
      el('td', { className: 'activity' }, state.lastActivity ? time(state.lastActivity) : ''),
      el('td', {}, state.moduleId ? '' : el('button', {
        type: 'button', className: 'secondary delete', title: 'Delete ' + key,
        onclick: () => remove(state)
      }, 'Delete')));
      return row;
    }));
  }

  async function remove(identity) {
    try {
      await call('DELETE', devicePath(identity));
      await refreshRegistry(false);
    } catch (ex) {
      setStatus('Delete failed: ' + ex.message, true);
    }
  }

  async function create(event) {
    event.preventDefault();
    const id = $('new-device-id').value.trim();
    if (!id) {
      return;
    }
    try {
      await call('PUT', '/devices/' + enc(id), { deviceId: id });
      $('new-device-id').value = '';
      setStatus('Created ' + id);
      await refreshRegistry(false);
    } catch (ex) {
      setStatus('Create failed: ' + ex.message, true);
    }
  }

  // ---- the selected device ------------------------------------------------------------------------------------------

  function select(identity) {
    if (telemetry) {
      telemetry.close();
      telemetry = null;
    }
    selected = identity ? { deviceId: identity.deviceId, moduleId: identity.moduleId || null } : null;
    $('device').hidden = !selected;
    document.querySelectorAll('#device-rows tr').forEach((row) =>
      row.classList.toggle('selected', !!selected && row.getAttribute('data-id') === keyOf(selected)));
    if (!selected) {
      return;
    }
    $('device-title').textContent = (selected.moduleId ? 'Module ' : 'Device ') + keyOf(selected);
    $('c2d-card').hidden = !!selected.moduleId;
    ['method-result', 'c2d-result', 'twin-result'].forEach((id) => show($(id), ''));
    $('telemetry-rows').replaceChildren();
    renderConnection();
    refreshTwin();
    telemetry = followTelemetry(selected);
  }

  function renderConnection() {
    const state = known.get(keyOf(selected));
    $('device-connection').textContent = !state ? ''
      : state.connected ? 'Connected via ' + state.via : 'Disconnected';
  }

  async function refreshTwin() {
    if (!selected) {
      return;
    }
    const identity = selected;
    try {
      const twin = (await call('GET', twinPath(identity))).json;
      if (identity === selected) {
        $('twin-desired').textContent = pretty(twin.properties.desired);
        $('twin-reported').textContent = pretty(twin.properties.reported);
      }
    } catch (ex) {
      show($('twin-result'), ex.message, true);
    }
  }

  async function patchDesired(event) {
    event.preventDefault();
    try {
      const patch = parseJson($('desired-patch').value, 'The patch');
      const twin = (await call('PATCH', twinPath(selected), { properties: { desired: patch } })).json;
      $('twin-desired').textContent = pretty(twin.properties.desired);
      show($('twin-result'), 'Desired $version ' + twin.properties.desired.$version);
    } catch (ex) {
      show($('twin-result'), ex.message, true);
    }
  }

  async function invokeMethod(event) {
    event.preventDefault();
    const result = $('method-result');
    show(result, 'Waiting for the device...');
    try {
      const payloadText = $('method-payload').value.trim();
      const answer = (await call('POST', twinPath(selected) + '/methods', {
        methodName: $('method-name').value,
        payload: payloadText ? parseJson(payloadText, 'The payload') : null,
        responseTimeoutInSeconds: Number($('method-timeout').value) || 30
      })).json;
      show(result, 'status ' + answer.status + '\n' + pretty(answer.payload));
    } catch (ex) {
      show(result, ex.message, true);
    }
  }

  function headerValue(value) {
    // Header values are ISO-8859-1 on the wire: anything beyond printable ASCII goes percent-encoded as UTF-8.
    return /^[\x20-\x24\x26-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
  }

  async function sendCloudToDevice(event) {
    event.preventDefault();
    const result = $('c2d-result');
    try {
      const headers = { 'Content-Type': $('c2d-content-type').value.trim() || 'application/octet-stream' };
      $('c2d-properties').value.split('\n').map((line) => line.trim()).filter((line) => line).forEach((line) => {
        const equals = line.indexOf('=');
        if (equals <= 0) {
          throw new Error('A property line needs name=value: ' + line);
        }
        headers['iothub-app-' + line.substring(0, equals).trim()] = headerValue(line.substring(equals + 1).trim());
      });
      const sent = await call('POST', devicePath(selected) + '/messages/deviceBound', $('c2d-body').value, headers);
      show(result, 'Queued, message id ' + (sent.headers.get('iothub-messageid') || '?'));
    } catch (ex) {
      show(result, ex.message, true);
    }
  }

  // ---- live telemetry -----------------------------------------------------------------------------------------------

  function formatProperties(properties) {
    return Object.entries(properties || {}).map(([name, value]) => name + '=' + value).join('\n');
  }

  const preOrEmpty = (text) => text ? el('pre', {}, text) : '';

  function addTelemetry(identity, message) {
    if (identity !== selected) {
      return;
    }
    const enqueued = message.enqueuedTime ? new Date(message.enqueuedTime) : new Date();
    const state = known.get(keyOf(identity));
    if (state && (!state.lastActivity || state.lastActivity < enqueued)) {
      state.lastActivity = enqueued;
      const cell = document.querySelector('#device-rows tr[data-id="' + CSS.escape(keyOf(identity)) + '"] td.activity');
      if (cell) {
        cell.textContent = time(state.lastActivity);
      }
    }
    const rows = $('telemetry-rows');
    const sequence = typeof message.sequenceNumber === 'number' ? message.sequenceNumber : Infinity;
    const row = el('tr', { className: 'message', 'data-sequence': String(sequence) },
      el('td', {}, time(enqueued)),
      el('td', { className: 'body' }, message.body !== undefined ? message.body : 'base64:' + message.bodyBase64),
      el('td', { className: 'properties' }, preOrEmpty(formatProperties(message.properties))),
      el('td', {}, preOrEmpty(formatProperties(message.systemProperties))));
    const older = [...rows.children].find((other) => Number(other.getAttribute('data-sequence')) < sequence);
    rows.insertBefore(row, older || null);
    while (rows.children.length > MAX_TELEMETRY_ROWS) {
      rows.lastChild.remove();
    }
  }

  // Live from the stream (server-sent events); what came before, and what the stream may miss while it
  // (re)connects, is read page by page from the received-telemetry log after the last sequence number shown. Where
  // the stream is refused, the log is polled instead.
  function followTelemetry(identity) {
    let stopped = false;
    let timer = null;
    let opened = false;
    let catchingUp = null;
    const shown = new Set();
    let last = 0;

    function add(message) {
      const sequence = message.sequenceNumber;
      if (typeof sequence === 'number') {
        if (shown.has(sequence)) {
          return;
        }
        shown.add(sequence);
        last = Math.max(last, sequence);
      }
      addTelemetry(identity, message);
    }

    async function pages() {
      for (;;) {
        const page = (await call('GET', devicePath(identity) + '/messages/events?limit=' + PAGE + '&after=' + last))
          .json;
        page.forEach(add);
        if (stopped || page.length < PAGE) {
          return;
        }
      }
    }

    function catchUp() {
      if (!catchingUp) {
        catchingUp = pages().catch(() => {
          // deleted meanwhile, or the emulator is gone: the registry refresh deselects it or reports it
        }).finally(() => {
          catchingUp = null;
        });
      }
      return catchingUp;
    }

    async function poll() {
      $('telemetry-mode').textContent = '(polling)';
      await catchUp();
      if (!stopped) {
        timer = setTimeout(poll, POLL_MS);
      }
    }

    // One server-sent event block: "event: telemetry" and its "data:" lines.
    function handle(block) {
      let name = 'message';
      const data = [];
      block.split('\n').forEach((line) => {
        if (line.startsWith('event:')) {
          name = line.substring(6).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.substring(5).replace(/^ /, ''));
        }
      });
      if (name === 'telemetry' && data.length) {
        add(JSON.parse(data.join('\n')));
      }
    }

    async function stream() {
      let response;
      try {
        response = await fetch(devicePath(identity) + '/messages/events/stream',
          { headers: await authorized({ Accept: 'text/event-stream' }), signal: aborted.signal });
      } catch (failed) {
        response = null;
      }
      if (stopped) {
        return;
      }
      if (!response || !response.ok || !response.body) {
        if (opened) {
          timer = setTimeout(stream, POLL_MS); // the emulator went away after the stream was open: try again
        } else {
          poll();
        }
        return;
      }
      opened = true;
      $('telemetry-mode').textContent = '(live)';
      catchUp();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) {
            break;
          }
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            handle(buffer.substring(0, end));
            buffer = buffer.substring(end + 2);
          }
        }
      } catch (closed) {
        // aborted by close(), or the connection dropped
      }
      if (!stopped) {
        $('telemetry-mode').textContent = '(reconnecting)';
        timer = setTimeout(stream, POLL_MS);
      }
    }

    const aborted = new AbortController();
    stream();

    return {
      close() {
        stopped = true;
        aborted.abort();
        clearTimeout(timer);
      }
    };
  }

  // ---- start --------------------------------------------------------------------------------------------------------

  function showSignIn(message) {
    clearTimeout(loop);
    select(null);
    $('registry').hidden = true;
    $('sign-in').hidden = false;
    $('sign-out').hidden = true;
    show($('sign-in-error'), message, !!sessionStorage.getItem(CREDENTIAL_KEY));
    $('credential').focus();
  }

  function signIn(event) {
    event.preventDefault();
    const credential = $('credential').value.trim();
    if (!credential) {
      return;
    }
    sessionStorage.setItem(CREDENTIAL_KEY, credential);
    signed = null;
    $('credential').value = '';
    $('sign-in').hidden = true;
    $('registry').hidden = false;
    $('sign-out').hidden = false;
    refreshLoop(true);
  }

  function signOut() {
    sessionStorage.removeItem(CREDENTIAL_KEY);
    signed = null;
    showSignIn('Signed out');
  }

  async function refreshLoop(firstSight) {
    clearTimeout(loop);
    try {
      await refreshRegistry(firstSight);
      await refreshTwin();
      if (unreachable) {
        unreachable = false;
        setStatus('');
      }
    } catch (ex) {
      if (ex instanceof AuthenticationRequired) {
        showSignIn(ex.message);
        return;
      }
      unreachable = true;
      setStatus(ex.message, true);
    }
    loop = setTimeout(() => refreshLoop(false), POLL_MS);
  }

  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('sign-out').hidden = !sessionStorage.getItem(CREDENTIAL_KEY);
  $('create-form').addEventListener('submit', create);
  $('desired-form').addEventListener('submit', patchDesired);
  $('method-form').addEventListener('submit', invokeMethod);
  $('c2d-form').addEventListener('submit', sendCloudToDevice);
  refreshLoop(true);
}());
