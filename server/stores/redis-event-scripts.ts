/**
 * Lua scripts of the Redis event store (key layout in `redis-keys.ts`; keys are built from the prefix in ARGV[1],
 * as in `redis-scripts.ts`). One script call replaces a MULTI of five commands per event: one command on the
 * wire per batch instead of one per XADD and four per stream.
 */

/**
 * ARGV: prefix, ttlMs, maxEventsPerStream, then 5 per event: sessionId, streamId, payload, storedAt, id ('*', or an
 * explicit id for the cursor that opens a fresh stream) -> the entry ids, in order. Each stream written is trimmed to
 * the cap (exact `MAXLEN =`), gets the TTL, and is indexed once: `ev-streams:{sessionId}` and `ev-index`. An explicit
 * id is only ever the first entry of a new stream; should the stream exist after all, nothing is added and the id
 * stays a cursor before every entry (a resume from it replays the whole stream, never less).
 */
export const STORE_EVENTS = `
local p, ttl, cap = ARGV[1], ARGV[2], ARGV[3]
local ids = {}
local newest = {}
for i = 4, #ARGV, 5 do
  local sid, stream, wanted = ARGV[i], ARGV[i + 1], ARGV[i + 4]
  local key = p .. 'ev:' .. sid .. ':' .. stream
  if wanted == '*' or redis.call('EXISTS', key) == 0 then
    ids[#ids + 1] = redis.call('XADD', key, 'MAXLEN', '=', cap, wanted, 'm', ARGV[i + 2], 't', ARGV[i + 3])
  else
    ids[#ids + 1] = wanted
  end
  newest[sid .. '\\0' .. stream] = { sid, stream, ARGV[i + 3] }
end
for member, write in pairs(newest) do
  local streams = p .. 'ev-streams:' .. write[1]
  redis.call('PEXPIRE', p .. 'ev:' .. write[1] .. ':' .. write[2], ttl)
  redis.call('SADD', streams, write[2])
  redis.call('PEXPIRE', streams, ttl)
  redis.call('ZADD', p .. 'ev-index', write[3], member)
end
return ids`;

/** ARGV: prefix, sessionId -> how many streams were deleted. Every stream of the session, its index entries, its set. */
export const DELETE_SESSION_EVENTS = `
local p, sid = ARGV[1], ARGV[2]
local streams = p .. 'ev-streams:' .. sid
local ids = redis.call('SMEMBERS', streams)
for _, stream in ipairs(ids) do
  redis.call('DEL', p .. 'ev:' .. sid .. ':' .. stream)
  redis.call('ZREM', p .. 'ev-index', sid .. '\\0' .. stream)
end
redis.call('DEL', streams)
return #ids`;
