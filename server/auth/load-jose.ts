/**
 * The one place that loads `jose` (JWT verification, key sets). Imported only when the `oauth` option is set, so
 * a handler without it never loads the package.
 */

/** The `jose` package, as loaded. */
export type Jose = typeof import('jose');

let loading: Promise<Jose> | undefined;

/**
 * Loads `jose` once per process; a failed load is not cached, so a later call can try again.
 *
 * @example
 * ```ts
 * const { jwtVerify } = await loadJose();
 * ```
 */
export function loadJose(): Promise<Jose> {
  loading ??= import('jose').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
