export { openRedis, reconnectDelay, type OpenRedisOptions, type RedisConnection } from './open-redis.js';
export { defineLuaScript, type LuaScript, type LuaArg } from './lua-script.js';
export { isRedisUnavailableError } from './redis-errors.js';
