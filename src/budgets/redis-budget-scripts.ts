/**
 * The Lua scripts behind the Redis budget store. Each counter is a hash (`spent`, `reserved`, and
 * `r:<reservation id>` → amount held) plus a sorted set of reservation ids scored by expiry, so a
 * replica that dies mid-request cannot hold budget forever: its holds are dropped once they expire.
 *
 * Amounts travel as decimal integer strings and are passed to HINCRBY untouched; Lua only compares
 * them (as doubles, exact below 2^53) — never `tostring` of a number, which would give `1e+15`.
 */
import { defineLuaScript } from '../store/redis/lua-script.js';

/**
 * KEYS: hash1, holds1, hash2, holds2, …
 * ARGV: now, reservation id, reservation expires at, then per counter: limit, amount, ttl ms.
 * Returns {-1, missing indices…} | {0, index, spent, reserved} | {1, spent1, reserved1, …}.
 */
export const RESERVE_SCRIPT = defineLuaScript(`
local n = #KEYS / 2
local now = tonumber(ARGV[1])
local id = ARGV[2]
local missing = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[2 * i - 1]) == 0 then missing[#missing + 1] = i - 1 end
end
if #missing > 0 then
  table.insert(missing, 1, -1)
  return missing
end
local spent = {}
local reserved = {}
for i = 1, n do
  local h = KEYS[2 * i - 1]
  local z = KEYS[2 * i]
  for _, rid in ipairs(redis.call('ZRANGEBYSCORE', z, '-inf', now)) do
    local held = redis.call('HGET', h, 'r:' .. rid)
    if held then
      redis.call('HINCRBY', h, 'reserved', '-' .. held)
      redis.call('HDEL', h, 'r:' .. rid)
    end
    redis.call('ZREM', z, rid)
  end
  local s = tonumber(redis.call('HGET', h, 'spent') or '0')
  local r = tonumber(redis.call('HGET', h, 'reserved') or '0')
  local base = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[base + 1])
  local amount = tonumber(ARGV[base + 2])
  if s + r >= limit or s + r + amount > limit then return {0, i - 1, s, r} end
  spent[i] = s
  reserved[i] = r + amount
end
local out = {1}
for i = 1, n do
  local h = KEYS[2 * i - 1]
  local z = KEYS[2 * i]
  local base = 3 + (i - 1) * 3
  redis.call('HINCRBY', h, 'reserved', ARGV[base + 2])
  redis.call('HSET', h, 'r:' .. id, ARGV[base + 2])
  redis.call('ZADD', z, ARGV[3], id)
  redis.call('PEXPIRE', h, ARGV[base + 3])
  redis.call('PEXPIRE', z, ARGV[base + 3])
  out[#out + 1] = spent[i]
  out[#out + 1] = reserved[i]
end
return out
`);

/** KEYS: hash. ARGV: spent, ttl ms. Creates the counter only if absent; returns 1 when it did. */
export const INITIALIZE_SCRIPT = defineLuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'reserved', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

/**
 * KEYS: hash1, holds1, … ARGV: reservation id, then per counter: charge.
 * Returns spent, reserved per counter; -1, -1 for a counter that no longer exists.
 */
export const SETTLE_SCRIPT = defineLuaScript(`
local n = #KEYS / 2
local id = ARGV[1]
local out = {}
for i = 1, n do
  local h = KEYS[2 * i - 1]
  local z = KEYS[2 * i]
  if redis.call('EXISTS', h) == 0 then
    out[#out + 1] = -1
    out[#out + 1] = -1
  else
    local held = redis.call('HGET', h, 'r:' .. id)
    if held then
      redis.call('HINCRBY', h, 'reserved', '-' .. held)
      redis.call('HDEL', h, 'r:' .. id)
    end
    redis.call('ZREM', z, id)
    out[#out + 1] = redis.call('HINCRBY', h, 'spent', ARGV[i + 1])
    out[#out + 1] = tonumber(redis.call('HGET', h, 'reserved') or '0')
  end
end
return out
`);
