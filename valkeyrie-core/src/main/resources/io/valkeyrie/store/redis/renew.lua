-- ARGV[3] key, ARGV[4] the lastIndex this store wrote, ARGV[5] ttl in ms.
-- Extends a keep-alive key's TTL if it still holds our write; returns 1, or 0 when it does not.
local key = ARGV[3]
local data = ns.data .. key
if redis.call('HGET', data, 'i') ~= ARGV[4] then
	return 0
end
local at = now_ms() + tonumber(ARGV[5])
redis.call('PEXPIREAT', data, at)
redis.call('ZADD', ns.expiry, at, key)
return 1
