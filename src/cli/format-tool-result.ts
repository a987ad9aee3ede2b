/**
 * Human output of a `tools/call` result: text blocks as they are, other blocks as one-line placeholders,
 * `structuredContent` as indented JSON unless a text block already carries the same JSON (servers are told to
 * mirror structured output in a text block for older clients, MCP 2025-06-18 "Structured Content").
 */
import { isDeepStrictEqual } from 'node:util';
import type { CallToolResult } from '@modelcontextprotocol/client';

/**
 * @example
 * ```ts
 * formatToolResult({ content: [{ type: 'text', text: 'hi' }] }); // 'hi'
 * ```
 */
export function formatToolResult(result: CallToolResult): string {
  const structured = result.structuredContent;
  const blocks: string[] = [];
  let structuredShown = false;
  for (const block of result.content) {
    if (block.type === 'text') {
      if (structured !== undefined && parsesTo(block.text, structured)) structuredShown = true;
      blocks.push(block.text);
    } else if (block.type === 'image' || block.type === 'audio') {
      blocks.push(`[${block.type} ${block.mimeType}, ${Buffer.byteLength(block.data, 'base64')} bytes]`);
    } else if (block.type === 'resource_link') {
      blocks.push(`[resource link ${block.uri}${block.name ? ` (${block.name})` : ''}]`);
    } else {
      const resource = block.resource;
      blocks.push('text' in resource ? resource.text : `[resource ${resource.uri}, ${resource.mimeType ?? 'binary'}]`);
    }
  }
  if (structured !== undefined && !structuredShown) blocks.push(JSON.stringify(structured, null, 2));
  return blocks.join('\n');
}

function parsesTo(text: string, value: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), value);
  } catch {
    return false;
  }
}
