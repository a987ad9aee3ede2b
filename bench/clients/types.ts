/** What the bench needs from each client under comparison. */

/** One connected client (initialized session) ready to call `echo`. */
export interface BenchSession {
  /** Calls the `echo` tool; resolves with whatever the client returns (checked once for the echoed text). */
  call(text: string): Promise<unknown>;
  /** Closes the client the way its users would. */
  close(): Promise<void>;
}

/** A client kind: knows how to connect a session to a server URL. */
export interface ClientMode {
  readonly id: ModeId;
  readonly label: string;
  /** Connects and initializes; resolves once calls can be made and the default GET stream (if any) is requested. */
  connect(url: string): Promise<BenchSession>;
}

export type ModeId = 'archon' | 'sdk' | 'floor';

/**
 * The application-session header every mode sends, so the reference server does the same work for all three
 * (without it the server mints a new application session for the request).
 */
export const APP_SESSION_HEADER = 'x-archon-session-id';
