-- ARGV[7] key or directory, ARGV[8] '1' for every key strictly below it, '0' for the key.
-- Returns {counter, exists (the key or directory), {key1, value1, index1, ...}}: one atomic
-- read, so the counter tells exactly which published changes the answer already contains.
local found, exists = lib().read_state(ARGV[7], ARGV[8] == '1')
return { redis.call('GET', ns.counter) or '0', exists, found }
