-- ARGV[6] key, ARGV[7] value, ARGV[8] ttl in ms (0: permanent), ARGV[9] previous lastIndex
-- (0: create only).
-- Returns the new lastIndex, or -1 not found, -2 modified, -3 exists.
local key = ARGV[6]
local had_ttl, now = expire_if_due(ns, channel, key)
local current = redis.call('HGET', ns.data .. key, 'i')
local previous = ARGV[9]
if previous == '0' then
	if current then
		return -3
	end
elseif not current then
	return -1
elseif current ~= previous then
	return -2
end
return write(ns, channel, key, ARGV[7], tonumber(ARGV[8]), had_ttl, now)
