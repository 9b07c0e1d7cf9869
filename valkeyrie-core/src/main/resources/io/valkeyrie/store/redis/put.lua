-- ARGV[3] key, ARGV[4] value, ARGV[5] ttl in ms (0: permanent), ARGV[6] inline limit
-- Returns the new lastIndex.
local key = ARGV[3]
local now = now_ms()
expire_if_due(ns, channel, key, now)
return write(ns, channel, key, ARGV[4], tonumber(ARGV[5]), now, tonumber(ARGV[6]))
