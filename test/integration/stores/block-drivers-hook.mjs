// Module resolution hook for the no-driver test: the optional store drivers resolve as if they were not
// installed, the way they are absent after a plain `npm install archon-mcp-client`.
const BLOCKED = new Set(['pg', 'redis', '@electric-sql/pglite']);

export async function resolve(specifier, context, nextResolve) {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (BLOCKED.has(name)) {
    const error = new Error(`Cannot find package '${name}' imported from ${context.parentURL}`);
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return nextResolve(specifier, context);
}
