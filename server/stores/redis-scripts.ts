/**
 * Lua scripts for the session store: each keeps a record and its indexes consistent in one atomic
 * step (a crash between two commands would otherwise leave an index pointing at nothing). Keys are
 * built from the prefix in ARGV[1], following the layout in `redis-keys.ts`; that is fine for a single
 * Redis (or Sentinel) but not for Redis Cluster, whose slots require declared KEYS.
 */

/** Helpers prepended to every script. */
const PRELUDE = `
local p = ARGV[1]
local function live(status) return status == 'active' or status == 'draining' end
local function reindex(id, key, old, new)
  if old ~= new then redis.call('SMOVE', p .. 'sessions:status:' .. old, p .. 'sessions:status:' .. new, id) end
  if live(new) then
    redis.call('ZADD', p .. 'sessions:expiry', redis.call('HGET', key, 'expiresAt'), id)
    redis.call('ZREM', p .. 'sessions:inactive', id)
  else
    redis.call('ZREM', p .. 'sessions:expiry', id)
    redis.call('ZADD', p .. 'sessions:inactive', redis.call('HGET', key, 'lastActivityAt'), id)
  end
end
`;

/** ARGV: prefix, sessionId, appSessionId, createdAt, status, field, value, ... -> 1, or an error if it exists. */
export const CREATE_SESSION = `${PRELUDE}
local id = ARGV[2]
local key = p .. 'session:' .. id
if redis.call('EXISTS', key) == 1 then return redis.error_reply('ERR session ' .. id .. ' already exists') end
redis.call('HSET', key, unpack(ARGV, 6))
redis.call('ZADD', p .. 'app:' .. ARGV[3], ARGV[4], id)
redis.call('SADD', p .. 'sessions:status:' .. ARGV[5], id)
reindex(id, key, ARGV[5], ARGV[5])
return 1`;

/**
 * ARGV: prefix, mode, then groups of 4: kind ('session' | 'app'), id, lastActivityAt, expiresAt -> how many
 * protocol sessions existed. Unknown ids are skipped. Mode `max` never moves either time backwards (`touchMany`:
 * a late write-behind batch cannot shorten a session); mode `set` writes the given times (batched `touch` calls,
 * in call order). An app session only moves forward, and only while active.
 */
export const TOUCH_MANY = `${PRELUDE}
local touched = 0
local forward = ARGV[2] == 'max'
for i = 3, #ARGV, 4 do
  local kind, id = ARGV[i], ARGV[i + 1]
  local last = tonumber(ARGV[i + 2])
  local expires = tonumber(ARGV[i + 3])
  if kind == 'session' then
    local key = p .. 'session:' .. id
    local fields = redis.call('HMGET', key, 'status', 'lastActivityAt', 'expiresAt')
    if fields[1] then
      if forward then
        last = math.max(tonumber(fields[2]) or 0, last)
        expires = math.max(tonumber(fields[3]) or 0, expires)
      end
      redis.call('HSET', key, 'lastActivityAt', string.format('%d', last), 'expiresAt', string.format('%d', expires))
      reindex(id, key, fields[1], fields[1])
      touched = touched + 1
    end
  else
    local key = p .. 'app-session:' .. id
    local fields = redis.call('HMGET', key, 'status', 'lastActivityAt', 'expiresAt')
    if fields[1] == 'active' then
      if expires > (tonumber(fields[3]) or 0) then
        redis.call('HSET', key, 'expiresAt', string.format('%d', expires))
        redis.call('ZADD', p .. 'app-sessions:expiry', expires, id)
      end
      if last > (tonumber(fields[2]) or 0) then redis.call('HSET', key, 'lastActivityAt', string.format('%d', last)) end
    end
  end
end
return touched`;

/**
 * ARGV: prefix, appSessionId, principalHash ('' = none), hasPrincipal ('1'/'0'), now, expiresAt ->
 * { outcome, field, value, ... }. Atomic: of concurrent claims of a free id exactly one is 'created'.
 */
