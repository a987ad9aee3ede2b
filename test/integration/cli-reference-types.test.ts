import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { generateReferenceTypes, REFERENCE_TYPES_FILE } from '../support/generate-reference-types';

const CHECKED_IN = path.join(import.meta.dirname, '..', '..', REFERENCE_TYPES_FILE);

test('examples/generated/reference-tools.d.ts matches the reference server (else run `npm run types:reference`)', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'archon-types-'));
  try {
    const fresh = path.join(directory, 'reference-tools.d.ts');
    expect(await generateReferenceTypes({ outFile: fresh })).toBe(0);
    expect(await readFile(fresh, 'utf8')).toBe(await readFile(CHECKED_IN, 'utf8'));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
