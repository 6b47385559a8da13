import { spawnSync } from 'node:child_process';
import { toolMissing } from '../../helpers/tools.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Tests run from dist/tests/...; the units live in the source tree.
const dir = fileURLToPath(new URL('../../../../systemd/', import.meta.url));
const UNITS = ['qgtm-daemon.service', 'qgtm-api.service', 'qgtm-redis.service', 'qgtm-node@.service'];
const analyze = spawnSync('systemd-analyze', ['--version']);

describe('systemd units', () => {
  it('systemd-analyze verify then reports nothing', () => {
    if (analyze.error) return toolMissing('systemd-analyze is not installed (Debian package systemd)', 'units not verified');
    const r = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => `./${u}`)], { cwd: dir, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('daemon unit then Type=notify with watchdog, NotifyAccess=all and its journal writable', () => {
    const u = readFileSync(`${dir}qgtm-daemon.service`, 'utf8');
    for (const line of ['Type=notify', 'NotifyAccess=all', 'WatchdogSec=30s', 'ReadWritePaths=/var/lib/qgtm', 'Environment=QGTM_JOURNAL_DIR=/var/lib/qgtm/journal']) expect(u).toContain(line);
  });

  it('node unit then one node per instance (its id), its own state folder, the cluster Redis drop-in persistent', () => {
    const u = readFileSync(`${dir}qgtm-node@.service`, 'utf8');
    for (const line of ['ExecStart=/usr/bin/node /opt/qgtm/bin/qgtm.js node --node-id %i', 'Environment=QGTM_NODE_STATE_DIR=/var/lib/qgtm-node-%i/state', 'StateDirectory=qgtm-node-%i']) expect(u).toContain(line);
    const d = readFileSync(`${dir}qgtm-redis.service.d/cluster.conf`, 'utf8');
    expect(d).toMatch(/^ExecStart=$/m);
    expect(d).toContain('--appendonly yes --appendfsync always');
  });

  it('every unit then carries the hardening settings', () => {
    for (const name of UNITS) {
      const u = readFileSync(`${dir}${name}`, 'utf8');
      for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'CapabilityBoundingSet=']) {
        expect(u, `${name}: ${line}`).toContain(line);
      }
    }
  });
});
