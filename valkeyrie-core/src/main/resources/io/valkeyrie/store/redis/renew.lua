-- ARGV[6] key, ARGV[7] the lastIndex this store wrote, ARGV[8] ttl in ms.
-- Extends a keep-alive key's TTL if it still holds our write; returns 1, or 0 when it does not.
local key = ARGV[6]
local data = ns.data .. key
if lib().index_of(data) ~= ARGV[7] then
	return 0
end
local at = lib().now_ms() + tonumber(ARGV[8])
redis.call('PEXPIREAT', data, at)
redis.call('ZADD', ns.expiry, at, key)
return 1
