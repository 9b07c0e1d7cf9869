-- ARGV[3] key or directory, ARGV[4] '1' for every key strictly below it, '0' for the key.
-- Returns {counter, exists(dir or key), key1, value1, index1, ...}: one atomic read, so the
-- counter tells exactly which published changes the answer already contains.
local key = ARGV[3]
local out = { redis.call('GET', ns.counter) or '0', 0 }
if key ~= '' then
	local pair = redis.call('HMGET', ns.data .. key, 'v', 'i')
	if pair[2] then
		out[2] = 1
		if ARGV[4] == '0' then
			table.insert(out, key)
			table.insert(out, pair[1])
			table.insert(out, pair[2])
		end
	end
end
if ARGV[4] == '1' then
	local members
	if key == '' then
		members = redis.call('ZRANGE', ns.index, '-', '+', 'BYLEX')
	else
		members = redis.call('ZRANGE', ns.index, '[' .. key .. '/', '(' .. key .. '0', 'BYLEX')
	end
	for _, member in ipairs(members) do
		local pair = redis.call('HMGET', ns.data .. member, 'v', 'i')
		-- Absent: expired in Redis, not swept yet.
		if pair[2] then
			table.insert(out, member)
			table.insert(out, pair[1])
			table.insert(out, pair[2])
		end
	end
end
return out
