-- ARGV[7] key, ARGV[8] the lastIndex this store wrote, ARGV[9] ttl in ms.
-- Extends a keep-alive key's TTL if it still holds our write; returns 1, or 0 when it does not.
local key = ARGV[7]
local data = ns.data .. key
if lib().index_of(data) ~= ARGV[8] then
	return 0
end
local at = lib().now_ms() + tonumber(ARGV[9])
redis.call('PEXPIREAT', data, at)
redis.call('ZADD', ns.expiry, at, key)
return 1
