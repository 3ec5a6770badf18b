/**
 * Who may use the REST API and the dashboard (§4.10): api.enabled, the
 * allowed subnets (403), api.tls (403 over plain HTTP), HTTP Basic against
 * auth.conf's bcrypt hashes (401 with the Basic challenge), in that order,
 * for /api/* and the page at /.
 */
import { describe, expect, it } from 'vitest';
import { API_PASSWORD, API_USER, apiRequest, basicAuth, bcryptHash, makeApiRoot, provisionApp } from '@warewulf/testenv';

const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; status: number; message: string } }).error;

describe('API access', () => {
  it('does not exist while api.enabled is false (404, as any unknown path)', async () => {
    const a = await provisionApp(makeApiRoot({ api: { enabled: false } }));
    for (const url of ['/api/nodes/', '/api/docs', '/']) {
      const r = await apiRequest(a, 'GET', url);
      expect([url, r.statusCode, r.body]).toEqual([url, 404, '404 page not found\n']);
    }
  });

  it('refuses sources outside the allowed subnets with 403, before asking for credentials', async () => {
    const a = await provisionApp(makeApiRoot({ api: { allowedSubnets: ['10.10.0.0/16', 'fd00:10::/64'] } }));
    const cases: [string, number][] = [
      ['10.10.3.4:40000', 200],
      ['[::ffff:10.10.3.4]:40000', 200],
      ['[fd00:10::7]:40000', 200],
      ['127.0.0.1:40000', 403],
      ['10.11.0.1:40000', 403],
      ['[fd00:11::7]:40000', 403],
      ['[::1]:40000', 403],
    ];
    for (const [peer, status] of cases) {
      const r = await apiRequest(a, 'GET', '/api/nodes/', { peer });
      expect([peer, r.statusCode]).toEqual([peer, status]);
      if (status === 403) expect(errorOf(r.body).message).toMatch(/outside the allowed subnets/);
    }
    // no credentials from outside: still 403, not 401
    const r = await apiRequest(a, 'GET', '/api/nodes/', { peer: '192.0.2.1:5000', auth: null });
    expect(r.statusCode).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('takes the default subnets (loopback v4 and v6) when warewulf.conf names none', async () => {
    const a = await provisionApp(makeApiRoot());
    expect((await apiRequest(a, 'GET', '/api/nodes/', { peer: '127.9.9.9:1' })).statusCode).toBe(200);
    expect((await apiRequest(a, 'GET', '/api/nodes/', { peer: '[::1]:1' })).statusCode).toBe(200);
    expect((await apiRequest(a, 'GET', '/api/nodes/', { peer: '10.10.10.10:1' })).statusCode).toBe(403);
  });

  it('answers 401 with the Basic challenge without credentials, with a wrong password, an unknown user or a malformed header', async () => {
    const a = await provisionApp(makeApiRoot());
    const bad: (string | null)[] = [null, basicAuth(API_USER, 'wrong'), basicAuth('nobody', API_PASSWORD), 'Bearer abc', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`];
    for (const auth of bad) {
      for (const url of ['/api/nodes/', '/api/nodes/n1', '/api/nope', '/']) {
        const r = await apiRequest(a, 'GET', url, { auth });
        expect([auth, url, r.statusCode, r.headers['www-authenticate']]).toEqual([auth, url, 401, 'Basic realm="Restricted"']);
        expect(errorOf(r.body).code).toBe('WW_ERR_DENIED');
      }
    }
    const ok = await apiRequest(a, 'GET', '/api/nodes/n1');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['www-authenticate']).toBeUndefined();
    // the password is never logged
    expect(JSON.stringify(a.logs)).not.toContain('wrong');
    expect(JSON.stringify(a.logs)).not.toContain(API_PASSWORD);
  });

  it('lets nobody in without auth.conf, and reads auth.conf again when it changes', async () => {
    const t = makeApiRoot({ users: null });
    const a = await provisionApp(t);
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(401);
    t.write('etc/warewulf/auth.conf', `users:\n  - name: ${API_USER}\n    password hash: ${bcryptHash(API_PASSWORD)}\n`, 0o600);
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(200);
    t.write('etc/warewulf/auth.conf', `users:\n  - name: other\n    password hash: ${bcryptHash('pw2')}\n`, 0o600);
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(401);
    expect((await apiRequest(a, 'GET', '/api/nodes/', { auth: basicAuth('other', 'pw2') })).statusCode).toBe(200);
  });

  it('fails closed on a broken auth.conf: 503 without its path or problem to the client, the problem logged once at error level, working again once fixed', async () => {
    const t = makeApiRoot();
    const a = await provisionApp(t);
    const hash = bcryptHash(API_PASSWORD);
    const broken: [string, string, RegExp][] = [
      ['no hash', `users:\n  - name: ${API_USER}\n    password: x\n`, /users\.0\.password hash: /],
      ['duplicate user', `users:\n  - name: ${API_USER}\n    password hash: ${hash}\n  - name: ${API_USER}\n    password hash: ${hash}\n`, /users\.1: duplicate user name "admin"/],
      ['not bcrypt', `users:\n  - name: ${API_USER}\n    password hash: plaintext\n`, /users\.0\.password hash: expected a bcrypt hash/],
      ['malformed bcrypt', `users:\n  - name: ${API_USER}\n    password hash: ${hash.slice(0, -3)}\n`, /users\.0\.password hash: expected a bcrypt hash/],
      ['bad YAML', 'users: [\n', /auth\.conf/],
    ];
    const file = `${t.root}/etc/warewulf/auth.conf`;
    for (const [what, text, detail] of broken) {
      t.write('etc/warewulf/auth.conf', text, 0o600);
      const logged = a.logs.length;
      for (const [url, auth] of [['/api/nodes/', undefined], ['/api/nodes/n1', basicAuth('nobody', 'x')], ['/', undefined], ['/api/nodes/', undefined]] as const) {
        const r = await apiRequest(a, 'GET', url, auth === undefined ? {} : { auth });
        expect([what, url, r.statusCode, r.headers['www-authenticate']]).toEqual([what, url, 503, undefined]);
        expect([what, JSON.parse(r.body)]).toEqual([what, { error: { code: 'WW_ERR_AUTH_UNAVAILABLE', status: 503, message: 'authentication is not configured correctly; see the server log' } }]);
        expect(r.body).not.toContain('auth.conf');
        expect(r.body).not.toContain(t.root);
      }
      // the detail, with the file, once for four requests, at error level (pino 50)
      const lines = a.logs.slice(logged).filter((l) => l.level >= 50);
      expect([what, lines.length]).toEqual([what, 1]);
      expect(lines[0]?.msg).toContain(file);
      expect(lines[0]?.msg).toMatch(detail);
    }
    // without credentials the challenge comes first (nothing is read)
    expect((await apiRequest(a, 'GET', '/api/nodes/', { auth: null })).statusCode).toBe(401);
    // fixed: the file is read again on the next request, no restart
    t.write('etc/warewulf/auth.conf', `users:\n  - name: ${API_USER}\n    password hash: ${hash}\n`, 0o600);
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(200);
    expect(a.logs.some((l) => l.level === 30 && l.msg.includes('valid again'))).toBe(true);
    // broken again with a problem seen before: logged again (it is a new occurrence)
    t.write('etc/warewulf/auth.conf', (broken[0] as [string, string, RegExp])[1], 0o600);
    const logged = a.logs.length;
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(503);
    expect(a.logs.slice(logged).filter((l) => l.level >= 50)).toHaveLength(1);
  });

  it('fails closed with 503 while auth.conf cannot be read, and retries reading it on each request', async () => {
    const t = makeApiRoot();
    const a = await provisionApp(t);
    const { mkdirSync, rmSync } = await import('node:fs');
    rmSync(`${t.root}/etc/warewulf/auth.conf`);
    mkdirSync(`${t.root}/etc/warewulf/auth.conf`); // EISDIR: not a content problem, read again each time
    const logged = a.logs.length;
    for (let i = 0; i < 3; i++) {
      const r = await apiRequest(a, 'GET', '/api/nodes/');
      expect(r.statusCode).toBe(503);
      expect(r.body).not.toContain(t.root);
    }
    expect(a.logs.slice(logged).filter((l) => l.level >= 50)).toHaveLength(1);
    rmSync(`${t.root}/etc/warewulf/auth.conf`, { recursive: true });
    t.write('etc/warewulf/auth.conf', `users:\n  - name: ${API_USER}\n    password hash: ${bcryptHash(API_PASSWORD)}\n`, 0o600);
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(200);
  });

  it('with api.tls, refuses plain HTTP with 403 (the check comes before credentials)', async () => {
    const a = await provisionApp(makeApiRoot({ api: { tls: true } }));
    for (const auth of [undefined, null]) {
      const r = await apiRequest(a, 'GET', '/api/nodes/', auth === null ? { auth } : {});
      expect(r.statusCode).toBe(403);
      expect(errorOf(r.body).message).toMatch(/requires HTTPS/);
    }
    expect((await apiRequest(a, 'GET', '/')).statusCode).toBe(403);
  });

  it('counts refusals by reason in /metrics', async () => {
    const a = await provisionApp(makeApiRoot());
    await apiRequest(a, 'GET', '/api/nodes/', { peer: '192.0.2.1:1' });
    await apiRequest(a, 'GET', '/api/nodes/', { auth: null });
    await apiRequest(a, 'GET', '/api/nodes/', { auth: basicAuth(API_USER, 'nope') });
    const m = (await a.request('/metrics')).body;
    expect(m).toMatch(/warewulfd_refusals_total\{reason="api_subnet"\} 1/);
    expect(m).toMatch(/warewulfd_refusals_total\{reason="api_auth"\} 2/);
  });

  it('applies a reloaded warewulf.conf at once (api.enabled off, subnets changed)', async () => {
    const t = makeApiRoot();
    const a = await provisionApp(t);
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(200);
    const conf = t.root + '/etc/warewulf/warewulf.conf';
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(conf, readFileSync(conf, 'utf8').replace('enabled: true', 'enabled: false'));
    await a.registry.reload();
    expect((await apiRequest(a, 'GET', '/api/nodes/')).statusCode).toBe(404);
  });

  it('answers unknown API paths with a JSON 404 once authorised', async () => {
    const a = await provisionApp(makeApiRoot());
    const r = await apiRequest(a, 'GET', '/api/nope/x');
    expect(r.statusCode).toBe(404);
    expect(errorOf(r.body)).toEqual({ code: 'WW_ERR_NOT_FOUND', status: 404, message: 'no such API endpoint: GET /api/nope/x' });
    // the provisioning routes keep their plain-text answers
    expect((await a.request('/nope')).body).toBe('404 page not found\n');
  });
});
