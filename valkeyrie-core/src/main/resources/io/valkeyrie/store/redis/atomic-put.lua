-- ARGV[3] key, ARGV[4] value, ARGV[5] ttl in ms (0: permanent), ARGV[6] inline limit,
-- ARGV[7] previous lastIndex (0: create only).
-- Returns the new lastIndex, or -1 not found, -2 modified, -3 exists.
local key = ARGV[3]
local now = now_ms()
expire_if_due(ns, channel, key, now)
local current = redis.call('HGET', ns.data .. key, 'i')
local previous = ARGV[7]
if previous == '0' then
	if current then
		return -3
	end
elseif not current then
	return -1
elseif current ~= previous then
	return -2
end
return write(ns, channel, key, ARGV[4], tonumber(ARGV[5]), now, tonumber(ARGV[6]))
