/** The Origin and Host allow-list (engine/server/origin.ts): defaults, SEVDRILL_ORIGINS parsing, and the checks. */
import { describe, expect, it } from 'vitest';
import { checkOrigin, defaultOrigins, originPolicy, parseOrigins, type OriginCheck } from '../../engine/server/origin.ts';

const PORT = 8080;
const defaults = originPolicy(null, PORT);

describe('originPolicy', () => {
  it('defaults to the loopback origins on the listening port', () => {
    expect([...defaults.origins]).toEqual(['http://localhost:8080', 'http://127.0.0.1:8080', 'http://[::1]:8080']);
    expect([...defaults.hosts]).toEqual(['localhost:8080', '127.0.0.1:8080', '[::1]:8080']);
  });

  it('on port 80 elides the port and still accepts Host with :80 spelled out', () => {
    const policy = originPolicy(null, 80);
    expect([...policy.origins]).toEqual(['http://localhost', 'http://127.0.0.1', 'http://[::1]']);
    expect([...policy.hosts]).toEqual(['localhost', 'localhost:80', '127.0.0.1', '127.0.0.1:80', '[::1]', '[::1]:80']);
  });

  it('adds a configured list, serialised, to the loopback defaults', () => {
    const policy = originPolicy(['https://Drill.Example.COM:443/', 'http://10.0.0.5:9000'], PORT);
    expect([...policy.origins]).toEqual(['https://drill.example.com', 'http://10.0.0.5:9000', ...defaultOrigins(PORT)]);
    expect([...policy.hosts]).toEqual(['drill.example.com', 'drill.example.com:443', '10.0.0.5:9000', `localhost:${PORT}`, `127.0.0.1:${PORT}`, `[::1]:${PORT}`]);
  });

  it('refuses a list entry that is not a bare origin', () => {
    expect(() => originPolicy(['https://drill.example.com/console'], PORT)).toThrow(/"https:\/\/drill\.example\.com\/console"/);
  });
});

describe('parseOrigins (SEVDRILL_ORIGINS)', () => {
  it.each([
    [undefined, null],
    ['', null],
    [' , ,', null],
    ['https://drill.example.com', ['https://drill.example.com']],
    ['https://drill.example.com/', ['https://drill.example.com']],
    [' HTTPS://Drill.Example.com:443 , http://10.0.0.5:8080/,', ['https://drill.example.com', 'http://10.0.0.5:8080']],
    ['http://localhost:80', ['http://localhost']],
    ['http://[::1]:8080', ['http://[::1]:8080']],
    ['http://[0:0:0:0:0:0:0:1]:8080', ['http://[::1]:8080']],
    ['https://bücher.example', ['https://xn--bcher-kva.example']],
  ])('%j → %j', (value, expected) => {
    expect(parseOrigins(value)).toEqual(expected);
  });

  it.each([
    ['*', /wildcards/],
    ['https://*.example.com', /wildcards/],
    ['https://drill.example.com/console', /no path/],
    ['https://drill.example.com//', /no path/],
    ['https://drill.example.com?x=1', /no path, query or fragment/],
    ['https://drill.example.com/?', /no path, query or fragment/],
    ['https://drill.example.com#top', /no path, query or fragment/],
    ['https://user:pw@drill.example.com', /scheme:\/\/host/],
    ['drill.example.com', /scheme:\/\/host/],
    ['localhost:8080', /scheme:\/\/host/],
    ['ftp://drill.example.com', /scheme must be http or https/],
    ['ws://drill.example.com', /scheme must be http or https/],
    ['http://drill.example.com:99999', /not a valid URL/],
    ['null', /scheme:\/\/host/],
  ])('refuses %j, naming the entry', (value, why) => {
    expect(() => parseOrigins(`https://ok.example, ${value}`)).toThrow(why);
    expect(() => parseOrigins(value)).toThrow(`SEVDRILL_ORIGINS entry "${value}"`);
  });
});

type Row = [name: string, headers: { origin?: string; host?: string }, expected: true | 'origin-not-allowed' | 'host-not-allowed'];
const outcome = (check: OriginCheck) => (check.ok ? true : check.code);

