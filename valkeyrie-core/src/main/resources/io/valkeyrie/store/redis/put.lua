-- ARGV[6] key, ARGV[7] value, ARGV[8] ttl in ms (0: permanent).
-- Returns the new lastIndex.
local key = ARGV[6]
local had_ttl, now = expire_if_due(ns, channel, key)
return write(ns, channel, key, ARGV[7], tonumber(ARGV[8]), had_ttl, now)
