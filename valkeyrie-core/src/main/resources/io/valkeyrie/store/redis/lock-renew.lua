-- KEYS[1] lock record; ARGV[1] owner token, ARGV[2] ttl in ms.
-- Extends the record only if we own it; returns 1, or 0 if it is gone or someone else's.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
