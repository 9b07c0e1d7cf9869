-- ARGV[7] the most keys to remove in one run.
-- Removes due TTL keys (publishing their deletion); returns how many.
local due = lib().by_score(ns.expiry, lib().now_ms(), tonumber(ARGV[7]))
for _, key in ipairs(due) do
	lib().remove(key)
end
return #due
