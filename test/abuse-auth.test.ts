import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { expectProblemBody, startAbuseServer } from './abuse-helper.js';

/** Abuse class: authentication and browsers. Keys on must fail closed and still let a dashboard read the errors. */
describe('abuse: auth and CORS', () => {
  it('a key list that is set but blank stops start-up, naming the variable', () => {
    for (const keys of [',', ' , ', ',,,']) {
      expect(() => loadConfig({ RIPPLE_API_KEYS: keys })).toThrow(ConfigError);
      expect(() => loadConfig({ RIPPLE_API_KEYS: keys })).toThrow(/RIPPLE_API_KEYS: is set but lists no key/);
    }
    expect(loadConfig({ RIPPLE_API_KEYS: 'k1,' }).apiKeys).toEqual(['k1']);
  });

  it('preflights pass, errors carry CORS headers, Bearer is case-insensitive, failures are rate limited per IP', async () => {
    const origin = 'https://dash.example.com';
    const s = await startAbuseServer({ RIPPLE_API_KEYS: 'k1,k2', RIPPLE_CORS_ORIGINS: origin, RIPPLE_AUTH_FAIL_LIMIT: '3' });
    const before = await s.snapshot();

    // A browser's preflight carries no credentials: answered, with CORS headers, not 401.
    const pre = await fetch(`${s.url}/graphs`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);

    // The 401 itself is readable by the dashboard: CORS headers and problem+json.
    const denied = await fetch(`${s.url}/graphs`, { headers: { origin } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(origin);
    expect(denied.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    expectProblemBody(401, denied.headers.get('content-type'), await denied.json());

    // The scheme is case-insensitive (RFC 9110 §11.1); the key is not.
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const ok = await fetch(`${s.url}/graphs/${s.graphId}`, { headers: { authorization: `${scheme} k2` } });
      expect(ok.status, scheme).toBe(200);
    }
    const wrongCase = await fetch(`${s.url}/graphs`, { headers: { authorization: 'Bearer K2' } });
    expect(wrongCase.status).toBe(401);

    // Two more failures reach the limit of 3 (the 401 above without a key and 'K2' count), then 429 for this IP —
    // even with a valid key, so guessing stops — with Retry-After and CORS headers.
    expect((await fetch(`${s.url}/graphs`, { headers: { 'x-api-key': 'guess-1' } })).status).toBe(401);
    const limited = await fetch(`${s.url}/graphs`, { headers: { 'x-api-key': 'guess-2', origin } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-allow-origin')).toBe(origin);
    const lp = (await limited.json()) as { code: string };
    expectProblemBody(429, limited.headers.get('content-type'), lp);
    expect(lp.code).toBe('auth-rate-limited');
    expect((await fetch(`${s.url}/graphs`, { headers: { authorization: 'Bearer k1' } })).status).toBe(429);
    // Another address is not affected; /health stays open.
    expect((await s.app.inject({ url: '/graphs', remoteAddress: '10.9.9.9', headers: { authorization: 'bearer k1' } })).statusCode).toBe(200);
    await s.expectSurvived(before);
  });
});
