-- put and atomicPut. ARGV[7] key, ARGV[8] value, ARGV[9] ttl in ms (0: permanent), ARGV[10]
-- the lastIndex the key must have: '-' any (put), '0' none (an atomicPut that only creates).
-- Returns the new lastIndex, or -1 not found, -2 modified, -3 exists.
local key = ARGV[7]
local data = ns.data .. key
-- A TTL key due but not swept yet is removed first, its expiry published before this write.
local had_ttl, now = false, nil
local due = redis.call('ZSCORE', ns.expiry, key)
if due then
	had_ttl, now = lib().expire_if_due(key, due)
end
local expected = ARGV[10]
if expected ~= '-' then
	local current = lib().index_of(data)
	if expected == '0' then
		if current then
			return -3
		end
	elseif not current then
		return -1
	elseif current ~= expected then
		return -2
	end
end
local index = redis.call('INCR', ns.counter)
local value = ARGV[8]
local ttl = tonumber(ARGV[9])
local history = recording_history()
local entry = index .. ':' .. value
-- SET drops an expiry the key had unless given one; GET tells whether the key is new (then it is
-- not indexed yet) and what it held, for the history. Redis 6 (no REDIS_VERSION_NUM, added in
-- 7.0) may lack SET's GET and PXAT (6.2): there the same takes GET, SET and PEXPIREAT.
local previous
local at
if ttl > 0 then
	at = (now or lib().now_ms()) + ttl
end
if redis.REDIS_VERSION_NUM then
	if at then
		previous = redis.call('SET', data, entry, 'PXAT', at, 'GET')
	else
		previous = redis.call('SET', data, entry, 'GET')
	end
else
	previous = redis.call('GET', data)
	redis.call('SET', data, entry)
	if at then
		redis.call('PEXPIREAT', data, at)
	end
end
if at then
	redis.call('ZADD', ns.expiry, at, key)
elseif had_ttl then
	redis.call('ZREM', ns.expiry, key)
end
if not previous then
	redis.call('ZADD', ns.index, 0, key)
end
if #value <= ns.inline_limit then
	redis.call(publish, channel, message('P', index, key) .. value)
else
	-- Too large to copy into every subscriber's buffer: subscribers read it when they want it.
	redis.call(publish, channel, message('F', index, key))
end
if history then
	lib().record('P', index, key, value, lib().split(previous))
end
return index
