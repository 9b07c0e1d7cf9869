-- KEYS[1] lock record, KEYS[2] fencing counter, KEYS[3] waiters (sorted set: waiter token -> ms
-- until which its registration holds), KEYS[4] the waiter woken last (string, PX grace).
-- ARGV[1] owner token (also the waiter token), ARGV[2] ttl in ms, ARGV[3] '1' if this caller is
-- registered as a waiter already, ARGV[4] '1' to register as a waiter if the lock is taken,
-- ARGV[5] the longest the caller waits in ms (-1: no limit), ARGV[6] hand-over grace in ms,
-- ARGV[7] how soon a woken waiter that lost the race to a new locker tries again, in ms.
-- Returns the fencing token (> 0) when acquired, otherwise minus how many ms to wait before
-- trying again if no unlock message wakes the caller first.
local registered = ARGV[3] == '1'
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	if registered then
		redis.call('ZREM', KEYS[3], ARGV[1])
		if redis.call('GET', KEYS[4]) == ARGV[1] then
			redis.call('DEL', KEYS[4])
		end
	end
	return redis.call('INCR', KEYS[2])
end
local wait = redis.call('PTTL', KEYS[1])
if wait == -1 then
	-- A record without expiry (not written by valkeyrie): look again after one of our TTLs.
	wait = tonumber(ARGV[2])
elseif wait < 1 then
	wait = 1
end
local woken = redis.call('GET', KEYS[4])
if ARGV[4] ~= '1' then
	if registered then
		redis.call('ZREM', KEYS[3], ARGV[1])
		if woken == ARGV[1] then
			redis.call('DEL', KEYS[4])
		end
	end
	return -wait
end
if registered and woken == ARGV[1] then
	-- We were woken but someone locked first (an unlocker locking again at once): we try again
	-- shortly, and until then unlocks wake nobody else (each wake-up would likely lose the same
	-- race: a woken waiter per unlock is what costs under contention, not the wait).
	-- PEXPIRE's LT option needs Redis 7.0: shorten the mark's expiry only (it always has one).
	if redis.call('PTTL', KEYS[4]) > tonumber(ARGV[7]) then
		redis.call('PEXPIRE', KEYS[4], ARGV[7])
	end
end
local limit = tonumber(ARGV[5])
if limit >= 0 and limit < wait then
	wait = math.max(limit, 1)
end
if woken then
	-- A woken waiter has not tried yet (if it never does, we take over after the grace), or it is us.
	local left = redis.call('PTTL', KEYS[4])
	if left > 0 and left < wait then
		wait = left
	end
end
local grace = tonumber(ARGV[6])
local time = redis.call('TIME')
redis.call('ZADD', KEYS[3], time[1] * 1000 + math.floor(time[2] / 1000) + wait + grace, ARGV[1])
if redis.call('PTTL', KEYS[3]) < wait + grace then
	redis.call('PEXPIRE', KEYS[3], wait + grace)
end
return -wait
