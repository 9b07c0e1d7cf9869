-- ARGV[5] key, ARGV[6] value, ARGV[7] ttl in ms (0: permanent), ARGV[8] previous lastIndex
-- (0: create only).
-- Returns the new lastIndex, or -1 not found, -2 modified, -3 exists.
local key = ARGV[5]
local now = now_ms()
expire_if_due(ns, channel, key, now)
local current = redis.call('HGET', ns.data .. key, 'i')
local previous = ARGV[8]
if previous == '0' then
	if current then
		return -3
	end
elseif not current then
	return -1
elseif current ~= previous then
	return -2
end
return write(ns, channel, key, ARGV[6], tonumber(ARGV[7]), now)
