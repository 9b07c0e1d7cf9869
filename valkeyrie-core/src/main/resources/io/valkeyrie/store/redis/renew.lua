-- ARGV[5] key, ARGV[6] the lastIndex this store wrote, ARGV[7] ttl in ms.
-- Extends a keep-alive key's TTL if it still holds our write; returns 1, or 0 when it does not.
local key = ARGV[5]
local data = ns.data .. key
if redis.call('HGET', data, 'i') ~= ARGV[6] then
	return 0
end
local at = now_ms() + tonumber(ARGV[7])
redis.call('PEXPIREAT', data, at)
redis.call('ZADD', ns.expiry, at, key)
return 1