describe('checkOrigin with the defaults', () => {
  const rows: Row[] = [
    ['the console on localhost', { origin: 'http://localhost:8080', host: 'localhost:8080' }, true],
    ['the console on 127.0.0.1', { origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }, true],
    ['the console on IPv6 loopback', { origin: 'http://[::1]:8080', host: '[::1]:8080' }, true],
    ['IPv6 loopback spelled out in full', { origin: 'http://[0:0:0:0:0:0:0:1]:8080', host: '[::1]:8080' }, true],
    ['upper-case Host and Origin', { origin: 'HTTP://LOCALHOST:8080', host: 'LocalHost:8080' }, true],
    ['no Origin (CLI, curl, probes)', { host: '127.0.0.1:8080' }, true],
    ['a same-origin GET has no Origin but a loopback Host', { host: 'localhost:8080' }, true],
    ['DNS rebinding: evil name, our address', { origin: 'http://evil.example:8080', host: 'evil.example:8080' }, 'host-not-allowed'],
    ['DNS rebinding, plain GET without Origin', { host: 'evil.example:8080' }, 'host-not-allowed'],
    ['a cross-site page calling us', { origin: 'http://evil.example', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['https origin for the http host', { origin: 'https://localhost:8080', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['origin on another port', { origin: 'http://localhost:3000', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['Host on another port', { origin: 'http://localhost:8080', host: 'localhost:3000' }, 'host-not-allowed'],
    ['Host without the port', { host: 'localhost' }, 'host-not-allowed'],
    ['Host with a trailing dot', { host: 'localhost.:8080' }, 'host-not-allowed'],
    ['a LAN address not on the list', { origin: 'http://192.168.1.5:8080', host: '192.168.1.5:8080' }, 'host-not-allowed'],
    ['Origin: null (sandboxed frame, file://)', { origin: 'null', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['an empty Origin', { origin: '', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['an extension origin', { origin: 'chrome-extension://abcdef', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['garbage in Origin', { origin: 'not a url', host: 'localhost:8080' }, 'origin-not-allowed'],
    ['no Host', { origin: 'http://localhost:8080' }, 'host-not-allowed'],
    ['an empty Host', { host: '' }, 'host-not-allowed'],
  ];
  it.each(rows)('%s', (_name, headers, expected) => {
    expect(outcome(checkOrigin(defaults, headers))).toBe(expected);
  });
});

describe('checkOrigin with SEVDRILL_ORIGINS=https://drill.example.com,http://10.0.0.5:8080/', () => {
  const policy = originPolicy(parseOrigins('https://drill.example.com,http://10.0.0.5:8080/'), PORT);
  const rows: Row[] = [
    ['the public origin', { origin: 'https://drill.example.com', host: 'drill.example.com' }, true],
    ['Host with the https default port spelled out', { origin: 'https://drill.example.com', host: 'drill.example.com:443' }, true],
    ['Host with the http default port is another origin', { host: 'drill.example.com:80' }, 'host-not-allowed'],
    ['the LAN origin (listed with a trailing slash)', { origin: 'http://10.0.0.5:8080', host: '10.0.0.5:8080' }, true],
    ['http origin for the https-only name', { origin: 'http://drill.example.com', host: 'drill.example.com' }, 'origin-not-allowed'],
    // Loopback names stay allowed: a rebinding page would carry its own name in Host, never these.
    ['the loopback defaults stay', { origin: 'http://localhost:8080', host: 'localhost:8080' }, true],
    ['loopback on another port is not this server', { origin: 'http://localhost:9999', host: 'localhost:9999' }, 'host-not-allowed'],
    ['DNS rebinding', { origin: 'http://evil.example:8080', host: 'evil.example:8080' }, 'host-not-allowed'],
    ['a look-alike subdomain', { origin: 'https://drill.example.com.evil.example', host: 'drill.example.com' }, 'origin-not-allowed'],
  ];
  it.each(rows)('%s', (_name, headers, expected) => {
    expect(outcome(checkOrigin(policy, headers))).toBe(expected);
  });
});

describe('checkOrigin messages say how to fix it', () => {
  const message = (check: OriginCheck) => (check.ok ? '' : check.message);

  it('an origin not on the list: add it to SEVDRILL_ORIGINS', () => {
    const m = message(checkOrigin(defaults, { origin: 'https://LocalHost:8080', host: 'localhost:8080' }));
    expect(m).toContain('Origin "https://LocalHost:8080" is not allowed');
    expect(m).toContain('allowed: http://localhost:8080, http://127.0.0.1:8080, http://[::1]:8080');
    expect(m).toContain('add https://localhost:8080 to SEVDRILL_ORIGINS');
  });

  it('a Host not on the list: suggests the page’s own origin when it matches the Host', () => {
    const m = message(checkOrigin(defaults, { origin: 'https://drill.example.com', host: 'drill.example.com' }));
    expect(m).toContain('Host "drill.example.com" is not allowed');
    expect(m).toContain('"https://drill.example.com"');
    expect(m).toContain('SEVDRILL_ORIGINS');
    expect(m).toContain('reverse proxy');
  });

  it('a Host not on the list, no Origin: suggests http://host', () => {
    expect(message(checkOrigin(defaults, { host: '192.168.1.5:8080' }))).toContain('"http://192.168.1.5:8080", add that origin');
  });

  it('Origin null explains where it comes from', () => {
    expect(message(checkOrigin(defaults, { origin: 'null', host: 'localhost:8080' }))).toMatch(/sandboxed frame, a file:\/\/ page/);
  });

  it('no Host', () => {
    expect(message(checkOrigin(defaults, {}))).toMatch(/no Host header/);
  });

  it('clips a huge hostile header instead of echoing it all', () => {
    const m = message(checkOrigin(defaults, { host: `${'a'.repeat(10_000)}:8080` }));
    expect(m.length).toBeLessThan(600);
  });
});
