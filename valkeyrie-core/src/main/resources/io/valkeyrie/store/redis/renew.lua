-- ARGV[7] key, ARGV[8] the lastIndex this store wrote, ARGV[9] ttl in ms.
-- Extends a keep-alive key's TTL if it still holds our write. Returns 1 renewed, 0 when another
-- write replaced ours, -1 when the key is gone (deleted, or expired: the caller tells which).
local key = ARGV[7]
local data = ns.data .. key
local index = lib().index_of(data)
if not index then
	return -1
end
if index ~= ARGV[8] then
	return 0
end
local at = lib().now_ms() + tonumber(ARGV[9])
redis.call('PEXPIREAT', data, at)
redis.call('ZADD', ns.expiry, at, key)
return 1
