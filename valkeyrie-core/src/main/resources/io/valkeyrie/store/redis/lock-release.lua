-- KEYS[1] lock record, KEYS[2] waiters (sorted set: waiter token -> ms until which its
-- registration holds), KEYS[3] the waiter woken last (string, PX grace).
-- ARGV[1] owner token to release, or '' when a waiter gives up; ARGV[2] the token of the waiter
-- that gives up (or ''); ARGV[3] the unlock channels' prefix, ARGV[4] lock key, ARGV[5] hand-over
-- grace in ms, ARGV[6] the publish command ('PUBLISH', or 'SPUBLISH' on a Redis Cluster that has
-- it). Release deletes the record only if ARGV[1] owns it (returns 0 otherwise). Then, if
-- the lock is free, someone waits and no woken waiter is still on its way, wakes the waiter
-- registered longest ago and gives it the grace to try, after which it is forgotten (a waiter that
-- died must not hold up the others): publishes '<its token> <lock key>' on the unlock channel of
-- each store that has a waiter of this lock (a waiter token is '<store id>-<n>', a store's
-- channel ARGV[3] .. '<store id>'), the woken one's first. Stores without a waiter of this lock
-- hear nothing: each message wakes a thread in every store that receives it. Returns 1.
if ARGV[1] ~= '' then
	if redis.call('GET', KEYS[1]) ~= ARGV[1] then
		return 0
	end
	redis.call('DEL', KEYS[1])
else
	redis.call('ZREM', KEYS[2], ARGV[2])
	if redis.call('GET', KEYS[3]) == ARGV[2] then
		redis.call('DEL', KEYS[3])
	end
	if redis.call('EXISTS', KEYS[1]) == 1 then
		return 1
	end
end
if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[3]) == 1 then
	return 1
end
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local first = head[1]
if first then
	-- Shorten its registration to the grace, never lengthen it (ZADD's LT option needs Redis 6.2).
	local until_ms = now + tonumber(ARGV[5])
	if tonumber(head[2]) > until_ms then
		redis.call('ZADD', KEYS[2], until_ms, first)
	end
	redis.call('SET', KEYS[3], first, 'PX', ARGV[5])
	-- The others' stores hear of it too: if the woken one never tries, they try after the grace.
	local message = first .. ' ' .. ARGV[4]
	local told = {}
	for _, waiter in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
		local store = string.match(waiter, '^(.*)-') or waiter
		if not told[store] then
			told[store] = true
			redis.call(ARGV[6], ARGV[3] .. store, message)
		end
	end
end
return 1
