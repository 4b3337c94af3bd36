// The page at /: plain JS over the job API. Uploads go straight to S3 through the presigned URL, progress comes
// from the job's server-sent events (read with fetch, so a bearer token can go along), playback uses hls.js.
'use strict';

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('reelroute-token') || '';
// Where the next page of each list of ended jobs starts (null: no more), and the button that loads it.
const ended = {
  completed: { nextToken: null, more: 'more' },
  failed: { nextToken: null, more: 'more-failed' },
};
let watching = null; // AbortController of the event stream being read
let hls = null;
let pipelines = []; // GET /pipelines: each with its params schema

function authHeaders() {
  return token ? { Authorization: 'Bearer ' + token } : {};
}

async function api(method, path, body) {
  const headers = authHeaders();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (response.status === 401) $('auth').hidden = false;
  if (!response.ok) throw new Error(json.error || (method + ' ' + path + ' answered ' + response.status));
  return json;
}

function say(text, isError) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

// PUT the file to the presigned URL with the headers it was signed with, reporting upload progress. The browser
// sends Content-Length itself (the file's size, which the URL was signed with); scripts may not set it.
function upload(file, target) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    Object.entries(target.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .forEach(([name, value]) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) say('Uploading: ' + Math.round(100 * e.loaded / e.total) + '%');
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve()
      : reject(new Error('the upload was refused (HTTP ' + xhr.status + ')')));
    xhr.onerror = () => reject(new Error('the upload did not reach storage (network or CORS)'));
    xhr.send(file);
  });
}

// Files larger than this go up in parts (a PUT takes 5 GiB at most, and a failed part is sent again, not the
// whole file), of PART_BYTES or more: enough that no file needs over 10,000 parts.
let PARTS_ABOVE = 100 * 1024 * 1024;
let PART_BYTES = 16 * 1024 * 1024;

// PUT one part to its presigned URL; resolves with the bytes sent once S3 has it.
function putPart(url, blob, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve()
      : reject(new Error('a part of the upload was refused (HTTP ' + xhr.status + ')')));
    xhr.onerror = () => reject(new Error('a part of the upload did not reach storage (network or CORS)'));
    xhr.send(blob);
  });
}

// Multipart upload through the API: part URLs come 100 a call (next_first_part says where the next call starts),
// each part is PUT (a failed one is tried twice more, with a fresh URL), then complete-upload joins the parts S3
// holds.
async function uploadInParts(jobId, file) {
  const partBytes = Math.max(PART_BYTES, Math.ceil(file.size / 10000));
  const parts = Math.ceil(file.size / partBytes);
  const path = '/jobs/' + jobId + '/upload-parts';
  let uploadId;
  const urls = async (first) => {
    const page = await api('POST', path, { parts, size: file.size, upload_id: uploadId, first_part: first });
    uploadId = page.upload_id;
    return page;
  };
  for (let first = 1; first;) {
    const page = await urls(first);
    for (const part of page.parts) {
      const start = (part.part_number - 1) * partBytes;
      const blob = file.slice(start, start + partBytes);
      const progress = (loaded) => say('Uploading: ' + Math.round(100 * (start + loaded) / file.size) + '%');
      for (let attempt = 1, url = part.url; ; attempt++) {
        try {
          await putPart(url, blob, progress);
          break;
        } catch (e) {
          if (attempt === 3) throw e;
          url = (await urls(part.part_number)).parts[0].url;
        }
      }
    }
    first = page.next_first_part;
  }
  await api('POST', '/jobs/' + jobId + '/complete-upload', { upload_id: uploadId });
}

function show(job) {
  $('current').hidden = false;
  $('job-id').textContent = job.job_id;
  const status = job.status + (job.hls_status ? ', HLS ' + job.hls_status : '');
  $('job-status').textContent = job.failure ? status + ' in ' + job.failure.phase + ': ' + job.failure.reason : status;
  $('job-status').className = job.status === 'failed' ? 'failed' : '';
  const p = job.progress || {};
  $('segments').max = p.segments_total || 1;
  $('segments').value = p.segments_completed || 0;
  // Segments are worked on while the source is still being split; the total is known when the split ends.
  $('segments-text').textContent = p.segments_total ? p.segments_completed + ' of ' + p.segments_total
    : p.segments_completed ? p.segments_completed + ' done, still splitting' : 'not chunked yet';
  $('hls').value = job.hls_status === 'ready' ? 100 : (p.hls_percent || 0);
  $('hls-text').textContent = job.hls_status || 'not started';
  $('eta').textContent = job.eta_seconds == null ? '-' : job.eta_seconds + ' s';
  if (job.final_url) {
    // Saved under the name the URL's Content-Disposition gives: the title and the format's player tag.
    $('download').href = job.final_url;
    $('download').textContent = 'Download ' + (job.final_file_name || 'final.mp4');
    $('download').hidden = false;
  }
}

