-- ARGV[7] key or directory, ARGV[8] '1' for a tree, ARGV[9] the index to resume after.
-- Returns false when the history does not hold every change after the index; otherwise
-- {counter, {current pairs as in read.lua}, {index, op, key, previous index, value or
-- false, previous value or false, ...}} with the changes after the index that concern the
-- key or tree, in order.
local key = ARGV[7]
local tree = ARGV[8] == '1'
local from = tonumber(ARGV[9])
local counter = tonumber(redis.call('GET', ns.counter) or '0')
if from > counter or ns.history_size <= 0 then
	return false
end
local entries = {}
if counter > from then
	-- Entry ids are indexes, unique and at most the counter: there is one for every change
	-- after the index only if there are exactly that many. Fewer: trimmed, or written while
	-- the history was off (see common.lua).
	entries = redis.call('XRANGE', ns.history, (from + 1) .. '-0', '+')
	if #entries ~= counter - from then
		return false
	end
end
local prefix = key .. '/'
local changes = {}
for _, entry in ipairs(entries) do
	local fields = {}
	local list = entry[2]
	for i = 1, #list, 2 do
		fields[list[i]] = list[i + 1]
	end
	local k = fields['k']
	local wanted
	if tree then
		wanted = key == '' or string.sub(k, 1, #prefix) == prefix
	else
		wanted = k == key
	end
	if wanted then
		table.insert(changes, string.sub(entry[1], 1, -3))
		table.insert(changes, fields['o'])
		table.insert(changes, k)
		table.insert(changes, fields['p'])
		table.insert(changes, fields['v'] or false)
		table.insert(changes, fields['q'] or false)
	end
end
local state = lib().read_state(key, tree)
return { counter, state, changes }
