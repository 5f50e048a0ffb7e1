import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseBytes } from '../src/config.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.dataDir).toBe('./data');
    expect(c.store).toBe('file');
    expect(c.workers).toBeGreaterThanOrEqual(1);
    expect(c.apiKeys).toEqual([]);
    expect(c.logLevel).toBe('info');
    expect(c.bodyLimit).toBe(10 * 1024 * 1024);
    expect(c.uploadLimit).toBe(512 * 1024 * 1024);
    expect(c.demo).toBe(true);
    expect(c.neo4j.password).toBeUndefined();
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080', HOST: '0.0.0.0', RIPPLE_DATA_DIR: '/tmp/x', RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://db:7687',
      NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'pw', NEO4J_DATABASE: 'ripple', RIPPLE_WORKERS: '3', RIPPLE_API_KEYS: 'k1, k2,,',
      LOG_LEVEL: 'debug', RIPPLE_BODY_LIMIT: '1mb', RIPPLE_UPLOAD_LIMIT: '2048', RIPPLE_DEMO: 'false',
    });
    expect(c).toMatchObject({
      port: 8080, host: '0.0.0.0', dataDir: '/tmp/x', store: 'neo4j', workers: 3, apiKeys: ['k1', 'k2'], logLevel: 'debug',
      bodyLimit: 1024 * 1024, uploadLimit: 2048, demo: false,
      neo4j: { uri: 'bolt://db:7687', user: 'neo4j', password: 'pw', database: 'ripple' },
    });
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.neo4j)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow();
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be an integer from 0 to 65535/],
    [{ PORT: '70000' }, /PORT/],
    [{ RIPPLE_WORKERS: '0' }, /RIPPLE_WORKERS: must be an integer from 1/],
    [{ RIPPLE_WORKERS: '2.5' }, /RIPPLE_WORKERS/],
    [{ RIPPLE_STORE: 'mongo' }, /RIPPLE_STORE/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ RIPPLE_BODY_LIMIT: 'lots' }, /RIPPLE_BODY_LIMIT: must be a size in bytes/],
    [{ RIPPLE_UPLOAD_LIMIT: '10 parsecs' }, /RIPPLE_UPLOAD_LIMIT/],
    [{ RIPPLE_DEMO: 'maybe' }, /RIPPLE_DEMO: must be true or false/],
    [{ RIPPLE_STORE: 'neo4j' }, /NEO4J_URI: is required when RIPPLE_STORE=neo4j/],
  ])('a bad value stops with a message naming the variable: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('CENTRALITY_ENGINE is local by default, else local, gds or auto (any case)', () => {
    expect(loadConfig({}).centralityEngine).toBe('local');
    expect(loadConfig({ CENTRALITY_ENGINE: ' GDS ' }).centralityEngine).toBe('gds');
    expect(loadConfig({ CENTRALITY_ENGINE: 'auto' }).centralityEngine).toBe('auto');
    expect(() => loadConfig({ CENTRALITY_ENGINE: 'neo4j' })).toThrow(ConfigError);
    expect(() => loadConfig({ CENTRALITY_ENGINE: 'neo4j' })).toThrow(/CENTRALITY_ENGINE: must be one of local, gds, auto \(got "neo4j"\)/);
  });

  it('neo4j needs every credential, with no default password', () => {
    expect(() => loadConfig({ RIPPLE_STORE: 'neo4j', NEO4J_USER: 'u', NEO4J_PASSWORD: 'p' })).toThrow(/NEO4J_URI: is required when RIPPLE_STORE=neo4j/);
    expect(() => loadConfig({ RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://x', NEO4J_PASSWORD: 'p' })).toThrow(/NEO4J_USER: is required/);
    expect(() => loadConfig({ RIPPLE_STORE: 'neo4j', NEO4J_URI: 'bolt://x', NEO4J_USER: 'u' })).toThrow(/NEO4J_PASSWORD/);
  });

  it('flags override the environment and are named in errors', () => {
    expect(loadConfig({ RIPPLE_DATA_DIR: '/a', RIPPLE_WORKERS: '2' }, { dataDir: '/b', workers: '5' })).toMatchObject({ dataDir: '/b', workers: 5 });
    expect(() => loadConfig({}, { workers: 'many' })).toThrow(/--workers: must be an integer/);
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ PORT: '', RIPPLE_DEMO: ' ' })).toMatchObject({ port: 3000, demo: true });
  });

  it('parses byte sizes', () => {
    expect(parseBytes('10MB')).toBe(10 * 1024 ** 2);
    expect(parseBytes('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('512k')).toBe(512 * 1024);
    expect(parseBytes('123')).toBe(123);
    expect(parseBytes('0')).toBeUndefined();
    expect(parseBytes('-1')).toBeUndefined();
    expect(parseBytes('1 XB')).toBeUndefined();
  });
});
