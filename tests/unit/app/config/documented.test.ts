import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../../../app/config/schema.js';

// Tests run from dist/tests/...; the README lives in the source tree.
const readme = readFileSync(new URL('../../../../../gateway/README.md', import.meta.url), 'utf8');

describe('configuration documentation', () => {
  it('every environment variable of the schema then named in gateway/README.md', () => {
    const missing = FIELDS.filter((f) => f.env !== undefined && !readme.includes(`\`${f.env}\``)).map((f) => `${f.env} (${f.path})`);
    expect(missing).toEqual([]);
  });
});