// Reads text/event-stream from the response body: blocks separated by a blank line, "event:" and "data:" lines.
// A refused stream (429: this user has too many open; 503: the server has) falls back to polling the job.
async function watch(jobId) {
  if (watching) watching.abort();
  const controller = new AbortController();
  watching = controller;
  let last = null;
  while (!controller.signal.aborted) {
    try {
      const response = await fetch('/jobs/' + jobId + '/events', { headers: authHeaders(), signal: controller.signal });
      if (response.status === 429 || response.status === 503) {
        await poll(jobId, controller);
        return;
      }
      if (!response.ok) throw new Error('events answered ' + response.status);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (!event || !data) continue;
          const payload = JSON.parse(data[1]);
          if (event[1] === 'job') {
            last = payload;
            show(payload);
          } else if (event[1] === 'end') {
            finished(jobId, last, payload.status);
            return;
          }
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
      say('Lost the event stream (' + e.message + '); reconnecting', true);
    }
    await new Promise((r) => setTimeout(r, 1000)); // the stream ended by itself: reconnect
  }
}

// Whether nothing more will happen to the job (as the stream's "end" event says).
function isOver(job) {
  return job.status === 'failed'
    || (job.status === 'completed' && (job.hls_status === 'ready' || job.hls_status === 'failed'));
}

