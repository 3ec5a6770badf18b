import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODES_CONF } from '../src/node/default-nodes-conf.js';
import { SHIPPED_ETC_DIR } from '../src/shipped.js';

describe('the shipped nodes.conf', () => {
  it('is what a root without nodes.conf starts from (one text, two places)', () => {
    expect(DEFAULT_NODES_CONF).toBe(readFileSync(join(SHIPPED_ETC_DIR, 'nodes.conf'), 'utf8'));
  });
});
