/**
 * The Redis side of the sliding-window log, as one Lua script so that every check of a request is
 * decided and consumed atomically (Redis runs a script with nothing interleaved): two replicas
 * cannot both see the 50th slot free.
 *
 * Layout per check: a sorted set `<log>` whose members are events, scored by their time in ms, named
 * `<ticket>.<checkIndex>:<cost>` (unique per request, so equal timestamps never collapse), and a
 * counter `<log>:sum` with the units in the window, kept in step as events expire, so a decision is
 * O(expired + log n) rather than a sum over the whole window. Both keys expire one window after the
 * newest event. If the counter is lost (eviction) it is rebuilt from the log.
 *
 * Time: ARGV[2] empty means "use the Redis server clock" (TIME), so replicas whose clocks differ
 * still agree on one timeline; a number means "use the caller's clock" (tests, single process).
 * Calling TIME before writing needs effect replication of scripts, the default since Redis 5.
 *
 * ARGV: 1 mode (consume | peek | adjust), 2 now or '', 3 fresh event id, 4 ticket id or '',
 * 5 delta (adjust), then per check: limit, windowMs, cost. KEYS: per check, log and sum.
 * Returns: { now, then per check: fits, used, resetMs, retryAfterMs, tooLarge } (integers).
 */
import { defineLuaScript } from '../store/redis/lua-script.js';

const SOURCE = `
local mode = ARGV[1]
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[2])
end
local eventId = ARGV[3]
local ticketId = ARGV[4]
local delta = tonumber(ARGV[5])
local n = #KEYS / 2

local function costOf(member)
  return tonumber(string.match(member, ':(%d+)$')) or 0
end

-- Drops events at or before now - window; returns the units still inside, keeping the sum in step.
local function prune(logKey, sumKey, windowMs)
  local windowStart = now - windowMs
  local expired = redis.call('ZRANGEBYSCORE', logKey, '-inf', windowStart)
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', logKey, '-inf', windowStart) end
  if redis.call('ZCARD', logKey) == 0 then
    redis.call('DEL', sumKey)
    return 0
  end
  local sum = redis.call('GET', sumKey)
  if not sum then
    local total = 0
    for _, m in ipairs(redis.call('ZRANGE', logKey, 0, -1)) do total = total + costOf(m) end
    local ttl = redis.call('PTTL', logKey)
    if ttl > 0 then redis.call('SET', sumKey, total, 'PX', ttl) else redis.call('SET', sumKey, total) end
    return total
  end
  local freed = 0
  for _, m in ipairs(expired) do freed = freed + costOf(m) end
  if freed > 0 then return redis.call('DECRBY', sumKey, freed) end
  return tonumber(sum)
end

local function record(logKey, sumKey, windowMs, member, cost)
  redis.call('ZADD', logKey, now, member .. ':' .. cost)
  redis.call('INCRBY', sumKey, cost)
  if redis.call('PTTL', logKey) < windowMs then
    redis.call('PEXPIRE', logKey, windowMs)
    redis.call('PEXPIRE', sumKey, windowMs)
  end
end

local function arg(i, k) return tonumber(ARGV[5 + (i - 1) * 3 + k]) end

if mode == 'adjust' then
  for i = 1, n do
    local logKey, sumKey = KEYS[2 * i - 1], KEYS[2 * i]
    local windowMs, cost = arg(i, 2), arg(i, 3)
    prune(logKey, sumKey, windowMs)
    local old = ticketId .. '.' .. i .. ':' .. cost
    local score = false
    if ticketId ~= '' then score = redis.call('ZSCORE', logKey, old) end
    if score then
      local newCost = math.max(0, cost + delta)
      redis.call('ZREM', logKey, old)
      if newCost > 0 then redis.call('ZADD', logKey, score, ticketId .. '.' .. i .. ':' .. newCost) end
      if redis.call('EXISTS', sumKey) == 1 then redis.call('INCRBY', sumKey, newCost - cost) end
    elseif delta > 0 then
      record(logKey, sumKey, windowMs, eventId .. '.' .. i, delta)
    end
  end
  return { now }
end

local used, fits = {}, {}
local pending = {}
local allFit = true
for i = 1, n do
  local logKey, sumKey = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, windowMs, cost = arg(i, 1), arg(i, 2), arg(i, 3)
  used[i] = prune(logKey, sumKey, windowMs)
  -- Two checks on the same log must see each other's cost.
  local earlier = pending[logKey] or 0
  pending[logKey] = earlier + cost
  fits[i] = used[i] + earlier + cost <= limit
  if not fits[i] then allFit = false end
end

if allFit and mode == 'consume' then
  for i = 1, n do
    local cost = arg(i, 3)
    if cost > 0 then record(KEYS[2 * i - 1], KEYS[2 * i], arg(i, 2), eventId .. '.' .. i, cost) end
  end
end

local out = { now }
for i = 1, n do
  local logKey, sumKey = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, windowMs, cost = arg(i, 1), arg(i, 2), arg(i, 3)
  local usedNow = tonumber(redis.call('GET', sumKey) or '0')
  local resetMs = 0
  local newest = redis.call('ZRANGE', logKey, -1, -1, 'WITHSCORES')
  if #newest == 2 then resetMs = math.max(0, tonumber(newest[2]) + windowMs - now) end
  local retryMs, tooLarge = 0, 0
  if not fits[i] then
    if cost > limit then
      tooLarge = 1
    else
      -- Walk events oldest first until enough units would have slid out.
      local mustFree = used[i] + cost - limit
      local freed, start = 0, 0
      retryMs = windowMs
      while true do
        local chunk = redis.call('ZRANGE', logKey, start, start + 99, 'WITHSCORES')
        if #chunk == 0 then break end
        local found = false
        for j = 1, #chunk, 2 do
          freed = freed + costOf(chunk[j])
          if freed >= mustFree then
            retryMs = math.max(0, tonumber(chunk[j + 1]) + windowMs - now)
            found = true
            break
          end
        end
        if found then break end
        start = start + 100
      end
    end
  end
  out[#out + 1] = fits[i] and 1 or 0
  out[#out + 1] = usedNow
  out[#out + 1] = resetMs
  out[#out + 1] = retryMs
  out[#out + 1] = tooLarge
end
return out
`;

export const slidingWindowScript = defineLuaScript(SOURCE);
