-- KEYS[1] lock record; ARGV[1] owner token, ARGV[2] unlock channel, ARGV[3] lock key.
-- Deletes the record only if we own it and wakes the waiters; returns 1, or 0 if not ours.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
	return 0
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
