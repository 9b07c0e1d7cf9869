-- ARGV[7] key, ARGV[8] previous lastIndex (0: unconditional).
-- Returns 1 deleted, -1 not found, -2 modified.
local key = ARGV[7]
local due = redis.call('ZSCORE', ns.expiry, key)
if due then
	lib().expire_if_due(key, due)
end
local current = lib().index_of(ns.data .. key)
if not current then
	-- A stale index entry (the key expired in Redis before the sweeper saw it) goes too.
	redis.call('ZREM', ns.index, key)
	return -1
end
if ARGV[8] ~= '0' and current ~= ARGV[8] then
	return -2
end
lib().remove(key)
return 1
