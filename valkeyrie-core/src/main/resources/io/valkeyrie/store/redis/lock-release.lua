-- KEYS[1] lock record, KEYS[2] fencing counter, KEYS[3] waiters (sorted set: waiter token -> ms
-- until which its registration holds).
-- ARGV[1] owner token to release, or '' when a waiter gives up; ARGV[2] the token of the waiter
-- that gives up (or ''); ARGV[3] the unlock channels' prefix, ARGV[4] lock key, ARGV[5] the
-- publish command ('PUBLISH', or 'SPUBLISH' on a Redis Cluster that has it).
-- Release gives up the record only if ARGV[1] owns it (returns 0 otherwise). A waiter giving up
-- leaves the waiters, and gives up the record too if a release handed it over meanwhile (it holds
-- it then). A record given up goes straight to the waiter registered longest ago whose
-- registration is still current, as an acquire would take it: the record names that waiter's
-- token, with that waiter's TTL (the token ends with '.<ttl in ms>'), and a new fencing token.
-- The waiter's store hears '<its token> <fencing token> <lock key>' on its unlock channel
-- (ARGV[3] .. '<store id>'; a waiter token is '<store id>-<n>.<ttl>'), which is all the waiter
-- needs to go on holding the lock: no acquire after the wake-up. Nobody else hears anything.
-- Returns 1.
if ARGV[1] ~= '' then
	if redis.call('GET', KEYS[1]) ~= ARGV[1] then
		return 0
	end
else
	redis.call('ZREM', KEYS[3], ARGV[2])
	local holder = redis.call('GET', KEYS[1])
	if holder and holder ~= ARGV[2] then
		return 1
	end
end
if redis.call('EXISTS', KEYS[3]) == 1 then
	local time = redis.call('TIME')
	redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', time[1] * 1000 + math.floor(time[2] / 1000))
	-- Each turn removes a waiter: bounded by how many there are.
	while true do
		local first = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
		if not first then
			break
		end
		redis.call('ZREM', KEYS[3], first)
		local ttl = string.match(first, '%.(%d+)$')
		local store = string.match(first, '^(.*)-')
		-- A member not written by valkeyrie names no TTL or store: skipped.
		if ttl and store then
			redis.call('SET', KEYS[1], first, 'PX', ttl)
			local fence = redis.call('INCR', KEYS[2])
			redis.call(ARGV[5], ARGV[3] .. store, first .. ' ' .. fence .. ' ' .. ARGV[4])
			return 1
		end
	end
end
redis.call('DEL', KEYS[1])
return 1
