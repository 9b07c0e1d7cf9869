-- Shared by every valkeyrie write script (prepended by RedisScripts). A namespace lives in:
--   <prefix>{<ns>}:d:<key>  hash {v = value, i = lastIndex}, PEXPIREAT for TTL keys
--   <prefix>{<ns>}:i        sorted set of every key (score 0, ordered by ZRANGEBYLEX)
--   <prefix>{<ns>}:x        sorted set of TTL keys scored by their expiry (server ms)
--   <prefix>{<ns>}:n        the counter every write takes its lastIndex from
-- and every change is PUBLISHed on <prefix>{<ns>}:c as "<op><index> <key bytes> <key>[value]".

local function now_ms()
	local t = redis.call('TIME')
	return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function message(op, index, key)
	return op .. index .. ' ' .. #key .. ' ' .. key
end

local function publish_put(channel, index, key, value, inline_limit)
	if #value <= inline_limit then
		redis.call('PUBLISH', channel, message('P', index, key) .. value)
	else
		-- Too large to copy into every subscriber's buffer: subscribers read it when they want it.
		redis.call('PUBLISH', channel, message('F', index, key))
	end
end

-- Remove a key (data, index and expiry entries) and publish its deletion with a new index.
local function remove(ns, channel, key)
	local existed = redis.call('DEL', ns.data .. key)
	redis.call('ZREM', ns.index, key)
	redis.call('ZREM', ns.expiry, key)
	local index = redis.call('INCR', ns.counter)
	redis.call('PUBLISH', channel, message('D', index, key))
	return existed
end

-- A TTL key that is due but not swept yet is removed now, so that its expiry is published
-- before the write that follows it (a watcher sees the delete, then the new value).
local function expire_if_due(ns, channel, key, now)
	local due = redis.call('ZSCORE', ns.expiry, key)
	if due and tonumber(due) <= now then
		remove(ns, channel, key)
	end
end

local function write(ns, channel, key, value, ttl, now, inline_limit)
	local index = redis.call('INCR', ns.counter)
	local data = ns.data .. key
	redis.call('HSET', data, 'v', value, 'i', index)
	if ttl > 0 then
		redis.call('PEXPIREAT', data, now + ttl)
		redis.call('ZADD', ns.expiry, now + ttl, key)
	else
		redis.call('PERSIST', data)
		redis.call('ZREM', ns.expiry, key)
	end
	redis.call('ZADD', ns.index, 0, key)
	publish_put(channel, index, key, value, inline_limit)
	return index
end

-- KEYS: data prefix is derived, so every script gets the namespace keys in the same order:
-- KEYS[1] index, KEYS[2] expiry, KEYS[3] counter; ARGV[1] data key prefix, ARGV[2] channel.
local ns = { index = KEYS[1], expiry = KEYS[2], counter = KEYS[3], data = ARGV[1] }
local channel = ARGV[2]
