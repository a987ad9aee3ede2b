/**
 * Collects process warnings during the run. A client that leaks listeners shows up here (a MaxListeners warning
 * on an AbortSignal was seen once with an early MCPClient build), so the report says so instead of the
 * warning scrolling by among thousands of lines.
 */

export interface WarningSummary {
  readonly name: string;
  /** The message with numbers blanked, so repeats of one leak group together. */
  readonly message: string;
  readonly count: number;
  /** Where the first one was emitted (the listener-adding call site for MaxListeners warnings). */
  readonly firstStack: string;
}

/**
 * Replaces Node's printing of warnings (one line per warning: the SDK's fetch emits thousands of identical
 * MaxListeners warnings in one run) by a grouped summary returned when collection stops.
 */
export function collectWarnings(): () => WarningSummary[] {
  process.removeAllListeners('warning');
  const seen = new Map<string, { name: string; message: string; count: number; firstStack: string }>();
  const onWarning = (warning: Error): void => {
    const message = warning.message.replace(/\d+/g, 'N');
    const key = `${warning.name}: ${message}`;
    const entry = seen.get(key);
    if (entry !== undefined) entry.count++;
    else seen.set(key, { name: warning.name, message, count: 1, firstStack: warning.stack ?? '' });
  };
  process.on('warning', onWarning);
  return () => {
    process.off('warning', onWarning);
    return [...seen.values()];
  };
}
