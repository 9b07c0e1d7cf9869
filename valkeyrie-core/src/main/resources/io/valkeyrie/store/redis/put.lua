-- ARGV[5] key, ARGV[6] value, ARGV[7] ttl in ms (0: permanent).
-- Returns the new lastIndex.
local key = ARGV[5]
local now = now_ms()
expire_if_due(ns, channel, key, now)
return write(ns, channel, key, ARGV[6], tonumber(ARGV[7]), now)
