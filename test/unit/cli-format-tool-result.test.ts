import { describe, expect, test } from 'vitest';
import { formatToolResult } from '../../src/cli/format-tool-result';

describe('formatToolResult', () => {
  test('prints text blocks one after another', () => {
    expect(formatToolResult({ content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] })).toBe('one\ntwo');
  });

  test('adds structured content as indented JSON', () => {
    expect(formatToolResult({ content: [{ type: 'text', text: 'found 1' }], structuredContent: { total: 1 } })).toBe(
      'found 1\n{\n  "total": 1\n}',
    );
  });

  test('does not repeat structured content that a text block already mirrors', () => {
    const structuredContent = { projects: [{ id: 'p1' }], total: 1 };
    expect(formatToolResult({ content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent })).toBe(
      '{"projects":[{"id":"p1"}],"total":1}',
    );
  });

  test('summarises binary blocks and resources in one line each', () => {
    const text = formatToolResult({
      content: [
        { type: 'image', mimeType: 'image/png', data: Buffer.from('12345').toString('base64') },
        { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt' },
        { type: 'resource', resource: { uri: 'mem://note', text: 'note body' } },
        { type: 'resource', resource: { uri: 'mem://blob', blob: 'AAAA', mimeType: 'application/zip' } },
      ],
    });
    expect(text.split('\n')).toEqual([
      '[image image/png, 5 bytes]',
      '[resource link file:///a.txt (a.txt)]',
      'note body',
      '[resource mem://blob, application/zip]',
    ]);
  });
});
