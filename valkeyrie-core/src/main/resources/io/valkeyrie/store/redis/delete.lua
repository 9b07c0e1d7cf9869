-- ARGV[5] key, ARGV[6] previous lastIndex (0: unconditional).
-- Returns 1 deleted, -1 not found, -2 modified.
local key = ARGV[5]
expire_if_due(ns, channel, key, now_ms())
local current = redis.call('HGET', ns.data .. key, 'i')
if not current then
	-- A stale index entry (the key expired in Redis before the sweeper saw it) goes too.
	redis.call('ZREM', ns.index, key)
	return -1
end
if ARGV[6] ~= '0' and current ~= ARGV[6] then
	return -2
end
remove(ns, channel, key)
return 1
