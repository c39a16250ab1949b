import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTopic, deleteTopics, produce } from '../helpers/kafka.js';
import { uniqueName } from '../helpers/names.js';
import { RouterProcess, routerConfig, tempDir, writeConfig } from '../helpers/router-process.js';
import { waitFor } from '../helpers/wait.js';

const ADMIN = 'admin-token-SECURITY-0123456789';
const FILE_MARKER = 'root:x:0:0:FILE-CONTENT-MARKER';

interface Answer {
  status: number;
  text: string;
}

/**
 * node:http, not undici: undici (like every URL parser) would normalise
 * `/../` and `%2e%2e` away before sending, and those raw paths are the point.
 */
function call(base: string, method: string, path: string, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path,
        headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Whether some process holds the FIFO open for reading. A writer opening it
 * with O_NONBLOCK gets ENXIO when no reader has it open; a reader blocked in
 * open() counts, and this open releases it (so a failing test does not hang).
 */
function fifoHasReader(fifo: string): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return false;
    throw err;
  }
}

describe('destinations API: a template is never opened', () => {
  let topic: string;
  let groupId: string;
  let dir: string;
  let fifo: string;
  let existing: string;
  let router: RouterProcess;
  let base: string;
  const answers: string[] = [];

  /** Answers `pending`, failing if the router opened the FIFO before it answered. */
  async function answeredWithoutOpening(pending: Promise<Answer>, what: string): Promise<Answer> {
    let answer: Answer | undefined;
    void pending.then((a) => (answer = a));
    const opened = await waitFor(() => (answer ? 'answered' : fifoHasReader(fifo) ? 'opened' : undefined), { what });
    assert.equal(opened, 'answered', `${what}: the router opened the template FIFO`);
    assert.equal(fifoHasReader(fifo), false, `${what}: the FIFO has a reader`);
    answers.push(answer!.text);
    return answer!;
  }

  before(async () => {
    topic = await createTopic('dest-security', 1);
    groupId = uniqueName('dest-security');
    dir = tempDir();
    fifo = join(dir, 'template.fifo');
    execFileSync('mkfifo', [fifo]);
    // A template that compiles and renders JSON: were it loaded, the API would accept it.
    existing = join(dir, 'exists.hbs');
    writeFileSync(existing, `{"leak": "${FILE_MARKER}", "id": "{{id}}"}`);
    const config = routerConfig({
      topic,
      groupId,
      sinks: [{ name: 'archive', type: 'log', file: join(dir, 'archive.log') }],
      extra: { admin: { listen: '127.0.0.1:0', api: { tokens: [{ name: 'ops-admin', token: ADMIN }], allowPrivateNetworks: false } } },
    });
    router = new RouterProcess(writeConfig(dir, config));
    await router.joined();
    base = /admin listener on (http:\/\/[^\s"]+)/.exec(router.stderr)![1]!;
  });

  after(async () => {
    await router.stop();
    await deleteTopics(topic, `${topic}.dlq`, `${groupId}.destinations`);
  });

  for (const [what, path] of [
    ['a FIFO', () => fifo],
    ['an existing file', () => existing],
    ['/etc/passwd', () => '/etc/passwd'],
  ] as const) {
    it(`POST with template naming ${what}: 400 before opening it, /healthz answers meanwhile`, async () => {
      const body = JSON.stringify({ name: uniqueName('tpl'), url: 'http://127.0.0.1:9/hook', template: path() });
      const [created, health] = await Promise.all([
        answeredWithoutOpening(call(base, 'POST', '/api/v1/destinations', body), `POST template ${what}`),
        answeredWithoutOpening(call(base, 'GET', '/healthz'), '/healthz during the POST'),
      ]);
      assert.equal(health.status, 200);
      assert.equal(created.status, 400, created.text);
      const { error } = JSON.parse(created.text) as {
        error: { code: string; message: string; issues: { path: string; message: string }[] };
      };
      assert.equal(error.code, 'AR_ERR_API_VALIDATION');
      assert.match(error.message, /template/);
      assert.deepEqual(
        error.issues.map((i) => i.path),
        ['template'],
      );
      assert.match(error.issues[0]!.message, /templates are a config-file feature/);
    });
  }

  it('PATCH with a template: 400 before opening it; the destination is unchanged', async () => {
    const created = await call(
      base,
      'POST',
      '/api/v1/destinations',
      JSON.stringify({ name: uniqueName('plain'), url: 'http://8.8.8.8:9/hook', events: ['flag:deleted'] }),
    );
    assert.equal(created.status, 201, created.text);
    answers.push(created.text);
    const { id } = JSON.parse(created.text) as { id: string };
    const patched = await answeredWithoutOpening(
      call(base, 'PATCH', `/api/v1/destinations/${id}`, JSON.stringify({ template: fifo })),
      'PATCH template',
    );
    assert.equal(patched.status, 400, patched.text);
    assert.deepEqual(
      (JSON.parse(patched.text) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path),
      ['template'],
    );
    const read = await call(base, 'GET', `/api/v1/destinations/${id}`);
    assert.equal((JSON.parse(read.text) as { template?: string }).template, undefined);
  });

  it('a stored destination with a template, written straight to the topic, is not started and opens nothing', async () => {
    const now = new Date().toISOString();
    const stored = {
      id: 'planted-0001',
      name: 'planted',
      active: true,
      secretHeaders: [],
      sink: { url: 'http://127.0.0.1:9/hook', template: fifo },
      createdAt: now,
      updatedAt: now,
      createdBy: 'x',
      updatedBy: 'x',
    };
    await produce(`${groupId}.destinations`, [{ key: stored.id, value: JSON.stringify(stored) }]);
    const refused = await waitFor(
      () => (router.stderr.includes('destination planted is invalid') ? 'refused' : fifoHasReader(fifo) ? 'opened' : undefined),
      {
        what: 'the router to refuse the planted destination',
      },
    );
    assert.equal(refused, 'refused', 'the router opened the template FIFO of a stored destination');
    assert.equal(fifoHasReader(fifo), false);
    assert.equal((await answeredWithoutOpening(call(base, 'GET', '/healthz'), '/healthz after the planted record')).status, 200);
  });

  it('IPv4-compatible IPv6 and the benchmarking range are refused at create time', async () => {
    for (const url of ['http://[::127.0.0.1]/hook', 'http://[::8.8.8.8]/hook', 'http://198.18.0.1/hook', 'http://2130706433/hook']) {
      const res = await call(base, 'POST', '/api/v1/destinations', JSON.stringify({ name: uniqueName('special'), url }));
      answers.push(res.text);
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.deepEqual(
        (JSON.parse(res.text) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path),
        ['url'],
        url,
      );
    }
  });

  it('dot segments and escaped dots under the prefix never serve the list', async () => {
    for (const path of [
      '/api/v1/destinations/../../etc',
      '/api/v1/destinations/%2e%2e',
      '/api/v1/destinations/%2e%2e/%2e%2e/etc',
      '/api/v1/destinations/.',
      '/api/v1/destinations/./',
      '/api/v1/destinations/%2E%2E?limit=5',
    ]) {
      const res = await call(base, 'GET', path);
      answers.push(res.text);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(JSON.parse(res.text).error.code, 'AR_ERR_API_NOT_FOUND');
      assert.ok(!res.text.includes('items'), `${path} served the list`);
    }
    assert.equal((await call(base, 'GET', '/api/v1/destinations')).status, 200, 'the list itself still answers');
  });

  it('header names __proto__, constructor and prototype are refused on create', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      // Written by hand: an object literal's __proto__ would set a prototype, not a key.
      const body = `{"name":"${uniqueName('proto')}","url":"http://127.0.0.1:9/hook","headers":{"${name}":"x"}}`;
      const res = await call(base, 'POST', '/api/v1/destinations', body);
      answers.push(res.text);
      assert.equal(res.status, 400, `${name}: ${res.text}`);
      assert.deepEqual(
        (JSON.parse(res.text) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path),
        [`headers.${name}`],
      );
    }
  });

  it('no file content, token or path probe answer leaks: responses and router logs', () => {
    const everything = [...answers, router.stderr].join('\n');
    assert.ok(!everything.includes(FILE_MARKER), 'the existing file was read');
    assert.ok(!everything.includes('root:x:0:0:'), '/etc/passwd was read');
    assert.ok(!/no such file|is a directory|not a regular file/.test(everything), 'an answer tells which paths exist');
    for (const form of [ADMIN, encodeURIComponent(ADMIN), JSON.stringify(ADMIN).slice(1, -1)])
      assert.ok(!everything.includes(form), 'the admin token leaked');
  });
});
