/**
 * Lua scripts for the shared state of rotation candidates (docs/redis-keys.md). Every script reads the clock from
 * Redis (`TIME`), so replicas with skewed clocks still agree; every key of one candidate carries the same hash tag
 * (`{<scope>|<provider>}`), so the scripts also run on Redis Cluster.
 *
 * KEYS of a candidate, in this order (the `CANDIDATE_KEYS` count):
 *   1 disabled  (hash)   manual disable of the provider
 *   2 brk       (hash)   breaker: state, until, trips
 *   3 fails     (zset)   failure timestamps inside the window
 *   4 probe     (string) half-open probe token (holder id), PX = probe TTL
 *   5 nb        (string) not-before time (ms) set from Retry-After
 *   6 pace      (string) last pacing slot (ms) of the provider/model
 *   7 ppace     (string) last pacing slot (ms) of the provider
 *   8 tpm 9 tph 10 tpd (hash) token windows: field = bucket index, value = tokens
 */
export const CANDIDATE_KEYS = 10;

const COMMON = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local WINDOWS = { 60000, 3600000, 86400000 }
local NAMES = { 'TPM', 'TPH', 'TPD' }
local BUCKETS = 60

-- Tokens counted in window i now; with prune = true, buckets that left the window are deleted.
local function window_usage(i, prune)
  local W = WINDOWS[i]
  local w = W / BUCKETS
  local oldest = math.floor((now - W) / w)
  local flat = redis.call('HGETALL', KEYS[7 + i])
  local used = 0
  local live = {}
  local stale = {}
  for j = 1, #flat, 2 do
    local b = tonumber(flat[j])
    local v = tonumber(flat[j + 1])
    if b >= oldest then
      used = used + v
      live[#live + 1] = { b, v }
    else
      stale[#stale + 1] = flat[j]
    end
  end
  if prune and #stale > 0 then redis.call('HDEL', KEYS[7 + i], unpack(stale)) end
  return used, live
end

-- When enough of window i frees up for need more tokens under limit (ms, absolute).
local function window_free_at(i, live, used, need, limit)
  local W = WINDOWS[i]
  local w = W / BUCKETS
  table.sort(live, function(a, b) return a[1] < b[1] end)
  local freed = 0
  for _, e in ipairs(live) do
    freed = freed + e[2]
    if used - freed + need <= limit then return (e[1] + 1) * w + W end
  end
  return now + W
end

-- Checks shared by peek and admit. ARGV: 1 (unused), 2 need, 3 tpm, 4 tph, 5 tpd, 6 paceMs, 7 providerPaceMs,
-- 8 maxPaceWaitMs, 9 strict (1 = rotation candidate: Retry-After and cooldowns apply; 0 = a direct provider route).
-- Returns nil when admissible, else { status, until, info }; plus the breaker view and the pacing slot.
local function check(prune)
  local need = tonumber(ARGV[2])
  local strict = ARGV[9] == '1'
  if redis.call('EXISTS', KEYS[1]) == 1 then
    return { 'disabled', 0, redis.call('HGET', KEYS[1], 'reason') or '' }
  end
  local nb = tonumber(redis.call('GET', KEYS[5]) or '0')
  if strict and nb > now then return { 'not_before', nb, '' } end
  local view = 'closed'
  local state = redis.call('HGET', KEYS[2], 'state')
  if strict and state == 'open' then
    local untilMs = tonumber(redis.call('HGET', KEYS[2], 'until') or '0')
    local trips = redis.call('HGET', KEYS[2], 'trips') or '1'
    if now < untilMs then return { 'open', untilMs, trips } end
    if redis.call('EXISTS', KEYS[4]) == 1 then return { 'probing', now + redis.call('PTTL', KEYS[4]), trips } end
    view = 'half_open'
  end
  local worst = nil
  for i = 1, 3 do
    local limit = tonumber(ARGV[2 + i])
    if limit > 0 then
      if need > limit then return { 'too_large', 0, NAMES[i] .. ':' .. need .. ':' .. limit } end
      local used, live = window_usage(i, prune)
      if used + need > limit then
        local at = window_free_at(i, live, used, need, limit)
        if worst == nil or at > worst[2] then worst = { 'tokens', at, NAMES[i] .. ':' .. used .. ':' .. limit } end
      end
    end
  end
  if worst ~= nil then return worst end
  local slot = now
  local pace = tonumber(ARGV[6])
  local ppace = tonumber(ARGV[7])
  if pace > 0 then slot = math.max(slot, tonumber(redis.call('GET', KEYS[6]) or '0') + pace) end
  if ppace > 0 then slot = math.max(slot, tonumber(redis.call('GET', KEYS[7]) or '0') + ppace) end
  if slot - now > tonumber(ARGV[8]) then return { 'paced', slot, '' } end
  return nil, view, slot
end
`;

/** Read-only view of a candidate: `{status, until, info, now}`; status `ok` or `half_open` when usable. */
export const PEEK_LUA = `${COMMON}
local denied, view, slot = check(false)
if denied then return { denied[1], denied[2], denied[3], now } end
return { view == 'half_open' and 'half_open' or 'ok', slot, '', now }
`;

/**
 * Atomically admit one attempt: every check of PEEK, then take the probe token (half-open), reserve the tokens in each
 * limited window and the pacing slot. ARGV 10 holder, 11 probeTtlMs.
 * Returns `{'ok', probe 0|1, slotMs, bucketTPM, bucketTPH, bucketTPD, now}` or `{status, until, info, now}`.
 */
export const ADMIT_LUA = `${COMMON}
local denied, view, slot = check(true)
if denied then return { denied[1], denied[2], denied[3], now } end
local probe = 0
if view == 'half_open' then
  redis.call('SET', KEYS[4], ARGV[10], 'PX', tonumber(ARGV[11]))
  probe = 1
end
local need = tonumber(ARGV[2])
local buckets = { -1, -1, -1 }
for i = 1, 3 do
  if tonumber(ARGV[2 + i]) > 0 and need > 0 then
    local W = WINDOWS[i]
    local w = W / BUCKETS
    local b = math.floor(now / w)
    redis.call('HINCRBY', KEYS[7 + i], b, need)
    redis.call('PEXPIRE', KEYS[7 + i], W + w)
    buckets[i] = b
  end
end
local pace = tonumber(ARGV[6])
local ppace = tonumber(ARGV[7])
if pace > 0 then redis.call('SET', KEYS[6], slot, 'PX', math.floor(slot - now + pace + 1000)) end
if ppace > 0 then redis.call('SET', KEYS[7], slot, 'PX', math.floor(slot - now + ppace + 1000)) end
return { 'ok', probe, slot, buckets[1], buckets[2], buckets[3], now }
`;

/**
 * The outcome of an attempt for the breaker. KEYS: brk, fails, probe, nb. ARGV: 1 event (failure|success|release|wait),
 * 2 holder, 3 isProbe 0|1, 4 threshold, 5 windowMs, 6 cooldownBaseMs, 7 maxCooldownMs, 8 waitMs, 9 unique member.
 * Returns `{transition, until, trips, now}`; transition is '' when nothing changed.
 */
export const REPORT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local event = ARGV[1]
local holder = ARGV[2]
local isProbe = ARGV[3] == '1' and redis.call('GET', KEYS[3]) == holder
local base = tonumber(ARGV[6])
local cap = math.max(base, tonumber(ARGV[7]))
local GRACE = 86400000
local function cooldown(trips) return math.min(base * 2 ^ (trips - 1), cap) end
local function open(trips, reason)
  local untilMs = now + cooldown(trips)
  redis.call('HSET', KEYS[1], 'state', 'open', 'until', untilMs, 'trips', trips, 'since', now)
  redis.call('PEXPIREAT', KEYS[1], untilMs + GRACE)
  redis.call('DEL', KEYS[2], KEYS[3])
  return { reason, untilMs, trips, now }
end

if event == 'wait' then
  local nb = now + tonumber(ARGV[8])
  local cur = tonumber(redis.call('GET', KEYS[4]) or '0')
  if nb > cur then redis.call('SET', KEYS[4], nb, 'PX', tonumber(ARGV[8])) end
  if isProbe then redis.call('DEL', KEYS[3]) end
  return { '', nb, 0, now }
end
if event == 'release' then
  if isProbe then redis.call('DEL', KEYS[3]) end
  return { '', 0, 0, now }
end
local state = redis.call('HGET', KEYS[1], 'state')
if event == 'success' then
  if state == 'open' and isProbe then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
    return { 'closed', 0, 0, now }
  end
  return { '', 0, 0, now }
end
-- failure
if state == 'open' then
  if not isProbe then return { '', 0, 0, now } end
  local trips = tonumber(redis.call('HGET', KEYS[1], 'trips') or '1') + 1
  return open(trips, 'reopened')
end
local windowMs = tonumber(ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[9])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - windowMs)
redis.call('PEXPIRE', KEYS[2], windowMs)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return open(1, 'opened') end
return { '', 0, redis.call('ZCARD', KEYS[2]), now }
`;

/**
 * Correct a reservation with the real usage. KEYS: tpm, tph, tpd. ARGV: 1 delta, 2..4 bucket per window (-1 = none).
 * Buckets that already left the window are not touched; no bucket goes below zero.
 */
export const RECONCILE_LUA = `
local delta = tonumber(ARGV[1])
for i = 1, 3 do
  local b = ARGV[1 + i]
  if b ~= '-1' and redis.call('HEXISTS', KEYS[i], b) == 1 then
    local v = redis.call('HINCRBY', KEYS[i], b, delta)
    if v < 0 then redis.call('HSET', KEYS[i], b, 0) end
  end
end
return 1
`;
