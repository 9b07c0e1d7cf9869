-- ARGV[7] directory ('' for the whole namespace).
-- Returns how many existing keys were deleted.
local dir = ARGV[7]
local members
if dir == '' then
	members = lib().by_lex(ns.index, '-', '+')
else
	members = lib().by_lex(ns.index, '[' .. dir .. '/', '(' .. dir .. '0')
	table.insert(members, 1, dir)
end
local deleted = 0
for _, key in ipairs(members) do
	if redis.call('EXISTS', ns.data .. key) == 1 or redis.call('ZSCORE', ns.index, key) then
		deleted = deleted + lib().remove(key)
	end
end
return deleted