export const CLAIM_APP_SESSION = `
local p, id, principal, hasPrincipal, now, expires = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1', tonumber(ARGV[5]), ARGV[6]
local key = p .. 'app-session:' .. id
local outcome
if redis.call('EXISTS', key) == 0 then
  redis.call('HSET', key, 'appSessionId', id, 'createdAt', ARGV[5], 'lastActivityAt', ARGV[5], 'expiresAt', expires, 'status', 'active')
  if hasPrincipal then redis.call('HSET', key, 'principalHash', principal) end
  redis.call('ZADD', p .. 'app-sessions:expiry', expires, id)
  outcome = 'created'
else
  local fields = redis.call('HMGET', key, 'status', 'expiresAt', 'principalHash')
  local owner = fields[3]
  if fields[1] ~= 'active' or tonumber(fields[2]) <= now then
    outcome = 'expired'
  elseif (hasPrincipal and owner ~= principal) or ((not hasPrincipal) and owner) then
    outcome = 'foreign'
  else
    outcome = 'existing'
    redis.call('HSET', key, 'lastActivityAt', ARGV[5])
    if tonumber(expires) > tonumber(fields[2]) then
      redis.call('HSET', key, 'expiresAt', expires)
      redis.call('ZADD', p .. 'app-sessions:expiry', expires, id)
    end
  end
end
local reply = { outcome }
for _, value in ipairs(redis.call('HGETALL', key)) do reply[#reply + 1] = value end
return reply`;

/** ARGV: prefix, before (exclusive), batch -> { purged app sessions, how many index entries were read }. */
export const PURGE_APP_SESSIONS = `
local p = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', p .. 'app-sessions:expiry', '-inf', '(' .. ARGV[2], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do
  redis.call('ZREM', p .. 'app-sessions:expiry', id)
  redis.call('DEL', p .. 'app-session:' .. id, p .. 'req:' .. id)
end
return { #ids, #ids }`;

/** ARGV: prefix, sessionId, status[, reason] -> 1 if the session exists. No reason = null. */
export const SET_STATUS = `${PRELUDE}
local id = ARGV[2]
local key = p .. 'session:' .. id
local old = redis.call('HGET', key, 'status')
if not old then return 0 end
redis.call('HSET', key, 'status', ARGV[3])
if #ARGV >= 4 then redis.call('HSET', key, 'disconnectReason', ARGV[4]) else redis.call('HDEL', key, 'disconnectReason') end
reindex(id, key, old, ARGV[3])
return 1`;

/** ARGV: prefix, sessionId, owner -> 1 if the session exists. */
export const SET_OWNER = `${PRELUDE}
local key = p .. 'session:' .. ARGV[2]
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSET', key, 'ownerInstance', ARGV[3])
return 1`;

/** ARGV: prefix, now, batch -> { ids moved to expired, how many index entries were read }. */
export const EXPIRE_SESSIONS = `${PRELUDE}
local ids = redis.call('ZRANGEBYSCORE', p .. 'sessions:expiry', '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
local expired = {}
for _, id in ipairs(ids) do
  local key = p .. 'session:' .. id
  local old = redis.call('HGET', key, 'status')
  if old and live(old) then
    redis.call('HSET', key, 'status', 'expired', 'disconnectReason', 'ttl')
    reindex(id, key, old, 'expired')
    expired[#expired + 1] = id
  else
    redis.call('ZREM', p .. 'sessions:expiry', id)
  end
end
return { expired, #ids }`;

/** ARGV: prefix, before (exclusive), batch -> { purged count, how many index entries were read }. */
export const PURGE_SESSIONS = `${PRELUDE}
local ids = redis.call('ZRANGEBYSCORE', p .. 'sessions:inactive', '-inf', '(' .. ARGV[2], 'LIMIT', 0, ARGV[3])
local purged = 0
for _, id in ipairs(ids) do
  local key = p .. 'session:' .. id
  local fields = redis.call('HMGET', key, 'status', 'appSessionId')
  redis.call('ZREM', p .. 'sessions:inactive', id)
  if fields[1] and not live(fields[1]) then
    redis.call('SREM', p .. 'sessions:status:' .. fields[1], id)
    redis.call('ZREM', p .. 'app:' .. fields[2], id)
    redis.call('ZREM', p .. 'sessions:expiry', id)
    redis.call('DEL', key, p .. 'req:' .. id)
    purged = purged + 1
  end
end
return { purged, #ids }`;

/** KEYS: session hash. ARGV: state JSON -> 1 if the session exists (HSET on a missing key would create a half record). */
export const SAVE_STATE = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'state', ARGV[1]) return 1 end return 0";

/** KEYS: app session hash -> 1 if it exists and is now marked expired. */
export const EXPIRE_APP_SESSION = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'status', 'expired') return 1 end return 0";

/** KEYS: lock. ARGV: owner, ttlMs -> 1 when the owner holds the lock now (acquired or renewed). */
export const ACQUIRE_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: lock. ARGV: owner -> 1 if released. Never deletes a lock another owner took after expiry. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