// GET /jobs/{id} until the job ends, less often as time goes on (2 s, growing by half up to 15 s).
async function poll(jobId, controller) {
  say('Following the job by polling (no event stream is free now).');
  for (let wait = 2000; !controller.signal.aborted; wait = Math.min(wait * 1.5, 15000)) {
    try {
      const response = await fetch('/jobs/' + jobId, { headers: authHeaders(), signal: controller.signal });
      if (response.status === 404) {
        finished(jobId, null, 'deleted');
        return;
      }
      if (response.ok) {
        const job = await response.json();
        show(job);
        if (isOver(job)) {
          finished(jobId, job, job.status);
          return;
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

function finished(jobId, job, status) {
  loadJobs();
  showTimeline(jobId);
  if (job && job.hls_status === 'ready') {
    say('Done: playing the HLS result.');
    play(jobId);
  } else if (status === 'failed' || (job && job.status === 'failed')) {
    say('The job failed' + (job && job.failure ? ' in ' + job.failure.phase + ': ' + job.failure.reason : ''), true);
  } else {
    say('The job ended: ' + status, status !== 'completed');
  }
}

async function play(jobId) {
  try {
    const playback = await api('GET', '/jobs/' + jobId + '/playback');
    const video = $('player');
    $('player-section').hidden = false;
    $('playing').textContent = jobId;
    if (hls) hls.destroy();
    if (window.Hls && Hls.isSupported()) {
      hls = new Hls({
        xhrSetup: (xhr, url) => {
          // CloudFront reads its signed cookies; the application's /media takes the API's bearer token.
          if (playback.delivery === 'cloudfront') xhr.withCredentials = true;
          else if (token && new URL(url, location.href).origin === location.origin) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
        },
      });
      hls.loadSource(playback.url);
      hls.attachMedia(video);
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) say('Playback failed: ' + data.details, true); });
    } else {
      video.src = playback.url; // Safari plays HLS natively
      video.play().catch(() => {});
    }
  } catch (e) {
    say(e.message, true);
  }
}

function jobItem(job) {
  const li = document.createElement('li');
  li.dataset.jobId = job.job_id;
  const settings = Object.values(job.params || {}).join(' ');
  const label = (job.title ? job.title + ' - ' : '') + job.job_id.slice(0, 8) + ' (' + job.pipeline
    + (settings ? ' ' + settings : '') + ', ' + job.status
    + (job.hls_status ? ', HLS ' + job.hls_status : '') + ')';
  li.append(label);
  if (job.failure) {
    const failure = document.createElement('div');
    failure.className = 'failure';
    failure.textContent = 'Failed in ' + job.failure.phase + ': ' + job.failure.reason;
    if (job.failure.detail) {
      // The tool's own output, for whoever needs more than the reason.
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'Details';
      const output = document.createElement('pre');
      output.textContent = job.failure.detail;
      details.append(summary, output);
      failure.append(details);
    }
    li.append(failure);
  }
  const button = (text, action) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', action);
    li.append(b);
  };
  if (job.hls_status === 'ready') button('Play', () => play(job.job_id));
  button('Timeline', () => showTimeline(job.job_id));
  if (job.status !== 'completed' && job.status !== 'failed') button('Watch', () => watch(job.job_id));
  if (job.status === 'failed') button('Retry', async () => {
    try { await api('POST', '/jobs/' + job.job_id + '/retry'); watch(job.job_id); } catch (e) { say(e.message, true); }
  });
  const link = (href, text) => {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    a.style.marginLeft = '0.5rem';
    li.append(a);
  };
  if (job.poster_url) {
    const poster = document.createElement('img');
    poster.src = job.poster_url;
    poster.alt = 'poster';
    poster.height = 36;
    poster.style.marginLeft = '0.5rem';
    poster.style.verticalAlign = 'middle';
    li.append(poster);
  }
  if (job.final_url) link(job.final_url, 'final.mp4');
  (job.renditions || []).forEach((r) => link(r.url, Math.min(r.width, r.height) + 'p'));
  button('Delete', async () => {
    try { await api('DELETE', '/jobs/' + job.job_id); li.remove(); } catch (e) { say(e.message, true); }
  });
  return li;
}

async function loadJobs() {
  try {
    const running = await api('GET', '/jobs?status=in_progress&limit=100');
    $('in-progress').replaceChildren(...running.jobs.map(jobItem));
    await Promise.all(Object.keys(ended).map((status) => loadEnded(status, false)));
  } catch (e) {
    say(e.message, true);
  }
}

// The jobs that ended in status (completed or failed), latest first, ten at a time: the next page with more.
async function loadEnded(status, more) {
  const list = ended[status];
  if (!more) {
    list.nextToken = null;
    $(status).replaceChildren();
  }
  const page = await api('GET', '/jobs?status=' + status + '&limit=10'
    + (list.nextToken ? '&next_token=' + encodeURIComponent(list.nextToken) : ''));
  $(status).append(...page.jobs.map(jobItem));
  list.nextToken = page.next_token;
  $(list.more).hidden = !list.nextToken;
}

async function loadMore(status) {
  try {
    await loadEnded(status, true);
  } catch (e) {
    say(e.message, true);
  }
}

$('create').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = $('file').files[0];
  if (!file) return;
  $('start').disabled = true;
  try {
    // The size lets the API refuse a file over the deployment's limit before it is uploaded.
    const body = { pipeline: $('pipeline').value, params: paramValues(), size: file.size };
    if ($('title').value.trim()) body.title = $('title').value.trim();
    if ($('preview-first').checked) body.hold = true;
    const job = await api('POST', '/jobs', body);
    show({ job_id: job.job_id, status: job.status, progress: {} });
    if (file.size > PARTS_ABOVE) {
      await uploadInParts(job.job_id, file);
    } else {
      await upload(file, job.upload);
    }
    loadJobs();
    if (body.hold) {
      heldJob = job.job_id;
      await preview();
    } else {
      say('Uploaded; the pipeline is working on it.');
      watch(job.job_id);
    }
  } catch (err) {
    say(err.message, true);
  } finally {
    $('start').disabled = false;
  }
});

// A held job's preview: clips through the model with the form's settings, shown side by side once ready.
let heldJob = null;

