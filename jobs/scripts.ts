// Lua scripts: each makes one multi-key change atomic, so a crash never leaves a rollout
// half-written (state without its queued notices, a lock without its rollout).
// Items arrive as separate, already-serialized ARGV strings: re-encoding JSON in Lua would
// turn empty arrays into objects.
import { redisScript } from './redis-script.js';

const APPEND_ITEMS = `
local n_outbox = tonumber(ARGV[FIRST])
local n_audit = tonumber(ARGV[FIRST + 1])
if n_outbox > 0 then redis.call('RPUSH', KEYS[2], unpack(ARGV, FIRST + 2, FIRST + 1 + n_outbox)) end
for i = 1, n_audit do redis.call('XADD', KEYS[4], '*', 'entry', ARGV[FIRST + 1 + n_outbox + i]) end
if n_audit > 0 then redis.call('PEXPIRE', KEYS[4], ARGV[FIRST + 2 + n_outbox + n_audit]) end
`;

// The due analysis ticks (jobs/tick-set.ts): the tick this commit makes stale leaves the set
// and the tick it schedules enters it, in the same write as `pending`, so a tick is never
// lost between the two and a stale one costs nothing.
const MOVE_TICKS = `
local t = FIRST + 3 + n_outbox + n_audit
if ARGV[t] ~= '' then redis.call('ZREM', KEYS[7], ARGV[t]) end
local n_ticks = tonumber(ARGV[t + 1])
if n_ticks > 0 then
  local scored = {}
  for i = 1, n_ticks * 2 do scored[i] = ARGV[t + 1 + i] end
  redis.call('ZADD', KEYS[7], unpack(scored))
end
`;

/**
 * KEYS: rollout, outbox, pending, audit, appLock, active, ticks
 * ARGV: id, json, pendingJson, prefix, nOutbox, nAudit, ...outbox, ...audit, auditRetentionMs,
 *       staleTick ('' here), nTicks, ...(due, tickId)
 * Takes the app lock unless an active rollout holds it (then returns that rollout's id).
 * A lock left by a rollout that has ended (or vanished) is taken over, so a crash can
 * never leave an app locked for good.
 */
export const CREATE_ROLLOUT = `
local holder = redis.call('GET', KEYS[5])
if holder and holder ~= ARGV[1] then
  local raw = redis.call('GET', ARGV[4] .. ':rollout:' .. holder)
  if raw then
    local phase = cjson.decode(raw)['phase']
    if phase ~= 'succeeded' and phase ~= 'rolled-back' and phase ~= 'failed' then
      return holder
    end
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return ARGV[1] end
redis.call('SET', KEYS[5], ARGV[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[6], ARGV[1])
${APPEND_ITEMS.replaceAll('FIRST', '5')}
${MOVE_TICKS.replaceAll('FIRST', '5')}
return ''
`;

/**
 * KEYS: rollout, outbox, pending, audit, appLock, active, ticks
 * ARGV: id, expectedSeq, json, pendingJson, releaseLock ('1'|'0'), nOutbox, nAudit, ...outbox, ...audit, auditRetentionMs,
 *       staleTick (the tick id at expectedSeq), nTicks, ...(due, tickId)
 * Compare-and-set on the rollout's seq: returns 1 when written, 0 when someone else won.
 */
export const COMMIT_ROLLOUT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
if tostring(cjson.decode(raw)['seq']) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[3], ARGV[4])
${APPEND_ITEMS.replaceAll('FIRST', '6')}
${MOVE_TICKS.replaceAll('FIRST', '6')}
if ARGV[5] == '1' then
  if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
  redis.call('SREM', KEYS[6], ARGV[1])
end
return 1
`;

/** KEYS: lock; ARGV: token. Deletes the lock only if we still hold it. */
export const RELEASE_MUTEX = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: lock; ARGV: token, ttlMs. Extends the lease only if we still hold it. */
export const RENEW_MUTEX = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * KEYS: ticks; ARGV: until (ms), limit, deadline (ms).
 * Claims up to `limit` ticks due by `until`: each is re-scored to the claim deadline, so a
 * claimer that dies leaves it to come due again then. Returns the claimed ids with their due
 * times, then the earliest score left in the set ('' when empty): when to look again.
 */
export const CLAIM_TICKS = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then
  local scored = {}
  for i = 1, #due, 2 do
    scored[#scored + 1] = ARGV[3]
    scored[#scored + 1] = due[i]
  end
  redis.call('ZADD', KEYS[1], 'XX', unpack(scored))
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
due[#due + 1] = first[2] or ''
return due
`;

/**
 * KEYS: ticks; ARGV: claimedScore, newScore ('' to remove), ...tickIds.
 * For ticks this claimer still holds (their score is still its claim deadline): re-scores them
 * (a retry later, a renewed claim) or removes them (done). A tick another claimer took over
 * meanwhile is left to it. Returns how many were changed.
 */
export const SETTLE_TICKS = `
local changed = 0
for i = 3, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[1]) then
    if ARGV[2] == '' then redis.call('ZREM', KEYS[1], ARGV[i]) else redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[i]) end
    changed = changed + 1
  end
end
return changed
`;

/** KEYS: lock, messages; ARGV: token, field, value. Sets the field only while the lock is ours. */
export const MARK_POSTING = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`;

/** Each script above, called by its SHA (jobs/redis-script.ts). */
export const run = {
  createRollout: redisScript(CREATE_ROLLOUT),
  commitRollout: redisScript(COMMIT_ROLLOUT),
  releaseMutex: redisScript(RELEASE_MUTEX),
  renewMutex: redisScript(RENEW_MUTEX),
  claimTicks: redisScript(CLAIM_TICKS),
  settleTicks: redisScript(SETTLE_TICKS),
  markPosting: redisScript(MARK_POSTING),
};
