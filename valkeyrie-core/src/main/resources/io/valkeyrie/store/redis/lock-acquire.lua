-- KEYS[1] lock record, KEYS[2] fencing counter, KEYS[3] waiters (sorted set: waiter token -> ms
-- until which its registration holds).
-- ARGV[1] owner token (also the waiter token, '<store id>-<n>.<ttl in ms>'), ARGV[2] ttl in ms,
-- ARGV[3] '1' if this caller is registered as a waiter already, ARGV[4] '1' to register as a
-- waiter if the lock is taken, ARGV[5] the longest the caller waits in ms (-1: no limit),
-- ARGV[6] how long a registration outlives the wait, in ms.
-- Returns {fencing token (> 0), 0} when acquired, otherwise {minus how many ms to wait before
-- trying again if no hand-over message comes first, the fencing counter now}: a hand-over whose
-- fencing token is above that counter happened after this call.
local registered = ARGV[3] == '1'
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
	-- An unlock handed the lock to us (lock-release.lua) and we did not hear of it, or not yet:
	-- ours, with the TTL counted from now, and the fencing token that hand-over drew.
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
	redis.call('ZREM', KEYS[3], ARGV[1])
	return { tonumber(redis.call('GET', KEYS[2])) or redis.call('INCR', KEYS[2]), 0 }
end
if not holder then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
	if registered then
		redis.call('ZREM', KEYS[3], ARGV[1])
	end
	return { redis.call('INCR', KEYS[2]), 0 }
end
local wait = redis.call('PTTL', KEYS[1])
if wait == -1 then
	-- A record without expiry (not written by valkeyrie): look again after one of our TTLs.
	wait = tonumber(ARGV[2])
elseif wait < 1 then
	wait = 1
end
if ARGV[4] ~= '1' then
	if registered then
		redis.call('ZREM', KEYS[3], ARGV[1])
	end
	return { -wait, 0 }
end
local limit = tonumber(ARGV[5])
if limit >= 0 and limit < wait then
	wait = math.max(limit, 1)
end
local slack = tonumber(ARGV[6])
local time = redis.call('TIME')
redis.call('ZADD', KEYS[3], time[1] * 1000 + math.floor(time[2] / 1000) + wait + slack, ARGV[1])
if redis.call('PTTL', KEYS[3]) < wait + slack then
	redis.call('PEXPIRE', KEYS[3], wait + slack)
end
return { -wait, tonumber(redis.call('GET', KEYS[2])) or 0 }