async function preview() {
  $('preview-section').hidden = false;
  $('preview-status').textContent = '(making it)';
  $('clips').replaceChildren();
  say('Uploaded; previewing a few clips.');
  try {
    await api('POST', '/jobs/' + heldJob + '/preview', { params: paramValues(), samples: 3 });
    let job;
    for (let wait = 1000; ; wait = Math.min(wait * 1.5, 5000)) {
      job = await api('GET', '/jobs/' + heldJob);
      if (!job.preview || job.preview.status !== 'running') break;
      await new Promise((r) => setTimeout(r, wait));
    }
    if (job.preview.status === 'failed') {
      $('preview-status').textContent = '(failed)';
      say('The preview failed: ' + job.preview.error, true);
      return;
    }
    $('preview-status').textContent = '(' + job.preview.params.format + ', strength ' + job.preview.params.divergence + ')';
    $('clips').replaceChildren(...job.preview.clips.map((clip) => {
      const video = document.createElement('video');
      Object.assign(video, { src: clip.url, controls: true, muted: true, loop: true, playsInline: true, autoplay: true });
      return video;
    }));
    say('Preview ready: compare, change the settings, or start the full run.');
  } catch (e) {
    say(e.message, true);
  }
}

$('preview-again').addEventListener('click', () => heldJob && preview());

$('start-held').addEventListener('click', async () => {
  if (!heldJob) return;
  try {
    await api('POST', '/jobs/' + heldJob + '/start', { params: paramValues() });
    $('preview-section').hidden = true;
    say('Started; the pipeline is working on it.');
    watch(heldJob);
    heldJob = null;
  } catch (e) {
    say(e.message, true);
  }
});

// One field per param of the chosen pipeline's schema: a list for an enum, a number box for numbers, a checkbox
// for booleans, else a text box; each starts at the schema's default.
function showParams() {
  const pipeline = pipelines.find((p) => p.name === $('pipeline').value);
  $('pipeline-description').textContent = pipeline ? pipeline.description : '';
  const fields = Object.entries((pipeline && pipeline.params_schema.properties) || {}).map(([name, schema]) => {
    const label = document.createElement('label');
    label.title = schema.description || '';
    label.append((schema.title || name) + ' ');
    let input;
    if (Array.isArray(schema.enum)) {
      input = document.createElement('select');
      schema.enum.forEach((value) => input.append(new Option(String(value), String(value))));
    } else {
      input = document.createElement('input');
      if (schema.type === 'boolean') input.type = 'checkbox';
      else if (schema.type === 'integer' || schema.type === 'number') {
        input.type = 'number';
        if (schema.minimum !== undefined) input.min = schema.minimum;
        if (schema.maximum !== undefined) input.max = schema.maximum;
        input.step = schema.type === 'integer' ? '1' : 'any';
      } else input.type = 'text';
    }
    input.id = 'param-' + name;
    input.dataset.param = name;
    input.dataset.type = schema.type || 'string';
    if (schema.type === 'array') input.placeholder = 'comma-separated';
    if (schema.default !== undefined) {
      if (input.type === 'checkbox') input.checked = Boolean(schema.default);
      else input.value = Array.isArray(schema.default) ? schema.default.join(',') : String(schema.default);
    }
    label.append(input);
    return label;
  });
  $('params').replaceChildren(...fields);
}

function paramValues() {
  const params = {};
  $('params').querySelectorAll('[data-param]').forEach((input) => {
    const type = input.dataset.type;
    if (input.type === 'checkbox') params[input.dataset.param] = input.checked;
    else if (input.value === '') return;
    else if (type === 'integer' || type === 'number') params[input.dataset.param] = Number(input.value);
    else if (type === 'array') params[input.dataset.param] = input.value.split(',').map((v) => v.trim()).filter((v) => v)
      .map((v) => (Number.isNaN(Number(v)) ? v : Number(v)));
    else params[input.dataset.param] = input.value;
  });
  return params;
}

async function loadPipelines() {
  try {
    const listed = await api('GET', '/pipelines');
    pipelines = listed.pipelines;
    $('pipeline').replaceChildren(...pipelines.map((p) => new Option(p.title + ' (' + p.name + ')', p.name)));
    $('pipeline').value = listed.default;
    showParams();
  } catch (e) {
    say(e.message, true);
  }
}

// The job's timeline (GET /jobs/{id}: timeline.hops, and timeline.segments a page at a time) on one time axis:
// a lane per hop in pipeline order, the segments' inference packed into as few lanes as ran at once.
async function showTimeline(jobId) {
  try {
    let job = await api('GET', '/jobs/' + jobId);
    const hops = job.timeline.hops;
    const segments = job.timeline.segments.slice();
    // At most 2000 segments: four pages of 500.
    for (let page = 1; job.timeline.segments_next != null && page < 10; page++) {
      job = await api('GET', '/jobs/' + jobId + '?segments_from=' + job.timeline.segments_next);
      segments.push(...job.timeline.segments);
    }
    drawTimeline(jobId, hops, segments);
  } catch (e) {
    say(e.message, true);
  }
}

