-- KEYS[1] lock record, KEYS[2] fencing counter; ARGV[1] owner token, ARGV[2] ttl in ms.
-- Returns the fencing token (> 0) when acquired, otherwise minus the holder's remaining ms.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return redis.call('INCR', KEYS[2])
end
local remaining = redis.call('PTTL', KEYS[1])
if remaining == -1 then
	-- A record without expiry (not written by valkeyrie): look again after one of our TTLs.
	remaining = tonumber(ARGV[2])
elseif remaining < 1 then
	remaining = 1
end
return -remaining