function drawTimeline(jobId, hops, segments) {
  const time = (text) => (text ? Date.parse(text) : null);
  const now = Date.now();
  const runs = hops.map((h) => ({ label: h.hop, hop: h.hop, start: time(h.started_at), end: time(h.finished_at), wait: h.queue_wait_ms }))
    .concat(segments.filter((s) => s.started_at).map((s) => ({ label: 'segment ' + s.index, segment: s.index,
      start: time(s.started_at), end: time(s.finished_at), wait: s.queue_wait_ms, attempts: s.attempts })));
  $('timeline-section').hidden = false;
  $('timeline-job').textContent = jobId;
  if (!runs.length) {
    $('timeline').textContent = 'No hop has run yet.';
    return;
  }
  const from = Math.min(...runs.map((r) => r.start - (r.wait || 0)));
  const to = Math.max(...runs.map((r) => r.end || now), from + 1);
  const pct = (t) => (100 * (t - from) / (to - from)).toFixed(3) + '%';
  const seconds = (ms) => (ms / 1000).toFixed(ms < 10000 ? 2 : 0) + ' s';
  const bar = (run) => {
    const parts = [];
    if (run.wait) {
      const wait = document.createElement('div');
      wait.className = 'wait';
      wait.style.left = pct(run.start - run.wait);
      wait.style.width = pct(from + run.wait);
      wait.title = run.label + ' waited ' + seconds(run.wait) + ' in its queue';
      parts.push(wait);
    }
    const b = document.createElement('div');
    b.className = run.end ? 'bar' : 'bar running';
    if (run.hop) b.dataset.hop = run.hop;
    if (run.segment !== undefined) b.dataset.segment = run.segment;
    b.style.left = pct(run.start);
    b.style.width = pct(from + (run.end || now) - run.start);
    b.title = run.label + ': ' + (run.end ? seconds(run.end - run.start) : 'running for ' + seconds(now - run.start))
      + (run.wait != null ? ', waited ' + seconds(run.wait) : '') + (run.attempts > 1 ? ', delivery ' + run.attempts : '');
    parts.push(b);
    return parts;
  };
  const lane = (label, bars) => {
    const row = document.createElement('div');
    row.className = 'lane';
    const name = document.createElement('span');
    name.textContent = label;
    const track = document.createElement('div');
    track.className = 'track';
    track.append(...bars);
    row.append(name, track);
    return row;
  };
  // Packed lanes: each segment goes into the first lane that is free when it starts.
  const lanes = [];
  runs.filter((r) => r.segment !== undefined).sort((a, b) => a.start - b.start).forEach((run) => {
    const free = lanes.find((l) => l.end <= run.start - (run.wait || 0));
    const target = free || (lanes[lanes.length] = { end: 0, bars: [] });
    target.end = run.end || now;
    target.bars.push(...bar(run));
  });
  const rows = [];
  runs.filter((r) => r.hop).forEach((run) => {
    rows.push(lane(run.label, bar(run)));
    // The segments run after chunking began, before their completion: their lanes follow the chunk hop.
    if (run.hop === 'chunk') lanes.forEach((l, i) => rows.push(lane(i ? '' : 'inference', l.bars)));
  });
  if (!runs.some((r) => r.hop === 'chunk')) lanes.forEach((l, i) => rows.push(lane(i ? '' : 'inference', l.bars)));
  const axis = document.createElement('div');
  axis.className = 'axis';
  for (let i = 0; i <= 4; i++) {
    const tick = document.createElement('span');
    tick.textContent = seconds((to - from) * i / 4);
    axis.append(tick);
  }
  $('timeline').replaceChildren(...rows, axis);
}

$('pipeline').addEventListener('change', showParams);
$('save-token').addEventListener('click', () => {
  token = $('token').value.trim();
  sessionStorage.setItem('reelroute-token', token);
  $('auth').hidden = true;
  loadPipelines();
  loadJobs();
});
$('refresh').addEventListener('click', () => loadJobs());
$('more').addEventListener('click', () => loadMore('completed'));
$('more-failed').addEventListener('click', () => loadMore('failed'));
loadPipelines();
loadJobs();
